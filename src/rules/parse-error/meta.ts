import type { RuleMeta } from '../../ground/types.js';

export const meta: RuleMeta = {
  name: 'parse-error',
  description: 'Report files that were selected for analysis but could not be parsed',
  // about the scan itself, not a best practice: it never counts in a scorecard
  bestPractices: [],
  severity: 'error',
  presets: ['recommended', 'strict'],
  targets: ['code', 'cloudformation', 'sam', 'serverless', 'terraform', 'asl', 'cdk'],
  needsContext: false,
  roles: ['service', 'test', 'frontend', 'script', 'infrastructure'],
  help: 'Fix the syntax error (or exclude the file with .gitignore or the ignore option) so that the file can be checked',
  options: {},
};
