import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../src/ground/errors.js';
import { project } from '../helpers/tmp.js';
import { discoverFiles, isCandidateFile } from '../../src/engine/discover.js';

const tree = project;

async function rel(root: string, paths: string[] = [], opts?: { ignore?: string[] }, cwd = root) {
  const { files, skipped } = await discoverFiles(cwd, paths, opts);
  return {
    files: files.map((f) => path.relative(root, f).split(path.sep).join('/')),
    skipped: skipped.map((s) => `${path.relative(root, s.file).split(path.sep).join('/')}: ${s.reason}`),
  };
}

describe('isCandidateFile', () => {
  it('accepts code and template extensions, not declaration files', () => {
    for (const name of ['a.ts', 'a.tsx', 'a.mts', 'a.cts', 'a.js', 'a.jsx', 'a.mjs', 'a.cjs', 't.yaml', 't.yml', 't.json', 's.template', 'm.tf']) {
      expect(isCandidateFile(name), name).toBe(true);
    }
    for (const name of ['a.d.ts', 'a.d.mts', 'a.d.cts', 'README.md', 'a.txt', 'Makefile', 'x.ts.bak']) {
      expect(isCandidateFile(name), name).toBe(false);
    }
  });
});

describe('discoverFiles', () => {
  it('walks the working directory by default and returns sorted absolute candidate paths', async () => {
    const root = tree({
      'src/b.ts': '',
      'src/a.ts': '',
      'src/types.d.ts': '',
      'src/notes.md': '',
      'template.yaml': '',
      'infra/main.tf': '',
      'cdk.out/Stack.template.json': '',
    });
    const { files, skipped } = await discoverFiles(root, []);
    expect(files.every((f) => path.isAbsolute(f))).toBe(true);
    expect(skipped).toEqual([]);
    expect((await rel(root)).files).toEqual(['cdk.out/Stack.template.json', 'infra/main.tf', 'src/a.ts', 'src/b.ts', 'template.yaml']);
  });

  it('skips node_modules and .git at any depth, and nothing else by name', async () => {
    const root = tree({
      'node_modules/pkg/index.js': '',
      'packages/app/node_modules/x/index.ts': '',
      '.git/hooks/pre-commit.js': '',
      'packages/app/src/index.ts': '',
      'dist/out.js': '',
      '.aws-sam/build/template.yaml': '',
    });
    expect((await rel(root)).files).toEqual(['.aws-sam/build/template.yaml', 'dist/out.js', 'packages/app/src/index.ts']);
  });

  it('applies root and nested .gitignore files, each relative to its own directory', async () => {
    const root = tree({
      '.gitignore': '# generated\n*.generated.ts\nbuild/\n/top.json\n',
      'a.generated.ts': '',
      'build/out.js': '',
      'top.json': '',
      'local.json': '',
      'pkg/.gitignore': 'local.json\n!keep.generated.ts\n/anchored.ts\n',
      'pkg/local.json': '',
      'pkg/top.json': '',
      'pkg/keep.generated.ts': '',
      'pkg/other.generated.ts': '',
      'pkg/anchored.ts': '',
      'pkg/sub/anchored.ts': '',
      'pkg/sub/build/x.ts': '',
    });
    expect((await rel(root)).files).toEqual(['local.json', 'pkg/keep.generated.ts', 'pkg/sub/anchored.ts', 'pkg/top.json']);
  });

  it('lets a nested .gitignore re-include a directory that a parent one excludes', async () => {
    const root = tree({
      '.gitignore': 'gen/\n',
      'gen/a.ts': '',
      'pkg/.gitignore': '!gen/\n',
      'pkg/gen/b.ts': '',
      'pkg/gen/deep/c.ts': '',
    });
    expect((await rel(root)).files).toEqual(['pkg/gen/b.ts', 'pkg/gen/deep/c.ts']);
  });

  it('reads .gitignore files from the enclosing git work tree above the working directory', async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.gitignore': 'cdk.out/\n',
      'app/cdk.out/Stack.template.json': '',
      'app/bin/app.ts': '',
    });
    const cwd = path.join(root, 'app');
    expect((await rel(root, [], undefined, cwd)).files).toEqual(['app/bin/app.ts']);
  });

  it('always scans a path named explicitly, with the rules still applying below it', async () => {
    const root = tree({
      '.gitignore': 'cdk.out\ncdk.out/asset.*/\n*.tmp.json\n',
      'bin/app.ts': '',
      'cdk.out/Stack.template.json': '',
      'cdk.out/manifest.json': '',
      'cdk.out/scratch.tmp.json': '',
      'cdk.out/asset.1234/index.js': '',
      'cdk.out/node_modules/dep/index.js': '',
      'cdk.out/nested/.gitignore': 'skip.json\n',
      'cdk.out/nested/skip.json': '',
      'cdk.out/nested/Nested.template.json': '',
    });
    expect((await rel(root)).files).toEqual(['bin/app.ts']);
    const explicit = ['cdk.out/Stack.template.json', 'cdk.out/manifest.json', 'cdk.out/nested/Nested.template.json'];
    expect((await rel(root, ['cdk.out'])).files).toEqual(explicit);
    expect((await rel(root, ['.', 'cdk.out'])).files).toEqual(['bin/app.ts', ...explicit]);
    expect((await rel(root, ['cdk.out/', '.'])).files).toEqual(['bin/app.ts', ...explicit]);
    // An explicitly named file is scanned even when ignored.
    expect((await rel(root, ['cdk.out/scratch.tmp.json'])).files).toEqual(['cdk.out/scratch.tmp.json']);
    expect((await rel(root, ['cdk.out/asset.1234'])).files).toEqual(['cdk.out/asset.1234/index.js']);
  });

  it('scans an explicitly named directory below an ignored one', async () => {
    const root = tree({ '.gitignore': 'build/\n', 'build/cdk.out/a.template.json': '', 'build/other/b.json': '' });
    expect((await rel(root)).files).toEqual([]);
    expect((await rel(root, ['build/cdk.out'])).files).toEqual(['build/cdk.out/a.template.json']);
  });

  it('applies the ignore option (gitignore globs relative to cwd), except to explicit paths', async () => {
    const root = tree({ 'src/a.ts': '', 'examples/demo/x.ts': '', 'src/legacy/old.ts': '', 'fixtures/f.yaml': '' });
    const opts = { ignore: ['examples/', 'src/legacy/**', '', '*.yaml'] };
    expect((await rel(root, [], opts)).files).toEqual(['src/a.ts']);
    expect((await rel(root, ['examples'], opts)).files).toEqual(['examples/demo/x.ts']);
  });

  it('deduplicates overlapping paths', async () => {
    const root = tree({ 'src/a.ts': '', 'src/sub/b.ts': '' });
    expect((await rel(root, ['src', 'src/sub', 'src/a.ts', './src/sub/b.ts'])).files).toEqual(['src/a.ts', 'src/sub/b.ts']);
  });

  it('throws a usage error for a path that does not exist', async () => {
    const root = tree({ 'a.ts': '' });
    await expect(discoverFiles(root, ['missing'])).rejects.toThrow(UsageError);
    await expect(discoverFiles(root, ['missing'])).rejects.toThrow(/missing: no such file or directory/);
    fs.symlinkSync('nowhere', path.join(root, 'dangling'));
    await expect(discoverFiles(root, ['dangling'])).rejects.toThrow(/dangling: broken symbolic link/);
  });

  it('reports an explicitly named file of an unsupported type as skipped', async () => {
    const root = tree({ 'README.md': '', 'types.d.ts': '' });
    expect(await rel(root, ['README.md', 'types.d.ts'])).toEqual({
      files: [],
      skipped: ['README.md: not a supported file type', 'types.d.ts: not a supported file type'],
    });
  });

  describe('symbolic links', () => {
    it('follows a link to a directory inside the root once, preferring real paths', async () => {
      const root = tree({ 'real/a.ts': '', 'real/sub/b.ts': '' });
      fs.symlinkSync('real', path.join(root, 'alias'));
      fs.symlinkSync(path.join(root, 'real', 'a.ts'), path.join(root, 'a-link.ts'));
      expect(await rel(root)).toEqual({ files: ['real/a.ts', 'real/sub/b.ts'], skipped: [] });
    });

    it('scans a linked directory whose target is otherwise excluded, under the link path', async () => {
      const root = tree({ '.gitignore': 'vendor/\n', 'vendor/lib/x.ts': '' });
      fs.symlinkSync('vendor/lib', path.join(root, 'lib'));
      expect((await rel(root)).files).toEqual(['lib/x.ts']);
    });

    it('detects loops without hanging', async () => {
      const root = tree({ 'a/b/c.ts': '' });
      fs.symlinkSync('..', path.join(root, 'a', 'b', 'up'));
      fs.symlinkSync('.', path.join(root, 'a', 'self'));
      fs.symlinkSync('self-loop', path.join(root, 'self-loop'));
      fs.symlinkSync('ping', path.join(root, 'pong'));
      fs.symlinkSync('pong', path.join(root, 'ping'));
      const result = await rel(root);
      expect(result.files).toEqual(['a/b/c.ts']);
      expect(result.skipped).toEqual([
        'a/b/up: symbolic link loop (points to an enclosing directory)',
        'a/self: symbolic link loop (points to an enclosing directory)',
        'ping: symbolic link loop',
        'pong: symbolic link loop',
        'self-loop: symbolic link loop',
      ]);
    });

    it('skips broken links with a reason', async () => {
      const root = tree({ 'ok.ts': '' });
      fs.symlinkSync('missing.ts', path.join(root, 'broken.ts'));
      fs.symlinkSync('missing-dir', path.join(root, 'broken-dir'));
      expect(await rel(root)).toEqual({
        files: ['ok.ts'],
        skipped: ['broken-dir: broken symbolic link', 'broken.ts: broken symbolic link'],
      });
    });

    it('does not follow links that leave the scanned root', async () => {
      const outside = tree({ 'secret.json': '{}', 'dir/x.ts': '' });
      const root = tree({ 'in.ts': '' });
      fs.symlinkSync(path.join(outside, 'secret.json'), path.join(root, 'secret.json'));
      fs.symlinkSync(path.join(outside, 'dir'), path.join(root, 'dir'));
      expect(await rel(root)).toEqual({
        files: ['in.ts'],
        skipped: ['dir: symbolic link to a directory outside the scanned root', 'secret.json: symbolic link to a file outside the scanned root'],
      });
    });

    it('follows a link named explicitly', async () => {
      const outside = tree({ 'dir/x.ts': '' });
      const root = tree({});
      fs.symlinkSync(path.join(outside, 'dir'), path.join(root, 'linked'));
      expect((await rel(root, ['linked'])).files).toEqual(['linked/x.ts']);
    });

    it('does not report ignored broken links', async () => {
      const root = tree({ '.gitignore': 'tmp/\n*.bak.ts\n' });
      fs.mkdirSync(path.join(root, 'tmp'));
      fs.symlinkSync('missing', path.join(root, 'tmp', 'gone.ts'));
      fs.symlinkSync('missing', path.join(root, 'x.bak.ts'));
      expect(await rel(root)).toEqual({ files: [], skipped: [] });
    });
  });

  it('skips unreadable directories with a reason', async () => {
    const root = tree({ 'ok.ts': '', 'locked/x.ts': '' });
    // chmod 000 does not stop root, so the permission failure is injected
    const realReaddir = fsp.readdir.bind(fsp);
    const spy = vi.spyOn(fsp, 'readdir').mockImplementation(((dir: string, options: never) => {
      if (String(dir).endsWith(`${path.sep}locked`)) {
        return Promise.reject(Object.assign(new Error('permission denied'), { code: 'EACCES' }));
      }
      return realReaddir(dir, options);
    }) as typeof fsp.readdir);
    try {
      expect(await rel(root)).toEqual({ files: ['ok.ts'], skipped: ['locked: cannot read directory (EACCES)'] });
    } finally {
      spy.mockRestore();
    }
  });

  it('skips special files such as FIFOs instead of blocking on them', async () => {
    const root = tree({ 'ok.ts': '' });
    execFileSync('mkfifo', [path.join(root, 'pipe.json')]);
    expect(await rel(root)).toEqual({ files: ['ok.ts'], skipped: ['pipe.json: not a regular file'] });
    expect(await rel(root, ['pipe.json'])).toEqual({ files: [], skipped: ['pipe.json: not a regular file or directory'] });
  });
});
