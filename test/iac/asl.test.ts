import { describe, it, expect } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadTemplate } from '../../src/iac/loaders/cloudformation.js';
import { isAslFile, loadAslFile } from '../../src/iac/loaders/asl.js';
import { isLambdaTask, stateMachines, stateMachineStates, statesOf } from '../../src/iac/asl.js';
import { stringOffsets } from '../../src/iac/string-offsets.js';
import type { PathSegment, Template } from '../../src/iac/model.js';
import noUnboundedStateMachineRetry from '../../src/rules/no-unbounded-state-machine-retry/iac.js';
import requireStateMachineTaskTimeout from '../../src/rules/require-state-machine-task-timeout/iac.js';

const cfn = (text: string, file = 't.yaml'): Template => loadTemplate(file, text)!.template!;

/** The text that `path` locates at. */
function at(template: Template, p: PathSegment[]): string {
  const where = template.locate(p);
  return template.text.slice(where.start, where.end);
}

describe('stringOffsets', () => {
  const offsetsOf = (text: string, value: string): number[] | undefined =>
    stringOffsets(text, { start: 0, end: text.length, keyStart: -1, keyEnd: -1 }, value);

  it('maps JSON escapes to the start of each escape sequence', () => {
    const text = String.raw`"{\"A\":\u0031}"`;
    const offsets = offsetsOf(text, '{"A":1}')!;
    expect(offsets).toEqual([1, 2, 4, 5, 7, 8, 14, 15]);
  });

  it('maps single-quoted YAML with doubled quotes', () => {
    expect(offsetsOf("'a''b'", "a'b")).toEqual([1, 2, 4, 5]);
  });

  it('maps a literal block scalar line by line', () => {
    const text = '|\n  {\n    "A": 1\n  }\n';
    const value = '{\n  "A": 1\n}\n';
    const offsets = offsetsOf(text, value)!;
    expect(text[offsets[value.indexOf('"A"')]!]).toBe('"');
    expect(offsets[value.indexOf('"A"')]).toBe(text.indexOf('"A"'));
    expect(offsets[value.indexOf('}')]).toBe(text.indexOf('}'));
  });

  it('folds lines of a folded block scalar', () => {
    const text = '>-\n  {"A":\n  1}\n';
    const offsets = offsetsOf(text, '{"A": 1}')!;
    expect(offsets[6]).toBe(text.indexOf('1}'));
  });

  it('gives up on a literal it cannot reproduce', () => {
    expect(offsetsOf('"abc"', 'xyz')).toBeUndefined();
  });
});

describe('state machine definitions', () => {
  it('walks nested Parallel branches and Map processors, skipping other state types', () => {
    const template = cfn(`Resources:
  M:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      Definition:
        StartAt: P
        States:
          P:
            Type: Parallel
            Branches:
              - StartAt: A
                States:
                  A: { Type: Task, Resource: arn:aws:states:::sns:publish, End: true }
            Next: M
          M:
            Type: Map
            ItemProcessor:
              StartAt: B
              States:
                B: { Type: Task, Resource: arn:aws:states:::sqs:sendMessage, End: true }
            Next: L
          L:
            Type: Map
            Iterator:
              StartAt: C
              States:
                C: { Type: Task, Resource: arn:aws:states:::sqs:sendMessage, End: true }
            Next: W
          W: { Type: Wait, Seconds: 1, Next: X }
          X: { Type: Pass, End: true }
`);
    const states = stateMachineStates([template]);
    expect(states.map((s) => `${s.type}:${s.name}`)).toEqual(['Parallel:P', 'Task:A', 'Map:M', 'Task:B', 'Map:L', 'Task:C']);
    const c = states.find((s) => s.name === 'C')!;
    expect(c.path).toEqual(['Resources', 'M', 'Properties', 'Definition', 'States', 'L', 'Iterator', 'States', 'C']);
    expect(at(template, c.path).startsWith('{ Type: Task')).toBe(true);
  });

  it('locates paths inside a JSON DefinitionString in a JSON template', () => {
    const definition = JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Task', Resource: 'arn:aws:states:::sns:publish', TimeoutSeconds: 5, End: true } } });
    const text = JSON.stringify({ Resources: { M: { Type: 'AWS::StepFunctions::StateMachine', Properties: { DefinitionString: definition } } } }, null, 2);
    const [machine] = stateMachines([cfn(text, 't.json')]);
    expect(machine!.definitionPath).toEqual(['Resources', 'M', 'Properties', 'DefinitionString']);
    const timeout = [...machine!.definitionPath, 'States', 'A', 'TimeoutSeconds'];
    expect(at(machine!.template, timeout)).toBe('5');
    const key = machine!.template.locate([...machine!.definitionPath, 'States', 'A', 'HeartbeatSeconds']);
    expect(key.exact).toBe(false);
    expect(machine!.template.text.slice(key.start, key.end)).toBe(String.raw`\"A\"`);
  });

  it('reads Fn::Sub definitions with variables as placeholders and points into the block', () => {
    const template = cfn(`Resources:
  Fn:
    Type: AWS::Lambda::Function
  M:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionString: !Sub |
        {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "\${Fn.Arn}",
          "TimeoutSeconds": \${Timeout}, "End": true}}}
`);
    const [machine] = stateMachines([template]);
    const [task] = statesOf(machine!);
    expect(isLambdaTask(task!)).toBe(true);
    expect(at(machine!.template, [...task!.path, 'Resource'])).toBe('"${Fn.Arn}"');
    expect(at(machine!.template, [...task!.path, 'TimeoutSeconds'])).toBe('${Timeout}');
  });

  it('reads CDK Fn::Join definitions', () => {
    const text = JSON.stringify({
      Resources: {
        M: {
          Type: 'AWS::StepFunctions::StateMachine',
          Properties: {
            DefinitionString: {
              'Fn::Join': ['', ['{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"arn:', { Ref: 'AWS::Partition' }, ':states:::lambda:invoke","End":true}}}']],
            },
          },
          Metadata: { 'aws:cdk:path': 'Stack/Machine/Resource' },
        },
      },
    });
    const [machine] = stateMachines([cfn(text, 'stack.template.json')]);
    expect(machine!.label).toBe('state machine `Stack/Machine`');
    const [task] = statesOf(machine!);
    expect(isLambdaTask(task!)).toBe(true);
    expect(at(machine!.template, [...task!.path, 'End'])).toBe('true');
  });

  it('keeps track of JSON strings across Fn::Join parts, escaped quotes included', () => {
    const parts = ['{"StartAt":"A","States":{"A":{"Type":"Task","Comment":"say \\"', { Ref: 'Name' }, '\\"","Resource":"arn:aws:states:::sns:publish","End":true}}}'];
    const text = JSON.stringify({ Resources: { M: { Type: 'AWS::StepFunctions::StateMachine', Properties: { DefinitionString: { 'Fn::Join': ['', parts] } } } } });
    const [state] = stateMachineStates([cfn(text, 't.json')]);
    expect(state!.resource).toBe('arn:aws:states:::sns:publish');
    expect(at(state!.machine.template, [...state!.path, 'Resource'])).toBe(String.raw`\"arn:aws:states:::sns:publish\"`);
  });

  it('loads standalone ASL files by name and content', () => {
    expect(isAslFile('flows/orders.asl.yaml')).toBe(true);
    expect(isAslFile('flows/orders.json')).toBe(false);
    expect(loadAslFile('x.asl.json', '{"Comment": "not a definition"}')).toBeNull();
    const loaded = loadAslFile('orders.asl.json', '{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "End": true}}}');
    const template = loaded!.template!;
    expect(template.format).toBe('asl');
    const [state] = stateMachineStates([template]);
    expect(state!.machine.label).toBe('state machine `orders`');
    expect(at(template, [...state!.path, 'Resource'])).toBe('"arn:aws:states:::sns:publish"');
    expect(at(template, [...state!.path, 'TimeoutSeconds'])).toBe('"A"');
  });

  it('reads a SAM DefinitionUri file once, also when the file itself is scanned', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rel4lint-asl-'));
    mkdirSync(path.join(dir, 'sm'));
    const definitionFile = path.join(dir, 'sm', 'flow.asl.json');
    const definitionText = '{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "${Fn}", "End": true}}}';
    writeFileSync(definitionFile, definitionText);
    const samText = `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: sm/flow.asl.json
      DefinitionSubstitutions:
        Fn: !GetAtt Fn.Arn
  Remote:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: s3://bucket/flow.asl.json
`;
    const sam = cfn(samText, path.join(dir, 'template.yaml'));
    const standalone = loadAslFile(definitionFile, definitionText)!.template!;
    const machines = stateMachines([sam, standalone]);
    expect(machines).toHaveLength(1);
    expect(machines[0]!.template.file).toBe(definitionFile);
    expect(machines[0]!.related![0]!.template).toBe(sam);
    const [task] = statesOf(machines[0]!);
    expect(isLambdaTask(task!)).toBe(true);
  });
});

describe('scopes', () => {
  it('marks Express machines, Express child workflows and definitions with an overall timeout', () => {
    const template = cfn(`Resources:
  Fast:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      StateMachineType: EXPRESS
      Definition:
        StartAt: A
        States:
          A: { Type: Task, Resource: arn:aws:states:::sns:publish, End: true }
  Slow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      Definition:
        StartAt: D
        States:
          D:
            Type: Map
            ItemProcessor:
              ProcessorConfig: { Mode: DISTRIBUTED, ExecutionType: EXPRESS }
              StartAt: B
              States:
                B: { Type: Task, Resource: arn:aws:states:::sns:publish, End: true }
            Next: P
          P:
            Type: Parallel
            Branches:
              - StartAt: C
                TimeoutSeconds: 60
                States:
                  C: { Type: Task, Resource: arn:aws:states:::sns:publish, End: true }
            End: true
`);
    const byName = new Map(stateMachineStates([template]).map((s) => [s.name, s]));
    expect(byName.get('A')!.express).toBe(true);
    expect(byName.get('D')!.express).toBe(false);
    expect(byName.get('B')!.express).toBe(true);
    expect(byName.get('C')!.express).toBe(false);
    expect(byName.get('C')!.enclosingTimeout).toBe(true);
    expect(byName.get('B')!.enclosingTimeout).toBe(false);
  });

  it('resolves DefinitionSubstitutions when telling Lambda tasks apart', () => {
    const template = cfn(`Resources:
  Fn:
    Type: AWS::Lambda::Function
  Topic:
    Type: AWS::SNS::Topic
  M:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionSubstitutions:
        FnArn: !GetAtt Fn.Arn
        FnName: !Ref Fn
      Definition:
        StartAt: A
        States:
          A: { Type: Task, Resource: "\${FnArn}", Next: B }
          B: { Type: Task, Resource: "\${FnName}", Next: C }
          C: { Type: Task, Resource: "\${Unknown}", End: true }
`);
    expect(stateMachineStates([template]).map((s) => isLambdaTask(s))).toEqual([true, false, false]);
  });
});

describe('messages', () => {
  const run = (rule: typeof requireStateMachineTaskTimeout, text: string, options: Record<string, unknown> = {}): string[] =>
    rule.iac!({ templates: [cfn(text)], options }).map((r) => r.message);
  const machine = (states: string): string => `Resources:
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      Definition:
        StartAt: A
        States:
${states}`;

  it('require-state-machine-task-timeout names the state, the machine and the resource', () => {
    const [message] = run(requireStateMachineTaskTimeout, machine('          A: { Type: Task, Resource: arn:aws:states:::glue:startJobRun.sync, End: true }\n'));
    expect(message).toBe(
      'Task state `A` of state machine `Flow` (resource arn:aws:states:::glue:startJobRun.sync) has no TimeoutSeconds (the default is 99,999,999 s): the state waits as long as the job runs, up to the one-year execution limit, if the job hangs',
    );
  });

  it('no-unbounded-state-machine-retry computes the longest wait and the total', () => {
    const retrier = (attempts: number): string[] =>
      run(
        noUnboundedStateMachineRetry as never,
        machine(`          A:\n            Type: Task\n            Resource: arn:aws:states:::sns:publish\n            Retry: [{ ErrorEquals: [Busy], IntervalSeconds: 10, MaxAttempts: ${attempts} }]\n            End: true\n`),
        { maxAttempts: 10 },
      );
    expect(retrier(7)).toEqual([
      'Task state `A` of state machine `Flow` backs off on `Busy` without MaxDelaySeconds: the wait before attempt 8 reaches 11 minutes (IntervalSeconds 10 × BackoffRate 2^6), 21 minutes of waiting in all',
    ]);
    // the last wait is over 5 minutes, but MaxAttempts bounds all the waiting to 630 s
    expect(retrier(6)).toEqual([]);
  });

  it('no-unbounded-state-machine-retry accepts the retrier CDK adds to LambdaInvoke', () => {
    const messages = run(
      noUnboundedStateMachineRetry as never,
      machine(
        '          A:\n            Type: Task\n            Resource: arn:aws:states:::lambda:invoke\n            Retry:\n              - ErrorEquals: [Lambda.ClientExecutionTimeoutException, Lambda.ServiceException, Lambda.AWSLambdaException, Lambda.SdkClientException]\n                IntervalSeconds: 2\n                MaxAttempts: 6\n                BackoffRate: 2\n            End: true\n',
      ),
      { maxAttempts: 10 },
    );
    expect(messages).toEqual([]);
  });
});
