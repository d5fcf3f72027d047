/**
 * Property-based tests: random CloudFormation/SAM templates (YAML with short tags, JSON) and
 * mutations of the fixtures never make the engine throw, every finding lies inside its file, and
 * two runs give the same output, as do scans of many mutated files on 1, 2 and 3 threads.
 *
 * The seed is fixed (printed; override with REL4LINT_FUZZ_SEED) so a failure reproduces.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lint } from '../../src/api/index.js';
import { resolveRules } from '../../src/api/index.js';
import type { Finding, Range } from '../../src/ground/types.js';

const SEED = process.env['REL4LINT_FUZZ_SEED'] ? Number(process.env['REL4LINT_FUZZ_SEED']) : 20_261_128;
const RUNS = { templates: 300, mutatedTemplates: 300, fixtures: 600, threads: 6 };
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RULES = resolveRules('strict');

let dir: string;
beforeAll(() => {
  console.log(`fuzz seed: ${SEED} (set REL4LINT_FUZZ_SEED to change it)`);
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'rel4lint-fuzz-')));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// ---------------------------------------------------------------------------------------------
// Random templates

/** An intrinsic function, written `!Tag value` in YAML and `{"Fn::Tag": value}` in JSON. */
class Intrinsic {
  constructor(
    readonly name: string,
    readonly value: unknown,
  ) {}
}

const ids = fc.constantFrom('OrdersQueue', 'OrdersDlq', 'Worker', 'Topic', 'Rule', 'Mapping', 'Fn', 'Machine', 'Missing');
const scalar = fc.oneof(
  fc.integer({ min: -5, max: 100_000 }),
  fc.constantFrom(0, 1, 5, 30, 900, 'Event', 'RequestResponse', 'nodejs20.x', 'TRIM_HORIZON', 'LATEST', true, false, null, '', 'arn:aws:sqs:us-east-1:123:q'),
  fc.string({ maxLength: 12 }),
);
const intrinsic = fc.oneof(
  ids.map((id) => new Intrinsic('Ref', id)),
  fc.tuple(ids, fc.constantFrom('Arn', 'QueueName', 'StreamArn')).map(([id, a]) => new Intrinsic('Fn::GetAtt', [id, a])),
  fc.string({ maxLength: 10 }).map((s) => new Intrinsic('Fn::Sub', `\${AWS::Region}-${s}`)),
  fc.tuple(scalar, scalar).map(([a, b]) => new Intrinsic('Fn::If', ['IsProd', a, b])),
  fc.constant(new Intrinsic('Fn::ImportValue', 'shared-queue-arn')),
);
const { value: propertyValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    intrinsic,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('Enabled', 'MaximumRetryAttempts', 'BatchSize', 'Arn', 'Type', 'Queue', 'Destination', 'Properties'), tie('value'), {
      maxKeys: 3,
    }),
  ),
}));

/** Properties that the rules read, with random (often wrong-typed) values. */
const PROPERTY_NAMES: Record<string, string[]> = {
  'AWS::SQS::Queue': ['RedrivePolicy', 'VisibilityTimeout', 'MessageRetentionPeriod', 'FifoQueue', 'QueueName'],
  'AWS::Lambda::Function': ['Timeout', 'ReservedConcurrentExecutions', 'Runtime', 'DeadLetterConfig', 'Handler', 'Code'],
  'AWS::Lambda::EventSourceMapping': ['EventSourceArn', 'FunctionName', 'BatchSize', 'MaximumRetryAttempts', 'DestinationConfig', 'FunctionResponseTypes', 'ScalingConfig', 'BisectBatchOnFunctionError', 'StartingPosition'],
  'AWS::SNS::Topic': ['Subscription', 'TopicName'],
  'AWS::SNS::Subscription': ['TopicArn', 'Endpoint', 'Protocol', 'RedrivePolicy'],
  'AWS::Events::Rule': ['ScheduleExpression', 'EventPattern', 'Targets', 'State'],
  'AWS::Lambda::EventInvokeConfig': ['FunctionName', 'Qualifier', 'DestinationConfig', 'MaximumRetryAttempts'],
  'AWS::StepFunctions::StateMachine': ['Definition', 'DefinitionString', 'RoleArn'],
  'AWS::Serverless::Function': ['Timeout', 'Runtime', 'Handler', 'ReservedConcurrentExecutions', 'DeadLetterQueue', 'EventInvokeConfig'],
};
const SAM_EVENT_TYPES = ['SQS', 'Kinesis', 'DynamoDB', 'SNS', 'Schedule', 'ScheduleV2', 'EventBridgeRule', 'Api', 'MSK'];

const samEvents = fc.dictionary(
  fc.constantFrom('Queue', 'Stream', 'Table', 'Topic', 'Nightly', 'Http'),
  fc.record({
    Type: fc.constantFrom(...SAM_EVENT_TYPES),
    Properties: fc.dictionary(fc.constantFrom('Queue', 'Stream', 'BatchSize', 'MaximumRetryAttempts', 'Schedule', 'ScalingConfig', 'FunctionResponseTypes', 'DestinationConfig', 'Enabled'), propertyValue, {
      maxKeys: 4,
    }),
  }),
  { maxKeys: 3 },
);

const resource = fc.constantFrom(...Object.keys(PROPERTY_NAMES)).chain((type) =>
  fc
    .record({
      properties: fc.option(fc.dictionary(fc.constantFrom(...PROPERTY_NAMES[type]!), propertyValue, { maxKeys: 5 }), { nil: undefined }),
      events: type === 'AWS::Serverless::Function' ? fc.option(samEvents, { nil: undefined }) : fc.constant(undefined),
      condition: fc.option(fc.constant('IsProd'), { nil: undefined }),
    })
    .map(({ properties, events, condition }) => {
      const props: Record<string, unknown> = { ...(properties ?? {}) };
      if (events) props['Events'] = events;
      return { Type: type, ...(condition ? { Condition: condition } : {}), ...(properties || events ? { Properties: props } : {}) };
    }),
);

const template = fc
  .record({
    sam: fc.boolean(),
    resources: fc.dictionary(ids, resource, { minKeys: 1, maxKeys: 6 }),
    globals: fc.option(fc.record({ Function: fc.dictionary(fc.constantFrom('Timeout', 'Runtime', 'ReservedConcurrentExecutions'), scalar, { maxKeys: 2 }) }), { nil: undefined }),
  })
  .map(({ sam, resources, globals }) => ({
    AWSTemplateFormatVersion: '2010-09-09',
    ...(sam ? { Transform: 'AWS::Serverless-2016-10-31', ...(globals ? { Globals: globals } : {}) } : {}),
    Parameters: { Env: { Type: 'String' } },
    Conditions: { IsProd: new Intrinsic('Fn::Equals', [new Intrinsic('Ref', 'Env'), 'prod']) },
    Resources: resources,
  }));

function toJson(value: unknown): unknown {
  if (value instanceof Intrinsic) return { [value.name]: toJson(value.value) };
  if (Array.isArray(value)) return value.map(toJson);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJson(v)]));
  return value;
}

/** YAML with short tags for intrinsics; scalars as JSON (valid YAML flow scalars). */
function toYaml(value: unknown, indent = ''): string {
  const inline = (v: unknown): string => {
    if (v instanceof Intrinsic) return `!${v.name.replace(/^Fn::/, '')} ${v.name === 'Fn::GetAtt' ? (v.value as string[]).join('.') : inline(v.value)}`;
    if (Array.isArray(v)) return `[${v.map(inline).join(', ')}]`;
    if (v && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${inline(x)}`).join(', ')}}`;
    return JSON.stringify(v) ?? 'null';
  };
  if (value instanceof Intrinsic || !value || typeof value !== 'object' || (Array.isArray(value) && value.length === 0) || Object.keys(value).length === 0) {
    return ` ${inline(value)}\n`;
  }
  if (Array.isArray(value)) return `\n${value.map((v) => `${indent}-${toYaml(v, `${indent}  `)}`).join('')}`;
  return `\n${Object.entries(value).map(([k, v]) => `${indent}${k}:${toYaml(v, `${indent}  `)}`).join('')}`;
}

// ---------------------------------------------------------------------------------------------
// Mutations

type Mutation = { kind: 'delete' | 'duplicate'; at: number } | { kind: 'swap'; at: number; with: number } | { kind: 'insert'; at: number; text: string };

const noise = fc.string({
  unit: fc.oneof(
    fc.constantFrom(...'{}[]()<>:;,.\'"`!&*|#%@?-=+/\\ \t\n\r\u00e9\u2028x0'.split('')),
    fc.constantFrom('${', '*/', '/*', '//', '!Ref ', '- ', 'await ', 'new ', '=>'),
  ),
  minLength: 1,
  maxLength: 6,
});
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constantFrom('delete' as const, 'duplicate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: noise }),
);

function mutate(text: string, mutations: Mutation[]): string {
  let lines = text.split('\n');
  for (const m of mutations) {
    const i = m.at % lines.length;
    if (m.kind === 'delete') lines.splice(i, 1);
    else if (m.kind === 'duplicate') lines.splice(i, 0, lines[i]!);
    else if (m.kind === 'swap') {
      const j = m.with % lines.length;
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
    } else if (m.kind === 'insert') {
      const joined = lines.join('\n');
      const at = m.at % (joined.length + 1);
      lines = `${joined.slice(0, at)}${m.text}${joined.slice(at)}`.split('\n');
    }
    if (lines.length === 0) lines = [''];
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Properties

const CODE_FILE = /\.([cm]?[jt]sx?)$/;

/** Line lengths as the engine counts lines: TypeScript's line breaks for code, \n, \r\n and \r for templates. */
function lineLengths(file: string, text: string): number[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return body.split(CODE_FILE.test(file) ? /\r\n|[\n\r\u2028\u2029]/ : /\r\n|[\n\r]/).map((l) => l.length);
}

function checkRange(where: string, range: Range, lengths: number[]): void {
  const { start, end } = range;
  for (const [name, p] of [['start', start], ['end', end]] as const) {
    expect(p.line, `${where}: ${name} line`).toBeGreaterThanOrEqual(1);
    expect(p.line, `${where}: ${name} line`).toBeLessThanOrEqual(lengths.length);
    expect(p.column, `${where}: ${name} column`).toBeGreaterThanOrEqual(1);
    expect(p.column, `${where}: ${name} column`).toBeLessThanOrEqual(lengths[p.line - 1]! + 1);
  }
  expect(start.line < end.line || (start.line === end.line && start.column <= end.column), `${where}: start after end`).toBe(true);
}

let counter = 0;
/** Rules that reported at least once, per test: the generators must reach the rules, not only the parsers. */
const seen = new Map<string, number>();

/** Lints one file (twice: determinism) and checks every location. */
async function check(ext: string, text: string): Promise<void> {
  const file = path.join(dir, `case-${counter++ % 4}.${ext}`);
  fs.writeFileSync(file, text);
  let first: Finding[];
  try {
    first = (await lint({ cwd: dir, files: [file], rules: RULES })).findings;
  } catch (error) {
    throw new Error(`engine threw on this ${ext} input:\n${text}\n---\n${(error as Error).stack}`, { cause: error });
  }
  const second = (await lint({ cwd: dir, files: [file], rules: RULES })).findings;
  expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  const lengths = lineLengths(file, text);
  for (const f of first) {
    seen.set(f.rule, (seen.get(f.rule) ?? 0) + 1);
    const where = `${f.rule} ${f.message}\n--- input (${ext}) ---\n${text}`;
    checkRange(where, f.range, lengths);
    for (const r of f.related) checkRange(`${where} (related)`, r.range, lengths);
    expect(f.offsets.start, where).toBeLessThanOrEqual(f.offsets.end);
  }
}

function fixtureFiles(): { ext: string; text: string }[] {
  const out: { ext: string; text: string }[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (/\.(ts|mts|js|mjs|cjs|ya?ml|json)$/.test(e.name) && !e.name.endsWith('.expect.json') && e.name !== 'options.json') {
        out.push({ ext: e.name.slice(e.name.lastIndexOf('.') + 1), text: fs.readFileSync(full, 'utf8') });
      }
    }
  };
  walk(path.join(ROOT, 'fixtures'));
  return out;
}

describe('fuzzing the engine', () => {
  it('handles random CloudFormation and SAM templates (YAML and JSON)', { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(template, fc.boolean(), async (t, json) => {
        await check(json ? 'json' : 'yaml', json ? JSON.stringify(toJson(t), null, 2) : toYaml(t).slice(1));
      }),
      { seed: SEED, numRuns: RUNS.templates },
    );
    console.log('findings by rule (random templates):', Object.fromEntries(seen));
    expect(seen.get('parse-error') ?? 0).toBe(0);
    expect(seen.size).toBeGreaterThanOrEqual(4);
  });

  it('handles mutated templates', { timeout: 60_000 }, async () => {
    seen.clear();
    await fc.assert(
      fc.asyncProperty(template, fc.boolean(), fc.array(mutation, { minLength: 1, maxLength: 4 }), async (t, json, mutations) => {
        const text = json ? JSON.stringify(toJson(t), null, 2) : toYaml(t).slice(1);
        await check(json ? 'json' : 'yaml', mutate(text, mutations));
      }),
      { seed: SEED, numRuns: RUNS.mutatedTemplates },
    );
  });

  it('handles mutated fixtures (code and templates)', { timeout: 60_000 }, async () => {
    seen.clear();
    const fixtures = fixtureFiles();
    expect(fixtures.length).toBeGreaterThan(50);
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: fixtures.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 5 }), async (i, mutations) => {
        const { ext, text } = fixtures[i]!;
        await check(ext, mutate(text, mutations));
      }),
      { seed: SEED, numRuns: RUNS.fixtures },
    );
    console.log('findings by rule (mutated fixtures):', Object.fromEntries(seen));
    expect(seen.size).toBeGreaterThanOrEqual(10);
  });

  it('reports the same for a tree of mutated files on 1, 2 and 3 threads', { timeout: 60_000 }, async () => {
    // worker threads run the built engine
    const built = (await import(pathToFileURL(path.join(ROOT, 'dist/api/index.js')).href)) as typeof import('../../src/api/index.js');
    const fixtures = fixtureFiles();
    let tree = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat({ max: fixtures.length - 1 }), fc.array(mutation, { maxLength: 4 })), { minLength: 40, maxLength: 120 }),
        async (picks) => {
          const root = path.join(dir, `tree-${tree++}`);
          fs.mkdirSync(root);
          const files = picks.map(([i, mutations], k) => {
            const { ext, text } = fixtures[i]!;
            const file = path.join(root, `f${k}.${ext}`);
            fs.writeFileSync(file, mutate(text, mutations));
            return file;
          });
          const runs = [];
          for (const concurrency of ['off', 2, 3] as const) {
            const r = await built.lint({ cwd: root, files, rules: RULES, concurrency });
            runs.push(JSON.stringify({ findings: r.findings, suppressed: r.suppressed, stats: r.stats }));
          }
          expect(runs[1]).toBe(runs[0]);
          expect(runs[2]).toBe(runs[0]);
        },
      ),
      { seed: SEED, numRuns: RUNS.threads },
    );
  });
});
