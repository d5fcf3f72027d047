/**
 * Serverless Framework (`serverless.yml` / `serverless.yaml`) loader: synthesizes the
 * CloudFormation resources the framework would generate for functions, their events and the
 * step-functions plugin, and merges `resources.Resources` (plain CloudFormation) into the same
 * template. Every synthesized property locates at the Serverless line it comes from; a default
 * the framework fills in (function `Timeout` 6 s, `MemorySize` 1024, REST integration timeout
 * 29 s, HTTP API 30 s, SQS `BatchSize` 10, stream `StartingPosition` TRIM_HORIZON) locates at the
 * function or event key.
 *
 * Logical ids follow the framework's naming (`<Name>LambdaFunction`, `<Name>LambdaEvConf`,
 * `<Name>EventSourceMappingSQS<Queue>`, `<Name>SnsSubscription<Topic>`, ...). `${self:path}`
 * references to a literal of the document are resolved (`${self:custom.queueName}`), and so is a
 * whole value `${self:path}` naming a mapping, a list or an intrinsic of the document
 * (`arn: ${self:custom.jobs.arn}` with `custom.jobs.arn: !GetAtt Jobs.Arn`), whose values locate
 * at the variable; other variables (`opt:`, `env:`, `ssm:`, `cf:`, `sls:`, `aws:`, `self:` with a
 * fallback or to an unknown value, ...) are not: a string that holds one is an `Unknown` whose
 * description is the string itself. A whole-value `${file(./x.yml)}` / `${file(./x.json):a.b}` reads the YAML or JSON
 * file when it is inside the service's folder (a JavaScript file is never executed: unknown); the
 * values it brings locate at the variable. A
 * `resources.Resources` entry with the logical id of a synthesized resource overrides its
 * properties one by one (as the framework's merge does). `resources.Outputs`, `msk`/`kafka`/
 * `activemq`/`rabbitmq`, `websocket`, `cloudwatchLog`, `iot` and `cognitoUserPool` events are not
 * modelled.
 */
import { realpathSync } from 'node:fs';
import { readRegularText } from '../../ground/file-access.js';
import path from 'node:path';
import { loadYaml } from '../yaml.js';
import { sourceChain, type LoadedDocument, type SourceNode } from '../document.js';
import { loadJson } from '../json.js';
import { Intrinsic, Unknown, isPlainObject, type IacValue, type ParseProblem, type PathSegment, type PlainObject } from '../model.js';
import type { LoadTemplateResult } from './cloudformation.js';
import { Props, assembleTemplate, setOwn, type Built, type SynthesizedResource } from './synthesized.js';

/** The file of a node whose offsets are in another file than the service's (a `serverless.ts` value imported from a module). */
function inFile(node: SourceNode): { file?: string } {
  return node.file === undefined ? {} : { file: node.file };
}

/** A Serverless variable: `${source:...}` or `${fn(...)}`, not a CloudFormation `${AWS::Region}` / `${Logical.Attr}`. */
const VARIABLE = /\$\{\s*(?:[A-Za-z][\w.-]*:(?!:)|[A-Za-z]\w*\()/;

/** `${self:a.b}` without a fallback: resolved against the document when it names a literal. */
const SELF_REFERENCE = /\$\{\s*self:([\w.-]+)\s*\}/g;
/** A whole value `${self:a.b}`: it may name a mapping, a list or an intrinsic, which replaces it. */
const WHOLE_SELF_REFERENCE = /^\$\{\s*self:([\w.-]+)\s*\}$/;

/**
 * What variable expansion may produce in one service file, like the cap on YAML aliases: a few
 * variables that each repeat others expand exponentially (an expansion bomb). Past the cap the
 * remaining variables stay unexpanded (unknown values) and the file gets a problem saying why.
 */
export const MAX_EXPANDED_CHARACTERS = 1_000_000;
export const MAX_INCLUDED_NODES = 100_000;

class Expansion {
  private characters = 0;
  private nodes = 0;
  /** Why expansion stopped, once it has. */
  problem: ParseProblem | undefined;

  constructor(private readonly text: string) {}

  get stopped(): boolean {
    return this.problem !== undefined;
  }

  /** Counts `length` characters that replace `reference`; false (and expansion stops) past the cap. */
  addCharacters(length: number, reference: string): boolean {
    this.characters += length;
    if (this.characters <= MAX_EXPANDED_CHARACTERS) return true;
    this.stop(`Serverless variables expand to more than ${MAX_EXPANDED_CHARACTERS.toLocaleString('en-US')} characters (at ${reference}); the rest are left unexpanded (expansion bomb?)`, reference);
    return false;
  }

  /**
   * Counts the nodes an included file (or a whole-value `${self:...}` naming a mapping or a list)
   * brings in for `reference`; false (and expansion stops) past the cap.
   */
  addNodes(count: number, reference: string, source: 'file(...)' | 'self:...' = 'file(...)'): boolean {
    this.nodes += count;
    if (this.nodes <= MAX_INCLUDED_NODES) return true;
    this.stop(`Serverless \${${source}} variables bring in more than ${MAX_INCLUDED_NODES.toLocaleString('en-US')} values (at ${reference}); the rest are left unexpanded (expansion bomb?)`, reference);
    return false;
  }

  private stop(message: string, reference: string): void {
    if (this.problem) return;
    const at = this.text.indexOf(reference);
    this.problem = { message, offset: at === -1 ? 0 : at };
  }
}

/** Values in a document (every mapping, sequence and scalar), counted without recursion. */
function nodeCount(value: IacValue): number {
  let count = 0;
  const stack: IacValue[] = [value];
  while (stack.length > 0) {
    const v = stack.pop()!;
    count++;
    if (Array.isArray(v)) for (const item of v) stack.push(item);
    else if (v instanceof Intrinsic) stack.push(v.argument);
    else if (isPlainObject(v)) for (const key of Object.keys(v)) stack.push(v[key]!);
  }
  return count;
}

/**
 * Replaces `${self:path}` references to literal strings and numbers of the document (also
 * nested, a few levels deep); other variables stay as they are.
 */
function resolveSelf(text: string, root: PlainObject, expansion: Expansion): string {
  let current = text;
  for (let round = 0; round < 5 && current.includes('${') && !expansion.stopped; round++) {
    const next = current.replace(SELF_REFERENCE, (match, path: string) => {
      if (expansion.stopped) return match;
      let value: IacValue | undefined = root;
      for (const segment of path.split('.')) value = isPlainObject(value) && Object.hasOwn(value, segment) ? value[segment] : undefined;
      if (typeof value !== 'string' && typeof value !== 'number') return match;
      const replacement = String(value);
      return expansion.addCharacters(replacement.length, match) ? replacement : match;
    });
    if (next === current) break;
    current = next;
  }
  return current;
}

/**
 * The mapping, list or intrinsic a whole value `${self:path}` names (through other whole-value
 * `${self:...}` strings, a few deep), or undefined when it names a literal (left to
 * `resolveSelf`), an unknown value or nothing.
 */
function selfValue(text: string, root: PlainObject): IacValue | undefined {
  let current: IacValue | undefined = text;
  for (let hop = 0; hop < 5 && typeof current === 'string'; hop++) {
    const m = WHOLE_SELF_REFERENCE.exec(current.trim());
    if (!m) return undefined;
    current = root;
    for (const segment of m[1]!.split('.')) current = isPlainObject(current) && Object.hasOwn(current, segment) ? current[segment] : undefined;
  }
  return Array.isArray(current) || current instanceof Intrinsic || isPlainObject(current) ? current : undefined;
}

/** Largest file `${file(...)}` reads (the scan's default limit for one file). */
const MAX_INCLUDED_BYTES = 8 * 1024 * 1024;

/** `${file(./x.yml)}` / `${file(./x.yml):a.b}`: a whole-value reference to another file. */
const FILE_REFERENCE = /^\$\{\s*file\(\s*['"]?([^)'"\s]+)['"]?\s*\)(?::([\w.-]+))?\s*\}$/;

/**
 * Files that `${file(...)}` reads: YAML and JSON files inside the service's folder, never above it
 * (a link that leads out of it is not followed) and never larger than the scan's file limit.
 * JavaScript files stay unknown: nothing is executed. A state machine definition stays a
 * reference (the definition is loaded with its own positions, see `../asl-definitions.ts`).
 */
class Includes {
  private readonly cache = new Map<string, IacValue | undefined>();
  private readonly root: string | undefined;

  constructor(serviceFile: string) {
    try {
      this.root = realpathSync(path.dirname(path.resolve(serviceFile)));
    } catch {
      this.root = undefined;
    }
  }

  /** The value a whole-value `${file(...)}` reference stands for, or undefined when it cannot be read. */
  read(reference: string): IacValue | undefined {
    const m = FILE_REFERENCE.exec(reference.trim());
    if (!m || !this.root || !/\.(?:ya?ml|json)$/i.test(m[1]!)) return undefined;
    let file: string;
    try {
      file = realpathSync(path.resolve(this.root, m[1]!));
    } catch {
      return undefined;
    }
    if (!file.startsWith(this.root + path.sep)) return undefined;
    if (!this.cache.has(file)) this.cache.set(file, this.load(file));
    let value = this.cache.get(file);
    if (value === undefined || (isPlainObject(value) && Object.hasOwn(value, 'StartAt') && isPlainObject(value['States']))) return undefined;
    for (const segment of m[2] ? m[2].split('.') : []) value = isPlainObject(value) && Object.hasOwn(value, segment) ? value[segment] : undefined;
    return value;
  }

  private load(file: string): IacValue | undefined {
    try {
      // a regular file of a bounded size (a FIFO would block, a link to a device never end)
      const text = readRegularText(file, { maxBytes: MAX_INCLUDED_BYTES });
      return (/\.json$/i.test(file) ? loadJson(text) : loadYaml(text)).value;
    } catch {
      return undefined;
    }
  }
}

function resolveVariables(value: IacValue, root: PlainObject, expansion: Expansion, includes?: Includes, depth = 0): IacValue {
  if (depth > 250) return value;
  if (typeof value === 'string') {
    if (!VARIABLE.test(value)) return value;
    const included = expansion.stopped ? undefined : includes?.read(value);
    // the included document's own variables are resolved against this service (Serverless does the same)
    // (resolving copies every mapping, list and intrinsic: the cached document stays as it is)
    if (included !== undefined && expansion.addNodes(nodeCount(included), value.trim())) {
      return resolveVariables(included, root, expansion, includes, depth + 25);
    }
    const named = expansion.stopped ? undefined : selfValue(value, root);
    if (named !== undefined && expansion.addNodes(nodeCount(named), value.trim(), 'self:...')) {
      return resolveVariables(named, root, expansion, includes, depth + 25);
    }
    const resolved = resolveSelf(value, root, expansion);
    return VARIABLE.test(resolved) ? new Unknown(resolved) : /^-?\d+(?:\.\d+)?$/.test(resolved) && /^\$\{[^}]*\}$/.test(value.trim()) ? Number(resolved) : resolved;
  }
  if (Array.isArray(value)) return value.map((v) => resolveVariables(v, root, expansion, includes, depth + 1));
  if (value instanceof Intrinsic) return new Intrinsic(value.name, resolveVariables(value.argument, root, expansion, includes, depth + 1));
  if (isPlainObject(value)) {
    const out: PlainObject = {};
    for (const [k, v] of Object.entries(value)) setOwn(out, k, resolveVariables(v, root, expansion, includes, depth + 1));
    return out;
  }
  return value;
}

const capitalise = (s: string): string => (s ? s[0]!.toUpperCase() + s.slice(1) : s);
/** The framework's function name normalisation: `-` → `Dash`, `_` → `Underscore`, first letter upper case. */
const functionKey = (name: string): string => capitalise(name.replace(/-/g, 'Dash').replace(/_/g, 'Underscore'));
const alphanumeric = (s: string): string => capitalise(s.replace(/[^0-9A-Za-z]/g, ''));

/** Last segment of a literal ARN or name, for logical ids. */
function nameOf(value: IacValue | undefined): string {
  if (typeof value === 'string') return alphanumeric(value.split(/[:/]/).pop() ?? '');
  if (value instanceof Intrinsic && Array.isArray(value.argument) && typeof value.argument[0] === 'string') return alphanumeric(value.argument[0]);
  if (value instanceof Intrinsic && typeof value.argument === 'string') return alphanumeric(value.argument);
  return '';
}

class ServerlessBuilder {
  readonly resources = new Map<string, SynthesizedResource>();
  private readonly functionIds = new Map<string, string>();

  constructor(
    private readonly root: PlainObject,
    private readonly source: SourceNode,
  ) {}

  /** Value and source at a path of the document, if it exists. */
  at(path: PathSegment[]): Built | undefined {
    const { chain, found } = sourceChain(this.source, path);
    if (!found) return undefined;
    let value: IacValue | undefined = this.root;
    for (const segment of path) {
      if (Array.isArray(value) && typeof segment === 'number') value = value[segment];
      else if (isPlainObject(value) && Object.hasOwn(value, String(segment))) value = value[String(segment)];
      else return undefined;
    }
    return value === undefined ? undefined : { value, source: chain[chain.length - 1]! };
  }

  /** A default value located at `owner` (no text of its own). */
  synthetic(value: IacValue, owner: SourceNode): Built {
    return { value, source: { start: owner.start, end: owner.end, keyStart: -1, keyEnd: -1, synthetic: true, ...inFile(owner) } };
  }

  private uniqueId(base: string): string {
    let id = base;
    for (let n = 2; this.resources.has(id); n++) id = `${base}${n}`;
    return id;
  }

  private add(id: string, type: string, props: Props, node: SourceNode): void {
    this.resources.set(id, { id, type, props, node: { start: node.start, end: node.end, keyStart: node.keyStart, keyEnd: node.keyEnd, ...inFile(node) } });
  }

  /** Copies `path` (if present) into `props` as `name`. */
  copy(props: Props, name: string, path: PathSegment[], convert?: (v: IacValue) => IacValue): boolean {
    const found = this.at(path);
    if (!found) return false;
    props.set(name, convert ? { value: convert(found.value), source: found.source } : found);
    return true;
  }

  functions(): { name: string; path: PathSegment[] }[] {
    const out: { name: string; path: PathSegment[] }[] = [];
    const declared = this.root['functions'];
    const collect = (obj: PlainObject, prefix: PathSegment[]): void => {
      for (const [name, fn] of Object.entries(obj)) if (isPlainObject(fn)) out.push({ name, path: [...prefix, name] });
    };
    if (isPlainObject(declared)) collect(declared, ['functions']);
    else if (Array.isArray(declared)) declared.forEach((item, i) => isPlainObject(item) && collect(item, ['functions', i]));
    return out;
  }

  build(): void {
    const functions = this.functions();
    for (const fn of functions) this.functionIds.set(fn.name, `${functionKey(fn.name)}LambdaFunction`);
    for (const fn of functions) this.buildFunction(fn.name, fn.path);
    this.buildStateMachines();
    this.mergeResources();
  }

  private fnArn(id: string, owner: SourceNode): Built {
    return this.synthetic(new Intrinsic('Fn::GetAtt', [id, 'Arn']), owner);
  }

  /** A destination: an ARN, a function of this service (by name), or `{ arn, type }`. */
  private destination(path: PathSegment[]): Built | undefined {
    const found = this.at(path);
    if (!found || found.value === '') return undefined;
    if (isPlainObject(found.value)) return this.at([...path, 'arn']) ?? { value: new Unknown('a destination without arn'), source: found.source };
    if (typeof found.value === 'string' && !found.value.startsWith('arn:') && this.functionIds.has(found.value)) {
      return { value: new Intrinsic('Fn::GetAtt', [this.functionIds.get(found.value)!, 'Arn']), source: found.source };
    }
    return found;
  }

  private buildFunction(name: string, path: PathSegment[]): void {
    const fnNode = this.at(path)!;
    const owner = fnNode.source;
    const id = this.functionIds.get(name)!;
    const props = new Props();
    this.copy(props, 'FunctionName', [...path, 'name']);
    this.copy(props, 'Handler', [...path, 'handler']);
    if (!this.copy(props, 'Runtime', [...path, 'runtime'])) this.copy(props, 'Runtime', ['provider', 'runtime']);
    if (!this.copy(props, 'Timeout', [...path, 'timeout']) && !this.copy(props, 'Timeout', ['provider', 'timeout'])) {
      props.set('Timeout', this.synthetic(6, owner));
    }
    if (!this.copy(props, 'MemorySize', [...path, 'memorySize']) && !this.copy(props, 'MemorySize', ['provider', 'memorySize'])) {
      props.set('MemorySize', this.synthetic(1024, owner));
    }
    const providerEnv = this.at(['provider', 'environment']);
    const fnEnv = this.at([...path, 'environment']);
    if (providerEnv || fnEnv) {
      const variables = new Props();
      let unknown: Built | undefined;
      for (const env of [providerEnv, fnEnv]) {
        if (!env) continue;
        if (!isPlainObject(env.value)) unknown = env;
        else for (const key of Object.keys(env.value)) variables.set(key, { value: env.value[key]!, source: env.source.entries?.get(key) ?? env.source });
      }
      const envSource = (fnEnv ?? providerEnv)!.source;
      props.set('Environment.Variables', unknown ? { value: unknown.value, source: unknown.source } : { value: variables.value, source: { ...envSource, entries: variables.entries } });
    }
    const onError = this.at([...path, 'onError']);
    // an empty ARN is none (the framework leaves it out), as for every destination below
    if (onError && onError.value !== '') props.set('DeadLetterConfig.TargetArn', onError);
    this.copy(props, 'ReservedConcurrentExecutions', [...path, 'reservedConcurrency']);
    this.add(id, 'AWS::Lambda::Function', props, owner);

    this.buildInvokeConfig(name, path, id);
    const events = this.at([...path, 'events']);
    if (events && Array.isArray(events.value)) {
      events.value.forEach((event, i) => {
        if (!isPlainObject(event)) return;
        const type = Object.keys(event)[0];
        if (type !== undefined) this.buildEvent(name, id, [...path, 'events', i], type, i);
      });
    }
  }

  private buildInvokeConfig(name: string, path: PathSegment[], fnId: string): void {
    const keys = ['maximumRetryAttempts', 'maximumEventAge', 'destinations'].map((k) => this.at([...path, k])).filter((b): b is Built => b !== undefined);
    if (keys.length === 0) return;
    const owner = keys[0]!.source;
    const props = new Props();
    props.set('FunctionName', this.synthetic(new Intrinsic('Ref', fnId), owner));
    props.set('Qualifier', this.synthetic('$LATEST', owner));
    this.copy(props, 'MaximumRetryAttempts', [...path, 'maximumRetryAttempts']);
    this.copy(props, 'MaximumEventAgeInSeconds', [...path, 'maximumEventAge']);
    const destinations = this.at([...path, 'destinations']);
    if (destinations && !isPlainObject(destinations.value)) props.set('DestinationConfig', destinations);
    for (const [key, cfn] of [['onFailure', 'OnFailure'], ['onSuccess', 'OnSuccess']] as const) {
      const target = this.destination([...path, 'destinations', key]);
      if (target) props.set(`DestinationConfig.${cfn}.Destination`, target);
    }
    this.add(`${functionKey(name)}LambdaEvConf`, 'AWS::Lambda::EventInvokeConfig', props, owner);
  }

  private buildEvent(fnName: string, fnId: string, itemPath: PathSegment[], type: string, index: number): void {
    const item = this.at(itemPath)!;
    const event = this.at([...itemPath, type])!;
    // the resource: the event's list item, keyed by the event type (`sqs:`)
    const owner: SourceNode = { start: item.source.start, end: item.source.end, keyStart: event.source.keyStart, keyEnd: event.source.keyEnd, ...inFile(item.source) };
    const evPath = [...itemPath, type];
    const options = isPlainObject(event.value);
    const opt = (key: string): PathSegment[] => [...evPath, key];
    const fnKey = functionKey(fnName);
    const props = new Props();
    switch (type) {
      case 'sqs':
      case 'stream': {
        const arn = options ? this.at(opt('arn')) : event;
        if (arn) props.set('EventSourceArn', arn);
        props.set('FunctionName', this.fnArn(fnId, owner));
        this.copy(props, 'BatchSize', opt('batchSize'));
        this.copy(props, 'Enabled', opt('enabled'));
        this.copy(props, 'FunctionResponseTypes', opt('functionResponseType'), (v) => [v]);
        let kind = 'SQS';
        if (type === 'sqs') {
          if (!Object.hasOwn(props.value, 'BatchSize')) props.set('BatchSize', this.synthetic(10, owner));
          this.copy(props, 'MaximumBatchingWindowInSeconds', opt('maximumBatchingWindow'));
          this.copy(props, 'ScalingConfig.MaximumConcurrency', opt('maximumConcurrency'));
        } else {
          if (!this.copy(props, 'StartingPosition', opt('startingPosition'))) props.set('StartingPosition', this.synthetic('TRIM_HORIZON', owner));
          this.copy(props, 'MaximumRetryAttempts', opt('maximumRetryAttempts'));
          this.copy(props, 'MaximumRecordAgeInSeconds', opt('maximumRecordAgeInSeconds'));
          this.copy(props, 'BisectBatchOnFunctionError', opt('bisectBatchOnFunctionError'));
          this.copy(props, 'ParallelizationFactor', opt('parallelizationFactor'));
          this.copy(props, 'TumblingWindowInSeconds', opt('tumblingWindowInSeconds'));
          this.copy(props, 'MaximumBatchingWindowInSeconds', opt('batchWindow'));
          const onFailure = this.destination([...evPath, 'destinations', 'onFailure']);
          if (onFailure) props.set('DestinationConfig.OnFailure.Destination', onFailure);
          const streamType = options ? (event.value as PlainObject)['type'] : undefined;
          const text = typeof arn?.value === 'string' ? arn.value : arn?.value instanceof Unknown ? arn.value.description : '';
          kind = streamType === 'dynamodb' || text.includes(':dynamodb:') ? 'DynamodbStream' : streamType === 'kinesis' || text.includes(':kinesis:') ? 'Kinesis' : 'Stream';
        }
        this.add(this.uniqueId(`${fnKey}EventSourceMapping${kind}${nameOf(arn?.value)}`), 'AWS::Lambda::EventSourceMapping', props, owner);
        return;
      }
      case 'sns': {
        const arn = options ? (this.at(opt('arn')) ?? this.at(opt('topicName'))) : event;
        let topicName = '';
        if (arn) {
          const v = arn.value;
          if (typeof v === 'string' && !v.startsWith('arn:')) {
            topicName = alphanumeric(v);
            const topicId = `SNSTopic${topicName}`;
            if (!this.resources.has(topicId)) {
              const topic = new Props();
              topic.set('TopicName', arn);
              this.add(topicId, 'AWS::SNS::Topic', topic, owner);
            }
            props.set('TopicArn', { value: new Intrinsic('Ref', topicId), source: arn.source });
          } else {
            topicName = nameOf(v);
            props.set('TopicArn', arn);
          }
        }
        props.set('Protocol', this.synthetic('lambda', owner));
        props.set('Endpoint', this.fnArn(fnId, owner));
        this.copy(props, 'FilterPolicy', opt('filterPolicy'));
        this.copy(props, 'FilterPolicyScope', opt('filterPolicyScope'));
        const redrive = this.at(opt('redrivePolicy'));
        if (redrive) {
          const rp = [...evPath, 'redrivePolicy'];
          const target =
            this.at([...rp, 'deadLetterTargetArn']) ??
            ((ref) => ref && { value: typeof ref.value === 'string' ? new Intrinsic('Fn::GetAtt', [ref.value, 'Arn']) : ref.value, source: ref.source })(this.at([...rp, 'deadLetterTargetRef'])) ??
            ((imp) => imp && { value: new Intrinsic('Fn::ImportValue', imp.value), source: imp.source })(this.at([...rp, 'deadLetterTargetImport', 'arn']));
          if (target) props.set('RedrivePolicy', { value: { deadLetterTargetArn: target.value }, source: { ...redrive.source, entries: new Map([['deadLetterTargetArn', target.source]]) } });
          else props.set('RedrivePolicy', redrive);
        }
        this.add(this.uniqueId(`${fnKey}SnsSubscription${topicName}`), 'AWS::SNS::Subscription', props, owner);
        return;
      }
      case 'eventBridge': {
        this.copy(props, 'EventBusName', opt('eventBus'));
        this.copy(props, 'EventPattern', opt('pattern'));
        this.copy(props, 'ScheduleExpression', opt('schedule'));
        const enabled = this.at(opt('enabled'));
        props.set('State', enabled ? { value: enabled.value === false ? 'DISABLED' : enabled.value === true ? 'ENABLED' : enabled.value, source: enabled.source } : this.synthetic('ENABLED', owner));
        const target = new Props();
        target.set('Id', this.synthetic(`${fnKey}EventBridgeTarget`, owner));
        target.set('Arn', this.fnArn(fnId, owner));
        this.copy(target, 'Input', opt('input'));
        this.copy(target, 'InputPath', opt('inputPath'));
        const retry = this.at(opt('retryPolicy'));
        if (retry) {
          const policy = new Props();
          this.copy(policy, 'MaximumEventAgeInSeconds', [...evPath, 'retryPolicy', 'maximumEventAge']);
          this.copy(policy, 'MaximumRetryAttempts', [...evPath, 'retryPolicy', 'maximumRetryAttempts']);
          target.set('RetryPolicy', isPlainObject(retry.value) ? { value: policy.value, source: { ...retry.source, entries: policy.entries } } : retry);
        }
        const dlq = this.at(opt('deadLetterQueueArn'));
        if (dlq && dlq.value !== '') target.set('DeadLetterConfig.Arn', dlq);
        props.set('Targets', { value: [target.value], source: { ...owner, synthetic: true, keyStart: -1, keyEnd: -1, items: [{ ...owner, entries: target.entries }] } });
        this.add(this.uniqueId(`${fnKey}EventBridgeRule${index + 1}`), 'AWS::Events::Rule', props, owner);
        return;
      }
      case 'schedule': {
        const rateNode = options ? this.at(opt('rate')) : event;
        const rates: Built[] = [];
        if (rateNode && Array.isArray(rateNode.value)) rateNode.value.forEach((v, i) => rates.push({ value: v, source: rateNode.source.items?.[i] ?? rateNode.source }));
        else if (rateNode) rates.push(rateNode);
        const method = options ? (event.value as PlainObject)['method'] : undefined;
        const enabled = this.at(opt('enabled'));
        const state: Built = enabled ? { value: enabled.value === false ? 'DISABLED' : enabled.value === true ? 'ENABLED' : enabled.value, source: enabled.source } : this.synthetic('ENABLED', owner);
        rates.forEach((rate, n) => {
          const p = n === 0 ? props : new Props();
          p.set('ScheduleExpression', rate);
          p.set('State', state);
          if (method === 'scheduler') {
            p.set('FlexibleTimeWindow.Mode', this.synthetic('OFF', owner));
            this.copy(p, 'ScheduleExpressionTimezone', opt('timezone'));
            p.set('Target.Arn', this.fnArn(fnId, owner));
            this.copy(p, 'Target.Input', opt('input'));
            this.add(this.uniqueId(`${fnKey}Schedule${index + 1}`), 'AWS::Scheduler::Schedule', p, owner);
          } else {
            const target = new Props();
            target.set('Id', this.synthetic(`${fnKey}Schedule`, owner));
            target.set('Arn', this.fnArn(fnId, owner));
            this.copy(target, 'Input', opt('input'));
            this.copy(target, 'InputPath', opt('inputPath'));
            p.set('Targets', { value: [target.value], source: { ...owner, synthetic: true, keyStart: -1, keyEnd: -1, items: [{ ...owner, entries: target.entries }] } });
            this.add(this.uniqueId(`${fnKey}EventsRuleSchedule${index + 1}`), 'AWS::Events::Rule', p, owner);
          }
        });
        return;
      }
      case 'http': {
        let method: IacValue | undefined;
        let httpPath: IacValue | undefined;
        if (typeof event.value === 'string') [method, httpPath] = event.value.trim().split(/\s+/);
        else if (options) {
          method = (event.value as PlainObject)['method'];
          httpPath = (event.value as PlainObject)['path'];
        }
        const methodName = typeof method === 'string' ? method.toUpperCase() : undefined;
        if (methodName) props.set('HttpMethod', options ? (this.at(opt('method')) ?? this.synthetic(methodName, owner)) : this.synthetic(methodName, owner));
        const integration = options ? (event.value as PlainObject)['integration'] : undefined;
        const proxy = integration === undefined || integration === 'lambda-proxy' || integration === 'aws_proxy' || integration === 'aws-proxy';
        props.set('Integration.Type', this.synthetic(proxy ? 'AWS_PROXY' : typeof integration === 'string' && /^lambda$/i.test(integration) ? 'AWS' : String(integration).toUpperCase(), owner));
        props.set('Integration.IntegrationHttpMethod', this.synthetic('POST', owner));
        props.set(
          'Integration.Uri',
          this.synthetic(new Intrinsic('Fn::Sub', `arn:\${AWS::Partition}:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${${fnId}.Arn}/invocations`), owner),
        );
        if (!this.copy(props, 'Integration.TimeoutInMillis', opt('timeoutInMillis')) && !this.copy(props, 'Integration.TimeoutInMillis', ['provider', 'apiGateway', 'timeoutInMillis'])) {
          props.set('Integration.TimeoutInMillis', this.synthetic(29000, owner));
        }
        const pathId = typeof httpPath === 'string' ? httpPath.split('/').map((s) => alphanumeric(s.replace(/[{}+]/g, ''))).join('') : '';
        this.add(this.uniqueId(`ApiGatewayMethod${pathId}${capitalise((methodName ?? 'Any').toLowerCase())}`), 'AWS::ApiGateway::Method', props, owner);
        return;
      }
      case 'httpApi': {
        const id = `HttpApiIntegration${fnKey}`;
        if (this.resources.has(id)) return;
        props.set('IntegrationType', this.synthetic('AWS_PROXY', owner));
        props.set('IntegrationUri', this.fnArn(fnId, owner));
        if (!this.copy(props, 'PayloadFormatVersion', ['provider', 'httpApi', 'payload'])) props.set('PayloadFormatVersion', this.synthetic('2.0', owner));
        props.set('TimeoutInMillis', this.synthetic(30000, owner));
        this.add(id, 'AWS::ApiGatewayV2::Integration', props, owner);
        return;
      }
      case 's3': {
        const bucket = options ? this.at(opt('bucket')) : event;
        props.set('Action', this.synthetic('lambda:InvokeFunction', owner));
        props.set('FunctionName', this.fnArn(fnId, owner));
        props.set('Principal', this.synthetic('s3.amazonaws.com', owner));
        this.add(this.uniqueId(`${fnKey}LambdaPermission${nameOf(bucket?.value)}S3`), 'AWS::Lambda::Permission', props, owner);
        return;
      }
      case 'alb': {
        props.set('TargetType', this.synthetic('lambda', owner));
        props.set('Targets', this.synthetic([{ Id: new Intrinsic('Fn::GetAtt', [fnId, 'Arn']) }], owner));
        this.copy(props, 'Name', opt('targetGroupName'));
        this.copy(props, 'HealthCheckEnabled', opt('healthCheck'), (v) => (typeof v === 'boolean' ? v : isPlainObject(v) ? true : v));
        this.add(this.uniqueId(`${fnKey}AlbTargetGroup${index + 1}`), 'AWS::ElasticLoadBalancingV2::TargetGroup', props, owner);
        return;
      }
      default:
        return;
    }
  }

  private buildStateMachines(): void {
    const machines = this.at(['stepFunctions', 'stateMachines']);
    if (!machines || !isPlainObject(machines.value)) return;
    for (const [key, machine] of Object.entries(machines.value)) {
      if (!isPlainObject(machine)) continue;
      const path = ['stepFunctions', 'stateMachines', key];
      const owner = this.at(path)!.source;
      const props = new Props();
      this.copy(props, 'StateMachineName', [...path, 'name']);
      this.copy(props, 'Definition', [...path, 'definition']);
      this.copy(props, 'StateMachineType', [...path, 'type']);
      this.copy(props, 'RoleArn', [...path, 'role']);
      const explicit = machine['id'];
      const id = typeof explicit === 'string' ? explicit : `${alphanumeric(key)}StepFunctionsStateMachine`;
      this.add(this.uniqueId(id), 'AWS::StepFunctions::StateMachine', props, owner);
    }
  }

  /** `resources.Resources` (also in the list form of `resources`) merged in with their own positions. */
  private mergeResources(): void {
    const declared = this.root['resources'];
    const sections: PathSegment[][] = [];
    if (isPlainObject(declared)) sections.push(['resources', 'Resources']);
    else if (Array.isArray(declared)) declared.forEach((_, i) => sections.push(['resources', i, 'Resources']));
    for (const section of sections) {
      const found = this.at(section);
      if (!found || !isPlainObject(found.value)) continue;
      for (const [id, value] of Object.entries(found.value)) {
        const source = found.source.entries?.get(id);
        if (!source) continue;
        const existing = this.resources.get(id);
        const properties = isPlainObject(value) ? value['Properties'] : undefined;
        if (existing && !existing.raw && isPlainObject(value) && (value['Type'] === undefined || value['Type'] === existing.type)) {
          if (isPlainObject(properties)) {
            const propsSource = source.entries?.get('Properties');
            for (const [key, inner] of Object.entries(properties)) existing.props.set(key, { value: inner, source: propsSource?.entries?.get(key) ?? source });
          }
          continue;
        }
        this.resources.set(id, { id, type: typeof (value as PlainObject)?.['Type'] === 'string' ? String((value as PlainObject)['Type']) : '', props: new Props(), node: source, raw: { value, source } });
      }
    }
  }
}

/**
 * Gives the values read from other files (`${file(...)}` mappings and lists) positions: every
 * path inside one locates at the variable that included it.
 */
function coverIncluded(value: IacValue, node: SourceNode, depth: number): void {
  if (depth > 250) return;
  const at = (): SourceNode => ({ start: node.start, end: node.end, keyStart: node.keyStart, keyEnd: node.keyEnd, ...inFile(node) });
  if (Array.isArray(value)) {
    if (!node.items) node.items = value.map(at);
    value.forEach((v, i) => coverIncluded(v, (node.items![i] ??= at()), depth + 1));
  } else if (isPlainObject(value)) {
    if (!node.entries) node.entries = new Map();
    for (const [k, v] of Object.entries(value)) {
      let child = node.entries.get(k);
      if (!child) {
        child = at();
        node.entries.set(k, child);
      }
      coverIncluded(v, child, depth + 1);
    }
  }
}

/**
 * Loads a Serverless Framework service file. Returns null when the document is not one (no
 * `service`/`provider`, or a provider other than AWS).
 */
export function loadServerless(file: string, text: string): LoadTemplateResult | null {
  return loadServerlessDocument(file, text, loadYaml(text));
}

/**
 * The template of a service whose configuration is already read (a YAML file, or the object a
 * `serverless.ts` exports, whose values may come from other files: `otherTexts`).
 */
export function loadServerlessDocument(file: string, text: string, document: LoadedDocument, otherTexts?: ReadonlyMap<string, string>): LoadTemplateResult | null {
  if (document.value === undefined || !document.source) return { problems: document.problems };
  const root = document.value;
  if (!isPlainObject(root) || !Object.hasOwn(root, 'service') || !Object.hasOwn(root, 'provider')) return null;
  const provider = root['provider'];
  const providerName = isPlainObject(provider) ? provider['name'] : undefined;
  if (typeof providerName === 'string' && providerName !== 'aws') return null;
  const expansion = new Expansion(text);
  const resolved = resolveVariables(root, root, expansion, new Includes(file)) as PlainObject;
  coverIncluded(resolved, document.source, 0);
  const builder = new ServerlessBuilder(resolved, document.source);
  builder.build();
  const problems = expansion.problem ? [...document.problems, expansion.problem] : document.problems;
  return { template: assembleTemplate(file, text, builder.resources.values(), 'serverless', otherTexts), problems };
}
