import { describe, it, expect } from 'vitest';
import { loadTemplate, looksLikeTemplate } from '../../src/iac/loaders/cloudformation.js';
import { Intrinsic, type Template } from '../../src/iac/model.js';
import { LineIndex } from '../../src/ground/lines.js';

function load(text: string, file = 'template.yaml'): Template {
  const loaded = loadTemplate(file, text);
  expect(loaded).not.toBeNull();
  expect(loaded!.problems).toEqual([]);
  return loaded!.template!;
}

/** `line:column` where `locate(path)` starts, and whether it was exact. */
function where(template: Template, path: (string | number)[]): string {
  const { range, exact } = template.locate(path);
  return `${range.start.line}:${range.start.column}${exact ? '' : '~'}`;
}

const QUEUES = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Work:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 60
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt Dlq.Arn
        maxReceiveCount: 5
  Dlq:
    Type: AWS::SQS::Queue
  Topic:
    Type: AWS::SNS::Topic
    Properties: {}
`;

describe('looksLikeTemplate', () => {
  it('accepts texts that mention CloudFormation types or the format version', () => {
    expect(looksLikeTemplate('AWSTemplateFormatVersion: "2010-09-09"\n')).toBe(true);
    expect(looksLikeTemplate('Resources:\n  Q:\n    Type: AWS::SQS::Queue\n')).toBe(true);
    expect(looksLikeTemplate('{"Resources": {"X": {"Type": "Custom::Thing"}}}')).toBe(true);
  });
  it('rejects unrelated YAML and JSON', () => {
    expect(looksLikeTemplate('name: build\non: [push]\njobs: {}\n')).toBe(false);
    expect(looksLikeTemplate('{"name": "pkg", "version": "1.0.0"}')).toBe(false);
  });
});

describe('loadTemplate', () => {
  it('recognises templates by content, not by name', () => {
    expect(load(QUEUES, 'anything.txt').resources.size).toBe(3);
    expect(load('Resources:\n  X:\n    Type: Custom::Thing\n', 'x.yml').resources.get('X')!.type).toBe('Custom::Thing');
    expect(load('AWSTemplateFormatVersion: "2010-09-09"\nDescription: empty\n').resources.size).toBe(0);
    expect(load(JSON.stringify({ Resources: { Q: { Type: 'AWS::SQS::Queue' } } }), 'stack.template').resources.size).toBe(1);
  });

  it('returns null for documents that are not templates', () => {
    expect(loadTemplate('ci.yaml', 'name: deploy\nsteps:\n  - run: echo AWS::SQS::Queue\n')).toBeNull();
    expect(loadTemplate('package.json', '{"name": "x", "description": "AWS::SQS::Queue"}')).toBeNull();
    expect(loadTemplate('x.yaml', 'Resources:\n  A:\n    Type: Something::Else\n')).toBeNull();
    expect(loadTemplate('list.yaml', '- AWS::SQS::Queue\n')).toBeNull();
  });

  it('gives problems and no template when a template cannot be parsed', () => {
    const text = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n   Properties: {}\n';
    const loaded = loadTemplate('broken.yaml', text)!;
    expect(loaded.template).toBeUndefined();
    expect(loaded.problems).toHaveLength(1);
    expect(new LineIndex(text).position(loaded.problems[0]!.offset)).toEqual({ line: 5, column: 4 });
    const json = loadTemplate('broken.json', '{"Resources": {"Q": {"Type": "AWS::SQS::Queue"},}}')!;
    expect(json.template).toBeUndefined();
    expect(json.problems[0]!.message).toMatch(/Trailing comma/);
    // Broken and not even looking like a template: not ours.
    expect(loadTemplate('other.yaml', 'a: [1, 2\nb: c\n')).toBeNull();
  });

  it('keeps the template and reports duplicate keys', () => {
    const loaded = loadTemplate('dup.yaml', 'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n  Q:\n    Type: AWS::SNS::Topic\n')!;
    expect(loaded.template!.resources.get('Q')!.type).toBe('AWS::SNS::Topic');
    expect(loaded.problems).toEqual([{ message: 'Duplicate key "Q"', offset: 44 }]);
  });

  it('detects the format', () => {
    expect(load(QUEUES).format).toBe('cloudformation');
    expect(load('Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n').format).toBe('sam');
    expect(load('Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31]\nResources: {Q: {Type: AWS::SQS::Queue}}\n').format).toBe('sam');
    expect(load('{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Metadata": {"aws:cdk:path": "S/Q/Resource"}}}}', 'S.template.json').format).toBe('cdk');
  });

  it('builds resources with typed properties and metadata', () => {
    const work = load(QUEUES).resources.get('Work')!;
    expect(work).toMatchObject({ id: 'Work', type: 'AWS::SQS::Queue', path: ['Resources', 'Work'] });
    expect(work.properties['RedrivePolicy']).toEqual({ deadLetterTargetArn: new Intrinsic('Fn::GetAtt', ['Dlq', 'Arn']), maxReceiveCount: 5 });
    expect(load(QUEUES).resources.get('Dlq')!.properties).toEqual({});
  });
});

describe('Template.locate', () => {
  const template = load(QUEUES);

  it('returns the exact range of an existing node', () => {
    expect(where(template, ['Resources', 'Work', 'Properties', 'VisibilityTimeout'])).toBe('6:26');
    expect(where(template, ['Resources', 'Work', 'Properties', 'RedrivePolicy', 'deadLetterTargetArn'])).toBe('8:30');
    expect(where(template, ['Resources', 'Work', 'Properties', 'RedrivePolicy', 'deadLetterTargetArn', 'Fn::GetAtt', 0])).toBe('8:38');
    const { range, start, end } = template.locate(['Resources', 'Work', 'Type']);
    expect(template.text.slice(start, end)).toBe('AWS::SQS::Queue');
    expect(range.end).toEqual({ line: 4, column: 26 });
  });

  it('points a missing property at the resource logical id key', () => {
    expect(where(template, ['Resources', 'Dlq', 'Properties', 'RedrivePolicy'])).toBe('10:3~');
    expect(where(template, ['Resources', 'Topic', 'Properties', 'TopicName'])).toBe('12:3~');
    expect(where(template, ['Resources', 'Work', 'Properties', 'DelaySeconds'])).toBe('3:3~');
    const { start, end } = template.locate(['Resources', 'Dlq', 'Properties', 'RedrivePolicy']);
    expect(template.text.slice(start, end)).toBe('Dlq');
  });

  it('points a deeper missing path at the nearest existing key', () => {
    expect(where(template, ['Resources', 'Work', 'Properties', 'RedrivePolicy', 'missing', 'deeper'])).toBe('7:7~');
    expect(where(template, ['Resources', 'Nope'])).toBe('2:1~');
    expect(where(template, ['Nope'])).toBe('1:1~');
    expect(where(template, ['Resources', 'Work', 'Properties', 'RedrivePolicy', 'deadLetterTargetArn', 'Fn::GetAtt', 5])).toBe('8:38~'); // the argument has no key
  });

  it('works the same on JSON', () => {
    const json = load(
      '{\n  "Resources": {\n    "Dlq": {\n      "Type": "AWS::SQS::Queue",\n      "Properties": { "MessageRetentionPeriod": 60 }\n    }\n  }\n}\n',
      'x.json',
    );
    expect(where(json, ['Resources', 'Dlq', 'Properties', 'RedrivePolicy'])).toBe('3:5~');
    expect(where(json, ['Resources', 'Dlq', 'Properties', 'MessageRetentionPeriod'])).toBe('5:49');
  });

  it('uses CRLF/BOM-independent columns', () => {
    const crlf = load(`\uFEFF${QUEUES.replace(/\n/g, '\r\n')}`);
    for (const path of [
      ['Resources', 'Work', 'Properties', 'VisibilityTimeout'],
      ['Resources', 'Dlq', 'Properties', 'RedrivePolicy'],
      ['AWSTemplateFormatVersion'],
    ]) {
      expect(where(crlf, path)).toBe(where(template, path));
    }
    expect(where(template, ['AWSTemplateFormatVersion'])).toBe('1:27');
  });
});

describe('SAM Globals', () => {
  const SAM = `Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs20.x
    Timeout: 10
    Environment:
      Variables:
        STAGE: prod
        TABLE: orders
    Layers:
      - arn:aws:lambda:us-east-1:123456789012:layer:common:1
Resources:
  WithProps:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      Timeout: 30
      Environment:
        Variables:
          TABLE: invoices
      Layers:
        - arn:aws:lambda:us-east-1:123456789012:layer:own:1
  WithoutProps:
    Type: AWS::Serverless::Function
  Plain:
    Type: AWS::Lambda::Function
    Properties:
      Handler: index.handler
`;
  const template = load(SAM);

  it('merges Globals.Function into each function: maps merge, lists concatenate, the resource wins', () => {
    expect(template.resources.get('WithProps')!.properties).toEqual({
      Runtime: 'nodejs20.x',
      Timeout: 30,
      Handler: 'index.handler',
      Environment: { Variables: { STAGE: 'prod', TABLE: 'invoices' } },
      Layers: ['arn:aws:lambda:us-east-1:123456789012:layer:common:1', 'arn:aws:lambda:us-east-1:123456789012:layer:own:1'],
    });
    expect(template.resources.get('WithoutProps')!.properties).toMatchObject({ Runtime: 'nodejs20.x', Timeout: 10 });
    expect(template.resources.get('Plain')!.properties).toEqual({ Handler: 'index.handler' });
    // The model's root is merged too.
    expect((template.root['Resources'] as Record<string, Record<string, Record<string, unknown>>>)['WithoutProps']!['Properties']!['Timeout']).toBe(10);
  });

  it('keeps positions: merged values locate at their Globals line, own values at theirs', () => {
    expect(where(template, ['Resources', 'WithProps', 'Properties', 'Runtime'])).toBe('4:14');
    expect(where(template, ['Resources', 'WithProps', 'Properties', 'Timeout'])).toBe('17:16');
    expect(where(template, ['Resources', 'WithProps', 'Properties', 'Environment', 'Variables', 'STAGE'])).toBe('8:16');
    expect(where(template, ['Resources', 'WithProps', 'Properties', 'Environment', 'Variables', 'TABLE'])).toBe('20:18');
    expect(where(template, ['Resources', 'WithProps', 'Properties', 'Layers', 0])).toBe('11:9');
    expect(where(template, ['Resources', 'WithProps', 'Properties', 'Layers', 1])).toBe('22:11');
    expect(where(template, ['Resources', 'WithoutProps', 'Properties', 'Timeout'])).toBe('5:14');
  });

  it('a property missing after the merge points at the function', () => {
    expect(where(template, ['Resources', 'WithoutProps', 'Properties', 'DeadLetterQueue'])).toBe('23:3~');
    expect(where(template, ['Resources', 'WithoutProps', 'Properties'])).toBe('23:3~');
    expect(where(template, ['Resources', 'WithProps', 'Properties', 'DeadLetterQueue'])).toBe('13:3~');
  });

  it('is not applied without the SAM transform', () => {
    const cfn = load(SAM.replace('Transform: AWS::Serverless-2016-10-31\n', ''));
    expect(cfn.resources.get('WithoutProps')!.properties).toEqual({});
  });

  it('merges other sections into their resource types and skips opaque Properties', () => {
    const t = load(`Transform: AWS::Serverless-2016-10-31
Globals:
  Api:
    TracingEnabled: true
  Function:
    Timeout: 5
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
  Conditional:
    Type: AWS::Serverless::Function
    Properties: !If [C, {Timeout: 1}, {Timeout: 2}]
`);
    expect(t.resources.get('Api')!.properties).toEqual({ TracingEnabled: true, StageName: 'prod' });
    expect(t.resources.get('Conditional')!.properties).toEqual({});
    expect(t.root['Resources']).toMatchObject({ Conditional: { Properties: expect.any(Intrinsic) } });
  });
});
