import type { CodeReport, CodeDetector } from '../rule.js';
import { ts } from '../../code/ts.js';
import type { FileAnalysis } from '../../code/analysis.js';
import { lambdaEntryPoints } from '../../code/http-routes.js';
import { isFunctionLike, unwrap, walk } from '../../code/walk.js';
import { PARTIAL_RESPONSE_TEXT } from '../../context/types.js';


/** The function behind an entry point node (declaration, `const handler = ...`, `exports.handler = ...`). */
function entryFunction(node: ts.Node): ts.FunctionLikeDeclaration | undefined {
  if (isFunctionLike(node)) return node as ts.FunctionLikeDeclaration;
  const value = ts.isVariableDeclaration(node) ? node.initializer : ts.isBinaryExpression(node) ? node.right : undefined;
  const fn = value ? unwrap(value) : undefined;
  return fn && isFunctionLike(fn) ? (fn as ts.FunctionLikeDeclaration) : undefined;
}

/**
 * True when every value the function returns is visible and none can carry batchItemFailures:
 * no return value, or object literals. A returned call or variable may build the response elsewhere.
 */
function neverReturnsFailures(fn: ts.FunctionLikeDeclaration): boolean {
  if (!fn.body) return false;
  if (!ts.isBlock(fn.body)) return ts.isObjectLiteralExpression(unwrap(fn.body));
  let visible = true;
  walk(fn.body, (node) => {
    if (!visible) return false;
    if (node !== fn.body && isFunctionLike(node)) return false;
    if (ts.isReturnStatement(node) && node.expression) {
      const e = unwrap(node.expression);
      const value = ts.isAwaitExpression(e) ? unwrap(e.expression) : e;
      if (!ts.isObjectLiteralExpression(value) && !(ts.isIdentifier(value) && value.text === 'undefined')) visible = false;
    }
    return true;
  });
  return visible;
}

function codeReports(analysis: FileAnalysis, source: string): CodeReport[] {
  if (PARTIAL_RESPONSE_TEXT.test(analysis.sourceFile.text)) return [];
  const reports: CodeReport[] = [];
  for (const entry of lambdaEntryPoints(analysis)) {
    const fn = entryFunction(entry);
    if (!fn || !neverReturnsFailures(fn)) continue;
    const name = ts.isVariableDeclaration(entry) || ts.isFunctionDeclaration(entry) ? entry.name : undefined;
    reports.push({
      node: name ?? entry,
      message: `Handler \`${name?.getText() ?? 'handler'}\` is wired to the ${source} with ReportBatchItemFailures but never returns batchItemFailures: an item whose failure it catches is deleted as if it succeeded, and a thrown error retries the whole batch`,
    });
  }
  return reports;
}
const detector: CodeDetector = {
  // the code part only runs on handler files a template wires to a batch source; they export their handler
  prefilter: /export/,
  code({ analysis, project }) {
    return project?.reportsBatchItemFailures ? codeReports(analysis, project.reportsBatchItemFailures.source) : [];
  },
};

export default detector;
