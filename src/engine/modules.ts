/**
 * The engine's `ModuleHost`: resolves module specifiers to project files and gives their parsed
 * facts, so that code rules can follow helpers into other modules (see `src/code/modules.ts`).
 *
 * Resolution, from the importing file:
 * - relative and absolute paths, with the extensions TypeScript and Node try (a `.js` specifier
 *   also names the `.ts` source next to it), and `index` files of folders;
 * - package.json `imports` (`#lib/*`) of the nearest package.json;
 * - `compilerOptions.paths` and `baseUrl` of the nearest tsconfig.json / jsconfig.json (with
 *   `extends` of a relative file);
 * - packages of the same repository: workspaces (npm/yarn `workspaces`, pnpm-workspace.yaml,
 *   lerna.json `packages`), `file:` dependencies (also a bare `../path`, and `link:`) and `workspace:`
 *   dependencies (pnpm, Yarn, Rush: the one package of the repository with that name), to their source entry (`exports`, `source`,
 *   `module`, `main`, else `src/index` or `index`), installed or not; a subpath (`pkg/pollers`) through
 *   the package's `exports` map, exact or a `*` pattern (`"./*": "./src/*.ts"`), else as a path;
 * - packages a Lambda layer provides: a bare specifier that no package.json on the way up lists
 *   as a dependency, and that names a package of the repository (a package.json with that `name`)
 *   or a folder of that name inside a layer's folder (a folder whose name contains `layer`),
 *   the only one of its kind. At run time Node.js finds these in `/opt/nodejs/node_modules`, where
 *   the layer's build puts them;
 * - Lambda layer paths (`/opt/lib/x.js`, `/opt/nodejs/x`, `/opt/nodejs/node_modules/pkg`): a
 *   layer's content is mounted under /opt, so the file is the one of the project whose path ends
 *   with the part after /opt, in a folder near the importing file (see `layerFile`); only a
 *   unique match is followed, and the machine's own /opt is never read. A relative path that
 *   names no project file and climbs out of the deployed function to /opt
 *   (`../../../../opt/lib/x.js`, see `climbToOpt`) is such a path too.
 * Files under `node_modules` (other than linked workspace packages and a layer's own
 * `nodejs/node_modules` packages that its package.json does not install) are never read.
 *
 * Files are read with the scan's size limit and text normalisation, parsed without executing
 * anything, and kept in a bounded cache for the scan (one host per engine, so one per thread).
 */
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { jsoncParser, yamlLibrary } from '../ground/packages.js';
import type { FileFacts, ModuleHost } from '../code/file-facts.js';
import { FileAnalysis } from '../code/analysis.js';
import { parseCode } from '../code/parse.js';
import type { ts } from '../code/ts.js';
import { isProjectSpecifier } from '../code/modules.js';
import { DEFAULT_MAX_FILE_BYTES, normaliseText } from './read.js';
import { readRegularFile, readRegularText } from '../ground/file-access.js';
import { tooLargeForHeap } from './memory.js';

/** Parsed files kept per host: enough for the helpers of a large service, bounded for a monorepo. */
const MAX_CACHED_FILES = 512;
/** Parses of linted files kept for a later import of them, at most. */
const MAX_KEPT_PARSES = 128;
/** Folders above the importing file searched for a layer's content, and how deep below each. */
const LAYER_LEVELS_UP = 5;
const LAYER_DEPTH = 3;
/** Folders listed per searched folder, at most (a monorepo root stays bounded). */
const LAYER_MAX_DIRS = 3000;
/** Files of a folder a module loads whole (a middleware or model folder), at most. */
const MAX_FOLDER_MODULES = 64;
/** The machine's own layer folder, never a project's. */
const OPT = path.resolve('/opt');
/** Build output and deployment copies: a layer's content appears there again. */
const LAYER_SKIPPED = new Set(['node_modules', 'cdk.out', 'coverage', 'dist', 'build', 'out']);
const EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
const JS_TO_TS: Record<string, string[]> = { '.js': ['.ts', '.tsx'], '.jsx': ['.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] };
/** TypeScript sources, which a build compiles to its output folder. */
const TS_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts'];

interface PackageJson {
  name?: string;
  main?: string;
  module?: string;
  source?: string;
  types?: string;
  exports?: unknown;
  imports?: Record<string, unknown>;
  workspaces?: string[] | { packages?: string[] };
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** Where the packages of a repository are: package.json names and folders inside layer folders, each with every folder that has it. */
interface RepositoryPackages {
  byName: Map<string, string[]>;
  layerFolders: Map<string, string[]>;
}

/** Folders looked at when indexing a repository's packages: enough for a large monorepo, bounded for anything larger. */
const MAX_INDEXED_FOLDERS = 20_000;
const SKIPPED_FOLDERS = new Set(['node_modules', 'cdk.out', 'coverage', '.aws-sam', '.serverless', '.terraform']);

interface TsPaths {
  base: string;
  paths: Record<string, string[]>;
  baseUrl?: string;
}

/** A module host that tells which project files it read (see `FsModuleHost.takeTouched`). */
export interface ModuleHostWithReads extends ModuleHost {
  takeTouched(): string[];
  /**
   * The parse of a file the engine lints: the one made for an import of it when the text is the
   * same, else a new one, kept for a later import of the file when `keep` (see `FsModuleHost`).
   */
  sourceFile(file: string, text: string, keep: boolean): ts.SourceFile;
}

export class FsModuleHost implements ModuleHostWithReads {
  private readonly parsed = new Map<string, FileFacts | undefined>();
  /** Size and modification time of each parsed file, when files may change between uses (an editor session). */
  private readonly stamps = new Map<string, string>();
  private readonly resolved = new Map<string, string | undefined>();
  private readonly isFileCache = new Map<string, boolean>();
  private readonly jsonCache = new Map<string, unknown>();
  private readonly nearestCache = new Map<string, string | undefined>();
  private readonly workspaceCache = new Map<string, Map<string, string> | undefined>();
  private readonly tsconfigCache = new Map<string, TsPaths | undefined>();
  private readonly repositoryCache = new Map<string, RepositoryPackages>();
  /** Folder → its sub-folders (to LAYER_DEPTH) and each folder's entry names, for layer paths. */
  private readonly layerDirs = new Map<string, string[]>();
  private readonly entryCache = new Map<string, Set<string>>();
  /** Project files read for the file being analysed (see `take`). */
  private readonly touched = new Set<string>();
  /** Parses of linted files that an import may reuse (see `sourceFile`), oldest first. */
  private readonly kept = new Map<string, ts.SourceFile>();

  /**
   * `revalidate`: look at each file's size and modification time on every use and read it again
   * when it changed (for a long-lived process such as an editor's ESLint); a scan reads each once.
   */
  constructor(
    private readonly maxFileBytes = DEFAULT_MAX_FILE_BYTES,
    private readonly revalidate = false,
  ) {}

  /** The project files read since the last call: a result that depends on them must not be cached alone. */
  takeTouched(): string[] {
    const out = [...this.touched];
    this.touched.clear();
    return out;
  }

  resolve(specifier: string, fromFile: string): string | undefined {
    if (!isProjectSpecifier(specifier)) return undefined;
    const dir = path.dirname(fromFile);
    const key = `${dir}\0${specifier}`;
    if (this.resolved.has(key)) return this.resolved.get(key);
    let out: string | undefined;
    try {
      out = this.resolveUncached(specifier, dir);
    } catch {
      out = undefined;
    }
    if (out !== undefined && path.resolve(out) === path.resolve(fromFile)) out = undefined;
    this.resolved.set(key, out);
    return out;
  }

  facts(file: string): FileFacts | undefined {
    if (this.revalidate && this.parsed.has(file) && this.stamps.get(file) !== stamp(file)) this.parsed.delete(file);
    if (this.parsed.has(file)) {
      const hit = this.parsed.get(file);
      // most recently used last
      this.parsed.delete(file);
      this.parsed.set(file, hit);
      if (hit) this.touched.add(file);
      return hit;
    }
    let facts: FileFacts | undefined;
    try {
      // a regular file within the size limit (an oversize one throws and has no facts), and one
      // the heap can hold
      const { text } = normaliseText(readRegularFile(file, { maxBytes: this.maxFileBytes }));
      if (text !== undefined && !tooLargeForHeap('code', text)) facts = new FileAnalysis(this.reusedParse(file, text) ?? parseCode(file, text, false), this);
    } catch {
      facts = undefined;
    }
    if (this.parsed.size >= MAX_CACHED_FILES) this.parsed.delete(this.parsed.keys().next().value!);
    this.parsed.set(file, facts);
    if (this.revalidate) this.stamps.set(file, stamp(file));
    if (facts) this.touched.add(file);
    return facts;
  }

  /**
   * A CDK app file is linted on its own and read again by the CDK files that import its classes:
   * both read one parse. The syntax tree is shared, not the analysis, which holds per-file
   * context (a handler's trigger). A parse is reused only for the same text.
   */
  sourceFile(file: string, text: string, keep: boolean): ts.SourceFile {
    const known = this.reusedParse(file, text) ?? this.parsed.get(file)?.sourceFile;
    if (known?.text === text) return known;
    const sf = parseCode(file, text, false);
    if (keep) {
      if (this.kept.size >= MAX_KEPT_PARSES) this.kept.delete(this.kept.keys().next().value!);
      this.kept.set(file, sf);
    }
    return sf;
  }

  /** A kept parse of `file` with this text, handed over once (the host's own analysis holds it from then on). */
  private reusedParse(file: string, text: string): ts.SourceFile | undefined {
    const sf = this.kept.get(file);
    if (!sf) return undefined;
    this.kept.delete(file);
    return sf.text === text ? sf : undefined;
  }

  private resolveUncached(spec: string, dir: string): string | undefined {
    if (spec.startsWith('/opt/nodejs/node_modules/')) {
      // the layer's folder as deployed, else the package a layer's build puts there
      return this.layerFile(spec.slice('/opt/'.length), dir) ?? this.layerPackage(spec.slice('/opt/nodejs/node_modules/'.length), dir);
    }
    if (spec.startsWith('/opt/')) return this.layerFile(spec.slice('/opt/'.length), dir);
    if (spec.startsWith('.') || spec.startsWith('/')) {
      const full = path.resolve(dir, spec);
      const local = full.startsWith(OPT + path.sep) ? undefined : this.file(full);
      if (local) return local;
      const climbed = this.climbToOpt(spec, dir);
      return climbed !== undefined ? this.resolveUncached(`/opt/${climbed}`, dir) : undefined;
    }
    if (spec.startsWith('#')) return this.packageImport(spec, dir);
    const viaPaths = this.tsPaths(spec, dir);
    if (viaPaths) return viaPaths;
    return this.workspacePackage(spec, dir) ?? this.layerPackage(spec, dir);
  }

  private isFile(p: string): boolean {
    let hit = this.isFileCache.get(p);
    if (hit === undefined) {
      try {
        // a missing path (most candidates of a resolution) answers undefined, without an exception to build
        hit = statSync(p, { throwIfNoEntry: false })?.isFile() ?? false;
      } catch {
        hit = false;
      }
      this.isFileCache.set(p, hit);
    }
    return hit;
  }

  /** A code file for a path as written: exact, `.js` → `.ts`, with an extension, or a folder's index. */
  private file(base: string): string | undefined {
    if (base.split(path.sep).includes('node_modules')) return undefined;
    return this.codeFile(base);
  }

  private codeFile(base: string): string | undefined {
    const ext = path.extname(base);
    if (EXTENSIONS.includes(ext)) {
      for (const alt of JS_TO_TS[ext] ?? []) {
        const candidate = base.slice(0, -ext.length) + alt;
        if (this.isFile(candidate)) return candidate;
      }
      if (this.isFile(base) && !/\.d\.[mc]?ts$/.test(base)) return base;
    }
    for (const e of EXTENSIONS) if (this.isFile(base + e)) return base + e;
    for (const e of EXTENSIONS) if (this.isFile(path.join(base, `index${e}`))) return path.join(base, `index${e}`);
    return undefined;
  }

  private json<T>(file: string): T | undefined {
    if (this.jsonCache.has(file)) return this.jsonCache.get(file) as T | undefined;
    let value: unknown;
    try {
      if (this.isFile(file)) value = jsoncParser().parse(readRegularText(file, { maxBytes: this.maxFileBytes }));
    } catch {
      value = undefined;
    }
    if (value === null || typeof value !== 'object') value = undefined;
    this.jsonCache.set(file, value);
    return value as T | undefined;
  }

  /** The nearest `name` file at or above `dir` (not looking into or above a node_modules folder). */
  private nearest(dir: string, name: string): string | undefined {
    const key = `${dir}\0${name}`;
    if (this.nearestCache.has(key)) return this.nearestCache.get(key);
    let found: string | undefined;
    for (let d = dir; ; d = path.dirname(d)) {
      if (path.basename(d) === 'node_modules') break;
      const candidate = path.join(d, name);
      if (this.isFile(candidate)) {
        found = candidate;
        break;
      }
      if (path.dirname(d) === d) break;
    }
    this.nearestCache.set(key, found);
    return found;
  }

  // --- Lambda layer paths

  /**
   * The project file `/opt/<rest>` names: `<root>/<rest>` for a folder `<root>` that holds the
   * layer's content. Searched from the importing file's folder upwards (to the repository root, at
   * most LAYER_LEVELS_UP levels), among the folders up to LAYER_DEPTH below each; the nearest
   * level with a match decides. Of two matches there, the only one in a folder named for a layer
   * (`shared-layer/lib/x.js` beside a function's `api/lib/x.js`) is the layer's; otherwise they are
   * ambiguous (not followed). A folder that holds the importing file is not a layer of it.
   */
  private layerFile(rest: string, dir: string): string | undefined {
    const parts = rest.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.length === 0 || parts.includes('..')) return undefined;
    const first = parts[0];
    const stem = first.replace(/\.[^.]+$/, '');
    if (path.dirname(dir) === dir) return undefined;
    for (let d = dir, level = 0; level <= LAYER_LEVELS_UP; level++) {
      const found = new Map<string, string>();
      for (const root of this.foldersBelow(d)) {
        const names = this.entries(root);
        // cheap test before the file lookups: the root holds the first segment
        if (root === OPT || (!names.has(first) && !EXTENSIONS.some((e) => names.has(stem + e)))) continue;
        // the importing file's own package is deployed as the function's code, not under /opt
        if (dir === root || dir.startsWith(root + path.sep)) continue;
        const file = this.layerCandidate(root, parts);
        if (file) found.set(file, root);
      }
      if (found.size === 1) return [...found.keys()][0];
      if (found.size > 1) {
        const named = [...found].filter(([, root]) => /layer/i.test(path.relative(d, root)));
        return named.length === 1 ? named[0][0] : undefined;
      }
      const up = path.dirname(d);
      // the repository's root is the last folder searched, and the file system's root never is
      if (this.entries(d).has('.git') || path.dirname(up) === up) return undefined;
      d = up;
    }
    return undefined;
  }

  /**
   * The part after /opt of a relative path that climbs out of the deployed function to /opt
   * (`../../../../opt/lib/query.js` from `lib/middleware/x.js`): the function's package is
   * deployed at /var/task, so `..` repeated at least the package depth of the importing folder
   * plus two reaches the file system's root, where `..` stays. Such paths are written so that
   * the same line loads a layer's module in Lambda; locally they name nothing of the project.
   */
  private climbToOpt(spec: string, dir: string): string | undefined {
    const m = /^((?:\.\.\/)+)opt\/(.+)$/.exec(spec);
    if (!m) return undefined;
    const ups = m[1].length / 3;
    const pkg = this.nearest(dir, 'package.json');
    if (!pkg) return undefined;
    const rel = path.relative(path.dirname(pkg), dir);
    const depth = rel === '' ? 0 : rel.split(path.sep).length;
    return ups >= depth + 2 ? m[2] : undefined;
  }

  /** `<root>/<parts>` as a code file; a layer's `nodejs/node_modules/<pkg>` only when the layer does not install that package. */
  private layerCandidate(root: string, parts: string[]): string | undefined {
    const nm = parts.indexOf('node_modules');
    if (nm < 0) return this.file(path.join(root, ...parts));
    if (nm !== 1 || parts[0] !== 'nodejs' || parts.length < 3) return undefined;
    const pkgName = parts[2].startsWith('@') ? parts.slice(2, 4).join('/') : parts[2];
    const layerPkg = this.json<PackageJson>(path.join(root, 'nodejs', 'package.json'));
    if (layerPkg?.dependencies?.[pkgName] !== undefined || layerPkg?.devDependencies?.[pkgName] !== undefined) return undefined;
    const pkgDir = path.join(root, 'nodejs', 'node_modules', ...pkgName.split('/'));
    const sub = parts.slice(2 + pkgName.split('/').length);
    if (sub.length > 0) return this.codeFile(path.join(pkgDir, ...sub));
    const pkg = this.json<PackageJson>(path.join(pkgDir, 'package.json'));
    for (const e of [pkg?.main, 'index']) if (typeof e === 'string') {
      const found = this.codeFile(path.resolve(pkgDir, e));
      if (found) return found;
    }
    return undefined;
  }

  /** `dir` and its sub-folders to LAYER_DEPTH levels, without dot folders, dependencies and build output. */
  private foldersBelow(dir: string): string[] {
    const hit = this.layerDirs.get(dir);
    if (hit) return hit;
    const out = [dir];
    for (let i = 0; i < out.length && out.length < LAYER_MAX_DIRS; i++) {
      const depth = path.relative(dir, out[i]).split(path.sep).filter(Boolean).length;
      if (depth >= LAYER_DEPTH) continue;
      for (const name of this.entries(out[i])) {
        if (name.startsWith('.') || LAYER_SKIPPED.has(name) || out.length >= LAYER_MAX_DIRS) continue;
        const sub = path.join(out[i], name);
        if (this.isDirectory(sub)) out.push(sub);
      }
    }
    this.layerDirs.set(dir, out);
    return out;
  }

  folderModules(dir: string, fromFile: string): string[] | undefined {
    if (!dir.startsWith('.')) return undefined;
    const full = path.resolve(path.dirname(fromFile), dir);
    if (full === OPT || full.startsWith(OPT + path.sep) || full.split(path.sep).includes('node_modules')) return undefined;
    const names = [...this.entries(full)].filter((n) => EXTENSIONS.includes(path.extname(n)) && !/\.d\.[mc]?ts$/.test(n)).sort();
    return names.length > 0 && names.length <= MAX_FOLDER_MODULES ? names : undefined;
  }

  private entries(dir: string): Set<string> {
    let hit = this.entryCache.get(dir);
    if (!hit) {
      try {
        hit = new Set(readdirSync(dir));
      } catch {
        hit = new Set();
      }
      this.entryCache.set(dir, hit);
    }
    return hit;
  }

  private isDirectory(p: string): boolean {
    try {
      return statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
    } catch {
      return false;
    }
  }

  // --- package.json "imports"

  private packageImport(spec: string, dir: string): string | undefined {
    const pkgFile = this.nearest(dir, 'package.json');
    const pkg = pkgFile ? this.json<PackageJson>(pkgFile) : undefined;
    if (!pkgFile || !pkg?.imports) return undefined;
    const target = matchMap(pkg.imports, spec);
    return target === undefined ? undefined : this.file(path.resolve(path.dirname(pkgFile), target));
  }

  // --- tsconfig paths / baseUrl

  private tsPaths(spec: string, dir: string): string | undefined {
    const config = this.nearest(dir, 'tsconfig.json') ?? this.nearest(dir, 'jsconfig.json');
    if (!config) return undefined;
    const paths = this.readTsPaths(config, 0);
    if (!paths) return undefined;
    for (const [pattern, targets] of Object.entries(paths.paths)) {
      const star = pattern.indexOf('*');
      let rest: string | undefined;
      if (star < 0) rest = pattern === spec ? '' : undefined;
      else if (spec.startsWith(pattern.slice(0, star)) && spec.endsWith(pattern.slice(star + 1)) && spec.length >= pattern.length - 1) {
        rest = spec.slice(star, spec.length - (pattern.length - star - 1));
      }
      if (rest === undefined) continue;
      for (const t of targets) {
        const found = this.file(path.resolve(paths.baseUrl ?? paths.base, t.replace('*', rest)));
        if (found) return found;
      }
    }
    if (paths.baseUrl) return this.file(path.resolve(paths.baseUrl, spec));
    return undefined;
  }

  private readTsPaths(config: string, depth: number): TsPaths | undefined {
    if (this.tsconfigCache.has(config)) return this.tsconfigCache.get(config);
    const json = this.json<{ extends?: string | string[]; compilerOptions?: { paths?: Record<string, string[]>; baseUrl?: string } }>(config);
    let out: TsPaths | undefined;
    const base = path.dirname(config);
    const ext = typeof json?.extends === 'string' ? json.extends : undefined;
    if (ext && ext.startsWith('.') && depth < 4) {
      const parentFile = ext.endsWith('.json') ? path.resolve(base, ext) : `${path.resolve(base, ext)}.json`;
      out = this.readTsPaths(parentFile, depth + 1);
    }
    const opts = json?.compilerOptions;
    if (opts?.paths || opts?.baseUrl) {
      const baseUrl = opts.baseUrl !== undefined ? path.resolve(base, opts.baseUrl) : out?.baseUrl;
      out = { base: opts.paths ? base : (out?.base ?? base), paths: opts.paths ?? out?.paths ?? {}, baseUrl };
    }
    this.tsconfigCache.set(config, out);
    return out;
  }

  // --- packages of the same repository

  private workspacePackage(spec: string, dir: string): string | undefined {
    const { name, sub } = packageParts(spec);
    const pkgDir = this.fileDependency(name, dir) ?? this.workspaces(dir)?.get(name) ?? this.workspaceDependency(name, dir) ?? this.linkedPackage(name, dir);
    return pkgDir ? this.packageFile(pkgDir, sub) : undefined;
  }

  /** The file `sub` of a package folder, or its entry point when `sub` is empty. */
  private packageFile(pkgDir: string, sub: string): string | undefined {
    const pkg = this.json<PackageJson>(path.join(pkgDir, 'package.json'));
    if (sub) {
      // a subpath the package's `exports` map names (`"./*": "./src/*.ts"`), else the path itself
      const target = exportsSubpath(pkg?.exports, sub);
      const mapped = target !== undefined ? (this.file(path.resolve(pkgDir, target)) ?? this.builtSource(pkgDir, target)) : undefined;
      return mapped ?? this.sourceOfOutput(pkgDir, sub) ?? this.file(path.join(pkgDir, sub)) ?? this.builtSource(pkgDir, sub);
    }
    const entries: string[] = [];
    const exp = pkg?.exports;
    const dot = typeof exp === 'string' ? exp : exp && typeof exp === 'object' ? conditionTarget((exp as Record<string, unknown>)['.'] ?? exp) : undefined;
    for (const e of [dot, pkg?.source, pkg?.module, pkg?.main, pkg?.types?.replace(/\.d\.([mc]?)ts$/, '.$1ts')]) if (typeof e === 'string') entries.push(e);
    entries.push('src/index', 'index', 'lib/index');
    for (const e of entries) {
      const found = this.sourceOfOutput(pkgDir, e) ?? this.file(path.resolve(pkgDir, e)) ?? this.builtSource(pkgDir, e);
      if (found) return found;
    }
    return undefined;
  }

  /**
   * A package a Lambda layer provides (see the file comment): undeclared by the importing
   * package, and the only package or layer folder of the repository with that name.
   */
  private layerPackage(spec: string, dir: string): string | undefined {
    const { name, sub } = packageParts(spec);
    if (this.declared(name, dir)) return undefined;
    const root = this.repositoryRoot(dir);
    if (!root) return undefined;
    const packages = this.repositoryPackages(root);
    const named = packages.byName.get(name) ?? [];
    if (named.length === 1) return this.packageFile(named[0]!, sub);
    if (named.length > 1 || name.startsWith('@')) return undefined;
    const folders = packages.layerFolders.get(name) ?? [];
    return folders.length === 1 ? this.packageFile(folders[0]!, sub) : undefined;
  }

  /** Whether a package.json at or above `dir` lists `name` as a dependency of any kind. */
  private declared(name: string, dir: string): boolean {
    for (let d = dir; ; d = path.dirname(d)) {
      const pkg = this.json<PackageJson>(path.join(d, 'package.json'));
      if (pkg) for (const deps of [pkg.dependencies, pkg.devDependencies, pkg.peerDependencies, pkg.optionalDependencies]) if (deps && Object.hasOwn(deps, name)) return true;
      if (path.dirname(d) === d || existsSync(path.join(d, '.git'))) return false;
    }
  }

  /** The repository `dir` is in: the nearest folder with `.git` or a Rush `rush.json`, else the highest with a package.json. */
  private repositoryRoot(dir: string): string | undefined {
    let highest: string | undefined;
    for (let d = dir; ; d = path.dirname(d)) {
      if (existsSync(path.join(d, '.git')) || this.isFile(path.join(d, 'rush.json'))) return d;
      if (this.isFile(path.join(d, 'package.json'))) highest = d;
      if (path.dirname(d) === d) return highest;
    }
  }

  /** Package names and layer folders of a repository, indexed once per host. */
  private repositoryPackages(root: string): RepositoryPackages {
    let index = this.repositoryCache.get(root);
    if (index) return index;
    index = { byName: new Map(), layerFolders: new Map() };
    const add = (map: Map<string, string[]>, key: string, folder: string) => {
      const list = map.get(key);
      if (list) list.push(folder);
      else map.set(key, [folder]);
    };
    const queue: { folder: string; inLayer: boolean }[] = [{ folder: root, inLayer: false }];
    for (let i = 0; i < queue.length && i < MAX_INDEXED_FOLDERS; i++) {
      const { folder, inLayer } = queue[i]!;
      let entries;
      try {
        entries = readdirSync(folder, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const entry of entries) {
        if (entry.isFile() && entry.name === 'package.json') {
          const name = this.json<PackageJson>(path.join(folder, entry.name))?.name;
          if (typeof name === 'string' && folder !== root) add(index.byName, name, folder);
        } else if (entry.isDirectory() && !entry.name.startsWith('.') && !SKIPPED_FOLDERS.has(entry.name)) {
          const child = path.join(folder, entry.name);
          if (inLayer) add(index.layerFolders, entry.name, child);
          queue.push({ folder: child, inLayer: inLayer || /layer/i.test(entry.name) });
        }
      }
    }
    this.repositoryCache.set(root, index);
    return index;
  }

  /**
   * The TypeScript source of a file in a package's build output that the repository holds too
   * (`dist/index.js` beside `src/index.ts`, `lib/index.ts` or `index.ts`): the output was compiled
   * from it, and it is what the scan reports on (the output is `generated`).
   */
  private sourceOfOutput(pkgDir: string, entry: string): string | undefined {
    const m = /^(?:\.\/)?(?:dist|build|out)\/(.+?)(?:\.d)?(?:\.[mc]?[jt]s)?$/.exec(entry);
    if (!m) return undefined;
    for (const root of ['src', 'lib', '']) {
      const base = path.resolve(pkgDir, root, m[1]!);
      for (const candidate of [...TS_EXTENSIONS.map((e) => base + e), ...TS_EXTENSIONS.map((e) => path.join(base, `index${e}`))]) {
        if (this.isFile(candidate)) return candidate;
      }
    }
    return undefined;
  }

  /**
   * `dist/index.js` of an unbuilt package: its source under `src/` (a build whose root is `src`),
   * else beside the output folder (`lib/src/client.js` of a build whose root is the package: `src/client.ts`).
   */
  private builtSource(pkgDir: string, entry: string): string | undefined {
    const m = /^(?:\.\/)?(?:dist|build|lib|out)\/(.+?)(?:\.[mc]?js)?$/.exec(entry);
    return m ? (this.file(path.resolve(pkgDir, 'src', m[1])) ?? this.file(path.resolve(pkgDir, m[1]))) : undefined;
  }

  /**
   * `"dep": "file:../common"` in the nearest package.json; also a bare relative path
   * (`"dep": "../common/"`, which npm installs as `file:`) and yarn/pnpm `link:../common`.
   */
  private fileDependency(name: string, dir: string): string | undefined {
    const pkgFile = this.nearest(dir, 'package.json');
    const pkg = pkgFile ? this.json<PackageJson>(pkgFile) : undefined;
    const version = pkg?.dependencies?.[name] ?? pkg?.devDependencies?.[name];
    if (!pkgFile || typeof version !== 'string') return undefined;
    const m = /^(?:file:|link:|(?=\.\.?\/))(.+)$/.exec(version.trim());
    if (!m) return undefined;
    const target = path.resolve(path.dirname(pkgFile), m[1]!);
    return this.isFile(path.join(target, 'package.json')) ? target : undefined;
  }

  /**
   * A dependency declared with the `workspace:` protocol (pnpm, Yarn, Rush): the package of the
   * repository with that name, when there is exactly one.
   */
  private workspaceDependency(name: string, dir: string): string | undefined {
    const pkgFile = this.nearest(dir, 'package.json');
    const pkg = pkgFile ? this.json<PackageJson>(pkgFile) : undefined;
    const version = pkg?.dependencies?.[name] ?? pkg?.devDependencies?.[name] ?? pkg?.peerDependencies?.[name];
    if (typeof version !== 'string' || !version.startsWith('workspace:')) return undefined;
    const root = this.repositoryRoot(dir);
    const named = root ? this.repositoryPackages(root).byName.get(name) : undefined;
    return named?.length === 1 ? named[0] : undefined;
  }

  /** A workspace package linked into node_modules (a symlink that leaves node_modules). */
  private linkedPackage(name: string, dir: string): string | undefined {
    for (let d = dir; ; d = path.dirname(d)) {
      const candidate = path.join(d, 'node_modules', name);
      if (existsSync(candidate)) {
        try {
          const real = realpathSync(candidate);
          return real.split(path.sep).includes('node_modules') ? undefined : real;
        } catch {
          return undefined;
        }
      }
      if (path.dirname(d) === d) return undefined;
    }
  }

  /** Package name → folder, for the workspace the directory is in. */
  private workspaces(dir: string): Map<string, string> | undefined {
    for (let d = dir; ; d = path.dirname(d)) {
      if (this.workspaceCache.has(d)) return this.workspaceCache.get(d);
      const globs = this.workspaceGlobs(d);
      if (globs) {
        const map = new Map<string, string>();
        for (const g of globs) for (const pkgDir of expandGlob(d, g)) {
          const name = this.json<PackageJson>(path.join(pkgDir, 'package.json'))?.name;
          if (typeof name === 'string' && !map.has(name)) map.set(name, pkgDir);
        }
        this.workspaceCache.set(d, map);
        return map;
      }
      if (path.dirname(d) === d) {
        this.workspaceCache.set(d, undefined);
        return undefined;
      }
    }
  }

  private workspaceGlobs(d: string): string[] | undefined {
    const pkg = this.json<PackageJson>(path.join(d, 'package.json'));
    const ws = pkg?.workspaces;
    if (Array.isArray(ws)) return ws.filter((x): x is string => typeof x === 'string');
    if (ws && Array.isArray(ws.packages)) return ws.packages.filter((x): x is string => typeof x === 'string');
    const pnpm = path.join(d, 'pnpm-workspace.yaml');
    if (this.isFile(pnpm)) {
      try {
        const doc = yamlLibrary().parse(readRegularText(pnpm, { maxBytes: this.maxFileBytes })) as { packages?: unknown };
        if (Array.isArray(doc?.packages)) return doc.packages.filter((x): x is string => typeof x === 'string' && !x.startsWith('!'));
      } catch {
        return undefined;
      }
    }
    const lerna = this.json<{ packages?: unknown }>(path.join(d, 'lerna.json'));
    if (Array.isArray(lerna?.packages)) return lerna.packages.filter((x): x is string => typeof x === 'string');
    return undefined;
  }
}

/** `@scope/name/sub/path` → `{ name: '@scope/name', sub: 'sub/path' }`. */
function packageParts(spec: string): { name: string; sub: string } {
  const parts = spec.split('/');
  const scoped = spec.startsWith('@');
  return { name: (scoped ? parts.slice(0, 2) : parts.slice(0, 1)).join('/'), sub: parts.slice(scoped ? 2 : 1).join('/') };
}

function stamp(file: string): string {
  try {
    const s = statSync(file);
    return `${s.size}:${s.mtimeMs}`;
  } catch {
    return '';
  }
}

/** `imports`-style map: exact keys and one `*` per key; conditional targets pick node/import/require/default. */
function matchMap(map: Record<string, unknown>, spec: string): string | undefined {
  if (Object.hasOwn(map, spec)) return conditionTarget(map[spec]);
  for (const [key, value] of Object.entries(map)) {
    const star = key.indexOf('*');
    if (star < 0) continue;
    const head = key.slice(0, star);
    const tail = key.slice(star + 1);
    if (!spec.startsWith(head) || !spec.endsWith(tail) || spec.length < key.length - 1) continue;
    const target = conditionTarget(value);
    if (target !== undefined) return target.replace('*', spec.slice(head.length, spec.length - tail.length));
  }
  return undefined;
}

function conditionTarget(value: unknown, depth = 0): string | undefined {
  if (typeof value === 'string') return value;
  if (depth > 4 || !value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const conditions = value as Record<string, unknown>;
  for (const c of ['source', 'node', 'import', 'require', 'default', 'types']) {
    if (!Object.hasOwn(conditions, c)) continue;
    const t = conditionTarget(conditions[c], depth + 1);
    if (t !== undefined) return c === 'types' ? t.replace(/\.d\.([mc]?)ts$/, '.$1ts') : t;
  }
  return undefined;
}

/**
 * The target an `exports` map gives the subpath `sub` of a package: an exact entry (`"./feeds"`),
 * else a pattern with one `*` (`"./*": "./src/*.ts"`, the longest prefix first, as Node.js
 * chooses), through its conditions.
 */
function exportsSubpath(exp: unknown, sub: string): string | undefined {
  if (!exp || typeof exp !== 'object' || Array.isArray(exp)) return undefined;
  const map = exp as Record<string, unknown>;
  const key = `./${sub}`;
  if (Object.hasOwn(map, key)) return conditionTarget(map[key]);
  let best: { prefix: string; target: string; star: string } | undefined;
  for (const [pattern, value] of Object.entries(map)) {
    const star = pattern.indexOf('*');
    if (!pattern.startsWith('./') || star < 0 || pattern.indexOf('*', star + 1) >= 0) continue;
    const prefix = pattern.slice(0, star);
    const suffix = pattern.slice(star + 1);
    if (key.length < prefix.length + suffix.length || !key.startsWith(prefix) || !key.endsWith(suffix)) continue;
    if (best && best.prefix.length >= prefix.length) continue;
    const target = conditionTarget(value);
    if (target?.includes('*')) best = { prefix, target, star: key.slice(prefix.length, key.length - suffix.length) };
  }
  return best?.target.split('*').join(best.star);
}

/** Folders a workspace pattern names: exact folders, `dir/*` and `dir/**` (one and any level). */
function expandGlob(root: string, pattern: string): string[] {
  const clean = pattern.replace(/\/+$/, '').replace(/^\.\//, '');
  const parts = clean.split('/');
  const out: string[] = [];
  const walk = (dir: string, i: number, depth: number): void => {
    if (depth > 6) return;
    if (i === parts.length) {
      if (existsSync(path.join(dir, 'package.json'))) out.push(dir);
      return;
    }
    const part = parts[i];
    if (part === '**') {
      walk(dir, i + 1, depth);
      for (const sub of subdirs(dir)) walk(sub, i, depth + 1);
      return;
    }
    if (part.includes('*')) {
      const re = new RegExp(`^${part.split('*').map(escapeRe).join('.*')}$`);
      for (const sub of subdirs(dir)) if (re.test(path.basename(sub))) walk(sub, i + 1, depth + 1);
      return;
    }
    walk(path.join(dir, part), i + 1, depth + 1);
  };
  walk(root, 0, 0);
  return out;
}

function escapeRe(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

function subdirs(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  // statSync follows symlinked folders (pnpm layouts)
  return names
    .filter((n) => n !== 'node_modules' && !n.startsWith('.'))
    .map((n) => path.join(dir, n))
    .filter((p) => {
      try {
        return statSync(p).isDirectory();
      } catch {
        return false;
      }
    });
}
