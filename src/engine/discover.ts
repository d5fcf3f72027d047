/**
 * File discovery: turns the paths given on the command line into the sorted list of files the
 * engine scans.
 *
 * Rules:
 * - A directory is walked recursively. Directories named `node_modules` or `.git` are skipped,
 *   and so is whatever the `.gitignore` files exclude (git semantics: each file applies to its own
 *   directory and below, a deeper file overrides a shallower one, negations work) and whatever
 *   the `ignore` option (gitignore-style globs relative to `cwd`) excludes. Nothing else is
 *   skipped by name: an un-ignored `cdk.out` is scanned.
 * - `.gitignore` files are read from the enclosing git work tree's root (the nearest ancestor
 *   with a `.git` entry) down, as git does; outside a work tree, from `cwd` down (or from the
 *   scanned directory itself when it lies outside `cwd`).
 * - A path named explicitly is always scanned, as in ESLint: an explicitly named file is scanned
 *   even if ignored (as long as it is of a supported type), and an explicitly named directory is
 *   walked even if it, or a directory above it, is ignored. Inside such a directory the rules
 *   still apply to every descendant by its own path: `node_modules` and `.git` are skipped,
 *   `.gitignore` files inside it apply, and patterns from above still exclude what they match
 *   themselves (such as `*.log`), but the pattern that excluded the named directory
 *   no longer takes its whole content with it. So `rel4lint cdk.out` scans a git-ignored
 *   `cdk.out`.
 * - Symbolic links: a link to a file or directory inside the scanned root is followed (the
 *   scanned tree is walked first, so a file reachable both directly and through a link is
 *   reported once, under its real path); a link that points outside the scanned root is not
 *   followed (a scan must not read files outside the tree it was pointed at: a link to a secret
 *   would otherwise end up in a code frame), and neither is a link to one of its own ancestors
 *   (a loop). Each directory is walked at most once (tracked by real path). Broken links, links
 *   leaving the root, loops, unreadable directories and special files (FIFOs, sockets) are
 *   reported in `skipped` with a reason; they never stop the scan.
 * - A `.gitignore` is read only when it is a regular file of at most 1 MiB; one that is a
 *   symbolic link is not followed (git does not follow it either). One that is not read is
 *   reported in `skipped`, and its patterns are not applied.
 * - A path given explicitly that does not exist is a usage error.
 *
 * Returned paths are absolute (resolved against `cwd`, not real paths), sorted by code unit,
 * without duplicates.
 */
import type { Dirent, Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { ignoreFactory } from '../ground/packages.js';
import { UsageError } from '../ground/errors.js';
import { CODE_EXTENSIONS, TEMPLATE_EXTENSIONS } from '../ground/files.js';
import { FileAccessError, readRegularText, SETTINGS_MAX_BYTES } from '../ground/file-access.js';

type Ignore = ReturnType<ReturnType<typeof ignoreFactory>>;

export interface DiscoverOptions {
  /** Extra gitignore-style patterns, relative to `cwd`. */
  ignore?: string[];
  /**
   * The configuration files' `ignore` patterns that apply to a directory's entries, each with the
   * directory it is relative to (the same objects for the same files: they are compiled once).
   * `seed` is told the names in each directory walked.
   */
  configIgnore?: {
    at(dir: string): readonly IgnorePatterns[];
    seed?(dir: string, names: readonly string[]): void;
  };
  /** Called once when this many files have been found (lets the caller prepare for a large scan). */
  onManyFiles?: { count: number; call: () => void };
}

export interface IgnorePatterns {
  dir: string;
  patterns: readonly string[];
}

export interface SkippedPath {
  /** Absolute path. */
  file: string;
  reason: string;
}

export interface DiscoveryResult {
  /** Absolute paths, sorted, deduplicated. */
  files: string[];
  skipped: SkippedPath[];
}


/** Directories never entered during a walk (an explicitly named one is still scanned). */
const ALWAYS_SKIPPED_DIRS = new Set(['node_modules', '.git']);

const DECLARATION_FILE = /\.d\.[cm]?ts$/i;

/** True when a file name has an extension the engine can analyse. TypeScript declaration files are excluded. */
export function isCandidateFile(name: string): boolean {
  const ext = path.extname(name).toLowerCase();
  if (CODE_EXTENSIONS.includes(ext)) return !DECLARATION_FILE.test(name);
  return TEMPLATE_EXTENSIONS.includes(ext);
}

/** Rules of one `.gitignore` (or of the `ignore` option), with the directory they are relative to. */
interface Layer {
  dir: string;
  patterns: readonly string[];
  ig: Ignore;
}

interface DirTask {
  /** Absolute path as walked (may go through a followed link). */
  dir: string;
  /** Real path of `dir`. */
  real: string;
  /** Real path of the explicitly named root this directory belongs to. */
  rootReal: string;
  /** `.gitignore` layers that apply to `dir`'s entries, shallowest first. */
  layers: Layer[];
  /** The `ignore` option, as a layer at `cwd`, and the configuration files' patterns that apply here. */
  config: Layer[];
  /** The explicitly named directory this one was reached from, when a pattern above it excluded it. */
  lift?: string;
  /** Reached through a followed symbolic link. */
  viaLink: boolean;
}

interface DeferredLink {
  task: DirTask;
  /** Real path of the directory that contains the link. */
  parentReal: string;
}

interface FoundFile {
  file: string;
  viaLink: boolean;
}

// Git is case-sensitive unless the file system is not (core.ignorecase).
const IGNORE_CASE = process.platform === 'darwin' || process.platform === 'win32';

function makeIgnore(patterns: readonly string[]): Ignore {
  return ignoreFactory()({ ignoreCase: IGNORE_CASE }).add(patterns);
}

function toPosix(p: string): string {
  return path.sep === '/' ? p : p.split(path.sep).join('/');
}

function relativePosix(from: string, to: string): string {
  return toPosix(path.relative(from, to));
}

function isInside(parent: string, child: string): boolean {
  if (child === parent) return true;
  const prefix = parent.endsWith(path.sep) ? parent : parent + path.sep;
  return child.startsWith(prefix);
}

/** A relative path the `ignore` package accepts (non-empty, not leaving its directory). */
function isTestable(rel: string): boolean {
  return rel !== '' && rel !== '..' && !rel.startsWith('../') && !path.isAbsolute(rel);
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}

/** Escapes a literal path segment list for use in a gitignore pattern. */
function escapePattern(rel: string): string {
  return rel.replace(/[\\*?[\]]/g, (c) => `\\${c}`).replace(/ $/, '\\ ');
}

/**
 * A copy of `layer` in which `target` and every directory between the layer's directory and
 * `target` are re-included. The appended negations are anchored and match those directories
 * only, so the layer's other patterns still decide for everything below `target` by its own path.
 */
function liftLayer(layer: Layer, target: string): Layer {
  const segments = relativePosix(layer.dir, target).split('/');
  const negations: string[] = [];
  for (let i = 1; i <= segments.length; i++) {
    const prefix = escapePattern(segments.slice(0, i).join('/'));
    negations.push(`!/${prefix}`, `!/${prefix}/`);
  }
  const patterns = [...layer.patterns, ...negations];
  return { dir: layer.dir, patterns, ig: makeIgnore(patterns) };
}

function testLayer(layer: Layer, entry: string, isDir: boolean): { ignored: boolean; unignored: boolean } {
  const rel = relativePosix(layer.dir, entry);
  if (!isTestable(rel)) return { ignored: false, unignored: false };
  return layer.ig.test(isDir ? `${rel}/` : rel);
}

interface Decision {
  ignored: boolean;
  /** Layers to use below this directory (lifted when a deeper layer re-included it). */
  layers: Layer[];
}

/**
 * Whether `entry` is excluded. The deepest `.gitignore` with an opinion decides (git's
 * precedence); the `ignore` option excludes on top of that.
 */
function decide(entry: string, isDir: boolean, layers: Layer[], config: readonly Layer[]): Decision {
  let ignored = false;
  let decidedAt = -1;
  for (let i = layers.length - 1; i >= 0; i--) {
    const result = testLayer(layers[i]!, entry, isDir);
    if (result.ignored || result.unignored) {
      ignored = result.ignored;
      decidedAt = i;
      break;
    }
  }
  if (!ignored && config.some((layer) => testLayer(layer, entry, isDir).ignored)) ignored = true;
  if (ignored || !isDir || decidedAt <= 0) return { ignored, layers };
  // A deeper .gitignore re-included a directory that a shallower one excludes: lift the shallower
  // ones for this subtree, or their exclusion would still reach every descendant through it.
  return { ignored, layers: liftWhereIgnored(layers, entry, decidedAt) };
}

function liftWhereIgnored(layers: Layer[], target: string, upTo = layers.length): Layer[] {
  let out = layers;
  for (let i = 0; i < upTo; i++) {
    if (testLayer(layers[i]!, target, true).ignored) {
      if (out === layers) out = [...layers];
      out[i] = liftLayer(layers[i]!, target);
    }
  }
  return out;
}

class Discovery {
  private readonly found = new Map<string, FoundFile>();
  private readonly skipped = new Map<string, SkippedPath>();
  private readonly visited = new Set<string>();
  private deferred: DeferredLink[] = [];
  private readonly workTreeRoots = new Map<string, string | null>();
  private readonly config: Layer | undefined;
  /** Compiled configuration patterns, and their copies lifted for an explicitly named directory. */
  private readonly compiled = new WeakMap<IgnorePatterns, Layer>();
  private readonly lifted = new Map<Layer, Map<string, Layer>>();

  constructor(
    private readonly cwd: string,
    ignorePatterns: string[],
    private readonly onManyFiles?: DiscoverOptions['onManyFiles'],
    private readonly configIgnore?: DiscoverOptions['configIgnore'],
  ) {
    const patterns = ignorePatterns.filter((p) => p.trim() !== '');
    this.config = patterns.length > 0 ? { dir: cwd, patterns, ig: makeIgnore(patterns) } : undefined;
  }

  /**
   * The `ignore` option's layer and the configuration layers of a directory; with `lift`, each
   * layer that excludes that explicitly named directory is lifted for it.
   */
  private configLayers(dir: string, lift: string | undefined): Layer[] {
    const layers: Layer[] = this.config ? [this.config] : [];
    for (const source of this.configIgnore?.at(dir) ?? []) {
      let layer = this.compiled.get(source);
      if (!layer) {
        const patterns = source.patterns.filter((p) => p.trim() !== '');
        layer = { dir: source.dir, patterns, ig: makeIgnore(patterns) };
        this.compiled.set(source, layer);
      }
      layers.push(layer);
    }
    if (lift === undefined) return layers;
    return layers.map((layer) => {
      if (!testLayer(layer, lift, true).ignored) return layer;
      let byRoot = this.lifted.get(layer);
      if (!byRoot) this.lifted.set(layer, (byRoot = new Map()));
      let copy = byRoot.get(lift);
      if (!copy) byRoot.set(lift, (copy = liftLayer(layer, lift)));
      return copy;
    });
  }

  skip(file: string, reason: string): void {
    const key = `${file}\0${reason}`;
    if (!this.skipped.has(key)) this.skipped.set(key, { file, reason });
  }

  addFile(file: string, real: string, viaLink: boolean): void {
    if (this.onManyFiles && this.found.size + 1 === this.onManyFiles.count) this.onManyFiles.call();
    const previous = this.found.get(real);
    if (
      !previous ||
      (previous.viaLink && !viaLink) ||
      (previous.viaLink === viaLink && file < previous.file)
    ) {
      this.found.set(real, { file, viaLink });
    }
  }

  result(): DiscoveryResult {
    const files = [...new Set([...this.found.values()].map((f) => f.file))].sort(compare);
    const skipped = [...this.skipped.values()].sort((a, b) => compare(a.file, b.file) || compare(a.reason, b.reason));
    return { files, skipped };
  }

  async addRoot(arg: string): Promise<void> {
    const abs = path.resolve(this.cwd, arg);
    let stats: Stats;
    try {
      stats = await fs.stat(abs);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        const dangling = await fs.lstat(abs).then(
          (s) => s.isSymbolicLink(),
          () => false,
        );
        throw new UsageError(dangling ? `${arg}: broken symbolic link` : `${arg}: no such file or directory`);
      }
      if (code === 'ELOOP') throw new UsageError(`${arg}: symbolic link loop`);
      this.skip(abs, `cannot access (${code})`);
      return;
    }
    let real: string;
    try {
      real = await fs.realpath(abs);
    } catch (error) {
      this.skip(abs, `cannot resolve (${errorCode(error)})`);
      return;
    }
    if (stats.isFile()) {
      if (isCandidateFile(abs)) this.addFile(abs, real, false);
      else this.skip(abs, 'not a supported file type');
      return;
    }
    if (!stats.isDirectory()) {
      this.skip(abs, 'not a regular file or directory');
      return;
    }
    // An explicitly named directory is scanned even when ignored: lift the rules that exclude it.
    let layers = await this.layersAbove(abs);
    layers = liftWhereIgnored(layers, abs);
    await this.walk({ dir: abs, real, rootReal: real, layers, config: [], lift: abs, viaLink: false });
  }

  /** Followed links to directories, after every root's own tree (so real paths win). */
  async drainLinks(): Promise<void> {
    while (this.deferred.length > 0) {
      const batch = this.deferred.sort((a, b) => compare(a.task.dir, b.task.dir));
      this.deferred = [];
      for (const { task, parentReal } of batch) {
        if (!isInside(task.rootReal, task.real)) {
          this.skip(task.dir, 'symbolic link to a directory outside the scanned root');
        } else if (isInside(task.real, parentReal)) {
          this.skip(task.dir, 'symbolic link loop (points to an enclosing directory)');
        } else if (!this.visited.has(task.real)) {
          await this.walk(task);
        }
      }
    }
  }

  /** `.gitignore` layers from the work tree root (or the scan base) down to `dir`'s parent. */
  private async layersAbove(dir: string): Promise<Layer[]> {
    const base = (await this.workTreeRoot(dir)) ?? (isInside(this.cwd, dir) ? this.cwd : dir);
    const chain: string[] = [];
    for (let d = path.dirname(dir); isInside(base, d); d = path.dirname(d)) {
      chain.push(d);
      if (d === base || d === path.dirname(d)) break;
    }
    chain.reverse();
    const layers: Layer[] = [];
    for (const d of chain) {
      const layer = await this.loadGitignore(d, true);
      if (layer) layers.push(layer);
    }
    return layers;
  }

  private async workTreeRoot(dir: string): Promise<string | null> {
    const cached = this.workTreeRoots.get(dir);
    if (cached !== undefined) return cached;
    let found: string | null = null;
    for (let d = dir; ; d = path.dirname(d)) {
      const exists = await fs.lstat(path.join(d, '.git')).then(
        () => true,
        () => false,
      );
      if (exists) {
        found = d;
        break;
      }
      if (d === path.dirname(d)) break;
    }
    this.workTreeRoots.set(dir, found);
    return found;
  }

  private async loadGitignore(dir: string, quietIfMissing: boolean): Promise<Layer | undefined> {
    const file = path.join(dir, '.gitignore');
    let text: string;
    try {
      // a regular file of a bounded size; a symbolic link is not followed, as git does not
      text = readRegularText(file, { maxBytes: SETTINGS_MAX_BYTES, noFollow: true });
    } catch (error) {
      if (!(error instanceof FileAccessError)) throw error;
      const quiet = quietIfMissing && (error.problem === 'missing' || (error.problem === 'special' && error.reason.startsWith('is a directory')));
      if (!quiet) this.skip(file, `${error.reason.replace(/^is /, '')}; its patterns were not applied`);
      return undefined;
    }
    const patterns = text.split(/\r?\n/);
    return { dir, patterns, ig: makeIgnore(patterns) };
  }

  private async walk(start: DirTask): Promise<void> {
    const stack: DirTask[] = [start];
    while (stack.length > 0) {
      const task = stack.pop()!;
      if (this.visited.has(task.real)) continue;
      this.visited.add(task.real);
      let entries: Dirent[];
      try {
        entries = await fs.readdir(task.dir, { withFileTypes: true });
      } catch (error) {
        this.skip(task.dir, `cannot read directory (${errorCode(error)})`);
        continue;
      }
      this.configIgnore?.seed?.(task.dir, entries.map((e) => e.name));
      const config = this.configLayers(task.dir, task.lift);
      let layers = task.layers;
      if (entries.some((e) => e.name === '.gitignore' && !e.isDirectory())) {
        const layer = await this.loadGitignore(task.dir, false);
        if (layer) layers = [...layers, layer];
      }
      entries.sort((a, b) => compare(a.name, b.name));
      const subdirs: DirTask[] = [];
      for (const entry of entries) {
        const full = path.join(task.dir, entry.name);
        const real = path.join(task.real, entry.name);
        if (entry.isDirectory()) {
          if (ALWAYS_SKIPPED_DIRS.has(entry.name)) continue;
          const decision = decide(full, true, layers, config);
          if (!decision.ignored) subdirs.push({ ...task, dir: full, real, layers: decision.layers });
        } else if (entry.isFile()) {
          if (isCandidateFile(entry.name) && !decide(full, false, layers, config).ignored) {
            this.addFile(full, real, task.viaLink);
          }
        } else if (entry.isSymbolicLink()) {
          await this.visitLink({ ...task, config }, full, layers);
        } else if (isCandidateFile(entry.name) && !decide(full, false, layers, config).ignored) {
          this.skip(full, 'not a regular file');
        }
      }
      for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]!);
    }
  }

  private async visitLink(task: DirTask, full: string, layers: Layer[]): Promise<void> {
    let stats: Stats;
    try {
      stats = await fs.stat(full);
    } catch (error) {
      if (decide(full, false, layers, task.config).ignored) return;
      const code = errorCode(error);
      this.skip(
        full,
        code === 'ENOENT' || code === 'ENOTDIR'
          ? 'broken symbolic link'
          : code === 'ELOOP'
            ? 'symbolic link loop'
            : `cannot follow symbolic link (${code})`,
      );
      return;
    }
    const name = path.basename(full);
    if (stats.isDirectory()) {
      if (ALWAYS_SKIPPED_DIRS.has(name)) return;
      const decision = decide(full, true, layers, task.config);
      if (decision.ignored) return;
      const real = await this.realpath(full);
      if (real === undefined) return;
      this.deferred.push({
        task: { ...task, dir: full, real, layers: decision.layers, viaLink: true },
        parentReal: task.real,
      });
      return;
    }
    if (!isCandidateFile(name) || decide(full, false, layers, task.config).ignored) return;
    if (!stats.isFile()) {
      this.skip(full, 'not a regular file');
      return;
    }
    const real = await this.realpath(full);
    if (real === undefined) return;
    if (!isInside(task.rootReal, real)) {
      this.skip(full, 'symbolic link to a file outside the scanned root');
      return;
    }
    this.addFile(full, real, true);
  }

  private async realpath(full: string): Promise<string | undefined> {
    try {
      return await fs.realpath(full);
    } catch (error) {
      this.skip(full, `cannot resolve symbolic link (${errorCode(error)})`);
      return undefined;
    }
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The files to scan under `paths` (default: `cwd`). Throws `UsageError` when a named path does
 * not exist; every other problem is reported in `skipped`.
 */
export async function discoverFiles(cwd: string, paths: string[], opts: DiscoverOptions = {}): Promise<DiscoveryResult> {
  const root = path.resolve(cwd);
  const discovery = new Discovery(root, opts.ignore ?? [], opts.onManyFiles, opts.configIgnore);
  for (const arg of paths.length > 0 ? paths : ['.']) await discovery.addRoot(arg);
  await discovery.drainLinks();
  return discovery.result();
}
