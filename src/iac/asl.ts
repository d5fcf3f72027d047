/**
 * Step Functions state machines in one shape, whatever format declared them, and the Task,
 * Parallel and Map states inside them.
 *
 * Sources of definitions:
 * - standalone `*.asl.json` / `*.asl.yaml` files (loaded by `loaders/asl.ts` as a template with one
 *   `AWS::StepFunctions::StateMachine` whose `Definition` is the document);
 * - `AWS::StepFunctions::StateMachine` `Definition` (a mapping) or `DefinitionString` (a JSON
 *   string, or JSON text built with `Fn::Sub` / `Fn::Join`, as CDK synthesizes it);
 * - `AWS::Serverless::StateMachine` `Definition`, or `DefinitionUri` naming a local file (read
 *   relative to the template; S3 locations are never fetched);
 * - any other loader that maps its format into `AWS::StepFunctions::StateMachine` `Definition`
 *   (Serverless Framework, Terraform).
 *
 * Definitions held in strings or other files are read by `asl-definitions.ts`: for those in a
 * string, the machine's `template` is a view of the declaring template whose `locate` reaches
 * inside the string.
 */
import path from 'node:path';
import { definitionFromUri, stringDefinition } from './asl-definitions.js';
import { Intrinsic, Unknown, fileTextPath, isPlainObject, type IacValue, type PathSegment, type PlainObject, type Resource, type Template } from './model.js';
import { displayName, intrinsicText, isAbsent, refTarget } from './resources.js';

export interface StateMachine {
  /** Template to report against: `locate` reaches every path under `definitionPath`. */
  template: Template;
  /** The template that declares the resource (differs from `template` for SAM `DefinitionUri`). */
  owner: Template;
  resource: Resource;
  /** "state machine `Name`" for messages. */
  label: string;
  definition: PlainObject;
  /** Path of the definition in `template`. */
  definitionPath: PathSegment[];
  /** `DefinitionSubstitutions` (CloudFormation / SAM), used to resolve `${Name}` values. */
  substitutions: PlainObject;
  /** The workflow type when known: Express executions last at most five minutes. */
  workflowType: 'STANDARD' | 'EXPRESS' | undefined;
  /** Where the owner points at a definition held in another file. */
  related?: { template: Template; path: PathSegment[]; label: string }[];
}

export type AslStateType = 'Task' | 'Parallel' | 'Map';

export interface AslState {
  machine: StateMachine;
  name: string;
  type: AslStateType;
  state: PlainObject;
  /** Path of the state in `machine.template`. */
  path: PathSegment[];
  /** Runs in an Express child workflow (Distributed Map with `ExecutionType: EXPRESS`) or an Express machine. */
  express: boolean;
  /** The definition that contains the state declares a `TimeoutSeconds` (a bound on the whole run). */
  enclosingTimeout: boolean;
  retry: IacValue | undefined;
  catch: IacValue | undefined;
  resource: IacValue | undefined;
}

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

/** A JSONata expression (`{% ... %}`): its value is only known at run time. */
export function isJsonata(value: IacValue | undefined): boolean {
  return typeof value === 'string' && /^\s*\{%[\s\S]*%\}\s*$/.test(value);
}

/** A literal number (also a numeric string); undefined for anything else (unknown, JSONata, intrinsic). */
export function numberOf(value: IacValue | undefined): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && /^\s*-?\d+(?:\.\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}

/** `${Name}` resolved through `DefinitionSubstitutions`; other values unchanged. */
export function substituted(machine: StateMachine, value: IacValue | undefined): IacValue | undefined {
  if (typeof value !== 'string') return value;
  const m = /^\$\{([^}]+)\}$/.exec(value.trim());
  if (m && Object.hasOwn(machine.substitutions, m[1]!)) return machine.substitutions[m[1]!];
  return value;
}

/**
 * The literal text of an ARN-like value: a string, an `Fn::Sub` template, or an `Fn::Join` whose
 * non-literal parts become `*` (e.g. CDK's `arn:${AWS::Partition}:states:::lambda:invoke`).
 */
export function arnText(value: IacValue | undefined): string | undefined {
  return intrinsicText(
    value,
    (p) => (p instanceof Intrinsic && p.name === 'Ref' && p.argument === 'AWS::Partition' ? 'aws' : '*'),
    (name) => (name.trim() === 'AWS::Partition' ? 'aws' : `\${${name}}`),
  );
}

// ---------------------------------------------------------------------------------------------
// State machines
// ---------------------------------------------------------------------------------------------

function workflowType(value: IacValue | undefined): StateMachine['workflowType'] {
  if (typeof value !== 'string') return undefined;
  const upper = value.toUpperCase();
  return upper === 'EXPRESS' ? 'EXPRESS' : upper === 'STANDARD' ? 'STANDARD' : undefined;
}

const CACHE = new WeakMap<Template, StateMachine[]>();

function machinesOf(template: Template): StateMachine[] {
  const cached = CACHE.get(template);
  if (cached) return cached;
  const machines: StateMachine[] = [];
  for (const resource of template.resources.values()) {
    if (resource.type !== 'AWS::StepFunctions::StateMachine' && resource.type !== 'AWS::Serverless::StateMachine') continue;
    const p = resource.properties;
    const propertiesPath = [...resource.path, 'Properties'];
    const substitutions = isPlainObject(p['DefinitionSubstitutions']) ? p['DefinitionSubstitutions'] : {};
    const type = workflowType(resource.type === 'AWS::Serverless::StateMachine' ? p['Type'] : p['StateMachineType']);
    const base = { owner: template, resource, label: `state machine \`${displayName(resource)}\``, substitutions, workflowType: type };
    const definition = p['Definition'];
    if (isPlainObject(definition)) {
      machines.push({ ...base, template, definition, definitionPath: [...propertiesPath, 'Definition'] });
      continue;
    }
    if (!isAbsent(definition) && !(definition instanceof Unknown) && !(definition instanceof Intrinsic && definition.name !== 'Fn::Sub' && definition.name !== 'Fn::Join')) {
      // a Definition given as a JSON string (some generators do)
      const held = stringDefinition(template, [...propertiesPath, 'Definition'], definition);
      if (held) machines.push({ ...base, ...held });
      continue;
    }
    const definitionString = p['DefinitionString'];
    const fromString = fileTextPath(definitionString);
    if (!isAbsent(definitionString) && fromString === undefined) {
      const held = stringDefinition(template, [...propertiesPath, 'DefinitionString'], definitionString);
      if (held) machines.push({ ...base, ...held });
      continue;
    }
    // Serverless Framework `definition: ${file(./machine.asl.yml)}`; a CDK app's
    // `DefinitionBody.fromFile(path)` or `definitionString: readFileSync(path)`
    const fromDefinition = fileTextPath(definition);
    const fileVariable = fromDefinition ?? fromString;
    const uri = fileVariable ?? p['DefinitionUri'];
    const uriPath = [...propertiesPath, fromDefinition !== undefined ? 'Definition' : fromString !== undefined ? 'DefinitionString' : 'DefinitionUri'];
    // Terraform `definition = templatefile("${path.module}/machine.asl.json", {...})` loads as a `DefinitionUri`
    if ((fileVariable !== undefined || resource.type === 'AWS::Serverless::StateMachine' || template.format === 'terraform') && typeof uri === 'string') {
      const loaded = template.format === 'cdk-source' ? appDefinition(template, uri) : definitionFromUri(template, uri);
      if (loaded) {
        const only = [...loaded.template.resources.values()][0]!;
        machines.push({
          ...base,
          template: loaded.template,
          definition: loaded.definition,
          definitionPath: [...only.path, 'Properties', 'Definition'],
          related: [{ template, path: uriPath, label: `${fileVariable !== undefined ? 'definition' : 'DefinitionUri'} of ${base.label}` }],
        });
      }
    }
  }
  CACHE.set(template, machines);
  return machines;
}

/**
 * A definition file a CDK app reads: a relative path is relative to the folder the app runs in, the
 * stack file's folder or one above it, the nearest that holds the file.
 */
function appDefinition(template: Template, uri: string): ReturnType<typeof definitionFromUri> {
  if (path.isAbsolute(uri)) return definitionFromUri(template, uri);
  for (let level = 0; level < 4; level++) {
    const found = definitionFromUri(template, '../'.repeat(level) + uri);
    if (found) return found;
  }
  return undefined;
}

/**
 * Every state machine of the given templates. A definition file that a SAM `DefinitionUri` of one
 * of the templates reads is reported through that state machine only, not again as a standalone file.
 */
export function stateMachines(templates: readonly Template[]): StateMachine[] {
  const all = templates.flatMap(machinesOf);
  const viaUri = new Set(all.filter((m) => m.template !== m.owner).map((m) => path.resolve(m.template.file)));
  return all.filter((m) => !(m.owner.format === 'asl' && m.template === m.owner && viaUri.has(path.resolve(m.owner.file))));
}

/** Is the map state's item processor a Distributed Map running Express child workflows? */
function runsExpressChildren(state: PlainObject): boolean {
  const processor = isPlainObject(state['ItemProcessor']) ? state['ItemProcessor'] : undefined;
  const config = processor && isPlainObject(processor['ProcessorConfig']) ? processor['ProcessorConfig'] : undefined;
  return typeof config?.['ExecutionType'] === 'string' && config['ExecutionType'].toUpperCase() === 'EXPRESS';
}

/**
 * Task, Parallel and Map states of a state machine, nested ones included (`Parallel.Branches[].States`,
 * `Map.ItemProcessor.States`, `Map.Iterator.States`), in document order.
 */
export function statesOf(machine: StateMachine): AslState[] {
  type Scope = { path: PathSegment[]; express: boolean; timeout: boolean };
  type Work = ({ kind: 'definition'; definition: PlainObject } | { kind: 'state'; name: string; state: PlainObject }) & Scope;
  const out: AslState[] = [];
  // explicit stack, last in first out: document order without recursion
  const stack: Work[] = [
    {
      kind: 'definition',
      definition: machine.definition,
      path: machine.definitionPath,
      express: machine.workflowType === 'EXPRESS',
      timeout: !isAbsent(machine.definition['TimeoutSeconds']),
    },
  ];
  while (stack.length > 0) {
    const work = stack.pop()!;
    if (work.kind === 'definition') {
      const states = work.definition['States'];
      if (!isPlainObject(states)) continue;
      const entries = Object.entries(states);
      for (let k = entries.length - 1; k >= 0; k--) {
        const [name, state] = entries[k]!;
        if (isPlainObject(state)) stack.push({ kind: 'state', name, state, path: [...work.path, 'States', name], express: work.express, timeout: work.timeout });
      }
      continue;
    }
    const { name, state, path: statePath, express, timeout } = work;
    const type = state['Type'];
    if (type !== 'Task' && type !== 'Parallel' && type !== 'Map') continue;
    out.push({ machine, name, type, state, path: statePath, express, enclosingTimeout: timeout, retry: state['Retry'], catch: state['Catch'], resource: state['Resource'] });
    const nested: Work[] = [];
    if (type === 'Parallel' && Array.isArray(state['Branches'])) {
      state['Branches'].forEach((branch, k) => {
        if (isPlainObject(branch)) {
          nested.push({ kind: 'definition', definition: branch, path: [...statePath, 'Branches', k], express, timeout: timeout || !isAbsent(branch['TimeoutSeconds']) });
        }
      });
    } else if (type === 'Map') {
      for (const key of ['ItemProcessor', 'Iterator']) {
        const processor = state[key];
        if (!isPlainObject(processor)) continue;
        nested.push({
          kind: 'definition',
          definition: processor,
          path: [...statePath, key],
          express: express || runsExpressChildren(state),
          timeout: timeout || !isAbsent(processor['TimeoutSeconds']),
        });
      }
    }
    for (let k = nested.length - 1; k >= 0; k--) stack.push(nested[k]!);
  }
  return out;
}

/** Every Task, Parallel and Map state of every state machine of the templates. */
export function stateMachineStates(templates: readonly Template[]): AslState[] {
  return stateMachines(templates).flatMap(statesOf);
}

const LAMBDA_FUNCTION_ARN = /^arn:[^:]*:lambda:[^:]*:[^:]*:function:/;
const LAMBDA_INVOKE = /^arn:[^:]*:states:::lambda:invoke$/;
const LAMBDA_TYPES = new Set(['AWS::Lambda::Function', 'AWS::Serverless::Function', 'AWS::Lambda::Alias', 'AWS::Lambda::Version']);

/** The template parameter a value is (`Ref P`, `Fn::Sub "${P}"`), if any. */
function parameterOf(owner: Template, value: IacValue | undefined): string | undefined {
  let name: string | undefined;
  if (value instanceof Intrinsic && value.name === 'Ref' && typeof value.argument === 'string') name = value.argument;
  else if (value instanceof Intrinsic && value.name === 'Fn::Sub') {
    const text = arnText(value);
    name = text ? /^\$\{([A-Za-z0-9_]+)\}$/.exec(text.trim())?.[1] : undefined;
  }
  const parameters = owner.root['Parameters'];
  return name && isPlainObject(parameters) && Object.hasOwn(parameters, name) ? name : undefined;
}

/** The value is `Ref name` / `Fn::Sub "${name}..."` (an ARN built on the parameter). */
function isParameterArn(value: IacValue | undefined, name: string): boolean {
  if (value instanceof Intrinsic && value.name === 'Ref') return value.argument === name;
  const text = value instanceof Intrinsic && value.name === 'Fn::Sub' ? arnText(value) : undefined;
  return text !== undefined && new RegExp(`^\\$\\{${name}\\}(?::.*)?$`).test(text.trim());
}

const asList = (v: IacValue | undefined): IacValue[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);

/** Some IAM policy of the template allows `lambda:InvokeFunction` on the parameter's ARN. */
function invokePermitted(owner: Template, name: string): boolean {
  const documents: IacValue[] = [];
  for (const r of owner.resources.values()) {
    if (r.type === 'AWS::IAM::Role') for (const p of asList(r.properties['Policies'])) if (isPlainObject(p)) documents.push(p['PolicyDocument']!);
    if (r.type === 'AWS::IAM::Policy' || r.type === 'AWS::IAM::ManagedPolicy') documents.push(r.properties['PolicyDocument']!);
    if (r.type === 'AWS::Serverless::StateMachine' || r.type === 'AWS::Serverless::Function') {
      for (const p of asList(r.properties['Policies'])) {
        if (isPlainObject(p) && isPlainObject(p['LambdaInvokePolicy'])) {
          if (isParameterArn(p['LambdaInvokePolicy']['FunctionName'], name)) return true;
        } else if (isPlainObject(p)) documents.push(p);
      }
    }
  }
  return documents.some((document) =>
    asList(isPlainObject(document) ? document['Statement'] : undefined).some((statement) => {
      if (!isPlainObject(statement) || statement['Effect'] === 'Deny') return false;
      const actions = asList(statement['Action']);
      if (!actions.some((a) => typeof a === 'string' && /^lambda:(?:InvokeFunction|\*)$/i.test(a))) return false;
      return asList(statement['Resource']).some((r) => isParameterArn(r, name));
    }),
  );
}

/**
 * A task resource given by a template parameter (or a dynamic reference to a stored value) that
 * names a Lambda function: the parameter's name, description or stored path says function or
 * Lambda (not activity), or an IAM policy of the template allows invoking it.
 */
function namesFunctionByParameter(owner: Template, value: IacValue | undefined): boolean {
  if (typeof value === 'string') {
    const stored = /^\{\{resolve:(?:ssm|secretsmanager):([^}]+)\}\}$/.exec(value.trim())?.[1];
    return stored !== undefined && /function|lambda/i.test(stored) && !/activit/i.test(stored);
  }
  const name = parameterOf(owner, value);
  if (!name) return false;
  const parameter = (owner.root['Parameters'] as PlainObject)[name];
  const description = isPlainObject(parameter) && typeof parameter['Description'] === 'string' ? parameter['Description'] : '';
  const words = `${name} ${description}`;
  if (/activit/i.test(words)) return false;
  return /function|lambda/i.test(words) || invokePermitted(owner, name);
}

/** The task invokes a Lambda function synchronously (`lambda:invoke` or a function ARN as the resource). */
export function isLambdaTask(task: AslState): boolean {
  if (task.type !== 'Task') return false;
  const resource = substituted(task.machine, task.resource);
  const text = arnText(resource);
  if (text !== undefined && (LAMBDA_INVOKE.test(text) || LAMBDA_FUNCTION_ARN.test(text))) return true;
  const owner = task.machine.owner;
  if (namesFunctionByParameter(owner, resource)) return true;
  const id = resource instanceof Intrinsic ? refTarget(resource, owner) : undefined;
  if (!id) return false;
  const target = owner.resources.get(id)!;
  if (!LAMBDA_TYPES.has(target.type)) return false;
  // `Ref` of a function is its name, not an ARN: only ARNs count
  return !(resource instanceof Intrinsic && resource.name === 'Ref' && target.type !== 'AWS::Lambda::Alias' && target.type !== 'AWS::Lambda::Version');
}

/** Type of the template resource the task's `Resource` refers to (`AWS::StepFunctions::Activity`, ...). */
export function resourceTargetType(task: AslState): string | undefined {
  const resource = substituted(task.machine, task.resource);
  const id = resource instanceof Intrinsic ? refTarget(resource, task.machine.owner) : undefined;
  return id ? task.machine.owner.resources.get(id)!.type : undefined;
}

/**
 * A `states:startExecution.sync` task whose `StateMachineArn` names an Express workflow of the
 * template: the child runs five minutes at most, so the task's wait is bounded.
 */
export function startsExpressWorkflow(task: AslState): boolean {
  const params = task.state['Parameters'] ?? task.state['Arguments'];
  if (!isPlainObject(params)) return false;
  const arn = substituted(task.machine, params['StateMachineArn']);
  const id = arn instanceof Intrinsic ? refTarget(arn, task.machine.owner) : undefined;
  const target = id ? task.machine.owner.resources.get(id) : undefined;
  if (!target) return false;
  const p = target.properties;
  if (target.type === 'AWS::Serverless::StateMachine') return workflowType(p['Type']) === 'EXPRESS';
  return target.type === 'AWS::StepFunctions::StateMachine' && workflowType(p['StateMachineType']) === 'EXPRESS';
}

/** The resource as text for messages (`arn:aws:states:::lambda:invoke`, `!GetAtt Fn.Arn`, ...). */
export function describeResource(task: AslState): string | undefined {
  const resource = substituted(task.machine, task.resource);
  if (typeof resource === 'string') return resource;
  if (resource instanceof Intrinsic) {
    const id = refTarget(resource, task.machine.owner);
    if (id) return `\`${displayName(task.machine.owner.resources.get(id)!)}\``;
    const text = arnText(resource);
    if (text !== undefined) return text.replace(/\$\{AWS::(?:Region|AccountId)\}/g, '*');
  }
  return undefined;
}

