import { describe, expect, it } from 'vitest';
import { buildScorecard, renderScorecard } from '../../src/reporters/scorecard.js';
import { FINDINGS, RULE_DEFS, sampleResult } from './sample-result.js';

describe('scorecard', () => {
  it('covers REL04-BP01..BP04 with rules, checked inputs, findings and status', () => {
    const rows = buildScorecard(sampleResult());
    expect(rows.map((r) => r.bestPractice)).toEqual(['REL04-BP01', 'REL04-BP02', 'REL04-BP03', 'REL04-BP04']);
    const [bp1, bp2, bp3, bp4] = rows;
    // parse-error belongs to no best practice: nothing covers BP01 in this sample.
    expect(bp1).toMatchObject({ rules: [], checked: { codeFiles: null, resources: null }, status: 'not checked' });
    expect(bp2).toMatchObject({
      rules: ['no-sync-lambda-invoke', 'require-queue-dlq'],
      checked: { codeFiles: 4, resources: 1 },
      findings: { error: 2, warning: 0, note: 0 },
      status: 'fail',
    });
    // Notes never change the status.
    expect(bp3).toMatchObject({ checked: { codeFiles: 4, resources: null }, findings: { error: 0, warning: 0, note: 1 }, status: 'pass' });
    expect(bp4).toMatchObject({ findings: { error: 0, warning: 1, note: 0 }, status: 'warn' });
    expect(bp2!.url).toBe('https://docs.aws.amazon.com/wellarchitected/latest/framework/rel04-bp02.html');
  });

  it('counts a finding for every best practice it names', () => {
    const [first] = FINDINGS;
    const result = sampleResult([{ ...first!, bestPractices: ['REL04-BP02', 'REL04-BP04'] }]);
    const rows = buildScorecard(result);
    expect(rows[1]!.status).toBe('fail');
    expect(rows[3]!.status).toBe('fail');
  });

  it('is "not checked" when nothing of the covered kind was scanned, or no rule covers it', () => {
    const result = sampleResult([]);
    result.stats = { filesScanned: 1, codeFiles: 0, templates: 1, resources: 3, filesByRole: { service: 1, test: 0, frontend: 0, script: 0, generated: 0, infrastructure: 0 } };
    const rows = buildScorecard(result);
    expect(rows.map((r) => r.status)).toEqual(['not checked', 'pass', 'not checked', 'not checked']);
    result.rules = result.rules.filter((r) => r.meta !== RULE_DEFS.dlq.meta);
    expect(buildScorecard(result)[1]!.status).toBe('not checked');
  });

  it('renders an aligned table', () => {
    const text = renderScorecard(buildScorecard(sampleResult()), { color: false });
    expect(text.split('\n')).toEqual([
      'REL 4 scorecard',
      '  best practice  status       rules  checked              findings   title',
      '  REL04-BP01     not checked  0      -                    none       Identify the kind of distributed systems you depend on',
      '  REL04-BP02     fail         2      4 files, 1 resource  2 errors   Implement loosely coupled dependencies',
      '  REL04-BP03     pass         1      4 files              1 note     Do constant work',
      '  REL04-BP04     warn         1      4 files              1 warning  Make mutating operations idempotent',
    ]);
  });
});
