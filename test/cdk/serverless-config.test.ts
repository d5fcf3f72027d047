/**
 * Serverless Framework services configured in TypeScript or JavaScript (`serverless.ts`): the
 * exported configuration is read statically, values imported from other files of the project are
 * followed and reported where they are written, handler files are linked, and nothing in the file
 * is run or crashes the scan.
 */
import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { lint } from '../../src/api/index.js';
import { resolveRules } from '../../src/api/index.js';
import { RULES } from '../../src/rules/index.js';
import { project } from '../helpers/tmp.js';

function only(...names: string[]) {
  const overrides = Object.fromEntries(RULES.filter((r) => !names.includes(r.meta.name) && r.meta.name !== 'parse-error').map((r) => [r.meta.name, 'off' as const]));
  return resolveRules('strict', overrides);
}

async function scan(files: Record<string, string>, ...rules: string[]) {
  const root = project(files);
  const result = await lint({ cwd: root, files: Object.keys(files).map((f) => path.join(root, f)), rules: only(...rules) });
  return result;
}

const rows = (result: Awaited<ReturnType<typeof scan>>) => result.findings.map((f) => `${f.file}:${f.range.start.line} ${f.rule}`);

describe('serverless.ts', () => {
  it('reads functions exported by the modules a namespace import names, through tsconfig paths', async () => {
    const result = await scan(
      {
        'serverless.ts': `import * as functions from '@functions/index';\nconst config = { service: 's', provider: { name: 'aws', runtime: 'nodejs20.x' }, functions };\nmodule.exports = config;\n`,
        'tsconfig.json': JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@functions/*': ['src/functions/*'] } } }),
        'src/functions/index.ts': `export { default as ingest } from './ingest';\nexport { default as report } from './report';\n`,
        'src/functions/ingest/index.ts': `export default {\n  handler: 'src/functions/ingest/handler.main',\n  events: [{ sqs: { arn: { 'Fn::GetAtt': ['Jobs', 'Arn'] }, batchSize: 5 } }],\n};\n`,
        'src/functions/report/index.ts': `export default { handler: 'src/functions/report/handler.main', events: [{ httpApi: { method: 'GET', path: '/r' } }] };\n`,
      },
      'require-partial-batch-response',
    );
    expect(rows(result)).toEqual(['src/functions/ingest/index.ts:3 require-partial-batch-response']);
    expect(result.stats.filesByRole.infrastructure).toBe(1);
  });

  it('links the handler a handlerPath(__dirname) helper names, giving it the trigger context', async () => {
    const result = await scan(
      {
        'serverless.ts': `import work from './src/functions/work';\nexport default { service: 's', provider: { name: 'aws' }, functions: { work } };\n`,
        'src/libs/handler-resolver.ts': `export const handlerPath = (context: string) => \`\${context.split(process.cwd())[1].substring(1).replace(/\\\\/g, '/')}\`;\n`,
        'src/functions/work/index.ts': `import { handlerPath } from '../../libs/handler-resolver';\nexport default { handler: \`\${handlerPath(__dirname)}/handler.main\`, events: [{ sqs: { arn: 'arn:aws:sqs:eu-west-1:123456789012:jobs', batchSize: 1 } }] };\n`,
        'src/functions/work/handler.ts': `import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';\nconst ddb = new DynamoDBClient({});\nexport const main = async (event: any) => {\n  await ddb.send(new UpdateItemCommand({ TableName: 't', Key: { id: { S: event.id } }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } }));\n};\n`,
      },
      'require-idempotent-consumer',
    );
    expect(result.findings.map((f) => `${f.file}:${f.range.start.line} ${f.rule} ${/wired to SQS/.test(f.message)}`)).toEqual(['src/functions/work/handler.ts:4 require-idempotent-consumer true']);
  });

  it('leaves what it cannot read unknown, and reads nothing from files it does not export', async () => {
    const result = await scan(
      {
        // a provider other than AWS, and a configuration built by a function: nothing to check
        'a/serverless.ts': `export default { service: 'a', provider: { name: 'google' }, resources: { Resources: { Q: { Type: 'AWS::SQS::Queue' } } } };\n`,
        'b/serverless.js': `module.exports = makeConfig({ service: 'b', provider: { name: 'aws' } });\n`,
        // values from the environment are unknown, never missing
        'c/serverless.ts': `export default { service: 'c', provider: { name: 'aws' }, resources: { Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: process.env.QUEUE_PROPS } } } };\n`,
        // a constant that refers to itself, and an import cycle, end
        'd/serverless.ts': `import other from './other';\nconst loop: any = { ...loop };\nexport default { service: 'd', provider: { name: 'aws' }, custom: { loop, other } };\n`,
        'd/other.ts': `import config from './serverless';\nexport default { config };\n`,
      },
      'require-queue-dlq',
    );
    expect(rows(result)).toEqual([]);
  });

  it('reads calls of the project functions that return one expression, at the call; a spread of an unknown value keeps the named functions', async () => {
    const result = await scan(
      {
        'serverless.ts': [
          `import { sqsEvent } from './events';`,
          `const loop = (n: number): unknown => loop(n);`,
          `const extra: any = JSON.parse(process.env.EXTRA_FUNCTIONS ?? '{}');`,
          `export default {`,
          `  service: 's',`,
          `  provider: { name: 'aws' },`,
          `  functions: {`,
          `    ...extra,`,
          `    jobs: { handler: 'h.jobs', events: [sqsEvent('jobs')] },`,
          `    more: { handler: 'h.more', events: [sqsEvent('more', 'ReportBatchItemFailures')] },`,
          `    looping: { handler: 'h.loop', events: [loop(1)] },`,
          `  },`,
          `};`,
          ``,
        ].join('\n'),
        'events.ts': `export const sqsEvent = (name: string, functionResponseType?: string) => ({\n  sqs: { arn: \`arn:aws:sqs:eu-west-1:123456789012:\${name}\`, batchSize: 10, functionResponseType },\n});\n`,
      },
      'require-partial-batch-response',
    );
    expect(rows(result)).toEqual(['serverless.ts:9 require-partial-batch-response']);
  });

  it('reports a file that does not parse, and goes on', async () => {
    const result = await scan(
      {
        'a/serverless.ts': `export default { service: 'a', provider: { name: 'aws' }, resources: {\n`,
        'b/serverless.ts': `export default { service: 'b', provider: { name: 'aws' }, resources: { Resources: { Jobs: { Type: 'AWS::SQS::Queue' } } } };\n`,
      },
      'require-queue-dlq',
    );
    expect(rows(result)).toEqual(['a/serverless.ts:2 parse-error', 'b/serverless.ts:1 require-queue-dlq']);
  });
});
