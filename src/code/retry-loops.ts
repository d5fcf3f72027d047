/**
 * Hand-written retries, found from the syntax alone: loops that catch the failure of a remote
 * call and go round again, and functions that call themselves (or reschedule themselves) from
 * their catch clause or `.catch` handler. Each retry says whether something counts its attempts or
 * bounds its time, so that rules can ask different questions of the same retries (is it bounded,
 * does it back off, is what it repeats safe to repeat).
 */
import { ts } from './ts.js';
import type { FileFacts } from './file-facts.js';
import { calleeLabel, describeRemoteCall, firstRemoteCallIn, innermostRemote, isRemoteCall, remoteCallInfo, remoteCallInfosIn, resolveLocalFunction, type RemoteCall } from './remote-calls.js';
import { ancestors, enclosingFunction, enclosingLoopOrFunction, functionName as functionNameOf, isFunctionLike, isLoop, mentionsName, step, unwrap, walk, someOwnNode } from './walk.js';
import {
  alwaysExits,
  containsIncDec,
  countersIn,
  exprKey,
  guardingConditions,
  hasBoundComparison,
  isComparison,
  isExitCall,
  isRelational,
  isTimeOrAbortBound,
  isWithin,
  jumpLeaves,
  jumpTarget,
  type KeySet,
  mentions,
  steppedIn,
  walkOwnCode,
  writtenIn,
} from './retry-flow.js';

/** A call a retry repeats: a remote call, or an operation the function received as a parameter. */
export interface Retried {
  call: ts.CallExpression;
  /** In backticks, for messages. */
  text: string;
}

/** A loop whose `try` block makes a call and whose `catch` lets the loop go round again. */
export interface RetryLoop {
  kind: 'loop';
  loop: ts.IterationStatement;
  tryStmt: ts.TryStatement;
  retried: Retried[];
  /**
   * `infinite`: `while (true)`, `for (;;)`; `flag`: a loop on a flag the body sets (`while (!done)`);
   * `conditional`: any other condition (`attempt < 3`, a call), treated as a bound.
   */
  shape: 'infinite' | 'flag' | 'conditional';
  /** An attempt counter, elapsed-time or cancellation test ends the loop (always true for `conditional`). */
  capped: boolean;
}

/** A function that calls (or reschedules) itself from its catch block, `.catch` handler or the error branch of an error-first callback. */
export interface RetryRecursion {
  kind: 'recursion';
  fn: ts.FunctionLikeDeclaration;
  /** The first self call (or `setTimeout(self, ...)`) in the handler that nothing bounds, else the first one. */
  selfCall: ts.CallExpression;
  /** Every self call in the handler, in source order (a `switch` may retry differently per error). */
  selfCalls: ts.CallExpression[];
  retried: Retried;
  /** The catch block, the function passed to `.catch`, or the error-first callback. */
  handler: ts.Node;
  /** For messages: "its catch block", "its `.catch` handler". */
  where: string;
  /** An argument steps a counter the function tests, or another attempt/time bound exits. */
  capped: boolean;
  /** Each retry is decided by something awaited after the failure (a prompt, a policy service). */
  decided: boolean;
}

/**
 * A loop without try/catch that repeats one HTTP request until the response is successful
 * (`if (res.ok) return res`), sending the same request each time.
 */
export interface StatusRetryLoop {
  kind: 'status';
  loop: ts.IterationStatement;
  retried: RemoteCall;
}

/**
 * A loop without try/catch that sends a batch call again for what its previous response left
 * undone (`UnprocessedItems`, `UnprocessedKeys`, `FailedPutCount`, ...): the leftovers go into a
 * variable the loop's condition, or an `if` that leaves the loop, tests.
 */
export interface LeftoverRetryLoop {
  kind: 'leftovers';
  loop: ts.IterationStatement;
  retried: RemoteCall;
}

/**
 * A loop without try/catch that keeps a failure as a value and goes round again while it got one:
 * `do { res = await call().catch((e) => e); if (!(res instanceof Error)) return res; } while (...)`.
 */
export interface CaughtRetryLoop {
  kind: 'caught';
  loop: ts.IterationStatement;
  retried: RemoteCall;
  /** The attempt as the loop awaits it: `await call().catch((e) => e)`. */
  attempt: ts.Node;
  /** An attempt counter, elapsed-time or cancellation test ends the loop, or its condition is anything but always true. */
  capped: boolean;
}

export type HandWrittenRetry = RetryLoop | RetryRecursion | StatusRetryLoop | LeftoverRetryLoop | CaughtRetryLoop;

const LOOPS = new WeakMap<FileFacts, RetryLoop[]>();
const RECURSIONS = new WeakMap<FileFacts, RetryRecursion[]>();

/**
 * Retry loops of the file, in source order: for each loop, every `try` statement that makes it
 * a retry (a loop with several such statements appears several times).
 */
export function findRetryLoops(analysis: FileFacts): RetryLoop[] {
  let found = LOOPS.get(analysis);
  if (!found) {
    found = retryLoops(analysis);
    LOOPS.set(analysis, found);
  }
  return found;
}

/** Functions that retry by calling themselves from a catch, in source order. */
export function findCatchRecursions(analysis: FileFacts): RetryRecursion[] {
  let found = RECURSIONS.get(analysis);
  if (!found) {
    found = catchRecursion(analysis);
    RECURSIONS.set(analysis, found);
  }
  return found;
}

const STATUS_LOOPS = new WeakMap<FileFacts, StatusRetryLoop[]>();

/** Loops that retry an HTTP request on an unsuccessful status, in source order. */
export function findStatusRetryLoops(analysis: FileFacts): StatusRetryLoop[] {
  let found = STATUS_LOOPS.get(analysis);
  if (!found) {
    found = [];
    for (const loop of analysis.loops) {
      if (!ts.isWhileStatement(loop) && !ts.isDoStatement(loop) && !ts.isForStatement(loop)) continue;
      const retried = statusRetry(analysis, loop);
      if (retried) found.push({ kind: 'status', loop, retried });
    }
    STATUS_LOOPS.set(analysis, found);
  }
  return found;
}

const LEFTOVER_LOOPS = new WeakMap<FileFacts, LeftoverRetryLoop[]>();

/** Loops that send a batch call again for what its response left unprocessed, in source order. */
export function findLeftoverRetryLoops(analysis: FileFacts): LeftoverRetryLoop[] {
  let found = LEFTOVER_LOOPS.get(analysis);
  if (!found) {
    found = [];
    if (/Unprocessed|Failed(?:RecordCount|PutCount|EntryCount|Entries)/.test(analysis.sourceFile.text)) {
      for (const loop of analysis.loops) {
        if (!ts.isWhileStatement(loop) && !ts.isDoStatement(loop) && !ts.isForStatement(loop)) continue;
        const retried = leftoverRetry(analysis, loop);
        if (retried) found.push({ kind: 'leftovers', loop, retried });
      }
    }
    LEFTOVER_LOOPS.set(analysis, found);
  }
  return found;
}

const CAUGHT_LOOPS = new WeakMap<FileFacts, CaughtRetryLoop[]>();

/** Loops that retry a remote call whose failure `.catch((e) => e)` turned into the result, in source order. */
export function findCaughtRetryLoops(analysis: FileFacts): CaughtRetryLoop[] {
  let found = CAUGHT_LOOPS.get(analysis);
  if (!found) {
    found = [];
    if (/instanceof\s+Error\b/.test(analysis.sourceFile.text)) {
      for (const loop of analysis.loops) {
        if (!ts.isWhileStatement(loop) && !ts.isDoStatement(loop) && !ts.isForStatement(loop)) continue;
        const r = caughtRetry(analysis, loop);
        if (r) found.push(r);
      }
    }
    CAUGHT_LOOPS.set(analysis, found);
  }
  return found;
}

/** The name a retrying function goes by in messages. */
export function recursionName(r: RetryRecursion): string {
  return functionNameOf(r.fn) ?? selfName(r.fn) ?? 'this function';
}

/** True when the recursion reschedules itself (`setTimeout(retry, ms)`) rather than calling itself. */
export function isRescheduled(r: RetryRecursion): boolean {
  return !refersToCallee(r.selfCall, r.fn);
}

// ---------------------------------------------------------------------------------------------
// retried calls

function isParameterOf(fn: ts.FunctionLikeDeclaration, name: string): boolean {
  return fn.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === name);
}

/**
 * `await fn()` / `return fn()` / `fn().then(...)` where `fn` is a parameter of an enclosing
 * function: a generic retry helper's operation.
 */
function isOperationCall(call: ts.CallExpression): boolean {
  const callee = unwrap(call.expression);
  if (!ts.isIdentifier(callee)) return false;
  let parent = call.parent;
  while (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isNonNullExpression(parent)) parent = parent.parent;
  const chained = ts.isPropertyAccessExpression(parent) && (parent.name.text === 'then' || parent.name.text === 'catch' || parent.name.text === 'finally');
  if (!chained && !ts.isAwaitExpression(parent) && !ts.isReturnStatement(parent) && !(ts.isArrowFunction(parent) && parent.body === call)) return false;
  for (let fn = enclosingFunction(call); fn; fn = enclosingFunction(fn)) if (isParameterOf(fn, callee.text)) return true;
  return false;
}

export function retriedCalls(analysis: FileFacts, block: ts.Node): Retried[] {
  const out: Retried[] = remoteCallInfosIn(analysis, block).map((r) => ({ call: r.call, text: describeRemoteCall(r) }));
  if (out.length > 0) return out;
  walkOwnCode(block, (node) => {
    if (ts.isCallExpression(node) && isOperationCall(node)) out.push({ call: node, text: `\`${calleeLabel(node)}\`` });
  });
  return out;
}

/**
 * The first call `retriedCalls` would give, without listing them all: what a recursion retries is
 * looked for in the whole receiver of each `.catch` of a promise chain.
 */
function firstRetried(analysis: FileFacts, block: ts.Node): Retried | undefined {
  const remote = firstRemoteCallIn(analysis, block);
  if (remote) return { call: remote.call, text: describeRemoteCall(remote) };
  const call = firstOperationCall(analysis, block);
  return call && { call, text: `\`${calleeLabel(call)}\`` };
}

/**
 * The request a promise chain starts from when a variable of the retrying function holds it
 * (`const request = lex.putBot(params); request.then(...).catch(...)`): each attempt makes it
 * again. A promise made outside the function is settled once and is not sent again.
 */
function heldRetried(analysis: FileFacts, chain: ts.Expression, fn: ts.FunctionLikeDeclaration): Retried | undefined {
  let root = unwrap(chain);
  while (ts.isCallExpression(root)) {
    const callee = unwrap(root.expression);
    if (!ts.isPropertyAccessExpression(callee) || !['then', 'catch', 'finally'].includes(callee.name.text)) break;
    root = unwrap(callee.expression);
  }
  if (!ts.isIdentifier(root)) return undefined;
  const value = analysis.resolveValue(root);
  if (value === root || !ts.isCallExpression(value) || enclosingFunction(value) !== fn) return undefined;
  return firstRetried(analysis, value);
}

const OPERATION_CALLS = new WeakMap<FileFacts, Map<ts.Node | undefined, ts.CallExpression[]>>();

/** The first operation call (see `isOperationCall`) in the own code of `block` (not in functions nested in it). */
function firstOperationCall(analysis: FileFacts, block: ts.Node): ts.CallExpression | undefined {
  let byFunction = OPERATION_CALLS.get(analysis);
  if (!byFunction) {
    byFunction = new Map();
    for (const call of analysis.calls) {
      if (!isOperationCall(call)) continue;
      const fn = enclosingFunction(call);
      const list = byFunction.get(fn);
      if (list) list.push(call);
      else byFunction.set(fn, [call]);
    }
    OPERATION_CALLS.set(analysis, byFunction);
  }
  // own code of the block: the calls whose function is the block's (or the block itself, a function)
  const fn = isFunctionLike(block) ? block : enclosingFunction(block);
  const calls = byFunction.get(fn);
  if (!calls) return undefined;
  let lo = 0;
  let hi = calls.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (calls[mid]!.pos < block.pos) lo = mid + 1;
    else hi = mid;
  }
  const first = calls[lo];
  return first && isWithin(first, block) ? first : undefined;
}

/** Variables holding what the retried calls returned (and values derived from them), plus the catch binding. */
function resultNames(block: ts.Block, retried: Retried[], catchClause: ts.CatchClause | undefined): Set<string> {
  const names = new Set<string>();
  const addBinding = (name: ts.BindingName) => {
    if (ts.isIdentifier(name)) names.add(name.text);
    else for (const el of name.elements) if (ts.isBindingElement(el)) addBinding(el.name);
  };
  for (const r of retried) {
    let node: ts.Node = r.call;
    for (let p = node.parent; p && p !== block; node = p, p = p.parent) {
      step();
      if (ts.isVariableDeclaration(p) && p.initializer === node) {
        addBinding(p.name);
        break;
      }
      if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && p.right === node) {
        const key = exprKey(p.left);
        if (key !== undefined) names.add(key);
        break;
      }
      if (!ts.isExpression(p) || isFunctionLike(p)) break;
    }
  }
  // one round of derivation: `const body = await res.json()`
  walkOwnCode(block, (node) => {
    if (ts.isVariableDeclaration(node) && node.initializer && mentions(node.initializer, names)) addBinding(node.name);
  });
  if (catchClause?.variableDeclaration) addBinding(catchClause.variableDeclaration.name);
  return names;
}

function containsCall(root: ts.Node, calls: ReadonlySet<ts.Node>): boolean {
  for (const c of calls) if (isWithin(c, root)) return true;
  return false;
}

// ---------------------------------------------------------------------------------------------
// loops

type LoopShape = { kind: 'infinite' } | { kind: 'flag'; flags: Set<string> };

function loopCondition(loop: ts.IterationStatement): ts.Expression | undefined {
  if (ts.isWhileStatement(loop) || ts.isDoStatement(loop)) return loop.expression;
  if (ts.isForStatement(loop)) return loop.condition;
  return undefined;
}

function isAlwaysTrue(cond: ts.Expression): boolean {
  const c = unwrap(cond);
  if (c.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (ts.isNumericLiteral(c)) return Number(c.text) !== 0;
  if (ts.isPrefixUnaryExpression(c) && c.operator === ts.SyntaxKind.ExclamationToken) {
    const o = unwrap(c.operand);
    return o.kind === ts.SyntaxKind.FalseKeyword || (ts.isNumericLiteral(o) && Number(o.text) === 0);
  }
  return false;
}

/**
 * `while (true)`, `for (;;)`: infinite. `while (!done)`, `while (result === undefined)`: a flag the
 * body sets. Anything with a comparison, a counter step or a call is treated as a bound.
 */
function loopShape(loop: ts.IterationStatement): LoopShape | undefined {
  if (!ts.isWhileStatement(loop) && !ts.isDoStatement(loop) && !ts.isForStatement(loop)) return undefined;
  const cond = loopCondition(loop);
  if (!cond || isAlwaysTrue(cond)) return { kind: 'infinite' };
  let plain = true;
  const flags = new Set<string>();
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) || ts.isNewExpression(node) || ts.isAwaitExpression(node) || ts.isPostfixUnaryExpression(node)) plain = false;
    else if (ts.isPrefixUnaryExpression(node) && node.operator !== ts.SyntaxKind.ExclamationToken) plain = false;
    else if (ts.isBinaryExpression(node) && !isLogicalOrEquality(node)) plain = false;
    else if (ts.isPropertyAccessExpression(node) && !(ts.isPropertyAccessExpression(node.parent) && node.parent.expression === node)) {
      const key = exprKey(node);
      if (key !== undefined) flags.add(key);
    } else if (ts.isIdentifier(node) && !ts.isPropertyAccessExpression(node.parent)) flags.add(node.text);
  };
  visit(unwrap(cond));
  walk(cond, (n) => {
    if (!plain) return false;
    visit(n);
    return undefined;
  });
  if (!plain || flags.size === 0) return undefined;
  return { kind: 'flag', flags };
}

/** `&&`, `||`, `??`, and equality with anything but a number (`status !== 'DONE'`, `result === undefined`). */
function isLogicalOrEquality(node: ts.BinaryExpression): boolean {
  const op = node.operatorToken.kind;
  if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) return true;
  const n: ts.Node = node;
  if (!isComparison(n) || isRelational(n)) return false;
  // `left !== 0` tests a counter
  return !ts.isNumericLiteral(unwrap(node.left)) && !ts.isNumericLiteral(unwrap(node.right));
}

/**
 * An assignment to the loop's flag that may end the loop. `retry = true` under `while (retry)` (or
 * `done = false` under `while (!done)`) keeps it going and does not count.
 */
function isFlagAssignment(node: ts.Node, flags: ReadonlySet<string>, loop: ts.Node | undefined): boolean {
  if (!ts.isBinaryExpression(node) || node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return false;
  const key = exprKey(node.left);
  if (key === undefined || !flags.has(key)) return false;
  const cond = loop && isLoop(loop) ? loopCondition(loop) : undefined;
  const value = unwrap(node.right).kind;
  if (!cond || (value !== ts.SyntaxKind.TrueKeyword && value !== ts.SyntaxKind.FalseKeyword)) return true;
  // the loop runs while `flag` (or `!flag`) is truthy, alone or as an operand of `&&`
  // (`while (retry && tries < 3)`): the assignment ends it when it makes that false
  const c = conjuncts(cond).find((operand) => {
    const o = unwrap(operand);
    return (ts.isPrefixUnaryExpression(o) && o.operator === ts.SyntaxKind.ExclamationToken ? exprKey(o.operand) : exprKey(o)) === key;
  });
  if (!c) return true;
  const u = unwrap(c);
  const negated = ts.isPrefixUnaryExpression(u) && u.operator === ts.SyntaxKind.ExclamationToken;
  return negated ? value === ts.SyntaxKind.TrueKeyword : value === ts.SyntaxKind.FalseKeyword;
}

/** The operands of a condition's `&&` chain (the condition itself when it is no `&&`). */
function conjuncts(cond: ts.Expression): ts.Expression[] {
  const c = unwrap(cond);
  if (ts.isBinaryExpression(c) && c.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken) return [...conjuncts(c.left), ...conjuncts(c.right)];
  return [c];
}

/** A statement or expression that ends the loop: return, break/continue out of it, or setting its flag. */
function isLoopExit(node: ts.Node, loop: ts.Node, flags: ReadonlySet<string>): boolean {
  if (ts.isReturnStatement(node)) return true;
  if (ts.isBreakStatement(node) || ts.isContinueStatement(node)) return jumpLeaves(node, loop);
  return isFlagAssignment(node, flags, loop);
}

/**
 * The loop ends once the call succeeds: an exit in the try block (or after the try statement)
 * that is unconditional or depends on what the call returned. A loop that only ever ends on
 * something unrelated (a shutdown flag) is a worker loop, not a retry.
 */
function hasSuccessExit(loop: ts.IterationStatement, tryStmt: ts.TryStatement, retried: Retried[], results: Set<string>, flags: ReadonlySet<string>): boolean {
  const calls = new Set<ts.Node>(retried.map((r) => r.call));
  const qualifies = (exit: ts.Node, root: ts.Node) => {
    const conds = guardingConditions(exit, root);
    return conds.length === 0 || conds.some((c) => mentions(c, results) || containsCall(c, calls));
  };
  let found = false;
  walkOwnCode(tryStmt.tryBlock, (node) => {
    if (!found && isLoopExit(node, loop, flags) && qualifies(node, tryStmt.tryBlock)) found = true;
  });
  if (found) return true;
  // `do { retry = false; try { ... } catch { retry = true } } while (retry)`: success leaves the flag as reset
  if (ts.isBlock(loop.statement)) {
    for (const st of loop.statement.statements) {
      if (st === tryStmt || st.pos >= tryStmt.pos) break;
      if (ts.isExpressionStatement(st) && flags.size > 0 && isFlagAssignment(unwrap(st.expression), flags, loop)) return true;
    }
  }
  const catchOrFinally = (n: ts.Node) => (tryStmt.catchClause && isWithin(n, tryStmt.catchClause)) || (tryStmt.finallyBlock && isWithin(n, tryStmt.finallyBlock));
  walkOwnCode(loop.statement, (node) => {
    if (found || node.pos < tryStmt.end || catchOrFinally(node)) return;
    if (isLoopExit(node, loop, flags) && qualifies(node, loop.statement)) found = true;
  });
  return found;
}

/** Does `stmt` contain a way out of the loop (or the function): throw, return, break/continue out, flag set? */
function branchExits(stmt: ts.Statement, loop: ts.Node | undefined, flags: ReadonlySet<string>): boolean {
  let found = false;
  walkOwnCode(stmt, (node) => {
    if (found) return;
    if (ts.isThrowStatement(node) || ts.isReturnStatement(node)) found = true;
    else if (loop && (ts.isBreakStatement(node) || ts.isContinueStatement(node)) && jumpLeaves(node, loop)) found = true;
    else if (isFlagAssignment(node, flags, loop)) found = true;
    else if (isExitCall(node)) found = true;
  });
  return found;
}

/**
 * An attempt or time bound inside `scope`: an `if` that leaves the loop/function and tests a
 * counter (`++n > 5`, `attempt >= MAX`), the clock (`Date.now() > deadline`,
 * `getRemainingTimeInMillis()`), cancellation (`signal.aborted`) or any other `<`/`>` comparison
 * that is not about the call's result or error.
 */
function hasExitBound(scope: ts.Node, loop: ts.Node | undefined, counters: KeySet, results: ReadonlySet<string>, flags: ReadonlySet<string>): boolean {
  let capped = false;
  walkOwnCode(scope, (node) => {
    if (capped || !ts.isIfStatement(node)) return;
    if (!branchExits(node.thenStatement, loop, flags) && !(node.elseStatement && branchExits(node.elseStatement, loop, flags))) return;
    const c = node.expression;
    if (mentions(c, counters) || containsIncDec(c) || isTimeOrAbortBound(c) || hasBoundComparison(c, results)) capped = true;
  });
  return capped;
}

/**
 * Variables a callback sets while the loop runs (`setTimeout(() => { timedOut = true })`, an
 * abort handler), and the loop's own consts derived from them: a test of one of them is a time or
 * cancellation bound. "A callback" is any function nested in the loop's own function (or in the
 * file, for a loop at the top level).
 */
function externallySet(analysis: FileFacts, loop: ts.IterationStatement): KeySet {
  const fn = enclosingFunction(loop);
  const scope = fn?.body ?? loop.getSourceFile();
  const writes = writesOf(analysis);
  const setInCallback = (w: Writes | undefined) => !!w && countIn(w.all, scope) > countIn(w.direct.get(fn), scope);
  const derived = new Set<string>();
  const view: KeySet = {
    get size() {
      return derived.size > 0 || setInCallback(writes.any) ? 1 : 0;
    },
    has: (key) => derived.has(key) || setInCallback(writes.byKey.get(key)),
  };
  if (view.size === 0) return view;
  walkOwnCode(loop.statement, (node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && mentions(node.initializer, view)) derived.add(node.name.text);
  });
  return view;
}

/** Positions of the assignments to one key: all of them, and those made directly by each function (undefined: the top level). */
interface Writes {
  all: number[];
  direct: Map<ts.Node | undefined, number[]>;
}

const WRITES = new WeakMap<FileFacts, { byKey: Map<string, Writes>; any: Writes }>();

/** Every `key = value` of the file by key (and all together), with the function making it: one walk per file. */
function writesOf(analysis: FileFacts): { byKey: Map<string, Writes>; any: Writes } {
  let found = WRITES.get(analysis);
  if (found) return found;
  const byKey = new Map<string, Writes>();
  const any: Writes = { all: [], direct: new Map() };
  const add = (w: Writes, pos: number, fn: ts.Node | undefined) => {
    w.all.push(pos);
    const direct = w.direct.get(fn);
    if (direct) direct.push(pos);
    else w.direct.set(fn, [pos]);
  };
  // the functions open at the current node, innermost last (the walk is in source order)
  const open: ts.Node[] = [];
  walk(analysis.sourceFile, (node) => {
    while (open.length > 0 && !isWithin(node, open[open.length - 1]!)) open.pop();
    if (isFunctionLike(node)) open.push(node);
    else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const key = exprKey(node.left);
      if (key === undefined) return;
      const fn = open[open.length - 1];
      let w = byKey.get(key);
      if (!w) byKey.set(key, (w = { all: [], direct: new Map() }));
      add(w, node.pos, fn);
      add(any, node.pos, fn);
    }
  });
  found = { byKey, any };
  WRITES.set(analysis, found);
  return found;
}

/** How many of the sorted positions lie in `node`. */
function countIn(positions: readonly number[] | undefined, node: ts.Node): number {
  if (!positions) return 0;
  return lowerBound(positions, node.end) - lowerBound(positions, node.pos);
}

function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function retryLoops(analysis: FileFacts): RetryLoop[] {
  const triesByLoop = new Map<ts.IterationStatement, ts.TryStatement[]>();
  for (const t of analysis.tries) {
    if (!t.catchClause) continue;
    const p = enclosingLoopOrFunction(t);
    if (!p || !isLoop(p)) continue;
    const list = triesByLoop.get(p) ?? [];
    list.push(t);
    triesByLoop.set(p, list);
  }
  const out: RetryLoop[] = [];
  for (const [loop, tries] of triesByLoop) {
    // `for...of` / `for...in` walk a collection: per-item error handling, or failover across items
    if (!ts.isWhileStatement(loop) && !ts.isDoStatement(loop) && !ts.isForStatement(loop)) continue;
    const loopKind = loopShape(loop);
    const shape = loopKind?.kind ?? 'conditional';
    const cond = loopCondition(loop);
    // `while (!ok && n < 5)`: a bounded loop can still end on a flag its body sets
    const flags = loopKind?.kind === 'flag' ? loopKind.flags : conditionFlags(loop, cond);
    for (const t of tries) {
      const catchClause = t.catchClause!;
      if (alwaysExits(catchClause.block, loop) || (t.finallyBlock && alwaysExits(t.finallyBlock, loop))) continue;
      // `catch { done = true }`: giving up through the loop's flag
      if (catchClause.block.statements.some((st) => ts.isExpressionStatement(st) && isFlagAssignment(unwrap(st.expression), flags, loop))) continue;
      const retried = retriedCalls(analysis, t.tryBlock);
      if (retried.length === 0) continue;
      const results = resultNames(t.tryBlock, retried, catchClause);
      if (!hasSuccessExit(loop, t, retried, results, flags)) continue;
      out.push({ kind: 'loop', loop, tryStmt: t, retried, shape, capped: shape === 'conditional' || loopCapped(analysis, loop, cond, results, flags) });
    }
  }
  return out.sort((a, b) => a.loop.pos - b.loop.pos || a.tryStmt.pos - b.tryStmt.pos);
}

/**
 * Variables a bounded loop's condition tests that its body does not count up or down: negated
 * (`!ok`) or tested for absence (`res === undefined`, `res == null`), so that giving one a value
 * can end the loop (`while (res === undefined && tries < 5)`).
 */
function conditionFlags(loop: ts.IterationStatement, cond: ts.Expression | undefined): Set<string> {
  const out = new Set<string>();
  if (!cond) return out;
  const counters = countersIn(loop);
  const add = (operand: ts.Expression) => {
    const key = exprKey(operand);
    if (key !== undefined && !counters.has(key)) out.add(key);
  };
  const visit = (node: ts.Node) => {
    if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken) add(node.operand);
    else if (ts.isBinaryExpression(node)) {
      const tested = absenceTested(node);
      if (tested) add(tested);
    }
  };
  visit(cond);
  walk(cond, (n) => {
    if (isFunctionLike(n)) return false;
    visit(n);
    return undefined;
  });
  // `while (retry && tries < 3)`: a variable tested for truth beside the bound, which the body
  // sets false once the call succeeds
  for (const operand of conjuncts(cond)) {
    if (ts.isIdentifier(operand) || ts.isPropertyAccessExpression(operand)) add(operand);
  }
  return out;
}

/** The operand of `x === undefined`, `x == null`, `null === x` (equality, not inequality, with a nullish literal). */
function absenceTested(node: ts.BinaryExpression): ts.Expression | undefined {
  const op = node.operatorToken.kind;
  if (op !== ts.SyntaxKind.EqualsEqualsEqualsToken && op !== ts.SyntaxKind.EqualsEqualsToken) return undefined;
  const nullish = (e: ts.Expression) => {
    const u = unwrap(e);
    return u.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(u) && u.text === 'undefined') || ts.isVoidExpression(u);
  };
  if (nullish(node.right) && !nullish(node.left)) return node.left;
  if (nullish(node.left) && !nullish(node.right)) return node.right;
  return undefined;
}

function loopCapped(analysis: FileFacts, loop: ts.IterationStatement, cond: ts.Expression | undefined, results: Set<string>, flags: ReadonlySet<string>): boolean {
  const counters = countersIn(loop);
  if (cond && (mentions(cond, counters) || isTimeOrAbortBound(cond))) return true;
  if (cond && boundRecomputedEveryPass(loop, cond, counters)) return true;
  const external = externallySet(analysis, loop);
  const bounds: KeySet = { size: counters.size + external.size, has: (key) => counters.has(key) || external.has(key) };
  return hasExitBound(loop.statement, loop, bounds, results, flags);
}

/** The variables a condition requires, as conjuncts of its `&&` chain: `x` and `!x` both count. */
function requiredFlags(cond: ts.Expression): Set<string> {
  const out = new Set<string>();
  const visit = (e: ts.Expression) => {
    const c = unwrap(e);
    if (ts.isBinaryExpression(c) && c.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken) {
      visit(c.left);
      visit(c.right);
      return;
    }
    const operand = ts.isPrefixUnaryExpression(c) && c.operator === ts.SyntaxKind.ExclamationToken ? c.operand : c;
    const key = exprKey(operand);
    if (key !== undefined) out.add(key);
  };
  visit(cond);
  return out;
}

/**
 * `do { ...; expired = Date.now() > deadline; } while (!done && !expired)`: a variable the
 * condition requires is assigned a clock comparison (or a comparison of a counter the loop steps)
 * by a statement of the loop body itself, so that every pass recomputes it: not inside a `try`, an
 * `if` or a nested block, and with no `continue` of the loop before it that could skip it.
 */
function boundRecomputedEveryPass(loop: ts.IterationStatement, cond: ts.Expression, counters: KeySet): boolean {
  if (!ts.isBlock(loop.statement)) return false;
  const required = requiredFlags(cond);
  if (required.size === 0) return false;
  for (const st of loop.statement.statements) {
    if (ts.isExpressionStatement(st)) {
      const e = unwrap(st.expression);
      if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
        const key = exprKey(e.left);
        const right = unwrap(e.right);
        const bound = isTimeOrAbortBound(right) || (isRelational(right) && (mentions(right, counters) || containsIncDec(right)));
        if (key !== undefined && required.has(key) && bound) return true;
      }
    }
    let skips = false;
    walkOwnCode(st, (node) => {
      if (!skips && ts.isContinueStatement(node) && jumpTarget(node) === loop) skips = true;
    });
    if (skips) return false;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// recursion from a catch

/** Calls in `root` that call `fn` or schedule it (`setTimeout(poll, 1000)`), nested callbacks included. */
function selfReferences(analysis: FileFacts, root: ts.Node, fn: ts.FunctionLikeDeclaration, exclude: ts.Node[] = []): ts.CallExpression[] {
  const out: ts.CallExpression[] = [];
  const name = selfName(fn);
  if (!name) return out;
  walk(root, (node) => {
    if (exclude.some((x) => isWithin(node, x))) return false;
    if (!ts.isCallExpression(node)) return undefined;
    if (refersTo(analysis, node.expression, fn, name)) out.push(node);
    else if (node.arguments.some((a) => refersTo(analysis, a, fn, name))) out.push(node);
    return undefined;
  });
  return out;
}

const SELF_CALLS = new WeakMap<ts.Node, ts.CallExpression[]>();

/**
 * True when `fn` calls (or schedules) itself outside `handler`: a poller that also calls itself on
 * success. The self calls of a function's body are found once, however many handlers it has.
 */
function callsItselfOutside(analysis: FileFacts, fn: ts.FunctionLikeDeclaration, handler: ts.Node): boolean {
  let calls = SELF_CALLS.get(fn);
  if (!calls) {
    calls = selfReferences(analysis, fn.body!, fn);
    SELF_CALLS.set(fn, calls);
  }
  if (calls.length === 0) return false;
  // in source order, the calls inside the handler are consecutive
  return calls[0]!.pos < handler.pos || calls[calls.length - 1]!.end > handler.end;
}

/** The name a function calls itself by: its declared name, the const it is bound to, or its method name. */
function selfName(fn: ts.FunctionLikeDeclaration): string | undefined {
  if (ts.isMethodDeclaration(fn) && ts.isIdentifier(fn.name)) return fn.name.text;
  if ((ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn)) && fn.name) return fn.name.text;
  const parent = fn.parent;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isPropertyDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  return undefined;
}

function refersTo(analysis: FileFacts, expr: ts.Expression, fn: ts.FunctionLikeDeclaration, name: string): boolean {
  const e = unwrap(expr);
  // cheap name test first: `poll`, `this.poll`, `poll.bind(this)`
  const target = ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'bind' ? unwrap(e.expression.expression) : e;
  const last = ts.isIdentifier(target) ? target.text : ts.isPropertyAccessExpression(target) ? target.name.text : undefined;
  if (last !== name) return false;
  // a named function expression refers to itself by its own name
  if (ts.isFunctionExpression(fn) && fn.name?.text === name && ts.isIdentifier(target)) return true;
  return resolveLocalFunction(analysis, target) === fn;
}

function conditionLike(fn: ts.Node): ts.Node[] {
  const out: ts.Node[] = [];
  walkOwnCode(fn, (node) => {
    if (ts.isIfStatement(node)) out.push(node.expression);
    else if (ts.isConditionalExpression(node)) out.push(node.condition);
    else if (ts.isWhileStatement(node) || ts.isDoStatement(node)) out.push(node.expression);
    else if (ts.isForStatement(node) && node.condition) out.push(node.condition);
    else if (isComparison(node)) out.push(node);
    else if (ts.isBinaryExpression(node) && (node.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken || node.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
      out.push(node.left);
    }
  });
  return out;
}

/**
 * The first self call that nothing bounds, or undefined when each is bounded: every path that
 * retries must count or time its attempts (`case 'Throttling': next(count)` beside
 * `case 'Conflict': next(--count)` retries throttling forever).
 */
function uncappedSelfCall(fn: ts.FunctionLikeDeclaration, selfCalls: ts.CallExpression[], results: Set<string>, handler?: ts.Node): ts.CallExpression | undefined {
  return selfCalls.find((c) => !selfCallCapped(fn, c, results, handler));
}

/**
 * A counter passed one step further by the self call and tested in the function, or any exit
 * bound. A comparison of a parameter the self call passes on unchanged, and that nothing in the
 * function changes, bounds nothing (`if (count <= 0) return` with `next(count)`).
 */
function selfCallCapped(fn: ts.FunctionLikeDeclaration, call: ts.CallExpression, results: Set<string>, handler?: ts.Node): boolean {
  const stepped = new Set<string>();
  for (const a of call.arguments) for (const k of steppedIn(a)) stepped.add(k);
  const passedOn = unchangedParameters(fn, call);
  const ignored = passedOn.length > 0 ? new Set([...results, ...passedOn]) : results;
  // the rejection handler holds the retry logic in promise style
  if (handler && cappedIn(handler, stepped, ignored)) return true;
  // the function body: the same for every handler of a promise chain with the same names
  let known = BODY_CAPPED.get(fn);
  if (!known) BODY_CAPPED.set(fn, (known = new Map()));
  const key = `${[...stepped].join(',')}|${[...ignored].join(',')}`;
  let capped = known.get(key);
  if (capped === undefined) known.set(key, (capped = cappedIn(fn.body!, stepped, ignored)));
  return capped;
}

/** Parameters `call` passes back in their own position as they are, which no code of `fn` (callbacks included) assigns or steps. */
function unchangedParameters(fn: ts.FunctionLikeDeclaration, call: ts.CallExpression): string[] {
  const out: string[] = [];
  fn.parameters.forEach((p, i) => {
    const arg = call.arguments[i];
    if (!arg || !ts.isIdentifier(p.name) || exprKey(unwrap(arg)) !== p.name.text) return;
    out.push(p.name.text);
  });
  if (out.length === 0 || !fn.body) return out;
  const written = new Set<string>();
  walk(fn.body, (n) => {
    if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      const key = exprKey(n.left);
      if (key !== undefined) written.add(key);
    } else if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken)) {
      const key = exprKey(n.operand);
      if (key !== undefined) written.add(key);
    }
    return undefined;
  });
  return out.filter((name) => !written.has(name));
}

const BODY_CAPPED = new WeakMap<ts.Node, Map<string, boolean>>();

function cappedIn(scope: ts.Node, stepped: Set<string>, results: Set<string>): boolean {
  // `{ ...opts, retries: opts.retries - 1 }` is tested as `opts.retries`; `{ attempt: attempt + 1 }` as `attempt`
  if (stepped.size > 0 && conditionLike(scope).some((c) => mentions(c, stepped))) return true;
  return hasExitBound(scope, undefined, countersIn(scope), results, new Set());
}

function refersToCallee(call: ts.CallExpression, fn: ts.FunctionLikeDeclaration): boolean {
  const name = selfName(fn);
  const e = unwrap(call.expression);
  return (ts.isIdentifier(e) && e.text === name) || (ts.isPropertyAccessExpression(e) && e.name.text === name);
}

/**
 * `const again = await prompter.confirm(...)` in the catch block, then `if (again) retry()`: each
 * retry is decided by something awaited after the failure (a person, a policy service), not
 * repeated blindly.
 */
function decidedInCatch(analysis: FileFacts, block: ts.Block, selfCalls: ts.Node[]): boolean {
  const decided = new Set<string>();
  walk(block, (node) => {
    if (!ts.isVariableDeclaration(node) || !ts.isIdentifier(node.name) || !node.initializer) return;
    const init = unwrap(node.initializer);
    if (!ts.isAwaitExpression(init)) return;
    const call = unwrap(init.expression);
    if (ts.isCallExpression(call) && !isRemoteCall(analysis, call)) decided.add(node.name.text);
  });
  if (decided.size === 0) return false;
  const mentionsDecision = (expr: ts.Expression): boolean => {
    let found = false;
    walk(expr, (n) => {
      if (ts.isIdentifier(n) && decided.has(n.text)) found = true;
      return !found;
    });
    return found || (ts.isIdentifier(expr) && decided.has(expr.text));
  };
  return selfCalls.every((call) => {
    for (const a of ancestors(call)) {
      if (a === block) return false;
      if (ts.isIfStatement(a) && mentionsDecision(a.expression)) return true;
    }
    return false;
  });
}

/** Members of a batch response that hold what the call did not do: retrying them is retrying the call. */
const LEFTOVERS = /^(?:Unprocessed(?:Items|Keys)|Failed(?:RecordCount|PutCount|EntryCount|Entries)?|UnprocessedAccounts)$/;

function readsLeftovers(handler: ts.Node): boolean {
  let found = false;
  walk(handler, (n) => {
    if (found) return false;
    if (ts.isIdentifier(n) && LEFTOVERS.test(n.text)) found = true;
    return undefined;
  });
  return found;
}

/**
 * The recursion calls itself with an input that removes the cause of the failure: an argument
 * sets, to a literal, a value its guarding condition tests (`if (!input.DisableRollback && ...)
 * return update({ ...input, DisableRollback: true })`), or sets, to a literal, the parameter the error
 * text it matches asks for (`err.message.includes('use the disable-rollback parameter')`). The
 * second call cannot take the same path: a fallback, not a retry.
 */
function isFallback(fn: ts.FunctionLikeDeclaration, selfCalls: ts.CallExpression[], handler: ts.Node): boolean {
  const params = fn.parameters.map((p) => (ts.isIdentifier(p.name) ? p.name.text : undefined));
  return selfCalls.every((call) => {
    const tested = new Set<string>();
    // words of the error text the condition matches (`err.message.includes('... use the disable-rollback parameter')`)
    let asked = '';
    for (const c of guardingConditions(call, handler)) {
      walk(c, (n) => {
        const key = ts.isIdentifier(n) || ts.isPropertyAccessExpression(n) ? exprKey(n) : undefined;
        if (key !== undefined) tested.add(key);
        if (ts.isStringLiteralLike(n)) asked += ` ${squash(n.text)}`;
        return undefined;
      });
      const key = exprKey(c);
      if (key !== undefined) tested.add(key);
    }
    if (tested.size === 0) return false;
    // the input change the error asks for: the second call does not get the same answer
    const askedFor = (name: string) => squash(name).length >= 5 && asked.includes(squash(name));
    return call.arguments.some((arg, i) => {
      const param = params[i];
      if (param === undefined) return false;
      const a = constObject(unwrap(arg), handler) ?? unwrap(arg);
      if (isLiteralValue(a)) return tested.has(param) || askedFor(param);
      if (!ts.isObjectLiteralExpression(a)) return false;
      const spreadsParam = a.properties.some((p) => ts.isSpreadAssignment(p) && exprKey(p.expression) === param);
      return spreadsParam && a.properties.some((p) => ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && isLiteralValue(unwrap(p.initializer)) && (tested.has(`${param}.${p.name.text}`) || askedFor(p.name.text)));
    });
  });
}

/** The object literal a `const` declared in `scope` holds (`const next = { ...input, Overwrite: true }`). */
function constObject(e: ts.Expression, scope: ts.Node): ts.ObjectLiteralExpression | undefined {
  if (!ts.isIdentifier(e)) return undefined;
  let found: ts.ObjectLiteralExpression | undefined;
  walk(scope, (n) => {
    if (found) return false;
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === e.text && n.initializer && ts.isVariableDeclarationList(n.parent) && (n.parent.flags & ts.NodeFlags.Const) !== 0) {
      const init = unwrap(n.initializer);
      if (ts.isObjectLiteralExpression(init)) found = init;
    }
    return undefined;
  });
  return found;
}

/** Lower case letters and digits only: `DisableRollback` and `disable-rollback` read the same. */
function squash(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function isLiteralValue(e: ts.Expression): boolean {
  return e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword || ts.isStringLiteralLike(e) || ts.isNumericLiteral(e);
}

/** A parameter name that holds an error. */
const ERROR_NAME = /err|^_?(?:e|ex|exc|exception)\d*$/i;
/** Text of a file that tests an error (`if (err`, `if (!error`, `if (e)`): the error-first callbacks `catchRecursion` looks for. */
const ERROR_TEST = /if\s*\(\s*!?\s*(?:\w*[Ee]rr|_?e\b|_?ex\b|exc)/;

function catchRecursion(analysis: FileFacts): RetryRecursion[] {
  const out: RetryRecursion[] = [];
  // self calls of uncapped, undecided recursions: the promise-style pass does not look at them again
  const reported = new Set<ts.Node>();
  for (const t of analysis.tries) {
    const catchClause = t.catchClause;
    if (!catchClause) continue;
    const fn = enclosingFunction(t);
    if (!fn?.body) continue;
    const selfCalls = selfReferences(analysis, catchClause.block, fn);
    if (selfCalls.length === 0) continue;
    const retried = retriedCalls(analysis, t.tryBlock);
    if (retried.length === 0) continue;
    // also calling itself on success: a perpetual poller, not a retry
    if (callsItselfOutside(analysis, fn, catchClause)) continue;
    if (isFallback(fn, selfCalls, catchClause.block)) continue;
    const uncapped = uncappedSelfCall(fn, selfCalls, resultNames(t.tryBlock, retried, catchClause));
    const capped = !uncapped;
    const decided = !capped && decidedInCatch(analysis, catchClause.block, selfCalls);
    if (!capped && !decided) reported.add(selfCalls[0]);
    out.push({ kind: 'recursion', fn, selfCall: uncapped ?? selfCalls[0], selfCalls, retried: retried[0], handler: catchClause.block, where: 'its catch block', capped, decided });
  }
  // promise style: `return send(msg).catch(() => deliver(msg))`
  for (const call of analysis.calls) {
    const callee = unwrap(call.expression);
    if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'catch') continue;
    const handler = call.arguments[0] && unwrap(call.arguments[0]);
    if (!handler || !isFunctionLike(handler)) continue;
    const fn = enclosingFunction(call);
    if (!fn?.body) continue;
    const selfCalls = selfReferences(analysis, handler, fn).filter((c) => !reported.has(c));
    if (selfCalls.length === 0) continue;
    const retried = firstRetried(analysis, callee.expression) ?? heldRetried(analysis, callee.expression, fn);
    if (!retried) continue;
    if (callsItselfOutside(analysis, fn, handler)) continue;
    if (isFallback(fn, selfCalls, handler)) continue;
    const results = new Set<string>();
    for (const p of handler.parameters) if (ts.isIdentifier(p.name)) results.add(p.name.text);
    const uncapped = uncappedSelfCall(fn, selfCalls, results, handler);
    out.push({ kind: 'recursion', fn, selfCall: uncapped ?? selfCalls[0], selfCalls, retried, handler, where: 'its `.catch` handler', capped: !uncapped, decided: false });
  }
  // error-first callback style: `ddb.put(params, (err) => { if (err) return setTimeout(() => save(params, cb), 100); cb(); })`
  for (const call of ERROR_TEST.test(analysis.sourceFile.text) ? analysis.calls : []) {
    const last = call.arguments[call.arguments.length - 1];
    const callback = last && unwrap(last);
    if (!callback || !isFunctionLike(callback) || !callback.body || !ts.isBlock(callback.body)) continue;
    const first = callback.parameters[0];
    // error-first callbacks name their first parameter for the error (`err`, `error`, `e`, `putErr`)
    if (!first || !ts.isIdentifier(first.name) || !ERROR_NAME.test(first.name.text)) continue;
    const branch = failureBranch(callback.body, first.name.text);
    if (!branch) continue;
    const fn = enclosingFunction(call);
    if (!fn?.body || fn === callback) continue;
    const selfCalls = selfReferences(analysis, branch, fn).filter((c) => !reported.has(c));
    if (selfCalls.length === 0 || !isRemoteCall(analysis, call)) continue;
    if (callsItselfOutside(analysis, fn, branch)) continue;
    if (isFallback(fn, selfCalls, branch) || repairsFirst(analysis, branch, selfCalls)) continue;
    const results = new Set<string>();
    for (const p of callback.parameters) bindNames(p.name, results);
    // the callback holds the retry logic (`if (err && attempt < 5)`) and its first parameter is the error
    const uncapped = uncappedSelfCall(fn, selfCalls, results, callback);
    out.push({ kind: 'recursion', fn, selfCall: uncapped ?? selfCalls[0], selfCalls, retried: { call, text: `\`${calleeLabel(call)}\`` }, handler: callback, where: 'the error branch of its callback', capped: !uncapped, decided: false });
  }
  // `.then` style, retrying what a batch call left undone:
  // `batchWrite(req).then(({ UnprocessedItems }) => ... writeAll({ RequestItems: UnprocessedItems }, n + 1))`
  const mentionsLeftovers = /Unprocessed|Failed(?:RecordCount|PutCount|EntryCount|Entries)/.test(analysis.sourceFile.text);
  for (const call of mentionsLeftovers ? analysis.calls : []) {
    const callee = unwrap(call.expression);
    if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'then') continue;
    const handler = call.arguments[0] && unwrap(call.arguments[0]);
    if (!handler || !isFunctionLike(handler) || !readsLeftovers(handler)) continue;
    const fn = enclosingFunction(call);
    if (!fn?.body) continue;
    const selfCalls = selfReferences(analysis, handler, fn);
    if (selfCalls.length === 0) continue;
    let retried = firstRetried(analysis, callee.expression);
    // a client the file cannot type (a parameter, a curried argument): the batch operation's name and
    // the leftovers its handler reads say what it is
    if (!retried) {
      const sent = unwrap(callee.expression);
      if (ts.isCallExpression(sent) && isBatchOperation(sent)) retried = { call: sent, text: `\`${calleeLabel(sent)}\`` };
    }
    if (!retried) continue;
    if (callsItselfOutside(analysis, fn, handler)) continue;
    const results = new Set<string>();
    for (const p of handler.parameters) bindNames(p.name, results);
    const uncapped = uncappedSelfCall(fn, selfCalls, results, handler);
    out.push({ kind: 'recursion', fn, selfCall: uncapped ?? selfCalls[0], selfCalls, retried, handler, where: 'its `.then` handler (for what the call left unprocessed)', capped: !uncapped, decided: false });
  }
  out.push(...awaitedLeftoverRecursion(analysis, reported));
  return out;
}

/** A batch request by its operation: `firehose.putRecordBatch(...)`, `client.send(new PutRecordsCommand(...))`. */
function isBatchRequest(analysis: FileFacts, call: ts.CallExpression): boolean {
  if (isBatchOperation(call)) return true;
  const remote = remoteCallInfo(analysis, call);
  return remote?.kind === 'aws' && BATCH_COMMAND.test(remote.label);
}

/** What a batch response says was left undone: per-item error codes, unprocessed items, failure counts. */
const LEFTOVER_TEXT = /ErrorCode|Unprocessed|Failed(?:RecordCount|PutCount|EntryCount|Entries)/;
const BATCH_COMMAND = /^(?:BatchWriteItem|BatchGetItem|BatchWrite|BatchGet|PutRecords|PutRecordBatch|SendMessageBatch|DeleteMessageBatch|PutEvents)Command$/;

/**
 * `await` style, sending again what a batch call left undone once it has answered: a statement
 * after the one that awaits the call (its `try`, with the `catch` that takes the whole batch as
 * failed) is an `if` that tests what the call left and calls the function with it:
 * `try { const out = await firehose.putRecordBatch(...); out.RequestResponses.forEach((r, i) => r.ErrorCode && failed.push(records[i])) }
 * catch { failed = records } if (failed.length > 0 && attempt + 1 < max) await putAll(failed, attempt + 1, max)`.
 */
function awaitedLeftoverRecursion(analysis: FileFacts, reported: Set<ts.Node>): RetryRecursion[] {
  const out: RetryRecursion[] = [];
  if (!LEFTOVER_TEXT.test(analysis.sourceFile.text)) return out;
  const seen = new Set<ts.Node>();
  for (const call of analysis.calls) {
    if (!isAwaited(call) || !isBatchRequest(analysis, call)) continue;
    const fn = enclosingFunction(call);
    if (!fn?.body || !ts.isBlock(fn.body) || seen.has(fn)) continue;
    // the statement of the function's body that holds the call
    const statements = fn.body.statements;
    const at = statements.findIndex((st) => isWithin(call, st));
    if (at < 0) continue;
    for (let i = at + 1; i < statements.length; i++) {
      const st = statements[i]!;
      if (!ts.isIfStatement(st)) continue;
      // what the call left is collected from where it is awaited up to the test: the response's
      // per-item errors or leftovers are read there
      const span = statements.slice(at, i);
      if (!span.some((x) => LEFTOVER_TEXT.test(x.getText()))) continue;
      const selfCalls = selfReferences(analysis, st, fn).filter((c) => !reported.has(c));
      // the self call is handed what the call left
      const leftovers = selfCalls.flatMap((c) => c.arguments.map((a) => unwrap(a))).filter((a): a is ts.Identifier => ts.isIdentifier(a) && span.some((x) => writtenWithin(a.text, x)));
      if (leftovers.length === 0 || !leftovers.some((a) => mentionsName(st.expression, a.text))) continue;
      if (callsItselfOutside(analysis, fn, st)) continue;
      seen.add(fn);
      const retried = firstRetried(analysis, statements[at]!) ?? { call, text: `\`${calleeLabel(call)}\`` };
      const uncapped = uncappedSelfCall(fn, selfCalls, new Set(), st);
      out.push({ kind: 'recursion', fn, selfCall: uncapped ?? selfCalls[0]!, selfCalls, retried, handler: st, where: 'an `if` on what the call left unprocessed', capped: !uncapped, decided: false });
      break;
    }
  }
  return out;
}

/** `await call`, also of SDK v2's `call.promise()`. */
function isAwaited(call: ts.CallExpression): boolean {
  let n = skipOuter(call);
  const p = n.parent;
  if (p && ts.isPropertyAccessExpression(p) && p.name.text === 'promise' && p.parent && ts.isCallExpression(p.parent)) n = skipOuter(p.parent);
  return !!n.parent && ts.isAwaitExpression(n.parent);
}

/** `call` with the parentheses and type assertions around it. */
function skipOuter(node: ts.Node): ts.Node {
  let n = node;
  while (n.parent && (ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isNonNullExpression(n.parent))) n = n.parent;
  return n;
}

/** `name` declared with a value, assigned (`failed = records`) or added to (`failed.push(...)`, also in a callback) inside `root`. */
function writtenWithin(name: string, root: ts.Node): boolean {
  let found = false;
  walk(root, (n) => {
    if (found) return false;
    if (ts.isVariableDeclaration(n) && n.initializer) {
      if (ts.isIdentifier(n.name) && n.name.text === name) found = true;
    } else if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = unwrap(n.left);
      if (ts.isIdentifier(left) && left.text === name) found = true;
    } else if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && /^(?:push|unshift)$/.test(n.expression.name.text)) {
      const target = unwrap(n.expression.expression);
      if (ts.isIdentifier(target) && target.text === name) found = true;
    }
    return undefined;
  });
  return found;
}


/**
 * The failure branch makes another request before calling itself (`createLogGroup(...)` then
 * `putEvents(...)` again): it repairs what the error reported, and the next attempt takes another path.
 */
function repairsFirst(analysis: FileFacts, branch: ts.Node, selfCalls: ts.CallExpression[]): boolean {
  return remoteCallInfosIn(analysis, branch).some((r) => !selfCalls.includes(r.call) && !selfCalls.some((c) => isWithin(r.call, c)));
}

/**
 * The branch of an error-first callback that runs on failure: the `then` of a top-level
 * `if (err)` (`if (err && err.retryable)`, `if (err.code === 'Throttling')`), or the `else` of
 * `if (!err)`.
 */
function failureBranch(body: ts.Block, err: string): ts.Statement | undefined {
  const isErr = (e: ts.Expression): boolean => {
    const u = unwrap(e);
    if (ts.isIdentifier(u)) return u.text === err;
    if (ts.isPropertyAccessExpression(u)) return ts.isIdentifier(unwrap(u.expression)) && (unwrap(u.expression) as ts.Identifier).text === err;
    if (!ts.isBinaryExpression(u)) return false;
    const op = u.operatorToken.kind;
    if (op === ts.SyntaxKind.AmpersandAmpersandToken) return isErr(u.left);
    if (op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken) {
      return [u.left, u.right].some((side) => ts.isPropertyAccessExpression(unwrap(side)) && isErr(side));
    }
    return false;
  };
  for (const st of body.statements) {
    if (!ts.isIfStatement(st)) continue;
    const cond = unwrap(st.expression);
    if (ts.isPrefixUnaryExpression(cond) && cond.operator === ts.SyntaxKind.ExclamationToken) {
      const inner = unwrap(cond.operand);
      if (ts.isIdentifier(inner) && inner.text === err && st.elseStatement) return st.elseStatement;
      continue;
    }
    if (isErr(cond)) return st.thenStatement;
  }
  return undefined;
}

/** Batch operations whose response lists what they left undone: `x.batchWrite(...)`, `x.putRecords(...)`. */
const BATCH_OPERATION = /^(?:batch(?:Write|Get)(?:Item)?|putRecords|putRecordBatch|sendMessageBatch|deleteMessageBatch|putEvents)$/;

function isBatchOperation(call: ts.CallExpression): boolean {
  const callee = unwrap(call.expression);
  return ts.isPropertyAccessExpression(callee) && BATCH_OPERATION.test(callee.name.text);
}

function bindNames(name: ts.BindingName, out: Set<string>): void {
  if (ts.isIdentifier(name)) out.add(name.text);
  else for (const el of name.elements) if (ts.isBindingElement(el)) bindNames(el.name, out);
}

// ---------------------------------------------------------------------------------------------
// leftovers retries

/** `out.UnprocessedKeys`, `result.UnprocessedItems?.[table] || []`, `res.FailedPutCount`: a leftovers member read in `expr`. */
function readsLeftoverMember(expr: ts.Expression): boolean {
  return someOwnNode(expr, (n) => ts.isPropertyAccessExpression(n) && LEFTOVERS.test(n.name.text));
}

/**
 * The batch call a loop sends again for its leftovers: a remote call in the loop's own code, with
 * no try statement around it, whose response's leftovers are assigned to a variable that the
 * condition (or an `if` leaving the loop) tests.
 */
function leftoverRetry(analysis: FileFacts, loop: ts.IterationStatement): RemoteCall | undefined {
  if (!ts.isBlock(loop.statement)) return undefined;
  const leftovers = new Set<string>();
  let hasTry = false;
  walkOwnCode(loop.statement, (n) => {
    if (ts.isTryStatement(n)) hasTry = true;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && readsLeftoverMember(n.right)) {
      const key = exprKey(n.left);
      if (key !== undefined) leftovers.add(key);
    }
  });
  if (hasTry || leftovers.size === 0) return undefined;
  const cond = loopCondition(loop);
  let tested = !!cond && mentions(cond, leftovers);
  if (!tested) {
    walkOwnCode(loop.statement, (n) => {
      if (!tested && ts.isIfStatement(n) && mentions(n.expression, leftovers) && branchExits(n.thenStatement, loop, new Set())) tested = true;
    });
  }
  if (!tested) return undefined;
  // what the leftovers go into: `params.RequestItems = pending` (then `params`), `const params = { RequestItems: { [t]: writeRequests } }`
  const carriers = new Set(leftovers);
  for (let round = 0; round < 2; round++) {
    walkOwnCode(loop.statement, (n) => {
      if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer && mentions(n.initializer, carriers)) carriers.add(n.name.text);
      else if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && mentions(n.right, carriers)) {
        const key = exprKey(n.left);
        if (key !== undefined) carriers.add(key.split('.')[0]!);
      }
    });
  }
  // the call sends them again
  return remoteCallInfosIn(analysis, loop.statement).find((r) => enclosingFunction(r.call) === enclosingFunction(loop) && r.call.arguments.some((a) => mentions(a, carriers)));
}

// ---------------------------------------------------------------------------------------------
// status retries

/** `res.ok`, `res.status === 200`, `response.statusCode < 300`: the test that the attempt succeeded. */
const SUCCESS_TEST = /^[\w$.?]*\.ok$|\bstatus(?:Code)?\s*(?:===?\s*2\d\d|<=?\s*[34]\d\d)\b/;

/** The remote call whose success `if (...) return` tests, in a loop without try/catch. */
function statusRetry(analysis: FileFacts, loop: ts.IterationStatement): RemoteCall | undefined {
  if (!ts.isBlock(loop.statement)) return undefined;
  const written = writtenIn(loop);
  let success = false;
  let hasTry = false;
  walk(loop.statement, (n) => {
    if (isFunctionLike(n)) return false;
    if (ts.isTryStatement(n)) hasTry = true;
    if (ts.isIfStatement(n) && SUCCESS_TEST.test(n.expression.getText().replace(/\s+/g, ' '))) {
      const then = n.thenStatement;
      if (ts.isReturnStatement(then) || ts.isBreakStatement(then) || (ts.isBlock(then) && then.statements.some((st) => ts.isReturnStatement(st) || ts.isBreakStatement(st)))) success = true;
    }
    return undefined;
  });
  if (!success || hasTry) return undefined;
  const calls = remoteCallInfosIn(analysis, loop.statement).filter((r) => innermostRemote(r).kind === 'http');
  // the same request each time: nothing the loop changes (a page, a cursor, a host) goes into it
  if (calls.length !== 1 || calls[0].call.arguments.some((a) => mentions(a, written))) return undefined;
  return calls[0];
}

/** `(e) => e`, `function (err) { return err; }`: a `.catch` handler that makes the failure the result. */
function returnsItsError(handler: ts.Expression): boolean {
  const fn = unwrap(handler);
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return false;
  const p = fn.parameters[0];
  if (!p || !ts.isIdentifier(p.name)) return false;
  const name = p.name.text;
  const returned = ts.isBlock(fn.body) ? (fn.body.statements.length === 1 && ts.isReturnStatement(fn.body.statements[0]!) ? fn.body.statements[0].expression : undefined) : fn.body;
  const r = returned && unwrap(returned);
  return !!r && ts.isIdentifier(r) && r.text === name;
}

/** `x instanceof Error`, for the variable `x`. */
function isErrorTest(e: ts.Expression, name: string): boolean {
  const u = unwrap(e);
  return ts.isBinaryExpression(u) && u.operatorToken.kind === ts.SyntaxKind.InstanceOfKeyword && exprKey(u.left) === name && ts.isIdentifier(unwrap(u.right)) && (unwrap(u.right) as ts.Identifier).text === 'Error';
}

/**
 * The loop sends a remote call whose `.catch` returns the error, keeps the outcome in a variable,
 * and leaves once the outcome is not an error (`if (!(res instanceof Error)) return res`, or a
 * loop condition `res instanceof Error`); nothing else in the loop catches.
 */
function caughtRetry(analysis: FileFacts, loop: ts.IterationStatement): CaughtRetryLoop | undefined {
  if (!ts.isBlock(loop.statement)) return undefined;
  let hasTry = false;
  let holder: string | undefined;
  let receiver: ts.Expression | undefined;
  let attempt: ts.Node | undefined;
  walkOwnCode(loop.statement, (n) => {
    if (ts.isTryStatement(n)) hasTry = true;
    if (holder !== undefined || !ts.isCallExpression(n)) return;
    const callee = unwrap(n.expression);
    if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'catch' || n.arguments.length !== 1 || !returnsItsError(n.arguments[0]!)) return;
    // `res = await call().catch((e) => e)`, `const res = await ...`
    let node: ts.Node = n;
    let p = node.parent;
    while (p && (ts.isAwaitExpression(p) || ts.isParenthesizedExpression(p))) {
      node = p;
      p = p.parent;
    }
    if (p && ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && p.right === node) holder = exprKey(p.left);
    else if (p && ts.isVariableDeclaration(p) && p.initializer === node && ts.isIdentifier(p.name)) holder = p.name.text;
    if (holder !== undefined) {
      receiver = callee.expression;
      attempt = node;
    }
  });
  if (hasTry || holder === undefined || !receiver || !attempt) return undefined;
  const name = holder;
  const cond = loopCondition(loop);
  let success = !!cond && (isErrorTest(cond, name) || someOwnNode(cond, (n) => ts.isExpression(n) && isErrorTest(n, name)));
  if (!success) {
    walkOwnCode(loop.statement, (n) => {
      if (success || !ts.isIfStatement(n)) return;
      const c = unwrap(n.expression);
      const negated = ts.isPrefixUnaryExpression(c) && c.operator === ts.SyntaxKind.ExclamationToken && isErrorTest(c.operand, name);
      // `if (!(res instanceof Error)) return res;` or `if (res instanceof Error) { ... } else return res;`
      const exit = negated ? n.thenStatement : isErrorTest(c, name) ? n.elseStatement : undefined;
      if (exit && branchExits(exit, loop, new Set())) success = true;
    });
  }
  if (!success) return undefined;
  const calls = remoteCallInfosIn(analysis, receiver);
  if (calls.length === 0) return undefined;
  const shape = loopShape(loop);
  // `while (res instanceof Error)`: a condition that only tests the outcome bounds nothing
  const onlyOutcome = !!cond && isErrorTest(cond, name);
  const capped = onlyOutcome ? loopCapped(analysis, loop, undefined, new Set([name]), new Set()) : shape?.kind !== 'infinite' || loopCapped(analysis, loop, cond, new Set([name]), new Set());
  return { kind: 'caught', loop, retried: calls[0]!, attempt, capped };
}
