/**
 * End to end on small projects: broken files next to good ones, schema-valid SARIF on stdout,
 * fingerprints that survive unrelated edits, and the shipped bin.
 */
import { writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { project, run } from '../helpers/cli.js';
import { ROOT } from '../helpers/fixtures.js';
import { RULES } from '../../src/rules/index.js';
import { sarifSchemaErrors } from '../helpers/sarif-schema.js';

const GOOD_TS = [
  "import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';",
  'const lambda = new LambdaClient({});',
  'export async function run() {',
  "  await lambda.send(new InvokeCommand({ FunctionName: 'pricing' }));",
  '}',
  '',
].join('\n');

const GOOD_TEMPLATE = ['AWSTemplateFormatVersion: "2010-09-09"', 'Resources:', '  Jobs:', '    Type: AWS::SQS::Queue', ''].join('\n');

const MIXED = {
  'src/good.ts': GOOD_TS,
  'src/broken.ts': 'export function broken( {\n  return 1;\n',
  'infra/template.yaml': GOOD_TEMPLATE,
  'infra/broken.yaml': 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Queue:\n    Type: AWS::SQS::Queue\n   Properties: {}\n',
  'infra/broken.json': '{ "Resources": { "Q": { "Type": "AWS::SQS::Queue", } } }\n',
  'package.json': '{ "name": "app" }\n',
};

describe('broken files next to good ones', () => {
  it('reports parse errors for the broken files and findings for the good ones, exit 1, no stack trace', async () => {
    const root = project(MIXED);
    const r = await run(['--format', 'json'], root);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const report = JSON.parse(r.stdout) as { findings: { rule: string; file: string; range: { start: { line: number } } }[] };
    const rows = report.findings.map((f) => `${f.file}:${f.range.start.line} ${f.rule}`);
    expect(rows).toEqual([
      'infra/broken.json:1 parse-error',
      'infra/broken.yaml:5 parse-error',
      'infra/template.yaml:3 require-queue-dlq',
      'src/broken.ts:2 parse-error',
      'src/good.ts:4 no-sync-lambda-invoke',
    ]);
  });

  it('prints schema-valid SARIF on stdout', async () => {
    const root = project(MIXED);
    const r = await run(['.', '--format', 'sarif'], root);
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout);
    expect(sarifSchemaErrors(log)).toEqual([]);
    const results = log.runs[0].results as { ruleId: string; ruleIndex: number; locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId: string } } }[] }[];
    const rules = log.runs[0].tool.driver.rules as { id: string; properties: { tags: string[] } }[];
    for (const result of results) {
      expect(rules[result.ruleIndex].id).toBe(result.ruleId);
      expect(result.locations[0].physicalLocation.artifactLocation.uriBaseId).toBe('%SRCROOT%');
      expect(result.locations[0].physicalLocation.artifactLocation.uri).not.toMatch(/^\//);
    }
    expect(rules.find((x) => x.id === 'no-sync-lambda-invoke')!.properties.tags).toEqual(['reliability', 'REL04-BP02', 'REL04-BP01']);
  });
});

describe('fingerprints', () => {
  it('do not change when unrelated lines are added above a finding', async () => {
    const root = project({ 'src/good.ts': GOOD_TS, 'template.yaml': GOOD_TEMPLATE });
    const fingerprints = async () => {
      const log = JSON.parse((await run(['--format', 'sarif'], root)).stdout);
      return (log.runs[0].results as { ruleId: string; partialFingerprints: Record<string, string>; locations: { physicalLocation: { region: { startLine: number } } }[] }[]).map((x) => ({
        rule: x.ruleId,
        fp: Object.values(x.partialFingerprints)[0],
        line: x.locations[0].physicalLocation.region.startLine,
      }));
    };
    const before = await fingerprints();
    writeFileSync(path.join(root, 'src/good.ts'), `// a comment\n// another\n\n${GOOD_TS}`);
    writeFileSync(path.join(root, 'template.yaml'), `# header\n${GOOD_TEMPLATE.replace('Resources:\n', 'Resources:\n  Other:\n    Type: AWS::SNS::Topic\n')}`);
    const after = await fingerprints();
    expect(after.map((x) => x.fp)).toEqual(before.map((x) => x.fp));
    expect(after.map((x) => x.line)).not.toEqual(before.map((x) => x.line));
  });
});

describe('the shipped bin', () => {
  it('audits the bundled example app from dist/: every rule that checks a practice, once', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'rel4lint.js'), 'examples/orders-app', '--format', 'json', '--no-progress'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const rules = (JSON.parse(r.stdout) as { findings: { rule: string }[] }).findings.map((f) => f.rule).sort();
    // the example's rel4lint.config.json selects the strict preset
    const expected = RULES.map((x) => x.meta.name).filter((n) => n !== 'parse-error' && n !== 'no-invalid-suppression');
    expect(rules).toEqual(expected.sort());
  });

  it('audits the bundled CDK example from its source, without a synth: every IaC rule once, at the constructs', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'rel4lint.js'), 'examples/orders-app-cdk', '--format', 'json', '--no-progress'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const findings = (JSON.parse(r.stdout) as { findings: { rule: string; file: string; range: { start: { line: number } } }[] }).findings;
    expect(findings.map((f) => f.rule).sort()).toEqual(
      RULES.filter((x) => x.iac)
        .map((x) => x.meta.name)
        .sort(),
    );
    // every finding is in the stack's TypeScript, on a construct or one of its properties
    expect([...new Set(findings.map((f) => f.file))]).toEqual(['examples/orders-app-cdk/lib/orders-stack.ts']);
  });

  it('prints the same report with --concurrency 1, 2 and 3 on a tree with several projects', () => {
    const reports = ['1', '2', '3'].map((n) => {
      const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'rel4lint.js'), 'fixtures', 'examples', '--format', 'json', '--no-progress', '--concurrency', n], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(1);
      return r.stdout;
    });
    expect((JSON.parse(reports[0]) as { findings: unknown[] }).findings.length).toBeGreaterThan(300);
    expect(reports[1]).toBe(reports[0]);
    expect(reports[2]).toBe(reports[0]);
  }, 180_000);
});
