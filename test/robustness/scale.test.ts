/**
 * Inputs that used to be slow or mislocated: a name redeclared thousands of times (minified
 * bundles), and files whose lines end with a lone carriage return.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCode } from '../../src/code/parse.js';
import { FileAnalysis } from '../../src/code/analysis.js';
import { ts } from '../../src/code/ts.js';
import { walk } from '../../src/code/walk.js';
import { lint } from '../../src/api/index.js';
import { resolveRules } from '../../src/api/index.js';

const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'rel4lint-scale-')));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** What each `probeN(c)` argument resolves to: the origin's module, or the literal value, or '-'. */
function probes(text: string): Record<string, string> {
  const sf = parseCode('a.js', text, false);
  const analysis = new FileAnalysis(sf);
  const out: Record<string, string> = {};
  walk(sf, (node) => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text.startsWith('probe')) {
      const arg = node.arguments[0] as ts.Identifier;
      const origin = analysis.origin(arg);
      const value = analysis.valueOf(arg);
      out[node.expression.text] = origin ? `${origin.kind}:${origin.ref.module}` : value ? value.getText(sf) : '-';
    }
  });
  return out;
}

function program(redeclarations: number): string {
  return [
    "const { LambdaClient } = require('@aws-sdk/client-lambda');",
    ...Array.from({ length: redeclarations }, (_, i) => `var c = ${i};`),
    "var c = 'last';",
    'function f() { var c = new LambdaClient({}); probe1(c); }',
    'function g(c) { probe2(c); }',
    'const h = () => { let c = new LambdaClient({}); { const c = 7; probe3(c); } probe4(c); };',
    'probe5(c);',
    'for (const c of []) probe6(c);',
    'c = 99; probe7(c);',
    '',
  ].join('\n');
}

describe('scale', () => {
  it('resolves a name redeclared thousands of times as it resolves a few declarations', () => {
    const few = probes(program(3));
    expect(few).toEqual({
      probe1: 'instance:@aws-sdk/client-lambda',
      probe2: '-',
      probe3: '7',
      probe4: 'instance:@aws-sdk/client-lambda',
      probe5: "'last'", // the last declaration before it: `c = 99` comes after
      // the statement right after the loop is outside the loop's scope: `c = 99` is the module's c
      probe6: '-',
      probe7: '99', // the assignment that reaches it
    });
    // the per-scope index keeps this linear (a linear scan per lookup took seconds): four times
    // the declarations take about four times as long, timed in turn, the fastest of three each
    const timed = (n: number) => {
      const t0 = performance.now();
      expect(probes(program(n))).toEqual(few);
      return performance.now() - t0;
    };
    const small: number[] = [];
    const large: number[] = [];
    for (let i = 0; i < 3; i++) {
      small.push(timed(5_000));
      large.push(timed(20_000));
    }
    expect(Math.min(...large)).toBeLessThanOrEqual(4 * 3 * Math.min(...small));
  });

  it('counts lone carriage returns as line breaks in parse errors and suppressions', async () => {
    const file = path.join(dir, 'cr.ts');
    const rules = resolveRules('strict');
    fs.writeFileSync(file, ['const a = 1;', 'const b = ;', ''].join('\r'));
    const broken = (await lint({ cwd: dir, files: [file], rules })).findings;
    expect(broken.map((f) => [f.rule, f.range.start.line, f.range.start.column])).toEqual([['parse-error', 2, 11]]);
    expect(broken[0]!.message).toMatch(/^cr\.ts cannot be parsed at 2:11: /);

    const code = [
      "import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';",
      'const lambda = new LambdaClient({}); // rel4lint-disable-line-is-not-a-directive',
      '// rel4lint-disable-next-line no-sync-lambda-invoke -- the caller needs the answer',
      "export const handler = async () => lambda.send(new InvokeCommand({ FunctionName: 'tax' }));",
      '',
    ].join('\r');
    fs.writeFileSync(file, code);
    const result = await lint({ cwd: dir, files: [file], rules });
    expect(result.findings.filter((f) => f.rule !== 'require-client-timeout')).toEqual([]);
    expect((result.suppressed ?? []).map((f) => [f.rule, f.range.start.line])).toEqual([['no-sync-lambda-invoke', 4]]);
  });
});
