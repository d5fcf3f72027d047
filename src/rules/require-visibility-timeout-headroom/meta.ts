import type { RuleMeta } from '../../ground/types.js';

export const meta: RuleMeta = {
  name: 'require-visibility-timeout-headroom',
  description: 'Require the visibility timeout of an SQS queue consumed by Lambda to be at least six times the function timeout',
  bestPractices: ['REL04-BP04'],
  severity: 'warning',
  severityDetail: 'error when the visibility timeout is below the function timeout',
  presets: ['recommended', 'strict'],
  targets: ['cloudformation', 'sam', 'cdk', 'serverless', 'terraform'],
  needsContext: false,
  roles: ['service'],
  help: 'Set the queue VisibilityTimeout to at least 6 times the consumer function Timeout (plus the batching window), or lower the function timeout',
  options: {},
};
