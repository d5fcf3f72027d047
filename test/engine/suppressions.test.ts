import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applySuppressions, commentDirectives, commentStyleOf } from '../../src/engine/suppressions.js';
import { lint, resolveRules } from '../../src/api/index.js';
import { project } from '../helpers/tmp.js';

const finding = (rule: string, line: number, file = 'a.ts', logicalLocation = 'fn:call()') => ({
  rule,
  file,
  logicalLocation,
  range: { start: { line, column: 1 }, end: { line, column: 2 } },
});

describe('suppression comments', () => {
  it('parses next-line, block and enable directives with rules and reasons', () => {
    const text = [
      '// rel4lint-disable-next-line rule-a, rule-b -- because',
      'x();',
      '/* rel4lint-disable rule-c -- legacy',
      '   module */',
      'y();',
      '/* rel4lint-enable rule-c */',
      'z();',
      '/* rel4lint-disable rule-d */',
    ].join('\r\n');
    const ds = commentDirectives('a.ts', text, 'code');
    expect(ds.map((d) => [d.kind, d.rules, d.reason, d.fromLine, d.toLine])).toEqual([
      ['next-line', ['rule-a', 'rule-b'], 'because', 2, 2],
      ['block', ['rule-c'], 'legacy module', 3, 5],
      ['block', ['rule-d'], undefined, 8, 8],
    ]);
  });

  it('ignores text that is not a comment of the file type, and directive-like prose', () => {
    expect(commentDirectives('a.yaml', 'url: http://x/#rel4lint-disable-next-line a -- b\n', 'hash')).toEqual([]);
    expect(commentDirectives('a.ts', "const s = '# rel4lint-disable-next-line a -- b';\n", 'code')).toEqual([]);
    expect(commentDirectives('a.ts', '// rel4lint-disabled a -- b\n', 'code')).toEqual([]);
    expect(commentDirectives('a.tf', '# rel4lint-disable-next-line a -- b\n// rel4lint-disable-next-line c -- d\n', 'both')).toHaveLength(2);
    expect(commentStyleOf('x.mjs')).toBe('code');
    expect(commentStyleOf('x.yml')).toBe('hash');
    expect(commentStyleOf('x.tf')).toBe('both');
    expect(commentStyleOf('x.json')).toBeUndefined();
  });

  it('an enable without rules closes every open block', () => {
    const ds = commentDirectives('a.ts', '/* rel4lint-disable a -- r */\n/* rel4lint-disable b -- r */\nx();\n/* rel4lint-enable */\ny();\n', 'code');
    expect(ds.map((d) => d.toLine)).toEqual([3, 3]);
  });

  it('applies to the right lines and rules, and reports unused, unknown and reasonless directives', () => {
    const ds = commentDirectives('a.ts', '// rel4lint-disable-next-line known -- r\nx();\n// rel4lint-disable-next-line known\ny();\n// rel4lint-disable-next-line nope -- r\n', 'code');
    const known = new Set(['known', 'other']);
    const r = applySuppressions([finding('known', 2), finding('other', 2), finding('known', 5)], ds, known, new Set([...known, 'no-invalid-suppression']));
    expect(r.active.map((f) => `${f.rule}@${f.range.start.line}`)).toEqual(['other@2', 'known@5']);
    expect(r.suppressed.map((s) => s.justification)).toEqual(['r']);
    expect(r.problems.map((p) => `${p.range.start.line} ${p.message}`)).toEqual([
      "3 'rel4lint-disable-next-line' comment suppressing known gives no reason: add one after ' -- ' so that reviewers can judge it",
      "3 'rel4lint-disable-next-line' comment suppressing known suppresses nothing: there is no known finding on the next line, so remove it",
      "5 'rel4lint-disable-next-line' comment names unknown rule 'nope', so it suppresses nothing",
    ]);
  });

  it('does not call a suppression of a rule that did not run unused', () => {
    const ds = commentDirectives('a.ts', '// rel4lint-disable-next-line off-rule -- r\nx();\n', 'code');
    expect(applySuppressions([], ds, new Set(), new Set(['off-rule'])).problems).toEqual([]);
  });
});

describe("ESLint's directives and rel4lint-disable-line", () => {
  const rows = (text: string) =>
    commentDirectives('a.ts', text, 'code').map((d) => `${d.label} [${d.rules.join(',')}] ${d.reason ?? '-'} ${d.fromLine}-${d.toLine}`);

  it('reads the rel4 rules of eslint-disable-next-line, eslint-disable-line and block eslint-disable, with and without a reason', () => {
    const text = [
      '// eslint-disable-next-line rel4/rule-a, no-console -- the caller needs the answer',
      'x();',
      'y(); // eslint-disable-line rel4/rule-b',
      '/* eslint-disable rel4/rule-c --- generated */',
      'z();',
      '/* eslint-enable rel4/rule-c */',
      '/* eslint-disable-next-line rel4/rule-d */',
      'w();',
    ].join('\n');
    expect(rows(text)).toEqual([
      'eslint-disable-next-line [rule-a] the caller needs the answer 2-2',
      'eslint-disable-line [rule-b] - 3-3',
      'eslint-disable [rule-c] generated 4-5',
      'eslint-disable-next-line [rule-d] - 8-8',
    ]);
  });

  it('leaves ESLint the directives that name no rel4 rule, and line comments ESLint does not read as blocks', () => {
    const text = [
      '// eslint-disable-next-line no-console',
      '/* eslint-disable */',
      '// eslint-disable rel4/rule-a -- not a directive in a line comment',
      '/* eslint-disable-line */',
      'x();',
    ].join('\n');
    expect(rows(text)).toEqual([]);
  });

  it('closes a block only with an enable of its own kind', () => {
    const text = [
      '/* eslint-disable rel4/rule-a -- r */',
      '/* rel4lint-disable rule-a -- r */',
      'x();',
      '/* eslint-enable */',
      'y();',
      '/* rel4lint-enable rule-a */',
      'z();',
    ].join('\n');
    expect(rows(text)).toEqual(['eslint-disable [rule-a] r 1-3', 'rel4lint-disable [rule-a] r 2-5']);
  });

  it('applies rel4lint-disable-line to its own line and accepts rel4/ names in rel4lint comments', () => {
    const text = 'x(); // rel4lint-disable-line rel4/known -- r\ny(); // rel4lint-disable-line known -- r\n';
    expect(rows(text)).toEqual(['rel4lint-disable-line [known] r 1-1', 'rel4lint-disable-line [known] r 2-2']);
    const ds = commentDirectives('a.ts', text, 'code');
    const r = applySuppressions([finding('known', 1)], ds, new Set(['known']), new Set(['known']));
    expect(r.suppressed.map((s) => s.finding.range.start.line)).toEqual([1]);
    expect(r.problems.map((p) => `${p.range.start.line} ${p.message}`)).toEqual([
      "2 'rel4lint-disable-line' comment suppressing known suppresses nothing: there is no known finding on its line, so remove it",
    ]);
  });

  it('reports unused and reasonless ESLint directives naming rel4 rules as its own', () => {
    const ds = commentDirectives('a.ts', '// eslint-disable-next-line rel4/known\nx();\n// eslint-disable-next-line rel4/nope -- r\n', 'code');
    const r = applySuppressions([], ds, new Set(['known']), new Set(['known']));
    expect(r.problems.map((p) => `${p.range.start.line} ${p.message}`)).toEqual([
      "1 'eslint-disable-next-line' comment suppressing known gives no reason: add one after ' -- ' so that reviewers can judge it",
      "1 'eslint-disable-next-line' comment suppressing known suppresses nothing: there is no known finding on the next line, so remove it",
      "3 'eslint-disable-next-line' comment names unknown rule 'nope', so it suppresses nothing",
    ]);
  });

  it('reads no ESLint directive in YAML or HCL', () => {
    expect(commentDirectives('a.tf', '# eslint-disable-next-line rel4/a -- b\n// eslint-disable-next-line rel4/a -- b\n', 'both')).toEqual([]);
  });
});

describe('suppressions in a scan', () => {
  it("honours ESLint's directives for rel4 rules in code, and a comment inside a Terraform resource block for the whole resource", async () => {
    const root = project({
      'src/orders.ts': [
        "import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';",
        'const lambda = new LambdaClient({});',
        'export async function a() {',
        '  // eslint-disable-next-line rel4/no-sync-lambda-invoke -- pricing must answer in this request',
        "  await lambda.send(new InvokeCommand({ FunctionName: 'a' }));",
        "  await lambda.send(new InvokeCommand({ FunctionName: 'b' })); // eslint-disable-line rel4/no-sync-lambda-invoke -- same",
        "  await lambda.send(new InvokeCommand({ FunctionName: 'c' })); // rel4lint-disable-line no-sync-lambda-invoke -- same",
        "  await lambda.send(new InvokeCommand({ FunctionName: 'd' }));",
        '}',
        '',
      ].join('\n'),
      'infra/queues.tf': [
        'resource "aws_sqs_queue" "rebuilt" {',
        '  name = "rebuilt"',
        '  # rel4lint-disable-next-line require-queue-dlq -- rebuilt from the orders table on failure',
        '  visibility_timeout_seconds = 60',
        '}',
        '',
        'resource "aws_sqs_queue" "jobs" {',
        '  name = "jobs"',
        '}',
        '',
      ].join('\n'),
    });
    const files = [path.join(root, 'src/orders.ts'), path.join(root, 'infra/queues.tf')];
    const result = await lint({ cwd: root, files, rules: resolveRules('recommended') });
    const rows = (list: typeof result.findings) => list.map((f) => `${f.file}:${f.range.start.line} ${f.rule}`);
    expect(rows(result.findings)).toEqual(['infra/queues.tf:7 require-queue-dlq', 'src/orders.ts:8 no-sync-lambda-invoke']);
    expect(rows(result.suppressed ?? [])).toEqual([
      'infra/queues.tf:1 require-queue-dlq',
      'src/orders.ts:5 no-sync-lambda-invoke',
      'src/orders.ts:6 no-sync-lambda-invoke',
      'src/orders.ts:7 no-sync-lambda-invoke',
    ]);
  });
});
