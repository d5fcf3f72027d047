/**
 * Lambda functions in the resource model, uniformly for CloudFormation (`AWS::Lambda::Function`),
 * SAM (`AWS::Serverless::Function`, Globals already merged) and the formats mapped onto them
 * (CDK synth, Serverless Framework, Terraform): which resource a reference means, and the
 * function's effective timeout.
 */
import type { IacValue, PathSegment, Resource, Template } from './model.js';
import { hasOpaqueProperties, isAbsent, references, refTarget } from './resources.js';

export const FUNCTION_TYPES = ['AWS::Lambda::Function', 'AWS::Serverless::Function'] as const;

/** Lambda's own default timeout (seconds). */
export const LAMBDA_DEFAULT_TIMEOUT = 3;
/** The Serverless Framework's default function timeout (seconds). */
export const SERVERLESS_DEFAULT_TIMEOUT = 6;

export function isFunction(resource: Resource | undefined): resource is Resource {
  return resource !== undefined && (FUNCTION_TYPES as readonly string[]).includes(resource.type);
}

/** Functions of the template, in document order. */
export function functions(template: Template): Resource[] {
  return [...template.resources.values()].filter(isFunction);
}

/** A literal number, or a string holding one (`"30"`); undefined otherwise. */
export function literalNumber(value: IacValue | undefined): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}

/**
 * The function a `FunctionName` string names: itself, or the name in a full or partial ARN
 * (`123456789012:function:name`), without its version or alias.
 */
export function functionNameOf(value: string): string {
  return /^(?:arn:aws[a-z-]*:lambda:[^:]*:)?[^:]*:function:([^:]+)/.exec(value)?.[1] ?? value;
}

/**
 * The logical id of the function `value` designates: a `Ref` / `GetAtt` / `Fn::Sub` to the
 * function, to a Lambda alias or version of it, an API Gateway integration URI built around the
 * function's ARN, or a literal function name equal to a function's `FunctionName`.
 */
export function functionRef(template: Template, value: IacValue | undefined): string | undefined {
  if (isAbsent(value)) return undefined;
  const direct = refTarget(value, template);
  const resolve = (id: string): string | undefined => {
    const resource = template.resources.get(id);
    if (!resource) return undefined;
    if ((FUNCTION_TYPES as readonly string[]).includes(resource.type)) return id;
    if ((resource.type === 'AWS::Lambda::Alias' || resource.type === 'AWS::Lambda::Version')) {
      const inner = refTarget(resource.properties['FunctionName'], template);
      return inner && isFunction(template.resources.get(inner)) ? inner : undefined;
    }
    return undefined;
  };
  if (direct) return resolve(direct);
  if (typeof value === 'string') {
    const name = functionNameOf(value);
    for (const fn of functions(template)) if (fn.properties['FunctionName'] === name) return fn.id;
    return undefined;
  }
  // Fn::Join / Fn::Sub around exactly one function (e.g. an API Gateway integration URI).
  const found = new Set<string>();
  for (const id of references(value, template).ids) {
    const fn = template.resources.has(id) ? resolve(id) : undefined;
    if (fn) found.add(fn);
  }
  return found.size === 1 ? [...found][0] : undefined;
}

export interface FunctionTimeout {
  /** Seconds. */
  seconds: number;
  /** True when the value is the platform default (no `Timeout` set). */
  isDefault: boolean;
  /** Where to point: the `Timeout` property, or the function when it is absent. */
  path: PathSegment[];
}

/**
 * The function's effective timeout: `Timeout` (SAM Globals included), else the default of the
 * format (Serverless Framework 6 s, otherwise 3 s). Undefined when it cannot be known (a
 * parameter, `Fn::If`, or properties that are not a mapping).
 */
export function functionTimeout(template: Template, fn: Resource): FunctionTimeout | undefined {
  if (hasOpaqueProperties(template, fn)) return undefined;
  const value = fn.properties['Timeout'];
  if (isAbsent(value)) {
    const seconds = template.format === 'serverless' ? SERVERLESS_DEFAULT_TIMEOUT : LAMBDA_DEFAULT_TIMEOUT;
    return { seconds, isDefault: true, path: [...fn.path, 'Properties', 'Timeout'] };
  }
  const seconds = literalNumber(value);
  return seconds === undefined ? undefined : { seconds, isDefault: false, path: [...fn.path, 'Properties', 'Timeout'] };
}

/** "37 s", "1.5 s". */
export function seconds(value: number): string {
  return `${Number.isInteger(value) ? value : Number(value.toFixed(3))} s`;
}
