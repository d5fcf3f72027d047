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
import { getProperty, propertyNameText, type PropertyLookup } from './values.js';
import { enclosingFunction, isFunctionLike, step, unwrap, walk } from './walk.js';
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

type Evaluated = PropertyLookup | { kind: 'needs-caller' };

interface Chain {
  calls: CallSite[];
  /** The argument each call passes for the value, once evaluated. */
  arguments: (ts.Expression | undefined)[];
}

/**
 * The property `name` of `input` (an expression of `facts`) as each chain of calls of its function
 * passes it; undefined when `input` does not come from a parameter of its function or when the
 * calls cannot all be followed. `scope` is the file the scan is for: its calls, and the calls of
 * the code it reaches in other modules, are calls of functions in those modules.
 */
export function propertyAtCalls(facts: FileFacts, input: ts.Expression, name: string, scope: FileAnalysis): PassedLookup[] | undefined {
  const fn = enclosingFunction(input);
  if (!fn) return undefined;
  const out: PassedLookup[] = [];
  const queue: Chain[] = [{ calls: [], arguments: [] }];
  for (let evaluated = 0; queue.length > 0; evaluated++) {
    if (evaluated >= MAX_CHAINS) return undefined;
    const chain = queue.shift()!;
    const r = evaluate(chain, fn, 0, facts, input, name, 0);
    if (r.kind === 'needs-caller') {
      if (chain.calls.length >= MAX_LEVELS) return undefined;
      const level = chain.calls.length;
      const callee = level === 0 ? fn : enclosingFunction(chain.calls[level - 1].call);
      const calleeFacts = level === 0 ? facts : chain.calls[level - 1].facts;
      const callers = callee && callersOf(calleeFacts, callee, scope);
      if (!callers || callers.length === 0) return undefined;
      for (const c of callers) {
        // a helper reached again through its own callers: recursion, not followed
        if (chain.calls.some((x) => enclosingFunction(x.call) === enclosingFunction(c.call))) return undefined;
        queue.push({ calls: [...chain.calls, c], arguments: [] });
      }
      continue;
    }
    if (chain.calls.length === 0) return undefined;
    const argument = chain.arguments[chain.calls.length - 1];
    if (!argument) return undefined;
    out.push({ calls: chain.calls, argument, lookup: r });
  }
  return out;
}

/** The function of the chain's level `level`: the value's own function at 0, then the function making each call. */
function functionAt(chain: Chain, fn: ts.FunctionLikeDeclaration, level: number): ts.FunctionLikeDeclaration | undefined {
  return level === 0 ? fn : enclosingFunction(chain.calls[level - 1].call);
}

/** Looks `name` up in `expr` (of `facts`, inside the function of level `level`), a parameter standing for the argument of that level's call. */
function evaluate(chain: Chain, fn: ts.FunctionLikeDeclaration, level: number, facts: FileFacts, expr: ts.Expression, name: string, depth: number): Evaluated {
  step();
  if (depth > MAX_DEPTH) return { kind: 'unknown' };
  const e = facts.resolveValue(expr);
  if (ts.isIdentifier(e)) {
    const own = functionAt(chain, fn, level);
    const index = own ? parameterIndex(own, e) : undefined;
    if (index === undefined) return getProperty(facts, e, name);
    if (level === chain.calls.length) return { kind: 'needs-caller' };
    const site = chain.calls[level];
    const args = site.call.arguments;
    if (args.slice(0, index + 1).some((a) => ts.isSpreadElement(a))) return { kind: 'unknown' };
    const arg = args[index];
    if (!arg) return { kind: 'unknown' };
    chain.arguments[level] ??= arg;
    return evaluate(chain, fn, level + 1, site.facts, arg, name, depth + 1);
  }
  if (!ts.isObjectLiteralExpression(e)) return getProperty(facts, e, name);
  // as `getProperty`: the last one wins, spreads of known objects are followed
  let result: Evaluated = { kind: 'absent' };
  for (const prop of e.properties) {
    if (ts.isSpreadAssignment(prop)) {
      const inner = evaluateSpread(chain, fn, level, facts, prop.expression, name, depth + 1);
      if (inner.kind === 'needs-caller') return inner;
      if (inner.kind !== 'absent') result = inner;
      continue;
    }
    if (ts.isShorthandPropertyAssignment(prop)) {
      if (prop.name.text === name) result = { kind: 'present', value: prop.name, node: prop };
      continue;
    }
    if (!prop.name) continue;
    const key = propertyNameText(prop.name);
    if (key === undefined) {
      result = { kind: 'unknown' };
      continue;
    }
    if (key !== name) continue;
    result = ts.isPropertyAssignment(prop) ? { kind: 'present', value: prop.initializer, node: prop } : { kind: 'unknown' };
  }
  return result;
}

/** A spread: `...(cond ? a : b)` has the property only when both branches agree. */
function evaluateSpread(chain: Chain, fn: ts.FunctionLikeDeclaration, level: number, facts: FileFacts, expr: ts.Expression, name: string, depth: number): Evaluated {
  const e = unwrap(expr);
  if (!ts.isConditionalExpression(e)) return evaluate(chain, fn, level, facts, e, name, depth);
  const a = evaluate(chain, fn, level, facts, e.whenTrue, name, depth);
  if (a.kind === 'needs-caller') return a;
  const b = evaluate(chain, fn, level, facts, e.whenFalse, name, depth);
  if (b.kind === 'needs-caller') return b;
  return a.kind === 'absent' && b.kind === 'absent' ? a : { kind: 'unknown' };
}

/** The position of the plain parameter `id` names in `fn` (not one of a nested function, not a rest or destructured one). */
function parameterIndex(fn: ts.FunctionLikeDeclaration, id: ts.Identifier): number | undefined {
  if (id.pos < fn.pos || id.end > fn.end) return undefined;
  // a nested function with a parameter of the same name shadows it
  for (let p = id.parent; p && p !== fn; p = p.parent) {
    if (isFunctionLike(p) && p.parameters.some((x) => bindsName(x.name, id.text))) return undefined;
  }
  const index = fn.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === id.text);
  if (index < 0 || fn.parameters[index].dotDotDotToken) return undefined;
  return index;
}

function bindsName(name: ts.BindingName, text: string): boolean {
  if (ts.isIdentifier(name)) return name.text === text;
  return name.elements.some((el) => ts.isBindingElement(el) && bindsName(el.name, text));
}

// ---------------------------------------------------------------------------------------------
// calls of a function

const ACROSS = new WeakMap<FileAnalysis, Map<ts.Node, CallSite[]>>();

/**
 * The calls of `fn` (of `facts`) the analysis can see: same-file calls, and calls from `scope`
 * and the functions it reaches in other modules. Undefined when `fn` is also used as a value.
 */
export function callersOf(facts: FileFacts, fn: ts.FunctionLikeDeclaration, scope: FileAnalysis): CallSite[] | undefined {
  if (usedAsValue(facts, fn)) return undefined;
  // calls inside the function itself (recursion) add nothing its callers do not pass
  const out = (sameFileCalls(facts).get(fn) ?? []).filter((c) => c.call.pos < fn.pos || c.call.end > fn.end);
  for (const c of acrossCalls(scope).get(fn) ?? []) if (!out.some((o) => o.call === c.call)) out.push(c);
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

/** The name a same-file function is called by: its declaration's, or the variable's it is assigned to. */
function declaredName(fn: ts.FunctionLikeDeclaration): ts.Identifier | undefined {
  if (ts.isFunctionDeclaration(fn)) return fn.name;
  const p = fn.parent;
  if (p && ts.isVariableDeclaration(p) && p.initializer && unwrap(p.initializer) === fn && ts.isIdentifier(p.name)) return p.name;
  return undefined;
}

/**
 * Whether the function's name is used other than to call it or export it: passed as a callback,
 * stored, assigned. Methods are not looked for (a method handed on unbound is rare).
 */
function usedAsValue(facts: FileFacts, fn: ts.FunctionLikeDeclaration): boolean {
  const name = declaredName(fn);
  if (!name) return !ts.isMethodDeclaration(fn);
  for (const id of references(facts).get(name.text) ?? []) {
    if (id === name) continue;
    const p = id.parent;
    if (ts.isCallExpression(p) && p.expression === id) continue;
    if (ts.isTypeQueryNode(p) || ts.isExportSpecifier(p) || ts.isExportAssignment(p)) continue;
    if (isCommonJsExport(p, id)) continue;
    return true;
  }
  return false;
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
