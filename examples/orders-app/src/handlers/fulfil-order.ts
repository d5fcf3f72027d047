import type { SQSHandler } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ddb, sfn, sqs } from '../lib/aws.js';
import { notifyWarehouse } from '../lib/warehouse.js';

export const handler: SQSHandler = async (event) => {
  for (const record of event.Records) {
    const { orderId, customerId } = JSON.parse(record.body) as { orderId: string; customerId: string };

    // A redelivered message starts a second fulfilment workflow.
    await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: process.env.FULFILMENT_STATE_MACHINE,
        input: JSON.stringify({ orderId }),
      }),
    );

    // A redelivered message counts the order twice.
    await ddb.send(
      new UpdateCommand({
        TableName: process.env.CUSTOMERS_TABLE,
        Key: { pk: customerId },
        UpdateExpression: 'ADD orderCount :one',
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );

    // One request per message, with a deduplication id that changes on every delivery.
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: `${process.env.QUEUE_BASE_URL}/shipments.fifo`,
        MessageBody: orderId,
        MessageGroupId: orderId,
        MessageDeduplicationId: randomUUID(),
      }),
    );

    await notifyWarehouse(orderId);
  }
};
