import type { CodeReport, CodeDetector } from '../rule.js';
import type { Severity } from '../../ground/types.js';
import { ts } from '../../code/ts.js';
import type { FileAnalysis } from '../../code/analysis.js';
import type { SdkCall } from '../../code/aws-sdk.js';
import { getProperty, objectLiteralOf, stringShape } from '../../code/values.js';
import { isFunctionLike, returnedExpressions, step, unwrap } from '../../code/walk.js';
import { arrayItems } from '../../code/array-items.js';
import { tokenMember } from '../../code/idempotency-catalog.js';
import type { ContextEvidence } from '../../code/evidence.js';
import type { EnvBinding, FileProjectContext } from '../../context/types.js';
import { unstableValue } from '../../code/unstable-values.js';
import { envName } from '../../context/code-calls.js';
import { reachedAt, reachedFiles } from '../../code/reach.js';

interface FifoOperation {
  /** Member naming the destination (its URL or ARN ends in `.fifo` for FIFO queues/topics). */
  destination: string;
  /** Member holding the batch entries, for batch operations. */
  entries?: string;
}

const FIFO_OPERATIONS: Record<string, Record<string, FifoOperation>> = {
  sqs: {
    SendMessage: { destination: 'QueueUrl' },
    SendMessageBatch: { destination: 'QueueUrl', entries: 'Entries' },
  },
  sns: {
    Publish: { destination: 'TopicArn' },
    PublishBatch: { destination: 'TopicArn', entries: 'PublishBatchRequestEntries' },
  },
};

/** What one delivery of each at-least-once source is called. */
const DELIVERY_NOUN: Record<string, string> = {
  SQS: 'message',
  SNS: 'message',
  EventBridge: 'event',
  S3: 'event notification',
  'CloudWatch Logs': 'event',
  Kinesis: 'record',
  'DynamoDB Streams': 'record',
  Kafka: 'record',
  Firehose: 'record',
};

function redelivered(context: ContextEvidence | undefined): string | undefined {
  if (context?.context !== 'at-least-once') return undefined;
  return context.source ? `a redelivered ${context.source} ${DELIVERY_NOUN[context.source] ?? 'event'}` : 'a redelivered event';
}

function tokenConsequence(context: ContextEvidence | undefined, operation: string): string {
  const again = redelivered(context);
  return again
    ? `${again} repeats ${operation} with a fresh SDK-generated token, so the service cannot recognise the repeat and performs it again`
    : "the SDK-generated token only covers the SDK's own retries; a retry of this code is not recognised as one";
}

function severityFor(context: ContextEvidence | undefined): Severity {
  return context?.context === 'at-least-once' ? 'error' : 'warning';
}

/**
 * Object literals of batch entries: an array literal (with the items code appends to it: `push` in
 * a loop, `concat`, spreads), or `items.map(x => ({ ... }))`.
 */
function entryObjects(analysis: FileAnalysis, expr: ts.Expression | undefined, depth = 0): ts.ObjectLiteralExpression[] | undefined {
  if (!expr || depth > 4) return undefined;
  const e = analysis.resolveValue(expr);
  if (ts.isArrayLiteralExpression(e)) {
    const items = arrayItems(analysis, expr);
    if (!items) return undefined;
    const out: ts.ObjectLiteralExpression[] = [];
    for (const item of items) {
      const objects = ts.isSpreadElement(item) ? entryObjects(analysis, item.expression, depth + 1) : [objectLiteralOf(analysis, item)];
      if (!objects || objects.some((o) => !o)) return undefined;
      out.push(...(objects as ts.ObjectLiteralExpression[]));
    }
    return out;
  }
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'map') {
    const cb = e.arguments[0];
    if (cb && isFunctionLike(cb) && cb.body) {
      // `x => ({ ... })`, or a block whose every return is an object literal
      const returned = ts.isBlock(cb.body) ? returnedExpressions(cb) : [cb.body as ts.Expression];
      const objects = returned.map((r) => unwrap(r));
      return objects.length > 0 && objects.every((o) => ts.isObjectLiteralExpression(o)) ? (objects as ts.ObjectLiteralExpression[]) : undefined;
    }
  }
  return undefined;
}

function isFifoDestination(analysis: FileAnalysis, input: ts.Expression | undefined, member: string): boolean {
  const dest = getProperty(analysis, input, member);
  if (dest.kind !== 'present') return false;
  const shape = stringShape(analysis, dest.value);
  return shape?.suffix?.endsWith('.fifo') ?? false;
}

/** The queue or topic behind the destination's environment variable, as the project's templates define it. */
function destinationBinding(analysis: FileAnalysis, input: ts.Expression | undefined, member: string, project: FileProjectContext | undefined): EnvBinding | undefined {
  if (!project) return undefined;
  const dest = getProperty(analysis, input, member);
  const name = dest.kind === 'present' ? envName(analysis, dest.value) : undefined;
  return name ? project.env[name] : undefined;
}

function fifoReports(analysis: FileAnalysis, call: SdkCall, op: FifoOperation, context: ContextEvidence | undefined, project?: FileProjectContext): CodeReport[] {
  const binding = destinationBinding(analysis, call.input, op.destination, project);
  // the template says the queue/topic deduplicates by content: no id needed
  if (binding?.contentBasedDeduplication) return [];
  const fifoByName = isFifoDestination(analysis, call.input, op.destination) || binding?.fifo === true;
  const kind = call.service === 'sqs' ? 'queue' : 'topic';
  const check = (obj: ts.Expression | undefined, node: ts.Node, what: string): CodeReport | undefined => {
    const groupId = getProperty(analysis, obj, 'MessageGroupId');
    const fifo = fifoByName || groupId.kind === 'present';
    if (!fifo) return undefined;
    const dedup = getProperty(analysis, obj, 'MessageDeduplicationId');
    if (dedup.kind !== 'absent') return undefined;
    return {
      node,
      severity: severityFor(context),
      message: `${what} to a FIFO ${kind} without MessageDeduplicationId: the call fails unless the ${kind} uses content-based deduplication, and ${redelivered(context) ?? 'a retried send'} is not recognised as a duplicate`,
    };
  };
  if (!op.entries) {
    const r = check(call.input, call.node, call.operation);
    return r ? [r] : [];
  }
  const entries = getProperty(analysis, call.input, op.entries);
  if (entries.kind !== 'present') return [];
  const objects = entryObjects(analysis, entries.value);
  if (!objects) return [];
  const out: CodeReport[] = [];
  for (const obj of objects) {
    const r = check(obj, obj, `${call.operation} entry`);
    if (r) out.push(r);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// operations that cannot take effect twice without a token

/**
 * Creates whose name is unique in the account and Region: a repeat cannot create a second
 * resource, it fails because the name is taken. Kept to operations whose uniqueness is documented.
 */
const NAMED_CREATES: Record<string, string> = {
  'scheduler:CreateSchedule': 'Name',
  'scheduler:CreateScheduleGroup': 'Name',
  'secrets-manager:CreateSecret': 'Name',
};

const CONFLICT_HANDLED = /Conflict|AlreadyExists|ResourceExists|already exists/i;
const NOT_FOUND_HANDLED = /NotFound|NoSuch|does not exist|doesn't exist/i;
const CANCELLED_HANDLED = /TransactionCanceled|ConditionalCheckFailed/;

type Natural = { kind: 'safe' } | { kind: 'no-duplicate'; why: string; error: string };

/** The catch clauses whose try block contains `node`, innermost first. */
function catchesAround(node: ts.Node): ts.CatchClause[] {
  const out: ts.CatchClause[] = [];
  let child: ts.Node = node;
  for (let p = node.parent; p && !ts.isSourceFile(p); child = p, p = p.parent) {
    step();
    if (ts.isTryStatement(p) && p.tryBlock === child && p.catchClause) out.push(p.catchClause);
    if (isFunctionLike(p)) break;
  }
  return out;
}

/** `try { await describe(name) } catch { await create(name) }`: created only when the lookup failed. */
function afterFailedLookup(analysis: FileAnalysis, call: SdkCall): boolean {
  for (let p = call.node.parent; p && !isFunctionLike(p); p = p.parent) {
    step();
    if (!ts.isCatchClause(p)) continue;
    const tryBlock = (p.parent as ts.TryStatement).tryBlock;
    step(analysis.sdkCalls.length);
    return analysis.sdkCalls.some((c) => c.service === call.service && /^(?:Describe|Get)/.test(c.operation) && c.node.pos >= tryBlock.pos && c.node.end <= tryBlock.end);
  }
  return false;
}

function handles(call: SdkCall, pattern: RegExp): boolean {
  return catchesAround(call.node).some((c) => pattern.test(c.block.getText()));
}

/** What a DynamoDB transaction item does when repeated: the same state, a failed condition, or a change. */
function transactionItem(analysis: FileAnalysis, item: ts.ObjectLiteralExpression): 'same' | 'conditional' | 'changes' {
  for (const kind of ['Put', 'Delete', 'Update', 'ConditionCheck']) {
    const p = getProperty(analysis, item, kind);
    if (p.kind === 'absent') continue;
    if (p.kind === 'unknown') return 'changes';
    if (kind === 'ConditionCheck') return 'same';
    const condition = getProperty(analysis, p.value, 'ConditionExpression');
    if (condition.kind === 'unknown') return 'changes';
    if (kind === 'Update') {
      const expr = getProperty(analysis, p.value, 'UpdateExpression');
      const text = expr.kind === 'present' ? stringShape(analysis, expr.value)?.exact : undefined;
      if (text === undefined || changesRelatively(text)) return 'changes';
    }
    return condition.kind === 'present' ? 'conditional' : 'same';
  }
  return 'changes';
}

/** `ADD n :one`, `SET n = n + :one`, `list_append(...)`: an update that moves further on each repeat. */
function changesRelatively(expression: string): boolean {
  if (/\bADD\s/i.test(expression) || /list_append\s*\(/i.test(expression)) return true;
  const set = /\bSET\s+(.*?)(?:\s+\b(?:REMOVE|DELETE)\b|$)/is.exec(expression)?.[1] ?? '';
  return set.split(',').some((action) => {
    const [path, value] = action.split('=').map((x) => x?.trim());
    if (!path || !value) return false;
    return value.includes(path) && /[+-]/.test(value);
  });
}

/**
 * Operations that a repeat cannot make take effect twice: a create of a uniquely named resource, a
 * delete, a transaction whose writes overwrite, delete or are conditional. `safe` when the code
 * also handles the error the repeat gets (or creates only after a failed lookup) or when the
 * repeat succeeds unchanged; `no-duplicate` when the repeat fails instead of returning the first
 * result.
 */
function naturalIdempotency(analysis: FileAnalysis, call: SdkCall): Natural | undefined {
  const named = NAMED_CREATES[`${call.service}:${call.operation}`];
  if (named) {
    const name = getProperty(analysis, call.input, named);
    if (name.kind !== 'present' || unstableValue(analysis, name.value)) return undefined;
    if (afterFailedLookup(analysis, call) || handles(call, CONFLICT_HANDLED)) return { kind: 'safe' };
    return { kind: 'no-duplicate', why: `its \`${named}\` is unique, so a repeat cannot create a second one`, error: 'fails because the name is taken' };
  }
  if (call.service === 'secrets-manager' && (call.operation === 'UpdateSecret' || (call.operation === 'PutSecretValue' && getProperty(analysis, call.input, 'VersionStages').kind === 'absent'))) {
    // sets the secret's current value: a repeat adds a version holding the same value and leaves
    // the secret as the first call did (a token only matters to rotation steps, which stage
    // their version under the token the rotation hands them)
    return { kind: 'safe' };
  }
  if (/^Delete/.test(call.operation)) {
    if (handles(call, NOT_FOUND_HANDLED)) return { kind: 'safe' };
    return { kind: 'no-duplicate', why: 'deleting twice cannot delete more', error: 'fails with a not-found error' };
  }
  if (call.service === 'dynamodb' && call.operation === 'TransactWriteItems') {
    const items = getProperty(analysis, call.input, 'TransactItems');
    const objects = items.kind === 'present' ? entryObjects(analysis, items.value) : undefined;
    if (!objects || objects.length === 0) return undefined;
    const kinds = objects.map((o) => transactionItem(analysis, o));
    if (kinds.includes('changes')) return undefined;
    if (!kinds.includes('conditional') || handles(call, CANCELLED_HANDLED)) return { kind: 'safe' };
    return { kind: 'no-duplicate', why: 'its writes overwrite, delete or are conditional, so a repeat cannot apply them twice', error: 'fails its condition (TransactionCanceledException)' };
  }
  return undefined;
}

function naturalReport(call: SdkCall, member: string, natural: Extract<Natural, { kind: 'no-duplicate' }>, context: ContextEvidence | undefined): CodeReport {
  const again = redelivered(context);
  const consequence = again
    ? `${again} ${natural.error} and is delivered again until it reaches the dead-letter queue`
    : `a repeat of a call that succeeded ${natural.error} instead of returning the first result`;
  return {
    node: call.node,
    severity: context?.context === 'at-least-once' ? 'warning' : 'note',
    message: `${call.operation} without ${member}: ${natural.why}, but ${consequence}; treat that error as "already done", or pass a ${member} derived from the operation so that the service recognises the repeat`,
  };
}

/** Reports for the SDK calls `calls` of a file, each in the context `contextOf` gives it. */
function callReports(analysis: FileAnalysis, calls: readonly SdkCall[], contextOf: (node: ts.Node) => ContextEvidence | undefined, project?: FileProjectContext): CodeReport[] {
  const reports: CodeReport[] = [];
  for (const call of calls) {
    const context = contextOf(call.node);
    const fifo = FIFO_OPERATIONS[call.service]?.[call.operation];
    if (fifo) {
      reports.push(...fifoReports(analysis, call, fifo, context, project));
      continue;
    }
    if (call.service === 'sfn' && call.operation === 'StartExecution') {
      if (getProperty(analysis, call.input, 'name').kind === 'absent') {
        reports.push({
          node: call.node,
          severity: severityFor(context),
          message: `StartExecution without name: ${redelivered(context) ?? 'a retried start'} launches a second execution of the workflow`,
        });
      }
      continue;
    }
    const member = tokenMember(call.service, call.operation);
    if (!member) continue;
    if (getProperty(analysis, call.input, member).kind !== 'absent') continue;
    const natural = naturalIdempotency(analysis, call);
    if (natural?.kind === 'safe') continue;
    if (natural) {
      reports.push(naturalReport(call, member, natural, context));
      continue;
    }
    reports.push({
      node: call.node,
      severity: severityFor(context),
      message: `${call.operation} without ${member}: ${tokenConsequence(context, call.operation)}`,
    });
  }
  return reports;
}

const detector: CodeDetector = {
  // SDK calls are recognised by import source: no AWS SDK import, nothing to find (in this file
  // or in the helpers a handler file reaches)
  prefilter: /aws-sdk/,
  followsImports: true,
  code({ analysis, project }) {
    const reports = callReports(analysis, analysis.sdkCalls, (node) => analysis.contexts.contextAt(node), project);
    // calls a handler reaches in other modules, in the context of the call that reaches them
    for (const file of reachedFiles(analysis)) {
      const calls = file.facts.sdkCalls.filter((c) => reachedAt(file, c.node));
      for (const r of callReports(file.facts, calls, (node) => reachedAt(file, node)?.context)) {
        const from = reachedAt(file, r.node)?.from;
        reports.push(from ? { ...r, related: [...(r.related ?? []), { node: from, label: 'reached from this call of the handler' }] } : r);
      }
    }
    return reports;
  },
};

export default detector;
