import type { RuleMeta } from '../../ground/types.js';

export const meta: RuleMeta = {
  name: 'no-sync-lambda-invoke',
  description: 'Disallow synchronous (RequestResponse) Lambda-to-Lambda invocations',
  bestPractices: ['REL04-BP02', 'REL04-BP01'],
  severity: 'error',
  presets: ['recommended', 'strict'],
  targets: ['code'],
  needsContext: false,
  roles: ['service'],
  help: "Invoke asynchronously with InvocationType: 'Event' (and an on-failure destination), or put a queue or a Step Functions workflow between the two functions",
  options: {},
  hasSuggestions: true,
};
