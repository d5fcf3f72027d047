/**
 * What a receiver is declared as, when the code says so with a type annotation naming a class of
 * a module: `constructor(private readonly ddb: DynamoDB)`, `client: Client` as a class property or
 * a parameter, `this.db = db` in the constructor with `db: DynamoDB.DocumentClient`. Clients handed
 * to a class or a function are typed this way far more often than they are created next to their
 * use. Only annotations are read: no type checker, no inference.
 */
import { ts } from './ts.js';
import type { FileFacts, ModuleRef } from './file-facts.js';
import { classMemberType, classMemberValue, isFunctionLike, step, thisClass, unwrap } from './walk.js';
import { calleeAcross, exportTarget, isProjectSpecifier, moduleTarget } from './modules.js';

/** The module class a type names: `Client`, `es.Client`, `AWS.DynamoDB.DocumentClient`, `Client | undefined`. */
export function typeRef(facts: FileFacts, type: ts.TypeNode | undefined): ModuleRef | undefined {
  if (!type) return undefined;
  if (ts.isUnionTypeNode(type)) {
    for (const t of type.types) {
      const r = typeRef(facts, t);
      if (r) return r;
    }
    return undefined;
  }
  if (ts.isParenthesizedTypeNode(type)) return typeRef(facts, type.type);
  if (!ts.isTypeReferenceNode(type) || type.typeArguments?.length) return undefined;
  return entityRef(facts, type.typeName);
}

function entityRef(facts: FileFacts, name: ts.EntityName): ModuleRef | undefined {
  if (ts.isIdentifier(name)) {
    const o = facts.origin(name);
    return o?.kind === 'module' ? o.ref : undefined;
  }
  const left = entityRef(facts, name.left);
  return left ? { module: left.module, path: [...left.path, name.right.text] } : undefined;
}

/** The declared class of a parameter named like `id`, in the innermost function that declares it. */
function parameterType(id: ts.Identifier): ts.TypeNode | undefined {
  for (let p: ts.Node | undefined = id.parent; p; p = p.parent) {
    step();
    if (!isFunctionLike(p)) continue;
    for (const param of p.parameters) {
      if (ts.isIdentifier(param.name) && param.name.text === id.text) return param.type;
    }
  }
  return undefined;
}

const MEMBER_TYPES = new WeakMap<ts.ClassLikeDeclaration, Map<string, ts.TypeNode | null>>();

/** The declared type of `this.<name>`: a typed property, a typed constructor parameter property, or a typed constructor parameter assigned to it. */
function memberType(access: ts.PropertyAccessExpression): ts.TypeNode | undefined {
  const cls = thisClass(access);
  if (!cls) return undefined;
  let map = MEMBER_TYPES.get(cls);
  if (!map) MEMBER_TYPES.set(cls, (map = new Map()));
  const name = access.name.text;
  const memo = map.get(name);
  if (memo !== undefined) return memo ?? undefined;
  const found = classMemberType(cls, name);
  map.set(name, found ?? null);
  return found;
}

/**
 * The module class a receiver is declared as: a parameter or `this.<name>` whose declaration has
 * a type annotation naming an imported class. Undefined for anything else (an initialised
 * variable, an untyped parameter, a type of the project).
 */
export function declaredClassRef(facts: FileFacts, expr: ts.Expression): ModuleRef | undefined {
  const e = unwrap(expr);
  let type: ts.TypeNode | undefined;
  if (ts.isIdentifier(e)) {
    if (facts.resolveValue(e) !== e) return undefined;
    type = parameterType(e);
  } else if (ts.isPropertyAccessExpression(e) && unwrap(e.expression).kind === ts.SyntaxKind.ThisKeyword) {
    type = memberType(e);
  }
  return typeRef(facts, type);
}

/** Members followed from the base of a receiver: `aws.clients.ssm` is 2, `this.aws.clients.ssm` 3. */
const MAX_MEMBER_PATH = 3;

/** A declared type, with the facts of the file that declares it. */
interface TypeAt {
  facts: FileFacts;
  type: ts.TypeNode;
}

/** A value a member is given where no type is declared (JavaScript): `this.clients = { ssm: new SSM() }`. */
interface ValueAt {
  facts: FileFacts;
  value: ts.Expression;
}

/** What a named type is declared as in the project: a class, an interface, a type literal, or the object literal a member holds. */
type Container = { facts: FileFacts; node: ts.ClassLikeDeclaration | ts.InterfaceDeclaration | ts.TypeLiteralNode | ts.ObjectLiteralExpression };

/**
 * The module class a member path of a project type is declared as: `aws.clients.ssm` with
 * `class AwsService { clients: { ssm: SSM; ... } }` (in this file or another module of the
 * project, also a workspace package) is `SSM` of `@aws-sdk/client-ssm`. The base of the path is
 * `this`, a typed parameter, or a variable that holds `new X(...)` or the result of a function or
 * method whose declared return type names the type (`Promise<X>` too). Client registries of this
 * shape hand every module the clients of a shared configuration. Annotations are read, and where
 * a member has none (JavaScript), the value its initialiser or the constructor gives it
 * (`this.clients = { ssm: new SSM(options) }`).
 */
export function memberPathRef(facts: FileFacts, expr: ts.Expression): ModuleRef | undefined {
  const names: string[] = [];
  let e = unwrap(expr);
  while (ts.isPropertyAccessExpression(e) && names.length <= MAX_MEMBER_PATH) {
    names.unshift(e.name.text);
    e = unwrap(e.expression);
  }
  if (names.length < 2 || names.length > MAX_MEMBER_PATH) return undefined;
  let container: Container | undefined;
  if (e.kind === ts.SyntaxKind.ThisKeyword) {
    const cls = thisClass(e);
    container = cls && { facts, node: cls };
  } else {
    const base = baseType(facts, e);
    container = base && containerOf(base);
  }
  for (let i = 0; container && i < names.length; i++) {
    const member = memberOf(container, names[i]);
    if (!member) return undefined;
    if (i === names.length - 1) return 'type' in member ? typeRef(member.facts, member.type) : instanceRef(member);
    container = containerOf(member);
  }
  return undefined;
}

/** The declared type of what an expression holds: a typed parameter, `new X()`, `await f()` with `f(): Promise<X>`. */
function baseType(facts: FileFacts, expr: ts.Expression): TypeAt | Container | undefined {
  if (ts.isIdentifier(expr) && facts.resolveValue(expr) === expr) {
    const type = parameterType(expr);
    return type && { facts, type };
  }
  let e = facts.resolveValue(expr);
  if (ts.isAwaitExpression(e)) e = unwrap(e.expression);
  if (ts.isNewExpression(e)) return namedContainer(facts, e.expression);
  if (!ts.isCallExpression(e)) return undefined;
  const callee = unwrap(e.expression);
  // a method of the same class: `await this.awsFor(role)`
  if (ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.ThisKeyword) {
    const cls = thisClass(callee);
    const m = cls?.members.find((x) => ts.isMethodDeclaration(x) && x.name.getText() === callee.name.text) as ts.MethodDeclaration | undefined;
    return m?.type && { facts, type: m.type };
  }
  const target = calleeAcross(facts, callee);
  return target?.fn.type && { facts: target.facts, type: target.fn.type };
}

function containerOf(t: TypeAt | ValueAt | Container | undefined): Container | undefined {
  if (t && 'value' in t) {
    const v = t.facts.resolveValue(t.value);
    if (ts.isObjectLiteralExpression(v)) return { facts: t.facts, node: v };
    return ts.isNewExpression(v) ? namedContainer(t.facts, v.expression) : undefined;
  }
  if (!t || !('type' in t)) return t;
  let type = t.type;
  // `Promise<X>`: what an awaited call holds
  if (ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName) && type.typeName.text === 'Promise' && type.typeArguments?.length === 1) type = type.typeArguments[0];
  if (ts.isTypeLiteralNode(type)) return { facts: t.facts, node: type };
  if (ts.isTypeReferenceNode(type) && !type.typeArguments?.length) return namedContainer(t.facts, type.typeName);
  return undefined;
}

/** The class, interface or type literal a name (`AwsService`, `base.AwsService`) is declared as, through one import. */
function namedContainer(facts: FileFacts, name: ts.EntityName | ts.Expression): Container | undefined {
  if (ts.isIdentifier(name)) {
    const local = localDeclaration(facts, name.text);
    if (local) return local;
  }
  const ref = ts.isIdentifier(name) || ts.isQualifiedName(name) ? entityRef(facts, name) : moduleRefOf(facts, name);
  if (!ref || !isProjectSpecifier(ref.module)) return undefined;
  let target = moduleTarget(facts, ref, 1);
  // `const AwsClients = require('@acme/aws')`: the class the module exports as a whole
  if (target && ts.isSourceFile(target.node)) target = exportTarget(target.facts, 'default', 1);
  if (!target) return undefined;
  const node = target.node;
  if (ts.isClassDeclaration(node) || ts.isClassExpression(node) || ts.isInterfaceDeclaration(node)) return { facts: target.facts, node };
  if (ts.isIdentifier(node)) return localDeclaration(target.facts, node.text);
  return undefined;
}

/** The module reference an expression names (`base.AwsService` of `import * as base`). */
function moduleRefOf(facts: FileFacts, expr: ts.Expression): ModuleRef | undefined {
  const o = facts.origin(expr);
  return o?.kind === 'module' ? o.ref : undefined;
}

/** A class, interface or type alias of a type literal declared at the top of a file. */
function localDeclaration(facts: FileFacts, name: string): Container | undefined {
  for (const st of facts.sourceFile.statements) {
    if ((ts.isClassDeclaration(st) || ts.isInterfaceDeclaration(st)) && st.name?.text === name) return { facts, node: st };
    if (ts.isTypeAliasDeclaration(st) && st.name.text === name && ts.isTypeLiteralNode(st.type)) return { facts, node: st.type };
  }
  return undefined;
}

/** The SDK client a value is an instance of (`new SSM(options)`). */
function instanceRef(v: ValueAt): ModuleRef | undefined {
  const o = v.facts.origin(v.value);
  return o?.kind === 'instance' ? o.ref : undefined;
}

/** What a member of a container is declared as, or without a declared type, the value it is given. */
function memberOf(c: Container, name: string): TypeAt | ValueAt | undefined {
  if (ts.isClassDeclaration(c.node) || ts.isClassExpression(c.node)) {
    const type = classMemberType(c.node, name);
    if (type) return { facts: c.facts, type };
    const value = classMemberValue(c.node, name);
    return value && { facts: c.facts, value };
  }
  if (ts.isObjectLiteralExpression(c.node)) {
    for (const p of c.node.properties) {
      if (!p.name || p.name.getText() !== name) continue;
      if (ts.isPropertyAssignment(p)) return { facts: c.facts, value: p.initializer };
      if (ts.isShorthandPropertyAssignment(p)) return { facts: c.facts, value: p.name };
    }
    return undefined;
  }
  for (const m of c.node.members) {
    if (ts.isPropertySignature(m) && m.type && m.name.getText() === name) return { facts: c.facts, type: m.type };
  }
  return undefined;
}
