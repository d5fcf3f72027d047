import type { RuleMeta } from '../../ground/types.js';

export const meta: RuleMeta = {
  name: 'no-timeout-beyond-sync-caller',
  description: 'Disallow Lambda function timeouts longer than the timeout of the synchronous caller in front of them (API Gateway, AppSync)',
  bestPractices: ['REL04-BP01', 'REL05-BP05'],
  severity: 'warning',
  presets: ['recommended', 'strict'],
  targets: ['cloudformation', 'sam', 'cdk', 'serverless', 'terraform'],
  needsContext: false,
  roles: ['service'],
  help: "Set the function Timeout below the caller's timeout (API Gateway REST 29 s, HTTP API 30 s, AppSync 30 s), or return 202 with a job id and hand long work to a queue or a workflow",
  options: {},
};
