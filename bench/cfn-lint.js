#!/usr/bin/env node
/**
 * rel4lint against cfn-lint on the same CloudFormation/SAM templates, measured in the same run on
 * the same machine, each a whole process, rounds interleaved (cfn-lint, rel4lint with its default
 * `--concurrency auto`, rel4lint `--concurrency off`); medians of wall time and CPU time and the
 * ratios. cfn-lint runs with the serverless-rules plugin (`cfn_lint_serverless`) when its Python
 * can import it, and without it otherwise (said so in the output). Target: rel4lint >= 40x faster
 * than cfn-lint with serverless-rules (wall, median of 3+).
 *
 *   node bench/cfn-lint.js <serverless-patterns checkout>   # its first 200 template.yaml/yml, sorted by path
 *   node bench/cfn-lint.js <checkout> --count 50            # fewer templates
 *   node bench/cfn-lint.js --templates <dir>                # every .yaml/.yml/.json/.template under a folder instead
 *   node bench/cfn-lint.js <checkout> --runs 5              # rounds (default 3)
 *   node bench/cfn-lint.js <checkout> --cfn-lint <path> --python <path>   # other cfn-lint / its Python
 *
 * The checkout: `git clone --depth 1 https://github.com/aws-samples/serverless-patterns`. The
 * templates are copied into a temporary folder (under their relative paths) and removed afterwards.
 * Needs `npm run build` first (the CLI runs from dist/) and cfn-lint on the PATH. serverless-rules:
 * `pip install cfn-lint-serverless`, or, without a package index, a checkout of
 * awslabs/serverless-rules on the Python path (`PYTHONPATH=<checkout>/cfn-lint-serverless`).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { CLI, machine, measure, median, patternTemplates, requireBuild, benchArgs } from './common.js';

const TARGET = 40;

const { values, positionals } = benchArgs(import.meta.url, {
  allowPositionals: true,
  options: {
    count: { type: 'string', default: '200' },
    runs: { type: 'string', default: '3' },
    templates: { type: 'string' },
    'cfn-lint': { type: 'string', default: 'cfn-lint' },
    python: { type: 'string', default: 'python3' },
  },
});
const runs = Math.max(1, Number(values.runs));
const cfnLint = values['cfn-lint'];
requireBuild();

const version = spawnSync(cfnLint, ['--version'], { encoding: 'utf8' });
if (version.status !== 0) {
  console.error(`${cfnLint} cannot be run (${version.error?.message ?? version.stderr.trim()}): install cfn-lint (pip install cfn-lint) or pass --cfn-lint <path>`);
  process.exit(2);
}

/** The serverless-rules plugin, when cfn-lint's Python has it. */
const plugin = spawnSync(values.python, ['-c', 'import cfnlint, cfn_lint_serverless'], { encoding: 'utf8' });
const withPlugin = plugin.status === 0;

let dir;
let files;
let bytes;
let temporary = false;
if (values.templates) {
  dir = path.resolve(values.templates);
  files = [];
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ya?ml|json|template)$/i.test(entry.name)) files.push(full);
    }
  };
  walk(dir);
  files.sort();
  bytes = files.reduce((n, f) => n + statSync(f).size, 0);
} else {
  if (positionals.length !== 1) {
    console.error('usage: node bench/cfn-lint.js <serverless-patterns checkout> [--count 200] [--runs 3] (or --templates <dir>)');
    process.exit(2);
  }
  ({ dir, files, bytes } = patternTemplates(path.resolve(positionals[0]), Math.max(1, Number(values.count))));
  temporary = true;
}

console.log(machine());
console.log(`cfn-lint: ${version.stdout.trim()}, ${withPlugin ? 'with serverless-rules (cfn_lint_serverless)' : `serverless-rules skipped: ${values.python} cannot import cfn_lint_serverless (pip install cfn-lint-serverless)`}`);
console.log(`templates: ${files.length} files, ${(bytes / 1e6).toFixed(2)} MB, copied to ${dir}`);

const cases = [
  ['cfn-lint' + (withPlugin ? ' + serverless-rules' : ''), [cfnLint, ...(withPlugin ? ['--append-rules', 'cfn_lint_serverless.rules'] : []), '--', ...files]],
  ['rel4lint (auto)', [process.execPath, CLI, dir, '--format', 'json', '--no-progress']],
  ['rel4lint (off)', [process.execPath, CLI, dir, '--format', 'json', '--no-progress', '--concurrency', 'off']],
];
const samples = new Map(cases.map(([label]) => [label, []]));
const counts = new Map();
try {
  for (let i = 0; i < runs; i++) {
    for (const [label, args] of cases) {
      const r = measure(args, { cwd: dir });
      const rel4lint = label.startsWith('rel4lint');
      // cfn-lint's exit code is a bit mask of the levels it found (2 error, 4 warning, 8 informational)
      if (rel4lint ? r.status !== 0 && r.status !== 1 : r.status === null || r.status === 1 || r.status >= 16) {
        console.error(`${label} failed (exit ${r.status}):\n${r.stderr.slice(-2000)}`);
        process.exit(2);
      }
      samples.get(label).push(r);
      if (rel4lint) {
        const report = JSON.parse(r.stdout);
        counts.set(label, `${report.findings.length} findings, ${report.summary.templates} templates`);
      } else {
        counts.set(label, `${r.stdout.split('\n').filter((l) => /^[EWI][A-Z]?\d{4} /.test(l)).length} matches`);
      }
    }
  }
} finally {
  if (temporary) rmSync(dir, { recursive: true, force: true });
}

const stat = (label) => ({
  ms: median(samples.get(label).map((r) => r.ms)),
  cpuMs: median(samples.get(label).map((r) => r.cpuMs)),
  rssMb: median(samples.get(label).map((r) => r.rssMb)),
});
const width = Math.max(...cases.map(([label]) => label.length)) + 1;
for (const [label] of cases) {
  const s = stat(label);
  console.log(`${label.padEnd(width)}: ${(s.ms / 1000).toFixed(2)} s wall, ${(s.cpuMs / 1000).toFixed(2)} s CPU, peak RSS ${s.rssMb.toFixed(0)} MB, ${counts.get(label)} (medians of ${runs})`);
}
const cfn = stat(cases[0][0]);
for (const [label] of cases.slice(1)) {
  const s = stat(label);
  const ratio = cfn.ms / s.ms;
  const verdict = withPlugin ? `target >= ${TARGET}x: ${ratio >= TARGET ? 'met' : 'NOT met'}` : `target >= ${TARGET}x is against cfn-lint with serverless-rules: not measured`;
  console.log(`ratio cfn-lint / ${label}: ${ratio.toFixed(1)}x wall, ${(cfn.cpuMs / s.cpuMs).toFixed(1)}x CPU (${verdict})`);
}
const auto = stat(cases[1][0]);
const off = stat(cases[2][0]);
console.log(`rel4lint auto / off: ${(auto.ms / off.ms).toFixed(2)} wall, ${(auto.cpuMs / off.cpuMs).toFixed(2)} CPU`);
console.log(machine().replace(/^machine: .*, load/, 'load'));
