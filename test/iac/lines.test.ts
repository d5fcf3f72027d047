import { describe, it, expect } from 'vitest';
import { LineIndex } from '../../src/ground/lines.js';

describe('LineIndex', () => {
  it('maps offsets to 1-based lines and columns', () => {
    const text = 'ab\ncd\n\nef';
    const lines = new LineIndex(text);
    expect(lines.position(0)).toEqual({ line: 1, column: 1 });
    expect(lines.position(1)).toEqual({ line: 1, column: 2 });
    expect(lines.position(2)).toEqual({ line: 1, column: 3 }); // the \n ends line 1
    expect(lines.position(3)).toEqual({ line: 2, column: 1 });
    expect(lines.position(6)).toEqual({ line: 3, column: 1 });
    expect(lines.position(7)).toEqual({ line: 4, column: 1 });
    expect(lines.position(9)).toEqual({ line: 4, column: 3 }); // end of text
    expect(lines.lineCount).toBe(4);
  });

  it('clamps offsets outside the text', () => {
    const lines = new LineIndex('ab\ncd');
    expect(lines.position(-5)).toEqual({ line: 1, column: 1 });
    expect(lines.position(999)).toEqual({ line: 2, column: 3 });
  });

  it('treats CRLF as one line break and a lone CR as a line break', () => {
    const text = 'a: 1\r\nb: 2\r\n\r\nc: 3\rd: 4';
    const lines = new LineIndex(text);
    expect(lines.position(text.indexOf('b'))).toEqual({ line: 2, column: 1 });
    expect(lines.position(text.indexOf('2'))).toEqual({ line: 2, column: 4 });
    expect(lines.position(text.indexOf('2') + 1)).toEqual({ line: 2, column: 5 }); // the \r
    expect(lines.position(text.indexOf('c'))).toEqual({ line: 4, column: 1 });
    expect(lines.position(text.indexOf('d'))).toEqual({ line: 5, column: 1 });
  });

  it('does not count a leading BOM as a column', () => {
    const withBom = new LineIndex('\uFEFFab\ncd');
    const without = new LineIndex('ab\ncd');
    expect(withBom.position(1)).toEqual({ line: 1, column: 1 }); // 'a' after the BOM
    expect(withBom.position(2)).toEqual(without.position(1));
    expect(withBom.position(0)).toEqual({ line: 1, column: 1 }); // the BOM itself
    expect(withBom.position(5)).toEqual({ line: 2, column: 2 }); // later lines are unaffected
    expect(withBom.offset(1, 1)).toBe(1);
  });

  it('counts columns in UTF-16 code units', () => {
    const text = 'k: "😀x"';
    const lines = new LineIndex(text);
    expect(lines.position(text.indexOf('x'))).toEqual({ line: 1, column: 7 });
  });

  it('converts ranges and inverts positions', () => {
    const text = 'one\r\ntwo\nthree';
    const lines = new LineIndex(text);
    expect(lines.range(5, 8)).toEqual({ start: { line: 2, column: 1 }, end: { line: 2, column: 4 } });
    for (let offset = 0; offset <= text.length; offset++) {
      const { line, column } = lines.position(offset);
      if (text[offset - 1] === '\r' && text[offset] === '\n') continue; // inside a CRLF
      expect(lines.offset(line, column)).toBe(offset);
    }
  });
});
