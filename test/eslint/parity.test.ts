/**
 * One implementation, two front ends: every code fixture gives identical findings (rule, position,
 * message) through the CLI engine and through the ESLint plugin, with the typescript-eslint parser
 * (with and without type information) and, for JavaScript, with ESLint's default parser. Code
 * fixtures of the IaC rules are CDK app files: the plugin checks their constructs as the CLI does
 * when it scans the file alone.
 */
import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { Linter } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import plugin, { CODE_FILES, ELSEWHERE } from '../../src/eslint/plugin.js';
import { lint } from '../../src/api/index.js';
import { resolveRules } from '../../src/api/index.js';
import { RULES } from '../../src/rules/index.js';
import { isCodeFile } from '../../src/ground/files.js';
import { FIXTURES, ROOT, fixtureRules, listFiles } from '../helpers/fixtures.js';
import { project } from '../helpers/tmp.js';

const codeRules = RULES.filter((r) => r.code).map((r) => r.meta.name);
const iacRules = RULES.filter((r) => r.iac).map((r) => r.meta.name);
const pluginRules = [...new Set([...codeRules, ...iacRules])];
const linter = new Linter({ cwd: ROOT, configType: 'flat' });

type Row = string;

function eslintRows(file: string, rule: string, parser: 'typescript-eslint' | 'typed' | 'espree'): Row[] {
  const text = readFileSync(file, 'utf8');
  const languageOptions: Linter.LanguageOptions = { sourceType: file.endsWith('.cjs') ? 'commonjs' : 'module', ecmaVersion: 'latest' };
  if (parser !== 'espree') {
    languageOptions.parser = tsParser;
    languageOptions.parserOptions = parser === 'typed' ? { projectService: { allowDefaultProject: ['fixtures/*/*'] }, tsconfigRootDir: ROOT } : {};
  }
  const messages = linter.verify(
    text,
    [{ files: CODE_FILES, languageOptions, plugins: { rel4: plugin }, rules: { [`rel4/${rule}`]: 'error' } }],
    path.relative(ROOT, file),
  );
  // a mistake in a helper module is reported in that module by the CLI, at the reaching call by ESLint;
  // sorted: two findings at one place (one construct class instantiated twice) may come in either order
  return messages
    .filter((m) => !m.message.includes(ELSEWHERE))
    .map((m) => {
      if (!m.ruleId) throw new Error(`${file}: ${m.message}`);
      return `${m.line}:${m.column}-${m.endLine}:${m.endColumn} ${m.ruleId.replace('rel4/', '')} ${m.message}`;
    })
    .sort();
}

async function engineRows(file: string, rule: string): Promise<Row[]> {
  const overrides = Object.fromEntries(RULES.filter((r) => r.meta.name !== rule && r.meta.name !== 'parse-error').map((r) => [r.meta.name, 'off' as const]));
  const result = await lint({ cwd: ROOT, files: [file], rules: resolveRules('strict', { ...overrides, [rule]: 'error' }) });
  const own = path.relative(ROOT, file).split(path.sep).join('/');
  return result.findings
    .filter((f) => f.file === own)
    .map((f) => `${f.range.start.line}:${f.range.start.column}-${f.range.end.line}:${f.range.end.column} ${f.rule} ${f.message}`)
    .sort();
}

describe('CLI and ESLint plugin parity', () => {
  for (const rule of fixtureRules().filter((r) => pluginRules.includes(r))) {
    for (const file of listFiles(path.join(FIXTURES, rule)).filter(isCodeFile)) {
      const name = path.relative(FIXTURES, file);
      it(`${name} (typescript-eslint parser)`, async () => {
        expect(eslintRows(file, rule, 'typescript-eslint')).toEqual(await engineRows(file, rule));
      });
      if (/\.[cm]?js$/.test(file)) {
        it(`${name} (espree)`, async () => {
          expect(eslintRows(file, rule, 'espree')).toEqual(await engineRows(file, rule));
        });
      }
    }
  }
  it('typed linting (projectService) gives the same findings', async () => {
    const file = path.join(FIXTURES, 'no-sync-lambda-invoke', 'v3-command.ts');
    expect(eslintRows(file, 'no-sync-lambda-invoke', 'typed')).toEqual(await engineRows(file, 'no-sync-lambda-invoke'));
  });
});

describe('helpers in other modules', () => {
  it('ESLint reports a mistake in a helper module at the call of the linted file that reaches it', () => {
    const file = path.join(FIXTURES, 'require-idempotency-token', 'cjs-modules', 'index.js');
    const text = readFileSync(file, 'utf8');
    const messages = linter.verify(text, [{ files: CODE_FILES, plugins: { rel4: plugin }, rules: { 'rel4/require-idempotency-token': 'error' } }], path.relative(ROOT, file));
    expect(messages.map((m) => `${m.line}:${m.column} ${m.message}`)).toEqual([
      `8:11 CreateJob without ClientRequestToken: a redelivered S3 event notification repeats CreateJob with a fresh SDK-generated token, so the service cannot recognise the repeat and performs it again (at lib/jobs.js:6; ${ELSEWHERE})`,
    ]);
  });
});

describe('plugin shape', () => {
  it('exposes every code rule, every IaC rule (for CDK app files) and no-invalid-suppression, with documentation at this version', () => {
    expect(Object.keys(plugin.rules).sort()).toEqual([...pluginRules, 'no-invalid-suppression'].sort());
    const version = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version as string;
    for (const [name, rule] of Object.entries(plugin.rules)) {
      expect(rule.meta?.docs?.url).toBe(`https://github.com/rel4lint/rel4lint/blob/v${version}/src/rules/${name}/README.md`);
    }
  });

  it("presets name no files, and give each rule its CLI severity where ESLint has the level (note becomes warn)", () => {
    const level = { error: 'error', warning: 'warn', note: 'warn' } as const;
    for (const preset of ['recommended', 'strict'] as const) {
      const config = plugin.configs[preset];
      expect(config.files).toBeUndefined();
      expect(config.plugins?.rel4).toBe(plugin);
      const expected = Object.fromEntries(
        RULES.filter((r) => r.meta.name in plugin.rules && r.meta.presets.includes(preset)).map((r) => [`rel4/${r.meta.name}`, level[r.meta.severity]]),
      );
      expect(config.rules).toEqual(expected);
    }
    expect(plugin.configs.recommended.rules?.['rel4/no-sync-lambda-invoke']).toBe('error');
    expect(plugin.configs.strict.rules?.['rel4/prefer-batch-operation']).toBe('warn');
    expect(plugin.configs.recommended.rules?.['rel4/require-queue-dlq']).toBe('error');
  });

  it('lints a plain-JS project with a preset alone: TypeScript files are not selected', async () => {
    const { ESLint } = await import('eslint');
    const root = project({
      'src/a.js': "import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';\nconst l = new LambdaClient({});\nawait l.send(new InvokeCommand({ FunctionName: 'f' }));\n",
      'src/b.ts': 'const x: number = 1;\n',
    });
    const eslint = new ESLint({ cwd: root, overrideConfigFile: true, overrideConfig: [plugin.configs.recommended] });
    const results = await eslint.lintFiles(['.']);
    expect(results.map((r) => [path.relative(root, r.filePath), r.messages.map((m) => `${m.line}:${m.column} ${m.ruleId}`)])).toEqual([
      ['src/a.js', ['3:14 rel4/no-sync-lambda-invoke']],
    ]);
  });
});
