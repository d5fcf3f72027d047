import type { RuleMeta } from '../../ground/types.js';

export const meta: RuleMeta = {
  name: 'prefer-batch-operation',
  description: 'Prefer batch operations over single-item AWS calls inside loops',
  bestPractices: ['REL04-BP03'],
  severity: 'note',
  presets: ['strict'],
  targets: ['code'],
  needsContext: false,
  roles: ['service'],
  help: 'Collect the items and send them with the batch operation in chunks of its maximum size, retrying the unprocessed or failed entries it returns',
  options: {},
};
