/**
 * Idempotency keys that change on every attempt: a token, execution name, deduplication id,
 * `Idempotency-Key` header or Stripe `idempotencyKey` computed from a random or time-based value.
 *
 * Where the key is generated decides whether it defeats its purpose:
 * - time-based values (`Date.now()`, `new Date()`, `performance.now()`, `process.hrtime()`) are
 *   reported wherever they are: a later retry computes another key, and two callers in the same
 *   tick compute the same one;
 * - random values (`randomUUID()`, `uuid.v4()`, `nanoid()`, `Math.random()`, ...) are reported
 *   when they are generated inside an at-least-once handler (every redelivery gets a new key) or
 *   inside a retry: a loop that goes round again after a caught failure of the call, a function
 *   passed to a retry library or a `*retry*` helper, or a function that calls itself from its catch
 *   block. A random key generated once, before the retry loop and outside a handler, is fine.
 *
 * Keys are also looked for in message and event payloads: a field named like an idempotency or
 * deduplication key (`idempotencyKey`, `dedupId`, ...) that a consumer deduplicates on.
 *
 * The value is followed as `unstableValue` (`src/code/unstable-values.ts`) describes: consts,
 * template literals, string and date methods, properties set on an object, same-file helpers.
 */
import type { CodeReport, CodeDetector } from '../rule.js';
import { ts } from '../../code/ts.js';
import type { FileAnalysis } from '../../code/analysis.js';
import { getProperty, objectLiteralOf } from '../../code/values.js';
import { ancestors, enclosingFunction, functionName, isFunctionLike, isLoop, returnedExpressions, step, unwrap, walk } from '../../code/walk.js';
import { callerReference, tokenMembers } from '../../code/idempotency-catalog.js';
import { callText, unstableValue } from '../../code/unstable-values.js';
import { callsWithin, resolveLocalFunction } from '../../code/remote-calls.js';
import { calleeAcross, shownLocation } from '../../code/modules.js';
import { reachedAt, reachedFiles } from '../../code/reach.js';
import type { ContextEvidence } from '../../code/evidence.js';

interface KeySite {
  /** The property (or header call) that carries the key: findings point here. */
  node: ts.Node;
  value: ts.Expression;
  /** "ClientToken of RunInstances", "the Idempotency-Key header". */
  what: string;
  /** The call that sends the key (for retry detection). */
  use: ts.Node;
}

const RETRY_MODULES = new Set(['p-retry', 'async-retry', 'promise-retry', 'exponential-backoff', '@lifeomic/attempt', 'ts-retry-promise', 'retry', 'async', 'cockatiel']);

// ---------------------------------------------------------------------------------------------
// where keys are passed

function entryObjects(analysis: FileAnalysis, expr: ts.Expression | undefined): ts.ObjectLiteralExpression[] {
  if (!expr) return [];
  const e = analysis.resolveValue(expr);
  if (ts.isArrayLiteralExpression(e)) return e.elements.map((el) => objectLiteralOf(analysis, el)).filter((o): o is ts.ObjectLiteralExpression => !!o);
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'map') {
    const cb = e.arguments[0] && unwrap(e.arguments[0]);
    if (cb && isFunctionLike(cb) && cb.body) {
      return returnedExpressions(cb)
        .map((r) => objectLiteralOf(analysis, r))
        .filter((o): o is ts.ObjectLiteralExpression => !!o);
    }
  }
  return [];
}

/**
 * The object literals a request variable may hold: its value, or, for a `let params` assigned in
 * several branches (`case 'a': params = {...}; break; case 'b': params = {...}`), each assignment.
 */
function inputVariants(analysis: FileAnalysis, input: ts.Expression | undefined): (ts.Expression | undefined)[] {
  const e = input && unwrap(input);
  if (!e || !ts.isIdentifier(e)) return [input];
  const from = analysis.declaredFrom(e);
  if (!from?.reassigned || from.pick.length > 0) return [input];
  const scope = enclosingFunction(e)?.body ?? analysis.sourceFile;
  const out: ts.Expression[] = [];
  walk(scope, (n) => {
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(unwrap(n.left)) && (unwrap(n.left) as ts.Identifier).text === e.text && n.end <= e.pos) {
      if (ts.isObjectLiteralExpression(unwrap(n.right))) out.push(n.right);
    }
    return undefined;
  });
  return out.length > 0 ? out : [input];
}

const SDK_KEY_SITES = new WeakMap<FileAnalysis, KeySite[]>();

/** The keys the file's SDK calls send, in the order of their calls (found once per file). */
function sdkKeySites(analysis: FileAnalysis): KeySite[] {
  let sites = SDK_KEY_SITES.get(analysis);
  if (!sites) {
    sites = findSdkKeySites(analysis).sort((a, b) => a.use.pos - b.use.pos);
    SDK_KEY_SITES.set(analysis, sites);
  }
  return sites;
}

/** The keys sent by SDK calls inside `body`: a binary search over the file's sites, in call order. */
function sdkKeySitesWithin(analysis: FileAnalysis, body: ts.Node): KeySite[] {
  const sites = sdkKeySites(analysis);
  let lo = 0;
  let hi = sites.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sites[mid]!.use.pos < body.pos) lo = mid + 1;
    else hi = mid;
  }
  const out: KeySite[] = [];
  let i = lo;
  for (; i < sites.length && sites[i]!.use.pos < body.end; i++) if (sites[i]!.use.end <= body.end) out.push(sites[i]!);
  step(1 + i - lo);
  return out;
}

function findSdkKeySites(analysis: FileAnalysis): KeySite[] {
  const out: KeySite[] = [];
  const add = (obj: ts.Expression | undefined, member: string, what: string, use: ts.Node) => {
    for (const variant of inputVariants(analysis, obj)) {
      const p = getProperty(analysis, variant, member);
      if (p.kind === 'present') out.push({ node: p.node, value: p.value, what, use });
    }
  };
  for (const call of analysis.sdkCalls) {
    for (const member of tokenMembers(call.service, call.operation)) add(call.input, member, `${member} of ${call.operation}`, call.node);
    const reference = callerReference(call.service, call.operation);
    if (reference?.length === 1) add(call.input, reference[0]!, `${reference[0]!} of ${call.operation}`, call.node);
    else if (reference?.length === 2) {
      for (const variant of inputVariants(analysis, call.input)) {
        const outer = getProperty(analysis, variant, reference[0]!);
        if (outer.kind === 'present') add(outer.value, reference[1]!, `${reference.join('.')} of ${call.operation}`, call.node);
      }
    }
    if (call.service === 'sfn' && call.operation === 'StartExecution') add(call.input, 'name', 'the execution name of StartExecution', call.node);
    if ((call.service === 'sqs' && call.operation === 'SendMessage') || (call.service === 'sns' && call.operation === 'Publish')) {
      add(call.input, 'MessageDeduplicationId', `MessageDeduplicationId of ${call.operation}`, call.node);
    }
    const entries = call.service === 'sqs' && call.operation === 'SendMessageBatch' ? 'Entries' : call.service === 'sns' && call.operation === 'PublishBatch' ? 'PublishBatchRequestEntries' : undefined;
    if (entries) {
      const list = getProperty(analysis, call.input, entries);
      if (list.kind === 'present') {
        for (const obj of entryObjects(analysis, list.value)) add(obj, 'MessageDeduplicationId', `MessageDeduplicationId of a ${call.operation} entry`, call.node);
      }
    }
  }
  return out;
}

const HEADER = /^(x-)?idempotency-key$/i;
/** Fields of a message or event payload that carry the key a consumer deduplicates on. */
const PAYLOAD_FIELD = /^(?:idempotency[-_]?(?:key|token|id)|dedup(?:e|lication)?[-_]?(?:id|key))$/i;
const HEADER_METHODS = new Set(['set', 'append', 'setHeader', 'header']);

function propertyName(name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteralLike(name)) return name.text;
  if (ts.isComputedPropertyName(name) && ts.isStringLiteralLike(unwrap(name.expression))) return (unwrap(name.expression) as ts.StringLiteralLike).text;
  return undefined;
}

/** The call an object literal is (directly or through a const / a `headers:` property) an argument of. */
function usingCall(node: ts.Node): ts.Node {
  for (const a of ancestors(node)) {
    if (ts.isCallExpression(a) || ts.isNewExpression(a)) return a;
    if (ts.isStatement(a) || isFunctionLike(a)) return node;
  }
  return node;
}

function otherKeySites(analysis: FileAnalysis, stripe: boolean): KeySite[] {
  const out: KeySite[] = [];
  // every site below names an idempotency key: skip the walk when the text never does
  if (!/idempotency|dedup/i.test(analysis.sourceFile.text)) return out;
  walk(analysis.sourceFile, (n) => {
    if (ts.isPropertyAssignment(n)) {
      const name = propertyName(n.name);
      if (!name) return undefined;
      if (HEADER.test(name)) out.push({ node: n, value: n.initializer, what: `the ${name} header`, use: usingCall(n) });
      else if (stripe && name === 'idempotencyKey' && isStripeOptions(n)) out.push({ node: n, value: n.initializer, what: 'the Stripe idempotencyKey', use: usingCall(n) });
      else if (PAYLOAD_FIELD.test(name)) out.push({ node: n, value: n.initializer, what: `the \`${name}\` field of the payload`, use: usingCall(n) });
    } else if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && HEADER_METHODS.has(n.expression.name.text) && n.arguments.length >= 2) {
      const key = n.arguments[0];
      if (ts.isStringLiteralLike(key) && HEADER.test(key.text)) out.push({ node: n, value: n.arguments[1], what: `the ${key.text} header`, use: n });
    } else if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isElementAccessExpression(n.left)) {
      const key = n.left.argumentExpression;
      if (ts.isStringLiteralLike(key) && HEADER.test(key.text)) out.push({ node: n, value: n.right, what: `the ${key.text} header`, use: n });
    }
    return undefined;
  });
  return out;
}

/** `{ idempotencyKey }` passed as the request options (second or later argument) of a call. */
function isStripeOptions(prop: ts.PropertyAssignment): boolean {
  const obj = prop.parent;
  const call = obj.parent;
  return ts.isObjectLiteralExpression(obj) && !!call && ts.isCallExpression(call) && call.arguments.indexOf(obj) >= 1;
}

// ---------------------------------------------------------------------------------------------
// retries

/** A function passed to a retry library (p-retry, async-retry, ...) or to a helper named like one. */
function isRetryCallback(analysis: FileAnalysis, fn: ts.Node): string | undefined {
  let parent = fn.parent;
  while (parent && (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent))) parent = parent.parent;
  if (!parent || !ts.isCallExpression(parent) || !parent.arguments.some((a) => unwrap(a) === fn)) return undefined;
  const callee = unwrap(parent.expression);
  const origin = analysis.origin(callee);
  if (origin?.kind === 'module' && RETRY_MODULES.has(origin.ref.module)) {
    if (origin.ref.module === 'async' && !/retry/i.test(origin.ref.path.join('.'))) return undefined;
    return `the function passed to \`${callText(callee)}\``;
  }
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
  if (/retr(y|ies)|backoff/i.test(name)) return `the function passed to \`${callText(callee)}\``;
  return undefined;
}

function exitsLoopOnSuccess(tryBlock: ts.Block, loop: ts.IterationStatement): boolean {
  const cond = ts.isWhileStatement(loop) || ts.isDoStatement(loop) ? loop.expression : ts.isForStatement(loop) ? loop.condition : undefined;
  // `while (!done)` ends with `done = true`, `while (retry)` with `retry = false`
  let flag: { name: string; ending: ts.SyntaxKind } | undefined;
  if (cond) {
    const c = unwrap(cond);
    if (ts.isIdentifier(c)) flag = { name: c.text, ending: ts.SyntaxKind.FalseKeyword };
    else if (ts.isPrefixUnaryExpression(c) && c.operator === ts.SyntaxKind.ExclamationToken && ts.isIdentifier(unwrap(c.operand))) {
      flag = { name: (unwrap(c.operand) as ts.Identifier).text, ending: ts.SyntaxKind.TrueKeyword };
    }
  }
  let exits = false;
  walk(tryBlock, (n) => {
    if (exits || isFunctionLike(n)) return false;
    if (ts.isReturnStatement(n)) exits = true;
    else if (ts.isBreakStatement(n) && !n.label && !nestedBreakTarget(n, tryBlock)) exits = true;
    else if (
      flag &&
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isIdentifier(unwrap(n.left)) &&
      (unwrap(n.left) as ts.Identifier).text === flag.name &&
      unwrap(n.right).kind === flag.ending
    ) {
      exits = true;
    }
    return !exits;
  });
  return exits;
}

function nestedBreakTarget(n: ts.Node, root: ts.Node): boolean {
  for (let p = n.parent; p && p !== root; p = p.parent) {
    step();
    if (isLoop(p) || ts.isSwitchStatement(p)) return true;
  }
  return false;
}

function alwaysLeaves(block: ts.Block): boolean {
  const last = block.statements[block.statements.length - 1];
  return !!last && (ts.isThrowStatement(last) || ts.isReturnStatement(last) || ts.isBreakStatement(last));
}

/** The retry that re-runs `site` on failure of `use`, described for the message. */
function retryAround(analysis: FileAnalysis, site: ts.Node, use: ts.Node): string | undefined {
  for (const a of ancestors(site)) {
    if (isLoop(a)) {
      for (const t of ancestors(use)) {
        if (t === a) break;
        if (ts.isTryStatement(t) && t.catchClause && isAncestor(t.tryBlock, use) && !alwaysLeaves(t.catchClause.block) && exitsLoopOnSuccess(t.tryBlock, a)) {
          return 'inside a retry loop';
        }
      }
    }
    if (isFunctionLike(a)) {
      const cb = isRetryCallback(analysis, a);
      if (cb) return `inside ${cb}`;
      if (callsItselfFromCatch(a)) return `inside \`${functionName(a) ?? 'a function'}\`, which calls itself again from its catch block`;
    }
  }
  return undefined;
}

function isAncestor(container: ts.Node, node: ts.Node): boolean {
  for (const a of ancestors(node)) if (a === container) return true;
  return false;
}

function callsItselfFromCatch(fn: ts.FunctionLikeDeclaration): boolean {
  const name = ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn) || ts.isMethodDeclaration(fn) ? fn.name?.getText() : functionName(fn);
  if (!name || !fn.body) return false;
  const last = name.split('.').pop();
  let found = false;
  walk(fn.body, (n) => {
    if (found || (isFunctionLike(n) && n !== fn)) return false;
    if (ts.isCatchClause(n)) {
      walk(n.block, (m) => {
        if (ts.isCallExpression(m)) {
          const c = unwrap(m.expression);
          const called = ts.isIdentifier(c) ? c.text : ts.isPropertyAccessExpression(c) && c.expression.kind === ts.SyntaxKind.ThisKeyword ? c.name.text : undefined;
          if (called === last) found = true;
        }
        return !found;
      });
    }
    return !found;
  });
  return found;
}

// ---------------------------------------------------------------------------------------------

const DELIVERY: Record<string, string> = {
  SQS: 'message',
  SNS: 'message',
  Kinesis: 'record',
  'DynamoDB Streams': 'record',
  Kafka: 'record',
  Firehose: 'record',
  // a task a retrier of the workflow runs again
  'Step Functions': 'task',
};

/**
 * The report for a key, if its value is unstable; `contextAt` gives the execution context a random
 * value is generated in (the file's own handlers, or for a helper of another module, the context of
 * the handler's call that reaches it).
 */
function check(analysis: FileAnalysis, key: KeySite, contextAt: (node: ts.Node) => ContextEvidence | undefined = (node) => analysis.contexts.contextAt(node)): CodeReport | undefined {
  const u = unstableValue(analysis, key.value);
  if (!u) return undefined;
  const related = u.source !== key.value && unwrap(key.value) !== u.source ? [{ node: u.source, label: 'key generated here' }] : undefined;
  if (u.kind === 'time') {
    return {
      node: key.node,
      message: `${key.what} is built from ${u.label}: a retry a moment later sends a different key, so the repeat is not recognised, and clock-based keys can collide between callers`,
      related,
    };
  }
  const inFunction = enclosingFunction(u.site) !== undefined;
  const context = inFunction ? contextAt(u.site) : undefined;
  if (context?.context === 'at-least-once') {
    const delivery = context.source ? `${context.source} ${DELIVERY[context.source] ?? 'event'}` : 'event';
    return {
      node: key.node,
      message: `${key.what} comes from ${u.label} generated inside an at-least-once handler (${context.reason}): a redelivered ${delivery} gets a new key, so the operation is performed twice`,
      related,
    };
  }
  const retry = retryAround(analysis, u.site, key.use);
  if (retry) {
    return {
      node: key.node,
      message: `${key.what} comes from ${u.label} generated ${retry}: every attempt sends a new key, so an attempt that succeeded but looked failed is performed again`,
      related,
    };
  }
  return undefined;
}

/** A key a function sends that arrives as its parameter `index`. */
interface ParameterKey {
  index: number;
  what: string;
  /** Where the key is sent (the property of the SDK call). */
  sent: ts.Node;
  /** For a key the function hands on to a helper that sends it: its call of that helper. */
  handed?: ts.CallExpression;
}

/** The index of the parameter of `fn` that `expr` names, when it is one that is never reassigned. */
function parameterIndex(facts: FileAnalysis, fn: ts.FunctionLikeDeclaration, expr: ts.Expression): number {
  const value = unwrap(expr);
  if (!ts.isIdentifier(value) || facts.resolveValue(value) !== value) return -1;
  return fn.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === value.text);
}

/** The function a call of `facts` runs: a same-file function or one of another module. */
function calledFunction(facts: FileAnalysis, call: ts.CallExpression): { facts: FileAnalysis; fn: ts.FunctionLikeDeclaration } | undefined {
  const local = resolveLocalFunction(facts, call.expression);
  const target = local ? { facts, fn: local } : calleeAcross(facts, call.expression);
  if (!target?.fn.body || (target.facts === facts && target.fn.pos <= call.pos && call.end <= target.fn.end)) return undefined;
  return { facts: target.facts as FileAnalysis, fn: target.fn };
}

const SENT_KEYS = new WeakMap<ts.Node, ParameterKey[]>();

/** Keys `fn` sends itself that arrive as one of its parameters (`startWorkflow(arn, name)` sending `name`). */
function sentKeys(facts: FileAnalysis, fn: ts.FunctionLikeDeclaration): ParameterKey[] {
  let out = SENT_KEYS.get(fn);
  if (out) return out;
  out = [];
  for (const key of sdkKeySitesWithin(facts, fn.body!)) {
    const index = parameterIndex(facts, fn, key.value);
    if (index >= 0) out.push({ index, what: key.what, sent: key.node });
  }
  SENT_KEYS.set(fn, out);
  return out;
}

const HANDED_KEYS = new WeakMap<ts.Node, ParameterKey[]>();

/**
 * Keys `fn` sends itself, and keys it hands on as a parameter to a helper that sends them
 * (`execute(workflow, name)` calling `startWorkflow(arn, name)`): one helper further.
 */
function parameterKeys(facts: FileAnalysis, fn: ts.FunctionLikeDeclaration): ParameterKey[] {
  let out = HANDED_KEYS.get(fn);
  if (out) return out;
  out = [...sentKeys(facts, fn)];
  const body = fn.body!;
  if (fn.parameters.length > 0) {
    const calls = callsWithin(facts, body);
    step(calls.length);
    for (const call of calls) {
      if (call.arguments.length === 0) continue;
      const target = calledFunction(facts, call);
      if (!target || target.fn === fn) continue;
      for (const key of sentKeys(target.facts, target.fn)) {
        const arg = call.arguments[key.index];
        const index = arg && !ts.isSpreadElement(arg) ? parameterIndex(facts, fn, arg) : -1;
        if (index >= 0) out.push({ index, what: key.what, sent: key.sent, handed: call });
      }
    }
  }
  HANDED_KEYS.set(fn, out);
  return out;
}

/**
 * Keys a helper sends that arrive as one of its parameters (`startWorkflow(arn, name)` sending
 * `name` as the execution name), also through a second helper it hands the parameter to: at each
 * call of such a helper, the argument is the key.
 */
function passedKeySites(analysis: FileAnalysis): { site: KeySite; sent: ts.Node; handed?: ts.Node }[] {
  const out: { site: KeySite; sent: ts.Node; handed?: ts.Node }[] = [];
  for (const call of analysis.calls) {
    if (call.arguments.length === 0) continue;
    const target = calledFunction(analysis, call);
    if (!target) continue;
    for (const key of parameterKeys(target.facts, target.fn)) {
      const arg = call.arguments[key.index];
      if (!arg) continue;
      const where = key.sent.getSourceFile() === call.getSourceFile() ? '' : ` in ${shownLocation(call, key.sent)}`;
      const by = key.handed
        ? `\`${callText(call.expression)}\` hands it to \`${callText(key.handed.expression)}\`, which sends it${where}`
        : `sent by \`${callText(call.expression)}\`${where}`;
      out.push({ site: { node: arg, value: arg, what: `${key.what} (${by})`, use: call }, sent: key.sent, ...(key.handed ? { handed: key.handed } : {}) });
    }
  }
  return out;
}

const detector: CodeDetector = {
  // every finding needs a random or time-based generator, here or in a helper of another module
  // (a file that only passes `executionName` or a token made elsewhere names the key instead)
  prefilter: /uuid|nanoid|random|\bDate\b|date-?fns|datetime|performance|hrtime|ulid|cuid|short-uuid|moment|dayjs|luxon|dedup|idempot|(?:execution|run|job)_?name|clienttoken|requesttoken|callerreference/i,
  followsImports: true,
  code({ analysis }) {
    const stripe = analysis.modules.has('stripe');
    const sites = [...sdkKeySites(analysis), ...otherKeySites(analysis, stripe)];
    const seen = new Set<ts.Node>();
    const reports: CodeReport[] = [];
    for (const key of sites) {
      if (seen.has(key.node)) continue;
      seen.add(key.node);
      const r = check(analysis, key);
      if (r) reports.push(r);
    }
    for (const { site, sent, handed } of passedKeySites(analysis)) {
      if (seen.has(site.node)) continue;
      seen.add(site.node);
      const r = check(analysis, site);
      const through = handed ? [{ node: handed, label: 'the key is handed on here' }] : [];
      if (r) reports.push({ ...r, related: [...(r.related ?? []), ...through, { node: sent, label: 'the key is sent here' }] });
    }
    // keys that helpers of other modules generate and send, in the context of the handler's call that reaches them
    for (const file of reachedFiles(analysis)) {
      for (const key of sdkKeySites(file.facts)) {
        const from = reachedAt(file, key.use)?.from;
        if (!from || seen.has(key.node)) continue;
        seen.add(key.node);
        const r = check(file.facts, key, (node) => reachedAt(file, node)?.context);
        if (r) reports.push({ ...r, related: [...(r.related ?? []), { node: from, label: 'reached from this call of the handler' }] });
      }
    }
    return reports.sort((a, b) => a.node.pos - b.node.pos);
  },
};

export default detector;
