/**
 * The values the CDK source interpreter computes: what a TypeScript expression of a CDK app is
 * known to be, without running it. Anything the interpreter cannot follow is `unknown`, and a
 * rule never reads an unknown value as a missing one.
 */
import type { ts } from '../code/ts.js';
import { Intrinsic, type IacValue } from '../iac/model.js';
import type { Res } from './resources.js';

/** An object literal's property: its value and the node it was written at. */
export interface Entry {
  val: Val;
  /** The property assignment (or shorthand, or method) in the source. */
  node: ts.Node;
  /** The property name. */
  key: ts.Node;
  /**
   * The entry of another file's object literal whose value this one passes on unchanged
   * (`schedule: rule.schedule` in a construct class whose caller wrote
   * `rules: [{ schedule: Schedule.cron({ minute: '0' }) }]`): where the value is written, so where a
   * finding about it is placed.
   */
  origin?: Entry;
}

export interface Item {
  val: Val;
  node: ts.Node;
}

/** A modelled CDK object: a construct, or a helper object (an event source, a target, a state). */
export interface Cx {
  /** `<service>.<Class>`, e.g. `sqs.Queue`, `lambda-event-sources.SqsEventSource`. */
  kind: string;
  /** The expression that created it. */
  node: ts.Node;
  /** The part of `node` a missing property points at (`new sqs.Queue`). */
  head: ts.Node;
  /** Construct path (scope ids, then its own id); empty for helper objects. */
  path: string[];
  /** The main resource, for constructs that make one. */
  res?: Res;
  /** Arguments as evaluated. */
  args: Val[];
  /** Per-kind state (targets added later, the next state of a chain, ...). */
  data: Record<string, unknown>;
}

export interface ObjVal {
  k: 'obj';
  entries: Map<string, Entry>;
  /** A spread of something unknown: any other key may be present too. */
  open: boolean;
}

export interface ArrVal {
  k: 'arr';
  items: Item[];
  /** A spread of something unknown: more items may be present. */
  open: boolean;
}

/** An instance of a class declared in the file (a construct, a stack, a plain helper class). */
export interface InstVal {
  k: 'inst';
  cls: ClassVal;
  fields: Map<string, Val>;
  /** Construct path of the instance (ids from the root of the file's construct tree). */
  path: string[];
  /**
   * The CDK construct its class extends (`class TeamFunction extends NodejsFunction`), made by its
   * `super(scope, id, props)`: members the class does not declare are the construct's.
   */
  base?: Val;
}

export interface ClassVal {
  k: 'class';
  decl: ts.ClassLikeDeclaration;
  env: Env;
  statics: Map<string, Val>;
}

export interface FnVal {
  k: 'fn';
  decl: ts.FunctionLikeDeclaration;
  env: Env;
  /** `this` for methods (arrow functions take it from `env`). */
  self?: Val;
}

export type Val =
  | { k: 'undef' }
  | { k: 'lit'; v: string | number | boolean | null }
  | ObjVal
  | ArrVal
  | FnVal
  | ClassVal
  | InstVal
  /**
   * A member of a module: `{ module: 'aws-cdk-lib/aws-sqs', path: ['Queue'] }`; `from` is the
   * file whose import names it (a module of the app resolves from there).
   */
  | { k: 'mod'; module: string; path: string[]; from?: string }
  /** A global such as `JSON` or `Object`. */
  | { k: 'global'; name: string }
  | { k: 'cx'; c: Cx }
  /** A CloudFormation value made by the CDK: `queue.queueArn` is `Fn::GetAtt [Queue, Arn]`. */
  | { k: 'token'; value: IacValue }
  /** `Duration.*`, in seconds. */
  | { k: 'dur'; seconds: number }
  /** `JSON.stringify(value)`: a JSON document held in a string. */
  | { k: 'json'; of: Val }
  | { k: 'unknown'; why: string };

export const UNDEF: Val = { k: 'undef' };

export function unknown(why: string): Val {
  return { k: 'unknown', why };
}

/**
 * An unknown value described by the source text of `node`, worked out only if the description is
 * read: most unknown values are never shown.
 */
export function unknownNode(describer: { describe(node: ts.Node): string }, node: ts.Node): Val {
  let why: string | undefined;
  return {
    k: 'unknown',
    get why(): string {
      return (why ??= describer.describe(node));
    },
  };
}

export function lit(v: string | number | boolean | null): Val {
  return { k: 'lit', v };
}

/** The value of `obj.name` for an object literal: the entry, 'absent', or 'unknown'. */
export function entryOf(obj: Val | undefined, name: string): Entry | 'absent' | 'unknown' {
  if (!obj || obj.k === 'undef') return 'absent';
  if (obj.k !== 'obj') return 'unknown';
  const entry = obj.entries.get(name);
  if (entry) return entry;
  return obj.open ? 'unknown' : 'absent';
}

/** The literal string of a value, if it is one. */
export function stringOf(val: Val | undefined): string | undefined {
  return val?.k === 'lit' && typeof val.v === 'string' ? val.v : undefined;
}

export function numberOf(val: Val | undefined): number | undefined {
  return val?.k === 'lit' && typeof val.v === 'number' ? val.v : undefined;
}

/** True for a value that is certainly truthy/falsy; undefined when it cannot be told. */
export function truthiness(val: Val): boolean | undefined {
  switch (val.k) {
    case 'undef':
      return false;
    case 'lit':
      return Boolean(val.v);
    case 'unknown':
    case 'token':
    case 'global':
      return undefined;
    default:
      return true;
  }
}

/** The modelled CDK object behind a value. */
export function cxOf(val: Val | undefined, ...kinds: string[]): Cx | undefined {
  if (val?.k !== 'cx') return undefined;
  return kinds.length === 0 || kinds.includes(val.c.kind) ? val.c : undefined;
}

/** The variables of a scope, with the scope it is nested in. */
export class Env {
  private readonly vars = new Map<string, Val>();
  constructor(
    readonly parent?: Env,
    /** `this` inside methods and constructors. */
    readonly self?: Val,
  ) {}

  lookup(name: string): Val | undefined {
    const own = this.vars.get(name);
    if (own !== undefined) return own;
    return this.parent?.lookup(name);
  }

  declare(name: string, val: Val): void {
    this.vars.set(name, val);
  }

  /** Assigns to the nearest declaration of `name`; true when there is one. */
  assign(name: string, val: Val): boolean {
    if (this.vars.has(name)) {
      this.vars.set(name, val);
      return true;
    }
    if (this.parent?.assign(name, val)) return true;
    if (!this.parent) this.vars.set(name, val);
    return false;
  }

  thisValue(): Val | undefined {
    return this.self ?? this.parent?.thisValue();
  }
}

/** What the construct library asks of the interpreter. */
export interface Describer {
  /** Words for an expression that cannot be evaluated ("an element of ..."). */
  describe(node: ts.Node): string;
  /** The function or method whose code is running, innermost first; undefined at the top level and in a constructor run as a root. */
  currentFunction?(): ts.FunctionLikeDeclaration | undefined;
  /** Calls a method of an object or an instance of the app (`target.bind()`); undefined when it has none. */
  callMember?(receiver: Val, name: string, args: Val[]): Val | undefined;
}

/** A schedule expression (`Schedule.cron/rate/expression`): `cron(...)`, `rate(...)`, `at(...)`, written out or joined around deploy-time values. */
export function isScheduleExpression(val: Val): boolean {
  if (val.k === 'lit') return typeof val.v === 'string' && SCHEDULE_EXPRESSION.test(val.v);
  if (val.k !== 'token' || !(val.value instanceof Intrinsic) || val.value.name !== 'Fn::Join') return false;
  const parts = Array.isArray(val.value.argument) ? val.value.argument[1] : undefined;
  return Array.isArray(parts) && typeof parts[0] === 'string' && SCHEDULE_EXPRESSION.test(parts[0]);
}

const SCHEDULE_EXPRESSION = /^(?:cron|rate|at)\(/;
