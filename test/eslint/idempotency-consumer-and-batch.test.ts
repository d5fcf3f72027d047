import { describe, it } from 'vitest';
import { RuleTester } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import plugin from '../../src/eslint/plugin.js';

RuleTester.describe = describe;
RuleTester.it = it;

const tester = new RuleTester({ languageOptions: { parser: tsParser, ecmaVersion: 'latest', sourceType: 'module' } });

const DOC = [
  "import type { SQSHandler } from 'aws-lambda';",
  "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
  "import { DynamoDBDocumentClient, UpdateCommand, PutCommand } from '@aws-sdk/lib-dynamodb';",
  'const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));',
  '',
].join('\n');

const COUNTER = `${DOC}export const handler: SQSHandler = async (event) => {
  for (const r of event.Records) {
    await doc.send(new UpdateCommand({ TableName: 't', Key: { id: r.body }, UpdateExpression: 'ADD hits :one', ExpressionAttributeValues: { ':one': 1 } }));
  }
};`;

tester.run('rel4/require-idempotent-consumer', plugin.rules['require-idempotent-consumer'], {
  valid: [
    // a project guard named in the options silences the file
    { code: `${COUNTER}\ndeclare function dedupe(e: unknown): void;\ndedupe(null);`, filename: 'a.ts', options: [{ guardFunctions: ['dedupe'] }] },
  ],
  invalid: [
    {
      code: COUNTER,
      filename: 'a.ts',
      errors: [
        {
          message:
            '`UpdateCommand` adds to `hits` with ADD in an at-least-once handler (declared as SQSHandler) without a ConditionExpression: a redelivered SQS message applies the change twice',
          line: 7,
        },
      ],
    },
  ],
});

tester.run('rel4/no-unstable-idempotency-key', plugin.rules['no-unstable-idempotency-key'], {
  valid: [
    {
      code: `${DOC}import { randomUUID } from 'node:crypto';\nexport async function once() { const id = randomUUID(); await doc.send(new PutCommand({ TableName: 't', Item: { id } })); }`,
      filename: 'a.ts',
    },
  ],
  invalid: [
    {
      code: "import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';\nconst sfn = new SFNClient({});\nawait sfn.send(new StartExecutionCommand({ stateMachineArn: 'arn', name: `run-${Date.now()}` }));",
      filename: 'a.ts',
      errors: [
        {
          message:
            'the execution name of StartExecution is built from `Date.now()`: a retry a moment later sends a different key, so the repeat is not recognised, and clock-based keys can collide between callers',
          line: 3,
          column: 68,
        },
      ],
    },
  ],
});

tester.run('rel4/prefer-batch-operation', plugin.rules['prefer-batch-operation'], {
  valid: [{ code: `${DOC}export async function one(o: { id: string }) { await doc.send(new PutCommand({ TableName: 't', Item: o })); }`, filename: 'a.ts' }],
  invalid: [
    {
      code: `${DOC}export async function all(os: { id: string }[]) { for (const o of os) await doc.send(new PutCommand({ TableName: 't', Item: o })); }`,
      filename: 'a.ts',
      errors: [
        {
          message: '`PutCommand` inside a `for...of` loop sends one request per item: `BatchWriteCommand` handles up to 25 items per request and keeps the load on DynamoDB constant',
          line: 5,
        },
      ],
    },
  ],
});
