import { describe, expect, it } from 'vitest';
import { stylish, stylishSummary } from '../../src/reporters/stylish.js';
import { CTX, FINDINGS, sampleResult } from './sample-result.js';

describe('stylish reporter', () => {
  it('matches the golden output (no colour)', async () => {
    const out = stylish(sampleResult(), CTX);
    await expect(out).toMatchFileSnapshot('__golden__/stylish.txt');
  });

  it('groups by file in path order, with frame, help and related notes', () => {
    const out = stylish(sampleResult(), CTX);
    const files = out.split('\n').filter((l) => /^[^\s✖✔]/.test(l) && !l.startsWith('Scanned') && !l.startsWith('REL 4'));
    expect(files).toEqual(['infra/my stack/template.yaml', 'src/batch.ts', 'src/orders.ts', 'src/workflow.ts']);
    expect(out).toContain(
      '  6:8  error  InvokeCommand without InvocationType waits for `orders-fn` to finish (synchronous coupling)  no-sync-lambda-invoke',
    );
    expect(out).toContain("    help: Set InvocationType: 'Event', or hand the work to a queue or a state machine");
    expect(out).toContain('    note: client created here at src/clients.ts:3:23');
    expect(out).toContain('✖ 4 problems (2 errors, 1 warning, 1 note)');
    expect(out).toContain('Scanned 5 files: 4 code files, 1 template (1 resource)');
    expect(out).toMatch(/REL04-BP02 +fail +2 +4 files, 1 resource +2 errors +Implement loosely coupled dependencies/);
    expect(out).not.toContain('\u001b[');
    expect(out.endsWith('\n')).toBe(true);
  });

  it('is deterministic whatever the order of the input findings', () => {
    const reversed = sampleResult([...FINDINGS].reverse());
    expect(stylish(reversed, CTX)).toBe(stylish(sampleResult(), CTX));
  });

  it('lists errors only under quiet, keeps the full counts and drops the scorecard', () => {
    const out = stylish(sampleResult(), { ...CTX, quiet: true });
    expect(out).not.toContain('src/workflow.ts');
    expect(out).not.toContain('src/batch.ts');
    expect(out).toContain('src/orders.ts');
    expect(out).toContain('✖ 4 problems (2 errors, 1 warning, 1 note)');
    expect(out).toContain('Not shown (--quiet): 1 warning, 1 note');
    expect(out).not.toContain('REL 4 scorecard');
  });

  it('reports a clean run', () => {
    const out = stylish(sampleResult([]), CTX);
    expect(out.startsWith('✔ No problems found\n')).toBe(true);
    expect(out).toMatch(/REL04-BP02 +pass/);
  });

  it('colours only when asked', () => {
    expect(stylish(sampleResult(), { ...CTX, color: true })).toContain('\u001b[');
    expect(stylishSummary(sampleResult(), { color: false })).toBe('✖ 4 problems (2 errors, 1 warning, 1 note)');
  });

  it('keeps messages on one line and free of control characters', () => {
    const [first] = FINDINGS;
    const out = stylish(sampleResult([{ ...first!, message: 'two\nlines \u001b[2J' }]), CTX);
    expect(out).toContain('two lines \uFFFD[2J');
  });

  it('prints no frame when the source text is not available', () => {
    const result = sampleResult();
    result.sources = new Map();
    expect(stylish(result, CTX)).not.toContain(' | ');
  });
});
