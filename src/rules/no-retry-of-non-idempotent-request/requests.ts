/**
 * HTTP requests seen as "method + does it carry an idempotency key": fetch / node-fetch / undici
 * (`init.method`), axios / got / ky / superagent verb methods (`api.post(...)`), and request-config
 * calls (`axios({ method: 'POST' })`, `got(url, { method: 'PATCH' })`, `https.request({ method })`);
 * and the OpenSearch / Elasticsearch writes that are not idempotent (`../../code/search-writes.ts`),
 * which no header fixes.
 */
import { ts } from '../../code/ts.js';
import type { FileAnalysis } from '../../code/analysis.js';
import { innermostRemote, remoteCallInfo, type RemoteCall } from '../../code/remote-calls.js';
import { getProperty, objectLiteralOf, stringShape } from '../../code/values.js';
import { unwrap } from '../../code/walk.js';
import { searchWriteOf } from '../../code/search-writes.js';

export type Method = 'POST' | 'PATCH' | 'OTHER' | 'UNKNOWN';

export interface RequestFacts {
  call: ts.CallExpression;
  label: string;
  method: Method;
  /** True when the request (or something the linter cannot see into) may carry an idempotency key. */
  mayHaveKey: boolean;
  /**
   * For an OpenSearch / Elasticsearch write that no header makes idempotent: what it does twice
   * ("indexes a document under an id the cluster generates") and how to fix it.
   */
  search?: { effect: string; fix: string };
}

const VERB_METHODS: Record<string, Method> = {
  post: 'POST',
  postForm: 'POST',
  patch: 'PATCH',
  patchForm: 'PATCH',
  get: 'OTHER',
  put: 'OTHER',
  delete: 'OTHER',
  del: 'OTHER',
  head: 'OTHER',
  options: 'OTHER',
  putForm: 'OTHER',
};

function methodOf(text: string): Method {
  const m = text.toUpperCase();
  return m === 'POST' || m === 'PATCH' ? m : 'OTHER';
}

/** Tests a text for one of the idempotency header names, or an idempotency key in the body. */
export function keyMatcher(headers: string[]): RegExp {
  const names = headers.map((h) => h.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`${names.length > 0 ? `${names.join('|')}|` : ''}idempoten|dedup|client_?token|clientRequestToken`, 'i');
}

/** The code of a node without its comments (a comment mentioning idempotency is not a key). */
export function codeText(node: ts.Node): string {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, node.getText());
  const parts: string[] = [];
  for (let t = scanner.scan(); t !== ts.SyntaxKind.EndOfFileToken; t = scanner.scan()) parts.push(scanner.getTokenText());
  return parts.join(' ');
}

/** The code of an expression and of what it resolves to (a const holding the options or the headers). */
export function texts(analysis: FileAnalysis, expr: ts.Expression): string {
  const resolved = analysis.resolveValue(expr);
  return resolved === unwrap(expr) ? codeText(expr) : `${codeText(expr)}\n${codeText(resolved)}`;
}

/** The outermost expression of a chain starting at `call`: `request.post(url).set(...).send(...)`. */
function chainOf(call: ts.CallExpression): ts.Expression {
  let node: ts.Expression = call;
  for (;;) {
    const p = node.parent;
    if (p && ts.isPropertyAccessExpression(p) && p.expression === node && p.parent && ts.isCallExpression(p.parent) && p.parent.expression === p) node = p.parent;
    else return node;
  }
}

/** Whether the options arguments of a request may carry a key, and whether something in them is opaque. */
function mayCarryKey(analysis: FileAnalysis, call: ts.CallExpression, key: RegExp): boolean {
  if (key.test(codeText(chainOf(call)))) return true;
  for (const arg of call.arguments) {
    const a = unwrap(arg);
    if (ts.isIdentifier(a) || ts.isPropertyAccessExpression(a)) {
      if (key.test(texts(analysis, a))) return true;
    }
    const headers = getProperty(analysis, arg, 'headers');
    if (headers.kind === 'present') {
      const h = unwrap(headers.value);
      if (key.test(texts(analysis, h))) return true;
      // headers built elsewhere (a helper, a parameter): may hold the key
      const obj = objectLiteralOf(analysis, h) ?? (ts.isNewExpression(h) && h.arguments?.[0] ? objectLiteralOf(analysis, h.arguments[0]) : undefined);
      if (!obj) return true;
      if (obj.properties.some((p) => ts.isSpreadAssignment(p) || (p.name !== undefined && ts.isComputedPropertyName(p.name)))) return true;
    }
  }
  return false;
}

/** Search and query endpoints, GraphQL queries: POST used to read. */
const READ_ENDPOINT = /_search\b|_msearch\b|_count\b|\/search\b|\/query\b/i;

/**
 * An OAuth 2.0 token request (`grant_type` in the form body): a repeat only issues another access
 * token, which replaces nothing and charges nothing.
 */
const TOKEN_REQUEST = /\bgrant_type\b/;

/** Where request options carry the payload: fetch `body`, axios `data`, got `form` / `json`. */
const BODY_OPTIONS = ['body', 'data', 'form', 'json'];

function isReadOverPost(analysis: FileAnalysis, call: ts.CallExpression): boolean {
  const text = call.arguments.map((a) => texts(analysis, a)).join('\n');
  if (READ_ENDPOINT.test(text)) return true;
  if (TOKEN_REQUEST.test(text) || TOKEN_REQUEST.test(bodyTexts(analysis, call))) return true;
  return /graphql/i.test(text) && !/\bmutation\b/.test(analysis.sourceFile.text);
}

/** The code of the payloads the options arguments of a request name (`{ method: 'POST', body }`). */
function bodyTexts(analysis: FileAnalysis, call: ts.CallExpression): string {
  const out: string[] = [];
  for (const arg of call.arguments) {
    if (!objectLiteralOf(analysis, arg)) continue;
    for (const name of BODY_OPTIONS) {
      const prop = getProperty(analysis, arg, name);
      if (prop.kind === 'present') out.push(texts(analysis, prop.value));
    }
  }
  return out.join('\n');
}

/** Method and idempotency key of an HTTP request call; undefined for other calls. */
export function requestFacts(analysis: FileAnalysis, call: ts.CallExpression, key: RegExp): RequestFacts | undefined {
  const remote = remoteCallInfo(analysis, call);
  if (remote?.kind === 'search') {
    // `index` without an id is a POST to `_doc`; the other non-idempotent writes are POSTs too
    const write = searchWriteOf(analysis, call);
    return write ? { call, label: `\`${remote.label}\``, method: 'POST', mayHaveKey: false, search: { effect: write.effect, fix: write.fix } } : undefined;
  }
  if (!remote || remote.kind !== 'http') return undefined;
  return { call, label: `\`${remote.label}\``, method: requestMethod(analysis, call), mayHaveKey: mayCarryKey(analysis, call, key) };
}

function requestMethod(analysis: FileAnalysis, call: ts.CallExpression): Method {
  const callee = unwrap(call.expression);
  if (ts.isPropertyAccessExpression(callee)) {
    const verb = VERB_METHODS[callee.name.text];
    if (verb) return verb;
  }
  let method: Method = 'OTHER';
  for (const arg of call.arguments) {
    const prop = getProperty(analysis, arg, 'method');
    if (prop.kind === 'unknown' && objectLiteralOf(analysis, arg) === undefined) {
      // a string URL or a body: no method here
      const v = analysis.resolveValue(arg);
      if (ts.isStringLiteralLike(v) || ts.isTemplateExpression(v) || ts.isBinaryExpression(v)) continue;
      if (ts.isIdentifier(v) || ts.isPropertyAccessExpression(v) || ts.isCallExpression(v)) continue;
      return 'UNKNOWN';
    }
    if (prop.kind === 'unknown') return 'UNKNOWN';
    if (prop.kind !== 'present') continue;
    const shape = stringShape(analysis, prop.value);
    if (shape?.exact === undefined) return 'UNKNOWN';
    method = methodOf(shape.exact);
  }
  return method;
}

/**
 * The non-idempotent requests a retried call makes without a key: the call itself, or for a
 * same-file helper the request its body sends.
 */
export function unsafeRequestsOf(analysis: FileAnalysis, remote: RemoteCall, key: RegExp): RequestFacts[] {
  const inner = innermostRemote(remote);
  const facts = requestFacts(analysis, inner.call, key);
  if (!facts || (facts.method !== 'POST' && facts.method !== 'PATCH') || facts.mayHaveKey || (!facts.search && isReadOverPost(analysis, inner.call))) return [];
  // a helper called with a key (`post(url, body, idempotencyKey)`) passes it on
  for (let r: RemoteCall | undefined = remote; r && r !== inner; r = r.via) if (key.test(codeText(r.call))) return [];
  return [facts];
}
