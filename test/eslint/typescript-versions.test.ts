/**
 * The plugin under every TypeScript typescript-eslint 8 accepts: typescript-eslint builds its tree
 * with the project's TypeScript, whose node kinds differ between versions. With each version
 * (installed as npm aliases, given to typescript-eslint in a child process), ESLint reports on
 * every code fixture exactly what the CLI reports; and with TypeScript 6.0 the process holds one
 * copy of TypeScript, shared by typescript-eslint and the plugin.
 *
 * Runs the built plugin (`dist/`): `npm test` builds before it tests.
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { lint, resolveRules } from '../../src/api/index.js';
import { RULES } from '../../src/rules/index.js';
import { isCodeFile } from '../../src/ground/files.js';
import { FIXTURES, ROOT, listFiles } from '../helpers/fixtures.js';

const run = promisify(execFile);
const HERE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'typescript-versions');

/** npm alias → the version it installs (package.json devDependencies). */
const VERSIONS: Record<string, string> = {
  'typescript-4.9': '4.9.5',
  'typescript-5.0': '5.0.4',
  'typescript-5.4': '5.4.5',
  'typescript-5.9': '5.9.3',
  typescript: '6.0.3',
};

const files = listFiles(FIXTURES).filter(isCodeFile);

async function pluginRows(alias: string): Promise<{ rows: Record<string, string[]>; typescript: string[] }> {
  const { stdout } = await run(process.execPath, ['--require', path.join(HERE, 'alias.cjs'), path.join(HERE, 'lint.mjs'), ROOT, ...files], {
    env: { ...process.env, REL4_TEST_TYPESCRIPT: alias },
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as { rows: Record<string, string[]>; typescript: string[] };
}

/** The child processes, two at a time (started when the first test asks for one). */
const started = new Map<string, Promise<{ rows: Record<string, string[]>; typescript: string[] }>>();
function pluginRowsOf(alias: string): Promise<{ rows: Record<string, string[]>; typescript: string[] }> {
  if (started.size === 0) {
    let previous: Promise<unknown>[] = [];
    for (const name of Object.keys(VERSIONS)) {
      const wait = previous.length >= 2 ? previous[previous.length - 2]!.catch(() => undefined) : Promise.resolve();
      const job = wait.then(() => pluginRows(name));
      started.set(name, job);
      previous = [...previous, job];
    }
  }
  return started.get(alias)!;
}

let cliCache: Promise<Record<string, string[]>> | undefined;
function cliRows(): Promise<Record<string, string[]>> {
  cliCache ??= (async () => {
    // the plugin has every rule with a code or an IaC part (the latter for CDK app files)
    const off = Object.fromEntries(RULES.filter((r) => !r.code && !r.iac && r.meta.name !== 'parse-error').map((r) => [r.meta.name, 'off' as const]));
    const rules = resolveRules('strict', off);
    const out: Record<string, string[]> = {};
    for (const file of files) {
      const result = await lint({ cwd: ROOT, files: [file], rules });
      const own = path.relative(ROOT, file).split(path.sep).join('/');
      out[path.relative(ROOT, file)] = result.findings
        .filter((f) => f.file === own)
        .map((f) => `${f.range.start.line}:${f.range.start.column}-${f.range.end.line}:${f.range.end.column} ${f.rule === 'parse-error' ? 'fatal' : f.rule} ${f.message}`)
        .sort();
    }
    return out;
  })();
  return cliCache;
}

describe('the plugin under each TypeScript version typescript-eslint supports', () => {
  for (const [alias, version] of Object.entries(VERSIONS)) {
    it(`TypeScript ${version}: the CLI's findings on every code fixture`, { timeout: 120_000 }, async () => {
      const [plugin, cli] = await Promise.all([pluginRowsOf(alias), cliRows()]);
      expect(plugin.rows).toEqual(cli);
      expect(Object.values(cli).flat().length).toBeGreaterThan(200);
      // 6.0 is rel4lint's own line: typescript-eslint's copy is the only one loaded
      expect(plugin.typescript).toEqual(alias === 'typescript' ? [version] : [version, '6.0.3'].sort());
    });
  }
});
