// Shared AWS SDK clients, created once per execution environment, with explicit timeouts.
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { AthenaClient } from '@aws-sdk/client-athena';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';

const requestHandler = new NodeHttpHandler({ connectionTimeout: 1_000, requestTimeout: 3_000, throwOnRequestTimeout: true });

export const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ requestHandler }));
export const sfn = new SFNClient({ requestHandler });
export const sqs = new SQSClient({ requestHandler });
export const athena = new AthenaClient({ requestHandler });
export const events = new EventBridgeClient({ requestHandler });
