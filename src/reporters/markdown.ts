/**
 * Markdown for a CI job summary (`$GITHUB_STEP_SUMMARY`) or a pull-request comment:
 *
 * 1. a headline with the counts;
 * 2. the REL 4 scorecard, one row per best practice;
 * 3. the findings grouped by their primary best practice (then the findings about the scan itself:
 *    parse errors, invalid suppressions), each with severity, `file:line` (a link when the context
 *    gives a source link base), the rule linked to its documentation, and the message.
 *
 * Messages and paths are escaped (they come from the scanned code); the output is deterministic.
 * At most `MAX_FINDINGS` findings are listed, so that a report fits in a comment.
 */
import { BEST_PRACTICES, SCORECARD_BEST_PRACTICES } from '../ground/best-practices.js';
import type { BestPracticeId, Finding, LintResult, Severity } from '../ground/types.js';
import { countBySeverity, reportedFindings, type ReporterContext } from './findings.js';
import { buildScorecard, describeChecked, describeFindings, plural, type ScorecardStatus } from './scorecard.js';

export const MAX_FINDINGS = 200;

const STATUS: Record<ScorecardStatus, string> = { fail: '❌ fail', warn: '⚠️ warn', pass: '✅ pass', 'not checked': '➖ not checked' };
const SEVERITY: Record<Severity, string> = { error: '🔴 error', warning: '🟡 warning', note: '🔵 note' };

/** Text safe in Markdown and in a table cell: no HTML, no emphasis, no links, one line. */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\s*(?:\r\n|\r|\n)\s*/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_{}[\]()#+!|~]/g, '\\$&');
}

/** A URL safe inside `(...)` of a Markdown link. */
function escapeUrl(url: string): string {
  return url.replace(/[()\s<>]/g, (ch) => encodeURIComponent(ch));
}

function encodePath(file: string): string {
  return file
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
}

function location(f: Finding, ctx: ReporterContext): string {
  const label = escapeMarkdown(`${f.file}:${f.range.start.line}:${f.range.start.column}`);
  if (ctx.sourceLinkBase === undefined) return label;
  const base = ctx.sourceLinkBase.endsWith('/') ? ctx.sourceLinkBase : `${ctx.sourceLinkBase}/`;
  const lines = f.range.end.line > f.range.start.line ? `#L${f.range.start.line}-L${f.range.end.line}` : `#L${f.range.start.line}`;
  return `[${label}](${escapeUrl(`${base}${encodePath(f.file)}${lines}`)})`;
}

function ruleLink(rule: string, ctx: ReporterContext): string {
  const url = ctx.ruleDocUrl?.(rule);
  return url ? `[${escapeMarkdown(rule)}](${escapeUrl(url)})` : `\`${rule}\``;
}

function headline(result: LintResult): string {
  const counts = countBySeverity(result.findings);
  const total = counts.error + counts.warning + counts.note;
  const { filesScanned, codeFiles, templates, resources } = result.stats;
  const scanned = `${plural(filesScanned, 'file')} scanned (${plural(codeFiles, 'code file')}, ${plural(templates, 'template')}, ${plural(resources, 'resource')})`;
  const lines = [
    total === 0
      ? `✅ **No problems found** in ${scanned}.`
      : `${counts.error > 0 ? '❌' : '⚠️'} **${plural(total, 'problem')}** (${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${plural(counts.note, 'note')}) in ${scanned}.`,
  ];
  const suppressed = result.suppressed ?? [];
  if (suppressed.length > 0) {
    const inSource = suppressed.filter((f) => f.suppression?.kind === 'inSource').length;
    const parts = [inSource ? `${inSource} in source` : '', suppressed.length - inSource ? `${suppressed.length - inSource} by the baseline` : ''];
    lines.push(`${plural(suppressed.length, 'finding')} suppressed (${parts.filter(Boolean).join(', ')}).`);
  }
  const stale = result.baseline?.stale.length ?? 0;
  if (stale > 0) {
    lines.push(`The baseline \`${result.baseline!.file.replace(/`/g, '')}\` has ${stale} stale ${stale === 1 ? 'entry' : 'entries'}: run \`rel4lint --update-baseline\` to drop them.`);
  }
  return lines.join('\n\n');
}

function scorecardTable(result: LintResult): string[] {
  const out = ['| Best practice | Status | Rules | Checked | Findings |', '|---|---|---:|---|---|'];
  for (const row of buildScorecard(result)) {
    out.push(
      `| [${row.bestPractice} ${escapeMarkdown(row.title)}](${escapeUrl(row.url)}) | ${STATUS[row.status]} | ${row.rules.length} | ${describeChecked(row)} | ${describeFindings(row.findings)} |`,
    );
  }
  return out;
}

function groupTitle(id: BestPracticeId | undefined): string {
  if (id === undefined) return 'About the scan';
  const bp = BEST_PRACTICES[id];
  return bp ? `[${id} ${escapeMarkdown(bp.title)}](${escapeUrl(bp.url)})` : id;
}

export function markdown(result: LintResult, ctx: ReporterContext): string {
  const findings = reportedFindings(result, ctx);
  const out = ['# rel4lint report', '', headline(result), '', '## REL 4 scorecard', '', ...scorecardTable(result)];
  if (findings.length > 0) {
    out.push('', '## Findings');
    const order: (BestPracticeId | undefined)[] = [...SCORECARD_BEST_PRACTICES];
    const groups = new Map<BestPracticeId | undefined, Finding[]>();
    for (const f of findings) {
      const key = f.bestPractices[0];
      if (!order.includes(key)) order.push(key);
      const list = groups.get(key);
      if (list) list.push(f);
      else groups.set(key, [f]);
    }
    // best practices in scorecard order, then the others by id, then findings about the scan
    const sortedOrder = [
      ...SCORECARD_BEST_PRACTICES,
      ...order.filter((k): k is BestPracticeId => k !== undefined && !SCORECARD_BEST_PRACTICES.includes(k)).sort(),
      undefined,
    ];
    let listed = 0;
    for (const key of sortedOrder) {
      const list = groups.get(key);
      if (!list || listed >= MAX_FINDINGS) continue;
      const counts = countBySeverity(list);
      out.push('', `### ${groupTitle(key)}`, '', `${describeFindings(counts)}`, '', '| Severity | Location | Rule | Message |', '|---|---|---|---|');
      for (const f of list) {
        if (listed >= MAX_FINDINGS) break;
        out.push(`| ${SEVERITY[f.severity]} | ${location(f, ctx)} | ${ruleLink(f.rule, ctx)} | ${escapeMarkdown(f.message)} |`);
        listed++;
      }
    }
    if (findings.length > listed) out.push('', `… and ${findings.length - listed} more: see the full report (\`--format sarif\` or \`--format json\`).`);
  }
  if (ctx.quiet && findings.length < result.findings.length) out.push('', `Warnings and notes are not listed (\`--quiet\`).`);
  return `${out.join('\n')}\n`;
}
