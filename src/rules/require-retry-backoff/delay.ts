/**
 * What a retry waits between attempts: the waits in a retry loop or a retrying function (a
 * `sleep(ms)`-like call, `await new Promise((r) => setTimeout(r, ms))`, `timers/promises`
 * `setTimeout(ms)`), and how the delay they wait evolves from one attempt to the next.
 */
import { ts } from '../../code/ts.js';
import type { FileAnalysis } from '../../code/analysis.js';
import type { FileFacts } from '../../code/file-facts.js';
import { calleeAcross } from '../../code/modules.js';
import { isRemoteCall, resolveLocalFunction } from '../../code/remote-calls.js';
import { exprKey, walkOwnCode } from '../../code/retry-flow.js';
import { enclosingClass, enclosingFunction, isFunctionLike, unwrap, walk } from '../../code/walk.js';

/**
 * `jittered`: randomised; `exponential` / `linear`: grows with the attempt without randomness;
 * `constant`: the same every attempt; `unknown`: computed somewhere the linter cannot see.
 */
export type DelayKind = 'jittered' | 'exponential' | 'linear' | 'constant' | 'unknown';

export interface Wait {
  /** The waiting call (`sleep(1000)`, `setTimeout(resolve, ms)`). */
  node: ts.CallExpression;
  /** The delay expression, when the wait takes one. */
  delay?: ts.Expression;
  kind: DelayKind;
}

const RANK: Record<DelayKind, number> = { constant: 0, linear: 1, exponential: 2, unknown: 3, jittered: 4 };

export function strongest(kinds: DelayKind[]): DelayKind {
  let best: DelayKind = 'constant';
  for (const k of kinds) if (RANK[k] > RANK[best]) best = k;
  return best;
}

/** Names of helpers that wait: `sleep`, `delay`, `wait`, `pause`, `backoff`, `sleepMs`, `waitWithBackoff`. */
const WAIT_NAME = /^(?:sleep\w*|\w*Sleep|delay|delayMs|wait|waitMs|pause|snooze|\w*[bB]ack[oO]ff\w*|\w*Delay)$/;
const NOT_A_WAIT = /^(?:waitUntil|waitFor)/;
/** Helpers whose argument is the delay itself. */
const SLEEP_NAME = /^(?:sleep|sleepMs|delay|delayMs|wait|waitMs|pause|snooze)$/i;
const TIMER_MODULES = new Set(['timers/promises', 'node:timers/promises']);
const DELAY_MODULES = new Set(['delay', 'sleep-promise', 'await-sleep', 'timeout-as-promise']);
const PURE_CALLS = /^(?:Math\.(?:min|max|floor|ceil|round|trunc|abs)|Number|parseInt|parseFloat|Number\.parseInt|Number\.parseFloat)$/;
const RANDOM = /random|jitter/i;
/** Delays the server or the error dictates: `Retry-After`, `err.retryAfterSeconds`. */
const SERVER_DIRECTED = /retry.?after|retrydelay.?from|x-amz-retry/i;

/** The context in which a delay is evaluated. */
export interface DelayScope {
  /** Where to look for declarations and writes of the variables a delay mentions. */
  body: ts.Node;
  /** Variables and paths that change between attempts (counters, values written in the loop). */
  changing: Set<string>;
  /** Variables that hold the error or the response of the attempt. */
  outcome: Set<string>;
  /** How some of the changing values grow (a retrying function passing `delay * 2` to itself). */
  growth?: Map<string, DelayKind>;
}

interface Write {
  value: ts.Expression;
  op: ts.SyntaxKind;
  target: string;
}

/** Declarations and assignments of `name` inside `body` (nested functions included), then at module level. */
function writesOf(name: string, body: ts.Node): Write[] {
  const out: Write[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.name.text === name && node.initializer) {
      out.push({ value: node.initializer, op: ts.SyntaxKind.EqualsToken, target: name });
    } else if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      if (exprKey(node.left) === name) out.push({ value: node.right, op: node.operatorToken.kind, target: name });
    } else if (ts.isBindingElement(node) && ts.isIdentifier(node.name) && node.name.text === name && node.initializer) {
      // `{ delay = 1000 }` in a parameter or destructuring
      out.push({ value: node.initializer, op: ts.SyntaxKind.EqualsToken, target: name });
    } else if (ts.isParameter(node) && ts.isIdentifier(node.name) && node.name.text === name && node.initializer) {
      out.push({ value: node.initializer, op: ts.SyntaxKind.EqualsToken, target: name });
    }
  };
  walk(body, (n) => {
    visit(n);
  });
  if (out.length === 0 && !ts.isSourceFile(body)) {
    for (const st of body.getSourceFile().statements) {
      if (!ts.isVariableStatement(st)) continue;
      for (const d of st.declarationList.declarations) visit(d);
    }
  }
  return out;
}

function isMultiplication(kind: ts.SyntaxKind): boolean {
  return kind === ts.SyntaxKind.AsteriskToken || kind === ts.SyntaxKind.AsteriskEqualsToken;
}

/**
 * How the value of `expr` evolves from one attempt to the next. Identifiers are followed to their
 * declarations and assignments in `scope.body`, same-file helpers to their bodies, a few levels deep.
 */
export function classifyDelay(analysis: FileAnalysis, expr: ts.Expression, scope: DelayScope, depth = 0, seen = new Set<string>()): DelayKind {
  if (depth > 4) return 'unknown';
  const kinds: DelayKind[] = [];
  const visit = (node: ts.Node): boolean | void => {
    if (isFunctionLike(node)) return false;
    if (ts.isStringLiteralLike(node) && SERVER_DIRECTED.test(node.text)) kinds.push('unknown');
    if (ts.isBinaryExpression(node)) {
      const op = node.operatorToken.kind;
      if (op === ts.SyntaxKind.AsteriskAsteriskToken || op === ts.SyntaxKind.LessThanLessThanToken) kinds.push('exponential');
    }
    if (ts.isCallExpression(node)) {
      const callee = unwrap(node.expression);
      const text = callee.getText().replace(/\s+/g, '');
      if (RANDOM.test(text)) {
        kinds.push('jittered');
        return false;
      }
      if (text === 'Math.pow') {
        kinds.push('exponential');
        return undefined;
      }
      if (PURE_CALLS.test(text)) return undefined;
      const fn = resolveLocalFunction(analysis, callee);
      if (fn?.body) {
        kinds.push(functionDelay(analysis, fn, depth + 1));
        // the arguments still say how the input evolves (`backoffFor(attempt)`)
        return undefined;
      }
      kinds.push(node.arguments.length === 0 && settingGetter(analysis, callee) ? 'constant' : 'unknown');
      return false;
    }
    if (ts.isAwaitExpression(node) || ts.isNewExpression(node)) {
      kinds.push('unknown');
      return false;
    }
    if (ts.isIdentifier(node) || ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) {
      if (ts.isPropertyAccessExpression(node.parent) && node.parent.name === node) return undefined;
      const text = node.getText();
      if (RANDOM.test(text)) {
        kinds.push('jittered');
        return false;
      }
      if (SERVER_DIRECTED.test(text)) {
        kinds.push('unknown');
        return false;
      }
      if (ts.isElementAccessExpression(node)) return undefined;
      const key = exprKey(node as ts.Expression);
      if (key === undefined) return undefined;
      const root = key.split('.')[0];
      if (scope.outcome.has(root)) {
        kinds.push('unknown');
        return false;
      }
      if (scope.changing.has(key)) kinds.push(scope.growth?.get(key) ?? 'linear');
      if (seen.has(key)) return false;
      seen.add(key);
      if (ts.isIdentifier(node)) {
        for (const w of writesOf(key, scope.body)) {
          if (w.op !== ts.SyntaxKind.EqualsToken) {
            // `delay *= 2`, `delay += 500`
            if (isMultiplication(w.op) || w.op === ts.SyntaxKind.AsteriskAsteriskEqualsToken || w.op === ts.SyntaxKind.LessThanLessThanEqualsToken) kinds.push('exponential');
            else kinds.push('linear');
          } else if (selfMultiplied(w.value, key)) {
            // `delay = delay * 2`, `delay = Math.min(delay * 2, MAX)`
            kinds.push('exponential');
          }
          kinds.push(classifyDelay(analysis, w.value, scope, depth + 1, seen));
        }
      }
      return ts.isPropertyAccessExpression(node) ? false : undefined;
    }
    return undefined;
  };
  if (visit(expr) !== false) walk(expr, visit);
  return strongest(kinds);
}

/**
 * `this.config.backoffPeriod()` with `backoffPeriod() { return +this.BACKOFF_MS! }` in the class of
 * another module (or of this file, through an instance): a method or function without parameters
 * that only returns a setting (its class's member that only its constructor sets, `process.env`, a
 * constant) gives the same delay at every attempt.
 */
function settingGetter(facts: FileFacts, callee: ts.Expression): boolean {
  const fn = calleeAcross(facts, callee)?.fn;
  if (!fn?.body || fn.parameters.length > 0) return false;
  let returned: ts.Expression | undefined;
  if (!ts.isBlock(fn.body)) returned = fn.body;
  else if (fn.body.statements.length === 1 && ts.isReturnStatement(fn.body.statements[0]!)) returned = fn.body.statements[0].expression;
  const members = new Set<string>();
  if (!returned || !isSettingValue(returned, members, 0)) return false;
  if (members.size === 0) return true;
  const cls = enclosingClass(fn);
  if (!cls) return false;
  // a member another method changes (`this.delay *= 2`) is state, not a setting; a method only the
  // constructor calls (`this.validate()` defaulting a missing value) is part of construction
  const changers: string[] = [];
  for (const m of cls.members) {
    if (ts.isConstructorDeclaration(m) || ts.isPropertyDeclaration(m)) continue;
    if (!changesMember(m, members)) continue;
    if (!ts.isMethodDeclaration(m) || !m.name || !ts.isIdentifier(m.name)) return false;
    changers.push(m.name.text);
  }
  return changers.every((name) => calledOnlyByConstructor(cls, name));
}

/** Whether `node` assigns (or steps) one of `members` of `this`. */
function changesMember(node: ts.Node, members: Set<string>): boolean {
  let changed = false;
  walk(node, (n) => {
    if (changed) return false;
    let target: ts.Expression | undefined;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment) target = n.left;
    else if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken)) target = n.operand;
    const t = target && unwrap(target);
    if (t && ts.isPropertyAccessExpression(t) && unwrap(t.expression).kind === ts.SyntaxKind.ThisKeyword && members.has(t.name.text)) changed = true;
    return undefined;
  });
  return changed;
}

/** `this.<name>(...)` is called in `cls`, and only from its constructor. */
function calledOnlyByConstructor(cls: ts.ClassLikeDeclaration, name: string): boolean {
  let inConstructor = false;
  let elsewhere = false;
  for (const m of cls.members) {
    walk(m, (n) => {
      if (elsewhere) return false;
      if (!ts.isCallExpression(n)) return undefined;
      const callee = unwrap(n.expression);
      if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== name || unwrap(callee.expression).kind !== ts.SyntaxKind.ThisKeyword) return undefined;
      if (ts.isConstructorDeclaration(m)) inConstructor = true;
      else elsewhere = true;
      return undefined;
    });
    if (elsewhere) return false;
  }
  return inConstructor;
}

/** An expression of literals, names, members and `process.env` reads, with arithmetic and conversions only; collects the `this.<member>` names it reads. */
function isSettingValue(expr: ts.Expression, members: Set<string>, depth: number): boolean {
  if (depth > 12) return false;
  const e = unwrap(expr);
  if (ts.isNumericLiteral(e) || ts.isStringLiteralLike(e) || ts.isIdentifier(e)) return true;
  if (ts.isNonNullExpression(e) || ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isTypeAssertionExpression(e)) return isSettingValue(e.expression, members, depth + 1);
  if (ts.isPropertyAccessExpression(e)) {
    if (unwrap(e.expression).kind === ts.SyntaxKind.ThisKeyword) {
      members.add(e.name.text);
      return true;
    }
    return isSettingValue(e.expression, members, depth + 1);
  }
  if (ts.isElementAccessExpression(e)) return ts.isStringLiteralLike(e.argumentExpression) && isSettingValue(e.expression, members, depth + 1);
  if (ts.isPrefixUnaryExpression(e)) return e.operator !== ts.SyntaxKind.PlusPlusToken && e.operator !== ts.SyntaxKind.MinusMinusToken && isSettingValue(e.operand, members, depth + 1);
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op >= ts.SyntaxKind.FirstAssignment && op <= ts.SyntaxKind.LastAssignment) return false;
    return isSettingValue(e.left, members, depth + 1) && isSettingValue(e.right, members, depth + 1);
  }
  if (ts.isConditionalExpression(e)) return [e.condition, e.whenTrue, e.whenFalse].every((x) => isSettingValue(x, members, depth + 1));
  if (ts.isCallExpression(e)) return PURE_CALLS.test(unwrap(e.expression).getText().replace(/\s+/g, '')) && e.arguments.every((a) => isSettingValue(a, members, depth + 1));
  return false;
}

function selfMultiplied(value: ts.Expression, key: string): boolean {
  const test = (n: ts.Node): boolean => ts.isBinaryExpression(n) && isMultiplication(n.operatorToken.kind) && [unwrap(n.left), unwrap(n.right)].some((s) => exprKey(s) === key);
  // `delay = delay * 2` itself, or inside `Math.min(delay * 2, MAX)`
  if (test(unwrap(value))) return true;
  let found = false;
  walk(value, (n) => {
    if (found) return false;
    if (test(n)) found = true;
    return undefined;
  });
  return found;
}

/** A function that computes a delay from its parameters (`(attempt) => 100 * 2 ** attempt`). */
export function functionDelay(analysis: FileAnalysis, fn: ts.FunctionLikeDeclaration, depth = 0): DelayKind {
  // helpers calling helpers (or themselves): give up after a few levels
  if (!fn.body || depth > 4) return 'unknown';
  const params = new Set<string>();
  for (const p of fn.parameters) {
    if (ts.isIdentifier(p.name)) params.add(p.name.text);
    else for (const el of p.name.elements) if (ts.isBindingElement(el) && ts.isIdentifier(el.name)) params.add(el.name.text);
  }
  const scope: DelayScope = { body: fn.body, changing: params, outcome: new Set() };
  if (!ts.isBlock(fn.body)) return classifyDelay(analysis, fn.body, scope, depth);
  // a helper that waits itself (`async function backoff(n) { await sleep(100 * 2 ** n) }`): its waits
  const kinds: DelayKind[] = [];
  for (const w of waitsIn(analysis, fn.body, scope, depth + 1)) kinds.push(w.kind);
  walkOwnCode(fn.body, (node) => {
    if (ts.isReturnStatement(node) && node.expression) kinds.push(classifyDelay(analysis, node.expression, scope, depth));
  });
  if (kinds.length === 0) return 'unknown';
  return strongest(kinds);
}

/** `setTimeout` as a global, or from `timers` (callback style). */
function isCallbackTimer(analysis: FileAnalysis, callee: ts.Expression): boolean {
  if (ts.isIdentifier(callee) && callee.text === 'setTimeout') {
    const origin = analysis.origin(callee);
    return origin === undefined || origin.ref.module === 'timers' || origin.ref.module === 'node:timers';
  }
  return ts.isPropertyAccessExpression(callee) && callee.name.text === 'setTimeout' && ['globalThis', 'window', 'global'].includes(callee.expression.getText());
}

/** The delay argument of a wait call, or undefined when `call` does not wait. */
function waitOf(analysis: FileAnalysis, call: ts.CallExpression): { delay?: ts.Expression; helper?: ts.FunctionLikeDeclaration } | undefined {
  const callee = unwrap(call.expression);
  if (isCallbackTimer(analysis, callee)) return { delay: call.arguments[1] };
  const origin = analysis.origin(callee);
  if (origin?.kind === 'module') {
    const path = origin.ref.path[0] === 'default' ? origin.ref.path.slice(1) : origin.ref.path;
    if (TIMER_MODULES.has(origin.ref.module) && (path.join('.') === 'setTimeout' || path.join('.') === 'scheduler.wait')) return { delay: call.arguments[0] };
    if (DELAY_MODULES.has(origin.ref.module) && path.length === 0) return { delay: call.arguments[0] };
  }
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
  if (name === undefined || !WAIT_NAME.test(name) || NOT_A_WAIT.test(name) || isReadAsValue(call) || isRemoteCall(analysis, call)) return undefined;
  const helper = resolveLocalFunction(analysis, callee);
  // `backoff(attempt)`, `retryDelay(n)` from elsewhere compute their own delay: only a plain sleep's argument is its delay
  if (!helper && !SLEEP_NAME.test(name)) return {};
  return { delay: call.arguments[0], helper };
}

/**
 * A call whose value is written into a text or handed to another call (`` log(`waiting ${backoffPeriod()} ms`) ``,
 * `metrics.add(retryDelay(n))`) reads a number: it does not wait, whatever its name.
 */
function isReadAsValue(call: ts.CallExpression): boolean {
  let child: ts.Node = call;
  let p = call.parent;
  while (ts.isParenthesizedExpression(p) || ts.isAsExpression(p) || ts.isNonNullExpression(p)) {
    child = p;
    p = p.parent;
  }
  return ts.isTemplateSpan(p) || (ts.isCallExpression(p) && p.arguments.includes(child as ts.Expression));
}

/**
 * The waits in `root`, in source order: its own code plus the executor of a `new Promise(...)`
 * (where `setTimeout(resolve, ms)` lives).
 */
export function waitsIn(analysis: FileAnalysis, root: ts.Node, scope: DelayScope, depth = 0): Wait[] {
  const out: Wait[] = [];
  if (depth > 6) return out;
  const visit = (node: ts.Node): boolean | void => {
    if (isFunctionLike(node)) {
      // enter the executor of `new Promise((resolve) => setTimeout(resolve, ms))`
      const parent = node.parent;
      return ts.isNewExpression(parent) && ts.isIdentifier(parent.expression) && parent.expression.text === 'Promise' ? undefined : false;
    }
    if (!ts.isCallExpression(node)) return undefined;
    const wait = waitOf(analysis, node);
    if (!wait) return undefined;
    let kind: DelayKind;
    if (wait.delay) {
      kind = classifyDelay(analysis, wait.delay, scope, depth);
      // a local helper that computes the delay itself from what it is given
      if (wait.helper && !isPlainSleep(wait.helper)) kind = strongest([kind, functionDelay(analysis, wait.helper, depth + 1)]);
    } else if (wait.helper && !isPlainSleep(wait.helper)) {
      kind = functionDelay(analysis, wait.helper, depth + 1);
    } else {
      kind = 'unknown';
    }
    out.push({ node, delay: wait.delay, kind });
    return false;
  };
  // a `.catch((err) => ...)` handler is itself a function: look inside it
  if (isFunctionLike(root) || visit(root) !== false) walk(root, visit);
  return out;
}

/** `(ms) => new Promise((r) => setTimeout(r, ms))`: a sleep that waits exactly what it is given. */
function isPlainSleep(fn: ts.FunctionLikeDeclaration): boolean {
  if (!fn.body || fn.parameters.length !== 1) return false;
  const text = fn.body.getText();
  return /setTimeout/.test(text) && !/\*\*|Math\.pow|random|jitter/i.test(text);
}

/**
 * Awaited calls in `root` outside `exclude` that might wait without the linter seeing how (an
 * imported helper, a method of another object): a retry with one of them is not "without delay".
 */
export function hasOpaqueAwait(analysis: FileAnalysis, root: ts.Node, exclude: ts.Node[]): boolean {
  let found = false;
  walkOwnCode(root, (node) => {
    if (found || !ts.isAwaitExpression(node)) return;
    const e = unwrap(node.expression);
    // the retried call, or the next attempt itself (`await putAll(failed, attempt + 1)`)
    if (exclude.some((x) => (node.pos >= x.pos && node.end <= x.end) || (e.pos >= x.pos && e.end <= x.end))) return;
    if (!ts.isCallExpression(e)) return;
    if (isRemoteCall(analysis, e)) return;
    const fn = resolveLocalFunction(analysis, e.expression);
    if (fn?.body) {
      // a same-file helper: opaque only if it awaits something itself
      let awaits = false;
      walkOwnCode(fn.body, (n) => {
        if (ts.isAwaitExpression(n)) awaits = true;
      });
      if (!awaits) return;
    }
    found = true;
  });
  return found;
}

/** The enclosing function's body (or the file) of a node, where its variables are declared. */
export function declarationScope(node: ts.Node): ts.Node {
  return enclosingFunction(node)?.body ?? node.getSourceFile();
}
