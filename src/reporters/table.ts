/**
 * Plain-text tables for the terminal. Without a width, every column takes its widest cell (the
 * last one is not padded), which is what a pipe or a file wants. With a width (a terminal's
 * columns), the columns that may wrap give up space in the order given, down to their minimum, and
 * their cells wrap at spaces onto continuation lines. Cells are expected to be one line of text
 * whose display width is its length (rule names, ids, ASCII words).
 */

export interface TableColumn {
  header: string;
  /** Narrowest width this column may be squeezed to when it wraps (default: its longest word). */
  min?: number;
  /** Paints a line of a cell (colour); gets the row index, -1 for the header. */
  paint?: (text: string, row: number) => string;
}

export interface TableOptions {
  /** Total width available; undefined = no limit. */
  width?: number;
  /**
   * Columns that may wrap, in the order they give up space: an index (down to the column's
   * minimum) or `[index, width]` (down to that width; a column may appear again later).
   */
  shrink?: (number | [number, number])[];
  /** Prefix of every line. */
  indent?: string;
  /** Space between columns (default 2). */
  gap?: number;
}

/** Breaks text into lines of at most `width` characters, at spaces where it can. */
export function wrapText(text: string, width: number): string[] {
  if (width <= 0 || text.length <= width) return [text];
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/ +/)) {
    let w = word;
    while (w.length > width) {
      if (line) {
        lines.push(line);
        line = '';
      }
      lines.push(w.slice(0, width));
      w = w.slice(width);
    }
    if (!line) line = w;
    else if (line.length + 1 + w.length <= width) line += ` ${w}`;
    else {
      lines.push(line);
      line = w;
    }
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

function longestWord(text: string): number {
  return Math.max(0, ...text.split(/ +/).map((w) => w.length));
}

/** Column widths: natural, then squeezed column by column until the table fits `width`. */
export function columnWidths(columns: TableColumn[], rows: string[][], options: TableOptions = {}): number[] {
  const gap = options.gap ?? 2;
  const natural = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => r[i]!.length)));
  if (options.width === undefined) return natural;
  const widths = [...natural];
  const total = (): number => (options.indent ?? '').length + widths.reduce((a, b) => a + b, 0) + gap * (widths.length - 1);
  for (const step of options.shrink ?? []) {
    const over = total() - options.width;
    if (over <= 0) break;
    const i = typeof step === 'number' ? step : step[0];
    const floor = columns[i]!.min ?? Math.max(longestWord(columns[i]!.header), ...rows.map((r) => longestWord(r[i]!)));
    const min = Math.min(natural[i]!, typeof step === 'number' ? floor : Math.max(floor, step[1]));
    widths[i] = Math.max(min, widths[i]! - over);
  }
  return widths;
}

/** The table's lines (no trailing newline). */
export function renderTable(columns: TableColumn[], rows: string[][], options: TableOptions = {}): string[] {
  const gap = ' '.repeat(options.gap ?? 2);
  const indent = options.indent ?? '';
  const widths = columnWidths(columns, rows, options);
  const limited = options.width !== undefined;
  const out: string[] = [];
  const emit = (cells: string[], row: number): void => {
    const wrapped = cells.map((cell, i) => (limited ? wrapText(cell, widths[i]!) : [cell]));
    const height = Math.max(...wrapped.map((w) => w.length));
    for (let l = 0; l < height; l++) {
      const parts = wrapped.map((lines, i) => {
        const text = lines[l] ?? '';
        const last = i === wrapped.length - 1;
        const padded = last ? text : text.padEnd(widths[i]!);
        const paint = columns[i]!.paint;
        // paint the text only, not the padding (underlines and backgrounds stay on the words)
        return paint && text ? paint(text, row) + padded.slice(text.length) : padded;
      });
      out.push(`${indent}${parts.join(gap)}`.trimEnd());
    }
  };
  emit(
    columns.map((c) => c.header),
    -1,
  );
  rows.forEach((r, i) => emit(r, i));
  return out;
}
