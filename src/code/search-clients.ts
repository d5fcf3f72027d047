/**
 * OpenSearch and Elasticsearch JavaScript clients: `Client` of `@opensearch-project/opensearch`
 * and `@elastic/elasticsearch`, and `Client` of the legacy `elasticsearch` package. Each API call of
 * such a client (`client.search(...)`, `client.index(...)`, `client.indices.create(...)`,
 * `client.helpers.bulk(...)`, `client.transport.request(...)`) is an HTTP request to the cluster.
 *
 * A receiver is a client when it is:
 * - an instance made with `new Client(...)` from one of those modules (ESM named, default and
 *   namespace imports, CommonJS `require`, `new elasticsearch.Client(...)`), or derived from one
 *   with `client.child(...)`;
 * - a value a project module exports that is such an instance (`import { es } from './es'`);
 * - a parameter, a class property or a constructor parameter property declared with the type
 *   `Client` of one of those modules, or whose default value is a client (also a same-file
 *   function returning one: `{ esClient = defaultClient() }`);
 * - `this.<name>` of a class whose constructor assigns it such a parameter.
 *
 * Recognised by import source and declared type, never by a variable's name.
 */
import { ts } from './ts.js';
import type { FileFacts, ModuleRef } from './file-facts.js';
import { importedValue, isProjectSpecifier } from './modules.js';
import { declaredClassRef, typeRef } from './declared-types.js';
import { isFunctionLike, returnedExpressions, step, thisClass, thisMemberValue, unwrap } from './walk.js';

/** Modules whose `Client` class talks to an OpenSearch or Elasticsearch cluster. */
export const SEARCH_CLIENT_MODULES = new Set(['@opensearch-project/opensearch', '@elastic/elasticsearch', 'elasticsearch']);

/** Client members that make no request (events, lifecycle, derived clients, local state). */
const LOCAL_METHODS = new Set(['close', 'on', 'once', 'off', 'emit', 'addListener', 'removeListener', 'child', 'extend', 'then', 'catch', 'toString']);
/** Client members holding local machinery rather than API namespaces. */
const LOCAL_MEMBERS = new Set(['connectionPool', 'serializer', 'diagnostic', 'events', 'name', 'constructor', 'kClient', 'opts']);
/** Names of API calls, for the look into other modules of files that import no client module. */
const API_NAMES = new Set([
  'search', 'msearch', 'index', 'create', 'update', 'delete', 'bulk', 'get', 'mget', 'count', 'exists',
  'scroll', 'clearScroll', 'deleteByQuery', 'delete_by_query', 'updateByQuery', 'update_by_query', 'reindex',
  'indices', 'helpers', 'cat', 'cluster', 'transport', 'searchTemplate', 'openPointInTime',
]);

const MAX_DEPTH = 6;

export interface SearchOperation {
  call: ts.CallExpression;
  /** The client module: `@opensearch-project/opensearch`, `@elastic/elasticsearch` or `elasticsearch`. */
  module: string;
  /** The API called: `search`, `index`, `indices.create`, `helpers.bulk`. */
  operation: string;
  /** The request parameters (first argument), when there are some. */
  params?: ts.Expression;
}

function isClientRef(ref: ModuleRef): boolean {
  if (!SEARCH_CLIENT_MODULES.has(ref.module)) return false;
  const path = ref.path[0] === 'default' ? ref.path.slice(1) : ref.path;
  return path.length === 1 && path[0] === 'Client';
}

/**
 * Text of a file that may call a client another module of the project made: the products' names,
 * or calls only a search client has (`.search(`, `.bulk(`, `.indices.`); or an import of a
 * project module named for search (`'./search'`, `'../lib/es-search'`). A bare word "search" in
 * the text is too common to decide.
 */
const IMPORTED_CLIENT_HINT = /[Ee]lastic|[Oo]pen[Ss]earch|\.(?:search|msearch|bulk|indices|helpers)\s*[.(]/;
const SEARCH_MODULE_NAME = /search|elastic/i;

/** Whether the file can hold a client call at all: it imports a client module, or may call one a project module exports. */
function mayCallClients(facts: FileFacts): 'own' | 'imported' | undefined {
  for (const m of facts.modules) if (SEARCH_CLIENT_MODULES.has(m)) return 'own';
  if (!facts.host) return undefined;
  let projectImports = false;
  for (const m of facts.modules) {
    if (!isProjectSpecifier(m)) continue;
    if (SEARCH_MODULE_NAME.test(m)) return 'imported';
    projectImports = true;
  }
  return projectImports && IMPORTED_CLIENT_HINT.test(facts.sourceFile.text) ? 'imported' : undefined;
}

const OPERATIONS = new WeakMap<FileFacts, SearchOperation[]>();

/** The OpenSearch / Elasticsearch API calls of a file, in source order, found on first use. */
export function searchOperationsOf(facts: FileFacts): SearchOperation[] {
  let ops = OPERATIONS.get(facts);
  if (ops) return ops;
  ops = [];
  const scope = mayCallClients(facts);
  if (scope) {
    for (const call of facts.calls) {
      const op = operationOf(facts, call, scope);
      if (op) ops.push(op);
    }
  }
  OPERATIONS.set(facts, ops);
  return ops;
}

function operationOf(facts: FileFacts, call: ts.CallExpression, scope: 'own' | 'imported'): SearchOperation | undefined {
  const callee = unwrap(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const method = callee.name.text;
  if (LOCAL_METHODS.has(method)) return undefined;
  const recv = unwrap(callee.expression);
  // `client.search(...)`
  let module = scope === 'own' || API_NAMES.has(method) ? searchClientModule(facts, recv) : undefined;
  if (module) return { call, module, operation: method, params: call.arguments[0] };
  // `client.indices.create(...)`, `client.helpers.bulk(...)`
  if (!ts.isPropertyAccessExpression(recv) || LOCAL_MEMBERS.has(recv.name.text)) return undefined;
  const ns = recv.name.text;
  if (ns === 'transport' && method !== 'request') return undefined;
  module = scope === 'own' || API_NAMES.has(ns) ? searchClientModule(facts, recv.expression) : undefined;
  return module ? { call, module, operation: `${ns}.${method}`, params: call.arguments[0] } : undefined;
}

/** The client module an expression is an instance of, when it is an OpenSearch / Elasticsearch client. */
export function searchClientModule(facts: FileFacts, expr: ts.Expression, depth = 0): string | undefined {
  if (depth > MAX_DEPTH) return undefined;
  step();
  const e = unwrap(expr);
  const origin = facts.origin(e);
  if (origin?.kind === 'instance') return isClientRef(origin.ref) ? origin.ref.module : undefined;
  if (origin?.kind === 'module') {
    if (!isProjectSpecifier(origin.ref.module)) return undefined;
    const target = importedValue(facts, e);
    return target && ts.isExpression(target.node) && target.facts !== facts ? searchClientModule(target.facts, target.node, depth + 1) : undefined;
  }
  if (ts.isIdentifier(e)) {
    const value = facts.resolveValue(e);
    if (value !== e) return valueClient(facts, value, depth);
    return parameterClient(facts, e, depth);
  }
  if (ts.isPropertyAccessExpression(e) && unwrap(e.expression).kind === ts.SyntaxKind.ThisKeyword) return memberClient(facts, e, depth);
  return valueClient(facts, e, depth);
}

/** A client made by an expression: `client.child(...)`, a call of a same-file function returning a client. */
function valueClient(facts: FileFacts, value: ts.Expression, depth: number): string | undefined {
  let v = unwrap(value);
  if (ts.isAwaitExpression(v)) v = unwrap(v.expression);
  if (!ts.isCallExpression(v)) {
    if (ts.isNewExpression(v) || ts.isIdentifier(v) || ts.isPropertyAccessExpression(v)) {
      const o = facts.origin(v);
      return o?.kind === 'instance' && isClientRef(o.ref) ? o.ref.module : undefined;
    }
    return undefined;
  }
  const callee = unwrap(v.expression);
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'child') return searchClientModule(facts, callee.expression, depth + 1);
  if (!ts.isIdentifier(callee)) return undefined;
  const fn = facts.resolveValue(callee);
  const decl = isFunctionLike(fn) ? fn : functionDeclarationNamed(facts, callee.text);
  if (!decl) return undefined;
  for (const r of returnedExpressions(decl)) {
    const m = searchClientModule(facts, r, depth + 1);
    if (m) return m;
  }
  return undefined;
}

function functionDeclarationNamed(facts: FileFacts, name: string): ts.FunctionLikeDeclaration | undefined {
  for (const st of facts.sourceFile.statements) if (ts.isFunctionDeclaration(st) && st.name?.text === name && st.body) return st;
  return undefined;
}

/** A parameter (plain or destructured) declared as a client or defaulting to one. */
function parameterClient(facts: FileFacts, id: ts.Identifier, depth: number): string | undefined {
  for (let p: ts.Node | undefined = id.parent; p; p = p.parent) {
    step();
    if (!isFunctionLike(p)) continue;
    for (const param of p.parameters) {
      const found = bindingClient(facts, param.name, param.type, param.initializer, id.text, depth);
      if (found !== null) return found;
    }
  }
  return undefined;
}

/**
 * What a binding says of the name: its client module, undefined when the binding declares the
 * name without a client, null when it does not declare it.
 */
function bindingClient(facts: FileFacts, name: ts.BindingName, type: ts.TypeNode | undefined, initializer: ts.Expression | undefined, wanted: string, depth: number): string | undefined | null {
  if (ts.isIdentifier(name)) {
    if (name.text !== wanted) return null;
    return clientType(facts, type) ?? (initializer ? searchClientModule(facts, initializer, depth + 1) : undefined);
  }
  if (!ts.isObjectBindingPattern(name)) return null;
  for (const el of name.elements) {
    if (!ts.isIdentifier(el.name) || el.name.text !== wanted) continue;
    const key = el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName.text : wanted;
    const member = type && ts.isTypeLiteralNode(type) ? type.members.find((m) => ts.isPropertySignature(m) && m.name.getText() === key) : undefined;
    const typed = member && ts.isPropertySignature(member) ? clientType(facts, member.type) : undefined;
    return typed ?? (el.initializer ? searchClientModule(facts, el.initializer, depth + 1) : undefined);
  }
  return null;
}

/** `this.client` of a class: declared as a client, or given one by its initialiser or the constructor. */
function memberClient(facts: FileFacts, access: ts.PropertyAccessExpression, depth: number): string | undefined {
  if (!thisClass(access)) return undefined;
  const declared = declaredClassRef(facts, access);
  if (declared && isClientRef(declared)) return declared.module;
  const value = thisMemberValue(access);
  return value ? searchClientModule(facts, value, depth + 1) : undefined;
}

/** The client module a type names: `Client`, `es.Client`, `Client | undefined`. */
function clientType(facts: FileFacts, type: ts.TypeNode | undefined): string | undefined {
  const ref = typeRef(facts, type);
  return ref && isClientRef(ref) ? ref.module : undefined;
}

/** `new Client({...})` of a client module, with its options: for the rules that check client settings. */
export interface SearchClientCreation {
  node: ts.NewExpression;
  module: string;
  config?: ts.Expression;
}

export function searchClientCreations(facts: FileFacts): SearchClientCreation[] {
  if (![...facts.modules].some((m) => SEARCH_CLIENT_MODULES.has(m))) return [];
  const out: SearchClientCreation[] = [];
  for (const n of facts.news) {
    const o = facts.origin(n.expression);
    if (o?.kind === 'module' && isClientRef(o.ref)) out.push({ node: n, module: o.ref.module, config: n.arguments?.[0] });
  }
  return out;
}
