import { describe, expect, it } from 'vitest';
import { json } from '../../src/reporters/json.js';
import { CTX, FINDINGS, sampleResult } from './sample-result.js';

describe('json reporter', () => {
  it('matches the golden output', async () => {
    await expect(json(sampleResult(), CTX)).toMatchFileSnapshot('__golden__/report.json');
  });

  it('is versioned, sorted, relative and complete', () => {
    const text = json(sampleResult(), CTX);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "version": 1,');
    expect(text).not.toContain('/work/project');
    const report = JSON.parse(text);
    expect(report.version).toBe(1);
    expect(report.tool).toEqual({ name: 'rel4lint', version: '1.2.3' });
    expect(report.findings.map((f: { file: string }) => f.file)).toEqual([
      'infra/my stack/template.yaml',
      'src/batch.ts',
      'src/orders.ts',
      'src/workflow.ts',
    ]);
    const sync = report.findings[2];
    expect(Object.keys(sync)).toEqual([
      'rule',
      'bestPractices',
      'severity',
      'message',
      'help',
      'file',
      'range',
      'logicalLocation',
      'fingerprint',
      'related',
      'suggestions',
    ]);
    expect(sync.range).toEqual({ start: { line: 6, column: 8 }, end: { line: 6, column: 87 } });
    expect(sync.related).toEqual([
      { file: 'src/clients.ts', range: { start: { line: 3, column: 23 }, end: { line: 3, column: 43 } }, message: 'client created here' },
    ]);
    expect(report.findings[0]).not.toHaveProperty('suggestions');
    expect(report.summary).toEqual({
      errors: 2,
      warnings: 1,
      notes: 1,
      suppressed: 0,
      filesScanned: 5,
      codeFiles: 4,
      templates: 1,
      resources: 1,
      filesByRole: { service: 4, test: 1, frontend: 0, script: 0, generated: 0, infrastructure: 0 },
      rules: ['no-sync-lambda-invoke', 'parse-error', 'prefer-batch-operation', 'require-idempotency-token', 'require-queue-dlq'],
    });
    expect(report.scorecard.map((r: { bestPractice: string; status: string }) => `${r.bestPractice} ${r.status}`)).toEqual([
      'REL04-BP01 not checked',
      'REL04-BP02 fail',
      'REL04-BP03 pass',
      'REL04-BP04 warn',
    ]);
  });

  it('is byte-for-byte deterministic', () => {
    expect(json(sampleResult([...FINDINGS].reverse()), CTX)).toBe(json(sampleResult(), CTX));
  });

  it('lists errors only under quiet while the summary counts everything', () => {
    const report = JSON.parse(json(sampleResult(), { ...CTX, quiet: true }));
    expect(report.findings.every((f: { severity: string }) => f.severity === 'error')).toBe(true);
    expect(report.findings).toHaveLength(2);
    expect(report.summary.warnings).toBe(1);
  });
});
