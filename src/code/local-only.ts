/**
 * Code that runs only under a local emulator, never in the deployed function: the branch of an
 * `if` whose condition says the code runs locally. The emulators set variables of their own
 * (serverless-offline `IS_OFFLINE`, the SAM CLI `AWS_SAM_LOCAL`, LocalStack `LOCALSTACK_HOSTNAME`),
 * and projects name the test (`isOffline`, `isLocal`, `runningLocally`), often as a const of the
 * file computed from the stage (`const isOffline = !process.env.BRANCH || process.env.BRANCH === 'local'`).
 */
import { ts } from './ts.js';
import type { FileFacts } from './file-facts.js';
import { unwrap } from './walk.js';

/** Variables the local emulators set. */
const EMULATOR_ENV = new Set(['IS_OFFLINE', 'AWS_SAM_LOCAL', 'LOCALSTACK_HOSTNAME', 'IS_LOCAL']);
/** Names that say the code runs locally. */
const LOCAL_NAME = /^(?:is_?)?(?:offline|local|running_?local(?:ly)?|local_?mode)$/i;
/** Statements climbed from a node to the `if` around it, at most. */
const MAX_CLIMB = 64;

/** Whether `node` is inside a branch of an `if` (or of a conditional expression) that only runs locally. */
export function isLocalOnly(facts: FileFacts, node: ts.Node): boolean {
  let child: ts.Node = node;
  for (let p = node.parent, i = 0; p && i < MAX_CLIMB; child = p, p = p.parent, i++) {
    if (ts.isIfStatement(p)) {
      if (child === p.thenStatement && saysLocal(facts, p.expression, false, 0)) return true;
      if (child === p.elseStatement && saysLocal(facts, p.expression, true, 0)) return true;
    } else if (ts.isConditionalExpression(p)) {
      if (child === p.whenTrue && saysLocal(facts, p.condition, false, 0)) return true;
      if (child === p.whenFalse && saysLocal(facts, p.condition, true, 0)) return true;
    }
  }
  return false;
}

/** Whether the condition holds only locally (`negated`: whether its negation does). */
function saysLocal(facts: FileFacts, expr: ts.Expression, negated: boolean, depth: number): boolean {
  if (depth > 4) return false;
  const e = unwrap(expr);
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) return saysLocal(facts, e.operand, !negated, depth + 1);
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    // `a && b` holds only where `a` (or `b`) does; `!(a || b)` is `!a && !b`
    if ((op === ts.SyntaxKind.AmpersandAmpersandToken && !negated) || (op === ts.SyntaxKind.BarBarToken && negated)) {
      return saysLocal(facts, e.left, negated, depth + 1) || saysLocal(facts, e.right, negated, depth + 1);
    }
    // `process.env.IS_OFFLINE === 'true'`
    if (!negated && (op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken)) {
      const literal = ts.isStringLiteralLike(e.right) || e.right.kind === ts.SyntaxKind.TrueKeyword;
      return literal && emulatorVariable(e.left);
    }
    return false;
  }
  if (negated) return false;
  if (emulatorVariable(e)) return true;
  if (!ts.isIdentifier(e) || !LOCAL_NAME.test(e.text)) return false;
  // a flag of the file: a const, or a name whose value the analysis cannot see (a parameter, an import)
  const value = facts.resolveValue(e);
  return value === e || !isFalsyLiteral(value);
}

/** `process.env.IS_OFFLINE`, `process.env['AWS_SAM_LOCAL']`. */
function emulatorVariable(expr: ts.Expression): boolean {
  const e = unwrap(expr);
  let name: string | undefined;
  let base: ts.Expression | undefined;
  if (ts.isPropertyAccessExpression(e)) {
    name = e.name.text;
    base = e.expression;
  } else if (ts.isElementAccessExpression(e) && ts.isStringLiteralLike(e.argumentExpression)) {
    name = e.argumentExpression.text;
    base = e.expression;
  }
  if (!name || !base || !EMULATOR_ENV.has(name)) return false;
  const b = unwrap(base);
  return ts.isPropertyAccessExpression(b) && b.name.text === 'env' && ts.isIdentifier(b.expression) && b.expression.text === 'process';
}

function isFalsyLiteral(e: ts.Expression): boolean {
  return e.kind === ts.SyntaxKind.FalseKeyword || (ts.isNumericLiteral(e) && e.text === '0');
}
