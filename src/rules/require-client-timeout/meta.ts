import type { RuleMeta } from '../../ground/types.js';

export const meta: RuleMeta = {
  name: 'require-client-timeout',
  description: 'Require connection and request timeouts on AWS SDK and HTTP clients in handler code',
  bestPractices: ['REL05-BP05', 'REL04-BP01'],
  severity: 'warning',
  presets: ['strict'],
  targets: ['code'],
  needsContext: false,
  roles: ['service'],
  help: 'Set explicit timeouts below the handler timeout: a requestHandler with connectionTimeout and requestTimeout (and throwOnRequestTimeout: true) on AWS SDK v3 clients, signal: AbortSignal.timeout(ms) on fetch, timeout on axios and got',
  options: {},
  hasSuggestions: true,
};
