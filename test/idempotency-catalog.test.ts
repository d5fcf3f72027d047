import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CATALOG_SOURCE,
  OPERATION_COUNT,
  V2_CLASS_TO_SERVICE,
  sdkGeneratesToken,
  serviceForV2Class,
  tokenMember,
  tokenMembers,
} from '../src/code/idempotency-catalog.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const script = path.join(repoRoot, 'scripts', 'gen-idempotency-catalog.js');
const catalogFile = path.join(repoRoot, 'src', 'code', 'idempotency-catalog.json');
const tempDir = mkdtempSync(path.join(tmpdir(), 'rel4lint-idempotency-'));

afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

function generator(args: string[], scriptPath = script) {
  const result = spawnSync(process.execPath, [scriptPath, ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('tokenMember', () => {
  it.each([
    ['ec2', 'RunInstances', 'ClientToken'],
    ['ecs', 'RunTask', 'clientToken'],
    ['dynamodb', 'TransactWriteItems', 'ClientRequestToken'],
    ['efs', 'CreateFileSystem', 'CreationToken'],
    ['secrets-manager', 'CreateSecret', 'ClientRequestToken'],
    ['secrets-manager', 'PutSecretValue', 'ClientRequestToken'],
    ['sfn', 'RedriveExecution', 'clientToken'],
    ['ssm', 'CreateMaintenanceWindow', 'ClientToken'],
    ['ssm', 'CreatePatchBaseline', 'ClientToken'],
    ['scheduler', 'CreateSchedule', 'ClientToken'],
  ])('%s %s takes %s', (service, operation, member) => {
    expect(tokenMember(service, operation)).toBe(member);
    expect(tokenMembers(service, operation)).toEqual([member]);
  });

  it('has no token for Step Functions StartExecution (its `name` is handled by the rule itself)', () => {
    expect(tokenMember('sfn', 'StartExecution')).toBeUndefined();
  });

  it.each([
    ['acm', 'RequestCertificate', 'IdempotencyToken'],
    ['acm-pca', 'IssueCertificate', 'IdempotencyToken'],
    ['backup', 'StartBackupJob', 'IdempotencyToken'],
    ['codebuild', 'StartBuild', 'idempotencyToken'],
    ['codebuild', 'startBuild', 'idempotencyToken'],
  ])('%s %s takes %s, a member the models leave unmarked: the SDK does not generate it', (service, operation, member) => {
    expect(tokenMember(service, operation)).toBe(member);
    expect(tokenMembers(service, operation)).toEqual([member]);
    expect(sdkGeneratesToken(service, operation)).toBe(false);
  });

  it('has no token for ACM PutAccountConfiguration: its IdempotencyToken is required, so always given', () => {
    expect(tokenMember('acm', 'PutAccountConfiguration')).toBeUndefined();
  });

  it('knows the SDK generates the tokens the models mark', () => {
    expect(sdkGeneratesToken('ec2', 'RunInstances')).toBe(true);
    expect(sdkGeneratesToken('backup', 'CreateFramework')).toBe(true);
    expect(sdkGeneratesToken('lambda', 'Invoke')).toBe(false);
    expect(sdkGeneratesToken('constructor', 'toString')).toBe(false);
  });

  it('has no token for calls that cannot carry one', () => {
    expect(tokenMember('lambda', 'Invoke')).toBeUndefined();
    expect(tokenMember('sqs', 'SendMessage')).toBeUndefined();
    expect(tokenMember('sns', 'Publish')).toBeUndefined();
    expect(tokenMember('eventbridge', 'PutEvents')).toBeUndefined();
  });

  it('accepts v2 method names', () => {
    expect(tokenMember('ec2', 'runInstances')).toBe('ClientToken');
  });

  it('returns undefined for unknown services, operations and prototype keys', () => {
    expect(tokenMember('no-such-service', 'RunInstances')).toBeUndefined();
    expect(tokenMember('ec2', 'NoSuchOperation')).toBeUndefined();
    expect(tokenMember('constructor', 'toString')).toBeUndefined();
    expect(tokenMember('ec2', 'constructor')).toBeUndefined();
    expect(tokenMembers('ec2', '__proto__')).toEqual([]);
  });
});

describe('serviceForV2Class', () => {
  it.each([
    ['EC2', 'ec2'],
    ['SecretsManager', 'secrets-manager'],
    ['StepFunctions', 'sfn'],
    ['Lambda', 'lambda'],
    ['DynamoDB', 'dynamodb'],
    ['CloudWatchLogs', 'cloudwatch-logs'],
    ['APIGateway', 'api-gateway'],
    ['ELBv2', 'elastic-load-balancing-v2'],
    ['SQS', 'sqs'],
  ])('maps %s to %s', (v2, service) => {
    expect(serviceForV2Class(v2)).toBe(service);
  });

  it('returns undefined for names that are not v2 service classes', () => {
    expect(serviceForV2Class('ec2')).toBeUndefined();
    expect(serviceForV2Class('constructor')).toBeUndefined();
  });

  it('covers every v2 class with a distinct, well-formed package suffix', () => {
    expect(V2_CLASS_TO_SERVICE.size).toBeGreaterThan(350);
    const suffixes = [...V2_CLASS_TO_SERVICE.values()];
    expect(new Set(suffixes).size).toBe(suffixes.length);
    for (const suffix of suffixes) expect(suffix).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });
});

describe('idempotency-catalog.json', () => {
  const json = JSON.parse(readFileSync(catalogFile, 'utf8')) as {
    operationCount: number;
    services: Record<string, { v2: string; operations: Record<string, string | string[]> }>;
  };

  it('has a plausible operation count that matches its entries', () => {
    expect(OPERATION_COUNT).toBeGreaterThanOrEqual(850);
    expect(OPERATION_COUNT).toBeLessThanOrEqual(1000);
    const listed = Object.values(json.services).reduce((sum, service) => sum + Object.keys(service.operations).length, 0);
    expect(listed).toBe(OPERATION_COUNT);
    expect(CATALOG_SOURCE).toMatch(/^aws-sdk@\d+\.\d+\.\d+ API models$/);
  });

  it('names the v2 class of every service consistently with V2_CLASS_TO_SERVICE', () => {
    for (const [service, entry] of Object.entries(json.services)) expect(serviceForV2Class(entry.v2)).toBe(service);
  });
});

describe('gen-idempotency-catalog.js', () => {
  it('--check passes on the committed catalog', () => {
    const result = generator(['--check']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('--check --file passes on an identical copy and fails on a modified one', () => {
    const copy = path.join(tempDir, 'copy.json');
    copyFileSync(catalogFile, copy);
    expect(generator(['--check', '--file', copy]).status).toBe(0);

    writeFileSync(copy, readFileSync(copy, 'utf8').replace('"ClientToken"', '"ClientTokenX"'));
    const result = generator(['--check', '--file', copy]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('copy.json');
    expect(result.stderr).toContain('node scripts/gen-idempotency-catalog.js --file');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--check fails on whitespace-only differences and on a missing file', () => {
    const copy = path.join(tempDir, 'spaces.json');
    writeFileSync(copy, readFileSync(catalogFile, 'utf8').trimEnd());
    expect(generator(['--check', '--file', copy]).status).toBe(1);
    expect(generator(['--check', '--file', path.join(tempDir, 'missing.json')]).status).toBe(1);
  });

  it('--file writes the same bytes as the committed catalog', () => {
    const target = path.join(tempDir, 'nested', 'written.json');
    const result = generator(['--file', target]);
    expect(result.status).toBe(0);
    expect(readFileSync(target)).toEqual(readFileSync(catalogFile));
  });

  it('exits 2 on an unknown argument', () => {
    const result = generator(['--frobnicate']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--frobnicate');
  });

  it('exits 2 when aws-sdk is not installed', () => {
    const scripts = path.join(tempDir, 'bare', 'scripts');
    mkdirSync(scripts, { recursive: true });
    writeFileSync(path.join(scripts, '..', 'package.json'), '{ "type": "module" }\n');
    const copy = path.join(scripts, 'gen-idempotency-catalog.js');
    copyFileSync(script, copy);
    const result = generator(['--check'], copy);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('aws-sdk');
  });
});
