/**
 * The package as users get it: `npm pack`, then the tarball installed (offline, from the npm
 * cache) into fresh projects next to ESLint, typescript-eslint and TypeScript 5.0 or 6.0. Checks
 * what the tarball holds, that nothing in the installed tree runs an install script, that every
 * `exports` entry loads and its types check in a consumer without `skipLibCheck`, and that the
 * ESLint plugin reports what the CLI reports on the same files, each honouring the other's
 * suppression comments.
 *
 * Packs the built `dist/` (`npm test` builds before it tests).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../helpers/fixtures.js';
import { writeFreshProject } from './fresh-project.js';

const exec = promisify(execFile);
const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  exports: Record<string, unknown>;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const ORDERS_TS = `import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';

interface Quote {
  sku: string;
  price?: number;
}

const lambda = new LambdaClient({});

export async function quote(sku: string): Promise<Quote> {
  const request = { FunctionName: 'pricing', Payload: JSON.stringify({ sku }) } satisfies { FunctionName: string; Payload: string };
  // rel4lint-disable-next-line no-sync-lambda-invoke -- the price must be in this response
  await lambda.send(new InvokeCommand(request));
  // eslint-disable-next-line rel4/no-sync-lambda-invoke -- the tax must be in this response
  await lambda.send(new InvokeCommand({ FunctionName: 'tax' }));
  await lambda.send(new InvokeCommand({ FunctionName: 'stock' }));
  // rel4lint-disable-next-line no-sync-lambda-invoke -- nothing to suppress here
  return { sku } as Quote;
}
`;

const LEGACY_JS = `import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';

const lambda = new LambdaClient({});

export async function ship(id) {
  await lambda.send(new InvokeCommand({ FunctionName: 'ship', Payload: id })); // eslint-disable-line rel4/no-sync-lambda-invoke -- shipping labels are printed in this request
  await lambda.send(new InvokeCommand({ FunctionName: 'invoice', Payload: id })); // rel4lint-disable-line no-sync-lambda-invoke -- invoices too
  // eslint-disable-next-line rel4/no-unbounded-retry -- nothing to suppress here
  return lambda.send(new InvokeCommand({ FunctionName: 'notify', Payload: id }));
}
`;

/** README's setups, with the strict preset: typescript-eslint with type information, or without. */
const eslintConfig = (typed: boolean): string =>
  typed
    ? `import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import rel4 from 'rel4lint/eslint';

export default defineConfig(
  tseslint.configs.recommendedTypeChecked,
  { languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } } },
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], extends: [tseslint.configs.disableTypeChecked] },
  rel4.configs.strict,
);
`
    : `import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import rel4 from 'rel4lint/eslint';

export default defineConfig(tseslint.configs.recommended, rel4.configs.strict);
`;

/** The programmatic API, typed. */
const API_TS = `import { scan, format, ruleList, resolveRules, type Finding, type LintResult } from 'rel4lint';
import plugin from 'rel4lint/eslint';

export const result: LintResult = await scan({ paths: ['src'], preset: 'strict', config: false });
export const rows: string[] = result.findings.map((f: Finding) => \`\${f.file}:\${f.range.start.line} \${f.rule}\`);
export const sarif: string = format(result, 'sarif');
export const rules: string[] = ruleList().map((r) => r.name);
export const strict: number = resolveRules('strict').length;
export const eslintRules: string[] = Object.keys(plugin.rules);
`;

const COMPILER_OPTIONS = { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false };

/** The project's tsconfig (what typed linting reads) and the one that checks the configuration and the API consumer. */
const tsconfigs = (node: boolean): Record<string, string> => ({
  'tsconfig.json': JSON.stringify({ compilerOptions: { ...COMPILER_OPTIONS, noEmit: true }, include: ['src'] }, null, 2),
  'tsconfig.check.json': JSON.stringify(
    { compilerOptions: { ...COMPILER_OPTIONS, types: node ? ['node'] : [], outDir: '.', rootDir: '.' }, files: ['eslint.config.ts', 'api.ts'] },
    null,
    2,
  ),
});

/** Lints src with the ESLint class and the project's eslint.config.js; prints the messages and the TypeScript copies loaded. */
const LINT_MJS = `import { ESLint } from 'eslint';
import { createRequire } from 'node:module';
const eslint = new ESLint({ overrideConfigFile: process.argv[2] });
const results = await eslint.lintFiles(['src']);
const typescript = Object.entries(createRequire(import.meta.url).cache)
  .filter(([file, m]) => /[\\\\/]lib[\\\\/]typescript\\.js$/.test(file) && typeof m?.exports?.version === 'string')
  .map(([, m]) => m.exports.version);
process.stdout.write(JSON.stringify({ results, typescript }));
`;

const PLAIN_CONFIG = `import rel4 from 'rel4lint/eslint';
export default [rel4.configs.recommended];
`;

interface Project {
  dir: string;
  typescript: string;
  /** What `tsc -p tsconfig.check.json` printed when it failed (undefined: it passed). */
  typeErrors: string | undefined;
}

let tmp: string;
let packed: { filename: string; files: { path: string }[] };
const projects: Record<'ts50' | 'ts60', Project> = {} as Record<'ts50' | 'ts60', Project>;

async function inProject(project: Project, file: string, args: string[]): Promise<string> {
  const { stdout } = await exec(file, args, { cwd: project.dir, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

beforeAll(async () => {
  tmp = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'rel4lint-pack-')));
  const { stdout } = await exec(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  packed = (JSON.parse(stdout) as (typeof packed)[])[0]!;
  // TypeScript 6.0 with typed linting and @types/node (import.meta.dirname); 5.0 untyped, without
  // Node's types: the package's own types must not need them
  const setups = { ts50: { lock: 'node_modules/typescript-5.0', typed: false }, ts60: { lock: 'node_modules/typescript', typed: true } } as const;
  await Promise.all(
    (Object.keys(setups) as (keyof typeof setups)[]).map(async (name) => {
      const dir = path.join(tmp, name);
      mkdirSync(path.join(dir, 'src'), { recursive: true });
      writeFreshProject(dir, ROOT, { typescript: setups[name].lock, tarball: `../${packed.filename}`, manifest, extra: setups[name].typed ? ['@types/node'] : [] });
      writeFileSync(path.join(dir, 'src', 'orders.ts'), ORDERS_TS);
      writeFileSync(path.join(dir, 'src', 'legacy.js'), LEGACY_JS);
      writeFileSync(path.join(dir, 'eslint.config.ts'), eslintConfig(setups[name].typed));
      writeFileSync(path.join(dir, 'eslint.plain.config.js'), PLAIN_CONFIG);
      writeFileSync(path.join(dir, 'api.ts'), API_TS);
      for (const [file, text] of Object.entries(tsconfigs(setups[name].typed))) writeFileSync(path.join(dir, file), text);
      writeFileSync(path.join(dir, 'lint.mjs'), LINT_MJS);
      await exec(npm, ['ci', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, maxBuffer: 16 * 1024 * 1024 });
      // type-checks eslint.config.ts and api.ts (both projects at once) and emits eslint.config.js
      // and api.js next to them: ESLint then runs the configuration that was checked
      const typeErrors = await exec(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.check.json'], { cwd: dir, maxBuffer: 16 * 1024 * 1024 }).then(
        () => undefined,
        (error: { stdout?: string }) => error.stdout ?? String(error),
      );
      projects[name] = { dir, typescript: JSON.parse(readFileSync(path.join(dir, 'node_modules', 'typescript', 'package.json'), 'utf8')).version, typeErrors };
    }),
  );
}, 600_000);

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}, 60_000);

/** Every package.json of an installed tree. */
function manifests(dir: string): { file: string; scripts?: Record<string, string> }[] {
  const out: { file: string; scripts?: Record<string, string> }[] = [];
  const walk = (modules: string): void => {
    if (!existsSync(modules)) return;
    for (const entry of readdirSync(modules)) {
      if (entry.startsWith('.')) continue;
      const full = path.join(modules, entry);
      if (entry.startsWith('@')) {
        walk(full);
        continue;
      }
      const pkg = path.join(full, 'package.json');
      if (existsSync(pkg)) out.push({ file: path.relative(dir, pkg), ...(JSON.parse(readFileSync(pkg, 'utf8')) as { scripts?: Record<string, string> }) });
      walk(path.join(full, 'node_modules'));
    }
  };
  walk(path.join(dir, 'node_modules'));
  return out;
}

describe('the packed package', () => {
  it('holds the built code, the licence, the documentation and the grammar, and nothing of the repository besides', () => {
    const files = packed.files.map((f) => f.path);
    for (const needed of ['LICENSE', 'README.md', 'docs/ci.md', 'package.json', 'bin/rel4lint.js', 'dist/api/index.js', 'dist/api/index.d.ts', 'dist/eslint/plugin.js', 'dist/eslint/plugin.d.ts', 'vendor/tree-sitter-hcl/tree-sitter-terraform.wasm', 'vendor/tree-sitter-hcl/LICENSE', 'src/rules/no-sync-lambda-invoke/README.md']) {
      expect(files).toContain(needed);
    }
    expect(files.filter((f) => /^(test|fixtures|bench|scripts|examples)\//.test(f) || (f.startsWith('src/') && !f.endsWith('README.md')))).toEqual([]);
  });

  it('installs without an install script or a native build anywhere in the tree', () => {
    for (const project of Object.values(projects)) {
      const all = manifests(project.dir);
      expect(all.length).toBeGreaterThan(50);
      const running = all.filter((m) => m.scripts && ['preinstall', 'install', 'postinstall'].some((s) => s in m.scripts!));
      expect(running.map((m) => m.file)).toEqual([]);
      const gyp = all.filter((m) => existsSync(path.join(project.dir, path.dirname(m.file), 'binding.gyp')));
      expect(gyp.map((m) => m.file)).toEqual([]);
    }
  });

  it('installs one TypeScript when the project has 6.0, its own 6.0 next to an older one', () => {
    expect(projects.ts60.typescript).toBe('6.0.3');
    expect(existsSync(path.join(projects.ts60.dir, 'node_modules', 'rel4lint', 'node_modules', 'typescript'))).toBe(false);
    expect(projects.ts50.typescript).toBe('5.0.4');
    expect(JSON.parse(readFileSync(path.join(projects.ts50.dir, 'node_modules', 'rel4lint', 'node_modules', 'typescript', 'package.json'), 'utf8')).version).toBe('6.0.3');
  });

  it('loads every exports entry', { timeout: 120_000 }, async () => {
    const project = projects.ts60;
    for (const entry of Object.keys(manifest.exports)) {
      const specifier = entry === '.' ? 'rel4lint' : `rel4lint/${entry.slice(2)}`;
      const attributes = entry.endsWith('.json') ? ", { with: { type: 'json' } }" : '';
      const out = await inProject(project, process.execPath, ['--input-type=module', '-e', `const m = await import('${specifier}'${attributes}); console.log(Object.keys(m).sort().join(','))`]);
      expect(out.trim().length, specifier).toBeGreaterThan(0);
    }
  });

  for (const name of ['ts50', 'ts60'] as const) {
    it(`typechecks eslint.config.ts and a consumer of the API without skipLibCheck (TypeScript ${name === 'ts50' ? '5.0' : '6.0'}), and the API runs`, { timeout: 120_000 }, async () => {
      const project = projects[name];
      expect(project.typeErrors).toBeUndefined();
      const out = await inProject(project, process.execPath, ['--input-type=module', '-e', "const m = await import('./api.js'); console.log(JSON.stringify({ rows: m.rows, strict: m.strict, eslint: m.eslintRules.length, sarif: JSON.parse(m.sarif).version }))"]);
      expect(JSON.parse(out)).toEqual({
        rows: ['src/legacy.js:8 no-invalid-suppression', 'src/legacy.js:9 no-sync-lambda-invoke', 'src/orders.ts:16 no-sync-lambda-invoke', 'src/orders.ts:17 no-invalid-suppression'],
        strict: expect.any(Number),
        eslint: expect.any(Number),
        sarif: '2.1.0',
      });
    });
  }
});

interface EslintOutput {
  results: { filePath: string; messages: { ruleId: string | null; severity: number; line: number; column: number; message: string }[] }[];
  typescript: string[];
}

interface CliOutput {
  findings: { file: string; rule: string; severity: string; message: string; range: { start: { line: number; column: number } } }[];
}

const SEVERITY: Record<string, number> = { error: 2, warning: 1, note: 1 };

describe('ESLint plugin and CLI on the same files', () => {
  for (const name of ['ts50', 'ts60'] as const) {
    it(`report the same findings and honour each other's suppressions (TypeScript ${name === 'ts50' ? '5.0, untyped' : '6.0, typed'})`, { timeout: 120_000 }, async () => {
      const project = projects[name];
      const [eslintOut, cliOut] = await Promise.all([
        inProject(project, process.execPath, ['lint.mjs', 'eslint.config.js']),
        inProject(project, process.execPath, ['node_modules/rel4lint/bin/rel4lint.js', 'src', '--preset', 'strict', '--format', 'json', '--no-progress']).catch(
          (error: { stdout?: string }) => error.stdout ?? '', // exit code 1: error-level findings
        ),
      ]);
      const eslint = JSON.parse(eslintOut) as EslintOutput;
      const cli = JSON.parse(cliOut) as CliOutput;
      // typescript-eslint's own rules report too: only rel4's and ESLint's (directives, parse errors) count
      const eslintRows = eslint.results
        .flatMap((r) => r.messages.map((m) => ({ file: path.relative(project.dir, r.filePath).split(path.sep).join('/'), ...m })))
        .filter((m) => m.ruleId === null || m.ruleId.startsWith('rel4/'))
        .map((m) => `${m.file}:${m.line}:${m.column} ${m.severity} ${m.ruleId === null ? 'eslint' : m.ruleId.replace('rel4/', '')} ${m.message}`)
        .sort();
      // ESLint reports its own unused directives; the CLI reports them as no-invalid-suppression
      const cliRows = cli.findings
        .map((f) => {
          const eslintDirective = /^'eslint-disable[^']*' comment suppressing (\S+) suppresses nothing/.exec(f.message);
          const what = eslintDirective ? `eslint Unused eslint-disable directive (no problems were reported from 'rel4/${eslintDirective[1]}').` : `${f.rule} ${f.message}`;
          return `${f.file}:${f.range.start.line}:${f.range.start.column} ${SEVERITY[f.severity]} ${what}`;
        })
        .sort();
      expect(eslintRows).toEqual(cliRows);
      // both suppression styles held on both sides: only the unsuppressed calls and the unused comments remain
      expect(cliRows.filter((r) => r.split(' ')[2] === 'no-sync-lambda-invoke').map((r) => r.split(' ')[0])).toEqual(['src/legacy.js:9:22', 'src/orders.ts:16:21']);
      expect(eslintRows.filter((r) => ['no-invalid-suppression', 'eslint'].includes(r.split(' ')[2]!)).map((r) => r.split(' ')[0])).toEqual(['src/legacy.js:8:3', 'src/orders.ts:17:3']);
      // one TypeScript in the ESLint process when the project's is rel4lint's line
      expect(eslint.typescript.sort()).toEqual(name === 'ts60' ? ['6.0.3'] : ['5.0.4', '6.0.3']);
    });
  }

  it('lints a plain-JS setup (no typescript-eslint) without touching TypeScript files', { timeout: 120_000 }, async () => {
    const out = JSON.parse(await inProject(projects.ts60, process.execPath, ['lint.mjs', 'eslint.plain.config.js'])) as EslintOutput;
    expect(out.results.map((r) => [path.basename(r.filePath), r.messages.map((m) => `${m.line}:${m.column} ${m.ruleId}`)])).toEqual([
      ['legacy.js', ['8:3 null', '9:22 rel4/no-sync-lambda-invoke']],
    ]);
  });
});
