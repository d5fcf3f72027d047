/**
 * The expressions of the CDK source interpreter (`interpreter.ts`): literals, templates, objects
 * and arrays with spreads, operators, member access on instances, classes, CDK modules and
 * constructs, calls of functions, methods and array methods, `new`. Calls of functions and classes
 * of the file run through the statements of `Interpreter`; CDK classes and methods go to the
 * construct library.
 */
import path from 'node:path';
import { ts } from '../code/ts.js';
import { Intrinsic, type IacValue } from '../iac/model.js';
import { isParameter, unwrap } from '../code/walk.js';
import { Env, isScheduleExpression, lit, stringOf, truthiness, unknown, unknownNode, UNDEF, type ArrVal, type ClassVal, type Entry, type FnVal, type Item, type ObjVal, type Val } from './values.js';
import type { Library } from './library.js';

const SyntaxKind = ts.SyntaxKind;

/** Budget of evaluated nodes per file: pathological inputs stop early rather than hang. */
const MAX_STEPS = 200_000;


/** Values whose place a finding names: literals, durations, deploy-time values (objects and constructs carry their own). */
const PASSED_VALUES = new Set<Val['k']>(['lit', 'dur', 'token', 'json']);

/** The same value: one value object, or equal literals or durations. */
function sameValue(a: Val, b: Val): boolean {
  if (a === b) return true;
  if (a.k === 'lit' && b.k === 'lit') return a.v === b.v;
  if (a.k === 'dur' && b.k === 'dur') return a.seconds === b.seconds;
  return a.k === 'undef' && b.k === 'undef';
}

/**
 * One of two objects, not known which: the properties both have with the same value keep it, a
 * property they disagree on (or only one has) is unknown, and one neither has is absent.
 */
function joinObjects(a: ObjVal, b: ObjVal, differ: () => Val): ObjVal {
  const entries = new Map<string, Entry>();
  for (const [key, ea] of a.entries) {
    const eb = b.entries.get(key);
    entries.set(key, eb && sameValue(ea.val, eb.val) ? ea : { ...ea, val: differ() });
  }
  for (const [key, eb] of b.entries) if (!entries.has(key)) entries.set(key, { ...eb, val: differ() });
  return { k: 'obj', entries, open: a.open || b.open };
}

/** Seconds in a unit of `Duration.toMinutes()` and the like. */
const IN_SECONDS: Record<string, number> = { toMilliseconds: 0.001, toSeconds: 1, toMinutes: 60, toHours: 3600, toDays: 86400 };

/**
 * A method of a known `Duration`: `fn.timeout.times(6)`, `base.plus(Duration.seconds(30))`,
 * `timeout.toSeconds()`. Undefined for anything else.
 */
function durationMethod(seconds: number, name: string, args: Val[]): Val | undefined {
  const arg = args[0];
  switch (name) {
    case 'times':
      return arg?.k === 'lit' && typeof arg.v === 'number' ? { k: 'dur', seconds: seconds * arg.v } : undefined;
    case 'plus':
    case 'minus': {
      if (arg?.k !== 'dur') return undefined;
      const sum = name === 'plus' ? seconds + arg.seconds : seconds - arg.seconds;
      return sum >= 0 ? { k: 'dur', seconds: sum } : undefined;
    }
    default: {
      const unit = IN_SECONDS[name];
      return unit === undefined ? undefined : lit(seconds / unit);
    }
  }
}

/** Thrown when a file's budget of evaluated nodes is spent. */
export class Budget extends Error {}

export abstract class Evaluator {
  private steps = 0;

  constructor(
    readonly sf: ts.SourceFile,
    readonly lib: Library,
  ) {}

  /** Calls a function value with arguments; returns what it returns. */
  abstract invoke(fn: FnVal, args: Val[], self: Val | undefined): Val;

  /** `new Cls(args)` for a class of the file. */
  abstract construct(cls: ClassVal, args: Val[], node: ts.Node, root?: boolean): Val;

  /** The construct class of another file of the app a module member names, when it can be read. */
  abstract importedClass(mod: Val & { k: 'mod' }): ClassVal | undefined;

  /** The enum or constant another file of the app exports that a module member names, when it is data. */
  abstract importedValue(mod: Val & { k: 'mod' }): Val | undefined;

  /** The function another CDK file of the app exports that a module member names. */
  abstract importedFunction(mod: Val & { k: 'mod' }): FnVal | undefined;

  protected tick(): void {
    if (++this.steps > MAX_STEPS) throw new Budget();
  }

  classValue(decl: ts.ClassLikeDeclaration, env: Env): ClassVal {
    const cls: ClassVal = { k: 'class', decl, env, statics: new Map() };
    return cls;
  }


  protected baseClass(cls: ClassVal): ClassVal | undefined {
    for (const clause of cls.decl.heritageClauses ?? []) {
      if (clause.token !== SyntaxKind.ExtendsKeyword) continue;
      const base = clause.types[0] ? this.eval(clause.types[0].expression, cls.env) : undefined;
      if (base?.k === 'class') return base;
      if (base?.k === 'mod') return this.importedClass(base);
    }
    return undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Expressions
  // -------------------------------------------------------------------------------------------

  eval(expr: ts.Expression, env: Env): Val {
    this.tick();
    const e = unwrap(expr);
    switch (e.kind) {
      case SyntaxKind.StringLiteral:
      case SyntaxKind.NoSubstitutionTemplateLiteral:
        return lit((e as ts.StringLiteralLike).text);
      case SyntaxKind.NumericLiteral:
        return lit(Number((e as ts.NumericLiteral).text.replace(/_/g, '')));
      case SyntaxKind.TrueKeyword:
        return lit(true);
      case SyntaxKind.FalseKeyword:
        return lit(false);
      case SyntaxKind.NullKeyword:
        return lit(null);
      case SyntaxKind.ThisKeyword: {
        // handed on as a value (`new LambdaRestApi(this, 'Api', { handler: this })`), an instance of
        // a class extending a CDK construct is that construct; its fields and methods are read
        // through `receiverOf`
        const self = env.thisValue();
        return (self?.k === 'inst' ? self.base : undefined) ?? self ?? unknown('this');
      }
      case SyntaxKind.Identifier:
        return this.identifier(e as ts.Identifier, env);
      case SyntaxKind.TemplateExpression:
        return this.template(e as ts.TemplateExpression, env);
      case SyntaxKind.ObjectLiteralExpression:
        return this.object(e as ts.ObjectLiteralExpression, env);
      case SyntaxKind.ArrayLiteralExpression:
        return this.array(e as ts.ArrayLiteralExpression, env);
      case SyntaxKind.ArrowFunction:
      case SyntaxKind.FunctionExpression:
        return { k: 'fn', decl: e as ts.FunctionLikeDeclaration, env, self: env.thisValue() };
      case SyntaxKind.ClassExpression:
        return this.classValue(e as ts.ClassExpression, env);
      case SyntaxKind.PropertyAccessExpression: {
        const p = e as ts.PropertyAccessExpression;
        const target = this.receiverOf(p.expression, env);
        if (p.questionDotToken && target.k === 'undef') return UNDEF;
        return this.member(target, p.name.text, p);
      }
      case SyntaxKind.ElementAccessExpression: {
        const a = e as ts.ElementAccessExpression;
        const target = this.receiverOf(a.expression, env);
        const key = this.eval(a.argumentExpression, env);
        if (key.k === 'lit' && (typeof key.v === 'string' || typeof key.v === 'number')) return this.member(target, String(key.v), a);
        return unknown(`an element of ${this.describe(a.expression)}`);
      }
      case SyntaxKind.CallExpression:
        return this.call(e as ts.CallExpression, env);
      case SyntaxKind.NewExpression:
        return this.newExpression(e as ts.NewExpression, env);
      case SyntaxKind.ConditionalExpression: {
        const c = e as ts.ConditionalExpression;
        const cond = truthiness(this.eval(c.condition, env));
        if (cond === true) return this.eval(c.whenTrue, env);
        if (cond === false) return this.eval(c.whenFalse, env);
        // both branches may create constructs
        const a = this.eval(c.whenTrue, env);
        const b = this.eval(c.whenFalse, env);
        // `cond ? props : { ...props, securityGroups }`: what both objects say is known
        if (a.k === 'obj' && b.k === 'obj') return joinObjects(a, b, () => unknown(`a value chosen by ${this.describe(c.condition)}`));
        return unknown(`a value chosen by ${this.describe(c.condition)}`);
      }
      case SyntaxKind.BinaryExpression:
        return this.binary(e as ts.BinaryExpression, env);
      case SyntaxKind.PrefixUnaryExpression: {
        const u = e as ts.PrefixUnaryExpression;
        const v = this.eval(u.operand, env);
        if (u.operator === SyntaxKind.MinusToken && v.k === 'lit' && typeof v.v === 'number') return lit(-v.v);
        if (u.operator === SyntaxKind.ExclamationToken) {
          const t = truthiness(v);
          return t === undefined ? unknown('a negation') : lit(!t);
        }
        return unknown('an operation');
      }
      case SyntaxKind.MetaProperty: {
        // `import.meta.dirname` / `import.meta.filename` (Node 20.11+)
        if ((e as ts.MetaProperty).keywordToken !== SyntaxKind.ImportKeyword) return unknownNode(this, e);
        const at = (val: Val): Entry => ({ val, node: e, key: e });
        const file = this.lib.cv.fileOf(e).fileName;
        return { k: 'obj', entries: new Map([['dirname', at(lit(path.dirname(file)))], ['filename', at(lit(file))]]), open: true };
      }
      case SyntaxKind.AwaitExpression:
        return this.eval((e as ts.AwaitExpression).expression, env);
      case SyntaxKind.VoidExpression:
        this.eval((e as ts.VoidExpression).expression, env);
        return UNDEF;
      default:
        return unknownNode(this, e);
    }
  }

  /** Short source text of a node, for the descriptions of unknown values. */
  describe(node: ts.Node): string {
    const sf = this.lib.cv.fileOf(node);
    const start = node.getStart(sf);
    const end = node.getEnd();
    // no more of a large expression than the description can show
    const text = sf.text.slice(start, Math.min(end, start + 240)).replace(/\s+/g, ' ');
    return text.length > 60 || end - start > 240 ? `${text.slice(0, 57)}...` : text;
  }

  private identifier(id: ts.Identifier, env: Env): Val {
    const found = env.lookup(id.text);
    if (found?.k === 'mod' && found.path.length > 0) return this.importedValue(found) ?? found;
    if (found) return found;
    switch (id.text) {
      case 'undefined':
        return UNDEF;
      case '__dirname':
        return lit(path.dirname(this.lib.cv.fileOf(id).fileName));
      case '__filename':
        return lit(this.lib.cv.fileOf(id).fileName);
      case 'JSON':
      case 'Object':
      case 'Math':
      case 'Number':
      case 'String':
      case 'Array':
        return { k: 'global', name: id.text };
      default:
        return unknown(id.text);
    }
  }

  /**
   * A template literal: a string when every part is known; `Fn::Join` when the parts the file
   * does not know are CloudFormation values (`${fn.functionArn}`, `${Aws.REGION}`).
   */
  private template(t: ts.TemplateExpression, env: Env): Val {
    let text = t.head.text;
    let known = true;
    let joinable = true;
    const parts: IacValue[] = [t.head.text];
    for (const span of t.templateSpans) {
      const v = this.eval(span.expression, env);
      if (v.k === 'lit' && v.v !== null) {
        text += String(v.v);
        parts.push(String(v.v));
      } else {
        known = false;
        const value = v.k === 'token' || v.k === 'mod' ? this.lib.cv.plain(v) : undefined;
        if (value instanceof Intrinsic) parts.push(value);
        else joinable = false;
      }
      text += span.literal.text;
      parts.push(span.literal.text);
    }
    if (known) return lit(text);
    if (!joinable) return unknownNode(this, t);
    return { k: 'token', value: new Intrinsic('Fn::Join', ['', parts.filter((p) => p !== '')]) };
  }

  private object(o: ts.ObjectLiteralExpression, env: Env): ObjVal {
    const out: ObjVal = { k: 'obj', entries: new Map(), open: false };
    for (const prop of o.properties) {
      if (ts.isSpreadAssignment(prop)) {
        const spread = this.eval(prop.expression, env);
        if (spread.k === 'obj') {
          for (const [key, entry] of spread.entries) out.entries.set(key, entry);
          if (spread.open) out.open = true;
        } else if (spread.k !== 'undef') out.open = true;
        continue;
      }
      if (ts.isShorthandPropertyAssignment(prop)) {
        out.entries.set(prop.name.text, { val: this.identifier(prop.name, env), node: prop, key: prop.name });
        continue;
      }
      const name = prop.name ? this.propertyName(prop.name, env) : undefined;
      if (name === undefined) {
        out.open = true;
        continue;
      }
      let val: Val;
      if (ts.isPropertyAssignment(prop)) val = this.eval(prop.initializer, env);
      else if (ts.isMethodDeclaration(prop)) val = { k: 'fn', decl: prop, env };
      else val = unknown('an accessor');
      const origin = ts.isPropertyAssignment(prop) && PASSED_VALUES.has(val.k) ? this.passedEntry(prop.initializer, env, prop) : undefined;
      out.entries.set(name, origin ? { val, node: prop, key: prop.name!, origin } : { val, node: prop, key: prop.name! });
    }
    return out;
  }

  /**
   * The entry of another file's object literal that `expr` reads unchanged: `rule.schedule`,
   * `props.timeout`, `this.props.retention`, where the receiver is a parameter or `this` (read
   * again without effect): a value the caller wrote. Undefined for a value written in this file,
   * and for a constant another file shares (`LIMITS.report`), whose users are where it is used.
   */
  private passedEntry(expr: ts.Expression, env: Env, at: ts.Node): Entry | undefined {
    const e = unwrap(expr);
    // `props.timeout || Duration.seconds(30)`, `props.timeout ?? DEFAULT`: the caller's value when
    // it gave one (the default, written here, when it did not)
    if (ts.isBinaryExpression(e) && (e.operatorToken.kind === SyntaxKind.BarBarToken || e.operatorToken.kind === SyntaxKind.QuestionQuestionToken)) {
      const given = this.passedEntry(e.left, env, at);
      if (!given) return undefined;
      const used = e.operatorToken.kind === SyntaxKind.BarBarToken ? truthiness(given.val) === true : given.val.k !== 'undef' && given.val.k !== 'unknown' && !(given.val.k === 'lit' && given.val.v === null);
      return used ? given : undefined;
    }
    if (!ts.isPropertyAccessExpression(e)) return undefined;
    let root = unwrap(e.expression);
    while (ts.isPropertyAccessExpression(root)) root = unwrap(root.expression);
    // what a caller hands in (a parameter, or what the instance keeps of it), not a shared constant
    if (root.kind !== SyntaxKind.ThisKeyword && !(ts.isIdentifier(root) && isParameter(root))) return undefined;
    const target = this.receiverOf(e.expression, env);
    if (target.k !== 'obj') return undefined;
    const entry = target.entries.get(e.name.text);
    if (!entry) return undefined;
    if (entry.origin) return entry.origin;
    return this.lib.cv.fileOf(entry.node) !== this.lib.cv.fileOf(at) ? entry : undefined;
  }

  private propertyName(name: ts.PropertyName, env: Env): string | undefined {
    if (ts.isIdentifier(name) || ts.isStringLiteralLike(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
    if (ts.isComputedPropertyName(name)) {
      const v = this.eval(name.expression, env);
      return v.k === 'lit' && (typeof v.v === 'string' || typeof v.v === 'number') ? String(v.v) : undefined;
    }
    return undefined;
  }

  private array(a: ts.ArrayLiteralExpression, env: Env): ArrVal {
    const out: ArrVal = { k: 'arr', items: [], open: false };
    for (const el of a.elements) {
      if (ts.isSpreadElement(el)) {
        const spread = this.eval(el.expression, env);
        if (spread.k === 'arr') {
          out.items.push(...spread.items);
          if (spread.open) out.open = true;
        } else out.open = true;
        continue;
      }
      if (el.kind === SyntaxKind.OmittedExpression) {
        out.items.push({ val: UNDEF, node: el });
        continue;
      }
      out.items.push({ val: this.eval(el, env), node: el });
    }
    return out;
  }

  private binary(b: ts.BinaryExpression, env: Env): Val {
    const op = b.operatorToken.kind;
    if (op === SyntaxKind.EqualsToken) {
      const val = this.eval(b.right, env);
      this.assign(b.left, val, env);
      return val;
    }
    if (op >= SyntaxKind.FirstCompoundAssignment && op <= SyntaxKind.LastCompoundAssignment) {
      this.eval(b.right, env);
      this.assign(b.left, unknown('a value updated in place'), env);
      return unknown('an assignment');
    }
    const left = this.eval(b.left, env);
    if (op === SyntaxKind.QuestionQuestionToken || op === SyntaxKind.BarBarToken) {
      const nullish = left.k === 'undef' || (left.k === 'lit' && left.v === null);
      const decided = op === SyntaxKind.QuestionQuestionToken ? (nullish ? false : left.k === 'unknown' || left.k === 'token' ? undefined : true) : truthiness(left);
      if (decided === true) return left;
      const right = this.eval(b.right, env);
      return decided === false ? right : unknownNode(this, b);
    }
    if (op === SyntaxKind.AmpersandAmpersandToken) {
      const t = truthiness(left);
      if (t === false) return left;
      const right = this.eval(b.right, env);
      return t === true ? right : unknownNode(this, b);
    }
    const right = this.eval(b.right, env);
    if (left.k === 'lit' && right.k === 'lit') {
      const l = left.v;
      const r = right.v;
      switch (op) {
        case SyntaxKind.PlusToken:
          if (typeof l === 'number' && typeof r === 'number') return lit(l + r);
          if (typeof l === 'string' || typeof r === 'string') return lit(String(l) + String(r));
          break;
        case SyntaxKind.MinusToken:
          if (typeof l === 'number' && typeof r === 'number') return lit(l - r);
          break;
        case SyntaxKind.AsteriskToken:
          if (typeof l === 'number' && typeof r === 'number') return lit(l * r);
          break;
        case SyntaxKind.SlashToken:
          if (typeof l === 'number' && typeof r === 'number' && r !== 0) return lit(l / r);
          break;
        case SyntaxKind.EqualsEqualsEqualsToken:
        case SyntaxKind.EqualsEqualsToken:
          return lit(l === r);
        case SyntaxKind.ExclamationEqualsEqualsToken:
        case SyntaxKind.ExclamationEqualsToken:
          return lit(l !== r);
        case SyntaxKind.GreaterThanToken:
          if (typeof l === 'number' && typeof r === 'number') return lit(l > r);
          break;
        case SyntaxKind.GreaterThanEqualsToken:
          if (typeof l === 'number' && typeof r === 'number') return lit(l >= r);
          break;
        case SyntaxKind.LessThanToken:
          if (typeof l === 'number' && typeof r === 'number') return lit(l < r);
          break;
        case SyntaxKind.LessThanEqualsToken:
          if (typeof l === 'number' && typeof r === 'number') return lit(l <= r);
          break;
        default:
          break;
      }
    }
    return unknownNode(this, b);
  }

  /** The value whose member an expression reads: `this` is the instance itself, with its fields. */
  private receiverOf(expr: ts.Expression, env: Env): Val {
    return expr.kind === SyntaxKind.ThisKeyword ? (env.thisValue() ?? unknown('this')) : this.eval(expr, env);
  }

  private assign(target: ts.Expression, val: Val, env: Env): void {
    const t = unwrap(target);
    if (ts.isIdentifier(t)) {
      env.assign(t.text, val);
      return;
    }
    if (ts.isPropertyAccessExpression(t)) {
      const options = unwrap(t.expression);
      if (t.name.text === 'condition' && ts.isPropertyAccessExpression(options) && options.name.text === 'cfnOptions') {
        // `resource.cfnOptions.condition = condition`
        this.lib.setCondition(this.receiverOf(options.expression, env), val);
        return;
      }
      const owner = this.receiverOf(t.expression, env);
      if (owner.k === 'inst') owner.fields.set(t.name.text, val);
      else if (owner.k === 'obj') owner.entries.set(t.name.text, { val, node: t, key: t.name });
      else if (owner.k === 'class') owner.statics.set(t.name.text, val);
    }
  }

  /** `target.name`. */
  member(target: Val, name: string, node: ts.Node): Val {
    switch (target.k) {
      case 'obj': {
        const entry = target.entries.get(name);
        return entry ? entry.val : target.open ? unknown(name) : UNDEF;
      }
      case 'arr':
        if (name === 'length') return target.open ? unknown('a length') : lit(target.items.length);
        if (/^\d+$/.test(name)) return target.items[Number(name)]?.val ?? (target.open ? unknown('an item') : UNDEF);
        return unknown(name);
      case 'inst': {
        const field = target.fields.get(name);
        if (field) return field;
        const method = this.findMember(target.cls, name, false);
        if (method && (ts.isMethodDeclaration(method) || ts.isPropertyDeclaration(method))) {
          if (ts.isMethodDeclaration(method)) return { k: 'fn', decl: method, env: this.classEnv(target.cls, method), self: target };
        }
        if (method && ts.isGetAccessorDeclaration(method)) return this.invoke({ k: 'fn', decl: method, env: this.classEnv(target.cls, method) }, [], target);
        // an attribute of the CDK construct the class extends (`this.functionArn`)
        if (!method && target.base?.k === 'cx') return this.lib.attribute(target.base.c, name, node);
        return unknown(name);
      }
      case 'class': {
        const stat = target.statics.get(name);
        if (stat) return stat;
        const m = this.findMember(target, name, true);
        if (m && ts.isMethodDeclaration(m)) return { k: 'fn', decl: m, env: this.classEnv(target, m), self: target };
        if (m && ts.isPropertyDeclaration(m) && m.initializer) {
          const v = this.eval(m.initializer, new Env(target.env, target));
          target.statics.set(name, v);
          return v;
        }
        return unknown(name);
      }
      case 'mod': {
        const next: Val & { k: 'mod' } = { k: 'mod', module: target.module, path: [...target.path, name], from: target.from };
        return (target.path.length === 0 && this.importedValue(next)) || next;
      }
      case 'cx':
        return this.lib.attribute(target.c, name, node);
      case 'undef':
        return UNDEF;
      case 'lit':
      case 'token':
        // a schedule (`Schedule.cron({...})`) is its expression: `.expressionString` is itself
        return name === 'expressionString' && isScheduleExpression(target) ? target : unknown(name);
      default:
        return unknown(name);
    }
  }

  /** The environment a member of `cls` runs in (members of a base class run in that class's). */
  private classEnv(cls: ClassVal, member: ts.Node): Env {
    for (let c: ClassVal | undefined = cls; c; c = this.baseClass(c)) if (c.decl.members.includes(member as ts.ClassElement)) return c.env;
    return cls.env;
  }

  private findMember(cls: ClassVal, name: string, statics: boolean): ts.ClassElement | undefined {
    for (let c: ClassVal | undefined = cls; c; c = this.baseClass(c)) {
      const m = c.decl.members.find((m) => m.name !== undefined && memberName(m.name) === name && isStatic(m) === statics);
      if (m) return m;
    }
    return undefined;
  }

  private args(call: ts.CallExpression | ts.NewExpression, env: Env): Val[] {
    const out: Val[] = [];
    for (const a of call.arguments ?? []) {
      if (ts.isSpreadElement(a)) {
        const spread = this.eval(a.expression, env);
        if (spread.k === 'arr') out.push(...spread.items.map((i) => i.val));
        else out.push(unknown('spread arguments'));
      } else out.push(this.eval(a, env));
    }
    return out;
  }

  private call(c: ts.CallExpression, env: Env): Val {
    const callee = unwrap(c.expression);
    if (callee.kind === SyntaxKind.SuperKeyword) {
      this.args(c, env);
      return UNDEF;
    }
    if (ts.isIdentifier(callee) && callee.text === 'require' && c.arguments[0] && ts.isStringLiteralLike(c.arguments[0])) {
      return { k: 'mod', module: c.arguments[0].text, path: [], from: this.lib.cv.fileOf(c).fileName };
    }
    // `require.resolve('./handlers/orders')`, `` require.resolve(`./handlers/${name}`) ``: the
    // absolute path of a file of the app, resolved from the calling file's folder (its extension
    // is Node's to find, as it is for an entry the CDK resolves)
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'resolve' && ts.isIdentifier(callee.expression) && callee.expression.text === 'require' && !env.lookup('require') && c.arguments.length === 1) {
      const spec = stringOf(this.eval(c.arguments[0]!, env));
      if (spec !== undefined && /^\.\.?\//.test(spec)) return lit(path.resolve(path.dirname(this.lib.cv.fileOf(c).fileName), spec));
      return unknownNode(this, c);
    }
    if (ts.isPropertyAccessExpression(callee) && callee.expression.kind === SyntaxKind.SuperKeyword) {
      // `super.addEventSource(source)`: a method of the CDK construct the class extends
      const self = env.thisValue();
      const args = this.args(c, env);
      return self?.k === 'inst' && self.base?.k === 'cx' ? this.lib.method(self.base.c, callee.name.text, args, c) : unknownNode(this, c);
    }
    if (ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee)) {
      const receiver = this.receiverOf(callee.expression, env);
      const nameVal = ts.isPropertyAccessExpression(callee) ? lit(callee.name.text) : this.eval(callee.argumentExpression, env);
      const name = nameVal.k === 'lit' && typeof nameVal.v === 'string' ? nameVal.v : undefined;
      if (c.questionDotToken && receiver.k === 'undef') return UNDEF;
      const args = this.args(c, env);
      if (name === undefined) return unknownNode(this, c);
      return this.callMethod(receiver, name, args, c);
    }
    const fn = this.eval(callee, env);
    const args = this.args(c, env);
    return this.callValue(fn, args, c);
  }

  callValue(fn: Val, args: Val[], node: ts.CallExpression): Val {
    if (fn.k === 'fn') return this.invoke(fn, args, undefined);
    if (fn.k === 'mod') {
      const imported = this.importedFunction(fn);
      return imported ? this.invoke(imported, args, undefined) : this.lib.callStatic(fn, args, node);
    }
    return unknownNode(this, node);
  }

  private callMethod(receiver: Val, name: string, args: Val[], node: ts.CallExpression): Val {
    switch (receiver.k) {
      case 'inst':
      case 'class':
      case 'obj': {
        const m = this.member(receiver, name, node);
        if (m.k === 'fn') return this.invoke(m, args, receiver.k === 'obj' ? receiver : m.self ?? receiver);
        // a method of the CDK construct the class extends (`this.addEnvironment(...)`)
        if (receiver.k === 'inst' && receiver.base?.k === 'cx' && !this.findMember(receiver.cls, name, false)) return this.lib.method(receiver.base.c, name, args, node);
        return unknownNode(this, node);
      }
      case 'arr':
        return this.arrayMethod(receiver, name, args, node);
      case 'mod': {
        // a collection another module exports (`import { TENANTS } from './config'`)
        if (ITERATORS.has(name) && !/^(aws-cdk-lib|constructs|@aws-cdk)(\/|$)/.test(receiver.module)) return this.iterateUnknown(receiver, name, args, node);
        const member: Val & { k: 'mod' } = { k: 'mod', module: receiver.module, path: [...receiver.path, name], from: receiver.from };
        // a function of a namespace import, a static method of a class of another file
        const fn = receiver.path.length === 0 ? this.importedFunction(member) : undefined;
        if (fn) return this.invoke(fn, args, undefined);
        const cls = receiver.path.length === 1 ? this.importedClass(receiver) : undefined;
        if (cls) return this.callMethod(cls, name, args, node);
        return this.lib.callStatic(member, args, node);
      }
      case 'cx':
        return this.lib.method(receiver.c, name, args, node);
      case 'dur':
        return durationMethod(receiver.seconds, name, args) ?? unknownNode(this, node);
      case 'global':
        if (receiver.name === 'JSON' && name === 'stringify' && args[0]) return { k: 'json', of: args[0] };
        // `Object.entries(FEEDS).map(([id, settings]) => new Poller(this, id, settings))`: a loop over a known object
        if (receiver.name === 'Object' && (name === 'entries' || name === 'keys' || name === 'values') && args[0]?.k === 'obj') return objectItems(args[0], name);
        if (receiver.name === 'Object' && name === 'assign' && args[0]?.k === 'obj') {
          for (const source of args.slice(1)) {
            if (source.k === 'obj') for (const [key, entry] of source.entries) args[0].entries.set(key, entry);
            else args[0].open = true;
          }
          return args[0];
        }
        return unknownNode(this, node);
      case 'unknown':
        return this.iterateUnknown(receiver, name, args, node);
      default:
        return unknownNode(this, node);
    }
  }

  /**
   * A method of a value from outside the file (an imported config, a prop). An iteration runs its
   * callback once, on an unknown item, as a loop over an unknown collection does.
   */
  private iterateUnknown(receiver: Val, name: string, args: Val[], node: ts.CallExpression): Val {
    if (ITERATORS.has(name) && args[0]?.k === 'fn') {
      this.invoke(args[0], [unknown('an item'), unknown('an index'), receiver], undefined);
      return name === 'forEach' ? UNDEF : unknownNode(this, node);
    }
    return receiver.k === 'unknown' ? this.lib.unknownReceiverMethod(name, args, node) : unknownNode(this, node);
  }

  private arrayMethod(arr: ArrVal, name: string, args: Val[], node: ts.CallExpression): Val {
    const fn = args[0];
    const items: Item[] = arr.open ? [...arr.items, { val: unknown('an item'), node }] : arr.items;
    switch (name) {
      case 'forEach':
      case 'map':
      case 'flatMap': {
        if (fn?.k !== 'fn') return unknownNode(this, node);
        const results = items.map((item, i) => ({ val: this.invoke(fn, [item.val, lit(i), arr], undefined), node: item.node }));
        if (name === 'forEach') return UNDEF;
        if (name === 'map') return { k: 'arr', items: results, open: arr.open };
        return unknownNode(this, node);
      }
      case 'push':
        arr.items.push(...args.map((val) => ({ val, node })));
        return lit(arr.items.length);
      case 'concat': {
        const out: ArrVal = { k: 'arr', items: [...arr.items], open: arr.open };
        for (const a of args) {
          if (a.k === 'arr') {
            out.items.push(...a.items);
            if (a.open) out.open = true;
          } else out.items.push({ val: a, node });
        }
        return out;
      }
      case 'slice': {
        // a copy of a known array (`(props.securityGroups ?? []).slice()`), or a part of it at
        // known positions; other slices are some of its items
        const bounds = args.map((a) => (a.k === 'lit' && typeof a.v === 'number' && Number.isInteger(a.v) ? a.v : a.k === 'undef' ? undefined : null));
        if (arr.open || bounds.includes(null)) return { k: 'arr', items: arr.items, open: true };
        return { k: 'arr', items: arr.items.slice(bounds[0] ?? undefined, bounds[1] ?? undefined), open: false };
      }
      case 'filter':
        return { k: 'arr', items: arr.items, open: true };
      default:
        return unknownNode(this, node);
    }
  }

  private newExpression(n: ts.NewExpression, env: Env): Val {
    const callee = this.eval(n.expression, env);
    const args = this.args(n, env);
    if (callee.k === 'class') return this.construct(callee, args, n);
    if (callee.k === 'mod') {
      const imported = this.importedClass(callee);
      return imported ? this.construct(imported, args, n) : this.lib.construct(callee, args, n);
    }
    return unknownNode(this, n);
  }
}

/** `Object.entries/keys/values` of an object: its pairs, keys or values, in the order written. */
function objectItems(obj: ObjVal, name: 'entries' | 'keys' | 'values'): ArrVal {
  const items: Item[] = [];
  for (const [key, entry] of obj.entries) {
    const keyVal = lit(key);
    const val: Val = name === 'keys' ? keyVal : name === 'values' ? entry.val : { k: 'arr', items: [{ val: keyVal, node: entry.key }, { val: entry.val, node: entry.node }], open: false };
    items.push({ val, node: entry.node });
  }
  return { k: 'arr', items, open: obj.open };
}

/** Array methods whose first argument runs once per item. */
const ITERATORS: ReadonlySet<string> = new Set(['forEach', 'map', 'flatMap']);

export function isStatic(m: ts.ClassElement): boolean {
  // the parsed modifiers as written (ts.getModifiers computes and caches flags for every node)
  return (m as { modifiers?: ts.NodeArray<ts.ModifierLike> }).modifiers?.some((x) => x.kind === SyntaxKind.StaticKeyword) ?? false;
}

export function memberName(name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteralLike(name) || ts.isNumericLiteral(name)) return name.text;
  return undefined;
}

