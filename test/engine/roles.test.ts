/**
 * File roles: what the classifier decides from a path, a text and a package; that rules skip the
 * roles they do not cover and report them when the configuration says so; the counts by role in
 * the result and the JSON report.
 */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { codeFileRole } from '../../src/code/file-role.js';
import { codePathRole, templatePathRole } from '../../src/ground/roles.js';
import { format, lint, resolveRules, scan, ConfigError } from '../../src/api/index.js';
import type { FileRole, Level } from '../../src/ground/types.js';
import { RULES } from '../../src/rules/index.js';
import { FIXTURES, listFiles } from '../helpers/fixtures.js';
import { project } from '../helpers/tmp.js';

const role = (relativePath: string, text = 'export const x = 1;\n'): FileRole => codeFileRole({ relativePath, text });

describe('code file roles', () => {
  it('reads tests from names and folders, not from the word "test" anywhere', () => {
    for (const p of [
      'src/orders.test.ts',
      'src/orders.spec.js',
      'lib/orders.e2e.mjs',
      'test/helpers.ts',
      'packages/api/tests/e2e/invoke.ts',
      'src/__tests__/x.ts',
      'src/__mocks__/client.cjs',
      'integration-test/run.js',
      'packages/testing/src/invoke.ts',
      'src/handler.test-utils.ts',
      'src/testUtils.ts',
      'jest.config.js',
      'vitest.setup.ts',
      'layers/tests/e2e/publisher.test.functionCode.ts',
      'acceptance-tests/steps/orders.ts',
      'src/test-e2e/helpers/cognito-helper.ts',
      'packages/api/tests_integration/orders.ts',
      'test-harness/src/DequeueHandler.ts',
      'test_resources/sts-mock/token.ts',
      'yoti-stub/src/handlers/session.ts',
      'services/notify-stubs/email.js',
    ]) {
      expect(role(p), p).toBe('test');
    }
    for (const p of ['src/latest.ts', 'src/contest.ts', 'src/test-cleanup/index.ts', 'source/load-testing/handler.js', 'src/attestation.ts', 'src/handlers/index.ts', 'src/testimonials.tsx', 'src/stubborn/retry.ts', 'src/mockingbird/index.ts', 'src/harnesses-api/handler.ts', 'src/test-data/seed.ts', 'src/tests-api/handler.ts']) {
      expect(role(p), p).toBe('service');
    }
  });

  it('reads tests from the modules a file imports and from test globals', () => {
    expect(role('src/store.ts', "import { mockClient } from 'aws-sdk-client-mock';\n")).toBe('test');
    expect(role('src/store.cjs', "const sinon = require('sinon');\n")).toBe('test');
    expect(role('src/a.ts', "import { describe, it } from 'vitest';\n")).toBe('test');
    expect(role('src/a.js', "describe('orders', () => {\n  it('works', () => expect(1).toBe(1));\n});\n")).toBe('test');
    // a string that names a test library is not an import
    expect(role('src/a.ts', "const runner = 'jest';\nexport const describeIt = (s: string) => s;\n")).toBe('service');
  });

  it('reads browser code from UI frameworks, DOM use and front-end folders', () => {
    expect(role('src/App.tsx', "import React from 'react';\n")).toBe('frontend');
    expect(role('src/main.ts', "import { createApp } from 'vue';\n")).toBe('frontend');
    expect(role('src/app.component.ts', "import { Component } from '@angular/core';\n")).toBe('frontend');
    expect(role('src/page.js', "document.querySelector('#total').textContent = '0';\n")).toBe('frontend');
    expect(role('frontend/src/api.js')).toBe('frontend');
    expect(role('public/app.js')).toBe('frontend');
    // a static site's code, calling AWS from the browser with the user's credentials
    expect(role('source/website/js/lib/store/api/actions/settings.js', "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\n")).toBe('frontend');
    expect(role('packages/ui/src/client.ts')).toBe('frontend');
    // a browser app's modules, fetching from the page without touching the DOM in this file
    expect(role('source/webapp/src/lib/js/app/shared/probe.js', "export const probe = (url) => fetch(url, { method: 'HEAD' });\n")).toBe('frontend');
    expect(role('web-app/src/api.ts')).toBe('frontend');
    // a Next.js route handler or server rendering in a front-end folder still runs in the service
    expect(role('ui/app/api/orders/route.ts', "import { NextResponse } from 'next/server';\n")).toBe('service');
    expect(role('frontend/server/render.tsx', "import { renderToString } from 'react-dom/server';\n")).toBe('service');
    // server-side rendering runs in the service
    expect(role('src/render.tsx', "import React from 'react';\nimport { renderToString } from 'react-dom/server';\n")).toBe('service');
    // a Next.js route handler is server code
    expect(role('app/api/orders/route.ts', "import { NextResponse } from 'next/server';\n")).toBe('service');
  });

  it('reads scripts from shebangs, argument parsers, process.argv and script folders', () => {
    expect(role('src/tool.js', '#!/usr/bin/env node\nconsole.log(1);\n')).toBe('script');
    // a runnable module that also exports: it tests that it is the entry point, or runs at the top level
    expect(role('src/seed.js', "#!/usr/bin/env node\nasync function seed() {}\nmodule.exports = { seed };\nif (require.main === module) seed();\n")).toBe('script');
    expect(role('src/seed.mjs', '#!/usr/bin/env node\nexport async function main() {}\nmain().catch((e) => { console.error(e); process.exitCode = 1; });\n')).toBe('script');
    expect(role('src/seed.ts', '#!/usr/bin/env -S npx tsx\nexport const run = async () => {};\nawait run();\n')).toBe('script');
    // a library module that kept the line: it only exports
    expect(role('lambda/reports/reporter.js', "#!/usr/bin/env node\n'use strict';\nclass Reporter {}\nexports.Reporter = Reporter;\n")).toBe('service');
    expect(role('lib/util.ts', "#!/usr/bin/env node\nimport { z } from 'zod';\nexport const Order = z.object({});\n")).toBe('service');
    expect(role('lib/cache.js', "#!/usr/bin/env node\nrequire('source-map-support/register');\nmodule.exports = new Map();\n")).toBe('service');
    expect(role('src/tool.ts', "import { Command } from 'commander';\n")).toBe('script');
    expect(role('src/tool.cjs', "const yargs = require('yargs/yargs');\n")).toBe('script');
    expect(role('src/tool.mjs', 'const [table] = process.argv.slice(2);\n')).toBe('script');
    expect(role('projenrc/nx.js', "const { Component, JsonFile } = require('projen');\nclass Nx extends Component {}\nmodule.exports = { Nx };\n")).toBe('script');
    expect(role('projenrc/pnpm.ts', "import { Component } from 'projen';\nexport class Pnpm extends Component {}\n")).toBe('script');
    expect(role('scripts/seed.ts')).toBe('script');
    expect(role('infra/bin/app.ts')).toBe('script');
    expect(role('source/mcp-server/src/tools/list.ts')).toBe('service');
  });

  it('reads CDK app code as infrastructure, in any folder, unless it is a test, generated or deployed as a handler', () => {
    const cdk = (relativePath: string, text = "import { App } from 'aws-cdk-lib';\n", deployed = false): FileRole => codeFileRole({ relativePath, text, infrastructure: true, deployed });
    expect(cdk('infra/bin/app.ts')).toBe('infrastructure');
    expect(cdk('lib/orders-stack.ts', "#!/usr/bin/env node\nimport { Stack } from 'aws-cdk-lib';\nexport class OrdersStack extends Stack {}\n")).toBe('infrastructure');
    expect(cdk('frontend/hosting-stack.ts')).toBe('infrastructure');
    expect(cdk('scripts/deploy.ts', "import { App } from 'aws-cdk-lib';\nimport { Command } from 'commander';\n")).toBe('infrastructure');
    expect(cdk('test/orders-stack.test.ts')).toBe('test');
    expect(cdk('cdk.out/asset.0123abcd/index.js')).toBe('generated');
    expect(cdk('src/handler.ts', undefined, true)).toBe('service');
  });

  it('reads generated output from build folders, banners, source maps and minified lines', () => {
    expect(role('dist/index.js')).toBe('generated');
    expect(role('.aws-sam/build/Fn/app.js')).toBe('generated');
    expect(role('cdk.out/asset.0123abcd/index.js')).toBe('generated');
    expect(role('vendor/lib.min.js')).toBe('generated');
    expect(role('deploy/tool.mjs', '#!/usr/bin/env node\n/* bundled with esbuild */ var a=1;\n')).toBe('generated');
    expect(role('lib/index.js', 'exports.a = 1;\n//# sourceMappingURL=index.js.map\n')).toBe('generated');
    expect(role('lib/big.js', `var a=[${'"x",'.repeat(2000)}];\n`)).toBe('generated');
    // cdk.out templates are the input rel4lint reads CDK apps from; only its asset folders are output
    expect(role('cdk.out/handler.js')).toBe('service');
    // generated wins over test: compiled tests are output too
    expect(role('dist/test/a.test.js')).toBe('generated');
  });

  it('keeps a file a template deploys in the service, unless its path says test or generated', () => {
    const text = "#!/usr/bin/env node\nimport React from 'react';\n";
    expect(codeFileRole({ relativePath: 'src/app.js', text, deployed: true })).toBe('service');
    expect(codeFileRole({ relativePath: 'scripts/app.js', text: '', deployed: true })).toBe('service');
    expect(codeFileRole({ relativePath: 'src/tests/integration/listener.js', text: '', deployed: true })).toBe('test');
  });

  it('reads a .js emitted next to its .ts as generated, the .ts as service', () => {
    const root = project({ 'src/app.ts': 'export const a = 1;\n', 'src/app.js': 'export const a = 1;\n', 'src/other.js': 'export const b = 1;\n' });
    const at = (p: string) => codeFileRole({ relativePath: p, text: 'export const a = 1;\n', file: path.join(root, p) });
    expect(at('src/app.js')).toBe('generated');
    expect(at('src/app.ts')).toBe('service');
    expect(at('src/other.js')).toBe('service');
  });

  it('reads a workspace package named for tests and only used as a dev dependency as test code', () => {
    const root = project({
      'package.json': JSON.stringify({ name: 'shop', workspaces: { packages: ['packages/*'] } }),
      'packages/e2e-kit/package.json': JSON.stringify({ name: '@shop/e2e-kit', private: true }),
      'packages/e2e-kit/src/index.ts': '',
      'packages/mocks/package.json': JSON.stringify({ name: '@shop/mocks' }),
      'packages/mocks/src/index.ts': '',
      'packages/common/package.json': JSON.stringify({ name: '@shop/common' }),
      'packages/common/src/index.ts': '',
      'packages/api/package.json': JSON.stringify({ name: '@shop/api', dependencies: { '@shop/mocks': '*' }, devDependencies: { '@shop/e2e-kit': '*', '@shop/common': '*' } }),
      'packages/api/src/index.ts': '',
    });
    const at = (p: string) => codeFileRole({ relativePath: p, text: '', file: path.join(root, p) });
    expect(at('packages/e2e-kit/src/index.ts')).toBe('test');
    // named for tests but a runtime dependency; a dev dependency not named for tests (bundled services list their libraries there)
    expect(at('packages/mocks/src/index.ts')).toBe('service');
    expect(at('packages/common/src/index.ts')).toBe('service');
    expect(at('packages/api/src/index.ts')).toBe('service');
  });
});

describe('package scripts', () => {
  it('reads a file that a package.json script runs with Node.js or a TypeScript runner as a script', () => {
    const root = project({
      'package.json': JSON.stringify({
        name: 'billing',
        workspaces: ['services/*'],
        scripts: {
          'stack:teardown': 'ts-node --esm --experimental-specifier-resolution=node src/tools/teardown-stack.ts',
          'seed': 'NODE_OPTIONS=--enable-source-maps npx tsx ./src/tools/seed.ts --table orders && echo done',
          'report': 'node -r dotenv/config src/tools/report.mjs',
          'check': 'node -e "require(\'./src/tools/inline.js\')"',
          'build': 'esbuild src/handlers/orders.ts --bundle --outdir=dist',
          'lint': 'eslint src/handlers/payments.ts',
          'start': 'node src/server.js',
          'dev:api': 'tsx watch src/local-api.ts',
          'invoke': 'ts-node src/handlers/refunds.ts',
        },
      }),
      'services/export/package.json': JSON.stringify({ name: 'export', scripts: { backfill: 'pnpm exec tsx scripts-local/backfill.ts' } }),
    });
    const at = (p: string, text = 'export const x = 1;\n') => codeFileRole({ relativePath: p, text, file: path.join(root, p) });
    expect(at('src/tools/teardown-stack.ts')).toBe('script');
    expect(at('src/tools/seed.ts')).toBe('script');
    expect(at('src/tools/report.mjs')).toBe('script');
    expect(at('services/export/scripts-local/backfill.ts')).toBe('script');
    // inline code, a bundler or a linter given the file, the service started locally or in its container
    expect(at('src/tools/inline.js')).toBe('service');
    expect(at('src/handlers/orders.ts')).toBe('service');
    expect(at('src/handlers/payments.ts')).toBe('service');
    expect(at('src/server.js')).toBe('service');
    expect(at('src/local-api.ts')).toBe('service');
    // a module that exports a Lambda handler runs in a function, whatever runs it locally
    expect(at('src/handlers/refunds.ts', 'export const handler = async () => {};\n')).toBe('service');
    // a helper the script imports is not run by it
    expect(at('src/tools/common.ts')).toBe('service');
  });
});

describe('browser packages', () => {
  it('reads the modules of a package that depends on a UI framework and no server as browser code', () => {
    const root = project({
      'ui-chat/package.json': JSON.stringify({ name: 'ui-chat', dependencies: { react: '^18', 'react-dom': '^18', '@cloudscape-design/components': '^3' }, devDependencies: { vite: '^5' } }),
      'ui-chat/src/services/upload.ts': '',
      'ui-chat/scripts/seed.ts': '',
      'admin/package.json': JSON.stringify({ name: 'admin', dependencies: { vue: '^3' } }),
      'admin/src/api.js': '',
      'site/package.json': JSON.stringify({ name: 'site', dependencies: { next: '^14', react: '^18', 'react-dom': '^18' } }),
      'site/lib/orders.ts': '',
      'render/package.json': JSON.stringify({ name: 'render', dependencies: { 'react-dom': '^18' }, devDependencies: { '@types/aws-lambda': '^8' } }),
      'render/src/handler.ts': '',
      'api/package.json': JSON.stringify({ name: 'api', dependencies: { '@aws-sdk/client-dynamodb': '^3' } }),
      // an Amplify Gen 2 app: its functions' handlers live in the package of its pages
      'shop/package.json': JSON.stringify({ name: 'shop', dependencies: { react: '^18', 'react-dom': '^18', 'aws-amplify': '^6' }, devDependencies: { '@aws-amplify/backend': '^1', 'aws-cdk-lib': '^2' } }),
      'shop/amplify/functions/checkout/handler.ts': '',
      // a function that renders mail with React, in a package that lists no Lambda package
      'mailer/package.json': JSON.stringify({ name: 'mailer', dependencies: { react: '^18', 'react-dom': '^18', '@aws-sdk/client-sesv2': '^3' } }),
      'mailer/src/index.js': '',
      'api/src/handler.ts': '',
    });
    const at = (p: string, deployed = false) => codeFileRole({ relativePath: p, text: '', file: path.join(root, p), deployed });
    expect(at('ui-chat/src/services/upload.ts')).toBe('frontend');
    expect(at('admin/src/api.js')).toBe('frontend');
    // its scripts are scripts; a file a template deploys is service code
    expect(at('ui-chat/scripts/seed.ts')).toBe('script');
    expect(at('ui-chat/src/services/upload.ts', true)).toBe('service');
    // a Next.js app and a Lambda that renders React run on a server
    expect(at('site/lib/orders.ts')).toBe('service');
    expect(at('render/src/handler.ts')).toBe('service');
    expect(at('api/src/handler.ts')).toBe('service');
    expect(at('shop/amplify/functions/checkout/handler.ts')).toBe('service');
    const mailer = (text: string) => codeFileRole({ relativePath: 'mailer/src/index.js', text, file: path.join(root, 'mailer/src/index.js') });
    expect(mailer("exports.handler = async (event) => send(event);\n")).toBe('service');
    expect(mailer('export const handler = async (event) => send(event);\n')).toBe('service');
    expect(mailer('export async function send(to) {}\n')).toBe('frontend');
  });
});

describe('template roles by path', () => {
  it('reads test stacks and tool-written copies', () => {
    expect(templatePathRole('template.yaml')).toBe('service');
    expect(templatePathRole('cdk.out/App.template.json')).toBe('service');
    expect(templatePathRole('integration-test/stack.yaml')).toBe('test');
    expect(templatePathRole('tests/stack.yaml')).toBe('test');
    expect(templatePathRole('.aws-sam/build/template.yaml')).toBe('generated');
    expect(templatePathRole('.serverless/cloudformation-template-update-stack.json')).toBe('generated');
    expect(codePathRole('../outside/test-data/x.ts')).toBeUndefined();
  });
});

/** Every rule off but one, at its default level, with the given roles setting. */
function only(rule: string, setting: { roles?: FileRole[] } = {}, roles: Partial<Record<FileRole, 'on' | 'off'>> = {}) {
  const overrides: Record<string, Level | { level: Level; roles?: FileRole[] }> = {};
  for (const r of RULES) if (r.meta.name !== rule && r.meta.name !== 'parse-error') overrides[r.meta.name] = 'off';
  overrides[rule] = { level: RULES.find((r) => r.meta.name === rule)!.meta.severity, ...setting };
  return resolveRules('strict', overrides, undefined, roles);
}

const ALL_ON = { test: 'on', frontend: 'on', script: 'on', generated: 'on' } as const;

describe('rules and roles', () => {
  // the negatives of the role fixtures are negatives because of their role: with every role on, each file reports
  for (const [rule, folder] of [
    ['no-unbounded-fan-out', 'roles'],
    ['no-unbounded-retry', 'roles'],
    ['require-retry-backoff', 'roles'],
    ['no-sync-lambda-invoke', 'roles'],
    ['require-queue-dlq', 'cdk-roles'],
  ] as const) {
    it(`${rule}: every file of fixtures/${rule}/${folder} reports once every role is on`, async () => {
      const dir = path.join(FIXTURES, rule);
      const files = listFiles(path.join(dir, folder)).filter((f) => !f.endsWith('.json'));
      const result = await lint({ cwd: dir, files, rules: only(rule, {}, ALL_ON) });
      const reported = new Set(result.findings.filter((f) => f.rule === rule).map((f) => f.file));
      // a test of a CDK app (it imports aws-cdk-lib/assertions) is never read as an app, whatever its role
      const appTests = files.filter((f) => readFileSync(f, 'utf8').includes("'aws-cdk-lib/assertions'")).map((f) => path.relative(dir, f).split(path.sep).join('/'));
      expect(appTests.filter((f) => reported.has(f))).toEqual([]);
      expect(files.map((f) => path.relative(dir, f).split(path.sep).join('/')).filter((f) => !reported.has(f) && !appTests.includes(f))).toEqual([]);
    });
  }

  it('resolves a rule’s roles from its metadata, the global switches and its own setting', () => {
    const fanOut = (setting = {}, roles = {}) => only('no-unbounded-fan-out', setting, roles).find((r) => r.meta.name === 'no-unbounded-fan-out')!.roles;
    expect(fanOut()).toEqual(['service']);
    expect(fanOut({}, { test: 'on' })).toEqual(['service', 'test']);
    expect(fanOut({ roles: ['script', 'service'] }, { test: 'on' })).toEqual(['service', 'script']);
    const retry = only('no-unbounded-retry', {}, { script: 'off' }).find((r) => r.meta.name === 'no-unbounded-retry')!.roles;
    expect(retry).toEqual(['service', 'frontend']);
    expect(() => resolveRules('strict', {}, undefined, { tests: 'on' } as never)).toThrow(ConfigError);
    expect(() => resolveRules('strict', {}, undefined, { test: 'yes' } as never)).toThrow(/roles\.test must be on or off/);
    expect(() => resolveRules('strict', { 'no-unbounded-fan-out': { roles: ['browser'] } } as never)).toThrow(/rule 'no-unbounded-fan-out': roles must be a list of service, test, frontend, script, generated, infrastructure/);
  });

  it('reports test files and harness resources when the config file switches tests on, per rule or for every rule', async () => {
    const files = {
      'src/app.ts': "import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';\nconst l = new LambdaClient({});\nexport const handler = async () => l.send(new InvokeCommand({ FunctionName: 'a' }));\n",
      'test/app.test.ts': "import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';\nconst l = new LambdaClient({});\nit('x', async () => { await l.send(new InvokeCommand({ FunctionName: 'a' })); });\n",
      'tests/stack.yaml': 'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n',
    };
    const found = async (config: object) => {
      const root = project({ ...files, 'rel4lint.config.json': JSON.stringify(config) });
      const result = await scan({ cwd: root });
      return result.findings.map((f) => `${f.file} ${f.rule}`).sort();
    };
    expect(await found({})).toEqual(['src/app.ts no-sync-lambda-invoke']);
    expect(await found({ roles: { test: 'on' } })).toEqual(['src/app.ts no-sync-lambda-invoke', 'test/app.test.ts no-sync-lambda-invoke', 'tests/stack.yaml require-queue-dlq']);
    expect(await found({ rules: { 'no-sync-lambda-invoke': { roles: ['service', 'test'] } } })).toEqual(['src/app.ts no-sync-lambda-invoke', 'test/app.test.ts no-sync-lambda-invoke']);
    expect(await found({ roles: { test: 'on' }, rules: { 'require-queue-dlq': { roles: ['service'] } } })).toEqual([
      'src/app.ts no-sync-lambda-invoke',
      'test/app.test.ts no-sync-lambda-invoke',
    ]);
    expect(await found({ roles: { service: 'off' } })).toEqual([]);
  });

  it('checks the constructs of CDK app code, and its code only when the infrastructure role is on', async () => {
    const stack = [
      "import { Stack } from 'aws-cdk-lib';",
      "import { Queue } from 'aws-cdk-lib/aws-sqs';",
      "import { SQSClient, GetQueueUrlCommand } from '@aws-sdk/client-sqs';",
      '',
      'export class OrdersStack extends Stack {',
      '  constructor(scope: any, id: string) {',
      '    super(scope, id);',
      "    new Queue(this, 'Orders');",
      '  }',
      '}',
      '',
      '// code that runs when the app is synthesized',
      'export async function lookUp(name: string) {',
      '  const sqs = new SQSClient({});',
      '  while (true) {',
      '    try {',
      '      return await sqs.send(new GetQueueUrlCommand({ QueueName: name }));',
      '    } catch {}',
      '  }',
      '}',
      '',
    ].join('\n');
    const found = async (config: object) => {
      const root = project({ 'lib/orders-stack.ts': stack, 'rel4lint.config.json': JSON.stringify(config) });
      const result = await scan({ cwd: root });
      return { findings: result.findings.map((f) => `${f.file}:${f.range.start.line} ${f.rule}`).sort(), roles: result.stats.filesByRole };
    };
    const byDefault = await found({});
    expect(byDefault.findings).toEqual(['lib/orders-stack.ts:8 require-queue-dlq']);
    expect(byDefault.roles).toEqual({ service: 0, test: 0, frontend: 0, script: 0, generated: 0, infrastructure: 1 });
    expect((await found({ roles: { infrastructure: 'on' } })).findings).toEqual([
      'lib/orders-stack.ts:15 no-unbounded-retry',
      'lib/orders-stack.ts:15 require-retry-backoff',
      'lib/orders-stack.ts:8 require-queue-dlq',
    ]);
  });

  it('rejects bad roles in the config file, naming the key', async () => {
    const fails = async (config: object) => {
      const root = project({ 'rel4lint.config.json': JSON.stringify(config) });
      return scan({ cwd: root }).then(
        () => 'no error',
        (e: Error) => e.message,
      );
    };
    expect(await fails({ roles: { test: 'maybe' } })).toBe("rel4lint.config.json:1:18: 'roles.test' must be one of on, off");
    expect(await fails({ roles: { tests: 'on' } })).toBe("rel4lint.config.json:1:11: unknown key 'roles.tests': did you mean 'test'?");
    expect(await fails({ rules: { 'no-unbounded-fan-out': { roles: ['browser'] } } })).toBe("rel4lint.config.json:1:44: 'rules.no-unbounded-fan-out.roles.0' must be one of service, test, frontend, script, generated, infrastructure");
  });
});

describe('counts by role', () => {
  it('counts code files and templates by role in the result and the JSON report', async () => {
    const root = project({
      'src/handler.ts': 'export const handler = async () => 1;\n',
      'src/handler.test.ts': "import { it } from 'vitest';\nit('x', () => {});\n",
      'src/App.tsx': "import React from 'react';\nexport const App = () => <div />;\n",
      'scripts/seed.mjs': 'console.log(1);\n',
      'dist/handler.js': 'exports.handler = async () => 1;\n',
      'template.yaml': 'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: { RedrivePolicy: { deadLetterTargetArn: arn, maxReceiveCount: 5 } }\n',
      'integration-test/stack.yaml': 'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n',
      '.aws-sam/build/template.yaml': 'Resources:\n  Q:\n    Type: AWS::SQS::Queue\n',
    });
    const result = await scan({ cwd: root, paths: ['.', '.aws-sam'] });
    expect(result.stats.filesByRole).toEqual({ service: 2, test: 2, frontend: 1, script: 1, generated: 2, infrastructure: 0 });
    expect(result.findings).toEqual([]);
    const report = JSON.parse(format(result, 'json')) as { summary: { filesByRole: unknown; codeFiles: number; templates: number } };
    expect(report.summary.filesByRole).toEqual({ service: 2, test: 2, frontend: 1, script: 1, generated: 2, infrastructure: 0 });
    expect(report.summary.codeFiles).toBe(5);
    expect(report.summary.templates).toBe(3);
  });
});
