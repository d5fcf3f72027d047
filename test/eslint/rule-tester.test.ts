import { describe, it } from 'vitest';
import { RuleTester } from 'eslint';
import tsParser from '@typescript-eslint/parser';
import plugin from '../../src/eslint/plugin.js';

RuleTester.describe = describe;
RuleTester.it = it;

const tester = new RuleTester({ languageOptions: { parser: tsParser, ecmaVersion: 'latest', sourceType: 'module' } });

const IMPORTS = "import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';\nconst lambda = new LambdaClient({});\n";

tester.run('rel4/no-sync-lambda-invoke', plugin.rules['no-sync-lambda-invoke'], {
  valid: [
    { code: `${IMPORTS}await lambda.send(new InvokeCommand({ FunctionName: 'f', InvocationType: 'Event' }));`, filename: 'a.ts' },
    { code: `${IMPORTS}declare const t: 'Event' | 'RequestResponse';\nawait lambda.send(new InvokeCommand({ FunctionName: 'f', InvocationType: t }));`, filename: 'a.ts' },
  ],
  invalid: [
    {
      code: `${IMPORTS}await lambda.send(new InvokeCommand({ FunctionName: 'f' }));`,
      filename: 'a.ts',
      errors: [
        {
          message: 'InvokeCommand without InvocationType waits for `f` to finish (the caller is synchronously coupled to it)',
          line: 3,
          column: 19,
          suggestions: [
            {
              desc: "Invoke asynchronously: add InvocationType: 'Event'",
              output: `${IMPORTS}await lambda.send(new InvokeCommand({ FunctionName: 'f', InvocationType: 'Event' }));`,
            },
          ],
        },
      ],
    },
    {
      code: `${IMPORTS}await lambda.send(new InvokeCommand({\n  FunctionName: 'f',\n  Payload: '{}',\n}));`,
      filename: 'a.ts',
      errors: [
        {
          message: 'InvokeCommand without InvocationType waits for `f` to finish (the caller is synchronously coupled to it)',
          line: 3,
          suggestions: [
            {
              desc: "Invoke asynchronously: add InvocationType: 'Event'",
              output: `${IMPORTS}await lambda.send(new InvokeCommand({\n  FunctionName: 'f',\n  Payload: '{}',\n  InvocationType: 'Event',\n}));`,
            },
          ],
        },
      ],
    },
    {
      code: `${IMPORTS}await lambda.send(new InvokeCommand({ FunctionName: 'f', InvocationType: 'RequestResponse' }));`,
      filename: 'a.ts',
      errors: [
        {
          message: "InvokeCommand with InvocationType 'RequestResponse' waits for `f` to finish (the caller is synchronously coupled to it)",
          line: 3,
          column: 58,
          suggestions: [
            {
              desc: "Invoke asynchronously: InvocationType: 'Event'",
              output: `${IMPORTS}await lambda.send(new InvokeCommand({ FunctionName: 'f', InvocationType: 'Event' }));`,
            },
          ],
        },
      ],
    },
  ],
});

// The plugin applies the same file roles as the CLI: a test file is skipped unless the rule's `roles` option covers it.
tester.run('rel4/no-sync-lambda-invoke (file roles)', plugin.rules['no-sync-lambda-invoke'], {
  valid: [
    { code: `${IMPORTS}await lambda.send(new InvokeCommand({ FunctionName: 'f' }));`, filename: 'test/invoke.test.ts' },
    { code: `import React from 'react';\n${IMPORTS}await lambda.send(new InvokeCommand({ FunctionName: 'f' }));`, filename: 'src/App.tsx', options: [{ roles: ['service', 'test'] }] },
    { code: `import { mockClient } from 'aws-sdk-client-mock';\n${IMPORTS}await lambda.send(new InvokeCommand({ FunctionName: 'f' }));`, filename: 'src/invoke.ts' },
  ],
  invalid: [
    {
      code: `${IMPORTS}await lambda.send(new InvokeCommand({ FunctionName: 'f' }));`,
      filename: 'test/invoke.test.ts',
      options: [{ roles: ['service', 'test'] }],
      errors: [
        {
          message: 'InvokeCommand without InvocationType waits for `f` to finish (the caller is synchronously coupled to it)',
          line: 3,
          suggestions: [{ desc: "Invoke asynchronously: add InvocationType: 'Event'", output: `${IMPORTS}await lambda.send(new InvokeCommand({ FunctionName: 'f', InvocationType: 'Event' }));` }],
        },
      ],
    },
    {
      code: `${IMPORTS}await lambda.send(new InvokeCommand({ FunctionName: 'f' }));`,
      filename: 'src/contest.ts',
      errors: [
        {
          message: 'InvokeCommand without InvocationType waits for `f` to finish (the caller is synchronously coupled to it)',
          line: 3,
          suggestions: [{ desc: "Invoke asynchronously: add InvocationType: 'Event'", output: `${IMPORTS}await lambda.send(new InvokeCommand({ FunctionName: 'f', InvocationType: 'Event' }));` }],
        },
      ],
    },
  ],
});
