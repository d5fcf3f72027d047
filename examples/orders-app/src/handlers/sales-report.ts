import type { APIGatewayProxyHandlerV2 } from 'aws-lambda';
import { createHash } from 'node:crypto';
import { StartQueryExecutionCommand, GetQueryExecutionCommand } from '@aws-sdk/client-athena';
import { athena } from '../lib/aws.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** GET /reports/sales: runs an Athena query and waits for it inside the HTTP request. */
const QUERY = 'SELECT sku, sum(quantity) FROM orders GROUP BY sku';

export const handler: APIGatewayProxyHandlerV2 = async () => {
  const { QueryExecutionId } = await athena.send(
    new StartQueryExecutionCommand({
      QueryString: QUERY,
      WorkGroup: 'reports',
      ClientRequestToken: createHash('sha256').update(QUERY).digest('hex'),
    }),
  );
  let state = 'QUEUED';
  while (state === 'QUEUED' || state === 'RUNNING') {
    await sleep(2_000);
    const { QueryExecution } = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId }));
    state = QueryExecution?.Status?.State ?? 'FAILED';
  }
  return { statusCode: 200, body: JSON.stringify({ QueryExecutionId, state }) };
};
