import type { RuleMeta } from '../../ground/types.js';

export const meta: RuleMeta = {
  name: 'no-unbounded-fan-out',
  description: 'Disallow starting one remote call per item of an unbounded collection all at once',
  bestPractices: ['REL04-BP03', 'REL04-BP02'],
  severity: 'warning',
  presets: ['recommended', 'strict'],
  targets: ['code'],
  needsContext: false,
  roles: ['service'],
  help: 'Bound the concurrency (p-limit, p-map with concurrency, p-queue, Bottleneck), process the items in fixed-size chunks, or use the service batch API',
  options: {
    maxLiteralItems: {
      type: 'integer',
      description: 'Largest array literal (or fixed-length array) whose items may all be called at once',
      default: 10,
      minimum: 0,
    },
  },
};
