/**
 * "Is this call a request to another system?" — the recogniser rules use to tell a loop, retry or
 * fan-out around a network call from one around local work. A call is remote when it is:
 * - an AWS SDK operation (from `sdkCallsOf`): any call handed a v3 command
 *   (`client.send(new XCommand(...))`, also with the command in a const and with a client imported
 *   from another file), `send(...)` on an SDK v3 client instance, v3 aggregated
 *   `client.putItem(...)`, v2 `sqs.sendMessage(...)` and its `.promise()` (both calls count),
 *   v3 waiters `waitUntilX(...)` and paginators `paginateX(...)`, lib-storage `new Upload(...).done()`, and v2 clients imported
 *   as `aws-sdk/clients/<name>.js` (the ESM spelling, which `sdkCallsOf` does not cover);
 * - an HTTP request: global `fetch`, `axios` (callable, verb methods, `axios.create()` instances),
 *   `got` (and `got.extend()` instances), `ky` (and `ky.create()`/`extend()` instances), `undici`
 *   (`request`, `fetch`, `stream`, `pipeline`, and `Client`/`Pool`/`Agent` instances),
 *   `node-fetch`/`cross-fetch`/`isomorphic-fetch`, `superagent`, `request(-promise)`,
 *   `http(s).request|get` from `http`, `https`, `node:http`, `node:https` — recognised by import
 *   source (ESM default, named and namespace imports, CommonJS `require`), never by local name;
 * - an API call of an OpenSearch / Elasticsearch client (`@opensearch-project/opensearch`,
 *   `@elastic/elasticsearch`, legacy `elasticsearch`): `client.search(...)`, `client.indices.create(...)`,
 *   `client.helpers.bulk(...)`, on clients recognised by import source and declared type
 *   (`./search-clients.ts`), kind `search`;
 * - a request method of a web API client library ({@link API_CLIENTS}: `notifyClient.sendEmail(...)`
 *   of `notifications-node-client`, `sgMail.send(...)`), kind `api`;
 * - a call to a function declared in the same file whose body makes a remote call, followed up to
 *   {@link LOCAL_DEPTH} levels (`save(item)` → `function save() { return ddb.send(...) }`);
 * - a call to a function of another module of the project (`ops.runOnce(...)` with
 *   `const ops = require('./lib/ops')`, a method of an imported class's instance) or a method of a
 *   same-file class through an instance (`new Store().put(...)`), followed up to `MAX_HOPS`
 *   modules when the file's facts carry a module host (see `./modules.ts`). These are resolved
 *   lazily, only for the calls a rule asks about.
 *
 * Same-file results are computed once per {@link FileFacts} and cached; calls into other modules
 * are memoised per call.
 */
import { ts } from './ts.js';
import { requireSpecifier, type FileFacts, type ModuleRef } from './file-facts.js';
import { enclosingClass, enclosingFunction, isFunctionLike, returnedExpressions, thisClass, thisMemberValue, unwrap, walk } from './walk.js';
import { dynamicOperationCalls, isPresigner, sdkCallsOf } from './aws-sdk.js';
import { calleeAcross, MAX_HOPS, shownLocation } from './modules.js';
import { searchOperationsOf } from './search-clients.js';
import { graphTraversalCalls } from './graph-traversals.js';

/**
 * `search`: an API call of an OpenSearch / Elasticsearch client (an HTTP request to the cluster, see
 * `./search-clients.ts`); `graph`: the terminal step of a Gremlin traversal (see `./graph-traversals.ts`);
 * `api`: a request method of a web API's client library (`notifyClient.sendEmail(...)`, see
 * {@link API_CLIENTS}), whose URL and HTTP method the library chooses.
 */
export type RemoteKind = 'aws' | 'http' | 'search' | 'graph' | 'api' | 'local';

export interface RemoteCall {
  call: ts.CallExpression;
  kind: RemoteKind;
  /** Short text for messages, without backticks: `PutItemCommand`, `sqs.sendMessage(...)`, `fetch(...)`, `saveOrder(...)`. */
  label: string;
  /** For a call of a same-file function: the remote call its body makes (possibly itself local). */
  via?: RemoteCall;
}

/** How many levels of same-file helper functions are followed (`a()` → `b()` → `fetch()` is 2). */
export const LOCAL_DEPTH = 3;

const HTTP_VERBS = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'head', 'options', 'request', 'postForm', 'putForm', 'patchForm']);

/** Module → the exported paths (after an optional `default`) that perform a request when called. */
const HTTP_EXPORTS: Record<string, (path: string[]) => boolean> = {
  axios: (p) => p.length === 0 || (p.length === 1 && HTTP_VERBS.has(p[0])),
  got: (p) => p.length === 0 || (p.length === 1 && (HTTP_VERBS.has(p[0]) || p[0] === 'stream')),
  ky: (p) => p.length === 0 || (p.length === 1 && HTTP_VERBS.has(p[0])),
  'node-fetch': (p) => p.length === 0 || (p.length === 1 && p[0] === 'fetch'),
  'cross-fetch': (p) => p.length === 0 || (p.length === 1 && p[0] === 'fetch'),
  'isomorphic-fetch': (p) => p.length === 0,
  undici: (p) => p.length === 1 && ['request', 'fetch', 'stream', 'pipeline'].includes(p[0]),
  superagent: (p) => p.length === 0 || (p.length === 1 && HTTP_VERBS.has(p[0])),
  request: (p) => p.length === 0 || (p.length === 1 && HTTP_VERBS.has(p[0])),
  'request-promise': (p) => p.length === 0 || (p.length === 1 && HTTP_VERBS.has(p[0])),
  'request-promise-native': (p) => p.length === 0 || (p.length === 1 && HTTP_VERBS.has(p[0])),
  http: (p) => p.length === 1 && (p[0] === 'request' || p[0] === 'get'),
  https: (p) => p.length === 1 && (p[0] === 'request' || p[0] === 'get'),
  'node:http': (p) => p.length === 1 && (p[0] === 'request' || p[0] === 'get'),
  'node:https': (p) => p.length === 1 && (p[0] === 'request' || p[0] === 'get'),
};

/** Calls that create a configured HTTP client instance: module → exported factory names. */
const HTTP_FACTORIES: Record<string, string[]> = {
  axios: ['create'],
  got: ['extend'],
  ky: ['create', 'extend'],
};

/** Methods of such instances that derive another instance. */
const INSTANCE_DERIVERS = new Set(['create', 'extend']);

/** undici classes whose instances make requests. */
const UNDICI_CLASSES = new Set(['Client', 'Pool', 'BalancedPool', 'Agent', 'ProxyAgent', 'RetryAgent', 'EnvHttpProxyAgent']);
const UNDICI_METHODS = new Set(['request', 'stream', 'pipeline', 'fetch']);

interface RemoteIndex {
  byCall: Map<ts.CallExpression, RemoteCall>;
  /** Remote calls sorted by start position. */
  sorted: RemoteCall[];
  /** Functions whose body contains a remote call, with the first one found. */
  functions: Map<ts.Node, RemoteCall>;
}

const CACHE = new WeakMap<FileFacts, RemoteIndex>();

/** The remote call made by `call`, if it is one. */
export function remoteCallInfo(analysis: FileFacts, call: ts.CallExpression): RemoteCall | undefined {
  return index(analysis).byCall.get(call) ?? acrossCall(analysis, call, 0);
}

export function isRemoteCall(analysis: FileFacts, call: ts.CallExpression): boolean {
  return remoteCallInfo(analysis, call) !== undefined;
}

// ---------------------------------------------------------------------------------------------
// calls that reach the network through other modules or class instances

/**
 * What a call or a function reaches, with the modules crossed before it was asked (`hops`): what
 * it reaches depends on how many modules are left to cross, so an answer is reused only where it
 * holds whatever the order of the questions: a remote call found for the same budget or a larger
 * one, nothing found for the same budget or a smaller one.
 */
interface Reached {
  found: RemoteCall | null;
  hops: number;
}
const ACROSS = new WeakMap<ts.CallExpression, Reached>();
const FUNCTION_ACROSS = new WeakMap<ts.Node, Reached>();

function known(memo: Reached | undefined, hops: number): RemoteCall | null | undefined {
  if (!memo) return undefined;
  if (memo.found) return memo.hops >= hops ? memo.found : undefined;
  return memo.hops <= hops ? null : undefined;
}

/** Whether any call of the file can reach into another module or a same-file class instance. */
function mayReachAcross(analysis: FileFacts): boolean {
  if (analysis.host) return true;
  return analysis.sourceFile.statements.some((st) => ts.isClassDeclaration(st));
}

/**
 * A call of a helper in another module (or a method through an instance) that makes a remote
 * call, described as a `local` call whose `via` is the helper's remote call. `hops` counts the
 * modules already crossed.
 */
function acrossCall(analysis: FileFacts, call: ts.CallExpression, hops: number): RemoteCall | undefined {
  const memo = known(ACROSS.get(call), hops);
  if (memo !== undefined) return memo ?? undefined;
  if (hops > MAX_HOPS || !mayReachAcross(analysis)) return undefined;
  // in progress: a cycle between helpers ends here
  ACROSS.set(call, { found: null, hops });
  let found: RemoteCall | undefined;
  const target = calleeAcross(analysis, call.expression, hops);
  if (target && (target.facts !== analysis || !isWithin(call, target.fn))) {
    const crossed = target.facts === analysis ? hops : hops + 1;
    const inner = crossed <= MAX_HOPS ? functionRemote(target.facts, target.fn, crossed) : undefined;
    if (inner) found = { call, kind: 'local', label: calleeLabel(call), via: inner };
  } else if (!target) {
    const local = resolveLocalFunction(analysis, call.expression);
    if (local && !isWithin(call, local) && !index(analysis).functions.has(local)) {
      const inner = functionRemote(analysis, local, hops);
      if (inner) found = { call, kind: 'local', label: calleeLabel(call), via: inner };
    }
  }
  ACROSS.set(call, { found: found ?? null, hops });
  return found;
}

/** The remote call a function makes, through same-file helpers or helpers in other modules. */
function functionRemote(facts: FileFacts, fn: ts.FunctionLikeDeclaration, hops: number): RemoteCall | undefined {
  const own = index(facts).functions.get(fn);
  if (own) return own;
  const memo = known(FUNCTION_ACROSS.get(fn), hops);
  if (memo !== undefined) return memo ?? undefined;
  FUNCTION_ACROSS.set(fn, { found: null, hops });
  let found: RemoteCall | undefined;
  if (fn.body && mayReachAcross(facts)) {
    for (const call of callsWithin(facts, fn.body)) {
      found = acrossCall(facts, call, hops);
      if (found) break;
    }
  }
  FUNCTION_ACROSS.set(fn, { found: found ?? null, hops });
  return found;
}

/**
 * The remote call a function of another module makes when `ref` names it without calling it
 * (`orders.map(saveOrder)` with `saveOrder` imported, `items.map(store.put)`), described as a call
 * of it made at `at` (the call that hands the function on).
 */
export function referencedRemote(analysis: FileFacts, ref: ts.Expression, at: ts.CallExpression): RemoteCall | undefined {
  const r = unwrap(ref);
  if ((!ts.isIdentifier(r) && !ts.isPropertyAccessExpression(r)) || !mayReachAcross(analysis)) return undefined;
  const target = calleeAcross(analysis, r, 0);
  if (!target || target.facts === analysis || MAX_HOPS < 1) return undefined;
  const inner = functionRemote(target.facts, target.fn, 1);
  const name = ts.isIdentifier(r) ? r.text : r.name.text;
  return inner ? { call: at, kind: 'local', label: `${name}(...)`, via: inner } : undefined;
}

/** The file's calls inside `node`, in source order (the walk records them in pre-order). */
export function callsWithin(facts: FileFacts, node: ts.Node): ts.CallExpression[] {
  const calls = facts.calls;
  const start = node.pos;
  const end = node.end;
  let lo = 0;
  let hi = calls.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (calls[mid].pos < start) lo = mid + 1;
    else hi = mid;
  }
  const out: ts.CallExpression[] = [];
  for (let i = lo; i < calls.length && calls[i].pos < end; i++) if (calls[i].end <= end) out.push(calls[i]);
  return out;
}

/** Remote calls whose node lies within `node` (inclusive), in source order (outer call first when two start together). */
export function remoteCallsIn(analysis: FileFacts, node: ts.Node): ts.CallExpression[] {
  return remoteCallInfosIn(analysis, node).map((r) => r.call);
}

/**
 * Like {@link remoteCallsIn}, with the description of each call. `across: false` leaves out calls
 * that reach the network only through other modules or class instances.
 */
export function remoteCallInfosIn(analysis: FileFacts, node: ts.Node, options: { across?: boolean } = {}): RemoteCall[] {
  const own = sameFileRemoteCallsIn(analysis, node);
  if (options.across === false || !mayReachAcross(analysis)) return own;
  const { byCall } = index(analysis);
  const extra: RemoteCall[] = [];
  for (const call of callsWithin(analysis, node)) {
    if (byCall.has(call)) continue;
    const r = acrossCall(analysis, call, 0);
    if (r) extra.push(r);
  }
  if (extra.length === 0) return own;
  const sf = analysis.sourceFile;
  return [...own, ...extra].sort((a, b) => a.call.getStart(sf) - b.call.getStart(sf) || b.call.getEnd() - a.call.getEnd());
}

function sameFileRemoteCallsIn(analysis: FileFacts, node: ts.Node): RemoteCall[] {
  const { sorted } = index(analysis);
  if (sorted.length === 0) return [];
  const sf = analysis.sourceFile;
  const end = node.getEnd();
  const out: RemoteCall[] = [];
  for (let i = firstStartingAt(sorted, node.getStart(sf), sf); i < sorted.length && sorted[i].call.getStart(sf) < end; i++) {
    if (sorted[i].call.getEnd() <= end) out.push(sorted[i]);
  }
  return out;
}

/** The first of {@link remoteCallInfosIn}, found without listing the others. */
export function firstRemoteCallIn(analysis: FileFacts, node: ts.Node): RemoteCall | undefined {
  const { sorted } = index(analysis);
  const sf = analysis.sourceFile;
  const end = node.getEnd();
  for (let i = firstStartingAt(sorted, node.getStart(sf), sf); i < sorted.length && sorted[i].call.getStart(sf) < end; i++) {
    if (sorted[i].call.getEnd() <= end) return sorted[i];
  }
  return undefined;
}

/** Index of the first call starting at or after `start`. */
function firstStartingAt(sorted: RemoteCall[], start: number, sf: ts.SourceFile): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid].call.getStart(sf) < start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The remote call a function makes, when it makes one (directly, through same-file helpers or helpers in other modules). */
export function remoteCallOfFunction(analysis: FileFacts, fn: ts.Node): RemoteCall | undefined {
  return index(analysis).functions.get(fn) ?? (isFunctionLike(fn) ? functionRemote(analysis, fn, 0) : undefined);
}

/** The same-file function a call invokes, when it can be resolved without types. */
export function localCallee(analysis: FileFacts, call: ts.CallExpression): ts.FunctionLikeDeclaration | undefined {
  return resolveLocalFunction(analysis, call.expression, declarationsByName(analysis));
}

/**
 * The call for a message, in backticks: "`PutItemCommand`", "`fetch(...)`", or for a same-file
 * helper "`saveOrder(...)` (which sends `PutItemCommand`)".
 */
export function describeRemoteCall(remote: RemoteCall): string {
  const quoted = `\`${remote.label}\``;
  if (remote.kind !== 'local') return quoted;
  const inner = innermostRemote(remote);
  const verb = inner.kind === 'aws' && !inner.label.endsWith(')') ? 'sends' : 'calls';
  return `${quoted} (which ${verb} \`${inner.label}\`${whereElse(remote, inner)})`;
}

/** " in lib/ops.js:12" when the remote call is in another file than the call that reaches it. */
export function whereElse(remote: RemoteCall, inner: RemoteCall = innermostRemote(remote)): string {
  const sf = remote.call.getSourceFile();
  if (inner.call.getSourceFile() === sf) return '';
  return ` in ${shownLocation(remote.call, inner.call)}`;
}

/** The remote call at the end of a chain of helpers. */
export function innermostRemote(remote: RemoteCall): RemoteCall {
  let r = remote;
  for (let i = 0; i < LOCAL_DEPTH + MAX_HOPS + 2 && r.via; i++) r = r.via;
  return r;
}

function index(analysis: FileFacts): RemoteIndex {
  let idx = CACHE.get(analysis);
  if (!idx) {
    idx = build(analysis);
    CACHE.set(analysis, idx);
  }
  return idx;
}

/** Callee text for messages: `axios.get`, or just the last name when the text is long. */
export function calleeLabel(call: ts.CallExpression): string {
  const callee = unwrap(call.expression);
  const text = callee.getText().replace(/\s+/g, '');
  if (text.length <= 40) return `${text}(...)`;
  if (ts.isIdentifier(callee)) return `${callee.text}(...)`;
  if (ts.isPropertyAccessExpression(callee)) return `${callee.name.text}(...)`;
  // `this.withLogging(info)(path)`
  if (ts.isCallExpression(callee)) return `${calleeLabel(callee)}(...)`;
  return 'call(...)';
}

function build(analysis: FileFacts): RemoteIndex {
  const byCall = new Map<ts.CallExpression, RemoteCall>();
  const add = (call: ts.CallExpression, kind: RemoteKind, label: string, via?: RemoteCall) => {
    if (!byCall.has(call)) byCall.set(call, { call, kind, label, via });
  };
  collectAws(analysis, add);
  collectAwsLibraries(analysis, add);
  collectApiClients(analysis, add);
  collectHttp(analysis, add);
  for (const op of searchOperationsOf(analysis)) add(op.call, 'search', calleeLabel(op.call));
  for (const call of graphTraversalCalls(analysis)) add(call, 'graph', calleeLabel(call));

  const functions = new Map<ts.Node, RemoteCall>();
  const markAncestors = (remote: RemoteCall) => {
    // a function already marked has its enclosing functions marked with it
    for (let f = enclosingFunction(remote.call); f && !functions.has(f); f = enclosingFunction(f)) functions.set(f, remote);
  };
  for (const r of byCall.values()) markAncestors(r);

  // calls of same-file functions that reach the network, one level per round
  const byName = declarationsByName(analysis);
  const resolved = new Map<ts.CallExpression, ts.FunctionLikeDeclaration | undefined>();
  let fresh: Iterable<ts.Node> = functions.keys();
  for (let level = 0; level < LOCAL_DEPTH; level++) {
    // only calls named like a function that makes a remote call need the (costlier) scope lookup
    const names = functionNames(fresh);
    if (names.size === 0) break;
    const found: RemoteCall[] = [];
    for (const call of analysis.calls) {
      if (byCall.has(call)) continue;
      const callee = unwrap(call.expression);
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
      // `this.withLogging(info)(path)` (see `wrappedFunction`): the wrapped function is named elsewhere
      if ((name === undefined || !names.has(name)) && !ts.isCallExpression(callee)) continue;
      let fn = resolved.get(call);
      if (!resolved.has(call)) {
        fn = resolveLocalFunction(analysis, call.expression, byName);
        resolved.set(call, fn);
      }
      const inner = fn && functions.get(fn);
      // a function calling itself is not a new way to reach the network
      if (!fn || !inner || isWithin(call, fn)) continue;
      found.push({ call, kind: 'local', label: calleeLabel(call), via: inner });
    }
    if (found.length === 0) break;
    const before = new Set(functions.keys());
    for (const r of found) byCall.set(r.call, r);
    for (const r of found) markAncestors(r);
    fresh = [...functions.keys()].filter((f) => !before.has(f));
  }
  const sf = analysis.sourceFile;
  const sorted = [...byCall.values()].sort((a, b) => a.call.getStart(sf) - b.call.getStart(sf) || b.call.getEnd() - a.call.getEnd());
  return { byCall, sorted, functions };
}

/** Names under which functions can be called: their declared name, the const or property holding them, their method name. */
function functionNames(fns: Iterable<ts.Node>): Set<string> {
  const names = new Set<string>();
  for (const f of fns) {
    if (!isFunctionLike(f)) continue;
    if ((ts.isFunctionDeclaration(f) || ts.isMethodDeclaration(f)) && f.name && !ts.isComputedPropertyName(f.name)) names.add(f.name.getText());
    const parent = f.parent;
    if ((ts.isVariableDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertyAssignment(parent)) && !ts.isComputedPropertyName(parent.name)) {
      names.add(parent.name.getText());
    }
  }
  return names;
}

function isWithin(node: ts.Node, container: ts.Node): boolean {
  return node.pos >= container.pos && node.end <= container.end;
}

type Add = (call: ts.CallExpression, kind: RemoteKind, label: string) => void;


function isSdkModule(module: string): boolean {
  return module.startsWith('@aws-sdk/client-') || module === '@aws-sdk/lib-dynamodb';
}

function collectAws(analysis: FileFacts, add: Add): void {
  const sdkCalls = sdkCallsOf(analysis);
  const commands = new Map<ts.Node, string>();
  for (const c of sdkCalls) {
    if (ts.isNewExpression(c.node)) {
      commands.set(c.node, c.calledName);
      continue;
    }
    const call = c.node;
    const label = calleeLabel(call);
    add(call, 'aws', label);
    // v2: `sqs.sendMessage(params).promise()`
    const parent = call.parent;
    if (ts.isPropertyAccessExpression(parent) && parent.expression === call && parent.name.text === 'promise' && ts.isCallExpression(parent.parent)) {
      add(parent.parent, 'aws', label);
    }
  }
  // an operation picked at run time: `lex[operation](params)`, v2's `s3[op](params).promise()`
  for (const call of dynamicOperationCalls(analysis)) {
    const label = calleeLabel(call);
    add(call, 'aws', label);
    const parent = call.parent;
    if (ts.isPropertyAccessExpression(parent) && parent.expression === call && parent.name.text === 'promise' && ts.isCallExpression(parent.parent)) {
      add(parent.parent, 'aws', label);
    }
  }
  const mentionsSdk = [...analysis.modules].some((m) => m.startsWith('@aws-sdk/'));
  if (commands.size === 0 && !mentionsSdk) return;
  for (const call of analysis.calls) {
    // any call handed a command performs it: `client.send(cmd)`, `ddb.send(new PutCommand(...))`
    let command: string | undefined;
    for (const arg of call.arguments) {
      const a = unwrap(arg);
      if (!ts.isNewExpression(a) && !ts.isIdentifier(a)) continue;
      const value = ts.isIdentifier(a) ? analysis.resolveValue(a) : a;
      command = commands.get(value);
      if (command) break;
    }
    if (command) {
      // `getSignedUrl(s3, new GetObjectCommand(...))`: presigning signs the command locally and sends nothing
      if (!isPresigner(analysis, call)) add(call, 'aws', command);
      continue;
    }
    if (!mentionsSdk) continue;
    const callee = unwrap(call.expression);
    if (ts.isPropertyAccessExpression(callee)) {
      const method = callee.name.text;
      if (method !== 'send' && method !== 'done') continue;
      const recv = analysis.origin(callee.expression);
      if (recv?.kind !== 'instance') continue;
      if (method === 'send' && isSdkModule(recv.ref.module)) add(call, 'aws', calleeLabel(call));
      else if (method === 'done' && recv.ref.module === '@aws-sdk/lib-storage' && recv.ref.path[0] === 'Upload') add(call, 'aws', 'Upload.done()');
    } else if (ts.isIdentifier(callee)) {
      const origin = analysis.origin(callee);
      // waiters poll, paginators request page after page (`for await (const page of paginateListUsers(...))`)
      const sdk = origin?.kind === 'module' && (origin.ref.module.startsWith('@aws-sdk/client-') || origin.ref.module === '@aws-sdk/lib-dynamodb');
      if (sdk && origin.ref.path.length === 1 && /^(?:waitUntil|paginate)[A-Z]/.test(origin.ref.path[0])) {
        add(call, 'aws', `${callee.text}(...)`);
      }
    }
  }
}

/**
 * Libraries whose calls perform AWS requests for the caller: the instance methods of a class the
 * module exports (`new AthenaExpress(config).query(sql)`), or of what its factory returns
 * (`createClient(config).execute(sql)`).
 */
const AWS_LIBRARIES: Record<string, { factory?: string; methods: string[] }> = {
  'athena-express': { methods: ['query'] },
  'athena-express-plus': { methods: ['query'] },
  'athena-client': { factory: 'createClient', methods: ['execute'] },
};

function collectAwsLibraries(analysis: FileFacts, add: Add): void {
  if (![...analysis.modules].some((m) => m in AWS_LIBRARIES)) return;
  for (const call of analysis.calls) {
    const callee = unwrap(call.expression);
    if (!ts.isPropertyAccessExpression(callee)) continue;
    const method = callee.name.text;
    const recv = analysis.origin(callee.expression);
    let lib = recv?.kind === 'instance' ? AWS_LIBRARIES[recv.ref.module] : undefined;
    if (lib?.factory) lib = undefined;
    if (!lib) {
      const value = analysis.resolveValue(callee.expression);
      const origin = ts.isCallExpression(value) ? analysis.origin(unwrap(value.expression)) : undefined;
      const candidate = origin?.kind === 'module' ? AWS_LIBRARIES[origin.ref.module] : undefined;
      if (candidate?.factory && origin?.kind === 'module' && stripDefault(origin.ref).join('.') === candidate.factory) lib = candidate;
    }
    if (lib?.methods.includes(method)) add(call, 'aws', calleeLabel(call));
  }
}

const OCTOKIT = { instanceOf: 'Octokit', methods: ['request', 'graphql', 'paginate'], namespaces: true } as const;
/** Members of an Octokit instance that are no endpoint namespaces: a request hook, the logger. */
const OCTOKIT_NOT_ENDPOINTS: ReadonlySet<string> = new Set(['hook', 'log', 'auth', 'rest', 'paginate', 'graphql', 'request']);

/**
 * Client libraries of web APIs whose methods each send a request: the instance methods of the class
 * the module exports (`new NotifyClient(key).sendEmail(...)`), or the methods of the module itself
 * when it exports a ready client (`sgMail.send(msg)` of `@sendgrid/mail`). Methods that only set
 * the client up (`setApiKey`, `setProxy`, `prepareUpload`) are not listed.
 */
const API_CLIENTS: Record<string, { instanceOf?: string; methods: readonly string[]; namespaces?: true }> = {
  // GOV.UK Notify
  'notifications-node-client': {
    instanceOf: 'NotifyClient',
    methods: [
      'sendEmail', 'sendSms', 'sendLetter', 'sendPrecompiledLetter', 'getNotificationById', 'getNotifications',
      'getPdfForLetterNotification', 'getReceivedTexts', 'getTemplateById', 'getTemplateByIdAndVersion',
      'getAllTemplates', 'previewTemplateById',
    ],
  },
  postmark: {
    instanceOf: 'ServerClient',
    methods: ['sendEmail', 'sendEmailBatch', 'sendEmailWithTemplate', 'sendEmailBatchWithTemplates'],
  },
  '@sendgrid/mail': { methods: ['send', 'sendMultiple'] },
  // GitHub: `octokit.request('GET /repos/{owner}/{repo}')`, and the endpoint methods of its
  // namespaces, `octokit.rest.repos.get(...)` (older versions: `octokit.repos.get(...)`)
  '@octokit/rest': OCTOKIT,
  '@octokit/core': OCTOKIT,
  octokit: OCTOKIT,
};

/** An instance of the client class of `API_CLIENTS` that `expr` is (`new Octokit(...)`). */
function isClientInstance(analysis: FileFacts, expr: ts.Expression): { methods: readonly string[]; namespaces?: true } | undefined {
  // `(octokit: Octokit) => ...`: a parameter or variable declared with the client's class, or the
  // result of a same-file function declared to return one (`await this.getOctokit()` with
  // `getOctokit(): Promise<Octokit>`)
  const typed = ts.isIdentifier(expr) ? (analysis.declaredClassName(expr) ?? declaredReturnClass(analysis, expr)) : undefined;
  if (typed && ts.isIdentifier(typed)) {
    const named = analysis.origin(typed);
    const client = named?.kind === 'module' ? API_CLIENTS[named.ref.module] : undefined;
    const path = named ? stripDefault(named.ref) : [];
    if (client?.instanceOf && path.length === 1 && path[0] === client.instanceOf) return client;
  }
  const recv = analysis.origin(expr);
  const client = recv ? API_CLIENTS[recv.ref.module] : undefined;
  if (!recv || !client?.instanceOf || recv.kind !== 'instance') return undefined;
  const path = stripDefault(recv.ref);
  return path.length === 1 && path[0] === client.instanceOf ? client : undefined;
}

/** The class a same-file function's declared return type names (`Promise<X>` or `X`), for the value of `expr` that calls it. */
function declaredReturnClass(analysis: FileFacts, expr: ts.Expression): ts.Identifier | undefined {
  let e = analysis.resolveValue(expr);
  if (ts.isAwaitExpression(e)) e = unwrap(e.expression);
  if (!ts.isCallExpression(e)) return undefined;
  let type = localCallee(analysis, e)?.type;
  if (type && ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName) && type.typeName.text === 'Promise' && type.typeArguments?.length === 1) type = type.typeArguments[0];
  return type && ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName) && !type.typeArguments?.length ? type.typeName : undefined;
}

/** `octokit.rest.repos.get(...)`, `octokit.repos.get(...)`: an endpoint method of a namespace of the client. */
function isNamespaceEndpoint(analysis: FileFacts, callee: ts.PropertyAccessExpression): boolean {
  const ns = unwrap(callee.expression);
  if (!ts.isPropertyAccessExpression(ns) || OCTOKIT_NOT_ENDPOINTS.has(ns.name.text)) return false;
  let base = unwrap(ns.expression);
  if (ts.isPropertyAccessExpression(base) && base.name.text === 'rest') base = unwrap(base.expression);
  return isClientInstance(analysis, base)?.namespaces === true;
}

function collectApiClients(analysis: FileFacts, add: Add): void {
  if (![...analysis.modules].some((m) => m in API_CLIENTS)) return;
  for (const call of analysis.calls) {
    const callee = unwrap(call.expression);
    if (!ts.isPropertyAccessExpression(callee)) continue;
    if (isNamespaceEndpoint(analysis, callee) || isClientInstance(analysis, callee.expression)?.methods.includes(callee.name.text)) {
      add(call, 'api', calleeLabel(call));
      continue;
    }
    const recv = analysis.origin(callee.expression);
    const client = recv ? API_CLIENTS[recv.ref.module] : undefined;
    if (!recv || !client?.methods.includes(callee.name.text)) continue;
    const path = stripDefault(recv.ref);
    const made = client.instanceOf
      ? recv.kind === 'instance' && path.length === 1 && path[0] === client.instanceOf
      : recv.kind === 'module' && path.length === 0;
    if (made) add(call, 'api', calleeLabel(call));
  }
}

function stripDefault(ref: ModuleRef): string[] {
  return ref.path[0] === 'default' ? ref.path.slice(1) : ref.path;
}

function collectHttp(analysis: FileFacts, add: Add): void {
  const hasHttpModule = [...analysis.modules].some((m) => m in HTTP_EXPORTS);
  const mayFetch = analysis.sourceFile.text.includes('fetch');
  if (!hasHttpModule && !mayFetch) return;
  const localFetch = mayFetch && declaresFunction(analysis, 'fetch');
  const candidates = hasHttpModule ? httpNames(analysis) : new Set<string>();
  for (const call of analysis.calls) {
    const callee = unwrap(call.expression);
    if (mayFetch && !localFetch && isGlobalFetch(analysis, callee)) {
      add(call, 'http', 'fetch(...)');
      continue;
    }
    if (!hasHttpModule) continue;
    if (!ts.isIdentifier(callee) && !ts.isPropertyAccessExpression(callee) && !ts.isElementAccessExpression(callee)) continue;
    const root = rootKey(callee);
    if (root === undefined || !candidates.has(root)) continue;
    const origin = analysis.origin(callee);
    if (origin?.kind === 'module') {
      const test = HTTP_EXPORTS[origin.ref.module];
      if (test?.(stripDefault(origin.ref))) add(call, 'http', calleeLabel(call));
      continue;
    }
    // configured instances: `api.get(...)`, `api(...)`, `pool.request(...)`
    if (ts.isPropertyAccessExpression(callee)) {
      const method = callee.name.text;
      const recv = analysis.origin(callee.expression);
      if (recv?.kind === 'instance' && recv.ref.module === 'undici' && UNDICI_CLASSES.has(recv.ref.path[0] ?? '') && UNDICI_METHODS.has(method)) {
        add(call, 'http', calleeLabel(call));
        continue;
      }
      if (HTTP_VERBS.has(method) || method === 'stream') {
        if (httpInstance(analysis, callee.expression, 0)) add(call, 'http', calleeLabel(call));
      }
    } else if (ts.isIdentifier(callee) && httpInstance(analysis, callee, 0)) {
      add(call, 'http', calleeLabel(call));
    }
  }
}

/** `axios` for `axios.get`, `this.http` for `this.http.get(...)`, `require('got')` calls give undefined. */
function rootKey(expr: ts.Expression): string | undefined {
  let e = unwrap(expr);
  for (let i = 0; i < 32; i++) {
    if (ts.isIdentifier(e)) return e.text;
    if (ts.isPropertyAccessExpression(e)) {
      if (unwrap(e.expression).kind === ts.SyntaxKind.ThisKeyword) return `this.${e.name.text}`;
      e = unwrap(e.expression);
    } else if (ts.isElementAccessExpression(e) || ts.isCallExpression(e)) {
      e = unwrap(e.expression);
    } else {
      return undefined;
    }
  }
  return undefined;
}

/** The names a value built from `expr` is stored under: `const api = expr`, `const { get } = expr`, `this.http = expr`. */
function storedAs(expr: ts.Node): string[] {
  let node: ts.Node = expr;
  let p = node.parent;
  while (p && (ts.isAwaitExpression(p) || ts.isParenthesizedExpression(p) || ts.isAsExpression(p) || ts.isNonNullExpression(p) || (ts.isPropertyAccessExpression(p) && p.expression === node))) {
    node = p;
    p = p.parent;
  }
  if (!p) return [];
  const out: string[] = [];
  const bind = (name: ts.BindingName) => {
    if (ts.isIdentifier(name)) out.push(name.text);
    else for (const el of name.elements) if (ts.isBindingElement(el)) bind(el.name);
  };
  if (ts.isVariableDeclaration(p) && p.initializer === node) bind(p.name);
  else if (ts.isPropertyDeclaration(p) && p.initializer === node && !ts.isComputedPropertyName(p.name)) out.push(`this.${p.name.getText()}`);
  else if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && p.right === node) {
    const left = unwrap(p.left);
    if (ts.isIdentifier(left)) out.push(left.text);
    else if (ts.isPropertyAccessExpression(left) && unwrap(left.expression).kind === ts.SyntaxKind.ThisKeyword) out.push(`this.${left.name.text}`);
  } else if (ts.isParameter(p) && p.initializer === node && ts.isIdentifier(p.name)) {
    out.push(p.name.text, `this.${p.name.text}`);
  }
  return out;
}

/**
 * Names that may hold an HTTP module or a client made from one: its import and require bindings
 * and what is created from them (`const api = axios.create()`, `this.pool = new Pool(...)`). A cheap
 * filter in front of the exact `origin` lookups, which are costly in large minified files.
 */
function httpNames(analysis: FileFacts): Set<string> {
  const names = new Set<string>();
  for (const st of analysis.sourceFile.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier) && st.moduleSpecifier.text in HTTP_EXPORTS && st.importClause) {
      const clause = st.importClause;
      if (clause.name) names.add(clause.name.text);
      const b = clause.namedBindings;
      if (b && ts.isNamespaceImport(b)) names.add(b.name.text);
      else if (b) for (const el of b.elements) names.add(el.name.text);
    } else if (ts.isImportEqualsDeclaration(st)) {
      names.add(st.name.text);
    }
  }
  for (const call of analysis.calls) {
    const spec = requireSpecifier(call) ?? dynamicImportSpecifier(call);
    if (spec !== undefined && spec in HTTP_EXPORTS) for (const n of storedAs(call)) names.add(n);
  }
  // clients made from those names, and clients made from clients
  for (let round = 0; round < 3; round++) {
    const before = names.size;
    for (const c of [...analysis.calls, ...analysis.news]) {
      const root = rootKey(c.expression);
      if (root !== undefined && names.has(root)) for (const n of storedAs(c)) names.add(n);
    }
    if (names.size === before) break;
  }
  return names;
}

function dynamicImportSpecifier(call: ts.CallExpression): string | undefined {
  if (call.expression.kind !== ts.SyntaxKind.ImportKeyword) return undefined;
  const arg = call.arguments[0];
  return arg && ts.isStringLiteralLike(arg) ? arg.text : undefined;
}

function isGlobalFetch(analysis: FileFacts, callee: ts.Expression): boolean {
  if (ts.isIdentifier(callee)) {
    return callee.text === 'fetch' && analysis.resolveValue(callee) === callee && analysis.origin(callee) === undefined;
  }
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'fetch' && ts.isIdentifier(callee.expression)) {
    const base = callee.expression;
    return ['globalThis', 'window', 'self', 'global'].includes(base.text) && analysis.resolveValue(base) === base && analysis.origin(base) === undefined;
  }
  return false;
}

function declaresFunction(analysis: FileFacts, name: string): boolean {
  return analysis.functions.some((f) => ts.isFunctionDeclaration(f) && f.name?.text === name);
}

/** The HTTP library (`axios`, `got`, `ky`) an expression is a configured instance of (`axios.create()`, `got.extend()`), if any. */
export function httpClientModule(analysis: FileFacts, expr: ts.Expression): string | undefined {
  return httpInstance(analysis, expr, 0);
}

function httpInstance(analysis: FileFacts, expr: ts.Expression, depth: number): string | undefined {
  if (depth > 4) return undefined;
  let e = unwrap(expr);
  if (ts.isIdentifier(e)) e = analysis.resolveValue(e);
  else if (ts.isPropertyAccessExpression(e) && e.expression.kind === ts.SyntaxKind.ThisKeyword) {
    const v = thisMemberValue(e);
    if (!v) return undefined;
    e = analysis.resolveValue(v);
  }
  if (ts.isAwaitExpression(e)) e = unwrap(e.expression);
  if (!ts.isCallExpression(e)) return undefined;
  const callee = unwrap(e.expression);
  const origin = analysis.origin(callee);
  if (origin?.kind === 'module') {
    const path = stripDefault(origin.ref);
    const factories = HTTP_FACTORIES[origin.ref.module];
    return factories && path.length === 1 && factories.includes(path[0]) ? origin.ref.module : undefined;
  }
  if (ts.isPropertyAccessExpression(callee) && INSTANCE_DERIVERS.has(callee.name.text)) {
    return httpInstance(analysis, callee.expression, depth + 1);
  }
  return undefined;
}

/** How a class writes each of its `this.<name>` members. */
interface MemberWrites {
  /** The value of the only write, when it is a property initialiser or a top-level statement of the constructor. */
  value?: ts.Expression;
  /** Writes of any kind: assignments, element writes, mutating calls, `delete`, a setter, a call argument. */
  count: number;
  /** `get name() { return <expr>; }`. */
  getter?: ts.Expression;
}

const MEMBER_WRITES = new WeakMap<ts.ClassLikeDeclaration, Map<string, MemberWrites>>();
/** Array methods that change the array they are called on. */
const MUTATORS = new Set(['push', 'unshift', 'splice', 'fill', 'copyWithin', 'set', 'add']);

function memberWrites(cls: ts.ClassLikeDeclaration): Map<string, MemberWrites> {
  let map = MEMBER_WRITES.get(cls);
  if (map) return map;
  const found = new Map<string, MemberWrites>();
  const entry = (name: string): MemberWrites => {
    let w = found.get(name);
    if (!w) found.set(name, (w = { count: 0 }));
    return w;
  };
  const thisName = (e: ts.Expression): string | undefined => {
    const u = unwrap(e);
    return ts.isPropertyAccessExpression(u) && unwrap(u.expression).kind === ts.SyntaxKind.ThisKeyword ? u.name.text : undefined;
  };
  for (const member of cls.members) {
    const name = member.name && (ts.isIdentifier(member.name) || ts.isPrivateIdentifier(member.name) || ts.isStringLiteral(member.name)) ? member.name.text : undefined;
    if (name !== undefined && ts.isPropertyDeclaration(member)) {
      const w = entry(name);
      if (member.initializer) {
        w.count++;
        w.value = member.initializer;
      }
    } else if (name !== undefined && ts.isSetAccessorDeclaration(member)) entry(name).count += 2;
    else if (name !== undefined && ts.isGetAccessorDeclaration(member) && member.body?.statements.length === 1) {
      const st = member.body.statements[0];
      if (ts.isReturnStatement(st) && st.expression) entry(name).getter = st.expression;
    } else if (ts.isConstructorDeclaration(member)) {
      for (const p of member.parameters) if (p.modifiers?.length && ts.isIdentifier(p.name)) entry(p.name.text).count += 2;
    }
  }
  const topLevel = new Set<ts.Node>();
  for (const member of cls.members) {
    if (ts.isConstructorDeclaration(member) && member.body) for (const st of member.body.statements) if (ts.isExpressionStatement(st)) topLevel.add(unwrap(st.expression));
  }
  walk(cls, (n) => {
    if (n !== cls && (ts.isClassDeclaration(n) || ts.isClassExpression(n))) return false;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      const left = unwrap(n.left);
      const direct = thisName(left);
      if (direct !== undefined) {
        const w = entry(direct);
        w.count++;
        if (n.operatorToken.kind === ts.SyntaxKind.EqualsToken && topLevel.has(n)) w.value = n.right;
      } else if (ts.isElementAccessExpression(left)) {
        const base = thisName(left.expression);
        if (base !== undefined) entry(base).count += 2;
      }
    } else if (ts.isCallExpression(n)) {
      const callee = unwrap(n.expression);
      if (ts.isPropertyAccessExpression(callee) && MUTATORS.has(callee.name.text)) {
        const base = thisName(callee.expression);
        if (base !== undefined) entry(base).count += 2;
      }
      for (const a of n.arguments) {
        const base = thisName(a);
        if (base !== undefined && !isLoggerCall(n)) entry(base).count += 2;
      }
    } else if (ts.isDeleteExpression(n) || ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) {
      const target = ts.isDeleteExpression(n) ? n.expression : n.operand;
      const base = thisName(target);
      if (base !== undefined) entry(base).count += 2;
    }
    return undefined;
  });
  map = found;
  MEMBER_WRITES.set(cls, map);
  return map;
}

function isLoggerCall(call: ts.CallExpression): boolean {
  const callee = unwrap(call.expression);
  return ts.isPropertyAccessExpression(callee) && ts.isIdentifier(unwrap(callee.expression)) && /^(?:console|logger|log)$/i.test((unwrap(callee.expression) as ts.Identifier).text);
}

/**
 * What `this.<name>` holds whenever a method reads it, when the class fixes it: the expression a
 * one-statement getter returns (`get records() { return this.$records; }`), or the value of the
 * member's only write, a property initialiser or a top-level assignment in the constructor
 * (`this.$records = event.Records.map(...)`), with nothing else in the class assigning it, writing
 * its elements, pushing to it or handing it to a function. Undefined otherwise, and for `this`
 * inside a nested `function` (another `this`).
 */
export function fixedThisMemberValue(access: ts.PropertyAccessExpression): ts.Expression | undefined {
  if (unwrap(access.expression).kind !== ts.SyntaxKind.ThisKeyword) return undefined;
  const cls = thisClass(access);
  if (!cls) return undefined;
  const w = memberWrites(cls).get(access.name.text);
  if (!w) return undefined;
  if (w.getter) return w.count === 0 ? w.getter : undefined;
  return w.count === 1 ? w.value : undefined;
}

const DECLS = new WeakMap<FileFacts, Map<string, ts.FunctionDeclaration[]>>();

function declarationsByName(analysis: FileFacts): Map<string, ts.FunctionDeclaration[]> {
  let map = DECLS.get(analysis);
  if (!map) {
    map = new Map();
    for (const f of analysis.functions) {
      if (!ts.isFunctionDeclaration(f) || !f.name || !f.body) continue;
      const list = map.get(f.name.text) ?? [];
      list.push(f);
      map.set(f.name.text, list);
    }
    DECLS.set(analysis, map);
  }
  return map;
}

/**
 * `this.withLogging(info)(path)`: the function a same-file factory hands to a wrapper and returns
 * (`withLogging = (info) => logger.wrapFn(this.send.bind(this), info)`), which the wrapper calls;
 * or the function the factory itself returns (`sendTo(url)(order)` with
 * `const sendTo = (url) => async (order) => ...`).
 */
function wrappedFunction(analysis: FileFacts, factoryCall: ts.CallExpression, byName: Map<string, ts.FunctionDeclaration[]>): ts.FunctionLikeDeclaration | undefined {
  const factory = resolveLocalFunction(analysis, factoryCall.expression, byName);
  const returned = factory ? returnedExpressions(factory) : [];
  const wrap = returned.length === 1 ? unwrap(returned[0]!) : undefined;
  // `const sendTo = (url) => async (order) => ...`: the function the factory writes out
  if (wrap && isFunctionLike(wrap)) return wrap;
  if (!wrap || !ts.isCallExpression(wrap) || !wrap.arguments[0]) return undefined;
  let fn = unwrap(wrap.arguments[0]);
  // `this.send.bind(this)`
  if (ts.isCallExpression(fn) && ts.isPropertyAccessExpression(fn.expression) && fn.expression.name.text === 'bind') fn = unwrap(fn.expression.expression);
  if (isFunctionLike(fn)) return fn;
  return ts.isIdentifier(fn) || ts.isPropertyAccessExpression(fn) ? resolveLocalFunction(analysis, fn, byName) : undefined;
}

const CLASSES = new WeakMap<FileFacts, Map<string, ts.ClassDeclaration>>();

/** The classes a file declares at its top level, by name. */
function classesByName(analysis: FileFacts): Map<string, ts.ClassDeclaration> {
  let map = CLASSES.get(analysis);
  if (!map) {
    map = new Map();
    for (const st of analysis.sourceFile.statements) if (ts.isClassDeclaration(st) && st.name) map.set(st.name.text, st);
    CLASSES.set(analysis, map);
  }
  return map;
}

/** `Jobs.start` with `class Jobs` declared in the file: its static method. */
function staticMethod(analysis: FileFacts, receiver: ts.Identifier, name: string): ts.MethodDeclaration | undefined {
  const cls = classesByName(analysis).get(receiver.text);
  if (!cls || analysis.resolveValue(receiver) !== receiver || analysis.origin(receiver)) return undefined;
  for (const m of cls.members) {
    if (ts.isMethodDeclaration(m) && m.body && m.name.getText() === name && m.modifiers?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword)) return m;
  }
  return undefined;
}

/** The same-file function an expression refers to: a declaration, a const-bound function, a method of the enclosing class or of a const object literal, a static method of a class of the file. */
/** A method of a class, or a property of it initialised with a function. */
function classMethod(cls: ts.ClassLikeDeclaration, name: string): ts.FunctionLikeDeclaration | undefined {
  for (const m of cls.members) {
    if (!m.name || m.name.getText() !== name) continue;
    if (ts.isMethodDeclaration(m) && m.body) return m;
    if (ts.isPropertyDeclaration(m) && m.initializer) {
      const init = unwrap(m.initializer);
      if (isFunctionLike(init)) return init;
    }
  }
  return undefined;
}

/** The class a class extends, when this file declares it at its top level (or holds it in a const). */
function sameFileBase(analysis: FileFacts, cls: ts.ClassLikeDeclaration): ts.ClassLikeDeclaration | undefined {
  const extended = cls.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
  if (!extended || !ts.isIdentifier(extended)) return undefined;
  const value = unwrap(analysis.resolveValue(extended));
  if (ts.isClassExpression(value) && value !== cls) return value;
  for (const st of analysis.sourceFile.statements) {
    if (ts.isClassDeclaration(st) && st.name?.text === extended.text && st !== cls) return st;
  }
  return undefined;
}

export function resolveLocalFunction(
  analysis: FileFacts,
  expr: ts.Expression,
  byName: Map<string, ts.FunctionDeclaration[]> = declarationsByName(analysis),
): ts.FunctionLikeDeclaration | undefined {
  const callee = unwrap(expr);
  if (ts.isCallExpression(callee)) return wrappedFunction(analysis, callee, byName);
  if (ts.isIdentifier(callee)) {
    const value = analysis.resolveValue(callee);
    if (isFunctionLike(value)) return value;
    // an alias of a declared function (`const save = saveOrder`) or the declaration itself
    const named = ts.isIdentifier(value) ? value : undefined;
    if (!named || (value !== callee && analysis.resolveValue(named) !== named)) return undefined;
    const decls = byName.get(named.text);
    if (!decls) return undefined;
    // the innermost declaration whose block contains the call (declarations are hoisted)
    let best: ts.FunctionDeclaration | undefined;
    for (const d of decls) {
      const container = d.parent;
      if (!isWithin(named, container)) continue;
      if (!best || container.pos >= best.parent.pos) best = d;
    }
    return best;
  }
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const name = callee.name.text;
  if (callee.expression.kind === ts.SyntaxKind.SuperKeyword) {
    // `super.save(item)`: the method of a class of this file the enclosing class extends
    const cls = enclosingClass(callee);
    let base = cls ? sameFileBase(analysis, cls) : undefined;
    for (let level = 0; base && level < 3; level++) {
      const inherited = classMethod(base, name);
      if (inherited) return inherited;
      base = sameFileBase(analysis, base);
    }
    return undefined;
  }
  if (callee.expression.kind === ts.SyntaxKind.ThisKeyword) {
    const cls = enclosingClass(callee);
    if (!cls) return undefined;
    const own = classMethod(cls, name);
    if (own) return own;
    // `this.withLogging = (caller) => ...` in the constructor
    const assigned = fixedThisMemberValue(callee);
    if (assigned) return isFunctionLike(unwrap(assigned)) ? (unwrap(assigned) as ts.FunctionLikeDeclaration) : undefined;
    // inherited from a class of this file (`class Op extends BaseOp`)
    let base = sameFileBase(analysis, cls);
    for (let level = 0; base && level < 3; level++) {
      const inherited = classMethod(base, name);
      if (inherited) return inherited;
      base = sameFileBase(analysis, base);
    }
    return undefined;
  }
  if (!ts.isIdentifier(callee.expression)) return undefined;
  const obj = analysis.resolveValue(callee.expression);
  if (ts.isIdentifier(obj)) return staticMethod(analysis, obj, name);
  if (!ts.isObjectLiteralExpression(obj)) return undefined;
  for (const p of obj.properties) {
    if (!p.name || p.name.getText() !== name) continue;
    if (ts.isMethodDeclaration(p) && p.body) return p;
    if (ts.isPropertyAssignment(p)) {
      const init = unwrap(p.initializer);
      if (isFunctionLike(init)) return init;
    }
  }
  return undefined;
}
