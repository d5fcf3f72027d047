/** Templates evaluated at their default deployment: values, positions, and the words findings add. */
import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { loadTemplate } from '../../src/iac/loaders/cloudformation.js';
import { linkTemplates } from '../../src/iac/loaders/index.js';
import { defaultsNote, notDeployed } from '../../src/iac/defaults.js';
import { Intrinsic, type Template } from '../../src/iac/model.js';
import { lint, resolveRules } from '../../src/api/index.js';
import { FIXTURES } from '../helpers/fixtures.js';

const load = (text: string, file = '/p/template.yaml'): Template => loadTemplate(file, text)!.template!;

describe('evaluateDefaults', () => {
  it('replaces a Ref to a parameter with its default and says so', () => {
    const t = load('Parameters:\n  S:\n    Type: String\n    Default: cron(0 1 * * ? *)\nResources:\n  R:\n    Type: AWS::Events::Rule\n    Properties:\n      ScheduleExpression: !Ref S\n');
    linkTemplates([t]);
    expect(t.resources.get('R')!.properties['ScheduleExpression']).toBe('cron(0 1 * * ? *)');
    const at = ['Resources', 'R', 'Properties', 'ScheduleExpression'];
    expect(t.locate(at)).toMatchObject({ exact: true, range: { start: { line: 9, column: 27 } } });
    expect(defaultsNote(t, at)).toBe('with parameter `S` at its default `cron(0 1 * * ? *)`');
  });

  it('keeps parameters without a default, and SSM-typed parameters, unknown', () => {
    const t = load(
      'Parameters:\n  A:\n    Type: String\n  B:\n    Type: AWS::SSM::Parameter::Value<String>\n    Default: /app/b\nResources:\n  R:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Ref A\n      DelaySeconds: !Ref B\n',
    );
    linkTemplates([t]);
    const props = t.resources.get('R')!.properties;
    expect(props['QueueName']).toBeInstanceOf(Intrinsic);
    expect(props['DelaySeconds']).toBeInstanceOf(Intrinsic);
    expect(defaultsNote(t, ['Resources', 'R', 'Properties', 'QueueName'])).toBeUndefined();
  });

  it('decides Fn::If through Equals, Not, And, Or and Condition, and locates the chosen branch', () => {
    const t = load(
      [
        'Parameters:',
        '  EnableDLQ: { Type: String, Default: "false" }',
        '  Env: { Type: String, Default: dev }',
        'Conditions:',
        '  HasDlq: !Equals [!Ref EnableDLQ, "true"]',
        '  IsDev: !Equals [!Ref Env, dev]',
        '  DevNoDlq: !And [!Condition IsDev, !Not [!Condition HasDlq]]',
        '  Either: !Or [!Condition HasDlq, !Equals [!Ref Env, prod]]',
        'Resources:',
        '  Fn:',
        '    Type: AWS::Lambda::Function',
        '    Properties:',
        '      DeadLetterConfig: !If [HasDlq, { TargetArn: arn:aws:sqs:us-east-1:1:dlq }, !Ref AWS::NoValue]',
        '      Timeout: !If',
        '        - DevNoDlq',
        '        - 30',
        '        - 60',
        '  Extra:',
        '    Type: AWS::SQS::Queue',
        '    Condition: Either',
        '',
      ].join('\n'),
    );
    linkTemplates([t]);
    const props = t.resources.get('Fn')!.properties;
    expect(props['DeadLetterConfig']).toEqual(new Intrinsic('Ref', 'AWS::NoValue'));
    expect(props['Timeout']).toBe(30);
    expect(t.locate(['Resources', 'Fn', 'Properties', 'Timeout'])).toMatchObject({ exact: true, range: { start: { line: 16, column: 11 } } });
    expect(defaultsNote(t, ['Resources', 'Fn', 'Properties', 'DeadLetterConfig'])).toBe('with parameter `EnableDLQ` at its default `false`');
    expect(defaultsNote(t, ['Resources', 'Fn', 'Properties', 'Timeout'])).toBe('with parameter `EnableDLQ` at its default `false` and parameter `Env` at its default `dev`');
    expect(notDeployed(t, 'Extra')).toEqual({ condition: 'Either', note: 'with parameter `EnableDLQ` at its default `false` and parameter `Env` at its default `dev`' });
    expect(notDeployed(t, 'Fn')).toBeUndefined();
  });

  it('looks up mappings, joins, selects and substitutes what the defaults decide', () => {
    const t = load(
      [
        'Parameters:',
        '  Size: { Type: String, Default: small }',
        '  Names: { Type: CommaDelimitedList, Default: "a, b" }',
        'Mappings:',
        '  Sizes:',
        '    Memory: { small: 128, large: 1024 }',
        'Resources:',
        '  Q:',
        '    Type: AWS::SQS::Queue',
        '    Properties:',
        '      DelaySeconds: !FindInMap [Sizes, Memory, !Ref Size]',
        '      QueueName: !Join ["-", [orders, !Select [1, !Ref Names]]]',
        '      RedriveAllowPolicy: !Sub "${AWS::StackName}-${Size}"',
        '      Tags: [{ Key: k, Value: !Sub "${Size}-x" }]',
        '',
      ].join('\n'),
    );
    linkTemplates([t]);
    const props = t.resources.get('Q')!.properties;
    expect(props['DelaySeconds']).toBe(128);
    expect(props['QueueName']).toBe('orders-b');
    expect(props['RedriveAllowPolicy']).toBeInstanceOf(Intrinsic);
    expect(props['Tags']).toEqual([{ Key: 'k', Value: 'small-x' }]);
  });

  it('flows values a parent stack passes into the child template, replacing its defaults', () => {
    const parent = load(
      'Parameters:\n  Freq: { Type: String, Default: fast }\nMappings:\n  M:\n    Crons: { fast: cron(0/5 * * * ? *), slow: cron(0 * * * ? *) }\nResources:\n  Child:\n    Type: AWS::CloudFormation::Stack\n    Properties:\n      TemplateURL: !Sub https://${Bucket}.s3.amazonaws.com/child.yaml\n      Parameters:\n        Schedule: !FindInMap [M, Crons, !Ref Freq]\n        Other: !GetAtt Thing.Outputs.X\n',
      '/p/main.yaml',
    );
    const child = load(
      'Parameters:\n  Schedule: { Type: String, Default: cron(9 9 * * ? *) }\n  Other: { Type: String, Default: known }\nResources:\n  R:\n    Type: AWS::Events::Rule\n    Properties:\n      ScheduleExpression: !Ref Schedule\n      Description: !Ref Other\n',
      '/p/child.yaml',
    );
    linkTemplates([child, parent]);
    const props = child.resources.get('R')!.properties;
    expect(props['ScheduleExpression']).toBe('cron(0/5 * * * ? *)');
    // the parent passes what it cannot decide: the child's default does not apply
    expect(props['Description']).toBeInstanceOf(Intrinsic);
    expect(defaultsNote(child, ['Resources', 'R', 'Properties', 'ScheduleExpression'])).toBe(
      'with parameter `Schedule` = `cron(0/5 * * * ? *)` passed by stack `Child` of main.yaml from parameter `Freq` at its default `fast`',
    );
  });

  it('a SAM application passes parameters to a local child template', () => {
    const parent = load('Transform: AWS::Serverless-2016-10-31\nResources:\n  App:\n    Type: AWS::Serverless::Application\n    Properties:\n      Location: ./nested/app.yaml\n      Parameters: { Name: passed }\n', '/p/template.yaml');
    const child = load('Parameters:\n  Name: { Type: String, Default: own }\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Ref Name\n', '/p/nested/app.yaml');
    linkTemplates([parent, child]);
    expect(child.resources.get('Q')!.properties['QueueName']).toBe('passed');
  });
});

describe('findings at the defaults', () => {
  it('say which parameter decided, and skip resources the default deployment does not create', async () => {
    const dir = path.join(FIXTURES, 'no-synchronized-schedule');
    const rules = resolveRules('strict', {}).filter((r) => r.meta.name === 'no-synchronized-schedule');
    const result = await lint({ cwd: dir, files: [path.join(dir, 'defaults.yaml')], rules });
    const byLine = new Map(result.findings.map((f) => [f.range.start.line, f.message]));
    expect(byLine.get(47)).toMatch(/^EventBridge rule `Report` \(cron\(0 1 \* \* \? \*\)\) fires at minute 0 .* \(with parameter `ReportSchedule` at its default `cron\(0 1 \* \* \? \*\)`\)$/);
    expect(byLine.get(81)).toMatch(/\(with parameter `Frequency` at its default `daily`\)$/);
    expect(byLine.get(99)).toMatch(/\(with parameter `EnableArchive` at its default `false` and parameter `Environment` at its default `dev`\)$/);
    expect([...byLine.keys()].sort((a, b) => a - b)).toEqual([47, 81, 99, 118]);
  });
});

describe('duplicate keys', () => {
  it('are warnings of their own, and the template is analysed with the last value', async () => {
    const dir = path.join(FIXTURES, 'require-queue-dlq');
    const rules = resolveRules('strict', {}).filter((r) => ['parse-error', 'require-queue-dlq'].includes(r.meta.name));
    const result = await lint({ cwd: dir, files: [path.join(dir, 'duplicate-keys.yaml')], rules });
    const duplicates = result.findings.filter((f) => f.rule === 'parse-error');
    expect(duplicates.map((f) => [f.range.start.line, f.severity])).toEqual([
      [11, 'warning'],
      [18, 'warning'],
    ]);
    expect(duplicates[0]!.message).toBe(
      'Key `Properties` is declared again in the same mapping: CloudFormation uses this last value and ignores the earlier one, and so does this analysis; remove the duplicate so that readers see what is deployed',
    );
    expect(result.findings.filter((f) => f.rule === 'require-queue-dlq').map((f) => f.range.start.line)).toEqual([7]);
  });
});

describe('Terraform variables', () => {
  it('take their defaults in a root module and their callers\' inputs in a child module', async () => {
    const dir = path.join(FIXTURES, 'no-synchronized-schedule', 'terraform-vars-project');
    const rules = resolveRules('strict', {}).filter((r) => r.meta.name === 'no-synchronized-schedule');
    const { listFiles } = await import('../helpers/fixtures.js');
    const result = await lint({ cwd: dir, files: listFiles(dir), rules });
    const messages = Object.fromEntries(result.findings.map((f) => [f.file, f.message]));
    expect(messages['main.tf']).toMatch(/\(with variable `report_schedule` at its default `cron\(0 2 \* \* \? \*\)`\)$/);
    expect(messages['modules/jobs/main.tf']).toMatch(/\(with variable `schedule` = `cron\(0 5 \* \* \? \*\)` passed by module `jobs` of main\.tf\)$/);
  });
});

describe('a dead-letter queue switched off by default', () => {
  it('is reported at the branch the default deployment takes, naming the parameter', async () => {
    const dir = path.join(FIXTURES, 'require-queue-dlq');
    const rules = resolveRules('strict', {}).filter((r) => r.meta.name === 'require-queue-dlq');
    const result = await lint({ cwd: dir, files: [path.join(dir, 'defaults.yaml')], rules });
    expect(result.findings.map((f) => [f.range.start.line, f.message])).toEqual([
      [
        25,
        'SQS queue `Orders` has no dead-letter queue (RedrivePolicy): a message that keeps failing is redelivered until retention expires, then lost (with parameter `EnableDLQ` at its default `false`)',
      ],
    ]);
  });
});
