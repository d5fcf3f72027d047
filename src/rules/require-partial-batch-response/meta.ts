import type { RuleMeta } from '../../ground/types.js';

export const meta: RuleMeta = {
  name: 'require-partial-batch-response',
  description: 'Require SQS, Kinesis and DynamoDB Streams event source mappings to report partial batch failures (ReportBatchItemFailures)',
  bestPractices: ['REL04-BP04'],
  severity: 'warning',
  presets: ['recommended', 'strict'],
  targets: ['code', 'cloudformation', 'sam', 'cdk', 'serverless', 'terraform'],
  needsContext: true,
  roles: ['service'],
  help: 'Set FunctionResponseTypes: [ReportBatchItemFailures] on the mapping and return { batchItemFailures: [{ itemIdentifier }] } for the failed items from the handler',
  options: {},
};
