import type { RuleMeta } from '../../ground/types.js';

export const meta: RuleMeta = {
  name: 'require-event-target-dlq',
  description: 'Require a dead-letter queue on EventBridge rule targets, Scheduler schedules, Pipes with stream sources and EventBridge subscribers',
  bestPractices: ['REL04-BP02', 'REL05-BP03'],
  severity: 'error',
  presets: ['recommended', 'strict'],
  targets: ['cloudformation', 'sam', 'cdk', 'serverless', 'terraform'],
  needsContext: false,
  roles: ['service'],
  help: 'Add a DeadLetterConfig (OnFailureConfiguration for EventBridge subscribers) with the ARN of a standard SQS queue, set a RetryPolicy that fits the target, and alarm on messages arriving in the queue',
  options: {},
};
