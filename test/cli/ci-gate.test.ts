/**
 * The CI gate end to end: suppressions (code, YAML, CloudFormation Metadata), the baseline round
 * trip, the configuration file, SARIF suppressions, the Markdown report, the cache and the
 * progress bar.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { project, run, run as runCli } from '../helpers/cli.js';
import { sarifSchemaErrors } from '../helpers/sarif-schema.js';
import { createProgress } from '../../src/cli/progress.js';
import { RULES } from '../../src/rules/index.js';

const HEADER = ["import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';", '', 'const lambda = new LambdaClient({});', ''];

/** A TS file with one sync invoke per given name, each in its own function, with optional comment lines before it. */
function invokes(calls: { fn: string; comment?: string }[], extraTop: string[] = []): string {
  const out = [...HEADER, ...extraTop];
  for (const c of calls) {
    out.push(`export async function ${c.fn}(id: string) {`);
    if (c.comment) out.push(`  ${c.comment}`);
    out.push(`  await lambda.send(new InvokeCommand({ FunctionName: '${c.fn}', Payload: id }));`, '}', '');
  }
  return out.join('\n');
}

const TEMPLATE = [
  "AWSTemplateFormatVersion: '2010-09-09'",
  'Resources:',
  '  # rel4lint-disable-next-line require-queue-dlq -- rebuilt from the orders table on failure',
  '  Rebuilt:',
  '    Type: AWS::SQS::Queue',
  '  # rel4lint-disable-next-line require-queue-dlq',
  '  NoReason:',
  '    Type: AWS::SQS::Queue',
  '  ViaMetadata:',
  '    Type: AWS::SQS::Queue',
  '    Metadata:',
  '      rel4lint:',
  '        ignore:',
  '          - rule: require-queue-dlq',
  '            reason: a replay job re-sends what fails',
  '  Unsuppressed:',
  '    Type: AWS::SQS::Queue',
  '  # rel4lint-disable-next-line require-queue-dlq -- nothing to suppress here',
  '  Bucket:',
  '    Type: AWS::S3::Bucket',
  '',
].join('\n');

interface JsonFinding {
  rule: string;
  file: string;
  message: string;
  range: { start: { line: number } };
  logicalLocation: string;
  suppression?: { kind: string; justification: string };
}
interface JsonReport {
  findings: JsonFinding[];
  suppressed: JsonFinding[];
  baseline?: { file: string; matched: number; stale: { rule: string; file: string; logicalLocation: string; occurrence: number }[] };
  summary: { errors: number; warnings: number; suppressed: number };
}

const rows = (list: JsonFinding[]): string[] => list.map((f) => `${f.file}:${f.range.start.line} ${f.rule}`);

describe('suppressions', () => {
  const files = {
    'src/orders.ts': invokes([
      { fn: 'withReason', comment: '// rel4lint-disable-next-line no-sync-lambda-invoke -- pricing must answer in this request' },
      { fn: 'withoutReason', comment: '// rel4lint-disable-next-line no-sync-lambda-invoke' },
      { fn: 'unsuppressed' },
      { fn: 'unused', comment: '// rel4lint-disable-next-line no-unbounded-retry -- copied from elsewhere' },
    ]),
    'src/block.ts': invokes(
      [{ fn: 'first' }, { fn: 'second' }],
      ['/* rel4lint-disable no-sync-lambda-invoke -- legacy module, replaced by the queue in Q3 */'],
    ),
    'infra/template.yaml': TEMPLATE,
  };

  it('suppresses with and without reasons in TS and YAML, and by CloudFormation Metadata; reports reasonless and unused ones', async () => {
    const root = project(files);
    const r = await run(['--format', 'json', '--preset', 'strict'], root);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(rows(report.findings)).toEqual([
      'infra/template.yaml:6 no-invalid-suppression',
      'infra/template.yaml:16 require-queue-dlq',
      'infra/template.yaml:18 no-invalid-suppression',
      'src/orders.ts:11 no-invalid-suppression',
      'src/orders.ts:16 no-sync-lambda-invoke',
      'src/orders.ts:20 no-invalid-suppression',
      'src/orders.ts:21 no-sync-lambda-invoke',
    ]);
    const messages = report.findings.filter((f) => f.rule === 'no-invalid-suppression').map((f) => f.message);
    expect(messages[0]).toMatch(/gives no reason/);
    expect(messages[1]).toMatch(/suppressing require-queue-dlq suppresses nothing/);
    expect(messages[2]).toMatch(/gives no reason/);
    expect(messages[3]).toMatch(/suppressing no-unbounded-retry suppresses nothing/);
    expect(rows(report.suppressed)).toEqual([
      'infra/template.yaml:4 require-queue-dlq',
      'infra/template.yaml:7 require-queue-dlq',
      'infra/template.yaml:9 require-queue-dlq',
      'src/block.ts:7 no-sync-lambda-invoke',
      'src/block.ts:11 no-sync-lambda-invoke',
      'src/orders.ts:7 no-sync-lambda-invoke',
      'src/orders.ts:12 no-sync-lambda-invoke',
    ]);
    expect(report.suppressed.map((f) => f.suppression)).toContainEqual({ kind: 'inSource', justification: 'a replay job re-sends what fails' });
    expect(report.suppressed.find((f) => f.file === 'src/orders.ts')!.suppression).toEqual({
      kind: 'inSource',
      justification: 'pricing must answer in this request',
    });
    expect(report.summary.suppressed).toBe(7);
    // suppressed findings do not count: the errors left are the two unsuppressed ones
    expect(report.summary.errors).toBe(3);
    expect(r.code).toBe(1);
  });

  it('does not report a suppression of a rule that is off in this run as unused, and its findings cannot be suppressed', async () => {
    const root = project({
      'a.ts': invokes([{ fn: 'a', comment: '// rel4lint-disable-next-line no-sync-lambda-invoke, no-invalid-suppression -- both' }]),
    });
    const off = JSON.parse((await run(['--format', 'json', '--rule', 'no-sync-lambda-invoke=off'], root)).stdout) as JsonReport;
    expect(off.findings.map((f) => f.message)).toEqual([
      "'rel4lint-disable-next-line' comment names no-invalid-suppression, whose findings cannot be suppressed",
    ]);
  });

  it('keeps suppressed findings in SARIF with their justification, valid against the schema, with the automation id', async () => {
    const root = project(files);
    const r = await run(['--format', 'sarif', '--preset', 'strict', '--automation-id', 'rel4lint/iac'], root);
    const log = JSON.parse(r.stdout);
    expect(sarifSchemaErrors(log)).toEqual([]);
    const runLog = log.runs[0];
    expect(runLog.automationDetails).toEqual({ id: 'rel4lint/iac' });
    const suppressed = (runLog.results as { ruleId: string; suppressions?: { kind: string; justification: string }[] }[]).filter((x) => x.suppressions);
    expect(suppressed).toHaveLength(7);
    expect(suppressed.map((s) => s.suppressions![0]!.kind)).toEqual(Array(7).fill('inSource'));
    expect(suppressed.map((s) => s.suppressions![0]!.justification)).toContain('legacy module, replaced by the queue in Q3');
    expect(runLog.results.length).toBe(14);
  });
});

describe('baseline', () => {
  it('round trip: update, lines added above stay baselined, a new finding alone fails, stale entries are listed', async () => {
    const root = project({ 'src/orders.ts': invokes([{ fn: 'place' }, { fn: 'cancel' }]) });
    const update = await run(['--update-baseline', '--format', 'json'], root);
    expect(update.code).toBe(0);
    expect(update.stderr).toContain('Wrote 2 entries to the baseline rel4lint-baseline.json');
    const text = fs.readFileSync(path.join(root, 'rel4lint-baseline.json'), 'utf8');
    expect(JSON.parse(text)).toEqual({
      version: 1,
      entries: [
        { rule: 'no-sync-lambda-invoke', file: 'src/orders.ts', logicalLocation: expect.stringMatching(/^cancel:/), occurrence: 0 },
        { rule: 'no-sync-lambda-invoke', file: 'src/orders.ts', logicalLocation: expect.stringMatching(/^place:/), occurrence: 0 },
      ],
    });
    // stable bytes
    await run(['--update-baseline'], root);
    expect(fs.readFileSync(path.join(root, 'rel4lint-baseline.json'), 'utf8')).toBe(text);

    // lines added above: still baselined
    fs.writeFileSync(path.join(root, 'src/orders.ts'), invokes([{ fn: 'place' }, { fn: 'cancel' }], ['// a comment', 'const unrelated = 1;', 'export { unrelated };', '']));
    const same = await run(['--baseline', 'rel4lint-baseline.json', '--format', 'json'], root);
    expect(same.code).toBe(0);
    const sameReport = JSON.parse(same.stdout) as JsonReport;
    expect(sameReport.findings).toEqual([]);
    expect(sameReport.suppressed.map((f) => f.suppression?.kind)).toEqual(['external', 'external']);
    expect(sameReport.baseline).toEqual({ file: 'rel4lint-baseline.json', matched: 2, stale: [] });

    // a new finding fails alone; a removed one is stale
    fs.writeFileSync(path.join(root, 'src/orders.ts'), invokes([{ fn: 'place' }, { fn: 'refund' }]));
    const changed = await run(['--baseline', 'rel4lint-baseline.json', '--format', 'json'], root);
    expect(changed.code).toBe(1);
    const changedReport = JSON.parse(changed.stdout) as JsonReport;
    expect(changedReport.findings.map((f) => f.logicalLocation.split(':')[0])).toEqual(['refund']);
    expect(changedReport.baseline!.stale).toEqual([
      { rule: 'no-sync-lambda-invoke', file: 'src/orders.ts', logicalLocation: expect.stringMatching(/^cancel:/), occurrence: 0 },
    ]);
    const stylish = await run(['--baseline', 'rel4lint-baseline.json', '--no-color'], root);
    expect(stylish.stdout).toContain('Baseline rel4lint-baseline.json: 1 stale entry (fixed or moved; run --update-baseline to drop them)');
    expect(stylish.stdout).toContain('Suppressed: 1 finding (1 by the baseline)');
    const sarif = JSON.parse((await run(['--baseline', 'rel4lint-baseline.json', '--format', 'sarif'], root)).stdout);
    expect(sarifSchemaErrors(sarif)).toEqual([]);
    expect(sarif.runs[0].results.filter((x: { suppressions?: unknown }) => x.suppressions).map((x: { suppressions: unknown }) => x.suppressions)).toEqual([
      [{ kind: 'external', justification: 'accepted in the baseline rel4lint-baseline.json' }],
    ]);
  });

  it('counts occurrences of the same call in the same function', async () => {
    const twice = [...HEADER, 'export async function go() {', "  await lambda.send(new InvokeCommand({ FunctionName: 'x' }));", "  await lambda.send(new InvokeCommand({ FunctionName: 'x' }));", '}', ''];
    const root = project({ 'a.ts': twice.join('\n') });
    await run(['--update-baseline', '--baseline', 'ci/baseline.json'], root);
    const three = [...twice.slice(0, -2), "  await lambda.send(new InvokeCommand({ FunctionName: 'x' }));", '}', ''];
    fs.writeFileSync(path.join(root, 'a.ts'), three.join('\n'));
    const r = JSON.parse((await run(['--baseline', 'ci/baseline.json', '--format', 'json'], root)).stdout) as JsonReport;
    expect(r.findings).toHaveLength(1);
    expect(r.suppressed).toHaveLength(2);
  });

  it('a missing or malformed baseline is exit 2', async () => {
    const root = project({ 'a.ts': 'export const a = 1;\n', 'bad.json': '{"version": 1, "entries": [{"rule": 1}]}' });
    const missing = await run(['--baseline', 'nope.json'], root);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('baseline nope.json does not exist');
    const bad = await run(['--baseline', 'bad.json'], root);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('entries[0]');
  });
});

describe('exit codes', () => {
  it('0 when clean, 1 on errors, --max-warnings counts warnings but not suppressed ones, 2 on usage errors', async () => {
    const root = project({
      'a.ts': invokes([{ fn: 'a', comment: '// rel4lint-disable-next-line no-sync-lambda-invoke' }]),
    });
    // the suppression has no reason: one warning, the finding itself is suppressed
    expect((await run([], root)).code).toBe(0);
    expect((await run(['--max-warnings', '0'], root)).code).toBe(1);
    expect((await run(['--max-warnings', '1'], root)).code).toBe(0);
    expect((await run(['--rule', 'no-invalid-suppression=error'], root)).code).toBe(1);
    expect((await run(['--automation-id', ''], root)).code).toBe(2);
  });
});

describe('configuration file', () => {
  const SRC = { 'src/a.ts': invokes([{ fn: 'a' }]), 'vendor/b.ts': invokes([{ fn: 'b' }]) };

  it('applies preset, rules, ignore and maxFileBytes from rel4lint.config.yaml; --rule wins', async () => {
    const root = project({
      ...SRC,
      'rel4lint.config.yaml': ['preset: strict', 'rules:', '  no-sync-lambda-invoke: warning', 'ignore:', '  - vendor/', 'maxFileBytes: 100000', ''].join('\n'),
    });
    const r = JSON.parse((await run(['--format', 'json'], root)).stdout) as JsonReport & { findings: { severity: string }[] };
    expect(r.findings.map((f) => `${f.file} ${f.rule} ${(f as unknown as { severity: string }).severity}`)).toEqual(['src/a.ts no-sync-lambda-invoke warning']);
    const cli = JSON.parse((await run(['--format', 'json', '--rule', 'no-sync-lambda-invoke=note'], root)).stdout) as JsonReport;
    expect(cli.findings.map((f) => (f as unknown as { severity: string }).severity)).toEqual(['note']);
  });

  it('reads rel4lint.config.json and --config, with { level, options } settings', async () => {
    const root = project({
      ...SRC,
      'ci/lint.json': JSON.stringify({ $schema: '../schema.json', rules: { 'no-sync-lambda-invoke': { level: 'off' } } }),
      'rel4lint.config.json': JSON.stringify({ ignore: ['vendor'] }),
    });
    const byDefault = JSON.parse((await run(['--format', 'json'], root)).stdout) as JsonReport;
    expect(rows(byDefault.findings)).toEqual(['src/a.ts:6 no-sync-lambda-invoke']);
    const explicit = await run(['--format', 'json', '--config', 'ci/lint.json'], root);
    expect(explicit.code).toBe(0);
    expect((JSON.parse(explicit.stdout) as JsonReport).findings).toEqual([]);
  });

  const BAD: [string, string, string][] = [
    ['unknown top-level key', '{"rulez": {}}', "rel4lint.config.json:1:2: unknown key 'rulez'"],
    ['bad level', '{"rules": {"no-sync-lambda-invoke": "loud"}}', "rel4lint.config.json:1:37: 'rules.no-sync-lambda-invoke' must be a level"],
    ['unknown rule', '{"rules": {"no-such-rule": "error"}}', "rel4lint.config.json:1:12: unknown rule 'no-such-rule'"],
    ['unknown option', '{"rules": {"no-sync-lambda-invoke": {"options": {"bogus": 1}}}}', "rel4lint.config.json:1:50: unknown key 'rules.no-sync-lambda-invoke.options.bogus' (no-sync-lambda-invoke has no options)"],
    ['bad preset', '{"preset": "lenient"}', "rel4lint.config.json:1:12: 'preset' must be one of recommended, strict"],
    ['bad ignore', '{"ignore": "vendor"}', "rel4lint.config.json:1:12: 'ignore' must be array"],
    ['bad maxFileBytes', '{"maxFileBytes": 0}', "rel4lint.config.json:1:18: 'maxFileBytes' must be >= 1"],
    ['unknown nested key', '{"rules": {"no-sync-lambda-invoke": {"level": "error", "opts": {}}}}', "rel4lint.config.json:1:56: unknown key 'rules.no-sync-lambda-invoke.opts'"],
    ['invalid JSON', '{"rules": ', 'rel4lint.config.json:1:11: invalid JSON (ValueExpected)'],
  ];
  for (const [name, text, message] of BAD) {
    it(`exits 2 naming the key: ${name}`, async () => {
      const root = project({ 'a.ts': 'export const a = 1;\n', 'rel4lint.config.json': text });
      const r = await run([], root);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stdout).toBe('');
    });
  }

  it('exits 2 on invalid YAML and on a missing --config', async () => {
    const root = project({ 'a.ts': 'export const a = 1;\n', 'rel4lint.config.yml': 'rules:\n  a: 1\n a: 2\n' });
    const yaml = await run([], root);
    expect(yaml.code).toBe(2);
    expect(yaml.stderr).toContain('rel4lint.config.yml:3:1: invalid YAML (All mapping items must start at the same column)\n');
    const missing = await run(['--config', 'nope.yaml'], root);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('config file nope.yaml does not exist');
  });
});

describe('markdown report', () => {
  it('matches the golden file', async () => {
    const root = project({
      'src/orders.ts': invokes([
        { fn: 'place' },
        { fn: 'quote', comment: '// rel4lint-disable-next-line no-sync-lambda-invoke -- pricing is part of the response' },
      ]),
      'src/pipes.ts': invokes([{ fn: 'escape_me' }]).replace("FunctionName: 'escape_me'", "FunctionName: 'a|b*<c>'"),
      'src/broken.ts': 'export function broken( {\n',
      'infra/template.yaml': TEMPLATE,
    });
    const env = { GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/shop', GITHUB_SHA: 'abc123', GITHUB_WORKSPACE: root };
    // a fixed rule set, so that the scorecard does not change when rules are added
    const keep = new Set(['no-sync-lambda-invoke', 'require-queue-dlq', 'no-unbounded-retry', 'parse-error', 'no-invalid-suppression']);
    const off = RULES.filter((rule) => !keep.has(rule.meta.name)).flatMap((rule) => ['--rule', `${rule.meta.name}=off`]);
    const r = await run(['--format', 'markdown', ...off], root, { env });
    expect(r.code).toBe(1);
    await expect(r.stdout).toMatchFileSnapshot('__golden__/report.md');
    // the same without GitHub variables: locations are plain text
    const plain = await run(['--format', 'markdown', ...off], root);
    expect(plain.stdout).toContain('| 🔴 error | `src/orders.ts:6:21` | [`no-sync-lambda-invoke`]');
    // no-sync-lambda-invoke counts for REL04-BP02 and REL04-BP01 in the scorecard: listed under both
    const sections = plain.stdout.split('\n### ').slice(1);
    const bp01 = sections.find((s) => s.startsWith('[REL04-BP01'))!;
    const bp02 = sections.find((s) => s.startsWith('[REL04-BP02'))!;
    for (const section of [bp01, bp02]) expect(section).toContain('| 🔴 error | `src/pipes.ts:6:21` |');
  });
});

describe('cache', () => {
  it('reuses results of unchanged code files, and recomputes on a content or configuration change', async () => {
    const root = project({ 'src/a.ts': invokes([{ fn: 'a' }]), 'src/b.ts': invokes([{ fn: 'b' }]), 'infra/template.yaml': TEMPLATE });
    // the default cache is kept in the user's cache directory, outside the scanned tree
    const home = project({});
    const env = { XDG_CACHE_HOME: home };
    const run = (argv: string[], cwd: string) => runCli(argv, cwd, { env });
    const cold = await run(['--cache', '--format', 'json'], root);
    const cached = fs.readdirSync(path.join(home, 'rel4lint'));
    expect(cached).toEqual([expect.stringMatching(/^[0-9a-f]{16}\.json$/)]);
    const cacheFile = path.join(home, 'rel4lint', cached[0]!);
    expect(fs.readdirSync(root).sort()).toEqual(['infra', 'src']);
    const warm = await run(['--cache', '--format', 'json'], root);
    expect(warm.stdout).toBe(cold.stdout);

    // prove the cached entry is what the warm run used: doctor it
    const data = JSON.parse(fs.readFileSync(cacheFile, 'utf8'));
    expect(Object.keys(data.files).sort()).toEqual(['src/a.ts', 'src/b.ts']);
    data.files['src/a.ts'].findings[0].message = 'from the cache';
    data.files['src/b.ts'].findings[0].message = 'from the cache';
    fs.writeFileSync(cacheFile, JSON.stringify(data));
    const hit = JSON.parse((await run(['--cache', '--format', 'json'], root)).stdout) as JsonReport;
    expect(hit.findings.filter((f) => f.message === 'from the cache').map((f) => f.file)).toEqual(['src/a.ts', 'src/b.ts']);

    // content change: a miss for that file only
    fs.appendFileSync(path.join(root, 'src/a.ts'), '\n// changed\n');
    const miss = JSON.parse((await run(['--cache', '--format', 'json'], root)).stdout) as JsonReport;
    expect(miss.findings.filter((f) => f.message === 'from the cache').map((f) => f.file)).toEqual(['src/b.ts']);

    // configuration change: everything recomputed
    const other = JSON.parse((await run(['--cache', '--format', 'json', '--preset', 'strict'], root)).stdout) as JsonReport;
    expect(other.findings.some((f) => f.message === 'from the cache')).toBe(false);

    // without --cache, the cache is neither read nor written
    const before = fs.readFileSync(cacheFile, 'utf8');
    await run(['--format', 'json'], root);
    expect(fs.readFileSync(cacheFile, 'utf8')).toBe(before);
  });

  it('reuses the result of a file that reaches a helper module until that helper changes', async () => {
    const helper = (timeout: boolean): string =>
      `import { S3Client } from '@aws-sdk/client-s3';\nexport const s3 = new S3Client(${timeout ? '{ requestHandler: { connectionTimeout: 1000, requestTimeout: 2000 } }' : '{}'});\n`;
    const handler = "import { s3 } from './clients';\nimport { PutObjectCommand } from '@aws-sdk/client-s3';\nexport const handler = async () => { await s3.send(new PutObjectCommand({ Bucket: 'b', Key: 'k' })); };\n";
    const root = project({ 'src/clients.ts': helper(false), 'src/handler.ts': handler });
    const cacheFile = path.join(project({}), 'lint-cache');
    const args = ['--cache', '--cache-location', cacheFile, '--preset', 'strict', '--format', 'json'];
    const timeouts = (out: string): string[] =>
      (JSON.parse(out) as JsonReport).findings.filter((f) => f.rule === 'require-client-timeout').map((f) => f.file);
    const cold = await run(args, root);
    expect(timeouts(cold.stdout)).toEqual(['src/clients.ts']);
    const data = JSON.parse(fs.readFileSync(cacheFile, 'utf8'));
    expect(Object.keys(data.files['src/handler.ts'].dependencies ?? {})).toEqual(['src/clients.ts']);
    expect((await run(args, root)).stdout).toBe(cold.stdout);
    // the helper now sets timeouts: the handler's cached result depended on it and is recomputed
    fs.writeFileSync(path.join(root, 'src/clients.ts'), helper(true));
    expect(timeouts((await run(args, root)).stdout)).toEqual([]);
  });

  it('honours --cache-location and applies suppressions to cached results', async () => {
    const root = project({ 'a.ts': invokes([{ fn: 'a', comment: '// rel4lint-disable-next-line no-sync-lambda-invoke -- by design' }]) });
    const first = await run(['--cache', '--cache-location', 'tmp/lint-cache', '--format', 'json'], root);
    expect(fs.existsSync(path.join(root, 'tmp/lint-cache'))).toBe(true);
    const second = await run(['--cache', '--cache-location', 'tmp/lint-cache', '--format', 'json'], root);
    expect(second.stdout).toBe(first.stdout);
    expect((JSON.parse(second.stdout) as JsonReport).suppressed).toHaveLength(1);
    expect(second.code).toBe(0);
  });
});

describe('progress', () => {
  function capture(options: { isTTY: boolean; env?: Record<string, string>; enabled?: boolean }) {
    let out = '';
    let t = 0;
    const p = createProgress({ stream: { write: (s: string) => (out += s) }, isTTY: options.isTTY, env: options.env ?? {}, enabled: options.enabled ?? true, now: () => t });
    return {
      step(ms: number, done: number, total: number) {
        t += ms;
        p.update(done, total);
      },
      finish() {
        p.done();
        return out;
      },
    };
  }

  it('draws on a terminal after a second, and erases itself', () => {
    const c = capture({ isTTY: true });
    c.step(500, 1, 4);
    c.step(600, 2, 4);
    const out = c.finish();
    expect(out).toContain('2/4 files');
    expect(out).not.toContain('1/4 files');
    expect(out.endsWith('\r\x1b[2K')).toBe(true);
  });

  it('shows the elapsed time and the files per second on a long scan', () => {
    const c = capture({ isTTY: true });
    c.step(1100, 2, 400);
    c.step(400, 30, 400);
    c.step(63_500, 400, 400);
    const frames = c.finish().split('\r\x1b[2K').filter(Boolean);
    expect(frames[0]).toMatch(/^█*░+ 2\/400 files · 1s · 1\.8 files\/s$/);
    expect(frames[1]).toMatch(/ 30\/400 files · 1s · 20 files\/s$/);
    expect(frames[2]).toBe(`${'█'.repeat(30)} 400/400 files · 1m05s · 6.2 files/s`);
  });

  it('draws in a simulated terminal through the CLI: a slow scan shows the bar on stderr, then the report', async () => {
    const root = project({ 'a.ts': 'export const a = 1;\n', 'b.ts': 'export const b = 2;\n' });
    let stderr = '';
    let t = 0;
    const clock = Date.now;
    // every look at the clock is a second later: the bar appears at once
    Date.now = () => (t += 1000);
    try {
      const r = await run(['--no-color'], root, { stderrIsTTY: true, stderr: { write: (s: string) => (stderr += s) } });
      expect(r.code).toBe(0);
    } finally {
      Date.now = clock;
    }
    expect(stderr).toMatch(/2\/2 files · \d+s · [\d.]+ files\/s/);
    expect(stderr.endsWith('\r\x1b[2K')).toBe(true);
  });

  it('stays silent for short scans, off a terminal, under CI and with --no-progress', () => {
    const short = capture({ isTTY: true });
    short.step(200, 4, 4);
    expect(short.finish()).toBe('');
    for (const opts of [{ isTTY: false }, { isTTY: true, env: { CI: 'true' } }, { isTTY: true, enabled: false }]) {
      const c = capture(opts);
      c.step(5000, 1, 2);
      expect(c.finish()).toBe('');
    }
  });

  it('never writes to stdout, even on a terminal', async () => {
    const root = project({ 'a.ts': 'export const a = 1;\n' });
    const r = await run(['--format', 'json'], root, { stderrIsTTY: true, stdoutIsTTY: false });
    expect(() => JSON.parse(r.stdout)).not.toThrow();
  });
});
