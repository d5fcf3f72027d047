import type { DynamoDBStreamHandler } from 'aws-lambda';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { events } from '../lib/aws.js';

export const handler: DynamoDBStreamHandler = async (event) => {
  const entries = event.Records.filter((r) => r.eventName === 'INSERT').map((r) => ({
    Source: 'orders',
    DetailType: 'OrderCreated',
    Detail: JSON.stringify(r.dynamodb?.NewImage ?? {}),
  }));
  if (entries.length > 0) await events.send(new PutEventsCommand({ Entries: entries.slice(0, 10) }));
};
