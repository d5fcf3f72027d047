import { describe, expect, it } from 'vitest';
import { pascalCase, sarif, toUri } from '../../src/reporters/sarif.js';
import { CTX, FINDINGS, sampleResult } from './sample-result.js';
import { sarifSchemaErrors } from '../helpers/sarif-schema.js';

function validSarif(text: string): void {
  expect(sarifSchemaErrors(JSON.parse(text))).toEqual([]);
}

describe('sarif reporter', () => {
  it('matches the golden output', async () => {
    await expect(sarif(sampleResult(), CTX)).toMatchFileSnapshot('__golden__/report.sarif');
  });

  it('passes the SARIF 2.1.0 schema', () => {
    validSarif(sarif(sampleResult(), CTX));
    validSarif(sarif(sampleResult([]), CTX));
    validSarif(sarif(sampleResult(), { ...CTX, quiet: true, ruleDocUrl: undefined }));
  });

  it('rejects a broken log (the validator is live)', () => {
    const log = JSON.parse(sarif(sampleResult(), CTX));
    log.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0;
    log.runs[0].results[0].level = 'fatal';
    expect(sarifSchemaErrors(log).length).toBeGreaterThan(0);
  });

  it('describes every enabled rule, sorted, for GitHub code scanning', () => {
    const log = JSON.parse(sarif(sampleResult(), CTX));
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const run = log.runs[0];
    expect(run.tool.driver).toMatchObject({ name: 'rel4lint', version: '1.2.3', informationUri: expect.stringMatching(/^https:\/\//) });
    const rules = run.tool.driver.rules;
    expect(rules.map((r: { id: string }) => r.id)).toEqual([
      'no-sync-lambda-invoke',
      'parse-error',
      'prefer-batch-operation',
      'require-idempotency-token',
      'require-queue-dlq',
    ]);
    expect(rules[0]).toEqual({
      id: 'no-sync-lambda-invoke',
      name: 'NoSyncLambdaInvoke',
      shortDescription: { text: 'Disallow synchronous Lambda invocations between services.' },
      fullDescription: {
        text: "Disallow synchronous Lambda invocations between services. Set InvocationType: 'Event', or hand the work to a queue or a state machine.",
      },
      help: {
        text: "Set InvocationType: 'Event', or hand the work to a queue or a state machine.",
        markdown:
          "Set InvocationType: 'Event', or hand the work to a queue or a state machine.\n\n" +
          'See the [rule documentation](https://docs.example/rules/no-sync-lambda-invoke).\n\n' +
          'AWS Well-Architected best practices:\n\n' +
          '- [REL04-BP02 Implement loosely coupled dependencies](https://docs.aws.amazon.com/wellarchitected/latest/framework/rel04-bp02.html)',
      },
      helpUri: 'https://docs.example/rules/no-sync-lambda-invoke',
      defaultConfiguration: { level: 'error' },
      properties: { tags: ['reliability', 'REL04-BP02'], precision: 'high', 'problem.severity': 'error', roles: ['service'] },
    });
    expect(rules[2]).toMatchObject({
      defaultConfiguration: { level: 'note' },
      properties: { precision: 'medium', 'problem.severity': 'recommendation', roles: ['service'] },
    });
    // require-idempotency-token is configured as a warning in this run.
    expect(rules[3].defaultConfiguration).toEqual({ level: 'error' });
    expect(run.invocations).toEqual([
      {
        executionSuccessful: true,
        ruleConfigurationOverrides: [{ configuration: { level: 'warning' }, descriptor: { id: 'require-idempotency-token', index: 3 } }],
      },
    ]);
    expect(run.columnKind).toBe('utf16CodeUnits');
  });

  it('emits results with rule index, relative URIs, regions and line-independent fingerprints', () => {
    const log = JSON.parse(sarif(sampleResult(), CTX));
    const run = log.runs[0];
    const results = run.results;
    expect(results.map((r: { ruleId: string }) => r.ruleId)).toEqual([
      'require-queue-dlq',
      'prefer-batch-operation',
      'no-sync-lambda-invoke',
      'require-idempotency-token',
    ]);
    for (const r of results) expect(run.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
    expect(results[0].locations[0].physicalLocation.artifactLocation).toEqual({
      uri: 'infra/my%20stack/template.yaml',
      uriBaseId: '%SRCROOT%',
    });
    const sync = results[2];
    expect(sync).toMatchObject({
      level: 'error',
      message: { text: 'InvokeCommand without InvocationType waits for `orders-fn` to finish (synchronous coupling)' },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'src/orders.ts', uriBaseId: '%SRCROOT%' },
            region: { startLine: 6, startColumn: 8, endLine: 6, endColumn: 87 },
          },
        },
      ],
      relatedLocations: [
        {
          id: 1,
          message: { text: 'client created here' },
          physicalLocation: { artifactLocation: { uri: 'src/clients.ts' }, region: { startLine: 3, startColumn: 23 } },
        },
      ],
      properties: { bestPractices: ['REL04-BP02'] },
    });
    expect(sync.partialFingerprints).toEqual({ 'rel4lint/v1': FINDINGS[2]!.fingerprint });
    expect(results[1].level).toBe('note');
    expect(results[3].level).toBe('warning');
  });

  it('is deterministic and machine-independent', () => {
    const a = sarif(sampleResult(), CTX);
    expect(sarif(sampleResult([...FINDINGS].reverse()), CTX)).toBe(a);
    expect(sarif(sampleResult(), { ...CTX, cwd: '/somewhere/else' })).toBe(a);
    expect(a).not.toContain('/work/project');
    expect(a).not.toContain('file://');
    expect(JSON.parse(a).runs[0].originalUriBaseIds['%SRCROOT%']).not.toHaveProperty('uri');
  });

  it('gives a finding of a rule that is not enabled a descriptor of its own', () => {
    const [first] = FINDINGS;
    const log = JSON.parse(sarif(sampleResult([{ ...first!, rule: 'zz-unknown' }]), CTX));
    const run = log.runs[0];
    expect(run.tool.driver.rules[run.results[0].ruleIndex].id).toBe('zz-unknown');
    expect(sarifSchemaErrors(log)).toEqual([]);
  });

  it('encodes URIs segment by segment and names rules in PascalCase', () => {
    expect(toUri('a b/c#d/e%f/ü.ts')).toBe('a%20b/c%23d/e%25f/%C3%BC.ts');
    expect(toUri('../x:y.ts')).toBe('../x%3Ay.ts');
    expect(pascalCase('no-sync-lambda-invoke')).toBe('NoSyncLambdaInvoke');
  });
});
