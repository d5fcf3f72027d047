/**
 * Requests built by the caller of a helper (`src/code/passed-values.ts`): the finding is placed at
 * the caller's argument, names the helper and where it sends, and points at the SDK call.
 */
import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { lint, resolveRules } from '../../src/api/index.js';
import { RULES } from '../../src/rules/index.js';
import { FIXTURES } from '../helpers/fixtures.js';

const RULE = 'require-idempotency-token';
const DIR = path.join(FIXTURES, RULE);

async function findings(file: string) {
  const overrides = Object.fromEntries(RULES.filter((r) => r.meta.name !== RULE && r.meta.name !== 'parse-error').map((r) => [r.meta.name, 'off' as const]));
  const rules = resolveRules('strict', { ...overrides, [RULE]: 'warning' }).map((r) => (r.meta.name === RULE ? { ...r, severityOverridden: false } : r));
  const result = await lint({ cwd: DIR, files: [path.join(DIR, file)], rules });
  return result.findings
    .filter((f) => f.rule === RULE)
    .map((f) => ({
      at: `${f.file}:${f.range.start.line}:${f.range.start.column}`,
      severity: f.severity,
      message: f.message,
      related: f.related.map((r) => `${r.file}:${r.range.start.line} ${r.message}`),
    }));
}

describe('require-idempotency-token through helpers', () => {
  it('reports the object a handler hands to a same-file helper, with the send and the object as related locations', async () => {
    const found = await findings('passed-input.js');
    expect(found.find((f) => f.at === 'passed-input.js:91:19')).toEqual({
      at: 'passed-input.js:91:19',
      severity: 'error',
      message:
        'CreateFaq without ClientToken (`createFaq(...)` sends this object at passed-input.js:18): a redelivered S3 event notification repeats CreateFaq with a fresh SDK-generated token, so the service cannot recognise the repeat and performs it again',
      related: ['passed-input.js:18 sent here without ClientToken', 'passed-input.js:90 the object is built here'],
    });
  });

  it('names each helper a parameter is handed through, and a wrapper a helper is handed to', async () => {
    const found = await findings('passed-input.js');
    expect(found.find((f) => f.at === 'passed-input.js:93:19')?.message).toMatch(/^RunTask without clientToken \(`runForKey\(\.\.\.\)` hands this object to `runTask\(\.\.\.\)`, which sends it at passed-input\.js:28\): /);
    expect(found.find((f) => f.at === 'passed-input.js:97:51')?.message).toMatch(
      /^CreateFaq without ClientToken \(`withThrottleRetry\(\.\.\.\)` hands this object to `createIndexFaq\(\.\.\.\)`, which sends it at passed-input\.js:45\): /,
    );
  });

  it('takes the context from the handler in another module that calls the helper', async () => {
    const found = await findings('passed-modules/index.js');
    expect(found.map((f) => f.at)).toEqual(['passed-modules/index.js:7:21', 'passed-modules/index.js:8:30']);
    expect(found[0]).toEqual(
      {
        at: 'passed-modules/index.js:7:21',
        severity: 'error',
        message:
          'CreateFaq without ClientToken (`faqs.create(...)` sends this object at lib/faqs.js:6): a redelivered EventBridge event repeats CreateFaq with a fresh SDK-generated token, so the service cannot recognise the repeat and performs it again',
        related: ['passed-modules/lib/faqs.js:6 sent here without ClientToken'],
      },
    );
    expect(found[1].message).toMatch(/^CreateFaq without ClientToken \(`faqs\.createDescribed\(\.\.\.\)` hands this object to `create\(\.\.\.\)`, which sends it at lib\/faqs\.js:6\): a redelivered EventBridge event /);
  });
});
