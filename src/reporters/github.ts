/**
 * GitHub Actions workflow commands, one line per finding, for repositories that do not upload
 * SARIF: the runner turns each line into an annotation on the file and line.
 *
 * ```
 * ::error file=src/orders.ts,line=6,col=8,endLine=6,endColumn=86,title=no-sync-lambda-invoke::InvokeCommand without InvocationType waits …
 * ```
 *
 * - Levels: `error` → `::error`, `warning` → `::warning`, `note` → `::notice`.
 * - `file` is relative to the directory rel4lint ran from (the workspace root in a workflow), with
 *   POSIX separators, as GitHub resolves it.
 * - `col`/`endColumn` are 1-based UTF-16 columns, written only when the finding starts and ends on
 *   the same line: GitHub ignores columns on a span of several lines.
 * - Escaping follows the runner's rules: in the message `%`, CR and LF become `%25`, `%0D`, `%0A`; in
 *   property values `:` and `,` also become `%3A` and `%2C`. So a scanned file cannot end a command
 *   early or start another one. Other control characters are replaced (they would reach the log).
 * - Suppressed findings are not written: an annotation asks for action. SARIF and JSON list them.
 *
 * Deterministic: sorted findings, no timestamps.
 */
import type { Finding, LintResult, Severity } from '../ground/types.js';
import { sanitize } from './codeframe.js';
import { reportedFindings, type ReporterContext } from './findings.js';

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', note: 'notice' };

/** Escapes the data (message) of a workflow command. */
export function escapeCommandData(text: string): string {
  return sanitize(text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A'));
}

/** Escapes a property value of a workflow command. */
export function escapeCommandProperty(text: string): string {
  return escapeCommandData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function command(f: Finding): string {
  const { start, end } = f.range;
  const props: [string, string | number][] = [['file', f.file], ['line', Math.max(1, start.line)]];
  const oneLine = end.line === start.line;
  if (oneLine) props.push(['col', Math.max(1, start.column)]);
  props.push(['endLine', Math.max(start.line, end.line, 1)]);
  if (oneLine) props.push(['endColumn', Math.max(start.column, end.column, 1)]);
  props.push(['title', f.rule]);
  const properties = props.map(([key, value]) => `${key}=${escapeCommandProperty(String(value))}`).join(',');
  return `::${COMMAND[f.severity]} ${properties}::${escapeCommandData(f.message)}`;
}

export function github(result: LintResult, ctx: ReporterContext): string {
  const lines = reportedFindings(result, ctx).map(command);
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
