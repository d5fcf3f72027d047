/**
 * `--cache`: results of code files reused across runs when nothing they depend on changed.
 *
 * - One JSON file (default `.rel4lint-cache` in the working directory). Its key is a hash of the
 *   tool version, the resolved rules (names, severities, options) and the engine settings; with a
 *   different key the whole cache is ignored and rewritten.
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
 *   grow with deleted files. A cache that cannot be read is ignored; one that cannot be written
 *   is a warning, never a failure.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FileResultCache } from './results.js';
import type { PendingFinding } from './findings.js';
import type { ResolvedRule } from '../ground/types.js';

export const DEFAULT_CACHE_LOCATION = '.rel4lint-cache';
const CACHE_FORMAT = 3;

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
  ) {
    this.previous = previous;
  }

  /** Opens the cache file; a missing, unreadable or differently keyed cache starts empty. */
  static open(file: string, key: string): ResultCache {
    const cache = ResultCache.read(file);
    cache.useKey(key);
    return cache;
  }

  /**
   * Reads the cache file before its key is known (`isEmpty` then tells whether there are entries
   * at all); `useKey` drops them unless they were stored under that key.
   */
  static read(file: string): ResultCache {
    let files: CacheData['files'] = {};
    let key: string | undefined;
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<CacheData>;
      if (data.format === CACHE_FORMAT && typeof data.key === 'string' && data.files && typeof data.files === 'object') {
        files = data.files;
        key = data.key;
      }
    } catch {
      // no cache yet, or not one we can use
    }
    return new ResultCache(file, key, files);
  }

  /** The key of this run: entries stored under another one are dropped. */
  useKey(key: string): void {
    if (key !== this.key) this.previous = {};
    this.key = key;
  }

  get(file: string, hash: string, hashOf: (dependency: string) => string | undefined): PendingFinding[] | undefined {
    const entry = Object.hasOwn(this.previous, file) ? this.previous[file] : undefined;
    if (entry && entry.hash === hash && Array.isArray(entry.findings) && dependenciesMatch(entry.dependencies, hashOf)) {
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
  async save(): Promise<string | undefined> {
    const data: CacheData = { format: CACHE_FORMAT, key: this.key ?? '', files: this.next };
    try {
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      await fs.writeFile(tmp, JSON.stringify(data));
      await fs.rename(tmp, this.file);
      return undefined;
    } catch (error) {
      return `cannot write cache ${this.file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
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
