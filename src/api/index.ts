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
import { ConfigError, UsageError } from '../ground/errors.js';
import { isCodeFile } from '../ground/files.js';
import { checkWritable, FileAccessError } from '../ground/file-access.js';
import { toolVersion } from '../ground/version.js';
import { didYouMean } from '../ground/suggest.js';
import type { RuleRegistry } from '../rules/rule.js';
import { DEFAULT_REGISTRY, findRule, ruleDocUrl } from '../rules/registry.js';
import { resolveRules as resolveWith, type RuleSetting } from '../engine/config.js';
import type { FileResultCache } from '../engine/results.js';
import type { Concurrency, WorkerPool } from '../engine/workers.js';
import type { SkippedPath } from '../engine/discover.js';
import { REPORTERS, type FormatName, type ReporterContext } from '../reporters/index.js';

export type { Finding, LintResult, Level, Preset, ResolvedRule, RuleMeta, Severity, BestPracticeId, Range, LintStats, InteractionGraph } from '../ground/types.js';
export type { RuleSetting } from '../engine/config.js';
export type { Concurrency } from '../engine/workers.js';
export type { FormatName, ReporterContext } from '../reporters/index.js';
export { ConfigError, UsageError } from '../ground/errors.js';
export { ruleDocUrl, toolVersion };

/** Metadata of every rule rel4lint ships, sorted by name. */
export function ruleList(registry: RuleRegistry = DEFAULT_REGISTRY): RuleMeta[] {
  return [...registry.rules].map((r) => r.meta).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * The rules of a preset with overrides applied (levels, or `{ level, options }`). Throws
 * ConfigError naming an unknown rule, level or option.
 */
export function resolveRules(
  preset: Preset = 'recommended',
  overrides: Record<string, Level | RuleSetting> = {},
  registry: RuleRegistry = DEFAULT_REGISTRY,
): ResolvedRule[] {
  return resolveWith(registry.rules, preset, overrides);
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
      resolveRules(preset, mergeRuleSettings(config, {}, hasOption), registry);
    } catch (error) {
      if (error instanceof ConfigError) throw new ConfigError(`${displayPath(cwd, config.file)}: ${error.message}`);
      throw error;
    }
  }
  const rules = resolveRules(preset, mergeRuleSettings(config, options.rules ?? {}, hasOption), registry);
  const maxFileBytes = options.maxFileBytes ?? config?.maxFileBytes;
  const concurrency = options.concurrency ?? 'off';

  let cache: import('../engine/cache.js').ResultCache | undefined;
  if (options.cacheFile !== undefined) {
    const { ResultCache, cacheKey } = await import('../engine/cache.js');
    const version = options.toolVersion ?? toolVersion();
    const cacheFile = path.resolve(cwd, options.cacheFile);
    cache = ResultCache.open(cacheFile, cacheKey(version, rules, { maxFileBytes: maxFileBytes ?? null }), cwd, displayPath(cwd, cacheFile));
    if (cache.problem !== undefined) options.onWarning?.(cache.problem);
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
  const entries = options.baseline !== undefined && !options.updateBaseline ? baselines.readBaseline(baselinePath, baselineDisplay, cwd) : undefined;

  // the files this run writes: checked before the scan (not a wasted scan), never scanned
  const outputPath = options.outputFile !== undefined ? path.resolve(cwd, options.outputFile) : undefined;
  const { looksLikeIac } = await import('../engine/read.js');
  if (outputPath !== undefined) refuseTarget(cwd, outputPath, 'the report', discovery.files, UsageError, looksLikeIac);
  if (options.updateBaseline) refuseTarget(cwd, baselinePath, 'the baseline', discovery.files, ConfigError, looksLikeIac);
  const own = new Set([baselinePath, ...(cache ? [cache.file] : []), ...(outputPath !== undefined ? [outputPath] : [])]);
  const files = discovery.files.filter((f) => !own.has(f));
  options.onFiles?.(files);

  const { lint: run } = await import('../engine/scan.js');
  let result = await run({ cwd, files, registry, rules, maxFileBytes, cache, concurrency, workers, onProgress: options.onProgress });
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

/** A report of a result in one of the output formats (`stylish`, `json`, `sarif`, `markdown`, `graph`). */
export function format(result: LintResult, name: FormatName, context: Partial<ReporterContext> = {}): string {
  return REPORTERS[name](result, { color: false, cwd: result.cwd, toolVersion: toolVersion(), ruleDocUrl, ...context });
}
