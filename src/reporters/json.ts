/**
 * Machine-readable report, versioned. Shape (version 1):
 *
 * ```
 * { "version": 1,
 *   "tool": { "name": "rel4lint", "version": "x.y.z" },
 *   "findings": [ { rule, bestPractices, severity, message, help, file, range, logicalLocation,
 *                   fingerprint, related, suggestions? } ],
 *   "suppressed": [ { ...finding, suppression: { kind: "inSource" | "external", justification } } ],
 *   "baseline"?: { file, matched, stale: [ { rule, file, logicalLocation, occurrence } ] },
 *   "summary": { errors, warnings, notes, suppressed, filesScanned, codeFiles, dataFiles, templates, resources,
 *                filesByRole: { service, test, frontend, script, generated, infrastructure }, rules },
 *   "scorecard": [ { bestPractice, title, url, rules, checked, findings, status } ],
 *   "graph"?: { nodes: [ { id, kind, label, unit? } ], edges: [ { from, to, sync, label, via, file, line } ],
 *               units?: [ { id, kind, label } ] } }
 * ```
 *
 * `graph` is the service interaction graph of the scan (see `src/context/`): functions, queues,
 * topics, buses, state machines, APIs and external HTTP hosts, with synchronous edges marked, and
 * the deployment units (SAM apps, Serverless services, CDK apps, Terraform modules, stacks; `id` is
 * the unit's folder) its nodes belong to.
 *
 * `filesByRole` counts the code files and templates of the scan by role (service, test, frontend,
 * script, generated, infrastructure: see "File roles" in README.md); a rule only reports files of
 * the roles it covers.
 *
 * Paths are relative to the working directory (POSIX separators); there are no timestamps or
 * absolute paths, so the same input gives the same bytes. Under `--quiet` the findings list holds
 * errors only while summary and scorecard still count everything. Suppressed findings (by a comment,
 * a resource's Metadata or the baseline) are listed apart and counted nowhere else.
 */
import type { Finding, LintResult } from '../ground/types.js';
import { countBySeverity, reportedFindings, reportedSuppressed, type ReporterContext } from './findings.js';
import { buildScorecard } from './scorecard.js';

export const JSON_REPORT_VERSION = 1;

function findingToJson(f: Finding): Record<string, unknown> {
  return {
    rule: f.rule,
    bestPractices: f.bestPractices,
    severity: f.severity,
    message: f.message,
    help: f.help,
    file: f.file,
    range: {
      start: { line: f.range.start.line, column: f.range.start.column },
      end: { line: f.range.end.line, column: f.range.end.column },
    },
    logicalLocation: f.logicalLocation,
    fingerprint: f.fingerprint,
    related: f.related.map((r) => ({
      file: r.file,
      range: {
        start: { line: r.range.start.line, column: r.range.start.column },
        end: { line: r.range.end.line, column: r.range.end.column },
      },
      message: r.message,
    })),
    ...(f.suggestions && f.suggestions.length > 0
      ? {
          suggestions: f.suggestions.map((s) => ({
            description: s.description,
            edits: s.edits.map((e) => ({ start: e.start, end: e.end, text: e.text })),
          })),
        }
      : {}),
    ...(f.suppression ? { suppression: { kind: f.suppression.kind, justification: f.suppression.justification } } : {}),
  };
}

export function json(result: LintResult, ctx: ReporterContext): string {
  const counts = countBySeverity(result.findings);
  const report = {
    version: JSON_REPORT_VERSION,
    tool: { name: 'rel4lint', version: ctx.toolVersion },
    findings: reportedFindings(result, ctx).map(findingToJson),
    suppressed: reportedSuppressed(result, ctx).map(findingToJson),
    ...(result.baseline
      ? { baseline: { file: result.baseline.file, matched: result.baseline.matched, stale: result.baseline.stale.map((e) => ({ ...e })) } }
      : {}),
    summary: {
      errors: counts.error,
      warnings: counts.warning,
      notes: counts.note,
      suppressed: (result.suppressed ?? []).length,
      filesScanned: result.stats.filesScanned,
      codeFiles: result.stats.codeFiles,
      ...(result.stats.dataFiles !== undefined ? { dataFiles: result.stats.dataFiles } : {}),
      templates: result.stats.templates,
      resources: result.stats.resources,
      filesByRole: { ...result.stats.filesByRole },
      rules: result.rules.map((r) => r.meta.name).sort(),
    },
    scorecard: buildScorecard(result),
    ...(result.graph ? { graph: result.graph } : {}),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}
