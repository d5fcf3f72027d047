/** Helpers the benchmark scripts share: the pinned corpus, the built CLI, timing child processes. */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = path.join(ROOT, 'bin', 'rel4lint.js');
export const CDK_VERSION = '2.276.0';

/** aws-cdk-lib's package contents, fetched once with `npm pack` into the temp directory. */
export function cdkCorpus() {
  const dir = path.join(tmpdir(), `rel4lint-bench-aws-cdk-lib-${CDK_VERSION}`);
  const pkg = path.join(dir, 'package');
  if (!existsSync(pkg)) {
    mkdirSync(dir, { recursive: true });
    console.error(`fetching aws-cdk-lib@${CDK_VERSION} with npm pack into ${dir} ...`);
    const tgz = execFileSync('npm', ['pack', `aws-cdk-lib@${CDK_VERSION}`, '--silent'], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop();
    execFileSync('tar', ['xzf', tgz], { cwd: dir });
  }
  return pkg;
}

/** Exits with a message when the CLI has not been built. */
export function requireBuild() {
  if (!existsSync(path.join(ROOT, 'dist', 'cli', 'main.js'))) {
    console.error('dist/ is missing: run `npm run build` first');
    process.exit(2);
  }
}

/** Runs a command as a child process from the repository: wall time, CPU time and peak RSS (see `measure`). */
export function timeChild(args, input) {
  return measure(args, { input });
}

/**
 * A copy of the built CLI that reads no CDK app code: code files that import aws-cdk-lib are
 * analysed as plain code, as before constructs in source were read. The same build otherwise
 * (dist/ copied into a temp directory, `mayDefineCdkResources` patched to answer false). Returns
 * the copy's CLI path.
 */
export function cliWithoutCdkSource() {
  const dir = mkdtempSync(path.join(tmpdir(), 'rel4lint-bench-nocdk-'));
  cpSync(path.join(ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true });
  cpSync(path.join(ROOT, 'bin'), path.join(dir, 'bin'), { recursive: true });
  cpSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
  for (const linked of ['node_modules', 'vendor', 'schema']) symlinkSync(path.join(ROOT, linked), path.join(dir, linked));
  const patch = (file, signature) => {
    const full = path.join(dir, 'dist', file);
    const text = readFileSync(full, 'utf8');
    if (!text.includes(signature)) throw new Error(`${file}: \`${signature}\` not found, the bench needs updating`);
    writeFileSync(full, text.replace(signature, `${signature}\n    return false;`));
  };
  patch('cdk/sniff.js', 'export function mayDefineCdkResources(text) {');
  return path.join(dir, 'bin', 'rel4lint.js');
}

/** Runs a command as a child process: wall time, CPU time (user + system) and peak RSS of the process. */
export function measure(args, { cwd = ROOT, input, env } = {}) {
  const t0 = process.hrtime.bigint();
  const res = spawnSync('/usr/bin/time', ['-f', '%M %U %S', ...args], { input, encoding: 'utf8', maxBuffer: 1 << 30, cwd, env });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const [rssKb, user, sys] = res.stderr.trim().split('\n').pop().split(' ').map(Number);
  return { ms, cpuMs: (user + sys) * 1000, rssMb: rssKb / 1024, stdout: res.stdout, stderr: res.stderr, status: res.status };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The machine line every script prints first. */
export function machine() {
  const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
  return `machine: ${os.availableParallelism()} cores, Node ${process.version}, load average ${load}`;
}

/**
 * The first `count` files named template.yaml or template.yml of a serverless-patterns checkout
 * (sorted by path; node_modules, .git, .aws-sam and cdk.out left out), copied into a temporary
 * folder under their relative paths. Returns the folder, the files and their size in bytes.
 */
export function patternTemplates(checkout, count) {
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (!['node_modules', '.git', '.aws-sam', 'cdk.out'].includes(entry.name)) walk(path.join(dir, entry.name));
      } else if (entry.isFile() && (entry.name === 'template.yaml' || entry.name === 'template.yml')) {
        found.push(path.relative(checkout, path.join(dir, entry.name)));
      }
    }
  };
  walk(checkout);
  const chosen = found.sort().slice(0, count);
  const dir = mkdtempSync(path.join(tmpdir(), 'rel4lint-bench-patterns-'));
  let bytes = 0;
  for (const rel of chosen) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    copyFileSync(path.join(checkout, rel), path.join(dir, rel));
    bytes += statSync(path.join(dir, rel)).size;
  }
  return { dir, files: chosen.map((rel) => path.join(dir, rel)), bytes };
}

/**
 * The command line of a bench script (a `parseArgs` config): `--help` prints the script's opening
 * comment, and a mistyped option ends the run with a one-line message instead of a stack trace.
 */
export function benchArgs(scriptUrl, config) {
  const file = fileURLToPath(scriptUrl);
  let parsed;
  try {
    parsed = parseArgs({ ...config, options: { ...config.options, help: { type: 'boolean', short: 'h' } } });
  } catch (err) {
    console.error(`${path.basename(file)}: ${err.message} (--help lists the options)`);
    process.exit(2);
  }
  if (parsed.values.help) {
    const doc = /\/\*\*([\s\S]*?)\*\//.exec(readFileSync(file, 'utf8'))?.[1] ?? '';
    console.log(doc.split('\n').map((l) => l.replace(/^\s*\* ?/, '')).join('\n').trim());
    process.exit(0);
  }
  return parsed;
}
