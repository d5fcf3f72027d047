import type { RuleMeta } from '../../ground/types.js';

export const meta: RuleMeta = {
  name: 'no-deep-sync-chain',
  description: 'Disallow chains of three or more synchronous hops, and synchronous cycles, between services',
  bestPractices: ['REL04-BP02', 'REL04-BP01'],
  severity: 'warning',
  presets: ['recommended', 'strict'],
  targets: ['code', 'cloudformation', 'sam', 'serverless', 'terraform', 'cdk'],
  needsContext: true,
  roles: ['service'],
  help: "Break the chain: invoke with InvocationType: 'Event', send a message to a queue or topic, or move the steps into a Step Functions workflow, so that the caller does not wait for every downstream service",
  options: {},
};
