/**
 * The programmatic API's scans (`scan`, `lint`, `configFor`) and rule helpers, without the
 * reporters: the CLI loads only the reporter of its `--format` (see `../reporters/formats.ts`).
 * `./index.ts` is the package's entry and re-exports all of it.
 */
import path from 'node:path';
import type { Concurrency, FileRole, Level, LintResult, Preset, ResolvedRule, RuleMeta, Severity } from '../ground/types.js';
import { ConfigError, UsageError } from '../ground/errors.js';
import { isCodeFile } from '../ground/files.js';
import { checkWritable, FileAccessError } from '../ground/file-access.js';
import { toolVersion } from '../ground/version.js';
import type { RuleRegistry } from '../rules/rule.js';
import { DEFAULT_REGISTRY, findRule } from '../rules/registry.js';
import { emptyRoleCounts } from '../ground/roles.js';
import { byRuleName, resolveRules as resolveWith, type RoleSettings, type RuleSetting } from '../engine/config.js';
import type { FileResultCache } from '../engine/results.js';
import type { WorkerPool } from '../engine/workers.js';
import type { SkippedPath } from '../engine/discover.js';
import type { ConfigLookup } from '../engine/config-lookup.js';
import type { ConfigFile, EffectiveConfig } from '../engine/config-file.js';
import type { ScopedRules } from '../engine/rule-sets.js';


/** Metadata of every rule rel4lint ships, sorted by name. */
export function ruleList(registry: RuleRegistry = DEFAULT_REGISTRY): RuleMeta[] {
  return [...registry.rules].map((r) => r.meta).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The rules of a preset with overrides applied (levels, or `{ level, options, roles }`) and file
 * roles switched on or off for every rule. Throws ConfigError naming an unknown rule, level,
 * option or role.
 */
export function resolveRules(
  preset: Preset = 'recommended',
  overrides: Record<string, Level | RuleSetting> = {},
  registry: RuleRegistry = DEFAULT_REGISTRY,
  roles: RoleSettings = {},
): ResolvedRule[] {
  return resolveWith(registry.rules, preset, overrides, roles);
}

export interface LintOptions {
  /** Findings' paths are relative to this directory. */
  cwd: string;
  /** Absolute paths of the files to analyse. */
  files: string[];
  /** Configured rules (default: the recommended preset). */
  rules?: ResolvedRule[];
  /** The rules to load detectors from (default: rel4lint's own). */
  registry?: RuleRegistry;
  /** Files larger than this many bytes are reported as parse errors instead of parsed (default 8 MiB). */
  maxFileBytes?: number;
  cache?: FileResultCache;
  /** Worker threads: a number, `auto` or `off` (default). */
  concurrency?: Concurrency;
  onProgress?: (done: number, total: number) => void;
}

/** Analyses the given files with the given rules. */
export async function lint(options: LintOptions): Promise<LintResult> {
  const registry = options.registry ?? DEFAULT_REGISTRY;
  const { lint: run } = await import('../engine/scan.js');
  return run({ ...options, registry, rules: options.rules ?? resolveRules('recommended', {}, registry) });
}

export interface ScanOptions {
  /** Directory the scan runs from: paths, the config file and finding paths are relative to it (default: `process.cwd()`). */
  cwd?: string;
  /** Files and directories to scan (default: `cwd`). Named paths are scanned even when git-ignored. */
  paths?: string[];
  /** Preset (default: the config file's, else `recommended`). */
  preset?: Preset;
  /** Rule levels that override the config file's (as `--rule`). */
  rules?: Record<string, Level>;
  /** Config file path; `false` reads none (default: looked up as the CLI does). */
  config?: string | false;
  /** Size limit per file in bytes (default: the config file's, else 8 MiB). */
  maxFileBytes?: number;
  /** Worker threads: a number, `auto` or `off` (default `off`). */
  concurrency?: Concurrency;
  /** Reuse results of unchanged files: the cache file's path. */
  cacheFile?: string;
  /** Compare with this baseline file: findings it lists are moved to `suppressed`. */
  baseline?: string;
  /** Write the baseline file from this scan's findings (then apply it). */
  updateBaseline?: boolean;
  /**
   * The file a report of this scan will be written to (the CLI's `--output-file`): never
   * scanned, and refused before the scan (UsageError) when it is a symbolic link, not a regular
   * file, or a code file or template under scan.
   */
  outputFile?: string;
  /** Tool version recorded in the cache key (default: the package's). */
  toolVersion?: string;
  /** The rules to use (default: rel4lint's own). */
  registry?: RuleRegistry;
  onProgress?: (done: number, total: number) => void;
  /** Paths the walk skipped (symlinks out of the tree, unreadable directories), as they are found. */
  onSkipped?: (skipped: SkippedPath) => void;
  /** Called with a warning that does not stop the scan (a cache that could not be written). */
  onWarning?: (message: string) => void;
  /** Called once the files are known, before they are analysed. */
  onFiles?: (files: readonly string[]) => void;
  /** Starts worker threads ahead when the walk finds many files (the CLI does). */
  prestartWorkers?: boolean;
}

/** Files found before a worker thread is started ahead of the scan (a smaller tree stays on one thread or pays little for starting later). */
const PRESTART_FILES = 400;

/** A path for messages: relative to cwd when inside it, absolute otherwise. */
export function displayPath(cwd: string, file: string): string {
  const rel = path.relative(cwd, file);
  if (rel === '') return '.';
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return file;
  return rel.split(path.sep).join('/');
}

/**
 * Refuses a file this run would write (`what`: the report, the baseline) when writing it would
 * go through a symbolic link or overwrite a code file or template under scan.
 */
function refuseTarget(
  cwd: string,
  file: string,
  what: string,
  scanned: readonly string[],
  Err: typeof UsageError | typeof ConfigError,
  looksLikeIac: (file: string) => boolean,
): void {
  const display = displayPath(cwd, file);
  try {
    checkWritable(file, { within: cwd });
  } catch (error) {
    if (error instanceof FileAccessError) throw new Err(`refusing to write ${what} to ${display}: it ${error.reason}`);
    throw error;
  }
  if (scanned.includes(file)) {
    if (isCodeFile(file)) throw new Err(`refusing to write ${what} to ${display}: it is a code file under scan`);
    if (looksLikeIac(file)) throw new Err(`refusing to write ${what} to ${display}: it is a template under scan`);
  }
}

/** The configuration lookup of a scan: from each file's directory upwards, or the one file named (see `engine/config-lookup.ts`). */
async function configLookup(cwd: string, config: string | false | undefined, registry: RuleRegistry): Promise<ConfigLookup> {
  const { ConfigLookup } = await import('../engine/config-lookup.js');
  const hasOption = (rule: string, option: string): boolean => Boolean(findRule(registry, rule)?.meta.options[option]);
  return new ConfigLookup(cwd, registry.rules, hasOption, config);
}

/**
 * The rule sets of the files whose configuration differs from the working directory's, by
 * directory; undefined when every file has the working directory's rules.
 */
function scopeRules(
  files: readonly string[],
  lookup: ConfigLookup,
  baseChain: readonly ConfigFile[],
  base: { rules: ResolvedRule[]; maxFileBytes?: number },
  resolveFor: (config: EffectiveConfig) => { rules: ResolvedRule[]; maxFileBytes?: number },
): ScopedRules | undefined {
  const keyOf = (chain: readonly ConfigFile[]): string => chain.map((c) => c.file).join('\0');
  const resolvedKey = (set: { rules: ResolvedRule[]; maxFileBytes?: number }): string =>
    JSON.stringify([set.rules.map((r) => [r.meta.name, r.severity, r.severityOverridden, r.options]), set.maxFileBytes ?? null]);
  const baseKey = resolvedKey(base);
  const setOfChain = new Map<string, number>([[keyOf(baseChain), 0]]);
  const setOfRules = new Map<string, number>([[baseKey, 0]]);
  const sets: ScopedRules['sets'] = [];
  const dirs: Record<string, number> = {};
  for (const file of files) {
    const dir = path.dirname(file);
    if (Object.hasOwn(dirs, dir)) continue;
    const chain = lookup.chainFor(file);
    const key = keyOf(chain);
    let index = setOfChain.get(key);
    if (index === undefined) {
      const set = resolveFor(lookup.effective(chain));
      const rulesKey = resolvedKey(set);
      index = setOfRules.get(rulesKey);
      if (index === undefined) {
        sets.push(set);
        index = sets.length;
        setOfRules.set(rulesKey, index);
      }
      setOfChain.set(key, index);
    }
    if (index !== 0) dirs[dir] = index;
  }
  return sets.length > 0 ? { sets, dirs } : undefined;
}

/** Finds the files, reads the configuration, runs the rules and applies a baseline. */
export async function scan(options: ScanOptions = {}): Promise<LintResult> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const registry = options.registry ?? DEFAULT_REGISTRY;
  const paths = options.paths ?? [];
  const lookup = await configLookup(cwd, options.config, registry);
  const { withCommandLine } = await import('../engine/config-file.js');
  // the working directory's configuration: the rules of every file that has no other
  const baseChain = lookup.chain(cwd);
  const resolveFor = (config: EffectiveConfig): { rules: ResolvedRule[]; maxFileBytes?: number } => {
    const rules = resolveRules(options.preset ?? config.preset ?? 'recommended', withCommandLine(config.rules, options.rules ?? {}), registry, config.roles);
    const maxFileBytes = options.maxFileBytes ?? config.maxFileBytes;
    return { rules, ...(maxFileBytes !== undefined ? { maxFileBytes } : {}) };
  };
  const base = resolveFor(lookup.effective(baseChain));
  const rules = base.rules;
  const maxFileBytes = base.maxFileBytes;
  const concurrency = options.concurrency ?? 'off';

  let cache: import('../engine/cache.js').ResultCache | undefined;
  const caches = options.cacheFile !== undefined ? await import('../engine/cache.js') : undefined;
  if (caches) {
    const cacheFile = path.resolve(cwd, options.cacheFile!);
    cache = caches.ResultCache.read(cacheFile, cwd, displayPath(cwd, cacheFile));
    if (cache.problem !== undefined) options.onWarning?.(cache.problem);
  }

  // On a large tree, one worker starts loading while the tree is walked; the scan uses it if it
  // goes parallel (with the same rules for every file). Not with cached results to reuse: most of
  // such a scan is reading and hashing.
  const { WorkerPool, threadCount, workerSettings } = await import('../engine/workers.js');
  let workers: WorkerPool | undefined;
  const prestart = (): void => {
    // `auto` decides during the scan, from the pace of this thread (see `AutoConcurrency`)
    if (!options.prestartWorkers || threadCount(concurrency, Infinity) === 0) return;
    if (cache && !cache.isEmpty()) return;
    workers = WorkerPool.prestart(workerSettings(cwd, registry, rules, true, maxFileBytes, cache !== undefined), 1);
  };
  const { discoverFiles } = await import('../engine/discover.js');
  const discovery = await discoverFiles(cwd, paths, {
    configIgnore: { at: (dir) => lookup.ignoreAt(dir), seed: (dir, names) => lookup.seed(dir, names) },
    onManyFiles: { count: PRESTART_FILES, call: prestart },
  });
  for (const s of discovery.skipped) options.onSkipped?.(s);
  const scoped = scopeRules(discovery.files, lookup, baseChain, base, resolveFor);
  if (cache && caches) {
    const version = options.toolVersion ?? toolVersion();
    const settings: Record<string, unknown> = { maxFileBytes: maxFileBytes ?? null };
    if (scoped) {
      settings['scoped'] = {
        sets: scoped.sets.map((set) => ({ rules: caches.ruleKey(set.rules), maxFileBytes: set.maxFileBytes ?? null })),
        dirs: Object.entries(scoped.dirs).map(([dir, set]) => [displayPath(cwd, dir), set]),
      };
    }
    cache.useKey(caches.cacheKey(version, rules, settings));
  }

  const baselines = await import('../engine/baseline.js');
  const baselinePath = path.resolve(cwd, options.baseline ?? baselines.DEFAULT_BASELINE_FILE);
  const baselineDisplay = displayPath(cwd, baselinePath);
  // read the baseline before the scan: a missing one is an error, not a wasted scan
  const entries = options.baseline !== undefined && !options.updateBaseline ? baselines.readBaseline(baselinePath, baselineDisplay, cwd) : undefined;

  // the files this run writes: checked before the scan (not a wasted scan), never scanned
  const outputPath = options.outputFile !== undefined ? path.resolve(cwd, options.outputFile) : undefined;
  if (outputPath !== undefined || options.updateBaseline) {
    const { looksLikeIac } = await import('../engine/read.js');
    if (outputPath !== undefined) refuseTarget(cwd, outputPath, 'the report', discovery.files, UsageError, looksLikeIac);
    if (options.updateBaseline) refuseTarget(cwd, baselinePath, 'the baseline', discovery.files, ConfigError, looksLikeIac);
  }
  const own = new Set([baselinePath, ...(cache ? [cache.file] : []), ...(outputPath !== undefined ? [outputPath] : [])]);
  const files = discovery.files.filter((f) => !own.has(f));
  options.onFiles?.(files);

  let result: LintResult;
  if (files.length === 0 && workers === undefined) {
    // nothing to analyse: the result of a scan of no file, without loading the analysis
    result = emptyResult(cwd, rules);
  } else {
    const { lint: run } = await import('../engine/scan.js');
    result = await run({ cwd, files, registry, rules, scoped, maxFileBytes, cache, concurrency, workers, onProgress: options.onProgress });
  }
  if (cache) {
    const problem = await cache.save(cwd);
    if (problem !== undefined) options.onWarning?.(problem);
  }
  if (options.updateBaseline) {
    await baselines.writeBaseline(baselinePath, result.findings, baselineDisplay, cwd);
    result = baselines.applyBaseline(result, baselines.readBaseline(baselinePath, baselineDisplay, cwd), baselineDisplay);
  } else if (entries) {
    result = baselines.applyBaseline(result, entries, baselineDisplay);
  }
  return result;
}

/** What a scan of no file returns: no finding, every count 0, the enabled rules, an empty graph. */
function emptyResult(cwd: string, rules: readonly ResolvedRule[]): LintResult {
  const enabled = new Map<string, ResolvedRule>();
  for (const r of rules) if (!enabled.has(r.meta.name)) enabled.set(r.meta.name, r);
  return {
    cwd,
    findings: [],
    suppressed: [],
    rules: [...enabled.values()].sort(byRuleName),
    sources: new Map(),
    stats: { filesScanned: 0, codeFiles: 0, dataFiles: 0, templates: 0, resources: 0, filesByRole: emptyRoleCounts() },
    graph: { nodes: [], edges: [] },
  };
}

export interface ConfigForOptions {
  /** Directory rel4lint runs from (default: `process.cwd()`). */
  cwd?: string;
  /** Preset, rule levels, size limit and config file as `scan` takes them (the command line's). */
  preset?: Preset;
  rules?: Record<string, Level>;
  config?: string | false;
  maxFileBytes?: number;
  registry?: RuleRegistry;
}

/** The configuration rel4lint uses for a file, as `--print-config` prints it. */
export interface FileConfig {
  file: string;
  /** The configuration files that apply, outermost first (the later ones win). */
  configFiles: string[];
  preset: Preset;
  maxFileBytes: number;
  /** `ignore` patterns that apply to the file's folder, each list relative to its `base`. */
  ignore: { base: string; patterns: string[] }[];
  /** Every rule: `off`, or its level, options and the file roles it reports. */
  rules: Record<string, 'off' | { level: Severity; options: Record<string, unknown>; roles: FileRole[] }>;
}

/** The effective configuration of a file (it need not exist): its configuration files merged, then the command line. */
export async function configFor(file: string, options: ConfigForOptions = {}): Promise<FileConfig> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const registry = options.registry ?? DEFAULT_REGISTRY;
  const lookup = await configLookup(cwd, options.config, registry);
  const { withCommandLine } = await import('../engine/config-file.js');
  const { DEFAULT_MAX_FILE_BYTES } = await import('../engine/read.js');
  const target = path.resolve(cwd, file);
  const effective = lookup.effective(lookup.chainFor(target));
  const preset = options.preset ?? effective.preset ?? 'recommended';
  const enabled = new Map(resolveRules(preset, withCommandLine(effective.rules, options.rules ?? {}), registry, effective.roles).map((r) => [r.meta.name, r]));
  const rules: FileConfig['rules'] = {};
  for (const meta of ruleList(registry)) {
    const r = enabled.get(meta.name);
    rules[meta.name] = r ? { level: r.severity, options: r.options, roles: [...r.roles] } : 'off';
  }
  return {
    file: displayPath(cwd, target),
    configFiles: effective.files.map((f) => displayPath(cwd, f)),
    preset,
    maxFileBytes: options.maxFileBytes ?? effective.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
    ignore: effective.ignore.map((i) => ({ base: displayPath(cwd, i.dir), patterns: [...i.patterns] })),
    rules,
  };
}
