import type { RuleMeta } from '../../ground/types.js';

export const meta: RuleMeta = {
  name: 'no-blocking-wait-in-request-path',
  description: 'Disallow waiting for long-running work (waiters, status polling) inside a request-path handler',
  bestPractices: ['REL04-BP01'],
  severity: 'warning',
  presets: ['recommended', 'strict'],
  targets: ['code'],
  needsContext: false,
  roles: ['service'],
  help: 'Return 202 Accepted with a job id and hand the work to a queue or a workflow; let the client poll a status endpoint or receive a callback',
  options: {},
};
