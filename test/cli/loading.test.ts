/**
 * What a run of the shipped bin loads: a scan of templates alone never loads the TypeScript
 * compiler (nor the `yaml` package, for templates the single-pass reader reads), a scan with code
 * files does. Observed in the process itself: a module preloaded with `--import` lists the
 * CommonJS modules loaded when the process exits (TypeScript and `yaml` are CommonJS).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { project } from '../helpers/cli.js';
import { ROOT } from '../helpers/fixtures.js';

const MARK = '@@loaded@@';
const PROBE = `data:text/javascript,${encodeURIComponent(
  `import { createRequire } from 'node:module';
const cache = createRequire(process.cwd() + '/').cache;
process.on('exit', () => process.stderr.write('${MARK}' + JSON.stringify(Object.keys(cache))));`,
)}`;

interface Loaded {
  status: number | null;
  findings: string[];
  typescript: boolean;
  yaml: boolean;
}

function runBin(cwd: string, args: string[]): Loaded {
  const r = spawnSync(process.execPath, ['--import', PROBE, path.join(ROOT, 'bin', 'rel4lint.js'), ...args, '--format', 'compact', '--no-progress'], { cwd, encoding: 'utf8' });
  const at = r.stderr.lastIndexOf(MARK);
  expect(at, r.stderr).toBeGreaterThanOrEqual(0);
  const modules = JSON.parse(r.stderr.slice(at + MARK.length)) as string[];
  return {
    status: r.status,
    findings: r.stdout.trim().split('\n').filter(Boolean),
    typescript: modules.some((m) => /[\\/](?:typescript|@ts-morph[\\/]common)[\\/]/.test(m)),
    yaml: modules.some((m) => /[\\/]node_modules[\\/]yaml[\\/]/.test(m)),
  };
}

const QUEUE_YAML = ['AWSTemplateFormatVersion: "2010-09-09"', 'Resources:', '  Jobs:', '    Type: AWS::SQS::Queue', '    Properties:', '      VisibilityTimeout: 60', ''].join('\n');
const SAM_YAML = [
  'Transform: AWS::Serverless-2016-10-31',
  'Resources:',
  '  Worker:',
  '    Type: AWS::Serverless::Function',
  '    Properties:',
  '      Handler: index.handler',
  '      Runtime: nodejs20.x',
  '      Events:',
  '        Jobs:',
  '          Type: SQS',
  '          Properties:',
  '            Queue: !GetAtt Jobs.Arn',
  '  Jobs:',
  '    Type: AWS::SQS::Queue',
  '',
].join('\n');
const QUEUE_JSON = '{ "Resources": { "Audit": { "Type": "AWS::SQS::Queue" } } }\n';
const CODE = [
  "import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';",
  'const lambda = new LambdaClient({});',
  "export const run = () => lambda.send(new InvokeCommand({ FunctionName: 'pricing' }));",
  '',
].join('\n');

describe('what a run loads', () => {
  it('a scan of templates alone loads neither TypeScript nor the yaml package, and reports their findings', () => {
    const root = project({ 'infra/queue.yaml': QUEUE_YAML, 'infra/sam.yaml': SAM_YAML, 'infra/audit.json': QUEUE_JSON, 'README.md': '# app\n' });
    const r = runBin(root, ['.']);
    expect(r.status).toBe(1);
    expect(r.findings).toEqual([
      expect.stringMatching(/^infra\/audit\.json:1:18: error .*\[require-queue-dlq\]$/),
      expect.stringMatching(/^infra\/queue\.yaml:3:3: error .*\[require-queue-dlq\]$/),
      expect.stringMatching(/^infra\/sam\.yaml:9:9: warning .*\[require-partial-batch-response\]$/),
      expect.stringMatching(/^infra\/sam\.yaml:13:3: error .*\[require-queue-dlq\]$/),
    ]);
    expect(r.typescript).toBe(false);
    expect(r.yaml).toBe(false);
  });

  it('an empty folder and --version load neither', () => {
    const root = project({ 'notes.txt': 'nothing to scan\n' });
    for (const args of [['.'], ['--version']]) {
      const r = runBin(root, args);
      expect(r.status).toBe(0);
      expect(r.typescript).toBe(false);
      expect(r.yaml).toBe(false);
    }
  });

  it('a scan with a code file loads TypeScript once it has code to parse', () => {
    const root = project({ 'infra/queue.yaml': QUEUE_YAML, 'src/run.ts': CODE });
    const r = runBin(root, ['.']);
    expect(r.findings.some((f) => /^src\/run\.ts:3:\d+: error .*\[no-sync-lambda-invoke\]$/.test(f))).toBe(true);
    expect(r.typescript).toBe(true);
  });
});
