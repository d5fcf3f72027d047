#!/usr/bin/env node
/**
 * Template benchmark: generates CloudFormation and SAM templates of realistic sizes (2-30 KB:
 * queues with and without DLQs, functions, event source mappings, topics and subscriptions,
 * EventBridge rules, SAM functions with events; YAML with short tags and JSON) into a temp
 * directory, runs the rel4lint CLI on them and prints templates per second, peak RSS and the core
 * count. Target: > 200 templates/s.
 *
 *   node bench/templates.js                  # 1,000 templates
 *   node bench/templates.js --count 3000     # more
 *   node bench/templates.js --runs 3         # best of N
 *   node bench/templates.js --keep           # keep the generated directory (printed)
 *   node bench/templates.js --concurrency off          # passed to the CLI (default: its own default)
 *   node bench/templates.js --baseline ../other-build  # also run another built checkout, same
 *                                                      # corpus, runs interleaved; prints the ratio
 *   node bench/templates.js --load           # only load the templates, in this process (no CLI
 *                                            # start-up, no rules): templates/s and MB/s
 *
 * Needs `npm run build` first (the CLI runs from dist/).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, requireBuild, benchArgs } from './common.js';

const TARGET = 200;

const { values } = benchArgs(import.meta.url, {
  options: {
    count: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
    concurrency: { type: 'string' },
    baseline: { type: 'string' },
    load: { type: 'boolean', default: false },
  },
});
const count = Math.max(1, Number(values.count));
const runs = Math.max(1, Number(values.runs));

requireBuild();
/** The checkouts to measure: this one, and the baseline when given (label, root). */
const builds = [['rel4lint CLI', ROOT]];
if (values.baseline) {
  const base = path.resolve(values.baseline);
  if (!existsSync(path.join(base, 'dist', 'cli', 'main.js'))) {
    console.error(`${base}/dist is missing: build the baseline first`);
    process.exit(2);
  }
  builds.push(['baseline CLI', base]);
}

/** Deterministic pseudo-random numbers (mulberry32), so every run lints the same templates. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = random(20261128);
const pick = (list) => list[Math.floor(rnd() * list.length)];
const chance = (p) => rnd() < p;

/** Resources of one "service": a queue (maybe with a DLQ), a consumer, a topic, a rule. */
function service(i, sam) {
  const r = {};
  const name = `Orders${i}`;
  const withDlq = chance(0.6);
  r[`${name}Queue`] = {
    Type: 'AWS::SQS::Queue',
    Properties: {
      QueueName: { 'Fn::Sub': `\${AWS::StackName}-${name.toLowerCase()}` },
      VisibilityTimeout: pick([30, 60, 180, 360]),
      MessageRetentionPeriod: 1209600,
      ...(withDlq ? { RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [`${name}Dlq`, 'Arn'] }, maxReceiveCount: pick([3, 5, 10]) } } : {}),
      Tags: [
        { Key: 'team', Value: 'orders' },
        { Key: 'cost-center', Value: `cc-${i}` },
      ],
    },
  };
  if (withDlq) r[`${name}Dlq`] = { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 1209600 } };
  const timeout = pick([10, 30, 60, 120]);
  const env = { Variables: { TABLE_NAME: { Ref: `${name}Table` }, QUEUE_URL: { Ref: `${name}Queue` }, LOG_LEVEL: 'info' } };
  if (sam) {
    r[`${name}Consumer`] = {
      Type: 'AWS::Serverless::Function',
      Properties: {
        Handler: 'index.handler',
        Runtime: 'nodejs20.x',
        CodeUri: `src/${name.toLowerCase()}/`,
        Timeout: timeout,
        MemorySize: 512,
        Environment: env,
        Policies: [{ SQSPollerPolicy: { QueueName: { 'Fn::GetAtt': [`${name}Queue`, 'QueueName'] } } }, { DynamoDBCrudPolicy: { TableName: { Ref: `${name}Table` } } }],
        Events: {
          Queue: {
            Type: 'SQS',
            Properties: {
              Queue: { 'Fn::GetAtt': [`${name}Queue`, 'Arn'] },
              BatchSize: pick([1, 10, 100]),
              ...(chance(0.5) ? { FunctionResponseTypes: ['ReportBatchItemFailures'] } : {}),
              ...(chance(0.5) ? { ScalingConfig: { MaximumConcurrency: 5 } } : {}),
            },
          },
          ...(chance(0.3) ? { Nightly: { Type: 'Schedule', Properties: { Schedule: pick(['cron(0 0 * * ? *)', 'rate(5 minutes)']) } } } : {}),
        },
      },
    };
  } else {
    r[`${name}Consumer`] = {
      Type: 'AWS::Lambda::Function',
      Properties: {
        Handler: 'index.handler',
        Runtime: 'nodejs20.x',
        Role: { 'Fn::GetAtt': [`${name}Role`, 'Arn'] },
        Code: { S3Bucket: { Ref: 'ArtifactBucket' }, S3Key: `${name.toLowerCase()}.zip` },
        Timeout: timeout,
        MemorySize: 512,
        Environment: env,
        ...(chance(0.4) ? { ReservedConcurrentExecutions: 10 } : {}),
      },
    };
    r[`${name}Role`] = {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
        ManagedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole'],
      },
    };
    r[`${name}Mapping`] = {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        EventSourceArn: { 'Fn::GetAtt': [`${name}Queue`, 'Arn'] },
        FunctionName: { Ref: `${name}Consumer` },
        BatchSize: pick([1, 10]),
        ...(chance(0.5) ? { FunctionResponseTypes: ['ReportBatchItemFailures'] } : {}),
      },
    };
  }
  r[`${name}Table`] = {
    Type: 'AWS::DynamoDB::Table',
    Properties: {
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
    },
  };
  if (chance(0.5)) {
    r[`${name}Topic`] = { Type: 'AWS::SNS::Topic', Properties: { TopicName: `${name.toLowerCase()}-events` } };
    r[`${name}Subscription`] = {
      Type: 'AWS::SNS::Subscription',
      Properties: {
        TopicArn: { Ref: `${name}Topic` },
        Protocol: 'sqs',
        Endpoint: { 'Fn::GetAtt': [`${name}Queue`, 'Arn'] },
        ...(chance(0.5) && withDlq ? { RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [`${name}Dlq`, 'Arn'] } } } : {}),
      },
    };
  }
  if (chance(0.4)) {
    r[`${name}Rule`] = {
      Type: 'AWS::Events::Rule',
      Properties: {
        EventPattern: { source: ['orders'], 'detail-type': ['OrderPlaced'] },
        Targets: [
          {
            Id: 'queue',
            Arn: { 'Fn::GetAtt': [`${name}Queue`, 'Arn'] },
            ...(withDlq && chance(0.5) ? { DeadLetterConfig: { Arn: { 'Fn::GetAtt': [`${name}Dlq`, 'Arn'] } }, RetryPolicy: { MaximumRetryAttempts: 4 } } : {}),
          },
        ],
      },
    };
  }
  return r;
}

function template(i, targetBytes) {
  const sam = chance(0.5);
  const t = {
    AWSTemplateFormatVersion: '2010-09-09',
    ...(sam ? { Transform: 'AWS::Serverless-2016-10-31', Globals: { Function: { Tracing: 'Active', Timeout: 30 } } } : {}),
    Description: `Orders service ${i}`,
    Parameters: { Stage: { Type: 'String', AllowedValues: ['dev', 'prod'], Default: 'dev' }, ArtifactBucket: { Type: 'String' } },
    Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] } },
    Resources: {},
    Outputs: {},
  };
  for (let s = 0; JSON.stringify(t).length < targetBytes; s++) {
    Object.assign(t.Resources, service(s, sam));
    t.Outputs[`Queue${s}Url`] = { Value: { Ref: `Orders${s}Queue` } };
  }
  return t;
}

/** YAML with short-form intrinsics (`!Ref`, `!GetAtt`, `!Sub`), as hand-written templates are. */
function toYaml(v, indent = '') {
  const scalar = (x) => (typeof x === 'string' && !/^[A-Za-z0-9_./:*-]+$/.test(x) ? JSON.stringify(x) : String(x));
  const intrinsic = (x) => {
    if (!x || typeof x !== 'object' || Array.isArray(x)) return undefined;
    const keys = Object.keys(x);
    if (keys.length !== 1) return undefined;
    const [k] = keys;
    if (k === 'Ref') return `!Ref ${x[k]}`;
    if (k === 'Fn::GetAtt') return `!GetAtt ${x[k].join('.')}`;
    if (k === 'Fn::Sub' && typeof x[k] === 'string') return `!Sub ${JSON.stringify(x[k])}`;
    return undefined;
  };
  if (Array.isArray(v)) {
    if (v.length === 0) return ' []\n';
    return `\n${v.map((x) => `${indent}-${toYaml(x, `${indent}  `)}`).join('')}`;
  }
  if (v && typeof v === 'object') {
    const short = intrinsic(v);
    if (short) return ` ${short}\n`;
    if (Object.keys(v).length === 0) return ' {}\n';
    return `\n${Object.entries(v).map(([k, x]) => `${indent}${k}:${toYaml(x, `${indent}  `)}`).join('')}`;
  }
  return ` ${scalar(v)}\n`;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'rel4lint-bench-templates-'));
let bytes = 0;
for (let i = 0; i < count; i++) {
  const size = 2048 + Math.floor(rnd() * rnd() * 28 * 1024); // skewed towards small templates, 2-30 KB
  const t = template(i, size * 0.8);
  const json = chance(0.3);
  const file = path.join(dir, `stack-${String(i).padStart(4, '0')}${json ? '.json' : '.yaml'}`);
  writeFileSync(file, json ? JSON.stringify(t, null, 2) : toYaml(t).slice(1));
  bytes += statSync(file).size;
}
console.log(`machine: ${os.availableParallelism()} cores, Node ${process.version}`);
console.log(`corpus: ${count} templates in ${dir}, ${(bytes / 1e6).toFixed(1)} MB (mean ${(bytes / count / 1024).toFixed(1)} KB)`);

if (values.load) {
  await loadOnly();
} else {
  cliRuns();
}
if (!values.keep) rmSync(dir, { recursive: true, force: true });

/** Runs each build's CLI `runs` times, interleaved, and prints the best run of each. */
function cliRuns() {
  const best = new Map(builds.map(([label]) => [label, { ms: Infinity, cpuMs: Infinity, rss: 0, findings: 0, templates: 0, report: '' }]));
  const extra = values.concurrency ? ['--concurrency', values.concurrency] : [];
  for (let i = 0; i < runs; i++) {
    for (const [label, root] of builds) {
      const t0 = process.hrtime.bigint();
      const res = spawnSync(
        '/usr/bin/time',
        ['-f', '%M %U %S', process.execPath, path.join(root, 'bin', 'rel4lint.js'), dir, '--format', 'json', '--no-progress', '--preset', 'strict', ...extra],
        { encoding: 'utf8', maxBuffer: 1 << 30 },
      );
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (res.status !== 0 && res.status !== 1) {
        console.error(res.stderr);
        process.exit(2);
      }
      const report = JSON.parse(res.stdout);
      const parseErrors = report.findings.filter((f) => f.rule === 'parse-error').length;
      if (parseErrors > 0) {
        console.error(`${label}: ${parseErrors} generated templates did not parse`);
        process.exit(2);
      }
      const [rssKb, user, sys] = res.stderr.trim().split('\n').pop().split(' ').map(Number);
      const b = best.get(label);
      b.ms = Math.min(b.ms, ms);
      b.cpuMs = Math.min(b.cpuMs, (user + sys) * 1000);
      b.rss = Math.max(b.rss, rssKb / 1024);
      b.findings = report.findings.length;
      b.templates = report.summary.templates;
      b.report = JSON.stringify(report.findings);
    }
  }
  const mode = values.concurrency ? `--concurrency ${values.concurrency}` : 'default concurrency';
  for (const [label] of builds) {
    const b = best.get(label);
    const perSecond = count / (b.ms / 1000);
    console.log(
      `${label.padEnd(18)}: ${(b.ms / 1000).toFixed(2)} s wall, ${(b.cpuMs / 1000).toFixed(2)} s CPU (whole process), peak RSS ${b.rss.toFixed(0)} MB, ${b.findings} findings in ${b.templates} templates (${mode}, best of ${runs})`,
    );
    // CPU time is what a busy machine disturbs least; the target is on wall time
    console.log(
      `${'throughput'.padEnd(18)}: ${perSecond.toFixed(0)} templates/s wall, ${(count / (b.cpuMs / 1000)).toFixed(0)} per CPU-second (target > ${TARGET}/s: ${perSecond > TARGET ? 'met' : 'NOT met'})`,
    );
  }
  if (builds.length > 1) {
    const [a, b] = builds.map(([label]) => best.get(label));
    console.log(`ratio             : ${(b.ms / a.ms).toFixed(2)}x wall, ${(b.cpuMs / a.cpuMs).toFixed(2)}x CPU (baseline / this build)`);
    console.log(`findings          : ${a.report === b.report ? 'identical' : 'DIFFERENT'}`);
  }
}

/** Loads every generated template in this process with each build's loader: the parse cost alone. */
async function loadOnly() {
  const files = readdirSync(dir).map((f) => path.join(dir, f));
  const texts = files.map((f) => [f, readFileSync(f, 'utf8')]);
  const loaders = [];
  for (const [label, root] of builds) {
    const mod = await import(pathToFileURL(path.join(root, 'dist', 'iac', 'loaders', 'index.js')).href);
    loaders.push([label, mod.loadIacFile]);
  }
  const best = new Map(loaders.map(([label]) => [label, Infinity]));
  for (let i = 0; i < Math.max(runs, 3); i++) {
    for (const [label, load] of loaders) {
      const c0 = process.cpuUsage();
      for (const [file, text] of texts) if (!load(file, text)?.template) throw new Error(`${label}: ${file} did not load`);
      const c = process.cpuUsage(c0);
      best.set(label, Math.min(best.get(label), (c.user + c.system) / 1000));
    }
  }
  for (const [label] of loaders) {
    const ms = best.get(label);
    console.log(`${label.padEnd(18)}: ${(count / (ms / 1000)).toFixed(0)} templates/s, ${(bytes / 1000 / ms).toFixed(1)} MB/s (loading only, CPU time, best of ${Math.max(runs, 3)})`);
  }
  if (loaders.length > 1) console.log(`ratio             : ${(best.get(loaders[1][0]) / best.get(loaders[0][0])).toFixed(2)}x (baseline / this build)`);
}
