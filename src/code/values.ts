/**
 * Static evaluation of the small set of expressions rules care about: object literals
 * (with spreads of known objects), string shapes and numbers. Anything dynamic is "unknown":
 * a rule never treats an unknown value as missing.
 */
import { ts } from './ts.js';
import { returnedExpressions, unwrap } from './walk.js';
import { resolveLocalFunction } from './remote-calls.js';
import type { FileFacts } from './file-facts.js';

export type PropertyLookup =
  | { kind: 'present'; value: ts.Expression; node: ts.ObjectLiteralElementLike }
  | { kind: 'absent' }
  /** The object, or a spread inside it, cannot be evaluated: the property may be there. */
  | { kind: 'unknown' };

/**
 * The object literal an expression evaluates to (through const identifiers, the assignment of a
 * reassigned variable that reaches the use, and calls of a
 * same-file function or method whose only return is an object literal), if known.
 */
export function objectLiteralOf(analysis: FileFacts, expr: ts.Expression | undefined, depth = 0): ts.ObjectLiteralExpression | undefined {
  if (!expr || depth > 3) return undefined;
  let e = analysis.resolveValue(expr);
  // `const { input } = await this.buildRequest(...)`: the member of the object it is picked from
  if (ts.isIdentifier(e)) e = analysis.resolveValue(pickedValue(analysis, e, depth) ?? e);
  if (ts.isAwaitExpression(e)) e = analysis.resolveValue(e.expression);
  if (ts.isCallExpression(e)) {
    // `const input = this.buildInput(...)`: the object the helper builds
    const fn = resolveLocalFunction(analysis, e.expression);
    const returned = fn?.body ? returnedExpressions(fn) : [];
    if (returned.length === 1) e = analysis.resolveValue(returned[0]);
  }
  return ts.isObjectLiteralExpression(e) ? e : undefined;
}

/** What a destructured const holds (`const { a: { b } } = obj`): the member it picks from a known object. */
function pickedValue(analysis: FileFacts, id: ts.Identifier, depth: number): ts.Expression | undefined {
  const from = analysis.declaredFrom(id);
  if (!from || from.reassigned || from.pick.length === 0) return undefined;
  let value: ts.Expression = from.value;
  for (const name of from.pick) {
    const obj = objectLiteralOf(analysis, value, depth + 1);
    if (!obj) return undefined;
    let found: PropertyLookup = { kind: 'absent' };
    for (const prop of obj.properties) {
      if (ts.isSpreadAssignment(prop)) return undefined;
      found = memberLookup(prop, name) ?? found;
    }
    if (found.kind !== 'present') return undefined;
    value = found.value;
  }
  return value;
}

/** The text of a property name when it is static (`a`, `"a"`, `['a']`). */
export function propertyNameText(name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteralLike(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  if (ts.isComputedPropertyName(name) && ts.isStringLiteralLike(unwrap(name.expression))) return (unwrap(name.expression) as ts.StringLiteralLike).text;
  return undefined;
}

/** Looks a property up in an object expression, following spreads of known objects. Last one wins. */
export function getProperty(analysis: FileFacts, expr: ts.Expression | undefined, name: string, depth = 0): PropertyLookup {
  if (!expr) return { kind: 'absent' };
  const obj = objectLiteralOf(analysis, expr);
  if (!obj || depth > 8) return { kind: 'unknown' };
  let result: PropertyLookup = { kind: 'absent' };
  for (const prop of obj.properties) {
    if (ts.isSpreadAssignment(prop)) {
      const inner = spreadProperty(analysis, prop.expression, name, depth + 1);
      if (inner.kind !== 'absent') result = inner;
      continue;
    }
    result = memberLookup(prop, name) ?? result;
  }
  // `const params = {...}; params.ClientToken = token; send(params)`: set after the literal
  if (result.kind === 'absent' && memberSetOnTheWay(analysis, expr, name)) return { kind: 'unknown' };
  return result;
}

/** Whether member `name` is set on the object after it was built, through a variable `expr` reads it from. */
function memberSetOnTheWay(analysis: FileFacts, expr: ts.Expression, name: string): boolean {
  let e = unwrap(expr);
  for (let i = 0; i < 4 && ts.isIdentifier(e); i++) {
    if (analysis.memberSetBefore(e, name)) return true;
    const next = analysis.valueOf(e);
    if (!next) break;
    e = unwrap(next);
  }
  return false;
}

/**
 * What one member of an object literal other than a spread says about property `name`: its value,
 * unknown (a computed key, a method or accessor of that name), or undefined for another property.
 */
export function memberLookup(prop: ts.ObjectLiteralElementLike, name: string): PropertyLookup | undefined {
  if (ts.isShorthandPropertyAssignment(prop)) return prop.name.text === name ? { kind: 'present', value: prop.name, node: prop } : undefined;
  if (!prop.name) return undefined;
  const key = propertyNameText(prop.name);
  if (key === undefined) return { kind: 'unknown' };
  if (key !== name) return undefined;
  return ts.isPropertyAssignment(prop) ? { kind: 'present', value: prop.initializer, node: prop } : { kind: 'unknown' };
}

/**
 * A property of a spread: `...(cond ? { a } : {})` has it only when both branches agree;
 * `...(cond && { a })` adds nothing when `cond` is falsy, so it lacks what its object lacks.
 */
function spreadProperty(analysis: FileFacts, expr: ts.Expression, name: string, depth: number): PropertyLookup {
  const e = unwrap(expr);
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken) {
    const right = getProperty(analysis, e.right, name, depth);
    return right.kind === 'absent' ? right : { kind: 'unknown' };
  }
  if (!ts.isConditionalExpression(e)) return getProperty(analysis, expr, name, depth);
  const a = getProperty(analysis, e.whenTrue, name, depth);
  const b = getProperty(analysis, e.whenFalse, name, depth);
  return a.kind === 'absent' && b.kind === 'absent' ? a : { kind: 'unknown' };
}

/** Operands of one `+` chain evaluated as a string. */
const MAX_CONCATENATION = 200;

/** What is known statically about a string value. */
export interface StringShape {
  /** The whole value, when fully known. */
  exact?: string;
  /** Known trailing text (template literals, concatenations ending in a literal). */
  suffix?: string;
}

export function stringShape(analysis: FileFacts, expr: ts.Expression | undefined, depth = 0): StringShape | undefined {
  if (!expr || depth > 8) return undefined;
  const e = analysis.resolveValue(expr);
  if (ts.isStringLiteralLike(e)) return { exact: e.text, suffix: e.text };
  const member = sdkEnumMember(analysis, e);
  if (member !== undefined) return { exact: member, suffix: member };
  if (ts.isTemplateExpression(e)) {
    const tail = e.templateSpans[e.templateSpans.length - 1].literal.text;
    return { suffix: tail };
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    // `'SET ' + 'a = :a, ' + 'b = :b'`: a left-leaning chain of any length is one level
    const operands: ts.Expression[] = [];
    let left: ts.Expression = e;
    while (ts.isBinaryExpression(left) && left.operatorToken.kind === ts.SyntaxKind.PlusToken && operands.length < MAX_CONCATENATION) {
      operands.push(left.right);
      left = unwrap(left.left);
    }
    operands.push(left);
    operands.reverse();
    const shapes = operands.map((o) => stringShape(analysis, o, depth + 1));
    if (shapes.every((s) => s?.exact !== undefined)) {
      const exact = shapes.map((s) => s!.exact).join('');
      return { exact, suffix: exact };
    }
    const last = shapes[shapes.length - 1];
    return last?.suffix !== undefined ? { suffix: last.suffix } : undefined;
  }
  return undefined;
}

/**
 * A member of an AWS SDK v3 enum object (`InvocationType.Event` imported from
 * `@aws-sdk/client-lambda`): its value. The code generator names a member after its value, so a
 * member named with letters only has its name as its value; a name with digits or underscores may
 * stand for another spelling (`Runtime.nodejs18x` is `nodejs18.x`) and is not read.
 */
function sdkEnumMember(analysis: FileFacts, e: ts.Expression): string | undefined {
  if (!ts.isPropertyAccessExpression(e) || !/^[A-Za-z]+$/.test(e.name.text)) return undefined;
  const origin = analysis.origin(e);
  if (origin?.kind !== 'module' || !origin.ref.module.startsWith('@aws-sdk/client-') || origin.ref.path.length !== 2) return undefined;
  const [enumName] = origin.ref.path;
  return /(?:Client|Command|Exception)$/.test(enumName!) ? undefined : e.name.text;
}

/** A numeric value when statically known; Infinity for `Infinity`, `Number.POSITIVE_INFINITY`, `Number.MAX_SAFE_INTEGER`, `Number.MAX_VALUE`. */
export function numberValue(analysis: FileFacts, expr: ts.Expression | undefined, depth = 0): number | undefined {
  if (!expr || depth > 8) return undefined;
  const e = analysis.resolveValue(expr);
  if (ts.isNumericLiteral(e)) return Number(e.text.replace(/_/g, ''));
  if (ts.isIdentifier(e) && e.text === 'Infinity') return Infinity;
  if (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'Number') {
    if (['POSITIVE_INFINITY', 'MAX_SAFE_INTEGER', 'MAX_VALUE'].includes(e.name.text)) return Infinity;
  }
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken) {
    const v = numberValue(analysis, e.operand, depth + 1);
    return v === undefined ? undefined : -v;
  }
  if (ts.isBinaryExpression(e)) {
    const l = numberValue(analysis, e.left, depth + 1);
    const r = numberValue(analysis, e.right, depth + 1);
    if (l === undefined || r === undefined) return undefined;
    switch (e.operatorToken.kind) {
      case ts.SyntaxKind.PlusToken:
        return l + r;
      case ts.SyntaxKind.MinusToken:
        return l - r;
      case ts.SyntaxKind.AsteriskToken:
        return l * r;
      default:
        return undefined;
    }
  }
  return undefined;
}

/** `true` / `false` when statically known. */
export function booleanValue(analysis: FileFacts, expr: ts.Expression | undefined): boolean | undefined {
  if (!expr) return undefined;
  const e = analysis.resolveValue(expr);
  if (e.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (e.kind === ts.SyntaxKind.FalseKeyword) return false;
  return undefined;
}
