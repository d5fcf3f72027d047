import type { RuleMeta } from '../../ground/types.js';

export const meta: RuleMeta = {
  name: 'require-stream-retry-limit',
  description:
    'Require Kinesis, DynamoDB Streams and Kafka event source mappings to bound retries and keep failed records in an on-failure destination',
  bestPractices: ['REL05-BP03', 'REL04-BP02'],
  severity: 'error',
  presets: ['recommended', 'strict'],
  targets: ['cloudformation', 'sam', 'cdk', 'serverless', 'terraform'],
  needsContext: false,
  roles: ['service'],
  help: 'Set MaximumRetryAttempts (and/or MaximumRecordAgeInSeconds), add DestinationConfig.OnFailure pointing at an SQS queue, SNS topic or S3 bucket, and enable BisectBatchOnFunctionError',
  options: {},
};
