/**
 * Lints files with ESLint, @typescript-eslint/parser and the built plugin, every rule of the plugin on,
 * and prints the messages and the TypeScript versions loaded in the process as JSON.
 *
 *   REL4_TEST_TYPESCRIPT=typescript-5.0 node --require ./alias.cjs lint.mjs <root> <file>...
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Linter } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import plugin, { CODE_FILES, ELSEWHERE } from '../../../dist/eslint/plugin.js';

const [root, ...files] = process.argv.slice(2);
const rules = Object.fromEntries(Object.keys(plugin.rules).filter((r) => r !== 'no-invalid-suppression').map((r) => [`rel4/${r}`, 'error']));
const linter = new Linter({ cwd: root, configType: 'flat' });
const config = [{ files: CODE_FILES, languageOptions: { parser: tsParser, sourceType: 'module', ecmaVersion: 'latest' }, plugins: { rel4: plugin }, rules }];
const out = { rows: {}, typescript: [] };
for (const file of files) {
  const name = path.relative(root, file);
  const messages = linter.verify(readFileSync(file, 'utf8'), config, name);
  // a mistake in a helper module is reported in that module by the CLI, at the reaching call by ESLint
  out.rows[name] = messages
    .filter((m) => !m.message.includes(ELSEWHERE))
    .map((m) => `${m.line}:${m.column}-${m.endLine}:${m.endColumn} ${m.ruleId ? m.ruleId.replace('rel4/', '') : 'fatal'} ${m.message}`)
    .sort();
}
const cache = createRequire(import.meta.url).cache;
for (const [file, entry] of Object.entries(cache)) {
  if (/[\\/]lib[\\/]typescript\.js$/.test(file) && typeof entry?.exports?.version === 'string') out.typescript.push(entry.exports.version);
}
out.typescript.sort();
process.stdout.write(JSON.stringify(out));
