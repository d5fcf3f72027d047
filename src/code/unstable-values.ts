/**
 * Values that change on every evaluation: random identifiers (`randomUUID()`, `uuid.v4()`,
 * `nanoid()`, `Math.random()`, ...) and clock readings (`Date.now()`, `new Date()`,
 * `performance.now()`, `process.hrtime()`), followed through consts, template literals,
 * concatenations, string methods, hashes, `??`/`||` (the left operand only: the right one is a
 * fallback) and same-file helpers without parameters that return such a value.
 */
import { ts } from './ts.js';
import type { FileFacts } from './file-facts.js';
import { isFunctionLike, unwrap, walk } from './walk.js';
import { resolveLocalFunction } from './remote-calls.js';
import { calleeAcross } from './modules.js';

export type SourceKind = 'random' | 'time';

export interface Unstable {
  kind: SourceKind;
  /** For messages, e.g. "`randomUUID()`". */
  label: string;
  /** The generator call. */
  source: ts.Node;
  /** Where the value is computed at run time: the generator, or the call of a helper that generates it. */
  site: ts.Node;
}


const MAX_DEPTH = 8;

const RANDOM_MODULE_EXPORTS: Record<string, string[]> = {
  crypto: ['randomUUID', 'randomBytes', 'randomInt'],
  'node:crypto': ['randomUUID', 'randomBytes', 'randomInt'],
  uuid: ['v1', 'v4', 'v6', 'v7'],
  nanoid: ['nanoid'],
  'nanoid/non-secure': ['nanoid'],
  ulid: ['ulid'],
  ulidx: ['ulid'],
  cuid: [''],
  '@paralleldrive/cuid2': ['createId'],
  'short-uuid': ['generate'],
};

/** Methods that keep a value's instability: string transforms, hashing, date formatting. */
const DERIVING_METHODS = new Set([
  'toString',
  'toISOString',
  'toJSON',
  'toUTCString',
  'getTime',
  'valueOf',
  'slice',
  'substring',
  'substr',
  'replace',
  'replaceAll',
  'toUpperCase',
  'toLowerCase',
  'padStart',
  'padEnd',
  'trim',
  'digest',
  'update',
  'concat',
  'join',
]);

/** Functions whose result is derived from their argument. */
const DERIVING_FUNCTIONS = new Set(['String', 'Number', 'encodeURIComponent', 'encodeURI', 'update', 'hash', 'sha256', 'md5', 'concat', 'floor', 'round', 'trunc']);


function isGlobal(analysis: FileFacts, id: ts.Expression, name: string): boolean {
  const e = unwrap(id);
  if (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'globalThis') return e.name.text === name;
  return ts.isIdentifier(e) && e.text === name && analysis.resolveValue(e) === e && analysis.origin(e) === undefined;
}

/** `randomUUID()`, `Date.now()`, ... : the generator a call is, if any. */
function generator(analysis: FileFacts, call: ts.CallExpression): { kind: SourceKind; label: string } | undefined {
  const callee = unwrap(call.expression);
  const origin = analysis.origin(callee);
  if (origin?.kind === 'module') {
    const path = origin.ref.path[0] === 'default' ? origin.ref.path.slice(1) : origin.ref.path;
    const exports = RANDOM_MODULE_EXPORTS[origin.ref.module];
    const name = path.join('.');
    if (exports && exports.includes(name)) return { kind: 'random', label: `\`${callText(callee)}()\`` };
    if ((origin.ref.module === 'perf_hooks' || origin.ref.module === 'node:perf_hooks') && name === 'performance.now') return { kind: 'time', label: '`performance.now()`' };
    if ((origin.ref.module === 'crypto' || origin.ref.module === 'node:crypto') && name === 'webcrypto.randomUUID') return { kind: 'random', label: '`randomUUID()`' };
    return undefined;
  }
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const method = callee.name.text;
  const recv = unwrap(callee.expression);
  if (method === 'randomUUID' && isGlobal(analysis, recv, 'crypto')) return { kind: 'random', label: '`crypto.randomUUID()`' };
  if (method === 'random' && isGlobal(analysis, recv, 'Math')) return { kind: 'random', label: '`Math.random()`' };
  if (method === 'now' && isGlobal(analysis, recv, 'Date')) return { kind: 'time', label: '`Date.now()`' };
  if (method === 'now' && isGlobal(analysis, recv, 'performance')) return { kind: 'time', label: '`performance.now()`' };
  if (method === 'hrtime' && isGlobal(analysis, recv, 'process')) return { kind: 'time', label: '`process.hrtime()`' };
  if (method === 'bigint' && ts.isPropertyAccessExpression(recv) && recv.name.text === 'hrtime' && isGlobal(analysis, recv.expression, 'process')) {
    return { kind: 'time', label: '`process.hrtime.bigint()`' };
  }
  return undefined;
}

export function callText(callee: ts.Expression): string {
  const text = callee.getText().replace(/\s+/g, '');
  return text.length <= 30 ? text : ts.isPropertyAccessExpression(callee) ? callee.name.text : 'generator';
}

/** Whether `expr` evaluates to a value built from a random or time-based generator. */
export function unstableValue(analysis: FileFacts, expr: ts.Expression | undefined, depth = 0, seen = new Set<ts.Node>()): Unstable | undefined {
  if (!expr || depth > MAX_DEPTH) return undefined;
  const e = unwrap(expr);
  if (seen.has(e)) return undefined;
  seen.add(e);
  const next = (x: ts.Expression | undefined) => unstableValue(analysis, x, depth + 1, seen);
  if (ts.isIdentifier(e)) return next(analysis.valueOf(e));
  if (ts.isAwaitExpression(e)) return next(e.expression);
  if (ts.isTemplateExpression(e)) {
    for (const span of e.templateSpans) {
      const u = next(span.expression);
      if (u) return u;
    }
    return undefined;
  }
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.BarBarToken) return next(e.left);
    if ([ts.SyntaxKind.PlusToken, ts.SyntaxKind.MinusToken, ts.SyntaxKind.AsteriskToken, ts.SyntaxKind.SlashToken].includes(op)) return next(e.left) ?? next(e.right);
    return undefined;
  }
  if (ts.isConditionalExpression(e)) {
    const a = next(e.whenTrue);
    return a && next(e.whenFalse) ? a : undefined;
  }
  if (ts.isArrayLiteralExpression(e)) {
    for (const el of e.elements) {
      const u = next(el);
      if (u) return u;
    }
    return undefined;
  }
  if (ts.isNewExpression(e)) {
    if (ts.isIdentifier(e.expression) && isGlobal(analysis, e.expression, 'Date')) {
      if (!e.arguments || e.arguments.length === 0) return { kind: 'time', label: '`new Date()`', source: e, site: e };
      return next(e.arguments[0]);
    }
    return undefined;
  }
  if (!ts.isCallExpression(e)) return undefined;
  const gen = generator(analysis, e);
  if (gen) return { ...gen, source: e, site: e };
  const callee = unwrap(e.expression);
  const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
  if (ts.isPropertyAccessExpression(callee) && name && DERIVING_METHODS.has(name)) {
    const u = next(callee.expression);
    if (u) return u;
  }
  if (name && (DERIVING_FUNCTIONS.has(name) || (ts.isPropertyAccessExpression(callee) && DERIVING_METHODS.has(name)))) {
    for (const a of e.arguments) {
      const u = next(a);
      if (u) return u;
    }
  }
  // a same-file helper that returns a generated value: generated where the helper is called
  const fn = resolveLocalFunction(analysis, callee);
  if (fn?.body && fn.parameters.length === 0) {
    for (const r of returnedExpressions(fn)) {
      const u = next(r);
      if (u) return { ...u, site: e };
    }
  }
  // a helper of another module (`executionName(id)` from './names'): what it returns, read in its file
  const across = fn ? undefined : calleeAcross(analysis, callee);
  if (across?.fn.body && across.facts !== analysis) {
    for (const r of returnedExpressions(across.fn)) {
      const u = unstableValue(across.facts, r, depth + 1, seen);
      if (u) return { ...u, site: e };
    }
  }
  return undefined;
}

export function returnedExpressions(fn: ts.FunctionLikeDeclaration): ts.Expression[] {
  if (!fn.body) return [];
  if (!ts.isBlock(fn.body)) return [fn.body as ts.Expression];
  const out: ts.Expression[] = [];
  walk(fn.body, (n) => {
    if (isFunctionLike(n)) return false;
    if (ts.isReturnStatement(n) && n.expression) out.push(n.expression);
    return undefined;
  });
  return out;
}

