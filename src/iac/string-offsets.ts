/**
 * Source offsets inside YAML and JSON string scalars: for the string value a scalar holds, the
 * file offset of each of its characters. Double-quoted (escapes, escaped and folded line breaks),
 * single-quoted, plain multi-line and block (`|`, `>`) scalars are decoded here character by
 * character, each decoded character keeping the offset it came from, so that a position inside
 * the value (a JSON document held by a `DefinitionString`, say) maps back to the file.
 */
import type { SourceNode } from './document.js';

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  '0': '\0',
  a: '\x07',
  v: '\v',
  e: '\x1b',
  ' ': ' ',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
  '\t': '\t',
};

/** Decoder state: decoded characters and the file offset of each. */
class Decoded {
  chars: string[] = [];
  offsets: number[] = [];
  /** Offset just after the last character (a quoted scalar's closing quote). */
  end: number | undefined;
  push(text: string, offset: number): void {
    for (const c of text) {
      // one entry per UTF-16 unit
      for (let i = 0; i < c.length; i++) {
        this.chars.push(c[i]!);
        this.offsets.push(offset);
      }
    }
  }
  /** `text` copied verbatim from the file at `offset`: one offset per character. */
  pushRun(text: string, offset: number): void {
    for (let k = 0; k < text.length; k++) {
      this.chars.push(text[k]!);
      this.offsets.push(offset + k);
    }
  }
  trimTrailingBlanks(): void {
    while (this.chars.length > 0 && (this.chars[this.chars.length - 1] === ' ' || this.chars[this.chars.length - 1] === '\t')) {
      this.chars.pop();
      this.offsets.pop();
    }
  }
  get text(): string {
    return this.chars.join('');
  }
}

/** Skips a line break at `i` (\n, \r\n, \r); returns the index after it, or -1 when there is none. */
function lineBreak(raw: string, i: number): number {
  if (raw[i] === '\r') return raw[i + 1] === '\n' ? i + 2 : i + 1;
  if (raw[i] === '\n') return i + 1;
  return -1;
}

/**
 * Flow scalar line folding at a line break: trailing blanks removed, blank lines become `\n`,
 * otherwise a single space. Returns the index of the first content character after the fold.
 */
function fold(raw: string, i: number, out: Decoded, base: number): number {
  out.trimTrailingBlanks();
  let j = lineBreak(raw, i);
  let breaks = 0;
  for (;;) {
    while (raw[j] === ' ' || raw[j] === '\t') j++;
    const next = lineBreak(raw, j);
    if (next < 0) break;
    breaks++;
    j = next;
  }
  out.push(breaks > 0 ? '\n'.repeat(breaks) : ' ', base + i);
  return j;
}

function decodeDoubleQuoted(raw: string, base: number): Decoded | undefined {
  const out = new Decoded();
  let i = 1;
  while (i < raw.length) {
    const c = raw[i]!;
    if (c === '"') {
      out.end = base + i;
      return out;
    }
    if (c === '\\') {
      const e = raw[i + 1];
      if (e === undefined) return undefined;
      const hex = e === 'u' ? 4 : e === 'x' ? 2 : e === 'U' ? 8 : 0;
      if (hex > 0) {
        const digits = raw.slice(i + 2, i + 2 + hex);
        if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== hex) return undefined;
        out.push(String.fromCodePoint(parseInt(digits, 16)), base + i);
        i += 2 + hex;
        continue;
      }
      const after = lineBreak(raw, i + 1);
      if (after >= 0) {
        // escaped line break: the break and the next line's indentation disappear
        i = after;
        while (raw[i] === ' ' || raw[i] === '\t') i++;
        continue;
      }
      const simple = SIMPLE_ESCAPES[e];
      if (simple === undefined) return undefined;
      out.push(simple, base + i);
      i += 2;
      continue;
    }
    if (c === '\n' || c === '\r') {
      i = fold(raw, i, out, base);
      continue;
    }
    out.push(c, base + i);
    i++;
  }
  return undefined;
}

function decodeSingleQuoted(raw: string, base: number): Decoded | undefined {
  const out = new Decoded();
  let i = 1;
  while (i < raw.length) {
    const c = raw[i]!;
    if (c === "'") {
      if (raw[i + 1] === "'") {
        out.push("'", base + i);
        i += 2;
        continue;
      }
      out.end = base + i;
      return out;
    }
    if (c === '\n' || c === '\r') {
      i = fold(raw, i, out, base);
      continue;
    }
    out.push(c, base + i);
    i++;
  }
  return undefined;
}

function decodePlain(raw: string, base: number): Decoded {
  const out = new Decoded();
  let i = 0;
  while (i < raw.length) {
    const c = raw[i]!;
    if (c === '\n' || c === '\r') {
      i = fold(raw, i, out, base);
      continue;
    }
    out.push(c, base + i);
    i++;
  }
  out.trimTrailingBlanks();
  return out;
}

function decodeBlock(raw: string, base: number): Decoded | undefined {
  const folded = raw[0] === '>';
  const headerEnd = raw.search(/\r?\n|\r/);
  if (headerEnd < 0) return undefined;
  const lines: { start: number; text: string }[] = [];
  const breaks = /\r\n|\n|\r/g;
  breaks.lastIndex = lineBreak(raw, headerEnd);
  let lineStart = breaks.lastIndex;
  for (let m = breaks.exec(raw); ; m = breaks.exec(raw)) {
    const end = m ? m.index : raw.length;
    lines.push({ start: lineStart, text: raw.slice(lineStart, end) });
    if (!m) break;
    lineStart = m.index + m[0].length;
  }
  // the content's indentation is the first non-blank line's (an explicit indentation indicator
  // is relative to the parent, which is not known here; the value check below catches a mismatch)
  let indent = -1;
  for (const line of lines) {
    if (line.text.trim() === '') continue;
    indent = line.text.length - line.text.trimStart().length;
    break;
  }
  if (indent < 0) return new Decoded();
  const out = new Decoded();
  let previousWasText = false;
  for (const line of lines) {
    const blank = line.text.trim() === '';
    const content = blank ? '' : line.text.slice(indent);
    const moreIndented = !blank && /^[ \t]/.test(content);
    if (folded && previousWasText && !blank && !moreIndented) {
      // a single line break between two text lines folds into a space
      const last = out.chars.length - 1;
      if (out.chars[last] === '\n') out.chars[last] = ' ';
    }
    out.pushRun(content, base + line.start + (blank ? 0 : indent));
    out.push('\n', base + line.start + line.text.length);
    previousWasText = !blank && !moreIndented;
  }
  return out;
}

/**
 * File offset of each UTF-16 unit of the string `value` held by the scalar at `node`, plus one
 * more for its end; undefined when the literal cannot be mapped.
 */
export function stringOffsets(text: string, node: SourceNode, value: string): number[] | undefined {
  const raw = text.slice(node.start, node.end);
  const identity = (at: number): number[] => Array.from({ length: value.length + 1 }, (_, k) => node.start + at + k);
  if (raw === value) return identity(0);
  let decoded: Decoded | undefined;
  const first = raw[0];
  if (first === '"') decoded = decodeDoubleQuoted(raw, node.start);
  else if (first === "'") decoded = decodeSingleQuoted(raw, node.start);
  else if (first === '|' || first === '>') decoded = decodeBlock(raw, node.start);
  else if (raw.includes('\n') || raw.includes('\r')) decoded = decodePlain(raw, node.start);
  if (decoded) {
    const d = decoded.text;
    if (d === value || (d.startsWith(value) && /^[\r\n]*$/.test(d.slice(value.length)))) {
      const offsets = decoded.offsets.slice(0, value.length);
      offsets.push(value.length < decoded.offsets.length ? decoded.offsets[value.length]! : (decoded.end ?? node.end));
      return offsets;
    }
    if (value.startsWith(d) && /^\n*$/.test(value.slice(d.length))) {
      const offsets = decoded.offsets.slice();
      while (offsets.length <= value.length) offsets.push(decoded.end ?? node.end);
      return offsets;
    }
  }
  // e.g. a heredoc whose text is the value verbatim
  const at = raw.indexOf(value);
  return at >= 0 && value.length > 0 ? identity(at) : undefined;
}
