import type { CodeReport, CodeDetector } from '../rule.js';
import type { Severity } from '../../ground/types.js';
import { ts } from '../../code/ts.js';
import type { FileAnalysis } from '../../code/analysis.js';
import type { SdkCall } from '../../code/aws-sdk.js';
import { getProperty, objectLiteralOf, stringShape } from '../../code/values.js';
import { isFunctionLike, unwrap } from '../../code/walk.js';
import { tokenMember } from '../../code/idempotency-catalog.js';
import type { ContextEvidence } from '../../code/evidence.js';
import type { EnvBinding, FileProjectContext } from '../../context/project.js';
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

/** Object literals of batch entries: an array literal, or `items.map(x => ({ ... }))`. */
function entryObjects(analysis: FileAnalysis, expr: ts.Expression | undefined): ts.ObjectLiteralExpression[] | undefined {
  if (!expr) return undefined;
  const e = analysis.resolveValue(expr);
  if (ts.isArrayLiteralExpression(e)) {
    const out: ts.ObjectLiteralExpression[] = [];
    for (const el of e.elements) {
      const obj = objectLiteralOf(analysis, el);
      if (!obj) return undefined;
      out.push(obj);
    }
    return out;
  }
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'map') {
    const cb = e.arguments[0];
    if (cb && isFunctionLike(cb) && cb.body && !ts.isBlock(cb.body)) {
      const obj = unwrap(cb.body as ts.Expression);
      return ts.isObjectLiteralExpression(obj) ? [obj] : undefined;
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
