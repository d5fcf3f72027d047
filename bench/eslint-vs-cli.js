#!/usr/bin/env node
/**
 * ESLint benchmark: the rel4lint CLI against ESLint running the rel4lint plugin's `recommended`
 * config with the typescript-eslint parser, on the same JavaScript files, measured in the same run
 * on the same machine (each side a whole process: start-up included). Prints wall times, the ratio,
 * peak RSS of each side and the core count. Target: CLI >= 7x faster.
 *
 *   node bench/eslint-vs-cli.js                 # corpus: aws-cdk-lib's JavaScript (npm pack, cached in $TMPDIR)
 *   node bench/eslint-vs-cli.js --corpus <dir>  # any directory (its .js files)
 *   node bench/eslint-vs-cli.js --runs 3        # best of N for each side
 *
 * Needs `npm run build` first (the CLI and the plugin run from dist/).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, cdkCorpus, timeChild, benchArgs } from './common.js';

const TARGET = 7;

const { values } = benchArgs(import.meta.url, {
  options: { corpus: { type: 'string' }, runs: { type: 'string', default: '1' } },
});
const runs = Math.max(1, Number(values.runs));


const corpus = path.resolve(values.corpus ?? cdkCorpus());
if (!existsSync(path.join(ROOT, 'dist', 'cli', 'main.js')) || !existsSync(path.join(ROOT, 'dist', 'eslint', 'plugin.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(2);
}

/** Every .js file under dir (node_modules and .git skipped, as both tools do), sorted. */
function listJs(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === '.git') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) listJs(full, out);
    else if (entry.name.endsWith('.js')) out.push(full);
  }
  return out.sort();
}

// Both sides get the same explicit list of files.
const files = listJs(corpus);
const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
console.log(`machine: ${os.availableParallelism()} cores, Node ${process.version}`);
console.log(`corpus: ${corpus}\n  ${files.length} .js files, ${(bytes / 1e6).toFixed(1)} MB`);

/** ESLint in a child process: the ESLint class with the plugin's recommended config on the given files. */
const ESLINT = `
import { ESLint } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import { readFileSync } from 'node:fs';
const { default: rel4 } = await import(${JSON.stringify(pathToFileURL(path.join(ROOT, 'dist', 'eslint', 'plugin.js')).href)});
const files = JSON.parse(readFileSync(0, 'utf8'));
const eslint = new ESLint({
  cwd: ${JSON.stringify(corpus)},
  overrideConfigFile: true,
  overrideConfig: [{ ...rel4.configs.recommended, files: ['**/*.js'], languageOptions: { parser: tsParser } }],
});
const results = await eslint.lintFiles(files);
const messages = results.reduce((n, r) => n + r.messages.length, 0);
const fatal = results.reduce((n, r) => n + r.messages.filter((m) => m.fatal).length, 0);
console.log(JSON.stringify({ files: results.length, messages, fatal }));
`;


let best = { eslint: Infinity, cli: Infinity, eslintRss: 0, cliRss: 0, eslintMessages: 0, cliFindings: 0 };
for (let i = 0; i < runs; i++) {
  const cli = timeChild([process.execPath, path.join(ROOT, 'bin', 'rel4lint.js'), ...files, '--format', 'json', '--no-progress'], undefined);
  if (cli.status !== 0 && cli.status !== 1) {
    console.error(cli.stderr);
    process.exit(2);
  }
  const eslint = timeChild([process.execPath, '--input-type=module', '-e', ESLINT], JSON.stringify(files));
  if (eslint.status !== 0) {
    console.error(eslint.stderr);
    process.exit(2);
  }
  const summary = JSON.parse(eslint.stdout.trim().split('\n').pop());
  best = {
    eslint: Math.min(best.eslint, eslint.ms),
    cli: Math.min(best.cli, cli.ms),
    eslintRss: Math.max(best.eslintRss, eslint.rssMb),
    cliRss: Math.max(best.cliRss, cli.rssMb),
    eslintMessages: summary.messages,
    eslintFatal: summary.fatal,
    cliFindings: JSON.parse(cli.stdout).findings.length,
  };
}
const ratio = best.eslint / best.cli;
console.log(`ESLint + plugin   : ${(best.eslint / 1000).toFixed(2)} s, peak RSS ${best.eslintRss.toFixed(0)} MB, ${best.eslintMessages} messages (${best.eslintFatal} parse errors)`);
console.log(`rel4lint CLI      : ${(best.cli / 1000).toFixed(2)} s, peak RSS ${best.cliRss.toFixed(0)} MB, ${best.cliFindings} findings`);
console.log(`ratio ESLint / CLI: ${ratio.toFixed(2)}x (target >= ${TARGET}x: ${ratio >= TARGET ? 'met' : 'NOT met'})`);
