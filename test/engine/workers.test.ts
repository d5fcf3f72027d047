/**
 * Parallel scans: the report is the same whatever the number of threads (findings, suppressed
 * findings, counts, graph), progress counts every file once, the cache is filled and read the
 * same way, and a worker that fails makes the scan fail instead of hang.
 *
 * Worker threads run the built files (`dist/`), so these tests load the engine from there; the
 * test command builds before it runs the tests.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/fixtures.js';
import type { LintResult } from '../../src/ground/types.js';

type Api = typeof import('../../src/api/index.js');
type Registry = typeof import('../../src/rules/registry.js');
type Discover = typeof import('../../src/engine/discover.js');
type Cache = typeof import('../../src/engine/cache.js');
type Workers = typeof import('../../src/engine/workers.js');
type Scan = typeof import('../../src/engine/scan.js');

const dist = async <T>(module: string): Promise<T> => (await import(pathToFileURL(path.join(ROOT, 'dist', module)).href)) as T;

let engine: Api;
let workers: Workers;
let registry: Registry['DEFAULT_REGISTRY'];
let rules: ReturnType<Api['resolveRules']>;
let files: string[];
let tmp: string;

beforeAll(async () => {
  engine = await dist<Api>('api/index.js');
  workers = await dist<Workers>('engine/workers.js');
  registry = (await dist<Registry>('rules/registry.js')).DEFAULT_REGISTRY;
  rules = engine.resolveRules('strict');
  // every fixture: code and templates of every format, projects whose templates link handlers,
  // parse errors and suppression comments
  const discovery = await (await dist<Discover>('engine/discover.js')).discoverFiles(ROOT, ['fixtures']);
  files = discovery.files;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rel4lint-workers-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The scan of every fixture on one thread, which the parallel scans must reproduce (run once). */
let oneThread: Promise<LintResult> | undefined;
const scanOnOneThread = (): Promise<LintResult> => (oneThread ??= engine.lint({ cwd: ROOT, files, rules, concurrency: 'off' }));

/** Everything a reporter prints, without the timing-free but order-free parts. */
function report(result: LintResult): unknown {
  return { findings: result.findings, suppressed: result.suppressed, stats: result.stats, graph: result.graph, sources: [...result.sources.keys()] };
}

describe('thread count and batches', () => {
  it('uses the calling thread alone when told to, and leaves auto to the scan', () => {
    const { threadCount } = workers;
    expect(threadCount('off', 100)).toBe(0);
    expect(threadCount('auto', 1000)).toBe(0);
    expect(threadCount(1, 3)).toBe(0);
    expect(threadCount(4, 3)).toBe(3);
    expect(threadCount(2, 1)).toBe(0);
    expect(() => threadCount(0, 2)).toThrow(/positive integer/);
  });

  it('auto: workers only for code estimated long enough on one thread, one more per half of that, up to the idle cores (rounded)', () => {
    const { autoThreads, AUTO_MIN_REST_MS } = workers;
    expect(autoThreads(AUTO_MIN_REST_MS - 1, 8)).toBe(0);
    expect(autoThreads(AUTO_MIN_REST_MS, 8)).toBe(2);
    expect(autoThreads(AUTO_MIN_REST_MS * 1.5, 8)).toBe(3);
    expect(autoThreads(AUTO_MIN_REST_MS * 100, 8)).toBe(8);
    expect(autoThreads(AUTO_MIN_REST_MS * 100, 16)).toBe(8);
    expect(autoThreads(AUTO_MIN_REST_MS * 100, 2)).toBe(2);
    expect(autoThreads(AUTO_MIN_REST_MS * 100, 1.6)).toBe(2);
    expect(autoThreads(AUTO_MIN_REST_MS * 100, 1.4)).toBe(0);
    expect(autoThreads(AUTO_MIN_REST_MS * 100, -6)).toBe(0);
  });

  it('auto: estimates the rest at the pace measured after the first file, once it has measured long enough on a core of its own', () => {
    const { AutoConcurrency, AUTO_PROBE_MS, AUTO_MIN_REST_MS } = workers;
    const idle = () => ({ cores: 2, load: 0.1 });
    const auto = new AutoConcurrency(idle);
    // the first file warms up the parsers: not counted
    auto.record(1000, 10 * AUTO_PROBE_MS, 10 * AUTO_PROBE_MS);
    expect(auto.threadsFor(1e9)).toBe(0);
    // 1 byte per millisecond, measured for less than the probe time: too early to tell
    auto.record(AUTO_PROBE_MS / 2, AUTO_PROBE_MS / 2, AUTO_PROBE_MS / 2);
    expect(auto.threadsFor(1e9)).toBe(0);
    auto.record(AUTO_PROBE_MS / 2, AUTO_PROBE_MS / 2, AUTO_PROBE_MS / 2);
    // the rest at that pace: just under the minimum, then the minimum
    expect(auto.threadsFor(AUTO_MIN_REST_MS - 1)).toBe(0);
    expect(auto.threadsFor(AUTO_MIN_REST_MS)).toBe(2);
    expect(auto.threads).toBe(2);
    // the same pace on a machine busy with other work: no idle core for a worker
    const busy = new AutoConcurrency(() => ({ cores: 2, load: 1.5 }));
    for (let i = 0; i < 3; i++) busy.record(AUTO_PROBE_MS, AUTO_PROBE_MS, AUTO_PROBE_MS);
    expect(busy.threadsFor(1e9)).toBe(0);
    // this thread got half a core while it measured: the machine is busier than its load says
    const shared = new AutoConcurrency(idle);
    for (let i = 0; i < 3; i++) shared.record(AUTO_PROBE_MS, AUTO_PROBE_MS, AUTO_PROBE_MS / 2);
    expect(shared.threadsFor(1e9)).toBe(0);
    // a tree of data: nothing measured, no workers
    expect(new AutoConcurrency(idle).threadsFor(1e9)).toBe(0);
  });

  it('closes a batch at 128 KiB or 16 files and keeps the file order', () => {
    const { batches } = workers;
    expect(batches(['a', 'b', 'c', 'd'], [100_000, 50_000, 10, 150_000])).toEqual([[0, 1], [2, 3]]);
    const many = Array.from({ length: 40 }, (_, i) => `f${i}`);
    expect(batches(many, many.map(() => 1)).map((b) => b.length)).toEqual([16, 16, 8]);
    expect(batches([], [])).toEqual([]);
  });
});

describe('a parallel scan', () => {
  it('auto: shares the code files once it has measured enough, and reports exactly what one thread reports', async () => {
    const one = await scanOnOneThread();
    // limits of zero: the decision comes after the second code file
    const auto = new workers.AutoConcurrency(() => ({ cores: 2, load: 0 }), { probeMs: 0, minRestMs: 0, minCpuShare: 0 });
    const { lint } = await dist<Scan>('engine/scan.js');
    let calls = 0;
    const many = await lint({ cwd: ROOT, files, registry, rules, concurrency: 'auto', autoConcurrency: auto, onProgress: () => calls++ });
    expect(auto.threads).toBe(2);
    expect(report(many)).toEqual(report(one));
    expect(calls).toBe(files.length);
    // with the real limits, the fixtures stay on the calling thread
    const real = new workers.AutoConcurrency(() => ({ cores: 2, load: 0 }));
    expect(report(await lint({ cwd: ROOT, files, registry, rules, concurrency: 'auto', autoConcurrency: real }))).toEqual(report(one));
    expect(real.threads).toBe(0);
  }, 60_000);

  it('reports exactly what a scan on one thread reports, for 2 and 3 threads', async () => {
    const one = await scanOnOneThread();
    expect(one.findings.length).toBeGreaterThan(300);
    expect(one.stats.codeFiles).toBeGreaterThan(100);
    expect(one.stats.filesByRole.test).toBeGreaterThan(5);
    expect(one.stats.filesByRole.generated).toBeGreaterThan(3);
    for (const concurrency of [2, 3]) {
      let calls = 0;
      let last = 0;
      const many = await engine.lint({
        cwd: ROOT,
        files,
        rules,
        concurrency,
        onProgress: (done, total) => {
          calls++;
          expect(done).toBe(last + 1);
          expect(total).toBe(files.length);
          last = done;
        },
      });
      expect(report(many)).toEqual(report(one));
      expect(many.stats).toEqual(one.stats);
      expect(calls).toBe(files.length);
    }
  });

  it('fills and reads the cache as a scan on one thread does', async () => {
    const { ResultCache } = await dist<Cache>('engine/cache.js');
    const runWith = async (name: string, concurrency: 'off' | number) => {
      const cache = ResultCache.open(path.join(tmp, name), 'key');
      const result = await engine.lint({ cwd: ROOT, files, rules, cache, concurrency });
      expect(await cache.save()).toBeUndefined();
      return { result, cache, saved: JSON.parse(fs.readFileSync(path.join(tmp, name), 'utf8')) as { files: Record<string, unknown> } };
    };
    const sequential = await runWith('one', 'off');
    const cold = await runWith('many', 2);
    expect(report(cold.result)).toEqual(report(sequential.result));
    expect(cold.saved.files).toEqual(sequential.saved.files);
    expect(Object.keys(cold.saved.files).length).toBeGreaterThan(50);
    // warm: every cached file is a hit, nothing is left for the workers, same report
    const warm = await runWith('many', 2);
    expect(warm.cache.misses).toBe(0);
    expect(warm.cache.hits).toBe(Object.keys(cold.saved.files).length);
    expect(report(warm.result)).toEqual(report(sequential.result));
  });

  it('hands files nested deeper than a worker can follow back to the main thread', async () => {
    // A worker's stack is smaller than the main thread's: 600-700 levels of parentheses overflow
    // the TypeScript parser there (before its code is optimised) but not on the main thread, so
    // their results come from the main thread whatever the thread count.
    const root = fs.mkdtempSync(path.join(tmp, 'deep-'));
    const invoke = "import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';\nconst lambda = new LambdaClient({});\nexport const run = () => lambda.send(new InvokeCommand({ FunctionName: 'f' }));\n";
    // spread among other files, so that workers get some of them whichever batches they take
    const others = files.filter((f) => f.endsWith('.ts')).slice(0, 60);
    const all: string[] = [];
    const expected: string[] = [];
    for (let k = 0; k < 12; k++) {
      const levels = 600 + 10 * k;
      const file = path.join(root, `p${levels}.ts`);
      fs.writeFileSync(file, `${invoke}export const x = ${'('.repeat(levels)}1${')'.repeat(levels)};\n`);
      all.push(file, ...others.slice(5 * k, 5 * k + 5));
      expected.push(`no-sync-lambda-invoke p${levels}.ts:3`);
    }
    const summary = (r: LintResult) => r.findings.filter((f) => f.file.startsWith('p')).map((f) => `${f.rule} ${f.file}:${f.range.start.line}`);
    const one = await engine.lint({ cwd: root, files: all, rules, concurrency: 'off' });
    expect(summary(one)).toEqual(expected);
    for (const concurrency of [2, 3]) {
      const many = await engine.lint({ cwd: root, files: all, rules, concurrency });
      expect(report(many)).toEqual(report(one));
    }
  });

  it('uses a worker started ahead of the scan, and ends it when the scan stays on one thread', async () => {
    const { WorkerPool, workerSettings } = workers;
    const settings = workerSettings(ROOT, registry, rules, true, undefined, false);
    const one = await engine.lint({ cwd: ROOT, files, rules, concurrency: 'off' });
    const ahead = WorkerPool.prestart(settings, 1)!;
    const many = await (await dist<Scan>('engine/scan.js')).lint({ cwd: ROOT, files, registry, rules, concurrency: 2, workers: ahead });
    expect(report(many)).toEqual(report(one));
    // a worker started with other settings (other rules) is not used for this scan
    const other = WorkerPool.prestart(workerSettings(ROOT, registry, rules.slice(1), true, undefined, false), 1)!;
    expect(other.take(1, settings)).toEqual([]);
    await other.close();
    const idle = WorkerPool.prestart(settings, 1)!;
    const alone = await (await dist<Scan>('engine/scan.js')).lint({ cwd: ROOT, files, registry, rules, concurrency: 'off', workers: idle });
    expect(report(alone)).toEqual(report(one));
    expect(idle.take(1, settings)).toEqual([]);
  });

  it('reports a file whose analysis stops its worker thread, and analyses every other file on another', async () => {
    // a rule that ends the worker thread it runs in (as running out of memory does) on one file
    const stopper = path.join(tmp, 'stopper.mjs');
    fs.writeFileSync(stopper, "import { isMainThread } from 'node:worker_threads';\nexport default { prefilter: /STOP_THE_THREAD/, code() { if (!isMainThread) process.exit(7); return []; } };\n");
    const meta = { ...registry.rules[0]!.meta, name: 'test-stops-its-thread', presets: ['strict'], targets: ['code'], needsContext: false, options: {} };
    const module = path.join(tmp, 'registry.mjs');
    fs.writeFileSync(
      module,
      `import { RULES as ALL } from ${JSON.stringify(pathToFileURL(path.join(ROOT, 'dist/rules/index.js')).href)};\n` +
        `export const RULES = [...ALL, { meta: ${JSON.stringify(meta)}, code: () => import(${JSON.stringify(pathToFileURL(stopper).href)}) }];\n`,
    );
    const custom = { rules: [...registry.rules, { meta, code: () => import(pathToFileURL(stopper).href) }], module: pathToFileURL(module).href } as typeof registry;
    const withStopper = engine.resolveRules('strict', {}, custom);
    const dir = path.join(tmp, 'stopping');
    fs.mkdirSync(dir);
    const call = "import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';\nconst lambda = new LambdaClient({});\nexport const handler = async () => lambda.send(new InvokeCommand({ FunctionName: 'tax' }));\n";
    const names = Array.from({ length: 60 }, (_, i) => `f${String(i).padStart(2, '0')}.ts`);
    for (const name of names) fs.writeFileSync(path.join(dir, name), name === 'f17.ts' ? `// STOP_THE_THREAD\n${call}` : call);
    const scanned = names.map((name) => path.join(dir, name));
    for (const concurrency of [2, 3] as const) {
      const result = await engine.lint({ cwd: dir, files: scanned, rules: withStopper, registry: custom, concurrency });
      const byFile = (rule: string) => result.findings.filter((f) => f.rule === rule).map((f) => f.file);
      expect(byFile('no-sync-lambda-invoke')).toEqual(names.filter((n) => n !== 'f17.ts'));
      expect(result.findings.filter((f) => f.rule === 'parse-error').map((f) => f.message)).toEqual([
        'f17.ts cannot be parsed at 1:1: its analysis stopped the worker thread that had it (exit code 7); it was not analysed',
      ]);
      expect(result.stats.filesScanned).toBe(60);
    }
  });

  it('fails, without hanging, when a worker cannot run', async () => {
    // the workers load the registry from a module that lists none of the rules
    const broken = { rules: registry.rules, module: 'data:text/javascript,export const RULES = [];' };
    await expect(engine.lint({ cwd: ROOT, files, rules, registry: broken, concurrency: 2 })).rejects.toThrow(/worker thread failed: unknown rule /);
  });
});
