import { describe, expect, it } from 'vitest';
import { applySuppressions, commentDirectives, commentStyleOf } from '../../src/engine/suppressions.js';

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
