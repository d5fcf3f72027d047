/**
 * Fast path of the JSON loader: a single-pass reader of strict JSON producing the same values,
 * source ranges and problems as the `jsonc-parser` path in `json.ts`. Any deviation from strict
 * JSON (comments, trailing commas, other whitespace characters, bad escapes or numbers,
 * nesting deeper than the limit, ...) makes `readJson` return undefined, and the caller uses
 * `jsonc-parser`, which reports the error.
 */
import type { IacValue, ParseProblem } from './model.js';
import { getAttStringSource, longFormIntrinsic, setOwn, type LoadedDocument, type SourceNode } from './document.js';

class Unsupported {}
const UNSUPPORTED = new Unsupported();

const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;
const DQUOTE = 34;
const PLUS = 43;
const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;
const COLON = 58;
const LBRACKET = 91;
const BACKSLASH = 92;
const RBRACKET = 93;
const LBRACE = 123;
const RBRACE = 125;

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

class Reader {
  private pos: number;
  private readonly len: number;
  readonly problems: ParseProblem[] = [];
  private value: IacValue = null;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {
    this.len = text.length;
    this.pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  }

  read(): LoadedDocument {
    this.space();
    if (this.pos >= this.len) throw UNSUPPORTED;
    const source = this.node(1, -1, -1);
    this.space();
    if (this.pos < this.len) throw UNSUPPORTED;
    return { value: this.value, source, problems: this.problems };
  }

  private space(): void {
    const text = this.text;
    let p = this.pos;
    for (;;) {
      const c = text.charCodeAt(p);
      if (c === SPACE || c === LF || c === CR || c === TAB) p++;
      else break;
    }
    this.pos = p;
  }

  /** The value at `pos`, `depth` brackets deep when it is an object or array. */
  private node(depth: number, keyStart: number, keyEnd: number): SourceNode {
    const text = this.text;
    const start = this.pos;
    const c = text.charCodeAt(start);
    if (c === LBRACE) return this.object(depth, keyStart, keyEnd);
    if (c === LBRACKET) return this.array(depth, keyStart, keyEnd);
    if (c === DQUOTE) {
      this.value = this.string();
    } else if (c === MINUS || isDigit(c)) {
      this.value = this.number();
    } else if (text.startsWith('true', start)) {
      this.pos += 4;
      this.value = true;
    } else if (text.startsWith('false', start)) {
      this.pos += 5;
      this.value = false;
    } else if (text.startsWith('null', start)) {
      this.pos += 4;
      this.value = null;
    } else {
      throw UNSUPPORTED;
    }
    this.delimiter();
    return { start, end: this.pos, keyStart, keyEnd };
  }

  /** After a literal: whitespace, a separator, a closing bracket or the end. */
  private delimiter(): void {
    const c = this.text.charCodeAt(this.pos);
    if (!(c === SPACE || c === LF || c === CR || c === TAB || c === COMMA || c === RBRACKET || c === RBRACE || this.pos >= this.len)) {
      throw UNSUPPORTED;
    }
  }

  private object(depth: number, keyStart: number, keyEnd: number): SourceNode {
    if (depth > this.maxDepth) throw UNSUPPORTED;
    const text = this.text;
    const start = this.pos++;
    const obj: { [key: string]: IacValue } = {};
    const entries = new Map<string, SourceNode>();
    this.space();
    if (text.charCodeAt(this.pos) !== RBRACE) {
      for (;;) {
        if (text.charCodeAt(this.pos) !== DQUOTE) throw UNSUPPORTED;
        const kStart = this.pos;
        const name = this.string();
        const kEnd = this.pos;
        this.space();
        if (text.charCodeAt(this.pos) !== COLON) throw UNSUPPORTED;
        this.pos++;
        this.space();
        if (entries.has(name)) this.problems.push({ message: `Duplicate key "${name}"`, offset: kStart });
        const source = this.node(depth + 1, kStart, kEnd);
        setOwn(obj, name, this.value);
        entries.set(name, source);
        this.space();
        const c = text.charCodeAt(this.pos);
        if (c === RBRACE) break;
        if (c !== COMMA) throw UNSUPPORTED;
        this.pos++;
        this.space();
      }
    }
    this.pos++;
    const source: SourceNode = { start, end: this.pos, keyStart, keyEnd, entries };
    this.value = obj;
    if (entries.size === 1) {
      const [name, argSource] = entries.entries().next().value as [string, SourceNode];
      const intrinsic = longFormIntrinsic(name, obj[name]!);
      if (intrinsic) {
        const argument = obj[name];
        if (name === 'Fn::GetAtt' && typeof argument === 'string') entries.set(name, getAttStringSource(argSource, text, argument));
        this.value = intrinsic;
      }
    }
    return source;
  }

  private array(depth: number, keyStart: number, keyEnd: number): SourceNode {
    if (depth > this.maxDepth) throw UNSUPPORTED;
    const text = this.text;
    const start = this.pos++;
    const values: IacValue[] = [];
    const items: SourceNode[] = [];
    this.space();
    if (text.charCodeAt(this.pos) !== RBRACKET) {
      for (;;) {
        items.push(this.node(depth + 1, -1, -1));
        values.push(this.value);
        this.space();
        const c = text.charCodeAt(this.pos);
        if (c === RBRACKET) break;
        if (c !== COMMA) throw UNSUPPORTED;
        this.pos++;
        this.space();
      }
    }
    this.pos++;
    this.value = values;
    return { start, end: this.pos, keyStart, keyEnd, items };
  }

  /** The string at `pos` (its opening quote); leaves `pos` after the closing quote. */
  private string(): string {
    const text = this.text;
    const start = this.pos;
    let p = start + 1;
    let escaped = false;
    for (;;) {
      const c = text.charCodeAt(p);
      if (c === DQUOTE) break;
      if (c === BACKSLASH) {
        escaped = true;
        p += 2;
        continue;
      }
      if (c < 0x20 || p >= this.len) throw UNSUPPORTED; // control character or unterminated
      p++;
    }
    this.pos = p + 1;
    if (!escaped) return text.slice(start + 1, p);
    try {
      return JSON.parse(text.slice(start, p + 1)) as string;
    } catch {
      throw UNSUPPORTED;
    }
  }

  /** The number at `pos` (strict JSON syntax). */
  private number(): number {
    const text = this.text;
    const start = this.pos;
    let p = start;
    if (text.charCodeAt(p) === MINUS) p++;
    const first = text.charCodeAt(p);
    if (first === ZERO) {
      p++;
      if (isDigit(text.charCodeAt(p))) throw UNSUPPORTED;
    } else if (isDigit(first)) {
      while (isDigit(text.charCodeAt(p))) p++;
    } else {
      throw UNSUPPORTED;
    }
    if (text.charCodeAt(p) === DOT) {
      p++;
      if (!isDigit(text.charCodeAt(p))) throw UNSUPPORTED;
      while (isDigit(text.charCodeAt(p))) p++;
    }
    const e = text.charCodeAt(p);
    if (e === 69 /* E */ || e === 101 /* e */) {
      p++;
      const s = text.charCodeAt(p);
      if (s === PLUS || s === MINUS) p++;
      if (!isDigit(text.charCodeAt(p))) throw UNSUPPORTED;
      while (isDigit(text.charCodeAt(p))) p++;
    }
    this.pos = p;
    return Number(text.slice(start, p));
  }
}

/** Reads strict JSON text; undefined when the text needs the full parser. Never throws. */
export function readJson(text: string, maxDepth: number): LoadedDocument | undefined {
  try {
    return new Reader(text, maxDepth).read();
  } catch (error) {
    if (error === UNSUPPORTED || error instanceof RangeError) return undefined;
    throw error;
  }
}
