import type { Rule } from '../../core/types.js';

/** Reported by the engine itself for any selected file it cannot parse. */
const rule: Rule = {
  meta: {
    name: 'parse-error',
    description: 'Report files that were selected for analysis but could not be parsed',
    bestPractices: ['REL04-BP01'],
    severity: 'error',
    presets: ['recommended', 'strict'],
    targets: ['code', 'cloudformation', 'sam', 'serverless', 'terraform', 'asl', 'cdk'],
    needsContext: false,
    help: 'Fix the syntax error (or exclude the file with .gitignore or the ignore option) so that the file can be checked',
    options: {},
  },
};

export default rule;
