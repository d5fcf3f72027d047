import { describe, it, expect } from 'vitest';
import { parseDocument } from 'yaml';
import { reindentFlowContinuations } from '../../src/iac/yaml-leniency.js';

const UNDER_INDENTED_QUOTE = [
  'Resources:',
  '  Role:',
  '    Type: AWS::IAM::Role',
  '    Properties:',
  '      Policies:',
  "        - PolicyName: access",
  "          PolicyDocument: !Sub '{",
  '              "Version": "2012-10-17"',
  "          }'",
  '        - PolicyName: other',
  '',
].join('\n');

const UNDER_INDENTED_FLOW = ['Auth:', '  CustomStatements: [{', '    "Effect": "Allow"', '  }]', 'Next: 1', ''].join('\n');

describe('reindentFlowContinuations', () => {
  it('leaves valid YAML alone', () => {
    expect(reindentFlowContinuations('a: [1,\n    2]\nb: "x\n  y"\nc: |\n  [not flow\n')).toBeUndefined();
  });

  it('makes an under-indented multi-line quoted scalar parse, with offsets mapped back', () => {
    expect(parseDocument(UNDER_INDENTED_QUOTE).errors.length).toBeGreaterThan(0);
    const r = reindentFlowContinuations(UNDER_INDENTED_QUOTE)!;
    const doc = parseDocument(r.text);
    expect(doc.errors).toEqual([]);
    const value = doc.toJS().Resources.Role.Properties.Policies;
    expect(value.map((p: { PolicyName: string }) => p.PolicyName)).toEqual(['access', 'other']);
    // the key `- PolicyName: other` is after the inserted space: maps to its original offset
    const newAt = r.text.indexOf('- PolicyName: other');
    expect(r.toOriginal(newAt)).toBe(UNDER_INDENTED_QUOTE.indexOf('- PolicyName: other'));
    // the closing quote line got one space; its first original character maps back exactly
    const closeNew = r.text.indexOf("}'");
    expect(r.toOriginal(closeNew)).toBe(UNDER_INDENTED_QUOTE.indexOf("}'"));
  });

  it('makes an under-indented flow collection parse', () => {
    expect(parseDocument(UNDER_INDENTED_FLOW).errors.length).toBeGreaterThan(0);
    const r = reindentFlowContinuations(UNDER_INDENTED_FLOW)!;
    const doc = parseDocument(r.text);
    expect(doc.errors).toEqual([]);
    expect(doc.toJS()).toEqual({ Auth: { CustomStatements: [{ Effect: 'Allow' }] }, Next: 1 });
    expect(r.toOriginal(r.text.indexOf('Next'))).toBe(UNDER_INDENTED_FLOW.indexOf('Next'));
  });

  it('ignores brackets inside plain scalars, comments and block scalars', () => {
    const text = ['a: arn:aws:s3:::bucket/[x]', 'b: 1 # [', 'c: |', '  {', 'd: 2', ''].join('\n');
    expect(reindentFlowContinuations(text)).toBeUndefined();
  });
});
