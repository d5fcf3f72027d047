import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';

const lambda = new LambdaClient({ requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 } });

export const handler = async (order: { lines: { sku: string; quantity: number }[] }) => {
  const subtotal = order.lines.reduce((sum, line) => sum + line.quantity * 10, 0);
  // rel4lint-disable-next-line no-sync-lambda-invoke -- the synchronous chain this call extends is reported once, by no-deep-sync-chain
  const tax = await lambda.send(new InvokeCommand({ FunctionName: process.env.TAX_FUNCTION, Payload: JSON.stringify({ subtotal }) }));
  const { amount } = JSON.parse(Buffer.from(tax.Payload ?? new Uint8Array()).toString()) as { amount: number };
  return { total: subtotal + amount };
};
