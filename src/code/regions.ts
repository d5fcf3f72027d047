/**
 * Collections of AWS Regions, recognised from facts rather than names: there are a few dozen
 * Regions, so one call per Region is bounded whatever the list's length.
 */
import { ts } from './ts.js';
import type { FileAnalysis } from './analysis.js';
import type { FileFacts } from './file-facts.js';
import { bindsName, returnedExpressions, someOwnNode, step, unwrap } from './walk.js';
import { LOCAL_DEPTH, localCallee, remoteCallInfosIn, type RemoteCall } from './remote-calls.js';
import { calleeAcross, MAX_HOPS } from './modules.js';
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

/**
 * What one AWS request goes through, as an expression at the level of a call that reaches it: the
 * client (still to be found where it is created), or the Region of a client already found.
 */
type Traced = { client: ts.Expression } | { region: ts.Expression };

type Item = ts.ParameterDeclaration | ts.VariableDeclaration;

/**
 * Every AWS request `remote` makes (through the helpers it calls, following every request of each
 * helper), each as a `Traced` at the level of `remote.call`; undefined when one of them cannot be
 * followed or is not an AWS request.
 */
function traceRequests(facts: FileFacts, remote: RemoteCall, depth: number): Traced[] | undefined {
  if (depth > LOCAL_DEPTH + MAX_HOPS) return undefined;
  if (remote.kind === 'aws') {
    let callee = unwrap(remote.call.expression);
    // v2 `client.op(params).promise()`
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'promise' && ts.isCallExpression(unwrap(callee.expression))) {
      callee = unwrap((unwrap(callee.expression) as ts.CallExpression).expression);
    }
    return ts.isPropertyAccessExpression(callee) ? [{ client: callee.expression }] : undefined;
  }
  if (remote.kind !== 'local') return undefined;
  const local = localCallee(facts, remote.call);
  const helper = local ? { facts, fn: local } : calleeAcross(facts, remote.call.expression);
  if (!helper?.fn.body) return undefined;
  const inner = remoteCallInfosIn(helper.facts, helper.fn.body);
  if (inner.length === 0) return undefined;
  const out: Traced[] = [];
  for (const r of inner) {
    const traced = traceRequests(helper.facts, r, depth + 1);
    if (!traced) return undefined;
    for (const t of traced) {
      const lifted = lift(facts, helper.facts, helper.fn, remote.call, t);
      if (!lifted) return undefined;
      out.push(lifted);
    }
  }
  return out;
}

/** A `Traced` inside `helper`, as the caller's `call` sees it: through the parameter it comes from, or the Region of a client the helper creates. */
function lift(facts: FileFacts, hf: FileFacts, helper: ts.FunctionLikeDeclaration, call: ts.CallExpression, t: Traced): Traced | undefined {
  const at = { facts, hf, helper, call };
  if ('region' in t) {
    const region = argumentFor(at, t.region);
    return region ? { region } : undefined;
  }
  const client = argumentFor(at, t.client, true);
  if (client) return { client };
  // a client the helper creates: its Region, from the helper's parameters
  const region = createdRegion(hf, t.client, helper);
  const lifted = region && argumentFor(at, region);
  return lifted ? { region: lifted } : undefined;
}

/** A call of a helper: the caller's facts, the helper's, the helper and the call. */
interface CallSite {
  facts: FileFacts;
  hf: FileFacts;
  helper: ts.FunctionLikeDeclaration;
  call: ts.CallExpression;
}

/**
 * The caller's expression for a value of the helper that comes from one of its parameters: the
 * parameter itself, a property of it (`params.region`, `const { ecs } = params`, `({ ecs }) =>`),
 * or a local declared from one (`const region = config.region`). `exact`: only the value itself
 * (a client), not something it is derived from.
 */
function argumentFor(at: CallSite, expr: ts.Expression, exact = false, depth = 0): ts.Expression | undefined {
  if (depth > 6) return undefined;
  const { facts, hf, helper, call } = at;
  const e = unwrap(expr);
  if (ts.isPropertyAccessExpression(e)) {
    if (exact) return undefined;
    const base = argumentFor(at, e.expression, false, depth + 1);
    if (!base) return undefined;
    const value = getProperty(facts, base, e.name.text);
    return value.kind === 'present' ? value.value : base;
  }
  if (!ts.isIdentifier(e)) return undefined;
  const index = helper.parameters.findIndex((p) => bindsName(p.name, e.text));
  if (index >= 0) {
    const param = helper.parameters[index]!;
    const arg = call.arguments[index];
    if (!arg || param.dotDotDotToken) return undefined;
    if (ts.isIdentifier(param.name)) return arg;
    // `({ ecs, orphans }) =>`: the property of the object argument
    if (ts.isObjectBindingPattern(param.name)) {
      const el = param.name.elements.find((x) => ts.isIdentifier(x.name) && x.name.text === e.text);
      const key = el && (el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName.text : e.text);
      return key ? propertyOfArgument(arg, key, exact) : undefined;
    }
    return exact ? undefined : arg;
  }
  const from = hf.declaredFrom(e);
  if (!from || from.reassigned || enclosing(from.value) !== helper) return undefined;
  if (from.pick.length === 0) return exact ? undefined : argumentFor(at, from.value, false, depth + 1);
  // `const { ecs } = params`
  if (from.pick.length !== 1) return undefined;
  const base = argumentFor(at, from.value, exact, depth + 1);
  return base ? propertyOfArgument(base, from.pick[0]!, exact) : undefined;
}

/** `{ ecs, orphans }` passed as the argument: the `ecs` it holds; an argument that is not an object literal is the item itself, unless the exact value is needed. */
function propertyOfArgument(arg: ts.Expression, key: string, exact: boolean): ts.Expression | undefined {
  const e = unwrap(arg);
  if (ts.isObjectLiteralExpression(e)) {
    for (const p of e.properties) {
      if (ts.isShorthandPropertyAssignment(p) && p.name.text === key) return p.name;
      if (ts.isPropertyAssignment(p) && p.name.getText() === key) return p.initializer;
    }
    return undefined;
  }
  return exact ? undefined : arg;
}

function enclosing(node: ts.Node): ts.Node | undefined {
  for (let p = node.parent; p; p = p.parent) {
    if (ts.isFunctionDeclaration(p) || ts.isFunctionExpression(p) || ts.isArrowFunction(p) || ts.isMethodDeclaration(p)) return p;
  }
  return undefined;
}

/** The client `expr` names, when it is created inside `within`: `new X(config)` (inline or through a const). */
function createdClient(facts: FileFacts, expr: ts.Expression, within: ts.Node): ts.NewExpression | undefined {
  let e = unwrap(expr);
  if (ts.isIdentifier(e)) {
    const from = facts.declaredFrom(e);
    if (!from || from.reassigned || from.pick.length > 0) return undefined;
    e = unwrap(from.value);
  }
  return ts.isNewExpression(e) && e.pos >= within.pos && e.end <= within.end ? e : undefined;
}

/** The Region a client created inside `within` is given: its configuration's `region`, or `options.region = …` assigned just before. */
function createdRegion(facts: FileFacts, client: ts.Expression, within: ts.Node): ts.Expression | undefined {
  const created = createdClient(facts, client, within);
  const config = created?.arguments?.[0];
  if (!created || !config) return undefined;
  return regionOf(facts, config) ?? assignedRegion(created, config);
}

/**
 * `options.region = config.region; const ecs = new ECS(options)`: the Region set on the shared
 * configuration object by a statement before the one that creates the client, in the same block,
 * with nothing awaited in between (no other code can change it meanwhile).
 */
function assignedRegion(created: ts.NewExpression, config: ts.Expression): ts.Expression | undefined {
  const target = unwrap(config);
  if (!ts.isIdentifier(target)) return undefined;
  let statement: ts.Node = created;
  while (statement.parent && !ts.isBlock(statement.parent) && !ts.isSourceFile(statement.parent)) statement = statement.parent;
  const block = statement.parent;
  if (!block || !(ts.isBlock(block) || ts.isSourceFile(block))) return undefined;
  const statements = block.statements;
  for (let i = statements.indexOf(statement as ts.Statement) - 1; i >= 0; i--) {
    const s = statements[i]!;
    if (containsAwait(s)) return undefined;
    if (!ts.isExpressionStatement(s)) continue;
    const e = unwrap(s.expression);
    if (!ts.isBinaryExpression(e) || e.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
    const left = unwrap(e.left);
    if (ts.isIdentifier(left) && left.text === target.text) return undefined;
    if (ts.isPropertyAccessExpression(left) && left.name.text === 'region' && ts.isIdentifier(unwrap(left.expression)) && (unwrap(left.expression) as ts.Identifier).text === target.text) return e.right;
  }
  return undefined;
}

function containsAwait(node: ts.Node): boolean {
  return someOwnNode(node, (n) => ts.isAwaitExpression(n) || ts.isYieldExpression(n));
}

/** Whether `expr` is the item, or a property of it (`item.region`, `const { region } = item`, `([region, rest]) =>`). */
function fromItem(facts: FileFacts, expr: ts.Expression, item: Item, depth = 0): boolean {
  if (depth > 6) return false;
  const e = unwrap(expr);
  if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) return fromItem(facts, e.expression, item, depth + 1);
  if (!ts.isIdentifier(e)) return false;
  if (bindsName(item.name, e.text)) return true;
  const from = facts.declaredFrom(e);
  return from !== undefined && !from.reassigned && fromItem(facts, from.value, item, depth + 1);
}

/**
 * Whether every request of the work done for one item goes through a client created for that
 * item with the item's Region (`new ECS({ ...options, region: item.region })`, in the work itself
 * or in a helper it calls with the item), or through the item itself when the items are clients
 * (one per account or Region): each item's requests then go to another endpoint, so they do not
 * add up on one dependency.
 */
export function everyCallToItemRegion(facts: FileFacts, work: ts.Node, item: Item | undefined): boolean {
  if (!item) return false;
  const remotes = remoteCallInfosIn(facts, work);
  if (remotes.length === 0) return false;
  for (const r of remotes) {
    const traced = traceRequests(facts, r, 0);
    if (!traced || traced.length === 0) return false;
    for (const t of traced) {
      // the item is the client itself: a collection of the clients the code made, one per
      // account or Region (`Object.entries(clientsByAccount).map(([account, client]) => ...)`)
      if ('client' in t && fromItem(facts, t.client, item)) continue;
      const region = 'region' in t ? t.region : createdRegion(facts, t.client, work);
      if (!region || !fromItem(facts, region, item)) return false;
    }
  }
  return true;
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
