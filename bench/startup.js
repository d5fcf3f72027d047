#!/usr/bin/env node
/**
 * Start-up benchmark: how long the rel4lint CLI takes on the smallest runs, each a whole process
 * as a pre-commit hook or an editor's on-save run starts it: `rel4lint --version`, an empty
 * folder, one SAM template, one TypeScript file. The peer baseline, measured in the same run, is
 * ESLint (this repository's own) with the typescript-eslint parser and a minimal flat config on
 * the same TypeScript file; `node -e 0` shows the floor of any Node.js process on the machine.
 * Runs are interleaved (each round runs every case once) and the medians are printed with their
 * ratios to ESLint's. Targets: empty folder and one template <= 0.25 s, one TypeScript file <= 0.5 s.
 *
 * The runs keep their caches in a folder of their own (XDG_CACHE_HOME), filled by an uncounted
 * first round: "one TypeScript file" is a later run, with TypeScript's compiled code cached (Node.js
 * before 22.1: rel4lint's cache; later: Node's compile cache, in its own folder), and "first run" a
 * run with an empty cache folder each time (Node.js before 22.1 only).
 *
 *   node bench/startup.js                       # 10 rounds
 *   node bench/startup.js --runs 20             # more rounds
 *   node bench/startup.js --baseline ../other   # also another built checkout, same rounds; prints its ratios
 *
 * Wall times on a busy machine swing with the load; the CPU time of each process (user + system)
 * is printed too, and is steadier. Needs `npm run build` first (the CLI runs from dist/).
 */
import module from 'node:module';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, machine, measure, median, requireBuild, benchArgs } from './common.js';

const TARGETS = { 'empty folder': 250, 'one SAM template': 250, 'one TypeScript file': 500 };

const { values } = benchArgs(import.meta.url, {
  options: { runs: { type: 'string', default: '10' }, baseline: { type: 'string' } },
});
const runs = Math.max(1, Number(values.runs));

requireBuild();
/** The checkouts to measure: this one, and the baseline when given (label, root). */
const builds = [['rel4lint', ROOT]];
if (values.baseline) {
  const base = path.resolve(values.baseline);
  if (!existsSync(path.join(base, 'dist', 'cli', 'main.js'))) {
    console.error(`${base}/dist is missing: build the baseline first`);
    process.exit(2);
  }
  builds.push(['baseline', base]);
}

// one folder per case, so that each scan sees only its own file
const work = mkdtempSync(path.join(os.tmpdir(), 'rel4lint-bench-startup-'));
const folder = (name) => {
  const dir = path.join(work, name);
  mkdirSync(dir);
  return dir;
};
const empty = folder('empty');
const template = folder('template');
copyFileSync(path.join(ROOT, 'examples', 'orders-app', 'template.yaml'), path.join(template, 'template.yaml'));
const code = folder('code');
const codeFile = path.join(code, 'create-order.ts');
copyFileSync(path.join(ROOT, 'examples', 'orders-app', 'src', 'handlers', 'create-order.ts'), codeFile);
// ESLint: its own folder, a flat config with the typescript-eslint parser and no plugin
const eslintDir = folder('eslint');
const eslintFile = path.join(eslintDir, 'create-order.ts');
copyFileSync(codeFile, eslintFile);
const parserUrl = pathToFileURL(path.join(ROOT, 'node_modules', '@typescript-eslint', 'parser', 'dist', 'index.js')).href;
writeFileSync(
  path.join(eslintDir, 'eslint.config.js'),
  `import * as parser from ${JSON.stringify(parserUrl)};\nexport default [{ files: ['**/*.ts'], languageOptions: { parser }, rules: { 'no-debugger': 'error' } }];\n`,
);
writeFileSync(path.join(eslintDir, 'package.json'), '{ "type": "module" }\n');
const eslintBin = path.join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js');

// the caches of the runs: one folder for the later runs, a new empty one for each first run
const cacheHome = folder('cache');
let firstRuns = 0;
const cacheIn = (home) => {
  const env = { ...process.env, XDG_CACHE_HOME: home };
  delete env.NODE_DISABLE_COMPILE_CACHE;
  return env;
};
const withCache = () => cacheIn(cacheHome);
const emptyCache = () => cacheIn(folder(`cache-${++firstRuns}`));
const ownCodeCache = !('enableCompileCache' in module);

/** The cases: label, kind (the target's key), command, working directory, environment (a function, called per run). */
const cases = [['node -e 0', 'node', [process.execPath, '-e', '0'], work]];
for (const [label, root] of builds) {
  const cli = [process.execPath, path.join(root, 'bin', 'rel4lint.js')];
  const prefix = builds.length > 1 ? `${label}: ` : '';
  cases.push(
    [`${prefix}--version`, '--version', [...cli, '--version'], work],
    [`${prefix}empty folder`, 'empty folder', [...cli, '--no-progress', empty], work],
    [`${prefix}one SAM template`, 'one SAM template', [...cli, '--no-progress', template], work],
    [`${prefix}one TypeScript file`, 'one TypeScript file', [...cli, '--no-progress', code], work],
  );
  if (ownCodeCache) cases.push([`${prefix}one TypeScript file, first run`, 'first run', [...cli, '--no-progress', code], work, emptyCache]);
}
cases.push(['eslint, one file', 'eslint', [process.execPath, eslintBin, '--config', path.join(eslintDir, 'eslint.config.js'), eslintFile], eslintDir]);

/** Runs a command: wall time and CPU time of the process (ms). */
function time(args, cwd, env = withCache) {
  const r = measure(args, { cwd, env: env() });
  if (r.status !== 0 && r.status !== 1) {
    console.error(`${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
    process.exit(2);
  }
  return r;
}

console.log(machine());
const samples = new Map(cases.map(([label]) => [label, { wall: [], cpu: [] }]));
try {
  // one warm-up round (file system cache), not counted
  for (const [, , args, cwd, env] of cases) time(args, cwd, env);
  for (let i = 0; i < runs; i++) {
    for (const [label, , args, cwd, env] of cases) {
      const t = time(args, cwd, env);
      samples.get(label).wall.push(t.ms);
      samples.get(label).cpu.push(t.cpuMs);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const eslint = samples.get('eslint, one file');
const eslintWall = median(eslint.wall);
const eslintCpu = median(eslint.cpu);
const width = Math.max(...cases.map(([label]) => label.length)) + 1;
console.log(`medians of ${runs} rounds; ratio = this case / eslint on one file (below 1: faster than ESLint)`);
for (const [label, kind] of cases) {
  const s = samples.get(label);
  const wall = median(s.wall);
  const cpu = median(s.cpu);
  const target = TARGETS[kind];
  const verdict = target === undefined ? '' : `  (target <= ${(target / 1000).toFixed(2)} s: ${wall <= target ? 'met' : 'NOT met'})`;
  console.log(
    `${label.padEnd(width)}: ${(wall / 1000).toFixed(3)} s wall, ${(cpu / 1000).toFixed(3)} s CPU, ratio ${(wall / eslintWall).toFixed(2)} wall / ${(cpu / eslintCpu).toFixed(2)} CPU${verdict}`,
  );
}
console.log(machine().replace(/^machine: .*, load/, 'load'));
