/**
 * One line per finding, for grep and for terminals where code frames of hundreds of findings are
 * too much:
 *
 * ```
 * src/orders.ts:6:8: error InvokeCommand without InvocationType waits for `orders-fn` to finish [no-sync-lambda-invoke]
 * ```
 *
 * Paths are relative to the working directory; columns are 1-based (UTF-16 code units). Messages
 * are made one line and terminal-safe. No summary line: the exit code and `--format stylish` give
 * the totals. Suppressed findings are not listed (as in `stylish`).
 */
import { createColors } from 'picocolors';
import type { LintResult, Severity } from '../ground/types.js';
import { sanitize, sanitizeName } from './codeframe.js';
import { reportedFindings, type ReporterContext } from './findings.js';

function oneLine(text: string): string {
  return sanitize(text.replace(/\s*(?:\r\n|\r|\n)\s*/g, ' '));
}

export function compact(result: LintResult, ctx: ReporterContext): string {
  const c = createColors(ctx.color);
  const paint: Record<Severity, (s: string) => string> = { error: c.red, warning: c.yellow, note: c.blue };
  const lines = reportedFindings(result, ctx).map((f) => {
    const where = `${sanitizeName(f.file)}:${f.range.start.line}:${f.range.start.column}`;
    return `${where}: ${paint[f.severity](f.severity)} ${oneLine(f.message)} ${c.dim(`[${f.rule}]`)}`;
  });
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
