/**
 * The per-best-practice scorecard (REL04-BP01..BP04): which enabled rules cover each best
 * practice, what they looked at, what they found, and a status.
 *
 * - A rule counts for every best practice in its `bestPractices`.
 * - "Checked" counts code files when a covering rule targets code, resources when one targets an
 *   IaC format; `null` when no covering rule looks at that kind of input.
 * - Status: `fail` with any error finding, `warn` with warnings only, otherwise `not checked` when
 *   no enabled rule covers the best practice or nothing it could look at was scanned, else
 *   `pass`. Notes never change the status.
 * - `parse-error` belongs to no best practice, so it never appears here.
 */
import { createColors } from 'picocolors';
import { BEST_PRACTICES, SCORECARD_BEST_PRACTICES } from '../ground/best-practices.js';
import type { BestPracticeId, LintResult, Severity } from '../ground/types.js';
import { renderTable, type TableColumn } from './table.js';

export type ScorecardStatus = 'pass' | 'warn' | 'fail' | 'not checked';

export interface ScorecardRow {
  bestPractice: BestPracticeId;
  title: string;
  url: string;
  /** Enabled rules covering this best practice, sorted by name. */
  rules: string[];
  checked: {
    /** Code files scanned, or null when no covering rule targets code. */
    codeFiles: number | null;
    /** IaC resources scanned, or null when no covering rule targets an IaC format. */
    resources: number | null;
  };
  findings: Record<Severity, number>;
  status: ScorecardStatus;
}

export function buildScorecard(result: LintResult): ScorecardRow[] {
  return SCORECARD_BEST_PRACTICES.map((id) => {
    const bp = BEST_PRACTICES[id];
    const covering = result.rules.filter((r) => r.meta.bestPractices.includes(id));
    const targetsCode = covering.some((r) => r.meta.targets.includes('code'));
    const targetsIac = covering.some((r) => r.meta.targets.some((t) => t !== 'code'));
    const findings: Record<Severity, number> = { error: 0, warning: 0, note: 0 };
    for (const f of result.findings) if (f.bestPractices.includes(id)) findings[f.severity]++;
    const codeFiles = targetsCode ? result.stats.codeFiles : null;
    const resources = targetsIac ? result.stats.resources : null;
    let status: ScorecardStatus;
    if (findings.error > 0) status = 'fail';
    else if (findings.warning > 0) status = 'warn';
    else if (covering.length === 0 || (codeFiles ?? 0) + (resources ?? 0) === 0) status = 'not checked';
    else status = 'pass';
    return {
      bestPractice: id,
      title: bp.title,
      url: bp.url,
      rules: covering.map((r) => r.meta.name).sort(),
      checked: { codeFiles, resources },
      findings,
      status,
    };
  });
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function describeChecked(row: ScorecardRow): string {
  const parts: string[] = [];
  if (row.checked.codeFiles !== null) parts.push(plural(row.checked.codeFiles, 'file'));
  if (row.checked.resources !== null) parts.push(plural(row.checked.resources, 'resource'));
  return parts.length > 0 ? parts.join(', ') : '-';
}

export function describeFindings(counts: Record<Severity, number>): string {
  const parts: string[] = [];
  if (counts.error) parts.push(plural(counts.error, 'error'));
  if (counts.warning) parts.push(plural(counts.warning, 'warning'));
  if (counts.note) parts.push(plural(counts.note, 'note'));
  return parts.length > 0 ? parts.join(', ') : 'none';
}

/**
 * A plain-text table, one row per best practice: id, status, rule count, what was checked,
 * findings, title (last, so that long titles need no padding). Cells are ASCII, so display width
 * is string length. With a `width` (the terminal's), the title wraps to fit.
 */
export function renderScorecard(rows: ScorecardRow[], options: { color: boolean; width?: number }): string {
  const c = createColors(options.color);
  const statusColor: Record<ScorecardStatus, (s: string) => string> = {
    fail: c.red,
    warn: c.yellow,
    pass: c.green,
    'not checked': c.dim,
  };
  const header = (text: string, row: number): string | undefined => (row < 0 ? c.dim(text) : undefined);
  const columns: TableColumn[] = ['best practice', 'status', 'rules', 'checked', 'findings', 'title'].map((name, i) => ({
    header: name,
    ...(i === 5 ? { min: 24 } : {}),
    paint: (text, row) => header(text, row) ?? (i === 1 ? statusColor[rows[row]!.status](text) : text),
  }));
  const body = rows.map((row) => [
    row.bestPractice,
    row.status,
    String(row.rules.length),
    describeChecked(row),
    describeFindings(row.findings),
    row.title,
  ]);
  const table = renderTable(columns, body, { indent: '  ', width: options.width, shrink: [[5, 40], 4, 3, 5] });
  return [c.bold('REL 4 scorecard'), ...table].join('\n');
}
