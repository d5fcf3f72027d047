import { describe, expect, it } from 'vitest';
import { codeFrame, sanitize } from '../../src/reporters/codeframe.js';

function spanOf(text: string, needle: string, length = needle.length) {
  const start = text.indexOf(needle);
  return { start, end: start + length };
}

describe('codeFrame', () => {
  const text = ['one', 'two', 'const x = call(arg);', 'four', 'five', 'six'].join('\n');

  it('shows two lines of context, a gutter and carets under the span', () => {
    expect(codeFrame(text, spanOf(text, 'call(arg)'))).toBe(
      [
        '  1 | one',
        '  2 | two',
        '> 3 | const x = call(arg);',
        '    |           ^^^^^^^^^',
        '  4 | four',
        '  5 | five',
      ].join('\n'),
    );
  });

  it('clamps context at the start and end of the file and widens the gutter for the last line number', () => {
    const lines = Array.from({ length: 10 }, (_, i) => `line${i + 1}`).join('\n');
    expect(codeFrame(lines, spanOf(lines, 'line10'))).toBe(
      ['   8 | line8', '   9 | line9', '> 10 | line10', '     | ^^^^^^'].join('\n'),
    );
    expect(codeFrame(lines, spanOf(lines, 'line1'), { contextLines: 0 })).toBe(['> 1 | line1', '    | ^^^^^'].join('\n'));
  });

  it('underlines a multi-line span from its start to the end of its first line', () => {
    const src = 'a\nfoo({\n  x: 1,\n});\nb';
    const start = src.indexOf('foo');
    const end = src.indexOf('})') + 2;
    expect(codeFrame(src, { start, end }, { contextLines: 1 })).toBe(
      ['  1 | a', '> 2 | foo({', '    | ^^^^^', '  3 |   x: 1,'].join('\n'),
    );
  });

  it('expands tabs to tab stops and keeps the carets aligned', () => {
    const src = '\tif (a)\t{\n\t\tcall();\n\t}';
    expect(codeFrame(src, spanOf(src, 'call()'), { contextLines: 0 })).toBe(
      ['> 2 |         call();', '    |         ^^^^^^'].join('\n'),
    );
    expect(codeFrame(src, spanOf(src, '{'), { contextLines: 0, tabWidth: 2 })).toBe(
      ['> 1 |   if (a)  {', '    |           ^'].join('\n'),
    );
  });

  it('counts wide characters as two columns', () => {
    const src = "const s = '注文'; call();";
    expect(codeFrame(src, spanOf(src, 'call()'))).toBe(["> 1 | const s = '注文'; call();", '    |                   ^^^^^^'].join('\n'));
  });

  it('shows one caret for an empty span, also at the end of a line', () => {
    const src = 'abc\ndef';
    expect(codeFrame(src, { start: 1, end: 1 }, { contextLines: 0 })).toBe(['> 1 | abc', '    |  ^'].join('\n'));
    expect(codeFrame(src, { start: 3, end: 3 }, { contextLines: 0 })).toBe(['> 1 | abc', '    |    ^'].join('\n'));
  });

  it('handles CRLF line endings', () => {
    const src = 'a\r\nb = bad;\r\nc';
    expect(codeFrame(src, spanOf(src, 'bad'))).toBe(['  1 | a', '> 2 | b = bad;', '    |     ^^^', '  3 | c'].join('\n'));
  });

  it('clips very long lines around the span and marks the cuts', () => {
    const src = `${'x'.repeat(500)}TARGET${'y'.repeat(500)}`;
    const frame = codeFrame(src, spanOf(src, 'TARGET'), { maxWidth: 60 });
    const [code, carets] = frame.split('\n');
    expect(code).toMatch(/^> 1 \| …x+TARGETy+…$/);
    expect(code!.length).toBeLessThan(80);
    expect(carets!.indexOf('^')).toBe(code!.indexOf('TARGET'));
    expect(carets).toMatch(/\^{6}$/);
  });

  it('clips a span longer than the window to the window', () => {
    const src = `a = ${'z'.repeat(300)};`;
    const frame = codeFrame(src, { start: 4, end: 304 }, { maxWidth: 40 });
    const [code, carets] = frame.split('\n');
    expect(code).toBe(`> 1 | a = ${'z'.repeat(36)}…`);
    expect(carets).toBe(`    |     ${'^'.repeat(36)}`);
  });

  it('replaces control characters and bidi overrides', () => {
    const src = 'x = "\u001b[31mred\u202e";';
    expect(codeFrame(src, spanOf(src, 'x'))).toBe(['> 1 | x = "\uFFFD[31mred\uFFFD";', '    | ^'].join('\n'));
    expect(sanitize('a\u0007b')).toBe('a\uFFFDb');
  });

  it('colours only when asked', () => {
    expect(codeFrame(text, spanOf(text, 'call'), { color: true })).toContain('\u001b[');
    expect(codeFrame(text, spanOf(text, 'call'), { color: false })).not.toContain('\u001b[');
  });

  it('survives out-of-range offsets and empty text', () => {
    expect(codeFrame('', { start: 0, end: 0 })).toBe('');
    expect(codeFrame('abc', { start: 10, end: 20 }, { contextLines: 0 })).toBe(['> 1 | abc', '    |    ^'].join('\n'));
  });
});
