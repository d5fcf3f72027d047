/**
 * The items an array holds when it is sent: the elements of its literal and everything code of
 * the same function appends to it afterwards (`push`/`unshift`, `xs = xs.concat(y)`,
 * `xs = [...xs, y]`, `xs[i] = y`), including an array that is a property of an object literal
 * (`const input = { Items: [] }; input.Items.push(item)`). Undefined whenever something could
 * add items the analysis cannot see: the array handed to a function, replaced, or spliced into.
 */
import { ts } from './ts.js';
import type { FileFacts } from './file-facts.js';
import { enclosingFunction, unwrap, walk } from './walk.js';

const MAX_DEPTH = 4;

/** Methods that read an array (or copy it) without changing it. */
const READS = new Set([
  'length', 'map', 'filter', 'forEach', 'slice', 'some', 'every', 'find', 'findIndex', 'includes', 'indexOf', 'join',
  'reduce', 'flatMap', 'at', 'entries', 'keys', 'values', 'concat', 'toString',
]);

/** Calls that receive a request without adding to it: SDK sends and loggers. */
const RECEIVERS = new Set(['send', 'transactWrite', 'transactWriteItems', 'batchWrite', 'batchWriteItem', 'log', 'info', 'debug', 'warn', 'error', 'trace']);

/** Where an array literal lives: a variable (`const xs = []`) or a property path of one (`input.Items`). */
interface Home {
  /** The declaration's initialiser: the literal itself or the object literal holding it. */
  root: ts.Expression;
  /** The variable's name. */
  name: string;
  /** Property names from the variable to the array. */
  path: string[];
}

function homeOf(literal: ts.ArrayLiteralExpression): Home | undefined {
  const path: string[] = [];
  let node: ts.Expression = literal;
  for (let i = 0; i < MAX_DEPTH; i++) {
    let parent = node.parent;
    while (parent && (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isSatisfiesExpression(parent) || ts.isTypeAssertionExpression(parent))) parent = parent.parent;
    if (!parent) return undefined;
    if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name) && parent.initializer) {
      return { root: unwrap(parent.initializer), name: parent.name.text, path: path.reverse() };
    }
    if (ts.isPropertyAssignment(parent) && (ts.isIdentifier(parent.name) || ts.isStringLiteralLike(parent.name)) && ts.isObjectLiteralExpression(parent.parent)) {
      path.push(parent.name.text);
      node = parent.parent;
      continue;
    }
    return undefined;
  }
  return undefined;
}

/** `input.Items` / `input.Items!` / `input['Items']` for `home`, or undefined. */
function refersTo(analysis: FileFacts, expr: ts.Expression, home: Home): boolean {
  let e = unwrap(expr);
  for (let i = home.path.length - 1; i >= 0; i--) {
    if (ts.isPropertyAccessExpression(e) && e.name.text === home.path[i]) e = unwrap(e.expression);
    else if (ts.isElementAccessExpression(e) && ts.isStringLiteralLike(e.argumentExpression) && e.argumentExpression.text === home.path[i]) e = unwrap(e.expression);
    else return false;
  }
  if (!ts.isIdentifier(e) || e.text !== home.name) return false;
  const from = analysis.declaredFrom(e);
  return from !== undefined && from.pick.length === 0 && unwrap(from.value) === home.root;
}

/** The expression a reference is part of, past `!`, parentheses and type assertions. */
function outer(node: ts.Expression): ts.Expression {
  let e: ts.Node = node;
  while (e.parent && (ts.isNonNullExpression(e.parent) || ts.isParenthesizedExpression(e.parent) || ts.isAsExpression(e.parent) || ts.isSatisfiesExpression(e.parent))) e = e.parent;
  return e as ts.Expression;
}

/** `x.name`, `{ name: v }`, `name() {}`: a name that is not a reference to a variable. */
function isPropertyName(id: ts.Identifier): boolean {
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p)) return p.name === id;
  return (ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isPropertySignature(p)) && p.name === id;
}

function calleeName(call: ts.CallExpression | ts.NewExpression): string | undefined {
  const callee = unwrap(call.expression);
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  if (ts.isIdentifier(callee)) return callee.text;
  return undefined;
}

/**
 * What one use of the array (or of the object holding it) does: adds `values`, only reads
 * (`[]`), or something the analysis cannot follow (undefined).
 */
function use(analysis: FileFacts, ref: ts.Expression, home: Home, isArray: boolean): ts.Expression[] | undefined {
  const e = outer(ref);
  const parent = e.parent;
  if (!parent) return [];
  if (isArray && ts.isPropertyAccessExpression(parent) && parent.expression === e) {
    const method = parent.name.text;
    const call = parent.parent;
    if ((method === 'push' || method === 'unshift') && ts.isCallExpression(call) && call.expression === parent) return [...call.arguments];
    if (method === 'pop' || method === 'shift') return [];
    if (method === 'splice') return ts.isCallExpression(call) && call.arguments.length <= 2 ? [] : undefined;
    return READS.has(method) ? [] : undefined;
  }
  if (ts.isBinaryExpression(parent) && parent.left === e) {
    if (parent.operatorToken.kind !== ts.SyntaxKind.EqualsToken || !isArray) return undefined;
    // `xs = xs.concat(a)` / `xs = [...xs, a]`
    const right = unwrap(parent.right);
    if (ts.isCallExpression(right) && ts.isPropertyAccessExpression(right.expression) && right.expression.name.text === 'concat' && refersTo(analysis, right.expression.expression, home)) {
      return right.arguments.map((a) => (ts.isSpreadElement(a) ? a.expression : a));
    }
    if (ts.isArrayLiteralExpression(right)) {
      const rest = right.elements.filter((el) => !(ts.isSpreadElement(el) && refersTo(analysis, el.expression, home)));
      if (rest.length < right.elements.length) return rest;
    }
    return undefined;
  }
  if (isArray && ts.isElementAccessExpression(parent) && parent.expression === e) {
    // `xs[i] = item` adds (or replaces) an item; a read of `xs[i]` adds nothing
    const assigned = parent.parent;
    if (ts.isBinaryExpression(assigned) && assigned.left === outer(parent)) {
      return assigned.operatorToken.kind === ts.SyntaxKind.EqualsToken ? [assigned.right] : undefined;
    }
    return [];
  }
  // an alias or a returned array is filled where this function cannot see it
  if (ts.isVariableDeclaration(parent) || ts.isReturnStatement(parent) || ts.isArrowFunction(parent)) return undefined;
  if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.arguments?.includes(e)) {
    // a constructor (`new XCommand(input)`) or an SDK send receives it; any other function may add to it
    return ts.isNewExpression(parent) || RECEIVERS.has(calleeName(parent) ?? '') ? [] : undefined;
  }
  return [];
}

/**
 * The items of an array value: undefined when the value is not an array literal the analysis can
 * follow, or when code may add items it cannot see. A spread of something other than such an
 * array (`...records.map(f)`) is returned as the spread element, for the caller to judge.
 */
export function arrayItems(analysis: FileFacts, expr: ts.Expression, depth = 0): ts.Expression[] | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const value = analysis.resolveValue(expr);
  if (!ts.isArrayLiteralExpression(value)) return undefined;
  const items: ts.Expression[] = [];
  const add = (values: readonly ts.Expression[]): void => {
    for (const v of values) {
      if (ts.isSpreadElement(v)) {
        // a spread of another followed array adds its items; of anything else, the spread itself
        const inner = arrayItems(analysis, v.expression, depth + 1);
        items.push(...(inner ?? [v]));
      } else items.push(v);
    }
  };
  add(value.elements);
  const home = homeOf(value);
  if (!home) return items;
  const fn = enclosingFunction(value);
  const scope: ts.Node = fn?.body ?? value.getSourceFile();
  let followed = true;
  walk(scope, (n) => {
    if (!followed) return false;
    // a nested function that captures the array is still code that may append: it is walked too
    if (ts.isIdentifier(n) && n.text === home.name && !isPropertyName(n)) {
      // climb the property path from the variable to the expression naming the array (or the holder)
      let ref: ts.Expression = n;
      let depthOnPath = 0;
      while (depthOnPath < home.path.length) {
        const p = outer(ref).parent;
        if (p && ts.isPropertyAccessExpression(p) && p.expression === outer(ref) && p.name.text === home.path[depthOnPath]) ref = p;
        else if (p && ts.isElementAccessExpression(p) && p.expression === outer(ref) && ts.isStringLiteralLike(p.argumentExpression) && p.argumentExpression.text === home.path[depthOnPath]) ref = p;
        else break;
        depthOnPath++;
      }
      const declared = analysis.declaredFrom(n);
      if (!declared || declared.pick.length > 0 || unwrap(declared.value) !== home.root) return undefined;
      if (ts.isVariableDeclaration(n.parent) && n.parent.name === n) return undefined;
      const isArray = depthOnPath === home.path.length;
      if (!isArray && depthOnPath > 0) {
        // another property of the holder, or a part of the path: assigning it may replace the array
        const p = outer(ref).parent;
        if (p && ts.isBinaryExpression(p) && p.left === outer(ref)) followed = false;
        return undefined;
      }
      const added = use(analysis, ref, home, isArray);
      if (added) add(added);
      else followed = false;
    }
    return undefined;
  });
  return followed ? items : undefined;
}
