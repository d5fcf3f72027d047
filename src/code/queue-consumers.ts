/**
 * Message handlers of queue-consumer libraries: a worker (a container, a long-running process)
 * that polls a queue and runs a callback per message sees redeliveries exactly as a Lambda
 * function wired to the same source does, so the callback runs in the at-least-once context.
 * Recognised by import source:
 * - `sqs-consumer`: the `handleMessage` / `handleMessageBatch` options of `Consumer.create({...})`
 *   and `new Consumer({...})`;
 * - `kafkajs`: the `eachMessage` / `eachBatch` options of a consumer's `run({...})`.
 */
import { ts } from './ts.js';
import { isFunctionLike, unwrap } from './walk.js';
import type { FileFacts } from './file-facts.js';
import type { ContextEvidence } from './evidence.js';

const SQS_CONSUMER = 'sqs-consumer';
const KAFKAJS = 'kafkajs';
const SQS_HANDLERS = new Set(['handleMessage', 'handleMessageBatch']);
const KAFKA_HANDLERS = new Set(['eachMessage', 'eachBatch']);

/** The message callbacks of the file's queue consumers, each with its evidence. */
export function queueConsumerHandlers(analysis: FileFacts): [ts.FunctionLikeDeclaration, ContextEvidence][] {
  const sqs = analysis.modules.has(SQS_CONSUMER);
  const kafka = analysis.modules.has(KAFKAJS);
  if (!sqs && !kafka) return [];
  const out: [ts.FunctionLikeDeclaration, ContextEvidence][] = [];
  const add = (options: ts.Expression | undefined, names: Set<string>, evidence: (option: string) => ContextEvidence) => {
    const obj = options && analysis.resolveValue(options);
    if (!obj || !ts.isObjectLiteralExpression(obj)) return;
    for (const p of obj.properties) {
      const name = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined;
      if (!name || !names.has(name)) continue;
      const fn = ts.isMethodDeclaration(p) ? p : ts.isPropertyAssignment(p) ? callback(analysis, p.initializer) : ts.isShorthandPropertyAssignment(p) ? callback(analysis, p.name) : undefined;
      if (fn) out.push([fn, evidence(name)]);
    }
  };
  if (sqs) {
    const sqsEvidence = (option: string): ContextEvidence => ({ context: 'at-least-once', reason: `sqs-consumer \`${option}\` callback`, source: 'SQS' });
    for (const n of analysis.news) {
      const o = analysis.origin(n.expression);
      if (o?.kind === 'module' && o.ref.module === SQS_CONSUMER && o.ref.path.join('.') === 'Consumer') add(n.arguments?.[0], SQS_HANDLERS, sqsEvidence);
    }
    for (const call of analysis.calls) {
      const o = analysis.origin(unwrap(call.expression));
      if (o?.kind === 'module' && o.ref.module === SQS_CONSUMER && o.ref.path.join('.') === 'Consumer.create') add(call.arguments[0], SQS_HANDLERS, sqsEvidence);
    }
  }
  if (kafka) {
    const kafkaEvidence = (option: string): ContextEvidence => ({ context: 'at-least-once', reason: `kafkajs consumer \`${option}\` callback`, source: 'Kafka' });
    for (const call of analysis.calls) {
      const callee = unwrap(call.expression);
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'run') add(call.arguments[0], KAFKA_HANDLERS, kafkaEvidence);
    }
  }
  return out;
}

/** The function an option names: inline, or a function of the file bound to a name. */
function callback(analysis: FileFacts, expr: ts.Expression): ts.FunctionLikeDeclaration | undefined {
  const value = unwrap(analysis.resolveValue(expr));
  if (isFunctionLike(value)) return value;
  if (!ts.isIdentifier(value)) return undefined;
  return analysis.functions.find((f) => ts.isFunctionDeclaration(f) && f.name?.text === value.text && f.body);
}
