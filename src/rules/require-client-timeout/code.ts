import type { CodeReport, CodeDetector } from '../rule.js';
import type { Suggestion } from '../../ground/types.js';
import { ts } from '../../code/ts.js';
import type { FileAnalysis } from '../../code/analysis.js';
import { findClientCreations } from '../../code/aws-sdk.js';
import { remoteCallInfo, resolveLocalFunction } from '../../code/remote-calls.js';
import { getProperty, objectLiteralOf, type PropertyLookup } from '../../code/values.js';
import { insertPropertySuggestion } from '../../code/report-helpers.js';
import { returnedExpressions, step, unwrap, walk } from '../../code/walk.js';
import type { FileFacts } from '../../code/file-facts.js';
import { calleeAcross, importedValue, shownLocation } from '../../code/modules.js';
import { importedModules } from '../../code/reach.js';

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
    let cfg = c.config ? configAcross(analysis, c.config) : undefined;
    let rh: PropertyLookup = cfg ? getProperty(cfg.facts, cfg.expr, 'requestHandler') : { kind: 'absent' };
    if (rh.kind === 'unknown' && c.config) {
      // `new S3(getOptions({}))`, `{ ...getOptions({ region }), region }`: a helper that adds
      // other settings to the object it is given and returns it
      const through = throughHelpers(analysis, c.config, 'requestHandler', 0);
      if (through) {
        rh = through.lookup;
        cfg = { facts: through.facts, expr: c.config };
      }
    }
    const facts = cfg?.facts ?? analysis;
    if (rh.kind === 'unknown') continue;
    if (rh.kind === 'absent') {
      if (seen.has(c.node)) continue;
      seen.add(c.node);
      const helper = cfg && cfg.facts !== analysis ? cfg.expr : undefined;
      out.push({
        node: c.node,
        message: `\`${cls}\` is created without a requestHandler setting connectionTimeout and requestTimeout${helper ? ` (its configuration comes from ${shownLocation(c.node, helper)}, which sets none)` : ''}: a hung connection or a slow ${cls.replace(/Client$/, '')} response holds the handler until its own timeout (the SDK sets no deadline by default)`,
        related: helper ? [{ node: helper, label: 'the configuration the client is created with' }] : undefined,
      });
      continue;
    }
    const handler = facts.resolveValue(rh.value);
    let options: ts.Expression | undefined;
    let fetchHandler = false;
    if (ts.isObjectLiteralExpression(handler)) options = handler;
    else if (ts.isNewExpression(handler) || ts.isCallExpression(handler)) {
      const callee = unwrap(handler.expression);
      const target = ts.isCallExpression(handler) && ts.isPropertyAccessExpression(callee) && callee.name.text === 'create' ? callee.expression : callee;
      const origin = facts.origin(target);
      if (origin?.kind !== 'module' || !HANDLER_MODULES.has(origin.ref.module)) continue;
      fetchHandler = origin.ref.path[0] === 'FetchHttpHandler';
      options = handler.arguments?.[0];
    } else continue;
    const wanted = fetchHandler ? ['requestTimeout'] : ['connectionTimeout', 'requestTimeout'];
    const lookups = wanted.map((name) => [name, options ? getProperty(facts, options, name) : ({ kind: 'absent' } as const)] as const);
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
 * A property of a configuration built with helpers that add settings to the object they are given
 * and return it (`const getOptions = (o) => { o.customUserAgent = ua; return o; }`): the property
 * is looked up in the object the caller passes, unless the helper sets it (or hands the object to
 * other code). Object literals with spreads of such calls are followed too. Undefined when no such
 * helper is involved or the lookup cannot be decided.
 */
function throughHelpers(facts: FileFacts, expr: ts.Expression, name: string, depth: number): { lookup: PropertyLookup; facts: FileFacts } | undefined {
  if (depth > 4) return undefined;
  let e = facts.resolveValue(expr);
  if (ts.isAwaitExpression(e)) e = facts.resolveValue(e.expression);
  if (ts.isObjectLiteralExpression(e)) {
    let result: { lookup: PropertyLookup; facts: FileFacts } = { lookup: { kind: 'absent' }, facts };
    let followed = false;
    for (const p of e.properties) {
      if (ts.isSpreadAssignment(p)) {
        const own = getProperty(facts, p.expression, name);
        const inner = own.kind === 'unknown' ? throughHelpers(facts, p.expression, name, depth + 1) : { lookup: own, facts };
        if (!inner) return undefined;
        if (own.kind === 'unknown') followed = true;
        if (inner.lookup.kind !== 'absent') result = inner;
        continue;
      }
      const key = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteralLike(p.name)) ? p.name.text : undefined;
      if (key === undefined) return undefined;
      if (key !== name) continue;
      result = ts.isPropertyAssignment(p) ? { lookup: { kind: 'present', value: p.initializer, node: p }, facts } : { lookup: { kind: 'unknown' }, facts };
    }
    return followed ? result : undefined;
  }
  if (!ts.isCallExpression(e)) return undefined;
  const local = resolveLocalFunction(facts, e.expression);
  const target = local ? { fn: local } : calleeAcross(facts, e.expression);
  if (!target?.fn.body) return undefined;
  const index = returnedParameter(target.fn, name);
  if (index === undefined) return undefined;
  const arg = e.arguments[index];
  if (!arg) return { lookup: { kind: 'absent' }, facts };
  const own = getProperty(facts, arg, name);
  return own.kind === 'unknown' ? throughHelpers(facts, arg, name, depth + 1) : { lookup: own, facts };
}

/**
 * The index of the parameter a helper returns after setting other properties on it
 * (`o = o || {}`; `o.customUserAgent = ...`; `return o`); undefined when it returns anything
 * else, sets `name`, or hands the object to other code.
 */
function returnedParameter(fn: ts.FunctionLikeDeclaration, name: string): number | undefined {
  const returned = returnedExpressions(fn).map((r) => unwrap(r));
  if (returned.length !== 1 || !ts.isIdentifier(returned[0]!)) return undefined;
  const param = returned[0].text;
  const index = fn.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === param);
  if (index < 0 || !fn.body || !ts.isBlock(fn.body)) return undefined;
  let safe = true;
  walk(fn.body, (n) => {
    if (!safe) return false;
    if (!ts.isIdentifier(n) || n.text !== param || n === returned[0]) return undefined;
    // `(o as Options).x`, `o!.x`: the object itself
    let ref: ts.Node = n;
    while (ts.isParenthesizedExpression(ref.parent) || ts.isAsExpression(ref.parent) || ts.isNonNullExpression(ref.parent) || ts.isSatisfiesExpression(ref.parent)) ref = ref.parent;
    const parent = ref.parent;
    // `o.x = v` for another property, `o.x` read
    if (ts.isPropertyAccessExpression(parent) && parent.expression === ref) {
      if (parent.name.text === name) safe = false;
      return undefined;
    }
    if (ts.isBinaryExpression(parent)) {
      const assigns = parent.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && parent.operatorToken.kind <= ts.SyntaxKind.LastAssignment;
      // a read (`o || {}`, `o === undefined`)
      if (!assigns || parent.left !== ref) return undefined;
      // `o = o || {}` / `o = o ?? {}`
      const right = unwrap(parent.right);
      const keeps =
        parent.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
        ts.isBinaryExpression(right) &&
        ts.isIdentifier(unwrap(right.left)) &&
        (unwrap(right.left) as ts.Identifier).text === param &&
        ts.isObjectLiteralExpression(unwrap(right.right)) &&
        (unwrap(right.right) as ts.ObjectLiteralExpression).properties.length === 0;
      if (!keeps) safe = false;
      return undefined;
    }
    // an `if (o)` test reads it; anything else (an argument, an alias) may set anything
    if ((ts.isIfStatement(parent) && parent.expression === ref) || ts.isPrefixUnaryExpression(parent) || ts.isTypeOfExpression(parent)) return undefined;
    safe = false;
    return undefined;
  });
  return safe ? index : undefined;
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

function calleeText(call: ts.CallExpression): string {
  const t = unwrap(call.expression).getText().replace(/\s+/g, '');
  return t.length <= 40 ? `${t}(...)` : 'create(...)';
}

// every finding is an SDK v3 client, a fetch, or an axios/got call
const PREFILTER = /@aws-sdk\/client-|fetch|axios|got/;

const detector: CodeDetector = {
  prefilter: PREFILTER,
  followsImports: true,
  code({ analysis }) {
    if (!analysis.contexts.isHandlerFile()) return [];
    const seen = new Set<ts.Node>();
    const reports = [...sdkReports(analysis, seen), ...httpReports(analysis, seen)];
    // clients and requests of the project modules the handler file loads, reported where they are
    for (const { facts, from } of importedModules(analysis)) {
      if (!PREFILTER.test(facts.sourceFile.text)) continue;
      for (const r of [...sdkReports(facts, seen), ...httpReports(facts, seen)]) {
        reports.push({ ...r, related: [...(r.related ?? []), { node: from, label: 'loaded by this handler file' }] });
      }
    }
    return reports.sort((a, b) => a.node.pos - b.node.pos);
  },
};

export default detector;
