import type { CodeReport, CodeDetector } from '../rule.js';
import { ts } from '../../code/ts.js';
import type { FileAnalysis } from '../../code/analysis.js';
import { remoteCallInfo, resolveLocalFunction } from '../../code/remote-calls.js';
import { getProperty } from '../../code/values.js';
import { isFunctionLike, isProcessEnv, returnedExpressions, thisMemberValue, unwrap, walk } from '../../code/walk.js';
import type { EnvBinding } from '../../context/types.js';

export interface NoSyncInternalHttpOptions {
  internalHosts: string[];
}

/** Environment variable names that hold the address of another service. */
const CONFIG_ENV = /^(?!AWS_)\w*(?:^|_)(?:URL|URI|ENDPOINT|HOST|HOSTNAME|API|BASE_?URL|API_?URL)$/;

/**
 * Whether an environment variable's name says it holds the address of another service: `ORDERS_URL`,
 * and the same words written in camel or Pascal case (`ConfigURL`, `ordersApiUrl`, `PaymentsEndpoint`).
 */
function isConfigEnv(name: string): boolean {
  return CONFIG_ENV.test(name) || (/[a-z]/.test(name) && CONFIG_ENV.test(name.replace(/([a-z0-9])(?=[A-Z])/g, '$1_').toUpperCase()));
}
/** Objects that hold configuration (`config.ordersUrl`, `settings.services.orders.endpoint`). */
const CONFIG_OBJECT = /^(?:config|conf|cfg|configuration|settings|appConfig|serviceConfig|services|endpoints|env|environment)$/i;
const CONFIG_MEMBER = /(?:url|uri|endpoint|host|hostname|api|baseurl)$/i;
/** Configured addresses of third parties: chat and partner webhooks. */
const EXTERNAL_CONFIG = /webhook|slack|discord|teams|chime/i;
/** A configuration key naming an address: its last part (`services.orders.url`, `/orders/api-url`, `acquisitionApiUrl`). */
const CONFIG_KEY = /(?:url|uri|endpoint|host|hostname|baseurl)$/i;
/** Functions that read a configuration value by key: `config.get(...)` (node-config, convict), `getConfigValue(...)`, `getParameter(...)`, `getSetting(...)`. */
const CONFIG_GETTER = /^(?:get|read|load|fetch)?(?:config|configuration|setting|settings|param|parameter|ssmparameter)(?:value|string)?$/i;
/** Hosts that only exist inside a private network or a cluster, or that are AWS-hosted endpoints of your own APIs and functions. */
const INTERNAL_HOST = /(?:\.internal|\.local|\.svc|\.execute-api\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?|\.lambda-url\.[a-z0-9-]+\.on\.aws)$/i;

/** A host name that says it is private (`inventory.internal.example.com`, `orders.corp.example.net`). */
const PRIVATE_LABEL = /(?:^|\.)(?:internal|intranet|corp|private)(?:\.|$)/i;

/** HTTP modules whose requests the rule checks (global fetch is always checked). */
const HTTP_MODULES = new Set(['axios', 'got', 'ky', 'undici', 'node-fetch', 'cross-fetch', 'isomorphic-fetch', 'http', 'https', 'node:http', 'node:https', 'superagent', 'request', 'request-promise', 'request-promise-native']);
const CALLBACK_MODULES = new Set(['http', 'https', 'node:http', 'node:https']);
/** The request library: `request(url | options, callback)`; its promise wrappers return the response. */
const REQUEST_MODULES = new Set(['request', 'request-promise', 'request-promise-native']);

/** Names destructured from `process.env` (`const { ORDERS_URL } = process.env`), anywhere in the file. */
function envBindings(analysis: FileAnalysis): Set<string> {
  const out = new Set<string>();
  if (!/\}\s*=\s*process\.env/.test(analysis.sourceFile.text)) return out;
  walk(analysis.sourceFile, (n) => {
    if (ts.isVariableDeclaration(n) && ts.isObjectBindingPattern(n.name) && n.initializer && isProcessEnv(n.initializer)) {
      for (const el of n.name.elements) if (ts.isIdentifier(el.name)) out.add(el.name.text);
    }
  });
  return out;
}

function hostOf(url: string): string | undefined {
  const m = /^(?:[a-z][a-z0-9+.-]*:)?\/\/([^/:?#@]+(?:@[^/:?#]+)?)/i.exec(url);
  if (!m) return undefined;
  const host = m[1].includes('@') ? m[1].slice(m[1].indexOf('@') + 1) : m[1];
  return host.toLowerCase();
}

function isInternalHost(host: string, internalHosts: string[]): boolean {
  if (INTERNAL_HOST.test(host)) return true;
  return internalHosts.some((h) => {
    const x = h.toLowerCase();
    return x.startsWith('.') ? host.endsWith(x) : host === x || host.endsWith(`.${x}`);
  });
}

/** String methods that keep the address a value holds (a trailing slash or a stage removed, blanks trimmed). */
const RESHAPE_METHODS = new Set(['toString', 'replace', 'replaceAll', 'trim', 'trimEnd', 'trimStart', 'concat', 'toLowerCase']);
/** Functions that return the address they are given, encoded or as a string. */
const RESHAPE_FUNCTIONS = new Set(['encodeURI', 'String']);

class UrlClassifier {
  private envNames?: Set<string>;
  /** What the template's defaults said about the variables classified so far. */
  readonly notes = new Set<string>();

  constructor(
    private readonly analysis: FileAnalysis,
    private readonly internalHosts: string[],
    /** What the environment variables the template sets point at, when a template links the file. */
    private readonly env: Record<string, EnvBinding> = {},
  ) {}

  /**
   * The label of `process.env.<name>` when the variable holds another service's address: the
   * template's value decides when it is known (an API or function of the stack, or a literal URL
   * whose host is internal or not), else the variable's name.
   */
  private envSource(name: string): string | undefined {
    const binding = Object.hasOwn(this.env, name) ? this.env[name] : undefined;
    if (binding) {
      const internal = binding.kind === 'http' ? isInternalHost(binding.label, this.internalHosts) || PRIVATE_LABEL.test(binding.label) : binding.kind === 'api' || binding.kind === 'function';
      if (!internal) return undefined;
      if (binding.defaults) this.notes.add(binding.defaults);
      return `process.env.${name}`;
    }
    return isConfigEnv(name) ? `process.env.${name}` : undefined;
  }

  /** "process.env.ORDERS_URL", "`https://orders.internal`", ... when `expr` points at an internal service; undefined otherwise. */
  classify(expr: ts.Expression | undefined, depth = 0): string | undefined {
    if (!expr || depth > 24) return undefined;
    let raw = unwrap(expr);
    // `const base = await getConfigValue('ordersUrl')`: the value read
    if (ts.isAwaitExpression(raw)) raw = unwrap(raw.expression);
    const fromConfig = this.configSource(raw);
    if (fromConfig) return fromConfig;
    const e = ts.isIdentifier(raw) ? this.analysis.resolveValue(raw) : raw;
    if (e !== raw) {
      const c = this.configSource(e);
      if (c) return c;
    }
    if (ts.isStringLiteralLike(e)) {
      // a URL, or a bare host name (`https.get({ hostname })`)
      const host = hostOf(e.text) ?? (/^[a-z0-9.-]+(?::\d+)?$/i.test(e.text) ? e.text.replace(/:\d+$/, '').toLowerCase() : undefined);
      return host && isInternalHost(host, this.internalHosts) ? `\`${host}\`` : undefined;
    }
    if (ts.isTemplateExpression(e)) {
      const head = e.head.text;
      // the address starts with a substitution: `${process.env.ORDERS_URL}/orders`, `https://${ORDERS_HOST}/x`
      if (/^(?:https?:\/\/)?$/i.test(head)) {
        const first = this.classify(e.templateSpans[0].expression, depth + 1);
        if (first) return first;
      }
      // the host written out, possibly with placeholders: `https://${api}.execute-api.${region}.amazonaws.com/prod`
      const shape = head + e.templateSpans.map((s) => `x${s.literal.text}`).join('');
      const host = hostOf(shape);
      if (host && /^[a-z]+:\/\//i.test(head) && isInternalHost(host, this.internalHosts)) {
        return `\`${host.replace(/\bx\b/g, '…')}\``;
      }
      return undefined;
    }
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) return this.classify(e.left, depth + 1);
    // `process.env.ORDERS_URL ?? ''`, `process.env.ORDERS_URL || ''`: the address when it is set
    if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || e.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
      return this.classify(e.left, depth + 1);
    }
    // `new URL('/orders', process.env.ORDERS_URL)`
    if (ts.isNewExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'URL' && e.arguments?.length) {
      return this.classify(e.arguments[1] ?? e.arguments[0], depth + 1);
    }
    // `url.toString()`, `process.env.ORDERS_URL.replace(/\/$/, '')`, `base.trim()`: the same address, reshaped
    if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && RESHAPE_METHODS.has(e.expression.name.text)) {
      return this.classify(e.expression.expression, depth + 1);
    }
    // `encodeURI(`${base}${path}`)`, `String(base)`
    if (ts.isCallExpression(e) && ts.isIdentifier(e.expression) && RESHAPE_FUNCTIONS.has(e.expression.text) && e.arguments.length > 0) {
      return this.classify(e.arguments[0], depth + 1);
    }
    // `url.href`
    if (ts.isPropertyAccessExpression(e) && e.name.text === 'href') return this.classify(e.expression, depth + 1);
    if (ts.isAwaitExpression(e)) return this.classify(e.expression, depth + 1);
    // `getOrdersUrl()`: a function of the file that returns a configured address
    if (ts.isCallExpression(e) && depth < 8) {
      const fn = resolveLocalFunction(this.analysis, e.expression);
      for (const r of fn ? returnedExpressions(fn) : []) {
        const c = this.classify(r, depth + 4);
        if (c) return `${c} (through \`${unwrap(e.expression).getText()}()\`)`;
      }
    }
    return undefined;
  }

  private configSource(e: ts.Expression): string | undefined {
    const source = this.configName(e);
    return source && !EXTERNAL_CONFIG.test(source) ? source : undefined;
  }

  private configName(e: ts.Expression): string | undefined {
    // process.env.ORDERS_URL, process.env['ORDERS_URL']
    if (ts.isPropertyAccessExpression(e) && isProcessEnv(e.expression)) return this.envSource(e.name.text);
    if (ts.isElementAccessExpression(e) && isProcessEnv(e.expression) && ts.isStringLiteralLike(e.argumentExpression)) {
      return this.envSource(e.argumentExpression.text);
    }
    if (ts.isIdentifier(e) && (isConfigEnv(e.text) || Object.hasOwn(this.env, e.text))) {
      this.envNames ??= envBindings(this.analysis);
      if (this.envNames.has(e.text)) return this.envSource(e.text);
    }
    // config.get('services.orders.url'), await getConfigValue('acquisitionApiUrl'), getParameter('/orders/api-url')
    if (ts.isCallExpression(e) && e.arguments.length >= 1 && ts.isStringLiteralLike(e.arguments[0]) && CONFIG_KEY.test(e.arguments[0].text)) {
      const callee = unwrap(e.expression);
      const getter =
        (ts.isPropertyAccessExpression(callee) && callee.name.text === 'get' && ts.isIdentifier(unwrap(callee.expression)) && CONFIG_OBJECT.test((unwrap(callee.expression) as ts.Identifier).text)) ||
        ((ts.isIdentifier(callee) || ts.isPropertyAccessExpression(callee)) && CONFIG_GETTER.test(ts.isIdentifier(callee) ? callee.text : callee.name.text));
      if (getter) {
        const text = e.getText().replace(/\s+/g, '');
        return text.length <= 60 ? text : `${unwrap(e.expression).getText()}('${e.arguments[0].text}')`;
      }
    }
    // config.ordersServiceUrl, config.services.orders.url
    if (ts.isPropertyAccessExpression(e) && CONFIG_MEMBER.test(e.name.text)) {
      let root: ts.Expression = e.expression;
      while (ts.isPropertyAccessExpression(root)) root = root.expression;
      if (ts.isIdentifier(root) && CONFIG_OBJECT.test(root.text)) {
        const text = e.getText().replace(/\s+/g, '');
        return text.length <= 60 ? text : `${root.text}.….${e.name.text}`;
      }
    }
    return undefined;
  }
}

/** Whether the caller waits for the request: awaited, chained with `.then`, returned, or part of an awaited `Promise.all`. */
/** Methods a request goes on through: promise steps, body readers, and superagent's request builders. */
const CHAINED = new Set(['then', 'catch', 'finally', 'json', 'text', 'send', 'set', 'query', 'type', 'accept', 'timeout', 'retry', 'auth', 'field', 'attach', 'ok', 'responseType']);

function isAwaited(call: ts.CallExpression): boolean {
  let n: ts.Node = call;
  for (let i = 0; i < 12; i++) {
    const p = n.parent;
    if (!p) return false;
    if (ts.isParenthesizedExpression(p) || ts.isAsExpression(p) || ts.isNonNullExpression(p) || ts.isSatisfiesExpression(p)) {
      n = p;
      continue;
    }
    if (ts.isAwaitExpression(p) || ts.isReturnStatement(p) || ts.isYieldExpression(p)) return true;
    if (ts.isArrowFunction(p) && p.body === n) return true;
    if (ts.isPropertyAccessExpression(p) && p.expression === n && CHAINED.has(p.name.text) && p.parent && ts.isCallExpression(p.parent)) {
      n = p.parent;
      continue;
    }
    if (ts.isArrayLiteralExpression(p)) {
      n = p;
      continue;
    }
    if (ts.isCallExpression(p) && p.arguments.includes(n as ts.Expression) && /^Promise\.(?:all|allSettled|race|any)$/.test(unwrap(p.expression).getText())) {
      n = p;
      continue;
    }
    return false;
  }
  return false;
}

interface Target {
  /** Expressions that may hold the address, most specific first. */
  urls: (ts.Expression | undefined)[];
}

/** Where the address of a request is, per library. */
function requestTarget(analysis: FileAnalysis, call: ts.CallExpression): Target | undefined {
  const callee = unwrap(call.expression);
  const args = call.arguments;
  const first = args[0];
  const objectMember = (e: ts.Expression | undefined, ...names: string[]) => {
    for (const name of names) {
      const p = getProperty(analysis, e, name);
      if (p.kind === 'present') return p.value;
    }
    return undefined;
  };
  const isObject = (e: ts.Expression | undefined) => !!e && ts.isObjectLiteralExpression(analysis.resolveValue(e));
  const origin = ts.isIdentifier(callee) || ts.isPropertyAccessExpression(callee) ? analysis.origin(callee) : undefined;
  if (origin?.kind === 'module' && HTTP_MODULES.has(origin.ref.module)) {
    if (CALLBACK_MODULES.has(origin.ref.module)) {
      if (isObject(first)) {
        const host = objectMember(first, 'hostname', 'host');
        return { urls: [host] };
      }
      return { urls: [first] };
    }
    if (isObject(first)) return { urls: [objectMember(first, 'url', 'uri', 'baseURL', 'baseUrl', 'prefixUrl', 'origin')] };
    const opts = origin.ref.module === 'axios' ? undefined : args[1];
    return { urls: [first, objectMember(opts, 'prefixUrl', 'baseURL', 'origin')] };
  }
  // global fetch
  if ((ts.isIdentifier(callee) && callee.text === 'fetch') || (ts.isPropertyAccessExpression(callee) && callee.name.text === 'fetch' && ts.isIdentifier(callee.expression) && ['globalThis', 'window', 'self', 'global'].includes(callee.expression.text))) {
    return { urls: [first] };
  }
  // configured instances: `api.get('/orders')` with `axios.create({ baseURL })`, `got.extend({ prefixUrl })`, `new Pool(url)`
  const recvExpr = ts.isPropertyAccessExpression(callee) ? callee.expression : callee;
  const recv = unwrap(recvExpr);
  const creation = ts.isPropertyAccessExpression(recv) && recv.expression.kind === ts.SyntaxKind.ThisKeyword ? thisMemberValue(recv) : analysis.resolveValue(recv);
  const created = creation && unwrap(creation);
  const urls: (ts.Expression | undefined)[] = [isObject(first) ? objectMember(first, 'url', 'path') : first];
  if (created && (ts.isCallExpression(created) || ts.isNewExpression(created))) {
    const cfg = created.arguments?.[0];
    if (ts.isNewExpression(created)) urls.push(cfg);
    else urls.push(objectMember(cfg, 'baseURL', 'prefixUrl', 'prefixURL'));
  }
  return { urls };
}

const detector: CodeDetector<NoSyncInternalHttpOptions> = {
  // every finding is an HTTP request
  prefilter: /fetch|axios|got|ky|undici|http|request|superagent/,
  code({ analysis, options, project }) {
    if (!analysis.contexts.isHandlerFile()) return [];
    const classifier = new UrlClassifier(analysis, options.internalHosts ?? [], project?.env);
    const reports: CodeReport[] = [];
    for (const call of analysis.calls) {
      const info = remoteCallInfo(analysis, call);
      if (info?.kind !== 'http') continue;
      const target = requestTarget(analysis, call);
      if (!target) continue;
      let where: string | undefined;
      classifier.notes.clear();
      for (const url of target.urls) {
        // an absolute literal address decides alone: a third-party host on a configured instance is not internal
        const u = url && analysis.resolveValue(url);
        where = classifier.classify(url);
        if (where || (u && ts.isStringLiteralLike(u) && hostOf(u.text))) break;
      }
      if (!where) continue;
      const origin = analysis.origin(unwrap(call.expression));
      // callback style (`https.request(url, cb)`, `request(url, cb)`): the handler goes on in the callback
      const callback =
        origin?.kind === 'module' &&
        (CALLBACK_MODULES.has(origin.ref.module) || (REQUEST_MODULES.has(origin.ref.module) && call.arguments.some((a) => isFunctionLike(analysis.resolveValue(unwrap(a))))));
      if (!callback && !isAwaited(call)) continue;
      const context = analysis.contexts.contextAt(call);
      const inWhat = context?.context === 'request-path' ? `the request path (${context.reason})` : 'the handler';
      reports.push({
        node: call,
        message: `\`${info.label}\` to ${where} waits synchronously for another internal service in ${inWhat}: its latency and failures become this handler's${classifier.notes.size > 0 ? ` (${[...classifier.notes].join('; ')})` : ''}`,
      });
    }
    return reports;
  },
};

export default detector;
