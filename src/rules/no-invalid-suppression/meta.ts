import type { RuleMeta } from '../../ground/types.js';

export const meta: RuleMeta = {
  name: 'no-invalid-suppression',
  description: 'Disallow suppressions without a reason, naming an unknown rule, or suppressing nothing',
  // about the scan's own directives, not a best practice: it never counts in a scorecard
  bestPractices: [],
  severity: 'warning',
  presets: ['recommended', 'strict'],
  targets: ['code', 'cloudformation', 'sam', 'serverless', 'terraform', 'cdk'],
  needsContext: false,
  roles: ['service', 'test', 'frontend', 'script', 'infrastructure'],
  help: "Name the rules a suppression applies to, give the reason after ' -- ', and remove suppressions that no longer suppress anything",
  options: {},
};
