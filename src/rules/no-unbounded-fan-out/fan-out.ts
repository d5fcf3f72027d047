/**
 * Finds `Promise.all/allSettled/any/race` calls that start one remote call per item of a
 * collection whose size is not fixed, with nothing limiting how many run at once.
 *
 * Two shapes are recognised:
 * - a mapped array: `Promise.all(items.map(cb))`, `Promise.all(Array.from(items, cb))`, spreads of
 *   those in an array literal, and a const holding any of them;
 * - an array filled in a loop: `const ps = []; for (const x of items) ps.push(call(x)); Promise.all(ps)`.
 *
 * Not reported: collections of known small size (array literals, `Array(n)`, `Object.keys` of an
 * object literal, `slice(a, b)` windows), a handler's `event.Records` (capped by the event source's
 * BatchSize), chunks (the loop variable of an enclosing `for...of`,
 * `chunks[i]`, names containing chunk/batch), fixed-size worker pools
 * (`Array.from({ length: n }, worker)` whose callback loops), calls wrapped in a concurrency
 * limiter (p-limit, p-queue, Bottleneck, async-sema/async-mutex, cockatiel bulkhead, or a call
 * whose name says it limits), and arrays flushed inside the loop that fills them.
 */
import { ts } from '../../code/ts.js';
import type { FileAnalysis } from '../../code/analysis.js';
import type { CodeReport } from '../rule.js';
import { innermostRemote, localCallee, remoteCallInfosIn, resolveLocalFunction, thisMemberValue, whereElse, type RemoteCall } from '../../code/remote-calls.js';
import { numberValue } from '../../code/values.js';
import { isFunctionLike, isLoop, unwrap, walk } from '../../code/walk.js';

const COMBINATORS = new Set(['all', 'allSettled', 'any', 'race']);
const MAPPERS = new Set(['map', 'flatMap']);
const ITERATING_METHODS = new Set(['forEach', 'map', 'flatMap', 'filter', 'reduce', 'some', 'every']);
/** Calls that only keep or reorder what a mapped array already started. */
const PASS_THROUGH = new Set(['filter', 'concat', 'flat', 'reverse']);
/** Names that say a call bounds concurrency, for limiters defined in another module. */
const LIMITER_NAME = /limit|throttl|queue|schedul|semaphore|mutex|bulkhead|concurren/i;
/** Names of awaited calls that hand out permits (`await rateLimiter.removeTokens(1)`); narrower than {@link LIMITER_NAME}, since `await queue.send(...)` is work, not a permit. */
const PERMIT_NAME = /limiter|throttl|semaphore|mutex|bulkhead|removeTokens|acquire/i;
/** Names that say a collection is one bounded piece of a larger one (`chunk`, `currentBatch`; not the plural `chunks`). */
const CHUNK_NAME = /(chunk|batch)$/i;
/** How deep same-file helpers are searched for an internal limiter. */
const HELPER_DEPTH = 3;

interface Candidate {
  call: ts.CallExpression;
  /** Where the per-item work is written (the callback, or the pushed expression): nested fan-outs inside it are not reported again. */
  work: ts.Node;
  message: string;
  /** The remote call each item makes. */
  remote: RemoteCall;
}

interface Limits {
  analysis: FileAnalysis;
  maxItems: number;
}

export function findFanOuts(analysis: FileAnalysis, maxItems: number): CodeReport[] {
  const limits: Limits = { analysis, maxItems };
  const candidates: Candidate[] = [];
  for (const call of analysis.calls) {
    const callee = unwrap(call.expression);
    if (!ts.isPropertyAccessExpression(callee) || !COMBINATORS.has(callee.name.text)) continue;
    const recv = unwrap(callee.expression);
    if (!ts.isIdentifier(recv) || recv.text !== 'Promise' || analysis.resolveValue(recv) !== recv) continue;
    const arg = call.arguments[0];
    if (!arg) continue;
    const found = checkArgument(limits, call, arg);
    if (found) candidates.push(found);
  }
  const kept = candidates.filter((c) => !candidates.some((o) => o !== c && within(c.call, o.work)));
  return kept.map((c) => {
    const inner = innermostRemote(c.remote);
    // a request made in another module: where it is sent
    const related = inner.call.getSourceFile() !== c.call.getSourceFile() ? [{ node: inner.call, label: 'the request each item makes is sent here' }] : undefined;
    return { node: c.call.expression, message: c.message, related };
  });
}

function within(node: ts.Node, container: ts.Node): boolean {
  return node.pos >= container.pos && node.end <= container.end;
}

function combinator(call: ts.CallExpression): string {
  return `Promise.${(unwrap(call.expression) as ts.PropertyAccessExpression).name.text}`;
}

function short(node: ts.Node, max = 40): string | undefined {
  const text = node.getText().replace(/\s+/g, ' ');
  return text.length <= max ? text : undefined;
}

/** "`PutItemCommand` request", "`fetch(...)` request", "`saveOrder(...)` call (which sends `PutItemCommand`)". */
function describeWork(remote: RemoteCall): string {
  if (remote.kind !== 'local') return `\`${remote.label}\` request`;
  const inner = innermostRemote(remote);
  const verb = inner.kind === 'aws' && !inner.label.endsWith(')') ? 'sends' : 'calls';
  return `\`${remote.label}\` call (which ${verb} \`${inner.label}\`${whereElse(remote, inner)})`;
}

const CONSEQUENCE = 'the load on the dependency grows with the input size';

function checkArgument(limits: Limits, call: ts.CallExpression, arg: ts.Expression): Candidate | undefined {
  const { analysis } = limits;
  let e = unwrap(arg);
  if (ts.isIdentifier(e)) {
    const value = analysis.resolveValue(e);
    if (ts.isArrayLiteralExpression(value) && value.elements.length === 0) return checkFilledArray(limits, call, e, value);
    e = value;
  }
  if (ts.isArrayLiteralExpression(e)) {
    for (const el of e.elements) {
      if (!ts.isSpreadElement(el)) continue;
      const found = checkMapped(limits, call, el.expression);
      if (found) return found;
    }
    return undefined;
  }
  return checkMapped(limits, call, e);
}

// ---------------------------------------------------------------------------------------------
// items.map(cb)

function checkMapped(limits: Limits, call: ts.CallExpression, expr: ts.Expression): Candidate | undefined {
  const { analysis } = limits;
  let e = unwrap(expr);
  if (ts.isIdentifier(e)) e = analysis.resolveValue(e);
  // `items.map(cb).filter(Boolean)`: the calls are started by the map
  while (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && PASS_THROUGH.has(e.expression.name.text) && ts.isCallExpression(unwrap(e.expression.expression))) {
    e = unwrap(e.expression.expression);
  }
  if (!ts.isCallExpression(e)) return undefined;
  const callee = unwrap(e.expression);
  let source: ts.Expression;
  let callback: ts.Expression;
  let shown: string;
  if (ts.isPropertyAccessExpression(callee) && MAPPERS.has(callee.name.text) && e.arguments[0]) {
    source = callee.expression;
    callback = e.arguments[0];
    const s = short(source);
    shown = s ? `${s}.${callee.name.text}(...)` : `.${callee.name.text}(...)`;
  } else if (isArrayFrom(callee) && e.arguments.length >= 2) {
    source = e.arguments[0];
    callback = e.arguments[1];
    const s = short(source, 30);
    shown = s ? `Array.from(${s}, ...)` : 'Array.from(...)';
  } else {
    return undefined;
  }
  const fn = callbackFunction(analysis, callback);
  if (!fn) return undefined;
  const remote = unlimitedRemote(limits, fn, 0);
  if (!remote) return undefined;
  if (isBounded(limits, source, call, fn)) return undefined;
  return {
    call,
    work: fn,
    message: `${combinator(call)} over \`${shown}\` starts one ${describeWork(remote)} per item at once: ${CONSEQUENCE}`,
    remote,
  };
}

function isArrayFrom(callee: ts.Expression): boolean {
  return ts.isPropertyAccessExpression(callee) && callee.name.text === 'from' && ts.isIdentifier(callee.expression) && callee.expression.text === 'Array';
}

function callbackFunction(analysis: FileAnalysis, callback: ts.Expression): ts.FunctionLikeDeclaration | undefined {
  const c = unwrap(callback);
  if (isFunctionLike(c)) return c;
  return resolveLocalFunction(analysis, c);
}

// ---------------------------------------------------------------------------------------------
// concurrency limiters

/** The first remote call in a function that no limiter wraps (looking into same-file helpers). */
function unlimitedRemote(limits: Limits, fn: ts.FunctionLikeDeclaration, depth: number): RemoteCall | undefined {
  const body = fn.body;
  if (!body || acquiresPermit(body)) return undefined;
  for (const r of remoteCallInfosIn(limits.analysis, body)) {
    if (underLimiter(limits.analysis, r.call, body)) continue;
    if (r.kind === 'local') {
      const target = localCallee(limits.analysis, r.call);
      if (target && target !== fn && depth < HELPER_DEPTH && !unlimitedRemote(limits, target, depth + 1)) continue;
    }
    return r;
  }
  return undefined;
}

/**
 * `await sema.acquire()`, `mutex.runExclusive(...)`, `await rateLimiter.removeTokens(1)`: a permit
 * taken inside the per-item work.
 */
function acquiresPermit(root: ts.Node): boolean {
  let found = false;
  walk(root, (node) => {
    if (found) return false;
    if (ts.isCallExpression(node)) {
      const callee = unwrap(node.expression);
      if (ts.isPropertyAccessExpression(callee) && (callee.name.text === 'acquire' || callee.name.text === 'runExclusive')) found = true;
      else if (ts.isAwaitExpression(node.parent) && PERMIT_NAME.test(callee.getText())) found = true;
    }
    return undefined;
  });
  return found;
}

/** Is `call` inside a function handed to a limiter (`limit(() => call())`), below `root`? */
function underLimiter(analysis: FileAnalysis, call: ts.Node, root: ts.Node): boolean {
  for (let p = call.parent; p && p !== root; p = p.parent) {
    if (!isFunctionLike(p)) continue;
    const parent = p.parent;
    if (ts.isCallExpression(parent) && parent.arguments.includes(p as ts.Expression) && isLimiterCall(analysis, parent)) return true;
  }
  return false;
}

const LIMIT_FACTORIES: Record<string, string[]> = { 'p-limit': ['', 'pLimit', 'limitFunction'], 'p-throttle': [''] };
const LIMITER_METHODS: Record<string, string[]> = {
  'p-queue': ['add', 'addAll'],
  bottleneck: ['schedule', 'submit', 'wrap'],
  'async-mutex': ['runExclusive'],
  'async-sema': ['acquire'],
};

function isLimiterCall(analysis: FileAnalysis, call: ts.CallExpression): boolean {
  const callee = unwrap(call.expression);
  // `limit(() => ...)` where `const limit = pLimit(5)`
  let target: ts.Expression | undefined;
  if (ts.isIdentifier(callee)) target = analysis.resolveValue(callee);
  else if (ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.ThisKeyword) {
    const v = thisMemberValue(callee);
    target = v && analysis.resolveValue(v);
  }
  if (target && ts.isCallExpression(target)) {
    const origin = analysis.origin(target.expression);
    if (origin?.kind === 'module') {
      const path = (origin.ref.path[0] === 'default' ? origin.ref.path.slice(1) : origin.ref.path).join('.');
      if (LIMIT_FACTORIES[origin.ref.module]?.includes(path)) return true;
    }
  }
  if (ts.isPropertyAccessExpression(callee)) {
    const recv = analysis.origin(callee.expression);
    if (recv?.kind === 'instance' && LIMITER_METHODS[recv.ref.module]?.includes(callee.name.text)) return true;
    // cockatiel: `bulkhead(5).execute(...)`
    if (callee.name.text === 'execute') {
      const r = analysis.resolveValue(callee.expression);
      if (ts.isCallExpression(r)) {
        const o = analysis.origin(r.expression);
        if (o?.kind === 'module' && o.ref.module === 'cockatiel' && o.ref.path.join('.') === 'bulkhead') return true;
      }
    }
  }
  const text = callee.getText();
  return LIMITER_NAME.test(text);
}

// ---------------------------------------------------------------------------------------------
// collection size

/** `fromCount`: the size was written as a count (`Array(4)`, `{ length: 4 }`), not as items. */
type Size = { kind: 'known'; n: number; fromCount?: boolean } | { kind: 'count'; expr: ts.Expression } | undefined;

/** What is known about how many items a collection expression has. */
function sizeOf(limits: Limits, expr: ts.Expression, depth = 0): Size {
  const { analysis } = limits;
  if (depth > 6) return undefined;
  let e = unwrap(expr);
  if (ts.isIdentifier(e)) e = analysis.resolveValue(e);
  if (ts.isArrayLiteralExpression(e)) {
    let n = 0;
    for (const el of e.elements) {
      if (!ts.isSpreadElement(el)) {
        n++;
        continue;
      }
      const inner = sizeOf(limits, el.expression, depth + 1);
      if (e.elements.length === 1) return inner;
      if (inner?.kind !== 'known') return undefined;
      n += inner.n;
    }
    return { kind: 'known', n };
  }
  if (ts.isObjectLiteralExpression(e)) {
    // `Array.from({ length: n })`
    for (const p of e.properties) {
      if (ts.isPropertyAssignment(p) && p.name.getText() === 'length') return countSize(analysis, p.initializer);
    }
    return undefined;
  }
  if (ts.isNewExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'Array' && e.arguments?.length === 1) {
    return countSize(analysis, e.arguments[0]);
  }
  if (!ts.isCallExpression(e)) return undefined;
  const callee = unwrap(e.expression);
  if (ts.isIdentifier(callee) && callee.text === 'Array' && e.arguments.length === 1) return countSize(analysis, e.arguments[0]);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const method = callee.name.text;
  if (['fill', 'keys', 'values', 'entries'].includes(method) && !isObjectStatic(callee)) return sizeOf(limits, callee.expression, depth + 1);
  if (isArrayFrom(callee) && e.arguments[0]) return sizeOf(limits, e.arguments[0], depth + 1);
  if (isObjectStatic(callee) && e.arguments[0]) {
    const obj = analysis.resolveValue(e.arguments[0]);
    if (ts.isObjectLiteralExpression(obj) && obj.properties.every((p) => !ts.isSpreadAssignment(p))) return { kind: 'known', n: obj.properties.length };
    return undefined;
  }
  return undefined;
}

function isObjectStatic(callee: ts.PropertyAccessExpression): boolean {
  return ts.isIdentifier(callee.expression) && callee.expression.text === 'Object' && ['keys', 'values', 'entries'].includes(callee.name.text);
}

function countSize(analysis: FileAnalysis, expr: ts.Expression): Size {
  const n = numberValue(analysis, expr);
  return n !== undefined ? { kind: 'known', n, fromCount: true } : { kind: 'count', expr };
}

/** `x.length`, `set.size`: a count taken from data. */
function isDataCount(expr: ts.Expression): boolean {
  let found = false;
  const check = (n: ts.Node) => {
    if (ts.isPropertyAccessExpression(n) && (n.name.text === 'length' || n.name.text === 'size')) found = true;
  };
  check(expr);
  walk(expr, (n) => {
    check(n);
    return found ? false : undefined;
  });
  return found;
}

function containsLoop(fn: ts.FunctionLikeDeclaration): boolean {
  let found = false;
  if (!fn.body) return false;
  walk(fn.body, (n) => {
    if (found || isFunctionLike(n)) return false;
    if (isLoop(n)) found = true;
    return undefined;
  });
  return found;
}

/**
 * True when the collection cannot grow with the input: small and fixed, a window or chunk of a
 * larger one, or a fixed number of workers.
 */
function isBounded(limits: Limits, source: ts.Expression, promiseAll: ts.CallExpression, callback?: ts.FunctionLikeDeclaration): boolean {
  const { analysis, maxItems } = limits;
  const size = sizeOf(limits, source);
  if (size?.kind === 'known') return size.n <= maxItems || (!!size.fromCount && callback !== undefined && containsLoop(callback));
  if (size?.kind === 'count') {
    // `Array.from({ length: CONCURRENCY }, worker)`: a pool of workers that each loop over a shared queue
    if (isDataCount(size.expr)) return false;
    return callback !== undefined && containsLoop(callback);
  }
  let e = unwrap(source);
  if (isEventBatch(e)) return true;
  if (ts.isIdentifier(e) && CHUNK_NAME.test(e.text)) return true;
  if (ts.isPropertyAccessExpression(e) && CHUNK_NAME.test(e.name.text)) return true;
  if (ts.isIdentifier(e)) {
    if (isLoopVariableAround(e.text, promiseAll)) return true;
    e = analysis.resolveValue(e);
  }
  // `items.slice(i, i + 25)`, `queue.splice(0, 10)`: a window whose size the code chose
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && (e.expression.name.text === 'slice' || e.expression.name.text === 'splice') && e.arguments.length === 2) return true;
  // `batches[i]` inside a loop
  if (ts.isElementAccessExpression(e) && enclosingLoop(promiseAll)) return true;
  return false;
}

/**
 * `event.Records` of a handler's event parameter: SQS, Kinesis, DynamoDB Streams, SNS and S3
 * deliver batches whose size the event source mapping's BatchSize caps, so the burst does not grow
 * with the backlog.
 */
function isEventBatch(e: ts.Expression): boolean {
  if (!ts.isPropertyAccessExpression(e) || e.name.text !== 'Records') return false;
  const base = unwrap(e.expression);
  if (!ts.isIdentifier(base)) return false;
  for (let p = e.parent; p; p = p.parent) {
    if (isFunctionLike(p) && p.parameters[0] && ts.isIdentifier(p.parameters[0].name) && p.parameters[0].name.text === base.text) return true;
  }
  return false;
}

function enclosingLoop(node: ts.Node): ts.IterationStatement | undefined {
  for (let p = node.parent; p; p = p.parent) {
    if (isFunctionLike(p)) return undefined;
    if (isLoop(p)) return p;
  }
  return undefined;
}

/** `for (const chunk of chunks) { ... Promise.all(chunk.map(...)) }`: the collection is one element of an array of arrays. */
function isLoopVariableAround(name: string, node: ts.Node): boolean {
  for (let p = node.parent; p; p = p.parent) {
    if (isFunctionLike(p)) return false;
    if (ts.isForOfStatement(p) && ts.isVariableDeclarationList(p.initializer)) {
      for (const d of p.initializer.declarations) if (ts.isIdentifier(d.name) && d.name.text === name) return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// const ps = []; for (...) ps.push(call(x)); Promise.all(ps)

interface Iteration {
  /** The loop statement or the iterating callback. */
  node: ts.Node;
  /** The collection iterated, when there is one. */
  source?: ts.Expression;
  /** `for (let i = 0; i < n; i++)`: the bound. */
  bound?: ts.Expression;
}

function checkFilledArray(limits: Limits, call: ts.CallExpression, id: ts.Identifier, array: ts.ArrayLiteralExpression): Candidate | undefined {
  const { analysis } = limits;
  for (const push of analysis.calls) {
    const callee = unwrap(push.expression);
    if (!ts.isPropertyAccessExpression(callee) || (callee.name.text !== 'push' && callee.name.text !== 'unshift')) continue;
    const recv = unwrap(callee.expression);
    if (!ts.isIdentifier(recv) || recv.text !== id.text || analysis.resolveValue(recv) !== array) continue;
    for (const pushed of push.arguments) {
      // `const p = put(x); ps.push(p)`
      const arg = ts.isIdentifier(unwrap(pushed)) ? analysis.resolveValue(pushed) : pushed;
      const remote = remoteCallInfosIn(analysis, arg).find((r) => !underLimiter(analysis, r.call, arg) && !limitedHelper(limits, r));
      if (!remote) continue;
      const iteration = enclosingIteration(push, array);
      // a single push, or an array flushed inside the loop that fills it (batches)
      if (!iteration || within(call, iteration.node) || awaitedWithin(analysis, id.text, iteration.node)) continue;
      if (iterationBounded(limits, iteration, call)) continue;
      const shownSource = iteration.source ?? lengthOf(iteration.bound);
      const src = shownSource && short(shownSource);
      const per = src ? `per item of \`${src}\`` : 'per loop iteration';
      return {
        call,
        work: arg,
        message: `${combinator(call)} over \`${id.text}\` starts one ${describeWork(remote)} ${per} at once: ${CONSEQUENCE}`,
        remote,
      };
    }
  }
  return undefined;
}

/** A `Promise.all(name)` (or another combinator) inside `scope`: the array is drained as it fills. */
function awaitedWithin(analysis: FileAnalysis, name: string, scope: ts.Node): boolean {
  return analysis.calls.some((c) => {
    if (!within(c, scope)) return false;
    const callee = unwrap(c.expression);
    const arg = c.arguments[0] && unwrap(c.arguments[0]);
    return ts.isPropertyAccessExpression(callee) && COMBINATORS.has(callee.name.text) && !!arg && ts.isIdentifier(arg) && arg.text === name;
  });
}

/** `items` for a loop bound `items.length`. */
function lengthOf(bound: ts.Expression | undefined): ts.Expression | undefined {
  const b = bound && unwrap(bound);
  return b && ts.isPropertyAccessExpression(b) && b.name.text === 'length' ? b.expression : undefined;
}

function limitedHelper(limits: Limits, remote: RemoteCall): boolean {
  if (remote.kind !== 'local') return false;
  const target = localCallee(limits.analysis, remote.call);
  return !!target && !unlimitedRemote(limits, target, 1);
}

/** The loop (or iterating callback) that runs `node` repeatedly, below the array's declaration. */
function enclosingIteration(node: ts.Node, array: ts.Node): Iteration | undefined {
  for (let p = node.parent; p; p = p.parent) {
    if (within(array, p)) return undefined;
    if (ts.isForOfStatement(p) || ts.isForInStatement(p)) return { node: p, source: p.expression };
    if (ts.isForStatement(p)) return { node: p, bound: forBound(p) };
    if (ts.isWhileStatement(p) || ts.isDoStatement(p)) return { node: p };
    if (isFunctionLike(p)) {
      const parent = p.parent;
      if (ts.isCallExpression(parent) && parent.arguments[0] === p && ts.isPropertyAccessExpression(parent.expression) && ITERATING_METHODS.has(parent.expression.name.text)) {
        return { node: p, source: parent.expression.expression };
      }
      return undefined;
    }
  }
  return undefined;
}

/** `i < n` / `i <= n` / `n > i` in a counting for loop: `n` (or `items.length`). */
function forBound(loop: ts.ForStatement): ts.Expression | undefined {
  const c = loop.condition && unwrap(loop.condition);
  if (!c || !ts.isBinaryExpression(c)) return undefined;
  const op = c.operatorToken.kind;
  if (op === ts.SyntaxKind.LessThanToken || op === ts.SyntaxKind.LessThanEqualsToken) return c.right;
  if (op === ts.SyntaxKind.GreaterThanToken || op === ts.SyntaxKind.GreaterThanEqualsToken) return c.left;
  return undefined;
}

function iterationBounded(limits: Limits, it: Iteration, promiseAll: ts.CallExpression): boolean {
  if (it.source) return isBounded(limits, it.source, promiseAll);
  if (!it.bound) return false;
  const b = unwrap(it.bound);
  const n = numberValue(limits.analysis, b);
  if (n !== undefined) return n <= limits.maxItems;
  if (ts.isPropertyAccessExpression(b) && b.name.text === 'length') return isBounded(limits, b.expression, promiseAll);
  return false;
}
