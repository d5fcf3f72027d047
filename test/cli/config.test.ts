/**
 * Configuration files found as ESLint's flat config (looked up from the file) and Ruff find them:
 * upwards from each file's folder to the repository root, nested files merged over outer ones,
 * `root: true`, `--config` alone, `--print-config`, JSONC, and errors with line and column.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { project, run } from '../helpers/cli.js';
import { ROOT } from '../helpers/fixtures.js';

const INVOKE = [
  "import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';",
  'const lambda = new LambdaClient({ maxAttempts: 20 });',
  'export async function handler(id: string) {',
  "  await lambda.send(new InvokeCommand({ FunctionName: 'pricing', Payload: id }));",
  '}',
  '',
].join('\n');

const QUEUE = ["AWSTemplateFormatVersion: '2010-09-09'", 'Resources:', '  Jobs:', '    Type: AWS::SQS::Queue', ''].join('\n');

interface Row {
  file: string;
  rule: string;
  severity: string;
  range: { start: { line: number; column: number } };
}

async function findings(args: string[], cwd: string): Promise<string[]> {
  const r = await run(['--format', 'json', ...args], cwd);
  expect(r.stderr).toBe('');
  const report = JSON.parse(r.stdout) as { findings: Row[] };
  return report.findings.map((f) => `${f.file}:${f.range.start.line} ${f.rule} ${f.severity}`);
}

/** A repository: `.git` at its root, the given files. */
function repo(files: Record<string, string>): string {
  const root = project(files);
  fs.mkdirSync(path.join(root, '.git'));
  return root;
}

describe('configuration lookup', () => {
  it('finds the configuration upwards from the current directory, up to the repository root only', async () => {
    const outer = project({
      'rel4lint.config.json': JSON.stringify({ rules: { 'no-unbounded-retry': 'off' } }),
      'repo/rel4lint.config.json': JSON.stringify({ rules: { 'no-sync-lambda-invoke': 'warn' } }),
      'repo/services/orders/handler.ts': INVOKE,
    });
    fs.mkdirSync(path.join(outer, 'repo', '.git'));
    const cwd = path.join(outer, 'repo', 'services', 'orders');
    // the repository's file applies from a sub-folder; the one above the repository does not
    expect(await findings([], cwd)).toEqual(['handler.ts:2 no-unbounded-retry error', 'handler.ts:4 no-sync-lambda-invoke warning']);
  });

  it('applies a configuration file in a sub-folder to the files below it, merged over the outer one', async () => {
    const root = repo({
      'rel4lint.config.json': JSON.stringify({ preset: 'recommended', rules: { 'no-sync-lambda-invoke': 'warning', 'no-unbounded-retry': { options: { maxSdkAttempts: 5 } } } }),
      'src/handler.ts': INVOKE,
      'template.yaml': QUEUE,
      // a level only: the outer options stay; another option value; a rule off for this folder's templates
      'services/legacy/rel4lint.config.yaml': [
        'rules:',
        '  no-sync-lambda-invoke: note',
        '  no-unbounded-retry:',
        '    options:',
        '      maxSdkAttempts: 25',
        '  require-queue-dlq: off',
        'ignore:',
        '  - generated/',
        '',
      ].join('\n'),
      'services/legacy/handler.ts': INVOKE,
      'services/legacy/template.yaml': QUEUE,
      'services/legacy/generated/client.ts': INVOKE,
      'services/other/handler.ts': INVOKE,
    });
    const expected = [
      'services/legacy/handler.ts:4 no-sync-lambda-invoke note',
      'services/other/handler.ts:2 no-unbounded-retry error',
      'services/other/handler.ts:4 no-sync-lambda-invoke warning',
      'src/handler.ts:2 no-unbounded-retry error',
      'src/handler.ts:4 no-sync-lambda-invoke warning',
      'template.yaml:3 require-queue-dlq error',
    ];
    expect(await findings([], root)).toEqual(expected);
    // the same per-folder rules on worker threads (which run the built files)
    const threads = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'rel4lint.js'), '--format', 'json', '--no-progress', '--concurrency', '2'], { cwd: root, encoding: 'utf8' });
    expect(threads.stderr).toBe('');
    expect((JSON.parse(threads.stdout) as { findings: Row[] }).findings.map((f) => `${f.file}:${f.range.start.line} ${f.rule} ${f.severity}`)).toEqual(expected);
    // --rule still wins everywhere
    expect(await findings(['--rule', 'no-sync-lambda-invoke=error', '--rule', 'no-unbounded-retry=off', '--rule', 'require-queue-dlq=off'], root)).toEqual([
      'services/legacy/handler.ts:4 no-sync-lambda-invoke error',
      'services/other/handler.ts:4 no-sync-lambda-invoke error',
      'src/handler.ts:4 no-sync-lambda-invoke error',
    ]);
  });

  it("applies a sub-folder's smaller size limit to its code files, and the outer one elsewhere", async () => {
    const root = repo({
      'rel4lint.config.json': JSON.stringify({ maxFileBytes: 4096 }),
      'src/handler.ts': INVOKE,
      'services/small/rel4lint.config.json': JSON.stringify({ maxFileBytes: 64 }),
      'services/small/handler.ts': INVOKE,
    });
    const r = await run(['--format', 'json'], root);
    const report = JSON.parse(r.stdout) as { findings: (Row & { message: string })[] };
    expect(report.findings.map((f) => `${f.file}:${f.range.start.line} ${f.rule}`)).toEqual([
      'services/small/handler.ts:1 parse-error',
      'src/handler.ts:2 no-unbounded-retry',
      'src/handler.ts:4 no-sync-lambda-invoke',
    ]);
    expect(report.findings[0]!.message).toMatch(/over the size limit of 64 bytes; it was not analysed/);
  });

  it('looks upwards from each scanned path, and gives files outside the current directory without a configuration the current one', async () => {
    const base = project({
      'app/rel4lint.config.json': JSON.stringify({ rules: { 'no-sync-lambda-invoke': 'note', 'no-unbounded-retry': 'off' } }),
      'app/a.ts': INVOKE,
      'lib/rel4lint.config.json': JSON.stringify({ rules: { 'no-unbounded-retry': 'off' } }),
      'lib/src/b.ts': INVOKE,
      'plain/c.ts': INVOKE,
    });
    const cwd = path.join(base, 'app');
    expect(await findings(['.', '../lib/src', '../plain'], cwd)).toEqual([
      '../lib/src/b.ts:4 no-sync-lambda-invoke error',
      '../plain/c.ts:4 no-sync-lambda-invoke note',
      'a.ts:4 no-sync-lambda-invoke note',
    ]);
  });

  it('stops at a configuration file that says root: true', async () => {
    const root = repo({
      'rel4lint.config.json': JSON.stringify({ rules: { 'no-unbounded-retry': 'off' }, ignore: ['**/skip.ts'] }),
      'pkg/rel4lint.config.json': JSON.stringify({ root: true, rules: { 'no-sync-lambda-invoke': 'off' } }),
      'pkg/a.ts': INVOKE,
      'pkg/skip.ts': INVOKE,
      'skip.ts': INVOKE,
    });
    expect(await findings([], root)).toEqual(['pkg/a.ts:2 no-unbounded-retry error', 'pkg/skip.ts:2 no-unbounded-retry error']);
  });

  it('uses the file named with --config alone, its ignore patterns relative to the current directory', async () => {
    const root = repo({
      'ci/lint.jsonc.json': JSON.stringify({ rules: { 'no-unbounded-retry': 'off' }, ignore: ['vendor/'] }),
      'rel4lint.config.json': JSON.stringify({ rules: { 'no-sync-lambda-invoke': 'off' } }),
      'sub/rel4lint.config.json': JSON.stringify({ rules: { 'no-sync-lambda-invoke': 'off' } }),
      'sub/a.ts': INVOKE,
      'vendor/v.ts': INVOKE,
    });
    expect(await findings(['--config', 'ci/lint.jsonc.json'], root)).toEqual(['sub/a.ts:4 no-sync-lambda-invoke error']);
  });

  it('reads JSON with comments and trailing commas, and gives line and column of a mistake', async () => {
    const good = repo({
      'a.ts': INVOKE,
      'rel4lint.config.json': ['{', '  // legacy code: reviewed in Q3', '  "rules": {', '    /* kept as a warning */', '    "no-sync-lambda-invoke": "warn",', '  },', '}', ''].join('\n'),
    });
    expect(await findings([], good)).toEqual(['a.ts:2 no-unbounded-retry error', 'a.ts:4 no-sync-lambda-invoke warning']);

    const bad = repo({
      'a.ts': INVOKE,
      'rel4lint.config.json': ['{', '  // comments are fine', '  "rules": {', '    "no-unbounded-retry": { "options": { "maxSdkAttempt": 3 } }', '  }', '}', ''].join('\n'),
    });
    const r = await run([], bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("rel4lint.config.json:4:42: unknown key 'rules.no-unbounded-retry.options.maxSdkAttempt': did you mean 'maxSdkAttempts'?");

    const syntax = repo({ 'a.ts': INVOKE, 'rel4lint.config.json': ['{', '  // a comment', '  "rules": { "a" "b" }', '}', ''].join('\n') });
    const s = await run([], syntax);
    expect(s.code).toBe(2);
    expect(s.stderr).toContain('rel4lint.config.json:3:18: invalid JSON (ColonExpected)');

    const nested = repo({ 'a.ts': INVOKE, 'deep/b.ts': INVOKE, 'deep/rel4lint.config.yml': 'rules:\n  no-unbounded-retry:\n    options:\n      maxSdkAttempts: many\n' });
    const n = await run([], nested);
    expect(n.code).toBe(2);
    expect(n.stderr).toContain("deep/rel4lint.config.yml:4:23: 'rules.no-unbounded-retry.options.maxSdkAttempts' must be integer");
  });

  it('refuses two configuration files in one folder', async () => {
    const root = repo({ 'a.ts': INVOKE, 'pkg/rel4lint.config.json': '{}', 'pkg/rel4lint.config.yaml': '{}\n', 'pkg/b.ts': INVOKE });
    const r = await run([], root);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('pkg has rel4lint.config.json and rel4lint.config.yaml: keep one configuration file per directory');
  });
});

describe('--print-config', () => {
  it('prints the configuration files, preset, size limit, ignore patterns and every rule for a file', async () => {
    const root = repo({
      'rel4lint.config.json': JSON.stringify({ preset: 'strict', maxFileBytes: 4096, ignore: ['dist/'], internalHosts: ['api.internal'] }),
      'services/legacy/rel4lint.config.yaml': 'rules:\n  no-sync-lambda-invoke: warn\n  prefer-batch-operation: off\n  no-unbounded-retry:\n    options:\n      maxSdkAttempts: 3\n',
    });
    const r = await run(['--print-config', 'services/legacy/handler.ts', '--rule', 'require-client-timeout=off'], root);
    expect(r.code).toBe(0);
    const config = JSON.parse(r.stdout) as {
      file: string;
      configFiles: string[];
      preset: string;
      maxFileBytes: number;
      ignore: unknown[];
      rules: Record<string, unknown>;
    };
    expect(config.file).toBe('services/legacy/handler.ts');
    expect(config.configFiles).toEqual(['rel4lint.config.json', 'services/legacy/rel4lint.config.yaml']);
    expect(config.preset).toBe('strict');
    expect(config.maxFileBytes).toBe(4096);
    expect(config.ignore).toEqual([{ base: '.', patterns: ['dist/'] }]);
    expect(config.rules['no-sync-lambda-invoke']).toEqual({ level: 'warning', options: {}, roles: ['service'] });
    expect(config.rules['prefer-batch-operation']).toBe('off');
    expect(config.rules['require-client-timeout']).toBe('off');
    expect(config.rules['no-unbounded-retry']).toEqual({ level: 'error', options: { maxSdkAttempts: 3 }, roles: ['service', 'frontend', 'script'] });
    expect(config.rules['no-sync-internal-http-in-handler']).toEqual({ level: 'warning', options: { internalHosts: ['api.internal'] }, roles: ['service'] });
    expect(Object.keys(config.rules)).toContain('parse-error');

    // a file elsewhere gets the outer file alone
    const top = JSON.parse((await run(['--print-config', 'src/a.ts'], root)).stdout) as { configFiles: string[]; rules: Record<string, unknown> };
    expect(top.configFiles).toEqual(['rel4lint.config.json']);
    expect(top.rules['no-sync-lambda-invoke']).toEqual({ level: 'error', options: {}, roles: ['service'] });
  });
});
