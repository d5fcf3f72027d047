/**
 * Markdown rendered for a terminal (`--explain`): what the rule READMEs use, shown as text rather
 * than as markup.
 *
 * - Headings: bold with colour (the first level also underlined); without colour the first two
 *   levels are underlined with `=` and `-`, and the `#` marks are gone.
 * - Fenced code blocks: the fences are dropped and the code is indented by four spaces (cyan with
 *   colour), verbatim.
 * - Inline code: cyan without its backticks with colour; kept in backticks without colour, the
 *   only cue left.
 * - Links and images: `text (url)`, or the bare URL when the text is the URL. Bold and emphasis
 *   markers are dropped (bold with colour). Backslash escapes are resolved.
 * - Tables: columns aligned, the delimiter row dropped (and an empty header row).
 * - HTML comments are dropped; blank lines around the document are trimmed.
 */
import { createColors } from 'picocolors';

type Colors = ReturnType<typeof createColors>;

const INLINE = /(`+)([\s\S]*?[^`])\1(?!`)|!?\[([^\]]*)\]\(([^)\s]+)\)|\*\*([^*]+)\*\*|__([^_]+)__|(?<![\w*])\*([^*\s][^*]*?)\*(?![\w*])|\\([\\`*_{}[\]()#+\-.!|>~])/g;

/** One line of Markdown inline markup as terminal text. */
export function renderInline(text: string, c: Colors, color: boolean): string {
  return text.replace(INLINE, (_m, ticks: string, code: string, linkText: string, url: string, bold: string, bold2: string, em: string, escaped: string) => {
    if (ticks !== undefined) {
      const body = code.length > 1 && code.startsWith(' ') && code.endsWith(' ') ? code.slice(1, -1) : code;
      return color ? c.cyan(body) : `\`${body}\``;
    }
    if (url !== undefined) {
      const label = renderInline(linkText, c, color);
      return linkText === url || label === '' ? url : `${label} ${c.dim(`(${url})`)}`;
    }
    if (bold !== undefined || bold2 !== undefined) return c.bold(renderInline(bold ?? bold2, c, color));
    if (em !== undefined) return renderInline(em, c, color);
    return escaped;
  });
}

/** Cells of a table row: split at unescaped `|`, outer pipes dropped. */
function tableCells(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let inCode = false;
  const body = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch === '\\' && body[i + 1] === '|') {
      cell += '|';
      i++;
    } else if (ch === '`') {
      inCode = !inCode;
      cell += ch;
    } else if (ch === '|' && !inCode) {
      cells.push(cell.trim());
      cell = '';
    } else cell += ch;
  }
  cells.push(cell.trim());
  return cells;
}

// eslint-disable-next-line no-control-regex -- colour codes are what is measured away
const ANSI = /\u001b\[[0-9;]*m/g;

function visibleLength(text: string): number {
  return [...text.replace(ANSI, '')].length;
}

function renderTableBlock(lines: string[], c: Colors, color: boolean): string[] {
  const rows = lines.filter((l) => !/^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/.test(l)).map((l) => tableCells(l).map((cell) => renderInline(cell, c, color)));
  if (rows.length > 0 && rows[0]!.every((cell) => cell === '')) rows.shift();
  const count = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: count }, (_, i) => Math.max(0, ...rows.map((r) => visibleLength(r[i] ?? ''))));
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell + ' '.repeat(widths[i]! - visibleLength(cell))))
      .join('  ')
      .trimEnd(),
  );
}

export function renderMarkdown(markdown: string, color: boolean): string {
  const c = createColors(color);
  const out: string[] = [];
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  let fence: string | undefined;
  let inComment = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (fence !== undefined) {
      if (line.trimStart().startsWith(fence) && line.trim().replace(/^[`~]+/, '') === '') fence = undefined;
      else out.push(line === '' ? '' : `    ${color ? c.cyan(line) : line}`);
      continue;
    }
    if (inComment) {
      if (line.includes('-->')) inComment = false;
      continue;
    }
    const trimmed = line.trim();
    if (trimmed.startsWith('<!--')) {
      if (!trimmed.includes('-->')) inComment = true;
      continue;
    }
    const open = /^\s*(`{3,}|~{3,})/.exec(line);
    if (open) {
      fence = open[1];
      continue;
    }
    if (trimmed.startsWith('|')) {
      const block: string[] = [];
      while (i < lines.length && lines[i]!.trim().startsWith('|')) block.push(lines[i++]!);
      i--;
      out.push(...renderTableBlock(block, c, color));
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const level = heading[1]!.length;
      const text = renderInline(heading[2]!, c, color);
      if (color) out.push(level === 1 ? c.bold(c.underline(text)) : c.bold(text));
      else {
        out.push(text);
        if (level <= 2) out.push((level === 1 ? '=' : '-').repeat(visibleLength(text)));
      }
      continue;
    }
    out.push(renderInline(line, c, color));
  }
  while (out.length > 0 && out[0]!.trim() === '') out.shift();
  while (out.length > 0 && out[out.length - 1]!.trim() === '') out.pop();
  return `${out.join('\n')}\n`;
}
