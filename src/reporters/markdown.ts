/**
 * Markdown for a CI job summary (`$GITHUB_STEP_SUMMARY`) or a pull-request comment:
 *
 * 1. a headline with the counts;
 * 2. the REL 4 scorecard, one row per best practice;
 * 3. the findings by best practice: a finding is listed under every REL 4 best practice the
 *    scorecard counts it for (so each failing row of the scorecard has its findings below it); a
 *    finding of no REL 4 best practice under its own (REL05-...); then the findings about the scan
 *    itself (parse errors, invalid suppressions). Each row has severity, `file:line` (a link when
 *    the context gives a source link base), the rule linked to its documentation, and the message.
 *
 * Rule ids, paths and the `quoted` identifiers of messages render as code; everything else from
 * the scanned code is escaped (no HTML, no links, no emphasis). The output is deterministic.
 *
 * Size: GitHub caps a step's job summary at 1 MiB. Each section lists at most
 * `MAX_FINDINGS_PER_SECTION` findings and says how many more there are, so that no best practice
 * disappears behind another one's findings; a message is cut at `MAX_MESSAGE_CHARS`; and should
 * the report still exceed `SUMMARY_BUDGET_BYTES`, the per-section cap is halved until it fits.
 */
import { BEST_PRACTICES, SCORECARD_BEST_PRACTICES } from '../ground/best-practices.js';
import type { BestPracticeId, Finding, LintResult, Severity } from '../ground/types.js';
import { countBySeverity, reportedFindings, type ReporterContext } from './findings.js';
import { sanitize } from './codeframe.js';
import { buildScorecard, describeChecked, describeFindings, plural, type ScorecardStatus } from './scorecard.js';

export const MAX_FINDINGS_PER_SECTION = 100;
export const MAX_MESSAGE_CHARS = 1000;
/** Below GitHub's 1 MiB per step, with room for other steps' lines. */
export const SUMMARY_BUDGET_BYTES = 1_000_000;

const STATUS: Record<ScorecardStatus, string> = { fail: '❌ fail', warn: '⚠️ warn', pass: '✅ pass', 'not checked': '➖ not checked' };
const SEVERITY: Record<Severity, string> = { error: '🔴 error', warning: '🟡 warning', note: '🔵 note' };

/** Text safe in Markdown and in a table cell: no HTML, no emphasis, no links, one line. */
export function escapeMarkdown(text: string): string {
  return sanitize(text.replace(/\s*(?:\r\n|\r|\n)\s*/g, ' '))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_{}[\]()#+!|~]/g, '\\$&');
}

/**
 * Inline code: the shortest backtick fence the text does not contain, padded when the text starts
 * or ends with a backtick. In a table cell `|` is escaped (GFM reads `\|` inside code spans too).
 */
export function codeSpan(text: string, inTable = true): string {
  let body = sanitize(text.replace(/\s*(?:\r\n|\r|\n)\s*/g, ' '));
  if (inTable) body = body.replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = body.startsWith('`') || body.endsWith('`') || (body.startsWith(' ') && body.endsWith(' ') && body.trim() !== '') ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

/** A message: `quoted` parts as code spans, the rest escaped; cut at MAX_MESSAGE_CHARS. */
export function messageMarkdown(message: string): string {
  const text = message.length > MAX_MESSAGE_CHARS ? `${message.slice(0, MAX_MESSAGE_CHARS - 1)}…` : message;
  const parts = text.split('`');
  // an unmatched backtick stays text
  const closed = parts.length % 2 === 1 ? parts.length : parts.length - 1;
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (i % 2 === 1 && i < closed && part.trim() !== '') out += codeSpan(part);
    else out += escapeMarkdown(i % 2 === 1 ? `\`${part}${i < closed ? '`' : ''}` : part);
  }
  return out;
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
  const label = codeSpan(`${f.file}:${f.range.start.line}:${f.range.start.column}`);
  if (ctx.sourceLinkBase === undefined) return label;
  const base = ctx.sourceLinkBase.endsWith('/') ? ctx.sourceLinkBase : `${ctx.sourceLinkBase}/`;
  const lines = f.range.end.line > f.range.start.line ? `#L${f.range.start.line}-L${f.range.end.line}` : `#L${f.range.start.line}`;
  return `[${label}](${escapeUrl(`${base}${encodePath(f.file)}${lines}`)})`;
}

function ruleLink(rule: string, ctx: ReporterContext): string {
  const url = ctx.ruleDocUrl?.(rule);
  return url ? `[${codeSpan(rule)}](${escapeUrl(url)})` : codeSpan(rule);
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

/** The sections of the findings list, in order, each with its findings (sorted). */
function sections(findings: Finding[]): { key: BestPracticeId | undefined; findings: Finding[] }[] {
  const groups = new Map<BestPracticeId | undefined, Finding[]>();
  const add = (key: BestPracticeId | undefined, f: Finding): void => {
    const list = groups.get(key);
    if (list) list.push(f);
    else groups.set(key, [f]);
  };
  for (const f of findings) {
    const counted = f.bestPractices.filter((id) => SCORECARD_BEST_PRACTICES.includes(id));
    if (counted.length > 0) for (const id of counted) add(id, f);
    else add(f.bestPractices[0], f);
  }
  // best practices in scorecard order, then the others by id, then findings about the scan
  const others = [...groups.keys()].filter((k): k is BestPracticeId => k !== undefined && !SCORECARD_BEST_PRACTICES.includes(k)).sort();
  return [...SCORECARD_BEST_PRACTICES, ...others, undefined].flatMap((key) => {
    const list = groups.get(key);
    return list ? [{ key, findings: list }] : [];
  });
}

function render(result: LintResult, ctx: ReporterContext, perSection: number): string {
  const findings = reportedFindings(result, ctx);
  const out = ['# rel4lint report', '', headline(result), '', '## REL 4 scorecard', '', ...scorecardTable(result)];
  if (findings.length > 0) {
    out.push('', '## Findings');
    for (const { key, findings: list } of sections(findings)) {
      out.push('', `### ${groupTitle(key)}`, '', describeFindings(countBySeverity(list)), '', '| Severity | Location | Rule | Message |', '|---|---|---|---|');
      for (const f of list.slice(0, perSection)) {
        out.push(`| ${SEVERITY[f.severity]} | ${location(f, ctx)} | ${ruleLink(f.rule, ctx)} | ${messageMarkdown(f.message)} |`);
      }
      if (list.length > perSection) {
        out.push('', `… and ${list.length - perSection} more under this best practice: see the full report (\`--format sarif\` or \`--format json\`).`);
      }
    }
  }
  if (ctx.quiet && findings.length < result.findings.length) out.push('', `Warnings and notes are not listed (\`--quiet\`).`);
  return `${out.join('\n')}\n`;
}

export function markdown(result: LintResult, ctx: ReporterContext): string {
  let perSection = MAX_FINDINGS_PER_SECTION;
  let text = render(result, ctx, perSection);
  while (Buffer.byteLength(text) > SUMMARY_BUDGET_BYTES && perSection > 1) {
    perSection = Math.floor(perSection / 2);
    text = render(result, ctx, perSection);
  }
  return text;
}
