/**
 * Code frames: a few lines of source around a finding, with a line-number gutter and the
 * offending span underlined with `^`.
 *
 * ```
 *     9 |   const client = new LambdaClient({});
 *  > 10 |   await client.send(new InvokeCommand({ FunctionName: 'orders' }));
 *       |         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
 *    11 | }
 * ```
 *
 * - Columns are display columns: tabs expand to the next tab stop, East Asian wide characters
 *   and emoji take two cells, combining marks none, so the carets line up under the text.
 * - A span that covers several lines is underlined from its start to the end of its first line.
 * - Lines wider than `maxWidth` (minified code) are clipped to a window around the span, with
 *   `…` where text was cut; every line of the frame shows the same window.
 * - Control characters and bidirectional overrides from the scanned file are shown as `�`, so a
 *   file cannot drive the terminal or disguise the code it shows.
 */
import { createColors } from 'picocolors';
import type { OffsetRange, Severity } from '../ground/types.js';

export interface CodeFrameOptions {
  color?: boolean;
  /** Colours the carets. */
  severity?: Severity;
  /** Lines shown before and after the span's first line (default 2). */
  contextLines?: number;
  /** Maximum width of the code part, in display columns (default 120). */
  maxWidth?: number;
  /** Tab stop (default 4). */
  tabWidth?: number;
}

/** One displayed character. */
interface Cell {
  text: string;
  width: number;
  /** UTF-16 offset of the character in its line. */
  unit: number;
  /** Display column where it starts. */
  col: number;
}

const LINE_BREAK = /\r\n|\r|\n/g;

// C0/C1 controls except tab, DEL, bidi embeddings/overrides/isolates, line/paragraph separators,
// BOM and zero-width no-break marks: replaced so that a scanned file cannot inject escapes.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF]/;
const UNSAFE_GLOBAL = new RegExp(UNSAFE.source, 'g');
const REPLACEMENT = '\uFFFD';

/** Replaces characters that must not reach a terminal (escape sequences, bidi overrides). */
export function sanitize(text: string): string {
  return text.replace(UNSAFE_GLOBAL, REPLACEMENT);
}

/**
 * A name (a file path, a resource name) on one line: what `sanitize` replaces, and line feeds and
 * tabs too, so that a file named with a newline cannot make a report show lines of its own.
 */
export function sanitizeName(text: string): string {
  return sanitize(text).replace(/[\t\n]/g, REPLACEMENT);
}

const COMBINING = /^[\p{Mn}\p{Me}\u200B-\u200D\u2060]$/u;
const WIDE = /^[\p{Extended_Pictographic}\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{20000}-\u{3FFFD}]$/u;

function charWidth(ch: string): number {
  if (COMBINING.test(ch)) return 0;
  if (ch.length === 1 && ch.charCodeAt(0) < 0x7f) return 1;
  return WIDE.test(ch) ? 2 : 1;
}

function toCells(line: string, tabWidth: number): Cell[] {
  const cells: Cell[] = [];
  let col = 0;
  let unit = 0;
  for (const ch of line) {
    if (ch === '\t') {
      const width = tabWidth - (col % tabWidth);
      cells.push({ text: ' '.repeat(width), width, unit, col });
      col += width;
    } else {
      const safe = UNSAFE.test(ch) ? REPLACEMENT : ch;
      const width = charWidth(safe);
      cells.push({ text: safe, width, unit, col });
      col += width;
    }
    unit += ch.length;
  }
  return cells;
}

function widthOf(cells: Cell[]): number {
  const last = cells[cells.length - 1];
  return last ? last.col + last.width : 0;
}

/** Display column of the UTF-16 offset `unit` in a line (the end of the line if past it). */
function columnAt(cells: Cell[], unit: number): number {
  for (const cell of cells) if (cell.unit >= unit) return cell.col;
  return widthOf(cells);
}

interface LineInfo {
  start: number;
  text: string;
}

function splitLines(text: string): LineInfo[] {
  const lines: LineInfo[] = [];
  let start = 0;
  LINE_BREAK.lastIndex = 0;
  for (let m = LINE_BREAK.exec(text); m; m = LINE_BREAK.exec(text)) {
    lines.push({ start, text: text.slice(start, m.index) });
    start = m.index + m[0].length;
  }
  lines.push({ start, text: text.slice(start) });
  return lines;
}

function lineIndexAt(lines: LineInfo[], offset: number): number {
  let lo = 0;
  let hi = lines.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lines[mid]!.start <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Renders the cells of a line that fall in the display window [from, to). */
function renderWindow(cells: Cell[], from: number, to: number): string {
  let out = '';
  for (const cell of cells) {
    if (cell.col + cell.width > to) break;
    if (cell.col >= from) out += cell.text;
    else if (cell.col + cell.width > from) out += ' '.repeat(cell.col + cell.width - from); // wide char cut in half
  }
  return out;
}

/**
 * A code frame for `span` (offsets into `text`). Returns the frame's lines joined with `\n`,
 * without a trailing newline; an empty string when `text` is empty and the span is empty.
 */
export function codeFrame(text: string, span: OffsetRange, options: CodeFrameOptions = {}): string {
  const c = createColors(options.color ?? false);
  const contextLines = Math.max(0, options.contextLines ?? 2);
  const maxWidth = Math.max(20, options.maxWidth ?? 120);
  const tabWidth = Math.max(1, options.tabWidth ?? 4);

  if (text === '') return '';
  const lines = splitLines(text);
  const start = Math.min(Math.max(0, span.start), text.length);
  const end = Math.min(Math.max(start, span.end), text.length);
  const index = lineIndexAt(lines, start);
  const line = lines[index]!;
  const endIndex = lineIndexAt(lines, end);

  const first = Math.max(0, index - contextLines);
  const last = Math.min(lines.length - 1, index + contextLines);
  const shown = lines.slice(first, last + 1).map((l) => toCells(l.text, tabWidth));
  const spanCells = shown[index - first]!;

  // Underline: the span on its first line, at least one caret.
  const startCol = columnAt(spanCells, start - line.start);
  let endCol = endIndex === index ? columnAt(spanCells, end - line.start) : widthOf(spanCells);
  if (endIndex !== index) {
    // Multi-line span: to the end of the first line's content.
    const trimmed = line.text.replace(/\s+$/, '');
    endCol = Math.max(columnAt(spanCells, trimmed.length), startCol);
  }
  if (endCol <= startCol) endCol = startCol + 1;

  // Window: everything when it fits, otherwise a slice around the span.
  const widest = Math.max(...shown.map(widthOf), endCol);
  let from = 0;
  let to = widest;
  if (widest > maxWidth) {
    const lead = Math.min(Math.floor(maxWidth / 3), startCol);
    from = startCol - lead;
    to = from + maxWidth;
    if (to > widest) {
      to = widest;
      from = Math.max(0, to - maxWidth);
    }
  }

  const paint = options.severity === 'warning' ? c.yellow : options.severity === 'note' ? c.blue : c.red;
  const gutterWidth = String(last + 1).length;
  const bar = c.dim('|');
  const out: string[] = [];
  shown.forEach((cells, i) => {
    const isSpanLine = first + i === index;
    // When the window starts past column 0, every line gets a one-cell prefix (`…` where text
    // was cut, a space where the line is shorter) so that the code stays aligned.
    let code = renderWindow(cells, from, to);
    if (from > 0) code = `${widthOf(cells) > from ? '…' : ' '}${code}`;
    if (widthOf(cells) > to) code = `${code}…`;
    code = code.replace(/\s+$/, '');
    const number = String(first + i + 1).padStart(gutterWidth);
    const gutter = isSpanLine ? `${paint(c.bold('>'))} ${number} ${bar}` : `  ${c.dim(number)} ${bar}`;
    out.push(code === '' ? gutter : `${gutter} ${code}`);
    if (isSpanLine) {
      const caretFrom = Math.max(startCol, from);
      const caretTo = Math.min(endCol, to);
      const pad = ' '.repeat(caretFrom - from + (from > 0 ? 1 : 0));
      const carets = '^'.repeat(Math.max(1, caretTo - caretFrom));
      out.push(`  ${' '.repeat(gutterWidth)} ${bar} ${pad}${paint(carets)}`);
    }
  });
  return out.join('\n');
}
