/**
 * What a receiver is declared as, when the code says so with a type annotation naming a class of
 * a module: `constructor(private readonly ddb: DynamoDB)`, `client: Client` as a class property or
 * a parameter, `this.db = db` in the constructor with `db: DynamoDB.DocumentClient`. Clients handed
 * to a class or a function are typed this way far more often than they are created next to their
 * use. Only annotations are read: no type checker, no inference.
 */
import { ts } from './ts.js';
import type { FileFacts, ModuleRef } from './file-facts.js';
import { isFunctionLike, step, thisClass, unwrap } from './walk.js';

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
  const found = findMemberType(cls, name);
  map.set(name, found ?? null);
  return found;
}

function findMemberType(cls: ts.ClassLikeDeclaration, name: string): ts.TypeNode | undefined {
  let assigned: ts.TypeNode | undefined;
  for (const m of cls.members) {
    if (ts.isPropertyDeclaration(m) && m.name.getText() === name && m.type) return m.type;
    if (!ts.isConstructorDeclaration(m)) continue;
    for (const p of m.parameters) {
      if (p.modifiers?.length && ts.isIdentifier(p.name) && p.name.text === name && p.type) return p.type;
    }
    // `this.ddb = ddb` with `ddb: DynamoDB` a parameter of the constructor
    for (const st of m.body?.statements ?? []) {
      if (!ts.isExpressionStatement(st)) continue;
      const ex = unwrap(st.expression);
      if (!ts.isBinaryExpression(ex) || ex.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
      const left = unwrap(ex.left);
      const right = unwrap(ex.right);
      if (!ts.isPropertyAccessExpression(left) || left.expression.kind !== ts.SyntaxKind.ThisKeyword || left.name.text !== name || !ts.isIdentifier(right)) continue;
      const param = m.parameters.find((p) => ts.isIdentifier(p.name) && p.name.text === right.text);
      if (param?.type) assigned = param.type;
    }
  }
  return assigned;
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
