/**
 * The baseline (`rel4lint-baseline.json`): the findings a project has accepted for now, so that a
 * CI gate fails only on new ones.
 *
 * ```
 * { "version": 1,
 *   "entries": [ { "rule", "file", "logicalLocation", "occurrence" } ] }
 * ```
 *
 * - One entry per finding, keyed by rule, file and logical location (a resource path, or the
 *   enclosing function and the normalised text of the call) plus the occurrence index among
 *   findings with the same key. No line numbers: adding lines above a baselined finding does not
 *   make it new.
 * - Entries are sorted and the file is written with a trailing newline: the same findings give the
 *   same bytes, so the file diffs well in review.
 * - `parse-error` findings are never baselined: a file that cannot be parsed is not checked.
 * - Applying a baseline moves the matching findings to the suppressed ones (`external`, justified
 *   by the baseline) and lists the entries that matched nothing (stale: fixed or moved away).
 */
import { ConfigError } from '../ground/errors.js';
import { FileAccessError, readRegularText, STATE_MAX_BYTES, writeFileAtomic } from '../ground/file-access.js';
import type { Finding, LintResult, StaleBaselineEntry } from '../ground/types.js';
import { PARSE_ERROR } from '../ground/types.js';

export const DEFAULT_BASELINE_FILE = 'rel4lint-baseline.json';
export const BASELINE_VERSION = 1;

export type BaselineEntry = StaleBaselineEntry;

interface Keyed {
  rule: string;
  file: string;
  logicalLocation: string;
}

function keyOf(f: Keyed): string {
  return `${f.rule}\u0000${f.file}\u0000${f.logicalLocation}`;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareEntries(a: BaselineEntry, b: BaselineEntry): number {
  return compareStrings(a.file, b.file) || compareStrings(a.rule, b.rule) || compareStrings(a.logicalLocation, b.logicalLocation) || a.occurrence - b.occurrence;
}

/** Each finding with its occurrence index among findings of the same key (in report order). */
function withOccurrences<F extends Keyed>(findings: readonly F[]): { finding: F; entry: BaselineEntry }[] {
  const seen = new Map<string, number>();
  return findings.map((finding) => {
    const key = keyOf(finding);
    const occurrence = seen.get(key) ?? 0;
    seen.set(key, occurrence + 1);
    return { finding, entry: { rule: finding.rule, file: finding.file, logicalLocation: finding.logicalLocation, occurrence } };
  });
}

/** The baseline file's text for a result's active findings. */
export function baselineText(findings: readonly Finding[]): string {
  const entries = withOccurrences(findings.filter((f) => f.rule !== PARSE_ERROR))
    .map((x) => x.entry)
    .sort(compareEntries);
  return `${JSON.stringify({ version: BASELINE_VERSION, entries }, null, 2)}\n`;
}

/**
 * Writes the baseline: to a temporary file renamed over the old one (a killed run leaves the old
 * baseline whole), never through a symbolic link, and inside `within` (the working directory)
 * never into a directory that links out of it.
 */
export async function writeBaseline(file: string, findings: readonly Finding[], display = file, within?: string): Promise<void> {
  try {
    await writeFileAtomic(file, baselineText(findings), { within });
  } catch (error) {
    if (error instanceof FileAccessError) throw new ConfigError(`cannot write the baseline: ${display} ${error.reason}`);
    throw new ConfigError(`cannot write baseline ${display} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/**
 * Reads a baseline file: a regular file of at most STATE_MAX_BYTES; inside `within`, a symbolic
 * link must point inside it. Throws ConfigError naming the file when it is missing, refused or
 * malformed.
 */
export function readBaseline(file: string, display = file, within?: string): BaselineEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(readRegularText(file, { maxBytes: STATE_MAX_BYTES, within }));
  } catch (error) {
    if (error instanceof FileAccessError) {
      throw new ConfigError(
        error.problem === 'missing' && error.reason === 'does not exist'
          ? `baseline ${display} does not exist (create it with --update-baseline)`
          : `baseline ${display} ${error.reason}`,
      );
    }
    throw new ConfigError(`baseline ${display} cannot be read (${(error as Error).message})`);
  }
  const entries = (data as { entries?: unknown } | null)?.entries;
  if ((data as { version?: unknown } | null)?.version !== BASELINE_VERSION || !Array.isArray(entries)) {
    throw new ConfigError(`baseline ${display} is not a version ${BASELINE_VERSION} rel4lint baseline (expected { "version": 1, "entries": [...] })`);
  }
  return entries.map((e: unknown, i) => {
    const o = e as Partial<BaselineEntry> | null;
    if (
      !o ||
      typeof o.rule !== 'string' ||
      typeof o.file !== 'string' ||
      typeof o.logicalLocation !== 'string' ||
      !Number.isInteger(o.occurrence)
    ) {
      throw new ConfigError(`baseline ${display}: entries[${i}] must have rule, file, logicalLocation and occurrence`);
    }
    return { rule: o.rule, file: o.file, logicalLocation: o.logicalLocation, occurrence: o.occurrence! };
  });
}

/** Moves the baselined findings of a result to `suppressed` and records the stale entries. */
export function applyBaseline(result: LintResult, entries: readonly BaselineEntry[], display: string): LintResult {
  const wanted = new Set(entries.map((e) => `${keyOf(e)}\u0000${e.occurrence}`));
  const matchedKeys = new Set<string>();
  const active: Finding[] = [];
  const baselined: Finding[] = [];
  for (const { finding, entry } of withOccurrences(result.findings)) {
    const key = `${keyOf(entry)}\u0000${entry.occurrence}`;
    if (finding.rule !== PARSE_ERROR && wanted.has(key)) {
      matchedKeys.add(key);
      baselined.push({ ...finding, suppression: { kind: 'external', justification: `accepted in the baseline ${display}` } });
    } else {
      active.push(finding);
    }
  }
  const stale = entries.filter((e) => !matchedKeys.has(`${keyOf(e)}\u0000${e.occurrence}`)).sort(compareEntries);
  const suppressed = [...(result.suppressed ?? []), ...baselined];
  return { ...result, findings: active, suppressed, baseline: { file: display, matched: baselined.length, stale } };
}
