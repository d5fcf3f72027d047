import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

export const handler = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const order = JSON.parse(event.body ?? '{}') as { items?: unknown[] };
  return { statusCode: 202, body: JSON.stringify({ accepted: order.items?.length ?? 0 }) };
};
