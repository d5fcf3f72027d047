import type { RuleMeta } from '../../ground/types.js';

export const meta: RuleMeta = {
  name: 'no-unstable-idempotency-key',
  description: 'Disallow idempotency keys generated from random or time-based values where they change between attempts',
  bestPractices: ['REL04-BP04', 'REL05-BP03'],
  severity: 'error',
  presets: ['recommended', 'strict'],
  targets: ['code'],
  needsContext: false,
  roles: ['service'],
  help: 'Derive the key from the message id, the request id or the business identity of the operation, or generate it once before the retry loop',
  options: {},
};
