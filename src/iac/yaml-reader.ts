/**
 * Fast path of the YAML loader: a single-pass reader for the YAML that templates are written in,
 * producing the same values, source ranges and problems as the `yaml`-package path in `yaml.ts`.
 *
 * It reads block mappings and sequences, plain, quoted and block scalars, flow collections,
 * comments, CRLF line ends, a byte-order mark, a leading `---` and the short-form intrinsic tags.
 * Anything else — anchors and aliases, merge keys, other tags, directives, several documents,
 * tabs used as separators, explicit keys, a document that is not a mapping, every construct the
 * full parser reports as an error or warning — makes `readYaml` return undefined, and the caller
 * loads the text with the full parser. The reader therefore never reports a syntax error itself:
 * error messages and positions always come from one place.
 *
 * Ranges follow the full parser exactly, including where it attaches comments and blank lines
 * that follow a value: a mapping's or sequence's range ends where its last value's trailing
 * tokens end; comment lines indented deeper than the collection right after a scalar or flow
 * collection belong to that value; other trailing comments stay with the innermost collection
 * whose indentation they reach (see `skipTrivia` and `closeCollection`).
 */
import type { IacValue, ParseProblem } from './model.js';
import { SHORT_FORM_TAGS, getAttStringSource, longFormIntrinsic, makeIntrinsic, remapSource, setOwn, type LoadedDocument, type SourceNode } from './document.js';
import { reindentFlowContinuations } from './yaml-leniency.js';
import { plainScalarValue } from './yaml-scalars.js';

/** Where a node sits (`inlineNode` flags). */
const IN_MAP = 1; // the value of a block mapping entry
const COMMENTED_ITEM = 2; // a sequence item with comment lines before its `-`

/** Thrown inside the reader when the text needs the full parser. */
class Unsupported {}
const UNSUPPORTED = new Unsupported();
/**
 * Thrown for a line of a flow collection indented less than the YAML specification allows, which
 * CloudFormation accepts: the text is read again as the full parser reads it then (see `readYaml`).
 */
const UNDER_INDENTED = new Unsupported();

const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;
const BANG = 33; // !
const DQUOTE = 34; // "
const HASH = 35; // #
const PERCENT = 37; // %
const AMP = 38; // &
const SQUOTE = 39; // '
const STAR = 42; // *
const COMMA = 44; // ,
const DASH = 45; // -
const DOT = 46; // .
const COLON = 58; // :
const GT = 62; // >
const QUESTION = 63; // ?
const AT = 64; // @
const LBRACKET = 91; // [
const BACKSLASH = 92; // \
const RBRACKET = 93; // ]
const BACKTICK = 96; // `
const LBRACE = 123; // {
const PIPE = 124; // |
const RBRACE = 125; // }

/** Space, tab, line break or the end of the text (NaN): what ends an indicator. */
function isBlank(c: number): boolean {
  return c === SPACE || c === LF || c === CR || c === TAB || c !== c;
}

function isFlowIndicator(c: number): boolean {
  return c === COMMA || c === LBRACKET || c === RBRACKET || c === LBRACE || c === RBRACE;
}

/** Characters the YAML lexer accepts in a tag (`!GetAtt`). */
const TAG_CHARS = new Uint8Array(128);
for (const ch of "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-#;/?:@&=+$_.!~*'()") TAG_CHARS[ch.charCodeAt(0)] = 1;

/**
 * Folds the lines of a plain or single-quoted scalar: a line break between two lines becomes a
 * space, n empty lines become n line breaks; whitespace around line breaks is dropped.
 */
function foldLines(source: string): string {
  let nl = source.indexOf('\n');
  if (nl < 0) return source;
  let lineEnd = nl > 0 && source.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
  let out = trimEnd(source, 0, lineEnd);
  let sep = ' ';
  let at = nl + 1;
  for (nl = source.indexOf('\n', at); nl >= 0; nl = source.indexOf('\n', at)) {
    lineEnd = nl > at && source.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
    let s = at;
    while (s < lineEnd && isSpaceOrTab(source.charCodeAt(s))) s++;
    const line = trimEnd(source, s, lineEnd);
    if (line === '') {
      if (sep === '\n') out += sep;
      else sep = '\n';
    } else {
      out += sep + line;
      sep = ' ';
    }
    at = nl + 1;
  }
  let s = at;
  while (s < source.length && isSpaceOrTab(source.charCodeAt(s))) s++;
  return out + sep + source.slice(s);
}

function isSpaceOrTab(c: number): boolean {
  return c === SPACE || c === TAB;
}

function trimEnd(source: string, start: number, end: number): string {
  while (end > start && isSpaceOrTab(source.charCodeAt(end - 1))) end--;
  return source.slice(start, end);
}

const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  e: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  '\t': '\t',
};

/** Value of a double-quoted scalar; `start`/`end` exclude the quotes. */
function doubleQuotedValue(text: string, start: number, end: number): string {
  let out = '';
  let run = start; // start of the pending run of ordinary characters
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) {
      out += text.slice(run, i);
      const next = text[++i];
      const simple = ESCAPES[next];
      if (simple !== undefined) {
        out += simple;
      } else if (next === '\n' || (next === '\r' && text.charCodeAt(i + 1) === LF)) {
        // an escaped line break is dropped, with the next line's leading whitespace
        if (next === '\r') i++;
        while (isSpaceOrTab(text.charCodeAt(i + 1))) i++;
      } else if (next === 'x' || next === 'u' || next === 'U') {
        const length = next === 'x' ? 2 : next === 'u' ? 4 : 8;
        const hex = text.slice(i + 1, i + 1 + length);
        if (hex.length !== length || !/^[0-9a-fA-F]+$/.test(hex)) throw UNSUPPORTED;
        const code = parseInt(hex, 16);
        if (code > 0x10ffff) throw UNSUPPORTED;
        out += String.fromCodePoint(code);
        i += length;
      } else {
        throw UNSUPPORTED; // an invalid escape is an error for the full parser
      }
      run = i + 1;
    } else if (c === LF || (c === CR && text.charCodeAt(i + 1) === LF)) {
      // one line break folds to a space, n + 1 of them to n newlines; indentation is dropped
      out += text.slice(run, i);
      let j = c === CR ? i + 1 : i;
      let breaks = 0;
      for (;;) {
        const n = text.charCodeAt(j + 1);
        if (n === SPACE || n === TAB) j++;
        else if (n === LF) {
          breaks++;
          j++;
        } else if (n === CR && text.charCodeAt(j + 2) === LF) j++;
        else break;
      }
      out += breaks > 0 ? '\n'.repeat(breaks) : ' ';
      i = j;
      run = j + 1;
    } else if (c === SPACE || c === TAB) {
      // whitespace before a line break is dropped
      let j = i;
      while (isSpaceOrTab(text.charCodeAt(j + 1))) j++;
      const n = text.charCodeAt(j + 1);
      if (n === LF || (n === CR && text.charCodeAt(j + 2) === LF)) {
        out += text.slice(run, i);
        run = j + 1;
      }
      i = j;
    }
  }
  return out + text.slice(run, end);
}

class Reader {
  private readonly len: number;
  private pos = 0;
  readonly problems: ParseProblem[] = [];
  /** Value of the node read last. */
  private value: IacValue = null;
  /**
   * Where the tokens of the node read last end (the full parser's `range[2]`): for a scalar or
   * flow collection, after the rest of its line and any deeper-indented comment lines after it.
   */
  private r2 = 0;
  /** First character of the next content line, after `skipTrivia`; the text length at the end. */
  private nextPos = 0;
  /** Column of that character; -1 at the end of the text. */
  private nextIndent = -1;
  /**
   * Deepest column of a comment in the run of blank and comment lines before `nextPos` that no
   * value took (-1: none). The run stays with the innermost closing collection it reaches.
   */
  private pendMax = -1;
  /**
   * Lowest column to which the blank and comment lines read by the last `skipTrivia` lower the
   * YAML lexer's continuation indent (a line less indented than it whose second character is
   * not a space: `#x`, or a blank line before a column-0 line); a scalar starting after them is
   * read with that indent.
   */
  private resetIndent = Infinity;
  /** The key `tryKey` found: range, name, and the offset after its `:`. */
  private kStart = 0;
  private kEnd = 0;
  private kName = '';
  private kAfter = 0;
  /** End offset of the scalar `scalarText` read last, and whether it was a block scalar. */
  private scalarEnd = 0;
  private scalarIsBlock = false;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {
    this.len = text.length;
  }

  read(): LoadedDocument {
    const text = this.text;
    this.pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
    this.skipTrivia(-1, true);
    if (this.nextIndent === 0 && text.startsWith('---', this.nextPos) && isBlank(text.charCodeAt(this.nextPos + 3))) {
      // a document start marker, alone on its line (a comment may follow)
      this.pos = this.nextPos + 3;
      this.skipSpaces();
      if (text.charCodeAt(this.pos) !== HASH && !this.atLineEnd()) throw UNSUPPORTED;
      this.finishLine();
      this.skipTrivia(-1, false);
    }
    if (this.nextIndent !== 0) throw UNSUPPORTED; // empty, or not a mapping at column 0
    this.pos = this.nextPos;
    if (!this.tryKey()) throw UNSUPPORTED;
    const source = this.blockMap(0, 0, -1, -1);
    if (this.atEnd()) return { value: this.value, source, problems: this.problems };
    throw UNSUPPORTED; // content after the root mapping
  }

  private atEnd(): boolean {
    return this.nextIndent === -1;
  }

  // -------------------------------------------------------------------------------------------
  // Lines, whitespace and comments
  // -------------------------------------------------------------------------------------------

  private skipSpaces(): void {
    const text = this.text;
    let p = this.pos;
    while (text.charCodeAt(p) === SPACE) p++;
    if (text.charCodeAt(p) === TAB) throw UNSUPPORTED;
    this.pos = p;
  }

  private atLineEnd(): boolean {
    const c = this.text.charCodeAt(this.pos);
    return c === LF || c === CR || this.pos >= this.len;
  }

  /**
   * After a node on the current line: spaces, an optional comment and the line break. Sets `r2`
   * and `pos` after the line break (or at the end of the text).
   */
  private finishLine(): void {
    const text = this.text;
    let p = this.pos;
    while (text.charCodeAt(p) === SPACE) p++;
    let c = text.charCodeAt(p);
    if (c === HASH) {
      const prev = text.charCodeAt(p - 1);
      if (prev !== SPACE) throw UNSUPPORTED; // a comment must be separated by a space
      const nl = text.indexOf('\n', p);
      p = nl < 0 ? this.len : nl;
      c = text.charCodeAt(p);
    }
    if (c === LF) p++;
    else if (c === CR) p += 2; // CR is always followed by LF (checked up front)
    else if (p < this.len) throw UNSUPPORTED;
    this.pos = p;
    this.r2 = p;
  }

  /**
   * From a line start, skips blank and comment lines up to the next content line
   * (`nextPos`/`nextIndent`). With `absorbCol >= 0` the node read last takes the comment lines
   * indented deeper than `absorbCol` that come before any other comment (its `r2` grows over
   * them); the other comments form the pending run (`pendMax`).
   */
  private skipTrivia(absorbCol: number, first: boolean): void {
    const text = this.text;
    const len = this.len;
    let p = this.pos;
    let absorbing = absorbCol >= 0;
    let pendMax = -1;
    let resetIndent = Infinity;
    for (;;) {
      const lineStart = p;
      while (text.charCodeAt(p) === SPACE) p++;
      if (p >= len) {
        this.nextPos = len;
        this.nextIndent = -1;
        break;
      }
      const c = text.charCodeAt(p);
      if ((c === LF || c === HASH) && !isBlank(text.charCodeAt(p + 1)) && p - lineStart < resetIndent) resetIndent = p - lineStart;
      if (c === LF) {
        p++;
        continue;
      }
      if (c === CR) {
        p += 2;
        continue;
      }
      const col = p - lineStart;
      if (c === HASH) {
        const nl = text.indexOf('\n', p);
        p = nl < 0 ? len : nl + 1;
        if (absorbing && col > absorbCol) {
          this.r2 = p;
        } else {
          absorbing = false;
          if (col > pendMax) pendMax = col;
        }
        continue;
      }
      if (c === TAB) throw UNSUPPORTED;
      if (col === 0 && !first && (c === DASH || c === DOT) && isDocumentMarker(text, p)) throw UNSUPPORTED;
      if (col === 0 && c === PERCENT) throw UNSUPPORTED; // a directive
      this.nextPos = p;
      this.nextIndent = col;
      break;
    }
    this.pendMax = pendMax;
    this.resetIndent = resetIndent;
    this.pos = p;
  }

  /**
   * Range end of a block collection whose last value ends at `r1`, and what happens to the run
   * of blank and comment lines after it: when one of its comments is indented at least as deep
   * as the collection (not at column 0), the run stays in the collection and its range end
   * grows to the next content; otherwise the run moves on to the enclosing collection.
   */
  private closeCollection(indent: number, r1: number): void {
    if (indent !== 0 && this.pendMax >= indent) {
      this.r2 = this.nextPos;
      this.pendMax = -1;
    } else {
      this.r2 = r1;
    }
  }

  private isDash(p: number): boolean {
    return this.text.charCodeAt(p) === DASH && isBlank(this.text.charCodeAt(p + 1));
  }

  // -------------------------------------------------------------------------------------------
  // Block collections
  // -------------------------------------------------------------------------------------------

  /**
   * Is there an implicit key at `pos` (a plain or quoted scalar on one line, then `:` and a
   * space or the line end)? Sets `kStart`, `kEnd`, `kName`, `kAfter`; does not move `pos`.
   */
  private tryKey(): boolean {
    const text = this.text;
    const start = this.pos;
    const c = text.charCodeAt(start);
    let end: number;
    let name: string;
    let p: number;
    if (c === DQUOTE || c === SQUOTE) {
      const close = c === DQUOTE ? this.doubleQuoteEnd(start) : this.singleQuoteEnd(start);
      if (close < 0) throw UNSUPPORTED;
      const nl = text.indexOf('\n', start);
      if (nl >= 0 && nl < close) return false; // a multi-line quoted scalar is not a key
      end = close + 1;
      p = end;
      while (text.charCodeAt(p) === SPACE) p++;
      if (text.charCodeAt(p) !== COLON || !isBlank(text.charCodeAt(p + 1))) return false;
      if (c === DQUOTE) {
        const bs = text.indexOf('\\', start);
        name = bs >= 0 && bs < close ? doubleQuotedValue(text, start + 1, close) : text.slice(start + 1, close);
      } else {
        name = text.slice(start + 1, close);
        if (name.includes("''")) name = name.replace(/''/g, "'");
      }
    } else {
      if (!startsPlainKey(c, text.charCodeAt(start + 1))) return false;
      p = start;
      end = start;
      for (;;) {
        const d = text.charCodeAt(p);
        if (d === COLON) {
          if (isBlank(text.charCodeAt(p + 1))) break;
          end = ++p;
        } else if (d === SPACE) {
          if (text.charCodeAt(p + 1) === HASH) return false;
          p++;
        } else if (d === LF || d === CR || d !== d) {
          return false;
        } else if (d === TAB) {
          throw UNSUPPORTED;
        } else {
          end = ++p;
        }
      }
      name = text.slice(start, end);
      if (name === '<<') throw UNSUPPORTED; // merge key
    }
    if (p - start > 1000) throw UNSUPPORTED; // implicit keys are limited to 1024 characters
    this.kStart = start;
    this.kEnd = end;
    this.kName = name;
    this.kAfter = p + 1;
    return true;
  }

  /** A block mapping whose first key `tryKey` just found, at column `indent`. */
  private blockMap(indent: number, depth: number, keyStart: number, keyEnd: number): SourceNode {
    if (depth > this.maxDepth) throw UNSUPPORTED;
    const text = this.text;
    const start = this.kStart;
    const obj: { [key: string]: IacValue } = {};
    const entries = new Map<string, SourceNode>();
    let r1: number;
    for (;;) {
      const kStart = this.kStart;
      const kEnd = this.kEnd;
      const name = this.kName;
      this.pos = this.kAfter;
      if (entries.has(name)) this.problems.push({ message: `Duplicate key "${name}"`, offset: kStart });
      this.skipSpaces();
      let source: SourceNode;
      const c = text.charCodeAt(this.pos);
      if (c === HASH || this.atLineEnd()) {
        const at = this.pos;
        this.finishLine();
        source = this.valueOnNextLines(indent, true, depth + 1, kEnd, kStart, kEnd, at, c === HASH, false);
      } else {
        source = this.inlineNode(indent, depth + 1, kEnd, kStart, kEnd, IN_MAP);
      }
      setOwn(obj, name, this.value);
      entries.set(name, source);
      r1 = this.r2;
      if (this.nextIndent === indent) {
        this.pos = this.nextPos;
        if (!this.tryKey()) throw UNSUPPORTED;
        this.pendMax = -1;
        continue;
      }
      if (this.nextIndent < indent) break;
      throw UNSUPPORTED;
    }
    this.closeCollection(indent, r1);
    const source: SourceNode = { start, end: r1, keyStart, keyEnd, entries };
    this.value = obj;
    if (entries.size === 1) {
      const [name, argSource] = entries.entries().next().value as [string, SourceNode];
      const intrinsic = longFormIntrinsic(name, obj[name]!);
      if (intrinsic) {
        if (name === 'Fn::GetAtt' && typeof obj[name] === 'string') {
          entries.set(name, getAttStringSource(argSource, this.text, obj[name]));
        }
        this.value = intrinsic;
      }
    }
    return source;
  }

  /** A block sequence whose first `-` is at `pos`, at column `indent`. */
  private blockSeq(indent: number, depth: number, keyStart: number, keyEnd: number): SourceNode {
    if (depth > this.maxDepth) throw UNSUPPORTED;
    const text = this.text;
    const start = this.pos;
    const values: IacValue[] = [];
    const items: SourceNode[] = [];
    let previousEnd = start;
    let r1: number;
    // comments before the `-` of this item (a run the previous item left): they belong to the item
    let commentedItem = false;
    for (;;) {
      const dash = this.pos;
      this.pos++;
      this.skipSpaces();
      const c = text.charCodeAt(this.pos);
      const col = indent + (this.pos - dash);
      let source: SourceNode;
      if (c === HASH || this.atLineEnd()) {
        const at = this.pos;
        this.finishLine();
        source = this.valueOnNextLines(indent, false, depth + 1, previousEnd, -1, -1, at, c === HASH, commentedItem);
      } else if (c === DASH && isBlank(text.charCodeAt(this.pos + 1))) {
        source = this.blockSeq(col, depth + 1, -1, -1);
      } else if (this.tryKey()) {
        source = this.blockMap(col, depth + 1, -1, -1);
      } else {
        source = this.inlineNode(indent, depth + 1, previousEnd, -1, -1, commentedItem ? COMMENTED_ITEM : 0);
      }
      values.push(this.value);
      items.push(source);
      if (source.end > previousEnd) previousEnd = source.end;
      r1 = this.r2;
      if (this.nextIndent === indent && this.isDash(this.nextPos)) {
        this.pos = this.nextPos;
        commentedItem = this.pendMax >= 0;
        this.pendMax = -1;
        continue;
      }
      // at the same column without a dash: the key of a mapping the sequence is a value of
      if (this.nextIndent <= indent) break;
      throw UNSUPPORTED;
    }
    this.closeCollection(indent, r1);
    this.value = values;
    return { start, end: r1, keyStart, keyEnd, items };
  }

  /**
   * The value of a mapping entry or sequence item whose line ended after the `:` or `-` (`at`:
   * the offset after it and its spaces): a block node on the following lines, or an empty value.
   * `owner`: column of the entry's key or of the item's `-`. `commentedItem`: comment lines came
   * before the item's `-`; the full parser then counts the empty value's tokens up to the next
   * content line.
   */
  private valueOnNextLines(
    owner: number,
    inMap: boolean,
    depth: number,
    lowerBound: number,
    keyStart: number,
    keyEnd: number,
    at: number,
    commented: boolean,
    commentedItem: boolean,
  ): SourceNode {
    this.skipTrivia(-1, false);
    const indent = this.nextIndent;
    if (indent > owner) {
      this.pos = this.nextPos;
      return this.nodeOnOwnLine(indent, owner, depth, lowerBound, keyStart, keyEnd, inMap ? IN_MAP : commentedItem ? COMMENTED_ITEM : 0);
    }
    if (inMap && indent === owner && this.isDash(this.nextPos)) {
      this.pos = this.nextPos;
      return this.blockSeq(indent, depth, keyStart, keyEnd);
    }
    // An empty value (null); its range ends later when comments count into its tokens.
    if (depth > this.maxDepth) throw UNSUPPORTED;
    this.value = null;
    this.r2 = inMap ? this.emptyValueEnd(owner, at) : commentedItem || commented || this.pendMax >= 0 ? this.nextPos : at;
    this.pendMax = -1;
    return { start: at, end: at, keyStart, keyEnd };
  }

  /** A node that starts a line of its own, at column `indent` (deeper than `owner`). */
  private nodeOnOwnLine(
    indent: number,
    owner: number,
    depth: number,
    lowerBound: number,
    keyStart: number,
    keyEnd: number,
    flags: number,
  ): SourceNode {
    const c = this.text.charCodeAt(this.pos);
    if (c === DASH && isBlank(this.text.charCodeAt(this.pos + 1))) return this.blockSeq(indent, depth, keyStart, keyEnd);
    if (this.tryKey()) return this.blockMap(indent, depth, keyStart, keyEnd);
    if (this.resetIndent <= owner) throw UNSUPPORTED; // read with a lowered continuation indent
    // comments before a tag that may turn out to stand for an empty value: left to the library
    if (c === BANG && this.pendMax >= 0) throw UNSUPPORTED;
    return this.inlineNode(owner, depth, lowerBound, keyStart, keyEnd, flags);
  }

  // -------------------------------------------------------------------------------------------
  // Nodes on a line
  // -------------------------------------------------------------------------------------------

  /**
   * A node starting at `pos` (not a block collection): a tagged node, flow collection, quoted,
   * block or plain scalar. `owner`: column of the owning key or `-`; continuation lines must be
   * indented deeper. Leaves the reader after the node's line and the trivia after it.
   */
  private inlineNode(owner: number, depth: number, lowerBound: number, keyStart: number, keyEnd: number, flags: number): SourceNode {
    if (depth > this.maxDepth) throw UNSUPPORTED;
    const text = this.text;
    const c = text.charCodeAt(this.pos);
    if (c === BANG) return this.taggedNode(owner, depth, lowerBound, keyStart, keyEnd, flags);
    if (c === LBRACKET || c === LBRACE) {
      const source = this.flowCollection(owner + 1, depth, keyStart, keyEnd);
      this.finishLine();
      this.skipTrivia(owner, false);
      return source;
    }
    const valueStart = this.pos;
    const plain = c !== DQUOTE && c !== SQUOTE && c !== PIPE && c !== GT;
    const str = this.scalarText(owner);
    const valueEnd = this.scalarEnd;
    this.value = plain ? plainScalarValue(str) : str;
    const source: SourceNode = { start: valueStart, end: valueEnd, keyStart, keyEnd };
    this.afterScalar(owner);
    return source;
  }

  /** A node with a short-form intrinsic tag at `pos` (see `inlineNode`). */
  private taggedNode(owner: number, depth: number, lowerBound: number, keyStart: number, keyEnd: number, flags: number): SourceNode {
    const text = this.text;
    const tag = this.readTag();
    const fn = SHORT_FORM_TAGS.get(tag);
    if (!fn) throw UNSUPPORTED;
    this.skipSpaces();
    const c = text.charCodeAt(this.pos);
    if (c === HASH) throw UNSUPPORTED;
    if (this.atLineEnd()) {
      // the tagged node starts on a following line, or is empty
      const at = this.pos;
      this.finishLine();
      this.skipTrivia(-1, false);
      const indent = this.nextIndent;
      if (indent > owner) {
        if (this.pendMax >= 0) throw UNSUPPORTED; // the tag search could find the tag in a comment
        this.pos = this.nextPos;
        const d = text.charCodeAt(this.pos);
        if (d === DASH && isBlank(text.charCodeAt(this.pos + 1))) {
          return this.tagCollection(tag, fn, this.blockSeq(indent, depth, -1, -1), lowerBound, keyStart, keyEnd);
        }
        if (this.tryKey()) return this.tagCollection(tag, fn, this.blockMap(indent, depth, -1, -1), lowerBound, keyStart, keyEnd);
        if (this.resetIndent <= owner) throw UNSUPPORTED; // read with a lowered continuation indent
        return this.tagged(tag, fn, owner, depth, lowerBound, keyStart, keyEnd);
      }
      if (flags & IN_MAP && indent === owner && this.isDash(this.nextPos)) {
        if (this.pendMax >= 0) throw UNSUPPORTED;
        this.pos = this.nextPos;
        return this.tagCollection(tag, fn, this.blockSeq(owner, depth, -1, -1), lowerBound, keyStart, keyEnd);
      }
      // an empty tagged value: the intrinsic of an empty string
      const source = this.taggedScalarSource(tag, fn, '', at, at, lowerBound, keyStart, keyEnd);
      this.r2 = flags & IN_MAP ? this.emptyValueEnd(owner, at) : flags & COMMENTED_ITEM || this.pendMax >= 0 ? this.nextPos : at;
      this.pendMax = -1;
      return source;
    }
    return this.tagged(tag, fn, owner, depth, lowerBound, keyStart, keyEnd);
  }

  /** The node at `pos` after the tag `tag` (already read), on the same line or one of its own. */
  private tagged(tag: string, fn: string, owner: number, depth: number, lowerBound: number, keyStart: number, keyEnd: number): SourceNode {
    const text = this.text;
    const c = text.charCodeAt(this.pos);
    if (c === BANG || c === AMP || c === STAR) throw UNSUPPORTED;
    if (c === LBRACKET || c === LBRACE) {
      const inner = this.flowCollection(owner + 1, depth, -1, -1);
      this.finishLine();
      const source = this.tagCollection(tag, fn, inner, lowerBound, keyStart, keyEnd);
      this.skipTrivia(owner, false);
      return source;
    }
    const valueStart = this.pos;
    const str = this.scalarText(owner);
    const source = this.taggedScalarSource(tag, fn, str, valueStart, this.scalarEnd, lowerBound, keyStart, keyEnd);
    this.afterScalar(owner);
    return source;
  }

  /** Value (in `value`) and source of a tagged scalar whose text `str` spans `valueStart..valueEnd`. */
  private taggedScalarSource(
    tag: string,
    fn: string,
    str: string,
    valueStart: number,
    valueEnd: number,
    lowerBound: number,
    keyStart: number,
    keyEnd: number,
  ): SourceNode {
    const start = this.tagStart(tag, valueStart, lowerBound);
    const inner: SourceNode = { start: valueStart, end: valueEnd, keyStart: -1, keyEnd: -1 };
    const argSource = fn === 'Fn::GetAtt' ? getAttStringSource(inner, this.text, str) : inner;
    this.value = makeIntrinsic(fn, str);
    return { start, end: valueEnd, keyStart, keyEnd, entries: new Map([[fn, argSource]]) };
  }

  /**
   * Range end (`r2`) of an empty value in a block mapping at column `indent` (its position
   * `at`), with the trivia up to `nextPos` read: the full parser counts these tokens into the
   * value when they hold a comment — except, when the next key of the same mapping follows,
   * the tokens from the second line break on (counting again after a comment indented deeper
   * than the mapping), which go to that key.
   */
  private emptyValueEnd(indent: number, at: number): number {
    const text = this.text;
    const end = this.nextPos;
    let firstComment = -1;
    let breaks: number[] = []; // offsets of the line breaks since the last deeper comment
    let p = at;
    let lineStart = -1; // -1: the value's own line, whose comment sits at the mapping's column
    while (p < end) {
      const c = text.charCodeAt(p);
      if (c === SPACE) {
        p++;
      } else if (c === HASH) {
        if (firstComment < 0) firstComment = p;
        if (lineStart >= 0 && p - lineStart > indent) breaks = [];
        const nl = text.indexOf('\n', p);
        p = nl < 0 || nl >= end ? end : text.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
      } else {
        breaks.push(p);
        p += c === CR ? 2 : 1;
        lineStart = p;
      }
    }
    if (firstComment < 0) return at;
    if (this.nextIndent !== indent || breaks.length < 2) return end;
    const cut = breaks[1]!;
    return firstComment < cut ? cut : at;
  }

  /** After a scalar read by `scalarText`: its line end (block scalars have none) and trivia. */
  private afterScalar(owner: number): void {
    if (this.scalarIsBlock) {
      this.skipTrivia(-1, false);
    } else {
      this.finishLine();
      this.skipTrivia(owner, false);
    }
  }

  /**
   * The text value of a scalar at `pos` in block context (plain, quoted or block). Leaves `pos`
   * after it, its end offset in `scalarEnd`, and `scalarIsBlock` set for a block scalar (which
   * has consumed its lines).
   */
  private scalarText(owner: number): string {
    const text = this.text;
    const start = this.pos;
    const c = text.charCodeAt(start);
    this.scalarIsBlock = false;
    if (c === DQUOTE || c === SQUOTE) {
      const str = this.quoted(owner + 1);
      this.scalarEnd = this.pos;
      return str;
    }
    if (c === PIPE || c === GT) {
      const str = this.blockScalar(owner);
      this.scalarIsBlock = true;
      return str;
    }
    if (!startsPlainValue(c, text.charCodeAt(start + 1), false)) throw UNSUPPORTED;
    const end = this.plainEnd(owner + 1, false);
    this.pos = end;
    this.scalarEnd = end;
    return foldLines(text.slice(start, end));
  }

  private tagCollection(tag: string, fn: string, inner: SourceNode, lowerBound: number, keyStart: number, keyEnd: number): SourceNode {
    const start = this.tagStart(tag, inner.start, lowerBound);
    this.value = makeIntrinsic(fn, this.value);
    return { start, end: inner.end, keyStart, keyEnd, entries: new Map([[fn, inner]]) };
  }

  /** Start of a node's tag, found the way the library-based loader finds it. */
  private tagStart(tag: string, valueStart: number, lowerBound: number): number {
    for (let i = valueStart - tag.length; i >= lowerBound; i--) {
      if (this.text.startsWith(tag, i)) return i;
    }
    return valueStart;
  }

  private readTag(): string {
    const text = this.text;
    const start = this.pos;
    let p = start + 1;
    for (;;) {
      const c = text.charCodeAt(p);
      if (c < 128 && TAG_CHARS[c] === 1) p++;
      else if (c === PERCENT) throw UNSUPPORTED;
      else break;
    }
    const c = text.charCodeAt(p);
    if (!(c === SPACE || c === LF || c === CR || p >= this.len)) throw UNSUPPORTED;
    this.pos = p;
    return text.slice(start, p);
  }

  // -------------------------------------------------------------------------------------------
  // Scalars
  // -------------------------------------------------------------------------------------------

  /**
   * End (exclusive) of the plain scalar at `pos`: up to its last non-space character, across
   * continuation lines indented at least `minIndent`, stopping before ` #`, a comment line, `: `
   * and, in a flow collection, flow indicators.
   */
  private plainEnd(minIndent: number, inFlow: boolean): number {
    const text = this.text;
    const len = this.len;
    let p = this.pos;
    let end = p;
    while (p < len) {
      const c = text.charCodeAt(p);
      if (c === COLON) {
        const n = text.charCodeAt(p + 1);
        if (isBlank(n) || (inFlow && isFlowIndicator(n))) {
          if (!inFlow) throw UNSUPPORTED; // `a: b: c` and multi-line keys are errors
          break;
        }
        end = ++p;
      } else if (c === SPACE) {
        const n = text.charCodeAt(p + 1);
        if (n === HASH || (inFlow && isFlowIndicator(n))) break;
        p++;
      } else if (c === LF || c === CR) {
        const lineStart = c === CR ? p + 2 : p + 1;
        let q = lineStart;
        while (text.charCodeAt(q) === SPACE) q++;
        const n = text.charCodeAt(q);
        if (q >= len) break;
        if (n === HASH) break;
        if (n === LF || n === CR) {
          p = q; // a blank line: the scalar may go on after it
          continue;
        }
        if (n === TAB) throw UNSUPPORTED;
        if (q - lineStart < minIndent) break;
        p = q;
      } else if (c === TAB) {
        throw UNSUPPORTED;
      } else {
        if (inFlow && isFlowIndicator(c)) break;
        end = ++p;
      }
    }
    return end;
  }

  /** Offset of the closing quote of the single-quoted scalar at `start`, or -1. */
  private singleQuoteEnd(start: number): number {
    const text = this.text;
    let i = start + 1;
    for (;;) {
      const j = text.indexOf("'", i);
      if (j < 0) return -1;
      if (text.charCodeAt(j + 1) === SQUOTE) i = j + 2;
      else return j;
    }
  }

  /** Offset of the closing quote of the double-quoted scalar at `start`, or -1. */
  private doubleQuoteEnd(start: number): number {
    const text = this.text;
    let j = text.indexOf('"', start + 1);
    while (j >= 0) {
      let n = 0;
      while (text.charCodeAt(j - 1 - n) === BACKSLASH) n++;
      if (n % 2 === 0) return j;
      j = text.indexOf('"', j + 1);
    }
    return -1;
  }

  /**
   * The quoted scalar at `pos`; continuation lines must be indented at least `minIndent` (or
   * blank). Leaves `pos` after the closing quote.
   */
  private quoted(minIndent: number): string {
    const text = this.text;
    const start = this.pos;
    const double = text.charCodeAt(start) === DQUOTE;
    const close = double ? this.doubleQuoteEnd(start) : this.singleQuoteEnd(start);
    if (close < 0) throw UNSUPPORTED;
    let nl = text.indexOf('\n', start);
    const multiline = nl >= 0 && nl < close;
    if (multiline) {
      const tab = text.indexOf('\t', start);
      if (tab >= 0 && tab < close) throw UNSUPPORTED;
      while (nl >= 0 && nl < close) {
        let q = nl + 1;
        while (text.charCodeAt(q) === SPACE) q++;
        const c = text.charCodeAt(q);
        if (!(c === LF || c === CR) && q - nl - 1 < minIndent) throw UNSUPPORTED;
        nl = text.indexOf('\n', nl + 1);
      }
    }
    this.pos = close + 1;
    if (double) {
      const bs = text.indexOf('\\', start);
      if (!multiline && (bs < 0 || bs > close)) return text.slice(start + 1, close);
      return doubleQuotedValue(text, start + 1, close);
    }
    let str = multiline ? foldLines(text.slice(start + 1, close)) : text.slice(start + 1, close);
    if (str.includes("''")) str = str.replace(/''/g, "'");
    return str;
  }

  /**
   * The block scalar (`|`, `>`, with an optional chomping indicator) at `pos`, owned by the
   * key or `-` at column `owner`. Leaves `pos` at the start of the line after its content and
   * sets `scalarEnd` and `r2` to the end of its range.
   */
  private blockScalar(owner: number): string {
    const text = this.text;
    const len = this.len;
    const folded = text.charCodeAt(this.pos) === GT;
    let p = this.pos + 1;
    let chomp = 0; // -1 strip, 0 clip, 1 keep
    const ci = text.charCodeAt(p);
    if (ci === DASH) {
      chomp = -1;
      p++;
    } else if (ci === 43 /* + */) {
      chomp = 1;
      p++;
    }
    const after = text.charCodeAt(p);
    if (!(after === SPACE || after === LF || after === CR || p >= len)) throw UNSUPPORTED;
    this.pos = p;
    this.finishLine();
    const bodyStart = this.pos;
    const minIndent = owner + 1;

    // The lines that belong to the scalar, as the YAML lexer delimits them.
    let nl = bodyStart - 1;
    let indent = 0;
    let i = bodyStart;
    for (; i < len; i++) {
      const c = text.charCodeAt(i);
      if (c === SPACE) indent++;
      else if (c === LF) {
        nl = i;
        indent = 0;
      } else if (c === CR) {
        /* followed by LF */
      } else break;
    }
    if (i < len && text.charCodeAt(i) === TAB) throw UNSUPPORTED;
    const contentIndent = indent;
    if (indent >= minIndent) {
      for (;;) {
        // does the line after `nl` continue the scalar?
        let q = nl + 1;
        while (text.charCodeAt(q) === SPACE) q++;
        const c = text.charCodeAt(q);
        const blankLine = c === LF || (c === CR && text.charCodeAt(q + 1) === LF);
        if (!(blankLine || q - nl - 1 >= contentIndent)) break;
        const next = text.indexOf('\n', q);
        if (next < 0) {
          nl = len;
          break;
        }
        nl = next;
      }
    }
    // a line after the content that starts with a tab is an error
    {
      let q = nl + 1;
      while (text.charCodeAt(q) === SPACE) q++;
      if (text.charCodeAt(q) === TAB) throw UNSUPPORTED;
    }
    if (chomp !== 1) {
      // trailing lines no more indented than the content do not belong to the scalar
      for (;;) {
        let j = nl - 1;
        if (text.charCodeAt(j) === CR) j--;
        const lastChar = j;
        while (text.charCodeAt(j) === SPACE) j--;
        if (text.charCodeAt(j) === LF && j >= bodyStart && j + 1 + contentIndent > lastChar) nl = j;
        else break;
      }
    }
    const end = Math.min(nl + 1, len);
    this.pos = end;
    this.scalarEnd = end;
    this.r2 = end;
    return blockScalarValue(text, bodyStart, end, owner, folded, chomp);
  }

  // -------------------------------------------------------------------------------------------
  // Flow collections
  // -------------------------------------------------------------------------------------------

  /**
   * Skips spaces, line breaks and comments inside a flow collection `level` deep. Lines must be
   * indented at least `minIndent`; a closing bracket of the outermost collection may sit one
   * column less.
   */
  private flowSpace(minIndent: number, level: number): void {
    const text = this.text;
    const len = this.len;
    let p = this.pos;
    for (;;) {
      const c = text.charCodeAt(p);
      if (c === SPACE) {
        p++;
      } else if (c === LF || c === CR) {
        p += c === CR ? 2 : 1;
        const lineStart = p;
        while (text.charCodeAt(p) === SPACE) p++;
        const d = text.charCodeAt(p);
        if (d === LF || d === CR || d === HASH) continue;
        if (p >= len) throw UNSUPPORTED;
        if (d === TAB) throw UNSUPPORTED;
        const col = p - lineStart;
        if (col === 0 && (d === DASH || d === DOT) && isDocumentMarker(text, p)) throw UNSUPPORTED;
        if (col < minIndent && !(col === minIndent - 1 && level === 1 && (d === RBRACKET || d === RBRACE))) throw UNDER_INDENTED;
      } else if (c === HASH) {
        const prev = text.charCodeAt(p - 1);
        if (!(prev === SPACE || prev === LF)) throw UNSUPPORTED;
        const nl = text.indexOf('\n', p);
        if (nl < 0) throw UNSUPPORTED; // unterminated
        p = nl - (text.charCodeAt(nl - 1) === CR ? 1 : 0);
      } else if (c === TAB) {
        throw UNSUPPORTED;
      } else {
        break;
      }
    }
    this.pos = p;
  }

  /** The flow collection at `pos`; leaves `pos` after its closing bracket. */
  private flowCollection(minIndent: number, depth: number, keyStart: number, keyEnd: number, level = 1): SourceNode {
    if (depth > this.maxDepth) throw UNSUPPORTED;
    const text = this.text;
    const start = this.pos;
    const isMap = text.charCodeAt(start) === LBRACE;
    const close = isMap ? RBRACE : RBRACKET;
    this.pos++;
    this.flowSpace(minIndent, level);
    if (isMap) {
      const obj: { [key: string]: IacValue } = {};
      const entries = new Map<string, SourceNode>();
      while (text.charCodeAt(this.pos) !== close) {
        const kStart = this.pos;
        const k = text.charCodeAt(kStart);
        let name: string;
        if (k === DQUOTE || k === SQUOTE) {
          name = this.quoted(minIndent);
          if (text.lastIndexOf('\n', this.pos) > kStart) throw UNSUPPORTED;
          while (text.charCodeAt(this.pos) === SPACE) this.pos++;
          if (text.charCodeAt(this.pos) !== COLON) throw UNSUPPORTED;
        } else {
          if (!startsPlainValue(k, text.charCodeAt(kStart + 1), true)) throw UNSUPPORTED;
          const end = this.plainEnd(minIndent, true);
          name = text.slice(kStart, end);
          if (name.includes('\n') || name === '<<') throw UNSUPPORTED;
          this.pos = end;
          while (text.charCodeAt(this.pos) === SPACE) this.pos++;
          if (text.charCodeAt(this.pos) !== COLON) throw UNSUPPORTED;
          const n = text.charCodeAt(this.pos + 1);
          if (!(n === SPACE || n === LF || n === CR)) throw UNSUPPORTED;
        }
        const kEnd = this.keyEndBeforeColon(kStart);
        this.pos++; // the colon
        this.flowSpace(minIndent, level);
        const v = text.charCodeAt(this.pos);
        if (v === COMMA || v === close) throw UNSUPPORTED; // empty value
        if (entries.has(name)) this.problems.push({ message: `Duplicate key "${name}"`, offset: kStart });
        const source = this.flowItem(minIndent, depth + 1, kEnd, kStart, kEnd, level, false);
        setOwn(obj, name, this.value);
        entries.set(name, source);
        if (!this.flowSeparator(minIndent, level, close)) break;
      }
      if (text.charCodeAt(this.pos) !== close) throw UNSUPPORTED;
      this.pos++;
      const source: SourceNode = { start, end: this.pos, keyStart, keyEnd, entries };
      this.value = obj;
      if (entries.size === 1) {
        const [name, argSource] = entries.entries().next().value as [string, SourceNode];
        const intrinsic = longFormIntrinsic(name, obj[name]!);
        if (intrinsic) {
          if (name === 'Fn::GetAtt' && typeof obj[name] === 'string') {
            entries.set(name, getAttStringSource(argSource, this.text, obj[name]));
          }
          this.value = intrinsic;
        }
      }
      return source;
    }
    const values: IacValue[] = [];
    const items: SourceNode[] = [];
    let previousEnd = start;
    while (text.charCodeAt(this.pos) !== close) {
      const source = this.flowItem(minIndent, depth + 1, previousEnd, -1, -1, level, true);
      values.push(this.value);
      items.push(source);
      if (source.end > previousEnd) previousEnd = source.end;
      if (!this.flowSeparator(minIndent, level, close)) break;
    }
    if (text.charCodeAt(this.pos) !== close) throw UNSUPPORTED;
    this.pos++;
    this.value = values;
    return { start, end: this.pos, keyStart, keyEnd, items };
  }

  /** End of the key that ends before the `:` at `pos` (spaces between them excluded). */
  private keyEndBeforeColon(kStart: number): number {
    let e = this.pos;
    while (e > kStart && this.text.charCodeAt(e - 1) === SPACE) e--;
    return e;
  }

  /**
   * After a flow item: a comma (true, more may follow) or the closing bracket (false). Anything
   * else (`:` of an implicit pair, a missing comma) is left to the full parser.
   */
  private flowSeparator(minIndent: number, level: number, close: number): boolean {
    this.flowSpace(minIndent, level);
    const c = this.text.charCodeAt(this.pos);
    if (c === COMMA) {
      this.pos++;
      this.flowSpace(minIndent, level);
      const d = this.text.charCodeAt(this.pos);
      if (d === COMMA) throw UNSUPPORTED;
      return d !== close;
    }
    if (c === close) return false;
    throw UNSUPPORTED;
  }

  /** One item (`inSeq`) or mapping value in a flow collection. */
  private flowItem(minIndent: number, depth: number, lowerBound: number, keyStart: number, keyEnd: number, level: number, inSeq: boolean): SourceNode {
    if (depth > this.maxDepth) throw UNSUPPORTED;
    const text = this.text;
    let c = text.charCodeAt(this.pos);
    let tag: string | undefined;
    let fn: string | undefined;
    if (c === BANG) {
      tag = this.readTag();
      fn = SHORT_FORM_TAGS.get(tag);
      if (!fn || text.charCodeAt(this.pos) !== SPACE) throw UNSUPPORTED;
      this.skipSpaces();
      c = text.charCodeAt(this.pos);
      if (inSeq && (c === COMMA || c === RBRACKET)) {
        // an empty tagged item: the intrinsic of an empty string
        return this.taggedScalarSource(tag, fn, '', this.pos, this.pos, lowerBound, keyStart, keyEnd);
      }
    }
    if (c === LBRACKET || c === LBRACE) {
      const inner = this.flowCollection(minIndent, depth, fn ? -1 : keyStart, fn ? -1 : keyEnd, level + 1);
      return tag && fn ? this.tagCollection(tag, fn, inner, lowerBound, keyStart, keyEnd) : inner;
    }
    const valueStart = this.pos;
    const quoted = c === DQUOTE || c === SQUOTE;
    let str: string;
    let end: number;
    if (quoted) {
      str = this.quoted(minIndent);
      end = this.pos;
    } else {
      if (!startsPlainValue(c, text.charCodeAt(valueStart + 1), true)) throw UNSUPPORTED;
      end = this.plainEnd(minIndent, true);
      if (end === valueStart) throw UNSUPPORTED;
      this.pos = end;
      str = foldLines(text.slice(valueStart, end));
    }
    if (tag && fn) return this.taggedScalarSource(tag, fn, str, valueStart, end, lowerBound, keyStart, keyEnd);
    if (inSeq && this.pairFollows(quoted)) return this.flowPair(str, quoted, valueStart, end, minIndent, depth, level);
    this.value = quoted ? str : plainScalarValue(str);
    return { start: valueStart, end, keyStart, keyEnd };
  }

  /** Is the scalar just read the key of an implicit pair (`[a: b]`)? Leaves `pos` at the `:` if so. */
  private pairFollows(quoted: boolean): boolean {
    const text = this.text;
    let p = this.pos;
    while (text.charCodeAt(p) === SPACE) p++;
    if (text.charCodeAt(p) !== COLON) return false;
    const n = text.charCodeAt(p + 1);
    // after a plain key, `:` is an indicator only before a space, a line end or a flow indicator
    if (!quoted && !(n === SPACE || n === LF || n === CR || isFlowIndicator(n))) return false;
    this.pos = p;
    return true;
  }

  /** A single-pair mapping in a flow sequence (`[a: b]`) whose key was just read. */
  private flowPair(key: string, quoted: boolean, kStart: number, kEnd: number, minIndent: number, depth: number, level: number): SourceNode {
    const text = this.text;
    const nl = text.indexOf('\n', kStart);
    if (nl >= 0 && nl < this.pos) throw UNSUPPORTED; // keys of pairs must be on one line
    if (this.pos - kStart > 1000) throw UNSUPPORTED;
    const name = quoted ? key : text.slice(kStart, kEnd);
    if (!quoted && name === '<<') throw UNSUPPORTED;
    this.pos++; // the colon
    this.flowSpace(minIndent, level);
    const v = text.charCodeAt(this.pos);
    if (v === COMMA || v === RBRACKET) throw UNSUPPORTED; // an empty value
    const valueSource = this.flowItem(minIndent, depth + 1, kEnd, kStart, kEnd, level, false);
    const obj: { [key: string]: IacValue } = {};
    setOwn(obj, name, this.value);
    const entries = new Map<string, SourceNode>([[name, valueSource]]);
    const source: SourceNode = { start: kStart, end: valueSource.end, keyStart: -1, keyEnd: -1, entries };
    this.value = obj;
    const intrinsic = longFormIntrinsic(name, obj[name]!);
    if (intrinsic) {
      if (name === 'Fn::GetAtt' && typeof obj[name] === 'string') entries.set(name, getAttStringSource(valueSource, text, obj[name]));
      this.value = intrinsic;
    }
    return source;
  }
}

function isDocumentMarker(text: string, p: number): boolean {
  const c = text.charCodeAt(p);
  return text.charCodeAt(p + 1) === c && text.charCodeAt(p + 2) === c && isBlank(text.charCodeAt(p + 3));
}

/**
 * Can a plain scalar value start with `c` (followed by `next`)? Indicators, and characters the
 * full parser rejects at the start of a plain scalar, are left to it.
 */
function startsPlainValue(c: number, next: number, inFlow: boolean): boolean {
  switch (c) {
    case DASH:
    case QUESTION:
    case COLON:
      return !isBlank(next) && !(inFlow && (c !== DASH || isFlowIndicator(next))) ;
    case COMMA:
    case LBRACKET:
    case RBRACKET:
    case LBRACE:
    case RBRACE:
    case HASH:
    case AMP:
    case STAR:
    case BANG:
    case PIPE:
    case GT:
    case SQUOTE:
    case DQUOTE:
    case PERCENT:
    case AT:
    case BACKTICK:
    case TAB:
    case SPACE:
    case LF:
    case CR:
      return false;
    default:
      return c === c; // not NaN (the end of the text)
  }
}

function startsPlainKey(c: number, next: number): boolean {
  return startsPlainValue(c, next, false);
}

/**
 * Value of a block scalar whose content lines are `text[start, end)`; `parentIndent`: column
 * of the owning key or `-` (content must be indented deeper).
 */
function blockScalarValue(text: string, start: number, end: number, parentIndent: number, folded: boolean, chomp: number): string {
  // lines as [indent, content start, content end]; the content keeps a CR of a CRLF line end
  const indents: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let p = start;
  for (;;) {
    let nl = text.indexOf('\n', p);
    if (nl < 0 || nl >= end) nl = end;
    let q = p;
    while (q < nl && text.charCodeAt(q) === SPACE) q++;
    indents.push(q - p);
    starts.push(q);
    ends.push(nl);
    if (nl >= end) break;
    p = nl + 1;
  }
  if (start === end) {
    indents.length = 0;
  }
  const count = indents.length;
  const isEmptyLine = (i: number): boolean => ends[i] === starts[i] || (ends[i] - starts[i] === 1 && text.charCodeAt(starts[i]) === CR);
  let chompStart = count;
  for (let i = count - 1; i >= 0; i--) {
    if (isEmptyLine(i)) chompStart = i;
    else break;
  }
  if (chompStart === 0) {
    return chomp === 1 && count > 0 ? '\n'.repeat(Math.max(1, count - 1)) : '';
  }
  let trimIndent = parentIndent;
  let contentStart = 0;
  for (let i = 0; i < chompStart; i++) {
    if (isEmptyLine(i)) {
      if (indents[i] > trimIndent) trimIndent = indents[i];
    } else {
      if (indents[i] < trimIndent) throw UNSUPPORTED; // more-indented leading empty lines
      trimIndent = indents[i];
      contentStart = i;
      break;
    }
  }
  for (let i = count - 1; i >= chompStart; i--) {
    if (indents[i] > trimIndent) {
      chompStart = i + 1;
      break;
    }
  }
  const pad = (i: number): string => (indents[i] > trimIndent ? ' '.repeat(indents[i] - trimIndent) : '');
  let value = '';
  for (let i = 0; i < contentStart; i++) value += pad(i) + '\n';
  let sep = '';
  let prevMoreIndented = false;
  for (let i = contentStart; i < chompStart; i++) {
    let contentEnd = ends[i];
    if (contentEnd > starts[i] && text.charCodeAt(contentEnd - 1) === CR) contentEnd--;
    const content = text.slice(starts[i], contentEnd);
    if (content !== '' && indents[i] < trimIndent) throw UNSUPPORTED;
    if (!folded) {
      value += sep + pad(i) + content;
      sep = '\n';
    } else if (indents[i] > trimIndent || content.charCodeAt(0) === TAB) {
      if (sep === ' ') sep = '\n';
      else if (!prevMoreIndented && sep === '\n') sep = '\n\n';
      value += sep + pad(i) + content;
      sep = '\n';
      prevMoreIndented = true;
    } else if (content === '') {
      if (sep === '\n') value += '\n';
      else sep = '\n';
    } else {
      value += sep + content;
      sep = ' ';
      prevMoreIndented = false;
    }
  }
  if (chomp === 1) {
    for (let i = chompStart; i < count; i++) value += '\n' + pad(i);
    if (value.charCodeAt(value.length - 1) !== LF) value += '\n';
  } else if (chomp === 0) {
    value += '\n';
  }
  return value;
}

/**
 * Reads `text` when it only uses what this reader supports; undefined otherwise (the caller then
 * uses the full parser). Never throws.
 */
export function readYaml(text: string, maxDepth: number): LoadedDocument | undefined {
  if (text.includes('\r') && /\r(?!\n)/.test(text)) return undefined;
  if (text.indexOf('\uFEFF', 1) >= 0) return undefined; // a byte-order mark after the start
  try {
    return new Reader(text, maxDepth).read();
  } catch (error) {
    if (error === UNDER_INDENTED) return readReindented(text, maxDepth);
    if (error === UNSUPPORTED || error instanceof RangeError) return undefined;
    throw error;
  }
}

/**
 * A text with a flow collection continued on lines indented too little: read as `loadYaml` reads
 * it with the full parser, which rejects it and then reads a copy with those lines re-indented
 * (`reindentFlowContinuations`), offsets mapped back to the text.
 */
function readReindented(text: string, maxDepth: number): LoadedDocument | undefined {
  const lenient = reindentFlowContinuations(text);
  if (!lenient) return undefined;
  let loaded: LoadedDocument;
  try {
    loaded = new Reader(lenient.text, maxDepth).read();
  } catch (error) {
    if (error instanceof Unsupported || error instanceof RangeError) return undefined;
    throw error;
  }
  remapSource(loaded.source, lenient.toOriginal);
  for (const problem of loaded.problems) problem.offset = lenient.toOriginal(problem.offset);
  return loaded;
}
