/**
 * What a scan must never do to the tree it is pointed at: read files outside it through
 * symbolic links, write into it (other than the files the user asked for), or execute anything
 * from it.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { project, run } from '../helpers/cli.js';

/** Every path the process opens for reading through node:fs while `recording` is on. */
const reads = vi.hoisted(() => ({ recording: false, paths: [] as string[] }));

vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  const record = <F extends (...args: never[]) => unknown>(fn: F): F =>
    ((...args: Parameters<F>) => {
      if (reads.recording && typeof args[0] === 'string') reads.paths.push(args[0]);
      return fn(...args);
    }) as F;
  const patched = { readFileSync: record(actual.readFileSync), openSync: record(actual.openSync) };
  return { ...actual, ...patched, default: { ...actual, ...patched } };
});

const INVOKE = [
  "import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';",
  'const lambda = new LambdaClient({});',
  "export const handler = async () => lambda.send(new InvokeCommand({ FunctionName: 'tax' }));",
  '',
].join('\n');

/** Relative path → sha256 of the content (or of the link target), for every entry under dir. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      const rel = path.relative(dir, full);
      if (e.isSymbolicLink()) out[rel] = `link:${fs.readlinkSync(full)}`;
      else if (e.isDirectory()) {
        out[`${rel}/`] = 'dir';
        walk(full);
      } else out[rel] = createHash('sha256').update(fs.readFileSync(full)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

describe('scan safety', () => {
  it('does not read a file outside the scanned root through a symbolic link', async () => {
    const outside = project({ 'secret.ts': INVOKE, 'secret.yaml': 'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n' });
    const root = project({ 'app.ts': INVOKE });
    fs.symlinkSync(path.join(outside, 'secret.ts'), path.join(root, 'leak.ts'));
    fs.symlinkSync(path.join(outside, 'secret.yaml'), path.join(root, 'leak.yaml'));
    fs.symlinkSync(outside, path.join(root, 'linked-dir'));
    reads.paths.length = 0;
    reads.recording = true;
    let r;
    try {
      r = await run(['.', '--format', 'json', '--no-progress'], root);
    } finally {
      reads.recording = false;
    }
    expect(r.code).toBe(1);
    const files = (JSON.parse(r.stdout) as { findings: { file: string }[] }).findings.map((f) => f.file);
    expect(new Set(files)).toEqual(new Set(['app.ts']));
    expect(r.stderr).toContain('skipped leak.ts: symbolic link to a file outside the scanned root');
    expect(r.stderr).toContain('skipped leak.yaml: symbolic link to a file outside the scanned root');
    expect(r.stderr).toContain('skipped linked-dir: symbolic link to a directory outside the scanned root');
    // nothing under `outside` was opened, by any path
    const touched = reads.paths.filter((p) => {
      const abs = path.resolve(root, p);
      const real = fs.existsSync(abs) ? fs.realpathSync(abs) : abs;
      return real.startsWith(`${outside}${path.sep}`) || abs.startsWith(`${path.join(root, 'leak')}`) || abs.startsWith(path.join(root, 'linked-dir'));
    });
    expect(reads.paths.some((p) => p.endsWith('app.ts'))).toBe(true);
    expect(touched).toEqual([]);
  });

  it('leaves the scanned tree byte-identical when the report and cache are written elsewhere', async () => {
    const root = project({
      'src/app.ts': INVOKE,
      'template.yaml': 'AWSTemplateFormatVersion: 2010-09-09\nResources:\n  Q:\n    Type: AWS::SQS::Queue\n',
      '.gitignore': 'dist/\n',
      'rel4lint.config.json': JSON.stringify({ preset: 'strict' }),
    });
    const out = project({});
    const before = snapshot(root);
    const args = ['.', '--cache', '--cache-location', path.join(out, 'cache', 'lint-cache'), '-o', path.join(out, 'report', 'report.sarif'), '--format', 'sarif', '--no-progress'];
    const first = await run(args, root);
    expect(first.code).toBe(1);
    // a second run reads the cache back: still nothing written inside the tree
    const second = await run(args, root);
    expect(second.code).toBe(1);
    expect(snapshot(root)).toEqual(before);
    expect(fs.existsSync(path.join(out, 'cache', 'lint-cache'))).toBe(true);
    expect(fs.existsSync(path.join(out, 'report', 'report.sarif'))).toBe(true);
  });

  it('never executes anything from the scanned tree', async () => {
    const sideEffects = project({});
    const marker = (name: string) => path.join(sideEffects, name);
    const touch = (name: string) => `require('fs').writeFileSync(${JSON.stringify(marker(name))}, 'ran')`;
    const root = project({
      // a JavaScript configuration would be executed to be read: it must be ignored
      'rel4lint.config.js': `${touch('config-js')};\nmodule.exports = { rules: { 'no-sync-lambda-invoke': 'off' } };\n`,
      'rel4lint.config.mjs': `import fs from 'node:fs';\nfs.writeFileSync(${JSON.stringify(marker('config-mjs'))}, 'ran');\nexport default {};\n`,
      'rel4lint.config.cjs': `${touch('config-cjs')};\nmodule.exports = {};\n`,
      'package.json': JSON.stringify({
        name: 'victim',
        scripts: Object.fromEntries(['preinstall', 'install', 'postinstall', 'prepare', 'lint', 'test', 'prelint', 'rel4lint'].map((s) => [s, `node -e "${touch(s).replace(/"/g, '\\"')}"`])),
        rel4lint: { rules: {} },
      }),
      // analysed, never run or imported
      'src/handler.js': `${touch('handler')};\n${INVOKE.replace(/^import .*$/m, "const { LambdaClient, InvokeCommand } = require('@aws-sdk/client-lambda');").replace('export const handler', 'exports.handler')}`,
      'src/module.mjs': `import fs from 'node:fs';\nfs.writeFileSync(${JSON.stringify(marker('module'))}, 'ran');\n${INVOKE}`,
      'node_modules/@aws-sdk/client-lambda/index.js': `${touch('dependency')};\n`,
    });
    const r = await run(['.', '--format', 'json', '--no-progress'], root);
    expect(r.code).toBe(1);
    const findings = (JSON.parse(r.stdout) as { findings: { rule: string; file: string }[] }).findings;
    // the configuration in rel4lint.config.js (turning the rule off) was not applied
    expect(findings.filter((f) => f.rule === 'no-sync-lambda-invoke').map((f) => f.file).sort()).toEqual(['src/handler.js', 'src/module.mjs']);
    expect(fs.readdirSync(sideEffects)).toEqual([]);
  });
});
