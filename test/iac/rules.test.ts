/** Exact messages of the IaC rules (fixtures and README examples run in test/fixtures.test.ts and test/docs.test.ts). */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { IacDetector } from '../../src/rules/rule.js';
import { ROOT } from '../helpers/fixtures.js';
import { loadTemplate } from '../../src/iac/loaders/cloudformation.js';
import type { Template } from '../../src/iac/model.js';
import requireQueueDlq from '../../src/rules/require-queue-dlq/iac.js';
import requireStreamRetryLimit from '../../src/rules/require-stream-retry-limit/iac.js';

describe('messages', () => {
  const load = (text: string): Template => loadTemplate('t.yaml', text)!.template!;
  const run = (rule: IacDetector, text: string): string[] => rule.iac!({ templates: [load(text)], options: {} }).map((r) => r.message);

  it('require-queue-dlq names the queue in one sentence without a trailing period', () => {
    const [message] = run(requireQueueDlq, 'Resources:\n  OrdersQueue:\n    Type: AWS::SQS::Queue\n');
    expect(message).toBe(
      'SQS queue `OrdersQueue` has no dead-letter queue (RedrivePolicy): a message that keeps failing is redelivered until retention expires, then lost',
    );
  });

  it('require-queue-dlq names a CDK queue by its construct path', () => {
    const text = readFileSync(path.join(ROOT, 'fixtures/require-queue-dlq/cdk-synth.template.json'), 'utf8');
    const template = loadTemplate('cdk-synth.template.json', text)!.template!;
    expect(template.format).toBe('cdk');
    const [report] = requireQueueDlq.iac!({ templates: [template], options: {} });
    expect(report!.message).toContain('`OrdersStack/NotificationsQueue`');
  });

  const stream = (props: string): string[] =>
    run(
      requireStreamRetryLimit,
      `Resources:\n  S:\n    Type: AWS::Kinesis::Stream\n  M:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n      EventSourceArn: !GetAtt S.Arn\n      StartingPosition: LATEST\n${props}`,
    );

  it('require-stream-retry-limit: unbounded, with and without bisection', () => {
    const [noBisect] = stream('');
    expect(noBisect).toMatch(/^Kinesis event source mapping `M` retries a failing batch without limit .*blocks the shard until it expires/);
    expect(noBisect).toContain('BisectBatchOnFunctionError is not enabled');
    expect(noBisect).not.toMatch(/\.$/);
    const [withBisect] = stream('      BisectBatchOnFunctionError: true\n');
    expect(withBisect).not.toContain('BisectBatchOnFunctionError');
  });

  it('require-stream-retry-limit: bounded without OnFailure, bisection unknown is not mentioned', () => {
    const [message] = stream('      MaximumRetryAttempts: 2\n      BisectBatchOnFunctionError: !Ref Bisect\n');
    expect(message).toBe(
      'Kinesis event source mapping `M` limits retries but has no DestinationConfig.OnFailure: records that exhaust their retries are dropped without trace',
    );
    const [noBisect] = stream('      MaximumRetryAttempts: 2\n');
    expect(noBisect).toContain('BisectBatchOnFunctionError is not enabled');
  });

  it('require-stream-retry-limit: a batch of one record is not said to need bisection', () => {
    const [message] = stream('      BatchSize: 1\n      MaximumRetryAttempts: 10\n');
    expect(message).toBe(
      'Kinesis event source mapping `M` limits retries but has no DestinationConfig.OnFailure: records that exhaust their retries are dropped without trace',
    );
    const [unbounded] = stream('      BatchSize: 1\n');
    expect(unbounded).not.toContain('BisectBatchOnFunctionError');
    const [batched] = stream('      BatchSize: 10\n      MaximumRetryAttempts: 10\n');
    expect(batched).toContain('BisectBatchOnFunctionError is not enabled');
  });

  it('require-stream-retry-limit: one finding per mapping, never for SQS', () => {
    expect(stream('      MaximumRetryAttempts: 2\n      DestinationConfig: { OnFailure: { Destination: arn:aws:sqs:us-east-1:1:q } }\n')).toEqual([]);
    const sqs = run(
      requireStreamRetryLimit,
      'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n  M:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n      EventSourceArn: !GetAtt Q.Arn\n      FunctionName: f\n',
    );
    expect(sqs).toEqual([]);
  });

  it('require-stream-retry-limit names SAM events with their function', () => {
    const text = readFileSync(path.join(ROOT, 'fixtures/require-stream-retry-limit/sam-events.yaml'), 'utf8');
    const messages = run(requireStreamRetryLimit, text);
    expect(messages[0]).toMatch(/^Kinesis event `Clicks` of function `Consumer` retries/);
    expect(messages.some((m) => m.startsWith('Kafka event `Payments` of function `Consumer`') && m.includes('partition'))).toBe(true);
  });
});
