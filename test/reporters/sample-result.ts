/** A hand-made LintResult shared by the reporter tests (no engine involved). */
import type { AnyRule } from '../../src/rules/rule.js';
import type {
  BestPracticeId,
  Finding,
  LintResult,
  Preset,
  RelatedLocation,
  ResolvedRule,
  Severity,
  Target,
} from '../../src/ground/types.js';

const IAC: Target[] = ['cloudformation', 'sam', 'serverless', 'terraform', 'cdk'];

function rule(
  name: string,
  bestPractices: BestPracticeId[],
  severity: Severity,
  presets: Preset[],
  targets: Target[],
  description: string,
  help: string,
): AnyRule {
  return { meta: { name, description, bestPractices, severity, presets, targets, needsContext: false, roles: ['service'], help, options: {} } };
}

export const RULE_DEFS = {
  sync: rule(
    'no-sync-lambda-invoke',
    ['REL04-BP02'],
    'error',
    ['recommended', 'strict'],
    ['code'],
    'Disallow synchronous Lambda invocations between services',
    "Set InvocationType: 'Event', or hand the work to a queue or a state machine",
  ),
  token: rule(
    'require-idempotency-token',
    ['REL04-BP04'],
    'error',
    ['recommended', 'strict'],
    ['code'],
    'Require an idempotency token on AWS operations that accept one',
    'Pass a token derived from the request or message id',
  ),
  dlq: rule(
    'require-queue-dlq',
    ['REL04-BP02'],
    'error',
    ['recommended', 'strict'],
    IAC,
    'Require a dead-letter queue on SQS queues',
    'Add a RedrivePolicy that points at a dead-letter queue',
  ),
  batch: rule(
    'prefer-batch-operation',
    ['REL04-BP03'],
    'note',
    ['strict'],
    ['code'],
    'Prefer batch operations over single-item calls in loops',
    'Use the batch operation (BatchWriteItem, SendMessageBatch, ...)',
  ),
  parse: rule(
    'parse-error',
    [],
    'error',
    ['recommended', 'strict'],
    ['code', ...IAC, 'asl'],
    'Report files that were selected for analysis but could not be parsed',
    'Fix the syntax error so that the file can be checked',
  ),
};

export const SOURCES: Record<string, string> = {
  'src/orders.ts': [
    "import { InvokeCommand } from '@aws-sdk/client-lambda';",
    "import { lambda } from './clients.js';",
    '',
    'export async function handler(event: { id: string }) {',
    '\tconst payload = JSON.stringify({ id: event.id });',
    "\tawait lambda.send(new InvokeCommand({ FunctionName: 'orders-fn', Payload: payload }));",
    '\treturn { statusCode: 200 };',
    '}',
    '',
  ].join('\n'),
  'src/clients.ts': ["import { LambdaClient } from '@aws-sdk/client-lambda';", '', 'export const lambda = new LambdaClient({});', ''].join('\n'),
  'src/workflow.ts': [
    "import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';",
    '',
    'const sfn = new SFNClient({});',
    '',
    'export const handler = async (event: { Records: { body: string }[] }) => {',
    '  for (const record of event.Records) {',
    '    await sfn.send(new StartExecutionCommand({ stateMachineArn: process.env.SM_ARN, input: record.body }));',
    '  }',
    '};',
    '',
  ].join('\n'),
  'src/batch.ts': [
    "import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';",
    'const db = new DynamoDBClient({});',
    'export async function save(items: { id: string }[]) {',
    '  for (const item of items) {',
    "    await db.send(new PutItemCommand({ TableName: 'items', Item: { id: { S: item.id } } }));",
    '  }',
    '}',
    '',
  ].join('\n'),
  'infra/my stack/template.yaml': [
    "AWSTemplateFormatVersion: '2010-09-09'",
    'Resources:',
    '  OrdersQueue:',
    '    Type: AWS::SQS::Queue',
    '    Properties:',
    '      VisibilityTimeout: 60',
    '',
  ].join('\n'),
};

/** 1-based line/column (UTF-16) of an offset. */
export function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** Span of `needle` in a source (occurrence `n`), as offsets and range. */
export function span(file: string, needle: string, length = needle.length) {
  const text = SOURCES[file]!;
  const start = text.indexOf(needle);
  if (start < 0) throw new Error(`${needle} not in ${file}`);
  const end = start + length;
  return { offsets: { start, end }, range: { start: position(text, start), end: position(text, end) } };
}

function finding(
  r: AnyRule,
  severity: Severity,
  file: string,
  needle: string,
  length: number,
  message: string,
  logicalLocation: string,
  related: RelatedLocation[] = [],
): Finding {
  return {
    rule: r.meta.name,
    severity,
    bestPractices: r.meta.bestPractices,
    message,
    help: r.meta.help,
    file,
    ...span(file, needle, length),
    logicalLocation,
    fingerprint: `${r.meta.name}:${file}:${logicalLocation}`.replace(/[^a-z0-9]+/gi, '').slice(0, 24),
    related,
  };
}

const syncCall = "lambda.send(new InvokeCommand({ FunctionName: 'orders-fn', Payload: payload }))";

export const FINDINGS: Finding[] = [
  finding(
    RULE_DEFS.dlq,
    'error',
    'infra/my stack/template.yaml',
    'OrdersQueue',
    11,
    'SQS queue `OrdersQueue` has no dead-letter queue (RedrivePolicy is missing)',
    'Resources.OrdersQueue',
  ),
  finding(
    RULE_DEFS.batch,
    'note',
    'src/batch.ts',
    'db.send(new PutItemCommand',
    "db.send(new PutItemCommand({ TableName: 'items', Item: { id: { S: item.id } } }))".length,
    'PutItem called once per item in a loop; BatchWriteItem writes up to 25 items per call',
    'save > db.send(new PutItemCommand(...))',
  ),
  {
    ...finding(
      RULE_DEFS.sync,
      'error',
      'src/orders.ts',
      syncCall,
      syncCall.length,
      'InvokeCommand without InvocationType waits for `orders-fn` to finish (synchronous coupling)',
      'handler > lambda.send(new InvokeCommand(...))',
    ),
    related: [{ file: 'src/clients.ts', ...span('src/clients.ts', 'new LambdaClient({})'), message: 'client created here' }].map(
      ({ file, range, message }) => ({ file, range, message }),
    ),
    suggestions: [
      {
        description: "Set InvocationType: 'Event'",
        edits: [{ start: 140, end: 140, text: "InvocationType: 'Event', " }],
      },
    ],
  },
  finding(
    RULE_DEFS.token,
    'warning',
    'src/workflow.ts',
    'new StartExecutionCommand',
    'new StartExecutionCommand({ stateMachineArn: process.env.SM_ARN, input: record.body })'.length,
    'StartExecution without `name`: a redelivered message starts a second execution',
    'handler > sfn.send(new StartExecutionCommand(...))',
  ),
];

function resolved(r: AnyRule, severity: Severity = r.meta.severity): ResolvedRule {
  return { meta: r.meta, severity, severityOverridden: severity !== r.meta.severity, options: {}, roles: r.meta.roles };
}

export function sampleResult(findings: Finding[] = FINDINGS): LintResult {
  return {
    cwd: '/work/project',
    findings,
    rules: [
      resolved(RULE_DEFS.sync),
      resolved(RULE_DEFS.parse),
      resolved(RULE_DEFS.batch),
      resolved(RULE_DEFS.token, 'warning'),
      resolved(RULE_DEFS.dlq),
    ],
    sources: new Map(Object.entries(SOURCES)),
    stats: { filesScanned: 5, codeFiles: 4, templates: 1, resources: 1, filesByRole: { service: 4, test: 1, frontend: 0, script: 0, generated: 0, infrastructure: 0 } },
  };
}

export const CTX = { color: false, cwd: '/work/project', toolVersion: '1.2.3', ruleDocUrl: (name: string) => `https://docs.example/rules/${name}` };
