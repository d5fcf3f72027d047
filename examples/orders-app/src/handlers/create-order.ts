import type { APIGatewayProxyHandler } from 'aws-lambda';
import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { ddb, sqs } from '../lib/aws.js';

// Created in the handler module without timeouts: a slow Lambda API call holds the request.
const lambda = new LambdaClient({});

interface OrderLine {
  sku: string;
  quantity: number;
}

export const handler: APIGatewayProxyHandler = async (event) => {
  const order = JSON.parse(event.body ?? '{}') as { id: string; customerId: string; lines: OrderLine[] };

  // Synchronous call into another function: this request now fails whenever pricing does.
  const priced = await lambda.send(new InvokeCommand({ FunctionName: process.env.PRICING_FUNCTION, Payload: JSON.stringify(order) }));
  const total = JSON.parse(Buffer.from(priced.Payload ?? new Uint8Array()).toString()) as { total: number };

  // Stock check against another team's service, synchronously, on every order.
  const stock = await fetch(`${process.env.INVENTORY_API_URL}/reservations`, {
    method: 'POST',
    body: JSON.stringify(order.lines),
    signal: AbortSignal.timeout(2_000),
  });
  if (!stock.ok) return { statusCode: 409, body: 'out of stock' };

  // One write per order line, all at once: a 500-line order is a 500-request burst.
  await Promise.all(
    order.lines.map((line) =>
      ddb.send(new PutCommand({ TableName: process.env.ORDERS_TABLE, Item: { pk: `${order.id}#${line.sku}`, ...line } })),
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
