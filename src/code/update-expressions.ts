/**
 * DynamoDB update expressions as text: their clauses (`SET`, `ADD`, `REMOVE`, `DELETE`) and the
 * actions of each, split at top-level commas so that function arguments
 * (`if_not_exists(n, :zero)`, `list_append(l, :more)`) stay in their action.
 */

/** Splits at top-level commas. */
export function splitActions(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) out.push(current.trim());
  return out;
}

/** `SET a = :a, b = b + :n ADD c :one` → { SET: 'a = :a, b = b + :n', ADD: 'c :one' }. */
export function updateClauses(expression: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /(?:^|\s)(SET|ADD|REMOVE|DELETE)\s/gi;
  const marks: { keyword: string; start: number; end: number }[] = [];
  for (let m = re.exec(expression); m; m = re.exec(expression)) {
    marks.push({ keyword: m[1]!.toUpperCase(), start: m.index, end: m.index + m[0].length });
  }
  marks.forEach((mark, i) => {
    const text = expression.slice(mark.end, i + 1 < marks.length ? marks[i + 1]!.start : undefined).trim();
    out.set(mark.keyword, out.has(mark.keyword) ? `${out.get(mark.keyword)}, ${text}` : text);
  });
  return out;
}

/** A `SET` action that reads the attribute it writes: `n = n + :one`, `n = if_not_exists(n, :zero) + :one`, `l = list_append(l, :x)`. */
export interface RelativeSet {
  path: string;
  action: string;
  kind: 'append' | 'arithmetic';
}

/** The `SET` actions of an update expression whose new value is computed from the attribute's current one. */
export function relativeSets(expression: string): RelativeSet[] {
  const set = updateClauses(expression).get('SET');
  if (!set) return [];
  const out: RelativeSet[] = [];
  for (const action of splitActions(set)) {
    const eq = action.indexOf('=');
    if (eq < 0) continue;
    const path = action.slice(0, eq).trim();
    const value = action.slice(eq + 1);
    const self = new RegExp(`(^|[^\\w#:.])${escapeRegExp(path)}(?![\\w.\\[])`);
    if (!path || !self.test(value)) continue;
    if (/list_append\s*\(/i.test(value)) out.push({ path, action, kind: 'append' });
    else if (/[+-]/.test(value.replace(/#[\w]+|:[\w]+|[\w.]+/g, 'x'))) out.push({ path, action, kind: 'arithmetic' });
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
