/** What no-unbounded-fan-out says about the size of the burst. */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { lint, resolveRules } from '../../src/api/index.js';
import type { Level } from '../../src/ground/types.js';
import { RULES } from '../../src/rules/index.js';
import { FIXTURES } from '../helpers/fixtures.js';

function onlyFanOut() {
  const overrides: Record<string, Level> = {};
  for (const r of RULES) if (r.meta.name !== 'parse-error') overrides[r.meta.name] = r.meta.name === 'no-unbounded-fan-out' ? 'warning' : 'off';
  return resolveRules('strict', overrides);
}

describe('no-unbounded-fan-out messages', () => {
  it('names the size of a list the code writes out, and input growth otherwise', async () => {
    const file = path.join(FIXTURES, 'no-unbounded-fan-out', 'literals.js');
    const result = await lint({ cwd: path.dirname(file), files: [file], rules: onlyFanOut() });
    const messages = result.findings.map((f) => f.message);
    expect(messages).toContainEqual(expect.stringContaining('the 11 items of the list the code writes out (more than 10) reach the dependency in one burst'));
    expect(messages.filter((m) => m.includes('one burst'))).toHaveLength(2);
  });
});
