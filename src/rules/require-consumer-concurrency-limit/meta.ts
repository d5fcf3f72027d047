import type { RuleMeta } from '../../ground/types.js';

export const meta: RuleMeta = {
  name: 'require-consumer-concurrency-limit',
  description: 'Require SQS event source mappings to cap the consumer concurrency (ScalingConfig.MaximumConcurrency or reserved concurrency)',
  bestPractices: ['REL04-BP03', 'REL04-BP02'],
  severity: 'note',
  presets: ['strict'],
  targets: ['cloudformation', 'sam', 'cdk', 'serverless', 'terraform'],
  needsContext: false,
  roles: ['service'],
  help: 'Set ScalingConfig.MaximumConcurrency (2-1000) on the SQS mapping, or ReservedConcurrentExecutions on the function, to the load the downstream dependency can take',
  options: {},
};
