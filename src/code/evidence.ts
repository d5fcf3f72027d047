/** Why a piece of code runs where it runs: the execution contexts rules tell apart. */

/** `at-least-once`: a handler of a source that redelivers (queues, streams, async invocation); `request-path`: a caller waits for it. */
export type ExecutionContext = 'at-least-once' | 'request-path';

export interface ContextEvidence {
  context: ExecutionContext;
  /** Human-readable reason, e.g. "declared as SQSHandler". */
  reason: string;
  /** Event source kind when known: 'SQS', 'Kinesis', ... */
  source?: string;
}
