import type { SQSEvent } from 'aws-lambda';

export const handler = async (event: SQSEvent): Promise<void> => {
  for (const record of event.Records) {
    const order = JSON.parse(record.body) as { orderId: string };
    console.log('fulfilling', order.orderId);
  }
};
