import type { RuleMeta } from '../../ground/types.js';

export const meta: RuleMeta = {
  name: 'require-idempotency-token',
  description: 'Require an explicit idempotency token on AWS operations that accept one',
  bestPractices: ['REL04-BP04', 'REL05-BP03'],
  severity: 'warning',
  severityDetail: 'error in at-least-once handlers; note for operations a repeat cannot apply twice',
  presets: ['recommended', 'strict'],
  targets: ['code'],
  needsContext: false,
  roles: ['service'],
  help: 'Pass a token derived from the logical operation (the message id, the order id, the request id of the original request) so that every retry and every redelivery reuses it',
  options: {},
};
