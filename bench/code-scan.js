#!/usr/bin/env node
/**
 * Code-scan benchmark: the rel4lint CLI against a bare TypeScript parse + full walk of the same
 * files, measured in the same run on the same machine. Prints wall times, the ratio, the CLI's
 * peak RSS and the core count.
 *
 *   node bench/code-scan.js                 # corpus: aws-cdk-lib's JavaScript (npm pack, cached in $TMPDIR)
 *   node bench/code-scan.js --corpus <dir>  # any directory
 *   node bench/code-scan.js --runs 3        # best of N for each side
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
import { parseArgs } from 'node:util';
import { ROOT, cdkCorpus, requireBuild, timeChild } from './common.js';


const { values } = parseArgs({
  options: { corpus: { type: 'string' }, runs: { type: 'string', default: '1' } },
});
const runs = Math.max(1, Number(values.runs));


const corpus = path.resolve(values.corpus ?? cdkCorpus());
requireBuild();

function listCode(dir, out = []) {
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
writeFileSync(allRoles, JSON.stringify({ roles: { test: 'on', frontend: 'on', script: 'on', generated: 'on' } }));
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
