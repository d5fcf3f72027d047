/**
 * Single-item AWS operations repeated inside a loop, where the service has a batch operation
 * that does the same work in far fewer requests.
 *
 * A call counts as "in a loop" when, walking up from it without leaving its function, it meets
 * a `for`/`for...of`/`for await`/`for...in`/`while`/`do` body, or when its function is the callback
 * of `forEach` or of an async `reduce`. Callbacks of `map` (under `Promise.all` or not) are
 * `no-unbounded-fan-out`'s business, as are calls pushed into an array for a later `Promise.all`.
 * A same-file helper called in the loop is followed one level when its only SDK call is a
 * batchable one made outside any loop of its own: the finding is on the helper call. A destination
 * taken from the helper's parameters varies when the argument the loop passes there does.
 *
 * Not reported, because batching would change behaviour or is not possible:
 * - conditional writes (`ConditionExpression`, legacy `Expected`) and writes that return the old
 *   item (`ReturnValues`): BatchWriteItem supports neither;
 * - Kinesis `PutRecord` with `SequenceNumberForOrdering`, and any call whose input uses a variable
 *   the loop itself reassigns (a value carried from the previous iteration: a cursor, a sequence
 *   number, the next key of a linked list);
 * - calls whose input does not change between iterations (the loop repeats one request: a retry
 *   or a poll, not a list of items), and calls inside a `try` block the loop leaves on success;
 * - a destination (queue, topic, stream, bucket) that changes with the iteration: a batch goes to
 *   one destination;
 * - SNS `Publish` to a phone number or a platform endpoint (`PublishBatch` needs a topic);
 * - DynamoDB reads and writes in a loop that does both (read-modify-write: a batched read would
 *   not see what earlier iterations wrote), and `GetItem` in a loop that stops at the first match;
 * - EventBridge `PutEvents` whose `Entries` is not a one-element array literal;
 * - loops over an array literal of at most two elements, and over a list known to hold AWS Regions
 *   (Region-code literals, a `DescribeRegions` response): one request per Region.
 *
 * OpenSearch / Elasticsearch clients (`../../code/search-clients.ts`) are judged the same way:
 * `index`, `create`, `update` and `delete` → `bulk`, `get` → `mget`.
 *
 * A `while` loop over an index (`while (i < items.length) { put(items[i]); i++ }`) is a loop over
 * the collection: its counter is per-iteration, not state carried from one iteration to the next.
 */
import type { CodeReport, CodeDetector } from '../rule.js';
import { ts } from '../../code/ts.js';
import type { FileAnalysis } from '../../code/analysis.js';
import type { SdkCall } from '../../code/aws-sdk.js';
import { getProperty } from '../../code/values.js';
import { enclosingFunction, isFunctionLike, isLoop, step, unwrap, walk, someOwnNode } from '../../code/walk.js';
import { calleeLabel, resolveLocalFunction } from '../../code/remote-calls.js';
import { countersIn } from '../../code/retry-flow.js';
import { isRegionList } from '../../code/regions.js';
import { searchOperationsOf } from '../../code/search-clients.js';

/** The service name under which OpenSearch / Elasticsearch client calls are judged with the SDK calls. */
const SEARCH_SERVICE = 'search';

/** The API calls of OpenSearch / Elasticsearch clients, in the shape of SDK calls (method calls, as v2 ones are written). */
function searchCalls(analysis: FileAnalysis): SdkCall[] {
  return searchOperationsOf(analysis).map((op) => ({
    service: SEARCH_SERVICE,
    operation: op.operation,
    input: op.params,
    node: op.call,
    calledName: calleeLabel(op.call),
    style: 'v2',
    documentClient: false,
  }));
}

interface BatchAlternative {
  batch: string;
  /** Items per batch request, for the message (none: the batch is bounded by its size in bytes). */
  limit?: number;
  /** Input members naming the one destination a batch request goes to. */
  destination?: string[];
  /** Input members that make the call impossible to batch when present. */
  blockers?: string[];
  /** Input member that must be present (SNS Publish to a topic). */
  requires?: string;
}

const DDB_WRITE_BLOCKERS = ['ConditionExpression', 'Expected', 'ReturnValues', 'ConditionalOperator', 'ReturnValuesOnConditionCheckFailure'];

const BATCHES: Record<string, Record<string, BatchAlternative>> = {
  dynamodb: {
    PutItem: { batch: 'BatchWriteItem', limit: 25, blockers: DDB_WRITE_BLOCKERS },
    DeleteItem: { batch: 'BatchWriteItem', limit: 25, blockers: DDB_WRITE_BLOCKERS },
    GetItem: { batch: 'BatchGetItem', limit: 100 },
  },
  sqs: {
    SendMessage: { batch: 'SendMessageBatch', limit: 10, destination: ['QueueUrl'] },
    DeleteMessage: { batch: 'DeleteMessageBatch', limit: 10, destination: ['QueueUrl'] },
  },
  sns: {
    Publish: { batch: 'PublishBatch', limit: 10, destination: ['TopicArn'], blockers: ['PhoneNumber', 'TargetArn'], requires: 'TopicArn' },
  },
  kinesis: {
    PutRecord: { batch: 'PutRecords', limit: 500, destination: ['StreamName', 'StreamARN'], blockers: ['SequenceNumberForOrdering'] },
  },
  firehose: {
    PutRecord: { batch: 'PutRecordBatch', limit: 500, destination: ['DeliveryStreamName'] },
  },
  eventbridge: {
    PutEvents: { batch: 'PutEvents with several entries', limit: 10 },
  },
  s3: {
    DeleteObject: { batch: 'DeleteObjects', limit: 1000, destination: ['Bucket'], blockers: ['IfMatch', 'IfMatchLastModifiedTime', 'IfMatchSize'] },
  },
  // OpenSearch / Elasticsearch clients: a bulk request may mix indices, so there is no one destination
  [SEARCH_SERVICE]: {
    index: { batch: 'bulk' },
    create: { batch: 'bulk' },
    update: { batch: 'bulk' },
    delete: { batch: 'bulk' },
    get: { batch: 'mget' },
  },
};

/** Document-client operation names, for messages: `PutCommand` performs PutItem. */
const DOCUMENT_NAMES: Record<string, string> = { PutItem: 'Put', DeleteItem: 'Delete', GetItem: 'Get' };
const DOCUMENT_BATCH: Record<string, string> = { BatchWriteItem: 'BatchWrite', BatchGetItem: 'BatchGet' };
/** The data mapper's batch method for each single-item operation. */
const MAPPER_BATCH: Record<string, string> = { PutItem: 'batchPut', DeleteItem: 'batchDelete', GetItem: 'batchGet' };

interface LoopSite {
  /** The loop statement, or the forEach/reduce call. */
  node: ts.Node;
  /** The part that runs once per item. */
  body: ts.Node;
  label: string;
  /** Names bound per iteration (loop variable, callback parameters). */
  perIteration: Set<string>;
}

function bindingNames(name: ts.BindingName, out: Set<string>): void {
  if (ts.isIdentifier(name)) out.add(name.text);
  else for (const el of name.elements) if (ts.isBindingElement(el)) bindingNames(el.name, out);
}

function loopLabel(loop: ts.IterationStatement): string {
  if (ts.isForOfStatement(loop)) return loop.awaitModifier ? '`for await` loop' : '`for...of` loop';
  if (ts.isForInStatement(loop)) return '`for...in` loop';
  if (ts.isForStatement(loop)) return '`for` loop';
  if (ts.isWhileStatement(loop)) return '`while` loop';
  return '`do...while` loop';
}

function containsAwait(fn: ts.FunctionLikeDeclaration): boolean {
  return fn.body !== undefined && someOwnNode(fn.body, ts.isAwaitExpression);
}

/** `items.forEach(cb)` or an async `items.reduce(cb, init)` whose callback is `fn`. */
function iteratingCall(fn: ts.Node): { call: ts.CallExpression; method: string } | undefined {
  let parent = fn.parent;
  while (parent && (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent))) parent = parent.parent;
  if (!parent || !ts.isCallExpression(parent) || unwrap(parent.arguments[0] ?? parent) !== fn) return undefined;
  const callee = unwrap(parent.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const method = callee.name.text;
  if (method === 'forEach') return { call: parent, method };
  if (method === 'reduce' && isFunctionLike(fn) && (fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword) || containsAwait(fn))) {
    return { call: parent, method };
  }
  return undefined;
}

/** The innermost loop whose per-item part contains `node`, without leaving `node`'s function (forEach/reduce callbacks excepted). */
function enclosingLoop(node: ts.Node): LoopSite | undefined {
  let child: ts.Node = node;
  for (let p = node.parent; p; child = p, p = p.parent) {
    step();
    if (isLoop(p)) {
      // the initializer of a `for` and the iterated expression of a `for...of` run once
      if ((ts.isForOfStatement(p) || ts.isForInStatement(p)) && child !== p.statement) continue;
      if (ts.isForStatement(p) && child === p.initializer) continue;
      const perIteration = new Set<string>();
      if ((ts.isForOfStatement(p) || ts.isForInStatement(p)) && ts.isVariableDeclarationList(p.initializer)) {
        for (const d of p.initializer.declarations) bindingNames(d.name, perIteration);
      }
      if (ts.isForStatement(p) && p.initializer && ts.isVariableDeclarationList(p.initializer)) {
        for (const d of p.initializer.declarations) bindingNames(d.name, perIteration);
      }
      // `while (i < items.length) { ... items[i] ...; i++ }`: the index is the loop's, like a `for` variable
      if (ts.isWhileStatement(p) || ts.isDoStatement(p)) {
        const tested = identifiersIn(p.expression);
        for (const counter of countersIn(p.statement)) if (tested.has(counter)) perIteration.add(counter);
      }
      return { node: p, body: p.statement, label: loopLabel(p), perIteration };
    }
    if (isFunctionLike(p)) {
      const it = iteratingCall(p);
      if (!it) return undefined;
      const perIteration = new Set<string>();
      // reduce's first parameter is the accumulator, not the item
      const params = it.method === 'reduce' ? p.parameters.slice(1) : p.parameters;
      for (const param of params) bindingNames(param.name, perIteration);
      return { node: it.call, body: p.body ?? p, label: `\`${it.method}\` callback`, perIteration };
    }
    if (ts.isSourceFile(p)) return undefined;
  }
  return undefined;
}

/** Names declared inside the loop's body (per-iteration values). */
function declaredIn(body: ts.Node, out: Set<string>): void {
  walk(body, (n) => {
    if (ts.isVariableDeclaration(n)) bindingNames(n.name, out);
    else if (ts.isParameter(n)) bindingNames(n.name, out);
    return undefined;
  });
}

/**
 * Names the body assigns whole (`params = { ... }`, not from their own value) in its leading run of
 * plain statements, before anything reads them: each iteration starts by overwriting them, so the
 * previous iteration's value never reaches a call. Mapped to the value assigned.
 */
function overwrittenFirst(loop: LoopSite): Map<string, ts.Expression> {
  const out = new Map<string, ts.Expression>();
  const body = loop.body;
  const statements = ts.isBlock(body) ? body.statements : undefined;
  if (!statements) return out;
  const read = new Set<string>();
  for (const st of statements) {
    if (ts.isExpressionStatement(st)) {
      const e = unwrap(st.expression);
      if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(unwrap(e.left))) {
        const name = (unwrap(e.left) as ts.Identifier).text;
        const used = identifiersIn(e.right);
        if (!read.has(name) && !used.has(name) && !out.has(name)) out.set(name, e.right);
        for (const id of used) read.add(id);
        continue;
      }
    }
    if (!ts.isExpressionStatement(st) && !ts.isVariableStatement(st)) break;
    for (const id of identifiersIn(st)) read.add(id);
  }
  return out;
}

/** Names the loop assigns (not declares): state carried from one iteration to the next. */
function reassignedIn(loop: LoopSite): Set<string> {
  const out = new Set<string>();
  const scan = (root: ts.Node) =>
    walk(root, (n) => {
      if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
        const left = unwrap(n.left);
        if (ts.isIdentifier(left)) out.add(left.text);
        else if (ts.isObjectLiteralExpression(left) || ts.isArrayLiteralExpression(left)) {
          walk(left, (m) => {
            if (ts.isIdentifier(m)) out.add(m.text);
            return undefined;
          });
        }
      }
      return undefined;
    });
  scan(loop.body);
  // `for (; ; cursor = next)`
  if (ts.isForStatement(loop.node) && loop.node.incrementor) scan(loop.node.incrementor);
  return out;
}

function identifiersIn(expr: ts.Node): Set<string> {
  const out = new Set<string>();
  const add = (n: ts.Node) => {
    if (ts.isIdentifier(n) && !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n) && !(ts.isPropertyAssignment(n.parent) && n.parent.name === n)) {
      out.add(n.text);
    }
  };
  add(expr);
  walk(expr, (n) => {
    add(n);
    return undefined;
  });
  return out;
}

/** The identifiers an input depends on, following consts declared in the loop (`const params = {...}`). */
function inputDependencies(analysis: FileAnalysis, input: ts.Expression): Set<string> {
  const out = new Set<string>();
  const queue: ts.Node[] = [input];
  const seen = new Set<ts.Node>();
  for (let i = 0; i < queue.length && i < 50; i++) {
    for (const name of identifiersIn(queue[i])) {
      out.add(name);
    }
    walk(queue[i], (n) => {
      if (ts.isIdentifier(n)) {
        const v = analysis.valueOf(n);
        if (v && !seen.has(v)) {
          seen.add(v);
          queue.push(v);
        }
      }
      return undefined;
    });
    const top = unwrap(queue[i] as ts.Expression);
    if (ts.isIdentifier(top)) {
      const v = analysis.valueOf(top);
      if (v && !seen.has(v)) {
        seen.add(v);
        queue.push(v);
      }
    }
  }
  return out;
}

function intersects(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  for (const x of a) if (b.has(x)) return true;
  return false;
}

/** `for (const x of ['a', 'b'])`, `['a', 'b'].forEach(...)`: a loop over at most two literal items. */
function isTinyLiteralLoop(analysis: FileAnalysis, loop: LoopSite): boolean {
  let iterated: ts.Expression | undefined;
  if (ts.isForOfStatement(loop.node)) iterated = loop.node.expression;
  else if (ts.isCallExpression(loop.node) && ts.isPropertyAccessExpression(unwrap(loop.node.expression))) {
    iterated = (unwrap(loop.node.expression) as ts.PropertyAccessExpression).expression;
  }
  if (!iterated) return false;
  // one request per AWS Region: a few dozen at most, and a batch goes to one Region
  if (isRegionList(analysis, iterated)) return true;
  const value = analysis.resolveValue(iterated);
  return ts.isArrayLiteralExpression(value) && value.elements.length <= 2 && !value.elements.some(ts.isSpreadElement);
}

/** The loop leaves once the call succeeds: a retry of the same request. */
function inRetryTry(node: ts.Node, loop: LoopSite): boolean {
  for (let p = node.parent; p && p !== loop.body; p = p.parent) {
    step();
    if (ts.isBlock(p) && ts.isTryStatement(p.parent) && p.parent.tryBlock === p) {
      let exits = false;
      walk(p, (n) => {
        if (exits || isFunctionLike(n)) return false;
        if (ts.isReturnStatement(n) || (ts.isBreakStatement(n) && !n.label && !insideInnerLoopOrSwitch(n, p))) exits = true;
        return !exits;
      });
      if (exits) return true;
    }
  }
  return false;
}

function insideInnerLoopOrSwitch(n: ts.Node, root: ts.Node): boolean {
  for (let p = n.parent; p && p !== root; p = p.parent) {
    step();
    if (isLoop(p) || ts.isSwitchStatement(p)) return true;
  }
  return false;
}

/** `promises.push(client.send(...))`: an array filled for a later Promise.all. */
function isPushed(node: ts.Node): boolean {
  let e: ts.Node = node;
  for (;;) {
    const parent = e.parent;
    if (!parent) return false;
    if (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent)) {
      e = parent;
      continue;
    }
    // v2 `.promise()`, and a v3 `client.send(new XCommand())` around the command
    if (ts.isPropertyAccessExpression(parent) && parent.expression === e && ts.isCallExpression(parent.parent)) {
      e = parent.parent;
      continue;
    }
    if (ts.isCallExpression(parent) && parent.arguments.includes(e as ts.Expression)) {
      const callee = unwrap(parent.expression);
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'push') return true;
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'send') {
        e = parent;
        continue;
      }
    }
    return false;
  }
}

const DDB_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems', 'ExecuteStatement']);

const DDB_READS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);

/**
 * A read-modify-write loop (it both reads and writes DynamoDB): batching the reads would miss what
 * earlier iterations wrote, and deferring the writes would hide them from later reads.
 */
function dynamoCallsIn(analysis: FileAnalysis, loop: LoopSite, operations: ReadonlySet<string>): boolean {
  // the starts of the file's calls of those operations, found once (asked for every call of every loop)
  let byOperations = DYNAMO_CALLS.get(analysis);
  if (!byOperations) DYNAMO_CALLS.set(analysis, (byOperations = new Map()));
  let starts = byOperations.get(operations);
  if (!starts) {
    starts = analysis.sdkCalls
      .filter((c) => c.service === 'dynamodb' && operations.has(c.operation))
      .map((c) => c.node.getStart())
      .sort((a, b) => a - b);
    byOperations.set(operations, starts);
  }
  // a call that starts in the body ends in it
  const start = loop.body.getStart();
  let lo = 0;
  let hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]! < start) lo = mid + 1;
    else hi = mid;
  }
  return lo < starts.length && starts[lo]! < loop.body.getEnd();
}

const DYNAMO_CALLS = new WeakMap<FileAnalysis, Map<ReadonlySet<string>, number[]>>();

/** A search: the loop stops at the first item that matches, so later items are never read. */
function leavesEarly(loop: LoopSite): boolean {
  if (!isLoop(loop.node)) return false;
  return someOwnNode(loop.body, (n) => ts.isReturnStatement(n) || (ts.isBreakStatement(n) && !n.label && !insideInnerLoopOrSwitch(n, loop.body)));
}

function isOneEntryArray(analysis: FileAnalysis, input: ts.Expression | undefined): boolean {
  const entries = getProperty(analysis, input, 'Entries');
  if (entries.kind !== 'present') return false;
  const value = analysis.resolveValue(entries.value);
  return ts.isArrayLiteralExpression(value) && value.elements.length === 1 && !ts.isSpreadElement(value.elements[0]);
}

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);

/** The call and its batch alternative as the code would write them: `PutCommand` / `BatchWriteCommand`, `putItem` / `batchWriteItem`. */
function names(call: SdkCall, alt: BatchAlternative): { single: string; batch: string } {
  if (call.operation === 'PutEvents') return { single: `\`${call.calledName}\` with one entry`, batch: 'one `PutEvents` call with several entries' };
  if (call.mapper) return { single: `\`${call.calledName}\``, batch: `\`${MAPPER_BATCH[call.operation] ?? lowerFirst(alt.batch)}\`` };
  const batch = call.documentClient ? (DOCUMENT_BATCH[alt.batch] ?? alt.batch) : alt.batch;
  if (call.style === 'v3-command') {
    const single = call.documentClient ? `${DOCUMENT_NAMES[call.operation] ?? call.operation}Command` : call.calledName;
    return { single: `\`${single}\``, batch: `\`${batch}Command\`` };
  }
  return { single: `\`${call.calledName}\``, batch: `\`${lowerFirst(batch)}\`` };
}

/** Whether the call itself (its input, destination, kind) can be batched, wherever it is. */
function batchable(analysis: FileAnalysis, call: SdkCall): BatchAlternative | undefined {
  const alt = BATCHES[call.service]?.[call.operation];
  if (!alt || !call.input) return undefined;
  // the data mapper's input is the item; a condition (`{ condition }`) comes in its options
  if (call.mapper) return call.mapper.options && getProperty(analysis, call.mapper.options, 'condition').kind !== 'absent' ? undefined : alt;
  for (const member of alt.blockers ?? []) if (getProperty(analysis, call.input, member).kind !== 'absent') return undefined;
  if (alt.requires && getProperty(analysis, call.input, alt.requires).kind === 'absent') return undefined;
  if (call.operation === 'PutEvents' && !isOneEntryArray(analysis, call.input)) return undefined;
  return alt;
}

/**
 * Whether the loop repeats `node` once per item: not a retry, not a read-modify-write, not a value
 * carried between iterations, and the request (`deps`: what it depends on) changes with the item.
 */
function repeatsPerItem(analysis: FileAnalysis, call: SdkCall, node: ts.Node, loop: LoopSite, deps: Set<string>): boolean {
  if (isPushed(node) || isTinyLiteralLoop(analysis, loop) || inRetryTry(node, loop)) return false;
  if (call.operation === 'GetItem' && (dynamoCallsIn(analysis, loop, DDB_WRITES) || leavesEarly(loop))) return false;
  if (call.service === SEARCH_SERVICE && call.operation === 'get' && leavesEarly(loop)) return false;
  if ((call.operation === 'PutItem' || call.operation === 'DeleteItem') && call.service === 'dynamodb' && dynamoCallsIn(analysis, loop, DDB_READS)) return false;
  const perIteration = new Set(loop.perIteration);
  declaredIn(loop.body, perIteration);
  const reassigned = reassignedIn(loop);
  // names declared per iteration start afresh each time round
  for (const n of perIteration) reassigned.delete(n);
  // `params = { ...item }` at the top of each iteration: declared outside, but nothing carries over
  const fresh = overwrittenFirst(loop);
  if (fresh.size > 0) {
    deps = new Set(deps);
    for (const [name, value] of fresh) {
      reassigned.delete(name);
      if (deps.has(name)) for (const id of identifiersIn(value)) deps.add(id);
    }
  }
  // a value carried over from the previous iteration: the calls are a sequence, not a set
  if (intersects(deps, reassigned)) return false;
  // the same request every time round: a retry or a poll
  return intersects(deps, perIteration);
}

function message(call: SdkCall, alt: BatchAlternative, loop: LoopSite, via?: string): string {
  const { single, batch } = names(call, alt);
  const what = via ? `\`${via}\` (which sends ${single})` : single;
  const handles = alt.limit === undefined ? 'sends many items in one request' : `handles up to ${alt.limit} items per request`;
  return `${what} inside a ${loop.label} sends one request per item: ${batch} ${handles} and keeps the load on ${serviceName(call.service)} constant`;
}

/** The destination is unknown or depends on one of `varying`: the calls may go to different places. */
function destinationVaries(analysis: FileAnalysis, call: SdkCall, alt: BatchAlternative, varying: ReadonlySet<string>): boolean {
  for (const member of alt.destination ?? []) {
    const dest = getProperty(analysis, call.input, member);
    if (dest.kind === 'unknown') return true;
    if (dest.kind === 'present' && intersects(inputDependencies(analysis, dest.value), varying)) return true;
  }
  return false;
}

function check(analysis: FileAnalysis, sdkCall: SdkCall): CodeReport | undefined {
  const loop = enclosingLoop(sdkCall.node);
  if (!loop) return undefined;
  // `params = { ... }; client.send(params)` with `params` declared before the loop: the request is
  // what this iteration assigned, not the declaration's first value
  const named = sdkCall.input && unwrap(sdkCall.input);
  const assigned = named && ts.isIdentifier(named) ? overwrittenFirst(loop).get(named.text) : undefined;
  const call = assigned ? { ...sdkCall, input: assigned } : sdkCall;
  const alt = batchable(analysis, call);
  if (!alt) return undefined;
  if (!repeatsPerItem(analysis, call, call.node, loop, inputDependencies(analysis, call.input!))) return undefined;
  const perIteration = new Set(loop.perIteration);
  declaredIn(loop.body, perIteration);
  if (destinationVaries(analysis, call, alt, perIteration)) return undefined;
  return { node: call.node, message: message(call, alt, loop) };
}

/**
 * `for (const o of orders) await save(o)` where the same-file helper `save` makes one batchable
 * call (outside any loop of its own): reported at the helper call, with the SDK call as related.
 */
function checkHelperCall(analysis: FileAnalysis, helperCall: ts.CallExpression, byFunction: Map<ts.Node, SdkCall[]>): CodeReport | undefined {
  if (helperCall.arguments.length === 0) return undefined;
  const fn = resolveLocalFunction(analysis, helperCall.expression);
  if (!fn?.body) return undefined;
  const calls = byFunction.get(fn);
  if (!calls || calls.length !== 1) return undefined;
  const call = calls[0];
  const alt = batchable(analysis, call);
  if (!alt) return undefined;
  const loop = enclosingLoop(helperCall);
  if (!loop) return undefined;
  const deps = new Set<string>();
  for (const a of helperCall.arguments) for (const d of inputDependencies(analysis, a)) deps.add(d);
  if (!repeatsPerItem(analysis, call, helperCall, loop, deps)) return undefined;
  // a destination taken from the helper's parameters changes with the item when the loop passes
  // one that does there (a per-iteration name, one declared or assigned in the loop): a queue URL
  // looked up before the loop is the same queue every time round
  const varying = new Set(loop.perIteration);
  declaredIn(loop.body, varying);
  for (const n of reassignedIn(loop)) varying.add(n);
  const spread = helperCall.arguments.some(ts.isSpreadElement);
  const params = new Set<string>();
  fn.parameters.forEach((p, i) => {
    const arg = helperCall.arguments[i];
    if (spread || p.dotDotDotToken || (arg && intersects(inputDependencies(analysis, arg), varying))) bindingNames(p.name, params);
  });
  if (destinationVaries(analysis, call, alt, params)) return undefined;
  const callee = unwrap(helperCall.expression).getText().replace(/\s+/g, '');
  if (callee.length > 40) return undefined;
  return { node: helperCall, message: message(call, alt, loop, `${callee}(...)`), related: [{ node: call.node, label: 'single-item call' }] };
}

const SERVICE_NAMES: Record<string, string> = {
  dynamodb: 'DynamoDB',
  sqs: 'SQS',
  sns: 'SNS',
  kinesis: 'Kinesis',
  firehose: 'Firehose',
  eventbridge: 'EventBridge',
  s3: 'S3',
  [SEARCH_SERVICE]: 'the search cluster',
};

function serviceName(service: string): string {
  return SERVICE_NAMES[service] ?? service;
}

const detector: CodeDetector = {
  // SDK and search client calls are recognised by import source: no such import, nothing to find
  // `.promise()`: an SDK v2 call on a client another module of the project exports
  prefilter: /aws-sdk|elastic|opensearch|dynamodb-data-mapper|\.promise\s*\(/,
  code({ analysis }) {
    const reports: CodeReport[] = [];
    // batchable calls made by same-file helpers outside any loop of their own, by helper
    const byFunction = new Map<ts.Node, SdkCall[]>();
    for (const call of [...analysis.sdkCalls, ...searchCalls(analysis)]) {
      const r = check(analysis, call);
      if (r) reports.push(r);
      const fn = enclosingFunction(call.node);
      if (!fn || enclosingLoop(call.node) || iteratingCall(fn)) continue;
      const list = byFunction.get(fn) ?? [];
      list.push(call);
      byFunction.set(fn, list);
    }
    if (byFunction.size > 0) {
      for (const c of analysis.calls) {
        const r = checkHelperCall(analysis, c, byFunction);
        if (r) reports.push(r);
      }
    }
    return reports.sort((a, b) => a.node.pos - b.node.pos);
  },
};

export default detector;
