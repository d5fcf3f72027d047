import { ts } from '../../code/ts.js';
import type { FileAnalysis } from '../../code/analysis.js';
import type { ModuleRef } from '../../code/file-facts.js';
import type { CodeReport, CodeDetector } from '../rule.js';
import { findCatchRecursions, findRetryLoops, findStatusRetryLoops, recursionName } from '../../code/retry-loops.js';
import { exprKey } from '../../code/retry-flow.js';
import { httpClientModule, remoteCallInfo, remoteCallInfosIn, resolveLocalFunction } from '../../code/remote-calls.js';
import { getProperty, numberValue, stringShape } from '../../code/values.js';
import { functionName, isFunctionLike, step, unwrap } from '../../code/walk.js';
import { codeText, keyMatcher, requestFacts, texts, unsafeRequestsOf, type RequestFacts } from './requests.js';
import { DEFAULT_HEADERS } from './meta.js';

export interface NoRetryOfNonIdempotentRequestOptions {
  idempotencyHeaders: string[];
}


function consequence(header: string): string {
  return `a request that failed or timed out may already have taken effect, and the retry repeats it (a second charge, a duplicate order); send an \`${header}\` header that stays the same across attempts`;
}

/** Libraries that retry a function: module → exported path → index of the function argument ('either' for promise-retry). */
const RETRY_FUNCTIONS: Record<string, Record<string, number | 'either'>> = {
  'p-retry': { '': 0 },
  'async-retry': { '': 0 },
  'promise-retry': { '': 'either' },
  'exponential-backoff': { backOff: 0 },
};

function pathKey(ref: ModuleRef): string {
  const path = ref.path[0] === 'default' ? ref.path.slice(1) : ref.path;
  return path.join('.');
}

function calleeText(call: ts.CallExpression | ts.NewExpression): string {
  const text = unwrap(call.expression).getText().replace(/\s+/g, '');
  return text.length <= 40 ? `\`${text}(...)\`` : 'a retry call';
}

function requestMessage(r: RequestFacts, where: string, header: string): string {
  if (r.search) return `${r.label} ${r.search.effect} and is retried by ${where}: a request that failed or timed out may already have been applied, and the retry applies it again; ${r.search.fix}`;
  return `${r.label} sends a ${r.method} without an idempotency key and is retried by ${where}: ${consequence(header)}`;
}

/** The function a retry library is handed: inline, or a same-file function by name. */
function operationOf(analysis: FileAnalysis, arg: ts.Expression | undefined): ts.FunctionLikeDeclaration | undefined {
  if (!arg) return undefined;
  const v = analysis.resolveValue(arg);
  if (isFunctionLike(v)) return v;
  return resolveLocalFunction(analysis, unwrap(arg));
}

function requestsIn(analysis: FileAnalysis, root: ts.Node, key: RegExp): RequestFacts[] {
  const out: RequestFacts[] = [];
  for (const remote of remoteCallInfosIn(analysis, root)) out.push(...unsafeRequestsOf(analysis, remote, key));
  return out;
}

function libraryRetries(analysis: FileAnalysis, key: RegExp, header: string): CodeReport[] {
  const out: CodeReport[] = [];
  const modules = analysis.modules;
  const hasRetryLib = Object.keys(RETRY_FUNCTIONS).some((m) => modules.has(m)) || modules.has('cockatiel');
  if (!hasRetryLib) return out;
  for (const call of analysis.calls) {
    const callee = unwrap(call.expression);
    let fnArg: ts.Expression | undefined;
    let options: ts.Expression | undefined;
    const origin = analysis.origin(callee);
    if (origin?.kind === 'module') {
      const index = RETRY_FUNCTIONS[origin.ref.module]?.[pathKey(origin.ref)];
      if (index === undefined) continue;
      let i = index === 'either' ? 0 : index;
      if (index === 'either' && call.arguments[0] && !isFunctionLike(analysis.resolveValue(call.arguments[0])) && !resolveLocalFunction(analysis, unwrap(call.arguments[0]))) i = 1;
      fnArg = call.arguments[i];
      options = call.arguments[i === 0 ? 1 : 0];
    } else if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'execute' && modules.has('cockatiel')) {
      // cockatiel: `policy.execute(fn)` on a policy made by `retry(...)`
      const policy = analysis.resolveValue(callee.expression);
      if (!ts.isCallExpression(policy)) continue;
      const p = analysis.origin(unwrap(policy.expression));
      if (p?.kind !== 'module' || p.ref.module !== 'cockatiel' || pathKey(p.ref) !== 'retry') continue;
      fnArg = call.arguments[0];
    } else continue;
    const retries = getProperty(analysis, options, 'retries');
    if (retries.kind === 'present' && numberValue(analysis, retries.value) === 0) continue;
    const fn = operationOf(analysis, fnArg);
    if (!fn?.body || throttlingOnly(fn.body)) continue;
    for (const r of requestsIn(analysis, fn.body, key)) {
      out.push({ node: r.call, message: requestMessage(r, calleeText(call), header), related: [{ node: call, label: 'retry' }] });
    }
  }
  return out;
}

function handWrittenRetries(analysis: FileAnalysis, key: RegExp, header: string): CodeReport[] {
  const out: CodeReport[] = [];
  for (const loop of findRetryLoops(analysis)) {
    if (throttlingOnly(loop.tryStmt.catchClause?.block)) continue;
    for (const retried of loop.retried) {
      const remote = remoteCallInfo(analysis, retried.call);
      if (!remote) {
        out.push(...operationRequests(analysis, retried.call, loop.loop, key, header));
        continue;
      }
      for (const r of unsafeRequestsOf(analysis, remote, key)) {
        out.push({ node: r.call, message: requestMessage(r, 'the enclosing retry loop', header), related: [{ node: loop.loop, label: 'retry loop' }] });
      }
    }
  }
  for (const { loop, retried } of findStatusRetryLoops(analysis)) {
    for (const r of unsafeRequestsOf(analysis, retried, key)) {
      out.push({ node: r.call, message: requestMessage(r, 'the enclosing loop until it gets a successful response', header), related: [{ node: loop, label: 'retry loop' }] });
    }
  }
  for (const rec of findCatchRecursions(analysis)) {
    if (rec.decided || throttlingOnly(rec.handler)) continue;
    const remote = remoteCallInfo(analysis, rec.retried.call);
    if (!remote) continue;
    for (const r of unsafeRequestsOf(analysis, remote, key)) {
      out.push({ node: r.call, message: requestMessage(r, `\`${recursionName(rec)}\` calling itself from ${rec.where}`, header), related: [{ node: rec.selfCall, label: 'retry' }] });
    }
  }
  return out;
}

/**
 * A retry helper of the file that repeats the operation it is handed (`withRetry(op)` looping on
 * `await op()`): the requests the operations its callers pass make (`withRetry(() => client.index(...))`),
 * each reported at the request with the helper call and the loop as related locations.
 */
function operationRequests(analysis: FileAnalysis, opCall: ts.CallExpression, loop: ts.Node, key: RegExp, header: string): CodeReport[] {
  const callee = unwrap(opCall.expression);
  if (!ts.isIdentifier(callee)) return [];
  let helper: ts.FunctionLikeDeclaration | undefined;
  let index = -1;
  for (let p: ts.Node | undefined = opCall.parent; p && index < 0; p = p.parent) {
    step();
    if (!isFunctionLike(p)) continue;
    index = p.parameters.findIndex((param) => ts.isIdentifier(param.name) && param.name.text === callee.text);
    if (index >= 0) helper = p;
  }
  const name = helper && functionName(helper);
  if (!helper || !name) return [];
  const out: CodeReport[] = [];
  for (const call of analysis.calls) {
    const c = unwrap(call.expression);
    if (!ts.isIdentifier(c) || c.text !== name || resolveLocalFunction(analysis, c) !== helper) continue;
    const fn = operationOf(analysis, call.arguments[index]);
    if (!fn?.body) continue;
    for (const r of requestsIn(analysis, fn.body, key)) {
      out.push({ node: r.call, message: requestMessage(r, `${calleeText(call)} (a retry loop)`, header), related: [{ node: call, label: 'retry' }, { node: loop, label: 'retry loop' }] });
    }
  }
  return out;
}

/**
 * Responses that mean the request was not processed: throttling (429) and expired credentials
 * (401/403, retried after a token refresh). Retrying only those is safe.
 */
const THROTTLING = /\b(?:401|403|429)\b|TooManyRequests|Throttl|RateLimit|Unauthori[sz]ed|ExpiredToken|TokenExpired/i;
/** Signs that other failures (5xx, network errors) are retried too. */
const OTHER_FAILURES = /isNetworkError|isRetryableError|\b5\d\d\b|ECONN|ETIMEDOUT|EAI_AGAIN|\.code\b/;

/** The retry gives up on everything but those: `if (status !== 429) throw err`, `throw new AbortError(...)` otherwise. */
function throttlingOnly(scope: ts.Node | undefined): boolean {
  if (!scope) return false;
  const text = codeText(scope);
  return THROTTLING.test(text) && /\bthrow\b|AbortError|bail\s*\(/.test(text) && !OTHER_FAILURES.test(text);
}

const SAFE_CONDITIONS = /isNetworkOrIdempotentRequestError|isIdempotentRequestError|isSafeRequestError|\bmethod\b/;
const ANY_METHOD_CONDITIONS = new Set(['isNetworkError', 'isRetryableError']);

/** Does an axios-retry `retryCondition` retry requests of any method? */
function acceptsAnyMethod(analysis: FileAnalysis, value: ts.Expression): boolean {
  const v = analysis.resolveValue(value);
  if (isFunctionLike(v)) {
    if (!v.body) return false;
    const text = codeText(v.body);
    return !SAFE_CONDITIONS.test(text) && !(THROTTLING.test(text) && !OTHER_FAILURES.test(text));
  }
  const origin = analysis.origin(v);
  if (origin?.kind === 'module' && origin.ref.module === 'axios-retry') {
    const name = origin.ref.path[origin.ref.path.length - 1];
    return ANY_METHOD_CONDITIONS.has(name);
  }
  return false;
}

/** POST/PATCH requests without a key made through the client `target` (`api.post(...)`, `axios({ method: 'POST' })`). */
function requestsThrough(analysis: FileAnalysis, target: ts.Expression, key: RegExp): RequestFacts[] {
  const targetKey = exprKey(target);
  if (targetKey === undefined) return [];
  const out: RequestFacts[] = [];
  step(analysis.calls.length);
  for (const call of analysis.calls) {
    const callee = unwrap(call.expression);
    const receiver = ts.isPropertyAccessExpression(callee) ? callee.expression : callee;
    if (exprKey(receiver) !== targetKey) continue;
    const facts = requestFacts(analysis, call, key);
    if (facts && (facts.method === 'POST' || facts.method === 'PATCH') && !facts.mayHaveKey) out.push(facts);
  }
  return out;
}

function axiosRetryConfigs(analysis: FileAnalysis, key: RegExp, header: string): CodeReport[] {
  if (!analysis.modules.has('axios-retry')) return [];
  const out: CodeReport[] = [];
  for (const call of analysis.calls) {
    const origin = analysis.origin(unwrap(call.expression));
    if (origin?.kind !== 'module' || origin.ref.module !== 'axios-retry' || pathKey(origin.ref) !== '') continue;
    const [client, options] = call.arguments;
    if (!client) continue;
    const retries = getProperty(analysis, options, 'retries');
    if (retries.kind === 'present' && numberValue(analysis, retries.value) === 0) continue;
    const condition = getProperty(analysis, options, 'retryCondition');
    if (condition.kind !== 'present' || !acceptsAnyMethod(analysis, condition.value)) continue;
    // the interceptors of the client may add the key to every request
    if (/interceptors/.test(analysis.sourceFile.text) && key.test(codeText(analysis.sourceFile))) continue;
    const requests = requestsThrough(analysis, client, key);
    if (requests.length === 0) continue;
    const text = condition.node.getText().replace(/\s+/g, ' ');
    const shown = text.length <= 50 ? text : 'retryCondition';
    out.push({
      node: condition.node,
      message: `${calleeText(call)} sets \`${shown}\`, which also retries ${requests[0].method} requests such as ${requests[0].label} that carry no idempotency key: ${consequence(header)}`,
      related: requests.map((r) => ({ node: r.call, label: `${r.method} request` })),
    });
  }
  return out;
}

/** got / ky: `retry: { methods: ['POST', ...] }` in the options of a request or an instance. */
function methodListConfigs(analysis: FileAnalysis, key: RegExp, header: string): CodeReport[] {
  if (!['got', 'ky'].some((m) => analysis.modules.has(m))) return [];
  const out: CodeReport[] = [];
  for (const call of analysis.calls) {
    const callee = unwrap(call.expression);
    const origin = analysis.origin(callee);
    const isClient =
      (origin?.kind === 'module' && (origin.ref.module === 'got' || origin.ref.module === 'ky')) ||
      (ts.isPropertyAccessExpression(callee) && ['got', 'ky'].includes(httpClientModule(analysis, callee.expression) ?? '')) ||
      ['got', 'ky'].includes(httpClientModule(analysis, callee) ?? '');
    if (!isClient) continue;
    for (const arg of call.arguments) {
      const retry = getProperty(analysis, arg, 'retry');
      if (retry.kind !== 'present') continue;
      const methods = getProperty(analysis, retry.value, 'methods');
      if (methods.kind !== 'present') continue;
      const list = analysis.resolveValue(methods.value);
      if (!ts.isArrayLiteralExpression(list)) continue;
      const unsafe = list.elements.find((el) => {
        const m = stringShape(analysis, el)?.exact?.toUpperCase();
        return m === 'POST' || m === 'PATCH';
      });
      if (!unsafe) continue;
      if (key.test(texts(analysis, arg))) continue;
      const method = stringShape(analysis, unsafe)!.exact!.toUpperCase();
      out.push({ node: unsafe, message: `${calleeText(call)} retries ${method} requests (\`retry.methods\`) that carry no idempotency key: ${consequence(header)}` });
    }
  }
  return out;
}

const detector: CodeDetector<NoRetryOfNonIdempotentRequestOptions> = {
  // a finding needs a POST/PATCH (verb method, method option or retry.methods entry) or a search client write
  prefilter: /post|patch|elastic|opensearch/i,
  code({ analysis, options }) {
    const headers = options.idempotencyHeaders ?? DEFAULT_HEADERS;
    const key = keyMatcher(headers);
    const header = headers[0] ?? 'Idempotency-Key';
    const all = [...handWrittenRetries(analysis, key, header), ...libraryRetries(analysis, key, header), ...axiosRetryConfigs(analysis, key, header), ...methodListConfigs(analysis, key, header)];
    const seen = new Set<unknown>();
    return all.filter((r) => !seen.has(r.node) && seen.add(r.node)).sort((a, b) => a.node.pos - b.node.pos);
  },
};

export default detector;
