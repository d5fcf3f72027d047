import type { RuleMeta } from '../../ground/types.js';

export const meta: RuleMeta = {
  name: 'require-idempotent-consumer',
  description: 'Require at-least-once handlers to guard non-idempotent writes',
  bestPractices: ['REL04-BP04', 'REL04-BP01'],
  severity: 'warning',
  presets: ['recommended', 'strict'],
  targets: ['code'],
  needsContext: false,
  roles: ['service'],
  help: 'Make the handler idempotent: wrap it with the Powertools idempotency utility, record the message id with a conditional write (attribute_not_exists) before applying the change, or derive keys from the message',
  options: {
    guardFunctions: {
      type: 'array',
      items: { type: 'string' },
      description: 'Names of project functions that make a handler idempotent (a call or decorator with one of these names silences the file)',
      default: [],
    },
  },
};
