/**
 * Properties of objects built by functions of the project: `new S3Client(sdkConfig({ region }))`,
 * `{ ...baseConfig(), region }`, `utils.getOptions({})` that sets properties on its parameter and
 * returns it. The function is found in the same file or in another module of the project (see
 * `./modules.ts`), and what it returns is evaluated with its parameters bound to what the call
 * passes: object literals (with spreads), conditionals, `a || b` / `a ?? b` / `a && b`,
 * `Object.assign`, other project functions (a few calls deep), and local variables or parameters
 * after the assignments the function makes to them.
 *
 * One property is asked for at a time, and the answer is "absent" only when every way the value
 * can be built is known not to have it; a spread of anything else (an unknown import, data from
 * the environment such as `JSON.parse(process.env.X)`), a write of the property, a call the
 * object is handed to, or a function past the depth limit make it unknown. Results are cached
 * per function and per what its parameters hold.
 */
import { ts } from './ts.js';
import type { FileFacts } from './file-facts.js';
import { calleeAcross, factsOfNode, importedValue } from './modules.js';
import { resolveLocalFunction } from './remote-calls.js';
import { memberLookup } from './values.js';
import { enclosingFunction, isFunctionLike, returnedExpressions, step, unwrap, walk } from './walk.js';

/** What an object built by the project has under one property name. */
export type BuiltProperty =
  | { kind: 'present'; value: ts.Expression; node: ts.ObjectLiteralElementLike; facts: FileFacts }
  | { kind: 'absent' }
  | { kind: 'unknown' };

export interface FactoryLookup {
  property: BuiltProperty;
  /** The first project function whose result the answer came through, if any. */
  factory?: ts.FunctionLikeDeclaration;
  /** The first object another module exports (`export const baseConfig = {...}`) that the answer came through, if any. */
  imported?: ts.ObjectLiteralExpression;
}

/** Project functions followed inside each other. */
const MAX_CALL_DEPTH = 4;
/** Expressions looked at for one question, over every function followed. */
const MAX_LOOKUPS = 400;
/** Calls that read an object without changing it: handing the object to them keeps what is known. */
const READERS = /^(?:console\.\w+|JSON\.stringify|Object\.(?:keys|values|entries|freeze)|logger\.\w+|log\.\w+)$/;

const ABSENT: BuiltProperty = { kind: 'absent' };
const UNKNOWN: BuiltProperty = { kind: 'unknown' };

interface Frame {
  facts: FileFacts;
  fn?: ts.FunctionLikeDeclaration;
  /** What each simple parameter of `fn` holds under the property asked for. */
  params: Map<string, BuiltProperty>;
  /** Parameters of `fn` the call passes an object literal: never falsy (`options || {}` is `options`). */
  objects?: Set<string>;
  depth: number;
}

interface Run {
  name: string;
  lookups: number;
  factory?: ts.FunctionLikeDeclaration;
  imported?: ts.ObjectLiteralExpression;
  /** Variables whose other assignments are being evaluated (their own mentions then mean the first value). */
  resolving: Set<ts.Node>;
}

/** Per function: results by property name and parameter contents. */
const CACHE = new WeakMap<ts.FunctionLikeDeclaration, Map<string, BuiltProperty>>();
const NODE_IDS = new WeakMap<ts.Node, number>();
let nextNodeId = 1;

function nodeId(node: ts.Node): number {
  let id = NODE_IDS.get(node);
  if (id === undefined) {
    id = nextNodeId++;
    NODE_IDS.set(node, id);
  }
  return id;
}

/**
 * Looks `name` up in the value of `expr` (in the file of `facts`), following calls of project
 * functions. Meant for values the plain object lookup (`getProperty`) cannot see.
 */
export function propertyThroughFactories(facts: FileFacts, expr: ts.Expression, name: string): FactoryLookup {
  const run: Run = { name, lookups: 0, resolving: new Set() };
  const property = lookup(run, { facts, params: new Map(), depth: 0 }, expr, 0);
  return { property, factory: run.factory, imported: run.imported };
}

function join(a: BuiltProperty, b: BuiltProperty): BuiltProperty {
  if (a.kind === 'absent' && b.kind === 'absent') return a;
  if (a.kind === 'present' && b.kind === 'present' && a.value === b.value) return a;
  return UNKNOWN;
}

function lookup(run: Run, frame: Frame, expr: ts.Expression, nesting: number): BuiltProperty {
  step();
  if (++run.lookups > MAX_LOOKUPS || nesting > 24) return UNKNOWN;
  const e = unwrap(expr);
  if (ts.isObjectLiteralExpression(e)) return objectLookup(run, frame, e, nesting);
  if (e.kind === ts.SyntaxKind.NullKeyword || e.kind === ts.SyntaxKind.FalseKeyword || ts.isVoidExpression(e)) return ABSENT;
  if (ts.isAwaitExpression(e)) return lookup(run, frame, e.expression, nesting + 1);
  if (ts.isConditionalExpression(e)) return join(lookup(run, frame, e.whenTrue, nesting + 1), lookup(run, frame, e.whenFalse, nesting + 1));
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    // the value is one side or the other (`a && b` is `a` only when falsy, which spreads nothing)
    if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) {
      // an object is neither falsy nor nullish: `options || {}` with options passed as `{ ... }` is options
      if (isObject(frame, e.left)) return lookup(run, frame, e.left, nesting + 1);
      return join(lookup(run, frame, e.left, nesting + 1), lookup(run, frame, e.right, nesting + 1));
    }
    if (op === ts.SyntaxKind.AmpersandAmpersandToken) return lookup(run, frame, e.right, nesting + 1);
    return UNKNOWN;
  }
  if (ts.isIdentifier(e)) return identifierLookup(run, frame, e, nesting);
  if (ts.isPropertyAccessExpression(e)) {
    const imported = importedValue(frame.facts, e);
    if (imported && ts.isObjectLiteralExpression(imported.node)) return importedLookup(run, frame, imported.facts, imported.node, nesting);
    return UNKNOWN;
  }
  if (ts.isCallExpression(e)) return callLookup(run, frame, e, nesting);
  return UNKNOWN;
}

/** An object literal, or a parameter of the frame's function that the call passes one. */
function isObject(frame: Frame, expr: ts.Expression): boolean {
  const e = unwrap(expr);
  if (ts.isObjectLiteralExpression(e)) return true;
  return ts.isIdentifier(e) && !!frame.fn && !!frame.objects?.has(e.text) && namesParameterOf(e, frame.fn);
}

function objectLookup(run: Run, frame: Frame, obj: ts.ObjectLiteralExpression, nesting: number): BuiltProperty {
  let result: BuiltProperty = ABSENT;
  for (const prop of obj.properties) {
    if (ts.isSpreadAssignment(prop)) {
      const inner = lookup(run, frame, prop.expression, nesting + 1);
      if (inner.kind !== 'absent') result = inner;
      continue;
    }
    const own = memberLookup(prop, run.name);
    if (own) result = own.kind === 'present' ? { ...own, facts: frame.facts } : UNKNOWN;
  }
  return result;
}

/** Whether `id` (inside `fn`) names the parameter `fn` declares, not a variable of a nested scope. */
function namesParameterOf(id: ts.Identifier, fn: ts.FunctionLikeDeclaration): boolean {
  if (!fn.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === id.text)) return false;
  for (let p = id.parent; p && p !== fn; p = p.parent) {
    if (isFunctionLike(p) && p.parameters.some((q) => !ts.isIdentifier(q.name) || q.name.text === id.text)) return false;
    if (declaresIn(p, id.text)) return false;
  }
  return true;
}

/** A `const`/`let`/`var` of `name` directly in a block-like node. */
function declaresIn(node: ts.Node, name: string): ts.VariableDeclaration | undefined {
  if (!ts.isBlock(node) && !ts.isSourceFile(node) && !ts.isModuleBlock(node)) return undefined;
  for (const st of node.statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name) && d.name.text === name) return d;
  }
  return undefined;
}

/** The declaration of a variable of `fn` that `id` names: in a block of `fn` around `id`. */
function localOf(id: ts.Identifier, fn: ts.FunctionLikeDeclaration): ts.VariableDeclaration | undefined {
  for (let p = id.parent; p && p !== fn; p = p.parent) {
    if (isFunctionLike(p)) return undefined;
    const d = declaresIn(p, id.text);
    if (d) return d;
  }
  return undefined;
}

function identifierLookup(run: Run, frame: Frame, id: ts.Identifier, nesting: number): BuiltProperty {
  if (id.text === 'undefined') return ABSENT;
  const fn = frame.fn;
  if (fn && enclosingFunction(id) !== undefined && isWithin(id, fn)) {
    if (namesParameterOf(id, fn)) {
      const param = fn.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === id.text)!;
      const base = frame.params.get(id.text) ?? UNKNOWN;
      return afterWrites(run, frame, param, id.text, base, nesting);
    }
    const local = localOf(id, fn);
    if (local) {
      if (!ts.isVariableDeclarationList(local.parent) || !isWithin(local, fn)) return UNKNOWN;
      const base = local.initializer ? lookup(run, frame, local.initializer, nesting + 1) : ABSENT;
      return afterWrites(run, frame, local, id.text, base, nesting);
    }
  }
  // module level, or a closure's variable: its value when it has one known value
  const value = frame.facts.resolveValue(id);
  if (value !== id) {
    // an object written after it is built (`cfg.requestHandler = ...`, `Object.assign(cfg, ...)`) anywhere in the file
    if (scanWrites(id.getSourceFile(), id.text, run.name, false).unknown) return UNKNOWN;
    return lookup(run, { ...frame, fn: undefined, params: new Map() }, value, nesting + 1);
  }
  const imported = importedValue(frame.facts, id);
  if (imported && ts.isObjectLiteralExpression(imported.node)) {
    // `baseConfig.requestHandler = ...` in the importing module
    if (scanWrites(id.getSourceFile(), id.text, run.name, false).unknown) return UNKNOWN;
    return importedLookup(run, frame, imported.facts, imported.node, nesting);
  }
  return UNKNOWN;
}

/** An object literal another module exports, where the value (or a spread in it) comes from. */
function importedLookup(run: Run, frame: Frame, facts: FileFacts, obj: ts.ObjectLiteralExpression, nesting: number): BuiltProperty {
  // written after it is built, in its own module (`baseConfig.requestHandler = ...`): unknown
  const name = obj.parent && ts.isVariableDeclaration(obj.parent) && ts.isIdentifier(obj.parent.name) ? obj.parent.name.text : undefined;
  if (name && scanWrites(obj.getSourceFile(), name, run.name, false).unknown) return UNKNOWN;
  run.imported ??= obj;
  return lookup(run, { facts, params: new Map(), depth: frame.depth }, obj, nesting + 1);
}

function isWithin(node: ts.Node, container: ts.Node): boolean {
  return node.pos >= container.pos && node.end <= container.end && node.getSourceFile() === container.getSourceFile();
}

/** What a scope does to a variable: other values it assigns to it, and whether it may change the property asked for. */
interface Writes {
  others: ts.Expression[];
  unknown: boolean;
}

const WRITES = new WeakMap<ts.Node, Map<string, Writes>>();

/**
 * The writes of `name` in `scope` (by name: a shadowing variable counts too, which only makes the
 * answer more cautious): assignments to it, and whether the property `prop` may be written (`x.prop =`,
 * a computed write, `delete`, or, with `calls`, the object handed to a call other than a known reader).
 */
function scanWrites(scope: ts.Node, name: string, prop: string, calls: boolean): Writes {
  const key = `${name}\0${prop}\0${calls}`;
  let byScope = WRITES.get(scope);
  const hit = byScope?.get(key);
  if (hit) return hit;
  const out: Writes = { others: [], unknown: false };
  walk(scope, (n) => {
    if (out.unknown) return false;
    if (!ts.isIdentifier(n) || n.text !== name) return undefined;
    const direct = n.parent;
    // a property name (`x.name`, `{ name: 1 }`) is not a mention of the variable
    if (ts.isPropertyAccessExpression(direct) && direct.name === n) return undefined;
    if ((ts.isPropertyAssignment(direct) || ts.isMethodDeclaration(direct) || ts.isPropertyDeclaration(direct)) && direct.name === n) return undefined;
    // `(x as T).prop = v` writes x too
    let m: ts.Node = n;
    while (ts.isParenthesizedExpression(m.parent) || ts.isAsExpression(m.parent) || ts.isNonNullExpression(m.parent) || ts.isSatisfiesExpression(m.parent) || ts.isTypeAssertionExpression(m.parent)) m = m.parent;
    const parent = m.parent;
    if (ts.isBinaryExpression(parent) && parent.left === m) {
      const op = parent.operatorToken.kind;
      if (op === ts.SyntaxKind.EqualsToken || op === ts.SyntaxKind.BarBarEqualsToken || op === ts.SyntaxKind.QuestionQuestionEqualsToken) out.others.push(parent.right);
      else if (op >= ts.SyntaxKind.FirstAssignment && op <= ts.SyntaxKind.LastAssignment) out.unknown = true;
      return undefined;
    }
    if ((ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) && parent.expression === m) {
      const written = ts.isPropertyAccessExpression(parent) ? parent.name.text : ts.isStringLiteralLike(unwrap(parent.argumentExpression)) ? (unwrap(parent.argumentExpression) as ts.StringLiteralLike).text : undefined;
      if (isWritten(parent) && (written === undefined || written === prop)) out.unknown = true;
      return undefined;
    }
    if (ts.isCallExpression(parent) && parent.arguments.includes(m as ts.Expression)) {
      const callee = unwrap(parent.expression).getText().replace(/\s+/g, '');
      if (calls ? !READERS.test(callee) : callee === 'Object.assign' && parent.arguments[0] === m) out.unknown = true;
    }
    return undefined;
  });
  if (!byScope) WRITES.set(scope, (byScope = new Map()));
  byScope.set(key, out);
  return out;
}

/**
 * A parameter or local variable of the function being evaluated, after what the function does to
 * it: other values assigned to it join its first one; a write of the property asked for, a
 * computed write, `delete`, or handing the object to a call other than a known reader make it unknown.
 */
function afterWrites(run: Run, frame: Frame, decl: ts.Node, name: string, base: BuiltProperty, nesting: number): BuiltProperty {
  const fn = frame.fn!;
  if (run.resolving.has(decl)) return base;
  const { others, unknown } = scanWrites(fn.body ?? fn, name, run.name, true);
  if (unknown) return UNKNOWN;
  let result = base;
  if (others.length > 0) {
    run.resolving.add(decl);
    for (const o of others) result = join(result, lookup(run, frame, o, nesting + 1));
    run.resolving.delete(decl);
  }
  return result;
}

/** Whether a member access is written (`x.a = 1`, `x.a += 1`, `x.a++`, `delete x.a`), directly or through a deeper member. */
function isWritten(access: ts.Expression): boolean {
  const parent = access.parent;
  if (ts.isBinaryExpression(parent) && parent.left === access) {
    const op = parent.operatorToken.kind;
    return op >= ts.SyntaxKind.FirstAssignment && op <= ts.SyntaxKind.LastAssignment;
  }
  if (ts.isPrefixUnaryExpression(parent) || ts.isPostfixUnaryExpression(parent) || ts.isDeleteExpression(parent)) return true;
  // `x.requestHandler.timeout = 1` changes what the property holds
  if ((ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) && parent.expression === access) return isWritten(parent);
  return false;
}

function callLookup(run: Run, frame: Frame, call: ts.CallExpression, nesting: number): BuiltProperty {
  const callee = unwrap(call.expression);
  // Object.assign(target, ...sources): the last source that has the property, else the target
  if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'Object' && callee.name.text === 'assign') {
    if (call.arguments.length === 0 || call.arguments.some(ts.isSpreadElement)) return UNKNOWN;
    let result: BuiltProperty = ABSENT;
    for (const a of call.arguments) {
      const inner = lookup(run, frame, a, nesting + 1);
      if (inner.kind !== 'absent') result = inner;
    }
    return result;
  }
  if (frame.depth >= MAX_CALL_DEPTH) return UNKNOWN;
  const target = functionOf(frame.facts, call.expression);
  if (!target?.fn.body) return UNKNOWN;
  const { facts, fn } = target;
  run.factory ??= fn;
  const params = new Map<string, BuiltProperty>();
  const objects = new Set<string>();
  const keyParts: string[] = [run.name];
  for (let i = 0; i < fn.parameters.length; i++) {
    const p = fn.parameters[i]!;
    if (!ts.isIdentifier(p.name) || p.dotDotDotToken) {
      keyParts.push('?');
      continue;
    }
    if (call.arguments.slice(0, i + 1).some(ts.isSpreadElement)) {
      params.set(p.name.text, UNKNOWN);
      keyParts.push('u');
      continue;
    }
    const arg = call.arguments[i];
    const passed = arg && !(ts.isIdentifier(unwrap(arg)) && (unwrap(arg) as ts.Identifier).text === 'undefined') ? arg : undefined;
    let value: BuiltProperty;
    if (passed) value = lookup(run, frame, passed, nesting + 1);
    else if (p.initializer) value = lookup(run, { facts, fn, params: new Map(), depth: frame.depth + 1 }, p.initializer, nesting + 1);
    else value = ABSENT;
    params.set(p.name.text, value);
    const object = !!passed && ts.isObjectLiteralExpression(frame.facts.resolveValue(passed));
    if (object) objects.add(p.name.text);
    keyParts.push((value.kind === 'present' ? `p${nodeId(value.value)}` : value.kind[0]!) + (object ? 'o' : ''));
  }
  const key = keyParts.join(',');
  let cached = CACHE.get(fn);
  const hit = cached?.get(key);
  if (hit) return hit;
  const returned = returnedExpressions(fn);
  const inner: Frame = { facts, fn, params, objects, depth: frame.depth + 1 };
  let result: BuiltProperty | undefined;
  for (const r of returned) {
    const one = lookup(run, inner, r, nesting + 1);
    result = result ? join(result, one) : one;
    if (result.kind === 'unknown') break;
  }
  // a function that returns nothing known (no return statement) gives nothing to look at
  result ??= UNKNOWN;
  // an answer cut short by the lookup budget depends on what came before it: not cached
  if (run.lookups <= MAX_LOOKUPS && run.resolving.size === 0) {
    if (!cached) CACHE.set(fn, (cached = new Map()));
    cached.set(key, result);
  }
  return result;
}

/** The project function a callee names: a function of the same file, or one another module exports. */
function functionOf(facts: FileFacts, callee: ts.Expression): { facts: FileFacts; fn: ts.FunctionLikeDeclaration } | undefined {
  const local = resolveLocalFunction(facts, callee);
  if (local?.body) {
    const own = factsOfNode(facts, local);
    return own ? { facts: own, fn: local } : undefined;
  }
  return calleeAcross(facts, callee);
}
