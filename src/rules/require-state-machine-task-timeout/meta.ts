import type { RuleMeta } from '../../ground/types.js';

export const meta: RuleMeta = {
  name: 'require-state-machine-task-timeout',
  description: 'Require Step Functions Task states to set TimeoutSeconds, and callback and activity tasks to set HeartbeatSeconds',
  bestPractices: ['REL05-BP05', 'REL04-BP01'],
  severity: 'warning',
  severityDetail: 'note for request-response tasks and unresolved resources, whose wait the called service bounds',
  presets: ['recommended', 'strict'],
  targets: ['asl', 'cloudformation', 'sam', 'serverless', 'terraform', 'cdk'],
  needsContext: false,
  roles: ['service'],
  help: 'Set TimeoutSeconds on every Task state, and HeartbeatSeconds on .waitForTaskToken and activity tasks, then handle States.Timeout and States.HeartbeatTimeout in a Catch',
  options: {},
};
