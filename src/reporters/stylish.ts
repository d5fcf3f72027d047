/**
 * The default, human-readable report: findings grouped by file, each with a code frame, a
 * `help:` line and its related locations; then the totals and the REL 4 scorecard.
 *
 * ```
 * src/orders.ts
 *   12:9  error  InvokeCommand without InvocationType waits for `orders-fn` to finish  no-sync-lambda-invoke
 *        10 |   ...
 *      > 12 |   await lambda.send(new InvokeCommand({ FunctionName: 'orders-fn' }));
 *           |         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
 *    help: Set InvocationType: 'Event', or hand the work to a queue
 *    note: client created here at src/clients.ts:3:16
 *
 * ✖ 1 problem (1 error, 0 warnings, 0 notes)
 * ```
 *
 * Colour is on or off as the caller says (no detection here); the output is deterministic.
 */
import { createColors } from 'picocolors';
import type { Finding, LintResult, Severity } from '../ground/types.js';
import { codeFrame, sanitize, sanitizeName } from './codeframe.js';
import { countBySeverity, reportedFindings, type ReporterContext, type SeverityCounts } from './findings.js';
import { buildScorecard, plural, renderScorecard } from './scorecard.js';

type Colors = ReturnType<typeof createColors>;

/** One line of user-visible text from a message: safe characters, no line breaks. */
function oneLine(text: string): string {
  return sanitize(text.replace(/\s*(?:\r\n|\r|\n)\s*/g, ' '));
}

function severityColor(c: Colors, severity: Severity): (s: string) => string {
  return severity === 'error' ? c.red : severity === 'warning' ? c.yellow : c.blue;
}

/** `✖ 3 problems (1 error, 1 warning, 1 note)`, or `✔ No problems found`. */
export function summaryLine(counts: SeverityCounts, color: boolean): string {
  const c = createColors(color);
  const total = counts.error + counts.warning + counts.note;
  if (total === 0) return c.green('✔ No problems found');
  const text =
    `✖ ${plural(total, 'problem')} ` +
    `(${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${plural(counts.note, 'note')})`;
  const paint = counts.error > 0 ? c.red : counts.warning > 0 ? c.yellow : c.blue;
  return c.bold(paint(text));
}

/** The summary line for a whole result (every finding, whatever `quiet` says). */
export function stylishSummary(result: LintResult, ctx: Pick<ReporterContext, 'color'>): string {
  return summaryLine(countBySeverity(result.findings), ctx.color);
}

function scannedLine(result: LintResult): string {
  const { filesScanned, codeFiles, templates, resources, dataFiles } = result.stats;
  const data = dataFiles ? `; ${plural(dataFiles, 'JSON/YAML file')} skipped as not infrastructure as code` : '';
  return `Scanned ${plural(filesScanned, 'file')}: ${plural(codeFiles, 'code file')}, ${plural(templates, 'template')} (${plural(resources, 'resource')})${data}`;
}

function renderFinding(finding: Finding, result: LintResult, c: Colors, posWidth: number, sevWidth: number, color: boolean): string[] {
  const pos = `${finding.range.start.line}:${finding.range.start.column}`;
  const paint = severityColor(c, finding.severity);
  const out = [
    `  ${c.dim(pos.padEnd(posWidth))}  ${paint(finding.severity.padEnd(sevWidth))}  ${oneLine(finding.message)}  ${c.dim(finding.rule)}`,
  ];
  const source = result.sources.get(finding.file);
  if (source !== undefined) {
    const frame = codeFrame(source, finding.offsets, { color, severity: finding.severity });
    if (frame !== '') for (const line of frame.split('\n')) out.push(`    ${line}`);
  }
  if (finding.help) out.push(`    ${c.cyan('help:')} ${oneLine(finding.help)}`);
  for (const related of finding.related) {
    const where = `${related.file}:${related.range.start.line}:${related.range.start.column}`;
    out.push(`    ${c.blue('note:')} ${oneLine(related.message)} at ${sanitizeName(where)}`);
  }
  return out;
}

export function stylish(result: LintResult, ctx: ReporterContext): string {
  const c = createColors(ctx.color);
  const findings = reportedFindings(result, ctx);
  const out: string[] = [];

  const byFile = new Map<string, Finding[]>();
  for (const f of findings) {
    const list = byFile.get(f.file);
    if (list) list.push(f);
    else byFile.set(f.file, [f]);
  }
  for (const [file, list] of byFile) {
    const posWidth = Math.max(...list.map((f) => `${f.range.start.line}:${f.range.start.column}`.length));
    const sevWidth = Math.max(...list.map((f) => f.severity.length));
    out.push(c.underline(sanitizeName(file)));
    list.forEach((finding, i) => {
      if (i > 0) out.push('');
      out.push(...renderFinding(finding, result, c, posWidth, sevWidth, ctx.color));
    });
    out.push('');
  }

  const counts = countBySeverity(result.findings);
  out.push(summaryLine(counts, ctx.color));
  if (findings.length < result.findings.length) {
    const hidden = [counts.warning ? plural(counts.warning, 'warning') : '', counts.note ? plural(counts.note, 'note') : ''];
    out.push(c.dim(`Not shown (--quiet): ${hidden.filter(Boolean).join(', ')}`));
  }
  out.push(c.dim(scannedLine(result)));
  const suppressed = result.suppressed ?? [];
  if (suppressed.length > 0) {
    const inSource = suppressed.filter((f) => f.suppression?.kind === 'inSource').length;
    const parts = [inSource ? `${inSource} in source` : '', suppressed.length - inSource ? `${suppressed.length - inSource} by the baseline` : ''];
    out.push(c.dim(`Suppressed: ${plural(suppressed.length, 'finding')} (${parts.filter(Boolean).join(', ')})`));
  }
  const stale = result.baseline?.stale ?? [];
  if (stale.length > 0) {
    out.push(
      c.yellow(`Baseline ${sanitizeName(result.baseline!.file)}: ${stale.length} stale ${stale.length === 1 ? 'entry' : 'entries'} (fixed or moved; run --update-baseline to drop them)`),
    );
    for (const e of stale) out.push(c.dim(`  ${sanitizeName(e.file)}  ${oneLine(e.rule)}  ${oneLine(e.logicalLocation)}${e.occurrence ? ` #${e.occurrence + 1}` : ''}`));
  }
  if (!ctx.quiet) {
    out.push('');
    out.push(renderScorecard(buildScorecard(result), { color: ctx.color, width: ctx.columns }));
  }
  return `${out.join('\n')}\n`;
}
