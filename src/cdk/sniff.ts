/** Which code files may define CDK constructs: a look at the text, before any parsing (no TypeScript needed). */

/** An import or require of `aws-cdk-lib` or one of its subpaths, or of an AWS Solutions Construct. */
const CDK_IMPORT = /(?:\bfrom|\brequire\(|\bimport\(?)\s*['"](?:aws-cdk-lib(?:\/[^'"]*)?|@aws-solutions-constructs\/[^'"]+)['"]/;

/** An import of the CDK's test assertions: the file tests an app, it is not one. */
const CDK_TEST = /(?:\bfrom|\brequire\(|\bimport\(?)\s*['"]aws-cdk-lib\/assertions['"]/;

/**
 * Cheap text test run before any parsing: can this code file define CDK constructs? Files that
 * only mention the library (its own compiled code names its types in strings) do not pass, nor do
 * tests of CDK apps (they import `aws-cdk-lib/assertions`; what they build is scaffolding).
 * (False positives are fine; `loadCdkSource` decides.)
 */
export function mayDefineCdkResources(text: string): boolean {
  return (text.includes('aws-cdk-lib') || text.includes('@aws-solutions-constructs/')) && CDK_IMPORT.test(text) && !CDK_TEST.test(text);
}
