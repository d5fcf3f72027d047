/**
 * SARIF 2.1.0, one run, ready for GitHub code scanning without post-processing.
 *
 * - `tool.driver.rules` lists every enabled rule (sorted by id), plus, should a finding carry a
 *   rule id that is not enabled, a minimal descriptor for it so that every `ruleIndex` resolves.
 * - `defaultConfiguration.level` is the rule's own default severity; when this run configured a
 *   rule differently, `invocations[0].ruleConfigurationOverrides` says so. Each result carries its
 *   own `level` anyway.
 * - `properties.precision` is `high` for rules in the recommended preset and `medium` for rules
 *   only in the strict preset (the heuristics that need a human look more often).
 * - `properties.roles` lists the file roles the rule reports by default (service, test, frontend,
 *   script, generated, infrastructure: see "File roles" in README.md).
 * - Locations are repository-relative, percent-encoded POSIX URIs under the `%SRCROOT%` base.
 *   Columns are 1-based UTF-16 code units (`columnKind`), as JavaScript strings count them.
 * - `partialFingerprints['rel4lint/v1']` is the engine's line-independent fingerprint.
 * - Suppressed findings are results too, with `suppressions: [{ kind, justification }]`:
 *   `inSource` for comments and resource Metadata, `external` for the baseline.
 * - `automationDetails.id` is set from `--automation-id`, so that runs (code, IaC) can be uploaded
 *   side by side.
 *
 * Deterministic: no timestamps, no absolute paths, sorted rules and results.
 */
import { BEST_PRACTICES } from '../ground/best-practices.js';
import type { BestPracticeId, Finding, LintResult, Range, ResolvedRule, RuleMeta, Severity } from '../ground/types.js';
import { compareFindings, reportedFindings, reportedSuppressed, type ReporterContext } from './findings.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
export const TOOL_INFORMATION_URI = 'https://github.com/rel4lint/rel4lint';
export const FINGERPRINT_KEY = 'rel4lint/v1';
export const SRCROOT = '%SRCROOT%';

type Json = Record<string, unknown>;

/** `no-sync-lambda-invoke` → `NoSyncLambdaInvoke`. */
export function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

/** A relative POSIX path as a relative URI reference: each segment percent-encoded. */
export function toUri(file: string): string {
  return file
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

function sarifLevel(severity: Severity): 'error' | 'warning' | 'note' {
  return severity;
}

/** GitHub code scanning's severity vocabulary for non-security alerts. */
function problemSeverity(severity: Severity): 'error' | 'warning' | 'recommendation' {
  return severity === 'note' ? 'recommendation' : severity;
}

function sentence(text: string): string {
  const t = text.trim();
  return t === '' || /[.!?]$/.test(t) ? t : `${t}.`;
}

function bestPracticeLinks(ids: BestPracticeId[]): string[] {
  return ids.map((id) => {
    const bp = BEST_PRACTICES[id];
    return bp ? `- [${id} ${bp.title}](${bp.url})` : `- ${id}`;
  });
}

function ruleDescriptor(meta: RuleMeta, docUrl: string | undefined): Json {
  const markdown = [sentence(meta.help)];
  if (docUrl) markdown.push(`See the [rule documentation](${docUrl}).`);
  if (meta.bestPractices.length > 0) markdown.push(`AWS Well-Architected best practices:\n\n${bestPracticeLinks(meta.bestPractices).join('\n')}`);
  return {
    id: meta.name,
    name: pascalCase(meta.name),
    shortDescription: { text: sentence(meta.description) },
    fullDescription: { text: `${sentence(meta.description)} ${sentence(meta.help)}`.trim() },
    help: { text: sentence(meta.help), markdown: markdown.join('\n\n') },
    ...(docUrl ? { helpUri: docUrl } : {}),
    defaultConfiguration: { level: sarifLevel(meta.severity) },
    properties: {
      tags: ['reliability', ...meta.bestPractices],
      precision: meta.presets.includes('recommended') ? 'high' : 'medium',
      'problem.severity': problemSeverity(meta.severity),
      roles: meta.roles,
    },
  };
}

/** Descriptor for a finding whose rule is not among the enabled rules (should not happen). */
function fallbackDescriptor(finding: Finding): Json {
  return {
    id: finding.rule,
    name: pascalCase(finding.rule),
    shortDescription: { text: finding.rule },
    properties: { tags: ['reliability', ...finding.bestPractices] },
  };
}

function region(range: Range): Json {
  return {
    startLine: Math.max(1, range.start.line),
    startColumn: Math.max(1, range.start.column),
    endLine: Math.max(1, range.end.line),
    endColumn: Math.max(1, range.end.column),
  };
}

function physicalLocation(file: string, range: Range): Json {
  return {
    artifactLocation: { uri: toUri(file), uriBaseId: SRCROOT },
    region: region(range),
  };
}

export function sarif(result: LintResult, ctx: ReporterContext): string {
  const enabled: ResolvedRule[] = [...result.rules].sort((a, b) => compare(a.meta.name, b.meta.name));
  const findings = [...reportedFindings(result, ctx), ...reportedSuppressed(result, ctx)].sort(compareFindings);

  const descriptors: Json[] = enabled.map((r) => ruleDescriptor(r.meta, ctx.ruleDocUrl?.(r.meta.name)));
  const index = new Map<string, number>(enabled.map((r, i) => [r.meta.name, i]));
  const unknown = [...new Set(findings.map((f) => f.rule).filter((id) => !index.has(id)))].sort(compare);
  for (const id of unknown) {
    index.set(id, descriptors.length);
    descriptors.push(fallbackDescriptor(findings.find((f) => f.rule === id)!));
  }

  const overrides = enabled.flatMap((r, i) =>
    r.severity === r.meta.severity
      ? []
      : [{ configuration: { level: sarifLevel(r.severity) }, descriptor: { id: r.meta.name, index: i } }],
  );

  const results = findings.map((f) => ({
    ruleId: f.rule,
    ruleIndex: index.get(f.rule)!,
    level: sarifLevel(f.severity),
    message: { text: f.message },
    locations: [{ physicalLocation: physicalLocation(f.file, f.range) }],
    ...(f.related.length > 0
      ? {
          relatedLocations: f.related.map((r, i) => ({
            id: i + 1,
            physicalLocation: physicalLocation(r.file, r.range),
            message: { text: r.message },
          })),
        }
      : {}),
    partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
    ...(f.suppression ? { suppressions: [{ kind: f.suppression.kind, justification: f.suppression.justification }] } : {}),
    properties: { bestPractices: f.bestPractices },
  }));

  const log = {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'rel4lint',
            version: ctx.toolVersion,
            semanticVersion: ctx.toolVersion,
            informationUri: TOOL_INFORMATION_URI,
            rules: descriptors,
          },
        },
        ...(ctx.automationId !== undefined ? { automationDetails: { id: ctx.automationId } } : {}),
        invocations: [
          {
            executionSuccessful: true,
            ...(overrides.length > 0 ? { ruleConfigurationOverrides: overrides } : {}),
          },
        ],
        // The base is declared without its absolute `uri`: the directory the scan ran in is
        // machine-specific (it would make the log differ between two checkouts of the same commit
        // and leak local paths into uploaded artifacts), and consumers such as GitHub code
        // scanning resolve `%SRCROOT%` to their own checkout. SARIF allows a top-level base
        // without `uri`; the consumer then supplies it.
        originalUriBaseIds: {
          [SRCROOT]: { description: { text: 'The directory rel4lint was run from (the repository root in CI).' } },
        },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
