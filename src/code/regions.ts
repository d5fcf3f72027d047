/**
 * Collections of AWS Regions, recognised from facts rather than names: there are a few dozen
 * Regions, so one call per Region is bounded whatever the list's length.
 */
import { ts } from './ts.js';
import type { FileAnalysis } from './analysis.js';
import type { FileFacts } from './file-facts.js';
import { returnedExpressions, step, unwrap } from './walk.js';
import { LOCAL_DEPTH, localCallee, remoteCallInfosIn, type RemoteCall } from './remote-calls.js';
import { calleeAcross, factsOfNode, MAX_HOPS } from './modules.js';
import { getProperty, objectLiteralOf } from './values.js';

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


// ---------------------------------------------------------------------------------------------
// one client per item, each for the item's Region

/** A client expression and the facts of the file it is written in. */
interface Located {
  facts: FileFacts;
  expr: ts.Expression;
}

/**
 * The client an AWS call is sent through, as an expression at the level of `remote.call`: the
 * receiver of the call (`ecs.describeServices(...)`, `client.send(...)`), followed out of the
 * helpers it is made in through the parameter (or the destructured property of an object
 * parameter) that receives the client.
 */
function clientOf(facts: FileFacts, remote: RemoteCall, depth = 0): Located | undefined {
  if (depth > LOCAL_DEPTH + MAX_HOPS) return undefined;
  if (remote.kind === 'aws') {
    let callee = unwrap(remote.call.expression);
    // v2 `client.op(params).promise()`
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'promise' && ts.isCallExpression(unwrap(callee.expression))) {
      callee = unwrap((unwrap(callee.expression) as ts.CallExpression).expression);
    }
    return ts.isPropertyAccessExpression(callee) ? { facts, expr: callee.expression } : undefined;
  }
  if (remote.kind !== 'local' || !remote.via) return undefined;
  const helper = localCallee(facts, remote.call) ?? calleeAcross(facts, remote.call.expression)?.fn;
  const innerFacts = factsOfNode(facts, remote.via.call);
  if (!helper || !innerFacts) return undefined;
  const inner = clientOf(innerFacts, remote.via, depth + 1);
  if (!inner || !ts.isIdentifier(unwrap(inner.expr))) return undefined;
  const id = unwrap(inner.expr) as ts.Identifier;
  // the parameter that receives the client, and the property of it that holds the client
  let index = helper.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === id.text);
  let property: string | undefined;
  if (index < 0) {
    index = helper.parameters.findIndex((p) => ts.isObjectBindingPattern(p.name) && p.name.elements.some((el) => ts.isIdentifier(el.name) && el.name.text === id.text && !el.propertyName));
    if (index >= 0) property = id.text;
  }
  if (index < 0) {
    // `const { ecs } = params`
    const from = inner.facts.declaredFrom(id);
    const base = from && from.pick.length === 1 ? unwrap(from.value) : undefined;
    if (!base || !ts.isIdentifier(base)) return undefined;
    index = helper.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === base.text);
    property = from!.pick[0];
  }
  const arg = index >= 0 ? remote.call.arguments[index] : undefined;
  if (!arg) return undefined;
  if (property === undefined) return { facts, expr: arg };
  const value = getProperty(facts, arg, property);
  return value.kind === 'present' ? { facts, expr: value.value } : undefined;
}

/** Whether `expr` is the item `param` names, or a property of it (`item.region`, `const { region } = item`, `([region, rest]) =>`). */
function fromItem(facts: FileFacts, expr: ts.Expression, item: ts.ParameterDeclaration | ts.VariableDeclaration, depth = 0): boolean {
  if (depth > 6) return false;
  const e = unwrap(expr);
  if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) return fromItem(facts, e.expression, item, depth + 1);
  if (!ts.isIdentifier(e)) return false;
  if (bindsName(item.name, e.text)) return true;
  const from = facts.declaredFrom(e);
  return from !== undefined && !from.reassigned && fromItem(facts, from.value, item, depth + 1);
}

function bindsName(name: ts.BindingName, text: string): boolean {
  if (ts.isIdentifier(name)) return name.text === text;
  return name.elements.some((el) => !ts.isOmittedExpression(el) && bindsName(el.name, text));
}

/**
 * Whether an AWS call made for one item goes through a client created for that item with the
 * item's Region (`new ECS({ ...options, region: item.region })`): each item's request then goes to
 * another Region's endpoint, so the calls do not add up on one dependency.
 */
export function sentToItemRegion(facts: FileFacts, remote: RemoteCall, work: ts.Node, item: ts.ParameterDeclaration | ts.VariableDeclaration): boolean {
  const client = clientOf(facts, remote);
  if (!client || client.facts !== facts) return false;
  let e = unwrap(client.expr);
  if (ts.isIdentifier(e)) {
    const from = facts.declaredFrom(e);
    if (!from || from.reassigned || from.pick.length > 0) return false;
    e = unwrap(from.value);
  }
  // created per item: inside the work done for each item
  if (!ts.isNewExpression(e) || e.pos < work.pos || e.end > work.end) return false;
  const config = e.arguments?.[0];
  const region = config ? regionOf(facts, config) : undefined;
  return region !== undefined && fromItem(facts, region, item);
}

/**
 * The `region` a client configuration sets, as an expression of the caller: a property of the
 * object, or what a configuration helper (same file or another module) copies from its argument
 * (`clientConfig({ region })` returning `{ ...(params.region ? { region: params.region } : {}) }`).
 */
function regionOf(facts: FileFacts, config: ts.Expression): ts.Expression | undefined {
  const call = facts.resolveValue(config);
  if (!ts.isCallExpression(call)) {
    const own = getProperty(facts, config, 'region');
    return own.kind === 'present' ? own.value : undefined;
  }
  const local = localCallee(facts, call);
  const helper = local ? { facts, fn: local } : calleeAcross(facts, call.expression);
  if (!helper?.fn.body) return undefined;
  const returned = returnedExpressions(helper.fn);
  const object = returned.length === 1 ? objectLiteralOf(helper.facts, returned[0]) : undefined;
  if (!object) return undefined;
  let value: ts.Expression | undefined;
  for (const p of object.properties) {
    if (ts.isPropertyAssignment(p) && p.name.getText() === 'region') value = p.initializer;
    else if (ts.isSpreadAssignment(p)) {
      // `...(params.region ? { region: params.region } : {})`: the region when one is given
      const c = unwrap(p.expression);
      if (!ts.isConditionalExpression(c)) continue;
      const whenTrue = unwrap(c.whenTrue);
      const whenFalse = unwrap(c.whenFalse);
      if (!ts.isObjectLiteralExpression(whenTrue) || !ts.isObjectLiteralExpression(whenFalse) || whenFalse.properties.length > 0) continue;
      const inner = getProperty(helper.facts, whenTrue, 'region');
      if (inner.kind === 'present' && unwrap(inner.value).getText() === unwrap(c.condition).getText()) value = inner.value;
    }
  }
  if (!value) return undefined;
  // the helper's parameter (`region`) or a property of it (`params.region`), as the caller passes it
  const v = unwrap(value);
  const base = ts.isPropertyAccessExpression(v) ? unwrap(v.expression) : v;
  if (!ts.isIdentifier(base)) return undefined;
  const index = helper.fn.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === base.text);
  const arg = index >= 0 ? call.arguments[index] : undefined;
  if (!arg) return undefined;
  if (!ts.isPropertyAccessExpression(v)) return arg;
  const passed = getProperty(facts, arg, v.name.text);
  return passed.kind === 'present' ? passed.value : undefined;
}

/** Every request of the work done per item goes to the item's own Region (see {@link sentToItemRegion}). */
export function everyCallToItemRegion(facts: FileFacts, work: ts.Node, item: ts.ParameterDeclaration | ts.VariableDeclaration | undefined): boolean {
  if (!item) return false;
  const remotes = remoteCallInfosIn(facts, work);
  return remotes.length > 0 && remotes.every((r) => r.kind !== 'http' && sentToItemRegion(facts, r, work, item));
}
