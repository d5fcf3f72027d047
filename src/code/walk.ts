import { ts } from './ts.js';

/** Read once: the TypeScript bundle exposes its members through getters, which cost in per-node loops. */
const SyntaxKind = ts.SyntaxKind;

/**
 * The work an analysis may do on one file, counted in steps: a node visited by a walk, an
 * ancestor looked at. Every pass over a file is meant to be linear in its size; the limit keeps a
 * pass that is not (on input built to defeat it) from running for minutes or hours. Unlimited
 * unless a caller sets it with `withStepLimit`.
 */
let stepsLeft = Number.POSITIVE_INFINITY;
let stepLimit = Number.POSITIVE_INFINITY;

/** Thrown by a walk once the step limit set by `withStepLimit` is used up. */
export class StepLimitError extends Error {
  override name = 'StepLimitError';
  constructor(readonly limit: number) {
    super(`analysis stopped after ${limit} steps`);
  }
}

/** Steps taken under every limit so far. */
let spent = 0;

/** Runs `fn` with at most `limit` steps of walking (see `step`); throws `StepLimitError` past it. */
export function withStepLimit<T>(limit: number, fn: () => T): T {
  const outer = [stepsLeft, stepLimit];
  stepsLeft = stepLimit = limit;
  try {
    return fn();
  } finally {
    spent += stepLimit - stepsLeft;
    [stepsLeft, stepLimit] = outer;
  }
}

/**
 * Steps of analysis (nodes walked, ancestors looked at) each code rule may take on a file: a
 * million, and ten per byte of the file. No rule takes more than half a step per byte on real
 * code (a 1.5 MB bundle included), nor more than a few per byte on long chains and many loops
 * built to defeat it; what is quadratic in how deeply loops nest stops here, in time linear in
 * the file's size.
 */
const STEPS_PER_BYTE = 10;
const MIN_STEPS = 1_000_000;

/** The steps each code rule may take on a file of this text. */
export function stepLimitFor(text: string): number {
  return MIN_STEPS + STEPS_PER_BYTE * text.length;
}

/** Steps taken under every limit since the process started: a measure of work that does not depend on the machine's load. */
export function stepsSpent(): number {
  return spent;
}

/** Counts `n` steps of work against the current limit (for loops that do not use `walk`). */
export function step(n = 1): void {
  stepsLeft -= n;
  if (stepsLeft < 0) throw new StepLimitError(stepLimit);
}

/**
 * Visits every node below `root` in source order without recursion (minified files nest
 * thousands of levels deep). Return `false` from `visit` to skip a node's children.
 */
export function walk(root: ts.Node, visit: (node: ts.Node) => boolean | void): void {
  preorder(root, visit, false);
}

/**
 * Whether `root` or a node below it passes `test`, not looking into functions nested below `root`
 * (their code runs at another time); stops at the first that passes.
 */
export function someOwnNode(root: ts.Node, test: (node: ts.Node) => boolean): boolean {
  if (test(root)) return true;
  let found = false;
  walk(root, (n) => {
    if (found || isFunctionLike(n)) return false;
    found = test(n);
    return !found;
  });
  return found;
}

/**
 * Visits every node below `root` exactly once, in source order (a node before its children),
 * and sets each node's `parent` on the way (so a file can be parsed without the parser's own
 * parent-setting pass, which would walk the tree a second time). A node's ancestors are linked
 * before it is visited.
 */
export function walkSettingParents(root: ts.Node, visit: (node: ts.Node) => void): void {
  preorder(root, visit, true);
}

/** The iterative pre-order walk of `walk` and `walkSettingParents`. */
function preorder(root: ts.Node, visit: (node: ts.Node) => boolean | void, linkParents: boolean): void {
  const stack: ts.Node[] = [];
  let parent: ts.Node = root;
  const push = linkParents
    ? (child: ts.Node) => {
        (child as { parent: ts.Node }).parent = parent;
        stack.push(child);
      }
    : (child: ts.Node) => {
        stack.push(child);
      };
  const pushChildren = (node: ts.Node) => {
    const start = stack.length;
    parent = node;
    ts.forEachChild(node, push);
    // reverse the pushed slice so that the first child is visited first
    for (let i = start, j = stack.length - 1; i < j; i++, j--) {
      const t = stack[i];
      stack[i] = stack[j];
      stack[j] = t;
    }
  };
  pushChildren(root);
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (--stepsLeft < 0) step(0);
    if (visit(node) === false) continue;
    pushChildren(node);
  }
}

/** Whether `id` names a parameter (or a name destructured from one) of a function around it (parent pointers needed: false without them). */
export function isParameter(id: ts.Identifier): boolean {
  for (let p: ts.Node | undefined = id.parent; p; p = p.parent) {
    if (!isFunctionLike(p)) continue;
    if (p.parameters.some((param) => bindsName(param.name, id.text))) return true;
  }
  return false;
}

/** Whether `root` is, or holds, an identifier `name` (not a property name: `x.name`). */
export function mentionsName(root: ts.Node, name: string): boolean {
  let found = ts.isIdentifier(root) && root.text === name;
  walk(root, (n) => {
    if (found) return false;
    if (ts.isIdentifier(n) && n.text === name && !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)) found = true;
    return undefined;
  });
  return found;
}

/** Whether a binding (`x`, `{ a, b: [c] }`) declares the name `text`. */
export function bindsName(name: ts.BindingName, text: string): boolean {
  if (ts.isIdentifier(name)) return name.text === text;
  return name.elements.some((el) => ts.isBindingElement(el) && bindsName(el.name, text));
}

/** Ancestors of a node, nearest first (stops at the source file). */
export function* ancestors(node: ts.Node): Generator<ts.Node> {
  for (let p = node.parent; p; p = p.parent) {
    if (--stepsLeft < 0) step(0);
    yield p;
  }
}

const FUNCTION_KINDS = new Set<ts.SyntaxKind>([
  SyntaxKind.FunctionDeclaration,
  SyntaxKind.FunctionExpression,
  SyntaxKind.ArrowFunction,
  SyntaxKind.MethodDeclaration,
  SyntaxKind.Constructor,
  SyntaxKind.GetAccessor,
  SyntaxKind.SetAccessor,
]);

const LOOP_KINDS = new Set<ts.SyntaxKind>([
  SyntaxKind.ForStatement,
  SyntaxKind.ForOfStatement,
  SyntaxKind.ForInStatement,
  SyntaxKind.WhileStatement,
  SyntaxKind.DoStatement,
]);

export function isFunctionLike(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return FUNCTION_KINDS.has(node.kind);
}

/**
 * The nearest class around `node`. With `ownThis`, the class whose instance `this` in `node` is:
 * undefined when a nested `function` expression or declaration comes first (its `this` is another
 * object).
 */
export function enclosingClass(node: ts.Node, ownThis = false): ts.ClassLikeDeclaration | undefined {
  for (let p = node.parent; p; p = p.parent) {
    step();
    if (ts.isClassDeclaration(p) || ts.isClassExpression(p)) return p;
    if (ownThis && (ts.isFunctionExpression(p) || ts.isFunctionDeclaration(p))) return undefined;
  }
  return undefined;
}

/** The class whose instance `this` in `node` is (see `enclosingClass`). */
export function thisClass(node: ts.Node): ts.ClassLikeDeclaration | undefined {
  return enclosingClass(node, true);
}

/** The value of an untyped member: its initialiser, or the one value the constructor assigns to `this.<name>`. */
export function classMemberValue(cls: ts.ClassLikeDeclaration, name: string): ts.Expression | undefined {
  for (const m of cls.members) {
    if (ts.isPropertyDeclaration(m) && m.name.getText() === name) return m.initializer;
    if (!ts.isConstructorDeclaration(m)) continue;
    for (const st of m.body?.statements ?? []) {
      if (!ts.isExpressionStatement(st)) continue;
      const ex = unwrap(st.expression);
      if (!ts.isBinaryExpression(ex) || ex.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
      const left = unwrap(ex.left);
      if (ts.isPropertyAccessExpression(left) && left.expression.kind === ts.SyntaxKind.ThisKeyword && left.name.text === name) return ex.right;
    }
  }
  return undefined;
}

/** The declared type of a member: a typed property, a typed constructor parameter property, or a typed constructor parameter assigned to it. */
export function classMemberType(cls: ts.ClassLikeDeclaration, name: string): ts.TypeNode | undefined {
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
 * The value assigned to `this.<name>` in the enclosing class (property initialiser or constructor
 * assignment), also through a getter that only returns another field (`get client() { return
 * this.$client; }`).
 */
export function thisMemberValue(access: ts.PropertyAccessExpression, depth = 0): ts.Expression | undefined {
  const name = access.name.text;
  const cls = enclosingClass(access);
  if (!cls) return undefined;
  let getter: ts.GetAccessorDeclaration | undefined;
  for (const member of cls.members) {
    if (ts.isGetAccessorDeclaration(member) && member.body && member.name.getText() === name) getter = member;
    if (ts.isPropertyDeclaration(member) && member.initializer && member.name.getText() === name) return member.initializer;
    if (ts.isConstructorDeclaration(member) && member.body) {
      for (const p of member.parameters) {
        if (p.initializer && ts.isIdentifier(p.name) && p.name.text === name && p.modifiers?.length) return p.initializer;
      }
      for (const st of member.body.statements) {
        if (!ts.isExpressionStatement(st)) continue;
        const ex = unwrap(st.expression);
        if (!ts.isBinaryExpression(ex) || ex.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
        const left = unwrap(ex.left);
        if (ts.isPropertyAccessExpression(left) && left.expression.kind === ts.SyntaxKind.ThisKeyword && left.name.text === name) return ex.right;
      }
    }
  }
  // `get client() { return this.$client; }`: the field the getter reads
  const only = getter?.body?.statements.length === 1 ? getter.body.statements[0] : undefined;
  if (depth < 2 && only && ts.isReturnStatement(only) && only.expression) {
    const read = unwrap(only.expression);
    if (ts.isPropertyAccessExpression(read) && read.expression.kind === ts.SyntaxKind.ThisKeyword && read.name.text !== name) return thisMemberValue(read, depth + 1);
  }
  return undefined;
}

/**
 * Finds the nearest ancestor of one of `kinds`. Past sixteen ancestors (a promise chain of
 * thousands of links is that deep, and so are nested blocks), the answers are remembered for every
 * node on the way, so that asking for each node of a deep tree costs time linear in its size
 * rather than quadratic.
 */
class NearestAncestor<T extends ts.Node> {
  private readonly known = new WeakMap<ts.Node, T | null>();

  constructor(private readonly kinds: ReadonlySet<ts.SyntaxKind>) {}

  of(node: ts.Node): T | undefined {
    let depth = 0;
    for (let p = node.parent; p; p = p.parent) {
      if (--stepsLeft < 0) step(0);
      if (this.kinds.has(p.kind)) return p as T;
      if (++depth === DEEP) return this.deep(p);
    }
    return undefined;
  }

  private deep(from: ts.Node): T | undefined {
    const path: ts.Node[] = [];
    let found: T | null = null;
    for (let p: ts.Node | undefined = from; p; p = p.parent) {
      if (--stepsLeft < 0) step(0);
      const known = this.known.get(p);
      if (known !== undefined) {
        found = known;
        break;
      }
      path.push(p);
      if (p.parent && this.kinds.has(p.parent.kind)) {
        found = p.parent as T;
        break;
      }
    }
    for (const n of path) this.known.set(n, found);
    return found ?? undefined;
  }
}

const DEEP = 16;
const ENCLOSING_FUNCTION = new NearestAncestor<ts.FunctionLikeDeclaration>(FUNCTION_KINDS);
const ENCLOSING_LOOP_OR_FUNCTION = new NearestAncestor<ts.FunctionLikeDeclaration | ts.IterationStatement>(new Set([...FUNCTION_KINDS, ...LOOP_KINDS]));

export function enclosingFunction(node: ts.Node): ts.FunctionLikeDeclaration | undefined {
  return ENCLOSING_FUNCTION.of(node);
}

/** The nearest loop or function around a node (undefined at the top level). */
export function enclosingLoopOrFunction(node: ts.Node): ts.FunctionLikeDeclaration | ts.IterationStatement | undefined {
  return ENCLOSING_LOOP_OR_FUNCTION.of(node);
}

export function isLoop(node: ts.Node): node is ts.IterationStatement {
  return LOOP_KINDS.has(node.kind);
}

/** Removes parentheses, type assertions, `satisfies` and non-null assertions. */
export function unwrap(expr: ts.Expression): ts.Expression {
  let e = expr;
  for (;;) {
    if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e)) {
      e = e.expression;
    } else return e;
  }
}

/** `process.env` (also parenthesised): the object environment variables are read from. */
export function isProcessEnv(expr: ts.Expression): boolean {
  const u = unwrap(expr);
  return ts.isPropertyAccessExpression(u) && u.name.text === 'env' && ts.isIdentifier(unwrap(u.expression)) && (unwrap(u.expression) as ts.Identifier).text === 'process';
}

/** The name of a function-like node, for messages and logical locations. */
export function functionName(fn: ts.Node): string | undefined {
  if ((ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn) || ts.isMethodDeclaration(fn)) && fn.name) {
    return fn.name.getText();
  }
  const parent = fn.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText();
  if (parent && ts.isBinaryExpression(parent) && parent.operatorToken.kind === SyntaxKind.EqualsToken) {
    return parent.left.getText();
  }
  if (ts.isConstructorDeclaration(fn)) return 'constructor';
  return undefined;
}

/** The expressions a function returns: its expression body, or the `return`s of its own code (not of functions nested in it). */
export function returnedExpressions(fn: ts.FunctionLikeDeclaration): ts.Expression[] {
  if (!fn.body) return [];
  if (!ts.isBlock(fn.body)) return [fn.body as ts.Expression];
  const out: ts.Expression[] = [];
  walk(fn.body, (n) => {
    if (isFunctionLike(n)) return false;
    if (ts.isReturnStatement(n) && n.expression) out.push(n.expression);
    return undefined;
  });
  return out;
}
