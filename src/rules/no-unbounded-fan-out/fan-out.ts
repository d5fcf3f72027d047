/**
 * Finds `Promise.all/allSettled/any/race` calls that start one remote call per item of a
 * collection whose size is not fixed, with nothing limiting how many run at once.
 *
 * Two shapes are recognised:
 * - a mapped array: `Promise.all(items.map(cb))`, `Promise.all(Array.from(items, cb))`, spreads of
 *   those in an array literal, and a const holding any of them;
 * - an array filled in a loop: `const ps = []; for (const x of items) ps.push(call(x)); Promise.all(ps)`,
 *   also by `concat`, spread or index assignment, an object of arrays filled per key, and a
 *   container a same-file helper fills and returns;
 * - promises a previous `.then` mapped a list to: `.then(R.map(f)).then((ps) => Promise.all(ps))`.
 *
 * A call of a same-file helper that hands one of its parameters to `Promise.all` (`awaitAll(ps)`
 * with `const awaitAll = async (ps) => (await Promise.all(ps)).flat()`) is judged like
 * `Promise.all` over the argument, and reported at the call.
 *
 * Not reported: collections of known small size (array literals, `Array(n)`, `Object.keys` of an
 * object literal, `slice(a, b)` windows), collections fixed at deploy time (the listing of a
 * directory shipped with the code, a bundled JSON file) or counts set by the configuration
 * (`parseInt(process.env.MAX_LOOPS)`), lists of AWS Regions known as such (Region-code
 * literals, `DescribeRegions` results), work whose every request goes through a client created for
 * the item with the item's Region (`new ECS({ region: item.region })`), a handler's `event.Records` (capped by the event source's
 * BatchSize; also under a local name, a Firehose transformation's `records`, an S3 Batch
 * Operations event's `tasks` (one per invocation), and a class member the
 * constructor fixed to one of these), chunks (the loop variable of an enclosing `for...of`,
 * `chunks[i]`, names containing chunk/batch), the arguments callers write out for a rest
 * parameter (`getSecrets(...names)`, unless the file spreads a list into it), fixed-size worker pools
 * (`Array.from({ length: n }, worker)` whose callback loops), calls wrapped in a concurrency
 * limiter (p-limit, p-queue, Bottleneck, async-sema/async-mutex, cockatiel bulkhead, or a call
 * whose name says it limits), arrays flushed inside the loop that fills them, and loops that wait
 * a while every time round (the calls start at a fixed pace).
 */
import { ts } from '../../code/ts.js';
import type { FileAnalysis } from '../../code/analysis.js';
import type { CodeReport } from '../rule.js';
import { calleeLabel, fixedThisMemberValue, innermostRemote, localCallee, referencedRemote, remoteCallInfosIn, remoteCallOfFunction, resolveLocalFunction, whereElse, type RemoteCall } from '../../code/remote-calls.js';
import { calleeAcross } from '../../code/modules.js';
import { numberValue } from '../../code/values.js';
import { enclosingFunction, functionName, isFunctionLike, isLoop, returnedExpressions, step, thisMemberValue, unwrap, walk, someOwnNode } from '../../code/walk.js';
import { everyCallToItemRegion, isRegionList } from '../../code/regions.js';
import { isReceivedMessages } from '../../code/sqs-receive.js';
import { isBundledCollection, isConfiguredCount, isConfiguredList } from '../../code/deploy-time.js';
import { isAwaitedDelay } from '../../code/waits.js';

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
  related?: CodeReport['related'];
  /** Where the per-item work is written (the callback, or the pushed expression): nested fan-outs inside it are not reported again. */
  work: ts.Node;
  message: string;
  /** The remote call each item makes. */
  remote: RemoteCall;
  /** Found at a `forEach` with an async callback rather than at a combinator. */
  forEach?: boolean;
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
    if (!ts.isPropertyAccessExpression(callee)) continue;
    const recv = unwrap(callee.expression);
    if (!ts.isIdentifier(recv)) continue;
    // the global Promise, or bluebird's (`const Promise = require('bluebird')`), whose `settle` is an older allSettled
    const bluebird = isBluebird(analysis, recv);
    if (!(COMBINATORS.has(callee.name.text) || (bluebird && callee.name.text === 'settle'))) continue;
    if (!bluebird && (recv.text !== 'Promise' || analysis.resolveValue(recv) !== recv)) continue;
    const arg = call.arguments[0];
    if (!arg) continue;
    const found = checkArgument(limits, call, arg);
    if (found) candidates.push(found);
  }
  for (const call of analysis.calls) {
    // async's `parallel(tasks)`: one task per item of the list the tasks were made from, all at once
    const tasks = call.arguments[0];
    const found =
      checkForEach(limits, call) ??
      checkLibraryMap(limits, call) ??
      (tasks && isAsyncParallel(analysis, call.expression) ? checkArgument(limits, call, tasks) : undefined) ??
      checkAwaitingHelper(limits, call);
    if (found) candidates.push(found);
  }
  const kept = candidates.filter(
    (c) =>
      !candidates.some((o) => o !== c && within(c.call, o.work)) &&
      // `xs.forEach(async (x) => ps.push(call(x)))` then `Promise.all(ps)`: reported at the combinator
      !(c.forEach && candidates.some((o) => o !== c && within(o.work, c.work))),
  );
  return kept.map((c) => {
    const inner = innermostRemote(c.remote);
    // a request made in another module: where it is sent
    const elsewhere = inner.call.getSourceFile() !== c.call.getSourceFile() ? [{ node: inner.call, label: 'the request each item makes is sent here' }] : [];
    const related = [...(c.related ?? []), ...elsewhere];
    return { node: c.call.expression, message: c.message, ...(related.length > 0 ? { related } : {}) };
  });
}

function within(node: ts.Node, container: ts.Node): boolean {
  return node.pos >= container.pos && node.end <= container.end;
}

function combinator(call: ts.CallExpression): string {
  const through = THROUGH_HELPER.get(call);
  if (through) return `${combinator(through.combinator)} in \`${short(call.expression, 30) ?? 'a helper'}(...)\``;
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return `\`${short(callee, 30) ?? 'parallel'}(...)\` (\`parallelLimit\` takes a limit)`;
  if (COMBINATORS.has(callee.name.text) || callee.name.text === 'settle') return `${short(callee.expression, 20) ?? 'Promise'}.${callee.name.text}`;
  return `\`${short(callee, 30) ?? callee.name.text}(...)\` (\`parallelLimit\` takes a limit)`;
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

/**
 * What the burst does: it grows with the input, or, over a list the code writes out (an array or
 * object literal larger than `maxLiteralItems`), it is that many requests at once.
 */
function consequence(limits: Limits, source: ts.Expression): string {
  const size = sizeOf(limits, source);
  if (size?.kind !== 'known' || size.fromCount) return CONSEQUENCE;
  return `the ${size.n} items of the list the code writes out (more than ${limits.maxItems}) reach the dependency in one burst`;
}

function checkArgument(limits: Limits, call: ts.CallExpression, arg: ts.Expression): Candidate | undefined {
  const { analysis } = limits;
  let e = unwrap(arg);
  const filled = filledContainer(analysis, e);
  if (filled) return checkFilledArray(limits, call, filled);
  if (ts.isIdentifier(e)) {
    const pipeline = checkPipeline(limits, call, e);
    if (pipeline) return pipeline;
    const id = e;
    e = analysis.resolveValue(id);
    if (e === id) e = declaredValueAtCall(analysis, id, call) ?? e;
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

/**
 * `let ps = xs.map(f); ps = await Promise.all(ps)`: the value a variable written again later was
 * declared with, when it still holds it at the call: no write of the name between its declaration
 * and the call, none after the call in a loop that comes back to it, and none in a nested function.
 */
function declaredValueAtCall(analysis: FileAnalysis, id: ts.Identifier, call: ts.CallExpression): ts.Expression | undefined {
  const from = analysis.declaredFrom(id);
  if (!from || !from.reassigned || from.pick.length > 0) return undefined;
  const fn = enclosingFunction(call);
  const body = fn ? fn.body : call.getSourceFile();
  if (!body || !within(from.value, body) || enclosingFunction(from.value) !== fn) return undefined;
  const start = from.value.end;
  let written = false;
  walk(body, (n) => {
    if (written) return false;
    const target = writtenName(n);
    if (target !== id.text) return undefined;
    const nested = enclosingFunction(n) !== fn;
    if (nested || (n.pos >= start && n.end <= call.pos) || (n.pos >= call.end && loopAround(call, n))) written = true;
    return undefined;
  });
  return written ? undefined : from.value;
}

/** The identifier an assignment, compound assignment, `++` or `--` writes. */
function writtenName(n: ts.Node): string | undefined {
  let target: ts.Expression | undefined;
  if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment) target = n.left;
  else if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken)) target = n.operand;
  const t = target && unwrap(target);
  return t && ts.isIdentifier(t) ? t.text : undefined;
}

// ---------------------------------------------------------------------------------------------
// awaitAll(promises): a helper that awaits every promise it is given at once

/** Helper calls judged as the `Promise.all` in the helper's body (for messages). */
const THROUGH_HELPER = new WeakMap<ts.CallExpression, { combinator: ts.CallExpression }>();
/** Per helper function: the parameter it hands to a combinator, and that combinator call. */
const AWAITS_PARAMETER = new WeakMap<ts.Node, { index: number; combinator: ts.CallExpression } | null>();

/**
 * `awaitAll(ps)`: the same-file helper awaits its parameter with `Promise.all` (or `allSettled`,
 * `any`, `race`) in its own body, so the argument's size decides the burst; the argument is
 * checked as if the caller awaited it. (A helper of another module is not followed: the file
 * calling it need not mention `Promise` at all, and the rule's text prefilter skips such files.)
 */
function checkAwaitingHelper(limits: Limits, call: ts.CallExpression): Candidate | undefined {
  const { analysis } = limits;
  if (call.arguments.length === 0) return undefined;
  const fn = localCallee(analysis, call);
  if (!fn?.body) return undefined;
  const awaited = awaitedParameter(analysis, fn);
  const arg = awaited ? call.arguments[awaited.index] : undefined;
  if (!awaited || !arg || ts.isSpreadElement(arg)) return undefined;
  THROUGH_HELPER.set(call, awaited);
  const found = checkArgument(limits, call, arg);
  if (!found) return undefined;
  return { ...found, related: [...(found.related ?? []), { node: awaited.combinator, label: 'the helper awaits every promise at once here' }] };
}

function awaitedParameter(facts: FileAnalysis, fn: ts.FunctionLikeDeclaration): { index: number; combinator: ts.CallExpression } | undefined {
  const known = AWAITS_PARAMETER.get(fn);
  if (known !== undefined) return known ?? undefined;
  let found: { index: number; combinator: ts.CallExpression } | undefined;
  const names = fn.parameters.map((p) => (ts.isIdentifier(p.name) && !p.dotDotDotToken ? p.name.text : undefined));
  if (names.some((n) => n !== undefined) && fn.body) {
    someOwnNode(fn.body, (n) => {
      if (!ts.isCallExpression(n) || n.arguments.length !== 1) return false;
      const callee = unwrap(n.expression);
      if (!ts.isPropertyAccessExpression(callee) || !COMBINATORS.has(callee.name.text)) return false;
      const recv = unwrap(callee.expression);
      if (!ts.isIdentifier(recv) || recv.text !== 'Promise' || facts.resolveValue(recv) !== recv) return false;
      const arg = unwrap(n.arguments[0]!);
      const index = ts.isIdentifier(arg) ? names.indexOf(arg.text) : -1;
      // the parameter itself, not a local of the same name declared in the body
      if (index < 0 || facts.declaredFrom(arg as ts.Identifier)) return false;
      found = { index, combinator: n };
      return true;
    });
  }
  AWAITS_PARAMETER.set(fn, found ?? null);
  return found;
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
  if (ts.isPropertyAccessExpression(callee) && MAPPERS.has(callee.name.text) && e.arguments[0] && !listModule(analysis, callee.expression)) {
    source = callee.expression;
    callback = e.arguments[0];
    const s = short(source);
    shown = s ? `${s}.${callee.name.text}(...)` : `.${callee.name.text}(...)`;
  } else if (isArrayFrom(callee) && e.arguments.length >= 2) {
    source = e.arguments[0];
    callback = e.arguments[1];
    const s = short(source, 30);
    shown = s ? `Array.from(${s}, ...)` : 'Array.from(...)';
  } else if (listFunction(analysis, callee) === 'map' && e.arguments.length === 2) {
    // `R.map(f, xs)` (ramda, lodash/fp) or `_.map(xs, f)` (lodash)
    const dataFirst = listModule(analysis, callee) === 'lodash';
    source = e.arguments[dataFirst ? 0 : 1];
    callback = e.arguments[dataFirst ? 1 : 0];
    const s = short(source, 30);
    shown = `${short(callee, 20) ?? 'map'}(${dataFirst ? `${s ?? '...'}, ...` : `..., ${s ?? '...'}`})`;
  } else if (ts.isCallExpression(callee) && listFunction(analysis, callee.expression) === 'map' && callee.arguments.length === 1 && e.arguments.length === 1) {
    // curried `R.map(f)(xs)`
    source = e.arguments[0];
    callback = callee.arguments[0];
    const s = short(source, 30);
    shown = `${short(callee.expression, 20) ?? 'map'}(...)(${s ?? '...'})`;
  } else {
    return undefined;
  }
  const fn = callbackFunction(analysis, callback);
  if (!fn) {
    // `orders.map(saveOrder)` with `saveOrder` a function of another module: each item calls it;
    // `lines.map(Mapper.withLabel(catalogue))`: each item calls the function the factory returns
    const remote = referencedRemote(analysis, callback, call) ?? madeRemote(analysis, callback);
    if (!remote || isBounded(limits, source, call)) return undefined;
    return { call, work: callback, message: `${combinator(call)} over \`${shown}\` starts one ${describeWork(remote)} per item at once: ${consequence(limits, source)}`, remote };
  }
  const remote = unlimitedRemote(limits, fn, 0);
  if (!remote) return undefined;
  if (isBounded(limits, source, call, fn)) return undefined;
  // each item's requests go through a client made for the item's own Region: no one endpoint takes the burst
  if (fn.body && everyCallToItemRegion(analysis, fn.body, fn.parameters[0])) return undefined;
  return {
    call,
    work: fn,
    message: `${combinator(call)} over \`${shown}\` starts one ${describeWork(remote)} per item at once: ${consequence(limits, source)}`,
    remote,
  };
}

// ---------------------------------------------------------------------------------------------
// items.forEach(async (x) => { await call(x) })

/**
 * `forEach` does not wait for what its callback returns: an `async` callback (or an arrow whose
 * body is the remote call) starts every item's call at once, like `Promise.all` over a map, and
 * nothing awaits them.
 */
function checkForEach(limits: Limits, call: ts.CallExpression): Candidate | undefined {
  const { analysis } = limits;
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'forEach' || !call.arguments[0]) return undefined;
  const fn = callbackFunction(analysis, call.arguments[0]);
  if (!fn?.body) return undefined;
  const isAsync = !!fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
  let remote: RemoteCall | undefined;
  if (isAsync) remote = unlimitedRemote(limits, fn, 0);
  else {
    // `(k) => s3.send(...)`, `(k) => save(k).catch(log)`: the body is the call; in a block, a
    // statement that is the call (`params = {...}; db.delete(params, done);`): a function that
    // cannot await starts it and returns
    const started = (e: ts.Expression): RemoteCall | undefined => {
      let body = unwrap(e);
      while (ts.isCallExpression(body) && ts.isPropertyAccessExpression(body.expression) && ['then', 'catch', 'finally'].includes(body.expression.name.text)) {
        body = unwrap(body.expression.expression);
      }
      const direct = ts.isCallExpression(body) ? remoteCallInfosIn(analysis, body).find((r) => r.call === body) : undefined;
      return direct && !limitedHelper(limits, direct) ? direct : undefined;
    };
    if (!ts.isBlock(fn.body)) remote = started(fn.body as ts.Expression);
    else {
      for (const st of fn.body.statements) {
        const e = ts.isExpressionStatement(st) ? st.expression : ts.isReturnStatement(st) ? st.expression : undefined;
        remote = e && started(e);
        if (remote) break;
      }
    }
  }
  if (!remote) return undefined;
  const source = callee.expression;
  if (isBounded(limits, source, call, fn)) return undefined;
  const s = short(source);
  const shown = `${s ?? ''}.forEach(${isAsync ? 'async ' : ''}...)`;
  return {
    call,
    work: fn,
    message: `\`${shown}\` starts one ${describeWork(remote)} per item at once and waits for none of them: ${consequence(limits, source)}`,
    remote,
    forEach: true,
  };
}

/**
 * The remote call of the function a factory of another module returns, when `callback` calls the
 * factory (`Mapper.withLabel(catalogue)` with `static withLabel = (c) => async (line) => ...`): a
 * `local` call at `callback`, whose `via` is the request that function makes. The factory's only
 * return must be the function itself; a limiter taken inside it is a limit.
 */
function madeRemote(analysis: FileAnalysis, callback: ts.Expression): RemoteCall | undefined {
  const c = unwrap(callback);
  if (!ts.isCallExpression(c)) return undefined;
  const factory = calleeAcross(analysis, c.expression);
  if (!factory || factory.facts === analysis) return undefined;
  const returned = returnedExpressions(factory.fn);
  const made = returned.length === 1 ? unwrap(returned[0]!) : undefined;
  if (!made || !isFunctionLike(made) || !made.body || acquiresPermit(made.body)) return undefined;
  const inner = remoteCallOfFunction(factory.facts, made);
  return inner ? { call: c, kind: 'local', label: `${calleeLabel(c)}(...)`, via: inner } : undefined;
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
// pMap(items, fn), bluebird's Promise.map(items, fn), async.each(items, fn)

/**
 * Library functions that call their iteratee for every item at once unless given a concurrency:
 * p-map (`pMap(items, fn, { concurrency })`, unbounded by default), bluebird (`Promise.map` and
 * `Promise.filter`, options third), and the collection functions of async / neo-async (`each`,
 * `map`, ...: their `...Limit` forms take a limit and their `...Series` forms run one at a time).
 */
const LIBRARY_MAPS: Record<string, { fns: ReadonlySet<string>; options?: number }> = {
  'p-map': { fns: new Set(['default', '']), options: 2 },
  bluebird: { fns: new Set(['map', 'filter']), options: 2 },
  async: { fns: new Set(['each', 'forEach', 'eachOf', 'forEachOf', 'map', 'mapValues', 'filter', 'reject', 'concat', 'flatMap', 'groupBy', 'detect', 'some', 'every']) },
};

/** The library and function a callee is (`async/each` as `async` `each`), when it is one of {@link LIBRARY_MAPS}. */
function libraryMap(analysis: FileAnalysis, callee: ts.Expression): { module: string; fn: string } | undefined {
  const origin = analysis.origin(unwrap(callee));
  if (origin?.kind !== 'module') return undefined;
  const parts = origin.ref.module.split('/');
  const module = parts[0] === 'neo-async' ? 'async' : parts[0]!;
  const known = LIBRARY_MAPS[module];
  if (!known || parts.length > 2) return undefined;
  const path = origin.ref.path[0] === 'default' && module !== 'p-map' ? origin.ref.path.slice(1) : origin.ref.path;
  const fn = parts.length === 2 && path.length === 0 ? parts[1]! : path.length === 1 ? path[0]! : path.length === 0 ? '' : undefined;
  return fn !== undefined && known.fns.has(fn) ? { module, fn } : undefined;
}

/** bluebird's Promise class (`require('bluebird')`, its default import). */
function isBluebird(analysis: FileAnalysis, id: ts.Identifier): boolean {
  const origin = analysis.origin(id);
  return origin?.kind === 'module' && origin.ref.module === 'bluebird' && (origin.ref.path.length === 0 || (origin.ref.path.length === 1 && origin.ref.path[0] === 'default'));
}

/** async's (or neo-async's) `parallel`, which starts every task at once (`parallelLimit` takes a limit, `series` runs one at a time). */
function isAsyncParallel(analysis: FileAnalysis, callee: ts.Expression): boolean {
  const origin = analysis.origin(unwrap(callee));
  if (origin?.kind !== 'module') return false;
  const parts = origin.ref.module.split('/');
  if (parts[0] !== 'async' && parts[0] !== 'neo-async') return false;
  const path = origin.ref.path[0] === 'default' ? origin.ref.path.slice(1) : origin.ref.path;
  if (parts.length === 2) return parts[1] === 'parallel' && path.length === 0;
  return parts.length === 1 && path.length === 1 && path[0] === 'parallel';
}

/** A concurrency the options argument sets: a number or a value other than `Infinity` or a collection's length. */
function setsConcurrency(analysis: FileAnalysis, options: ts.Expression | undefined): boolean {
  let o = options && unwrap(options);
  if (o && ts.isIdentifier(o)) o = analysis.resolveValue(o);
  if (!o) return false;
  if (!ts.isObjectLiteralExpression(o)) return true;
  const prop = o.properties.find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === 'concurrency');
  if (!prop) return !o.properties.every((p) => ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p));
  if (!ts.isPropertyAssignment(prop)) return true;
  const value = unwrap(prop.initializer);
  if (ts.isIdentifier(value) && value.text === 'Infinity') return false;
  if (ts.isPropertyAccessExpression(value) && value.name.text === 'length') return false;
  return true;
}

function checkLibraryMap(limits: Limits, call: ts.CallExpression): Candidate | undefined {
  const { analysis } = limits;
  const [source, callback] = call.arguments;
  if (!source || !callback) return undefined;
  const lib = libraryMap(analysis, call.expression);
  if (!lib) return undefined;
  const options = LIBRARY_MAPS[lib.module]!.options;
  if (options !== undefined && setsConcurrency(analysis, call.arguments[options])) return undefined;
  const fn = callbackFunction(analysis, callback);
  if (!fn) return undefined;
  const remote = unlimitedRemote(limits, fn, 0);
  if (!remote || isBounded(limits, source, call, fn)) return undefined;
  if (fn.body && everyCallToItemRegion(analysis, fn.body, fn.parameters[0])) return undefined;
  const s = short(source, 30);
  const shown = `${short(call.expression, 30) ?? lib.fn}(${s ?? '...'}, ...)`;
  const unless = lib.module === 'async' ? `(\`${lib.fn}Limit\` takes a limit)` : 'without a `concurrency`';
  return {
    call,
    work: fn,
    message: `\`${shown}\` ${unless} starts one ${describeWork(remote)} per item at once: ${CONSEQUENCE}`,
    remote,
  };
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
    step();
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
  if (ts.isIdentifier(e)) {
    e = analysis.resolveValue(e);
    // `const missing = []; ... missing.push(code)`: the literal is where the items go, not what they are
    if (ts.isArrayLiteralExpression(e) && isAddedTo(analysis, e)) return undefined;
  }
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

/** Methods that add items to the array they are called on. */
const ADDING_METHODS = new Set(['push', 'unshift', 'splice']);
/** Calls that read an array handed to them without adding to it. */
const READING_CALLEE = /^(?:console|JSON|Promise|Array|Math|Object)\.|\.(?:includes|indexOf|concat|join|has|log|info|debug|warn|error|trace)$/;

const ADDED_TO = new WeakMap<ts.ArrayLiteralExpression, boolean>();

/**
 * True when code adds items to the array a const was declared with: `xs.push(...)`,
 * `xs.unshift(...)`, `xs.splice(i, 0, ...)`, `xs[i] = ...`, or the array handed to a function that
 * may fill it (`collect(xs, event)`; not a logger, `JSON.stringify` or another reader).
 */
function isAddedTo(analysis: FileAnalysis, literal: ts.ArrayLiteralExpression, except?: ts.CallExpression): boolean {
  const known = except ? undefined : ADDED_TO.get(literal);
  if (known !== undefined) return known;
  let parent = literal.parent;
  while (parent && (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isSatisfiesExpression(parent) || ts.isTypeAssertionExpression(parent))) parent = parent.parent;
  let added = false;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) {
    const name = parent.name.text;
    const same = (x: ts.Expression | undefined): boolean => {
      const v = x && unwrap(x);
      return !!v && ts.isIdentifier(v) && v.text === name && analysis.resolveValue(v) === literal;
    };
    step(analysis.calls.length);
    for (const call of analysis.calls) {
      const callee = unwrap(call.expression);
      if (ts.isPropertyAccessExpression(callee) && ADDING_METHODS.has(callee.name.text) && same(callee.expression)) added = true;
      else if (call !== except && call.arguments.some((a) => same(a)) && !READING_CALLEE.test(callee.getText().replace(/\s+/g, ''))) added = true;
      if (added) break;
    }
    if (!added) {
      walk(enclosingFunction(literal)?.body ?? literal.getSourceFile(), (n) => {
        if (added) return false;
        if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
          const left = unwrap(n.left);
          if (ts.isElementAccessExpression(left) && same(left.expression)) added = true;
        }
        return undefined;
      });
    }
  }
  if (!except) ADDED_TO.set(literal, added);
  return added;
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
  return fn.body !== undefined && someOwnNode(fn.body, isLoop);
}

/**
 * True when the collection cannot grow with the input: small and fixed, a window or chunk of a
 * larger one, or a fixed number of workers.
 */
function isBounded(limits: Limits, source: ts.Expression, promiseAll: ts.CallExpression, callback?: ts.FunctionLikeDeclaration, depth = 0): boolean {
  const { analysis, maxItems } = limits;
  if (depth > 4) return false;
  // `this.records`, `this.outputTypes`: what the class fixed in its constructor or a field initialiser
  const member = unwrap(source);
  if (ts.isPropertyAccessExpression(member)) {
    const value = fixedThisMemberValue(member);
    if (value) return isBounded(limits, value, promiseAll, callback, depth + 1);
  }
  if (isRegionList(analysis, source)) return true;
  const size = sizeOf(limits, source);
  if (size?.kind === 'known') return size.n <= maxItems || (!!size.fromCount && callback !== undefined && containsLoop(callback));
  if (size?.kind === 'count') {
    // `Array.from({ length: Number(process.env.POLLERS) }, poll)`: as many as the configuration says
    if (isConfiguredCount(analysis, size.expr)) return true;
    // `Array.from({ length: CONCURRENCY }, worker)`: a pool of workers that each loop over a shared queue
    if (isDataCount(size.expr)) return false;
    return callback !== undefined && containsLoop(callback);
  }
  let e = unwrap(source);
  if (isEventBatch(e) || eventBatchAlias(analysis, e)) return true;
  // the messages of one SQS ReceiveMessage: at most ten
  if (isReceivedMessages(analysis, e)) return true;
  if (ts.isIdentifier(e) && CHUNK_NAME.test(e.text)) return true;
  if (ts.isPropertyAccessExpression(e) && CHUNK_NAME.test(e.name.text)) return true;
  if (ts.isIdentifier(e)) {
    if (isLoopVariableAround(e.text, promiseAll)) return true;
    if (isWrittenArgumentList(analysis, e)) return true;
    const param = e;
    e = analysis.resolveValue(e);
    if (isEventBatch(e)) return true;
    // a parameter every call of the function in this file fills with a small fixed list
    if (e === param && everyCallPassesBounded(limits, param, promiseAll, depth)) return true;
    // `records: SQSRecord[]`: the batch (or part of it) a handler hands to a helper
    if (e === param && isBatchRecordsParameter(analysis, param)) return true;
  }
  // the files shipped with the code, a bundled JSON file: as many items as the author deployed
  if (isBundledCollection(analysis, e)) return true;
  // `process.env.RECIPIENTS.split(',')`: a list the configuration fixes when the stack is deployed
  if (isConfiguredList(analysis, e) && !(ts.isArrayLiteralExpression(e) && isAddedTo(analysis, e))) return true;
  // `records.filter(...)`, `regions.map(...)`: no more items than the collection they come from
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && SIZE_KEEPING.has(e.expression.name.text) && e.arguments.length <= 2) {
    if (e.expression.name.text !== 'slice' || e.arguments.length < 2) {
      if (isBounded(limits, e.expression.expression, promiseAll, undefined, depth + 1)) return true;
    }
  }
  // `items.slice(i, i + 25)`, `queue.splice(0, 10)`: a window whose size the code chose
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && (e.expression.name.text === 'slice' || e.expression.name.text === 'splice') && e.arguments.length === 2) return true;
  // `batches[i]` inside a loop
  if (ts.isElementAccessExpression(e) && enclosingLoop(promiseAll)) return true;
  return false;
}

/**
 * `getJobs(statuses)` whose every call in the file passes a bounded list
 * (`this.getJobs(['canceling', 'in-progress'])`): the parameter is as small as what its callers pass.
 * A function without such a call (exported for other modules, or never called here) is not known.
 */
function everyCallPassesBounded(limits: Limits, id: ts.Identifier, promiseAll: ts.CallExpression, depth: number): boolean {
  const fn = enclosingFunction(promiseAll);
  if (!fn) return false;
  const index = fn.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === id.text);
  if (index < 0 || fn.parameters[index].dotDotDotToken) return false;
  const name = ts.isMethodDeclaration(fn) || ts.isFunctionDeclaration(fn) ? fn.name?.getText() : functionName(fn);
  if (!name) return false;
  let calls = 0;
  for (const call of limits.analysis.calls) {
    const callee = unwrap(call.expression);
    const called = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) && unwrap(callee.expression).kind === ts.SyntaxKind.ThisKeyword ? callee.name.text : undefined;
    if (called !== name) continue;
    const target = ts.isIdentifier(callee) ? resolveLocalFunction(limits.analysis, callee) : localCallee(limits.analysis, call);
    if (target !== fn) continue;
    const arg = call.arguments[index];
    if (!arg || ts.isSpreadElement(arg)) return false;
    // the list handed to the function being judged is not filled by that hand-over
    const literal = limits.analysis.resolveValue(arg);
    const small = ts.isArrayLiteralExpression(literal)
      ? literal.elements.length <= limits.maxItems && !literal.elements.some(ts.isSpreadElement) && !isAddedTo(limits.analysis, literal, call)
      : isBounded(limits, arg, call, undefined, depth + 1);
    if (!small) return false;
    calls++;
  }
  return calls > 0;
}

/**
 * The record types of the `aws-lambda` type package whose arrays are an event source's batch, and
 * the events whose `Records` is one: at most `BatchSize` records, however a helper is called.
 */
const BATCH_RECORD_TYPES = new Set(['SQSRecord', 'KinesisStreamRecord', 'DynamoDBRecord', 'SNSEventRecord', 'S3EventRecord']);
const BATCH_EVENT_TYPES = new Set(['SQSEvent', 'KinesisStreamEvent', 'DynamoDBStreamEvent', 'SNSEvent', 'S3Event']);

/**
 * `records: SQSRecord[]` (also `Array<SQSRecord>`, `readonly SQSRecord[]`, `SQSEvent['Records']`),
 * the record type imported from `aws-lambda`: a parameter declared as an event source's batch.
 */
function isBatchRecordsParameter(analysis: FileAnalysis, id: ts.Identifier): boolean {
  for (let p = id.parent; p; p = p.parent) {
    step();
    if (!isFunctionLike(p)) continue;
    const param = p.parameters.find((q) => ts.isIdentifier(q.name) && q.name.text === id.text);
    if (param) return param.type !== undefined && isBatchRecordsType(analysis, param.type);
  }
  return false;
}

function isBatchRecordsType(analysis: FileAnalysis, type: ts.TypeNode): boolean {
  if (ts.isTypeOperatorNode(type) && type.operator === ts.SyntaxKind.ReadonlyKeyword) return isBatchRecordsType(analysis, type.type);
  if (ts.isParenthesizedTypeNode(type)) return isBatchRecordsType(analysis, type.type);
  if (ts.isArrayTypeNode(type)) return ts.isTypeReferenceNode(type.elementType) && isLambdaType(analysis, type.elementType.typeName, BATCH_RECORD_TYPES);
  if (ts.isIndexedAccessTypeNode(type)) {
    const index = type.indexType;
    return ts.isTypeReferenceNode(type.objectType) && ts.isLiteralTypeNode(index) && ts.isStringLiteral(index.literal) && index.literal.text === 'Records' && isLambdaType(analysis, type.objectType.typeName, BATCH_EVENT_TYPES);
  }
  if (ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName) && (type.typeName.text === 'Array' || type.typeName.text === 'ReadonlyArray') && type.typeArguments?.length === 1) {
    const item = type.typeArguments[0]!;
    return ts.isTypeReferenceNode(item) && isLambdaType(analysis, item.typeName, BATCH_RECORD_TYPES);
  }
  return false;
}

/** `SQSRecord` imported from `aws-lambda`, or `AWSLambda.SQSRecord` / `lambda.SQSRecord` of its namespace. */
function isLambdaType(analysis: FileAnalysis, name: ts.EntityName, names: ReadonlySet<string>): boolean {
  if (ts.isQualifiedName(name)) {
    if (!names.has(name.right.text) || !ts.isIdentifier(name.left)) return false;
    if (name.left.text === 'AWSLambda') return true;
    const origin = analysis.origin(name.left);
    return origin?.kind === 'module' && origin.ref.module === 'aws-lambda' && origin.ref.path.length === 0;
  }
  if (!names.has(name.text)) return false;
  const origin = analysis.origin(name);
  return origin?.kind === 'module' && origin.ref.module === 'aws-lambda' && origin.ref.path[0] === name.text;
}

/** Calls whose result has at most as many items as their receiver. */
const SIZE_KEEPING = new Set(['map', 'filter', 'slice', 'reverse', 'sort', 'toSorted', 'toReversed']);

/**
 * `const records = event.Records`, `const { Records } = event`, `async ({ Records }) => ...`: a
 * local name for the event batch.
 */
function eventBatchAlias(analysis: FileAnalysis, e: ts.Expression, depth = 0): boolean {
  if (!ts.isIdentifier(e) || depth > 4) return false;
  const from = analysis.declaredFrom(e);
  if (from && !from.reassigned) {
    const value = unwrap(from.value);
    if (from.pick.length === 0) return isEventBatch(value) || eventBatchAlias(analysis, value, depth + 1);
    if (from.pick.length === 1 && isBatchName(e, from.pick[0]!) && ts.isIdentifier(value)) return isHandlerEventParameter(value);
    return false;
  }
  // a destructured parameter: `async ({ Records: records }) => ...`
  for (let p = e.parent; p; p = p.parent) {
    step();
    if (!isFunctionLike(p)) continue;
    const first = p.parameters[0];
    if (!first || !ts.isObjectBindingPattern(first.name)) continue;
    for (const el of first.name.elements) {
      const key = el.propertyName ?? el.name;
      if (ts.isIdentifier(key) && isBatchName(e, key.text) && ts.isIdentifier(el.name) && el.name.text === e.text) return true;
    }
  }
  return false;
}

function isHandlerEventParameter(base: ts.Identifier): boolean {
  for (let p = base.parent; p; p = p.parent) {
    step();
    if (isFunctionLike(p) && p.parameters[0] && ts.isIdentifier(p.parameters[0].name) && p.parameters[0].name.text === base.text) return true;
  }
  return false;
}

/**
 * The property that holds an event's batch: `Records` (SQS, Kinesis, DynamoDB Streams, SNS, S3), or
 * `records` of a Firehose data-transformation event, in a file that reads or returns each record's
 * `recordId` (the transformation contract; Firehose's buffering hints cap the batch), or `tasks` of
 * an S3 Batch Operations event, in a file that reads or returns its `invocationSchemaVersion` or
 * names its type (`S3BatchEvent`, `S3BatchHandler`): S3 invokes the function once per object of the
 * manifest, with one task. Kafka's `records`, an object of partitions, never goes with `recordId`.
 */
function isBatchName(node: ts.Node, name: string): boolean {
  if (name === 'Records') return true;
  if (name === 'records') return fileHasIdentifier(node.getSourceFile(), READS_RECORD_ID, RECORD_ID);
  if (name === 'tasks') return fileHasIdentifier(node.getSourceFile(), S3_BATCH_FILE, S3_BATCH);
  return false;
}

/** Whether the file's code (not a comment) names one of `names`; memoised per file. */
function fileHasIdentifier(file: ts.SourceFile, memo: WeakMap<ts.SourceFile, boolean>, names: readonly string[]): boolean {
  let has = memo.get(file);
  if (has === undefined) {
    let found = false;
    if (names.some((n) => file.text.includes(n))) {
      walk(file, (n) => {
        if (found) return false;
        if (ts.isIdentifier(n) && names.includes(n.text)) found = true;
        return undefined;
      });
    }
    memo.set(file, (has = found));
  }
  return has;
}

const RECORD_ID = ['recordId'];
const S3_BATCH = ['invocationSchemaVersion', 'S3BatchEvent', 'S3BatchHandler'];
const READS_RECORD_ID = new WeakMap<ts.SourceFile, boolean>();
const S3_BATCH_FILE = new WeakMap<ts.SourceFile, boolean>();

/**
 * `event.Records` of a handler's event parameter: SQS, Kinesis, DynamoDB Streams, SNS and S3
 * deliver batches whose size the event source mapping's BatchSize caps, so the burst does not grow
 * with the backlog (and S3 Batch Operations' `event.tasks` holds one task).
 */
function isEventBatch(e: ts.Expression): boolean {
  if (!ts.isPropertyAccessExpression(e) || !isBatchName(e, e.name.text)) return false;
  const base = unwrap(e.expression);
  if (!ts.isIdentifier(base)) return false;
  for (let p = e.parent; p; p = p.parent) {
    step();
    if (isFunctionLike(p) && p.parameters[0] && ts.isIdentifier(p.parameters[0].name) && p.parameters[0].name.text === base.text) return true;
  }
  return false;
}

function enclosingLoop(node: ts.Node): ts.IterationStatement | undefined {
  for (let p = node.parent; p; p = p.parent) {
    step();
    if (isFunctionLike(p)) return undefined;
    if (isLoop(p)) return p;
  }
  return undefined;
}

/** `for (const chunk of chunks) { ... Promise.all(chunk.map(...)) }`: the collection is one element of an array of arrays. */
function isLoopVariableAround(name: string, node: ts.Node): boolean {
  for (let p = node.parent; p; p = p.parent) {
    step();
    if (isFunctionLike(p)) return false;
    if (ts.isForOfStatement(p) && ts.isVariableDeclarationList(p.initializer)) {
      for (const d of p.initializer.declarations) if (ts.isIdentifier(d.name) && d.name.text === name) return true;
    }
  }
  return false;
}

/**
 * `getSecrets(...names)`: a rest parameter holds the arguments each caller writes out
 * (`getSecrets(JWT_SECRET, CERT_SECRET)`), unless a call in the file spreads a collection into it.
 */
function isWrittenArgumentList(analysis: FileAnalysis, id: ts.Identifier): boolean {
  for (let p = id.parent; p; p = p.parent) {
    step();
    if (!isFunctionLike(p)) continue;
    const param = p.parameters.find((q) => ts.isIdentifier(q.name) && q.name.text === id.text);
    if (!param) continue;
    if (!param.dotDotDotToken) return false;
    const name = functionName(p);
    const member = name?.slice(name.lastIndexOf('.') + 1);
    return !analysis.calls.some((call) => {
      const callee = unwrap(call.expression);
      const called = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
      return called !== undefined && called === member && call.arguments.some((a) => ts.isSpreadElement(a));
    });
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

/**
 * An array (or an object of arrays) that code fills with promises before a combinator awaits it:
 * `const ps = []` in the same function, or returned by a same-file helper that fills it
 * (`const pending = startAll(items)`; `Promise.all(pending[key])`).
 */
interface Filled {
  /** The argument as written, for the message. */
  shown: string;
  /** The container's declaration value: `[]`, or `{}` for an object of arrays. */
  literal: ts.ArrayLiteralExpression | ts.ObjectLiteralExpression;
  /** The name it is filled under. */
  name: string;
  /** The helper that fills and returns it, when that is not where the combinator is. */
  helper?: ts.FunctionLikeDeclaration;
}

function emptyContainer(e: ts.Expression): ts.ArrayLiteralExpression | ts.ObjectLiteralExpression | undefined {
  const v = unwrap(e);
  if (ts.isArrayLiteralExpression(v) && v.elements.length === 0) return v;
  if (ts.isObjectLiteralExpression(v) && v.properties.length === 0) return v;
  return undefined;
}

function filledContainer(analysis: FileAnalysis, arg: ts.Expression): Filled | undefined {
  const e = unwrap(arg);
  // `byKey[key]`: one entry of an object of arrays
  const keyed = ts.isElementAccessExpression(e);
  const root = keyed ? unwrap(e.expression) : e;
  if (!ts.isIdentifier(root)) return undefined;
  const from = analysis.declaredFrom(root);
  if (!from || from.pick.length > 0) return undefined;
  const literal = emptyContainer(from.value);
  const shown = short(e) ?? root.text;
  if (literal) {
    if (ts.isArrayLiteralExpression(literal) === keyed) return undefined;
    return { shown, literal, name: root.text };
  }
  if (from.reassigned) return undefined;
  // `const pending = startAll(items)` where `startAll` fills and returns the container
  const value = unwrap(from.value);
  const call = ts.isAwaitExpression(value) ? unwrap(value.expression) : value;
  if (!ts.isCallExpression(call)) return undefined;
  const helper = resolveLocalFunction(analysis, call.expression);
  if (!helper?.body) return undefined;
  const returned = returnedExpressions(helper).map((r) => unwrap(r));
  if (returned.length !== 1 || !ts.isIdentifier(returned[0])) return undefined;
  const inner = analysis.declaredFrom(returned[0]);
  const innerLiteral = inner && inner.pick.length === 0 ? emptyContainer(inner.value) : undefined;
  if (!innerLiteral || ts.isArrayLiteralExpression(innerLiteral) === keyed || enclosingFunction(innerLiteral) !== helper) return undefined;
  return { shown, literal: innerLiteral, name: returned[0].text, helper };
}

/** The variable a receiver or assignment target fills: `ps`, `byKey[k]`, `(byKey[k] ||= [])`, `(byKey[k] = byKey[k] || [])`. */
function containerRoot(expr: ts.Expression): { id: ts.Identifier; keyed: boolean } | undefined {
  let e = unwrap(expr);
  let keyed = false;
  for (let i = 0; i < 8; i++) {
    if (ts.isIdentifier(e)) return { id: e, keyed };
    if (ts.isElementAccessExpression(e)) {
      if (keyed) return undefined;
      keyed = true;
      e = unwrap(e.expression);
    } else if (ts.isBinaryExpression(e) && isAssignment(e.operatorToken.kind)) {
      e = unwrap(e.left);
    } else return undefined;
  }
  return undefined;
}

function isAssignment(kind: ts.SyntaxKind): boolean {
  return kind === ts.SyntaxKind.EqualsToken || kind === ts.SyntaxKind.BarBarEqualsToken || kind === ts.SyntaxKind.QuestionQuestionEqualsToken;
}

/** Where the container gets its promises: `push`/`unshift`, `ps = ps.concat(p)`, `ps = [...ps, p]`, `ps[i] = p`. */
function fills(analysis: FileAnalysis, filled: Filled): { site: ts.Node; values: ts.Expression[] }[] {
  const keyed = ts.isObjectLiteralExpression(filled.literal);
  const out: { site: ts.Node; values: ts.Expression[] }[] = [];
  const sameContainer = (id: ts.Identifier) => id.text === filled.name && analysis.declaredFrom(id)?.value !== undefined && unwrap(analysis.declaredFrom(id)!.value) === filled.literal;
  step(analysis.calls.length);
  for (const push of analysis.calls) {
    const callee = unwrap(push.expression);
    if (!ts.isPropertyAccessExpression(callee) || (callee.name.text !== 'push' && callee.name.text !== 'unshift')) continue;
    const root = containerRoot(callee.expression);
    if (!root || root.keyed !== keyed || !sameContainer(root.id)) continue;
    out.push({ site: push, values: [...push.arguments] });
  }
  if (keyed) return out;
  const scope = enclosingFunction(filled.literal)?.body ?? filled.literal.getSourceFile();
  walk(scope, (n) => {
    if (!ts.isBinaryExpression(n) || n.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return undefined;
    const left = unwrap(n.left);
    const right = unwrap(n.right);
    if (ts.isElementAccessExpression(left)) {
      // `ps[i] = call(x)`
      const base = unwrap(left.expression);
      if (ts.isIdentifier(base) && sameContainer(base)) out.push({ site: n, values: [n.right] });
      return undefined;
    }
    if (!ts.isIdentifier(left) || left.text !== filled.name) return undefined;
    if (ts.isCallExpression(right) && ts.isPropertyAccessExpression(right.expression) && right.expression.name.text === 'concat') {
      const base = unwrap(right.expression.expression);
      if (ts.isIdentifier(base) && base.text === filled.name) out.push({ site: n, values: [...right.arguments] });
    } else if (ts.isArrayLiteralExpression(right) && right.elements.some((el) => ts.isSpreadElement(el) && ts.isIdentifier(unwrap(el.expression)) && (unwrap(el.expression) as ts.Identifier).text === filled.name)) {
      out.push({ site: n, values: right.elements.filter((el) => !ts.isSpreadElement(el)) });
    }
    return undefined;
  });
  return out;
}

/**
 * Where the array is emptied again before the combinator (`ps = []`) by a statement of a block
 * that holds the combinator, so that every path to it runs the reset: what was pushed before
 * belongs to an earlier batch (`await Promise.all(ps); ps = []; ps.push(notify()); await
 * Promise.all(ps)`).
 */
function resetsBefore(filled: Filled, call: ts.CallExpression): ts.Node[] {
  if (!ts.isArrayLiteralExpression(filled.literal)) return [];
  const scope = enclosingFunction(call);
  const body = scope ? scope.body : call.getSourceFile();
  if (!body) return [];
  const out: ts.Node[] = [];
  walk(body, (n) => {
    if (n.pos >= call.pos) return false;
    if (isFunctionLike(n)) return false;
    if (!ts.isExpressionStatement(n)) return undefined;
    const e = unwrap(n.expression);
    if (!ts.isBinaryExpression(e) || e.operatorToken.kind !== ts.SyntaxKind.EqualsToken || !emptyContainer(e.right)) return undefined;
    const left = unwrap(e.left);
    if (ts.isIdentifier(left) && left.text === filled.name && within(call, n.parent)) out.push(n);
    return undefined;
  });
  return out;
}

/** A loop of the call's function that holds both the call and `other`. */
function loopAround(call: ts.Node, other: ts.Node): boolean {
  for (let p = call.parent; p && !isFunctionLike(p); p = p.parent) {
    if (isLoop(p) && within(other, p)) return true;
  }
  return false;
}

function checkFilledArray(limits: Limits, call: ts.CallExpression, filled: Filled): Candidate | undefined {
  const { analysis } = limits;
  const resets = resetsBefore(filled, call);
  for (const { site, values } of fills(analysis, filled)) {
    if (resets.some((r) => r.pos >= site.end)) continue;
    // filled after the combinator ran, in its function, and no loop takes the code back to it
    // (a helper that fills the array runs before the combinator wherever it is written)
    if (site.pos >= call.end && enclosingFunction(site) === enclosingFunction(call) && !loopAround(call, site)) continue;
    for (const pushed of values) {
      // `const p = put(x); ps.push(p)`
      const arg = ts.isIdentifier(unwrap(pushed)) ? analysis.resolveValue(pushed) : pushed;
      const remote = remoteCallInfosIn(analysis, arg).find((r) => !underLimiter(analysis, r.call, arg) && !limitedHelper(limits, r));
      if (!remote) continue;
      const iteration = enclosingIteration(site, filled.literal);
      // a single push, or an array flushed inside the loop that fills it (batches)
      if (!iteration || within(call, iteration.node) || awaitedWithin(analysis, filled.name, iteration.node)) continue;
      if (iterationBounded(limits, iteration, call) || pacedByDelay(analysis, iteration)) continue;
      if (everyCallToItemRegion(analysis, arg, iterationItem(iteration))) continue;
      const shownSource = iteration.source ?? lengthOf(iteration.bound);
      const src = shownSource && short(shownSource);
      const per = src ? `per item of \`${src}\`` : 'per loop iteration';
      const where = filled.helper ? ` (filled by \`${functionName(filled.helper) ?? 'a helper'}\`)` : '';
      return {
        call,
        work: arg,
        message: `${combinator(call)} over \`${filled.shown}\`${where} starts one ${describeWork(remote)} ${per} at once: ${CONSEQUENCE}`,
        related: filled.helper ? [{ node: remote.call, label: 'request started here' }] : undefined,
        remote,
      };
    }
  }
  return undefined;
}

/**
 * A loop whose body waits a while every time round (`ps.push(start(x)); await sleep(1000)`): the
 * calls start at a fixed pace, not in one burst. The wait must be one of the body's own statements,
 * not under a condition.
 */
function pacedByDelay(analysis: FileAnalysis, iteration: Iteration): boolean {
  const n = iteration.node;
  if (!isLoop(n)) return false;
  const body = (n as ts.IterationStatement).statement;
  const statements = ts.isBlock(body) ? body.statements : [body];
  return statements.some((st) => isAwaitedDelay(analysis, st));
}

/** The item an iteration names: the `for...of` variable, or the callback's first parameter. */
function iterationItem(iteration: Iteration): ts.VariableDeclaration | ts.ParameterDeclaration | undefined {
  const n = iteration.node;
  if (ts.isForOfStatement(n) && ts.isVariableDeclarationList(n.initializer)) return n.initializer.declarations[0];
  if (isFunctionLike(n)) return n.parameters[0];
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// point-free pipelines: `.then(R.map(describe)).then((ps) => Promise.all(ps))`

const LIST_MODULES = new Set(['ramda', 'rambda', 'lodash', 'lodash/fp', 'lodash-es']);

function listModule(analysis: FileAnalysis, callee: ts.Expression): string | undefined {
  const origin = analysis.origin(unwrap(callee));
  if (origin?.kind !== 'module' || !LIST_MODULES.has(origin.ref.module)) return undefined;
  return origin.ref.module === 'lodash-es' ? 'lodash' : origin.ref.module;
}

/** `map` for `R.map`, `_.map`, `import { map } from 'ramda'`. */
function listFunction(analysis: FileAnalysis, callee: ts.Expression): string | undefined {
  const origin = analysis.origin(unwrap(callee));
  if (origin?.kind !== 'module' || !LIST_MODULES.has(origin.ref.module)) return undefined;
  const path = origin.ref.path[0] === 'default' ? origin.ref.path.slice(1) : origin.ref.path;
  return path.length === 1 ? path[0] : undefined;
}

/** The per-item callback of a `.then` argument that maps a list: `R.map(f)`, `(xs) => xs.map(f)`, `(xs) => R.map(f, xs)`. */
function pipelineMapper(analysis: FileAnalysis, arg: ts.Expression | undefined): ts.Expression | undefined {
  if (!arg) return undefined;
  const e = unwrap(arg);
  if (ts.isCallExpression(e) && listFunction(analysis, e.expression) === 'map' && e.arguments.length === 1) return e.arguments[0];
  if (!isFunctionLike(e) || e.parameters.length !== 1 || !ts.isIdentifier(e.parameters[0].name) || !e.body) return undefined;
  const param = e.parameters[0].name.text;
  const returned = returnedExpressions(e);
  if (returned.length !== 1) return undefined;
  const r = unwrap(returned[0]);
  if (!ts.isCallExpression(r)) return undefined;
  const callee = unwrap(r.expression);
  // the parameter or a property of it: `xs`, `response.Items`
  const isParam = (x: ts.Expression | undefined): boolean => {
    let v = x && unwrap(x);
    while (v && ts.isPropertyAccessExpression(v)) v = unwrap(v.expression);
    return !!v && ts.isIdentifier(v) && v.text === param;
  };
  if (ts.isPropertyAccessExpression(callee) && MAPPERS.has(callee.name.text) && isParam(callee.expression)) return r.arguments[0];
  if (listFunction(analysis, callee) === 'map' && r.arguments.length === 2) {
    const dataFirst = listModule(analysis, callee) === 'lodash';
    if (isParam(r.arguments[dataFirst ? 0 : 1])) return r.arguments[dataFirst ? 1 : 0];
  }
  return undefined;
}

/** `.then(fn)` calls: the receiver promise and the function. */
function thenParts(e: ts.Expression): { receiver: ts.Expression; arg: ts.Expression | undefined } | undefined {
  const c = unwrap(e);
  if (!ts.isCallExpression(c) || !ts.isPropertyAccessExpression(c.expression) || c.expression.name.text !== 'then') return undefined;
  return { receiver: c.expression.expression, arg: c.arguments[0] };
}

/**
 * `Promise.all(ps)` where `ps` is the value a previous `.then` produced by mapping a list to
 * promises. The list is the value the chain started from when it is `Promise.resolve(list)`;
 * anything else (a response of a service, an earlier step) is taken as unbounded.
 */
function checkPipeline(limits: Limits, call: ts.CallExpression, id: ts.Identifier): Candidate | undefined {
  const { analysis } = limits;
  const fn = enclosingFunction(call);
  if (!fn || !fn.parameters[0] || !ts.isIdentifier(fn.parameters[0].name) || fn.parameters[0].name.text !== id.text) return undefined;
  let parent = fn.parent;
  while (parent && ts.isParenthesizedExpression(parent)) parent = parent.parent;
  if (!parent || !ts.isCallExpression(parent) || unwrap(parent.arguments[0] ?? parent) !== fn) return undefined;
  const current = thenParts(parent);
  if (!current) return undefined;
  const previous = thenParts(current.receiver);
  const mapper = previous && pipelineMapper(analysis, previous.arg);
  if (!previous || !mapper) return undefined;
  const work = callbackFunction(analysis, mapper);
  if (!work) return undefined;
  const remote = unlimitedRemote(limits, work, 0);
  if (!remote) return undefined;
  // walk back to where the list came from
  let start: ts.Expression = previous.receiver;
  for (let i = 0; i < 8; i++) {
    const step = thenParts(start);
    if (!step) break;
    start = step.receiver;
  }
  const s = unwrap(start);
  if (ts.isCallExpression(s) && ts.isPropertyAccessExpression(s.expression) && s.expression.name.text === 'resolve' && unwrap(s.expression.expression).getText() === 'Promise' && s.arguments[0]) {
    if (isBounded(limits, s.arguments[0], call)) return undefined;
  }
  const m = short(previous.arg!, 30);
  return {
    call,
    work,
    message: `${combinator(call)} over the promises mapped by \`.then(${m ?? '...'})\` starts one ${describeWork(remote)} per item at once: ${CONSEQUENCE}`,
    remote,
  };
}

/** A `Promise.all(name)` (or another combinator) inside `scope`: the array is drained as it fills. */
function awaitedWithin(analysis: FileAnalysis, name: string, scope: ts.Node): boolean {
  step(analysis.calls.length);
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
    step();
    if (within(array, p)) return undefined;
    if (ts.isForOfStatement(p) || ts.isForInStatement(p)) return { node: p, source: p.expression };
    if (ts.isForStatement(p)) return { node: p, bound: conditionBound(p.condition) };
    if (ts.isWhileStatement(p) || ts.isDoStatement(p)) return { node: p, bound: conditionBound(p.expression) };
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

/** `i < n` / `i <= n` / `n > i` in a counting loop's condition: `n` (or `items.length`). */
function conditionBound(condition: ts.Expression | undefined): ts.Expression | undefined {
  const c = condition && unwrap(condition);
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
  // `for (let i = 0; i < maxLoops; i++)` with `maxLoops = parseInt(process.env.MAX_LOOPS)`
  if (isConfiguredCount(limits.analysis, b)) return true;
  if (ts.isPropertyAccessExpression(b) && b.name.text === 'length') return isBounded(limits, b.expression, promiseAll);
  // `for (let i = 0; i < inferenceUnits; i++)`: as many calls at once as the capacity it names
  const name = ts.isIdentifier(b) ? b.text : ts.isPropertyAccessExpression(b) ? b.name.text : undefined;
  return name !== undefined && CAPACITY_NAME.test(name);
}

/** Names of a count that sizes work to a capacity: a concurrency, worker, slot or provisioned-unit count. */
const CAPACITY_NAME = /(?:concurrency|parallelism|capacity|(?:inference|capacity|provisioned|compute)units|workers|slots|permits|poolsize)$/i;
