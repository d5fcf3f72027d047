import fs from 'node:fs';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { project } from '../helpers/tmp.js';
import { loadIacFile, iacFormat } from '../../src/iac/loaders/index.js';
import { loadServerless } from '../../src/iac/loaders/serverless.js';
import { Intrinsic, Unknown, type Template } from '../../src/iac/model.js';
import { eventSourceMappings, references, refTarget } from '../../src/iac/resources.js';

function load(text: string): Template {
  const loaded = loadServerless('/p/serverless.yml', text);
  expect(loaded).not.toBeNull();
  expect(loaded!.problems).toEqual([]);
  return loaded!.template!;
}

function where(template: Template, path: (string | number)[]): string {
  const { range, exact } = template.locate(path);
  return `${range.start.line}:${range.start.column}${exact ? '' : '~'}`;
}

const props = (t: Template, id: string) => t.resources.get(id)!.properties;

const SERVICE = `service: orders
provider:
  name: aws
  runtime: nodejs20.x
  memorySize: 512
  environment:
    STAGE: \${sls:stage}
  apiGateway:
    timeoutInMillis: 10000
functions:
  create-order:
    handler: src/create.handler
    timeout: 20
    reservedConcurrency: 10
    onError: arn:aws:sns:us-east-1:123456789012:create-failures
    events:
      - http: POST /orders
      - http:
          path: /orders/{id}
          method: get
          timeoutInMillis: 5000
  process_order:
    handler: src/process.handler
    maximumRetryAttempts: 1
    maximumEventAge: 3600
    destinations:
      onFailure: arn:aws:sqs:\${aws:region}:\${aws:accountId}:orders-failures
      onSuccess: create-order
    events:
      - sqs:
          arn: !GetAtt OrdersQueue.Arn
          maximumConcurrency: 5
          functionResponseType: ReportBatchItemFailures
      - stream:
          arn: arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2024
          maximumRetryAttempts: 3
          bisectBatchOnFunctionError: true
          parallelizationFactor: 2
          destinations:
            onFailure:
              arn:
                Fn::GetAtt: [StreamFailures, Arn]
              type: sqs
      - sns:
          topicName: order-events
          redrivePolicy:
            deadLetterTargetArn: !GetAtt EventsDlq.Arn
      - eventBridge:
          eventBus: orders
          pattern:
            source: [orders]
          retryPolicy:
            maximumRetryAttempts: 4
            maximumEventAge: 600
          deadLetterQueueArn: !GetAtt EventsDlq.Arn
      - schedule:
          rate: rate(10 minutes)
          method: scheduler
      - schedule: cron(0 3 * * ? *)
      - httpApi: GET /orders
      - s3: uploads
      - alb:
          listenerArn: arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/x/1/2
          priority: 1
          conditions:
            path: /orders
resources:
  Resources:
    OrdersQueue:
      Type: AWS::SQS::Queue
      Properties:
        VisibilityTimeout: !Ref QueueTimeout
    StreamFailures:
      Type: AWS::SQS::Queue
    EventsDlq:
      Type: AWS::SQS::Queue
    CreateDashorderLambdaFunction:
      Properties:
        MemorySize: 2048
  Outputs:
    Url:
      Value: !Ref OrdersQueue
stepFunctions:
  stateMachines:
    fulfil:
      name: fulfil-\${sls:stage}
      definition:
        StartAt: Ship
        States:
          Ship:
            Type: Task
            Resource: !GetAtt ProcessUnderscoreorderLambdaFunction.Arn
            End: true
`;

describe('Serverless Framework loader', () => {
  it('is chosen by file name and content', () => {
    expect(iacFormat('/p/serverless.yml', SERVICE)).toBe('serverless');
    expect(iacFormat('/p/serverless.yaml', SERVICE)).toBe('serverless');
    expect(loadIacFile('/p/other.yml', SERVICE)).toBeNull(); // a CloudFormation candidate by content, but not a template
    expect(iacFormat('/p/serverless.yml', 'name: not a service\n')).toBeUndefined();
    expect(loadIacFile('/p/serverless.yml', SERVICE)!.template!.format).toBe('serverless');
    expect(loadServerless('/p/serverless.yml', 'service: x\nprovider:\n  name: azure\n')).toBeNull();
  });

  it('synthesizes functions with the framework defaults and provider settings', () => {
    const t = load(SERVICE);
    const create = props(t, 'CreateDashorderLambdaFunction');
    expect(create['Timeout']).toBe(20);
    expect(create['MemorySize']).toBe(2048); // resources override
    expect(create['ReservedConcurrentExecutions']).toBe(10);
    expect(create['DeadLetterConfig']).toEqual({ TargetArn: 'arn:aws:sns:us-east-1:123456789012:create-failures' });
    expect(create['Runtime']).toBe('nodejs20.x');
    const process = props(t, 'ProcessUnderscoreorderLambdaFunction');
    expect(process['Timeout']).toBe(6); // the framework's default, not Lambda's
    expect(process['MemorySize']).toBe(512);
    expect((process['Environment'] as { Variables: Record<string, unknown> }).Variables['STAGE']).toBeInstanceOf(Unknown);
  });

  it('turns async settings into an EventInvokeConfig', () => {
    const t = load(SERVICE);
    const config = props(t, 'ProcessUnderscoreorderLambdaEvConf');
    expect(t.resources.get('ProcessUnderscoreorderLambdaEvConf')!.type).toBe('AWS::Lambda::EventInvokeConfig');
    expect(config['MaximumRetryAttempts']).toBe(1);
    expect(config['MaximumEventAgeInSeconds']).toBe(3600);
    expect(refTarget(config['FunctionName'], t)).toBe('ProcessUnderscoreorderLambdaFunction');
    const destinations = config['DestinationConfig'] as { OnFailure: { Destination: unknown }; OnSuccess: { Destination: unknown } };
    expect(destinations.OnFailure.Destination).toEqual(new Unknown('arn:aws:sqs:${aws:region}:${aws:accountId}:orders-failures'));
    expect(references(destinations.OnFailure.Destination as Unknown).names).toEqual(new Set(['orders-failures']));
    expect(destinations.OnSuccess.Destination).toEqual(new Intrinsic('Fn::GetAtt', ['CreateDashorderLambdaFunction', 'Arn']));
  });

  it('synthesizes event sources with CloudFormation property names', () => {
    const t = load(SERVICE);
    const mappings = eventSourceMappings(t);
    expect(mappings.map((m) => `${m.id} ${m.kind}`)).toEqual([
      'ProcessUnderscoreorderEventSourceMappingSQSOrdersQueue sqs',
      'ProcessUnderscoreorderEventSourceMappingDynamodbStream2024 dynamodb',
    ]);
    const [sqs, stream] = mappings;
    expect(sqs!.sourceId).toBe('OrdersQueue');
    expect(sqs!.functionId).toBe('ProcessUnderscoreorderLambdaFunction');
    expect(sqs!.properties['ScalingConfig']).toEqual({ MaximumConcurrency: 5 });
    expect(sqs!.properties['FunctionResponseTypes']).toEqual(['ReportBatchItemFailures']);
    expect(sqs!.properties['BatchSize']).toBe(10);
    expect(stream!.properties['MaximumRetryAttempts']).toBe(3);
    expect(stream!.properties['ParallelizationFactor']).toBe(2);
    expect(stream!.properties['DestinationConfig']).toEqual({ OnFailure: { Destination: new Intrinsic('Fn::GetAtt', ['StreamFailures', 'Arn']) } });
    const subscription = props(t, 'ProcessUnderscoreorderSnsSubscriptionOrderevents');
    expect(refTarget(subscription['TopicArn'], t)).toBe('SNSTopicOrderevents');
    expect(subscription['RedrivePolicy']).toEqual({ deadLetterTargetArn: new Intrinsic('Fn::GetAtt', ['EventsDlq', 'Arn']) });
    const rule = props(t, 'ProcessUnderscoreorderEventBridgeRule4');
    expect(rule['EventBusName']).toBe('orders');
    expect(rule['Targets']).toEqual([
      {
        Id: 'ProcessUnderscoreorderEventBridgeTarget',
        Arn: new Intrinsic('Fn::GetAtt', ['ProcessUnderscoreorderLambdaFunction', 'Arn']),
        RetryPolicy: { MaximumEventAgeInSeconds: 600, MaximumRetryAttempts: 4 },
        DeadLetterConfig: { Arn: new Intrinsic('Fn::GetAtt', ['EventsDlq', 'Arn']) },
      },
    ]);
    expect(t.resources.get('ProcessUnderscoreorderSchedule5')!.type).toBe('AWS::Scheduler::Schedule');
    expect(props(t, 'ProcessUnderscoreorderSchedule5')['ScheduleExpression']).toBe('rate(10 minutes)');
    expect(props(t, 'ProcessUnderscoreorderEventsRuleSchedule6')['ScheduleExpression']).toBe('cron(0 3 * * ? *)');
    expect(props(t, 'HttpApiIntegrationProcessUnderscoreorder')['TimeoutInMillis']).toBe(30000);
    expect(props(t, 'ProcessUnderscoreorderLambdaPermissionUploadsS3')['Principal']).toBe('s3.amazonaws.com');
    expect(t.resources.get('ProcessUnderscoreorderAlbTargetGroup9')!.type).toBe('AWS::ElasticLoadBalancingV2::TargetGroup');
  });

  it('takes REST integration timeouts from the event, the provider or the default', () => {
    const t = load(SERVICE);
    expect((props(t, 'ApiGatewayMethodOrdersPost')['Integration'] as Record<string, unknown>)['TimeoutInMillis']).toBe(10000);
    expect((props(t, 'ApiGatewayMethodOrdersIdGet')['Integration'] as Record<string, unknown>)['TimeoutInMillis']).toBe(5000);
    const plain = load('service: a\nprovider:\n  name: aws\nfunctions:\n  f:\n    handler: h\n    events:\n      - http: GET /\n');
    const method = [...plain.resources.values()].find((r) => r.type === 'AWS::ApiGateway::Method')!;
    expect((method.properties['Integration'] as Record<string, unknown>)['TimeoutInMillis']).toBe(29000);
  });

  it('merges resources.Resources and step functions, ignoring Outputs', () => {
    const t = load(SERVICE);
    expect(t.resources.get('OrdersQueue')!.type).toBe('AWS::SQS::Queue');
    expect(props(t, 'OrdersQueue')['VisibilityTimeout']).toEqual(new Intrinsic('Ref', 'QueueTimeout'));
    expect(t.root).not.toHaveProperty('Outputs');
    const machine = t.resources.get('FulfilStepFunctionsStateMachine')!;
    expect(machine.type).toBe('AWS::StepFunctions::StateMachine');
    expect(machine.properties['StateMachineName']).toBeInstanceOf(Unknown);
    expect(machine.properties['Definition']).toMatchObject({ StartAt: 'Ship', States: { Ship: { Resource: new Intrinsic('Fn::GetAtt', ['ProcessUnderscoreorderLambdaFunction', 'Arn']) } } });
  });

  it('locates synthesized resources and properties at their Serverless lines', () => {
    const t = load(SERVICE);
    expect(where(t, ['Resources', 'CreateDashorderLambdaFunction', 'Properties', 'Timeout'])).toBe('13:14');
    expect(where(t, ['Resources', 'ProcessUnderscoreorderLambdaFunction', 'Properties', 'Timeout'])).toBe('22:3~');
    expect(where(t, ['Resources', 'ProcessUnderscoreorderLambdaFunction', 'Properties', 'MemorySize'])).toBe('5:15');
    expect(where(t, ['Resources', 'ProcessUnderscoreorderLambdaEvConf', 'Properties', 'MaximumRetryAttempts'])).toBe('24:27');
    expect(where(t, ['Resources', 'ProcessUnderscoreorderEventSourceMappingDynamodbStream2024', 'Properties', 'MaximumRetryAttempts'])).toBe('36:33');
    expect(where(t, ['Resources', 'ProcessUnderscoreorderEventSourceMappingSQSOrdersQueue', 'Properties', 'MaximumBatchingWindowInSeconds'])).toBe('30:9~');
    expect(where(t, ['Resources', 'ProcessUnderscoreorderEventBridgeRule4', 'Properties', 'Targets', 0, 'RetryPolicy', 'MaximumRetryAttempts'])).toBe('53:35');
    expect(where(t, ['Resources', 'OrdersQueue', 'Properties', 'RedrivePolicy'])).toBe('69:5~');
    expect(where(t, ['Resources', 'FulfilStepFunctionsStateMachine', 'Properties', 'Definition', 'States', 'Ship', 'Type'])).toBe('91:19');
  });

  it('keeps ${...} variables unknown and never fails on them', () => {
    const t = load(`service: \${self:custom.name}
provider:
  name: aws
  timeout: \${self:custom.timeouts.\${sls:stage}, 10}
functions:
  f:
    handler: h
    onError: \${ssm:/dlq/arn}
    events:
      - stream: \${cf:infra.StreamArn}
`);
    const fn = props(t, 'FLambdaFunction');
    expect(fn['Timeout']).toBeInstanceOf(Unknown);
    expect(fn['DeadLetterConfig']).toEqual({ TargetArn: new Unknown('${ssm:/dlq/arn}') });
    const [mapping] = eventSourceMappings(t);
    expect(mapping!.kind).toBe('stream');
    expect(mapping!.properties['EventSourceArn']).toBeInstanceOf(Unknown);
  });

  it('resolves ${self:...} references to literals of the document', () => {
    const t = load(`service: shop
custom:
  dlqName: \${self:service}-failures
  retries: 2
  stage: \${opt:stage, 'dev'}
provider:
  name: aws
functions:
  f:
    handler: h
    maximumRetryAttempts: \${self:custom.retries}
    destinations:
      onFailure: arn:aws:sqs:\${aws:region}:\${aws:accountId}:\${self:custom.dlqName}
    environment:
      STAGE: \${self:custom.stage}
      MISSING: \${self:custom.nothing}
`);
    const config = props(t, 'FLambdaEvConf');
    expect(config['MaximumRetryAttempts']).toBe(2);
    const destination = (config['DestinationConfig'] as { OnFailure: { Destination: Unknown } }).OnFailure.Destination;
    expect(destination).toEqual(new Unknown('arn:aws:sqs:${aws:region}:${aws:accountId}:shop-failures'));
    expect(references(destination).names).toEqual(new Set(['shop-failures']));
    const variables = (props(t, 'FLambdaFunction')['Environment'] as { Variables: Record<string, unknown> }).Variables;
    expect(variables['STAGE']).toBeInstanceOf(Unknown);
    expect(variables['MISSING']).toEqual(new Unknown('${self:custom.nothing}'));
  });

  it('replaces a whole-value ${self:...} naming a mapping, a list or an intrinsic with it, located at the variable', () => {
    const t = load(`service: mailer
custom:
  mail:
    arn: !GetAtt MailQueue.Arn
    url:
      Ref: MailQueue
  alias: \${self:custom.mail.arn}
  tags:
    team: mail
  loop:
    again: \${self:custom.loop}
provider:
  name: aws
  tags: \${self:custom.tags}
functions:
  send:
    handler: h.send
    environment:
      MAIL_QUEUE_URL: \${self:custom.mail.url}
      LOOP: \${self:custom.loop}
    events:
      - sqs:
          arn: \${self:custom.alias}
  fallback:
    handler: h.send
    events:
      - sqs:
          arn: \${self:custom.missing, self:custom.mail.arn}
`);
    const [send, fallback] = eventSourceMappings(t);
    expect(send!.properties['EventSourceArn']).toEqual(new Intrinsic('Fn::GetAtt', ['MailQueue', 'Arn']));
    expect(where(t, ['Resources', send!.id, 'Properties', 'EventSourceArn'])).toBe('23:16');
    expect(fallback!.properties['EventSourceArn']).toBeInstanceOf(Unknown);
    const fn = props(t, 'SendLambdaFunction');
    const variables = (fn['Environment'] as { Variables: Record<string, unknown> }).Variables;
    expect(variables['MAIL_QUEUE_URL']).toEqual(new Intrinsic('Ref', 'MailQueue'));
    expect(where(t, ['Resources', 'SendLambdaFunction', 'Properties', 'Environment', 'Variables', 'MAIL_QUEUE_URL'])).toBe('19:23');
    // a mapping that names itself ends as the variable, unknown: no endless expansion
    expect(JSON.stringify(variables['LOOP'])).toContain('${self:custom.loop}');
  });

  it('caps what whole-value ${self:...} mappings bring in: one that names itself many times over is a problem', () => {
    const text = ['service: s', 'provider:', '  name: aws', 'custom:', `  a: [${Array.from({ length: 12 }, () => '"${self:custom.a}"').join(', ')}]`, 'functions:', '  f:', '    handler: h.handler', '    tags:', '      all: ${self:custom.a}', ''].join('\n');
    const loaded = loadServerless('/p/serverless.yml', text)!;
    expect(loaded.problems).toEqual([
      { message: 'Serverless ${self:...} variables bring in more than 100,000 values (at ${self:custom.a}); the rest are left unexpanded (expansion bomb?)', offset: text.indexOf('${self:custom.a}') },
    ]);
    expect(props(loaded.template!, 'FLambdaFunction')['Handler']).toBe('h.handler');
  });

  it('keeps the intrinsics of a file ${file(...)} reads', () => {
    const dir = project({
      'functions.yml': 'worker:\n  handler: h.main\n  events:\n    - sqs:\n        arn: !GetAtt Jobs.Arn\n',
      'serverless.yml': 'service: s\nprovider:\n  name: aws\nfunctions: ${file(./functions.yml)}\n',
    });
    const file = path.join(dir, 'serverless.yml');
    const loaded = loadServerless(file, fs.readFileSync(file, 'utf8'))!;
    const [mapping] = eventSourceMappings(loaded.template!);
    expect(mapping!.properties['EventSourceArn']).toEqual(new Intrinsic('Fn::GetAtt', ['Jobs', 'Arn']));
  });

  it('keeps CloudFormation ${...} in Fn::Sub as is', () => {
    const t = load(`service: a
provider:
  name: aws
functions:
  f:
    handler: h
    onError: !Sub arn:aws:sns:\${AWS::Region}:\${AWS::AccountId}:\${FailuresTopic.TopicName}
resources:
  Resources:
    FailuresTopic:
      Type: AWS::SNS::Topic
`);
    const target = (props(t, 'FLambdaFunction')['DeadLetterConfig'] as { TargetArn: unknown }).TargetArn;
    expect(refTarget(target as Intrinsic, t)).toBe('FailuresTopic');
  });

  it('reports YAML syntax errors', () => {
    const loaded = loadServerless('/p/serverless.yml', 'service: a\nprovider:\n  name: aws\nfunctions:\n  f: [\n');
    expect(loaded!.template).toBeUndefined();
    expect(loaded!.problems.length).toBeGreaterThan(0);
  });

  it('caps ${self:...} expansion like YAML aliases: an expansion bomb is a problem and the rest stays unexpanded', () => {
    // each level repeats the one below 30 times: 30^7 copies of the innermost string
    const levels = ['  a0: "xxxxxxxxxxxxxxxxxxxx"'];
    for (let i = 1; i < 8; i++) levels.push(`  a${i}: "${`\${self:custom.a${i - 1}}`.repeat(30)}"`);
    const text = ['service: bomb', 'provider:', '  name: aws', 'custom:', ...levels, 'functions:', '  f:', '    handler: h.handler', '    timeout: ${self:custom.a7}', '    events:', '      - sqs: arn:aws:sqs:us-east-1:1:q', ''].join('\n');
    const loaded = loadServerless('/p/serverless.yml', text)!;
    expect(loaded.problems).toEqual([
      { message: 'Serverless variables expand to more than 1,000,000 characters (at ${self:custom.a0}); the rest are left unexpanded (expansion bomb?)', offset: text.indexOf('${self:custom.a0}') },
    ]);
    const fn = props(loaded.template!, 'FLambdaFunction');
    expect(fn['Timeout']).toBeInstanceOf(Unknown);
    expect(fn['Handler']).toBe('h.handler');
    expect(loaded.template!.resources.has('FEventSourceMappingSQSQ')).toBe(true);
  });

  it('caps what ${file(...)} brings in: a file that includes itself many times over is a problem', () => {
    const dir = project({
      'x.yml': ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((k) => `${k}: \${file(./x.yml)}\n`).join(''),
      'serverless.yml': 'service: s\nprovider:\n  name: aws\ncustom: ${file(./x.yml)}\nfunctions:\n  f:\n    handler: h.handler\n',
    });
    const file = path.join(dir, 'serverless.yml');
    const text = fs.readFileSync(file, 'utf8');
    const loaded = loadServerless(file, text)!;
    expect(loaded.problems).toEqual([
      { message: 'Serverless ${file(...)} variables bring in more than 100,000 values (at ${file(./x.yml)}); the rest are left unexpanded (expansion bomb?)', offset: text.indexOf('${file(./x.yml)}') },
    ]);
    expect(props(loaded.template!, 'FLambdaFunction')['Handler']).toBe('h.handler');
  });
});
