/** The project model: template ↔ handler linking, per-file contexts, the interaction graph, and the engine's use of them. */
import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { lint } from '../../src/api/index.js';
import type { FileResultCache } from '../../src/engine/results.js';
import type { PendingFinding } from '../../src/engine/findings.js';
import { resolveRules } from '../../src/api/index.js';
import { loadIacFile } from '../../src/iac/loaders/index.js';
import { ProjectModel } from '../../src/context/project.js';
import { toDot, toMermaid } from '../../src/context/graph.js';
import { REPORTERS } from '../../src/reporters/index.js';
import { project } from '../helpers/tmp.js';
import { FIXTURES, listFiles } from '../helpers/fixtures.js';
import { RULES } from '../../src/rules/index.js';

const RULE_NAMES = RULES.map((r) => r.meta.name);

function model(root: string, templateFiles: string[], codeFiles: string[]): ProjectModel {
  const templates = templateFiles.map((f) => {
    const file = path.join(root, f);
    return loadIacFile(file, readFileSync(file, 'utf8'))!.template!;
  });
  return new ProjectModel(templates, codeFiles.map((f) => path.join(root, f)));
}

const SAM = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    CodeUri: dist/
Resources:
  Consumer:
    Type: AWS::Serverless::Function
    Properties:
      Handler: handlers/consume.handler
      Environment:
        Variables:
          OUT_QUEUE_URL: !Ref OutQueue
      Events:
        In:
          Type: SQS
          Properties:
            Queue: !GetAtt InQueue.Arn
            FunctionResponseTypes: [ReportBatchItemFailures]
  Api:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: api/
      Handler: index.main
      Events:
        Get:
          Type: HttpApi
  InQueue:
    Type: AWS::SQS::Queue
  OutQueue:
    Type: AWS::SQS::Queue
    Properties:
      FifoQueue: true
      ContentBasedDeduplication: true
`;

describe('handler linking and per-file context', () => {
  it('maps SAM CodeUri (Globals) + Handler to sources, dist/*.js back to src/*.ts, and folders to index files', () => {
    const root = project({ 'template.yaml': SAM, 'src/handlers/consume.ts': '', 'api/index.js': '' });
    const m = model(root, ['template.yaml'], ['src/handlers/consume.ts', 'api/index.js']);
    const consume = m.fileContext(path.join(root, 'src/handlers/consume.ts'))!;
    expect(consume.evidence).toMatchObject({ context: 'at-least-once', source: 'SQS' });
    expect(consume.reportsBatchItemFailures).toBeDefined();
    expect(consume.env['OUT_QUEUE_URL']).toMatchObject({ kind: 'queue', fifo: true, contentBasedDeduplication: true });
    expect(m.fileContext(path.join(root, 'api/index.js'))!.evidence).toMatchObject({ context: 'request-path' });
  });

  it('maps a build that flattens the source tree (dist/<name>/ from src/lambdas/<name>/) to the one source that matches', () => {
    const template = `Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: dist/orders/
      Handler: handler.handler
      Events:
        In: { Type: SQS, Properties: { Queue: arn:aws:sqs:eu-west-2:123456789012:orders } }
  Refunds:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: dist/refunds
      Handler: handler.handler
      Events:
        In: { Type: SQS, Properties: { Queue: arn:aws:sqs:eu-west-2:123456789012:refunds } }
  Index:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: dist/
      Handler: index.handler
      Events:
        In: { Type: SQS, Properties: { Queue: arn:aws:sqs:eu-west-2:123456789012:index } }
`;
    const files = ['src/lambdas/orders/handler.ts', 'src/lambdas/refunds/handler.ts', 'tools/refunds/handler.ts', 'src/lambdas/audit/index.ts', 'node_modules/x/orders/handler.js'];
    const root = project({ 'template.yaml': template, ...Object.fromEntries(files.map((f) => [f, ''])) });
    const m = model(root, ['template.yaml'], files);
    expect(m.fileContext(path.join(root, 'src/lambdas/orders/handler.ts'))!.evidence).toMatchObject({ context: 'at-least-once', source: 'SQS' });
    // two sources end with refunds/handler; dist/index names nothing of its own
    expect(m.fileContext(path.join(root, 'src/lambdas/refunds/handler.ts'))).toBeUndefined();
    expect(m.fileContext(path.join(root, 'tools/refunds/handler.ts'))).toBeUndefined();
    expect(m.fileContext(path.join(root, 'src/lambdas/audit/index.ts'))).toBeUndefined();
  });

  it('links Serverless Framework handlers relative to serverless.yml', () => {
    const root = project({
      'serverless.yml': 'service: s\nprovider:\n  name: aws\nfunctions:\n  worker:\n    handler: src/worker.run\n    events:\n      - sqs: arn:aws:sqs:eu-west-1:123456789012:jobs\n',
      'src/worker.mjs': '',
    });
    const m = model(root, ['serverless.yml'], ['src/worker.mjs']);
    expect(m.fileContext(path.join(root, 'src/worker.mjs'))!.evidence).toMatchObject({ context: 'at-least-once', source: 'SQS' });
  });

  it('gives no context to files no template links', () => {
    const root = project({ 'template.yaml': SAM, 'src/lib/util.ts': '' });
    expect(model(root, ['template.yaml'], ['src/lib/util.ts']).fileContext(path.join(root, 'src/lib/util.ts'))).toBeUndefined();
  });
});

describe('interaction graph', () => {
  const dir = path.join(FIXTURES, 'no-deep-sync-chain', 'event-break-project');
  const files = ['serverless.yml', 'src/checkout.mjs', 'src/payment.mjs', 'src/receipt.mjs', 'src/mailer.mjs'].map((f) => path.join(dir, f));
  const run = () => lint({ cwd: dir, files, rules: resolveRules('strict', {}) });

  it('has template and code edges, synchronous and not', async () => {
    const { graph } = await run();
    expect(graph!.edges.map((e) => `${e.from} ${e.sync ? '==>' : '-->'} ${e.to} ${e.label}`)).toEqual([
      'api:HttpApi ==> function:checkout HttpApi',
      'function:checkout ==> function:payment Invoke',
      'function:payment --> function:receipt Invoke',
      'function:receipt ==> function:mailer Invoke',
    ]);
  });

  it('renders Mermaid with thick labelled synchronous edges and dashed asynchronous ones, and DOT', async () => {
    const { graph } = await run();
    const mermaid = toMermaid(graph!);
    expect(mermaid.startsWith('flowchart LR\n')).toBe(true);
    expect(mermaid).toMatch(/n\d+ ==>\|"sync Invoke"\| n\d+/);
    expect(mermaid).toMatch(/n\d+ -\.->\|"Invoke"\| n\d+/);
    const dot = toDot(graph!);
    expect(dot).toContain('"function:checkout" -> "function:payment" [label="sync Invoke", style=bold, penwidth=2];');
    expect(dot).toContain('"function:payment" -> "function:receipt" [label="Invoke", style=dashed];');
  });

  it('is the graph report and part of the JSON report', async () => {
    const result = await run();
    const ctx = { color: false, cwd: dir, toolVersion: '0.0.0' };
    expect(REPORTERS.graph(result, ctx)).toBe(toMermaid(result.graph!));
    expect(REPORTERS.graph(result, { ...ctx, graphFormat: 'dot' })).toBe(toDot(result.graph!));
    expect(JSON.parse(REPORTERS.json(result, ctx)).graph.nodes).toHaveLength(5);
  });
});

describe('engine', () => {
  it('lints templates before code so that linked files get their context, and never serves them from the cache', async () => {
    const root = project({
      'template.yaml': SAM,
      'src/handlers/consume.ts': `import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
const ec2 = new EC2Client({});
export async function handler(input: unknown) {
  await ec2.send(new RunInstancesCommand({ ImageId: String(input), MinCount: 1, MaxCount: 1 }));
}
`,
      'src/lib/other.ts': `import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
export const start = (ec2: EC2Client) => ec2.send(new RunInstancesCommand({ ImageId: 'ami-1', MinCount: 1, MaxCount: 1 }));
`,
    });
    const store = new Map<string, PendingFinding[]>();
    const asked: string[] = [];
    const cache: FileResultCache = {
      get: (file) => {
        asked.push(file);
        return store.get(file);
      },
      set: (file, _hash, findings) => void store.set(file, findings),
      isEmpty: () => store.size === 0,
    };
    const rules = resolveRules('recommended', {});
    // code first in the list: the engine still loads the template before it
    const files = ['src/handlers/consume.ts', 'src/lib/other.ts', 'template.yaml'].map((f) => path.join(root, f));
    for (let i = 0; i < 2; i++) {
      const result = await lint({ cwd: root, files, rules, cache });
      const tokens = result.findings.filter((f) => f.rule === 'require-idempotency-token').map((f) => `${f.file} ${f.severity}`);
      expect(tokens).toEqual(['src/handlers/consume.ts error', 'src/lib/other.ts warning']);
    }
    expect(asked).toEqual(['src/lib/other.ts', 'src/lib/other.ts']);
  });
});

describe('no-deep-sync-chain', () => {
  const rules = resolveRules('strict', Object.fromEntries(RULE_NAMES.filter((n) => n !== 'no-deep-sync-chain' && n !== 'parse-error').map((n) => [n, 'off' as const])));
  async function chainFindings(name: string) {
    const dir = path.join(FIXTURES, 'no-deep-sync-chain', name);
    const files = listFiles(dir);
    const result = await lint({ cwd: dir, files, rules });
    return result.findings.map((f) => ({ at: `${f.file}:${f.range.start.line}`, message: f.message, related: f.related.map((r) => `${r.file}:${r.range.start.line} ${r.message}`) }));
  }

  it('reports a three-hop chain once, at the first call from code, with every other hop related', async () => {
    expect(await chainFindings('chain-project')).toEqual([
      {
        at: 'src/create-order.ts:6',
        message:
          'Synchronous chain of 3 hops (CreateOrder API → create-order → pricing (Invoke) → tax (Invoke)): every caller waits for the whole chain, so the latencies add up and a slow or failing tax fails the request',
        related: ['template.yaml:19 synchronous hop: CreateOrder API → create-order', 'src/pricing.js:6 synchronous hop: pricing → tax (Invoke)'],
      },
    ]);
  });

  it('follows calls made by helpers of other modules, related at the line that makes each', async () => {
    expect(await chainFindings('helper-chain-project')).toEqual([
      {
        at: 'src/quote.ts:4',
        message:
          'Synchronous chain of 3 hops (Quote API → quote → pricing (Invoke) → tax (Invoke)): every caller waits for the whole chain, so the latencies add up and a slow or failing tax fails the request',
        related: [
          'src/lib/pricing-client.ts:8 the Invoke call, made by the helper this line calls',
          'template.yaml:19 synchronous hop: Quote API → quote',
          'src/pricing.js:4 synchronous hop: pricing → tax (Invoke)',
          'src/lib/tax-client.js:6 the Invoke call of that hop, made by the helper called there',
        ],
      },
    ]);
  });

  it('draws the calls helpers make as the handler function\'s edges, and no edge to its own sandbox', async () => {
    const dir = path.join(FIXTURES, 'no-deep-sync-chain', 'helper-chain-project');
    const { graph } = await lint({ cwd: dir, files: listFiles(dir), rules });
    expect(graph!.edges.map((e) => `${e.from} ${e.sync ? '==>' : '-->'} ${e.to} ${e.label}`)).toEqual([
      'api:ServerlessRestApi ==> function:quote Quote',
      'function:pricing ==> function:tax Invoke',
      'function:quote ==> function:pricing Invoke',
    ]);
  });

  it('reports a two-function cycle once, starting where a route enters it', async () => {
    expect(await chainFindings('cycle-project')).toEqual([
      {
        at: 'src/quote.ts:6',
        message:
          'Synchronous cycle (quote → stock (Invoke) → quote (Invoke)): the functions wait on each other, so one slow call stalls the loop and a request can recurse until it times out or exhausts concurrency',
        related: ['src/stock.ts:7 synchronous hop: stock → quote (Invoke)'],
      },
    ]);
  });

  it('counts an HTTP call through an API of the project and the function behind it as one hop', async () => {
    const [finding] = await chainFindings('http-chain-project');
    expect(finding.message).toContain('Synchronous chain of 3 hops (Checkout API → gateway → OrdersApi (HTTP) → orders → stock (Invoke))');
    expect(finding.related).toHaveLength(3);
  });

  it('stops a chain at an Event invocation', async () => {
    expect(await chainFindings('event-break-project')).toEqual([]);
  });

  it('follows a synchronous Express workflow through the workflows and services it waits for', async () => {
    expect(await chainFindings('sync-workflow-project')).toEqual([
      {
        at: 'src/checkout.ts:7',
        message:
          'Synchronous chain of 4 hops (Post API → checkout → CheckoutFlow (StartSyncExecution) → PricingFlow → price): every caller waits for the whole chain, so the latencies add up and a slow or failing price fails the request',
        related: ['template.yaml:17 synchronous hop: Post API → checkout', 'template.yaml:33 synchronous hop: CheckoutFlow → PricingFlow', 'template.yaml:46 synchronous hop: PricingFlow → price'],
      },
    ]);
  });
});

describe('code calls', () => {
  it('resolves SDK calls and HTTP requests through the environment variables the template sets', async () => {
    const root = project({
      'template.yaml': `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Environment:
        Variables:
          BUS: !Ref Bus
          TOPIC_ARN: !Ref Topic
          FLOW: !Ref Flow
          PARTNER_URL: https://api.partner.example.com/v1
  Bus:
    Type: AWS::Events::EventBus
    Properties:
      Name: orders
  Topic:
    Type: AWS::SNS::Topic
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: '{}'
      RoleArn: arn:aws:iam::123456789012:role/x
`,
      'src/app.ts': `import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SNSClient, PublishCommand } from '@aws-sdk/client-sns';
import { SFNClient, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
const eb = new EventBridgeClient({});
const sns = new SNSClient({});
const sfn = new SFNClient({});
export const handler = async () => {
  await eb.send(new PutEventsCommand({ Entries: [{ EventBusName: process.env.BUS, Source: 'a', DetailType: 'b', Detail: '{}' }] }));
  await sns.send(new PublishCommand({ TopicArn: process.env.TOPIC_ARN, Message: 'x' }));
  await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: process.env.FLOW! }));
  await fetch(process.env.PARTNER_URL + '/orders');
};
`,
    });
    const result = await lint({ cwd: root, files: [path.join(root, 'template.yaml'), path.join(root, 'src/app.ts')], rules: resolveRules('recommended', {}) });
    expect(result.graph!.edges.map((e) => `${e.from} ${e.sync ? '==>' : '-->'} ${e.to} ${e.label}`)).toEqual([
      'function:Fn --> bus:Bus PutEvents',
      'function:Fn --> topic:Topic Publish',
      'function:Fn ==> state-machine:Flow StartSyncExecution',
      'function:Fn ==> http:api.partner.example.com HTTP',
    ]);
  });
});

describe('code calls through helper parameters', () => {
  it('reads a queue, topic or function a helper takes as a parameter at each call that reaches it', async () => {
    const root = project({
      'template.yaml': `Transform: AWS::Serverless-2016-10-31
Resources:
  Intake:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: intake.handler
      Environment:
        Variables:
          WORK_QUEUE_URL: !Ref WorkQueue
          AUDIT_QUEUE_URL: !Ref AuditQueue
          ALERTS_TOPIC_ARN: !Ref Alerts
          PRICING_FUNCTION: !Ref Pricing
  Pricing:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: pricing.handler
  WorkQueue:
    Type: AWS::SQS::Queue
  AuditQueue:
    Type: AWS::SQS::Queue
  Alerts:
    Type: AWS::SNS::Topic
`,
      'src/intake.ts': `import { sendWork } from './work';
import { sendSqsMessage } from './lib/queue';
import { notify, price } from './lib/clients';
export const handler = async (event: { body: string }) => {
  await sendWork({ id: event.body });
  await sendSqsMessage({ audit: event.body }, process.env.AUDIT_QUEUE_URL!);
  await notify(process.env.ALERTS_TOPIC_ARN!, 'received');
  return price(event.body, process.env.PRICING_FUNCTION!);
};
`,
      'src/work.ts': `import { sendSqsMessage } from './lib/queue';
import { getEnv } from './lib/env';
export const sendWork = (params: object) => sendSqsMessage(params, getEnv('WORK_QUEUE_URL'));
`,
      'src/lib/env.ts': `export const getEnv = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(name);
  return value;
};
`,
      'src/lib/queue.ts': `import { SendMessageCommand, SQSClient, type SendMessageRequest } from '@aws-sdk/client-sqs';
const sqs = new SQSClient({});
export const sendSqsMessage = async (body: object, queueUrl: string) => sendText(JSON.stringify(body), queueUrl);
export const sendText = async (body: string, queueUrl: string) => {
  const message: SendMessageRequest = { QueueUrl: queueUrl, MessageBody: body };
  return sqs.send(new SendMessageCommand(message));
};
`,
      'src/lib/clients.ts': `import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
const sns = new SNSClient({});
const lambda = new LambdaClient({});
export const notify = (topicArn: string, message: string) => sns.send(new PublishCommand({ TopicArn: topicArn, Message: message }));
export const price = (body: string, functionName: string) => lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: body }));
`,
      'src/pricing.ts': 'export const handler = async () => ({ price: 1 });\n',
    });
    const files = ['template.yaml', 'src/intake.ts', 'src/work.ts', 'src/lib/env.ts', 'src/lib/queue.ts', 'src/lib/clients.ts', 'src/pricing.ts'].map((f) => path.join(root, f));
    const result = await lint({ cwd: root, files, rules: resolveRules('recommended', {}) });
    expect(result.graph!.edges.map((e) => `${e.from} ${e.sync ? '==>' : '-->'} ${e.to} ${e.label}`)).toEqual([
      'function:intake --> queue:WorkQueue SendMessage',
      'function:intake --> queue:AuditQueue SendMessage',
      'function:intake --> topic:Alerts Publish',
      'function:intake ==> function:pricing Invoke',
    ]);
    expect(result.findings.filter((f) => f.rule === 'no-sync-lambda-invoke').map((f) => `${f.file}:${f.range.start.line}`)).toEqual(['src/lib/clients.ts:6']);
  });
});

describe('Terraform', () => {
  it('links a function to the unique source of its handler module beside the configuration', async () => {
    const root = project({
      'infra/main.tf': `resource "aws_sqs_queue" "jobs" {
  name = "jobs"
}

resource "aws_lambda_function" "worker" {
  function_name = "worker"
  handler       = "worker.handler"
  runtime       = "nodejs20.x"
  role          = "arn:aws:iam::123456789012:role/worker"
  filename      = "\${path.module}/build/worker.zip"
}

resource "aws_lambda_event_source_mapping" "jobs" {
  event_source_arn = aws_sqs_queue.jobs.arn
  function_name    = aws_lambda_function.worker.arn
}
`,
      'infra/src/worker.ts': `import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
const ddb = new DynamoDBClient({});
export async function handler(input: unknown) {
  await ddb.send(new UpdateItemCommand({ TableName: 't', Key: { pk: { S: String(input) } }, UpdateExpression: 'ADD n :one', ExpressionAttributeValues: { ':one': { N: '1' } } }));
}
`,
    });
    const files = ['infra/main.tf', 'infra/src/worker.ts'].map((f) => path.join(root, f));
    const result = await lint({ cwd: root, files, rules: resolveRules('recommended', {}) });
    const consumer = result.findings.filter((f) => f.rule === 'require-idempotent-consumer');
    expect(consumer.map((f) => f.file)).toEqual(['infra/src/worker.ts']);
    expect(consumer[0].message).toContain('wired to SQS');
  });
});

describe('no-deep-sync-chain on a self-invoking function', () => {
  it('reports the recursion as a cycle of one', async () => {
    const root = project({
      'template.yaml': `Transform: AWS::Serverless-2016-10-31
Resources:
  Crawler:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: crawl.handler
      Environment:
        Variables:
          SELF: !Ref Crawler
`,
      'src/crawl.ts': `import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';
const lambda = new LambdaClient({});
export const handler = async (page: { next?: string }) => {
  if (page.next) await lambda.send(new InvokeCommand({ FunctionName: process.env.SELF, Payload: JSON.stringify({ next: undefined }) }));
};
`,
    });
    const rules = resolveRules('strict', Object.fromEntries(RULE_NAMES.filter((n) => n !== 'no-deep-sync-chain' && n !== 'parse-error').map((n) => [n, 'off' as const])));
    const result = await lint({ cwd: root, files: [path.join(root, 'template.yaml'), path.join(root, 'src/crawl.ts')], rules });
    expect(result.findings.map((f) => `${f.file}:${f.range.start.line} ${f.message.split(':')[0]}`)).toEqual(['src/crawl.ts:4 Synchronous cycle (crawl → crawl (Invoke))']);
  });
});

describe('a handler file shared by several functions', () => {
  it('gives each function the calls made inside its own handler export', async () => {
    const root = project({
      'serverless.yml': `service: shop
provider:
  name: aws
  runtime: nodejs20.x
  environment:
    PRICING_FUNCTION: !Ref PricingLambdaFunction
functions:
  create:
    handler: src/handler.create
    events:
      - httpApi: POST /orders
  list:
    handler: src/handler.list
    events:
      - httpApi: GET /orders
  pricing:
    handler: src/pricing.handler
`,
      'src/handler.js': `const { LambdaClient, InvokeCommand } = require('@aws-sdk/client-lambda');
const lambda = new LambdaClient({});
exports.create = async (event) => {
  const priced = await lambda.send(new InvokeCommand({ FunctionName: process.env.PRICING_FUNCTION, Payload: event.body }));
  return { statusCode: 201, body: String(priced.StatusCode) };
};
exports.list = async () => ({ statusCode: 200, body: '[]' });
`,
      'src/pricing.js': `exports.handler = async () => ({ total: 1 });
`,
    });
    const files = ['serverless.yml', 'src/handler.js', 'src/pricing.js'].map((f) => path.join(root, f));
    const result = await lint({ cwd: root, files, rules: resolveRules('recommended', {}) });
    expect(result.graph!.edges.filter((e) => e.via === 'code').map((e) => `${e.from} ${e.to}`)).toEqual(['function:CreateLambdaFunction function:pricing']);
  });
});

describe('function URLs', () => {
  it('start a synchronous chain like an API route', async () => {
    const root = project({
      'template.yaml': `Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    CodeUri: src/
Resources:
  Front:
    Type: AWS::Serverless::Function
    Properties:
      Handler: front.handler
      FunctionUrlConfig:
        AuthType: AWS_IAM
      Environment:
        Variables:
          MIDDLE: !Ref Middle
  Middle:
    Type: AWS::Serverless::Function
    Properties:
      Handler: middle.handler
      Environment:
        Variables:
          BACK: !Ref Back
  Back:
    Type: AWS::Serverless::Function
    Properties:
      Handler: back.handler
`,
      'src/front.ts': `import { Lambda } from '@aws-sdk/client-lambda';
const lambda = new Lambda({});
export const handler = async () => lambda.invoke({ FunctionName: process.env.MIDDLE });
`,
      'src/middle.ts': `import { Lambda } from '@aws-sdk/client-lambda';
const lambda = new Lambda({});
export const handler = async () => lambda.invoke({ FunctionName: process.env.BACK });
`,
      'src/back.ts': 'export const handler = async () => 1;\n',
    });
    const rules = resolveRules('strict', Object.fromEntries(RULE_NAMES.filter((n) => n !== 'no-deep-sync-chain' && n !== 'parse-error').map((n) => [n, 'off' as const])));
    const files = ['template.yaml', 'src/front.ts', 'src/middle.ts', 'src/back.ts'].map((f) => path.join(root, f));
    const result = await lint({ cwd: root, files, rules });
    expect(result.findings.map((f) => f.message.split(':')[0])).toEqual(['Synchronous chain of 3 hops (front URL → front → middle (Invoke) → back (Invoke))']);
  });
});
