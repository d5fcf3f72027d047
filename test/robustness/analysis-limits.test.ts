/**
 * Input built to defeat the analyses, generated here (nothing large is committed): every construct
 * the analyses walk nested 1,000, 10,000 and 50,000 levels deep, thousands of retry loops in one
 * function, long promise chains, a suppression comment naming 100,000 unknown rules, variable
 * expansion bombs, deep JSON inside strings, resources named like `Object.prototype` members,
 * files of each format just under the size limit, and a small heap. For each: the scan ends with
 * a finding for what it could not analyse and the other files' findings intact; time grows
 * linearly (CPU time and steps of work compared with a smaller input measured in the same
 * process: no absolute time, the machine may be loaded); memory stays under a gigabyte.
 *
 * Scans that measure run the built engine (`dist/`) in a process of their own.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { project, run } from '../helpers/cli.js';
import { ROOT } from '../helpers/fixtures.js';
import { CALL, CHAINS, EXPRESSION_WRAPPERS, STATEMENT_WRAPPERS, chainFile, expressionFile, handlerFile, nestedFile, nestedStatements } from '../helpers/hostile-code.js';
import { describePair, measureFiles, measureRun, type Measure } from '../helpers/growth.js';
import type { Finding } from '../../src/ground/types.js';

type Api = typeof import('../../src/api/index.js');

/** A code file and a template with one known finding each: they must be reported whatever is beside them. */
const GOOD = {
  'good/good.ts': `import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';\nconst lambda = new LambdaClient({});\nexport const handler = async () => ${CALL};\n`,
  'good/good.yaml': 'AWSTemplateFormatVersion: 2010-09-09\nResources:\n  WorkQueue:\n    Type: AWS::SQS::Queue\n',
};

/**
 * Why a file may be left unanalysed, or some of its findings left out: each is a parse-error
 * finding that says so. Whether the parser's recursion fits in the stack at a given depth depends
 * on the machine, so a nest either fails to parse or is analysed (and then a thousand calls in one
 * file reach the findings limit of a rule).
 */
const LEFT_OUT = /nesting is too deep for the TypeScript parser|analysis stopped reporting [\w-]+: [\d,]+ more of its findings in this file are left out|analysis stopped: the (?:[\w-]+ rule|rules [\w-, ]+) stopped|async function expressions are nested \d+ levels deep|more than [\d,]+ tokens|over the size limit of 8 MiB/;

let dir: string;
beforeAll(() => {
  dir = project(GOOD);
});

interface Scan {
  code: number;
  findings: Finding[];
  /** `rule file:line` for every finding. */
  summary: string[];
  report: string;
}

async function scan(root: string, ...extra: string[]): Promise<Scan> {
  const r = await run(['.', '--preset', 'strict', '--format', 'json', '--no-progress', ...extra], root);
  expect(r.code, r.stderr).not.toBe(2);
  const findings = (JSON.parse(r.stdout) as { findings: Finding[] }).findings;
  return { code: r.code, findings, summary: findings.map((f) => `${f.rule} ${f.file}:${f.range.start.line}`), report: r.stdout };
}

function expectGoodReported(s: Scan, prefix = ''): void {
  expect(s.summary).toContain(`no-sync-lambda-invoke ${prefix}good/good.ts:3`);
  expect(s.summary).toContain(`require-queue-dlq ${prefix}good/good.yaml:3`);
}

/** Each kind of construct the code analyses walk, as a file nested `depth` levels deep. */
function constructs(depth: number): { name: string; text: string }[] {
  return [
    ...Object.keys(STATEMENT_WRAPPERS).map((kind) => ({ name: `statement-${kind}.ts`, text: nestedFile([kind], depth) })),
    ...Object.keys(EXPRESSION_WRAPPERS).map((kind) => ({ name: `expression-${kind}.ts`, text: expressionFile([kind], depth) })),
    ...Object.keys(CHAINS).map((kind) => ({ name: `chain-${kind}.ts`, text: chainFile(kind, depth) })),
  ];
}

describe('analysis limits', () => {
  it('analyses every construct nested 1,000, 10,000 and 50,000 levels deep, or says why not, in time linear in the depth', { timeout: 600_000 }, () => {
    const base = measureFiles(dir, [{ name: 'good/good.ts', text: GOOD['good/good.ts'] }], 1)[0]!;
    const byDepth = new Map<number, Measure[]>();
    for (const depth of [1_000, 10_000, 50_000]) {
      const files = constructs(depth).map((f) => ({ ...f, name: `nest-${depth}/${f.name}` }));
      const measures = measureFiles(dir, files, 1);
      byDepth.set(depth, measures);
      files.forEach((f, i) => {
        const m = measures[i]!;
        const what = `${f.name} (${m.bytes} bytes, ${m.cpuMs.toFixed(0)} ms of CPU, ${m.steps} steps): ${m.messages.join(' | ')}`;
        // the call at the heart of the nest is found, or the file gets a finding that says why not
        if (m.messages.length === 0) expect(m.findings['no-sync-lambda-invoke'], what).toBeGreaterThanOrEqual(1);
        else for (const message of m.messages) expect(message, what).toMatch(LEFT_OUT);
      });
    }
    const shallow = byDepth.get(1_000)!;
    for (const depth of [10_000, 50_000]) {
      byDepth.get(depth)!.forEach((m, i) => {
        const small = shallow[i]!;
        const what = describePair(`${constructs(1).at(i)!.name} nested 1,000 and ${depth.toLocaleString('en-US')} levels deep`, small, m);
        // linear: the work grows with the depth (a scan's fixed cost is that of a small file)
        const scale = depth / 1_000;
        expect(m.cpuMs, what).toBeLessThanOrEqual(4 * scale * Math.max(small.cpuMs, base.cpuMs));
        expect(m.steps, what).toBeLessThanOrEqual(2 * scale * small.steps + 1_000);
      });
    }
  });

  it('finds thousands of retry loops in one function in time linear in their number', { timeout: 300_000 }, () => {
    const loops = (n: number) => handlerFile(Array.from({ length: n }, (_, i) => nestedStatements(['retry-loop'], 1, i)).join('\n'));
    const [small, large] = measureFiles(dir, [
      { name: 'loops/1500.ts', text: loops(1_500) },
      { name: 'loops/6000.ts', text: loops(6_000) },
    ]);
    const what = describePair('1,500 and 6,000 retry loops in one function', small!, large!);
    expect(large!.steps, what).toBeLessThanOrEqual(5 * small!.steps);
    expect(large!.cpuMs, what).toBeLessThanOrEqual(12 * small!.cpuMs);
    // every loop is found: a thousand of each rule's findings reported, the rest counted
    for (const rule of ['no-sync-lambda-invoke', 'no-unbounded-retry', 'require-retry-backoff']) {
      expect(large!.findings[rule], what).toBe(1_000);
      expect(large!.messages, what).toContain(`6000.ts: analysis stopped reporting ${rule}: 5,000 more of its findings in this file are left out (at most 1,000 per rule and file)`);
    }
    expect(large!.messages, what).toHaveLength(3);
  });

  it('reports a suppression comment naming 100,000 unknown rules once, in a short finding', { timeout: 300_000 }, async () => {
    const comment = (n: number) => `// rel4lint-disable ${Array.from({ length: n }, (_, i) => `unknown-rule-${i}`).join(' ')}\n${GOOD['good/good.ts']}`;
    const root = project({ ...GOOD, 'many.ts': comment(100_000) });
    const s = await scan(root);
    expectGoodReported(s);
    const problems = s.findings.filter((f) => f.rule === 'no-invalid-suppression').map((f) => f.message);
    expect(problems).toEqual([
      "'rel4lint-disable' comment names 100000 unknown rules ('unknown-rule-0', 'unknown-rule-1', 'unknown-rule-2', 'unknown-rule-3', 'unknown-rule-4', 'unknown-rule-5', 'unknown-rule-6', 'unknown-rule-7', and 99992 more), so they suppress nothing",
      "'rel4lint-disable' comment suppressing unknown-rule-0, unknown-rule-1, unknown-rule-2, unknown-rule-3, unknown-rule-4, unknown-rule-5, unknown-rule-6, unknown-rule-7, and 99992 more gives no reason: add one after ' -- ' so that reviewers can judge it",
    ]);
    // the report is not the comment repeated: a few kilobytes for a comment of almost 2 MB
    expect(s.report.length).toBeLessThan(20_000);
    const [small, large] = measureFiles(dir, [
      { name: 'suppress/4000.ts', text: comment(4_000) },
      { name: 'suppress/100000.ts', text: comment(100_000) },
    ]);
    expect(large!.cpuMs, describePair('comments naming 4,000 and 100,000 unknown rules', small!, large!)).toBeLessThanOrEqual(4 * 25 * small!.cpuMs);
  });

  it('caps Serverless variable expansion bombs like YAML alias bombs', { timeout: 120_000 }, async () => {
    const levels = ['  a0: "xxxxxxxxxxxxxxxxxxxx"'];
    for (let i = 1; i < 10; i++) levels.push(`  a${i}: "${`\${self:custom.a${i - 1}}`.repeat(40)}"`);
    const service = (custom: string) => `service: bomb\nprovider:\n  name: aws\ncustom:\n${custom}\nfunctions:\n  f:\n    handler: h.handler\n    timeout: \${self:custom.a9}\n    events:\n      - sqs: arn:aws:sqs:us-east-1:1:orders\n`;
    const root = project({
      ...GOOD,
      'self/serverless.yml': service(levels.join('\n')),
      'files/x.yml': ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].map((k) => `${k}: \${file(./x.yml)}\n`).join(''),
      'files/serverless.yml': 'service: files\nprovider:\n  name: aws\ncustom: ${file(./x.yml)}\nfunctions:\n  f:\n    handler: h.handler\n    events:\n      - sqs: arn:aws:sqs:us-east-1:1:orders\n',
    });
    const s = await scan(root);
    expectGoodReported(s);
    const parseErrors = Object.fromEntries(s.findings.filter((f) => f.rule === 'parse-error').map((f) => [f.file, f.message.replace(/^.*?: /, '')]));
    expect(parseErrors).toEqual({
      'self/serverless.yml': expect.stringMatching(/^Serverless variables expand to more than 1,000,000 characters \(at \$\{self:custom\.a\d\}\); the rest are left unexpanded \(expansion bomb\?\)$/),
      'files/serverless.yml': expect.stringMatching(/^Serverless \$\{file\(\.\.\.\)\} variables bring in more than 100,000 values \(at \$\{file\(\.\/x\.yml\)\}\); the rest are left unexpanded \(expansion bomb\?\)$/),
    });
    // what the services declare is still analysed
    expect(s.summary.filter((x) => x.startsWith('require-partial-batch-response'))).toHaveLength(2);
    const measured = measureRun(root, [{ name: 'self/serverless.yml', text: service(levels.join('\n')) }], 1);
    expect(measured.peakMb).toBeLessThan(1024);
  });

  it('reads deep JSON inside strings (state machine definitions, Fn::Sub bodies, redrive policies) as unknown, without overflowing the stack', { timeout: 120_000 }, async () => {
    const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    const queue = 'Other:\n    Type: AWS::SQS::Queue\n';
    const root = project({
      ...GOOD,
      'definition.yaml': `Resources:\n  Machine:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      DefinitionString: '{"StartAt":"A","States":{"A":{"Type":"Pass","Result":${deep},"End":true}}}'\n  ${queue}`,
      'sub.yaml': `Resources:\n  Machine:\n    Type: AWS::StepFunctions::StateMachine\n    Properties:\n      DefinitionString: !Sub '${deep.replace('1', '${AWS::Region}')}'\n  ${queue}`,
      'redrive.yaml': `Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      RedrivePolicy: '${deep}'\n  ${queue}`,
      'redrive.json': JSON.stringify({ Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { RedrivePolicy: { 'Fn::Sub': deep } } }, Other: { Type: 'AWS::SQS::Queue' } } }),
    });
    const s = await scan(root);
    expectGoodReported(s);
    for (const file of ['definition.yaml', 'sub.yaml', 'redrive.yaml', 'redrive.json']) expect(s.findings.some((f) => f.file === file && f.rule === 'require-queue-dlq' && f.message.includes('`Other`')), file).toBe(true);
    expect(s.findings.filter((f) => f.rule === 'parse-error')).toEqual([]);
  });

  it('keeps resources named like Object.prototype members, with and without worker threads', { timeout: 120_000 }, async () => {
    // worker threads run the built engine
    const built = (await import(pathToFileURL(path.join(ROOT, 'dist/api/index.js')).href)) as Api;
    const names = ['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf'];
    const root = project({
      'template.yaml': `Resources:\n${names.map((n) => `  ${n}:\n    Type: AWS::SQS::Queue\n`).join('')}`,
      'template.json': `{"Resources": {${names.map((n) => `"${n}": {"Type": "AWS::SQS::Queue"}`).join(', ')}}}`,
    });
    const files = ['template.yaml', 'template.json'].map((f) => path.join(root, f));
    const rules = built.resolveRules('strict');
    const queues = (r: { findings: Finding[] }) => r.findings.filter((f) => f.rule === 'require-queue-dlq').map((f) => `${f.file}:${f.range.start.line}`);
    const one = await built.lint({ cwd: root, files, rules, concurrency: 'off' });
    expect(queues(one)).toEqual(['template.json:1', 'template.json:1', 'template.json:1', 'template.json:1', 'template.json:1', 'template.yaml:2', 'template.yaml:4', 'template.yaml:6', 'template.yaml:8', 'template.yaml:10']);
    for (const concurrency of [2, 3] as const) {
      const many = await built.lint({ cwd: root, files, rules, concurrency });
      expect(many.findings).toEqual(one.findings);
    }
  });

  it('refuses code the TypeScript parser would take exponential time for, and stops a rule at its work limit', { timeout: 300_000 }, () => {
    const asyncNest = (depth: number) => nestedFile(['function-expression'], depth);
    const [few, many, loops] = measureFiles(dir, [
      { name: 'parse/async-6.ts', text: asyncNest(6) },
      { name: 'parse/async-40.ts', text: asyncNest(40) },
      // retry loops nested in each other: the retry analyses look at each loop's whole body
      { name: 'parse/nested-retries.ts', text: nestedFile(['retry-loop'], 250) },
    ]);
    expect(few!.messages).toEqual([]);
    expect(many!.messages).toEqual([expect.stringMatching(/async function expressions are nested \d+ levels deep: the TypeScript parser reads each one twice/)]);
    expect(many!.cpuMs, describePair('async functions nested 6 and 40 deep', few!, many!)).toBeLessThanOrEqual(20 * few!.cpuMs);
    expect(loops!.messages).toEqual([expect.stringMatching(/analysis stopped: the (?:[\w-]+ rule|rules [\w-, ]+) stopped: the file needs more work than the limit for its size \([\d,]+ steps\); its findings from (?:that rule|those rules) are missing/)]);
    // the rules within the limit still report
    expect(loops!.findings['no-sync-lambda-invoke']).toBe(1);
  });

  it('keeps a file of each format just under the size limit under a gigabyte of memory, saying what it left out', { timeout: 600_000 }, () => {
    const size = Math.floor(7.9 * 1024 * 1024);
    const fill = (head: string, item: string, tail: string) => `${head}${item.repeat(Math.floor((size - head.length - tail.length) / item.length))}${tail}`;
    const files = [
      { name: 'big/flow.yaml', text: fill('AWSTemplateFormatVersion: 2010-09-09\nResources:\n  Q:\n    Type: AWS::SQS::Queue\nMetadata:\n  Big: [', '1, ', '1]\n'), left: /The document has up to [\d,]+ values/ },
      { name: 'big/nested.yaml', text: fill('AWSTemplateFormatVersion: 2010-09-09\nResources:\n  Q:\n    Type: AWS::SQS::Queue\nMetadata:\n  Big:\n', '    - [{a: [1, 2]}, {b: [3, 4]}]\n', ''), left: /The document has up to [\d,]+ values/ },
      { name: 'big/flow.json', text: fill('{"Resources":{"Q":{"Type":"AWS::SQS::Queue"}},"Metadata":[', '1,', '1]}'), left: /The document has up to [\d,]+ values/ },
      { name: 'big/main.tf', text: fill('resource "aws_sqs_queue" "q" {\n  tags = { list = jsonencode([', '1,', '1]) }\n}\n'), left: /The Terraform file has up to [\d,]+ values/ },
      { name: 'big/serverless.yml', text: fill('service: big\nprovider:\n  name: aws\ncustom:\n  list: [', '1, ', '1]\n'), left: /The document has up to [\d,]+ values/ },
      { name: 'big/chain.ts', text: chainFile('member', Math.floor(size / 2) - 400), left: /more than 3,500,000 tokens/ },
      { name: 'big/then.ts', text: chainFile('then', Math.floor(size / 15) - 40), left: /more than 3,500,000 tokens/ },
    ];
    for (const f of files) {
      const { files: [m], peakMb } = measureRun(dir, [{ name: f.name, text: f.text }], 1);
      expect(m!.messages, f.name).toEqual([expect.stringMatching(f.left)]);
      expect(peakMb, f.name).toBeLessThan(1024);
    }
  });

  it('reports a file too large for a small heap instead of dying, and goes on with the other files', { timeout: 300_000 }, () => {
    const root = project({
      ...GOOD,
      // minified code is generated output, skipped by default: analysed here
      'rel4lint.config.json': JSON.stringify({ roles: { generated: 'on' } }),
      // four megabytes of dense minified code: up to 700 MB at its peak
      'bundle.min.js': `${'var a0=function(n){return n+1},b0={k:"v",n:[1,2,3]};'.repeat(Math.ceil((3.5 * 1024 * 1024) / 52))}exports.handler=async()=>c.send(new I({FunctionName:"tax"}));\n`,
    });
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'rel4lint.js'), '.', '--format', 'json', '--no-progress'], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 1 << 26,
      env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=256' },
    });
    expect(r.status, r.stderr).toBe(1);
    const s = { findings: (JSON.parse(r.stdout) as { findings: Finding[] }).findings } as Scan;
    s.summary = s.findings.map((f) => `${f.rule} ${f.file}:${f.range.start.line}`);
    expectGoodReported(s);
    expect(s.findings.filter((f) => f.rule === 'parse-error').map((f) => f.message)).toEqual([
      expect.stringMatching(/^bundle\.min\.js cannot be parsed at 1:1: its analysis may need up to [\d,]+ MB of memory, more than the [\d,]+ MB a file may take of the [\d,]+ MB heap; it was not analysed \(give Node\.js a larger heap, e\.g\. NODE_OPTIONS=--max-old-space-size=\d+\)$/),
    ]);
  });
});
