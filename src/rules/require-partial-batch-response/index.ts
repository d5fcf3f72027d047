import type { CodeReport, IacReport, Rule } from '../../core/types.js';
import { ts } from '../../code/ts.js';
import type { FileAnalysis } from '../../code/analysis.js';
import { lambdaEntryPoints } from '../../code/http-routes.js';
import { isFunctionLike, unwrap, walk } from '../../code/walk.js';
import type { IacValue } from '../../iac/model.js';
import { eventSourceMappings, isAbsent, isUnknown, type EsmKind } from '../../iac/resources.js';
import { literalNumber } from '../../iac/lambda.js';

/** Sources that support partial batch responses, and what one item of their batch is. */
const KINDS: Partial<Record<EsmKind, { label: string; item: string }>> = {
  sqs: { label: 'SQS', item: 'message' },
  kinesis: { label: 'Kinesis', item: 'record' },
  dynamodb: { label: 'DynamoDB Streams', item: 'record' },
};

/** True when the list certainly lacks ReportBatchItemFailures (absent, or a literal list without it). */
function lacksPartialResponse(value: IacValue | undefined, template: Parameters<typeof isUnknown>[1]): boolean {
  if (isAbsent(value)) return true;
  if (typeof value === 'string') return value !== 'ReportBatchItemFailures';
  if (!Array.isArray(value)) return false; // unknown
  if (value.some((item) => typeof item !== 'string' || isUnknown(item, template))) return false;
  return !value.includes('ReportBatchItemFailures');
}

/** Libraries and helpers that build the partial batch response for the handler. */
const PARTIAL_RESPONSE_TEXT = /batchItemFailures|processPartialResponse|BatchProcessor|PartialBatch|partialBatch/;

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

const rule: Rule = {
  meta: {
    name: 'require-partial-batch-response',
    description: 'Require SQS, Kinesis and DynamoDB Streams event source mappings to report partial batch failures (ReportBatchItemFailures)',
    bestPractices: ['REL04-BP04'],
    severity: 'warning',
    presets: ['recommended', 'strict'],
    targets: ['code', 'cloudformation', 'sam', 'cdk', 'serverless', 'terraform'],
    needsContext: true,
    help: 'Set FunctionResponseTypes: [ReportBatchItemFailures] on the mapping and return { batchItemFailures: [{ itemIdentifier }] } for the failed items from the handler',
    options: {},
  },
  // the code part only runs on handler files a template wires to a batch source; they export their handler
  prefilter: /export/,
  code({ analysis, project }) {
    return project?.reportsBatchItemFailures ? codeReports(analysis, project.reportsBatchItemFailures.source) : [];
  },
  iac({ templates }) {
    const reports: IacReport[] = [];
    for (const template of templates) {
      for (const mapping of eventSourceMappings(template)) {
        const kind = mapping.kind ? KINDS[mapping.kind] : undefined;
        if (!kind) continue;
        const p = mapping.properties;
        if (!lacksPartialResponse(p['FunctionResponseTypes'], template)) continue;
        // A batch of one item has nothing else to retry with it.
        if (literalNumber(p['BatchSize']) === 1) continue;
        reports.push({
          template,
          path: [...mapping.propertiesPath, 'FunctionResponseTypes'],
          message: `${kind.label} ${mapping.label} does not report partial batch failures (ReportBatchItemFailures missing from FunctionResponseTypes): one failing ${kind.item} makes the whole batch be retried, so every other ${kind.item} in it is processed again`,
        });
      }
    }
    return reports;
  },
};

export default rule;
