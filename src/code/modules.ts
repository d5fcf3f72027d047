/**
 * Following code into other modules of the project: from an imported binding, a `require`d
 * module's member, an instance of an imported class or a same-file class, to the function, class
 * or value it names in whichever file defines it. The files come from the `ModuleHost` the front
 * end attached to the facts (see `./file-facts.ts`); without one, only same-file targets are found.
 *
 * Exports are read from the syntax alone: ESM declarations, `export { a as b }`, `export default`,
 * re-exports (`export * from`, `export { x } from`) and CommonJS (`exports.x = ...`,
 * `module.exports = { ... }`, `module.exports = fn`). Chains are bounded ({@link MAX_HOPS} modules
 * for a target, not counting barrel files that only re-export it; {@link MAX_REEXPORTS}
 * re-exports for a name), and nothing is type-checked.
 */
import path from 'node:path';
import { ts } from './ts.js';
import type { FileFacts, ModuleRef } from './file-facts.js';
import { classMemberType, classMemberValue, enclosingClass, isFunctionLike, returnedExpressions, thisMemberValue, unwrap } from './walk.js';

/** Modules followed from a call to the function it reaches (`a.ts` → `b.ts` → `c.ts` is 2). */
export const MAX_HOPS = 3;
/** Base classes followed up an `extends` chain for an inherited member. */
const MAX_BASES = 4;
const MAX_REEXPORTS = 8;

/** A node of some file, with the facts of that file. */
export interface Target {
  facts: FileFacts;
  node: ts.Node;
}

export interface FunctionTarget {
  facts: FileFacts;
  fn: ts.FunctionLikeDeclaration;
}

/** The facts of the file a node belongs to, seen from `from` (its own facts, or the host's). */
export function factsOfNode(from: FileFacts, node: ts.Node): FileFacts | undefined {
  const sf = node.getSourceFile();
  if (sf === from.sourceFile) return from;
  const facts = from.host?.facts(sf.fileName);
  return facts && facts.sourceFile === sf ? facts : undefined;
}

/** The facts of the project file a specifier names, when the host can read it. */
export function projectModule(facts: FileFacts, specifier: string): FileFacts | undefined {
  const host = facts.host;
  if (!host) return undefined;
  const file = host.resolve(specifier, facts.sourceFile.fileName);
  return file === undefined ? undefined : host.facts(file);
}

/** A path for messages: the file of `node` relative to the directory of the node `from` is in, with `/`. */
export function shownPath(from: ts.Node, node: ts.Node): string {
  const file = node.getSourceFile().fileName;
  const rel = path.relative(path.dirname(from.getSourceFile().fileName), file) || path.basename(file);
  return rel.split(path.sep).join('/');
}

/** "lib/ops.js:12": where `node` is, seen from the file of `from`. */
export function shownLocation(from: ts.Node, node: ts.Node): string {
  const sf = node.getSourceFile();
  return `${shownPath(from, node)}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`;
}

function isExported(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && !!ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

function isDefault(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && !!ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
}

/** `exports.x` / `module.exports.x` → 'x'; `module.exports` → ''. */
function commonJsTarget(left: ts.Expression): string | undefined {
  const l = unwrap(left);
  if (!ts.isPropertyAccessExpression(l)) return undefined;
  const base = unwrap(l.expression);
  if (ts.isIdentifier(base) && base.text === 'module' && l.name.text === 'exports') return '';
  if (ts.isIdentifier(base) && base.text === 'exports') return l.name.text;
  if (ts.isPropertyAccessExpression(base) && base.name.text === 'exports' && ts.isIdentifier(base.expression) && base.expression.text === 'module') return l.name.text;
  return undefined;
}

const TOP_LEVEL_NAMES = new WeakMap<ts.SourceFile, Map<string, ts.Statement[]>>();

/**
 * The top-level statements of a file that may declare each name (functions, classes, variables
 * and their destructured names, default and named imports), in file order: `topLevel` is asked for
 * the callee of many calls of a large file, and reads only these.
 */
function topLevelStatements(sf: ts.SourceFile, name: string): readonly ts.Statement[] {
  let index = TOP_LEVEL_NAMES.get(sf);
  if (!index) {
    const map = new Map<string, ts.Statement[]>();
    const add = (key: string, st: ts.Statement): void => {
      const list = map.get(key);
      if (!list) map.set(key, [st]);
      else if (list[list.length - 1] !== st) list.push(st);
    };
    for (const st of sf.statements) {
      if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name) add(st.name.text, st);
      else if (ts.isVariableStatement(st)) {
        for (const d of st.declarationList.declarations) {
          if (ts.isIdentifier(d.name)) add(d.name.text, st);
          else if (ts.isObjectBindingPattern(d.name)) for (const el of d.name.elements) if (ts.isIdentifier(el.name)) add(el.name.text, st);
        }
      } else if (ts.isImportDeclaration(st) && st.importClause) {
        if (st.importClause.name) add(st.importClause.name.text, st);
        const b = st.importClause.namedBindings;
        if (b && ts.isNamedImports(b)) for (const el of b.elements) add(el.name.text, st);
      }
    }
    TOP_LEVEL_NAMES.set(sf, (index = map));
  }
  return index.get(name) ?? [];
}

/** A top-level declaration of `name` in a file: function, class, variable (its initialiser) or import (followed). */
function topLevel(facts: FileFacts, name: string, hops: number): Target | undefined {
  for (const st of topLevelStatements(facts.sourceFile, name)) {
    if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name?.text === name) {
      if (ts.isFunctionDeclaration(st) && !st.body) continue;
      return { facts, node: st };
    }
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.name.text === name && d.initializer) return valueTarget(facts, d.initializer, hops);
        // `const { a } = require('./x')`
        if (ts.isObjectBindingPattern(d.name) && d.initializer) {
          for (const el of d.name.elements) {
            if (!ts.isIdentifier(el.name) || el.name.text !== name || el.dotDotDotToken) continue;
            const key = el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName.text : name;
            const base = valueTarget(facts, d.initializer, hops);
            return base && memberTarget(base, key, hops);
          }
        }
      }
    }
    if (ts.isImportDeclaration(st) && st.importClause && ts.isStringLiteral(st.moduleSpecifier)) {
      const clause = st.importClause;
      const spec = st.moduleSpecifier.text;
      if (clause.name?.text === name) return moduleTarget(facts, { module: spec, path: ['default'] }, hops + 1);
      const b = clause.namedBindings;
      if (b && ts.isNamedImports(b)) {
        for (const el of b.elements) {
          if (el.name.text === name) return moduleTarget(facts, { module: spec, path: [(el.propertyName ?? el.name).text] }, hops + 1);
        }
      }
    }
  }
  return undefined;
}

/** What an expression of `facts` denotes: a function, a class, an object literal, a module, or the expression itself. */
export function valueTarget(facts: FileFacts, expr: ts.Expression, hops: number): Target | undefined {
  if (hops > MAX_HOPS) return undefined;
  let e = facts.resolveValue(expr);
  if (ts.isAwaitExpression(e)) e = unwrap(e.expression);
  if (isFunctionLike(e) || ts.isClassExpression(e) || ts.isObjectLiteralExpression(e)) return { facts, node: e };
  if (ts.isIdentifier(e)) {
    const origin = facts.origin(e);
    if (origin?.kind === 'module') return moduleTarget(facts, origin.ref, hops + 1);
    return topLevel(facts, e.text, hops) ?? { facts, node: e };
  }
  if (ts.isCallExpression(e)) {
    const origin = ts.isIdentifier(e.expression) && e.expression.text === 'require' ? facts.origin(e) : undefined;
    if (origin?.kind === 'module') return moduleTarget(facts, origin.ref, hops + 1);
  }
  if (ts.isPropertyAccessExpression(e)) {
    const base = valueTarget(facts, e.expression, hops);
    if (base && base.node !== e.expression) return memberTarget(base, e.name.text, hops);
  }
  return { facts, node: e };
}

/**
 * The export `name` of a file ('default' for the default export / `module.exports = x`).
 * Re-exports (`export * from`, `export { x } from`) do not count as hops, as barrel files only
 * forward names: a chain is bounded by {@link MAX_REEXPORTS}, and each file is searched once per
 * name (`seen`), so barrels of barrels stay linear in the files they list.
 */
export function exportTarget(facts: FileFacts, name: string, hops: number, reexports = 0, seen = new Set<FileFacts>()): Target | undefined {
  if (hops > MAX_HOPS || reexports > MAX_REEXPORTS || seen.has(facts)) return undefined;
  seen.add(facts);
  const stars: string[] = [];
  let commonJsWhole: ts.Expression | undefined;
  for (const st of facts.sourceFile.statements) {
    if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && isExported(st)) {
      const own = isDefault(st) ? 'default' : st.name?.text;
      if (own === name && (!ts.isFunctionDeclaration(st) || st.body)) return { facts, node: st };
      continue;
    }
    if (ts.isVariableStatement(st) && isExported(st)) {
      for (const d of st.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.name.text === name && d.initializer) return valueTarget(facts, d.initializer, hops);
      }
      continue;
    }
    if (ts.isExportAssignment(st) && !st.isExportEquals && name === 'default') return valueTarget(facts, st.expression, hops);
    if (ts.isExportAssignment(st) && st.isExportEquals) {
      commonJsWhole = st.expression;
      continue;
    }
    if (ts.isExportDeclaration(st)) {
      const spec = st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : undefined;
      if (!st.exportClause) {
        if (spec) stars.push(spec);
        continue;
      }
      if (!ts.isNamedExports(st.exportClause)) continue;
      for (const el of st.exportClause.elements) {
        if (el.name.text !== name) continue;
        const local = (el.propertyName ?? el.name).text;
        if (spec) {
          const next = projectModule(facts, spec);
          return next && exportTarget(next, local, hops, reexports + 1, seen);
        }
        return topLevel(facts, local, hops);
      }
      continue;
    }
    if (ts.isExpressionStatement(st)) {
      const e = unwrap(st.expression);
      if (!ts.isBinaryExpression(e) || e.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
      const target = commonJsTarget(e.left);
      if (target === undefined) continue;
      if (target === '') commonJsWhole = e.right;
      else if (target === name) return valueTarget(facts, e.right, hops);
    }
  }
  if (commonJsWhole) {
    const whole = valueTarget(facts, commonJsWhole, hops);
    if (name === 'default') return whole;
    if (whole) {
      const member = memberTarget(whole, name, hops);
      if (member) return member;
    }
  }
  for (const spec of stars) {
    const next = projectModule(facts, spec);
    const found = next && exportTarget(next, name, hops, reexports + 1, seen);
    if (found) return found;
  }
  return undefined;
}

/** A member of a class (static or instance method, property), of an object literal, or of a module. */
export function memberTarget(base: Target, name: string, hops: number, bases = 0): Target | undefined {
  const node = base.node;
  if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) {
    for (const m of node.members) {
      if (!m.name || ts.isComputedPropertyName(m.name) || m.name.getText() !== name) continue;
      if (ts.isMethodDeclaration(m) && m.body) return { facts: base.facts, node: m };
      if (ts.isPropertyDeclaration(m) && m.initializer) return valueTarget(base.facts, m.initializer, hops);
    }
    // inherited: a method of the class it extends, of this file or another (`class OrdersClient extends RestClient`)
    const extended = node.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
    if (!extended || bases >= MAX_BASES) return undefined;
    // a module whose whole export is the class (`module.exports = BaseOp`, `const BaseOp = require(...)`)
    const parent = asClass(valueTarget(base.facts, extended, hops), hops);
    if (!parent || parent.node === node) return undefined;
    return memberTarget(parent, name, parent.facts === base.facts ? hops : hops + 1, bases + 1);
  }
  if (ts.isObjectLiteralExpression(node)) {
    for (const p of node.properties) {
      if (!p.name || ts.isComputedPropertyName(p.name) || p.name.getText() !== name) continue;
      if (ts.isMethodDeclaration(p) && p.body) return { facts: base.facts, node: p };
      if (ts.isPropertyAssignment(p)) return valueTarget(base.facts, p.initializer, hops);
      if (ts.isShorthandPropertyAssignment(p)) return topLevel(base.facts, p.name.text, hops) ?? valueTarget(base.facts, p.name, hops);
    }
    return undefined;
  }
  if (ts.isSourceFile(node)) return exportTarget(base.facts, name, hops);
  return undefined;
}

/** What a module reference (`./ops` with path `['runOnce']`) names in the project, when the module is a project file. */
export function moduleTarget(facts: FileFacts, ref: ModuleRef, hops: number): Target | undefined {
  if (hops > MAX_HOPS || !facts.host || !isProjectSpecifier(ref.module)) return undefined;
  const file = projectModule(facts, ref.module);
  if (!file) return undefined;
  const [first, ...rest] = ref.path;
  let target: Target | undefined;
  if (first === undefined) target = { facts: file, node: file.sourceFile };
  else if (first === 'default') target = exportTarget(file, 'default', hops);
  else {
    // a namespace import, a named export, or a member of the default export (`import x from`; `x.f`)
    target = exportTarget(file, first, hops);
    if (!target) {
      const whole = exportTarget(file, 'default', hops);
      target = whole && memberTarget(whole, first, hops);
    }
  }
  for (const name of rest) {
    if (!target) return undefined;
    target = memberTarget(target, name, hops);
  }
  return target;
}

/**
 * Cheap test in front of the host: specifiers that can name a project file. Node built-ins and
 * the AWS SDK never do; anything else may (a relative path, an alias, a package of the workspace).
 */
export function isProjectSpecifier(specifier: string): boolean {
  if (specifier.startsWith('.') || specifier.startsWith('#') || specifier.startsWith('/')) return true;
  if (specifier.startsWith('node:') || specifier.startsWith('@aws-sdk/') || specifier.startsWith('@smithy/') || specifier.startsWith('aws-sdk')) return false;
  const first = specifier.split('/')[0]!;
  return !BUILTINS.has(first) && !LIBRARIES.has(first);
}

/** Packages of AWS's libraries that a project imports everywhere and never writes itself. */
const LIBRARIES = new Set(['aws-cdk-lib', 'constructs', '@aws-cdk', '@aws-solutions-constructs', 'cdk-nag', '@aws-lambda-powertools', '@types', 'aws-lambda', '@middy', 'aws-xray-sdk', 'aws-xray-sdk-core']);

const BUILTINS = new Set(['fs', 'path', 'os', 'http', 'https', 'crypto', 'util', 'url', 'events', 'stream', 'zlib', 'child_process', 'assert', 'buffer', 'net', 'tls', 'dns', 'querystring', 'readline', 'worker_threads', 'perf_hooks', 'timers', 'process']);

/** The class an instance expression was created from, when that class is in the project (this file or another). */
function instanceClass(facts: FileFacts, expr: ts.Expression, hops: number): Target | undefined {
  const origin = facts.origin(expr);
  if (origin?.kind === 'instance') return asClass(moduleTarget(facts, origin.ref, hops + 1), hops);
  if (origin) return undefined;
  const e = unwrap(expr);
  if (ts.isPropertyAccessExpression(e) && e.expression.kind === ts.SyntaxKind.ThisKeyword) {
    const v = thisMemberValue(e);
    const found = v ? valueClass(facts, facts.resolveValue(v), hops) : undefined;
    // `private readonly store: OrderStore`, set from a parameter or by a factory the analysis cannot read
    const declared = found ? undefined : thisDeclaredType(e);
    return found ?? (declared ? namedClass(facts, declared, hops) : undefined);
  }
  if (ts.isPropertyAccessExpression(e)) return memberClass(facts, e, hops);
  return valueClass(facts, ts.isIdentifier(e) ? facts.resolveValue(e) : e, hops);
}

/** Members followed below an instance: `this.aws.helpers.cognito` is 2 below `this.aws`. */
const MAX_MEMBER_PATH = 2;

/**
 * The class of a member of an instance (`this.aws.helpers.cognito`, `svc.store`): the instance's
 * class declares the member with a class type or gives it `new X(...)`, directly or as a member of
 * an object type or object literal (`helpers: { cognito: CognitoService }`,
 * `this.helpers = { cognito: new CognitoService(client) }`).
 */
function memberClass(facts: FileFacts, access: ts.PropertyAccessExpression, hops: number): Target | undefined {
  const names: string[] = [];
  let base: ts.Expression = access;
  while (ts.isPropertyAccessExpression(base) && unwrap(base.expression).kind !== ts.SyntaxKind.ThisKeyword) {
    if (names.length === MAX_MEMBER_PATH) return undefined;
    names.unshift(base.name.text);
    base = unwrap(base.expression);
  }
  const owner = instanceClass(facts, base, hops);
  if (!owner) return undefined;
  let at: { facts: FileFacts; node: ts.Node } = owner;
  for (const name of names) {
    const node = at.node;
    let type: ts.TypeNode | undefined;
    let value: ts.Expression | undefined;
    if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) {
      type = classMemberType(node, name);
      value = type ? undefined : classMemberValue(node, name);
    } else if (ts.isTypeLiteralNode(node)) {
      type = node.members.find((m): m is ts.PropertySignature => ts.isPropertySignature(m) && m.name.getText() === name)?.type;
    } else if (ts.isObjectLiteralExpression(node)) {
      const p = node.properties.find((x) => x.name?.getText() === name);
      value = p && ts.isPropertyAssignment(p) ? p.initializer : undefined;
    }
    if (type && ts.isTypeLiteralNode(type)) at = { facts: at.facts, node: type };
    else if (plainTypeName(type)) {
      const cls = namedClass(at.facts, plainTypeName(type)!, hops);
      if (!cls) return undefined;
      at = cls;
    } else if (value) {
      const v = at.facts.resolveValue(value);
      if (ts.isObjectLiteralExpression(v)) at = { facts: at.facts, node: v };
      else {
        const cls = valueClass(at.facts, v, hops);
        if (!cls) return undefined;
        at = cls;
      }
    } else return undefined;
  }
  return ts.isClassDeclaration(at.node) || ts.isClassExpression(at.node) ? at : undefined;
}

/** The class of the instance a (resolved) value is: typed, made with `new`, or returned by a factory. */
function valueClass(facts: FileFacts, e: ts.Expression, hops: number): Target | undefined {
  // `(stackSet: StackSetHelper) => stackSet.deploy()`: an instance of the class its type names
  const typed = ts.isIdentifier(e) ? facts.declaredClassName(e) : undefined;
  if (typed) return namedClass(facts, typed, hops);
  if (ts.isCallExpression(e)) return factoryClass(facts, e, hops);
  if (!ts.isNewExpression(e) || !ts.isIdentifier(unwrap(e.expression))) return undefined;
  return asClass(topLevel(facts, (unwrap(e.expression) as ts.Identifier).text, hops), hops);
}

/**
 * The class a target names: the class itself, or the default export of a module made with `new`
 * (`const Store = require('./store'); new Store()` with `module.exports = Store`, `export = Store`).
 */
function asClass(target: Target | undefined, hops: number): Target | undefined {
  const cls = target && ts.isSourceFile(target.node) ? exportTarget(target.facts, 'default', hops + 1) : target;
  return cls && (ts.isClassDeclaration(cls.node) || ts.isClassExpression(cls.node)) ? cls : undefined;
}

/**
 * The class a type or class name of a file names: one it declares, or one it imports from a
 * project module (also through a namespace import, `models.OrderStore`).
 */
function namedClass(facts: FileFacts, name: ts.EntityName, hops: number): Target | undefined {
  if (ts.isQualifiedName(name)) {
    const base = ts.isIdentifier(name.left) ? facts.origin(name.left) : undefined;
    if (base?.kind !== 'module') return undefined;
    return asClass(moduleTarget(facts, { module: base.ref.module, path: [...base.ref.path, name.right.text] }, hops + 1), hops);
  }
  const origin = facts.origin(name);
  return asClass(origin?.kind === 'module' ? moduleTarget(facts, origin.ref, hops + 1) : origin ? undefined : topLevel(facts, name.text, hops), hops);
}

/**
 * The class a factory call's result is an instance of (`Services.orderStore(env)`,
 * `makeStore()`, `OrderService.getInstance()`): the factory returns `new OrderStore(...)`,
 * directly, through a local or through the static field a singleton keeps it in
 * (`if (!Cls.instance) Cls.instance = new Cls(); return Cls.instance`), or says the class in its
 * return type (`static getInstance(): OrderService`, `Promise<OrderService>`).
 */
function factoryClass(facts: FileFacts, call: ts.CallExpression, hops: number): Target | undefined {
  if (hops >= MAX_HOPS) return undefined;
  const callee = unwrap(call.expression);
  let factory: FunctionTarget | undefined;
  if (ts.isIdentifier(callee) && !facts.origin(callee)) {
    const local = topLevel(facts, callee.text, hops);
    if (local && ts.isFunctionDeclaration(local.node) && local.node.body) factory = { facts: local.facts, fn: local.node };
  } else factory = calleeAcross(facts, callee, hops + 1);
  if (!factory) return undefined;
  for (const returned of returnedExpressions(factory.fn)) {
    let value = factory.facts.resolveValue(returned);
    if (ts.isAwaitExpression(value)) value = unwrap(value.expression);
    if (ts.isPropertyAccessExpression(value)) value = assignedInBody(factory.fn, value) ?? value;
    if (!ts.isNewExpression(value) || !ts.isIdentifier(unwrap(value.expression))) continue;
    const cls = asClass(topLevel(factory.facts, (unwrap(value.expression) as ts.Identifier).text, hops + 1), hops + 1);
    if (cls) return cls;
  }
  const declared = returnTypeName(factory.fn);
  return declared ? namedClass(factory.facts, declared, hops + 1) : undefined;
}

/** `new X(...)` assigned in a function's body to the same field a return statement reads (`Cls.instance`). */
function assignedInBody(fn: ts.FunctionLikeDeclaration, field: ts.PropertyAccessExpression): ts.Expression | undefined {
  const text = field.getText();
  let found: ts.Expression | undefined;
  const visit = (node: ts.Node): void => {
    if (found || (node !== fn && isFunctionLike(node))) return;
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(unwrap(node.left)) && unwrap(node.left).getText() === text) {
      const right = unwrap(node.right);
      if (ts.isNewExpression(right)) found = right;
    }
    ts.forEachChild(node, visit);
  };
  if (fn.body) visit(fn.body);
  return found;
}

/** The class name a function's declared return type gives (`OrderService`, `Promise<OrderService>`). */
function returnTypeName(fn: ts.FunctionLikeDeclaration): ts.EntityName | undefined {
  let type = fn.type;
  if (type && ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName) && type.typeName.text === 'Promise') type = type.typeArguments?.[0];
  return plainTypeName(type);
}

/** The name a type reference without type arguments gives: `OrderStore`, or `models.OrderStore` of a namespace import. */
function plainTypeName(type: ts.TypeNode | undefined): ts.EntityName | undefined {
  if (!type || !ts.isTypeReferenceNode(type) || type.typeArguments) return undefined;
  const name = type.typeName;
  return ts.isIdentifier(name) || ts.isIdentifier(name.left) ? name : undefined;
}

/**
 * The class name a field of `this` is declared with (`private readonly store: OrderStore`, a
 * constructor parameter property `constructor(private store: OrderStore)`).
 */
function thisDeclaredType(access: ts.PropertyAccessExpression): ts.EntityName | undefined {
  const cls = enclosingClass(access);
  return plainTypeName(cls ? classMemberType(cls, access.name.text) : undefined);
}

/**
 * The function a call expression's callee reaches in another module of the project, or in a
 * same-file class through an instance (`new Service().run()`, `svc.run()` with `svc = new Service()`).
 * Same-file functions are left to `resolveLocalFunction`.
 */
export function calleeAcross(facts: FileFacts, callee: ts.Expression, hops = 0): FunctionTarget | undefined {
  if (hops > MAX_HOPS) return undefined;
  const c = unwrap(callee);
  if (!ts.isIdentifier(c) && !ts.isPropertyAccessExpression(c)) return undefined;
  let target: Target | undefined;
  if (ts.isPropertyAccessExpression(c) && unwrap(c.expression).kind === ts.SyntaxKind.ThisKeyword) {
    // `this.invokeApi(...)` of a method the class inherits (`class ShopOp extends BaseOp`, `BaseOp` of another file)
    const own = enclosingClass(c);
    if (own && own.heritageClauses && !own.members.some((m) => m.name?.getText() === c.name.text)) target = memberTarget({ facts, node: own }, c.name.text, hops);
  } else if (ts.isPropertyAccessExpression(c) && c.expression.kind === ts.SyntaxKind.SuperKeyword) {
    // `super.drop(...)`: the method of the class the enclosing class extends
    const extended = enclosingClass(c)?.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
    const base = extended ? asClass(valueTarget(facts, extended, hops), hops) : undefined;
    if (base) target = memberTarget(base, c.name.text, base.facts === facts ? hops : hops + 1);
  } else if (ts.isPropertyAccessExpression(c)) {
    const cls = instanceClass(facts, c.expression, hops);
    if (cls) target = memberTarget(cls, c.name.text, hops + 1);
  }
  if (!target && facts.host) {
    const origin = facts.origin(c);
    if (origin?.kind === 'module') target = moduleTarget(facts, origin.ref, hops + 1);
    // a module called as a function: its default export (`import f from`, `const f = require()`)
    if (target && ts.isSourceFile(target.node)) target = exportTarget(target.facts, 'default', hops + 1);
  }
  if (!target) return undefined;
  const node = ts.isClassDeclaration(target.node) || ts.isClassExpression(target.node) ? undefined : target.node;
  return node && isFunctionLike(node) && node.body ? { facts: target.facts, fn: node } : undefined;
}

/** The value an imported binding names in its module (a client, a config object), when the module is a project file. */
export function importedValue(facts: FileFacts, expr: ts.Expression, hops = 0): Target | undefined {
  if (!facts.host || hops > MAX_HOPS) return undefined;
  const origin = facts.origin(expr);
  if (origin?.kind !== 'module') return undefined;
  return moduleTarget(facts, origin.ref, hops + 1);
}
