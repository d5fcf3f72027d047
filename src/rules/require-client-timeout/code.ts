import type { CodeReport, CodeDetector } from '../rule.js';
import type { Suggestion } from '../../ground/types.js';
import { ts } from '../../code/ts.js';
import type { FileAnalysis } from '../../code/analysis.js';
import { findClientCreations } from '../../code/aws-sdk.js';
import { remoteCallInfo } from '../../code/remote-calls.js';
import { getProperty, numberValue, objectLiteralOf, type PropertyLookup } from '../../code/values.js';
import { searchClientCreations } from '../../code/search-clients.js';
import { propertyThroughFactories } from '../../code/factory-values.js';
import { insertPropertySuggestion, shortText } from '../../code/report-helpers.js';
import { returnedExpressions, step, thisMemberValue, unwrap } from '../../code/walk.js';
import type { FileFacts } from '../../code/file-facts.js';
import { calleeAcross, importedValue, shownLocation } from '../../code/modules.js';
import { importedModules } from '../../code/reach.js';
import { isLocalOnly } from '../../code/local-only.js';

const HANDLER_MODULES = new Set(['@smithy/node-http-handler', '@aws-sdk/node-http-handler', '@smithy/fetch-http-handler', '@aws-sdk/fetch-http-handler']);
const FETCH_MODULES = new Set(['node-fetch', 'cross-fetch', 'isomorphic-fetch']);
/** axios call shapes: exported path → index of the config argument. */
const AXIOS_CONFIG_INDEX: Record<string, number> = {
  request: 0,
  get: 1,
  delete: 1,
  head: 1,
  options: 1,
  post: 2,
  put: 2,
  patch: 2,
  postForm: 2,
  putForm: 2,
  patchForm: 2,
};
const SIGNAL_SUGGESTION = 'signal: AbortSignal.timeout(5000)';

function stripDefault(path: string[]): string[] {
  return path[0] === 'default' ? path.slice(1) : path;
}

/** `<name>.defaults.timeout = ...` (axios) anywhere in the file, for the default instance or a created one. */
function defaultsTimeoutTargets(analysis: FileAnalysis): Set<string> {
  const out = new Set<string>();
  const text = analysis.sourceFile.text;
  if (!text.includes('defaults')) return out;
  const re = /([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)?)\.defaults\.timeout\s*=[^=]/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.add(m[1]);
  return out;
}

/** The name a creation is stored under (`const api = axios.create()` → 'api', `this.http = ...` → 'this.http'). */
function boundName(node: ts.Node): string | undefined {
  let n: ts.Node = node;
  while (n.parent && (ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isAwaitExpression(n.parent))) n = n.parent;
  const p = n.parent;
  if (!p) return undefined;
  if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return p.name.text;
  if (ts.isPropertyDeclaration(p) && ts.isIdentifier(p.name)) return `this.${p.name.text}`;
  if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const l = unwrap(p.left);
    if (ts.isIdentifier(l)) return l.text;
    if (ts.isPropertyAccessExpression(l) && l.expression.kind === ts.SyntaxKind.ThisKeyword) return `this.${l.name.text}`;
  }
  return undefined;
}

/** A client only handed to the S3 presigner makes no request itself. */
function presignOnly(analysis: FileAnalysis, name: string | undefined): boolean {
  if (!name || name.startsWith('this.')) return false;
  let presigned = false;
  step(analysis.calls.length);
  for (const call of analysis.calls) {
    const callee = unwrap(call.expression);
    if (ts.isIdentifier(callee) && /^(?:getSignedUrl|createPresignedPost|createPresignedUrl)$/.test(callee.text)) {
      const first = call.arguments[0] && unwrap(call.arguments[0]);
      if (first && ts.isIdentifier(first) && first.text === name) presigned = true;
    } else if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(unwrap(callee.expression)) && (unwrap(callee.expression) as ts.Identifier).text === name) {
      return false;
    }
  }
  return presigned;
}

function sdkReports(analysis: FileAnalysis, seen: Set<ts.Node>): CodeReport[] {
  const out: CodeReport[] = [];
  for (const c of findClientCreations(analysis)) {
    // SDK v2 clients have a default socket timeout (httpOptions.timeout); the rule covers v3
    if (c.style !== 'v3') continue;
    const origin = analysis.origin(c.node.expression);
    const cls = origin?.kind === 'module' ? (origin.ref.path[origin.ref.path.length - 1] ?? c.service) : unwrap(c.node.expression).getText();
    if (presignOnly(analysis, boundName(c.node))) continue;
    // the configuration may come from a helper of the project (`new S3Client(clientConfig(region))`)
    const cfg = c.config ? configAcross(analysis, c.config) : undefined;
    let facts: FileFacts = cfg?.facts ?? analysis;
    let rh: PropertyLookup = cfg ? getProperty(facts, cfg.expr, 'requestHandler') : { kind: 'absent' };
    let helper: ts.Node | undefined = cfg && cfg.facts !== analysis ? cfg.expr : undefined;
    let helperLabel = 'the configuration the client is created with';
    if (rh.kind === 'unknown' && c.config) {
      // built by a function of the project from what the call passes (`sdkConfig({ region })`, `{ ...base(), region }`)
      // or spread from an object another module exports (`{ ...baseSdkConfig }`)
      const built = propertyThroughFactories(analysis, c.config, 'requestHandler');
      if (built.property.kind === 'unknown' || (!built.factory && !built.imported)) continue;
      rh = built.property;
      if (built.property.kind === 'present') facts = built.property.facts;
      helper = built.factory ? factoryName(built.factory) : objectName(built.imported!);
      helperLabel = built.factory ? 'the function that builds the configuration' : 'the configuration object it spreads';
    }
    if (rh.kind === 'unknown') continue;
    if (rh.kind === 'absent') {
      if (seen.has(c.node)) continue;
      seen.add(c.node);
      // `httpOptions: { timeout }` is how SDK v2 takes timeouts: a v3 client ignores it
      let v2: { kind: string } = cfg ? getProperty(cfg.facts, cfg.expr, 'httpOptions') : { kind: 'absent' };
      if (v2.kind === 'unknown' && c.config) v2 = propertyThroughFactories(analysis, c.config, 'httpOptions').property;
      const ignored = v2.kind === 'present' ? '; the `httpOptions` it is given is an SDK v2 setting, which v3 clients ignore' : '';
      out.push({
        node: c.node,
        message: `\`${cls}\` is created without a requestHandler setting connectionTimeout and requestTimeout${helper ? ` (its configuration comes from ${shownLocation(c.node, helper)}, which sets none${ignored})` : ignored ? ` (${ignored.slice(2)})` : ''}: a hung connection or a slow ${cls.replace(/Client$/, '')} response holds the handler until its own timeout (the SDK sets no deadline by default)`,
        related: helper ? [{ node: helper, label: helperLabel }] : undefined,
      });
      continue;
    }
    const handler = facts.resolveValue(rh.value);
    let options: ts.Expression | undefined;
    // the fetch handler and the HTTP/2 handler take one deadline, `requestTimeout`, which also runs
    // while the connection is made (neither has a `connectionTimeout` option)
    let singleTimeout = false;
    if (ts.isObjectLiteralExpression(handler)) options = handler;
    else if (ts.isNewExpression(handler) || ts.isCallExpression(handler)) {
      const callee = unwrap(handler.expression);
      const target = ts.isCallExpression(handler) && ts.isPropertyAccessExpression(callee) && callee.name.text === 'create' ? callee.expression : callee;
      const origin = facts.origin(target);
      if (origin?.kind !== 'module' || !HANDLER_MODULES.has(origin.ref.module)) continue;
      singleTimeout = origin.ref.path[0] === 'FetchHttpHandler' || origin.ref.path[0] === 'NodeHttp2Handler';
      options = handler.arguments?.[0];
    } else continue;
    const wanted = singleTimeout ? ['requestTimeout'] : ['connectionTimeout', 'requestTimeout'];
    const lookups = wanted.map((name) => [name, options ? handlerSetting(facts, options, name, singleTimeout) : ({ kind: 'absent' } as const)] as const);
    if (lookups.some(([, l]) => l.kind === 'unknown')) continue;
    const missing = lookups.filter(([, l]) => l.kind === 'absent').map(([n]) => n);
    if (missing.length === 0) continue;
    // a handler shared by several clients is reported once, where it is written
    const node = handler.getSourceFile() === analysis.sourceFile ? handler : rh.node;
    if (seen.has(node)) continue;
    seen.add(node);
    out.push({
      node,
      message: `The requestHandler of \`${cls}\` sets no ${missing.join(' or ')}: ${missing.includes('requestTimeout') ? `a slow ${cls.replace(/Client$/, '')} response` : 'a connection that cannot be established'} holds the handler until its own timeout`,
    });
  }
  return out;
}

/**
 * A timeout option of an SDK HTTP handler. `socketTimeout` is the deprecated name of the Node.js
 * handler's `requestTimeout` (the handler uses `requestTimeout ?? socketTimeout`), so either sets it.
 */
function handlerSetting(facts: FileFacts, options: ts.Expression, name: string, noAlias: boolean): PropertyLookup {
  const own = getProperty(facts, options, name);
  if (own.kind !== 'absent' || name !== 'requestTimeout' || noAlias) return own;
  return getProperty(facts, options, 'socketTimeout');
}

/** Where a factory is shown: its name (`function sdkConfig`, `const sdkConfig = () =>`, `exports.sdkConfig =`), else the function. */
/** `baseConfig` of `export const baseConfig = {...}`, else the object itself. */
function objectName(obj: ts.ObjectLiteralExpression): ts.Node {
  return ts.isVariableDeclaration(obj.parent) ? obj.parent.name : obj;
}

function factoryName(fn: ts.FunctionLikeDeclaration): ts.Node {
  if (fn.name) return fn.name;
  const p = fn.parent;
  if (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p)) return p.name;
  if (ts.isBinaryExpression(p) && p.right === fn) return p.left;
  return fn;
}

/**
 * Where a client's configuration is written: the expression itself, or, for a call of a project
 * helper (`clientConfig(region)`) or an imported constant, the object literal in the helper's file.
 */
function configAcross(analysis: FileAnalysis, config: ts.Expression): { facts: FileFacts; expr: ts.Expression } {
  if (getProperty(analysis, config, 'requestHandler').kind !== 'unknown') return { facts: analysis, expr: config };
  let e = analysis.resolveValue(config);
  if (ts.isAwaitExpression(e)) e = analysis.resolveValue(e.expression);
  if (ts.isCallExpression(e)) {
    const target = calleeAcross(analysis, e.expression);
    const returned = target?.fn.body ? returnedExpressions(target.fn) : [];
    if (target && returned.length === 1) {
      const obj = target.facts.resolveValue(returned[0]);
      if (ts.isObjectLiteralExpression(obj)) return { facts: target.facts, expr: obj };
    }
  } else if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
    const value = importedValue(analysis, e);
    if (value && ts.isObjectLiteralExpression(value.node)) return { facts: value.facts, expr: value.node };
  }
  return { facts: analysis, expr: config };
}

/** The text an address is known to start with: a literal, a template head, the left end of a concatenation. */
function urlPrefix(analysis: FileAnalysis, expr: ts.Expression | undefined, depth = 0): string | undefined {
  if (!expr || depth > 24) return undefined;
  const e = analysis.resolveValue(expr);
  if (ts.isStringLiteralLike(e)) return e.text;
  if (ts.isTemplateExpression(e)) return e.head.text;
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) return urlPrefix(analysis, e.left, depth + 1);
  return undefined;
}

/** Requests over loopback (a Lambda extension such as the AppConfig agent or the Parameters and Secrets extension, a sidecar) are not reported. */
function isLoopback(analysis: FileAnalysis, expr: ts.Expression | undefined): boolean {
  const prefix = urlPrefix(analysis, expr);
  return prefix !== undefined && /^https?:\/\/(?:localhost|127\.\d+\.\d+\.\d+|\[::1\])(?:[:/]|$)/i.test(prefix);
}

function fetchSuggestion(analysis: FileAnalysis, call: ts.CallExpression): Suggestion[] | undefined {
  const sf = analysis.sourceFile;
  const opts = call.arguments[1];
  if (!opts) {
    const first = call.arguments[0];
    if (!first || call.arguments.length !== 1) return undefined;
    return [{ description: 'Add a deadline: signal: AbortSignal.timeout(5000)', edits: [{ start: first.getEnd(), end: first.getEnd(), text: `, { ${SIGNAL_SUGGESTION} }` }] }];
  }
  const obj = objectLiteralOf(analysis, opts);
  if (!obj || obj.getSourceFile() !== sf || unwrap(opts) !== obj) return undefined;
  return [insertPropertySuggestion(obj, SIGNAL_SUGGESTION, 'Add a deadline: signal: AbortSignal.timeout(5000)')];
}

/** fetch: global, undici, node-fetch and friends. Returns undefined when the call is not a fetch. */
function fetchKind(analysis: FileAnalysis, call: ts.CallExpression, label: string): 'global' | 'undici' | 'node-fetch' | undefined {
  if (label === 'fetch(...)') return 'global';
  const origin = analysis.origin(unwrap(call.expression));
  if (origin?.kind !== 'module') return undefined;
  const path = stripDefault(origin.ref.path);
  if (origin.ref.module === 'undici' && path.length === 1 && path[0] === 'fetch') return 'undici';
  if (FETCH_MODULES.has(origin.ref.module) && (path.length === 0 || (path.length === 1 && path[0] === 'fetch'))) return 'node-fetch';
  return undefined;
}

function httpReports(analysis: FileAnalysis, seen: Set<ts.Node>): CodeReport[] {
  const out: CodeReport[] = [];
  const defaults = defaultsTimeoutTargets(analysis);
  for (const call of analysis.calls) {
    const info = remoteCallInfo(analysis, call);
    const callee = unwrap(call.expression);
    if (info?.kind === 'http') {
      const kind = fetchKind(analysis, call, info.label);
      if (kind) {
        const first = call.arguments[0] && analysis.resolveValue(call.arguments[0]);
        // a Request object may carry its own signal
        if (!first || ts.isNewExpression(first) || isLoopback(analysis, call.arguments[0])) continue;
        const opts = call.arguments[1];
        if (opts) {
          const signal = getProperty(analysis, opts, 'signal');
          const timeout = kind === 'node-fetch' ? getProperty(analysis, opts, 'timeout') : ({ kind: 'absent' } as const);
          if (signal.kind !== 'absent' || timeout.kind !== 'absent') continue;
        }
        out.push({
          node: call,
          message: `\`${info.label}\` without a signal has no overall deadline: a slow or stalled response holds the handler until its own timeout`,
          suggestions: fetchSuggestion(analysis, call),
        });
        continue;
      }
    }
    const origin = ts.isIdentifier(callee) || ts.isPropertyAccessExpression(callee) ? analysis.origin(callee) : undefined;
    if (origin?.kind !== 'module') continue;
    const path = stripDefault(origin.ref.path);
    if (NODE_HTTP_MODULES.has(origin.ref.module)) {
      if (info?.kind !== 'http' || isLoopback(analysis, call.arguments[0]) || nodeRequestTimed(analysis, call)) continue;
      out.push({ node: call, message: `\`${info.label}\` without timeout has no deadline: Node's HTTP client waits as long as the server takes, holding the handler until its own timeout` });
      continue;
    }
    if (origin.ref.module === 'axios') {
      if (path.length === 1 && path[0] === 'create') {
        if (defaults.has(boundName(call) ?? '\0')) continue;
        const cfg = call.arguments[0];
        const timeout = cfg ? getProperty(analysis, cfg, 'timeout') : ({ kind: 'absent' } as const);
        if (timeout.kind !== 'absent') continue;
        out.push({ node: call, message: `\`${calleeText(call)}\` creates an axios instance without timeout: its requests wait as long as the server takes (axios default 0, no limit)` });
        continue;
      }
      if (info?.kind !== 'http') continue;
      if (defaults.has(unwrap(ts.isPropertyAccessExpression(callee) ? callee.expression : callee).getText())) continue;
      let index: number | undefined;
      if (path.length === 0) index = call.arguments[0] && ts.isObjectLiteralExpression(analysis.resolveValue(call.arguments[0])) ? 0 : 1;
      else index = AXIOS_CONFIG_INDEX[path[0]];
      if (index === undefined) continue;
      const cfg = call.arguments[index];
      const address = path.length === 0 && index === 0 ? getProperty(analysis, cfg, 'url') : undefined;
      if (isLoopback(analysis, address?.kind === 'present' ? address.value : call.arguments[0])) continue;
      const timeout = cfg ? getProperty(analysis, cfg, 'timeout') : ({ kind: 'absent' } as const);
      if (timeout.kind !== 'absent') continue;
      out.push({ node: call, message: `\`${info.label}\` without timeout waits as long as the server takes (axios default 0, no limit)` });
      continue;
    }
    if (REQUEST_MODULES.has(origin.ref.module)) {
      // `request(url | options, ...)`, `request.post(...)`, `rp(options)`; `request.defaults(options)` makes an instance
      const isDefaults = path.length === 1 && path[0] === 'defaults';
      if (!isDefaults && info?.kind !== 'http') continue;
      if (!isDefaults && isLoopback(analysis, call.arguments[0])) continue;
      const optsArg = call.arguments.slice(0, 2).find((a) => !isStringLike(analysis, a) && !isFunctionArg(analysis, a));
      if (optsArg && !objectLiteralOf(analysis, optsArg)) continue;
      const timeout = optsArg ? getProperty(analysis, optsArg, 'timeout') : ({ kind: 'absent' } as const);
      if (timeout.kind !== 'absent') continue;
      out.push({
        node: call,
        message: isDefaults
          ? `\`${calleeText(call)}\` creates a ${origin.ref.module} instance without timeout: its requests wait as long as the operating system lets a connection hang (the library sets no timeout)`
          : `\`${info!.label}\` without timeout waits as long as the operating system lets a connection hang (${origin.ref.module} sets no timeout)`,
      });
      continue;
    }
    if (origin.ref.module === 'got') {
      const isExtend = path.length === 1 && path[0] === 'extend';
      if (!isExtend && info?.kind !== 'http') continue;
      if (seen.has(call) || (!isExtend && isLoopback(analysis, call.arguments[0]))) continue;
      // options: the object argument (`got(url, options)`, `got(options)`, `got.extend(options)`)
      const objects = call.arguments.filter((a) => !ts.isStringLiteralLike(unwrap(a)) && !ts.isTemplateExpression(unwrap(a)));
      const optsArg = isExtend ? call.arguments[0] : call.arguments.length >= 2 ? call.arguments[1] : objects[0];
      const timeout = optsArg ? getProperty(analysis, optsArg, 'timeout') : ({ kind: 'absent' } as const);
      if (timeout.kind !== 'absent') continue;
      if (optsArg && !objectLiteralOf(analysis, optsArg)) continue;
      out.push({
        node: call,
        message: isExtend
          ? `\`${calleeText(call)}\` creates a got instance without timeout: its requests have no deadline (got sets none by default)`
          : `\`${info!.label}\` without timeout has no deadline (got sets none by default)`,
      });
    }
  }
  return out;
}

const NODE_HTTP_MODULES = new Set(['http', 'https', 'node:http', 'node:https']);

/**
 * Whether a Node `http(s).request(...)` / `.get(...)` has a deadline, or may: options with
 * `timeout`, `signal` or an `agent` of their own (or options the analysis cannot read), or a
 * `setTimeout(...)` on the request it returns (`req.setTimeout(5000, ...)`, chained or through
 * the variable holding it).
 */
function nodeRequestTimed(analysis: FileAnalysis, call: ts.CallExpression): boolean {
  const [first, second] = call.arguments;
  const opts = first && !isStringLike(analysis, first) && !isUrl(analysis, first) ? first : second && !isFunctionArg(analysis, second) ? second : undefined;
  if (opts) {
    if (!objectLiteralOf(analysis, opts)) return true;
    if (['timeout', 'signal', 'agent'].some((m) => getProperty(analysis, opts, m).kind !== 'absent')) return true;
  }
  const parent = call.parent;
  if (ts.isPropertyAccessExpression(parent) && parent.name.text === 'setTimeout') return true;
  const holder = ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name) ? parent.name.text : undefined;
  if (!holder) return false;
  return analysis.calls.some((c) => {
    const callee = unwrap(c.expression);
    if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'setTimeout') return false;
    const recv = unwrap(callee.expression);
    return ts.isIdentifier(recv) && recv.text === holder && analysis.resolveValue(recv) === call;
  });
}

/** `new URL(...)`: a request target, not options. */
function isUrl(analysis: FileAnalysis, arg: ts.Expression): boolean {
  const value = analysis.resolveValue(arg);
  return ts.isNewExpression(value) && ts.isIdentifier(value.expression) && value.expression.text === 'URL';
}

/**
 * An HTTP handler of the SDK that sends requests itself (`await new NodeHttpHandler().handle(signed)`,
 * the way a SigV4-signed request to an OpenSearch domain or an API is sent): no client around it
 * adds a deadline, so the handler's own options must set one. Reported at the handler's creation.
 */
function directHandlerReports(analysis: FileAnalysis, seen: Set<ts.Node>): CodeReport[] {
  const out: CodeReport[] = [];
  for (const call of analysis.calls) {
    const callee = unwrap(call.expression);
    if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'handle' || call.arguments.length === 0) continue;
    const creation = httpHandlerCreation(analysis, callee.expression);
    if (!creation || seen.has(creation.node)) continue;
    const wanted = creation.fetch ? ['requestTimeout'] : ['connectionTimeout', 'requestTimeout'];
    const options = creation.node.arguments?.[0];
    const lookups = wanted.map((name) => [name, options ? handlerSetting(analysis, options, name, creation.fetch) : ({ kind: 'absent' } as const)] as const);
    if (lookups.some(([, l]) => l.kind === 'unknown')) continue;
    const missing = lookups.filter(([, l]) => l.kind === 'absent').map(([n]) => n);
    if (missing.length === 0) continue;
    seen.add(creation.node);
    out.push({
      node: creation.node,
      message: `\`${creation.name}\` sends requests itself (\`${shortText(call)}\`) without ${missing.join(' or ')}: no SDK client adds a deadline, so a hung connection or a slow response holds the handler until its own timeout`,
      related: [{ node: call, label: 'the request it sends' }],
    });
  }
  return out;
}

/** `new NodeHttpHandler(...)`, `NodeHttpHandler.create(...)` (or the fetch handler) that `expr` holds, in this file. */
function httpHandlerCreation(analysis: FileAnalysis, expr: ts.Expression): { node: ts.NewExpression | ts.CallExpression; name: string; fetch: boolean } | undefined {
  let value = analysis.resolveValue(expr);
  if (ts.isPropertyAccessExpression(value) && value.expression.kind === ts.SyntaxKind.ThisKeyword) {
    const member = thisMemberValue(value);
    if (!member) return undefined;
    value = analysis.resolveValue(member);
  }
  if (!ts.isNewExpression(value) && !ts.isCallExpression(value)) return undefined;
  const callee = unwrap(value.expression);
  const target = ts.isCallExpression(value) ? (ts.isPropertyAccessExpression(callee) && callee.name.text === 'create' ? callee.expression : undefined) : callee;
  if (!target) return undefined;
  const origin = analysis.origin(target);
  if (origin?.kind !== 'module' || !HANDLER_MODULES.has(origin.ref.module)) return undefined;
  const cls = origin.ref.path[origin.ref.path.length - 1];
  if (cls !== 'NodeHttpHandler' && cls !== 'FetchHttpHandler') return undefined;
  return { node: value, name: ts.isNewExpression(value) ? `new ${cls}(...)` : `${cls}.create(...)`, fetch: cls === 'FetchHttpHandler' };
}

/** The request library and its promise wrappers: no timeout unless the options set one. */
const REQUEST_MODULES = new Set(['request', 'request-promise', 'request-promise-native']);

function isStringLike(analysis: FileAnalysis, arg: ts.Expression): boolean {
  const e = unwrap(arg);
  if (ts.isStringLiteralLike(e) || ts.isTemplateExpression(e)) return true;
  // `process.env.ORDERS_URL`
  if (ts.isPropertyAccessExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.getText() === 'process.env') return true;
  const v = analysis.resolveValue(e);
  return ts.isStringLiteralLike(v) || ts.isTemplateExpression(v) || (ts.isBinaryExpression(v) && v.operatorToken.kind === ts.SyntaxKind.PlusToken);
}

function isFunctionArg(analysis: FileAnalysis, arg: ts.Expression): boolean {
  const v = analysis.resolveValue(unwrap(arg));
  return ts.isArrowFunction(v) || ts.isFunctionExpression(v) || ts.isFunctionDeclaration(v);
}

function calleeText(call: ts.CallExpression): string {
  const t = unwrap(call.expression).getText().replace(/\s+/g, '');
  return t.length <= 40 ? `${t}(...)` : 'create(...)';
}

/**
 * OpenSearch / Elasticsearch clients whose `requestTimeout` is set to 0 or Infinity: no deadline.
 * Without the option the clients time out at 30 s (`@opensearch-project/opensearch`, the legacy
 * `elasticsearch`, `@elastic/elasticsearch` up to 8.x), which is not reported.
 */
function searchReports(analysis: FileFacts, seen: Set<ts.Node>): CodeReport[] {
  const out: CodeReport[] = [];
  for (const creation of searchClientCreations(analysis)) {
    const prop = getProperty(analysis, creation.config, 'requestTimeout');
    if (prop.kind !== 'present' || seen.has(prop.node)) continue;
    const n = numberValue(analysis, prop.value);
    if (n !== 0 && n !== Infinity) continue;
    seen.add(prop.node);
    out.push({ node: prop.node, message: `\`requestTimeout: ${prop.value.getText()}\` turns off the timeout of this ${creation.module} client: a slow or stuck cluster holds the handler until its own timeout` });
  }
  return out;
}

// every finding is an SDK v3 client, an SDK HTTP handler, a fetch, an axios/got/request call or a search client
const PREFILTER = /@aws-sdk\/client-|fetch|axios|got|request|-http-handler/;

const detector: CodeDetector = {
  prefilter: PREFILTER,
  followsImports: true,
  code({ analysis }) {
    if (!analysis.contexts.isHandlerFile()) return [];
    const seen = new Set<ts.Node>();
    // a client or request made only when the code runs under a local emulator never runs deployed
    const deployed = (facts: FileFacts) => (r: CodeReport) => r.node.getSourceFile() !== facts.sourceFile || !isLocalOnly(facts, r.node);
    const reports = [...sdkReports(analysis, seen), ...httpReports(analysis, seen), ...directHandlerReports(analysis, seen), ...searchReports(analysis, seen)].filter(deployed(analysis));
    // clients and requests of the project modules the handler file loads, reported where they are
    for (const { facts, from } of importedModules(analysis)) {
      if (!PREFILTER.test(facts.sourceFile.text)) continue;
      for (const r of [...sdkReports(facts, seen), ...httpReports(facts, seen), ...directHandlerReports(facts, seen), ...searchReports(facts, seen)].filter(deployed(facts))) {
        reports.push({ ...r, related: [...(r.related ?? []), { node: from, label: 'loaded by this handler file' }] });
      }
    }
    return reports.sort((a, b) => a.node.pos - b.node.pos);
  },
};

export default detector;
