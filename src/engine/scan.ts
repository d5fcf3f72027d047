/**
 * A scan: the rules it is handed get the detectors the files need (code detectors and the
 * TypeScript compiler only when there are code files), templates load first and make the project
 * model, then code files are analysed, on this thread or shared with worker threads.
 */
import type { LintResult, ResolvedRule } from '../ground/types.js';
import { isCodeFile } from '../ground/files.js';
import { initHcl, loadsAnywhere, needsHcl } from '../iac/loaders/index.js';
import { forgetPackages } from '../code/file-role.js';
import { unpackTemplate } from '../iac/transfer.js';
import type { FileProjectContext } from '../context/types.js';
import type { RuleRegistry } from '../rules/rule.js';
import { Engine, analyseFile, HashRecorder, type CodePass } from './engine.js';
import type { FileResultCache, WorkerFileResult } from './results.js';
import { loadRules, type DetectorKind, type LoadedRule } from './rules.js';
import type { ScopedRules } from './rule-sets.js';
import type { EngineOptions } from './engine.js';
import { DEFAULT_MAX_FILE_BYTES, ReadAhead, readCodeHead } from './read.js';
import { isServerlessConfigName } from '../cdk/sniff.js';
import { AutoConcurrency, fileSizes, ParallelRun, threadCount, workerSettings, type Concurrency, type WorkerPool } from './workers.js';

export interface LintOptions {
  /** Findings' paths are relative to this directory. */
  cwd: string;
  /** Absolute paths, as returned by discovery. */
  files: string[];
  /** The rules the front end knows: metadata, and detectors to load on first use. */
  registry: RuleRegistry;
  /** The enabled rules (see `resolveRules`). */
  rules: ResolvedRule[];
  /** Other rules for the files of some directories (configuration files in sub-folders). */
  scoped?: ScopedRules;
  /** Files larger than this are reported as parse errors instead of parsed. */
  maxFileBytes?: number;
  /** Per-file results of code files from an earlier run (`--cache`). */
  cache?: FileResultCache;
  /**
   * Worker threads: a number (templates and code files shared), `auto` (templates on the calling
   * thread, code files shared once their rest is long enough to pay for workers: see
   * `AutoConcurrency`) or `off` (default: everything on the calling thread).
   */
  concurrency?: Concurrency;
  /** How `auto` decides (default: measured against `AUTO_PROBE_MS` and `AUTO_MIN_REST_MS`). */
  autoConcurrency?: AutoConcurrency;
  /** Workers started ahead of the scan: a parallel run takes them; `lint` ends them either way. */
  workers?: WorkerPool;
  /** Called after each file with the number of files done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** What a scan over these files needs loaded: detectors of each kind, the code pass. */
export async function prepareScan(
  registry: RuleRegistry,
  rules: readonly ResolvedRule[],
  hasCode: boolean,
  scoped?: ScopedRules,
): Promise<{ rules: LoadedRule[]; scoped?: EngineOptions['scoped']; code?: CodePass }> {
  const kinds: DetectorKind[] = hasCode ? ['code', 'iac', 'project'] : ['iac', 'project'];
  const [loaded, sets, code] = await Promise.all([
    loadRules(registry, rules, kinds),
    Promise.all((scoped?.sets ?? []).map(async (set) => ({ rules: await loadRules(registry, set.rules, kinds), maxFileBytes: set.maxFileBytes }))),
    hasCode ? import('./code-pass.js') : undefined,
  ]);
  return { rules: loaded, ...(scoped ? { scoped: { sets, dirs: scoped.dirs } } : {}), code };
}

/** Lints the given files with the given rules. */
export async function lint(options: LintOptions): Promise<LintResult> {
  // package.json files may have changed since an earlier scan in this process
  forgetPackages();
  // the HCL parser initialises asynchronously, once; loading a file stays synchronous
  if (needsHcl(options.files)) await initHcl();
  const { rules, scoped, code: codePass } = await prepareScan(options.registry, options.rules, options.files.some(isCodeFile), options.scoped);
  const knownRules = new Set(options.registry.rules.map((r) => r.meta.name));
  const total = options.files.length;
  let done = 0;
  const progress = (): void => options.onProgress?.(++done, total);
  // templates first: the project model they make gives linked handler files their context. CDK
  // app code (files that import aws-cdk-lib) is analysed with the templates: its constructs are a
  // template too, which links handler files like any other (a CDK app file is not a handler)
  const max = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const { cache } = options;
  const concurrency = options.concurrency ?? 'off';
  const allCode = options.files.filter((f) => isCodeFile(f));
  // reading a code file's head to tell CDK app code reads most files whole: on this thread, the
  // engine takes those bytes instead of reading the file again (worker threads read their own)
  const readAhead = typeof concurrency === 'number' ? undefined : new ReadAhead();
  const cdkApps = new Set<string>();
  for (const file of allCode) {
    const head = readCodeHead(file, max, readAhead?.hasRoom() ?? false);
    // a `serverless.ts` is a service's configuration: a template too
    if (head.cdk || isServerlessConfigName(file)) cdkApps.add(file);
    if (head.whole) readAhead!.add(file, head.whole);
  }
  const templates = options.files.filter((f) => !isCodeFile(f) || cdkApps.has(f));
  const code = allCode.filter((f) => !cdkApps.has(f));
  const engineOptions = { cwd: options.cwd, rules, scoped, knownRules, maxFileBytes: options.maxFileBytes, code: codePass, readAhead };
  const engine = new Engine({ ...engineOptions, cache: options.cache });
  const recorder = cache ? new HashRecorder() : undefined;
  // files analysed on this thread during a parallel run go through an engine of their own, so
  // that their results, like the workers', are added in discovery order
  const local = new Engine({ ...engineOptions, cache: recorder });
  const analyse = (file: string, context?: FileProjectContext): WorkerFileResult => analyseFile(local, recorder, file, context);
  let run: ParallelRun | undefined;
  const start = (files: string[], gate?: number, threads = threadCount(concurrency, files.length)): void => {
    const sizes = fileSizes(files);
    const settings = workerSettings(options.cwd, options.registry, options.rules, codePass !== undefined, options.maxFileBytes, cache !== undefined, options.scoped);
    if (threads > 0) run = new ParallelRun(threads, settings, files, sizes, progress, options.workers, gate);
  };
  /** Adds a result of the run to the scan (rebuilding a worker's templates on this thread). */
  const add = (result: WorkerFileResult | undefined, file: string): void => {
    if (!result) return;
    if (result.stoppedWorker) return engine.notAnalysed(file, `its analysis stopped the worker thread that had it (${result.stoppedWorker}); it was not analysed`);
    if (result.handBack) result = analyse(file, engine.contextOf(file));
    if (result.packed) result = { ...result, templates: result.packed.map(unpackTemplate) };
    engine.addResult(result);
    if (result.cacheEntry) cache?.set(result.cacheEntry.file, result.cacheEntry.hash, result.pending, result.cacheEntry.dependencies);
  };
  try {
    // With a number of threads and no cache entries to look up, the work is known now: workers
    // load templates at once, and take code files once the templates have made the project model
    // (which gives handler files their context). With entries, what needs analysing is known once
    // the cache has been read; with `auto`, once this thread has measured its pace on code files.
    const lookups = cache !== undefined && !cache.isEmpty();
    // Terraform, Serverless and standalone state machines load on this thread; workers load the
    // other templates and CDK app code
    const shared = templates.filter((file) => loadsAnywhere(file));
    if (typeof concurrency === 'number' && !lookups) start([...shared, ...code], shared.length);
    if (run) {
      const parallel = run;
      const here = new Map<string, WorkerFileResult>();
      for (const file of templates) {
        if (loadsAnywhere(file)) continue;
        here.set(file, analyse(file));
        progress();
        await parallel.yield();
      }
      await parallel.complete(analyse, shared.length);
      // in discovery order: rules meet the templates in the same order on any number of threads
      let k = 0;
      for (const file of templates) add(here.get(file) ?? parallel.result(k++), file);
      engine.prepareProject(allCode);
      // every context first, in discovery order (the model names graph nodes as it makes them)
      const contexts = code.map((file) => engine.contextOf(file));
      parallel.open((index) => (index >= shared.length ? contexts[index - shared.length] : undefined));
      await parallel.complete(analyse);
      // in discovery order, whatever order the threads finished in (handler files feed the
      // project model in the same order as on one thread)
      code.forEach((file, i) => add(parallel.result(shared.length + i), file));
      return engine.finish();
    }
    for (const file of templates) {
      engine.lintFile(file);
      progress();
    }
    engine.prepareProject(allCode);
    // every context first, in discovery order, as in a parallel scan
    const contexts = code.map((file) => engine.contextOf(file));
    const auto = concurrency === 'auto' && code.length > 0 ? (options.autoConcurrency ?? new AutoConcurrency()) : undefined;
    const sizes = auto ? new Map(fileSizes(code).map((size, i) => [code[i], size])) : undefined;
    let restBytes = 0;
    sizes?.forEach((size) => (restBytes += size));
    /** Analyses a code file on this thread (measured for `auto`). */
    const here = (file: string): void => {
      const t0 = performance.now();
      const cpu0 = auto ? process.cpuUsage() : undefined;
      engine.lintFile(file);
      progress();
      if (auto) {
        const cpu = process.cpuUsage(cpu0);
        auto.record(sizes!.get(file)!, performance.now() - t0, (cpu.user + cpu.system) / 1000);
        restBytes -= sizes!.get(file)!;
      }
    };
    // handler files the templates link feed the project model, and bypass the cache
    let rest: string[] = [];
    for (const [i, file] of code.entries()) {
      if (contexts[i] === undefined) rest.push(file);
      else here(file);
    }
    if (lookups && concurrency !== 'off') {
      // files found in the cache are done on this thread; what is left decides the threads
      rest = rest.filter((file) => {
        const cached = engine.lintFile(file, true);
        if (cached) {
          progress();
          if (sizes) restBytes -= sizes.get(file)!;
        }
        return !cached;
      });
      if (!auto) start(rest);
    }
    if (!run) {
      let i = 0;
      for (; i < rest.length; i++) {
        const threads = auto?.threadsFor(restBytes) ?? 0;
        if (threads > 0) {
          rest = rest.slice(i);
          start(rest, undefined, threads);
          break;
        }
        here(rest[i]!);
      }
      if (!run) return engine.finish();
    }
    const parallel: ParallelRun = run;
    await parallel.complete(analyse);
    rest.forEach((file, i) => add(parallel.result(i), file));
    return engine.finish();
  } finally {
    await run?.close();
    await options.workers?.close();
  }
}

