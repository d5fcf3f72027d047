import { describe, it, expect } from 'vitest';
import { loadTemplate } from '../../src/iac/loaders/cloudformation.js';
import { Intrinsic, Unknown, type Template } from '../../src/iac/model.js';
import {
  displayName,
  eventSourceMappings,
  getIn,
  hasOpaqueProperties,
  isAbsent,
  isUnknown,
  jsonValue,
  queues,
  refTarget,
  references,
} from '../../src/iac/resources.js';
import { samFunctionEvents } from '../../src/iac/sam.js';

const ref = (x: string) => new Intrinsic('Ref', x);
const getAtt = (x: string, a: string) => new Intrinsic('Fn::GetAtt', [x, a]);
const sub = (s: unknown) => new Intrinsic('Fn::Sub', s as string);

function load(text: string): Template {
  return loadTemplate('t.yaml', text)!.template!;
}

const TEMPLATE = load(`Parameters:
  Env: { Type: String }
  DlqArn: { Type: String, Default: "arn:aws:sqs:us-east-1:123456789012:default-dlq" }
Resources:
  Q: { Type: AWS::SQS::Queue }
  D: { Type: AWS::SQS::Queue }
`);

describe('refTarget', () => {
  it('follows Ref, GetAtt and Sub to a logical id', () => {
    expect(refTarget(ref('Q'))).toBe('Q');
    expect(refTarget(getAtt('Q', 'Arn'))).toBe('Q');
    expect(refTarget(getAtt('Q', 'QueueUrl'))).toBe('Q');
    expect(refTarget(getAtt('Q', 'QueueName'))).toBe('Q');
    expect(refTarget(sub('${Q.Arn}'))).toBe('Q');
    expect(refTarget(sub('${Q}'))).toBe('Q');
    expect(refTarget(sub('arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${Q.QueueName}'))).toBe('Q');
    expect(refTarget(sub(['${Name}', { Name: getAtt('Q', 'Arn') }]))).toBe('Q');
  });

  it('returns undefined for pseudo parameters, literals and undecidable values', () => {
    expect(refTarget(ref('AWS::NoValue'))).toBeUndefined();
    expect(refTarget('arn:aws:sqs:us-east-1:1:q')).toBeUndefined();
    expect(refTarget(sub('${A}-${B}'))).toBeUndefined();
    expect(refTarget(new Intrinsic('Fn::If', ['C', ref('Q'), ref('D')]))).toBeUndefined();
    expect(refTarget(new Intrinsic('Fn::ImportValue', 'x'))).toBeUndefined();
    expect(refTarget(undefined)).toBeUndefined();
  });

  it('with a template, only resolves to its resources', () => {
    expect(refTarget(ref('Q'), TEMPLATE)).toBe('Q');
    expect(refTarget(ref('Env'), TEMPLATE)).toBeUndefined();
    expect(refTarget(ref('Missing'), TEMPLATE)).toBeUndefined();
    expect(refTarget(sub('${Env}-${Q.QueueName}'), TEMPLATE)).toBe('Q'); // a parameter in a name does not hide the queue
    expect(refTarget(sub('${Q.Arn}${D.Arn}'), TEMPLATE)).toBeUndefined();
  });
});

describe('isUnknown / isAbsent', () => {
  it('classifies values', () => {
    expect(isUnknown(new Unknown('x'))).toBe(true);
    expect(isUnknown(new Intrinsic('Fn::If', ['C', 1, 2]))).toBe(true);
    expect(isUnknown(new Intrinsic('Fn::ImportValue', 'x'))).toBe(true);
    expect(isUnknown(ref('Env'), TEMPLATE)).toBe(true);
    expect(isUnknown(ref('Q'), TEMPLATE)).toBe(false);
    expect(isUnknown(getAtt('Q', 'Arn'))).toBe(false);
    expect(isUnknown('literal')).toBe(false);
    expect(isUnknown(-1)).toBe(false);
    expect(isAbsent(undefined)).toBe(true);
    expect(isAbsent(null)).toBe(true);
    expect(isAbsent(ref('AWS::NoValue'))).toBe(true);
    expect(isAbsent(ref('Env'))).toBe(false);
    expect(isAbsent(0)).toBe(false);
  });

  it('getIn stops at values it cannot see into', () => {
    const value = { a: { b: [1, { c: 2 }] }, i: new Intrinsic('Fn::If', ['C', { x: 1 }, { x: 2 }]) };
    expect(getIn(value, ['a', 'b', 1, 'c'])).toBe(2);
    expect(getIn(value, ['a', 'missing', 'c'])).toBeUndefined();
    expect(getIn(value, ['i', 'x'])).toBeInstanceOf(Intrinsic);
  });
});

describe('jsonValue', () => {
  it('parses JSON strings and leaves objects alone', () => {
    expect(jsonValue('{"deadLetterTargetArn": "arn:x", "maxReceiveCount": 5}')).toEqual({ deadLetterTargetArn: 'arn:x', maxReceiveCount: 5 });
    const object = { a: 1 };
    expect(jsonValue(object)).toBe(object);
    expect(jsonValue('plain text')).toBe('plain text');
    expect(jsonValue('{not json')).toBeInstanceOf(Unknown);
  });

  it('parses JSON built with Fn::Sub, keeping the references', () => {
    expect(jsonValue(sub('{"deadLetterTargetArn": "${Dlq.Arn}", "maxReceiveCount": ${Count}}'))).toEqual({
      deadLetterTargetArn: sub('${Dlq.Arn}'),
      maxReceiveCount: sub('${Count}'),
    });
    expect(jsonValue(sub('{"arn": "arn:aws:sqs:${AWS::Region}:1:${Name}", "literal": "${!NotAVar}"}'))).toEqual({
      arn: sub('arn:aws:sqs:${AWS::Region}:1:${Name}'),
      literal: '${!NotAVar}',
    });
  });

  it('parses JSON built with Fn::Join (CDK style)', () => {
    const joined = new Intrinsic('Fn::Join', ['', ['{"deadLetterTargetArn":"', getAtt('Dlq', 'Arn'), '","maxReceiveCount":', 3, '}']]);
    expect(jsonValue(joined)).toEqual({ deadLetterTargetArn: getAtt('Dlq', 'Arn'), maxReceiveCount: 3 });
    const partial = new Intrinsic('Fn::Join', ['', ['{"arn":"prefix-', ref('X'), '"}']]);
    expect(jsonValue(partial)).toEqual({ arn: new Intrinsic('Fn::Join', ['', ['prefix-', ref('X')]]) });
    const notJson = new Intrinsic('Fn::Join', [':', ['arn', 'aws', ref('X')]]);
    expect(jsonValue(notJson)).toBe(notJson);
  });

  it('reads JSON nested up to the documents\' limit, and deeper JSON (strings, Fn::Sub, Fn::Join) as unknown without overflowing the stack', () => {
    const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    let value = jsonValue(nested(200));
    for (let i = 0; i < 200; i++) value = (value as Record<string, unknown>)['a'] as typeof value;
    expect(value).toBe(1);
    for (const depth of [201, 10_000, 100_000]) {
      const deep = nested(depth);
      expect(jsonValue(deep)).toEqual(new Unknown('a JSON document nested deeper than 200 levels'));
      expect(jsonValue(sub(deep.replace('1', '${Count}')))).toEqual(new Unknown('a JSON document nested deeper than 200 levels'));
      expect(jsonValue(new Intrinsic('Fn::Join', ['', [deep.slice(0, depth * 5), ref('X'), deep.slice(depth * 5 + 1)]]))).toBeInstanceOf(Unknown);
    }
  });

  it('unwraps Fn::ToJsonString', () => {
    expect(jsonValue(new Intrinsic('Fn::ToJsonString', { redrivePermission: 'allowAll' }))).toEqual({ redrivePermission: 'allowAll' });
  });
});

describe('references', () => {
  it('collects ids, ARN names and imports through intrinsics and JSON strings', () => {
    const found = references(
      {
        a: getAtt('A', 'Arn'),
        b: sub('${B.Arn}-${AWS::Region}'),
        c: '{"deadLetterTargetArn": "arn:aws:sqs:us-east-1:123456789012:named-dlq"}',
        d: new Intrinsic('Fn::ImportValue', 'shared-dlq-arn'),
        e: new Intrinsic('Fn::If', ['C', ref('E'), ref('AWS::NoValue')]),
        f: 'https://sqs.us-east-1.amazonaws.com/123456789012/url-named',
        g: sub('arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:pseudo-named'),
        h: ref('DlqArn'),
      },
      TEMPLATE,
    );
    expect([...found.ids].sort()).toEqual(['A', 'B', 'DlqArn', 'E']);
    expect([...found.names].sort()).toEqual(['default-dlq', 'named-dlq', 'pseudo-named', 'url-named']);
    expect([...found.imports]).toEqual(['shared-dlq-arn']);
  });
});

describe('resources helpers', () => {
  it('lists queues, detects opaque properties and names CDK resources by construct path', () => {
    const t = load(`Resources:
  A: { Type: AWS::SQS::Queue }
  B: { Type: AWS::SQS::Queue, Properties: !If [C, {}, {}] }
  C: { Type: AWS::SNS::Topic }
  D: { Type: AWS::SQS::Queue, Metadata: { "aws:cdk:path": "Stack/Orders/Resource" } }
`);
    expect(queues(t).map((q) => q.id)).toEqual(['A', 'B', 'D']);
    expect(hasOpaqueProperties(t, t.resources.get('A')!)).toBe(false);
    expect(hasOpaqueProperties(t, t.resources.get('B')!)).toBe(true);
    expect(displayName(t.resources.get('D')!)).toBe('Stack/Orders');
    expect(displayName(t.resources.get('A')!)).toBe('A');
  });
});

describe('eventSourceMappings', () => {
  const t = load(`Transform: AWS::Serverless-2016-10-31
Parameters:
  SourceArn: { Type: String }
Resources:
  Stream: { Type: AWS::Kinesis::Stream }
  Consumer: { Type: AWS::Kinesis::StreamConsumer }
  Table: { Type: AWS::DynamoDB::Table }
  Queue: { Type: AWS::SQS::Queue }
  Cluster: { Type: AWS::MSK::Cluster }
  Broker: { Type: AWS::AmazonMQ::Broker }
  Docs: { Type: AWS::DocDB::DBCluster }
  Fn: { Type: AWS::Lambda::Function }
  Live: { Type: AWS::Lambda::Alias, Properties: { FunctionName: !Ref Fn } }
  K: { Type: AWS::Lambda::EventSourceMapping, Properties: { EventSourceArn: !GetAtt Stream.Arn, FunctionName: !Ref Fn } }
  KC: { Type: AWS::Lambda::EventSourceMapping, Properties: { EventSourceArn: !Ref Consumer, FunctionName: !Ref Live } }
  DD: { Type: AWS::Lambda::EventSourceMapping, Properties: { EventSourceArn: !GetAtt Table.StreamArn, FunctionName: !GetAtt Fn.Arn } }
  SQ: { Type: AWS::Lambda::EventSourceMapping, Properties: { EventSourceArn: !GetAtt Queue.Arn, FunctionName: fn-name } }
  MSK: { Type: AWS::Lambda::EventSourceMapping, Properties: { EventSourceArn: !Ref Cluster, FunctionName: f } }
  SMK: { Type: AWS::Lambda::EventSourceMapping, Properties: { SelfManagedEventSource: { Endpoints: { KafkaBootstrapServers: [b:9092] } }, FunctionName: f } }
  MQ: { Type: AWS::Lambda::EventSourceMapping, Properties: { EventSourceArn: !GetAtt Broker.Arn, Queues: [q], FunctionName: f } }
  DOC: { Type: AWS::Lambda::EventSourceMapping, Properties: { EventSourceArn: !Ref Docs, DocumentDBEventSourceConfig: { DatabaseName: d }, FunctionName: f } }
  LIT: { Type: AWS::Lambda::EventSourceMapping, Properties: { EventSourceArn: "arn:aws:dynamodb:us-east-1:1:table/t/stream/x", FunctionName: f } }
  JOIN: { Type: AWS::Lambda::EventSourceMapping, Properties: { EventSourceArn: !Join [":", [arn, !Ref AWS::Partition, kafka, r, a, cluster/x]], FunctionName: f } }
  PSTREAM: { Type: AWS::Lambda::EventSourceMapping, Properties: { EventSourceArn: !Ref SourceArn, StartingPosition: LATEST, FunctionName: f } }
  PANY: { Type: AWS::Lambda::EventSourceMapping, Properties: { EventSourceArn: !Ref SourceArn, FunctionName: f } }
  PMQ: { Type: AWS::Lambda::EventSourceMapping, Properties: { EventSourceArn: !Ref SourceArn, FunctionName: f, Queues: [q] } }
  OPAQUE: { Type: AWS::Lambda::EventSourceMapping, Properties: !If [C, {}, {}] }
  Handler:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        S: { Type: SQS, Properties: { Queue: !GetAtt Queue.Arn } }
        KI: { Type: Kinesis, Properties: { Stream: !GetAtt Stream.Arn, StartingPosition: LATEST } }
        DY: { Type: DynamoDB, Properties: { Stream: !GetAtt Table.StreamArn } }
        MS: { Type: MSK, Properties: { Stream: !Ref Cluster } }
        SK: { Type: SelfManagedKafka, Properties: { KafkaBootstrapServers: [b:9092] } }
        MQE: { Type: MQ, Properties: { Broker: !GetAtt Broker.Arn } }
        DOCE: { Type: DocumentDB, Properties: { Cluster: !Ref Docs } }
        API: { Type: Api, Properties: { Path: /, Method: get } }
        NOPROPS: { Type: Kinesis }
`);
  const mappings = eventSourceMappings(t);
  const byId = new Map(mappings.map((m) => [m.id, m]));

  it('classifies CloudFormation mappings by their source', () => {
    expect(
      Object.fromEntries(mappings.filter((m) => m.origin === 'resource').map((m) => [m.id, m.kind ?? 'unknown'])),
    ).toEqual({
      K: 'kinesis',
      KC: 'kinesis',
      DD: 'dynamodb',
      SQ: 'sqs',
      MSK: 'kafka',
      SMK: 'kafka',
      MQ: 'mq',
      DOC: 'docdb',
      LIT: 'dynamodb',
      JOIN: 'kafka',
      PSTREAM: 'stream',
      // no StartingPosition (which streams and Kafka require) and no MQ, Kafka or DocumentDB settings: a queue
      PANY: 'sqs',
      PMQ: 'mq',
    });
  });

  it('classifies SAM events and gives paths that locate the event', () => {
    expect(
      Object.fromEntries(mappings.filter((m) => m.origin === 'sam-event').map((m) => [m.id, m.kind])),
    ).toEqual({ S: 'sqs', KI: 'kinesis', DY: 'dynamodb', MS: 'kafka', SK: 'kafka', MQE: 'mq', DOCE: 'docdb' });
    const ki = byId.get('KI')!;
    expect(ki).toMatchObject({
      functionId: 'Handler',
      sourceId: 'Stream',
      path: ['Resources', 'Handler', 'Properties', 'Events', 'KI'],
      propertiesPath: ['Resources', 'Handler', 'Properties', 'Events', 'KI', 'Properties'],
      label: 'event `KI` of function `Handler`',
    });
    expect(ki.properties['StartingPosition']).toBe('LATEST');
    const missing = t.locate([...ki.propertiesPath, 'MaximumRetryAttempts']);
    expect(missing.exact).toBe(false);
    expect(t.text.slice(missing.start, missing.end)).toBe('KI');
  });

  it('resolves the function and source of CloudFormation mappings', () => {
    expect(byId.get('K')).toMatchObject({ functionId: 'Fn', sourceId: 'Stream', label: 'event source mapping `K`' });
    expect(byId.get('KC')!.functionId).toBe('Fn'); // through the alias
    expect(byId.get('DD')!.functionId).toBe('Fn');
    expect(byId.get('SQ')!.functionId).toBeUndefined();
    expect(byId.has('OPAQUE')).toBe(false);
  });

  it('samFunctionEvents lists every event, with or without properties', () => {
    expect(samFunctionEvents(t).map((e) => `${e.eventId}:${e.type}:${e.properties ? 'p' : '-'}`)).toEqual([
      'S:SQS:p',
      'KI:Kinesis:p',
      'DY:DynamoDB:p',
      'MS:MSK:p',
      'SK:SelfManagedKafka:p',
      'MQE:MQ:p',
      'DOCE:DocumentDB:p',
      'API:Api:p',
      'NOPROPS:Kinesis:-',
    ]);
  });
});
