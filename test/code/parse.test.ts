/**
 * Parsing in bounded time: a file the TypeScript parser would need exponential time for is
 * refused up front (the parser reads what follows `async` in an expression twice, so each such
 * expression nested in another doubles the work), while real shapes of async code parse.
 */
import { describe, expect, it } from 'vitest';
import { parseCode, ParseCostError } from '../../src/code/parse.js';

function nest(depth: number, wrap: (inner: string, i: number) => string): string {
  let s = 'await work();';
  for (let i = depth - 1; i >= 0; i--) s = wrap(s, i);
  return `export const run = async () => { ${s} };\n`;
}

describe('parse cost', () => {
  it('refuses async function expressions nested deep enough to take exponential time', () => {
    for (const wrap of [
      (s: string, i: number) => `const g${i} = async function () { ${s} }; await g${i}();`,
      (s: string) => `f(async function () { ${s} });`,
      (s: string) => `x = async (${s.replace(/;$/, '')});`,
      (s: string) => `const t = \`\${await (async function () { ${s} })()}\`;`,
    ]) {
      const text = nest(40, wrap);
      expect(() => parseCode('deep.ts', text)).toThrow(ParseCostError);
      expect(() => parseCode('deep.js', text)).toThrow(/async function expressions are nested \d+ levels deep: the TypeScript parser reads each one twice/);
      // a few levels are what real code has
      expect(parseCode('shallow.ts', nest(6, wrap)).statements).toHaveLength(1);
    }
  });

  it('parses async declarations, methods and arrow functions nested deep, with or without semicolons', () => {
    const shapes = [
      (s: string, i: number) => `async function f${i}() { ${s} }\nawait f${i}()`,
      (s: string, i: number) => `foo()\nasync function f${i}() {\n${s}\n}`,
      (s: string) => `await f(async (a) => { ${s} });`,
      (s: string) => `await f(async () => { ${s} });`,
      (s: string, i: number) => `class C${i} { async m() { ${s} } }`,
      (s: string, i: number) => `const o${i} = { a: 1, async m() { ${s} } };`,
      (s: string) => `await async.series([1, 2], () => { ${s} });`,
    ];
    for (const wrap of shapes) expect(parseCode('ok.ts', nest(60, wrap)).statements, String(wrap)).toHaveLength(1);
  });
});
