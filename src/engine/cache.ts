/**
 * `--cache`: results of code files reused across runs when nothing they depend on changed.
 *
 * - One JSON file. By default it is kept outside the scanned tree, in the user's cache directory
 *   (`$XDG_CACHE_HOME/rel4lint/`, else `~/.cache/rel4lint/`; `~/Library/Caches/rel4lint/` on
 *   macOS, `%LOCALAPPDATA%\rel4lint\` on Windows), one file per working directory named by a hash
 *   of its real path: a cache committed to the repository is never read unless `--cache-location`
 *   names it. Its key is a hash of the tool version, the resolved rules (names, severities,
 *   options) and the engine settings; with a different key the whole cache is ignored and
 *   rewritten.
 * - Per file: a SHA-1 of the file's bytes and the raw findings the engine recorded for it (before
 *   suppressions, which are recomputed from the text on every run, as are fingerprints).
 * - Handler files a template links (see `src/context/project.ts`) are never cached: their findings
 *   depend on the templates (the execution context, the resources behind environment variables)
 *   and their calls feed the project model, so they are analysed on every run.
 * - Code files whose analysis read other project files (helpers a handler calls, see
 *   `src/engine/modules.ts`) are not cached either: their findings depend on those files too.
 * - Only code files are cached: a code rule's findings depend on the file alone. IaC rules look
 *   across templates (a failure sink declared in one template changes a finding in another), so
 *   templates are always loaded and checked again; they are few and fast next to code.
 * - A warm run still walks the tree and reads and hashes every file; it parses nothing unchanged.
 * - Entries of files not seen in a run are dropped when the cache is written, so the file does not
 *   grow with deleted files. A cache that cannot be read is ignored, and so is each malformed
 *   entry (the file is analysed again); a cache that is not a regular file, is a symbolic link
 *   out of the working directory or is over STATE_MAX_BYTES is ignored with a warning. One that
 *   cannot be written is a warning, never a failure. The file is written to a temporary file and
 *   renamed, never through a symbolic link.
 * - Whoever can write the cache can hide findings from the next run with a forged entry: a CI job
 *   must not restore a cache saved by a branch it does not trust (see docs/ci.md).
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { FileResultCache } from './results.js';
import type { PendingFinding } from './findings.js';
import type { ResolvedRule } from '../ground/types.js';
import { userCacheDirectory } from '../ground/code-cache.js';
import { FileAccessError, readRegularText, realDirectory, STATE_MAX_BYTES, writeFileAtomic } from '../ground/file-access.js';

const CACHE_FORMAT = 3;

/** The default cache file of a working directory: `<user cache directory>/rel4lint/<hash of its real path>.json`. */
export function defaultCacheLocation(cwd: string, env: Record<string, string | undefined>): string | undefined {
  const dir = userCacheDirectory(env);
  if (dir === undefined) return undefined;
  const id = createHash('sha256').update(realDirectory(cwd)).digest('hex').slice(0, 16);
  return path.join(dir, 'rel4lint', `${id}.json`);
}

/** A finding as the engine records it, checked field by field: a cache is data from outside. */
function isPendingFinding(f: unknown): f is PendingFinding {
  if (typeof f !== 'object' || f === null) return false;
  const o = f as Record<string, unknown>;
  const isPosition = (p: unknown): boolean =>
    typeof p === 'object' && p !== null && Number.isInteger((p as Record<string, unknown>)['line']) && Number.isInteger((p as Record<string, unknown>)['column']);
  const isRange = (r: unknown): boolean => typeof r === 'object' && r !== null && isPosition((r as Record<string, unknown>)['start']) && isPosition((r as Record<string, unknown>)['end']);
  const offsets = o['offsets'] as Record<string, unknown> | null | undefined;
  return (
    typeof o['rule'] === 'string' &&
    (o['severity'] === 'error' || o['severity'] === 'warning' || o['severity'] === 'note') &&
    typeof o['message'] === 'string' &&
    typeof o['file'] === 'string' &&
    typeof o['logicalLocation'] === 'string' &&
    (o['help'] === undefined || typeof o['help'] === 'string') &&
    Array.isArray(o['bestPractices']) &&
    o['bestPractices'].every((b) => typeof b === 'string') &&
    isRange(o['range']) &&
    typeof offsets === 'object' &&
    offsets !== null &&
    Number.isInteger(offsets['start']) &&
    Number.isInteger(offsets['end']) &&
    Array.isArray(o['related']) &&
    o['related'].every((r: unknown) => typeof r === 'object' && r !== null && typeof (r as Record<string, unknown>)['file'] === 'string' && typeof (r as Record<string, unknown>)['message'] === 'string' && isRange((r as Record<string, unknown>)['range'])) &&
    (o['suggestions'] === undefined || (Array.isArray(o['suggestions']) && o['suggestions'].every(isSuggestion)))
  );
}

function isSuggestion(s: unknown): boolean {
  if (typeof s !== 'object' || s === null) return false;
  const o = s as Record<string, unknown>;
  return (
    typeof o['description'] === 'string' &&
    Array.isArray(o['edits']) &&
    o['edits'].every((e: unknown) => {
      const edit = e as Record<string, unknown> | null;
      return typeof edit === 'object' && edit !== null && typeof edit['text'] === 'string' && Number.isInteger(edit['start']) && Number.isInteger(edit['end']);
    })
  );
}

function isEntry(entry: unknown): entry is CacheData['files'][string] {
  if (typeof entry !== 'object' || entry === null) return false;
  const e = entry as Record<string, unknown>;
  return typeof e['hash'] === 'string' && Array.isArray(e['findings']) && e['findings'].every(isPendingFinding);
}

interface CacheData {
  format: number;
  key: string;
  /** Per file: its content hash, its findings, and the hashes of the project files its analysis read. */
  files: Record<string, { hash: string; findings: PendingFinding[]; dependencies?: Record<string, string> }>;
}

/** The parts of resolved rules that findings depend on. */
export function ruleKey(rules: readonly ResolvedRule[]): unknown[] {
  return rules.map((r) => ({ name: r.meta.name, severity: r.severity, overridden: r.severityOverridden, options: r.options, roles: r.roles }));
}

/** Hash of everything besides a file's content that its findings depend on. */
export function cacheKey(toolVersion: string, rules: readonly ResolvedRule[], settings: Record<string, unknown>): string {
  const config = ruleKey(rules);
  return createHash('sha1').update(JSON.stringify({ format: CACHE_FORMAT, toolVersion, config, settings })).digest('hex');
}

export class ResultCache implements FileResultCache {
  private previous: CacheData['files'];
  private readonly next: CacheData['files'] = {};
  hits = 0;
  misses = 0;

  private constructor(
    readonly file: string,
    private key: string | undefined,
    previous: CacheData['files'],
    /** The file's name in messages. */
    private readonly display: string,
  ) {
    this.previous = previous;
  }

  /** Why the cache file was not used, when it exists but was refused (a warning for the user). */
  problem?: string;

  /**
   * Opens the cache file; a missing, unreadable or differently keyed cache starts empty, and a
   * malformed entry is a miss. See `read`.
   */
  static open(file: string, key: string, within?: string, display = file): ResultCache {
    const cache = ResultCache.read(file, within, display);
    cache.useKey(key);
    return cache;
  }

  /**
   * Reads the cache file before its key is known (`isEmpty` then tells whether there are entries
   * at all); `useKey` drops them unless they were stored under that key. Inside `within` (the
   * working directory), a symbolic link must point inside it. `display` names the file in
   * messages.
   */
  static read(file: string, within?: string, display = file): ResultCache {
    let files: CacheData['files'] = {};
    let key: string | undefined;
    let problem: string | undefined;
    try {
      const data = JSON.parse(readRegularText(file, { maxBytes: STATE_MAX_BYTES, within })) as Partial<CacheData> | null;
      if (data && data.format === CACHE_FORMAT && typeof data.key === 'string' && data.files && typeof data.files === 'object' && !Array.isArray(data.files)) {
        files = data.files;
        key = data.key;
      }
    } catch (error) {
      // no cache yet, or not one we can use; refused files are worth saying
      if (error instanceof FileAccessError && error.problem !== 'missing' && error.problem !== 'unreadable') problem = `cache ${display} ${error.reason}; it was not used`;
    }
    const cache = new ResultCache(file, key, files, display);
    cache.problem = problem;
    return cache;
  }

  /** The key of this run: entries stored under another one are dropped. */
  useKey(key: string): void {
    if (key !== this.key) this.previous = {};
    this.key = key;
  }

  get(file: string, hash: string, hashOf: (dependency: string) => string | undefined): PendingFinding[] | undefined {
    const entry: unknown = Object.hasOwn(this.previous, file) ? this.previous[file] : undefined;
    if (isEntry(entry) && entry.hash === hash && findingsInPlace(file, entry) && dependenciesMatch(entry.dependencies, hashOf)) {
      this.hits++;
      this.next[file] = entry;
      return entry.findings;
    }
    this.misses++;
    return undefined;
  }

  set(file: string, hash: string, findings: PendingFinding[], dependencies?: Record<string, string>): void {
    this.next[file] = dependencies && Object.keys(dependencies).length > 0 ? { hash, findings, dependencies } : { hash, findings };
  }

  isEmpty(): boolean {
    for (const _ in this.previous) return false;
    return true;
  }

  /** Writes the entries of this run. Returns an error message instead of throwing. */
  async save(within?: string): Promise<string | undefined> {
    const data: CacheData = { format: CACHE_FORMAT, key: this.key ?? '', files: this.next };
    try {
      await writeFileAtomic(this.file, JSON.stringify(data), { within });
      return undefined;
    } catch (error) {
      if (error instanceof FileAccessError) return `cannot write the cache: ${this.display} ${error.reason}`;
      return `cannot write cache ${this.display} (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
    }
  }
}

/** True when every file an entry's analysis read still has the content it had (a malformed record never matches). */
function dependenciesMatch(dependencies: unknown, hashOf: (dependency: string) => string | undefined): boolean {
  if (dependencies === undefined) return true;
  if (typeof dependencies !== 'object' || dependencies === null) return false;
  for (const [file, hash] of Object.entries(dependencies)) {
    if (typeof hash !== 'string' || hashOf(file) !== hash) return false;
  }
  return true;
}

/**
 * True when an entry's findings lie in its file or in files its analysis read: a code frame is
 * read from a finding's file, so a forged entry must not name any other.
 */
function findingsInPlace(file: string, entry: CacheData['files'][string]): boolean {
  const dependencies: unknown = entry.dependencies;
  const read = typeof dependencies === 'object' && dependencies !== null ? dependencies : {};
  return entry.findings.every((f) => f.file === file || Object.hasOwn(read, f.file));
}
