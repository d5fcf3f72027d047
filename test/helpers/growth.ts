/**
 * How the work of a scan grows with its input, measured so that a loaded machine does not make a
 * test fail: the steps the code rules take (a count that does not depend on the machine), and the
 * CPU time of a process of its own (see `measure-scan.mjs`), compared only with other times
 * measured in the same process, each the fastest of a few scans taken in turn.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'measure-scan.mjs');

export interface Measure {
  /** CPU milliseconds of the fastest scan. */
  cpuMs: number;
  /** Steps of code-rule work (see `withStepLimit`). */
  steps: number;
  bytes: number;
  /** Findings by rule. */
  findings: Record<string, number>;
  /** Messages of the parse-error findings. */
  messages: string[];
}

/** Writes the files into `dir` and scans each, `runs` rounds in turn, with the built engine. */
export function measureFiles(dir: string, files: { name: string; text: string }[], runs = 3): Measure[] {
  return measureRun(dir, files, runs).files;
}

/** `measureFiles`, with the peak memory of the process that scanned them (resident set, MB). */
export function measureRun(dir: string, files: { name: string; text: string }[], runs = 3): { files: Measure[]; peakMb: number } {
  const paths = files.map(({ name, text }) => {
    const file = path.join(dir, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  });
  const child = spawnSync(process.execPath, [SCRIPT, String(runs), ...paths], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (child.status !== 0) throw new Error(`measuring failed (${child.status}): ${child.stderr}`);
  const out = JSON.parse(child.stdout) as { files: Omit<Measure, 'bytes'>[]; peakMb: number };
  return { files: out.files.map((m, i) => ({ ...m, bytes: Buffer.byteLength(files[i]!.text) })), peakMb: out.peakMb };
}

/** One line about two measures, for a failure message. */
export function describePair(what: string, small: Measure, large: Measure): string {
  const one = (m: Measure) => `${m.bytes} bytes took ${m.steps} steps and ${m.cpuMs.toFixed(0)} ms of CPU`;
  return `${what}: ${one(small)}; ${one(large)}`;
}
