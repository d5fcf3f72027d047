/**
 * CloudFormation accepts YAML whose flow collections (`[ ... ]`, `{ ... }`) and multi-line quoted
 * scalars continue on lines that are not indented past their parent key, e.g.
 *
 *   Policies:
 *     - PolicyDocument: !Sub '{
 *         "Version": "2012-10-17"
 *       }'
 *
 * The YAML specification (and the `yaml` package) reject that closing line. Templates written that
 * way deploy, so rejecting them would be a false parse error. When a strict parse fails, the loader
 * retries on a copy of the text where such continuation lines get the missing indentation, and maps
 * every offset back to the original text. Valid YAML never takes this path.
 */

export interface Reindented {
  text: string;
  /** Maps an offset in `text` back to the original text. */
  toOriginal(offset: number): number;
}

interface Insertion {
  /** Offset in the original text where spaces were inserted (a line start). */
  at: number;
  count: number;
}

function indentOf(line: string): number {
  let i = 0;
  while (i < line.length && line[i] === ' ') i++;
  return i;
}

/** Column of the key that owns values on this line: after any `- ` sequence markers. */
function ownerColumn(line: string): number {
  let i = indentOf(line);
  while (line[i] === '-' && (line[i + 1] === ' ' || line[i + 1] === undefined)) {
    i++;
    while (line[i] === ' ') i++;
  }
  return i;
}

/**
 * Returns a re-indented copy, or undefined when no line needed more indentation.
 * The scanner tracks comments, quoted scalars, flow depth and block scalars; it is only used
 * as a fallback after the strict parser reported errors.
 */
export function reindentFlowContinuations(text: string): Reindented | undefined {
  const lines = text.split('\n');
  const insertions: Insertion[] = [];
  let offset = 0;
  let flowDepth = 0;
  let quote: '"' | "'" | undefined;
  let ownerIndent = 0;
  let blockScalarParent: number | undefined;
  const out: string[] = [];

  for (const rawLine of lines) {
    let line = rawLine;
    const lineStart = offset;
    offset += rawLine.length + 1;
    const blank = line.trim() === '';
    if (blockScalarParent !== undefined) {
      if (blank || indentOf(line) > blockScalarParent) {
        out.push(line);
        continue;
      }
      blockScalarParent = undefined;
    }
    if ((flowDepth > 0 || quote) && !blank) {
      const need = ownerIndent + 1 - indentOf(line);
      if (need > 0) {
        insertions.push({ at: lineStart, count: need });
        line = ' '.repeat(need) + line;
      }
    }
    // Scan the line.
    let valueStart = true;
    let i = indentOf(line);
    const lineOwner = ownerColumn(line);
    for (; i < line.length; i++) {
      const c = line[i];
      if (quote) {
        if (quote === "'" && c === "'") {
          if (line[i + 1] === "'") i++;
          else quote = undefined;
        } else if (quote === '"' && c === '\\') {
          i++;
        } else if (quote === '"' && c === '"') {
          quote = undefined;
        }
        valueStart = false;
        continue;
      }
      if (c === ' ' || c === '\t') continue;
      if (c === '#' && (i === 0 || line[i - 1] === ' ' || line[i - 1] === '\t')) break;
      if ((c === "'" || c === '"') && valueStart) {
        if (flowDepth === 0) ownerIndent = lineOwner;
        quote = c;
        continue;
      }
      if ((c === '[' || c === '{') && (valueStart || flowDepth > 0)) {
        if (flowDepth === 0) ownerIndent = lineOwner;
        flowDepth++;
        valueStart = true;
        continue;
      }
      if ((c === ']' || c === '}') && flowDepth > 0) {
        flowDepth--;
        valueStart = false;
        continue;
      }
      if (c === ',' && flowDepth > 0) {
        valueStart = true;
        continue;
      }
      if (c === ':' && (line[i + 1] === ' ' || line[i + 1] === undefined || line[i + 1] === '\t' || (flowDepth > 0 && /[,\]}]/.test(line[i + 1])))) {
        valueStart = true;
        continue;
      }
      if (c === '-' && valueStart && (line[i + 1] === ' ' || line[i + 1] === undefined)) continue;
      if (c === '!' && valueStart) {
        // a tag such as !Sub: the value starts after it
        while (i + 1 < line.length && line[i + 1] !== ' ') i++;
        continue;
      }
      if ((c === '|' || c === '>') && valueStart && flowDepth === 0 && /^[|>][-+0-9]*\s*(#.*)?$/.test(line.slice(i))) {
        blockScalarParent = lineOwner;
        break;
      }
      // inside a plain scalar: skip to the next separator
      valueStart = false;
    }
    out.push(line);
  }
  if (insertions.length === 0) return undefined;
  const newText = out.join('\n');
  // new-text offsets where each insertion begins
  const starts: { newAt: number; count: number; total: number }[] = [];
  let total = 0;
  for (const ins of insertions) {
    starts.push({ newAt: ins.at + total, count: ins.count, total: total + ins.count });
    total += ins.count;
  }
  return {
    text: newText,
    toOriginal(pos: number): number {
      // binary search for the last insertion at or before pos
      let lo = 0;
      let hi = starts.length - 1;
      let found = -1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (starts[mid].newAt <= pos) {
          found = mid;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (found < 0) return pos;
      const s = starts[found];
      // inside the inserted spaces: the original line start
      if (pos < s.newAt + s.count) return s.newAt - (s.total - s.count);
      return pos - s.total;
    },
  };
}
