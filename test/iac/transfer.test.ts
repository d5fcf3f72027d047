/**
 * Templates passed between threads: a template packed on one side and rebuilt on the other (after
 * a structured clone, as `postMessage` does) has the same document, the same intrinsic and
 * unknown values, and locates every path at the same place.
 */
import { describe, expect, it } from 'vitest';
import { loadTemplate } from '../../src/iac/loaders/cloudformation.js';
import { Intrinsic, Unknown, type IacValue, type PathSegment, type Template } from '../../src/iac/model.js';
import { packTemplate, unpackTemplate } from '../../src/iac/transfer.js';

const SAM = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Timeout: 30
    Environment:
      Variables:
        TABLE: !Ref Table
Parameters:
  Stage: { Type: String }
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub "\${Stage}-orders"
      Tags: &tags
        - { Key: team, Value: orders }
  Dlq:
    Type: AWS::SQS::Queue
    Properties:
      Tags: *tags
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      Events:
        Jobs:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
            FunctionResponseTypes: !If [IsProd, [ReportBatchItemFailures], !Ref AWS::NoValue]
  Table:
    Type: AWS::DynamoDB::Table
`;

const JSON_TEMPLATE = JSON.stringify({
  Resources: {
    Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: { 'Fn::Join': ['-', [{ Ref: 'AWS::StackName' }, 'events']] } } },
    Sub: { Type: 'AWS::SNS::Subscription', Properties: { TopicArn: { Ref: 'Topic' }, Endpoint: { 'Fn::ImportValue': 'shared-queue-arn' }, Protocol: 'sqs' } },
  },
}, null, 2);

function load(file: string, text: string): Template {
  const loaded = loadTemplate(file, text);
  expect(loaded?.problems).toEqual([]);
  return loaded!.template!;
}

function roundTrip(template: Template): Template {
  return unpackTemplate(structuredClone(packTemplate(template)!));
}

/** Every path of a document, with the value at it. */
function paths(value: IacValue, prefix: PathSegment[] = [], out: PathSegment[][] = []): PathSegment[][] {
  out.push(prefix);
  if (value instanceof Intrinsic) paths(value.argument, [...prefix, value.name], out);
  else if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (value && typeof value === 'object' && !(value instanceof Unknown)) for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}

describe('passing a template between threads', () => {
  for (const [name, file, text] of [
    ['SAM YAML with short tags, Globals and an alias', 'template.yaml', SAM],
    ['JSON with long-form intrinsics', 'stack.template.json', JSON_TEMPLATE],
  ] as const) {
    it(`keeps the document, its value types and every location: ${name}`, () => {
      const original = load(file, text);
      const copy = roundTrip(original);
      expect(copy.root).toStrictEqual(original.root);
      expect(copy.format).toBe(original.format);
      expect([...copy.resources.keys()]).toEqual([...original.resources.keys()]);
      const all = paths(original.root);
      expect(all.length).toBeGreaterThan(15);
      for (const p of all) expect(copy.locate(p), p.join('.')).toEqual(original.locate(p));
      // missing paths locate at the nearest existing ancestor, on both sides
      expect(copy.locate(['Resources', 'Queue', 'Properties', 'RedrivePolicy'])).toEqual(original.locate(['Resources', 'Queue', 'Properties', 'RedrivePolicy']));
    });
  }

  it('rebuilds intrinsics as intrinsics, not as mappings that look like them', () => {
    const copy = roundTrip(load('template.yaml', SAM));
    const queue = copy.resources.get('Queue')!.properties;
    expect(queue['QueueName']).toBeInstanceOf(Intrinsic);
    expect(queue['QueueName']).toMatchObject({ name: 'Fn::Sub' });
    const events = (copy.resources.get('Worker')!.properties['Events'] as Record<string, { Properties: Record<string, IacValue> }>)['Jobs']!.Properties;
    expect(events['Queue']).toStrictEqual(new Intrinsic('Fn::GetAtt', ['Queue', 'Arn']));
    const condition = events['FunctionResponseTypes'] as Intrinsic;
    expect((condition.argument as IacValue[])[2]).toStrictEqual(new Intrinsic('Ref', 'AWS::NoValue'));
  });

  it('keeps a mapping whose keys are those of an intrinsic a mapping', () => {
    const text = 'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Metadata:\n      Note: { name: Ref, argument: Q, description: x }\n';
    const copy = roundTrip(load('t.yaml', text));
    const note = copy.resources.get('Q')!.metadata!['Note'];
    expect(note).not.toBeInstanceOf(Intrinsic);
    expect(note).not.toBeInstanceOf(Unknown);
    expect(note).toStrictEqual({ name: 'Ref', argument: 'Q', description: 'x' });
  });

  it('keeps resources and keys named like Object.prototype members as own properties', () => {
    const names = ['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf'];
    const text = `Resources:\n${names.map((n) => `  ${n}:\n    Type: AWS::SQS::Queue\n    Metadata: { ${n}: 1 }\n`).join('')}`;
    for (const [file, source] of [['t.yaml', text], ['t.json', JSON.stringify({ Resources: Object.fromEntries(names.map((n) => [n, { Type: 'AWS::SQS::Queue', Metadata: { [n]: 1 } }])) })]] as const) {
      const original = load(file, source);
      const copy = roundTrip(original);
      expect([...copy.resources.keys()], file).toEqual(names);
      const resources = copy.root['Resources'] as Record<string, IacValue>;
      expect(Object.keys(resources)).toEqual(names);
      expect(Object.getPrototypeOf(resources)).toBe(Object.prototype);
      for (const n of names) expect(Object.keys(copy.resources.get(n)!.metadata!)).toEqual([n]);
    }
  });

  it('packs only templates built over a position tree', () => {
    const template = load('template.yaml', SAM);
    expect(packTemplate({ ...template })).toBeUndefined();
  });
});
