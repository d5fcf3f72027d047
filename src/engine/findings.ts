/** Findings as the engine records them, their order and their fingerprints. */
import { createHash } from 'node:crypto';
import type { Finding } from '../ground/types.js';
import type { PathSegment } from '../iac/model.js';
import { SEVERITY_ORDER } from '../ground/types.js';

/** A raw finding as the engine records it, before suppressions, sorting and fingerprints. */
export type PendingFinding = Omit<Finding, 'fingerprint'>;

/** Where a finding is and what it says: the parts that do not come from the rule's metadata. */
export type FindingPlace = Pick<Finding, 'message' | 'file' | 'range' | 'offsets' | 'logicalLocation' | 'related' | 'suggestions'>;

/** The logical path; `?` marks a path that does not exist (the finding is about a missing property). */
export function iacLogicalLocation(p: readonly PathSegment[], exact: boolean): string {
  return p.map(String).join('.') + (exact ? '' : '?');
}

export function compareFindings(a: PendingFinding, b: PendingFinding): number {
  return (
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.range.start.line - b.range.start.line ||
    a.range.start.column - b.range.start.column ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) ||
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}

/** Adds fingerprints: hash of rule, file, logical location and the occurrence index among equals. */
export function fingerprint(sorted: PendingFinding[]): Finding[] {
  const seen = new Map<string, number>();
  return sorted.map((f) => {
    const key = `${f.rule}\u0000${f.file}\u0000${f.logicalLocation}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    const hash = createHash('sha256').update(`${key}\u0000${n}`).digest('hex').slice(0, 32);
    return { ...f, fingerprint: hash };
  });
}

/** Names of the other resources a merged finding lists. */
const OTHER_NAMES_SHOWN = 3;

/**
 * The message of one finding standing for the same mistake in several resources that one line of
 * CDK app code makes (a construct class instantiated more than once, a loop): the other resources
 * are named after it.
 */
export function withOtherResources(message: string, names: readonly string[]): string {
  if (names.length === 0) return message;
  const shown = names.slice(0, OTHER_NAMES_SHOWN).map((n) => `\`${n}\``).join(', ');
  const more = names.length > OTHER_NAMES_SHOWN ? `, and ${names.length - OTHER_NAMES_SHOWN} more` : '';
  return `${message} (also for ${names.length} more resource${names.length === 1 ? '' : 's'} this line makes: ${shown}${more})`;
}
