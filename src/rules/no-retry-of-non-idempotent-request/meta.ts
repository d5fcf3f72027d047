import type { RuleMeta } from '../../ground/types.js';

/** Header names that make a POST or PATCH safe to retry, unless configured. */
export const DEFAULT_HEADERS = ['Idempotency-Key'];

export const meta: RuleMeta = {
  name: 'no-retry-of-non-idempotent-request',
  description: 'Disallow automatic retries of POST and PATCH requests that carry no idempotency key',
  bestPractices: ['REL04-BP04', 'REL05-BP03'],
  severity: 'warning',
  presets: ['recommended', 'strict'],
  targets: ['code'],
  needsContext: false,
  roles: ['service', 'frontend', 'script'],
  help: 'Send an `Idempotency-Key` header generated once per logical operation and reused by every attempt, or retry only idempotent methods',
  options: {
    idempotencyHeaders: {
      type: 'array',
      items: { type: 'string' },
      description: 'Header names (case-insensitive) that make a POST or PATCH safe to retry',
      default: DEFAULT_HEADERS,
    },
  },
};
