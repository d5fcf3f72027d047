/**
 * The CDK source loader: construct code in, CloudFormation-shaped resources out, every logical
 * path located in the TypeScript (construct call for a resource and a property it lacks, the
 * property assignment for a property it has).
 */
import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { FileAnalysis } from '../../src/code/analysis.js';
import type { FileFacts, ModuleHost } from '../../src/code/file-facts.js';
import { parseCode } from '../../src/code/parse.js';
import { loadCdkSource, mayDefineCdkResources } from '../../src/cdk/index.js';
import { Intrinsic, Unknown, type IacValue, type Template } from '../../src/iac/model.js';
import { eventSourceMappings } from '../../src/iac/resources.js';
import { stateMachines, statesOf } from '../../src/iac/asl.js';
import { packTemplate, unpackTemplate } from '../../src/iac/transfer.js';

function load(text: string, file = '/app/lib/stack.ts'): Template {
  const template = loadCdkSource(parseCode(file, text, false));
  expect(template, 'a template').toBeDefined();
  return template!;
}

/** `line:column-line:column` of a path, `~` when the path does not exist. */
function at(template: Template, path: (string | number)[]): string {
  const { range, exact } = template.locate(path);
  return `${range.start.line}:${range.start.column}-${range.end.line}:${range.end.column}${exact ? '' : '~'}`;
}

function props(template: Template, id: string): Record<string, IacValue> {
  const resource = template.resources.get(id);
  expect(resource, `resource ${id} among ${[...template.resources.keys()].join(', ')}`).toBeDefined();
  return resource!.properties;
}

/** Intrinsics as `{ Ref: X }` / `{ 'Fn::GetAtt': [X, a] }`, unknowns as `'<unknown>'`, for comparisons. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- compared with toEqual
function plain(value: IacValue | undefined): any {
  if (value instanceof Intrinsic) return { [value.name]: plain(value.argument) };
  if (value instanceof Unknown) return '<unknown>';
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

const r = String.raw;

describe('recognising CDK files', () => {
  it('only files that mention aws-cdk-lib are read', () => {
    expect(mayDefineCdkResources("import { Queue } from 'aws-cdk-lib/aws-sqs';")).toBe(true);
    expect(mayDefineCdkResources("import { SQSClient } from '@aws-sdk/client-sqs';")).toBe(false);
    expect(mayDefineCdkResources('const sqs = require("aws-cdk-lib/aws-sqs");')).toBe(true);
    expect(mayDefineCdkResources("import cdk = require('aws-cdk-lib');")).toBe(true);
    // a construct that only wires AWS Solutions Constructs
    expect(mayDefineCdkResources("import { SqsToLambda } from '@aws-solutions-constructs/aws-sqs-lambda';")).toBe(true);
    // the library's own compiled code names its types in strings
    expect(mayDefineCdkResources('const JSII_RTTI = { fqn: "aws-cdk-lib.aws_sqs.Queue" }; require("../../core");')).toBe(false);
    expect(loadCdkSource(parseCode('/a.ts', "import { Construct } from 'constructs';\nnew Queue(this, 'Q');"))).toBeUndefined();
    // tests of a CDK app build scaffolding, not the app
    expect(mayDefineCdkResources("import { App } from 'aws-cdk-lib';\nimport { Template } from 'aws-cdk-lib/assertions';\nnew Queue(stack, 'Q');")).toBe(false);
    // CDK v1: @aws-cdk/core and a module per service; its test helpers are not an app
    expect(mayDefineCdkResources("import * as cdk from '@aws-cdk/core';\nimport * as sqs from '@aws-cdk/aws-sqs';")).toBe(true);
    expect(mayDefineCdkResources("import * as cdk from '@aws-cdk/core';\nimport '@aws-cdk/assert/jest';")).toBe(false);
    expect(mayDefineCdkResources("import { Template } from '@aws-cdk/assertions';\nimport * as sqs from '@aws-cdk/aws-sqs';")).toBe(false);
    // mentions in text are not imports
    expect(mayDefineCdkResources("// migrated from @aws-cdk/core\nexport const x = 1;")).toBe(false);
    // a handler that imports only types of the library runs none of it
    expect(mayDefineCdkResources("import type { StackProps } from 'aws-cdk-lib';\nimport type {\n  CfnQueue,\n} from 'aws-cdk-lib/aws-sqs';\nexport const handler = async () => 1;")).toBe(false);
    expect(mayDefineCdkResources("import type { StackProps } from 'aws-cdk-lib';\nimport { Queue } from 'aws-cdk-lib/aws-sqs';")).toBe(true);
    expect(mayDefineCdkResources("import { type StackProps, Stack } from 'aws-cdk-lib';")).toBe(true);
  });

  it('a file that imports aws-cdk-lib but defines no construct gives no template', () => {
    expect(loadCdkSource(parseCode('/a.ts', "import { Duration } from 'aws-cdk-lib';\nexport const T = Duration.seconds(3);"))).toBeUndefined();
  });

  it('an app entry point that only uses core classes and stacks of other files gives no template; an L1 class of the root module does', () => {
    const entry = r`#!/usr/bin/env node
import * as cdk from 'aws-cdk-lib';
import { OrdersStack } from '../lib/orders-stack';
const app = new cdk.App();
new OrdersStack(app, 'Orders', { env: { region: 'eu-west-1' } });
cdk.Tags.of(app).add('team', 'orders');
`;
    expect(loadCdkSource(parseCode('/app/bin/app.ts', entry, false))).toBeUndefined();
    const withOutput = load(`${entry}new cdk.CfnResource(app, 'Marker', { type: 'Custom::Marker' });
`, '/app/bin/app.ts');
    expect([...withOutput.resources.values()].map((x) => `${x.id} ${x.type}`)).toEqual(['Marker AWS::Core::Resource']);
    const viaNamespace = load(`${entry}new cdk.aws_sqs.Queue(app, 'Jobs');
`, '/app/bin/app.ts');
    expect([...viaNamespace.resources.values()].map((x) => `${x.id} ${x.type}`)).toEqual(['Jobs AWS::SQS::Queue']);
  });

  it('accepts every import form: subpath, namespace, aws_ namespace of the root, root namespace, require', () => {
    const t = load(r`import { Queue } from 'aws-cdk-lib/aws-sqs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { aws_sqs as sqs2, Stack } from 'aws-cdk-lib';
import * as cdk from 'aws-cdk-lib';
const sqs3 = require('aws-cdk-lib/aws-sqs');
const { Queue: Q4 } = require('aws-cdk-lib/aws-sqs');
export class S extends Stack {
  constructor(scope: any, id: string) {
    super(scope, id);
    new Queue(this, 'A');
    new sqs.Queue(this, 'B');
    new sqs2.Queue(this, 'C');
    new cdk.aws_sqs.Queue(this, 'D');
    new sqs3.Queue(this, 'E');
    new Q4(this, 'F');
  }
}
`);
    expect([...t.resources.values()].map((x) => `${x.id} ${x.type}`)).toEqual(['A', 'B', 'C', 'D', 'E', 'F'].map((id) => `${id} AWS::SQS::Queue`));
    expect(t.format).toBe('cdk-source');
  });
});

describe('positions', () => {
  const text = r`import { Duration, Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';

export class S extends Stack {
  constructor(scope: any, id: string) {
    super(scope, id);
    const dlq = new sqs.Queue(this, 'Dlq');
    new sqs.Queue(this, 'Jobs', {
      visibilityTimeout: Duration.seconds(90),
      deadLetterQueue: { queue: dlq, maxReceiveCount: 5 },
    });
  }
}
`;
  const t = load(text);

  it('a stack made in place starts the construct paths of what is made in it, as a stack class does', () => {
    const inline = load(
      [
        "import { App, Stack } from 'aws-cdk-lib';",
        "import * as sqs from 'aws-cdk-lib/aws-sqs';",
        "import { Construct } from 'constructs';",
        'class Jobs extends Construct {',
        '  constructor(scope: Construct, id: string) {',
        '    super(scope, id);',
        "    new sqs.Queue(this, 'Inbox');",
        '  }',
        '}',
        "const stack = new Stack(new App(), 'Main');",
        "new Jobs(stack, 'Orders');",
        "new Jobs(stack, 'Refunds');",
        "new sqs.Queue(stack, 'Audit');",
      ].join('\n'),
    );
    expect([...inline.resources.keys()].sort()).toEqual(['Audit', 'Orders/Inbox', 'Refunds/Inbox']);
    expect(inline.resources.get('Orders/Inbox')!.metadata?.['aws:cdk:path']).toBe('Orders/Inbox');
  });

  it('a resource is its construct call', () => {
    expect(at(t, ['Resources', 'Jobs'])).toBe('8:5-11:7');
    expect(at(t, ['Resources', 'Dlq'])).toBe('7:17-7:43');
  });

  it('a property is its property assignment; a nested one its own assignment', () => {
    expect(at(t, ['Resources', 'Jobs', 'Properties', 'VisibilityTimeout'])).toBe('9:7-9:46');
    expect(at(t, ['Resources', 'Jobs', 'Properties', 'RedrivePolicy'])).toBe('10:7-10:58');
    expect(at(t, ['Resources', 'Jobs', 'Properties', 'RedrivePolicy', 'maxReceiveCount'])).toBe('10:38-10:56');
    expect(at(t, ['Resources', 'Jobs', 'Properties', 'RedrivePolicy', 'deadLetterTargetArn'])).toBe('10:26-10:36');
  });

  it('a missing property points at `new <Class>` of its construct; a missing child at its parent property name', () => {
    expect(at(t, ['Resources', 'Dlq', 'Properties', 'RedrivePolicy'])).toBe('7:17-7:30~');
    expect(at(t, ['Resources', 'Jobs', 'Properties', 'RedrivePolicy', 'redrivePermission'])).toBe('10:7-10:22~');
  });

  it('values are CloudFormation values: durations in seconds, references as intrinsics', () => {
    expect(plain(props(t, 'Jobs'))).toEqual({ VisibilityTimeout: 90, RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['Dlq', 'Arn'] }, maxReceiveCount: 5 } });
  });

  it('the template crosses threads like the others (packed and rebuilt with its positions)', () => {
    const packed = packTemplate(t);
    expect(packed).toBeDefined();
    const back = unpackTemplate(structuredClone(packed!));
    expect(plain(back.resources.get('Jobs')!.properties)).toEqual(plain(props(t, 'Jobs')));
    expect(at(back, ['Resources', 'Jobs', 'Properties', 'VisibilityTimeout'])).toBe('9:7-9:46');
    expect(back.format).toBe('cdk-source');
  });
});

describe('following values', () => {
  it('constants, spreads, template strings, helper functions, methods, this fields and class instances of the file', () => {
    const t = load(r`import * as cdk from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

const COMMON = { retentionPeriod: cdk.Duration.days(7) };
const MINUTES = 2;

function dlqFor(scope: Construct, name: string) {
  return new sqs.Queue(scope, ${'`'}${'$'}{name}Dlq${'`'}, { ...COMMON });
}

class Worker extends Construct {
  readonly queue: sqs.Queue;
  constructor(scope: Construct, id: string, props: { visibility: cdk.Duration }) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Queue', { visibilityTimeout: props.visibility, deadLetterQueue: { queue: dlqFor(this, id), maxReceiveCount: 3 } });
  }
}

export class S extends cdk.Stack {
  private readonly shared = new sqs.Queue(this, 'Shared');
  constructor(scope: Construct, id: string) {
    super(scope, id);
    const ingest = new Worker(this, 'Ingest', { visibility: cdk.Duration.minutes(MINUTES * 3) });
    new Worker(this, 'Export', { visibility: cdk.Duration.seconds(30) });
    new sqs.Queue(this, 'UsesField', { deadLetterQueue: { queue: this.shared, maxReceiveCount: 2 } });
    new sqs.Queue(this, 'UsesInstance', { deadLetterQueue: { queue: ingest.queue, maxReceiveCount: 2 } });
    this.more();
  }
  private more() {
    for (const name of ['A', 'B']) new sqs.Queue(this, name, { ...COMMON });
  }
}
`);
    expect([...t.resources.keys()]).toEqual(['Shared', 'IngestDlq', 'Ingest/Queue', 'ExportDlq', 'Export/Queue', 'UsesField', 'UsesInstance', 'A', 'B']);
    expect(plain(props(t, 'Ingest/Queue'))).toEqual({ VisibilityTimeout: 360, RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['IngestDlq', 'Arn'] }, maxReceiveCount: 3 } });
    expect(plain(props(t, 'Export/Queue'))['VisibilityTimeout']).toBe(30);
    expect(plain(props(t, 'IngestDlq'))).toEqual({ MessageRetentionPeriod: 604800 });
    expect(plain(props(t, 'UsesField'))['RedrivePolicy']).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': ['Shared', 'Arn'] }, maxReceiveCount: 2 });
    expect(plain(props(t, 'UsesInstance'))['RedrivePolicy']).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': ['Ingest/Queue', 'Arn'] }, maxReceiveCount: 2 });
    // a property set through a helper is located in the helper
    expect(at(t, ['Resources', 'IngestDlq', 'Properties', 'MessageRetentionPeriod'])).toBe('5:18-5:55');
  });

  it('what cannot be known is unknown, never absent', () => {
    const t = load(r`import * as cdk from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
export class S extends cdk.Stack {
  constructor(scope: any, id: string, props: { dlq: sqs.IQueue; queueProps: sqs.QueueProps; seconds: number }) {
    super(scope, id);
    new sqs.Queue(this, 'A', { deadLetterQueue: { queue: props.dlq, maxReceiveCount: 3 } });
    new sqs.Queue(this, 'B', props.queueProps);
    new sqs.Queue(this, 'C', { ...props.queueProps, visibilityTimeout: cdk.Duration.seconds(10) });
    new sqs.Queue(this, 'D', { visibilityTimeout: cdk.Duration.seconds(props.seconds) });
    new sqs.Queue(this, 'E', { deadLetterQueue: props.dlq ? { queue: props.dlq, maxReceiveCount: 3 } : undefined });
    new sqs.CfnQueue(this, 'F', props.queueProps as any);
  }
}
`);
    expect(plain(props(t, 'A'))).toEqual({ RedrivePolicy: { deadLetterTargetArn: '<unknown>', maxReceiveCount: 3 } });
    expect(plain(props(t, 'B'))['RedrivePolicy']).toBe('<unknown>');
    expect(plain(props(t, 'C'))).toMatchObject({ VisibilityTimeout: 10, RedrivePolicy: '<unknown>' });
    expect(plain(props(t, 'D'))).toEqual({ VisibilityTimeout: '<unknown>' });
    expect(plain(props(t, 'E'))).toEqual({ RedrivePolicy: '<unknown>' });
    expect(plain(t.root['Resources'])).toMatchObject({ F: { Properties: '<unknown>' } });
  });

  it('the same construct id in different constructs gets its construct path; an id shared by one path gets a counter', () => {
    const t = load(r`import { Stack } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
class Part extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new Queue(this, 'Queue');
  }
}
export class S extends Stack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new Part(this, 'One');
    new Part(this, 'Two');
    new Queue(this, 'Single');
  }
}
export class T extends Stack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new Queue(this, 'Single');
  }
}
`);
    expect([...t.resources.keys()]).toEqual(['One/Queue', 'Two/Queue', 'Single#1', 'Single#2']);
  });

  it('a class mentioned many times (in data, comments) is found used by one walk of the file', () => {
    const mentions = Array.from({ length: 5000 }, (_, i) => `  'Worker ${i}',`).join('\n');
    const text = `import { Stack } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
class Worker extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new Queue(this, 'Jobs');
  }
}
export const LABELS = [
${mentions}
];
export class OrdersStack extends Stack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new Worker(this, 'Worker');
  }
}
`;
    const t = load(text);
    expect([...t.resources.values()].map((x) => x.metadata?.['aws:cdk:path'])).toEqual(['Worker/Jobs']);
  });

  it('a class the file instantiates runs there, one it only names inside a longer name runs as a root', () => {
    const t = load(r`import { Stack, StackProps } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
export interface WorkerProps { readonly name: string }
class Worker extends Construct {
  constructor(scope: Construct, id: string, props?: WorkerProps) {
    super(scope, id);
    new Queue(this, 'Jobs');
  }
}
export interface OrdersStackProps extends StackProps { readonly worker?: WorkerProps }
export class OrdersStack extends Stack {
  constructor(scope: Construct, id: string, props?: OrdersStackProps) {
    super(scope, id, props);
    new Worker(this, 'Worker');
  }
}
`);
    // one queue, at the instance's construct path (the class is not run again as a root)
    expect([...t.resources.values()].map((x) => x.metadata?.['aws:cdk:path'])).toEqual(['Worker/Jobs']);
    const alone = load(r`import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
export interface WorkerProps { readonly name: string }
export class Worker extends Construct {
  constructor(scope: Construct, id: string, props?: WorkerProps) {
    super(scope, id);
    new Queue(this, 'Jobs');
  }
}
`);
    expect([...alone.resources.values()].map((x) => x.metadata?.['aws:cdk:path'])).toEqual(['Jobs']);
  });

  it('top-level app code and functions nobody calls run too', () => {
    const t = load(r`import * as cdk from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
const app = new cdk.App();
const stack = new cdk.Stack(app, 'Stack');
new sqs.Queue(stack, 'TopLevel');
export function addQueues(scope: cdk.Stack) {
  new sqs.Queue(scope, 'FromFunction');
}
`);
    expect([...t.resources.keys()]).toEqual(['TopLevel', 'FromFunction']);
  });
});

describe('constructs', () => {
  it('SQS: FIFO implied by the name or content-based deduplication; redrive allow policy', () => {
    const t = load(r`import * as sqs from 'aws-cdk-lib/aws-sqs';
new sqs.Queue(this, 'A', { queueName: 'orders.fifo' });
new sqs.Queue(this, 'B', { contentBasedDeduplication: true });
new sqs.Queue(this, 'C', { fifo: false, queueName: 'plain' });
new sqs.Queue(this, 'D', { redriveAllowPolicy: { sourceQueues: [] } });
new sqs.Queue(this, 'E', { redriveAllowPolicy: { redrivePermission: sqs.RedrivePermission.DENY_ALL } });
`);
    expect(plain(props(t, 'A'))).toEqual({ QueueName: 'orders.fifo', FifoQueue: true });
    expect(plain(props(t, 'B'))).toEqual({ FifoQueue: true, ContentBasedDeduplication: true });
    expect(plain(props(t, 'C'))).toEqual({ QueueName: 'plain', FifoQueue: false });
    expect(plain(props(t, 'D'))).toEqual({ RedriveAllowPolicy: { redrivePermission: 'byQueue' } });
    expect(plain(props(t, 'E'))).toEqual({ RedriveAllowPolicy: { redrivePermission: 'denyAll' } });
  });

  it('Lambda: timeout, reserved concurrency, dead-letter queues (its own when only enabled), async invoke configs', () => {
    const t = load(r`import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
const q = new sqs.Queue(this, 'Q');
new lambda.Function(this, 'A', { timeout: Duration.minutes(1), reservedConcurrentExecutions: 5, deadLetterQueue: q });
new lambda.DockerImageFunction(this, 'B', {
  deadLetterQueueEnabled: true,
});
const c = new NodejsFunction(this, 'C', { onFailure: new SqsDestination(q), retryAttempts: 1, maxEventAge: Duration.hours(1) });
c.configureAsyncInvoke({ retryAttempts: 0 });
`);
    expect(plain(props(t, 'A'))).toEqual({ Timeout: 60, ReservedConcurrentExecutions: 5, DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': ['Q', 'Arn'] } } });
    expect(plain(props(t, 'B'))).toEqual({ DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': ['B/DeadLetterQueue', 'Arn'] } } });
    expect(at(t, ['Resources', 'B', 'Properties', 'DeadLetterConfig'])).toBe('9:3-9:31');
    expect(plain(props(t, 'B/DeadLetterQueue'))).toEqual({ MessageRetentionPeriod: 1209600 });
    expect(at(t, ['Resources', 'B/DeadLetterQueue'])).toBe('9:3-9:31');
    expect(plain(props(t, 'C/EventInvokeConfig#1'))).toEqual({
      FunctionName: { Ref: 'C' },
      Qualifier: '$LATEST',
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['Q', 'Arn'] } } },
      MaximumRetryAttempts: 1,
      MaximumEventAgeInSeconds: 3600,
    });
    expect(plain(props(t, 'C/EventInvokeConfig#2'))).toMatchObject({ MaximumRetryAttempts: 0 });
    expect(at(t, ['Resources', 'C/EventInvokeConfig#2'])).toBe('12:1-12:45');
  });

  it('event sources and mappings: SQS, Kinesis, DynamoDB, Kafka, sources from outside the file', () => {
    const t = load(r`import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Stream } from 'aws-cdk-lib/aws-kinesis';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
declare const props: { queue: Queue; fn: lambda.IFunction };
const fn = new lambda.Function(this, 'Fn', {});
const q = new Queue(this, 'Q');
const s = new Stream(this, 'S');
const table = new Table(this, 'T', {});
fn.addEventSource(new sources.SqsEventSource(q, { batchSize: 10, maxBatchingWindow: Duration.seconds(5), reportBatchItemFailures: true, maxConcurrency: 4 }));
fn.addEventSource(new sources.KinesisEventSource(s, { startingPosition: lambda.StartingPosition.LATEST, retryAttempts: 2, maxRecordAge: Duration.minutes(5), bisectBatchOnError: true, onFailure: new sources.SqsDlq(q) }));
fn.addEventSource(new sources.DynamoEventSource(table, { startingPosition: lambda.StartingPosition.TRIM_HORIZON }));
fn.addEventSource(new sources.SqsEventSource(props.queue));
props.fn.addEventSource(new sources.KinesisEventSource(s, { startingPosition: lambda.StartingPosition.LATEST }));
fn.addEventSourceMapping('Raw', { eventSourceArn: s.streamArn, startingPosition: lambda.StartingPosition.LATEST, retryAttempts: 1 });
new sources.SelfManagedKafkaEventSource({ bootstrapServers: ['b:9092'], topic: 't', startingPosition: lambda.StartingPosition.LATEST });
`);
    const mappings = eventSourceMappings(t).map((m) => `${m.id} ${m.kind} ${JSON.stringify(plain(m.properties['FunctionName']))}`);
    expect(mappings).toEqual([
      'Fn/SqsEventSource:Q sqs {"Ref":"Fn"}',
      'Fn/KinesisEventSource:S kinesis {"Ref":"Fn"}',
      'Fn/DynamoEventSource:T dynamodb {"Ref":"Fn"}',
      // a queue from outside the file is still an SQS queue
      'Fn/SqsEventSource:Source sqs {"Ref":"Fn"}',
      // a function from outside the file still gets the mapping
      'KinesisEventSource:S kinesis "<unknown>"',
      'Raw kinesis {"Ref":"Fn"}',
    ]);
    // a Kafka source that no function uses makes no mapping
    expect([...t.resources.keys()].filter((id) => id.includes('Kafka'))).toEqual([]);
  });

  it('event source properties', () => {
    const t = load(r`import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Stream } from 'aws-cdk-lib/aws-kinesis';
const fn = new lambda.Function(this, 'Fn', {});
const q = new Queue(this, 'Q');
const s = new Stream(this, 'S');
fn.addEventSource(new sources.SqsEventSource(q, { batchSize: 10, maxBatchingWindow: Duration.seconds(5), reportBatchItemFailures: true, maxConcurrency: 4 }));
fn.addEventSource(new sources.KinesisEventSource(s, { startingPosition: lambda.StartingPosition.LATEST, retryAttempts: 2, maxRecordAge: Duration.minutes(5), bisectBatchOnError: true, onFailure: new sources.SqsDlq(q) }));
`);
    expect(plain(props(t, 'Fn/SqsEventSource:Q'))).toEqual({
      FunctionName: { Ref: 'Fn' },
      EventSourceArn: { 'Fn::GetAtt': ['Q', 'Arn'] },
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 4 },
    });
    expect(plain(props(t, 'Fn/KinesisEventSource:S'))).toEqual({
      FunctionName: { Ref: 'Fn' },
      EventSourceArn: { 'Fn::GetAtt': ['S', 'Arn'] },
      StartingPosition: 'LATEST',
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 2,
      MaximumRecordAgeInSeconds: 300,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['Q', 'Arn'] } } },
    });
    expect(at(t, ['Resources', 'Fn/SqsEventSource:Q'])).toBe('9:19-9:157');
    expect(at(t, ['Resources', 'Fn/SqsEventSource:Q', 'Properties', 'ScalingConfig', 'MaximumConcurrency'])).toBe('9:137-9:154');
    expect(at(t, ['Resources', 'Fn/SqsEventSource:Q', 'Properties', 'FunctionResponseTypes'])).toBe('9:106-9:135');
    expect(at(t, ['Resources', 'Fn/KinesisEventSource:S', 'Properties', 'DestinationConfig', 'OnFailure'])).toBe('10:184-10:216');
  });

  it('EventBridge: schedules, targets from the props and from addTarget, their retry policy and DLQ', () => {
    const t = load(r`import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Queue } from 'aws-cdk-lib/aws-sqs';
const fn = new lambda.Function(this, 'Fn', {});
const dlq = new Queue(this, 'Dlq');
const rule = new events.Rule(this, 'R', {
  schedule: events.Schedule.cron({ minute: '17', hour: '4', weekDay: 'MON' }),
  targets: [new targets.LambdaFunction(fn, { deadLetterQueue: dlq, retryAttempts: 2, maxEventAge: Duration.hours(2) })],
});
rule.addTarget(new targets.SqsQueue(dlq));
new events.Rule(this, 'Rate', { schedule: events.Schedule.rate(Duration.minutes(1)), enabled: false });
new events.Rule(this, 'Daily', { schedule: events.Schedule.rate(Duration.days(2)) });
`);
    expect(plain(props(t, 'R'))).toEqual({
      ScheduleExpression: 'cron(17 4 ? * MON *)',
      Targets: [
        { Id: 'Target0', Arn: { 'Fn::GetAtt': ['Fn', 'Arn'] }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['Dlq', 'Arn'] } }, RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 7200 } },
        { Id: 'Target1', Arn: { 'Fn::GetAtt': ['Dlq', 'Arn'] } },
      ],
    });
    expect(plain(props(t, 'Rate'))).toEqual({ ScheduleExpression: 'rate(1 minute)', State: 'DISABLED' });
    expect(plain(props(t, 'Daily'))).toEqual({ ScheduleExpression: 'rate(2 days)' });
    expect(at(t, ['Resources', 'R', 'Properties', 'Targets', 0])).toBe('10:13-10:119');
    expect(at(t, ['Resources', 'R', 'Properties', 'Targets', 1, 'DeadLetterConfig'])).toBe('12:16-12:36~');
  });

  it('EventBridge: the known targets of a list with a spread of something unknown, then an unknown one', () => {
    const t = load(r`import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
const fn = new lambda.Function(this, 'Fn', {});
new events.Rule(this, 'R', { eventPattern: { source: ['a'] }, targets: [new targets.LambdaFunction(fn), ...others] });
`);
    expect(plain(props(t, 'R'))['Targets']).toEqual([{ Id: 'Target0', Arn: { 'Fn::GetAtt': ['Fn', 'Arn'] } }, '<unknown>']);
  });

  it('CfnParameter: a template parameter whose valueAsString is its Ref', () => {
    const t = load(r`import { CfnParameter } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
const frequency = new CfnParameter(this, 'PollFrequency', { type: 'String', default: 'cron(0 12 * * ? *)' });
const size = new CfnParameter(this, 'BatchSize', { type: 'Number', default: 10 });
new events.Rule(this, 'Poll', { schedule: events.Schedule.expression(frequency.valueAsString) });
`);
    expect(plain(t.root['Parameters'])).toEqual({ PollFrequency: { Type: 'String', Default: 'cron(0 12 * * ? *)' }, BatchSize: { Type: 'Number', Default: 10 } });
    expect(plain(props(t, 'Poll'))).toEqual({ ScheduleExpression: { Ref: 'PollFrequency' } });
    expect(at(t, ['Parameters', 'PollFrequency', 'Default'])).toBe('3:77-3:106');
    expect(t.resources.size).toBe(1);
  });

  it('AWS Solutions Constructs: the resources each pattern creates, with its defaults and construct paths', () => {
    const t = load(r`import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { SqsToLambda } from '@aws-solutions-constructs/aws-sqs-lambda';
import { LambdaToSqsToLambda } from '@aws-solutions-constructs/aws-lambda-sqs-lambda';
import { EventbridgeToLambda } from '@aws-solutions-constructs/aws-eventbridge-lambda';
import { KinesisStreamsToLambda } from '@aws-solutions-constructs/aws-kinesisstreams-lambda';
const orders = new SqsToLambda(this, 'Orders', {
  lambdaFunctionProps: { functionName: 'orders', handler: 'index.handler', timeout: Duration.seconds(20) },
  queueProps: { visibilityTimeout: Duration.minutes(3) },
  maxReceiveCount: 4,
  sqsEventSourceProps: { batchSize: 5 },
});
new LambdaToSqsToLambda(this, 'Relay', { existingProducerLambdaObj: orders.lambdaFunction, existingConsumerLambdaObj: orders.lambdaFunction, deployDeadLetterQueue: false });
new EventbridgeToLambda(this, 'Weekly', { existingLambdaObj: orders.lambdaFunction, eventRuleProps: { schedule: Schedule.rate(Duration.days(7)) } });
new KinesisStreamsToLambda(this, 'Clicks', { existingLambdaObj: orders.lambdaFunction, kinesisEventSourceProps: { batchSize: 100 } });
`);
    const paths = [...t.resources.values()].map((r) => `${r.type} ${String(r.metadata?.['aws:cdk:path'])}`);
    expect(paths).toEqual([
      'AWS::Lambda::Function Orders/orders',
      'AWS::SQS::Queue Orders/queue-dlq',
      'AWS::SQS::Queue Orders/queue',
      'AWS::Lambda::EventSourceMapping Orders/orders/SqsEventSource:Orders/queue',
      'AWS::SQS::Queue Relay/lambda-to-sqs/queue',
      'AWS::Lambda::EventSourceMapping Orders/orders/SqsEventSource:Relay/lambda-to-sqs/queue',
      'AWS::Events::Rule Weekly/EventsRule',
      'AWS::Kinesis::Stream Clicks/KinesisStream',
      'AWS::SQS::Queue Clicks/SqsDlqQueue',
      'AWS::Lambda::EventSourceMapping Orders/orders/KinesisEventSource:Clicks/KinesisStream',
    ]);
    const id = (path: string) => [...t.resources.values()].find((r) => r.metadata?.['aws:cdk:path'] === path)!.id;
    expect(plain(props(t, id('Orders/queue')))).toEqual({ VisibilityTimeout: 180, RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['queue-dlq', 'Arn'] }, maxReceiveCount: 4 } });
    expect(plain(props(t, id('Relay/lambda-to-sqs/queue')))).toEqual({});
    expect(plain(props(t, id('Orders/orders'))['Environment'])).toEqual({ Variables: { SQS_QUEUE_URL: { Ref: 'Relay/lambda-to-sqs/queue' } } });
    expect(plain(props(t, id('Orders/orders/SqsEventSource:Orders/queue')))).toEqual({
      FunctionName: { Ref: 'orders' },
      EventSourceArn: { 'Fn::GetAtt': ['Orders/queue', 'Arn'] },
      BatchSize: 5,
    });
    expect(plain(props(t, id('Weekly/EventsRule')))).toEqual({ ScheduleExpression: 'rate(7 days)', Targets: [{ Id: 'Target0', Arn: { 'Fn::GetAtt': ['orders', 'Arn'] } }] });
    expect(plain(props(t, id('Orders/orders/KinesisEventSource:Clicks/KinesisStream')))).toEqual({
      FunctionName: { Ref: 'orders' },
      EventSourceArn: { 'Fn::GetAtt': ['KinesisStream', 'Arn'] },
      BatchSize: 100,
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 500,
      MaximumRecordAgeInSeconds: 86400,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['SqsDlqQueue', 'Arn'] } } },
    });
    // what the pattern adds is located at its construct call, what it passes on at the property
    expect(at(t, ['Resources', id('Orders/queue'), 'Properties', 'RedrivePolicy', 'maxReceiveCount'])).toBe('11:3-11:21');
    expect(at(t, ['Resources', id('Relay/lambda-to-sqs/queue'), 'Properties', 'RedrivePolicy'])).toBe('14:1-14:24~');
    expect(at(t, ['Resources', id('Orders/orders/KinesisEventSource:Clicks/KinesisStream'), 'Properties', 'BatchSize'])).toBe('16:115-16:129');
  });

  it('AWS Solutions Constructs: the LambdaTo<Service> patterns make their function (and LambdaToDynamoDB its table)', () => {
    const t = load(r`import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LambdaToDynamoDB } from '@aws-solutions-constructs/aws-lambda-dynamodb';
import { LambdaToSns } from '@aws-solutions-constructs/aws-lambda-sns';
const records = new LambdaToDynamoDB(this, 'Records', {
  lambdaFunctionProps: { handler: 'index.handler', timeout: Duration.minutes(2) },
  dynamoTableProps: { partitionKey: { name: 'pk', type: 'S' } },
  tableEnvironmentVariableName: 'TABLE',
});
new LambdaToDynamoDB(this, 'Reader', { existingLambdaObj: records.lambdaFunction, existingTableObj: records.dynamoTable });
const notify = new LambdaToSns(this, 'Notify', { lambdaFunctionProps: { functionName: 'notify', handler: 'index.handler' } });
notify.lambdaFunction.addEnvironment('MODE', 'email');
`);
    const paths = [...t.resources.values()].map((r) => `${r.type} ${String(r.metadata?.['aws:cdk:path'])}`);
    expect(paths).toEqual(['AWS::Lambda::Function Records/LambdaFunction', 'AWS::DynamoDB::Table Records/DynamoTable', 'AWS::Lambda::Function Notify/notify']);
    const id = (path: string) => [...t.resources.values()].find((r) => r.metadata?.['aws:cdk:path'] === path)!.id;
    expect(plain(props(t, id('Records/LambdaFunction'))['Timeout'])).toBe(120);
    expect(plain(props(t, id('Records/LambdaFunction'))['Environment'])).toEqual({ Variables: { TABLE: { Ref: 'DynamoTable' }, DDB_TABLE_NAME: { Ref: 'DynamoTable' } } });
    expect(plain(props(t, id('Notify/notify'))['Environment'])).toEqual({ Variables: { MODE: 'email' } });
  });

  it('SNS subscriptions and S3 notifications', () => {
    const t = load(r`import * as sns from 'aws-cdk-lib/aws-sns';
import * as subs from 'aws-cdk-lib/aws-sns-subscriptions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Queue } from 'aws-cdk-lib/aws-sqs';
const fn = new lambda.Function(this, 'Fn', {});
const dlq = new Queue(this, 'Dlq');
const topic = new sns.Topic(this, 'T');
topic.addSubscription(new subs.LambdaSubscription(fn, { deadLetterQueue: dlq }));
topic.addSubscription(new subs.UrlSubscription('http://example.com/hook'));
new s3.Bucket(this, 'B').addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(fn));
`);
    expect(plain(props(t, 'T/Subscription:Fn'))).toEqual({
      Protocol: 'lambda',
      Endpoint: { 'Fn::GetAtt': ['Fn', 'Arn'] },
      TopicArn: { Ref: 'T' },
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['Dlq', 'Arn'] } },
    });
    expect(plain(props(t, 'T/Subscription:UrlSubscription'))).toMatchObject({ Protocol: 'http', Endpoint: 'http://example.com/hook' });
    expect(plain(props(t, 'Fn/AllowBucketNotification'))).toEqual({ Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': ['Fn', 'Arn'] }, Principal: 's3.amazonaws.com' });
    expect(at(t, ['Resources', 'Fn/AllowBucketNotification'])).toBe('12:1-12:106');
  });

  it('invoke permissions for service principals', () => {
    const t = load(r`import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as iam from 'aws-cdk-lib/aws-iam';
const fn = new lambda.Function(this, 'Fn', {});
fn.addPermission('FromSes', { principal: new iam.ServicePrincipal('ses.amazonaws.com') });
fn.grantInvoke(new iam.ServicePrincipal('events.amazonaws.com'));
fn.grantInvoke(new iam.AccountPrincipal('123456789012'));
`);
    const permissions = [...t.resources.values()].filter((x) => x.type === 'AWS::Lambda::Permission').map((x) => `${x.id} ${x.properties['Principal']}`);
    expect(permissions).toEqual(['Fn/FromSes ses.amazonaws.com', 'Fn/Invoke:events.amazonaws.com events.amazonaws.com']);
  });

  it('API Gateway and AppSync callers', () => {
    const t = load(r`import { Duration } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
const fn = new lambda.Function(this, 'Fn', {});
const api = new apigw.RestApi(this, 'Api', { endpointTypes: [apigw.EndpointType.REGIONAL] });
api.root.addResource('a').addMethod('POST', new apigw.LambdaIntegration(fn, { timeout: Duration.seconds(50) }));
`);
    const method = [...t.resources.values()].find((x) => x.type === 'AWS::ApiGateway::Method')!;
    expect(plain(method.properties)).toEqual({
      RestApiId: { Ref: 'Api' },
      HttpMethod: 'POST',
      Integration: { Type: 'AWS_PROXY', Uri: { 'Fn::GetAtt': ['Fn', 'Arn'] }, TimeoutInMillis: 50000 },
    });
    // named by its construct path, as a synth names it
    expect(method.id).toBe('Api/Default/a/POST');
    expect(plain(props(t, 'Api'))).toEqual({ EndpointConfiguration: { Types: ['REGIONAL'] } });
  });

  it('Application Load Balancer target groups of functions', () => {
    const t = load(r`import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { LambdaTarget } from 'aws-cdk-lib/aws-elasticloadbalancingv2-targets';
const fn = new lambda.Function(this, 'Fn', {});
const other = new lambda.Function(this, 'Other', {});
const group = new elbv2.ApplicationTargetGroup(this, 'Tg', { targets: [new LambdaTarget(fn)] });
group.addTarget(new LambdaTarget(other));
new elbv2.ApplicationTargetGroup(this, 'Instances', { port: 80 });
`);
    expect(plain(props(t, 'Tg'))).toEqual({ TargetType: 'lambda', Targets: [{ Id: { 'Fn::GetAtt': ['Fn', 'Arn'] } }, { Id: { 'Fn::GetAtt': ['Other', 'Arn'] } }] });
    expect(t.resources.get('Tg')!.type).toBe('AWS::ElasticLoadBalancingV2::TargetGroup');
    // a group of instances or IP addresses invokes no function
    expect(plain(props(t, 'Instances'))).toEqual({});
  });

  it('escape hatches: property overrides on the default child', () => {
    const t = load(r`import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
const q = new sqs.Queue(this, 'Q', { visibilityTimeout: undefined });
(q.node.defaultChild as sqs.CfnQueue).addPropertyOverride('RedrivePolicy.maxReceiveCount', 4);
const fn = new lambda.Function(this, 'Fn', {});
const method = new apigw.RestApi(this, 'Api').root.addMethod('GET', new apigw.LambdaIntegration(fn));
const cfn = method.node.defaultChild as apigw.CfnMethod;
cfn.addPropertyOverride('Integration.ResponseTransferMode', 'STREAM');
cfn.addPropertyDeletionOverride('Integration.Type');
`);
    expect(plain(props(t, 'Q'))).toEqual({ RedrivePolicy: { maxReceiveCount: 4 } });
    expect(at(t, ['Resources', 'Q', 'Properties', 'RedrivePolicy', 'maxReceiveCount'])).toBe('5:1-5:94');
    const method = [...t.resources.values()].find((x) => x.type === 'AWS::ApiGateway::Method')!;
    expect(plain(method.properties['Integration'])).toEqual({ Uri: { 'Fn::GetAtt': ['Fn', 'Arn'] }, ResponseTransferMode: 'STREAM' });
  });

  it('L1 constructs: props renamed to CloudFormation names, JSON documents kept as written', () => {
    const t = load(r`import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as pipes from 'aws-cdk-lib/aws-pipes';
const dlq = new sqs.CfnQueue(this, 'Dlq', {});
new sqs.CfnQueue(this, 'Q', { visibilityTimeout: 60, redrivePolicy: { deadLetterTargetArn: dlq.attrArn, maxReceiveCount: 3 } });
new pipes.CfnPipe(this, 'P', { sourceParameters: { dynamoDbStreamParameters: { startingPosition: 'LATEST' } } });
`);
    expect(plain(props(t, 'Q'))).toEqual({ VisibilityTimeout: 60, RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['Dlq', 'Arn'] }, maxReceiveCount: 3 } });
    expect(plain(props(t, 'P'))).toEqual({ SourceParameters: { DynamoDBStreamParameters: { StartingPosition: 'LATEST' } } });
    expect(t.resources.get('P')!.type).toBe('AWS::Pipes::Pipe');
  });

  it('Step Functions: a chain goes on after a Choice from the states its branches end in', () => {
    const t = load(r`import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
const a = new sfn.Pass(this, 'A');
const b = new sfn.Pass(this, 'B').next(new sfn.Pass(this, 'B2'));
const done = new sfn.Succeed(this, 'Done');
const flow = new sfn.Choice(this, 'Pick')
  .when(sfn.Condition.booleanEquals('$.a', true), a)
  .when(sfn.Condition.booleanEquals('$.b', true), b)
  .when(sfn.Condition.booleanEquals('$.done', true), done)
  .afterwards({ includeOtherwise: true })
  .next(new sfn.Pass(this, 'C'));
new sfn.StateMachine(this, 'M', { definitionBody: sfn.DefinitionBody.fromChainable(flow) });
`);
    const [machine] = stateMachines([t]);
    const states = plain(machine!.definition) as { States: Record<string, { Next?: string; Default?: string }> };
    expect(Object.keys(states.States).sort()).toEqual(['A', 'B', 'B2', 'C', 'Done', 'Pick']);
    expect([states.States['A']!.Next, states.States['B2']!.Next, states.States['Done']!.Next, states.States['Pick']!.Default]).toEqual(['C', 'C', undefined, 'C']);
  });

  it('Step Functions: a chain of L2 states becomes an ASL definition located at the states', () => {
    const t = load(r`import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import * as lambda from 'aws-cdk-lib/aws-lambda';
const fn = new lambda.Function(this, 'Fn', {});
const a = new tasks.LambdaInvoke(this, 'A', { lambdaFunction: fn, taskTimeout: sfn.Timeout.duration(Duration.seconds(30)) });
a.addRetry({ errors: ['Busy'], maxAttempts: 4, maxDelay: Duration.seconds(20) });
const done = new sfn.Succeed(this, 'Done');
a.addCatch(new sfn.Fail(this, 'Failed'), { errors: [sfn.Errors.TIMEOUT] });
const choice = new sfn.Choice(this, 'Check').when(sfn.Condition.booleanEquals('$.ok', true), done).otherwise(new sfn.Pass(this, 'Skip'));
new sfn.StateMachine(this, 'M', {
  definitionBody: sfn.DefinitionBody.fromChainable(sfn.Chain.start(a).next(choice)),
  stateMachineType: sfn.StateMachineType.EXPRESS,
  timeout: Duration.minutes(5),
});
`);
    const [machine] = stateMachines([t]);
    expect(machine!.workflowType).toBe('EXPRESS');
    expect(plain(machine!.definition)).toEqual({
      StartAt: 'A',
      TimeoutSeconds: 300,
      States: {
        A: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: { 'Fn::GetAtt': ['Fn', 'Arn'] }, 'Payload.$': '$' },
          TimeoutSeconds: 30,
          Next: 'Check',
          Retry: [
            { ErrorEquals: ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException'], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2 },
            { ErrorEquals: ['Busy'], MaxAttempts: 4, MaxDelaySeconds: 20 },
          ],
          Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'Failed' }],
        },
        Check: { Type: 'Choice', Choices: [{ Next: 'Done' }], Default: 'Skip' },
        Failed: { Type: 'Fail' },
        Done: { Type: 'Succeed' },
        Skip: { Type: 'Pass', End: true },
      },
    });
    const states = statesOf(machine!).map((s) => `${s.name} ${at(machine!.template, s.path)}`);
    expect(states).toEqual(['A 6:11-6:125']);
    expect(at(machine!.template, [...statesOf(machine!)[0]!.path, 'Retry', 0])).toBe('6:11-6:125');
    expect(at(machine!.template, [...statesOf(machine!)[0]!.path, 'Retry', 1, 'MaxDelaySeconds'])).toBe('7:48-7:78');
    expect(at(machine!.template, [...statesOf(machine!)[0]!.path, 'HeartbeatSeconds'])).toBe('6:11-6:33~');
  });

  it('Step Functions: an inline JSON definition is located inside the string literal', () => {
    const t = load(r`import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
new sfn.StateMachine(this, 'M', {
  definitionBody: sfn.DefinitionBody.fromString('{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::sqs:sendMessage","End":true}}}'),
});
`);
    const [machine] = stateMachines([t]);
    const [task] = statesOf(machine!);
    expect(at(machine!.template, task!.path)).toBe('3:79-3:151');
    expect(at(machine!.template, [...task!.path, 'Resource'])).toBe('3:105-3:139');
  });
});

describe('construct classes of other files', () => {
  /** A module host over in-memory files: relative specifiers, `.ts` added; counts the files it parses. */
  function host(files: Record<string, string>): ModuleHost & { parsed: string[] } {
    const cache = new Map<string, FileFacts>();
    const parsed: string[] = [];
    const self: ModuleHost & { parsed: string[] } = {
      parsed,
      resolve(specifier, fromFile) {
        if (!specifier.startsWith('.')) return undefined;
        const file = `${path.posix.resolve(path.posix.dirname(fromFile), specifier)}.ts`;
        return files[file] === undefined ? undefined : file;
      },
      facts(file) {
        let facts = cache.get(file);
        if (!facts && files[file] !== undefined) {
          parsed.push(file);
          facts = new FileAnalysis(parseCode(file, files[file]!, false), self);
          cache.set(file, facts);
        }
        return facts;
      },
    };
    return self;
  }

  function loadWith(files: Record<string, string>, file = '/app/lib/stack.ts'): { template: Template; parsed: string[] } {
    const modules = host(files);
    const template = loadCdkSource(parseCode(file, files[file]!, false), modules);
    expect(template, 'a template').toBeDefined();
    return { template: template!, parsed: modules.parsed };
  }

  /** `file line:column-line:column` of a path. */
  function where(template: Template, p: (string | number)[]): string {
    const { range, file } = template.locate(p);
    return `${path.posix.basename(file ?? template.file)} ${range.start.line}:${range.start.column}-${range.end.line}:${range.end.column}`;
  }

  const API = `import { Construct } from 'constructs';
import { LambdaIntegration, RestApi } from 'aws-cdk-lib/aws-apigateway';
export interface ApiProps { readonly handler: any; readonly name?: string }
export class Api extends Construct {
  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const api = new RestApi(this, 'Rest', { restApiName: props.name ?? 'items' });
    api.root.addResource('items').addMethod('ANY', new LambdaIntegration(props.handler));
  }
}
`;
  const STACK = `import { Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Api } from './api';
export class AppStack extends Stack {
  constructor(scope: any, id: string) {
    super(scope, id);
    const fn = new lambda.Function(this, 'Items', { timeout: Duration.minutes(1) });
    new Api(this, 'Api', { handler: fn, name: 'orders' });
  }
}
`;

  it('run with the props the file passes; their constructs are located in their own file, those of the file in it', () => {
    const { template, parsed } = loadWith({ '/app/lib/api.ts': API, '/app/lib/stack.ts': STACK });
    expect([...template.resources.values()].map((r) => `${r.id} ${r.type} ${String(r.metadata?.['aws:cdk:path'])}`)).toEqual([
      'Items AWS::Lambda::Function Items',
      'Rest AWS::ApiGateway::RestApi Api/Rest',
      'Api/Rest/Default/items/ANY AWS::ApiGateway::Method Api/Rest/Default/items/ANY',
    ]);
    expect(plain(props(template, 'Api/Rest/Default/items/ANY')['Integration'])).toEqual({ Type: 'AWS_PROXY', Uri: { 'Fn::GetAtt': ['Items', 'Arn'] } });
    expect(where(template, ['Resources', 'Items', 'Properties', 'Timeout'])).toBe('stack.ts 7:53-7:81');
    expect(where(template, ['Resources', 'Rest'])).toBe('api.ts 7:17-7:82');
    expect(where(template, ['Resources', 'Api/Rest/Default/items/ANY'])).toBe('api.ts 8:5-8:89');
    expect(template.otherTexts).toEqual(new Map([['/app/lib/api.ts', API]]));
    expect(parsed).toEqual(['/app/lib/api.ts']);

    // across threads, with the other file's text
    const back = unpackTemplate(structuredClone(packTemplate(template)!));
    expect(where(back, ['Resources', 'Rest'])).toBe('api.ts 7:17-7:82');
    expect(where(back, ['Resources', 'Items', 'Properties', 'Timeout'])).toBe('stack.ts 7:53-7:81');
  });

  it('targets passed in a list and added by the class: each located where the file creates it', () => {
    const bus = `import { Construct } from 'constructs';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
export class Bus extends Construct {
  constructor(scope: Construct, id: string, props: { targets: any[] }) {
    super(scope, id);
    const rule = new Rule(this, 'Route', { eventBus: new EventBus(this, 'Bus'), eventPattern: { source: ['app'] } });
    props.targets.forEach((t) => rule.addTarget(t));
  }
}
`;
    const stack = `import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import * as c from './constructs/bus';
export class AppStack extends Stack {
  constructor(scope: any, id: string) {
    super(scope, id);
    const fn = new lambda.Function(this, 'Consumer', {});
    new c.Bus(this, 'Events', { targets: [new LambdaFunction(fn), new LambdaFunction(fn, { retryAttempts: 2 })] });
  }
}
`;
    const { template } = loadWith({ '/app/lib/constructs/bus.ts': bus, '/app/lib/stack.ts': stack });
    const targets = props(template, 'Route')['Targets'];
    expect(plain(targets)).toEqual([
      { Id: 'Target0', Arn: { 'Fn::GetAtt': ['Consumer', 'Arn'] } },
      { Id: 'Target1', Arn: { 'Fn::GetAtt': ['Consumer', 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 2 } },
    ]);
    expect(where(template, ['Resources', 'Route'])).toBe('bus.ts 6:18-6:117');
    expect(where(template, ['Resources', 'Route', 'Properties', 'Targets', 0])).toBe('stack.ts 9:43-9:65');
    expect(where(template, ['Resources', 'Route', 'Properties', 'Targets', 1, 'RetryPolicy', 'MaximumRetryAttempts'])).toBe('stack.ts 9:92-9:108');
  });

  it('followed through base classes, default exports, nested classes and helper classes of CDK files, each file parsed once; cycles are not', () => {
    const files = {
      '/app/lib/base.ts': `import { Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
export class BaseStack extends Stack {
  constructor(scope: any, id: string) {
    super(scope, id);
    new sqs.Queue(this, 'Audit');
  }
}
`,
      '/app/lib/worker.ts': `import { Construct } from 'constructs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import Inner from './inner';
export class Worker extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new sqs.Queue(this, 'Jobs');
    new Inner(this, 'Inner');
  }
}
`,
      '/app/lib/inner.ts': `import { Construct } from 'constructs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Worker } from './worker';
export default class Inner extends Construct {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new sqs.Queue(this, 'Deep');
    new Worker(this, 'Again');
  }
}
`,
      '/app/lib/plain.ts': `import * as sqs from 'aws-cdk-lib/aws-sqs';
export class Helper {
  constructor(scope: any) { new sqs.Queue(scope, 'Helped'); }
}
`,
      '/app/lib/stack.ts': `import * as sqs from 'aws-cdk-lib/aws-sqs';
import { BaseStack } from './base';
import { Worker } from './worker';
import { Helper } from './plain';
export class AppStack extends BaseStack {
  constructor(scope: any, id: string) {
    super(scope, id);
    new Worker(this, 'A');
    new Worker(this, 'B');
    new Helper(this);
    new sqs.Queue(this, 'Own');
  }
}
`,
    };
    const { template, parsed } = loadWith(files);
    expect([...template.resources.values()].map((r) => `${String(r.metadata?.['aws:cdk:path'])} ${where(template, r.path)}`)).toEqual([
      'Audit base.ts 6:5-6:33',
      'A/Jobs worker.ts 7:5-7:32',
      'A/Inner/Deep inner.ts 7:5-7:32',
      'B/Jobs worker.ts 7:5-7:32',
      'B/Inner/Deep inner.ts 7:5-7:32',
      'Helped plain.ts 3:29-3:59',
      'Own stack.ts 11:5-11:31',
    ]);
    expect(parsed.sort()).toEqual(['/app/lib/base.ts', '/app/lib/inner.ts', '/app/lib/plain.ts', '/app/lib/worker.ts']);
  });

  it('without a module host, or for a module that is no file of the app, the class is unknown', () => {
    const template = loadCdkSource(parseCode('/app/lib/stack.ts', STACK, false))!;
    expect([...template.resources.keys()]).toEqual(['Items']);
    const { template: missing } = loadWith({ '/app/lib/stack.ts': STACK });
    expect([...missing.resources.keys()]).toEqual(['Items']);
    expect(missing.otherTexts).toBeUndefined();
  });
});
