/**
 * GitLab Code Quality report (`artifacts:reports:codequality`): a JSON array with one issue per
 * finding, holding the fields GitLab reads:
 *
 * ```
 * [ { "description": "...", "check_name": "no-sync-lambda-invoke", "fingerprint": "3f2a...",
 *     "severity": "major", "location": { "path": "src/orders.ts", "lines": { "begin": 6 } } } ]
 * ```
 *
 * - `severity` in GitLab's words: error → `major`, warning → `minor`, note → `info`. `critical` and
 *   `blocker` are left to security and build tooling, so that a design-level finding does not
 *   outrank them in the merge request widget.
 * - `fingerprint` is the engine's fingerprint (the one SARIF writes as `partialFingerprints`): a
 *   hash of rule, file, logical location and occurrence, unchanged when unrelated lines move, and
 *   unique per finding (GitLab shows one issue per fingerprint).
 * - `location.path` is relative to the directory rel4lint ran from: run it from the repository root.
 * - Suppressed findings are not written (the widget compares issues between branches; a suppressed
 *   finding is not an issue). SARIF and JSON list them.
 *
 * Deterministic: sorted findings, no timestamps.
 */
import type { LintResult, Severity } from '../ground/types.js';
import { reportedFindings, type ReporterContext } from './findings.js';

export type CodeQualitySeverity = 'info' | 'minor' | 'major' | 'critical' | 'blocker';

export const CODE_QUALITY_SEVERITY: Record<Severity, CodeQualitySeverity> = { error: 'major', warning: 'minor', note: 'info' };

export function gitlab(result: LintResult, ctx: ReporterContext): string {
  const issues = reportedFindings(result, ctx).map((f) => ({
    description: f.message,
    check_name: f.rule,
    fingerprint: f.fingerprint,
    severity: CODE_QUALITY_SEVERITY[f.severity],
    location: { path: f.file, lines: { begin: Math.max(1, f.range.start.line) } },
  }));
  return `${JSON.stringify(issues, null, 2)}\n`;
}
