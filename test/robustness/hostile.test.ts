/**
 * A hostile repository: the tree a CI gate scans comes from a pull request, symbolic links
 * included, and so may every file rel4lint reads from it or writes into it. Each case is made at
 * test time in a temporary directory (nothing large is committed) beside two good files with a
 * known finding each, and asserts the exit code, a message naming the file, and the good files'
 * findings. Cases that could block or exhaust memory run the shipped bin in a child process, so
 * that a regression fails the test instead of hanging the test runner; no assertion depends on
 * the machine's speed except through a bound measured in the same test.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { project, run } from '../helpers/cli.js';
import { ROOT } from '../helpers/fixtures.js';

const BIN = path.join(ROOT, 'bin', 'rel4lint.js');
/** Only to catch a hang: every case here finishes far sooner on any machine. */
const HANG = 300_000;

const CODE = [
  "import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';",
  'const lambda = new LambdaClient({});',
  "export const handler = async () => lambda.send(new InvokeCommand({ FunctionName: 'tax' }));",
  '',
].join('\n');
const TEMPLATE = ['AWSTemplateFormatVersion: 2010-09-09', 'Resources:', '  WorkQueue:', '    Type: AWS::SQS::Queue', ''].join('\n');
const GOOD = { 'good/good.ts': CODE, 'good/good.yaml': TEMPLATE };
const GOOD_FINDINGS = ['no-sync-lambda-invoke good/good.ts:3', 'require-queue-dlq good/good.yaml:3'];

interface JsonFinding {
  rule: string;
  file: string;
  message: string;
  range: { start: { line: number } };
}

function summary(stdout: string): string[] {
  return (JSON.parse(stdout) as { findings: JsonFinding[] }).findings.map((f) => `${f.rule} ${f.file}:${f.range.start.line}`);
}

function mkfifo(file: string): void {
  execFileSync('mkfifo', [file]);
}

/** A file of `size` bytes that takes no disk space (a hole), to test size limits. */
function sparse(file: string, size: number): void {
  fs.writeFileSync(file, '');
  fs.truncateSync(file, size);
}

interface BinRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** Peak resident memory of the process in bytes (Linux: its high-water mark, sampled while it runs). */
  peakRss?: number;
}

/** The high-water mark of a process's resident memory, from /proc (undefined elsewhere or once it is gone). */
function highWaterMark(pid: number): number | undefined {
  try {
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

const GIB = 1024 * 1024 * 1024;

/** Runs the shipped bin in a child process; kills it (and fails) if it hangs. */
function runBin(args: string[], cwd: string, env: Record<string, string> = {}): Promise<BinRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peakRss: number | undefined;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // a high-water mark only grows: sampling now and then sees every peak but one in the last moments
    const sample = (): void => {
      const hwm = child.pid === undefined ? undefined : highWaterMark(child.pid);
      if (hwm !== undefined) peakRss = Math.max(peakRss ?? 0, hwm);
    };
    const sampler = setInterval(sample, 25);
    child.on('exit', sample);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`rel4lint ${args.join(' ')} hung; stderr: ${stderr}`));
    }, HANG);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(sampler);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - t0, peakRss });
    });
  });
}

/** Exit code 1 with the good files' findings: whatever else the tree held, the scan went on. */
function expectGoodScan(r: { code: number | null; stdout: string; stderr: string; peakRss?: number }): void {
  expect(r.code, r.stderr).toBe(1);
  expect(summary(r.stdout)).toEqual(expect.arrayContaining(GOOD_FINDINGS));
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  expectBoundedMemory(r);
}

/** A user error (exit 2) on one line, without a stack trace. */
function expectUserError(r: { code: number | null; stderr: string; peakRss?: number }, message: string | RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  if (typeof message === 'string') expect(r.stderr).toContain(message);
  else expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  expectBoundedMemory(r);
}

/** Peak memory under 1 GiB, where it was measured (a run of the bin on Linux). */
function expectBoundedMemory(r: { peakRss?: number }): void {
  if (r.peakRss !== undefined) expect(r.peakRss).toBeLessThan(GIB);
}

const SCAN = ['.', '--format', 'json', '--no-progress', '--concurrency', 'off'];

describe('a hostile repository: files rel4lint reads', () => {
  it('skips a FIFO and a device among the scanned files, directly or through links', { timeout: HANG }, async () => {
    const root = project(GOOD);
    mkfifo(path.join(root, 'pipe.yaml'));
    mkfifo(path.join(root, 'pipe.ts'));
    fs.symlinkSync('pipe.ts', path.join(root, 'to-pipe.ts'));
    fs.symlinkSync('/dev/zero', path.join(root, 'zero.yaml'));
    fs.symlinkSync('/dev/zero', path.join(root, 'zero.ts'));
    const r = await runBin(SCAN, root);
    expectGoodScan(r);
    // the memory bound is measured (a node process holds tens of MiB)
    if (process.platform === 'linux') expect(r.peakRss).toBeGreaterThan(10 * 1024 * 1024);
    for (const name of ['pipe.yaml', 'pipe.ts', 'to-pipe.ts', 'zero.yaml', 'zero.ts']) expect(r.stderr).toContain(`skipped ${name}: not a regular file`);
    expect(summary(r.stdout).filter((s) => !s.includes(' good/'))).toEqual([]);
  });

  it('refuses a configuration file that is a FIFO, a device, a link out of the tree, or too large', { timeout: HANG }, async () => {
    const outside = project({ 'secret.json': JSON.stringify({ preset: 'strict' }) });
    const cases: [string, (file: string) => void, string][] = [
      ['rel4lint.config.json', (f) => mkfifo(f), 'config file rel4lint.config.json is a FIFO, not a regular file'],
      ['rel4lint.config.yaml', (f) => fs.symlinkSync('/dev/zero', f), 'config file rel4lint.config.yaml is a symbolic link to a file outside the working directory'],
      ['rel4lint.config.json', (f) => fs.symlinkSync(path.join(outside, 'secret.json'), f), 'config file rel4lint.config.json is a symbolic link to a file outside the working directory'],
      ['rel4lint.config.yml', (f) => fs.writeFileSync(f, `# ${'x'.repeat(1024 * 1024)}\n`), 'config file rel4lint.config.yml is over the size limit of 1 MiB'],
    ];
    for (const [name, make, message] of cases) {
      const root = project(GOOD);
      make(path.join(root, name));
      expectUserError(await runBin(SCAN, root), message);
    }
    // named on the command line, outside the tree: taken as written, still a regular file only
    mkfifo(path.join(outside, 'fifo.json'));
    for (const [file, message] of [
      ['/dev/zero', 'config file /dev/zero is a character device, not a regular file'],
      [path.join(outside, 'fifo.json'), `config file ${path.join(outside, 'fifo.json')} is a FIFO, not a regular file`],
    ]) {
      expectUserError(await runBin([...SCAN, '--config', file!], project(GOOD)), message!);
    }
    // the configuration files of a folder below: the same
    const nested = project(GOOD);
    mkfifo(path.join(nested, 'good', 'rel4lint.config.json'));
    expectUserError(await runBin(SCAN, nested), 'config file good/rel4lint.config.json is a FIFO, not a regular file');
    fs.rmSync(path.join(nested, 'good', 'rel4lint.config.json'));
    fs.symlinkSync('/dev/zero', path.join(nested, 'good', 'rel4lint.config.yaml'));
    expectUserError(await runBin(SCAN, nested), 'config file good/rel4lint.config.yaml is a symbolic link to a file outside the working directory');
    // a link inside the tree is followed
    const root = project({ ...GOOD, 'configs/strict.json': JSON.stringify({ rules: { 'no-sync-lambda-invoke': 'off' } }) });
    fs.symlinkSync('configs/strict.json', path.join(root, 'rel4lint.config.json'));
    const linked = await run(SCAN, root);
    expect(linked.code, linked.stderr).toBe(1);
    expect(summary(linked.stdout)).toEqual(['require-queue-dlq good/good.yaml:3']);
  });

  it('reports a configuration alias bomb or nesting bomb as a configuration error, without a stack trace', { timeout: HANG }, async () => {
    const levels = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i++) levels.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    const bomb = project({ ...GOOD, 'rel4lint.config.yaml': `${levels.join('\n')}\n` });
    expectUserError(await runBin(SCAN, bomb), /rel4lint\.config\.yaml: invalid YAML \(Excessive alias count/);
    const deep = project({ ...GOOD, 'rel4lint.config.yaml': `rules: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n` });
    expectUserError(await runBin(SCAN, deep), /rel4lint\.config\.yaml(:\d+:\d+)?: invalid YAML/);
  });

  it('does not apply a .gitignore that is a FIFO, a device, a link or too large, and says so', { timeout: HANG }, async () => {
    const root = project({ ...GOOD, 'a/.gitignore': '*.ts\n', 'a/app.ts': CODE, 'b/app.ts': CODE, 'c/app.ts': CODE, 'd/app.ts': CODE, 'e/app.ts': CODE });
    fs.symlinkSync('/dev/zero', path.join(root, 'b', '.gitignore'));
    mkfifo(path.join(root, 'c', '.gitignore'));
    // a link to a readable .gitignore inside the tree: git does not follow it either
    fs.symlinkSync('../a/.gitignore', path.join(root, 'd', '.gitignore'));
    fs.writeFileSync(path.join(root, 'e', '.gitignore'), `*.ts\n#${'x'.repeat(1024 * 1024)}\n`);
    const r = await runBin(SCAN, root);
    expectGoodScan(r);
    expect(r.stderr).toContain('skipped b/.gitignore: a symbolic link, which is not followed; its patterns were not applied');
    expect(r.stderr).toContain('skipped c/.gitignore: a FIFO, not a regular file; its patterns were not applied');
    expect(r.stderr).toContain('skipped d/.gitignore: a symbolic link, which is not followed; its patterns were not applied');
    expect(r.stderr).toMatch(/skipped e\/.gitignore: over the size limit of 1 MiB \(1 MiB\); its patterns were not applied/);
    // a/ applied its own .gitignore; the others were scanned whole
    expect(summary(r.stdout).filter((s) => !s.includes(' good/')).sort()).toEqual(['b', 'c', 'd', 'e'].map((d) => `no-sync-lambda-invoke ${d}/app.ts:3`));
  });

  it('refuses a baseline that is a FIFO, a device or a link out of the tree', { timeout: HANG }, async () => {
    const outside = project({ 'other.json': JSON.stringify({ version: 1, entries: [] }) });
    const cases: [(file: string) => void, string][] = [
      [(f) => mkfifo(f), 'baseline base.json is a FIFO, not a regular file'],
      [(f) => fs.symlinkSync('/dev/zero', f), 'baseline base.json is a symbolic link to a file outside the working directory'],
      [(f) => fs.symlinkSync(path.join(outside, 'other.json'), f), 'baseline base.json is a symbolic link to a file outside the working directory'],
      // sparse: no disk space taken, refused by its size before a byte is read
      [(f) => sparse(f, 257 * 1024 * 1024), 'baseline base.json is over the size limit of 256 MiB (257 MiB)'],
    ];
    for (const [make, message] of cases) {
      const root = project(GOOD);
      make(path.join(root, 'base.json'));
      expectUserError(await runBin([...SCAN, '--baseline', 'base.json'], root), message);
    }
    expectUserError(await runBin([...SCAN, '--baseline', '/dev/zero'], project(GOOD)), 'baseline /dev/zero is a character device, not a regular file');
  });

  it('ignores a cache that is a FIFO, a device, a link out of the tree or too large, with a warning; the scan is whole', { timeout: HANG }, async () => {
    const outside = project({ 'forged.json': '{}' });
    const cases: [string, (file: string) => void, string, RegExp][] = [
      ['cache.json', (f) => mkfifo(f), 'cache cache.json is a FIFO, not a regular file; it was not used', /cannot write the cache: cache\.json is a FIFO/],
      ['cache.json', (f) => fs.symlinkSync('/dev/zero', f), 'cache cache.json is a symbolic link to a file outside the working directory, which is not followed; it was not used', /cannot write the cache: cache\.json is a symbolic link/],
      ['cache.json', (f) => fs.symlinkSync(path.join(outside, 'forged.json'), f), 'cache cache.json is a symbolic link to a file outside the working directory, which is not followed; it was not used', /cannot write the cache: cache\.json is a symbolic link/],
      ['/dev/zero', () => undefined, 'cache /dev/zero is a character device, not a regular file; it was not used', /cannot write the cache: \/dev\/zero is a character device/],
    ];
    for (const [name, make, message, write] of cases) {
      const root = project(GOOD);
      make(path.join(root, name));
      const r = await runBin([...SCAN, '--cache', '--cache-location', name], root);
      expectGoodScan(r);
      expect(r.stderr).toContain(message);
      // nor is the cache written through what is there
      expect(r.stderr).toMatch(write);
    }
    expect(fs.readFileSync(path.join(outside, 'forged.json'), 'utf8')).toBe('{}');
    // too large: ignored, and replaced by this run's
    const root = project(GOOD);
    sparse(path.join(root, 'cache.json'), 257 * 1024 * 1024);
    const r = await runBin([...SCAN, '--cache', '--cache-location', 'cache.json'], root);
    expectGoodScan(r);
    expect(r.stderr).toContain('cache cache.json is over the size limit of 256 MiB (257 MiB); it was not used');
    expect(fs.statSync(path.join(root, 'cache.json')).size).toBeLessThan(1024 * 1024);
  });

  it('treats malformed cache entries as misses', { timeout: HANG }, async () => {
    const root = project(GOOD);
    const cache = path.join(project({}), 'cache.json');
    const first = await run([...SCAN, '--cache', '--cache-location', cache], root);
    expectGoodScan(first);
    const data = JSON.parse(fs.readFileSync(cache, 'utf8')) as { files: Record<string, unknown> };
    const hash = (data.files['good/good.ts'] as { hash: string }).hash;
    const entries: unknown[] = [null, [null], { hash }, { hash, findings: [null] }, { hash, findings: [{ rule: 'x' }] }, { hash, findings: 'x' }];
    for (const entry of entries) {
      fs.writeFileSync(cache, JSON.stringify({ ...data, files: { 'good/good.ts': entry } }));
      const r = await run([...SCAN, '--cache', '--cache-location', cache], root);
      expectGoodScan(r);
      expect(r.stdout).toBe(first.stdout);
    }
    for (const whole of ['[null]', 'null', '{"format":1,"files":[null]}', '{']) {
      fs.writeFileSync(cache, whole);
      const r = await run([...SCAN, '--cache', '--cache-location', cache], root);
      expect(r.stdout).toBe(first.stdout);
    }
  });

  it('does not follow a cache entry to files outside its own and the ones its analysis read', { timeout: HANG }, async () => {
    const outside = project({ 'secret.ts': 'const password = "hunter2";\n' });
    const root = project(GOOD);
    mkfifo(path.join(root, 'pipe'));
    const cache = path.join(project({}), 'cache.json');
    const first = await runBin([...SCAN, '--cache', '--cache-location', cache], root);
    expectGoodScan(first);
    const data = JSON.parse(fs.readFileSync(cache, 'utf8')) as { files: Record<string, { hash: string; findings: { file: string }[]; dependencies?: Record<string, string> }> };
    const entry = data.files['good/good.ts']!;
    const secret = path.relative(root, path.join(outside, 'secret.ts'));
    const forged = [
      // a finding placed in another file: its code frame would print that file
      { ...entry, findings: entry.findings.map((f) => ({ ...f, file: secret })) },
      // files the analysis is said to have read: a FIFO, a device, a file outside the tree
      { ...entry, dependencies: { pipe: 'x' } },
      { ...entry, dependencies: { '/dev/zero': 'x' } },
      { ...entry, dependencies: { [secret]: 'x' }, findings: entry.findings.map((f) => ({ ...f, file: secret })) },
    ];
    for (const e of forged) {
      fs.writeFileSync(cache, JSON.stringify({ ...data, files: { 'good/good.ts': e } }));
      const r = await runBin([...SCAN, '--cache', '--cache-location', cache], root);
      expectGoodScan(r);
      expect(r.stdout).toBe(first.stdout);
      expect(r.stdout).not.toContain('hunter2');
    }
  });

  it('does not read a cache committed to the scanned tree unless told to', { timeout: HANG }, async () => {
    const home = project({});
    const root = project(GOOD);
    // a cache of this very tree, doctored to say the code file has no findings
    const forged = path.join(root, '.rel4lint-cache');
    await run([...SCAN, '--cache', '--cache-location', forged], root);
    const data = JSON.parse(fs.readFileSync(forged, 'utf8')) as { files: Record<string, { findings: unknown[] }> };
    data.files['good/good.ts']!.findings = [];
    fs.writeFileSync(forged, JSON.stringify(data));
    const r = await run([...SCAN, '--cache'], root, { env: { XDG_CACHE_HOME: home } });
    expectGoodScan(r);
    expect(fs.readdirSync(path.join(home, 'rel4lint'))).toHaveLength(1);
  });

  it('reads the project files that give context (package.json, workspaces, helper modules, Serverless includes) only when they are regular files', { timeout: HANG }, async () => {
    const serverless = ['service: orders', 'provider:', '  name: aws', 'custom:', '  fifo: ${file(./fifo.yml)}', '  zero: ${file(./zero.yml)}', 'functions:', '  worker:', '    handler: handler.main', ''].join('\n');
    const importer = ["import { a } from './helper-fifo';", "import { b } from './helper-zero';", 'export const handler = async () => [a, b];', ''].join('\n');
    const root = project({ ...GOOD, 'sls/serverless.yml': serverless, 'app/main.ts': importer, 'ws/package.json': '{"name": "ws", "workspaces": ["packages/*"]}' });
    mkfifo(path.join(root, 'sls', 'fifo.yml'));
    fs.symlinkSync('/dev/zero', path.join(root, 'sls', 'zero.yml'));
    mkfifo(path.join(root, 'good', 'package.json'));
    fs.mkdirSync(path.join(root, 'zero-pkg'));
    fs.writeFileSync(path.join(root, 'zero-pkg', 'app.ts'), CODE);
    fs.symlinkSync('/dev/zero', path.join(root, 'zero-pkg', 'package.json'));
    mkfifo(path.join(root, 'ws', 'pnpm-workspace.yaml'));
    mkfifo(path.join(root, 'app', 'helper-fifo.ts'));
    fs.symlinkSync('/dev/zero', path.join(root, 'app', 'helper-zero.ts'));
    const r = await runBin(SCAN, root);
    expectGoodScan(r);
    expect(summary(r.stdout)).toContain('no-sync-lambda-invoke zero-pkg/app.ts:3');
  });

  it('reads a state machine definition only when it is a regular file', { timeout: HANG }, async () => {
    const sam = [
      'AWSTemplateFormatVersion: 2010-09-09',
      'Transform: AWS::Serverless-2016-10-31',
      'Resources:',
      '  Flow:',
      '    Type: AWS::Serverless::StateMachine',
      '    Properties:',
      '      DefinitionUri: machine.asl.json',
      '  Other:',
      '    Type: AWS::Serverless::StateMachine',
      '    Properties:',
      '      DefinitionUri: fifo.asl.json',
      '',
    ].join('\n');
    const root = project({ ...GOOD, 'sam/template.yaml': sam });
    fs.symlinkSync('/dev/zero', path.join(root, 'sam', 'machine.asl.json'));
    mkfifo(path.join(root, 'sam', 'fifo.asl.json'));
    const r = await runBin(SCAN, root);
    expectGoodScan(r);
  });
});

describe('a hostile repository: files rel4lint writes', () => {
  it('refuses to write a report through a symbolic link, before scanning', { timeout: HANG }, async () => {
    const outside = project({ 'victim.txt': 'keep me\n' });
    const root = project(GOOD);
    fs.symlinkSync(path.join(outside, 'victim.txt'), path.join(root, 'rel4lint.sarif'));
    const r = await run(['.', '--format', 'sarif', '-o', 'rel4lint.sarif', '--no-progress'], root);
    expectUserError(r, 'refusing to write the report to rel4lint.sarif: it is a symbolic link; rel4lint does not write through symbolic links');
    expect(fs.readFileSync(path.join(outside, 'victim.txt'), 'utf8')).toBe('keep me\n');
    expect(fs.readlinkSync(path.join(root, 'rel4lint.sarif'))).toBe(path.join(outside, 'victim.txt'));
    // nor into a directory that links out of the tree
    fs.symlinkSync(outside, path.join(root, 'reports'));
    const dir = await run(['.', '--format', 'sarif', '-o', 'reports/new/out.sarif', '--no-progress'], root);
    expectUserError(dir, /refusing to write the report to reports\/new\/out\.sarif: it is in a directory that is a symbolic link to .*, outside the working directory/);
    expect(fs.readdirSync(outside)).toEqual(['victim.txt']);
  });

  it('refuses to write a report or a baseline over a FIFO or a directory, without blocking; writes to a descriptor the shell passes', { timeout: HANG }, async () => {
    const root = project(GOOD);
    mkfifo(path.join(root, 'rel4lint.sarif'));
    fs.mkdirSync(path.join(root, 'report.json'));
    mkfifo(path.join(root, 'rel4lint-baseline.json'));
    expectUserError(await runBin(['.', '--format', 'sarif', '-o', 'rel4lint.sarif', '--no-progress'], root), 'refusing to write the report to rel4lint.sarif: it is a FIFO, not a regular file');
    expectUserError(await runBin(['.', '--format', 'json', '-o', 'report.json', '--no-progress'], root), 'refusing to write the report to report.json: it is a directory, not a regular file');
    expectUserError(await runBin([...SCAN, '--update-baseline'], root), 'refusing to write the baseline to rel4lint-baseline.json: it is a FIFO, not a regular file');
    // `-o >(cat)`: the shell hands over a pipe as /dev/fd/<n>
    const piped = await new Promise<{ code: number | null; report: string }>((resolve) => {
      const child = spawn('bash', ['-c', `"${process.execPath}" "${BIN}" good --format json --no-progress -o >(cat > "${path.join(root, 'piped.json')}")`], { cwd: root, stdio: 'ignore' });
      child.on('close', (code) => {
        // the process substitution may finish a moment after the shell
        const deadline = Date.now() + HANG;
        const wait = (): void => {
          const report = fs.existsSync(path.join(root, 'piped.json')) ? fs.readFileSync(path.join(root, 'piped.json'), 'utf8') : '';
          if (report.endsWith('}\n') || report.endsWith('}') || Date.now() > deadline) resolve({ code, report });
          else setTimeout(wait, 50);
        };
        wait();
      });
    });
    expect(piped.code).toBe(1);
    expect(summary(piped.report).sort()).toEqual(GOOD_FINDINGS);
  });

  it('refuses to write a report over a scanned code file or template; a previous report is replaced and never scanned', { timeout: HANG }, async () => {
    const root = project(GOOD);
    for (const target of ['good/good.ts', 'good/good.yaml']) {
      const r = await run(['.', '--format', 'json', '-o', target, '--no-progress'], root);
      expectUserError(r, `refusing to write the report to ${target}: it is a ${target.endsWith('.ts') ? 'code file' : 'template'} under scan`);
    }
    expect(fs.readFileSync(path.join(root, 'good/good.ts'), 'utf8')).toBe(CODE);
    expect(fs.readFileSync(path.join(root, 'good/good.yaml'), 'utf8')).toBe(TEMPLATE);
    const first = await run(['.', '--format', 'json', '-o', 'report.json', '--no-progress'], root);
    expect(first.code, first.stderr).toBe(1);
    const second = await run(['.', '--format', 'json', '-o', 'report.json', '--no-progress'], root);
    expect(second.code, second.stderr).toBe(1);
    expect(summary(fs.readFileSync(path.join(root, 'report.json'), 'utf8')).sort()).toEqual(GOOD_FINDINGS);
    // no temporary file is left behind
    expect(fs.readdirSync(root).sort()).toEqual(['good', 'report.json']);
  });

  it('refuses to write a baseline through a symbolic link or over a scanned file', { timeout: HANG }, async () => {
    const outside = project({ 'victim.json': 'keep me\n' });
    const root = project(GOOD);
    fs.symlinkSync(path.join(outside, 'victim.json'), path.join(root, 'rel4lint-baseline.json'));
    const r = await run([...SCAN, '--update-baseline'], root);
    expectUserError(r, 'refusing to write the baseline to rel4lint-baseline.json: it is a symbolic link; rel4lint does not write through symbolic links');
    expect(fs.readFileSync(path.join(outside, 'victim.json'), 'utf8')).toBe('keep me\n');
    const source = await run([...SCAN, '--update-baseline', '--baseline', 'good/good.ts'], root);
    expectUserError(source, 'refusing to write the baseline to good/good.ts: it is a code file under scan');
    expect(fs.readFileSync(path.join(root, 'good/good.ts'), 'utf8')).toBe(CODE);
  });

  it('does not write the cache through a symbolic link', { timeout: HANG }, async () => {
    const outside = project({ 'victim.json': 'keep me\n' });
    const root = project(GOOD);
    fs.mkdirSync(path.join(root, 'tmp'));
    fs.symlinkSync(path.join(outside, 'victim.json'), path.join(root, 'tmp', 'cache'));
    const r = await run([...SCAN, '--cache', '--cache-location', 'tmp/cache'], root);
    expectGoodScan(r);
    expect(r.stderr).toContain('cannot write the cache');
    expect(fs.readFileSync(path.join(outside, 'victim.json'), 'utf8')).toBe('keep me\n');
  });
});

/** A project whose report is megabytes long: `count` files of 200 findings each. */
function largeProject(count = 10): string {
  const files: Record<string, string> = { ...GOOD };
  for (let f = 0; f < count; f++) {
    const lines = [CODE.split('\n')[0]!, CODE.split('\n')[1]!, 'export const handler = async () => {'];
    for (let i = 0; i < 200; i++) lines.push(`  await lambda.send(new InvokeCommand({ FunctionName: 'fn-${i}' }));`);
    files[`src/f${f}.ts`] = `${lines.join('\n')}\n};\n`;
  }
  return project(files);
}

/** Processes (other than this one) running in `dir`: a scan of it left behind would be one. */
function processesIn(dir: string): number[] {
  const out: number[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (Number(pid) !== process.pid && fs.readlinkSync(`/proc/${pid}/cwd`) === dir) out.push(Number(pid));
    } catch {
      // gone, or not ours to look at
    }
  }
  return out;
}

describe('a hostile repository: the process', () => {
  for (const [what, args, file] of [
    ['a report', ['--format', 'json', '-o', 'out.json'], 'out.json'],
    ['a baseline', ['--format', 'json', '--update-baseline'], 'rel4lint-baseline.json'],
  ] as const) {
    it(`leaves ${what} whole when killed while writing it`, { timeout: HANG }, async () => {
      // a baseline entry is shorter than a JSON finding: more findings make it as long
      const root = largeProject(file === 'out.json' ? 10 : 30);
      const target = path.join(root, file);
      let killedMidWrite = false;
      for (let attempt = 0; attempt < 3 && !killedMidWrite; attempt++) {
        fs.writeFileSync(target, 'previous\n');
        const child = spawn(process.execPath, [BIN, '.', '--no-progress', '--concurrency', 'off', ...args], { cwd: root, stdio: 'ignore' });
        // kill as soon as the new content has started to reach the disk
        const watcher = fs.watch(root, (_event, name) => {
          if (!name?.endsWith('.tmp')) return;
          try {
            if (fs.statSync(path.join(root, name)).size > 0) child.kill('SIGKILL');
          } catch {
            // renamed already
          }
        });
        const timer = setTimeout(() => child.kill('SIGKILL'), HANG);
        const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, s) => resolve(s)));
        clearTimeout(timer);
        watcher.close();
        const leftovers = fs.readdirSync(root).filter((name) => name.endsWith('.tmp'));
        const content = fs.readFileSync(target, 'utf8');
        if (signal === 'SIGKILL' && leftovers.length > 0) {
          killedMidWrite = true;
          // the half-written file is the temporary one; the target is untouched
          expect(content).toBe('previous\n');
          expect(fs.statSync(path.join(root, leftovers[0]!)).size).toBeGreaterThan(0);
          // a leftover is never scanned: a dot file ending in .tmp
          expect(leftovers[0]).toMatch(/^\..*\.tmp$/);
        } else {
          // the write finished first: the whole new file
          expect(() => JSON.parse(content) as unknown).not.toThrow();
        }
        for (const name of leftovers) fs.unlinkSync(path.join(root, name));
      }
      expect(killedMidWrite).toBe(true);
    });
  }

  it('ends the scan with the launcher on SIGTERM: no process left behind, no report written later', { timeout: HANG }, async () => {
    const root = largeProject();
    const args = ['.', '--no-progress', '--format', 'json', '-o', 'out.json'];
    // how long the whole scan takes on this machine now
    const full = await runBin(args, root);
    expect(full.code).toBe(1);
    fs.rmSync(path.join(root, 'out.json'));
    const child = spawn(process.execPath, [BIN, ...args], { cwd: root, stdio: 'ignore' });
    await new Promise((resolve) => setTimeout(resolve, full.ms / 3));
    child.kill('SIGTERM');
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('exit', (c, s) => resolve([c, s])));
    expect(signal ?? code).toBe('SIGTERM');
    // nothing scanning this tree is left, and nothing writes the report afterwards
    expect(processesIn(root)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, full.ms * 1.5));
    expect(processesIn(root)).toEqual([]);
    expect(fs.existsSync(path.join(root, 'out.json'))).toBe(false);
  });

  for (const stop of ['SIGINT', 'SIGTERM'] as const) {
    it(`removes its temporary file when stopped by ${stop} while writing`, { timeout: HANG }, async () => {
      const root = largeProject();
      let interrupted = false;
      for (let attempt = 0; attempt < 3 && !interrupted; attempt++) {
        fs.writeFileSync(path.join(root, 'out.json'), 'previous\n');
        const child = spawn(process.execPath, [BIN, '.', '--no-progress', '--concurrency', 'off', '--format', 'json', '-o', 'out.json'], { cwd: root, stdio: 'ignore' });
        let sent = false;
        const watcher = fs.watch(root, (_event, name) => {
          if (sent || !name?.endsWith('.tmp') || !fs.existsSync(path.join(root, name))) return;
          sent = true;
          child.kill(stop);
        });
        const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, s) => resolve(s)));
        watcher.close();
        expect(fs.readdirSync(root).filter((name) => name.endsWith('.tmp'))).toEqual([]);
        const content = fs.readFileSync(path.join(root, 'out.json'), 'utf8');
        if (signal === stop) {
          interrupted = true;
          expect(content).toBe('previous\n');
        } else expect(() => JSON.parse(content) as unknown).not.toThrow();
      }
      expect(interrupted).toBe(true);
    });
  }

  it('ends quietly with the scan exit code when the reader closes the output early (| head)', { timeout: HANG }, async () => {
    const root = largeProject();
    for (const [extra, expected] of [
      [[], 1],
      [['--rule', 'no-sync-lambda-invoke=warning', '--rule', 'require-queue-dlq=warning'], 0],
    ] as const) {
      const child = spawn(process.execPath, [BIN, '.', '--no-progress', ...extra], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
      let stderr = '';
      let first = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      // read the first chunk, then close the pipe as `head` does
      child.stdout.once('data', (d: Buffer) => {
        first = d.toString();
        child.stdout.destroy();
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), HANG);
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      clearTimeout(timer);
      expect(first).toContain('good/good.ts');
      expect(stderr).toBe('');
      expect(code).toBe(expected);
    }
  });
});

describe('a hostile repository: names', () => {
  const ESC = '\u001b';
  const BEL = '\u0007';
  const names = [`ansi${ESC}[2J${ESC}]0;owned${BEL}.ts`, 'two\nlines.ts', `tab\there.ts`];

  it('keeps terminal control characters and line breaks of file names out of every text report', { timeout: HANG }, async () => {
    const files: Record<string, string> = { ...GOOD };
    for (const name of names) files[`src/${name}`] = CODE;
    const root = project(files);
    fs.symlinkSync('nowhere', path.join(root, `gone${ESC}[31m${BEL}.ts`));
    fs.symlinkSync('nowhere', path.join(root, 'fake\nwarning everything is fine.ts'));
    for (const format of ['stylish', 'compact', 'markdown', 'github', 'junit', 'graph']) {
      const r = await run(['.', '--format', format, '--no-progress'], root);
      expect(r.code, r.stderr).toBe(1);
      for (const text of [r.stdout, r.stderr]) {
        expect(text).not.toContain(ESC);
        expect(text).not.toContain(BEL);
      }
      // no line of the output starts with what followed a newline in a name
      const lines = `${r.stdout}\n${r.stderr}`.split('\n');
      expect(lines.filter((l) => /^\s*(lines\.ts|warning everything)/.test(l))).toEqual([]);
      if (format === 'stylish' || format === 'compact') expect(r.stdout).toContain('two\uFFFDlines.ts');
    }
    const r = await run(['.', '--format', 'json', '--no-progress'], root);
    // JSON keeps the real names (escaped by JSON itself)
    expect(summary(r.stdout)).toEqual(expect.arrayContaining(names.map((n) => `no-sync-lambda-invoke src/${n}:3`)));
    expect(r.stderr).toContain('skipped gone\uFFFD[31m\uFFFD.ts: broken symbolic link');
  });
});

describe('a hostile repository: encodings', () => {
  it('reports UTF-16 JSON templates like UTF-16 YAML ones, with and without a byte order mark', { timeout: HANG }, async () => {
    const json = JSON.stringify({ AWSTemplateFormatVersion: '2010-09-09', Resources: { Q: { Type: 'AWS::SQS::Queue' } } }, null, 2);
    const le = Buffer.from(json, 'utf16le');
    const be = Buffer.from(le).swap16();
    const root = project(GOOD);
    fs.writeFileSync(path.join(root, 'le-bom.json'), Buffer.concat([Buffer.from([0xff, 0xfe]), le]));
    fs.writeFileSync(path.join(root, 'be-bom.json'), Buffer.concat([Buffer.from([0xfe, 0xff]), be]));
    fs.writeFileSync(path.join(root, 'le.json'), le);
    fs.writeFileSync(path.join(root, 'be.json'), be);
    fs.writeFileSync(path.join(root, 'le-bom.yaml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TEMPLATE, 'utf16le')]));
    // UTF-16 data that is no template is not worth a finding
    fs.writeFileSync(path.join(root, 'data.json'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"name": "orders"}', 'utf16le')]));
    const r = await run(SCAN, root);
    expectGoodScan(r);
    const errors = Object.fromEntries(
      (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings.filter((f) => f.rule === 'parse-error').map((f) => [f.file, f.message.replace(/^.*?: /, '')]),
    );
    const withBom = 'file is UTF-16 encoded; only UTF-8 is supported';
    const withoutBom = 'file looks UTF-16 encoded (without a byte order mark); only UTF-8 is supported';
    expect(errors).toEqual({ 'le-bom.json': withBom, 'be-bom.json': withBom, 'le.json': withoutBom, 'be.json': withoutBom, 'le-bom.yaml': withBom });
  });
});
