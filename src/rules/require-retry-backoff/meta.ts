import type { RuleMeta } from '../../ground/types.js';

export const meta: RuleMeta = {
  name: 'require-retry-backoff',
  description: 'Require exponential backoff with jitter between retry attempts',
  bestPractices: ['REL05-BP03', 'REL04-BP03'],
  severity: 'warning',
  presets: ['recommended', 'strict'],
  targets: ['code'],
  needsContext: false,
  roles: ['service', 'frontend'],
  help: 'Wait a capped, exponentially growing and randomized delay between attempts (full jitter: `Math.random() * Math.min(cap, base * 2 ** attempt)`), or rely on the SDK default retry strategy or a retry library with jitter enabled',
  options: {},
};
