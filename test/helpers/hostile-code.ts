/**
 * Code built to defeat an analysis: each construct the analyses walk, nested or chained to a given
 * depth, and many of them side by side in one function. Every file calls Lambda synchronously in
 * an API Gateway handler, so that the rules that look at handlers, remote calls, retries and
 * waits all have something to do at every level.
 */

export const HEADER = [
  "import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';",
  "import type { APIGatewayProxyHandler } from 'aws-lambda';",
  'const lambda = new LambdaClient({});',
  'const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));',
  '',
].join('\n');

/** A remote call the rules report (no-sync-lambda-invoke). */
export const CALL = "lambda.send(new InvokeCommand({ FunctionName: 'tax' }))";

/** Wraps a statement in a construct that holds statements. `i` numbers the level (for unique names). */
export type StatementWrapper = (inner: string, i: number) => string;
/** Wraps an expression in a construct that holds an expression. */
export type ExpressionWrapper = (inner: string, i: number) => string;

export const STATEMENT_WRAPPERS: Record<string, StatementWrapper> = {
  block: (s) => `{ ${s} }`,
  if: (s) => `if (event.body) { ${s} }`,
  'else-if': (s) => `if (!event) { await sleep(1); } else if (event.body) { ${s} }`,
  while: (s) => `while (event.body) { ${s} }`,
  do: (s) => `do { ${s} } while (event.body);`,
  for: (s, i) => `for (let n${i} = 0; n${i} < 3; n${i}++) { ${s} }`,
  'for-of': (s, i) => `for (const item${i} of event.items) { ${s} }`,
  'for-in': (s, i) => `for (const key${i} in event) { ${s} }`,
  'retry-loop': (s, i) => `for (let attempt${i} = 0; ; attempt${i}++) { try { ${s} break; } catch (e${i}) { await sleep(100); } }`,
  'while-true': (s) => `while (true) { try { ${s} await ${CALL}; break; } catch { await sleep(100); } }`,
  try: (s, i) => `try { ${s} } catch (e${i}) { await sleep(1); }`,
  'try-finally': (s) => `try { ${s} } finally { await sleep(1); }`,
  switch: (s) => `switch (event.body) { case 'a': { ${s} break; } default: await sleep(1); }`,
  label: (s, i) => `l${i}: { ${s} }`,
  arrow: (s) => `await (async () => { ${s} })();`,
  function: (s, i) => `async function f${i}() { ${s} } await f${i}();`,
  'function-expression': (s, i) => `const g${i} = async function () { ${s} }; await g${i}();`,
  callback: (s, i) => `await Promise.all(event.items.map(async (x${i}: unknown) => { ${s} }));`,
  'for-each': (s, i) => `event.items.forEach(async (x${i}: unknown) => { ${s} });`,
  then: (s) => `await Promise.resolve().then(async () => { ${s} });`,
  'catch-handler': (s) => `await ${CALL}.catch(async () => { ${s} });`,
  class: (s, i) => `class C${i} { async m() { ${s} } } await new C${i}().m();`,
  'object-method': (s, i) => `const o${i} = { async m() { ${s} } }; await o${i}.m();`,
  recursion: (s, i) => `const r${i} = async (n: number): Promise<unknown> => { try { ${s} return await ${CALL}; } catch { return r${i}(n + 1); } }; await r${i}(0);`,
};

export const EXPRESSION_WRAPPERS: Record<string, ExpressionWrapper> = {
  call: (e) => `f(${e})`,
  new: (e) => `new Box(${e})`,
  paren: (e) => `(${e})`,
  array: (e) => `[${e}]`,
  object: (e) => `{ a: ${e} }`,
  spread: (e) => `[...${e}]`,
  await: (e) => `await ${e}`,
  conditional: (e) => `event.body ? ${e} : null`,
  'not': (e) => `!${e}`,
  template: (e) => `\`\${${e}}\``,
  'arrow-expression': (e) => `(async () => ${e})()`,
  assignment: (e, i) => `(v${i % 8} = ${e})`,
};

/** Chains: left-deep trees that the parser builds in a loop, so they are not limited by its stack. */
export const CHAINS: Record<string, (depth: number) => string> = {
  binary: (d) => `${CALL}${' + 1'.repeat(d)}`,
  logical: (d) => `event.body${' && event.body'.repeat(d)} && ${CALL}`,
  comma: (d) => `(event.body${', event.body'.repeat(d)}, ${CALL})`,
  member: (d) => `[${CALL}, event${'.a'.repeat(d)}]`,
  element: (d) => `[${CALL}, event${'[0]'.repeat(d)}]`,
  'call-chain': (d) => `[${CALL}, event${'.a()'.repeat(d)}]`,
  'optional-chain': (d) => `[${CALL}, event${'?.a'.repeat(d)}]`,
  then: (d) => `${CALL}${'.then((r) => r)'.repeat(d)}`,
  catch: (d) => `${CALL}${'.catch(() => handler(event, context, () => {}))'.repeat(d)}`,
  'then-catch': (d) => `${CALL}${'.then((r) => r).catch(() => handler(event, context, () => {}))'.repeat(Math.ceil(d / 2))}`,
  string: (d) => `${CALL} + ${"'a' + ".repeat(d)}'b'`,
};

/** The body statements of the handler around `statements`. */
export function handlerFile(statements: string): string {
  return `${HEADER}export const handler: APIGatewayProxyHandler = async (event: any, context: any) => {\n${statements}\nreturn { statusCode: 200, body: '' };\n};\n`;
}

/** `kinds` (cycled) nested `depth` levels around a remote call; `copy` keeps the names of copies side by side apart. */
export function nestedStatements(kinds: readonly string[], depth: number, copy = 0): string {
  let s = `await ${CALL};`;
  for (let i = depth - 1; i >= 0; i--) s = STATEMENT_WRAPPERS[kinds[i % kinds.length]!]!(s, copy * depth + i);
  return s;
}

/** `kinds` (cycled) nested `depth` levels around a remote call, as one expression. */
export function nestedExpression(kinds: readonly string[], depth: number): string {
  let e = CALL;
  for (let i = depth - 1; i >= 0; i--) e = EXPRESSION_WRAPPERS[kinds[i % kinds.length]!]!(e, i);
  return e;
}

/** A handler whose body nests `kinds` `depth` levels deep, `copies` times side by side. */
export function nestedFile(kinds: readonly string[], depth: number, copies = 1): string {
  return handlerFile(Array.from({ length: copies }, (_, copy) => nestedStatements(kinds, depth, copy)).join('\n'));
}

/** A handler returning an expression that nests `kinds` `depth` levels deep. */
export function expressionFile(kinds: readonly string[], depth: number): string {
  return handlerFile(`let v0, v1, v2, v3, v4, v5, v6, v7;\nconst result = ${nestedExpression(kinds, depth)};\nvoid result;`);
}

/** A handler holding a chain `depth` links long. */
export function chainFile(kind: string, depth: number): string {
  return handlerFile(`const result = ${CHAINS[kind]!(depth)};\nvoid result;`);
}
