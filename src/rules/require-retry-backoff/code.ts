import { ts } from '../../code/ts.js';
import type { FileAnalysis } from '../../code/analysis.js';
import type { CodeReport, CodeDetector } from '../rule.js';
import { describeRemoteCall, isRemoteCall, remoteCallInfosIn, resolveLocalFunction, type RemoteCall } from '../../code/remote-calls.js';
import { findCatchRecursions, findCaughtRetryLoops, findLeftoverRetryLoops, findRetryLoops, findStatusRetryLoops, recursionName, type CaughtRetryLoop, type RetryLoop, type RetryRecursion, type StatusRetryLoop } from '../../code/retry-loops.js';
import { alwaysExits, exprKey, mentions, steppedIn, walkOwnCode, writtenIn } from '../../code/retry-flow.js';
import { enclosingFunction, functionName, isFunctionLike, step, unwrap, walk, someOwnNode } from '../../code/walk.js';
import { declarationScope, hasOpaqueAwait, strongest, waitsIn, type DelayKind, type DelayScope, type Wait } from './delay.js';
import { libraryReports } from './libraries.js';
import { isCustomResourceFile } from '../../code/custom-resource.js';
import { numberValue } from '../../code/values.js';

const LOCKSTEP = 'clients that failed together retry together and hit the recovering dependency in synchronized waves';

/** A loop that makes at most this many attempts is a short wait, not a retry policy. */
const FEW_ATTEMPTS = 5;

/** Errors that mean "someone else won the race" (optimistic concurrency): retried at once by design. */
const CONFLICT = /ConditionalCheckFailed|TransactionConflict|TransactionCanceled|OptimisticLock|VersionConflict|WriteConflict/;

function delayText(w: Wait): string {
  const text = w.node.getText().replace(/\s+/g, ' ');
  return text.length <= 50 ? `\`${text}\`` : `\`${unwrap(w.node.expression).getText().replace(/\s+/g, '')}(...)\``;
}

function waitMessage(subject: string, w: Wait, kind: DelayKind): string {
  switch (kind) {
    case 'constant':
      return `${subject} waits a constant delay (${delayText(w)}) between attempts: ${LOCKSTEP}`;
    case 'exponential':
      return `${subject} backs off exponentially (${delayText(w)}) without jitter: ${LOCKSTEP}`;
    default:
      return `${subject} grows its delay linearly (${delayText(w)}) without jitter: ${LOCKSTEP}`;
  }
}

/** Names bound in `root` by declarations: the attempt's result and error. */
function boundNames(root: ts.Node): Set<string> {
  const out = new Set<string>();
  const bind = (name: ts.BindingName) => {
    if (ts.isIdentifier(name)) out.add(name.text);
    else for (const el of name.elements) if (ts.isBindingElement(el)) bind(el.name);
  };
  walk(root, (n) => {
    if (ts.isVariableDeclaration(n)) bind(n.name);
  });
  return out;
}

/** `for (let i = 0; i < hosts.length; i++) { try { return await fetch(hosts[i]) } ... }`: failover, each attempt asks someone else. */
function isFailover(r: RetryLoop): boolean {
  const counters = writtenIn(r.loop);
  return r.retried.some((c) => {
    let indexed = false;
    walk(c.call, (n) => {
      if (ts.isElementAccessExpression(n) && mentions(n.argumentExpression, counters)) indexed = true;
      return !indexed;
    });
    return indexed;
  });
}

/** `if (res.ok) return res`, `if (response.status === 200) break`: an HTTP status decides whether the attempt failed. */
const STATUS_TEST = /\.ok\b|\bstatus(?:Code)?\s*(?:[<>]=?|[!=]==?)\s*\d{3}\b/;

function exitsOnStatus(tryBlock: ts.Block): boolean {
  const exits = (st: ts.Statement) => ts.isReturnStatement(st) || ts.isBreakStatement(st);
  return someOwnNode(
    tryBlock,
    (n) => ts.isIfStatement(n) && STATUS_TEST.test(n.expression.getText()) && (exits(n.thenStatement) || (ts.isBlock(n.thenStatement) && n.thenStatement.statements.some(exits))),
  );
}

function isConflictRetry(clause: ts.CatchClause | undefined): boolean {
  return !!clause && CONFLICT.test(clause.block.getText());
}

/** Polling, by its own words: `await delay(interval)`, `pollInterval`, a function named `poll...`/`waitFor...`. */
const POLL_WORDS = /interval|poll/i;
const POLL_FUNCTION = /^(?:poll|waitFor|waitUntil|until)|Poll|Until$/;

/** A function that says it retries (`retry`, `withRetries`, `retryRequest`), and not that it waits for a state. */
const RETRY_FUNCTION = /retr(?:y|ies|ying)/i;
const WAITING_WORDS = /poll|until|wait/i;

function isPolling(node: ts.Node, waits: Wait[]): boolean {
  let retrying = false;
  for (let p = node.parent; p; p = p.parent) {
    step();
    if (!isFunctionLike(p)) continue;
    const name = functionName(p)?.replace(/^.*\./, '');
    if (!name) continue;
    if (POLL_FUNCTION.test(name)) return true;
    // a function around the loop that says it retries (`retry(fn, retries, intervalMs)`): whatever its delay is called
    if (!retrying && RETRY_FUNCTION.test(name) && !WAITING_WORDS.test(name)) retrying = true;
  }
  return !retrying && waits.some((w) => w.delay && POLL_WORDS.test(w.delay.getText()));
}

function judge(analysis: FileAnalysis, waits: Wait[], subject: string, noDelay: () => CodeReport | undefined): CodeReport | undefined {
  if (waits.length === 0) return noDelay();
  const kind = strongest(waits.map((w) => w.kind));
  if (kind === 'jittered' || kind === 'unknown') return undefined;
  const wait = waits.find((w) => w.kind === kind) ?? waits[0];
  return { node: wait.node, message: waitMessage(subject, wait, kind) };
}

/** `i++`, `++i`, `i += 1`, `i = i + 1` for the variable `name`, anywhere in `root`. */
function stepsByOne(root: ts.Node, name: string): boolean {
  let found = false;
  const isName = (e: ts.Expression) => ts.isIdentifier(unwrap(e)) && (unwrap(e) as ts.Identifier).text === name;
  const check = (n: ts.Node) => {
    if ((ts.isPostfixUnaryExpression(n) || ts.isPrefixUnaryExpression(n)) && n.operator === ts.SyntaxKind.PlusPlusToken && isName(n.operand)) found = true;
    else if (ts.isBinaryExpression(n) && isName(n.left)) {
      const right = unwrap(n.right);
      if (n.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken && ts.isNumericLiteral(right) && right.text === '1') found = true;
      else if (n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isBinaryExpression(right) && right.operatorToken.kind === ts.SyntaxKind.PlusToken && isName(right.left) && ts.isNumericLiteral(unwrap(right.right)) && (unwrap(right.right) as ts.NumericLiteral).text === '1') found = true;
    }
  };
  check(root);
  walk(root, (n) => {
    if (found || isFunctionLike(n)) return false;
    check(n);
    return undefined;
  });
  return found;
}

/**
 * How many attempts a counting loop makes, when the code fixes it: `for (let retry = 1; retry <= RETRY_COUNT; retry++)`
 * with `RETRY_COUNT` a known number, or `while (attempt < 3)` over a counter declared with a number and stepped by one.
 */
function attemptCount(analysis: FileAnalysis, loop: ts.IterationStatement): number | undefined {
  const condition = ts.isForStatement(loop) ? loop.condition : ts.isWhileStatement(loop) || ts.isDoStatement(loop) ? loop.expression : undefined;
  const c = condition && unwrap(condition);
  if (!c || !ts.isBinaryExpression(c)) return undefined;
  const op = c.operatorToken.kind;
  const inclusive = op === ts.SyntaxKind.LessThanEqualsToken;
  if (!inclusive && op !== ts.SyntaxKind.LessThanToken) return undefined;
  const counter = unwrap(c.left);
  const limit = numberValue(analysis, c.right);
  if (!ts.isIdentifier(counter) || limit === undefined) return undefined;
  let start: number | undefined;
  if (ts.isForStatement(loop) && loop.initializer && ts.isVariableDeclarationList(loop.initializer)) {
    const d = loop.initializer.declarations.find((x) => ts.isIdentifier(x.name) && x.name.text === counter.text);
    start = d?.initializer ? numberValue(analysis, d.initializer) : undefined;
  } else {
    const from = analysis.declaredFrom(counter);
    start = from && from.pick.length === 0 ? numberValue(analysis, from.value) : undefined;
  }
  if (start === undefined) return undefined;
  const stepped = (ts.isForStatement(loop) && loop.incrementor && stepsByOne(loop.incrementor, counter.text)) || stepsByOne(loop.statement, counter.text);
  if (!stepped) return undefined;
  return Math.max(0, limit - start + (inclusive ? 1 : 0));
}

/**
 * A delay that grows linearly over a few attempts in a CloudFormation custom-resource handler
 * (`sleep(attempt * RETRY_SECONDS * 1000)` while a new IAM role propagates): the stack operation
 * is the only caller, so there is no crowd of clients for jitter to spread out, and the delay
 * already grows. Constant delays and exponential ones without jitter are reported everywhere.
 */
function isShortLinearWaitInCustomResource(analysis: FileAnalysis, loop: ts.IterationStatement, waits: Wait[]): boolean {
  if (waits.length === 0 || strongest(waits.map((w) => w.kind)) !== 'linear') return false;
  const attempts = attemptCount(analysis, loop);
  return attempts !== undefined && attempts <= FEW_ATTEMPTS && isCustomResourceFile(analysis);
}

function loopReports(analysis: FileAnalysis): CodeReport[] {
  const out: CodeReport[] = [];
  const seen = new Set<ts.Node>();
  for (const r of findRetryLoops(analysis)) {
    if (seen.has(r.loop)) continue;
    seen.add(r.loop);
    if (isFailover(r) || isConflictRetry(r.tryStmt.catchClause)) continue;
    const outcome = boundNames(r.tryStmt.tryBlock);
    const binding = r.tryStmt.catchClause?.variableDeclaration?.name;
    if (binding && ts.isIdentifier(binding)) outcome.add(binding.text);
    const scope: DelayScope = { body: declarationScope(r.loop), changing: writtenIn(r.loop), outcome };
    const waits = waitsIn(analysis, r.loop.statement, scope);
    // waits only outside the catch while a successful call may go round again: a polling interval
    // (unless what decides "go round again" is the HTTP status: `if (res.ok) return`)
    if (
      waits.length > 0 &&
      r.tryStmt.catchClause &&
      waitsIn(analysis, r.tryStmt.catchClause.block, scope).length === 0 &&
      !alwaysExits(r.tryStmt.tryBlock, r.loop) &&
      !exitsOnStatus(r.tryStmt.tryBlock)
    ) {
      continue;
    }
    if (isPolling(r.loop, waits)) continue;
    if (isShortLinearWaitInCustomResource(analysis, r.loop, waits)) continue;
    const retried = r.retried[0];
    const subject = `Retry loop around ${retried.text}`;
    const report = judge(analysis, waits, subject, () => {
      if (hasOpaqueAwait(analysis, r.loop.statement, r.retried.map((c) => c.call))) return undefined;
      return { node: r.loop, message: `${subject} retries immediately, with no delay between attempts: ${LOCKSTEP}` };
    });
    if (report) out.push({ ...report, related: [{ node: retried.call, label: 'retried call' }] });
  }
  return out;
}

/**
 * Retry loops without try/catch: around a call whose response says it failed (`status`), or whose
 * failure the loop keeps as its value (`caught`, `await call().catch((e) => e)`). `again` says when
 * the loop sends the call again.
 */
function unthrownRetryReports(analysis: FileAnalysis, loops: readonly (StatusRetryLoop | CaughtRetryLoop)[], again: string): CodeReport[] {
  const out: CodeReport[] = [];
  for (const found of loops) {
    const { loop, retried } = found;
    const outcome = boundNames(loop.statement);
    const scope: DelayScope = { body: declarationScope(loop), changing: writtenIn(loop), outcome };
    const waits = waitsIn(analysis, loop.statement, scope);
    if (isPolling(loop, waits)) continue;
    if (isShortLinearWaitInCustomResource(analysis, loop, waits)) continue;
    const subject = `Retry loop around ${describeRemoteCall(retried)}`;
    const report = judge(analysis, waits, subject, () => {
      if (hasOpaqueAwait(analysis, loop.statement, found.kind === 'caught' ? [retried.call, found.attempt] : [retried.call])) return undefined;
      return { node: loop, message: `${subject} sends it again immediately ${again}, with no delay between attempts: ${LOCKSTEP}` };
    });
    if (report) out.push({ ...report, related: [{ node: retried.call, label: 'retried call' }] });
  }
  return out;
}

function leftoverRetryReports(analysis: FileAnalysis): CodeReport[] {
  const out: CodeReport[] = [];
  for (const { loop, retried } of findLeftoverRetryLoops(analysis)) {
    const outcome = boundNames(loop.statement);
    const scope: DelayScope = { body: declarationScope(loop), changing: writtenIn(loop), outcome };
    const waits = waitsIn(analysis, loop.statement, scope);
    if (isShortLinearWaitInCustomResource(analysis, loop, waits)) continue;
    const subject = `Retry loop around ${describeRemoteCall(retried)} (for what the call left unprocessed)`;
    const report = judge(analysis, waits, subject, () => {
      if (hasOpaqueAwait(analysis, loop.statement, [retried.call])) return undefined;
      return { node: loop, message: `${subject} sends the leftovers again immediately, with no delay between attempts: ${LOCKSTEP}` };
    });
    if (report) out.push({ ...report, related: [{ node: retried.call, label: 'retried call' }] });
  }
  return out;
}

/** Parameters the self call passes on changed (`attempt + 1`, `delay * 2`), and how they grow. */
function changedParameters(r: RetryRecursion, call: ts.CallExpression): { changing: Set<string>; growth: Map<string, DelayKind> } {
  const changing = new Set<string>();
  const growth = new Map<string, DelayKind>();
  const params = r.fn.parameters;
  params.forEach((p, i) => {
    const arg = call.arguments[i];
    if (!arg || !ts.isIdentifier(p.name)) return;
    const name = p.name.text;
    const a = unwrap(arg);
    if (exprKey(a) === name) return;
    changing.add(name);
    if (ts.isBinaryExpression(a) && (a.operatorToken.kind === ts.SyntaxKind.AsteriskToken || a.operatorToken.kind === ts.SyntaxKind.AsteriskAsteriskToken)) growth.set(name, 'exponential');
  });
  for (const a of call.arguments) for (const k of steppedIn(a)) changing.add(k);
  return { changing, growth };
}

function recursionReports(analysis: FileAnalysis): CodeReport[] {
  const out: CodeReport[] = [];
  for (const r of findCatchRecursions(analysis)) {
    if (r.decided || !r.fn.body) continue;
    if (ts.isBlock(r.handler) && isConflictRetry(r.handler.parent as ts.CatchClause)) continue;
    const outcome = new Set<string>();
    const clause = r.handler.parent;
    if (ts.isCatchClause(clause) && clause.variableDeclaration && ts.isIdentifier(clause.variableDeclaration.name)) outcome.add(clause.variableDeclaration.name.text);
    // the function passed to `.catch`: its parameter is the error (`.catch((err) => setTimeout(next, err.retryDelay))`)
    const errParam = isFunctionLike(r.handler) ? r.handler.parameters[0] : undefined;
    if (errParam && ts.isIdentifier(errParam.name)) outcome.add(errParam.name.text);
    const subject = `\`${recursionName(r)}\`, which retries ${r.retried.text} from ${r.where},`;
    // each way of retrying on its own (`case 'Conflict': setTimeout(() => next(), jittered)` beside
    // `case 'Throttling': setTimeout(() => next(), 5000)`): a wait wrapping another self call is not this one's
    for (const selfCall of r.selfCalls) {
      const { changing, growth } = changedParameters(r, selfCall);
      const scope: DelayScope = { body: r.fn.body, changing, outcome, growth };
      const others = r.selfCalls.filter((c) => c !== selfCall);
      const waits = waitsIn(analysis, r.handler, scope).filter((w) => !others.some((c) => c.pos >= w.node.pos && c.end <= w.node.end));
      if (isPolling(selfCall, waits)) break;
      const report = judge(analysis, waits, subject, () => {
        if (hasOpaqueAwait(analysis, r.handler, [selfCall])) return undefined;
        return { node: selfCall, message: `${subject} calls itself again immediately, with no delay between attempts: ${LOCKSTEP}` };
      });
      if (report) {
        out.push({ ...report, related: [{ node: r.retried.call, label: 'retried call' }] });
        break;
      }
    }
  }
  return out;
}

/** Reads of a response body already received: awaiting them waits for no one. */
const BODY_READ = /^(?:transformToString|transformToByteArray|transformToWebStream|json|text|arrayBuffer|blob)$/;
/** Long polls: the service holds the request until there is something to return. */
const LONG_POLL = /(?:ReceiveMessage|receiveMessage|GetRecords|getRecords|GetShardIterator|WaitTimeSeconds|waitTimeSeconds|LongPoll|longPoll)/;

/**
 * Variables whose value can differ from one pass of `loop` to the next: those it assigns (and the
 * objects whose members it assigns or hands to `Object.assign`), and those declared in its body.
 */
function changingIn(loop: ts.IterationStatement): Set<string> {
  const out = writtenIn(loop);
  for (const key of [...out]) {
    const parts = key.split('.');
    for (let i = 1; i < parts.length; i++) out.add(parts.slice(0, i).join('.'));
  }
  walkOwnCode(loop.statement, (n) => {
    if (ts.isCallExpression(n) && n.arguments.length > 0 && unwrap(n.expression).getText() === 'Object.assign') {
      const key = exprKey(unwrap(n.arguments[0]));
      if (key !== undefined) out.add(key);
    }
    // `params[key] = value`, `delete params.X`: the object changes
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isElementAccessExpression(n.left)) {
      const key = exprKey(unwrap(n.left.expression));
      if (key !== undefined) out.add(key);
    }
    if (ts.isDeleteExpression(n) && (ts.isPropertyAccessExpression(n.expression) || ts.isElementAccessExpression(n.expression))) {
      const key = exprKey(unwrap(n.expression.expression));
      if (key !== undefined) out.add(key);
    }
  });
  for (const name of boundNames(loop.statement)) out.add(name);
  return out;
}

/** Calls that give the same value for the same input: a request built with them is the same each pass. */
const PURE_CALL = /^(?:JSON\.stringify|Buffer\.from|String|Number|encodeURIComponent|encodeURI|Object\.keys|Object\.values|Object\.entries)$/;

/**
 * True when `expr` evaluates to the same request on every pass: it mentions nothing the loop
 * changes, and calls nothing but pure functions (`items.splice(0, 25)`, `it.next()`, `Date.now()`
 * and `new Date()` give something else each time).
 */
function sameEachPass(expr: ts.Node, changing: Set<string>): boolean {
  if (mentions(expr, changing)) return false;
  let same = true;
  const visit = (n: ts.Node) => {
    if (!same) return false;
    if (ts.isCallExpression(n) && !PURE_CALL.test(unwrap(n.expression).getText().replace(/\s+/g, ''))) same = false;
    else if (ts.isNewExpression(n) && unwrap(n.expression).getText() === 'Date') same = false;
    return same ? undefined : false;
  };
  visit(expr);
  if (same) walk(expr, visit);
  return same;
}

/** The arguments of the call and of the calls it chains on (`ssm.getParameter(params).promise()`), and its receiver, are the same each pass. */
function sameRequest(call: ts.CallExpression, changing: Set<string>): boolean {
  let e: ts.Expression = call;
  while (ts.isCallExpression(e)) {
    if (!e.arguments.every((a) => sameEachPass(a, changing))) return false;
    const callee = unwrap(e.expression);
    if (!ts.isPropertyAccessExpression(callee) && !ts.isElementAccessExpression(callee)) return !mentions(callee, changing);
    if (ts.isElementAccessExpression(callee) && !sameEachPass(callee.argumentExpression, changing)) return false;
    e = unwrap(callee.expression);
  }
  return !mentions(e, changing);
}

/** An awaited call in the loop's own code, other than `polled`, that may take time (a helper that awaits, a call the linter cannot see). */
function waitsForSomethingElse(analysis: FileAnalysis, loop: ts.IterationStatement, polled: ts.CallExpression): boolean {
  let found = false;
  walkOwnCode(loop.statement, (node) => {
    if (found || !ts.isAwaitExpression(node) || (node.pos <= polled.pos && node.end >= polled.end)) return;
    const e = unwrap(node.expression);
    if (!ts.isCallExpression(e)) {
      found = true;
      return;
    }
    const callee = unwrap(e.expression);
    if (ts.isPropertyAccessExpression(callee) && BODY_READ.test(callee.name.text)) return;
    if (isRemoteCall(analysis, e)) {
      found = true;
      return;
    }
    const fn = resolveLocalFunction(analysis, e.expression);
    if (fn?.body && !someOwnNode(fn.body, (n) => ts.isAwaitExpression(n))) return;
    found = true;
  });
  return found;
}

/**
 * `while (lastModified < requested) { data = await s3.send(new GetObjectCommand(params)); ... }`: a
 * loop that sends the same request again as soon as the response arrives, until the response
 * changes, with nothing between two requests. Not a retry of a failure, but the same burst.
 */
function busyPollReports(analysis: FileAnalysis, taken: Set<ts.Node>): CodeReport[] {
  const out: CodeReport[] = [];
  const loops = [...analysis.loops].sort((a, b) => a.pos - b.pos);
  for (let i = 0; i < loops.length; i++) {
    const loop = loops[i];
    if (taken.has(loop) || !(ts.isWhileStatement(loop) || ts.isDoStatement(loop)) || !ts.isBlock(loop.statement)) continue;
    // innermost loops only (a poll has no loop of its own inside): their bodies do not overlap, so
    // the walks below read each node once
    if (i + 1 < loops.length && loops[i + 1].pos < loop.end) continue;
    if (someOwnNode(loop.statement, (n) => ts.isTryStatement(n))) continue;
    const fn = enclosingFunction(loop);
    const own = remoteCallInfosIn(analysis, loop.statement).filter((r) => enclosingFunction(r.call) === fn);
    // v2's `ssm.getParameter(params).promise()` is one request, found twice
    const calls = own.filter((r) => !own.some((o) => o !== r && o.call.pos <= r.call.pos && o.call.end >= r.call.end));
    if (calls.length !== 1 || calls[0].kind === 'local') continue;
    const polled: RemoteCall = calls[0];
    // awaited, or a v2 `.promise()` awaited
    let top: ts.Node = polled.call;
    while (ts.isPropertyAccessExpression(top.parent) || (ts.isCallExpression(top.parent) && top.parent.expression === top) || ts.isParenthesizedExpression(top.parent)) top = top.parent;
    if (!ts.isAwaitExpression(top.parent)) continue;
    if (LONG_POLL.test(polled.label) || LONG_POLL.test(polled.call.getText())) continue;
    const changing = changingIn(loop);
    // the same request each time: nothing the loop changes goes into it (a page, a cursor, an item)
    if (!sameRequest(polled.call, changing)) continue;
    // the loop ends on what the responses say
    const condition = loop.expression;
    const exitsOnResponse =
      condition.kind === ts.SyntaxKind.TrueKeyword
        ? someOwnNode(loop.statement, (n) => ts.isIfStatement(n) && mentions(n.expression, changing) && alwaysExits(n.thenStatement, loop))
        : mentions(condition, changing);
    if (!exitsOnResponse) continue;
    const scope: DelayScope = { body: declarationScope(loop), changing, outcome: boundNames(loop.statement) };
    if (waitsIn(analysis, loop.statement, scope).length > 0) continue;
    if (waitsForSomethingElse(analysis, loop, polled.call)) continue;
    const cond = condition.getText().replace(/\s+/g, ' ');
    const until = condition.kind === ts.SyntaxKind.TrueKeyword ? 'until a response ends it' : `while \`${cond.length <= 60 ? cond : `${cond.slice(0, 57)}...`}\` holds`;
    out.push({
      node: loop,
      message: `Polling loop sends ${describeRemoteCall(polled)} again as soon as each response arrives, ${until}, with no delay between requests: it calls the dependency as fast as it answers for as long as the state takes to change, and is throttled or slows it for every other caller`,
      related: [{ node: polled.call, label: 'polled call' }],
    });
  }
  return out;
}

const detector: CodeDetector = {
  // a retry needs a catch clause, a retry library or strategy, a test of the response status, a batch response's leftovers,
  // or an error-first callback's test of its error; a poll, a `while` loop
  prefilter: /catch|retr|backoff|\.ok\b|status|Unprocessed|Failed|while|if\s*\(\s*!?\s*err(?:or)?\b/i,
  code({ analysis }) {
    const taken = new Set<ts.Node>([...findRetryLoops(analysis).map((r) => r.loop), ...findStatusRetryLoops(analysis).map((r) => r.loop), ...findLeftoverRetryLoops(analysis).map((r) => r.loop), ...findCaughtRetryLoops(analysis).map((r) => r.loop)]);
    const all = [...loopReports(analysis), ...unthrownRetryReports(analysis, findStatusRetryLoops(analysis), 'after an unsuccessful response'), ...leftoverRetryReports(analysis), ...unthrownRetryReports(analysis, findCaughtRetryLoops(analysis), 'after it failed'), ...recursionReports(analysis), ...libraryReports(analysis), ...busyPollReports(analysis, taken)];
    const seen = new Set<unknown>();
    return all.filter((r) => !seen.has(r.node) && seen.add(r.node)).sort((a, b) => a.node.pos - b.node.pos);
  },
};

export default detector;
