#!/usr/bin/env node
/**
 * Code-scan benchmark: the rel4lint CLI against a bare TypeScript parse + full walk of the same
 * files, measured in the same run on the same machine. Prints wall times, the ratio, the CLI's
 * peak RSS and the core count.
 *
 *   node bench/code-scan.js                 # corpus: aws-cdk-lib's JavaScript (npm pack, cached in $TMPDIR)
 *   node bench/code-scan.js --corpus <dir>  # any directory
 *   node bench/code-scan.js --runs 3        # best of N for each side
 *   node bench/code-scan.js --cdk-source --runs 3 --corpus <dir> [--corpus @paths.txt ...]
 *       # the cost of reading CDK app code: the CLI against the same build with CDK source
 *       # reading off, per corpus (a directory, or @file listing paths one a line, relative to
 *       # the list), runs interleaved, median of N; then the same on the corpora's code files
 *       # that do not import aws-cdk-lib (they should pay nothing)
 *
 * Most of aws-cdk-lib's JavaScript is minified build output, which a default scan recognises as
 * generated and does not parse. To compare the analysis with a bare parse of the same files, the
 * CLI runs with every file role switched on (a config file in a temporary directory); a default
 * scan of the same corpus is timed once too.
 *
 * Needs `npm run build` first (the CLI runs from dist/).
 */
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ROOT, cdkCorpus, cliWithoutCdkSource, requireBuild, timeChild, benchArgs } from './common.js';


const CLI_PATH = path.join(ROOT, 'bin', 'rel4lint.js');

const { values } = benchArgs(import.meta.url, {
  options: { corpus: { type: 'string', multiple: true }, runs: { type: 'string', default: '1' }, 'cdk-source': { type: 'boolean', default: false } },
});
const runs = Math.max(1, Number(values.runs));

requireBuild();
if (values['cdk-source']) {
  await cdkSourceCost(values.corpus ?? [], runs);
  process.exit(0);
}
const corpus = path.resolve(values.corpus?.[0] ?? cdkCorpus());

/** Code files under a directory (or the file itself). */
function listCode(dir, out = []) {
  if (statSync(dir).isFile()) {
    out.push(dir);
    return out;
  }
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === '.git') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) listCode(full, out);
    else if (/\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/.test(entry.name) && !/\.d\.[mc]?ts$/.test(entry.name)) out.push(full);
  }
  return out;
}

const files = listCode(corpus);
const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
console.log(`machine: ${os.availableParallelism()} cores, Node ${process.version}`);
console.log(`corpus: ${corpus}\n  ${files.length} code files, ${(bytes / 1e6).toFixed(1)} MB`);

/** Baseline in a child process: read + ts.createSourceFile + iterative full walk of every file. */
const BASELINE = `
const ts = require('typescript');
const fs = require('fs');
const files = JSON.parse(fs.readFileSync(0, 'utf8'));
let nodes = 0;
const t0 = process.hrtime.bigint();
for (const f of files) {
  const sf = ts.createSourceFile(f, fs.readFileSync(f, 'utf8'), ts.ScriptTarget.Latest, true);
  const stack = [sf];
  while (stack.length) { const n = stack.pop(); nodes++; ts.forEachChild(n, (c) => { stack.push(c); }); }
}
console.log(JSON.stringify({ ms: Number(process.hrtime.bigint() - t0) / 1e6, nodes }));
`;


const allRoles = path.join(mkdtempSync(path.join(os.tmpdir(), 'rel4lint-bench-')), 'rel4lint.config.json');
writeFileSync(allRoles, JSON.stringify({ roles: { test: 'on', frontend: 'on', script: 'on', generated: 'on', infrastructure: 'on' } }));
const cliArgs = [process.execPath, path.join(ROOT, 'bin', 'rel4lint.js'), corpus, '--format', 'json', '--no-progress'];

let best = { base: Infinity, cli: Infinity, rss: 0, findings: 0 };
for (let i = 0; i < runs; i++) {
  const base = timeChild([process.execPath, '-e', BASELINE], JSON.stringify(files));
  const cli = timeChild([...cliArgs, '--config', allRoles], undefined);
  if (cli.status !== 0 && cli.status !== 1) {
    console.error(cli.stderr);
    process.exit(2);
  }
  const findings = JSON.parse(cli.stdout).findings.length;
  best = { base: Math.min(best.base, base.ms), cli: Math.min(best.cli, cli.ms), rss: Math.max(best.rss, cli.rssMb), findings };
}
console.log(`bare parse + walk : ${(best.base / 1000).toFixed(2)} s (whole process)`);
console.log(`rel4lint CLI      : ${(best.cli / 1000).toFixed(2)} s, peak RSS ${best.rss.toFixed(0)} MB, ${best.findings} findings`);
console.log(`ratio CLI / bare  : ${(best.cli / best.base).toFixed(2)}`);
const byDefault = timeChild(cliArgs, undefined);
const summary = JSON.parse(byDefault.stdout).summary;
const skipped = summary.filesByRole ? `, ${summary.filesByRole.generated} generated files not parsed` : '';
console.log(`default roles     : ${(byDefault.ms / 1000).toFixed(2)} s${skipped}`);


/** The paths of a corpus argument: a directory, or `@list` (paths one a line, relative to the list). */
function corpusPaths(arg) {
  if (!arg.startsWith('@')) return [path.resolve(arg)];
  const list = path.resolve(arg.slice(1));
  return readFileSync(list, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean).map((l) => path.resolve(path.dirname(list), l));
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Times the CLI and the CDK-off copy on the same paths, interleaved; medians, findings, ratio. */
function compare(label, on, off, paths) {
  const times = { on: [], off: [] };
  const cpu = { on: [], off: [] };
  const findings = {};
  for (let i = 0; i < runs; i++) {
    for (const [side, cli] of i % 2 ? [['off', off], ['on', on]] : [['on', on], ['off', off]]) {
      const res = timeChild([process.execPath, cli, ...paths, '--format', 'json', '--no-progress']);
      if (res.status !== 0 && res.status !== 1) {
        console.error(res.stderr);
        process.exit(2);
      }
      times[side].push(res.ms);
      cpu[side].push(res.cpuMs);
      findings[side] = JSON.parse(res.stdout).findings.length;
    }
  }
  const [a, b] = [median(times.on), median(times.off)];
  const [c, d] = [median(cpu.on), median(cpu.off)];
  console.log(`${label}\n  wall: with CDK source ${(a / 1000).toFixed(2)} s (${findings.on} findings), without ${(b / 1000).toFixed(2)} s (${findings.off}): ratio ${(a / b).toFixed(3)}`);
  console.log(`  CPU:  with ${(c / 1000).toFixed(2)} s, without ${(d / 1000).toFixed(2)} s: ratio ${(c / d).toFixed(3)}`);
}

async function cdkSourceCost(corpora, n) {
  if (corpora.length === 0) {
    console.error('--cdk-source needs at least one --corpus');
    process.exit(2);
  }
  const { mayDefineCdkResources } = await import(pathToFileURL(path.join(ROOT, 'dist', 'cdk', 'sniff.js')).href);
  const off = cliWithoutCdkSource();
  console.log(`machine: ${os.availableParallelism()} cores, Node ${process.version}; median of ${n}, runs interleaved`);
  const plain = [];
  for (const arg of corpora) {
    const paths = corpusPaths(arg);
    const files = paths.flatMap((p) => listCode(p));
    const cdk = files.filter((f) => mayDefineCdkResources(readFileSync(f, 'utf8')));
    plain.push(...files.filter((f) => !cdk.includes(f)));
    console.log(`${arg}: ${files.length} code files, ${cdk.length} import aws-cdk-lib`);
    compare(path.basename(arg), CLI_PATH, off, paths);
  }
  compare('code without aws-cdk-lib', CLI_PATH, off, plain);
}
