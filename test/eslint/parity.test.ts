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
import plugin, { CODE_FILES } from '../../src/eslint/plugin.js';
import { lint } from '../../src/api/index.js';
import { resolveRules } from '../../src/api/index.js';
import { RULES } from '../../src/rules/index.js';
import { isCodeFile } from '../../src/ground/files.js';
import { FIXTURES, ROOT, fixtureRules, listFiles } from '../helpers/fixtures.js';

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
  // sorted: two findings at one place (one construct class instantiated twice) may come in either order
  return messages
    .map((m) => {
      if (!m.ruleId) throw new Error(`${file}: ${m.message}`);
      return `${m.line}:${m.column}-${m.endLine}:${m.endColumn} ${m.ruleId.replace('rel4/', '')} ${m.message}`;
    })
    .sort();
}

async function engineRows(file: string, rule: string): Promise<Row[]> {
  const overrides = Object.fromEntries(RULES.filter((r) => r.meta.name !== rule && r.meta.name !== 'parse-error').map((r) => [r.meta.name, 'off' as const]));
  const result = await lint({ cwd: ROOT, files: [file], rules: resolveRules('strict', { ...overrides, [rule]: 'error' }) });
  return result.findings.map((f) => `${f.range.start.line}:${f.range.start.column}-${f.range.end.line}:${f.range.end.column} ${f.rule} ${f.message}`).sort();
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

describe('plugin shape', () => {
  it('exposes every code rule, every IaC rule (for CDK app files) and both presets', () => {
    expect(Object.keys(plugin.rules).sort()).toEqual([...pluginRules].sort());
    for (const preset of ['recommended', 'strict'] as const) {
      const config = plugin.configs[preset];
      expect(config.plugins?.rel4).toBe(plugin);
      for (const key of Object.keys(config.rules ?? {})) expect(pluginRules).toContain(key.replace('rel4/', ''));
    }
    expect(Object.keys(plugin.configs.recommended.rules ?? {})).toContain('rel4/no-sync-lambda-invoke');
    expect(Object.keys(plugin.configs.recommended.rules ?? {})).toContain('rel4/require-queue-dlq');
  });
});
