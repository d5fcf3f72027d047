import type { RuleMeta } from '../../ground/types.js';

export const meta: RuleMeta = {
  name: 'no-unbounded-retry',
  description: 'Disallow retries that have no attempt limit',
  bestPractices: ['REL05-BP03', 'REL04-BP02'],
  severity: 'error',
  presets: ['recommended', 'strict'],
  targets: ['code'],
  needsContext: false,
  roles: ['service', 'frontend', 'script'],
  help: 'Cap the number of attempts (or the total time) and let the last error propagate; prefer the SDK or a retry library with a finite limit and exponential backoff with jitter',
  options: {
    maxSdkAttempts: {
      type: 'integer',
      description: 'Highest AWS SDK v3 maxAttempts (and v2 maxRetries) accepted; larger values are reported',
      default: 10,
      minimum: 1,
    },
  },
};
