/**
 * Control-flow facts about retry loops and retrying functions, read from the syntax alone:
 * where a `break`/`continue` goes, whether a block always leaves the loop, which conditions
 * decide an exit, and which variables count attempts.
 */
import { ts } from './ts.js';
import { isFunctionLike, isLoop, step, unwrap, walk, someOwnNode } from './walk.js';

/** Visits `root` and its descendants in source order without entering nested functions. */
export function walkOwnCode(root: ts.Node, visit: (node: ts.Node) => void): void {
  visit(root);
  walk(root, (node) => {
    if (isFunctionLike(node)) return false;
    visit(node);
    return undefined;
  });
}

export function isWithin(node: ts.Node, container: ts.Node): boolean {
  return node.pos >= container.pos && node.end <= container.end;
}

/** The statement a `break`/`continue` transfers control out of (or to), undefined across a function boundary. */
export function jumpTarget(stmt: ts.BreakOrContinueStatement): ts.Node | undefined {
  const label = stmt.label?.text;
  for (let p = stmt.parent; p; p = p.parent) {
    step();
    if (isFunctionLike(p) || ts.isSourceFile(p)) return undefined;
    if (label !== undefined) {
      if (ts.isLabeledStatement(p) && p.label.text === label) return p.statement;
    } else if (isLoop(p) || (ts.isBreakStatement(stmt) && ts.isSwitchStatement(p))) {
      return p;
    }
  }
  return undefined;
}

/** True for a `break`/`continue` that leaves `loop` (a `continue` of `loop` itself does not). */
export function jumpLeaves(stmt: ts.BreakOrContinueStatement, loop: ts.Node): boolean {
  const target = jumpTarget(stmt);
  if (!target) return false;
  if (ts.isBreakStatement(stmt)) return target === loop || (target !== loop && isWithin(loop, target));
  return target !== loop && isWithin(loop, target);
}

/** Calls that by their name end the current path: `process.exit(1)`, `throwWithCause(err)`, `fail(err)`, `reject(err)`. */
const THROWING_CALL = /^(?:process\.exit|(?:[\w$.]*\.)?(?:throw|throw[A-Z_][\w$]*|fail|bail|reject|panic|raise[\w$]*))$/;

export function isExitCall(node: ts.Node): boolean {
  if (!ts.isCallExpression(node)) return false;
  return THROWING_CALL.test(unwrap(node.expression).getText().replace(/\s+/g, ''));
}

function isProcessExit(stmt: ts.Statement): boolean {
  if (!ts.isExpressionStatement(stmt)) return false;
  const e = unwrap(stmt.expression);
  return isExitCall(ts.isAwaitExpression(e) ? unwrap(e.expression) : e);
}

/** True when executing `stmt` always ends the current iteration of `loop` without running it again. */
export function alwaysExits(stmt: ts.Statement, loop: ts.Node | undefined, depth = 0): boolean {
  // deeper nesting than any hand-written catch block: give up (treated as "may continue")
  if (depth > 100) return false;
  const next = (s: ts.Statement) => alwaysExits(s, loop, depth + 1);
  if (ts.isBlock(stmt)) return stmt.statements.some(next);
  if (ts.isThrowStatement(stmt) || ts.isReturnStatement(stmt) || isProcessExit(stmt)) return true;
  if (ts.isBreakStatement(stmt) || ts.isContinueStatement(stmt)) return loop !== undefined && jumpLeaves(stmt, loop);
  if (ts.isIfStatement(stmt)) return !!stmt.elseStatement && next(stmt.thenStatement) && next(stmt.elseStatement);
  if (ts.isTryStatement(stmt)) {
    if (stmt.finallyBlock && next(stmt.finallyBlock)) return true;
    return next(stmt.tryBlock) && (!stmt.catchClause || next(stmt.catchClause.block));
  }
  if (ts.isLabeledStatement(stmt)) return next(stmt.statement);
  return false;
}

const MAX_KEY_NAMES = 16;

/** `attempt`, `this.attempts`, `opts.retries`: a stable key for a variable-like expression. */
export function exprKey(expr: ts.Expression): string | undefined {
  const names: string[] = [];
  let e = unwrap(expr);
  while (ts.isPropertyAccessExpression(e)) {
    // no variable is that deep in an object: a long member chain is no key (and costs nothing)
    if (names.length === MAX_KEY_NAMES) return undefined;
    names.push(e.name.text);
    e = unwrap(e.expression);
  }
  const base = ts.isIdentifier(e) ? e.text : e.kind === ts.SyntaxKind.ThisKeyword ? 'this' : undefined;
  if (base === undefined || names.length === 0) return base;
  return `${base}.${names.reverse().join('.')}`;
}

/** The part of a set that `mentions` needs: a set of keys, or a view that answers for many. */
export interface KeySet {
  readonly size: number;
  has(key: string): boolean;
}

/** True when `root` mentions one of `keys` (as an identifier or a property-access path). */
export function mentions(root: ts.Node, keys: KeySet): boolean {
  if (keys.size === 0) return false;
  let found = false;
  const check = (node: ts.Node) => {
    if (found) return;
    if (ts.isIdentifier(node) || ts.isPropertyAccessExpression(node)) {
      // the name part of `a.b` is not a variable reference on its own
      if (ts.isIdentifier(node) && ts.isPropertyAccessExpression(node.parent) && node.parent.name === node) return;
      if (ts.isIdentifier(node) && (ts.isPropertyAssignment(node.parent) || ts.isPropertyDeclaration(node.parent)) && node.parent.name === node) return;
      const key = exprKey(node);
      if (key !== undefined && keys.has(key)) found = true;
    }
  };
  check(root);
  walk(root, (n) => {
    check(n);
    return found ? false : undefined;
  });
  return found;
}

const RELATIONAL = new Set([
  ts.SyntaxKind.LessThanToken,
  ts.SyntaxKind.LessThanEqualsToken,
  ts.SyntaxKind.GreaterThanToken,
  ts.SyntaxKind.GreaterThanEqualsToken,
]);

const EQUALITY = new Set([
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
]);

export function isRelational(node: ts.Node): node is ts.BinaryExpression {
  return ts.isBinaryExpression(node) && RELATIONAL.has(node.operatorToken.kind);
}

export function isComparison(node: ts.Node): node is ts.BinaryExpression {
  return ts.isBinaryExpression(node) && (RELATIONAL.has(node.operatorToken.kind) || EQUALITY.has(node.operatorToken.kind));
}

function isIncDec(node: ts.Node): node is ts.PrefixUnaryExpression | ts.PostfixUnaryExpression {
  return (
    (ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) &&
    (node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken)
  );
}

/** Variables counted up or down inside `root`: `n++`, `--left`, `tries += 1`, `attempt = attempt + 1`. */
export function countersIn(root: ts.Node): Set<string> {
  const out = new Set<string>();
  walkOwnCode(root, (node) => {
    if (isIncDec(node)) {
      const key = exprKey(node.operand);
      if (key !== undefined) out.add(key);
      return;
    }
    if (!ts.isBinaryExpression(node)) return;
    const op = node.operatorToken.kind;
    if (op === ts.SyntaxKind.PlusEqualsToken || op === ts.SyntaxKind.MinusEqualsToken) {
      const key = exprKey(node.left);
      if (key !== undefined) out.add(key);
    } else if (op === ts.SyntaxKind.EqualsToken) {
      const key = exprKey(node.left);
      const right = unwrap(node.right);
      if (key !== undefined && ts.isBinaryExpression(right) && isStep(right) && (exprKey(right.left) === key || exprKey(right.right) === key)) out.add(key);
    }
  });
  return out;
}

/** `x + 1`, `n - 1`, `1 + attempt`: a step of a counter. */
export function isStep(node: ts.BinaryExpression): boolean {
  const op = node.operatorToken.kind;
  if (op !== ts.SyntaxKind.PlusToken && op !== ts.SyntaxKind.MinusToken) return false;
  return ts.isNumericLiteral(unwrap(node.left)) || ts.isNumericLiteral(unwrap(node.right));
}

/** Counters stepped inside an expression (call arguments): `attempt + 1`, `{ ...o, retries: retries - 1 }`, `++n`. */
export function steppedIn(root: ts.Node): Set<string> {
  const out = new Set<string>();
  const visit = (node: ts.Node) => {
    if (isIncDec(node)) {
      const key = exprKey(node.operand);
      if (key !== undefined) out.add(key);
    } else if (ts.isBinaryExpression(node) && isStep(node)) {
      const key = exprKey(node.left) ?? exprKey(node.right);
      if (key !== undefined) out.add(key);
    }
  };
  visit(root);
  walk(root, (n) => {
    if (isFunctionLike(n)) return false;
    visit(n);
    return undefined;
  });
  return out;
}

const TIME_CALLS = /^(Date\.now|performance\.now|process\.hrtime(\.bigint)?|.*\.getRemainingTimeInMillis|.*\.getTime|.*\.throwIfAborted)$/;

/**
 * A condition that bounds a retry by time or cancellation: `Date.now() > deadline`,
 * `context.getRemainingTimeInMillis() < 1000`, `signal.aborted`.
 */
export function isTimeOrAbortBound(cond: ts.Node): boolean {
  return someOwnNode(
    cond,
    (node) =>
      (ts.isCallExpression(node) && TIME_CALLS.test(unwrap(node.expression).getText().replace(/\s+/g, ''))) ||
      (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Date') ||
      (ts.isPropertyAccessExpression(node) && node.name.text === 'aborted'),
  );
}

/** True when `root` contains a `<`, `<=`, `>` or `>=` comparison none of whose operands mention `results`. */
export function hasBoundComparison(root: ts.Node, results: ReadonlySet<string>): boolean {
  return someOwnNode(root, (node) => isRelational(node) && !mentions(node, results));
}

export function containsIncDec(root: ts.Node): boolean {
  return someOwnNode(root, isIncDec);
}

/** The conditions (if, ternary, switch, case) between `node` and `root`, innermost first. */
export function guardingConditions(node: ts.Node, root: ts.Node): ts.Expression[] {
  const out: ts.Expression[] = [];
  let child: ts.Node = node;
  for (let p = node.parent; p && p !== root; child = p, p = p.parent) {
    step();
    if (ts.isIfStatement(p) && child !== p.expression) out.push(p.expression);
    else if (ts.isConditionalExpression(p) && child !== p.condition) out.push(p.condition);
    else if (ts.isCaseClause(p)) out.push(p.parent.parent.expression, p.expression);
    else if (ts.isDefaultClause(p)) out.push(p.parent.parent.expression);
    else if (ts.isBinaryExpression(p) && (p.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken || p.operatorToken.kind === ts.SyntaxKind.BarBarToken) && child === p.right) {
      out.push(p.left);
    }
  }
  return out;
}

/** Values written (assigned, stepped) inside `root`, nested callbacks excluded. */
export function writtenIn(root: ts.Node): Set<string> {
  const out = countersIn(root);
  walkOwnCode(root, (node) => {
    if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      const key = exprKey(node.left);
      if (key !== undefined) out.add(key);
    }
  });
  return out;
}
