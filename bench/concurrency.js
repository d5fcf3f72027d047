#!/usr/bin/env node
/**
 * `--concurrency auto` against `--concurrency off`: the rel4lint CLI on the same trees, each a
 * whole process, rounds interleaved (auto, off, auto, off, ...), medians of wall time, CPU time
 * and peak RSS, and the ratio auto / off per tree. Target: auto <= off within noise (1.10) on
 * every tree. Also checks that both give the same report.
 *
 *   node bench/concurrency.js                          # aws-cdk-lib's JavaScript (npm pack, cached in $TMPDIR)
 *   node bench/concurrency.js --corpus a --corpus b    # any trees
 *   node bench/concurrency.js --patterns <checkout>    # also the first 200 template.yaml/yml of a
 *                                                      # serverless-patterns checkout, and the whole checkout
 *   node bench/concurrency.js --runs 5                 # rounds (default 3)
 *
 * Needs `npm run build` first (the CLI runs from dist/).
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { CLI, cdkCorpus, machine, measure, median, patternTemplates, requireBuild, benchArgs } from './common.js';

const NOISE = 1.1;

const { values } = benchArgs(import.meta.url, {
  options: {
    corpus: { type: 'string', multiple: true, default: [] },
    patterns: { type: 'string' },
    runs: { type: 'string', default: '3' },
  },
});
const runs = Math.max(1, Number(values.runs));
requireBuild();

/** Trees to measure: label and folder. */
const trees = values.corpus.map((dir) => [path.basename(path.resolve(dir)), path.resolve(dir)]);
let templates;
if (values.patterns) {
  const checkout = path.resolve(values.patterns);
  templates = patternTemplates(checkout, 200);
  trees.push([`200 templates of ${path.basename(checkout)} (${(templates.bytes / 1e6).toFixed(2)} MB)`, templates.dir], [`${path.basename(checkout)}, whole tree`, checkout]);
}
if (trees.length === 0) trees.push(['aws-cdk-lib', cdkCorpus()]);

console.log(machine());
let worst = 0;
try {
  for (const [label, dir] of trees) {
    const samples = { auto: [], off: [] };
    const reports = new Set();
    for (let i = 0; i < runs; i++) {
      for (const mode of ['auto', 'off']) {
        const r = measure([process.execPath, CLI, dir, '--format', 'json', '--no-progress', '--concurrency', mode]);
        if (r.status !== 0 && r.status !== 1) {
          console.error(r.stderr);
          process.exit(2);
        }
        samples[mode].push(r);
        const report = JSON.parse(r.stdout);
        reports.add(JSON.stringify(report.findings));
      }
    }
    const stat = (mode) => ({
      ms: median(samples[mode].map((r) => r.ms)),
      cpuMs: median(samples[mode].map((r) => r.cpuMs)),
      rssMb: median(samples[mode].map((r) => r.rssMb)),
    });
    const auto = stat('auto');
    const off = stat('off');
    const ratio = auto.ms / off.ms;
    worst = Math.max(worst, ratio);
    console.log(`${label}:`);
    for (const [mode, s] of [['auto', auto], ['off', off]]) {
      console.log(`  ${mode.padEnd(5)}: ${(s.ms / 1000).toFixed(2)} s wall, ${(s.cpuMs / 1000).toFixed(2)} s CPU, peak RSS ${s.rssMb.toFixed(0)} MB (medians of ${runs})`);
    }
    console.log(
      `  auto / off: ${ratio.toFixed(2)} wall, ${(auto.cpuMs / off.cpuMs).toFixed(2)} CPU, ${(auto.rssMb / off.rssMb).toFixed(2)} RSS (target: wall <= ${NOISE.toFixed(2)}: ${ratio <= NOISE ? 'met' : 'NOT met'}); same report: ${reports.size === 1 ? 'yes' : 'NO'}`,
    );
    if (reports.size !== 1) process.exitCode = 1;
  }
} finally {
  if (templates) rmSync(templates.dir, { recursive: true, force: true });
}
console.log(machine().replace(/^machine: .*, load/, 'load'));
