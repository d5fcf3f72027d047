import type { APIGatewayProxyHandler } from 'aws-lambda';
import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';

const lambda = new LambdaClient({});
const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));
const sqs = new SQSClient({});

interface OrderLine {
  sku: string;
  quantity: number;
}

export const handler: APIGatewayProxyHandler = async (event) => {
  const order = JSON.parse(event.body ?? '{}') as { id: string; customerId: string; lines: OrderLine[] };

  // Synchronous call into another function: this request now fails whenever pricing does.
  const priced = await lambda.send(new InvokeCommand({ FunctionName: process.env.PRICING_FUNCTION, Payload: JSON.stringify(order) }));
  const total = JSON.parse(Buffer.from(priced.Payload ?? new Uint8Array()).toString()) as { total: number };

  // One write per order line, all at once: a 500-line order is a 500-request burst.
  await Promise.all(
    order.lines.map((line) =>
      doc.send(new PutCommand({ TableName: process.env.ORDERS_TABLE, Item: { pk: `${order.id}#${line.sku}`, ...line } })),
    ),
  );

  await sqs.send(
    new SendMessageCommand({
      QueueUrl: process.env.FULFILMENT_QUEUE_URL,
      MessageBody: JSON.stringify({ orderId: order.id, total: total.total }),
    }),
  );
  return { statusCode: 202, body: JSON.stringify({ orderId: order.id }) };
};
