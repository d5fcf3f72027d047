import type { CodeReport, CodeDetector } from '../rule.js';
import { ts } from '../../code/ts.js';
import type { FileAnalysis } from '../../code/analysis.js';
import type { FileFacts } from '../../code/file-facts.js';
import { lambdaEntryPoints } from '../../code/http-routes.js';
import { exportTarget } from '../../code/modules.js';
import { getProperty } from '../../code/values.js';
import { isFunctionLike, unwrap, walk } from '../../code/walk.js';
import { PARTIAL_RESPONSE_TEXT, type FileProjectContext } from '../../context/types.js';
import path from 'node:path';


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
/**
 * The function an entry point runs, with the facts of its file: its own, or the function another
 * module exports when the handler file only re-exports it (`export { processEvent as handler }`).
 */
function entryTarget(analysis: FileAnalysis, entry: ts.Node): { facts: FileFacts; fn: ts.FunctionLikeDeclaration } | undefined {
  const own = entryFunction(entry);
  if (own) return { facts: analysis, fn: own };
  if (!ts.isExportSpecifier(entry)) return undefined;
  const target = exportTarget(analysis, entry.name.text, 0);
  return target && isFunctionLike(target.node) ? { facts: target.facts, fn: target.node as ts.FunctionLikeDeclaration } : undefined;
}

/** The value of a `return` of the function (not of the functions inside it) that holds `batchItemFailures`. */
function failuresReturned(facts: FileFacts, fn: ts.FunctionLikeDeclaration): ts.Expression | undefined {
  if (!fn.body) return undefined;
  const holds = (expr: ts.Expression): boolean => {
    const e = unwrap(expr);
    return getProperty(facts, ts.isAwaitExpression(e) ? e.expression : e, 'batchItemFailures').kind === 'present';
  };
  if (!ts.isBlock(fn.body)) return holds(fn.body) ? fn.body : undefined;
  let found: ts.Expression | undefined;
  walk(fn.body, (node) => {
    if (found || (node !== fn.body && isFunctionLike(node))) return false;
    if (ts.isReturnStatement(node) && node.expression && holds(node.expression)) found = node.expression;
    return true;
  });
  return found;
}

/**
 * A handler that returns `{ batchItemFailures }` to a mapping without ReportBatchItemFailures:
 * Lambda reads the invocation as a success of the whole batch, so the items the handler names
 * as failed are deleted (SQS) or passed over (streams) instead of retried.
 */
function ignoredReports(analysis: FileAnalysis, ignored: NonNullable<FileProjectContext['ignoresBatchItemFailures']>): CodeReport[] {
  // a handler file that builds the response itself: the mapping's finding says so (one finding per mistake)
  if (PARTIAL_RESPONSE_TEXT.test(analysis.sourceFile.text)) return [];
  const reports: CodeReport[] = [];
  const seen = new Set<ts.Node>();
  for (const entry of lambdaEntryPoints(analysis)) {
    const target = entryTarget(analysis, entry);
    const returned = target && failuresReturned(target.facts, target.fn);
    if (!returned || seen.has(returned)) continue;
    seen.add(returned);
    const where = path.relative(path.dirname(returned.getSourceFile().fileName), ignored.file).split(path.sep).join('/');
    const stream = !ignored.source.startsWith('SQS');
    reports.push({
      node: returned,
      message: `The handler returns batchItemFailures, but the ${ignored.source} (${where}) does not enable ReportBatchItemFailures: Lambda ignores the list and treats the whole batch as processed, so the ${stream ? 'records' : 'messages'} the handler names as failed are ${stream ? 'skipped' : 'deleted'} instead of retried`,
      ...(returned.getSourceFile() !== analysis.sourceFile ? { related: [{ node: entry, label: 'the handler the template names' }] } : {}),
    });
  }
  return reports;
}

const detector: CodeDetector = {
  // the code part only runs on handler files a template wires to a batch source; they export their handler
  prefilter: /export/,
  code({ analysis, project }) {
    const reports = project?.reportsBatchItemFailures ? codeReports(analysis, project.reportsBatchItemFailures.source) : [];
    if (project?.ignoresBatchItemFailures) reports.push(...ignoredReports(analysis, project.ignoresBatchItemFailures));
    return reports;
  },
};

export default detector;
