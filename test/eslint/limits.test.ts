/**
 * The plugin on input built to defeat the analysis: a text whose parse the analysis refuses gets
 * one message saying why (ESLint's run goes on, with every other rule); a rule that needs more
 * work than the limit for the file's size stops and says so, as the CLI's rules do.
 */
import path from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Linter } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import plugin from '../../src/eslint/plugin.js';
import { lint, resolveRules } from '../../src/api/index.js';
import { nestedFile } from '../helpers/hostile-code.js';
import { project } from '../helpers/tmp.js';

const CODE_RULES = ['no-sync-lambda-invoke', 'no-unbounded-retry', 'require-retry-backoff', 'no-blocking-wait-in-request-path', 'prefer-batch-operation', 'require-client-timeout'];

function verify(text: string, file: string, parser?: 'typescript-eslint'): Linter.LintMessage[] {
  const linter = new Linter({ configType: 'flat' });
  const rules: Linter.RulesRecord = { 'no-debugger': 'error' };
  for (const rule of CODE_RULES) rules[`rel4/${rule}`] = 'error';
  const languageOptions: Linter.LanguageOptions = { sourceType: 'module', ecmaVersion: 'latest', ...(parser ? { parser: tsParser } : {}) };
  return linter.verify(text, [{ files: ['**/*.ts', '**/*.js'], languageOptions, plugins: { rel4: plugin }, rules }], file);
}

/** `async function` expressions nested `depth` deep around a synchronous invoke, in plain JavaScript. */
function nestedAsyncFunctions(depth: number): string {
  let body = "await lambda.send(new InvokeCommand({ FunctionName: 'tax' }));";
  for (let i = 0; i < depth; i++) body = `await (async function () { ${body} })();`;
  return [
    "import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';",
    'const lambda = new LambdaClient({});',
    `export const handler = async () => { ${body} };`,
    'export function check() { debugger; }',
    '',
  ].join('\n');
}

describe('the plugin on input built to defeat the analysis', () => {
  it('reports once that a text it cannot parse is not analysed, and ESLint goes on with its other rules', () => {
    const messages = verify(nestedAsyncFunctions(40), 'src/nested.js');
    const rows = messages.map((m) => `${m.line}:${m.column} ${m.ruleId} ${m.message}`);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^1:1 rel4\/no-sync-lambda-invoke rel4 rules cannot analyse this file: async function expressions are nested \d+ levels deep: the TypeScript parser reads each one twice/);
    expect(rows[1]).toBe('4:27 no-debugger Unexpected \'debugger\' statement.');
  });

  it('stops a rule that needs more work than the limit for the file, as the CLI stops it, and keeps the other rules\' findings', async () => {
    const text = nestedFile(['while-true'], 400);
    const messages = verify(text, 'src/loops.ts', 'typescript-eslint');
    const stopped = messages.filter((m) => m.message.startsWith('stopped: ')).map((m) => m.ruleId!.replace('rel4/', ''));
    expect(stopped.length).toBeGreaterThan(0);
    for (const m of messages.filter((x) => x.message.startsWith('stopped: '))) {
      expect(`${m.line}:${m.column} ${m.message}`).toMatch(/^1:1 stopped: the file needs more work than the limit for its size \([\d,]+ steps\); this rule's findings in it are missing$/);
    }
    // a rule that did not stop reports the call at the heart of the nest
    const found = messages.filter((m) => !m.message.startsWith('stopped: ')).map((m) => m.ruleId);
    expect(found).toContain('rel4/no-sync-lambda-invoke');

    // the CLI stops the same rules on the same file
    const root = project({});
    const file = path.join(root, 'src', 'loops.ts');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    const rules = resolveRules('strict', Object.fromEntries(CODE_RULES.map((r) => [r, 'error'])));
    const result = await lint({ cwd: root, files: [file], rules: rules.filter((r) => [...CODE_RULES, 'parse-error'].includes(r.meta.name)) });
    const reason = result.findings.find((f) => f.rule === 'parse-error')?.message ?? '';
    const named = /analysis stopped: the (?:rules ([\w-, ]+)|([\w-]+) rule) stopped/.exec(reason);
    const cliStopped = (named?.[1] ?? named?.[2] ?? '').split(', ');
    expect(stopped.sort()).toEqual(cliStopped.sort());
  }, 120_000);
});
