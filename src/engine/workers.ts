/**
 * Parallel scans: the calling thread and worker threads share the files.
 *
 * Workers load CloudFormation/SAM/CDK templates (passed back as plain data, see
 * `../iac/transfer.ts`) and analyse code files. The calling thread loads the other IaC formats
 * and builds the project model once every template is in; code files are handed out only then,
 * each with its project context (plain data), and the calls found in handler files come back to
 * feed the model. Files go out in batches of about the same size, each worker taking the next
 * batch when it finishes one (the slowest file never holds up a whole share), and the calling
 * thread takes batches too. Results come back per file and are added in discovery order, so the
 * report is the same whatever the number of threads. */
import { existsSync, statSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type { WorkerFileResult } from './results.js';
import type { FileProjectContext } from '../context/types.js';
import type { Concurrency, ResolvedRule } from '../ground/types.js';
import { emptyRoleCounts } from '../ground/roles.js';
import type { RuleRegistry } from '../rules/rule.js';
import type { ScopedRules } from './rule-sets.js';

export type { Concurrency } from '../ground/types.js';

export interface WorkerSettings {
  cwd: string;
  /** URL of the registry module (see `RuleRegistry.module`). */
  registry: string;
  rules: ResolvedRule[];
  /** Other rules for the files of some directories. */
  scoped?: ScopedRules;
  /** The scan has code files: the worker loads the code detectors and the code pass. */
  code: boolean;
  maxFileBytes?: number;
  /** The main thread keeps a result cache: workers report each file's content hash. */
  cache: boolean;
}

export interface WorkerRequest {
  id: number;
  files: string[];
  /** Project context of each file (null for a file no template links). */
  contexts: (FileProjectContext | null)[];
}


/** A batch's results, the error that stopped it, or the file of the batch a worker starts on. */
export type WorkerResponse = { id: number; results: WorkerFileResult[] } | { id: number; error: string } | { id: number; begin: number };

/**
 * `auto`: the calling thread measures its own pace on the code files for this long (after the
 * first file, which pays for warming up the parsers) before it estimates the rest.
 */
export const AUTO_PROBE_MS = 500;
/**
 * `auto`: workers start only when the rest of the code files is estimated at this long on one
 * thread. A worker loads and warms up the parsers itself and reads again the helper modules its
 * files import (together about half as much CPU time again on a mid-size tree): for less work one
 * thread is faster.
 */
export const AUTO_MIN_REST_MS = 4000;
/**
 * `auto`: workers start only when the calling thread got at least this share of a core while it
 * measured (CPU time over wall time). Less means the machine is busy with other work: another
 * thread would not get a core of its own, and its overhead would slow the scan down.
 */
export const AUTO_MIN_CPU_SHARE = 0.8;
/** `auto`: never more threads than this (each worker holds its own copy of the TypeScript parser). */
const AUTO_MAX_THREADS = 8;
/** A batch closes at this many bytes or files, whichever comes first. */
const BATCH_BYTES = 128 * 1024;
const BATCH_FILES = 16;
/** Workers a run starts in place of ones that stopped (see `ParallelRun.lost`). */
const MAX_REPLACED_WORKERS = 4;
/** Batches handed to a worker ahead (see `ParallelRun.feed`). */
const IN_FLIGHT = 4;
/** Young generation of each worker: three semi-spaces of 64 MB (set per worker, at no cost to start-up). */
const WORKER_YOUNG_GENERATION_MB = 192;
/**
 * Stack of each worker: 1 MB, of which Node keeps 192 KB in reserve, so less than the main
 * thread's 984 KB. What overflows in a worker is handed back to the main thread, so a file is
 * never a parse error only because a worker read it.
 */
const WORKER_STACK_MB = 1;

const WORKER_SCRIPT = new URL('./worker.js', import.meta.url);

/** The result of a file nothing was recorded for. */
function notAnalysed(): WorkerFileResult {
  return { pending: [], sources: [], directives: [], directiveSources: [], filesScanned: 0, codeFiles: 0, dataFiles: 0, roles: emptyRoleCounts(), templates: [], linked: [] };
}

/** Sizes of files in bytes (0 for one that cannot be read: the engine reports it). */
export function fileSizes(files: readonly string[]): number[] {
  return files.map((f) => {
    try {
      return statSync(f).size;
    } catch {
      return 0;
    }
  });
}

/**
 * Number of threads to share `fileCount` files for a number or `off`; 0 means the calling thread
 * alone. `auto` is decided during the scan, from what it measures (see `AutoConcurrency`): 0 here.
 */
export function threadCount(concurrency: Concurrency, fileCount: number): number {
  if (concurrency === 'off' || concurrency === 'auto') return 0;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a positive integer, 'auto' or 'off' (got ${String(concurrency)})`);
  const threads = Math.min(concurrency, fileCount);
  return threads >= 2 ? threads : 0;
}

/** The cores of the machine and how many of them other work keeps busy (the 1-minute load average; 0 where the system has none). */
export interface MachineLoad {
  cores: number;
  load: number;
}

export function machineLoad(): MachineLoad {
  return { cores: os.availableParallelism(), load: os.loadavg()[0] ?? 0 };
}

/**
 * `auto`: threads for code files estimated to take `restMs` on one thread, with `idleCores` cores
 * not busy with other work; 0 for the calling thread alone.
 */
export function autoThreads(restMs: number, idleCores: number, minRestMs = AUTO_MIN_REST_MS): number {
  if (!(restMs >= minRestMs) || !existsSync(fileURLToPath(WORKER_SCRIPT))) return 0;
  // one more thread for each half of the minimum: a thread never gets less than that to do
  const threads = Math.min(Math.round(idleCores), AUTO_MAX_THREADS, Math.floor(restMs / (minRestMs / 2)));
  return threads >= 2 ? threads : 0;
}

/**
 * `--concurrency auto` for the code files of a scan. Templates load on the calling thread (with
 * the single-pass readers, loading a template costs about what passing it between threads would);
 * the code files start there too, and after each one the scan asks whether to share the rest.
 * Yes once the rest, at the pace measured so far, would take long enough for workers to pay for
 * their start-up (`AUTO_MIN_REST_MS`), and the machine has cores to spare: this thread got a core
 * of its own while it measured (`AUTO_MIN_CPU_SHARE`) and the load leaves idle cores for the
 * workers. A small tree, a tree whose bytes are mostly data, or a busy machine never starts a
 * worker.
 */
export class AutoConcurrency {
  private bytes = 0;
  private ms = 0;
  private cpuMs = 0;
  private files = 0;
  /** The threads it chose (0 while the calling thread goes on alone). */
  threads = 0;

  constructor(
    private readonly machine: () => MachineLoad = machineLoad,
    private readonly limits = { probeMs: AUTO_PROBE_MS, minRestMs: AUTO_MIN_REST_MS, minCpuShare: AUTO_MIN_CPU_SHARE },
  ) {}

  /** A code file of `bytes` analysed on the calling thread in `ms`, of which `cpuMs` on a core. */
  record(bytes: number, ms: number, cpuMs: number): void {
    // the first file pays for warming up the parsers: it says nothing of the pace
    if (this.files++ === 0) return;
    this.bytes += bytes;
    this.ms += ms;
    this.cpuMs += cpuMs;
  }

  /** Threads to share the rest (`restBytes` of code) with; 0 to go on alone. */
  threadsFor(restBytes: number): number {
    if (this.ms < this.limits.probeMs || this.bytes === 0 || this.cpuMs < this.ms * this.limits.minCpuShare) return 0;
    const restMs = (restBytes * this.ms) / this.bytes;
    if (!(restMs >= this.limits.minRestMs)) return 0;
    const { cores, load } = this.machine();
    return (this.threads = autoThreads(restMs, cores - load, this.limits.minRestMs));
  }
}

/** Splits files (in order) into batches of about `BATCH_BYTES`. */
export function batches(files: readonly string[], sizes: readonly number[]): number[][] {
  const out: number[][] = [];
  let current: number[] = [];
  let bytes = 0;
  files.forEach((_, i) => {
    current.push(i);
    bytes += sizes[i];
    if (bytes >= BATCH_BYTES || current.length >= BATCH_FILES) {
      out.push(current);
      current = [];
      bytes = 0;
    }
  });
  if (current.length > 0) out.push(current);
  return out;
}

export function workerSettings(
  cwd: string,
  registry: RuleRegistry,
  rules: readonly ResolvedRule[],
  code: boolean,
  maxFileBytes: number | undefined,
  cache: boolean,
  scoped?: ScopedRules,
): WorkerSettings {
  // resolved rules are plain data (metadata, severity, options): they cross threads as they are
  return { cwd, registry: registry.module, rules: [...rules], ...(scoped ? { scoped } : {}), code, maxFileBytes, cache };
}

/**
 * Old generation of each worker: as large as this thread's heap. Set explicitly, so that a worker
 * that runs out of memory stops with an error this thread sees (the file it was on is reported
 * and its other files go to another thread) rather than ending the process.
 */
function workerOldGenerationMb(): number {
  return Math.max(256, Math.floor(getHeapStatistics().heap_size_limit / (1024 * 1024)) - WORKER_YOUNG_GENERATION_MB);
}

function spawnWorker(settings: WorkerSettings): Worker {
  return new Worker(WORKER_SCRIPT, {
    workerData: settings,
    resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB, maxOldGenerationSizeMb: workerOldGenerationMb(), stackSizeMb: WORKER_STACK_MB },
    stdout: false,
    stderr: false,
  });
}

/**
 * Workers started before the files are known (the CLI starts one before it walks the tree, so
 * that loading the worker's code overlaps discovery). A run takes them; `close` ends the ones no
 * run took.
 */
export class WorkerPool {
  private idle: Worker[];

  private constructor(
    readonly settings: WorkerSettings,
    count: number,
  ) {
    this.idle = Array.from({ length: count }, () => spawnWorker(settings));
    // an idle worker must not keep the process alive, nor fail it; one that stopped (it could not
    // start) is not handed out: a run starts its own, whose failure it reports
    for (const w of this.idle) {
      w.unref();
      w.on('error', () => {});
      w.once('exit', () => (this.idle = this.idle.filter((x) => x !== w)));
    }
  }

  /** Starts `count` workers when worker threads are available (the package is built). */
  static prestart(settings: WorkerSettings, count: number): WorkerPool | undefined {
    if (count < 1 || !existsSync(fileURLToPath(WORKER_SCRIPT))) return undefined;
    return new WorkerPool(settings, count);
  }

  /** Up to `count` of the started workers, when they were started with these settings. */
  take(count: number, settings: WorkerSettings): Worker[] {
    if (JSON.stringify(settings) !== JSON.stringify(this.settings)) return [];
    const taken = this.idle.slice(0, count);
    this.idle = this.idle.slice(count);
    for (const w of taken) {
      w.removeAllListeners();
      w.ref();
    }
    return taken;
  }

  async close(): Promise<void> {
    const idle = this.idle;
    this.idle = [];
    await Promise.all(idle.map((w) => w.terminate()));
  }
}

/**
 * One parallel run over a list of files: the calling thread and `threads - 1` workers. Workers
 * start on the files before the gate at once, while the calling thread still has its own work
 * (it lets their messages in with `yield`); `open` hands out the rest with their project
 * contexts; `complete` has the calling thread work through batches and wait for the workers, up
 * to a given file or to the end.
 */
export class ParallelRun {
  private workers: Worker[];
  private readonly queue: number[][];
  private readonly results: (WorkerFileResult | undefined)[];
  private readonly inFlight = new Map<number, number[]>();
  private readonly inFlightBy = new Map<Worker, number>();
  /** The worker each batch in flight went to. */
  private readonly owner = new Map<number, Worker>();
  /** The file each worker is on: the batch and the file's place in it. */
  private readonly current = new Map<Worker, { id: number; k: number }>();
  /** Workers started in place of ones that stopped (see `lost`). */
  private replaced = 0;
  /** Workers that have sent a message (they run). */
  private readonly began = new Set<Worker>();
  private next = 0;
  private nextId = 0;
  private failure: Error | undefined;
  private settle: (() => void) | undefined;
  private lastYield = performance.now();
  /** Every file below this index has its result. */
  private completeBelow = 0;
  /** Files from this index on wait for `open` (code files wait for the project model). */
  private gate: number;
  private contextOf: (index: number) => FileProjectContext | undefined = () => undefined;

  /**
   * `onResult` is called once for each file's result (progress). Files from `gate` on are only
   * handed out after `open`.
   */
  constructor(
    threads: number,
    private readonly settings: WorkerSettings,
    private readonly files: readonly string[],
    sizes: readonly number[],
    private readonly onResult: (index: number) => void,
    started?: WorkerPool,
    gate = files.length,
  ) {
    if (!existsSync(fileURLToPath(WORKER_SCRIPT))) throw new Error(`worker script ${fileURLToPath(WORKER_SCRIPT)} is missing (build the package first)`);
    this.gate = gate;
    // batches do not straddle the gate
    const after = batches(files.slice(gate), sizes.slice(gate)).map((batch) => batch.map((i) => i + gate));
    this.queue = [...batches(files.slice(0, gate), sizes.slice(0, gate)), ...after];
    this.results = new Array(files.length);
    const count = Math.max(1, threads - 1);
    const ready = started?.take(count, settings) ?? [];
    this.workers = [];
    for (let k = 0; k < count; k++) this.attach(ready[k] ?? spawnWorker(settings));
  }

  private attach(worker: Worker): void {
    this.workers.push(worker);
    worker.on('message', (response: WorkerResponse) => this.received(worker, response));
    worker.on('error', (err) => this.lost(worker, (err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'out of memory' : err.message));
    worker.on('exit', (code) => this.lost(worker, `exit code ${code}`));
    this.inFlightBy.set(worker, 0);
    this.feed(worker);
  }

  /**
   * A worker stopped (out of memory, or killed): the file it was on is reported as not analysed,
   * its other files go back to the queue, and another worker takes its place (a few times at
   * most; then this thread does the rest).
   */
  private lost(worker: Worker, reason: string): void {
    if (!this.workers.includes(worker)) return;
    // one that never got to a file cannot run at all (a broken installation): the scan fails
    if (!this.began.has(worker)) return this.fail(new Error(`a worker thread failed: ${reason}`));
    this.workers = this.workers.filter((w) => w !== worker);
    this.inFlightBy.delete(worker);
    worker.removeAllListeners();
    // the worker is gone: an exit or error it still emits must not reach the process
    worker.on('error', () => {});
    const on = this.current.get(worker);
    this.current.delete(worker);
    const again: number[] = [];
    for (const [id, batch] of [...this.inFlight]) {
      if (this.owner.get(id) !== worker) continue;
      this.inFlight.delete(id);
      this.owner.delete(id);
      batch.forEach((index, k) => {
        if (this.results[index] !== undefined) return;
        if (on?.id === id && on.k === k) this.store(index, { ...notAnalysed(), stoppedWorker: reason });
        else again.push(index);
      });
    }
    if (this.settled() && again.length === 0) return this.wake();
    // back to the front of the queue, in order
    if (again.length > 0) this.queue.splice(this.next, 0, again);
    if (this.replaced < MAX_REPLACED_WORKERS && this.next < this.queue.length) {
      this.replaced++;
      this.attach(spawnWorker(this.settings));
    }
    this.wake();
  }

  private settled(): boolean {
    return this.failure !== undefined || (this.next >= this.queue.length && this.inFlight.size === 0);
  }

  /** Wakes `complete` to check again (after each message and on failure). */
  private wake(): void {
    this.settle?.();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.wake();
  }

  /** The next batch that may go out; undefined when none is left (or the rest waits for `open`). */
  private take(): number[] | undefined {
    if (this.next >= this.queue.length || this.queue[this.next][0] >= this.gate) return undefined;
    return this.queue[this.next++];
  }

  /**
   * Batches in flight per worker: enough that a worker does not run dry while this thread is busy
   * with one large file (it hands out batches only between its own files).
   */
  private feed(worker: Worker): void {
    while (!this.failure && this.inFlightBy.get(worker)! < IN_FLIGHT) {
      const batch = this.take();
      if (!batch) return;
      const id = this.nextId++;
      this.inFlight.set(id, batch);
      this.owner.set(id, worker);
      this.inFlightBy.set(worker, this.inFlightBy.get(worker)! + 1);
      const contexts = batch.map((i) => this.contextOf(i) ?? null);
      worker.postMessage({ id, files: batch.map((i) => this.files[i]), contexts } satisfies WorkerRequest);
    }
  }

  private received(worker: Worker, response: WorkerResponse): void {
    this.began.add(worker);
    if ('begin' in response) {
      this.current.set(worker, { id: response.id, k: response.begin });
      return;
    }
    const batch = this.inFlight.get(response.id);
    if (!batch || this.failure) return;
    this.inFlight.delete(response.id);
    this.owner.delete(response.id);
    this.current.delete(worker);
    this.inFlightBy.set(worker, this.inFlightBy.get(worker)! - 1);
    if ('error' in response) return this.fail(new Error(response.error));
    response.results.forEach((result, k) => this.store(batch[k], result));
    this.feed(worker);
    this.wake();
  }

  private store(index: number, result: WorkerFileResult): void {
    this.results[index] = result;
    this.onResult(index);
  }

  /** Hands out the files from the gate on, each with its project context. */
  open(contextOf: (index: number) => FileProjectContext | undefined): void {
    this.contextOf = contextOf;
    this.gate = this.files.length;
    for (const worker of this.workers) this.feed(worker);
  }

  /** Lets worker messages in, at most every `ms` milliseconds, while this thread does its own work. */
  async yield(ms = 5): Promise<void> {
    const now = performance.now();
    if (now - this.lastYield < ms) return;
    this.lastYield = now;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Result of a file (undefined while it has not arrived). */
  result(index: number): WorkerFileResult | undefined {
    return this.results[index];
  }

  /**
   * The calling thread analyses batches with `local` while the next one starts below `until`,
   * then waits until every file below `until` has its result. Rejects on the first error (a
   * rule that throws, a worker that dies).
   */
  async complete(local: (file: string, context: FileProjectContext | undefined) => WorkerFileResult, until = this.files.length): Promise<void> {
    while (!this.failure && this.next < this.queue.length && this.queue[this.next][0] < until) {
      const batch = this.take();
      if (!batch) break;
      for (const i of batch) {
        this.store(i, local(this.files[i], this.contextOf(i)));
        // a worker that finished its batches gets the next ones within a few milliseconds
        await this.yield(5);
      }
    }
    const done = (): boolean => {
      if (this.failure) return true;
      for (let i = this.completeBelow; i < until; i++) {
        if (this.results[i] === undefined) return false;
        this.completeBelow = i + 1;
      }
      return true;
    };
    while (!done()) await new Promise<void>((resolve) => (this.settle = resolve));
    this.settle = undefined;
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    for (const w of this.workers) w.removeAllListeners();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
