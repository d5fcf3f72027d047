/**
 * The CI formats end to end through the shipped bin (dist/): GitHub workflow commands and their
 * escaping, GitLab Code Quality fields and fingerprints, JUnit XML read back, compact lines; and the
 * words users type: level aliases, "did you mean", --explain rel4/<rule>, --list-rules as JSON.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { project, run } from '../helpers/cli.js';
import { ROOT } from '../helpers/fixtures.js';
import { findAll, parseXml } from '../helpers/xml.js';
import { RULES } from '../../src/rules/index.js';

const BIN = path.join(ROOT, 'bin', 'rel4lint.js');

function bin(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, '--no-progress', ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// a function name with what workflow commands must escape: %, CR, LF, and an attempt at a second command
const ODD_DIR = 'src/a,b:c%d';
const ORDERS = [
  "import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';",
  'const lambda = new LambdaClient({});',
  'export async function run() {',
  "  await lambda.send(new InvokeCommand({ FunctionName: '50%,a:b\\r\\n::warning::injected' }));",
  '}',
  '',
].join('\n');
const TEMPLATE = ['AWSTemplateFormatVersion: "2010-09-09"', 'Resources:', '  Jobs:', '    Type: AWS::SQS::Queue', ''].join('\n');
const FILES = {
  [`${ODD_DIR}/orders.ts`]: ORDERS,
  'src/broken.ts': 'export function broken( {\n  return 1;\n',
  'infra/template.yaml': TEMPLATE,
};

/** Reads a workflow command back as the runner does. */
function parseCommand(line: string): { command: string; properties: Record<string, string>; message: string } {
  const m = /^::(\w+) ([^:]*)::(.*)$/.exec(line);
  if (!m) throw new Error(`not a workflow command: ${line}`);
  const unescape = (s: string): string => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
  const properties = Object.fromEntries(m[2]!.split(',').map((p) => [p.slice(0, p.indexOf('=')), unescape(p.slice(p.indexOf('=') + 1))]));
  return { command: m[1]!, properties, message: unescape(m[3]!) };
}

describe('--format github', () => {
  it('writes one escaped workflow command per finding, at the level of its severity', () => {
    const root = project(FILES);
    const r = bin(['--format', 'github', '--rule', 'require-queue-dlq=warn', '--rule', 'no-sync-lambda-invoke=info'], root);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1); // the parse error
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^::warning file=infra\/template\.yaml,line=3,col=3,endLine=3,endColumn=7,title=require-queue-dlq::SQS queue `Jobs` /);
    expect(lines[1]).toBe(
      '::notice file=src/a%2Cb%3Ac%25d/orders.ts,line=4,col=21,endLine=4,endColumn=90,title=no-sync-lambda-invoke::' +
        'InvokeCommand without InvocationType waits for `50%25,a:b%0D%0A::warning::injected` to finish (the caller is synchronously coupled to it)',
    );
    // the message keeps its ':' (only properties escape them)
    expect(lines[2]).toBe("::error file=src/broken.ts,line=2,col=10,endLine=2,endColumn=10,title=parse-error::src/broken.ts cannot be parsed at 2:10: ':' expected.");
    const notice = parseCommand(lines[1]!);
    expect(notice.properties).toEqual({ file: `${ODD_DIR}/orders.ts`, line: '4', col: '21', endLine: '4', endColumn: '90', title: 'no-sync-lambda-invoke' });
    expect(notice.message).toContain('`50%,a:b\r\n::warning::injected`');
  });

  it('writes paths relative to the current directory, and to a file with -o', () => {
    const root = project(FILES);
    const r = bin(['.', '--format', 'github', '-o', 'annotations.txt'], path.join(root, 'src'));
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('report written to annotations.txt');
    const lines = fs.readFileSync(path.join(root, 'src', 'annotations.txt'), 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => parseCommand(l).properties['file'])).toEqual(['a,b:c%d/orders.ts', 'broken.ts']);
  });
});

describe('--format gitlab', () => {
  it("writes GitLab's Code Quality fields, with the SARIF fingerprints", () => {
    const root = project(FILES);
    const r = bin(['--format', 'gitlab', '-o', 'gl-code-quality-report.json'], root);
    expect(r.status).toBe(1);
    const issues = JSON.parse(fs.readFileSync(path.join(root, 'gl-code-quality-report.json'), 'utf8')) as {
      description: string;
      check_name: string;
      fingerprint: string;
      severity: string;
      location: { path: string; lines: { begin: number } };
    }[];
    expect(issues.map((i) => `${i.location.path}:${i.location.lines.begin} ${i.check_name} ${i.severity}`)).toEqual([
      'infra/template.yaml:3 require-queue-dlq major',
      `${ODD_DIR}/orders.ts:4 no-sync-lambda-invoke major`,
      'src/broken.ts:2 parse-error major',
    ]);
    for (const issue of issues) {
      expect(Object.keys(issue).sort()).toEqual(['check_name', 'description', 'fingerprint', 'location', 'severity']);
      expect(Object.keys(issue.location).sort()).toEqual(['lines', 'path']);
      expect(issue.description.length).toBeGreaterThan(10);
      expect(issue.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(new Set(issues.map((i) => i.fingerprint)).size).toBe(issues.length);
    const sarif = JSON.parse(bin(['--format', 'sarif'], root).stdout) as { runs: { results: { ruleId: string; partialFingerprints: Record<string, string> }[] }[] };
    expect(issues.map((i) => i.fingerprint).sort()).toEqual(sarif.runs[0]!.results.map((x) => x.partialFingerprints['rel4lint/v1']!).sort());
    const levels = JSON.parse(bin(['--format', 'gitlab', '--rule', 'require-queue-dlq=warning', '--rule', 'no-sync-lambda-invoke=note'], root).stdout) as { check_name: string; severity: string }[];
    expect(levels.map((i) => `${i.check_name} ${i.severity}`)).toEqual(['require-queue-dlq minor', 'no-sync-lambda-invoke info', 'parse-error major']);
  });
});

describe('--format junit', () => {
  it('writes well-formed JUnit XML with a case per rule and file and a failure per finding', () => {
    const root = project({ ...FILES, 'infra/more.yaml': TEMPLATE.replace('Jobs', 'Mail').replace('Resources:', 'Resources:\n  Other:\n    Type: AWS::SQS::Queue') });
    const r = bin(['--format', 'junit', '-o', 'reports/rel4lint.xml'], root);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('(report written to reports/rel4lint.xml)');
    const doc = parseXml(fs.readFileSync(path.join(root, 'reports/rel4lint.xml'), 'utf8'));
    const failing = findAll(doc, 'testcase')
      .filter((c) => findAll(c, 'failure').length > 0)
      .map((c) => `${c.attributes['classname']} | ${c.attributes['name']} | ${findAll(c, 'failure').map((f) => f.attributes['message']!.split(' ')[0]).join(' ')}`);
    expect(failing).toEqual([
      `no-sync-lambda-invoke | ${ODD_DIR}/orders.ts | 4:21`,
      'parse-error | src/broken.ts | 2:10',
      'require-queue-dlq | infra/more.yaml | 3:3 5:3',
      'require-queue-dlq | infra/template.yaml | 3:3',
    ]);
    const enabled = RULES.filter((x) => x.meta.presets.includes('recommended')).length;
    expect(findAll(doc, 'testsuite')).toHaveLength(enabled);
    expect(doc.attributes).toMatchObject({ name: 'rel4lint', tests: String(enabled + 1), failures: '4', errors: '0' });
    const orders = findAll(doc, 'failure').find((f) => f.attributes['message']!.startsWith('4:21'))!;
    expect(orders.attributes['type']).toBe('error');
    expect(orders.text).toContain('50%,a:b\r\n::warning::injected');
  });
});

describe('--format compact', () => {
  it('writes path:line:col: severity message [rule], one line per finding', () => {
    const root = project(FILES);
    const r = bin(['--format', 'compact', '--rule', 'require-queue-dlq=1'], root);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe(
      [
        "infra/template.yaml:3:3: warning SQS queue `Jobs` has no dead-letter queue (RedrivePolicy): a message that keeps failing is redelivered until retention expires, then lost [require-queue-dlq]",
        `${ODD_DIR}/orders.ts:4:21: error InvokeCommand without InvocationType waits for \`50%,a:b ::warning::injected\` to finish (the caller is synchronously coupled to it) [no-sync-lambda-invoke]`,
        "src/broken.ts:2:10: error src/broken.ts cannot be parsed at 2:10: ':' expected. [parse-error]",
        '',
      ].join('\n'),
    );
  });
});

describe('words users type', () => {
  const SYNC = { 'src/orders.ts': ORDERS.replace("'50%,a:b\\r\\n::warning::injected'", "'orders'") };
  const severityOf = async (argv: string[], cwd: string): Promise<string | undefined> => {
    const r = await run([...argv, '--format', 'json'], cwd);
    expect(r.stderr).toBe('');
    return (JSON.parse(r.stdout) as { findings: { rule: string; severity: string }[] }).findings.find((f) => f.rule === 'no-sync-lambda-invoke')?.severity;
  };

  it('accepts ESLint levels and info in --rule: warn, 0, 1, 2, info, also for rel4/<rule>', async () => {
    const cwd = project(SYNC);
    expect(await severityOf(['--rule', 'no-sync-lambda-invoke=warn'], cwd)).toBe('warning');
    expect(await severityOf(['--rule', 'no-sync-lambda-invoke=1'], cwd)).toBe('warning');
    expect(await severityOf(['--rule', 'no-sync-lambda-invoke=info'], cwd)).toBe('note');
    expect(await severityOf(['--rule', 'no-sync-lambda-invoke=0'], cwd)).toBeUndefined();
    expect(await severityOf(['--rule', 'rel4/no-sync-lambda-invoke=2', '--rule', 'no-sync-lambda-invoke=warn', '--rule', 'no-sync-lambda-invoke=2'], cwd)).toBe('error');
    const bad = await run(['--rule', 'no-sync-lambda-invoke=3'], cwd);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("level must be one of off, note, warning, error (or warn, info, 0, 1, 2), got '3'");
  });

  it('accepts the same words in the config file, JSON and YAML', async () => {
    const json = project({ ...SYNC, 'rel4lint.config.json': '{ "rules": { "no-sync-lambda-invoke": "warn", "require-queue-dlq": 0 } }' });
    expect(await severityOf([], json)).toBe('warning');
    const yaml = project({ ...SYNC, 'rel4lint.config.yaml': 'rules:\n  no-sync-lambda-invoke:\n    level: info\n' });
    expect(await severityOf([], yaml)).toBe('note');
    const numbers = project({ ...SYNC, 'rel4lint.config.yml': 'rules:\n  no-sync-lambda-invoke: 1\n' });
    expect(await severityOf([], numbers)).toBe('warning');
    const off = project({ ...SYNC, 'rel4lint.config.yml': 'rules:\n  no-sync-lambda-invoke: 0\n' });
    expect(await severityOf([], off)).toBeUndefined();
    const bad = await run([], project({ ...SYNC, 'rel4lint.config.json': '{ "rules": { "no-sync-lambda-invoke": 3 } }' }));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("rel4lint.config.json:1:39: 'rules.no-sync-lambda-invoke' must be a level (off, note, warning, error, or warn, info, 0, 1, 2)");
  });

  it('suggests the closest rule for a mistyped name in --rule and in the config file', async () => {
    const cwd = project(SYNC);
    const flag = bin(['--rule', 'no-sync-lamda-invoke=off'], cwd);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toBe("rel4lint: unknown rule 'no-sync-lamda-invoke' in --rule: did you mean 'no-sync-lambda-invoke'?\nRun 'rel4lint --help' for usage.\n");
    const config = await run([], project({ ...SYNC, 'rel4lint.config.json': '{ "rules": { "require-queue-dql": "off" } }' }));
    expect(config.code).toBe(2);
    expect(config.stderr).toContain("rel4lint.config.json:1:14: unknown rule 'require-queue-dql' in rules: did you mean 'require-queue-dlq'?");
    const far = await run(['--rule', 'completely-different=off'], cwd);
    expect(far.stderr).toContain("unknown rule 'completely-different' in --rule (see --list-rules)");
    const format = await run(['--format', 'gitlab-ci'], cwd);
    expect(format.stderr).toContain("unknown format 'gitlab-ci': did you mean 'gitlab'?");
  });

  it('explains rel4/<rule> as terminal text, and lists the rules as JSON, from the bin', () => {
    const cwd = project({});
    const explain = bin(['--explain', 'rel4/require-queue-dlq'], cwd);
    expect(explain.status).toBe(0);
    expect(explain.stdout.startsWith('require-queue-dlq\n=================\n')).toBe(true);
    expect(explain.stdout).not.toMatch(/^#{1,6} |^```/m);
    const list = bin(['--list-rules', '--format', 'json'], cwd);
    expect(list.status).toBe(0);
    const rules = JSON.parse(list.stdout) as { name: string; options: object }[];
    expect(rules.map((x) => x.name)).toEqual(RULES.map((x) => x.meta.name).sort());
  });
});
