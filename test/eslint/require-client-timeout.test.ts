import { describe, it } from 'vitest';
import { RuleTester } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import plugin from '../../src/eslint/plugin.js';

RuleTester.describe = describe;
RuleTester.it = it;

const tester = new RuleTester({ languageOptions: { parser: tsParser, ecmaVersion: 'latest', sourceType: 'module' } });

const HEAD = 'export const handler = async (event: { url: string }) => {\n';
const MESSAGE = '`fetch(...)` without a signal has no overall deadline: a slow or stalled response holds the handler until its own timeout';

tester.run('rel4/require-client-timeout', plugin.rules['require-client-timeout'], {
  valid: [
    { code: `${HEAD}  return fetch(event.url, { signal: AbortSignal.timeout(1000) });\n};`, filename: 'h.ts' },
    // not handler code
    { code: 'export async function get(url: string) {\n  return fetch(url);\n}', filename: 'lib.ts' },
  ],
  invalid: [
    {
      code: `${HEAD}  return fetch(event.url);\n};`,
      filename: 'h.ts',
      errors: [
        {
          message: MESSAGE,
          line: 2,
          column: 10,
          suggestions: [{ desc: 'Add a deadline: signal: AbortSignal.timeout(5000)', output: `${HEAD}  return fetch(event.url, { signal: AbortSignal.timeout(5000) });\n};` }],
        },
      ],
    },
    {
      code: `${HEAD}  return fetch(event.url, {\n    method: 'POST',\n  });\n};`,
      filename: 'h.ts',
      errors: [
        {
          message: MESSAGE,
          line: 2,
          suggestions: [
            {
              desc: 'Add a deadline: signal: AbortSignal.timeout(5000)',
              output: `${HEAD}  return fetch(event.url, {\n    method: 'POST',\n    signal: AbortSignal.timeout(5000),\n  });\n};`,
            },
          ],
        },
      ],
    },
  ],
});
