/** Helpers the benchmark scripts share: the pinned corpus, the built CLI, timing child processes. */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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

/** Runs a command as a child process; returns wall time and peak RSS (via /usr/bin/time). */
export function timeChild(args, input) {
  const t0 = process.hrtime.bigint();
  const res = spawnSync('/usr/bin/time', ['-f', '%M', ...args], { input, encoding: 'utf8', maxBuffer: 1 << 28, cwd: ROOT });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const rssKb = Number(res.stderr.trim().split('\n').pop());
  return { ms, rssMb: rssKb / 1024, stdout: res.stdout, status: res.status, stderr: res.stderr };
}
