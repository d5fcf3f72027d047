/** Which code files may define CDK constructs: a look at the text, before any parsing (no TypeScript needed). */

/**
 * An import or require of `aws-cdk-lib` or one of its subpaths, of an AWS Solutions Construct, or
 * of a CDK v1 module (`@aws-cdk/core`, `@aws-cdk/aws-sqs`).
 */
const CDK_IMPORT = /(?:\bfrom|\brequire\(|\bimport\(?)\s*['"](?:aws-cdk-lib(?:\/[^'"]*)?|@aws-solutions-constructs\/[^'"]+|@aws-cdk\/(?:core|aws-[a-z0-9-]+))['"]/g;

/** A type-only import (`import type { StackProps } from 'aws-cdk-lib'`): no code of the library runs. */
const TYPE_ONLY = /\bimport\s+type\s+[^;'"]*$/;

/** An import of the CDK's test assertions (v2, or v1's `@aws-cdk/assert`): the file tests an app, it is not one. */
const CDK_TEST = /(?:\bfrom|\brequire\(|\bimport\(?)\s*['"](?:aws-cdk-lib\/assertions|@aws-cdk\/assert(?:ions)?(?:\/[^'"]*)?)['"]/;

/**
 * Cheap text test run before any parsing: can this code file define CDK constructs? Files that
 * only mention the library (its own compiled code names its types in strings) do not pass, nor do
 * tests of CDK apps (they import `aws-cdk-lib/assertions`; what they build is scaffolding).
 * (False positives are fine; `loadCdkSource` decides.)
 */
export function mayDefineCdkResources(text: string): boolean {
  if (!(text.includes('aws-cdk-lib') || text.includes('@aws-solutions-constructs/') || text.includes('@aws-cdk/'))) return false;
  if (CDK_TEST.test(text)) return false;
  // a module whose only imports of the CDK are of types (a handler sharing a props type) is no app
  // code, unless it makes constructs in a class of its own (a stack of construct classes of other
  // files: `import type { App } from 'aws-cdk-lib'` and `new TeamApi(this, 'Api', {...})`)
  let imports = false;
  for (const m of text.matchAll(CDK_IMPORT)) {
    if (!m[0].startsWith('from') || !TYPE_ONLY.test(text.slice(Math.max(0, m.index - 400), m.index))) return true;
    imports = true;
  }
  return imports && CONSTRUCT_IN_THIS.test(text);
}

/** `new TeamQueue(this, ...)`: a class that makes a construct in itself. */
const CONSTRUCT_IN_THIS = /\bnew\s+[A-Z][\w$.]*\s*\(\s*this\s*,/;

/**
 * The spellings every class that makes a resource needs: a service module
 * (`aws-cdk-lib/aws-sqs`, an `@aws-cdk/...-alpha` module), a service namespace of the root module
 * (`cdk.aws_sqs`), or an L1 class (`CfnResource`, `CfnOutput` of the root module). A CDK file
 * with none of them uses only the core classes (`App`, `Stack`, `Duration`, `Tags`) and classes
 * of other files: most `bin/app.ts` entry points, which instantiate the stacks other files
 * declare. Their constructs are not evaluated (there are none to find).
 */
const RESOURCE_SPELLING = /aws-cdk-lib\/|@aws-cdk\/|aws_|Cfn/;

/**
 * False when a CDK file cannot make a resource (see `RESOURCE_SPELLING`): no evaluation needed. A
 * class that makes constructs in itself (`new TeamQueue(this, 'Jobs')`, with classes of other files)
 * may: a stack built of an app's own construct classes.
 */
export function mayMakeResources(text: string): boolean {
  return RESOURCE_SPELLING.test(text) || CONSTRUCT_IN_THIS.test(text);
}

/** `serverless.ts` / `serverless.js` / `.mjs` / `.cjs`: the names the Serverless Framework reads a service's configuration from. */
const SERVERLESS_CONFIG_FILE = /(?:^|[\\/])serverless\.(?:ts|js|mjs|cjs)$/;

/**
 * Cheap test before any parsing: a code file the Serverless Framework would read as a service's
 * configuration (`serverless.ts`), which names a service and a provider.
 */
export function isServerlessConfig(file: string, text: string): boolean {
  return isServerlessConfigName(file) && /\bservice\b/.test(text) && /\bprovider\b/.test(text);
}

/** Named like a Serverless Framework configuration in code (`serverless.ts`), by the path alone. */
export function isServerlessConfigName(file: string): boolean {
  return SERVERLESS_CONFIG_FILE.test(file);
}
