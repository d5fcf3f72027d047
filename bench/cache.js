#!/usr/bin/env node
/**
 * Cache benchmark: the rel4lint CLI with `--cache` on the same corpus, cold (no cache file) then
 * warm (nothing changed), measured as whole processes. Prints both wall times (and CPU times, which
 * a busy machine disturbs less) with their ratios, and checks that both runs give the same report.
 * Target: warm <= 10% of cold.
 *
 *   node bench/cache.js                 # corpus: aws-cdk-lib's JavaScript (npm pack, cached in $TMPDIR)
 *   node bench/cache.js --corpus <dir>  # any directory
 *   node bench/cache.js --runs 3        # best of N for each side
 *
 * Needs `npm run build` first (the CLI runs from dist/).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, cdkCorpus, requireBuild, benchArgs } from './common.js';


const { values } = benchArgs(import.meta.url, {
  options: { corpus: { type: 'string' }, runs: { type: 'string', default: '1' } },
});
const runs = Math.max(1, Number(values.runs));


const corpus = path.resolve(values.corpus ?? cdkCorpus());
requireBuild();

const work = mkdtempSync(path.join(tmpdir(), 'rel4lint-cache-bench-'));
const cacheFile = path.join(work, 'cache');

function timeCli() {
  const t0 = process.hrtime.bigint();
  const res = spawnSync(
    '/usr/bin/time',
    ['-f', '%U %S', process.execPath, path.join(ROOT, 'bin', 'rel4lint.js'), corpus, '--format', 'json', '--no-progress', '--cache', '--cache-location', cacheFile],
    { encoding: 'utf8', maxBuffer: 1 << 28, cwd: ROOT },
  );
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (res.status !== 0 && res.status !== 1) {
    console.error(res.stderr);
    process.exit(2);
  }
  const [user, sys] = res.stderr.trim().split('\n').pop().split(' ').map(Number);
  return { ms, cpu: (user + sys) * 1000, stdout: res.stdout };
}

console.log(`corpus: ${corpus}`);
let cold = Infinity;
let warm = Infinity;
let coldCpu = Infinity;
let warmCpu = Infinity;
let same = true;
let findings = 0;
try {
  for (let i = 0; i < runs; i++) {
    rmSync(cacheFile, { force: true });
    const c = timeCli();
    const w = timeCli();
    same &&= c.stdout === w.stdout;
    findings = JSON.parse(w.stdout).findings.length;
    cold = Math.min(cold, c.ms);
    warm = Math.min(warm, w.ms);
    coldCpu = Math.min(coldCpu, c.cpu);
    warmCpu = Math.min(warmCpu, w.cpu);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(`cold (no cache)   : ${(cold / 1000).toFixed(2)} s wall, ${(coldCpu / 1000).toFixed(2)} s CPU, ${findings} findings`);
console.log(`warm (unchanged)  : ${(warm / 1000).toFixed(2)} s wall, ${(warmCpu / 1000).toFixed(2)} s CPU`);
console.log(`ratio warm / cold : ${(warm / cold).toFixed(3)} wall, ${(warmCpu / coldCpu).toFixed(3)} CPU (target <= 0.10)`);
console.log(`same report       : ${same ? 'yes' : 'NO'}`);
if (!same) process.exit(1);
