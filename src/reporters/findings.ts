/** Helpers shared by the reporters: ordering, filtering and counting findings. */
import type { Finding, LintResult, Severity } from '../ground/types.js';

export interface ReporterContext {
  color: boolean;
  /** Absolute directory the report's paths are relative to. */
  cwd: string;
  toolVersion: string;
  /** `--graph-format`: the notation of the `graph` report (default Mermaid). */
  graphFormat?: 'mermaid' | 'dot';
  /**
   * List error-level findings only (`--quiet`). Counts, summary and scorecard still cover every
   * finding, as the exit code does.
   */
  quiet?: boolean;
  /** Documentation URL of a rule (SARIF `helpUri`, links). */
  ruleDocUrl?: (name: string) => string;
  /** SARIF `automationDetails.id` (`--automation-id`): tells apart runs uploaded side by side. */
  automationId?: string;
  /** Width of the terminal the report is printed to, for tables; undefined for a pipe or a file. */
  columns?: number;
  /** Base URL of the scanned revision's files (Markdown `file:line` links), e.g. a GitHub blob URL. */
  sourceLinkBase?: string;
}

export type Reporter = (result: LintResult, ctx: ReporterContext) => string;

export type SeverityCounts = Record<Severity, number>;

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** File, line, column, rule, message: the order every report uses, whatever the input order. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    compareStrings(a.file, b.file) ||
    a.range.start.line - b.range.start.line ||
    a.range.start.column - b.range.start.column ||
    compareStrings(a.rule, b.rule) ||
    compareStrings(a.message, b.message) ||
    compareStrings(a.fingerprint, b.fingerprint)
  );
}

/** The findings a report lists: sorted, and errors only under `quiet`. */
export function reportedFindings(result: LintResult, ctx: Pick<ReporterContext, 'quiet'>): Finding[] {
  const findings = ctx.quiet ? result.findings.filter((f) => f.severity === 'error') : [...result.findings];
  return findings.sort(compareFindings);
}

/** Suppressed findings a report lists (SARIF, JSON): sorted, and errors only under `quiet`. */
export function reportedSuppressed(result: LintResult, ctx: Pick<ReporterContext, 'quiet'>): Finding[] {
  const all = result.suppressed ?? [];
  return (ctx.quiet ? all.filter((f) => f.severity === 'error') : [...all]).sort(compareFindings);
}

export function countBySeverity(findings: readonly Finding[]): SeverityCounts {
  const counts: SeverityCounts = { error: 0, warning: 0, note: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}
