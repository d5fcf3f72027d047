/**
 * require-client-timeout through configuration factories of the project: where the factory is
 * found (tsconfig paths, a package of the workspace), what the finding says and points at, and
 * factories that call each other or themselves.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { lint, resolveRules } from '../../src/api/index.js';
import { RULES } from '../../src/rules/index.js';

let root: string;
const put = (rel: string, text: string) => {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
};

const HANDLER_TAIL = "\nexport const handler = async () => 'ok';\n";

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'rel4lint-factories-'));
  put('package.json', JSON.stringify({ name: 'shop', private: true, workspaces: ['packages/*'] }));
  put('packages/aws-config/package.json', JSON.stringify({ name: '@shop/aws-config', main: 'dist/index.js' }));
  put(
    'packages/aws-config/src/index.ts',
    [
      "export const userAgent = (app: string) => ({ customUserAgent: `shop/${app}` });",
      'export function clientOptions(app: string, region?: string) {',
      '  const base = userAgent(app);',
      '  if (region) return { ...base, region };',
      '  return base;',
      '}',
      '',
    ].join('\n'),
  );
  put('services/orders/tsconfig.json', JSON.stringify({ compilerOptions: { baseUrl: '.', paths: { '@common/*': ['src/common/*'] } } }));
  put(
    'services/orders/src/common/config.ts',
    ['export function retrying(n: number): Record<string, unknown> {', '  return n > 0 ? { ...retrying(n - 1), maxAttempts: n } : {};', '}', ''].join('\n'),
  );
  put(
    'services/orders/src/handler.ts',
    [
      "import { S3Client } from '@aws-sdk/client-s3';",
      "import { SQSClient } from '@aws-sdk/client-sqs';",
      "import { clientOptions } from '@shop/aws-config';",
      "import { retrying } from '@common/config';",
      '',
      "const s3 = new S3Client(clientOptions('orders', process.env.AWS_REGION));",
      'const sqs = new SQSClient(retrying(3));',
      'void s3;',
      'void sqs;',
    ].join('\n') + HANDLER_TAIL,
  );
  put('services/quiz/lib/sdk-config.js', ['module.exports = function (capability, custom) {', "  return { customUserAgent: `quiz/${capability}`, ...custom || {} };", '};', ''].join('\n'));
  put(
    'services/quiz/handler.js',
    [
      "const { LambdaClient } = require('@aws-sdk/client-lambda');",
      "const { S3Client } = require('@aws-sdk/client-s3');",
      "const sdkConfig = require('./lib/sdk-config');",
      '',
      "const lambda = new LambdaClient(sdkConfig('build', { region: 'eu-west-1', httpOptions: { timeout: 900000 } }));",
      "const s3 = new S3Client({ region: 'eu-west-1', httpOptions: { connectTimeout: 1000 } });",
      "const fine = new S3Client(sdkConfig('read', { requestHandler: { connectionTimeout: 1000, requestTimeout: 5000 } }));",
      "exports.handler = async () => [lambda, s3, fine];",
      '',
    ].join('\n'),
  );
});

async function findings(file: string) {
  const overrides = Object.fromEntries(RULES.filter((r) => r.meta.name !== 'require-client-timeout' && r.meta.name !== 'parse-error').map((r) => [r.meta.name, 'off' as const]));
  const result = await lint({ cwd: root, files: [path.join(root, file)], rules: resolveRules('strict', overrides) });
  return result.findings.map((f) => ({
    at: `${f.file}:${f.range.start.line}:${f.range.start.column}`,
    message: f.message,
    related: (f.related ?? []).map((r) => `${r.file}:${r.range.start.line}:${r.range.start.column} ${r.message}`),
  }));
}

describe('require-client-timeout with configuration factories', () => {
  it('follows a factory of a workspace package through the factories it calls, and points at it', async () => {
    const out = await findings('services/orders/src/handler.ts');
    expect(out[0]).toEqual({
      at: 'services/orders/src/handler.ts:6:12',
      message:
        '`S3Client` is created without a requestHandler setting connectionTimeout and requestTimeout (its configuration comes from ../../../packages/aws-config/src/index.ts:2, which sets none): a hung connection or a slow S3 response holds the handler until its own timeout (the SDK sets no deadline by default)',
      related: ['packages/aws-config/src/index.ts:2:17 the function that builds the configuration'],
    });
  });

  it("says that SDK v2's httpOptions does nothing on a v3 client, directly or through a factory that spreads `custom || {}`", async () => {
    const out = await findings('services/quiz/handler.js');
    expect(out.map((f) => [f.at, f.message])).toEqual([
      [
        'services/quiz/handler.js:5:16',
        '`LambdaClient` is created without a requestHandler setting connectionTimeout and requestTimeout (its configuration comes from lib/sdk-config.js:1, which sets none; the `httpOptions` it is given is an SDK v2 setting, which v3 clients ignore): a hung connection or a slow Lambda response holds the handler until its own timeout (the SDK sets no deadline by default)',
      ],
      [
        'services/quiz/handler.js:6:12',
        '`S3Client` is created without a requestHandler setting connectionTimeout and requestTimeout (the `httpOptions` it is given is an SDK v2 setting, which v3 clients ignore): a hung connection or a slow S3 response holds the handler until its own timeout (the SDK sets no deadline by default)',
      ],
    ]);
  });

  it('gives up on a factory that calls itself past the depth limit, through tsconfig paths', async () => {
    const out = await findings('services/orders/src/handler.ts');
    expect(out.map((f) => f.at)).toEqual(['services/orders/src/handler.ts:6:12']);
  });
});
