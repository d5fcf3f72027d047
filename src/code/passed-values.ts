/**
 * What a value inside a function is at the calls of that function, when it comes from one of the
 * function's parameters: `new XCommand(params)` or `new XCommand({ ...params, Foo })` in a helper
 * is known at each call of the helper from the argument there. A parameter handed on to another
 * helper (`a(obj)` → `b(params)` → `new XCommand(params)`) is followed through the calls of each
 * level, up to {@link MAX_LEVELS} functions.
 *
 * Calls of a function are looked for in its own file (calls of a same-file function) and in the
 * file the scan is for with the code it reaches in other modules (see `./reach.ts`). A function
 * used as a value (a callback, stored in an object or variable, other than exported) has callers
 * that cannot be seen: it gives no answer, and neither does an argument that is spread, missing
 * or not an expression the analysis can evaluate.
 */
import { ts } from './ts.js';
import type { FileFacts } from './file-facts.js';
import type { FileAnalysis } from './analysis.js';
import { getProperty, memberLookup, type PropertyLookup } from './values.js';
import { bindsName, enclosingFunction, isFunctionLike, step, unwrap, walk } from './walk.js';
import { localCallee } from './remote-calls.js';
import { calleeAcross } from './modules.js';
import { reachedAt, reachedFiles } from './reach.js';

/** Functions followed from a value to the call that builds it (`createFaq(faq)` → `send(new X(params))` is 1). */
export const MAX_LEVELS = 3;
/** Chains of calls evaluated for one value, at most. */
const MAX_CHAINS = 32;
const MAX_DEPTH = 12;

/** A call of a function, with the facts of the file it is in. */
export interface CallSite {
  call: ts.CallExpression;
  facts: FileFacts;
  /** How the call names the function, for messages, when its callee does not (a callback called through its parameter). */
  label?: string;
  /**
   * For the call of a callback inside the function it was handed to (`func(client, params)` in
   * `retry(func, client, params)`): that function, and the one call that handed the callback over.
   */
  through?: { fn: ts.FunctionLikeDeclaration; site: CallSite };
}

/** One way a value reaches the function it is used in. */
export interface PassedLookup {
  /** The calls the value goes through, innermost first: `calls[0]` calls the function the value is used in, the last one is where the value is built. */
  calls: CallSite[];
  /** The argument of the last call that holds the value (or the part of it that comes from a parameter). */
  argument: ts.Expression;
  /** The property looked up, in the value as that chain of calls builds it. */
  lookup: PropertyLookup;
}

type Evaluated = PropertyLookup | { kind: 'needs-caller'; fn: ts.FunctionLikeDeclaration; facts: FileFacts };

/** One way through the callers: the call each function is called by, in the order they were chosen. */
interface Chain {
  bindings: Map<ts.Node, CallSite>;
  calls: CallSite[];
  /** The argument each call passes for the value, once evaluated. */
  arguments: Map<CallSite, ts.Expression>;
}

/**
 * The property `name` of `input` (an expression of `facts`) as each chain of calls of its function
 * passes it; undefined when `input` does not come from a parameter of its function (or of a
 * function around it) or when the calls cannot all be followed. `scope` is the file the scan is
 * for: its calls, and the calls of the code it reaches in other modules, are calls of functions in
 * those modules. With `partial`, a chain that cannot be followed (a caller that hands on a value
 * of its own parameter and has no visible caller, more levels than {@link MAX_LEVELS}) is left out
 * and the chains that can be are given: for a rule that judges each call on its own.
 */
export function propertyAtCalls(facts: FileFacts, input: ts.Expression, name: string, scope: FileAnalysis, options: { partial?: boolean } = {}): PassedLookup[] | undefined {
  if (!enclosingFunction(input)) return undefined;
  const partial = options.partial === true;
  const out: PassedLookup[] = [];
  const queue: Chain[] = [{ bindings: new Map(), calls: [], arguments: new Map() }];
  for (let evaluated = 0; queue.length > 0; evaluated++) {
    if (evaluated >= MAX_CHAINS) return partial ? out : undefined;
    const chain = queue.shift()!;
    const r = evaluate(chain, facts, input, name, 0);
    if (r.kind === 'needs-caller') {
      if (chain.calls.length >= MAX_LEVELS) {
        if (partial) continue;
        return undefined;
      }
      const callers = callersOf(r.facts, r.fn, scope);
      if (!callers || callers.length === 0) {
        if (partial) continue;
        return undefined;
      }
      for (const c of callers) {
        const next: Chain = { bindings: new Map(chain.bindings), calls: [...chain.calls, c], arguments: new Map(chain.arguments) };
        next.bindings.set(r.fn, c);
        if (c.through) {
          // a helper reached again through its own callers: recursion, not followed
          if (next.bindings.has(c.through.fn)) {
            if (partial) continue;
            return undefined;
          }
          next.bindings.set(c.through.fn, c.through.site);
          next.calls.push(c.through.site);
        }
        queue.push(next);
      }
      continue;
    }
    const last = [...chain.calls].reverse().find((c) => chain.arguments.has(c));
    if (!last) {
      if (partial) continue;
      return undefined;
    }
    out.push({ calls: chain.calls.slice(0, chain.calls.indexOf(last) + 1), argument: chain.arguments.get(last)!, lookup: r });
  }
  return out;
}

/** What a parameter of a function is given at one chain of calls of the function. */
export interface PassedValue {
  /** The calls the value goes through, innermost first (see `PassedLookup`). */
  calls: CallSite[];
  /** The expression given, and the facts of its file. */
  value: ts.Expression;
  facts: FileFacts;
}

/**
 * The expression `expr` (of `facts`) stands for at each chain of calls of its function, when it
 * is a parameter of that function (or of a function around it) handed on by the callers:
 * `QueueUrl: queueUrl` in `send(body, queueUrl)` is `getEnv('JOBS_QUEUE_URL')` at the call
 * `send(job, getEnv('JOBS_QUEUE_URL'))` of another module. Undefined when `expr` is no parameter
 * or the calls cannot all be followed (as `propertyAtCalls`).
 */
export function valueAtCalls(facts: FileFacts, expr: ts.Expression, scope: FileAnalysis): PassedValue[] | undefined {
  const first = facts.resolveValue(expr);
  if (!ts.isIdentifier(first) || !declaringFunction(first)) return undefined;
  const out: PassedValue[] = [];
  const queue: { bindings: Map<ts.Node, CallSite>; calls: CallSite[] }[] = [{ bindings: new Map(), calls: [] }];
  for (let evaluated = 0; queue.length > 0; evaluated++) {
    if (evaluated >= MAX_CHAINS) return undefined;
    const chain = queue.shift()!;
    let at = { facts, value: expr };
    let needs: { fn: ts.FunctionLikeDeclaration; facts: FileFacts } | undefined;
    for (let depth = 0; depth <= MAX_DEPTH; depth++) {
      step();
      const e = at.facts.resolveValue(at.value);
      const declared = ts.isIdentifier(e) ? declaringFunction(e) : undefined;
      if (!declared) break;
      const site = chain.bindings.get(declared.fn);
      if (!site) {
        needs = { fn: declared.fn, facts: at.facts };
        break;
      }
      const args = site.call.arguments;
      if (args.slice(0, declared.index + 1).some((a) => ts.isSpreadElement(a)) || !args[declared.index]) return undefined;
      at = { facts: site.facts, value: args[declared.index]! };
    }
    if (!needs) {
      out.push({ calls: chain.calls, ...at });
      continue;
    }
    if (chain.calls.length >= MAX_LEVELS) return undefined;
    const callers = callersOf(needs.facts, needs.fn, scope);
    if (!callers || callers.length === 0) return undefined;
    for (const c of callers) {
      if (c.through) return undefined;
      const bindings = new Map(chain.bindings);
      bindings.set(needs.fn, c);
      queue.push({ bindings, calls: [...chain.calls, c] });
    }
  }
  return out;
}

/** Looks `name` up in `expr` (of `facts`), a parameter standing for the argument of the call the chain binds its function to. */
function evaluate(chain: Chain, facts: FileFacts, expr: ts.Expression, name: string, depth: number): Evaluated {
  step();
  if (depth > MAX_DEPTH) return { kind: 'unknown' };
  // `params.ClientToken = id` after the object is built: what it holds is not the literal
  const named = unwrap(expr);
  if (ts.isIdentifier(named) && membersWritten(facts, named)) return { kind: 'unknown' };
  const e = facts.resolveValue(expr);
  if (ts.isIdentifier(e)) {
    const declared = declaringFunction(e);
    if (!declared) return getProperty(facts, e, name);
    const site = chain.bindings.get(declared.fn);
    if (!site) return { kind: 'needs-caller', fn: declared.fn, facts };
    const args = site.call.arguments;
    if (args.slice(0, declared.index + 1).some((a) => ts.isSpreadElement(a))) return { kind: 'unknown' };
    const arg = args[declared.index];
    if (!arg) return { kind: 'unknown' };
    if (!chain.arguments.has(site)) chain.arguments.set(site, arg);
    return evaluate(chain, site.facts, arg, name, depth + 1);
  }
  if (!ts.isObjectLiteralExpression(e)) return getProperty(facts, e, name);
  // as `getProperty`: the last one wins, spreads of known objects are followed
  let result: Evaluated = { kind: 'absent' };
  for (const prop of e.properties) {
    if (ts.isSpreadAssignment(prop)) {
      const inner = evaluateSpread(chain, facts, prop.expression, name, depth + 1);
      if (inner.kind === 'needs-caller') return inner;
      if (inner.kind !== 'absent') result = inner;
      continue;
    }
    result = memberLookup(prop, name) ?? result;
  }
  return result;
}

/** A spread: `...(cond ? a : b)` has the property only when both branches agree. */
function evaluateSpread(chain: Chain, facts: FileFacts, expr: ts.Expression, name: string, depth: number): Evaluated {
  const e = unwrap(expr);
  if (!ts.isConditionalExpression(e)) return evaluate(chain, facts, e, name, depth);
  const a = evaluate(chain, facts, e.whenTrue, name, depth);
  if (a.kind === 'needs-caller') return a;
  const b = evaluate(chain, facts, e.whenFalse, name, depth);
  if (b.kind === 'needs-caller') return b;
  return a.kind === 'absent' && b.kind === 'absent' ? a : { kind: 'unknown' };
}

/**
 * The function whose plain parameter `id` is, with its position: the innermost function around
 * `id` binding the name (undefined for a rest or destructured parameter, or a variable).
 */
function declaringFunction(id: ts.Identifier): { fn: ts.FunctionLikeDeclaration; index: number } | undefined {
  for (let p = id.parent; p && !ts.isSourceFile(p); p = p.parent) {
    if (!isFunctionLike(p) || !p.parameters.some((x) => bindsName(x.name, id.text))) continue;
    const index = p.parameters.findIndex((x) => ts.isIdentifier(x.name) && x.name.text === id.text);
    if (index < 0 || p.parameters[index].dotDotDotToken || ts.isParameter(id.parent)) return undefined;
    return { fn: p, index };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// calls of a function

const ACROSS = new WeakMap<FileAnalysis, Map<ts.Node, CallSite[]>>();

/**
 * The calls of `fn` (of `facts`) the analysis can see: same-file calls, and calls from `scope`
 * and the functions it reaches in other modules. Undefined when `fn` is also used as a value.
 */
export function callersOf(facts: FileFacts, fn: ts.FunctionLikeDeclaration, scope: FileAnalysis): CallSite[] | undefined {
  const forwarded = callbackCalls(facts, fn);
  if (!forwarded) return undefined;
  // calls inside the function itself (recursion) add nothing its callers do not pass
  const out = (sameFileCalls(facts).get(fn) ?? []).filter((c) => c.call.pos < fn.pos || c.call.end > fn.end);
  for (const c of [...acrossCalls(scope).get(fn) ?? [], ...forwarded]) if (!out.some((o) => o.call === c.call)) out.push(c);
  return out;
}

const SAME_FILE = new WeakMap<FileFacts, Map<ts.Node, CallSite[]>>();

/** The calls of a file by the same-file function they call, found in one pass. */
function sameFileCalls(facts: FileFacts): Map<ts.Node, CallSite[]> {
  let map = SAME_FILE.get(facts);
  if (map) return map;
  map = new Map();
  for (const call of facts.calls) {
    const fn = localCallee(facts, call);
    if (!fn) continue;
    const list = map.get(fn) ?? [];
    list.push({ call, facts });
    map.set(fn, list);
  }
  SAME_FILE.set(facts, map);
  return map;
}

/** Calls of `scope` and of the code it reaches in other modules, by the function of another module (or same-file class) they call. */
function acrossCalls(scope: FileAnalysis): Map<ts.Node, CallSite[]> {
  let map = ACROSS.get(scope);
  if (map) return map;
  map = new Map();
  const add = (facts: FileFacts, call: ts.CallExpression) => {
    const target = calleeAcross(facts, call.expression);
    if (!target || target.facts === facts) return;
    const list = map!.get(target.fn) ?? [];
    list.push({ call, facts });
    map!.set(target.fn, list);
  };
  if (scope.host) {
    for (const call of scope.calls) add(scope, call);
    for (const file of reachedFiles(scope)) {
      for (const call of file.facts.calls) if (reachedAt(file, call)) add(file.facts, call);
    }
  }
  ACROSS.set(scope, map);
  return map;
}

const REFERENCES = new WeakMap<FileFacts, Map<string, ts.Identifier[]>>();

/** Identifiers of a file by name, leaving out property names (`a.name`, `{ name: 1 }`). */
function references(facts: FileFacts): Map<string, ts.Identifier[]> {
  let map = REFERENCES.get(facts);
  if (map) return map;
  map = new Map();
  walk(facts.sourceFile, (node) => {
    if (!ts.isIdentifier(node)) return;
    const p = node.parent;
    if (p && ((ts.isPropertyAccessExpression(p) && p.name === node) || ((ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p)) && p.name === node))) return;
    const list = map!.get(node.text) ?? [];
    list.push(node);
    map!.set(node.text, list);
  });
  REFERENCES.set(facts, map);
  return map;
}

/**
 * Whether the variable `named` refers to has a member written (`x.a = v`, `x[k] = v`, `x.a ??= v`,
 * `delete x.a`, `Object.assign(x, ...)`) in the function it is used in (or the function declaring
 * it, for a parameter), nested functions included; at module level, anywhere in the file.
 */
function membersWritten(facts: FileFacts, named: ts.Identifier): boolean {
  const scope = declaringFunction(named)?.fn ?? enclosingFunction(named) ?? facts.sourceFile;
  for (const id of references(facts).get(named.text) ?? []) {
    if (id.pos < scope.pos || id.end > scope.end) continue;
    const p = id.parent;
    if ((ts.isPropertyAccessExpression(p) || ts.isElementAccessExpression(p)) && p.expression === id) {
      const up = p.parent;
      if (ts.isBinaryExpression(up) && up.left === p && up.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && up.operatorToken.kind <= ts.SyntaxKind.LastAssignment) return true;
      if (ts.isDeleteExpression(up)) return true;
    }
    if (ts.isCallExpression(p) && p.arguments[0] === id && ts.isPropertyAccessExpression(p.expression) && p.expression.name.text === 'assign' && p.expression.expression.getText() === 'Object') return true;
  }
  return false;
}

/** The name a same-file function is called by: its declaration's, or the variable's it is assigned to. */
function declaredName(fn: ts.FunctionLikeDeclaration): ts.Identifier | undefined {
  if (ts.isFunctionDeclaration(fn)) return fn.name;
  const p = fn.parent;
  if (p && ts.isVariableDeclaration(p) && p.initializer && unwrap(p.initializer) === fn && ts.isIdentifier(p.name)) return p.name;
  return undefined;
}

/**
 * The calls of a same-file function made through a parameter of another same-file function it is
 * handed to (`retry(createFaq, client, params)` with `function retry(func, ...a) { ... func(...) }`),
 * each with the call that hands it over; undefined when the function's name is used in another way
 * than to call it, export it, or hand it to such a function: passed as a callback elsewhere,
 * stored, assigned. Methods are not looked for (a method handed on unbound is rare).
 */
function callbackCalls(facts: FileFacts, fn: ts.FunctionLikeDeclaration): CallSite[] | undefined {
  const name = declaredName(fn);
  if (!name) return ts.isMethodDeclaration(fn) || onlyExported(facts, fn) ? [] : undefined;
  const out: CallSite[] = [];
  for (const id of references(facts).get(name.text) ?? []) {
    if (id === name) continue;
    const p = id.parent;
    if (ts.isCallExpression(p) && p.expression === id) continue;
    if (ts.isTypeQueryNode(p) || ts.isExportSpecifier(p) || ts.isExportAssignment(p)) continue;
    if (isCommonJsExport(p, id)) continue;
    const handing = ts.isCallExpression(p) ? p : undefined;
    const wrapper = handing && localCallee(facts, handing);
    const inner = handing && wrapper && callsThroughParameter(facts, handing, wrapper, handing.arguments.indexOf(id));
    if (!handing || !wrapper || !inner) return undefined;
    for (const call of inner) out.push({ call, facts, label: `${name.text}(...)`, through: { fn: wrapper, site: { call: handing, facts } } });
  }
  return out;
}

/**
 * The calls of the parameter at `index` of `wrapper` (the same-file function `call` calls), when that
 * parameter is only called (or its `name` read) in the function's body.
 */
function callsThroughParameter(facts: FileFacts, call: ts.CallExpression, wrapper: ts.FunctionLikeDeclaration, index: number): ts.CallExpression[] | undefined {
  const param = wrapper.parameters[index];
  if (!wrapper.body || !param || param.dotDotDotToken || !ts.isIdentifier(param.name) || call.arguments.slice(0, index).some((a) => ts.isSpreadElement(a))) return undefined;
  const text = param.name.text;
  const calls: ts.CallExpression[] = [];
  for (const id of references(facts).get(text) ?? []) {
    if (id === param.name || id.pos < wrapper.body.pos || id.end > wrapper.body.end) continue;
    if (declaringFunction(id)?.fn !== wrapper) return undefined;
    const p = id.parent;
    if (ts.isCallExpression(p) && p.expression === id) calls.push(p);
    else if (!(ts.isPropertyAccessExpression(p) && p.expression === id && p.name.text === 'name')) return undefined;
  }
  return calls.length > 0 ? calls : undefined;
}

/**
 * A function written as a CommonJS export (`exports.x = async (a) => ...`, `module.exports.x =
 * function ...`, `module.exports = { x: (a) => ... }`) that the file names nowhere else
 * (`exports.x(...)`): only other modules call it, through the export.
 */
function onlyExported(facts: FileFacts, fn: ts.FunctionLikeDeclaration): boolean {
  let value: ts.Node = fn;
  while (ts.isParenthesizedExpression(value.parent)) value = value.parent;
  let p = value.parent;
  let name: string | undefined;
  if (ts.isPropertyAssignment(p) && p.initializer === value && !ts.isComputedPropertyName(p.name)) {
    name = p.name.getText();
    value = p.parent;
    p = p.parent.parent;
  }
  if (!ts.isBinaryExpression(p) || p.operatorToken.kind !== ts.SyntaxKind.EqualsToken || p.right !== value) return false;
  const m = /^(?:module\.)?exports(?:\.([\w$]+))?$/.exec(p.left.getText().replace(/\s+/g, ''));
  if (!m || (m[1] === undefined) === (name === undefined)) return false;
  name ??= m[1]!;
  // `exports.x(...)` or `module.exports.x` elsewhere in the file: a use the callers do not show
  const refs = references(facts);
  return ![...(refs.get('exports') ?? []), ...(refs.get('module') ?? [])].some((id) => {
    let base: ts.Expression = id;
    if (id.text === 'module') {
      if (!ts.isPropertyAccessExpression(id.parent) || id.parent.expression !== id || id.parent.name.text !== 'exports') return false;
      base = id.parent;
    }
    const member = ts.isPropertyAccessExpression(base.parent) && base.parent.expression === base ? base.parent : undefined;
    return member !== undefined && member.name.text === name && !(member.pos >= p.pos && member.end <= p.end);
  });
}

/** `exports.x = id`, `module.exports = id`, `module.exports = { id, x: id }`. */
function isCommonJsExport(parent: ts.Node, id: ts.Identifier): boolean {
  let value: ts.Node = id;
  let p = parent;
  if (ts.isShorthandPropertyAssignment(p) || (ts.isPropertyAssignment(p) && p.initializer === id)) {
    value = p.parent;
    p = p.parent.parent;
  }
  if (!ts.isBinaryExpression(p) || p.operatorToken.kind !== ts.SyntaxKind.EqualsToken || p.right !== value) return false;
  const text = p.left.getText().replace(/\s+/g, '');
  return /^(?:module\.)?exports(?:\.[\w$]+)?$/.test(text);
}
