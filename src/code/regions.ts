/**
 * Collections of AWS Regions, recognised from facts rather than names: there are a few dozen
 * Regions, so one call per Region is bounded whatever the list's length.
 */
import { ts } from './ts.js';
import type { FileAnalysis } from './analysis.js';
import { step, unwrap } from './walk.js';

/** Calls whose result has at most as many items as their receiver. */
const SIZE_KEEPING = new Set(['map', 'filter', 'slice', 'reverse', 'sort', 'toSorted', 'toReversed']);

/** AWS Region codes: `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`. */
const REGION_CODE = /^[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d$/;
/** There are a few dozen Regions: a list of them is bounded whatever its length. */
const MAX_REGIONS = 64;
/** Operations that list the Regions of the partition or the account. */
const REGION_LISTINGS = new Set(['ec2:DescribeRegions', 'account:ListRegions']);

/**
 * A collection of AWS Regions, known as such from facts rather than names: an array literal of
 * Region codes, or the `Regions` of an EC2 `DescribeRegions` / Account `ListRegions` response.
 */
export function isRegionList(analysis: FileAnalysis, expr: ts.Expression, depth = 0): boolean {
  if (depth > 6) return false;
  const e = unwrap(expr);
  if (ts.isIdentifier(e)) {
    const from = analysis.declaredFrom(e);
    if (!from || from.reassigned) return false;
    if (from.pick.length === 0) return isRegionList(analysis, from.value, depth + 1);
    return from.pick[from.pick.length - 1] === 'Regions' && listsRegions(analysis, from.value);
  }
  if (ts.isArrayLiteralExpression(e)) {
    return e.elements.length > 0 && e.elements.length <= MAX_REGIONS && e.elements.every((el) => ts.isStringLiteralLike(el) && REGION_CODE.test(el.text));
  }
  if (ts.isPropertyAccessExpression(e) && e.name.text === 'Regions') return listsRegions(analysis, e.expression);
  if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && SIZE_KEEPING.has(e.expression.name.text)) return isRegionList(analysis, e.expression.expression, depth + 1);
  // `regions ?? []`
  if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || e.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
    const right = unwrap(e.right);
    return isRegionList(analysis, e.left, depth + 1) && (ts.isArrayLiteralExpression(right) ? right.elements.length === 0 || isRegionList(analysis, right, depth + 1) : false);
  }
  return false;
}

/** Whether `expr` is (or awaits) the response of a call that lists Regions. */
function listsRegions(analysis: FileAnalysis, expr: ts.Expression): boolean {
  let e = analysis.resolveValue(expr);
  if (ts.isAwaitExpression(e)) e = unwrap(e.expression);
  if (!ts.isCallExpression(e)) return false;
  const call = e;
  // v2 `.promise()`
  const inner = ts.isPropertyAccessExpression(call.expression) && call.expression.name.text === 'promise' ? unwrap(call.expression.expression) : call;
  step(analysis.sdkCalls.length);
  return analysis.sdkCalls.some((s) => {
    if (!REGION_LISTINGS.has(`${s.service}:${s.operation}`)) return false;
    if (s.node === inner || s.node === call) return true;
    return ts.isNewExpression(s.node) && call.arguments.some((a) => analysis.resolveValue(a) === s.node);
  });
}

