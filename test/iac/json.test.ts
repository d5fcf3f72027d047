import { describe, it, expect } from 'vitest';
import { Intrinsic } from '../../src/iac/model.js';
import { loadJson } from '../../src/iac/json.js';
import { loadYaml } from '../../src/iac/yaml.js';
import { sourceChain } from '../../src/iac/document.js';
import { LineIndex } from '../../src/ground/lines.js';

function problemAt(text: string): { message: string; line: number; column: number } {
  const loaded = loadJson(text);
  expect(loaded.value).toBeUndefined();
  expect(loaded.problems).toHaveLength(1);
  const [problem] = loaded.problems;
  return { message: problem!.message, ...new LineIndex(text).position(problem!.offset) };
}

describe('loadJson', () => {
  it('turns long-form intrinsics into Intrinsic values', () => {
    const text = JSON.stringify({
      a: { Ref: 'Queue' },
      b: { 'Fn::GetAtt': ['Queue', 'Arn'] },
      c: { 'Fn::GetAtt': 'Queue.Arn' },
      d: { 'Fn::Sub': ['${A}', { A: { Ref: 'B' } }] },
      e: { 'Fn::If': ['C', { 'Fn::ImportValue': 'x' }, { Ref: 'AWS::NoValue' }] },
      f: { Ref: 'x', Other: 1 },
      g: [1, true, null, 'x'],
    });
    expect(loadJson(text)).toMatchObject({
      problems: [],
      value: {
        a: new Intrinsic('Ref', 'Queue'),
        b: new Intrinsic('Fn::GetAtt', ['Queue', 'Arn']),
        c: new Intrinsic('Fn::GetAtt', ['Queue', 'Arn']),
        d: new Intrinsic('Fn::Sub', ['${A}', { A: new Intrinsic('Ref', 'B') }]),
        e: new Intrinsic('Fn::If', ['C', new Intrinsic('Fn::ImportValue', 'x'), new Intrinsic('Ref', 'AWS::NoValue')]),
        f: { Ref: 'x', Other: 1 },
        g: [1, true, null, 'x'],
      },
    });
  });

  it('gives the same model as the YAML loader for the same document', () => {
    const doc = { Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['D', 'Arn'] }, maxReceiveCount: 5 } } } } };
    const text = JSON.stringify(doc, null, 2);
    expect(loadJson(text).value).toEqual(loadYaml(text).value);
  });

  it('records value and key ranges, including GetAtt string parts', () => {
    const text = '{\n  "Resources": {\n    "Q": { "Arn": { "Fn::GetAtt": "Dlq.Arn" } }\n  }\n}\n';
    const { chain } = sourceChain(loadJson(text).source!, ['Resources', 'Q', 'Arn', 'Fn::GetAtt', 1]);
    const lines = new LineIndex(text);
    const q = chain[2]!;
    expect(text.slice(q.keyStart, q.keyEnd)).toBe('"Q"');
    expect(lines.position(q.keyStart)).toEqual({ line: 3, column: 5 });
    expect(text.slice(chain[5]!.start, chain[5]!.end)).toBe('Arn');
  });

  it('reports duplicate keys but keeps the document', () => {
    const text = '{"a": 1, "a": 2}';
    expect(loadJson(text)).toEqual({
      value: { a: 2 },
      source: expect.anything(),
      problems: [{ message: 'Duplicate key "a"', offset: 9 }],
    });
  });

  it('is strict: comments, trailing commas, empty content and junk are errors with positions', () => {
    expect(problemAt('{\n  "a": 1, // note\n  "b": 2\n}')).toEqual({ message: 'Comments are not allowed in JSON', line: 2, column: 11 });
    expect(problemAt('{\n  "a": [1, 2,],\n  "b": 2\n}')).toEqual({ message: 'Trailing comma is not allowed in JSON', line: 2, column: 13 });
    expect(problemAt('{\n  "a": 1,\n}')).toEqual({ message: 'Trailing comma is not allowed in JSON', line: 2, column: 9 });
    expect(problemAt('')).toMatchObject({ line: 1, column: 1 });
    expect(problemAt('{"a": 1} x')).toMatchObject({ line: 1, column: 10 });
    expect(problemAt('{"a": [1, 2}')).toMatchObject({ line: 1, column: 12 });
    expect(problemAt('{"a": "tab\there"}').message).toMatch(/control characters/);
    expect(problemAt('{\r\n  "a": 1\r\n  "b": 2\r\n}')).toMatchObject({ message: 'Comma expected', line: 3, column: 3 });
  });

  it('accepts a BOM without moving offsets', () => {
    const text = '\uFEFF{"a": 1}';
    const loaded = loadJson(text);
    expect(loaded.problems).toEqual([]);
    expect(loaded.value).toEqual({ a: 1 });
    const { chain } = sourceChain(loaded.source!, ['a']);
    expect(chain[1]!.keyStart).toBe(2);
    expect(new LineIndex(text).position(chain[1]!.keyStart)).toEqual({ line: 1, column: 2 });
  });

  it('caps nesting before the parser recurses', () => {
    const deep = `{"a": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    const loaded = loadJson(deep);
    expect(loaded.value).toBeUndefined();
    expect(loaded.problems).toEqual([{ message: 'Nesting is deeper than 200 levels', offset: 6 + 199 }]); // the object is level 1
    // Brackets inside strings do not count.
    expect(loadJson(`{"a": "${'['.repeat(1000)}"}`).problems).toEqual([]);
  });
});
