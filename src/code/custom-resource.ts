/**
 * CloudFormation custom-resource handlers: code that CloudFormation invokes once per create,
 * update or delete of a resource in a stack operation, and that answers by uploading a response to
 * the request's presigned `ResponseURL`. One stack operation is one caller: there is no fleet of
 * clients whose retries could fall into step.
 *
 * Evidence, in the file itself: it imports a custom-resource response helper (`cfn-response`,
 * `cfn-response-async`, `cfn-response-promise`), uses the custom-resource event or handler types of
 * `aws-lambda` (`CloudFormationCustomResourceEvent`, `CloudFormationCustomResourceHandler`,
 * `CdkCustomResourceEvent`, ...), or reads the `ResponseURL` of a request (a field only these
 * requests carry).
 */
import { ts } from './ts.js';
import type { FileFacts } from './file-facts.js';
import { walk } from './walk.js';

const RESPONSE_MODULES = new Set(['cfn-response', 'cfn-response-async', 'cfn-response-promise']);
const EVENT_TYPE = /^(?:CloudFormationCustomResource|CdkCustomResource)\w*$/;

const CACHE = new WeakMap<ts.SourceFile, boolean>();

function moduleSpecifiers(file: ts.SourceFile): string[] {
  const out: string[] = [];
  for (const st of file.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) out.push(st.moduleSpecifier.text);
  }
  return out;
}

/** Whether the file is the handler of a CloudFormation custom resource (see the module comment). */
export function isCustomResourceFile(facts: FileFacts): boolean {
  const file = facts.sourceFile;
  const known = CACHE.get(file);
  if (known !== undefined) return known;
  let found = moduleSpecifiers(file).some((m) => RESPONSE_MODULES.has(m));
  if (!found) {
    walk(file, (n) => {
      if (found) return false;
      if (ts.isPropertyAccessExpression(n) && n.name.text === 'ResponseURL') found = true;
      else if (ts.isTypeReferenceNode(n) && EVENT_TYPE.test(n.typeName.getText().replace(/^.*\./, ''))) found = true;
      else if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'require') {
        const arg = n.arguments[0];
        if (arg && ts.isStringLiteralLike(arg) && RESPONSE_MODULES.has(arg.text)) found = true;
      }
      return undefined;
    });
  }
  CACHE.set(file, found);
  return found;
}
