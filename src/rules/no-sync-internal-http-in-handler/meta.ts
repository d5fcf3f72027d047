import type { RuleMeta } from '../../ground/types.js';

export const meta: RuleMeta = {
  name: 'no-sync-internal-http-in-handler',
  description: 'Disallow awaited HTTP requests to other internal services inside Lambda and HTTP route handlers',
  bestPractices: ['REL04-BP02'],
  severity: 'warning',
  presets: ['strict'],
  targets: ['code'],
  needsContext: false,
  roles: ['service'],
  help: 'Publish an event or send a message to a queue instead of waiting for the other service; when the answer is needed now, call it with a tight timeout and a fallback',
  options: {
    internalHosts: {
      type: 'array',
      items: { type: 'string' },
      description: 'Host names of your own services (an entry starting with a dot matches a whole domain)',
      default: [],
    },
  },
};
