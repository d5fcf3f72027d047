import type { RuleMeta } from '../../ground/types.js';

export const meta: RuleMeta = {
  name: 'no-synchronized-schedule',
  description: 'Disallow schedules that fire at minute 0 without a flexible time window, and schedules that fire at the same instants as another',
  bestPractices: ['REL04-BP03'],
  severity: 'warning',
  presets: ['recommended', 'strict'],
  targets: ['cloudformation', 'sam', 'cdk', 'serverless', 'terraform'],
  needsContext: false,
  roles: ['service'],
  help: 'Offset the minute (e.g. cron(17 ...)), give each schedule its own minute, or use an EventBridge Scheduler schedule with FlexibleTimeWindow Mode FLEXIBLE',
  options: {},
};
