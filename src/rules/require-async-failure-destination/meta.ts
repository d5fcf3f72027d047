import type { RuleMeta } from '../../ground/types.js';

export const meta: RuleMeta = {
  name: 'require-async-failure-destination',
  description: 'Require an on-failure destination or dead-letter queue on Lambda functions that are invoked asynchronously',
  bestPractices: ['REL04-BP02', 'REL05-BP03'],
  severity: 'error',
  presets: ['recommended', 'strict'],
  targets: ['cloudformation', 'sam', 'cdk', 'serverless', 'terraform'],
  needsContext: false,
  roles: ['service'],
  help: 'Add an EventInvokeConfig with DestinationConfig.OnFailure (an SQS queue, SNS topic, EventBridge bus, Lambda function or S3 bucket) or a DeadLetterConfig, and alarm on what arrives there',
  options: {},
};
