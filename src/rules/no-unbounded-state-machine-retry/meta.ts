import type { RuleMeta } from '../../ground/types.js';

export const meta: RuleMeta = {
  name: 'no-unbounded-state-machine-retry',
  description: 'Disallow Step Functions retriers that retry too often, without backoff or without a delay cap',
  bestPractices: ['REL05-BP03', 'REL04-BP02'],
  severity: 'warning',
  severityDetail: 'note for Lambda tasks that do not retry Lambda service errors',
  presets: ['recommended', 'strict'],
  targets: ['asl', 'cloudformation', 'sam', 'serverless', 'terraform', 'cdk'],
  needsContext: false,
  roles: ['service'],
  help: 'Bound MaxAttempts, use a BackoffRate above 1 with MaxDelaySeconds and JitterStrategy FULL, add a Catch after catch-all retries, and retry Lambda service errors on Lambda tasks',
  options: {
    maxAttempts: { type: 'integer', description: 'Largest MaxAttempts accepted in a retrier', default: 10, minimum: 0 },
  },
};
