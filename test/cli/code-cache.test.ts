/**
 * TypeScript's compiled code kept between runs of the shipped bin, on Node.js versions without a
 * compile cache of their own (before 22.1): the first scan with a code file writes one cache file
 * in `$XDG_CACHE_HOME/rel4lint/code`, later scans use it as it is, a corrupt file is replaced, two scans
 * at once leave one whole file, and none of it changes what a scan reports. Where Node.js has its
 * own cache (`module.enableCompileCache`), rel4lint writes none.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import module from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { project } from '../helpers/tmp.js';
import { ROOT } from '../helpers/fixtures.js';

/** Whether rel4lint keeps the cache itself on this Node.js. */
const OWN_CACHE = !('enableCompileCache' in module);

const CODE = [
  "import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';",
  'const lambda = new LambdaClient({});',
  "export const run = () => lambda.send(new InvokeCommand({ FunctionName: 'pricing' }));",
  '',
].join('\n');
const FINDING = /^src\/run\.ts:3:\d+: error .*\[no-sync-lambda-invoke\]$/;

function environment(cacheHome: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: cacheHome, ...extra };
  if (extra['NODE_DISABLE_COMPILE_CACHE'] === undefined) delete env['NODE_DISABLE_COMPILE_CACHE'];
  return env;
}

const ARGS = (more: string[]): string[] => [path.join(ROOT, 'bin', 'rel4lint.js'), '.', '--format', 'compact', '--no-progress', ...more];

function scan(root: string, cacheHome: string, extra: Record<string, string> = {}, more: string[] = []): { status: number | null; findings: string[] } {
  const r = spawnSync(process.execPath, ARGS(more), { cwd: root, env: environment(cacheHome, extra), encoding: 'utf8' });
  return { status: r.status, findings: r.stdout.trim().split('\n').filter(Boolean) };
}

function scanAsync(root: string, cacheHome: string): Promise<{ status: number | null; findings: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ARGS([]), { cwd: root, env: environment(cacheHome), stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, findings: out.trim().split('\n').filter(Boolean) }));
  });
}

/** The files in the cache folder (none when it does not exist). */
function cacheFiles(cacheHome: string): string[] {
  const dir = path.join(cacheHome, 'rel4lint', 'code');
  return fs.existsSync(dir) ? fs.readdirSync(dir).map((name) => path.join(dir, name)) : [];
}

function expectOneFinding(r: { status: number | null; findings: string[] }): void {
  expect(r.status).toBe(1);
  expect(r.findings).toHaveLength(1);
  expect(r.findings[0]).toMatch(FINDING);
}

// each scan is a process that loads TypeScript: seconds apiece on a busy machine
describe('the compiled-code cache of TypeScript', { timeout: 120_000 }, () => {
  it('is written by the first scan with a code file and used as it is by the next; a corrupt file is replaced', () => {
    const root = project({ 'src/run.ts': CODE });
    const home = project({});
    expectOneFinding(scan(root, home));
    const files = cacheFiles(home);
    if (!OWN_CACHE) {
      expect(files).toEqual([]);
      return;
    }
    expect(files).toHaveLength(1);
    const [file] = files as [string];
    expect(file).toMatch(/[\\/]typescript-[0-9a-f]{16}-[0-9a-f]{16}\.v8$/);
    const first = fs.statSync(file);
    expect(first.size).toBeGreaterThan(100_000);
    if (process.platform !== 'win32') expect(first.mode & 0o777).toBe(0o600);

    // the next run reads it and leaves it alone
    expectOneFinding(scan(root, home));
    const second = fs.statSync(file);
    expect([second.ino, second.mtimeMs, second.size]).toEqual([first.ino, first.mtimeMs, first.size]);

    // a file in use is marked so, at most once a day: pruning keeps the files runs use
    const threeDaysAgo = new Date(Date.now() - 3 * 24 * 3600 * 1000);
    fs.utimesSync(file, threeDaysAgo, threeDaysAgo);
    expectOneFinding(scan(root, home));
    expect(Date.now() - fs.statSync(file).mtimeMs).toBeLessThan(600_000);

    // data V8 rejects: ignored, and replaced by good data
    fs.writeFileSync(file, 'not compiled code');
    expectOneFinding(scan(root, home));
    expect(cacheFiles(home)).toEqual([file]);
    expect(fs.statSync(file).size).toBeGreaterThan(100_000);
  });

  it('writing a cache file removes files unused for a month, all but the 16 used last, and temporary files left behind', () => {
    const root = project({ 'src/run.ts': CODE });
    const home = project({});
    const dir = path.join(home, 'rel4lint', 'code');
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const put = (name: string, hoursAgo: number): string => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, 'x');
      const at = new Date(Date.now() - hoursAgo * 3600 * 1000);
      fs.utimesSync(file, at, at);
      return file;
    };
    const hex = (n: number): string => n.toString(16).padStart(16, '0');
    const stale = [1, 2, 3].map((i) => put(`typescript-${hex(i)}-${hex(0)}.v8`, 24 * (30 + i)));
    const recent = Array.from({ length: 18 }, (_, i) => put(`typescript-${hex(100 + i)}-${hex(0)}.v8`, i + 1));
    const leftover = put('.typescript-x.v8.123.0.abc.tmp', 2);
    const writing = put('.typescript-y.v8.456.0.def.tmp', 0);
    const other = put('notes.txt', 24 * 400);
    expectOneFinding(scan(root, home));
    const left = cacheFiles(home);
    if (!OWN_CACHE) {
      expect(left.sort()).toEqual([...stale, ...recent, leftover, writing, other].sort());
      return;
    }
    const written = left.filter((f) => ![...recent, writing, other].includes(f));
    expect(written).toHaveLength(1);
    expect(written[0]).toMatch(/[\\/]typescript-[0-9a-f]{16}-[0-9a-f]{16}\.v8$/);
    // the new file and the 15 used last of the others
    expect(left.sort()).toEqual([...written, ...recent.slice(0, 15), writing, other].sort());
  });

  it('two scans at once leave one whole cache file, which the next scan uses', async () => {
    const root = project({ 'src/run.ts': CODE });
    const home = project({});
    const both = await Promise.all([scanAsync(root, home), scanAsync(root, home)]);
    for (const r of both) expectOneFinding(r);
    const files = cacheFiles(home);
    if (!OWN_CACHE) {
      expect(files).toEqual([]);
      return;
    }
    expect(files).toHaveLength(1);
    const before = fs.statSync(files[0]!);
    expectOneFinding(scan(root, home));
    const after = fs.statSync(files[0]!);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it('is not written with NODE_DISABLE_COMPILE_CACHE=1, nor in a folder other users can write', () => {
    const root = project({ 'src/run.ts': CODE });
    const home = project({});
    expectOneFinding(scan(root, home, { NODE_DISABLE_COMPILE_CACHE: '1' }));
    expect(cacheFiles(home)).toEqual([]);

    if (process.platform === 'win32') return;
    const shared = project({});
    fs.mkdirSync(path.join(shared, 'rel4lint', 'code'), { recursive: true });
    fs.chmodSync(path.join(shared, 'rel4lint', 'code'), 0o777);
    expectOneFinding(scan(root, shared));
    expect(cacheFiles(shared)).toEqual([]);
  });

  it('worker threads use it too, with the same findings as without it', () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 4; i++) files[`src/run${i}.ts`] = CODE;
    const root = project(files);
    const home = project({});
    const without = scan(root, home, { NODE_DISABLE_COMPILE_CACHE: '1' }, ['--concurrency', '2']);
    expect(without.status).toBe(1);
    expect(without.findings).toHaveLength(4);
    // the first run writes the cache, the second uses it, on the main thread and in the workers
    for (let run = 0; run < 2; run++) {
      const withCache = scan(root, home, {}, ['--concurrency', '2']);
      expect(withCache).toEqual(without);
    }
    expect(cacheFiles(home)).toHaveLength(OWN_CACHE ? 1 : 0);
  });
});
