import { describe, it, expect } from 'vitest';
import { Intrinsic, type IacValue } from '../../src/iac/model.js';
import { loadYaml } from '../../src/iac/yaml.js';
import { sourceChain, type SourceNode } from '../../src/iac/document.js';
import { LineIndex } from '../../src/ground/lines.js';

function value(text: string): IacValue {
  const loaded = loadYaml(text);
  expect(loaded.problems).toEqual([]);
  return loaded.value!;
}

function at(text: string, path: (string | number)[]): { text: string; key?: string; line: number; column: number } {
  const loaded = loadYaml(text);
  const { chain, found } = sourceChain(loaded.source!, path);
  expect(found).toBe(true);
  const node: SourceNode = chain[chain.length - 1]!;
  return {
    text: text.slice(node.start, node.end),
    key: node.keyStart >= 0 ? text.slice(node.keyStart, node.keyEnd) : undefined,
    ...new LineIndex(text).position(node.start),
  };
}

describe('loadYaml: short-form intrinsic tags', () => {
  const cases: [string, Intrinsic][] = [
    ['!Ref Queue', new Intrinsic('Ref', 'Queue')],
    ['!Condition IsProd', new Intrinsic('Condition', 'IsProd')],
    ['!GetAtt Queue.Arn', new Intrinsic('Fn::GetAtt', ['Queue', 'Arn'])],
    ['!GetAtt Db.Endpoint.Address', new Intrinsic('Fn::GetAtt', ['Db', 'Endpoint.Address'])],
    ['!GetAtt [Queue, Arn]', new Intrinsic('Fn::GetAtt', ['Queue', 'Arn'])],
    ['!Sub "${Queue.Arn}"', new Intrinsic('Fn::Sub', '${Queue.Arn}')],
    ['!Sub ["${A}-x", {A: !Ref B}]', new Intrinsic('Fn::Sub', ['${A}-x', { A: new Intrinsic('Ref', 'B') }])],
    ['!If [C, 1, !Ref AWS::NoValue]', new Intrinsic('Fn::If', ['C', 1, new Intrinsic('Ref', 'AWS::NoValue')])],
    ['!Join ["", [a, !Ref B]]', new Intrinsic('Fn::Join', ['', ['a', new Intrinsic('Ref', 'B')]])],
    ['!Select [0, !GetAZs ""]', new Intrinsic('Fn::Select', [0, new Intrinsic('Fn::GetAZs', '')])],
    ['!GetAZs us-east-1', new Intrinsic('Fn::GetAZs', 'us-east-1')],
    ['!ImportValue shared-queue-arn', new Intrinsic('Fn::ImportValue', 'shared-queue-arn')],
    ['!FindInMap [M, K, V]', new Intrinsic('Fn::FindInMap', ['M', 'K', 'V'])],
    ['!Base64 hello', new Intrinsic('Fn::Base64', 'hello')],
    ['!Cidr [10.0.0.0/16, 4, 8]', new Intrinsic('Fn::Cidr', ['10.0.0.0/16', 4, 8])],
    ['!Split [",", "a,b"]', new Intrinsic('Fn::Split', [',', 'a,b'])],
    ['!Equals [!Ref Env, prod]', new Intrinsic('Fn::Equals', [new Intrinsic('Ref', 'Env'), 'prod'])],
    ['!And [!Condition A, !Condition B]', new Intrinsic('Fn::And', [new Intrinsic('Condition', 'A'), new Intrinsic('Condition', 'B')])],
    ['!Or [!Condition A, !Condition B]', new Intrinsic('Fn::Or', [new Intrinsic('Condition', 'A'), new Intrinsic('Condition', 'B')])],
    ['!Not [!Condition A]', new Intrinsic('Fn::Not', [new Intrinsic('Condition', 'A')])],
    ['!Transform {Name: AWS::Include, Parameters: {Location: s3://b/k}}', new Intrinsic('Fn::Transform', { Name: 'AWS::Include', Parameters: { Location: 's3://b/k' } })],
    ['!Length [a, b]', new Intrinsic('Fn::Length', ['a', 'b'])],
    ['!ToJsonString {a: 1}', new Intrinsic('Fn::ToJsonString', { a: 1 })],
  ];
  for (const [source, expected] of cases) {
    it(source, () => {
      expect(value(`v: ${source}\n`)).toEqual({ v: expected });
    });
  }

  it('block forms: sequence and mapping tags, block scalars', () => {
    const text = [
      'a: !If',
      '  - IsProd',
      '  - !GetAtt',
      '    - Queue',
      '    - Arn',
      '  - !Ref AWS::NoValue',
      'b: !Base64 |',
      '  #!/bin/bash',
      '  echo hi',
      'c: !Transform',
      '  Name: AWS::Include',
      '',
    ].join('\n');
    expect(value(text)).toEqual({
      a: new Intrinsic('Fn::If', ['IsProd', new Intrinsic('Fn::GetAtt', ['Queue', 'Arn']), new Intrinsic('Ref', 'AWS::NoValue')]),
      b: new Intrinsic('Fn::Base64', '#!/bin/bash\necho hi\n'),
      c: new Intrinsic('Fn::Transform', { Name: 'AWS::Include' }),
    });
  });

  it('a value range includes its tag; the argument range does not', () => {
    const text = 'Resources:\n  Q:\n    Arn: !GetAtt Dlq.Arn\n';
    expect(at(text, ['Resources', 'Q', 'Arn'])).toMatchObject({ text: '!GetAtt Dlq.Arn', key: 'Arn', line: 3, column: 10 });
    expect(at(text, ['Resources', 'Q', 'Arn', 'Fn::GetAtt'])).toMatchObject({ text: 'Dlq.Arn' });
    expect(at(text, ['Resources', 'Q', 'Arn', 'Fn::GetAtt', 0])).toMatchObject({ text: 'Dlq', column: 18 });
    expect(at(text, ['Resources', 'Q', 'Arn', 'Fn::GetAtt', 1])).toMatchObject({ text: 'Arn', column: 22 });
  });
});

describe('loadYaml: long-form intrinsics', () => {
  it('single-key mappings with intrinsic names become Intrinsic values', () => {
    const text = [
      'a: {Ref: Queue}',
      'b:',
      '  Fn::GetAtt: [Queue, Arn]',
      'c:',
      '  Fn::GetAtt: Queue.Arn',
      'd: {"Fn::Sub": "${X}"}',
      'e: {Condition: IsProd}',
      '',
    ].join('\n');
    expect(value(text)).toEqual({
      a: new Intrinsic('Ref', 'Queue'),
      b: new Intrinsic('Fn::GetAtt', ['Queue', 'Arn']),
      c: new Intrinsic('Fn::GetAtt', ['Queue', 'Arn']),
      d: new Intrinsic('Fn::Sub', '${X}'),
      e: new Intrinsic('Condition', 'IsProd'),
    });
    expect(at(text, ['c', 'Fn::GetAtt', 0])).toMatchObject({ text: 'Queue', line: 5 });
  });

  it('does not mistake ordinary mappings for intrinsics', () => {
    expect(value('a: {Ref: x, Other: y}\nb: {Condition: {StringEquals: {k: v}}}\nc: {"Fn::Unknown": 1}\n')).toEqual({
      a: { Ref: 'x', Other: 'y' },
      b: { Condition: { StringEquals: { k: 'v' } } },
      c: { 'Fn::Unknown': 1 },
    });
  });
});

describe('loadYaml: YAML 1.1 scalars as CloudFormation reads them', () => {
  it('keeps dates as text, reads yes/no/on/off as booleans but not y/n, octal and sexagesimal numbers', () => {
    expect(value('v: 2010-09-09\nt: 2010-09-09T10:00:00Z\na: yes\nb: Off\nc: y\nd: n\ne: 0777\nf: 1:30\ng: "yes"\nh: ~\ni: 1_000\n')).toEqual({
      v: '2010-09-09',
      t: '2010-09-09T10:00:00Z',
      a: true,
      b: false,
      c: 'y',
      d: 'n',
      e: 511,
      f: 90,
      g: 'yes',
      h: null,
      i: 1000,
    });
  });

  it('keeps keys as written', () => {
    expect(value('n: 1\n200: ok\ntrue: x\n"quoted key": 2\n')).toEqual({ n: 1, '200': 'ok', true: 'x', 'quoted key': 2 });
  });

  it('does not let a __proto__ key touch the prototype', () => {
    const v = value('__proto__: {polluted: true}\n') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('an unknown tag is a warning, not a problem: the value stays a plain scalar', () => {
    expect(value('a: !Reff X\n')).toEqual({ a: 'X' });
  });
});

describe('loadYaml: aliases, merge keys and limits', () => {
  it('expands aliases and merge keys (explicit keys win)', () => {
    const text = 'base: &base {Timeout: 3, Memory: 128}\nfn:\n  <<: *base\n  Timeout: 10\nlist: [*base]\n';
    expect(value(text)).toEqual({
      base: { Timeout: 3, Memory: 128 },
      fn: { Timeout: 10, Memory: 128 },
      list: [{ Timeout: 3, Memory: 128 }],
    });
    expect(at(text, ['fn', 'Memory'])).toMatchObject({ text: '128', line: 1 });
    expect(at(text, ['list', 0])).toMatchObject({ text: '*base', line: 5 });
    expect(at(text, ['list', 0, 'Timeout'])).toMatchObject({ text: '3', line: 1 });
  });

  it('an alias bomb fails fast with a problem, not a throw or a hang', () => {
    const lines = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (let i = 1; i < 12; i++) {
      const name = String.fromCharCode(97 + i);
      const prev = String.fromCharCode(96 + i);
      lines.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    }
    const text = `${lines.join('\n')}\n`;
    // fast: no slower than reading a document of as many values as the expansion limit allows
    const plain = `list: [${'lol, '.repeat(100_000)}lol]\n`;
    const fastest = (input: string) => Math.min(...[0, 1, 2].map(() => {
      const started = performance.now();
      loadYaml(input);
      return performance.now() - started;
    }));
    expect(fastest(text)).toBeLessThanOrEqual(10 * fastest(plain));
    const loaded = loadYaml(text);
    expect(loaded.value).toBeUndefined();
    expect(loaded.problems).toHaveLength(1);
    expect(loaded.problems[0]!.message).toMatch(/aliases expand to more than 100000 nodes .*alias bomb/);
    // The problem points at the alias that crossed the limit.
    expect(text.slice(loaded.problems[0]!.offset).startsWith('*')).toBe(true);
  });

  it('the alias budget is configurable', () => {
    // *a is 4 nodes (the list and its items), three times.
    const text = 'a: &a [1, 2, 3]\nb: [*a, *a, *a]\n';
    expect(loadYaml(text, { maxAliasNodes: 12 }).problems).toEqual([]);
    expect(loadYaml(text, { maxAliasNodes: 11 }).problems[0]!.message).toMatch(/more than 11 nodes/);
  });

  it('a self-referencing alias is a problem', () => {
    const loaded = loadYaml('a: &a [1, *a]\n');
    expect(loaded.value).toBeUndefined();
    expect(loaded.problems[0]!.message).toMatch(/refers to a node that contains it/);
  });

  it('caps the nesting depth', () => {
    const deep = `a: ${'['.repeat(300)}${']'.repeat(300)}\n`;
    const loaded = loadYaml(deep);
    expect(loaded.value).toBeUndefined();
    expect(loaded.problems[0]!.message).toMatch(/Nesting is deeper than 200 levels/);
    expect(loadYaml(`a: ${'['.repeat(100)}${']'.repeat(100)}\n`).problems).toEqual([]);
    const veryDeep = loadYaml(`a: ${'{b: '.repeat(20000)}1${'}'.repeat(20000)}\n`);
    expect(veryDeep.value).toBeUndefined();
    expect(veryDeep.problems).toHaveLength(1);
  });
});

describe('loadYaml: problems', () => {
  it('reports duplicate keys at the second key, keeping the last value', () => {
    const text = 'a: 1\nb:\n  c: 1\n  c: 2\n';
    const loaded = loadYaml(text);
    expect(loaded.value).toEqual({ a: 1, b: { c: 2 } });
    expect(loaded.problems).toEqual([{ message: 'Duplicate key "c"', offset: text.lastIndexOf('c:') }]);
  });

  it('reports invalid YAML with the position of the first error', () => {
    const text = 'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n   Properties: {}\n';
    const loaded = loadYaml(text);
    expect(loaded.value).toBeUndefined();
    expect(loaded.problems).toHaveLength(1);
    expect(loaded.problems[0]!.message).toMatch(/same column/);
    expect(new LineIndex(text).position(loaded.problems[0]!.offset)).toEqual({ line: 4, column: 4 });
  });

  it('reports tabs used as indentation, unterminated flow collections and multiple documents', () => {
    expect(loadYaml('a:\n\tb: 1\n').problems[0]!.message).toMatch(/[Tt]ab/);
    const flow = loadYaml('a: [1, 2\nb: c\n');
    expect(flow.value).toBeUndefined();
    expect(flow.problems).toHaveLength(1);
    expect(loadYaml('a: 1\n---\nb: 2\n').problems[0]!.message).toMatch(/multiple documents/);
  });

  it('an empty document has a null value and no problem', () => {
    expect(loadYaml('')).toMatchObject({ value: null, problems: [] });
    expect(loadYaml('# only a comment\n')).toMatchObject({ value: null, problems: [] });
  });
});

describe('loadYaml: positions', () => {
  it('records value and key ranges', () => {
    const text = 'Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      Tags:\n        - Key: a\n          Value: b\n';
    expect(at(text, ['Resources', 'Queue'])).toMatchObject({ key: 'Queue', line: 3, column: 5 });
    expect(at(text, ['Resources', 'Queue', 'Type'])).toMatchObject({ text: 'AWS::SQS::Queue', key: 'Type', line: 3, column: 11 });
    expect(at(text, ['Resources', 'Queue', 'Properties', 'Tags', 0, 'Value'])).toMatchObject({ text: 'b', line: 7, column: 18 });
  });

  it('handles CRLF and a BOM', () => {
    const text = '\uFEFFResources:\r\n  Queue:\r\n    Type: AWS::SQS::Queue\r\n';
    expect(at(text, ['Resources'])).toMatchObject({ key: 'Resources' });
    expect(at(text, ['Resources', 'Queue', 'Type'])).toMatchObject({ text: 'AWS::SQS::Queue', line: 3, column: 11 });
    const { chain } = sourceChain(loadYaml(text).source!, ['Resources']);
    expect(new LineIndex(text).position(chain[1]!.keyStart)).toEqual({ line: 1, column: 1 });
  });
});
