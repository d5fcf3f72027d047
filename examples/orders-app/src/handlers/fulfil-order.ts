import type { SQSHandler } from 'aws-lambda';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { notifyWarehouse } from '../lib/warehouse.js';

const sfn = new SFNClient({ maxAttempts: 25 });
const sqs = new SQSClient({});

export const handler: SQSHandler = async (event) => {
  for (const record of event.Records) {
    const { orderId } = JSON.parse(record.body) as { orderId: string };

    // A redelivered message starts a second fulfilment workflow.
    await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: process.env.FULFILMENT_STATE_MACHINE,
        input: JSON.stringify({ orderId }),
      }),
    );

    await sqs.send(
      new SendMessageCommand({
        QueueUrl: `${process.env.QUEUE_BASE_URL}/shipments.fifo`,
        MessageBody: orderId,
        MessageGroupId: orderId,
      }),
    );

    await notifyWarehouse(orderId);
  }
};
