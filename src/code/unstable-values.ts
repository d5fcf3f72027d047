/**
 * Values that change on every evaluation: random identifiers (`randomUUID()`, `uuid.v4()`,
 * `nanoid()` and `customAlphabet(...)` generators, `ulid()` and `monotonicFactory()` generators,
 * cuid/cuid2, short-uuid, shortid, randomstring, crypto-random-string,
 * `crypto.randomBytes`/`getRandomValues`, `Math.random()`) and clock
 * readings (`Date.now()`, `new Date()`, `performance.now()`, `process.hrtime()`, `moment()`,
 * `dayjs()`, luxon `DateTime.now()`/`DateTime.utc()`), followed through consts, template literals,
 * concatenations, string and date-formatting methods (date-fns functions included), hashes,
 * `??`/`||` (the left operand only: the right one is a fallback), properties set on an object
 * (`event.runId = uuid()` then `event.runId`) and same-file helpers that return such a value or
 * pass one of their arguments on.
 */
import { ts } from './ts.js';
import type { FileFacts } from './file-facts.js';
import { enclosingFunction, functionName, isFunctionLike, mentionsName, returnedExpressions, step, unwrap, walk } from './walk.js';

import { getProperty } from './values.js';
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

const CRYPTO_RANDOM = ['randomUUID', 'randomBytes', 'randomInt', 'getRandomValues', 'webcrypto.randomUUID', 'webcrypto.getRandomValues'];

const RANDOM_MODULE_EXPORTS: Record<string, string[]> = {
  crypto: CRYPTO_RANDOM,
  'node:crypto': CRYPTO_RANDOM,
  uuid: ['v1', 'v4', 'v6', 'v7'],
  'uuid/v1': [''],
  'uuid/v4': [''],
  nanoid: ['nanoid'],
  'nanoid/non-secure': ['nanoid'],
  ulid: ['ulid'],
  ulidx: ['ulid'],
  cuid: [''],
  '@paralleldrive/cuid2': ['createId'],
  'short-uuid': ['generate', 'uuid'],
  shortid: ['', 'generate'],
  randomstring: ['generate'],
  'crypto-random-string': [''],
};

/** Exports that make a random generator: `const id = customAlphabet('0123456789', 12); id()`. */
const RANDOM_FACTORIES: Record<string, string[]> = {
  nanoid: ['customAlphabet', 'customRandom'],
  'nanoid/non-secure': ['customAlphabet'],
  ulid: ['monotonicFactory', 'factory'],
  ulidx: ['monotonicFactory', 'factory'],
  '@paralleldrive/cuid2': ['init'],
  hyperid: [''],
};

/** Exports that make an object whose methods generate: `const translator = short(); translator.new()`. */
const RANDOM_INSTANCE_FACTORIES: Record<string, { factory: string; methods: string[] }> = {
  'short-uuid': { factory: '', methods: ['new', 'generate', 'uuid'] },
};

/** Date libraries: called without arguments they read the clock. */
const CLOCK_CALLS: Record<string, string[]> = {
  moment: ['', 'utc'],
  'moment-timezone': ['', 'utc', 'tz'],
  dayjs: ['', 'utc'],
  luxon: ['DateTime.now', 'DateTime.utc', 'DateTime.local'],
};

/** Date libraries whose functions derive a value from the date they are given. */
const DATE_FUNCTION_MODULES = new Set(['date-fns', 'date-fns-tz', 'moment', 'moment-timezone', 'dayjs', 'luxon']);

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
  // moment, dayjs and luxon objects
  'format',
  'toFormat',
  'toISO',
  'toISODate',
  'toMillis',
  'toSeconds',
  'toUnixInteger',
  'unix',
  'toDate',
  'toJSDate',
  'utc',
  'local',
  'tz',
  'setZone',
  'toLocaleString',
  'toLocaleDateString',
  'toLocaleTimeString',
]);

/** Functions whose result is derived from their argument. */
const DERIVING_FUNCTIONS = new Set(['String', 'Number', 'encodeURIComponent', 'encodeURI', 'update', 'hash', 'sha256', 'md5', 'concat', 'floor', 'round', 'trunc']);


function isGlobal(analysis: FileFacts, id: ts.Expression, name: string): boolean {
  const e = unwrap(id);
  if (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'globalThis') return e.name.text === name;
  return ts.isIdentifier(e) && e.text === name && analysis.resolveValue(e) === e && analysis.origin(e) === undefined;
}

function modulePath(ref: { path: string[] }): string {
  return (ref.path[0] === 'default' ? ref.path.slice(1) : ref.path).join('.');
}

/** `customAlphabet(...)`, `monotonicFactory()`, `short()`: a call that makes a generator, from `module → names`. */
function madeBy(analysis: FileFacts, expr: ts.Expression, table: Record<string, string[]>): boolean {
  const v = analysis.resolveValue(expr);
  if (!ts.isCallExpression(v)) return false;
  const origin = analysis.origin(unwrap(v.expression));
  return origin?.kind === 'module' && !!table[origin.ref.module]?.includes(modulePath(origin.ref));
}

const INSTANCE_FACTORY_TABLE: Record<string, string[]> = Object.fromEntries(Object.entries(RANDOM_INSTANCE_FACTORIES).map(([m, f]) => [m, [f.factory]]));

/** `randomUUID()`, `Date.now()`, ... : the generator a call is, if any. */
function generator(analysis: FileFacts, call: ts.CallExpression): { kind: SourceKind; label: string } | undefined {
  const callee = unwrap(call.expression);
  const origin = analysis.origin(callee);
  if (origin?.kind === 'module') {
    const exports = RANDOM_MODULE_EXPORTS[origin.ref.module];
    const name = modulePath(origin.ref);
    if (exports && exports.includes(name)) return { kind: 'random', label: `\`${callText(callee)}()\`` };
    if (CLOCK_CALLS[origin.ref.module]?.includes(name) && call.arguments.length === 0) return { kind: 'time', label: `\`${callText(callee)}()\`` };
    if ((origin.ref.module === 'perf_hooks' || origin.ref.module === 'node:perf_hooks') && name === 'performance.now') return { kind: 'time', label: '`performance.now()`' };
    if ((origin.ref.module === 'crypto' || origin.ref.module === 'node:crypto') && name === 'webcrypto.randomUUID') return { kind: 'random', label: '`randomUUID()`' };
    return undefined;
  }
  // a generator made by a factory: `const nano = customAlphabet(ALPHABET, 12); nano()`
  if (ts.isIdentifier(callee) && madeBy(analysis, callee, RANDOM_FACTORIES)) return { kind: 'random', label: `\`${callText(callee)}()\`` };
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const method = callee.name.text;
  const recv = unwrap(callee.expression);
  for (const [module, f] of Object.entries(RANDOM_INSTANCE_FACTORIES)) {
    if (f.methods.includes(method) && madeBy(analysis, recv, { [module]: INSTANCE_FACTORY_TABLE[module] })) return { kind: 'random', label: `\`${callText(callee)}()\`` };
  }
  if ((method === 'randomUUID' || method === 'getRandomValues') && isGlobal(analysis, recv, 'crypto')) return { kind: 'random', label: `\`crypto.${method}()\`` };
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
export function unstableValue(analysis: FileFacts, expr: ts.Expression | undefined, depth = 0, seen = new Set<ts.Node>(), bound = new Set<ts.Node>()): Unstable | undefined {
  if (!expr || depth > MAX_DEPTH) return undefined;
  const e = unwrap(expr);
  if (seen.has(e)) return undefined;
  seen.add(e);
  const next = (x: ts.Expression | undefined) => unstableValue(analysis, x, depth + 1, seen, bound);
  if (ts.isIdentifier(e)) {
    const value = analysis.valueOf(e);
    if (value) return next(value);
    // a parameter: what the same-file callers pass (`stringToS3(lines, `${uuid()}.gz`)`)
    for (const arg of argumentsFor(analysis, e, bound)) {
      const u = next(arg);
      if (u) return u;
    }
    return undefined;
  }
  if (ts.isAwaitExpression(e)) return next(e.expression);
  if (ts.isPropertyAccessExpression(e) && e.expression.kind !== ts.SyntaxKind.ThisKeyword) {
    // a property of a const object literal, or one the code set on an object before reading it
    const obj = analysis.resolveValue(e.expression);
    if (ts.isObjectLiteralExpression(obj)) {
      const p = getProperty(analysis, obj, e.name.text);
      return p.kind === 'present' ? next(p.value) : undefined;
    }
    const assigned = assignedBefore(analysis, e);
    return assigned && next(assigned);
  }
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
  if (name && (DERIVING_FUNCTIONS.has(name) || (ts.isPropertyAccessExpression(callee) && DERIVING_METHODS.has(name)) || isDateFunction(analysis, callee))) {
    for (const a of e.arguments) {
      const u = next(a);
      if (u) return u;
    }
  }
  // a same-file helper that returns a generated value (generated where the helper is called), or
  // that returns what it is given (`runName(Date.now())`)
  const fn = resolveLocalFunction(analysis, callee);
  if (fn?.body) {
    const returned = returnedExpressions(fn);
    // inside the helper its parameters are this call's arguments, not every caller's
    bound.add(fn);
    for (const r of returned) {
      const u = next(r);
      if (u) {
        bound.delete(fn);
        return { ...u, site: e };
      }
    }
    bound.delete(fn);
    for (let i = 0; i < e.arguments.length && i < fn.parameters.length; i++) {
      const param = fn.parameters[i].name;
      if (!ts.isIdentifier(param) || !returned.some((r) => mentionsName(r, param.text))) continue;
      const u = next(e.arguments[i]);
      if (u) return u;
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

/** `format(date, ...)`, `getTime(date)`, `DateTime.fromJSDate(date)`: a function of a date library. */
function isDateFunction(analysis: FileFacts, callee: ts.Expression): boolean {
  const origin = analysis.origin(callee);
  return origin?.kind === 'module' && DATE_FUNCTION_MODULES.has(origin.ref.module);
}


/** The arguments same-file callers pass for the parameter `id` names (none when it is not a parameter). */
function argumentsFor(analysis: FileFacts, id: ts.Identifier, bound: ReadonlySet<ts.Node>): ts.Expression[] {
  if (analysis.declaredFrom(id)) return [];
  for (let p = id.parent; p; p = p.parent) {
    step();
    if (!isFunctionLike(p)) continue;
    const index = p.parameters.findIndex((q) => ts.isIdentifier(q.name) && q.name.text === id.text);
    if (index < 0) continue;
    const fn = p;
    if (bound.has(fn)) return [];
    const name = functionName(fn)?.split('.').pop();
    if (!name) return [];
    const out: ts.Expression[] = [];
    step(analysis.calls.length);
    for (const call of analysis.calls) {
      const callee = unwrap(call.expression);
      const called = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
      const arg = call.arguments[index];
      if (called !== name || !arg || ts.isSpreadElement(arg)) continue;
      if (resolveLocalFunction(analysis, callee) === fn) out.push(arg);
    }
    return out;
  }
  return [];
}

const PROPERTY_WRITES = new WeakMap<FileFacts, Map<string, ts.BinaryExpression[]>>();

/**
 * The value last assigned to `obj.prop` before `access`, in the same function: `event.runId =
 * makeId()` ... `name: event.runId`.
 */
function assignedBefore(analysis: FileFacts, access: ts.PropertyAccessExpression): ts.Expression | undefined {
  let writes = PROPERTY_WRITES.get(analysis);
  if (!writes) {
    writes = new Map();
    const found = writes;
    // cheap: only files that assign a property at all
    if (/[\w\])]\.[\w$]+\s*=[^=]/.test(analysis.sourceFile.text)) {
      walk(analysis.sourceFile, (n) => {
        if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(n.left) && ts.isIdentifier(n.left.expression)) {
          const key = `${n.left.expression.text}.${n.left.name.text}`;
          const list = found.get(key) ?? [];
          list.push(n);
          found.set(key, list);
        }
        return undefined;
      });
    }
    PROPERTY_WRITES.set(analysis, found);
  }
  if (!ts.isIdentifier(access.expression)) return undefined;
  const list = writes.get(`${access.expression.text}.${access.name.text}`);
  if (!list) return undefined;
  const fn = enclosingFunction(access);
  let last: ts.BinaryExpression | undefined;
  for (const w of list) {
    // written earlier in the same function, in a block the read is in (not a sibling `case` or branch)
    if (w.end <= access.pos && enclosingFunction(w) === fn && statementContainer(w).pos <= access.pos && access.end <= statementContainer(w).end && (!last || w.pos > last.pos)) last = w;
  }
  return last?.right;
}

function statementContainer(node: ts.Node): ts.Node {
  for (let p = node.parent; p; p = p.parent) {
    step();
    if (ts.isBlock(p) || ts.isCaseClause(p) || ts.isDefaultClause(p) || ts.isSourceFile(p) || isFunctionLike(p)) return p;
  }
  return node.getSourceFile();
}

