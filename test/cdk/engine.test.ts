/**
 * CDK app code in a scan: its constructs are checked by the IaC rules like any template,
 * reported in the TypeScript file, suppressible with the usual comments, and never served from
 * the result cache (the IaC rules look across every template of the scan).
 */
import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { lint } from '../../src/api/index.js';
import { resolveRules } from '../../src/api/index.js';
import { ResultCache } from '../../src/engine/cache.js';
import { RULES } from '../../src/rules/index.js';
import { project } from '../helpers/tmp.js';
import { Linter } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import plugin from '../../src/eslint/plugin.js';

const STACK = `import { Stack } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';

export class S extends Stack {
  constructor(scope: any, id: string) {
    super(scope, id);
    new Queue(this, 'Jobs');
    // rel4lint-disable-next-line require-queue-dlq -- drained by a person, on purpose
    new Queue(this, 'Manual');
  }
}
`;

function only(...names: string[]) {
  const overrides = Object.fromEntries(RULES.filter((r) => !names.includes(r.meta.name) && r.meta.name !== 'parse-error').map((r) => [r.meta.name, 'off' as const]));
  return resolveRules('strict', overrides);
}

describe('CDK app code in a scan', () => {
  it('reports IaC findings at the construct, and honours suppression comments once', async () => {
    const root = project({ 'lib/stack.ts': STACK });
    const result = await lint({ cwd: root, files: [path.join(root, 'lib/stack.ts')], rules: only('require-queue-dlq', 'no-invalid-suppression') });
    expect(result.findings.map((f) => `${f.file}:${f.range.start.line}:${f.range.start.column}-${f.range.end.line}:${f.range.end.column} ${f.rule} ${f.logicalLocation}`)).toEqual([
      'lib/stack.ts:7:5-7:14 require-queue-dlq Resources.Jobs.Properties.RedrivePolicy?',
    ]);
    expect(result.findings[0]!.message).toBe(
      'SQS queue `Jobs` has no dead-letter queue (RedrivePolicy): a message that keeps failing is redelivered until retention expires, then lost',
    );
    expect((result.suppressed ?? []).map((f) => `${f.range.start.line} ${f.suppression?.justification}`)).toEqual(['9 drained by a person, on purpose']);
    expect(result.stats).toMatchObject({ filesScanned: 1, codeFiles: 1, templates: 1, resources: 2 });
  });

  it('links the handler a function construct names, whatever rules run: its trigger is the handler context', async () => {
    const root = project({
      'cdk.json': '{ "app": "npx ts-node bin/app.ts" }\n',
      'lib/stack.ts': `import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';

export class S extends Stack {
  constructor(scope: any, id: string) {
    super(scope, id);
    const table = new Table(this, 'Counters', { partitionKey: { name: 'pk', type: 'S' as any } });
    const fn = new NodejsFunction(this, 'Count', { entry: path.join(__dirname, '../src/count.ts'), environment: { TABLE: table.tableName } });
    fn.addEventSource(new SqsEventSource(new Queue(this, 'Jobs')));
  }
}
`,
      // nothing in the code says this is an SQS consumer: only the construct does
      'src/count.ts': `import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
const ddb = new DynamoDBClient({});
export async function handler(input: { id: string }) {
  await ddb.send(new UpdateItemCommand({ TableName: process.env.TABLE, Key: { pk: { S: input.id } }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } }));
}
`,
    });
    const files = [path.join(root, 'lib/stack.ts'), path.join(root, 'src/count.ts')];
    const result = await lint({ cwd: root, files, rules: only('require-idempotent-consumer') });
    expect(result.findings.map((f) => `${f.file}:${f.range.start.line} ${f.rule} ${f.message}`)).toEqual([
      'src/count.ts:4 require-idempotent-consumer `UpdateItemCommand` adds to `n` with ADD in an at-least-once handler (wired to SQS as the handler of `Count`) without a ConditionExpression: a redelivered SQS message applies the change twice',
    ]);
    expect(result.stats).toMatchObject({ filesScanned: 2, codeFiles: 2, templates: 1 });
  });

  it('honours rel4lint Metadata set with addMetadata on the construct or its CloudFormation resource', async () => {
    const root = project({
      'lib/stack.ts': `import { Stack } from 'aws-cdk-lib';
import { Queue, CfnQueue } from 'aws-cdk-lib/aws-sqs';

export class S extends Stack {
  constructor(scope: any, id: string) {
    super(scope, id);
    const manual = new Queue(this, 'Manual');
    (manual.node.defaultChild as CfnQueue).addMetadata('rel4lint', { ignore: [{ rule: 'require-queue-dlq', reason: 'drained by a person' }] });
    const replay = new Queue(this, 'Replay');
    replay.node.addMetadata('rel4lint', { ignore: [{ rule: 'require-queue-dlq', reason: 'replayed from S3' }] });
    const jobs = new Queue(this, 'Jobs');
    jobs.node.addMetadata('rel4lint', { ignore: [{ rule: 'require-queue-dlq' }] });
  }
}
`,
    });
    const result = await lint({ cwd: root, files: [path.join(root, 'lib/stack.ts')], rules: only('require-queue-dlq', 'no-invalid-suppression') });
    expect((result.suppressed ?? []).map((f) => `${f.range.start.line} ${f.rule} ${f.suppression?.justification}`)).toEqual([
      '7 require-queue-dlq drained by a person',
      '9 require-queue-dlq replayed from S3',
      '11 require-queue-dlq ',
    ]);
    // an entry without a reason suppresses, and is reported where it is written
    expect(result.findings.map((f) => `${f.range.start.line} ${f.rule}`)).toEqual(['12 no-invalid-suppression']);
  });

  it('a warm cache still checks the constructs', async () => {
    const root = project({ 'lib/stack.ts': STACK, 'src/handler.ts': 'export const handler = async () => 1;\n' });
    const files = [path.join(root, 'lib/stack.ts'), path.join(root, 'src/handler.ts')];
    const rules = only('require-queue-dlq');
    const run = async () => {
      const cache = ResultCache.open(path.join(root, '.cache'), 'key');
      const result = await lint({ cwd: root, files, rules, cache });
      await cache.save();
      return { result, cache };
    };
    const cold = await run();
    const warm = await run();
    expect(warm.cache.hits).toBe(1);
    expect(warm.result.findings.map((f) => `${f.file}:${f.range.start.line} ${f.rule}`)).toEqual(['lib/stack.ts:7 require-queue-dlq']);
    expect(warm.result.findings.map((f) => f.fingerprint)).toEqual(cold.result.findings.map((f) => f.fingerprint));
  });

  it('a file the loader cannot follow far still gives its findings and no error', async () => {
    // deep recursion through helpers and a loop over an unknown collection
    const root = project({
      'lib/stack.ts': `import { Stack } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
function again(scope: any, n: number): any { return again(scope, n + 1); }
export class S extends Stack {
  constructor(scope: any, id: string, props: { names: string[] }) {
    super(scope, id);
    again(this, 0);
    for (const name of props.names) new Queue(this, name);
  }
}
`,
    });
    const result = await lint({ cwd: root, files: [path.join(root, 'lib/stack.ts')], rules: only('require-queue-dlq', 'parse-error') });
    expect(result.findings.map((f) => `${f.range.start.line}:${f.range.start.column} ${f.rule} ${f.message.slice(0, 30)}`)).toEqual(['8:37 require-queue-dlq SQS queue `name` has no dead-l']);
  });

  it('a construct class of another file runs with the props its instantiation passes, and each mistake is reported once, in the file where it is written', async () => {
    const root = project({
      'lib/worker.ts': `import { Construct } from 'constructs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';

export class Worker extends Construct {
  constructor(scope: Construct, id: string, props: { fn: lambda.IFunction }) {
    super(scope, id);
    const queue = new sqs.Queue(this, 'Jobs');
    props.fn.addEventSource(new SqsEventSource(queue));
    // rel4lint-disable-next-line require-queue-dlq -- replayed from the archive, on purpose
    new sqs.Queue(this, 'Replay');
  }
}
`,
      'lib/stack.ts': `import { Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Worker } from './worker';

export class S extends Stack {
  constructor(scope: any, id: string) {
    super(scope, id);
    const fn = new lambda.Function(this, 'Handler', { runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler', code: lambda.Code.fromAsset('src'), timeout: Duration.seconds(60) });
    new Worker(this, 'Orders', { fn });
  }
}
`,
    });
    const files = ['lib/stack.ts', 'lib/worker.ts'].map((f) => path.join(root, f));
    const result = await lint({ cwd: root, files, rules: only('require-queue-dlq', 'require-visibility-timeout-headroom', 'no-invalid-suppression') });
    // the queue's visibility timeout is checked against the function the stack passes
    expect(result.findings.map((f) => `${f.file}:${f.range.start.line}:${f.range.start.column} ${f.rule} ${f.message.slice(0, 36)}`)).toEqual([
      'lib/worker.ts:9:19 require-queue-dlq SQS queue `Orders/Jobs` has no dead-',
      'lib/worker.ts:9:19 require-visibility-timeout-headroom SQS queue `Orders/Jobs` has the defa',
    ]);
    expect((result.suppressed ?? []).map((f) => `${f.file}:${f.range.start.line} ${f.suppression?.justification}`)).toEqual(['lib/worker.ts:12 replayed from the archive, on purpose']);

    // the class's file alone: its constructs with unknown props, as before
    const alone = await lint({ cwd: root, files: [files[1]!], rules: only('require-queue-dlq', 'require-visibility-timeout-headroom') });
    expect(alone.findings.map((f) => `${f.file}:${f.range.start.line} ${f.rule}`)).toEqual(['lib/worker.ts:9 require-queue-dlq']);
  });

  it('a stack class of another file instantiated by several stages: its constructs are named within the stack, and reported once', async () => {
    const root = project({
      'lib/queues.ts': `import { Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';

export class QueueStack extends Stack {
  constructor(scope: any, id: string, props: { region: string }) {
    super(scope, id, { env: { region: props.region } });
    new sqs.Queue(this, 'Jobs');
  }
}
`,
      'lib/stage.ts': `import { Stage } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { QueueStack } from './queues';

export class AppStage extends Stage {
  constructor(scope: any, id: string, props: { regions: string[] }) {
    super(scope, id);
    for (const region of props.regions) new QueueStack(this, \`Queues-\${region}\`, { region });
    new QueueStack(this, 'Queues-dr', { region: 'eu-west-1' });
    new sns.Topic(this, 'Alerts');
  }
}
`,
    });
    const files = ['lib/queues.ts', 'lib/stage.ts'].map((f) => path.join(root, f));
    const result = await lint({ cwd: root, files, rules: only('require-queue-dlq') });
    expect(result.findings.map((f) => `${f.file}:${f.range.start.line}:${f.range.start.column} ${f.message.slice(0, 23)}`)).toEqual(['lib/queues.ts:7:5 SQS queue `Jobs` has no']);
  });

  it('one line that makes several resources of their own names (a construct class per mode) is one finding naming the others, in the CLI and the plugin', async () => {
    const text = `import { App, NestedStack, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';

class Loader extends NestedStack {
  constructor(scope: any, id: string) {
    super(scope, id);
    const rule = new events.Rule(this, 'Nightly', { schedule: events.Schedule.cron({ minute: '17', hour: '2' }) });
    rule.addTarget(new targets.SqsQueue(new sqs.Queue(this, 'Work', { deadLetterQueue: { queue: new sqs.Queue(this, 'Dead'), maxReceiveCount: 3 } })));
  }
}

class Analytics extends Stack {
  constructor(scope: any, id: string) {
    super(scope, id);
    for (const mode of ['Provisioned', 'Serverless', 'Existing', 'Shared', 'Archive']) new Loader(this, mode);
  }
}

new Analytics(new App(), 'Analytics');
`;
    const root = project({ 'lib/app.ts': text });
    const file = path.join(root, 'lib/app.ts');
    const result = await lint({ cwd: root, files: [file], rules: only('require-event-target-dlq') });
    const message =
      'EventBridge rule `Provisioned/Nightly` target `Target0` has no DeadLetterConfig: EventBridge retries up to 185 times within 24 h, then drops the event without trace' +
      ' (also for 4 more resources this line makes: `Serverless/Nightly`, `Existing/Nightly`, `Shared/Nightly`, and 1 more)';
    expect(result.findings.map((f) => `${f.file}:${f.range.start.line}:${f.range.start.column} ${f.message}`)).toEqual([`lib/app.ts:10:20 ${message}`]);
    const linter = new Linter({ configType: 'flat', cwd: root });
    const messages = linter.verify(text, [{ files: ['**/*.ts'], languageOptions: { parser: tsParser }, plugins: { rel4: plugin }, rules: { 'rel4/require-event-target-dlq': 'error' } }], file);
    expect(messages.map((m) => `${m.line}:${m.column} ${m.message}`)).toEqual([`10:20 ${message}`]);
  });

  it('counts lines as TypeScript does: a line or paragraph separator in a string ends a line', async () => {
    const root = project({
      'lib/stack.ts': `import { Stack } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
const banner = 'orders\u2028queue\u2029';
export class S extends Stack {
  constructor(scope: any, id: string) {
    super(scope, id);
    new Queue(this, 'Jobs');
  }
}
`,
    });
    const result = await lint({ cwd: root, files: [path.join(root, 'lib/stack.ts')], rules: only('require-queue-dlq') });
    expect(result.findings.map((f) => `${f.range.start.line}:${f.range.start.column}-${f.range.end.line}:${f.range.end.column}`)).toEqual(['9:5-9:14']);
  });

  it('a construct class run through a chain of files (stack → ingestion → source) is reported once per instance, from the outermost file', async () => {
    const root = project({
      'lib/source.ts': `import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';

export class Source extends Construct {
  constructor(scope: Construct, id: string, props: { code: string }) {
    super(scope, id);
    const poller = new lambda.Function(this, 'Poller', { runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler', code: lambda.Code.fromAsset(props.code) });
    new events.Rule(this, 'Every', { schedule: events.Schedule.rate(Duration.minutes(5)), targets: [new targets.LambdaFunction(poller)] });
  }
}
`,
      'lib/ingestion.ts': `import { Construct } from 'constructs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Source } from './source';

export class Ingestion extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new sqs.Queue(this, 'Raw', { deadLetterQueue: { queue: new sqs.Queue(this, 'RawDlq'), maxReceiveCount: 3 } });
    new Source(this, 'Feeds', { code: 'feeds' });
  }
}
`,
      'lib/stack.ts': `import { Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Ingestion } from './ingestion';

export class AppStack extends Stack {
  constructor(scope: any, id: string) {
    super(scope, id);
    new sns.Topic(this, 'Alerts');
    new Ingestion(this, 'Ingestion');
  }
}
`,
    });
    const files = ['lib/source.ts', 'lib/ingestion.ts', 'lib/stack.ts'].map((f) => path.join(root, f));
    const result = await lint({ cwd: root, files, rules: only('require-async-failure-destination') });
    expect(result.findings.map((f) => `${f.file}:${f.range.start.line} ${f.message.slice(0, 60)}`)).toEqual([
      'lib/source.ts:10 Lambda function `Ingestion/Feeds/Poller` is invoked asynchro',
    ]);
  });
});

describe('schedules of one construct in several stacks of an app file', () => {
  it('compares each stack copy with the schedules of its own stack, not with the copies in the others', async () => {
    const root = project({
      'bin/app.ts': `import { App, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';

class Nightly extends Construct {
  constructor(scope: Construct, id: string, tenants: string[]) {
    super(scope, id);
    new events.Rule(this, 'Export', { schedule: events.Schedule.cron({ minute: '0', hour: '1' }) });
    for (const tenant of tenants) {
      new events.Rule(this, \`Report-\${tenant}\`, { schedule: events.Schedule.cron({ minute: '20', hour: '3' }) });
    }
  }
}

class PipelineStack extends Stack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new Nightly(this, 'Nightly', ['a', 'b']);
  }
}

const app = new App();
new PipelineStack(app, 'WithPlugins');
new PipelineStack(app, 'WithoutPlugins');
`,
    });
    const result = await lint({ cwd: root, files: [path.join(root, 'bin/app.ts')], rules: only('no-synchronized-schedule') });
    const shown = result.findings.map((f) => `${f.range.start.line} ${/same instants/.test(f.message) ? 'same instants' : 'minute 0'} ${f.related.map((r) => r.range.start.line).join(',')}`);
    // the minute-0 rule once (the other stack's copy is not a schedule of this deployment to stagger
    // against); the tenants' rules of one stack still collide with each other
    expect(shown).toEqual(['8 minute 0 ', '10 same instants 10']);
  });
});
