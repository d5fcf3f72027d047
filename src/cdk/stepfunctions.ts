/**
 * Step Functions state machines written with the CDK: the definition they synthesize, as an
 * Amazon States Language document located in the TypeScript source.
 *
 * - `DefinitionBody.fromChainable(chain)` / `definition: chain`: states built with
 *   `stepfunctions` (Pass, Wait, Succeed, Fail, Choice, Parallel, Map, DistributedMap,
 *   CustomState) and `stepfunctions-tasks` classes, wired with `.next()`, `Chain.start()`,
 *   `.addRetry()`, `.addCatch()`, `.branch()`, `.itemProcessor()`, `.when()` / `.otherwise()`.
 *   A state's name is its construct id (or `stateName`); `LambdaInvoke` adds the CDK's retry of
 *   Lambda service errors unless `retryOnServiceExceptions: false`.
 * - `DefinitionBody.fromString(json)` with a JSON literal (located inside the literal) or
 *   `JSON.stringify({...})`.
 * Definitions read from files, and states this cannot follow, are unknown.
 */
import { ts } from '../code/ts.js';
import { loadJson } from '../iac/json.js';
import { Unknown, fileText, fileTextPath, type IacValue } from '../iac/model.js';
import { remapSource, type SourceNode } from '../iac/document.js';
import { List, Located, Mapping, type Res } from './resources.js';
import { entryOf, stringOf, unknown, UNDEF, type Cx, type Entry, type Val } from './values.js';

type Node = ts.Node;

/** What state machines ask of the construct library (`./library.ts`) that builds them. */
export interface Host {
  readonly sf: ts.SourceFile;
  /** The file a node is in: `sf`, or another file of the app whose construct class runs here. */
  fileOf(node: Node): ts.SourceFile;
  addResource(path: string[], type: string, node: Node, child?: boolean): Res;
  arn(val: Val): IacValue | undefined;
  built(val: Val, source: SourceNode, keys?: 'cfn'): Located | undefined;
  callSource(node: Node): SourceNode;
  constructId(val: Val | undefined, node: Node): string;
  copy(m: Mapping, cfn: string, props: Val | undefined, cdk: string, fallback: SourceNode): void;
  cx(kind: string, node: Node, args: Val[], path?: string[]): Cx;
  describe(node: Node): string;
  entrySource(e: Entry): SourceNode;
  plain(val: Val): IacValue | undefined;
  scopePath(val: Val | undefined): string[] | undefined;
  seconds(val: Val): IacValue | undefined;
  setFrom(
    m: Mapping,
    cfn: string,
    props: Val | undefined,
    cdk: string,
    convert: (val: Val, entry: Entry) => IacValue | Located | undefined,
    fallback: SourceNode,
  ): void;
}

interface StateData {
  name: string;
  type: string;
  fields: Mapping;
  next?: Cx;
  retries: List;
  catches: { errors: IacValue; handler: Cx; source: SourceNode }[];
  choices: { next: Cx; source: SourceNode }[];
  otherwise?: Cx;
  branches: Cx[];
  processor?: { chain: Cx; source: SourceNode };
}

/** Task classes and the service integration they call (`arn:aws:states:::<service>:<action>`). */
const TASKS: Record<string, { resource: string; pattern?: 'RUN_JOB' }> = {
  LambdaInvoke: { resource: 'lambda:invoke' },
  SqsSendMessage: { resource: 'sqs:sendMessage' },
  SnsPublish: { resource: 'sns:publish' },
  DynamoPutItem: { resource: 'dynamodb:putItem' },
  DynamoGetItem: { resource: 'dynamodb:getItem' },
  DynamoUpdateItem: { resource: 'dynamodb:updateItem' },
  DynamoDeleteItem: { resource: 'dynamodb:deleteItem' },
  EventBridgePutEvents: { resource: 'events:putEvents' },
  StepFunctionsStartExecution: { resource: 'states:startExecution' },
  EcsRunTask: { resource: 'ecs:runTask' },
  BatchSubmitJob: { resource: 'batch:submitJob', pattern: 'RUN_JOB' },
  GlueStartJobRun: { resource: 'glue:startJobRun' },
  CodeBuildStartBuild: { resource: 'codebuild:startBuild' },
  AthenaStartQueryExecution: { resource: 'athena:startQueryExecution' },
  HttpInvoke: { resource: 'http:invoke' },
  BedrockInvokeModel: { resource: 'bedrock:invokeModel' },
};

const SUFFIX: Record<string, string> = { REQUEST_RESPONSE: '', RUN_JOB: '.sync', WAIT_FOR_TASK_TOKEN: '.waitForTaskToken' };

/** Service errors `LambdaInvoke` retries by default: 2 s interval, 6 attempts, backoff rate 2. */
const LAMBDA_SERVICE_ERRORS = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException'];

export class StepFunctions {
  constructor(private readonly lib: Host) {}

  private state(c: Cx): StateData | undefined {
    return c.data['state'] as StateData | undefined;
  }

  /** A construct of `stepfunctions` / `stepfunctions-tasks`, or undefined for another class. */
  construct(name: string, c: Cx, args: Val[], node: ts.NewExpression): Val | undefined {
    if (name === 'stepfunctions.StateMachine') return this.stateMachine(c, args, node);
    const flow = /^stepfunctions\.(Pass|Wait|Succeed|Fail|Choice|Parallel|Map|DistributedMap|CustomState)$/.exec(name)?.[1];
    const task = /^stepfunctions-tasks\.([A-Za-z0-9]+)$/.exec(name)?.[1];
    if (!flow && !task) return undefined;
    const props = args[2];
    const stateName = entryOf(props, 'stateName');
    const data: StateData = {
      name: typeof stateName === 'object' ? (stringOf(stateName.val) ?? this.lib.constructId(args[1], node)) : this.lib.constructId(args[1], node),
      type: task ? 'Task' : flow === 'DistributedMap' ? 'Map' : flow === 'CustomState' ? 'Custom' : flow!,
      fields: new Mapping(),
      retries: new List(),
      catches: [],
      choices: [],
      branches: [],
    };
    c.data['state'] = data;
    const at = this.lib.callSource(node);
    const fields = data.fields;
    if (flow === 'CustomState') {
      const json = entryOf(props, 'stateJson');
      if (typeof json === 'object' && json.val.k === 'obj') {
        for (const [key, entry] of json.val.entries) fields.set(key, this.lib.built(entry.val, this.lib.entrySource(entry)));
        const type = json.val.entries.get('Type')?.val;
        data.type = stringOf(type) ?? 'Task';
      }
      return { k: 'cx', c };
    }
    if (flow === 'DistributedMap') {
      const config = new Mapping();
      config.set('Mode', { value: 'DISTRIBUTED', source: at });
      this.lib.setFrom(config, 'ExecutionType', props, 'mapExecutionType', (v) => this.lib.plain(v), at);
      data.fields.set('ItemProcessor', new Located({ ProcessorConfig: config.value }, at));
    }
    if (!task) return { k: 'cx', c };
    const spec = TASKS[task];
    const pattern = entryOf(props, 'integrationPattern');
    const patternName = typeof pattern === 'object' ? this.lib.plain(pattern.val) : (spec?.pattern ?? 'REQUEST_RESPONSE');
    const resourceSource = typeof pattern === 'object' ? this.lib.entrySource(pattern) : at;
    if (task === 'LambdaInvoke' && isTrue(entryOf(props, 'payloadResponseOnly'))) {
      const fn = entryOf(props, 'lambdaFunction');
      fields.set('Resource', { value: typeof fn === 'object' ? (this.lib.arn(fn.val) ?? new Unknown('lambdaFunction')) : new Unknown('lambdaFunction'), source: at });
    } else if (task === 'CallAwsService') {
      const service = stringOf(entryOfVal(props, 'service'));
      const action = stringOf(entryOfVal(props, 'action'));
      fields.set('Resource', { value: service && action ? `arn:aws:states:::aws-sdk:${service}:${action}${suffix(patternName)}` : new Unknown('an AWS SDK integration'), source: resourceSource });
    } else if (spec && typeof patternName === 'string') {
      fields.set('Resource', { value: `arn:aws:states:::${spec.resource}${SUFFIX[patternName] ?? ''}`, source: resourceSource });
      if (task === 'LambdaInvoke') {
        // the function the integration invokes, as a synth writes it (`Parameters.FunctionName`)
        const fn = entryOf(props, 'lambdaFunction');
        if (typeof fn === 'object') fields.set('Parameters', new Located({ FunctionName: this.lib.arn(fn.val) ?? new Unknown('lambdaFunction'), 'Payload.$': '$' }, this.lib.entrySource(fn)));
      }
    } else fields.set('Resource', { value: new Unknown(`the resource of ${task}`), source: resourceSource });
    this.lib.setFrom(fields, 'TimeoutSeconds', props, 'taskTimeout', (v, e) => this.timeout(v, e.node), at);
    if (!fields.has('TimeoutSeconds')) this.lib.setFrom(fields, 'TimeoutSeconds', props, 'timeout', (v) => this.lib.seconds(v), at);
    this.lib.setFrom(fields, 'HeartbeatSeconds', props, 'heartbeatTimeout', (v, e) => this.timeout(v, e.node), at);
    if (!fields.has('HeartbeatSeconds')) this.lib.setFrom(fields, 'HeartbeatSeconds', props, 'heartbeat', (v) => this.lib.seconds(v), at);
    // a path-valued timeout (`Timeout.at('$.x')`) is TimeoutSecondsPath
    for (const [key, pathKey] of [
      ['TimeoutSeconds', 'TimeoutSecondsPath'],
      ['HeartbeatSeconds', 'HeartbeatSecondsPath'],
    ] as const) {
      const value = fields.value[key];
      if (value instanceof Unknown && value.description.startsWith('path:')) {
        const source = fields.entries.get(key)!;
        delete fields.value[key];
        fields.entries.delete(key);
        fields.set(pathKey, { value: value.description.slice(5), source });
      }
    }
    if (task === 'LambdaInvoke') {
      const retry = entryOf(props, 'retryOnServiceExceptions');
      const off = typeof retry === 'object' && retry.val.k === 'lit' && retry.val.v === false;
      if (!off) {
        const source = typeof retry === 'object' ? this.lib.entrySource(retry) : at;
        if (retry === 'unknown' || (typeof retry === 'object' && retry.val.k !== 'lit' && retry.val.k !== 'undef')) {
          data.retries.push({ value: new Unknown('retryOnServiceExceptions'), source });
        } else {
          data.retries.push({ value: { ErrorEquals: [...LAMBDA_SERVICE_ERRORS], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2 }, source });
        }
      }
    }
    return { k: 'cx', c };
  }

  /** `Timeout.duration(d)` (a duration), `Timeout.at(path)`. */
  private timeout(v: Val, node: Node): IacValue | undefined {
    if (v.k === 'undef') return undefined;
    if (v.k === 'dur') return v.seconds;
    if (v.k === 'obj' && v.entries.has('path')) {
      const path = stringOf(v.entries.get('path')!.val);
      return new Unknown(path !== undefined ? `path:${path}` : 'a timeout path');
    }
    return new Unknown(this.lib.describe(node));
  }

  callStatic(name: string, args: Val[], node: ts.CallExpression): Val | undefined {
    switch (name) {
      case 'stepfunctions.Chain.start':
        return args[0] ? this.chain(args[0], node) : undefined;
      case 'stepfunctions.Chain.sequence': {
        const first = args[0] ? this.chain(args[0], node) : undefined;
        return first && args[1] ? this.next(first, args[1], node) : first;
      }
      case 'stepfunctions.DefinitionBody.fromChainable':
      case 'stepfunctions.DefinitionBody.fromString':
      case 'stepfunctions.DefinitionBody.fromFile':
        return { k: 'cx', c: { ...this.lib.cx(name, node, args), data: { body: name.slice('stepfunctions.DefinitionBody.'.length), arg: args[0] ?? UNDEF, node: node.arguments[0] } } };
      case 'stepfunctions.Timeout.duration':
        return args[0] ?? UNDEF;
      case 'stepfunctions.Timeout.at':
        return { k: 'obj', entries: new Map([['path', { val: args[0] ?? UNDEF, node, key: node }]]), open: false };
      default:
        return undefined;
    }
  }

  /** A chain over a state or chain value: `{ start, ends }`. */
  private chain(val: Val, node: Node): Val | undefined {
    if (val.k !== 'cx') return undefined;
    if (val.c.kind === 'stepfunctions.Chain') return val;
    const state = this.state(val.c);
    if (!state) return undefined;
    return { k: 'cx', c: { ...this.lib.cx('stepfunctions.Chain', node, []), data: { start: val.c, ends: [val.c] } } };
  }

  /** States without a next state that can be reached from a state, Succeed and Fail states left out. */
  private reachableEnds(from: Cx): Cx[] {
    const ends: Cx[] = [];
    const seen = new Set<Cx>();
    const queue = [from];
    while (queue.length > 0) {
      const c = queue.shift()!;
      if (seen.has(c)) continue;
      seen.add(c);
      const s = this.state(c);
      if (!s) continue;
      const after = [...s.choices.map((x) => x.next), ...(s.otherwise ? [s.otherwise] : []), ...(s.next ? [s.next] : [])];
      if (after.length === 0 && s.type !== 'Choice' && s.type !== 'Succeed' && s.type !== 'Fail') ends.push(c);
      queue.push(...after);
    }
    return ends;
  }

  private next(from: Val, to: Val, node: Node): Val {
    const chain = from.k === 'cx' ? (from.c.kind === 'stepfunctions.Chain' ? from.c : this.chain(from, node)?.k === 'cx' ? (this.chain(from, node) as { c: Cx }).c : undefined) : undefined;
    const target = this.chain(to, node);
    if (!chain || target?.k !== 'cx') return unknown('a chain of states that cannot be followed');
    for (const end of chain.data['ends'] as Cx[]) {
      const s = this.state(end);
      if (s && s.type !== 'Choice' && s.type !== 'Succeed' && s.type !== 'Fail') s.next = target.c.data['start'] as Cx;
      // `afterwards({ includeOtherwise: true })`: the choice's default is the next state
      else if (s && s.type === 'Choice' && !s.otherwise) s.otherwise = target.c.data['start'] as Cx;
    }
    return { k: 'cx', c: { ...this.lib.cx('stepfunctions.Chain', node, []), data: { start: chain.data['start'], ends: target.c.data['ends'] } } };
  }

  method(c: Cx, name: string, args: Val[], node: ts.CallExpression): Val | undefined {
    if (c.kind === 'stepfunctions.Chain') return name === 'next' && args[0] ? this.next({ k: 'cx', c }, args[0], node) : undefined;
    const state = this.state(c);
    if (!state) return undefined;
    const self: Val = { k: 'cx', c };
    const at = this.lib.callSource(node);
    switch (name) {
      case 'next':
        return args[0] ? this.next(self, args[0], node) : self;
      case 'addRetry': {
        const props = args[0];
        const retrier = new Mapping();
        const errors = entryOf(props, 'errors');
        if (errors === 'absent') retrier.set('ErrorEquals', { value: ['States.ALL'], source: at });
        else this.lib.copy(retrier, 'ErrorEquals', props, 'errors', at);
        this.lib.setFrom(retrier, 'IntervalSeconds', props, 'interval', (v) => this.lib.seconds(v), at);
        this.lib.copy(retrier, 'MaxAttempts', props, 'maxAttempts', at);
        this.lib.copy(retrier, 'BackoffRate', props, 'backoffRate', at);
        this.lib.setFrom(retrier, 'MaxDelaySeconds', props, 'maxDelay', (v) => this.lib.seconds(v), at);
        this.lib.copy(retrier, 'JitterStrategy', props, 'jitterStrategy', at);
        state.retries.push(retrier.built(at));
        return self;
      }
      case 'addCatch': {
        const handler = args[0];
        if (handler?.k === 'cx') {
          const start = this.chain(handler, node);
          const errors = entryOf(args[1], 'errors');
          const value = typeof errors === 'object' ? (this.lib.plain(errors.val) ?? ['States.ALL']) : errors === 'unknown' ? new Unknown('errors') : ['States.ALL'];
          if (start?.k === 'cx') state.catches.push({ errors: value, handler: start.c.data['start'] as Cx, source: at });
        }
        return self;
      }
      case 'branch':
        for (const a of args) {
          const chain = this.chain(a, node);
          if (chain?.k === 'cx') state.branches.push(chain.c);
        }
        return self;
      case 'itemProcessor':
      case 'iterator': {
        const chain = args[0] ? this.chain(args[0], node) : undefined;
        if (chain?.k === 'cx') state.processor = { chain: chain.c, source: at };
        return self;
      }
      case 'when': {
        const target = args[1] ? this.chain(args[1], node) : undefined;
        if (target?.k === 'cx') state.choices.push({ next: target.c.data['start'] as Cx, source: at });
        return self;
      }
      case 'otherwise': {
        const target = args[0] ? this.chain(args[0], node) : undefined;
        if (target?.k === 'cx') state.otherwise = target.c.data['start'] as Cx;
        return self;
      }
      case 'afterwards': {
        // the chain goes on from every state the choice's branches end in (and, with
        // `includeOtherwise`, from the choice itself as its default)
        const ends = this.reachableEnds(c);
        if (isTrue(entryOf(args[0], 'includeOtherwise')) && !state.otherwise) ends.push(c);
        return { k: 'cx', c: { ...this.lib.cx('stepfunctions.Chain', node, []), data: { start: c, ends } } };
      }
      default:
        return undefined;
    }
  }

  // -------------------------------------------------------------------------------------------
  // State machines
  // -------------------------------------------------------------------------------------------

  private stateMachine(c: Cx, args: Val[], node: ts.NewExpression): Val {
    c.path = [...(this.lib.scopePath(args[0]) ?? []), this.lib.constructId(args[1], node)];
    const res = this.lib.addResource(c.path, 'AWS::StepFunctions::StateMachine', node);
    c.res = res;
    const props = args[2];
    const at = this.lib.callSource(node);
    this.lib.copy(res.props, 'StateMachineType', props, 'stateMachineType', at);
    this.lib.copy(res.props, 'DefinitionSubstitutions', props, 'definitionSubstitutions', at);
    const timeout = entryOf(props, 'timeout');
    const body = entryOf(props, 'definitionBody');
    const legacy = entryOf(props, 'definition');
    const entry = typeof body === 'object' ? body : typeof legacy === 'object' ? legacy : undefined;
    if (body === 'unknown' || (!entry && legacy === 'unknown')) {
      res.props.set('Definition', { value: new Unknown('definitionBody'), source: at });
      return { k: 'cx', c };
    }
    if (!entry) return { k: 'cx', c };
    const source = this.lib.entrySource(entry);
    const definition = this.definition(entry.val, source);
    if (definition && typeof timeout === 'object' && definition.value && typeof definition.value === 'object' && !Array.isArray(definition.value) && !(definition.value instanceof Unknown)) {
      const seconds = this.lib.seconds(timeout.val);
      if (seconds !== undefined) {
        (definition.value as Record<string, IacValue>)['TimeoutSeconds'] = seconds;
        definition.source.entries?.set('TimeoutSeconds', this.lib.entrySource(timeout));
      }
    }
    res.props.set('Definition', definition ?? { value: new Unknown('a definition that cannot be evaluated'), source });
    return { k: 'cx', c };
  }

  private definition(val: Val, source: SourceNode): Located | undefined {
    if (val.k !== 'cx') return undefined;
    if (val.c.kind.startsWith('stepfunctions.DefinitionBody.')) {
      const kind = val.c.data['body'] as string;
      const arg = val.c.data['arg'] as Val;
      if (kind === 'fromChainable') return this.definition(arg, source);
      // `fromFile(path)`, `fromString(readFileSync(path))`: the file is read as the definition
      const file = kind === 'fromFile' ? stringOf(arg) : arg.k === 'unknown' ? fileTextPath(new Unknown(arg.why)) : undefined;
      if (file !== undefined) return new Located(new Unknown(fileText(file)), source);
      if (kind === 'fromString') return this.fromString(arg, val.c.data['node'] as Node | undefined, source);
      return undefined;
    }
    const chain = this.chain(val, val.c.node);
    if (chain?.k !== 'cx') return undefined;
    return this.graph(chain.c.data['start'] as Cx, source);
  }

  /** `DefinitionBody.fromString(text)`: JSON text, located inside a plain string literal. */
  private fromString(arg: Val, node: Node | undefined, source: SourceNode): Located | undefined {
    if (arg.k === 'json') return this.lib.built(arg.of, source);
    const text = stringOf(arg);
    if (text === undefined) return undefined;
    const loaded = loadJson(text);
    if (loaded.value === undefined) return undefined;
    const literal = node ? ts.getParseTreeNode(node) : undefined;
    const sf = this.lib.sf;
    // a literal of another file of the app is located at the call, as a whole
    if (literal && loaded.source && this.lib.fileOf(literal) === sf && (ts.isStringLiteral(literal) || ts.isNoSubstitutionTemplateLiteral(literal))) {
      const start = literal.getStart(sf) + 1;
      if (sf.text.slice(start, literal.getEnd() - 1) === text) {
        remapSource(loaded.source, (o) => o + start);
        return new Located(loaded.value, { ...loaded.source, keyStart: source.keyStart, keyEnd: source.keyEnd });
      }
    }
    return new Located(loaded.value, source);
  }

  /** The ASL document of the states reachable from `start`. */
  private graph(start: Cx, source: SourceNode): Located {
    const states = new Mapping();
    const seen = new Set<Cx>();
    const queue: Cx[] = [start];
    while (queue.length > 0) {
      const c = queue.shift()!;
      if (seen.has(c)) continue;
      seen.add(c);
      const s = this.state(c);
      if (!s) continue;
      const at = this.lib.callSource(c.node);
      const m = new Mapping();
      m.set('Type', { value: s.type, source: at });
      for (const [key, value] of Object.entries(s.fields.value)) m.set(key, { value, source: s.fields.entries.get(key)! });
      if (s.type === 'Choice') {
        const choices = new List();
        for (const choice of s.choices) {
          choices.push({ value: { Next: this.state(choice.next)?.name ?? null }, source: choice.source });
          queue.push(choice.next);
        }
        m.set('Choices', new Located(choices.value, { ...at, keyStart: -1, keyEnd: -1, synthetic: true, items: choices.items }));
        if (s.otherwise) {
          m.set('Default', { value: this.state(s.otherwise)?.name ?? null, source: at });
          queue.push(s.otherwise);
        }
      } else if (s.type !== 'Succeed' && s.type !== 'Fail') {
        if (s.next) {
          m.set('Next', { value: this.state(s.next)?.name ?? null, source: at });
          queue.push(s.next);
        } else m.set('End', { value: true, source: at });
      }
      if (s.retries.value.length > 0) m.set('Retry', new Located(s.retries.value, { ...at, keyStart: -1, keyEnd: -1, synthetic: true, items: s.retries.items }));
      if (s.catches.length > 0) {
        const catches = new List();
        for (const k of s.catches) {
          catches.push({ value: { ErrorEquals: k.errors, Next: this.state(k.handler)?.name ?? null }, source: k.source });
          queue.push(k.handler);
        }
        m.set('Catch', new Located(catches.value, { ...at, keyStart: -1, keyEnd: -1, synthetic: true, items: catches.items }));
      }
      if (s.branches.length > 0) {
        const branches = new List();
        for (const branch of s.branches) branches.push(this.graph(branch.data['start'] as Cx, this.lib.callSource(branch.node)));
        m.set('Branches', new Located(branches.value, { ...at, keyStart: -1, keyEnd: -1, synthetic: true, items: branches.items }));
      }
      if (s.processor) {
        const processor = this.graph(s.processor.chain.data['start'] as Cx, s.processor.source);
        const existing = m.value['ItemProcessor'];
        if (existing && typeof existing === 'object' && !Array.isArray(existing) && !(existing instanceof Unknown)) {
          Object.assign(processor.value as Record<string, IacValue>, existing);
        }
        m.set('ItemProcessor', processor);
      }
      states.set(s.name, m.built(at));
    }
    const definition = new Mapping();
    definition.set('StartAt', { value: this.state(start)?.name ?? null, source });
    definition.set('States', states.built({ ...source, synthetic: true }));
    return definition.built(source);
  }
}

function isTrue(e: ReturnType<typeof entryOf>): boolean {
  return typeof e === 'object' && e.val.k === 'lit' && e.val.v === true;
}

function entryOfVal(props: Val | undefined, name: string): Val | undefined {
  const e = entryOf(props, name);
  return typeof e === 'object' ? e.val : undefined;
}

function suffix(pattern: IacValue | undefined): string {
  return typeof pattern === 'string' ? (SUFFIX[pattern] ?? '') : '';
}
