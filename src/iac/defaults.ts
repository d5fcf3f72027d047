/**
 * Templates evaluated as their default deployment would be.
 *
 * A CloudFormation, SAM or CDK template (synthesized, or CDK app source declaring `CfnParameter`s) deployed without parameter overrides takes every parameter's
 * `Default`; its `Conditions` are then decided, and so are the `Fn::If` branches, the
 * `Fn::FindInMap` lookups and the resources whose `Condition` they name. `evaluateDefaults` rewrites
 * the resource properties of each template in place with what that deployment would see, and
 * records, per logical path, which parameters decided the value (`defaultsNote` turns that into the
 * words a finding adds: "with parameter `EnableDLQ` at its default `false`"). Rules keep reading the
 * model as before: a value the defaults decide is now a literal (or the chosen branch), a value
 * they do not decide stays an intrinsic (unknown).
 *
 * - A parameter without a `Default`, and SSM-typed parameters (`AWS::SSM::Parameter::Value<...>`,
 *   whose default is the name of a parameter in the store, not its value), stay unknown.
 * - `List<...>` and `CommaDelimitedList` parameters give a list of their default's items.
 * - Nested stacks: the `Parameters` an `AWS::CloudFormation::Stack` (`TemplateURL`) or a SAM
 *   `AWS::Serverless::Application` (`Location`) passes to a child template that is among the
 *   scanned templates replace the child's defaults (a value the parent cannot decide makes the
 *   child's parameter unknown, whatever its own default). The child is found by its local path, or
 *   by the file name an S3 URL ends with (the parent's folder first, else a unique match).
 * - `Fn::Sub` strings whose variables are all decided become plain strings (JSON documents held in
 *   an `Fn::Sub` or `Fn::Join` keep their intrinsic form: their positions are mapped elsewhere).
 * - Position trees follow the rewrite: a chosen `Fn::If` branch locates at its own text.
 * - A resource whose `Condition` is false at the defaults is not deployed by default:
 *   `notDeployed` names the condition, and findings on it are not reported.
 * - Terraform: `var.name` (and strings interpolating it) takes the `default` of the module's
 *   `variable` block, or in a child module called from the scan the input its `module` block
 *   passes; a variable nothing decides stays unknown.
 */
import path from 'node:path';
import { Intrinsic, Unknown, isPlainObject, type IacValue, type PathSegment, type PlainObject, type Template } from './model.js';
import { templateSource } from './loaders/cloudformation.js';
import { terraformDeclarations } from './loaders/terraform.js';
import type { SourceNode } from './document.js';

/** Where a parameter's value comes from. */
export interface ParameterOrigin {
  /** A CloudFormation parameter, or a Terraform variable. */
  kind?: 'variable';
  parameter: string;
  /** The value as text, for messages. */
  value: string;
  /** A parent stack that passes the value (else: the parameter's own default). */
  parent?: { label: string; file: string; note: string | undefined };
}

interface ParameterValue {
  value: IacValue | undefined;
  origin: ParameterOrigin | undefined;
}

interface Evaluation {
  parameters: Map<string, ParameterValue>;
  /** Path key → parameters whose values decided the value at that path. */
  decided: Map<string, Set<string>>;
  /** Resources whose `Condition` is false at the defaults → the condition's name. */
  notDeployed: Map<string, { condition: string; parameters: Set<string> }>;
}

/** Evaluations by the template's document (views of a template share it). */
const EVALUATIONS = new WeakMap<object, Evaluation>();

const pathKey = (p: readonly PathSegment[]): string => p.map(String).join('\u0000');

function isSsmType(type: IacValue | undefined): boolean {
  return typeof type === 'string' && type.startsWith('AWS::SSM::Parameter::Value<');
}

function isListType(type: IacValue | undefined): boolean {
  return typeof type === 'string' && (type === 'CommaDelimitedList' || type.startsWith('List<'));
}

/** Short text of a value for messages. */
export function valueText(value: IacValue | undefined): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
  else if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) text = value.join(',');
  else text = '…';
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const isScalar = (v: IacValue | undefined): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** Plain data (no intrinsic or unknown inside): a decided value. */
function isDecided(value: IacValue | undefined): boolean {
  if (value === undefined) return false;
  if (value instanceof Intrinsic || value instanceof Unknown) return false;
  if (Array.isArray(value)) return value.every(isDecided);
  if (isPlainObject(value)) return Object.values(value).every(isDecided);
  return true;
}

class Evaluator {
  private readonly conditionCache = new Map<string, { value: boolean | undefined; parameters: Set<string> }>();
  private readonly conditionStack = new Set<string>();

  constructor(
    private readonly template: Template,
    private readonly evaluation: Evaluation,
  ) {}

  private get conditions(): PlainObject {
    const c = this.template.root['Conditions'];
    return isPlainObject(c) ? c : {};
  }

  /** A named condition at the defaults (undefined when the defaults do not decide it). */
  condition(name: string): { value: boolean | undefined; parameters: Set<string> } {
    const cached = this.conditionCache.get(name);
    if (cached) return cached;
    if (this.conditionStack.has(name) || !Object.hasOwn(this.conditions, name)) return { value: undefined, parameters: new Set() };
    this.conditionStack.add(name);
    const parameters = new Set<string>();
    const value = this.truth(this.conditions[name], parameters, 0);
    this.conditionStack.delete(name);
    const result = { value, parameters };
    this.conditionCache.set(name, result);
    return result;
  }

  /** A condition function's value: `Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or`, `Condition`. */
  private truth(value: IacValue | undefined, used: Set<string>, depth: number): boolean | undefined {
    if (depth > 50) return undefined;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    if (!(value instanceof Intrinsic)) return undefined;
    const args = Array.isArray(value.argument) ? value.argument : [value.argument];
    switch (value.name) {
      case 'Condition': {
        if (typeof value.argument !== 'string') return undefined;
        const named = this.condition(value.argument);
        for (const p of named.parameters) used.add(p);
        return named.value;
      }
      case 'Fn::Equals': {
        if (args.length !== 2) return undefined;
        const a = this.plain(args[0], used, depth + 1);
        const b = this.plain(args[1], used, depth + 1);
        if (!isScalar(a) || !isScalar(b)) return undefined;
        return String(a) === String(b);
      }
      case 'Fn::Not': {
        const inner = this.truth(args[0], used, depth + 1);
        return inner === undefined ? undefined : !inner;
      }
      case 'Fn::And':
      case 'Fn::Or': {
        const all = args.map((a) => this.truth(a, used, depth + 1));
        const decisive = value.name === 'Fn::And' ? false : true;
        if (all.includes(decisive)) return decisive;
        return all.every((v) => v !== undefined) ? !decisive : undefined;
      }
      default:
        return undefined;
    }
  }

  /** A value without positions (condition arguments, mapping keys). */
  private plain(value: IacValue | undefined, used: Set<string>, depth: number): IacValue | undefined {
    if (value === undefined) return undefined;
    return this.value(value, undefined, used, depth)[0];
  }

  /**
   * The value at the defaults, and its position node. `used` collects the parameters that decided
   * it; `node` is the value's position (undefined when unknown).
   */
  value(value: IacValue, node: SourceNode | undefined, used: Set<string>, depth = 0): [IacValue, SourceNode | undefined] {
    if (depth > 100) return [value, node];
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const [v, n] = this.value(value[i]!, node?.items?.[i], used, depth + 1);
        value[i] = v;
        if (n && node?.items) node.items[i] = n;
      }
      return [value, node];
    }
    if (isPlainObject(value)) {
      for (const key of Object.keys(value)) {
        const [v, n] = this.value(value[key]!, node?.entries?.get(key), used, depth + 1);
        if (v !== value[key]) {
          if (key === '__proto__') Object.defineProperty(value, key, { value: v, enumerable: true, writable: true, configurable: true });
          else value[key] = v;
        }
        if (n && node?.entries) node.entries.set(key, n);
      }
      return [value, node];
    }
    if (!(value instanceof Intrinsic)) return [value, node];
    const argNode = node?.entries?.get(value.name);
    switch (value.name) {
      case 'Ref': {
        if (typeof value.argument !== 'string') return [value, node];
        const parameter = this.evaluation.parameters.get(value.argument);
        if (!parameter || parameter.value === undefined) return [value, node];
        used.add(value.argument);
        const v = parameter.value;
        return [Array.isArray(v) ? [...v] : v, node];
      }
      case 'Fn::If': {
        const args = value.argument;
        if (!Array.isArray(args) || args.length !== 3 || typeof args[0] !== 'string') return this.inner(value, node, used, depth);
        const named = this.condition(args[0]);
        if (named.value === undefined) return this.inner(value, node, used, depth);
        for (const p of named.parameters) used.add(p);
        const index = named.value ? 1 : 2;
        const branchNode = argNode?.items?.[index];
        const located = branchNode && node ? { ...branchNode, keyStart: node.keyStart, keyEnd: node.keyEnd } : node;
        return this.value(args[index]!, located, used, depth + 1);
      }
      case 'Fn::FindInMap': {
        const args = value.argument;
        if (!Array.isArray(args) || args.length < 3) return this.inner(value, node, used, depth);
        const keys = args.slice(0, 3).map((a) => this.plain(a, used, depth + 1));
        if (!keys.every(isScalar)) return this.inner(value, node, used, depth);
        const mappings = this.template.root['Mappings'];
        const top = isPlainObject(mappings) ? mappings[String(keys[0])] : undefined;
        const second = isPlainObject(top) ? top[String(keys[1])] : undefined;
        const found = isPlainObject(second) && Object.hasOwn(second, String(keys[2])) ? second[String(keys[2])] : undefined;
        if (found === undefined || !isDecided(found)) return this.inner(value, node, used, depth);
        // a copy: the same mapping entry may be looked up from several places
        return [structuredClone(found), node && { start: node.start, end: node.end, keyStart: node.keyStart, keyEnd: node.keyEnd }];
      }
      case 'Fn::Sub':
        return this.sub(value, node, used, depth);
      case 'Fn::Join': {
        const [v] = this.inner(value, node, used, depth);
        const args = v instanceof Intrinsic ? v.argument : undefined;
        if (!Array.isArray(args) || typeof args[0] !== 'string' || !Array.isArray(args[1])) return [v, node];
        const parts = args[1];
        if (!parts.every((p) => typeof p === 'string' || typeof p === 'number')) return [v, node];
        const joined = parts.map(String).join(args[0]);
        // JSON text stays an intrinsic: definitions map positions inside it part by part
        return /^\s*[{[]/.test(joined) ? [v, node] : [joined, node];
      }
      case 'Fn::Select': {
        const [v] = this.inner(value, node, used, depth);
        const args = v instanceof Intrinsic ? v.argument : undefined;
        if (!Array.isArray(args) || args.length !== 2 || !Array.isArray(args[1])) return [v, node];
        const index = typeof args[0] === 'number' ? args[0] : typeof args[0] === 'string' && /^\d+$/.test(args[0]) ? Number(args[0]) : undefined;
        const item = index === undefined ? undefined : args[1][index];
        return item !== undefined && isDecided(item) ? [item, node] : [v, node];
      }
      default:
        return this.inner(value, node, used, depth);
    }
  }

  /** Evaluates an intrinsic's argument and keeps the intrinsic. */
  private inner(value: Intrinsic, node: SourceNode | undefined, used: Set<string>, depth: number): [IacValue, SourceNode | undefined] {
    const argNode = node?.entries?.get(value.name);
    const [argument, n] = this.value(value.argument, argNode, used, depth + 1);
    if (n && argNode && n !== argNode) node!.entries!.set(value.name, n);
    return [argument === value.argument ? value : new Intrinsic(value.name, argument), node];
  }

  /** `Fn::Sub` whose variables the defaults decide: the string. */
  private sub(value: Intrinsic, node: SourceNode | undefined, used: Set<string>, depth: number): [IacValue, SourceNode | undefined] {
    const arg = value.argument;
    const text = typeof arg === 'string' ? arg : Array.isArray(arg) && typeof arg[0] === 'string' ? arg[0] : undefined;
    if (text === undefined) return [value, node];
    let variables: PlainObject = {};
    if (Array.isArray(arg) && isPlainObject(arg[1])) {
      const varsNode = node?.entries?.get('Fn::Sub')?.items?.[1];
      variables = this.value(arg[1], varsNode, used, depth + 1)[0] as PlainObject;
    }
    // JSON documents built with Fn::Sub keep their form (positions inside them are mapped from the text)
    if (/^\s*[{[]/.test(text)) return [value, node];
    const local = new Set<string>();
    let open = false;
    const replaced = text.replace(/\$\{([^}]*)\}/g, (match, body: string) => {
      const name = body.trim();
      if (name.startsWith('!')) return match;
      const bound = Object.hasOwn(variables, name) ? variables[name] : undefined;
      if (bound !== undefined) {
        if (typeof bound === 'string' || typeof bound === 'number') return String(bound);
        open = true;
        return match;
      }
      const parameter = this.evaluation.parameters.get(name);
      if (parameter?.value !== undefined && (typeof parameter.value === 'string' || typeof parameter.value === 'number')) {
        local.add(name);
        return String(parameter.value);
      }
      open = true;
      return match;
    });
    if (open) return [value, node];
    for (const p of local) used.add(p);
    return [replaced.replace(/\$\{!/g, '${'), node];
  }
}

/** The child template a nested stack resource names, among the templates. */
function childTemplate(parent: Template, location: IacValue | undefined, byFile: Map<string, Template>, byBase: Map<string, Template[]>): Template | undefined {
  let text: string | undefined;
  if (typeof location === 'string') text = location;
  else if (location instanceof Intrinsic && location.name === 'Fn::Sub') {
    const arg = location.argument;
    text = typeof arg === 'string' ? arg : Array.isArray(arg) && typeof arg[0] === 'string' ? arg[0] : undefined;
  } else if (location instanceof Intrinsic && location.name === 'Fn::Join' && Array.isArray(location.argument) && Array.isArray(location.argument[1])) {
    const last = location.argument[1][location.argument[1].length - 1];
    text = typeof last === 'string' ? last : undefined;
  }
  if (!text) return undefined;
  const dir = path.dirname(parent.file);
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text) && !text.includes('${')) {
    const local = byFile.get(path.resolve(dir, text));
    if (local) return local;
  }
  const base = text.slice(text.lastIndexOf('/') + 1);
  if (!base || base.includes('${')) return undefined;
  const candidates = byBase.get(base) ?? [];
  const beside = candidates.filter((t) => path.dirname(t.file) === dir);
  if (beside.length === 1) return beside[0];
  return candidates.length === 1 ? candidates[0] : undefined;
}

const CFN_FORMATS = new Set(['cloudformation', 'sam', 'cdk']);

/** The parent template that deploys a template as a nested stack, by the child's document. */
const PARENTS = new WeakMap<object, Template>();

/** The template that deploys `template` as a nested stack (found by `evaluateDefaults`), if any. */
export function nestedStackParent(template: Template): Template | undefined {
  return PARENTS.get(template.root);
}

/**
 * Terraform: `var.name` values (and strings that interpolate them) take the variable's `default`
 * from the `variable` blocks of the module's files, or the input a `module` block of the scan
 * passes to the module (a child module's variable that no caller decides stays unknown).
 */
function evaluateTerraform(templates: readonly Template[]): void {
  const modules = new Map<string, Template[]>();
  for (const t of templates) {
    if (t.format !== 'terraform' || EVALUATIONS.has(t.root)) continue;
    const dir = path.dirname(path.resolve(t.file));
    modules.set(dir, [...(modules.get(dir) ?? []), t]);
  }
  if (modules.size === 0) return;
  // inputs passed to child modules of the scan, by the child's folder
  const calls = new Map<string, { inputs: Map<string, IacValue>; label: string; file: string }[]>();
  for (const [dir, files] of modules) {
    for (const t of files) {
      for (const call of terraformDeclarations(t)?.modules ?? []) {
        if (!call.source || !/^\.\.?\//.test(call.source)) continue;
        const child = path.resolve(dir, call.source);
        calls.set(child, [...(calls.get(child) ?? []), { inputs: call.inputs, label: path.basename(child), file: path.basename(t.file) }]);
      }
    }
  }
  for (const [dir, files] of modules) {
    const parameters = new Map<string, ParameterValue>();
    const callers = calls.get(dir);
    for (const t of files) {
      for (const [name, fallback] of terraformDeclarations(t)?.variables ?? []) {
        let value: IacValue | undefined = isDecided(fallback) && !isPlainObject(fallback) ? fallback : undefined;
        let origin: ParameterOrigin | undefined = value === undefined ? undefined : { kind: 'variable', parameter: name, value: valueText(value) };
        if (callers) {
          const passed = callers.map((c) => (c.inputs.has(name) ? c.inputs.get(name) : value));
          const first = passed[0];
          const agree = passed.every((v) => v !== undefined && isDecided(v) && JSON.stringify(v) === JSON.stringify(first));
          const caller = callers.find((c) => c.inputs.has(name));
          value = agree && !isPlainObject(first) ? first : undefined;
          origin = value === undefined ? undefined : caller ? { kind: 'variable', parameter: name, value: valueText(value), parent: { label: caller.label, file: caller.file, note: undefined } } : origin;
        }
        parameters.set(name, { value, origin });
      }
    }
    for (const t of files) {
      const evaluation: Evaluation = { parameters, decided: new Map(), notDeployed: new Map() };
      EVALUATIONS.set(t.root, evaluation);
      for (const resource of t.resources.values()) {
        const replace = (value: IacValue, at: PathSegment[], depth: number): IacValue => {
          if (depth > 100) return value;
          if (value instanceof Unknown) {
            const text = value.description.trim();
            const whole = /^var\.([A-Za-z_][\w-]*)$/.exec(text);
            if (whole) {
              const p = parameters.get(whole[1]!);
              if (p?.value === undefined) return value;
              evaluation.decided.set(pathKey(at), new Set([whole[1]!]));
              return Array.isArray(p.value) ? [...p.value] : p.value;
            }
            if (!text.includes('${var.')) return value;
            const used = new Set<string>();
            let open = false;
            const replaced = text.replace(/\$\{([^}]*)\}/g, (match, body: string) => {
              const name = /^\s*var\.([A-Za-z_][\w-]*)\s*$/.exec(body)?.[1];
              const p = name ? parameters.get(name) : undefined;
              if (name && (typeof p?.value === 'string' || typeof p?.value === 'number')) {
                used.add(name);
                return String(p.value);
              }
              open = true;
              return match;
            });
            if (open) return value;
            evaluation.decided.set(pathKey(at), used);
            return replaced;
          }
          if (Array.isArray(value)) {
            value.forEach((v, i) => (value[i] = replace(v, [...at, i], depth + 1)));
            return value;
          }
          if (isPlainObject(value)) {
            for (const key of Object.keys(value)) {
              const v = replace(value[key]!, [...at, key], depth + 1);
              if (v !== value[key]) value[key] = v;
            }
            return value;
          }
          if (value instanceof Intrinsic) {
            const argument = replace(value.argument, [...at, value.name], depth + 1);
            return argument === value.argument ? value : new Intrinsic(value.name, argument);
          }
          return value;
        };
        replace(resource.properties, [...resource.path, 'Properties'], 0);
      }
    }
  }
}

/**
 * Evaluates the CloudFormation and SAM templates at their default deployment (in place), parents
 * of nested stacks before their children, and Terraform modules with their variables' defaults.
 * Call once, after every template is loaded.
 */
export function evaluateDefaults(templates: readonly Template[]): void {
  evaluateTerraform(templates);
  // CDK app source declares parameters with `CfnParameter`; a file without any has nothing to evaluate
  const eligible = templates.filter((t) => (CFN_FORMATS.has(t.format) || (t.format === 'cdk-source' && isPlainObject(t.root['Parameters']))) && !EVALUATIONS.has(t.root));
  if (eligible.length === 0) return;
  const byFile = new Map(eligible.map((t) => [path.resolve(t.file), t]));
  const byBase = new Map<string, Template[]>();
  for (const t of eligible) {
    const base = path.basename(t.file);
    byBase.set(base, [...(byBase.get(base) ?? []), t]);
  }
  // parent → children links (nested stacks in the scan)
  const passed = new Map<Template, { parent: Template; resourceId: string; parameters: IacValue | undefined }[]>();
  for (const parent of eligible) {
    for (const resource of parent.resources.values()) {
      const location =
        resource.type === 'AWS::CloudFormation::Stack' ? resource.properties['TemplateURL'] : resource.type === 'AWS::Serverless::Application' ? resource.properties['Location'] : undefined;
      if (location === undefined) continue;
      const child = childTemplate(parent, location, byFile, byBase);
      if (!child || child === parent) continue;
      passed.set(child, [...(passed.get(child) ?? []), { parent, resourceId: resource.id, parameters: resource.properties['Parameters'] }]);
      if (!PARENTS.has(child.root)) PARENTS.set(child.root, parent);
    }
  }
  const state = new Map<Template, 'busy' | 'done'>();
  const visit = (template: Template, depth: number): void => {
    if (state.has(template) || depth > 20) return;
    state.set(template, 'busy');
    const links = passed.get(template) ?? [];
    for (const link of links) visit(link.parent, depth + 1);
    evaluate(template, links);
    state.set(template, 'done');
  };
  for (const template of eligible) visit(template, 0);
}

function evaluate(template: Template, links: { parent: Template; resourceId: string; parameters: IacValue | undefined }[]): void {
  const evaluation: Evaluation = { parameters: new Map(), decided: new Map(), notDeployed: new Map() };
  EVALUATIONS.set(template.root, evaluation);
  const declared = isPlainObject(template.root['Parameters']) ? template.root['Parameters'] : {};
  for (const [name, parameter] of Object.entries(declared)) {
    if (!isPlainObject(parameter)) continue;
    const type = parameter['Type'];
    const fallback = parameter['Default'];
    let value: IacValue | undefined;
    if (!isSsmType(type) && (isScalar(fallback) || (Array.isArray(fallback) && fallback.every(isScalar)))) {
      value = isListType(type) && typeof fallback === 'string' ? fallback.split(',').map((s) => s.trim()) : fallback;
    }
    evaluation.parameters.set(name, { value, origin: value === undefined ? undefined : { parameter: name, value: valueText(value) } });
  }
  // values passed by parent stacks replace the defaults; parents disagreeing (or passing what they cannot decide) leave them unknown
  const fromParents = new Map<string, { value: IacValue | undefined; origin: ParameterOrigin | undefined }[]>();
  for (const link of links) {
    const passedValues = link.parameters;
    if (!isPlainObject(passedValues)) continue;
    const parentResource = link.parent.resources.get(link.resourceId)!;
    for (const [name, v] of Object.entries(passedValues)) {
      const decided = isDecided(v) && !isPlainObject(v) ? v : undefined;
      const note = defaultsNote(link.parent, [...parentResource.path, 'Properties', 'Parameters', name], false)?.replace(/^with /, 'from ');
      const origin: ParameterOrigin | undefined =
        decided === undefined ? undefined : { parameter: name, value: valueText(decided), parent: { label: link.resourceId, file: path.basename(link.parent.file), note } };
      fromParents.set(name, [...(fromParents.get(name) ?? []), { value: decided, origin }]);
    }
  }
  for (const [name, values] of fromParents) {
    if (!evaluation.parameters.has(name)) continue;
    const first = values[0]!;
    const agree = values.every((v) => v.value !== undefined && valueText(v.value) === valueText(first.value) && JSON.stringify(v.value) === JSON.stringify(first.value));
    evaluation.parameters.set(name, agree ? first : { value: undefined, origin: undefined });
  }
  const evaluator = new Evaluator(template, evaluation);
  const source = templateSource(template);
  const resourcesNode = source?.entries?.get('Resources');
  const resources = template.root['Resources'];
  if (!isPlainObject(resources)) return;
  for (const resource of template.resources.values()) {
    const declaredResource = resources[resource.id];
    if (!isPlainObject(declaredResource)) continue;
    const condition = declaredResource['Condition'];
    if (typeof condition === 'string') {
      const named = evaluator.condition(condition);
      if (named.value === false) evaluation.notDeployed.set(resource.id, { condition, parameters: named.parameters });
    }
    if (!Object.hasOwn(declaredResource, 'Properties')) continue;
    const resourceNode = resourcesNode?.entries?.get(resource.id);
    const propertiesNode = resourceNode?.entries?.get('Properties');
    const propertiesPath = [...resource.path, 'Properties'];
    const recorder = new PathRecorder(evaluation, evaluator);
    const [properties, node] = recorder.walk(declaredResource['Properties']!, propertiesNode, propertiesPath);
    declaredResource['Properties'] = properties;
    if (node && propertiesNode && node !== propertiesNode) resourceNode!.entries!.set('Properties', node);
    resource.properties = isPlainObject(properties) ? properties : {};
  }
}

/** Walks a value, evaluating the intrinsics it meets and recording which parameters decided each one. */
class PathRecorder {
  constructor(
    private readonly evaluation: Evaluation,
    private readonly evaluator: Evaluator,
  ) {}

  walk(value: IacValue, node: SourceNode | undefined, at: PathSegment[], depth = 0): [IacValue, SourceNode | undefined] {
    if (depth > 100) return [value, node];
    if (value instanceof Intrinsic) {
      const used = new Set<string>();
      const [v, n] = this.evaluator.value(value, node, used);
      if (used.size > 0) this.evaluation.decided.set(pathKey(at), used);
      return [v, n];
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const [v, n] = this.walk(value[i]!, node?.items?.[i], [...at, i], depth + 1);
        value[i] = v;
        if (n && node?.items && n !== node.items[i]) node.items[i] = n;
      }
      return [value, node];
    }
    if (isPlainObject(value)) {
      for (const key of Object.keys(value)) {
        const [v, n] = this.walk(value[key]!, node?.entries?.get(key), [...at, key], depth + 1);
        if (v !== value[key]) {
          if (key === '__proto__') Object.defineProperty(value, key, { value: v, enumerable: true, writable: true, configurable: true });
          else value[key] = v;
        }
        if (n && node?.entries && n !== node.entries.get(key)) node.entries.set(key, n);
      }
    }
    return [value, node];
  }
}

/** The origin of each parameter in `names`, in the template's evaluation. */
function origins(evaluation: Evaluation, names: Iterable<string>): ParameterOrigin[] {
  const out: ParameterOrigin[] = [];
  for (const name of [...names].sort()) {
    const origin = evaluation.parameters.get(name)?.origin;
    if (origin) out.push(origin);
  }
  return out;
}

function describeOrigins(list: ParameterOrigin[]): string | undefined {
  if (list.length === 0) return undefined;
  const parts = list.map((o) => {
    const what = o.kind ?? 'parameter';
    return o.parent
      ? `${what} \`${o.parameter}\` = \`${o.value}\` passed by ${o.kind ? 'module' : 'stack'} \`${o.parent.label}\` of ${o.parent.file}${o.parent.note ? ` ${o.parent.note}` : ''}`
      : `${what} \`${o.parameter}\` at its default \`${o.value}\``;
  });
  return `with ${parts.join(' and ')}`;
}

/**
 * Words saying which parameter values decided the value at `path` (or at an enclosing path) when
 * the template was evaluated at its defaults: "with parameter `EnableDLQ` at its default
 * `false`". Undefined when no parameter did.
 */
export function defaultsNote(template: Template, at: readonly PathSegment[], withAncestors = true): string | undefined {
  const evaluation = EVALUATIONS.get(template.root);
  if (!evaluation || evaluation.decided.size === 0) return undefined;
  const names = new Set<string>();
  for (let n = at.length; n >= (withAncestors ? 3 : at.length); n--) {
    const used = evaluation.decided.get(pathKey(at.slice(0, n)));
    if (used) for (const p of used) names.add(p);
  }
  return describeOrigins(origins(evaluation, names));
}

/**
 * When the resource `id` is not deployed by the default deployment (its `Condition` is false at
 * the defaults): the condition's name and the words saying why.
 */
export function notDeployed(template: Template, id: string): { condition: string; note: string | undefined } | undefined {
  const evaluation = EVALUATIONS.get(template.root);
  const entry = evaluation?.notDeployed.get(id);
  if (!evaluation || !entry) return undefined;
  return { condition: entry.condition, note: describeOrigins(origins(evaluation, entry.parameters)) };
}

/** The value a parameter has in the default deployment (undefined when unknown), with its origin. */
export function parameterValue(template: Template, name: string): ParameterValue | undefined {
  return EVALUATIONS.get(template.root)?.parameters.get(name);
}
