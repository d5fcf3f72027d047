/**
 * One set of suppression comments for both front ends: the plugin honours `rel4lint-` comments as
 * the CLI does and reports their problems under rel4/no-invalid-suppression in the CLI's words;
 * ESLint honours its own directives for rel4 rules, which the CLI honours too.
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Linter } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import plugin from '../../src/eslint/plugin.js';
import { lint, resolveRules } from '../../src/api/index.js';
import { project } from '../helpers/tmp.js';

const HEADER = ["import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';", 'const lambda = new LambdaClient({});', 'export async function go() {'];
const call = (fn: string, tail = '') => `  await lambda.send(new InvokeCommand({ FunctionName: '${fn}' }));${tail}`;

const TEXT = [
  ...HEADER,
  '  // rel4lint-disable-next-line no-sync-lambda-invoke -- pricing must answer in this request',
  call('a'),
  call('b', ' // rel4lint-disable-line no-sync-lambda-invoke -- same'),
  '  // eslint-disable-next-line rel4/no-sync-lambda-invoke -- same',
  call('c'),
  call('d', ' // eslint-disable-line rel4/no-sync-lambda-invoke -- same'),
  '  /* rel4lint-disable no-sync-lambda-invoke -- legacy block */',
  call('e'),
  '  /* rel4lint-enable no-sync-lambda-invoke */',
  '  /* eslint-disable rel4/no-sync-lambda-invoke -- legacy block */',
  call('f'),
  '  /* eslint-enable rel4/no-sync-lambda-invoke */',
  call('g'),
  '  // rel4lint-disable-next-line no-sync-lambda-invoke',
  call('h'),
  '  // rel4lint-disable-next-line no-sync-lambda-invoke -- nothing here',
  '  const x = 1;',
  '  // rel4lint-disable-next-line no-such-rule -- typo',
  '  return x;',
  '}',
  '',
].join('\n');

const RULES = { 'rel4/no-sync-lambda-invoke': 'error', 'rel4/no-invalid-suppression': 'warn' } as const;

function eslintRows(text: string, parser: 'typescript-eslint' | 'espree', file = 'src/orders.ts'): string[] {
  const linter = new Linter({ configType: 'flat' });
  const languageOptions: Linter.LanguageOptions = { sourceType: 'module', ecmaVersion: 'latest', ...(parser === 'typescript-eslint' ? { parser: tsParser } : {}) };
  const messages = linter.verify(text, [{ files: ['**/*.ts', '**/*.js'], languageOptions, plugins: { rel4: plugin }, rules: RULES, linterOptions: { reportUnusedDisableDirectives: 'warn' } }], file);
  return messages.map((m) => `${m.line} ${m.ruleId ?? 'eslint'} ${m.message}`);
}

async function cliRows(text: string, file = 'src/orders.ts'): Promise<string[]> {
  const root = project({});
  const full = path.join(root, file.replace('/', path.sep));
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, text);
  const rules = resolveRules('recommended', { 'no-sync-lambda-invoke': 'error', 'no-invalid-suppression': 'warning' });
  const result = await lint({ cwd: root, files: [full], rules });
  return result.findings.map((f) => `${f.range.start.line} ${f.rule} ${f.message}`);
}

const EXPECTED_CODE = [
  "16 rel4/no-sync-lambda-invoke InvokeCommand without InvocationType waits for `g` to finish (the caller is synchronously coupled to it)",
];
const REASONLESS = "'rel4lint-disable-next-line' comment suppressing no-sync-lambda-invoke gives no reason: add one after ' -- ' so that reviewers can judge it";
const UNUSED = "'rel4lint-disable-next-line' comment suppressing no-sync-lambda-invoke suppresses nothing: there is no no-sync-lambda-invoke finding on the next line, so remove it";
const UNKNOWN = "'rel4lint-disable-next-line' comment names unknown rule 'no-such-rule', so it suppresses nothing";

describe('suppression comments in the ESLint plugin', () => {
  for (const parser of ['typescript-eslint', 'espree'] as const) {
    it(`honours rel4lint- and eslint- comments alike, and reports rel4lint- problems as the CLI does (${parser})`, () => {
      expect(eslintRows(TEXT, parser, parser === 'espree' ? 'src/orders.js' : 'src/orders.ts')).toEqual([
        ...EXPECTED_CODE,
        `17 rel4/no-invalid-suppression ${REASONLESS}`,
        `19 rel4/no-invalid-suppression ${UNUSED}`,
        `21 rel4/no-invalid-suppression ${UNKNOWN}`,
      ]);
    });
  }

  it('gives the CLI the same findings, with ESLint directives it honours too', async () => {
    expect(await cliRows(TEXT)).toEqual([
      '16 no-sync-lambda-invoke InvokeCommand without InvocationType waits for `g` to finish (the caller is synchronously coupled to it)',
      `17 no-invalid-suppression ${REASONLESS}`,
      `19 no-invalid-suppression ${UNUSED}`,
      `21 no-invalid-suppression ${UNKNOWN}`,
    ]);
  });

  it('reports an unused eslint- directive through ESLint and the CLI, each in its own words', async () => {
    const text = [...HEADER, '  // eslint-disable-next-line rel4/no-sync-lambda-invoke -- nothing here', '  return 1;', '}', ''].join('\n');
    expect(eslintRows(text, 'typescript-eslint')).toEqual(["4 eslint Unused eslint-disable directive (no problems were reported from 'rel4/no-sync-lambda-invoke')."]);
    expect(await cliRows(text)).toEqual([
      "4 no-invalid-suppression 'eslint-disable-next-line' comment suppressing no-sync-lambda-invoke suppresses nothing: there is no no-sync-lambda-invoke finding on the next line, so remove it",
    ]);
  });

  it('does not call a suppression of a rule that is off unused', () => {
    const text = [...HEADER, '  // rel4lint-disable-next-line no-unbounded-retry -- not enabled here', call('a'), '}', ''].join('\n');
    expect(eslintRows(text, 'typescript-eslint')).toEqual([
      "5 rel4/no-sync-lambda-invoke InvokeCommand without InvocationType waits for `a` to finish (the caller is synchronously coupled to it)",
    ]);
  });
});
