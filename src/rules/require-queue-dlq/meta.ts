import type { RuleMeta } from '../../ground/types.js';

export const meta: RuleMeta = {
  name: 'require-queue-dlq',
  description: 'Require a dead-letter queue (RedrivePolicy) on SQS queues that are not themselves failure destinations',
  bestPractices: ['REL04-BP02', 'REL05-BP03'],
  severity: 'error',
  presets: ['recommended', 'strict'],
  targets: ['cloudformation', 'sam', 'cdk', 'serverless', 'terraform'],
  needsContext: false,
  roles: ['service'],
  help: 'Add a RedrivePolicy whose deadLetterTargetArn points at a dead-letter queue, with a maxReceiveCount of at least 5, and alarm on messages arriving in that queue',
  options: {},
};
