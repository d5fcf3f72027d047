/**
 * Helpers shared by IaC rules: following references between resources, telling unknown values
 * from absent ones, reading JSON that is embedded in strings, and listing queues and event source
 * mappings uniformly across CloudFormation resources and SAM function events.
 */
import { Intrinsic, Unknown, isPlainObject, type IacValue, type PathSegment, type PlainObject, type Resource, type Template } from './model.js';

export { isPlainObject, type PlainObject };
import { samFunctionEvents } from './sam.js';
import { parseEmbeddedJson } from './json.js';



export function isIntrinsic(value: IacValue | undefined, name?: string): value is Intrinsic {
  return value instanceof Intrinsic && (name === undefined || value.name === name);
}

/** `!Ref AWS::NoValue`: the property is removed. */
export function isNoValue(value: IacValue | undefined): boolean {
  return isIntrinsic(value, 'Ref') && value.argument === 'AWS::NoValue';
}

/** An EventBridge rule, schedule or SAM event that is off (`State: DISABLED`, `Enabled: false`): it delivers nothing. */
export function isDisabledTrigger(properties: PlainObject): boolean {
  const state = properties['State'];
  if (typeof state === 'string' && state.toUpperCase() === 'DISABLED') return true;
  const enabled = properties['Enabled'];
  return enabled === false || enabled === 'false';
}

/** Not set: missing, null, or `!Ref AWS::NoValue`. */
export function isAbsent(value: IacValue | undefined): value is undefined | null | Intrinsic {
  return value === undefined || value === null || isNoValue(value);
}

/**
 * Value at `path` inside plain objects and arrays. Stops at an intrinsic or unknown value on the
 * way and returns it (the caller sees "cannot tell" rather than "missing"); undefined when a
 * segment does not exist.
 */
export function getIn(value: IacValue | undefined, path: readonly PathSegment[]): IacValue | undefined {
  let current = value;
  for (const segment of path) {
    if (current instanceof Intrinsic || current instanceof Unknown) return current;
    if (Array.isArray(current)) {
      current = typeof segment === 'number' ? current[segment] : undefined;
    } else if (isPlainObject(current)) {
      current = Object.hasOwn(current, String(segment)) ? current[String(segment)] : undefined;
    } else {
      return undefined;
    }
  }
  return current;
}

// ---------------------------------------------------------------------------------------------
// References
// ---------------------------------------------------------------------------------------------

/** A `${Name}` / `${Name.Attribute}` variable in an `Fn::Sub` template (`${!Literal}` excluded). */
export interface SubVariable {
  name: string;
  attribute?: string;
}

export function subVariables(template: string): SubVariable[] {
  const variables: SubVariable[] = [];
  const pattern = /\$\{([^}]*)\}/g;
  for (let match = pattern.exec(template); match; match = pattern.exec(template)) {
    const body = match[1]!.trim();
    if (body.startsWith('!') || body === '') continue;
    const dot = body.indexOf('.');
    variables.push(dot < 0 ? { name: body } : { name: body.slice(0, dot), attribute: body.slice(dot + 1) });
  }
  return variables;
}

function subParts(argument: IacValue): { text: string; variables: PlainObject } | undefined {
  if (typeof argument === 'string') return { text: argument, variables: {} };
  if (Array.isArray(argument) && typeof argument[0] === 'string') {
    return { text: argument[0], variables: isPlainObject(argument[1]) ? argument[1] : {} };
  }
  return undefined;
}

const isPseudo = (name: string): boolean => name.startsWith('AWS::');

/**
 * The logical id `value` points at: `Ref X`, `Fn::GetAtt [X, attr]` (any attribute: `Arn`,
 * `QueueUrl`, `QueueName`, `StreamArn`, ...), `Fn::Sub "${X.Arn}"` / `"${X}"` (or any `Fn::Sub`
 * whose only non-pseudo variable refers to X, e.g. `arn:aws:sqs:${AWS::Region}:${AWS::AccountId}:${X.QueueName}`).
 * With a template, only logical ids of its resources are returned (a `Ref` to a parameter gives
 * undefined).
 */
export function refTarget(value: IacValue | undefined, template?: Template): string | undefined {
  let target: string | undefined;
  if (value instanceof Intrinsic) {
    if (value.name === 'Ref' && typeof value.argument === 'string' && !isPseudo(value.argument)) {
      target = value.argument;
    } else if (value.name === 'Fn::GetAtt' && Array.isArray(value.argument) && typeof value.argument[0] === 'string') {
      target = value.argument[0];
    } else if (value.name === 'Fn::Sub') {
      const parts = subParts(value.argument);
      if (!parts) return undefined;
      const ids = new Set<string>();
      for (const variable of subVariables(parts.text)) {
        if (isPseudo(variable.name)) continue;
        if (Object.hasOwn(parts.variables, variable.name)) {
          const bound = parts.variables[variable.name];
          const inner = refTarget(bound, template);
          if (inner) ids.add(inner);
          else if (!isPlainPart(bound, template)) return undefined;
          continue;
        }
        if (template && !template.resources.has(variable.name)) {
          // A parameter in an ARN (e.g. an environment name) leaves the target decidable.
          if (isParameter(template, variable.name)) continue;
          return undefined;
        }
        ids.add(variable.name);
      }
      target = ids.size === 1 ? [...ids][0] : undefined;
    }
  }
  if (target !== undefined && template && !template.resources.has(target)) return undefined;
  return target;
}

/** A part of a name or ARN that does not hide a resource: a literal, a pseudo parameter, a parameter. */
function isPlainPart(value: IacValue | undefined, template: Template | undefined): boolean {
  if (typeof value === 'string' || typeof value === 'number') return true;
  if (!isIntrinsic(value, 'Ref') || typeof value.argument !== 'string') return false;
  return isPseudo(value.argument) || (template !== undefined && isParameter(template, value.argument));
}

function isParameter(template: Template, name: string): boolean {
  const parameters = template.root['Parameters'];
  return isPlainObject(parameters) && Object.hasOwn(parameters, name);
}

/**
 * True when the value cannot be known statically: `Unknown`, and intrinsics that do not point at
 * a resource of `template` (`Fn::If`, `Fn::ImportValue`, `Fn::FindInMap`, `Ref` to a parameter or
 * pseudo parameter, ...). Without a template, a `Ref` counts as a reference (not unknown).
 * `!Ref AWS::NoValue` is "absent" (see `isAbsent`), and also unknown here.
 */
export function isUnknown(value: IacValue | undefined, template?: Template): boolean {
  if (value instanceof Unknown) return true;
  if (value instanceof Intrinsic) return refTarget(value, template) === undefined;
  return false;
}

/**
 * True when an event source mapping's `FunctionResponseTypes` certainly lacks
 * `ReportBatchItemFailures`: absent, or a literal list (or string) without it.
 */
export function lacksReportBatchItemFailures(value: IacValue | undefined, template: Template): boolean {
  if (isAbsent(value)) return true;
  if (typeof value === 'string') return value !== 'ReportBatchItemFailures';
  if (!Array.isArray(value)) return false; // unknown
  if (value.some((item) => typeof item !== 'string' || isUnknown(item, template))) return false;
  return !value.includes('ReportBatchItemFailures');
}

/** Everything a value refers to, collected by `references`. */
export interface References {
  /** Logical ids (Ref, GetAtt, Fn::Sub variables), pseudo parameters excluded. */
  ids: Set<string>;
  /** Resource names read from literal ARNs / SQS queue URLs (the last segment). */
  names: Set<string>;
  /** Literal export names used with `Fn::ImportValue`. */
  imports: Set<string>;
}

const ARN_NAME = /^arn:aws[a-z-]*:[a-z0-9-]+:[^:]*:[^:]*:(?:[^:/]+[:/])?([^:/]+)$/;
const SQS_URL_NAME = /^https:\/\/(?:sqs\.[^/]+|[^/]*queue\.amazonaws\.com)\/[^/]+\/([^/?#]+)$/;

/**
 * Collects every reference inside `value` (recursively, through intrinsics and JSON embedded in
 * strings). With a template, a `Ref` to a parameter with a literal `Default` also contributes the
 * name in that default.
 */
export function references(value: IacValue | undefined, template?: Template, into?: References): References {
  const out = into ?? { ids: new Set(), names: new Set(), imports: new Set() };
  const visit = (v: IacValue | undefined, depth: number): void => {
    if (v === undefined || v === null || depth > 100) return;
    if (typeof v === 'string') {
      const trimmed = v.trim();
      if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
        const parsed = jsonValue(v);
        if (!(parsed instanceof Unknown) && parsed !== v) visit(parsed, depth + 1);
        return;
      }
      const name = ARN_NAME.exec(trimmed)?.[1] ?? SQS_URL_NAME.exec(trimmed)?.[1];
      if (name) out.names.add(name);
      return;
    }
    if (Array.isArray(v)) {
      for (const item of v) visit(item, depth + 1);
      return;
    }
    if (v instanceof Unknown) {
      // an ARN with unresolved variables (`arn:aws:sqs:${aws:region}:...:orders-dlq`) still names its resource
      const literal = v.description.trim().replace(/\$\{[^}]*\}/g, 'x');
      const name = ARN_NAME.exec(literal)?.[1];
      if (name && v.description.trim().endsWith(name)) out.names.add(name);
      return;
    }
    if (v instanceof Intrinsic) {
      switch (v.name) {
        case 'Ref':
          if (typeof v.argument === 'string' && !isPseudo(v.argument)) {
            out.ids.add(v.argument);
            if (template && isParameter(template, v.argument)) {
              const parameter = getIn(template.root, ['Parameters', v.argument, 'Default']);
              if (typeof parameter === 'string') visit(parameter, depth + 1);
            }
          }
          return;
        case 'Fn::GetAtt':
          if (Array.isArray(v.argument) && typeof v.argument[0] === 'string') out.ids.add(v.argument[0]);
          return;
        case 'Fn::ImportValue':
          if (typeof v.argument === 'string') out.imports.add(v.argument);
          else visit(v.argument, depth + 1);
          return;
        case 'Fn::Sub': {
          const parts = subParts(v.argument);
          if (!parts) return visit(v.argument, depth + 1);
          for (const variable of subVariables(parts.text)) {
            if (isPseudo(variable.name) || Object.hasOwn(parts.variables, variable.name)) continue;
            out.ids.add(variable.name);
          }
          for (const inner of Object.values(parts.variables)) visit(inner, depth + 1);
          if (/^\s*[{[]/.test(parts.text)) {
            const parsed = jsonValue(v);
            if (!(parsed instanceof Unknown) && parsed !== v) visit(parsed, depth + 1);
            return;
          }
          // An ARN or URL whose only variables are pseudo parameters still names its resource.
          const literal = parts.text.replace(/\$\{\s*AWS::[A-Za-z]+\s*\}/g, 'x');
          if (!/\$\{(?!!)/.test(literal)) visit(literal, depth + 1);
          return;
        }
        case 'Fn::Join': {
          const parsed = jsonValue(v);
          if (parsed !== v && !(parsed instanceof Unknown)) visit(parsed, depth + 1);
          else visit(v.argument, depth + 1);
          return;
        }
        default:
          visit(v.argument, depth + 1);
          return;
      }
    }
    for (const inner of Object.values(v)) visit(inner, depth + 1);
  };
  visit(value, 0);
  return out;
}

// ---------------------------------------------------------------------------------------------
// JSON embedded in strings (RedrivePolicy, RedriveAllowPolicy, ...)
// ---------------------------------------------------------------------------------------------

const OPEN = '\uE000';
const CLOSE = '\uE001';
const PLACEHOLDER = /\uE000(\d+)\uE001/g;

/** Is the end of `text` inside a JSON string literal? */
function endsInsideString(text: string, from = 0, state = { inside: false, skip: false }): boolean {
  for (let i = from; i < text.length; i++) {
    if (state.skip) {
      state.skip = false;
      continue;
    }
    const c = text[i];
    if (state.inside && c === '\\') state.skip = true;
    else if (c === '"') state.inside = !state.inside;
  }
  return state.inside;
}

/** Parses JSON text with placeholders; strings holding placeholders are rebuilt with `rebuild`. */
function parseWithPlaceholders(
  pieces: (string | { index: number })[],
  rebuild: (s: string) => IacValue,
): IacValue {
  let text = '';
  // each piece is scanned once: rescanning the whole text at each placeholder is quadratic
  const state = { inside: false, skip: false };
  for (const piece of pieces) {
    if (typeof piece === 'string') {
      text += piece;
      endsInsideString(piece, 0, state);
    } else {
      const token = `${OPEN}${piece.index}${CLOSE}`;
      text += state.inside ? token : `"${token}"`;
    }
  }
  const parsed = parseEmbeddedJson(text);
  if ('unknown' in parsed) return new Unknown(parsed.unknown);
  const convert = (v: unknown): IacValue => {
    if (typeof v === 'string') return v.includes(OPEN) ? rebuild(v) : v;
    if (Array.isArray(v)) return v.map(convert);
    if (v !== null && typeof v === 'object') {
      const obj: PlainObject = {};
      for (const [k, inner] of Object.entries(v)) {
        if (k === '__proto__') Object.defineProperty(obj, k, { value: convert(inner), enumerable: true, writable: true, configurable: true });
        else obj[k] = convert(inner);
      }
      return obj;
    }
    return v as IacValue;
  };
  return convert(parsed.value);
}

/**
 * The JSON document carried by a value, as plain values: a JSON string is parsed; an `Fn::Join`
 * or `Fn::Sub` that builds JSON text (as CDK and hand-written templates do) is parsed with its
 * intrinsic parts kept (a string that was exactly one intrinsic part becomes that intrinsic; for
 * `Fn::Sub`, `"${X.Arn}"` becomes `Fn::Sub "${X.Arn}"`); `Fn::ToJsonString` gives its argument.
 * Anything else is returned unchanged (an object stays as is). Invalid JSON gives an `Unknown`.
 */
export function jsonValue(value: IacValue): IacValue {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return value;
    return parseWithPlaceholders([value], (s) => s);
  }
  if (!(value instanceof Intrinsic)) return value;
  if (value.name === 'Fn::ToJsonString') return value.argument;
  if (value.name === 'Fn::Join') {
    const argument = value.argument;
    if (!Array.isArray(argument) || typeof argument[0] !== 'string' || !Array.isArray(argument[1])) return value;
    const separator = argument[0];
    const parts = argument[1];
    const pieces: (string | { index: number })[] = [];
    parts.forEach((part, index) => {
      if (index > 0 && separator) pieces.push(separator);
      pieces.push(typeof part === 'string' ? part : typeof part === 'number' || typeof part === 'boolean' ? String(part) : { index });
    });
    const first = pieces.find((p) => typeof p !== 'string' || p.trim() !== '');
    if (typeof first !== 'string' || !/^\s*[{[]/.test(first)) return value;
    return parseWithPlaceholders(pieces, (s) => {
      const only = /^\uE000(\d+)\uE001$/.exec(s);
      if (only) return parts[Number(only[1])]!;
      const rebuilt: IacValue[] = [];
      let last = 0;
      for (const match of s.matchAll(PLACEHOLDER)) {
        if (match.index > last) rebuilt.push(s.slice(last, match.index));
        rebuilt.push(parts[Number(match[1])]!);
        last = match.index + match[0].length;
      }
      if (last < s.length) rebuilt.push(s.slice(last));
      return new Intrinsic('Fn::Join', ['', rebuilt]);
    });
  }
  if (value.name === 'Fn::Sub') {
    const parts = subParts(value.argument);
    if (!parts || !/^\s*[{[]/.test(parts.text)) return value;
    const expressions: string[] = [];
    const pieces: (string | { index: number })[] = [];
    let last = 0;
    for (const match of parts.text.matchAll(/\$\{([^}]*)\}/g)) {
      if (match[1]!.startsWith('!')) continue;
      if (match.index > last) pieces.push(parts.text.slice(last, match.index));
      pieces.push({ index: expressions.length });
      expressions.push(match[0]);
      last = match.index + match[0].length;
    }
    if (last < parts.text.length) pieces.push(parts.text.slice(last));
    const hasVariables = Object.keys(parts.variables).length > 0;
    return parseWithPlaceholders(pieces, (s) => {
      const restored = s.replace(PLACEHOLDER, (_, i: string) => expressions[Number(i)]!);
      return new Intrinsic('Fn::Sub', hasVariables ? [restored, parts.variables] : restored);
    });
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------------------------

/** Resources of the given types, in document order. */
export function resourcesOfType(template: Template, ...types: string[]): Resource[] {
  const index = typeIndex(template.resources);
  if (types.length === 1) return [...(index.get(types[0]!) ?? [])];
  const wanted = new Set(types);
  return [...template.resources.values()].filter((r) => wanted.has(r.type));
}

/** Resources by type, in document order, per resource map (rebuilt if the map changes size). */
const TYPE_INDEX = new WeakMap<ReadonlyMap<string, Resource>, { size: number; byType: Map<string, Resource[]> }>();

function typeIndex(resources: ReadonlyMap<string, Resource>): Map<string, Resource[]> {
  const known = TYPE_INDEX.get(resources);
  if (known && known.size === resources.size) return known.byType;
  const byType = new Map<string, Resource[]>();
  for (const r of resources.values()) {
    const list = byType.get(r.type);
    if (list) list.push(r);
    else byType.set(r.type, [r]);
  }
  TYPE_INDEX.set(resources, { size: resources.size, byType });
  return byType;
}

/** SQS queues (`AWS::SQS::Queue`). */
export function queues(template: Template): Resource[] {
  return resourcesOfType(template, 'AWS::SQS::Queue');
}

/**
 * True when the resource's `Properties` is present but not a mapping (e.g. `Properties: !If`):
 * its `properties` in the model are then empty and must not be read as "nothing is set".
 */
export function hasOpaqueProperties(template: Template, resource: Resource): boolean {
  const declared = getIn(template.root, [...resource.path, 'Properties']);
  return !isAbsent(declared) && !isPlainObject(declared);
}

/**
 * Name to show in messages: the CDK construct path (without the trailing `/Resource`) for
 * synthesized CDK resources, else the logical id.
 */
export function displayName(resource: Resource): string {
  const cdkPath = resource.metadata?.['aws:cdk:path'];
  if (typeof cdkPath === 'string' && cdkPath !== '') return cdkPath.replace(/\/Resource$/, '');
  return resource.id;
}

// ---------------------------------------------------------------------------------------------
// Event source mappings
// ---------------------------------------------------------------------------------------------

/**
 * Source kind of an event source mapping. 'stream' = a Kinesis, DynamoDB Streams or Kafka source
 * whose service cannot be resolved (the ARN is a parameter or an import) but which has a
 * `StartingPosition`, which only stream and Kafka sources take. Such a mapping without one (nor
 * MQ `Queues`, Kafka `Topics`, a DocumentDB or self-managed Kafka config) reads an SQS queue.
 */
export type EsmKind = 'sqs' | 'kinesis' | 'dynamodb' | 'kafka' | 'mq' | 'docdb' | 'stream';

export interface EventSourceMapping {
  template: Template;
  kind: EsmKind | undefined;
  origin: 'resource' | 'sam-event';
  /** Logical id of the `AWS::Lambda::EventSourceMapping`, or the SAM event's key. */
  id: string;
  /** For messages: "event source mapping `X`" or "event `E` of function `F`". */
  label: string;
  /** The mapping's properties (CloudFormation names; SAM events use the same names). */
  properties: PlainObject;
  /** Path of `properties`; report a missing property as `[...propertiesPath, name]`. */
  propertiesPath: PathSegment[];
  /** Path of the mapping: the resource, or the SAM event. */
  path: PathSegment[];
  /** Logical id of the function (SAM: the owning function; CFN: `FunctionName` when it is a reference). */
  functionId: string | undefined;
  /** The source: `EventSourceArn`, or SAM `Stream` / `Queue` / `Broker` / `Cluster` / `KafkaBootstrapServers`. */
  source: IacValue | undefined;
  /** Logical id of the source resource when `source` refers to one. */
  sourceId: string | undefined;
  /**
   * The logical ids `source` and the function refer to, declared in the template or not (a
   * Terraform resource of another file of the module): look them up with `resourceLookup`.
   */
  referenced: { source: string | undefined; function: string | undefined };
}

const KIND_BY_RESOURCE_TYPE: Record<string, EsmKind> = {
  'AWS::SQS::Queue': 'sqs',
  'AWS::Kinesis::Stream': 'kinesis',
  'AWS::Kinesis::StreamConsumer': 'kinesis',
  'AWS::DynamoDB::Table': 'dynamodb',
  'AWS::DynamoDB::GlobalTable': 'dynamodb',
  'AWS::MSK::Cluster': 'kafka',
  'AWS::MSK::ServerlessCluster': 'kafka',
  'AWS::AmazonMQ::Broker': 'mq',
  'AWS::DocDB::DBCluster': 'docdb',
};

/**
 * Terraform resource types of event sources: a reference `aws_x.name.arn` to a resource declared
 * in another file of the module is not a resource of the file's template, but its type is in its name.
 */
const KIND_BY_TERRAFORM_TYPE: Record<string, EsmKind> = {
  aws_sqs_queue: 'sqs',
  aws_kinesis_stream: 'kinesis',
  aws_kinesis_stream_consumer: 'kinesis',
  aws_dynamodb_table: 'dynamodb',
  aws_msk_cluster: 'kafka',
  aws_msk_serverless_cluster: 'kafka',
  aws_mq_broker: 'mq',
  aws_docdb_cluster: 'docdb',
};

/** The source kind of a Terraform reference to a resource of another file of the module. */
function terraformReferenceKind(template: Template, value: IacValue | undefined): EsmKind | undefined {
  if (template.format !== 'terraform' || !(value instanceof Intrinsic)) return undefined;
  const id = value.name === 'Ref' ? value.argument : value.name === 'Fn::GetAtt' && Array.isArray(value.argument) ? value.argument[0] : undefined;
  if (typeof id !== 'string' || template.resources.has(id)) return undefined;
  const dot = id.indexOf('.');
  return dot > 0 && Object.hasOwn(KIND_BY_TERRAFORM_TYPE, id.slice(0, dot)) ? KIND_BY_TERRAFORM_TYPE[id.slice(0, dot)] : undefined;
}

const KIND_BY_SAM_EVENT: Record<string, { kind: EsmKind; source: string }> = {
  SQS: { kind: 'sqs', source: 'Queue' },
  Kinesis: { kind: 'kinesis', source: 'Stream' },
  DynamoDB: { kind: 'dynamodb', source: 'Stream' },
  MSK: { kind: 'kafka', source: 'Stream' },
  SelfManagedKafka: { kind: 'kafka', source: 'KafkaBootstrapServers' },
  MQ: { kind: 'mq', source: 'Broker' },
  DocumentDB: { kind: 'docdb', source: 'Cluster' },
};

/**
 * The text of a string value: the string itself, an `Fn::Sub` template with each `${name}` written
 * as `variable` gives it (left as it is by default), or the parts of an `Fn::Join` joined, each
 * part that is not a string written as `part` gives it. Undefined for any other value.
 */
export function intrinsicText(value: IacValue | undefined, part: (p: IacValue) => string, variable?: (name: string) => string): string | undefined {
  if (typeof value === 'string') return value;
  if (isIntrinsic(value, 'Fn::Sub')) {
    const text = subParts(value.argument)?.text;
    return variable ? text?.replace(/\$\{([^}]*)\}/g, (_, name: string) => variable(name)) : text;
  }
  if (isIntrinsic(value, 'Fn::Join') && Array.isArray(value.argument)) {
    const [separator, parts] = value.argument;
    if (typeof separator === 'string' && Array.isArray(parts)) return parts.map((p) => (typeof p === 'string' ? p : part(p))).join(separator);
  }
  return undefined;
}

/** The literal text of an ARN-like value (Fn::Sub template, Fn::Join of literal parts), if any. */
function arnText(value: IacValue | undefined): string | undefined {
  return intrinsicText(value, () => '*');
}

function kindFromArn(text: string): EsmKind | undefined {
  if (/:kinesis:/.test(text)) return 'kinesis';
  if (/:dynamodb:/.test(text)) return 'dynamodb';
  if (/:kafka:/.test(text)) return 'kafka';
  if (/:sqs:/.test(text)) return 'sqs';
  if (/:mq:/.test(text)) return 'mq';
  if (/:rds:/.test(text)) return 'docdb';
  return undefined;
}

function resourceMappingKind(template: Template, properties: PlainObject, sourceId: string | undefined): EsmKind | undefined {
  if (!isAbsent(properties['SelfManagedEventSource']) || !isAbsent(properties['SelfManagedKafkaEventSourceConfig'])) return 'kafka';
  if (!isAbsent(properties['AmazonManagedKafkaEventSourceConfig'])) return 'kafka';
  if (!isAbsent(properties['DocumentDBEventSourceConfig'])) return 'docdb';
  if (sourceId) {
    const kind = KIND_BY_RESOURCE_TYPE[template.resources.get(sourceId)!.type];
    if (kind) return kind;
  }
  const fromReference = terraformReferenceKind(template, properties['EventSourceArn']);
  if (fromReference) return fromReference;
  const text = arnText(properties['EventSourceArn']);
  const fromArn = text === undefined ? undefined : kindFromArn(text);
  if (fromArn) return fromArn;
  if (!isAbsent(properties['Queues'])) return 'mq';
  if (!isAbsent(properties['Topics'])) return 'kafka';
  if (!isAbsent(properties['StartingPosition'])) return 'stream';
  // Kinesis, DynamoDB Streams and Kafka sources require a StartingPosition, which SQS does not
  // take; MQ requires Queues, DocumentDB its config: a mapping of a source with none of them reads a queue
  if (!isAbsent(properties['EventSourceArn'])) return 'sqs';
  return undefined;
}

/** The function a `FunctionName` refers to, looking through a Lambda alias or version. */
function functionTarget(template: Template, value: IacValue | undefined): string | undefined {
  const id = refTarget(value, template);
  if (!id) return undefined;
  const resource = template.resources.get(id)!;
  if (resource.type === 'AWS::Lambda::Alias' || resource.type === 'AWS::Lambda::Version') {
    return refTarget(resource.properties['FunctionName'], template) ?? id;
  }
  return id;
}

/**
 * Every event source mapping of the template, from `AWS::Lambda::EventSourceMapping` resources
 * and from SAM function events of type SQS, Kinesis, DynamoDB, MSK, SelfManagedKafka, MQ and
 * DocumentDB, in one shape. Mappings whose properties are not a mapping (an intrinsic) are left
 * out: nothing can be said about them.
 */
export function eventSourceMappings(template: Template): EventSourceMapping[] {
  const mappings: EventSourceMapping[] = [];
  for (const resource of template.resources.values()) {
    if (resource.type !== 'AWS::Lambda::EventSourceMapping' || hasOpaqueProperties(template, resource)) continue;
    const properties = resource.properties;
    const source = properties['EventSourceArn'];
    const sourceId = refTarget(source, template) ?? conditionalTarget(source, template);
    mappings.push({
      template,
      kind: resourceMappingKind(template, properties, sourceId),
      origin: 'resource',
      id: resource.id,
      label: `event source mapping \`${displayName(resource)}\``,
      properties,
      propertiesPath: [...resource.path, 'Properties'],
      path: resource.path,
      functionId: functionTarget(template, properties['FunctionName']),
      source,
      sourceId,
      referenced: { source: refTarget(source), function: refTarget(properties['FunctionName']) },
    });
  }
  for (const event of samFunctionEvents(template)) {
    const known = KIND_BY_SAM_EVENT[event.type];
    if (!known || !event.properties) continue;
    const source = event.properties[known.source];
    const functionResource = template.resources.get(event.functionId)!;
    mappings.push({
      template,
      kind: known.kind,
      origin: 'sam-event',
      id: event.eventId,
      label: `event \`${event.eventId}\` of function \`${displayName(functionResource)}\``,
      properties: event.properties,
      propertiesPath: [...event.path, 'Properties'],
      path: event.path,
      functionId: event.functionId,
      source,
      sourceId: refTarget(source, template) ?? conditionalTarget(source, template),
      referenced: { source: refTarget(source), function: event.functionId },
    });
  }
  return mappings;
}

/**
 * The resource an undecided `Fn::If` names wherever that resource is deployed: `!If [IsDev,
 * !GetAtt MockQueue.Arn, <another account's queue>]` with `MockQueue` declared under `Condition:
 * IsDev` (or, on the false branch, under a condition that is `!Not [IsDev]`). A value decided at
 * the default deployment is no longer an `Fn::If`.
 */
export function conditionalTarget(value: IacValue | undefined, template: Template): string | undefined {
  if (!(value instanceof Intrinsic) || value.name !== 'Fn::If' || !Array.isArray(value.argument) || value.argument.length !== 3) return undefined;
  const [condition, whenTrue, whenFalse] = value.argument;
  if (typeof condition !== 'string') return undefined;
  const yes = refTarget(whenTrue, template);
  if (yes && resourceCondition(template, yes) === condition) return yes;
  const no = refTarget(whenFalse, template);
  const noCondition = no ? resourceCondition(template, no) : undefined;
  return no && noCondition !== undefined && negates(template, noCondition, condition) ? no : undefined;
}

function resourceCondition(template: Template, id: string): string | undefined {
  const declared = getIn(template.root, ['Resources', id, 'Condition']);
  return typeof declared === 'string' ? declared : undefined;
}

/** The template's condition `name` is `!Not [!Condition other]`. */
function negates(template: Template, name: string, other: string): boolean {
  const definition = getIn(template.root, ['Conditions', name]);
  if (!(definition instanceof Intrinsic) || definition.name !== 'Fn::Not' || !Array.isArray(definition.argument)) return false;
  const inner = definition.argument[0];
  if (inner instanceof Intrinsic) return inner.name === 'Condition' && inner.argument === other;
  return isPlainObject(inner) && Object.keys(inner).length === 1 && inner['Condition'] === other;
}

/** A resource and the template that declares it. */
export interface LocatedResource {
  template: Template;
  resource: Resource;
}

function terraformModuleOf(template: Template): string {
  return template.file.slice(0, Math.max(template.file.lastIndexOf('/'), template.file.lastIndexOf('\\')) + 1);
}

/** Finds a logical id from a template: see `resourceLookup`. */
export type ResourceLookup = (template: Template, id: string | undefined) => LocatedResource | undefined;

/** The lookup built for a scan's templates, shared by the rules that run over the same list. */
const LOOKUPS = new WeakMap<readonly Template[], { count: number; lookup: ResourceLookup }>();

/**
 * Looks a logical id up in the template that refers to it and, for a Terraform file, in the other
 * files of its module (directory): the files of a module share one namespace, and a resource per
 * file is a common layout. One pass over the templates to build, once per list of templates (every
 * rule of a scan gets the same list); each lookup is a map access.
 */
export function resourceLookup(templates: readonly Template[]): ResourceLookup {
  const built = LOOKUPS.get(templates);
  if (built && built.count === templates.length) return built.lookup;
  const lookup = buildLookup(templates);
  LOOKUPS.set(templates, { count: templates.length, lookup });
  return lookup;
}

function buildLookup(templates: readonly Template[]): ResourceLookup {
  const modules = new Map<string, Map<string, LocatedResource>>();
  for (const template of templates) {
    if (template.format !== 'terraform') continue;
    const key = terraformModuleOf(template);
    let ids = modules.get(key);
    if (!ids) modules.set(key, (ids = new Map()));
    for (const resource of template.resources.values()) if (!ids.has(resource.id)) ids.set(resource.id, { template, resource });
  }
  return (template, id) => {
    if (id === undefined) return undefined;
    const own = template.resources.get(id);
    if (own) return { template, resource: own };
    return template.format === 'terraform' ? modules.get(terraformModuleOf(template))?.get(id) : undefined;
  };
}
