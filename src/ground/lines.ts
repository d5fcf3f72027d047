/**
 * Offset → line/column conversion for template text.
 *
 * Conventions (shared by every IaC loader, so findings and parse errors agree):
 * - Lines and columns are 1-based; columns count UTF-16 code units (what JS string offsets are).
 * - A line ends at `\n`, `\r\n` or a lone `\r` (as YAML and editors see it). The `\r` of a CRLF
 *   belongs to the line it ends.
 * - A leading byte-order mark (U+FEFF) is invisible: line 1 starts after it, so the first
 *   character of the document is column 1 whether or not the file has a BOM (editors display it
 *   that way). An offset that points at the BOM itself maps to line 1, column 1. Offsets are
 *   always offsets into the text as given, BOM included.
 * - With `{ code: true }`, U+2028 and U+2029 end lines too, as TypeScript counts them, so parse
 *   errors and suppression comments in code files agree with findings from the TS AST.
 */
import type { LineColumn, Range } from './types.js';

export class LineIndex {
  /** Offset of the first character of each line (index 0 = line 1). */
  private readonly starts: number[];
  private readonly length: number;

  constructor(text: string, options: { code?: boolean } = {}) {
    this.length = text.length;
    const starts = [text.charCodeAt(0) === 0xfeff ? 1 : 0];
    const code = options.code ?? false;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 /* \n */ || (code && (c === 0x2028 || c === 0x2029))) {
        starts.push(i + 1);
      } else if (c === 13 /* \r */) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
    this.starts = starts;
  }

  /** Number of lines (a text ending with a line break has an empty last line). */
  get lineCount(): number {
    return this.starts.length;
  }

  /** 1-based line and column of `offset` (clamped to the text). */
  position(offset: number): LineColumn {
    const o = Math.max(0, Math.min(offset, this.length));
    // Binary search: the last line start <= o.
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    const start = this.starts[lo]!;
    return { line: lo + 1, column: Math.max(0, o - start) + 1 };
  }

  /** Range of the half-open offset span [start, end). `end` is the position just after the span. */
  range(start: number, end: number): Range {
    return { start: this.position(start), end: this.position(Math.max(start, end)) };
  }

  /** Offset of a 1-based line/column (clamped); the inverse of `position`. */
  offset(line: number, column: number): number {
    const l = Math.max(1, Math.min(line, this.starts.length));
    return Math.min(this.starts[l - 1]! + Math.max(1, column) - 1, this.length);
  }
}
