import type { RuleMeta } from '../../ground/types.js';

export const meta: RuleMeta = {
  name: 'require-subscription-dlq',
  description: 'Require a dead-letter queue (RedrivePolicy) on SNS subscriptions to Lambda, SQS, HTTP/S and Firehose endpoints',
  bestPractices: ['REL04-BP02', 'REL05-BP03'],
  severity: 'warning',
  presets: ['recommended', 'strict'],
  targets: ['cloudformation', 'sam', 'cdk', 'serverless', 'terraform'],
  needsContext: false,
  roles: ['service'],
  help: 'Add a RedrivePolicy with a deadLetterTargetArn (a standard SQS queue, FIFO for FIFO topics) to the subscription; inline Subscription entries of AWS::SNS::Topic cannot take one, so declare them as AWS::SNS::Subscription resources',
  options: {},
};
