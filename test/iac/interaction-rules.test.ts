/** Messages and cross-template behaviour of the REL 4 interaction rules on the IaC model. */
import { describe, it, expect } from 'vitest';
import type { IacDetector, IacReport } from '../../src/rules/rule.js';
import { loadTemplate } from '../../src/iac/loaders/cloudformation.js';
import type { Template } from '../../src/iac/model.js';
import { functionRef, functionTimeout } from '../../src/iac/lambda.js';
import noSynchronizedSchedule from '../../src/rules/no-synchronized-schedule/iac.js';
import { expandField, parseScheduleExpression } from '../../src/rules/no-synchronized-schedule/cron.js';
import noTimeoutBeyondSyncCaller from '../../src/rules/no-timeout-beyond-sync-caller/iac.js';
import requireAsyncFailureDestination, { ASYNC_EVIDENCE_PROVIDERS } from '../../src/rules/require-async-failure-destination/iac.js';
import requireEventTargetDlq from '../../src/rules/require-event-target-dlq/iac.js';
import requireSubscriptionDlq from '../../src/rules/require-subscription-dlq/iac.js';
import { meta as requireSubscriptionDlqMeta } from '../../src/rules/require-subscription-dlq/meta.js';
import requireVisibilityTimeoutHeadroom from '../../src/rules/require-visibility-timeout-headroom/iac.js';
import requirePartialBatchResponse from '../../src/rules/require-partial-batch-response/iac.js';
import requireConsumerConcurrencyLimit from '../../src/rules/require-consumer-concurrency-limit/iac.js';

const load = (text: string, file = 't.yaml'): Template => loadTemplate(file, text)!.template!;
const run = (rule: IacDetector, ...texts: string[]): IacReport[] =>
  rule.iac!({ templates: texts.map((t, i) => load(t, `t${i}.yaml`)), options: {} });

const FN = (id: string, extra = ''): string =>
  `  ${id}:\n    Type: AWS::Lambda::Function\n    Properties:\n      Runtime: nodejs20.x\n      Handler: index.handler\n      Role: r\n      Code: { ZipFile: x }\n${extra}`;

describe('cron parsing', () => {
  it('expands AWS cron fields', () => {
    expect(expandField('0', 0, 59)).toEqual([0]);
    expect(expandField('0/15', 0, 59)).toEqual([0, 15, 30, 45]);
    expect(expandField('*/20', 0, 59)).toEqual([0, 20, 40]);
    expect(expandField('5,10-12', 0, 59)).toEqual([5, 10, 11, 12]);
    expect(expandField('8-18/5', 0, 23)).toEqual([8, 13, 18]);
    expect(expandField('*', 0, 23)).toHaveLength(24);
    expect(expandField('L', 0, 59)).toBeUndefined();
    expect(expandField('61', 0, 59)).toBeUndefined();
  });
  it('tells cron, rate and at apart and requires six fields', () => {
    expect(parseScheduleExpression('rate(5 minutes)').kind).toBe('rate');
    expect(parseScheduleExpression('at(2030-01-01T00:00:00)').kind).toBe('at');
    expect(parseScheduleExpression('cron(0 12 * * ?)').kind).toBe('invalid');
    const cron = parseScheduleExpression('cron(30 2 ? * MON-FRI *)');
    expect(cron).toMatchObject({ kind: 'cron', minutes: [30], hours: [2] });
  });
});

describe('no-synchronized-schedule', () => {
  const rule = (id: string, expression: string): string =>
    `  ${id}:\n    Type: AWS::Events::Rule\n    Properties:\n      ScheduleExpression: ${expression}\n      Targets: [{ Id: a, Arn: arn:aws:lambda:us-east-1:1:function:f }]\n`;
  it('reports a later schedule that fires with one in another template, pointing back at the first', () => {
    const reports = run(noSynchronizedSchedule, `Resources:\n${rule('First', 'cron(20 4 * * ? *)')}`, `Resources:\n${rule('Second', 'cron(20 4 ? * SUN *)')}`);
    expect(reports).toHaveLength(1);
    expect(reports[0]!.template.file).toBe('t1.yaml');
    expect(reports[0]!.message).toBe(
      'EventBridge rule `Second` (cron(20 4 ? * SUN *)) fires at the same instants as EventBridge rule `First` (cron(20 4 * * ? *)): every client of a shared dependency wakes at once',
    );
    expect(reports[0]!.related?.[0]?.template.file).toBe('t0.yaml');
    expect(reports[0]!.related?.[0]?.path).toEqual(['Resources', 'First', 'Properties', 'ScheduleExpression']);
  });
  it('explains minute 0 on classic rules', () => {
    const [report] = run(noSynchronizedSchedule, `Resources:\n${rule('Hourly', 'cron(0 * * * ? *)')}`);
    expect(report!.message).toBe(
      'EventBridge rule `Hourly` (cron(0 * * * ? *)) fires at minute 0 and classic EventBridge schedules have no flexible time window, so it runs together with every other top-of-the-hour job: every client of a shared dependency wakes at once',
    );
  });
});

describe('no-timeout-beyond-sync-caller', () => {
  it('names the function, its timeout and the caller', () => {
    const text = `Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Timeout: 45\n      Events:\n        Get:\n          Type: Api\n          Properties: { Path: /, Method: get }\n        Post:\n          Type: HttpApi\n          Properties: { Path: /, Method: post }\n`;
    const [report] = run(noTimeoutBeyondSyncCaller, text);
    expect(report!.message).toBe(
      'Lambda function `Fn` has a timeout of 45 s, longer than the 29 s integration timeout of API Gateway REST event `Get` (and 1 more synchronous caller): the caller gives up while the function keeps working, and the client cannot know the outcome',
    );
    expect(report!.related?.map((r) => r.label)).toEqual(['API Gateway REST event `Get`', 'HTTP API event `Post`']);
  });
  it('reports a timeout that several functions take from Globals once, naming them', () => {
    const api = (id: string, path: string): string =>
      `  ${id}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events:\n        Call:\n          Type: Api\n          Properties: { Path: ${path}, Method: get }\n`;
    const head = `Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n    Timeout: 30\nResources:\n`;
    const reports = run(noTimeoutBeyondSyncCaller, head + ['A', 'B', 'C', 'D', 'E'].map((id) => api(id, `/${id.toLowerCase()}`)).join(''));
    expect(reports).toHaveLength(1);
    expect(reports[0]!.message).toBe(
      'Lambda functions `A`, `B`, `C` and 2 more share the timeout of 30 s set here, longer than the 29 s integration timeout of API Gateway REST event `Call` (and 4 more synchronous callers): the caller gives up while the function keeps working, and the client cannot know the outcome',
    );
    expect(reports[0]!.related).toHaveLength(5);
    const two = run(noTimeoutBeyondSyncCaller, head + api('A', '/a') + api('B', '/b'));
    expect(two.map((r) => r.message.split(' share')[0])).toEqual(['Lambda functions `A` and `B`']);
    // functions made by one construct class have one name: counted
    const made = (id: string): string => api(id, `/${id}`).replace('    Properties:\n', '    Metadata:\n      aws:cdk:path: Api/Handler/Resource\n    Properties:\n');
    const same = run(noTimeoutBeyondSyncCaller, head + made('A') + made('B') + made('C'));
    expect(same.map((r) => r.message.split(' share')[0])).toEqual(['3 Lambda functions `Api/Handler`']);
  });
});

describe('require-async-failure-destination', () => {
  it('lists the evidence and keeps a place for more providers', () => {
    const text = `Resources:\n${FN('Fn')}  P:\n    Type: AWS::Lambda::Permission\n    Properties:\n      FunctionName: !Ref Fn\n      Action: lambda:InvokeFunction\n      Principal: s3.amazonaws.com\n`;
    const [report] = run(requireAsyncFailureDestination, text);
    expect(report!.message).toBe(
      'Lambda function `Fn` is invoked asynchronously (invoke permission for Amazon S3) but has no on-failure destination or dead-letter queue: an event that fails all its retries, or expires in the queue, is dropped without trace',
    );
    expect(ASYNC_EVIDENCE_PROVIDERS.length).toBeGreaterThan(0);
  });
  it('accepts evidence from an added provider (code calling the function with InvocationType Event)', () => {
    const template = load(`Resources:\n${FN('Fn')}`);
    const provider = (templates: Template[]) => [
      { template: templates[0]!, functionId: 'Fn', evidence: { template: templates[0]!, path: ['Resources', 'Fn'], label: 'InvokeCommand with InvocationType Event in src/a.ts' } },
    ];
    ASYNC_EVIDENCE_PROVIDERS.push(provider);
    try {
      const reports = requireAsyncFailureDestination.iac!({ templates: [template], options: {} });
      expect(reports).toHaveLength(1);
      expect(reports[0]!.message).toContain('(InvokeCommand with InvocationType Event in src/a.ts)');
    } finally {
      ASYNC_EVIDENCE_PROVIDERS.pop();
    }
  });
});

describe('require-event-target-dlq', () => {
  it('uses the configured retry policy, else the defaults', () => {
    const text = `Resources:\n  R:\n    Type: AWS::Events::Rule\n    Properties:\n      EventPattern: { source: [x] }\n      Targets:\n        - { Id: a, Arn: arn:aws:sqs:us-east-1:1:q }\n        - Id: b\n          Arn: arn:aws:sqs:us-east-1:1:q\n          RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 600 }\n        - Id: c\n          Arn: arn:aws:sqs:us-east-1:1:q\n          RetryPolicy: { MaximumRetryAttempts: 0 }\n  S:\n    Type: AWS::EventsV2::Subscriber\n    Properties:\n      TargetArn: arn:aws:lambda:us-east-1:1:function:f\n`;
    const messages = run(requireEventTargetDlq, text).map((r) => r.message);
    expect(messages).toEqual([
      'EventBridge rule `R` target `a` has no DeadLetterConfig: EventBridge retries up to 185 times within 24 h, then drops the event without trace',
      'EventBridge rule `R` target `b` has no DeadLetterConfig: EventBridge retries up to 4 times within 10 min, then drops the event without trace',
      'EventBridge rule `R` target `c` has no DeadLetterConfig: EventBridge does not retry a failed delivery (retry attempts 0), then drops the event without trace',
      'EventBridge subscriber `S` has no OnFailureConfiguration: EventBridge retries up to 5 times within 5 min (far shorter than the 24 h of classic rules), then drops the event and only the EventsDropped metric shows it',
    ]);
  });
});

describe('require-subscription-dlq', () => {
  it('says that inline subscriptions cannot have a redrive policy', () => {
    const text = `Resources:\n  T:\n    Type: AWS::SNS::Topic\n    Properties:\n      Subscription:\n        - { Protocol: sqs, Endpoint: arn:aws:sqs:us-east-1:1:q }\n`;
    const [report] = run(requireSubscriptionDlq, text);
    expect(report!.message).toBe(
      'Inline sqs subscription of SNS topic `T` cannot have a RedrivePolicy: a message SNS fails to deliver is discarded; declare it as an AWS::SNS::Subscription with a dead-letter queue',
    );
    expect(requireSubscriptionDlqMeta.help).toContain('inline Subscription entries');
  });
});

describe('require-visibility-timeout-headroom', () => {
  it('is an error below 1x and a warning below 6x, with the function as related location', () => {
    const text = (vt: number) =>
      `Resources:\n${FN('Fn', '      Timeout: 20\n')}  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: ${vt}\n  M:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n      EventSourceArn: !GetAtt Q.Arn\n      FunctionName: !Ref Fn\n`;
    const [error] = run(requireVisibilityTimeoutHeadroom, text(10));
    expect(error!.severity).toBe('error');
    expect(error!.message).toBe(
      'SQS queue `Q` has VisibilityTimeout 10 s, below the timeout 20 s of its consumer `Fn`: Lambda rejects the mapping, and a message would reappear while still being processed',
    );
    expect(error!.related?.[0]?.path).toEqual(['Resources', 'Fn', 'Properties', 'Timeout']);
    const [warning] = run(requireVisibilityTimeoutHeadroom, text(60));
    expect(warning!.severity).toBe('warning');
    expect(warning!.message).toContain('less than 6 × the timeout 20 s of its consumer `Fn` (120 s)');
    expect(run(requireVisibilityTimeoutHeadroom, text(120))).toEqual([]);
  });
});

describe('ESM rules', () => {
  const text = `Resources:\n${FN('Fn')}  Q:\n    Type: AWS::SQS::Queue\n  M:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n      EventSourceArn: !GetAtt Q.Arn\n      FunctionName: !Ref Fn\n`;
  it('require-partial-batch-response explains the whole batch is retried', () => {
    const [report] = run(requirePartialBatchResponse, text);
    expect(report!.message).toBe(
      'SQS event source mapping `M` does not report partial batch failures (ReportBatchItemFailures missing from FunctionResponseTypes): one failing message makes the whole batch be retried, so every other message in it is processed again',
    );
  });
  it('require-consumer-concurrency-limit names mapping and function', () => {
    const [report] = run(requireConsumerConcurrencyLimit, text);
    expect(report!.message).toBe(
      'SQS event source mapping `M` of function `Fn` has no ScalingConfig.MaximumConcurrency and the function has no reserved concurrency: a queue backlog scales the consumer up to a burst against everything it calls',
    );
  });
});

describe('lambda helpers', () => {
  it('resolves functions through aliases, ARNs in integration URIs and literal names', () => {
    const template = load(
      `Resources:\n${FN('Fn', '      FunctionName: orders\n')}  A:\n    Type: AWS::Lambda::Alias\n    Properties: { FunctionName: !Ref Fn, FunctionVersion: "1", Name: live }\n`,
    );
    expect(functionRef(template, 'orders')).toBe('Fn');
    expect(functionRef(template, 'arn:aws:lambda:us-east-1:123456789012:function:orders:live')).toBe('Fn');
    expect(functionRef(template, 'other')).toBeUndefined();
    const alias = load(`Resources:\n${FN('Fn')}  A:\n    Type: AWS::Lambda::Alias\n    Properties: { FunctionName: !Ref Fn, FunctionVersion: "1", Name: live }\n  M:\n    Type: AWS::SNS::Subscription\n    Properties: { Endpoint: !Ref A }\n`);
    expect(functionRef(alias, alias.resources.get('M')!.properties['Endpoint'])).toBe('Fn');
  });
  it('gives the default timeout, or undefined when unknown', () => {
    const template = load(`Parameters:\n  T: { Type: Number }\nResources:\n${FN('A')}${FN('B', '      Timeout: !Ref T\n')}`);
    expect(functionTimeout(template, template.resources.get('A')!)).toMatchObject({ seconds: 3, isDefault: true });
    expect(functionTimeout(template, template.resources.get('B')!)).toBeUndefined();
  });
});
