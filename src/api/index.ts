/**
 * The programmatic API (`import { scan } from 'rel4lint'`): what the CLI runs, for scripts and
 * tools.
 *
 *   const result = await scan({ paths: ['services/'], preset: 'strict' });
 *   console.log(format(result, 'stylish'));
 *   process.exitCode = result.findings.some((f) => f.severity === 'error') ? 1 : 0;
 *
 * `scan` finds the files (`.gitignore` and the config's `ignore` respected), reads the
 * configuration file, runs the rules and applies a baseline. `lint` is the lower level: given
 * files and configured rules, it runs the engine.
 */
import path from 'node:path';
import type { Level, LintResult, Preset, ResolvedRule, RuleMeta } from '../ground/types.js';
import { ConfigError } from '../ground/errors.js';
import { toolVersion } from '../ground/version.js';
import { didYouMean } from '../ground/suggest.js';
import type { RuleRegistry } from '../rules/rule.js';
import { DEFAULT_REGISTRY, findRule, ruleDocUrl } from '../rules/registry.js';
import { resolveRules as resolveWith, type RoleSettings, type RuleSetting } from '../engine/config.js';
import type { FileResultCache } from '../engine/results.js';
import type { Concurrency, WorkerPool } from '../engine/workers.js';
import type { SkippedPath } from '../engine/discover.js';
import { REPORTERS, type FormatName, type ReporterContext } from '../reporters/index.js';

export type { Finding, LintResult, Level, Preset, ResolvedRule, RuleMeta, Severity, BestPracticeId, Range, LintStats, InteractionGraph, FileRole } from '../ground/types.js';
export type { RoleSettings, RuleSetting } from '../engine/config.js';
export type { Concurrency } from '../engine/workers.js';
export type { FormatName, ReporterContext } from '../reporters/index.js';
export { ConfigError, UsageError } from '../ground/errors.js';
export { ruleDocUrl, toolVersion };

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
  workers?: WorkerPool;
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

/** Finds the files, reads the configuration, runs the rules and applies a baseline. */
export async function scan(options: ScanOptions = {}): Promise<LintResult> {
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const registry = options.registry ?? DEFAULT_REGISTRY;
  const paths = options.paths ?? [];
  const { findConfigFile, loadConfigFile, mergeRuleSettings } = await import('../engine/config-file.js');
  const configPath = options.config === false ? undefined : findConfigFile(cwd, options.config, paths);
  const config = configPath !== undefined ? loadConfigFile(configPath, cwd) : undefined;
  const preset = options.preset ?? config?.preset ?? 'recommended';
  const hasOption = (rule: string, option: string): boolean => Boolean(findRule(registry, rule)?.meta.options[option]);
  if (config) {
    // the file's own problems are reported against the file
    const names = registry.rules.map((r) => r.meta.name);
    for (const name of Object.keys(config.rules ?? {})) {
      if (!names.includes(name)) {
        throw new ConfigError(`${displayPath(cwd, config.file)}: unknown rule '${name}' in rules${didYouMean(name, names) || ' (see --list-rules)'}`);
      }
    }
    try {
      resolveRules(preset, mergeRuleSettings(config, {}, hasOption), registry, config.roles);
    } catch (error) {
      if (error instanceof ConfigError) throw new ConfigError(`${displayPath(cwd, config.file)}: ${error.message}`);
      throw error;
    }
  }
  const rules = resolveRules(preset, mergeRuleSettings(config, options.rules ?? {}, hasOption), registry, config?.roles);
  const maxFileBytes = options.maxFileBytes ?? config?.maxFileBytes;
  const concurrency = options.concurrency ?? 'off';

  let cache: import('../engine/cache.js').ResultCache | undefined;
  if (options.cacheFile !== undefined) {
    const { ResultCache, cacheKey } = await import('../engine/cache.js');
    const version = options.toolVersion ?? toolVersion();
    cache = ResultCache.open(path.resolve(cwd, options.cacheFile), cacheKey(version, rules, { maxFileBytes: maxFileBytes ?? null }));
  }

  // On a large tree, one worker starts loading while the tree is walked; the scan uses it if it
  // goes parallel. Not with cached results to reuse: most of such a scan is reading and hashing.
  const { WorkerPool, threadCount, workerSettings } = await import('../engine/workers.js');
  let workers: WorkerPool | undefined;
  const prestart = (): void => {
    if (!options.prestartWorkers || threadCount(concurrency, Infinity, Infinity) === 0) return;
    if (cache && !cache.isEmpty()) return;
    workers = WorkerPool.prestart(workerSettings(cwd, registry, rules, true, maxFileBytes, cache !== undefined), 1);
  };
  const { discoverFiles } = await import('../engine/discover.js');
  const discovery = await discoverFiles(cwd, paths, { ignore: config?.ignore, onManyFiles: { count: PRESTART_FILES, call: prestart } });
  for (const s of discovery.skipped) options.onSkipped?.(s);

  const baselines = await import('../engine/baseline.js');
  const baselinePath = path.resolve(cwd, options.baseline ?? baselines.DEFAULT_BASELINE_FILE);
  const baselineDisplay = displayPath(cwd, baselinePath);
  // read the baseline before the scan: a missing one is an error, not a wasted scan
  const entries = options.baseline !== undefined && !options.updateBaseline ? baselines.readBaseline(baselinePath, baselineDisplay) : undefined;

  // the files this run writes are never scanned
  const own = new Set([baselinePath, ...(cache ? [cache.file] : [])]);
  const files = discovery.files.filter((f) => !own.has(f));
  options.onFiles?.(files);

  const { lint: run } = await import('../engine/scan.js');
  let result = await run({ cwd, files, registry, rules, maxFileBytes, cache, concurrency, workers, onProgress: options.onProgress });
  if (cache) {
    const problem = await cache.save();
    if (problem !== undefined) options.onWarning?.(problem);
  }
  if (options.updateBaseline) {
    await baselines.writeBaseline(baselinePath, result.findings);
    result = baselines.applyBaseline(result, baselines.readBaseline(baselinePath, baselineDisplay), baselineDisplay);
  } else if (entries) {
    result = baselines.applyBaseline(result, entries, baselineDisplay);
  }
  return result;
}

/** A report of a result in one of the output formats (`stylish`, `json`, `sarif`, `markdown`, `graph`). */
export function format(result: LintResult, name: FormatName, context: Partial<ReporterContext> = {}): string {
  return REPORTERS[name](result, { color: false, cwd: result.cwd, toolVersion: toolVersion(), ruleDocUrl, ...context });
}
