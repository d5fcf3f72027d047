import type { DynamoDBStreamHandler } from 'aws-lambda';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { events } from '../lib/aws.js';

export const handler: DynamoDBStreamHandler = async (event) => {
  const entries = event.Records.filter((r) => r.eventName === 'INSERT').map((r) => ({
    Source: 'orders',
    DetailType: 'OrderCreated',
    Detail: JSON.stringify(r.dynamodb?.NewImage ?? {}),
  }));
  try {
    if (entries.length > 0) await events.send(new PutEventsCommand({ Entries: entries.slice(0, 10) }));
  } catch {
    // report every record of the batch as failed: Lambda retries them, the rest of the shard waits
    return { batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.dynamodb?.SequenceNumber ?? '' })) };
  }
  return { batchItemFailures: [] };
};
