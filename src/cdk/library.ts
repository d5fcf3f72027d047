/**
 * What the CDK classes the rules care about do, in terms of CloudFormation: which resources a
 * construct, a helper object or a method call adds, with which properties, each located at the
 * TypeScript it comes from. Any other `Cfn*` class is mapped generically (camel-case props to
 * CloudFormation names); any other class or method evaluates to an unknown value.
 *
 * CDK defaults that differ from CloudFormation's would be encoded here; the ones the rules depend
 * on are the same as the services' (Lambda 3 s timeout, SQS 30 s visibility timeout, stream
 * sources retrying until the record expires, 185 attempts / 24 h for EventBridge targets), so the
 * properties are left absent when the construct code leaves them unset, as a synthesized template
 * does.
 */
import { ts } from '../code/ts.js';
import { Intrinsic, Unknown, type IacValue, type PlainObject } from '../iac/model.js';
import { setOwn, type SourceNode } from '../iac/document.js';
import { cdkName, cfnPropertyName, keepsKeys, l1Type } from './names.js';
import { callSource, List, Located, Mapping, sourceOf, type Res, type Resources } from './resources.js';
import { entryOf, lit, stringOf, unknown, UNDEF, type Cx, type Describer, type Entry, type Val } from './values.js';
import { StepFunctions } from './stepfunctions.js';

type Args = Val[];
type Node = ts.Node;

/** Functions: every Lambda function construct takes the same function props. */
const FUNCTIONS = new Set(['lambda.Function', 'lambda.DockerImageFunction', 'lambda.SingletonFunction', 'lambda-nodejs.NodejsFunction']);

/** How a construct's ARN and other attributes read in CloudFormation. */
interface Attributes {
  /** The ARN: `Fn::GetAtt [X, Arn]` or `Ref X`. */
  arn: 'GetAtt' | 'Ref';
  /** CDK attribute name → `Ref` or `GetAtt <attribute>`. */
  names: Record<string, string>;
}

const ATTRIBUTES: Record<string, Attributes> = {
  'sqs.Queue': { arn: 'GetAtt', names: { queueArn: 'Arn', queueUrl: 'Ref', queueName: 'QueueName' } },
  function: { arn: 'GetAtt', names: { functionArn: 'Arn', functionName: 'Ref' } },
  'sns.Topic': { arn: 'Ref', names: { topicArn: 'Ref', topicName: 'TopicName' } },
  'dynamodb.Table': { arn: 'GetAtt', names: { tableArn: 'Arn', tableName: 'Ref', tableStreamArn: 'StreamArn' } },
  'dynamodb.TableV2': { arn: 'GetAtt', names: { tableArn: 'Arn', tableName: 'Ref', tableStreamArn: 'StreamArn' } },
  'kinesis.Stream': { arn: 'GetAtt', names: { streamArn: 'Arn', streamName: 'Ref' } },
  's3.Bucket': { arn: 'GetAtt', names: { bucketArn: 'Arn', bucketName: 'Ref' } },
  'logs.LogGroup': { arn: 'GetAtt', names: { logGroupArn: 'Arn', logGroupName: 'Ref' } },
  'events.EventBus': { arn: 'GetAtt', names: { eventBusArn: 'Arn', eventBusName: 'Ref' } },
  'events.Rule': { arn: 'GetAtt', names: { ruleArn: 'Arn', ruleName: 'Ref' } },
  'stepfunctions.StateMachine': { arn: 'Ref', names: { stateMachineArn: 'Ref', stateMachineName: 'Name' } },
  'apigateway.RestApi': { arn: 'Ref', names: { restApiId: 'Ref' } },
  'apigateway.LambdaRestApi': { arn: 'Ref', names: { restApiId: 'Ref' } },
  'apigatewayv2.HttpApi': { arn: 'Ref', names: { apiId: 'Ref', httpApiId: 'Ref' } },
  'appsync.GraphqlApi': { arn: 'GetAtt', names: { apiId: 'ApiId', arn: 'Arn' } },
};

/** CloudFormation resource types of the L2 constructs that map to one resource with few props. */
const SIMPLE: Record<string, string> = {
  'kinesis.Stream': 'AWS::Kinesis::Stream',
  'dynamodb.Table': 'AWS::DynamoDB::Table',
  'dynamodb.TableV2': 'AWS::DynamoDB::GlobalTable',
  's3.Bucket': 'AWS::S3::Bucket',
  'logs.LogGroup': 'AWS::Logs::LogGroup',
  'events.EventBus': 'AWS::Events::EventBus',
  'appsync.GraphqlApi': 'AWS::AppSync::GraphQLApi',
};

/** Enumeration members → their CloudFormation values. */
function enumValue(name: string): string | undefined {
  const m = /^([a-z0-9-]+)\.([A-Za-z]+)\.([A-Z0-9_]+)$/.exec(name);
  if (!m) return undefined;
  const [, service, type, member] = m as unknown as [string, string, string, string];
  switch (`${service}.${type}`) {
    case 'lambda.StartingPosition':
    case 'apigateway.EndpointType':
    case 'apigateway.ResponseTransferMode':
    case 'stepfunctions.StateMachineType':
    case 'stepfunctions.IntegrationPattern':
    case 'stepfunctions.JitterType':
    case 'stepfunctions.ProcessorMode':
      return member;
    case 'sqs.RedrivePermission':
      return { ALLOW_ALL: 'allowAll', DENY_ALL: 'denyAll', BY_QUEUE: 'byQueue' }[member];
    case 'sns.SubscriptionProtocol':
      return member.toLowerCase().replace(/_/g, '-');
    case 'stepfunctions-tasks.LambdaInvocationType':
      return { REQUEST_RESPONSE: 'RequestResponse', EVENT: 'Event', DRY_RUN: 'DryRun' }[member];
    case 'stepfunctions.Errors':
      return {
        ALL: 'States.ALL',
        HEARTBEAT_TIMEOUT: 'States.HeartbeatTimeout',
        TIMEOUT: 'States.Timeout',
        TASKS_FAILED: 'States.TaskFailed',
        PERMISSIONS: 'States.Permissions',
        RESULT_PATH_MATCH_FAILURE: 'States.ResultPathMatchFailure',
        PARAMETER_PATH_FAILURE: 'States.ParameterPathFailure',
        BRANCH_FAILED: 'States.BranchFailed',
        NO_CHOICE_MATCHED: 'States.NoChoiceMatched',
        INTRINSIC_FAILURE: 'States.IntrinsicFailure',
        EXCEED_TOLERATED_FAILURE_THRESHOLD: 'States.ExceedToleratedFailureThreshold',
        ITEM_READER_FAILED: 'States.ItemReaderFailed',
        RESULT_WRITER_FAILED: 'States.ResultWriterFailed',
      }[member];
    default:
      return undefined;
  }
}

/** `Duration.<unit>(n)` in seconds. */
const DURATION_UNITS: Record<string, number> = { millis: 0.001, seconds: 1, minutes: 60, hours: 3600, days: 86400 };

export class Library {
  interp!: Describer;
  readonly sfn: StepFunctions;

  constructor(
    readonly sf: ts.SourceFile,
    readonly resources: Resources,
  ) {
    this.sfn = new StepFunctions(this);
  }

  // -------------------------------------------------------------------------------------------
  // Positions and conversions
  // -------------------------------------------------------------------------------------------

  entrySource(e: Entry): SourceNode {
    return sourceOf(this.sf, e.node, e.key);
  }

  nodeSource(node: Node): SourceNode {
    return sourceOf(this.sf, node);
  }

  callSource(node: Node): SourceNode {
    const head = ts.isNewExpression(node) || ts.isCallExpression(node) ? node.expression : node;
    return callSource(this.sf, node, head);
  }

  describe(node: Node): string {
    return this.interp.describe(node);
  }

  /** A plain CloudFormation value (keys as written); undefined for `undefined`. */
  plain(val: Val): IacValue | undefined {
    switch (val.k) {
      case 'undef':
        return undefined;
      case 'lit':
        return val.v;
      case 'dur':
        return val.seconds;
      case 'token':
        return val.value;
      case 'json':
        return this.plain(val.of);
      case 'mod': {
        const name = cdkName(val.module, val.path);
        const value = name ? enumValue(name) : undefined;
        return value ?? new Unknown(name ?? val.path.join('.'));
      }
      case 'obj': {
        if (val.open) return new Unknown('an object with a spread of an unknown value');
        const out: PlainObject = {};
        for (const [key, entry] of val.entries) {
          const inner = this.plain(entry.val);
          if (inner !== undefined) out[key] = inner;
        }
        return out;
      }
      case 'arr': {
        if (val.open) return new Unknown('a list with a spread of an unknown value');
        const out: IacValue[] = [];
        for (const item of val.items) out.push(this.plain(item.val) ?? null);
        return out;
      }
      case 'cx':
        return val.c.res ? this.resources.ref(val.c.res) : new Unknown(val.c.kind);
      case 'unknown':
        return new Unknown(val.why);
      default:
        return new Unknown('a value that is not data');
    }
  }

  /**
   * A value with the positions of its parts: an object's entries and a list's items are located
   * where they are written. `keys` renames the keys of objects (L1 props: camel case to
   * CloudFormation names) except under names whose value is a JSON document or a map.
   */
  built(val: Val, source: SourceNode, keys?: 'cfn'): Located | undefined {
    if (val.k === 'json') return this.built(val.of, source);
    if (val.k === 'obj' && !val.open) {
      const m = new Mapping();
      for (const [key, entry] of val.entries) {
        const name = keys ? cfnPropertyName(key) : key;
        m.set(name, this.built(entry.val, this.entrySource(entry), keys && !keepsKeys(name) ? keys : undefined));
      }
      return m.built(source);
    }
    if (val.k === 'arr' && !val.open) {
      const list = new List();
      for (const item of val.items) list.push(this.built(item.val, this.nodeSource(item.node), keys) ?? { value: null, source: this.nodeSource(item.node) });
      return new Located(list.value, { ...source, items: list.items, entries: undefined });
    }
    const value = this.plain(val);
    return value === undefined ? undefined : new Located(value, source);
  }

  /** Seconds of a `Duration`; undefined when absent; unknown otherwise. */
  seconds(val: Val): IacValue | undefined {
    if (val.k === 'undef') return undefined;
    if (val.k === 'dur') return val.seconds;
    return new Unknown(val.k === 'unknown' ? val.why : 'a duration that cannot be evaluated');
  }

  /** Minutes of a `Duration` (the unit EventBridge Scheduler's time window is in). */
  minutes(val: Val): IacValue | undefined {
    const s = this.seconds(val);
    return typeof s === 'number' ? s / 60 : s;
  }

  /** The ARN of a construct, a token or an unknown value. */
  arn(val: Val): IacValue | undefined {
    if (val.k === 'undef') return undefined;
    if (val.k === 'token') return val.value;
    if (val.k === 'lit' && typeof val.v === 'string') return val.v;
    if (val.k === 'cx' && val.c.res) {
      const attributes = this.attributesOf(val.c);
      if (attributes?.arn === 'Ref') return this.resources.ref(val.c.res);
      return this.resources.getAtt(val.c.res, 'Arn');
    }
    return new Unknown(val.k === 'unknown' ? val.why : 'an ARN that cannot be evaluated');
  }

  private attributesOf(c: Cx): Attributes | undefined {
    if (FUNCTIONS.has(c.kind)) return ATTRIBUTES['function'];
    return ATTRIBUTES[c.kind];
  }

  /**
   * Sets `cfn` from the `cdk` prop of an object: absent stays absent; a prop an unknown spread may
   * hold becomes unknown (located at `fallback`); otherwise `convert` gives the value.
   */
  setFrom(
    m: Mapping,
    cfn: string,
    props: Val | undefined,
    cdk: string,
    convert: (val: Val, entry: Entry) => IacValue | Located | undefined,
    fallback: SourceNode,
  ): void {
    const e = entryOf(props, cdk);
    if (e === 'absent') return;
    if (e === 'unknown') {
      m.set(cfn, { value: new Unknown(`${cdk} of properties that cannot be evaluated`), source: fallback });
      return;
    }
    const converted = convert(e.val, e);
    if (converted === undefined) return;
    m.set(cfn, converted instanceof Located ? converted : { value: converted as IacValue, source: this.entrySource(e) });
  }

  /** `setFrom` with the value as written (keys kept). */
  copy(m: Mapping, cfn: string, props: Val | undefined, cdk: string, fallback: SourceNode): void {
    this.setFrom(m, cfn, props, cdk, (v, e) => this.built(v, this.entrySource(e)), fallback);
  }

  // -------------------------------------------------------------------------------------------
  // Construct tree
  // -------------------------------------------------------------------------------------------

  /** Construct path of a scope argument (`this`, a stack, a construct); undefined when unknown. */
  scopePath(val: Val | undefined): string[] | undefined {
    if (!val) return undefined;
    if (val.k === 'inst') return val.path;
    if (val.k === 'cx') return val.c.path;
    return undefined;
  }

  /** The construct id argument: a literal, else the text of the expression. */
  constructId(val: Val | undefined, node: Node): string {
    const text = stringOf(val);
    if (text !== undefined) return text;
    const arg = (ts.isNewExpression(node) || ts.isCallExpression(node)) && node.arguments?.[1];
    // an id computed at synth time: its expression, without the quotes of a template literal
    return arg ? this.describe(arg).replace(/^`(.*)`$/s, '$1') : 'Resource';
  }

  /** A new construct (or helper object) value. */
  cx(kind: string, node: Node, args: Args, path: string[] = []): Cx {
    const head = ts.isNewExpression(node) || ts.isCallExpression(node) ? node.expression : node;
    return { kind, node, head, path, args, data: {} };
  }

  /** The construct's path from its scope and id arguments. */
  private pathOf(args: Args, node: Node): string[] {
    return [...(this.scopePath(args[0]) ?? []), this.constructId(args[1], node)];
  }

  /** Adds a resource located at a call; `child` for one a construct adds on its own. */
  addResource(path: string[], type: string, node: Node, child = false): Res {
    return this.resources.add(path, type, this.callSource(node), child);
  }

  // -------------------------------------------------------------------------------------------
  // Entry points from the interpreter
  // -------------------------------------------------------------------------------------------

  construct(mod: Val & { k: 'mod' }, args: Args, node: ts.NewExpression): Val {
    const name = cdkName(mod.module, mod.path);
    if (!name) return unknown(this.describe(node));
    const c = this.cx(name, node, args);
    if (FUNCTIONS.has(name)) return this.lambdaFunction(c, args, node);
    switch (name) {
      case 'sqs.Queue':
        return this.queue(c, args, node);
      case 'sns.Topic':
        return this.topic(c, args, node);
      case 'sns.Subscription':
        return this.subscriptionConstruct(c, args, node);
      case 'lambda.EventSourceMapping':
        return this.eventSourceMappingConstruct(c, args, node);
      case 'lambda.EventInvokeConfig':
        return this.eventInvokeConfigConstruct(c, args, node);
      case 'events.Rule':
        return this.rule(c, args, node);
      case 'scheduler.Schedule':
        return this.schedule(c, args, node);
      case 'apigateway.RestApi':
      case 'apigateway.LambdaRestApi':
        return this.restApi(c, args, node);
      case 'apigateway.Method':
        return this.methodConstruct(c, args, node);
      case 'apigatewayv2.HttpApi':
        return this.httpApi(c, args, node);
      case 'apigatewayv2.HttpRoute':
        return this.httpRouteConstruct(c, args, node);
      case 'appsync.LambdaDataSource':
        return this.lambdaDataSourceConstruct(c, args, node);
      default:
        break;
    }
    if (SIMPLE[name]) {
      c.path = this.pathOf(args, node);
      c.res = this.addResource(c.path, SIMPLE[name], node);
      this.simpleProps(name, c.res, args[2], node);
      return { k: 'cx', c };
    }
    const sfn = this.sfn.construct(name, c, args, node);
    if (sfn) return sfn;
    const type = l1Type(name);
    if (type) return this.l1(c, type, args, node);
    // helper objects: event sources, targets, destinations, subscriptions, integrations
    if (/^(lambda-event-sources|events-targets|scheduler-targets|lambda-destinations|sns-subscriptions|s3-notifications|apigateway|apigatewayv2-integrations)\./.test(name) || name === 'iam.ServicePrincipal') {
      return { k: 'cx', c };
    }
    return unknown(this.describe(node));
  }

  callStatic(mod: Val & { k: 'mod' }, args: Args, node: ts.CallExpression): Val {
    const name = cdkName(mod.module, mod.path);
    if (!name) return unknown(this.describe(node));
    const duration = /^core\.Duration\.(millis|seconds|minutes|hours|days)$/.exec(name);
    if (duration) {
      const n = args[0]?.k === 'lit' && typeof args[0].v === 'number' ? args[0].v : undefined;
      return n === undefined ? unknown(this.describe(node)) : { k: 'dur', seconds: n * DURATION_UNITS[duration[1]!]! };
    }
    switch (name) {
      case 'events.Schedule.cron':
        return this.cron(args[0], false);
      case 'scheduler.ScheduleExpression.cron':
        return this.cron(args[0], true);
      case 'events.Schedule.rate':
      case 'scheduler.ScheduleExpression.rate':
        return rate(args[0]);
      case 'events.Schedule.expression':
        return args[0]?.k === 'lit' ? args[0] : unknown(this.describe(node));
      case 'scheduler.ScheduleExpression.expression': {
        const expression = args[0]?.k === 'lit' ? args[0] : unknown(this.describe(node));
        return { k: 'obj', entries: new Map([['expression', { val: expression, node, key: node }], ['timeZone', { val: args[1] ?? UNDEF, node, key: node }]]), open: false };
      }
      case 'scheduler.TimeWindow.off':
        return lit('OFF');
      case 'scheduler.TimeWindow.flexible':
        return { k: 'obj', entries: new Map([['mode', { val: lit('FLEXIBLE'), node, key: node }], ['maximumWindowInMinutes', { val: args[0] ?? UNDEF, node, key: node }]]), open: false };
      case 'sqs.Queue.fromQueueArn':
      case 'lambda.Function.fromFunctionArn':
      case 'sns.Topic.fromTopicArn':
        return args[2]?.k === 'lit' ? { k: 'token', value: args[2].v } : unknown(this.describe(node));
      default:
        break;
    }
    return this.sfn.callStatic(name, args, node) ?? unknown(this.describe(node));
  }

  attribute(c: Cx, name: string, node: Node): Val {
    // escape hatches: `construct.node.defaultChild` is the construct's own resource
    if (name === 'node' && c.res) return { k: 'cx', c: { ...this.cx('constructs.Node', node, []), data: { owner: c } } };
    if (c.kind === 'constructs.Node' && name === 'defaultChild') return { k: 'cx', c: c.data['owner'] as Cx };
    if (c.kind === 'apigateway.RestApi' || c.kind === 'apigateway.LambdaRestApi') {
      if (name === 'root') return { k: 'cx', c: { ...this.cx('apigateway.Resource', node, []), data: { api: c } } };
    }
    const attributes = this.attributesOf(c);
    const cfn = attributes?.names[name];
    if (c.res && cfn) return { k: 'token', value: cfn === 'Ref' ? this.resources.ref(c.res) : this.resources.getAtt(c.res, cfn) };
    if (c.res && /^attr[A-Z]/.test(name) && l1Type(c.kind)) return { k: 'token', value: this.resources.getAtt(c.res, name.slice(4)) };
    if (c.res && name === 'ref') return { k: 'token', value: this.resources.ref(c.res) };
    if (FUNCTIONS.has(c.kind) && (name === 'currentVersion' || name === 'latestVersion')) return { k: 'cx', c };
    return unknown(`${c.kind}.${name}`);
  }

  method(c: Cx, name: string, args: Args, node: ts.CallExpression): Val {
    if (FUNCTIONS.has(c.kind)) {
      switch (name) {
        case 'addEventSource':
          if (args[0]) this.bindEventSource(c, args[0], node);
          return UNDEF;
        case 'addEventSourceMapping':
          this.eventSourceMapping([...c.path, this.constructId(args[0], node)], this.resources.ref(c.res!), args[1], node, undefined, false);
          return UNDEF;
        case 'configureAsyncInvoke':
          this.eventInvokeConfig([...c.path, 'EventInvokeConfig'], this.resources.ref(c.res!), args[0], node, undefined);
          return UNDEF;
        case 'addAlias':
          return { k: 'cx', c };
        case 'addPermission':
        case 'grantInvoke': {
          // an invoke permission for a service principal (S3, SNS, EventBridge... invoke asynchronously)
          const principal = name === 'addPermission' ? entryOf(args[1], 'principal') : args[0] ? { val: args[0] } : 'absent';
          const service = typeof principal === 'object' && principal.val.k === 'cx' && principal.val.c.kind === 'iam.ServicePrincipal' ? stringOf(principal.val.c.args[0]) : undefined;
          if (service) this.permission([...c.path, name === 'addPermission' ? this.constructId(args[0], node) : `Invoke:${service}`], this.resources.getAtt(c.res!, 'Arn'), service, node);
          return UNDEF;
        }
        default:
          return unknown(this.describe(node));
      }
    }
    if (c.res && (name === 'addPropertyOverride' || name === 'addOverride')) {
      const path = stringOf(args[0]);
      if (path !== undefined) this.override(c.res, name === 'addOverride' ? path.replace(/^Properties\./, '') : path, args[1] ?? UNDEF, node, name === 'addOverride' && !path.startsWith('Properties.'));
      return UNDEF;
    }
    if (c.res && name === 'addPropertyDeletionOverride') {
      const path = stringOf(args[0]);
      if (path !== undefined) this.override(c.res, path, UNDEF, node, false);
      return UNDEF;
    }
    switch (`${c.kind}#${name}`) {
      case 'sns.Topic#addSubscription':
        if (args[0]) this.subscribe(c, args[0], node);
        return UNDEF;
      case 'events.Rule#addTarget':
        if (args[0]) this.addTarget(c, args[0], node);
        return UNDEF;
      case 's3.Bucket#addEventNotification':
        this.notify(args[1], node);
        return UNDEF;
      case 's3.Bucket#addObjectCreatedNotification':
      case 's3.Bucket#addObjectRemovedNotification':
        this.notify(args[0], node);
        return UNDEF;
      case 'apigateway.Resource#addResource':
      case 'apigateway.Resource#resourceForPath':
        return { k: 'cx', c: { ...this.cx('apigateway.Resource', node, []), data: { api: c.data['api'] } } };
      case 'apigateway.Resource#addProxy': {
        const options = args[0];
        const e = entryOf(options, 'defaultIntegration');
        const api = c.data['api'] as Cx | undefined;
        if (e !== 'absent' && e !== 'unknown') this.restMethod(api, e.val, node);
        else if (api?.data['defaultIntegration']) this.restMethod(api, api.data['defaultIntegration'] as Val, node);
        return { k: 'cx', c: { ...this.cx('apigateway.Resource', node, []), data: { api } } };
      }
      case 'apigateway.Resource#addMethod': {
        const api = c.data['api'] as Cx | undefined;
        const method = this.restMethod(api, args[1] && args[1].k !== 'undef' ? args[1] : ((api?.data['defaultIntegration'] as Val | undefined) ?? UNDEF), node);
        return method ? { k: 'cx', c: method } : unknown(this.describe(node));
      }
      case 'apigatewayv2.HttpApi#addRoutes': {
        const options = args[0];
        const e = entryOf(options, 'integration');
        if (e !== 'absent' && e !== 'unknown') this.httpIntegration(c, e.val);
        return unknown(this.describe(node));
      }
      case 'appsync.GraphqlApi#addLambdaDataSource':
        this.lambdaDataSource([...c.path, this.constructId(args[0], node)], c, args[1], node);
        return unknown(this.describe(node));
      default:
        break;
    }
    return this.sfn.method(c, name, args, node) ?? unknown(this.describe(node));
  }

  /**
   * `addPropertyOverride('A.B', value)`: sets (or, for `undefined`, deletes) a property at a
   * dotted path, located at the call. An override outside `Properties` is ignored.
   */
  private override(res: Res, path: string, val: Val, node: Node, outside: boolean): void {
    if (outside || res.opaque) return;
    const at = this.callSource(node);
    const segments = path.split('.');
    let value = res.props.value as Record<string, IacValue>;
    let entries = res.props.entries;
    for (const segment of segments.slice(0, -1)) {
      let next = value[segment];
      if (!next || typeof next !== 'object' || Array.isArray(next) || next instanceof Intrinsic || next instanceof Unknown) {
        next = {};
        setOwn(value, segment, next);
        entries.set(segment, { ...at, keyStart: -1, keyEnd: -1, synthetic: true, entries: new Map() });
      }
      const source = entries.get(segment)!;
      source.entries ??= new Map();
      value = next as Record<string, IacValue>;
      entries = source.entries;
    }
    const last = segments[segments.length - 1]!;
    const built = val.k === 'undef' ? undefined : this.built(val, at);
    if (!built) {
      delete value[last];
      entries.delete(last);
      return;
    }
    setOwn(value, last, built.value);
    entries.set(last, built.source);
  }

  /** Methods whose name alone says what they do, on receivers that come from outside the file. */
  unknownReceiverMethod(name: string, args: Args, node: ts.CallExpression): Val {
    if (name === 'addEventSource' && args[0]?.k === 'cx') {
      const receiver = ts.isPropertyAccessExpression(node.expression) ? this.describe(node.expression.expression) : 'function';
      this.bindEventSource(undefined, args[0], node, new Unknown(receiver));
    }
    return unknown(this.describe(node));
  }

  // -------------------------------------------------------------------------------------------
  // L1 constructs: camel-case props to CloudFormation names
  // -------------------------------------------------------------------------------------------

  private l1(c: Cx, type: string, args: Args, node: ts.NewExpression): Val {
    c.path = this.pathOf(args, node);
    const res = this.addResource(c.path, type, node);
    c.res = res;
    const props = args[2];
    if (props && props.k !== 'undef' && (props.k !== 'obj' || props.open)) {
      res.opaque = true;
      return { k: 'cx', c };
    }
    if (props?.k === 'obj') {
      for (const [key, entry] of props.entries) {
        const name = cfnPropertyName(key);
        res.props.set(name, this.built(entry.val, this.entrySource(entry), keepsKeys(name) ? undefined : 'cfn'));
      }
    }
    return { k: 'cx', c };
  }

  private simpleProps(name: string, res: Res, props: Val | undefined, node: Node): void {
    const fallback = this.callSource(node);
    if (name === 'dynamodb.Table') {
      this.setFrom(res.props, 'StreamSpecification', props, 'stream', (v) => (v.k === 'undef' ? undefined : { StreamViewType: this.plain(v) ?? null }), fallback);
      this.copy(res.props, 'TableName', props, 'tableName', fallback);
    } else if (name === 'kinesis.Stream') this.copy(res.props, 'Name', props, 'streamName', fallback);
  }

  // -------------------------------------------------------------------------------------------
  // SQS
  // -------------------------------------------------------------------------------------------

  private queue(c: Cx, args: Args, node: ts.NewExpression): Val {
    c.path = this.pathOf(args, node);
    const res = this.addResource(c.path, 'AWS::SQS::Queue', node);
    c.res = res;
    const p = args[2];
    const at = this.callSource(node);
    const m = res.props;
    this.copy(m, 'QueueName', p, 'queueName', at);
    this.copy(m, 'FifoQueue', p, 'fifo', at);
    if (!m.has('FifoQueue')) {
      // FIFO is implied by a `.fifo` name or content-based deduplication
      const name = entryOf(p, 'queueName');
      const dedup = entryOf(p, 'contentBasedDeduplication');
      if (typeof name === 'object' && stringOf(name.val)?.endsWith('.fifo')) m.set('FifoQueue', { value: true, source: this.entrySource(name) });
      else if (typeof dedup === 'object' && dedup.val.k === 'lit' && dedup.val.v === true) m.set('FifoQueue', { value: true, source: this.entrySource(dedup) });
    }
    this.copy(m, 'ContentBasedDeduplication', p, 'contentBasedDeduplication', at);
    this.setFrom(m, 'VisibilityTimeout', p, 'visibilityTimeout', (v) => this.seconds(v), at);
    this.setFrom(m, 'MessageRetentionPeriod', p, 'retentionPeriod', (v) => this.seconds(v), at);
    this.setFrom(m, 'DelaySeconds', p, 'deliveryDelay', (v) => this.seconds(v), at);
    this.setFrom(m, 'ReceiveMessageWaitTimeSeconds', p, 'receiveMessageWaitTime', (v) => this.seconds(v), at);
    this.setFrom(
      m,
      'RedrivePolicy',
      p,
      'deadLetterQueue',
      (v, e) => {
        if (v.k === 'undef') return undefined;
        if (v.k !== 'obj') return new Unknown(this.describe(e.node));
        const policy = new Mapping();
        const source = this.entrySource(e);
        this.setFrom(policy, 'deadLetterTargetArn', v, 'queue', (q) => this.arn(q), source);
        this.copy(policy, 'maxReceiveCount', v, 'maxReceiveCount', source);
        return policy.built(source);
      },
      at,
    );
    this.setFrom(
      m,
      'RedriveAllowPolicy',
      p,
      'redriveAllowPolicy',
      (v, e) => {
        if (v.k === 'undef') return undefined;
        if (v.k !== 'obj') return new Unknown(this.describe(e.node));
        const policy = new Mapping();
        const source = this.entrySource(e);
        this.copy(policy, 'redrivePermission', v, 'redrivePermission', source);
        if (!policy.has('redrivePermission')) {
          policy.set('redrivePermission', { value: entryOf(v, 'sourceQueues') === 'absent' ? 'allowAll' : 'byQueue', source });
        }
        return policy.built(source);
      },
      at,
    );
    return { k: 'cx', c };
  }

  // -------------------------------------------------------------------------------------------
  // Lambda
  // -------------------------------------------------------------------------------------------

  private lambdaFunction(c: Cx, args: Args, node: ts.NewExpression): Val {
    c.path = this.pathOf(args, node);
    const res = this.addResource(c.path, 'AWS::Lambda::Function', node);
    c.res = res;
    const p = args[2];
    const at = this.callSource(node);
    const m = res.props;
    this.copy(m, 'FunctionName', p, 'functionName', at);
    this.copy(m, 'Handler', p, 'handler', at);
    this.setFrom(m, 'Timeout', p, 'timeout', (v) => this.seconds(v), at);
    this.copy(m, 'ReservedConcurrentExecutions', p, 'reservedConcurrentExecutions', at);
    this.setFrom(
      m,
      'Environment',
      p,
      'environment',
      (v, e) => {
        const variables = this.built(v, this.entrySource(e));
        if (!variables) return undefined;
        const env = new Mapping();
        env.set('Variables', variables);
        return env.built(this.entrySource(e));
      },
      at,
    );
    const deadLetter = (key: string) => (v: Val, e: Entry) => {
      const arn = this.arn(v);
      if (arn === undefined) return undefined;
      const config = new Mapping();
      config.set('TargetArn', { value: arn, source: this.entrySource(e) });
      void key;
      return config.built(this.entrySource(e));
    };
    this.setFrom(m, 'DeadLetterConfig', p, 'deadLetterQueue', deadLetter('deadLetterQueue'), at);
    if (!m.has('DeadLetterConfig')) this.setFrom(m, 'DeadLetterConfig', p, 'deadLetterTopic', deadLetter('deadLetterTopic'), at);
    if (!m.has('DeadLetterConfig')) {
      const enabled = entryOf(p, 'deadLetterQueueEnabled');
      if (enabled === 'unknown') m.set('DeadLetterConfig', { value: new Unknown('deadLetterQueueEnabled'), source: at });
      else if (enabled !== 'absent' && enabled.val.k !== 'undef') {
        const on = enabled.val.k === 'lit' ? enabled.val.v === true : undefined;
        if (on === undefined) m.set('DeadLetterConfig', { value: new Unknown(this.describe(enabled.node)), source: this.entrySource(enabled) });
        else if (on) {
          // the function creates its own dead-letter queue (14 days retention)
          const dlq = this.resources.add([...c.path, 'DeadLetterQueue'], 'AWS::SQS::Queue', this.entrySource(enabled), true);
          dlq.props.set('MessageRetentionPeriod', { value: 1209600, source: this.entrySource(enabled) });
          const config = new Mapping();
          config.set('TargetArn', { value: this.resources.getAtt(dlq, 'Arn'), source: this.entrySource(enabled) });
          m.set('DeadLetterConfig', config.built(this.entrySource(enabled)));
        }
      }
    }
    if (['onFailure', 'onSuccess', 'retryAttempts', 'maxEventAge'].some((key) => entryOf(p, key) !== 'absent')) {
      this.eventInvokeConfig([...c.path, 'EventInvokeConfig'], this.resources.ref(res), p, node, entryOf(p, 'onFailure'));
    }
    const events = entryOf(p, 'events');
    if (typeof events === 'object' && events.val.k === 'arr') {
      for (const item of events.val.items) this.bindEventSource(c, item.val, item.node);
    }
    return { k: 'cx', c };
  }

  /** An `AWS::Lambda::EventInvokeConfig` from async invocation options. */
  private eventInvokeConfig(path: string[], functionName: IacValue, options: Val | undefined, node: Node, onFailure: Entry | 'absent' | 'unknown' | undefined): Res {
    const source = typeof onFailure === 'object' ? this.entrySource(onFailure) : this.callSource(node);
    const res = this.resources.add(path, 'AWS::Lambda::EventInvokeConfig', source, true);
    const m = res.props;
    m.set('FunctionName', { value: functionName, source });
    m.set('Qualifier', { value: '$LATEST', source });
    const destinations = new Mapping();
    for (const [key, cfn] of [
      ['onFailure', 'OnFailure'],
      ['onSuccess', 'OnSuccess'],
    ] as const) {
      this.setFrom(
        destinations,
        cfn,
        options,
        key,
        (v, e) => {
          const arn = this.destinationArn(v);
          if (arn === undefined) return undefined;
          const d = new Mapping();
          d.set('Destination', { value: arn, source: this.entrySource(e) });
          return d.built(this.entrySource(e));
        },
        source,
      );
    }
    if (Object.keys(destinations.value).length > 0) m.set('DestinationConfig', destinations.built(source));
    this.copy(m, 'MaximumRetryAttempts', options, 'retryAttempts', source);
    this.setFrom(m, 'MaximumEventAgeInSeconds', options, 'maxEventAge', (v) => this.seconds(v), source);
    return res;
  }

  private eventInvokeConfigConstruct(c: Cx, args: Args, node: ts.NewExpression): Val {
    c.path = this.pathOf(args, node);
    const fn = entryOf(args[2], 'function');
    const name = typeof fn === 'object' ? this.functionRef(fn.val) : new Unknown('function');
    c.res = this.eventInvokeConfig(c.path, name, args[2], node, undefined);
    c.res.source = this.callSource(node);
    return { k: 'cx', c };
  }

  /** `Ref` of a function construct, else its ARN or an unknown value. */
  functionRef(val: Val): IacValue {
    if (val.k === 'cx' && val.c.res && FUNCTIONS.has(val.c.kind)) return this.resources.ref(val.c.res);
    return this.arn(val) ?? new Unknown('function');
  }

  /** The ARN of an async-invocation or event-source failure destination helper. */
  private destinationArn(val: Val): IacValue | undefined {
    if (val.k === 'undef') return undefined;
    if (val.k !== 'cx') return new Unknown(val.k === 'unknown' ? val.why : 'a destination');
    return this.arn(val.c.args[0] ?? UNDEF) ?? new Unknown(val.c.kind);
  }

  // -------------------------------------------------------------------------------------------
  // Event sources
  // -------------------------------------------------------------------------------------------

  /** `fn.addEventSource(source)` / `events: [source]`. */
  private bindEventSource(fn: Cx | undefined, val: Val, at: Node, functionName?: IacValue): void {
    if (val.k !== 'cx') return;
    const src = val.c;
    const kind = src.kind.replace(/^lambda-event-sources\./, '');
    const name = functionName ?? this.resources.ref(fn!.res!);
    const base = fn ? fn.path : [];
    const [source, props] = src.args;
    const sourceId = source?.k === 'cx' ? source.c.path.join('/') : undefined;
    switch (kind) {
      case 'SqsEventSource':
      case 'KinesisEventSource':
      case 'KinesisConsumerEventSource':
      case 'DynamoEventSource': {
        const kindArn = { SqsEventSource: 'sqs', KinesisEventSource: 'kinesis', KinesisConsumerEventSource: 'kinesis', DynamoEventSource: 'dynamodb' }[kind]!;
        const arn = kind === 'DynamoEventSource' && source?.k === 'cx' && source.c.res ? this.resources.getAtt(source.c.res, 'StreamArn') : this.arn(source ?? UNDEF);
        this.eventSourceMapping([...base, `${kind}:${sourceId ?? 'Source'}`], name, props, src.node, arnHint(arn, kindArn));
        return;
      }
      case 'ManagedKafkaEventSource':
      case 'SelfManagedKafkaEventSource': {
        const esm = this.eventSourceMapping([...base, `${kind}`], name, source, src.node);
        const m = esm.props;
        const at = this.callSource(src.node);
        this.setFrom(m, 'EventSourceArn', source, 'clusterArn', (v) => this.arn(v), at);
        this.setFrom(m, 'Topics', source, 'topic', (v, e) => (v.k === 'undef' ? undefined : new Located([this.plain(v) ?? null], this.entrySource(e))), at);
        if (kind === 'SelfManagedKafkaEventSource') {
          this.setFrom(m, 'SelfManagedEventSource', source, 'bootstrapServers', (v) => ({ Endpoints: { KafkaBootstrapServers: this.plain(v) ?? null } }), at);
        }
        return;
      }
      case 'SnsEventSource': {
        if (source?.k !== 'cx' && source?.k !== 'unknown') return;
        const sub = this.resources.add([...base, `SnsSubscription:${sourceId ?? 'Topic'}`], 'AWS::SNS::Subscription', this.callSource(src.node), true);
        this.subscriptionProps(sub, 'lambda', fn ? this.resources.getAtt(fn.res!, 'Arn') : name, source.k === 'cx' ? this.arn(source) : new Unknown(source.why), props, src.node);
        return;
      }
      case 'S3EventSource':
      case 'S3EventSourceV2':
        this.permission([...base, `S3EventSource:${sourceId ?? 'Bucket'}`], fn ? this.resources.getAtt(fn.res!, 'Arn') : name, 's3.amazonaws.com', src.node);
        return;
      default:
        void at;
        return;
    }
  }

  /** An `AWS::Lambda::EventSourceMapping` from event source props (`retryAttempts`, `onFailure`, ...). */
  private eventSourceMapping(path: string[], functionName: IacValue, props: Val | undefined, node: Node, sourceArn?: IacValue, child = true): Res {
    const res = this.addResource(path, 'AWS::Lambda::EventSourceMapping', node, child);
    const at = this.callSource(node);
    const m = res.props;
    m.set('FunctionName', { value: functionName, source: at });
    if (sourceArn !== undefined) m.set('EventSourceArn', { value: sourceArn, source: at });
    else this.setFrom(m, 'EventSourceArn', props, 'eventSourceArn', (v) => this.arn(v), at);
    this.setFrom(m, 'FunctionName', props, 'target', (v) => this.functionRef(v), at);
    this.copy(m, 'BatchSize', props, 'batchSize', at);
    this.setFrom(m, 'MaximumBatchingWindowInSeconds', props, 'maxBatchingWindow', (v) => this.seconds(v), at);
    this.copy(m, 'Enabled', props, 'enabled', at);
    this.copy(m, 'StartingPosition', props, 'startingPosition', at);
    this.copy(m, 'BisectBatchOnFunctionError', props, 'bisectBatchOnError', at);
    this.copy(m, 'MaximumRetryAttempts', props, 'retryAttempts', at);
    this.setFrom(m, 'MaximumRecordAgeInSeconds', props, 'maxRecordAge', (v) => this.seconds(v), at);
    this.copy(m, 'ParallelizationFactor', props, 'parallelizationFactor', at);
    this.setFrom(m, 'TumblingWindowInSeconds', props, 'tumblingWindow', (v) => this.seconds(v), at);
    this.setFrom(
      m,
      'FunctionResponseTypes',
      props,
      'reportBatchItemFailures',
      (v, e) => {
        if (v.k === 'lit' && v.v === true) return new Located(['ReportBatchItemFailures'], this.entrySource(e));
        if (v.k === 'lit' || v.k === 'undef') return undefined;
        return new Unknown(this.describe(e.node));
      },
      at,
    );
    this.setFrom(
      m,
      'ScalingConfig',
      props,
      'maxConcurrency',
      (v, e) => {
        if (v.k === 'undef') return undefined;
        const scaling = new Mapping();
        scaling.set('MaximumConcurrency', { value: this.plain(v) ?? null, source: this.entrySource(e) });
        return scaling.built(this.entrySource(e));
      },
      at,
    );
    this.copy(m, 'ProvisionedPollerConfig', props, 'provisionedPollerConfig', at);
    this.setFrom(
      m,
      'DestinationConfig',
      props,
      'onFailure',
      (v, e) => {
        const arn = this.destinationArn(v);
        if (arn === undefined) return undefined;
        const onFailure = new Mapping();
        onFailure.set('Destination', { value: arn, source: this.entrySource(e) });
        const config = new Mapping();
        config.set('OnFailure', onFailure.built(this.entrySource(e)));
        return config.built(this.entrySource(e));
      },
      at,
    );
    this.setFrom(m, 'Topics', props, 'kafkaTopic', (v, e) => (v.k === 'undef' ? undefined : new Located([this.plain(v) ?? null], this.entrySource(e))), at);
    return res;
  }

  private eventSourceMappingConstruct(c: Cx, args: Args, node: ts.NewExpression): Val {
    c.path = this.pathOf(args, node);
    c.res = this.eventSourceMapping(c.path, new Unknown('target'), args[2], node, undefined, false);
    return { k: 'cx', c };
  }

  private permission(path: string[], functionName: IacValue, principal: string, node: Node): Res {
    const res = this.addResource(path, 'AWS::Lambda::Permission', node, true);
    const at = this.callSource(node);
    res.props.set('Action', { value: 'lambda:InvokeFunction', source: at });
    res.props.set('FunctionName', { value: functionName, source: at });
    res.props.set('Principal', { value: principal, source: at });
    return res;
  }

  // -------------------------------------------------------------------------------------------
  // SNS
  // -------------------------------------------------------------------------------------------

  private topic(c: Cx, args: Args, node: ts.NewExpression): Val {
    c.path = this.pathOf(args, node);
    c.res = this.addResource(c.path, 'AWS::SNS::Topic', node);
    const at = this.callSource(node);
    this.copy(c.res.props, 'TopicName', args[2], 'topicName', at);
    this.copy(c.res.props, 'FifoTopic', args[2], 'fifo', at);
    return { k: 'cx', c };
  }

  private subscriptionProps(sub: Res, protocol: IacValue, endpoint: IacValue | undefined, topicArn: IacValue | undefined, props: Val | undefined, node: Node): void {
    const at = this.callSource(node);
    const m = sub.props;
    m.set('Protocol', { value: protocol, source: at });
    if (endpoint !== undefined) m.set('Endpoint', { value: endpoint, source: at });
    if (topicArn !== undefined) m.set('TopicArn', { value: topicArn, source: at });
    this.setFrom(
      m,
      'RedrivePolicy',
      props,
      'deadLetterQueue',
      (v, e) => {
        const arn = this.arn(v);
        if (arn === undefined) return undefined;
        const policy = new Mapping();
        policy.set('deadLetterTargetArn', { value: arn, source: this.entrySource(e) });
        return policy.built(this.entrySource(e));
      },
      at,
    );
    this.copy(m, 'RawMessageDelivery', props, 'rawMessageDelivery', at);
  }

  /** `topic.addSubscription(new subs.LambdaSubscription(fn, { deadLetterQueue }))`. */
  private subscribe(topic: Cx, val: Val, node: Node): void {
    if (val.k !== 'cx') return;
    const sub = val.c;
    const kind = sub.kind.replace(/^sns-subscriptions\./, '');
    const [target, props] = sub.args;
    let protocol: IacValue;
    let endpoint: IacValue | undefined;
    switch (kind) {
      case 'LambdaSubscription':
        protocol = 'lambda';
        endpoint = this.arn(target ?? UNDEF);
        break;
      case 'SqsSubscription':
        protocol = 'sqs';
        endpoint = this.arn(target ?? UNDEF);
        break;
      case 'UrlSubscription': {
        const url = stringOf(target);
        const declared = entryOf(props, 'protocol');
        protocol =
          typeof declared === 'object'
            ? (this.plain(declared.val) ?? new Unknown('protocol'))
            : url?.startsWith('https://')
              ? 'https'
              : url?.startsWith('http://')
                ? 'http'
                : new Unknown('the protocol of a URL that cannot be evaluated');
        endpoint = this.plain(target ?? UNDEF);
        break;
      }
      case 'EmailSubscription':
        protocol = 'email';
        break;
      case 'SmsSubscription':
        protocol = 'sms';
        break;
      default:
        return;
    }
    const id = target?.k === 'cx' ? target.c.path.join('/') : kind;
    const res = this.resources.add([...topic.path, `Subscription:${id}`], 'AWS::SNS::Subscription', this.callSource(sub.node), true);
    this.subscriptionProps(res, protocol, endpoint, this.resources.ref(topic.res!), props, sub.node);
    void node;
  }

  private subscriptionConstruct(c: Cx, args: Args, node: ts.NewExpression): Val {
    c.path = this.pathOf(args, node);
    c.res = this.addResource(c.path, 'AWS::SNS::Subscription', node);
    const p = args[2];
    const protocol = entryOf(p, 'protocol');
    const endpoint = entryOf(p, 'endpoint');
    const topic = entryOf(p, 'topic');
    this.subscriptionProps(
      c.res,
      typeof protocol === 'object' ? (this.plain(protocol.val) ?? new Unknown('protocol')) : new Unknown('protocol'),
      typeof endpoint === 'object' ? this.plain(endpoint.val) : undefined,
      typeof topic === 'object' ? this.arn(topic.val) : undefined,
      p,
      node,
    );
    return { k: 'cx', c };
  }

  // -------------------------------------------------------------------------------------------
  // S3 notifications
  // -------------------------------------------------------------------------------------------

  /** S3 invokes a notification's Lambda destination asynchronously, through an invoke permission. */
  private notify(destination: Val | undefined, node: ts.CallExpression): void {
    if (destination?.k !== 'cx' || destination.c.kind !== 's3-notifications.LambdaDestination') return;
    const fn = destination.c.args[0];
    const arn = fn?.k === 'cx' && fn.c.res ? this.resources.getAtt(fn.c.res, 'Arn') : (this.arn(fn ?? UNDEF) ?? new Unknown('function'));
    const path = fn?.k === 'cx' ? [...fn.c.path, 'AllowBucketNotification'] : ['AllowBucketNotification'];
    this.permission(path, arn, 's3.amazonaws.com', node);
  }

  // -------------------------------------------------------------------------------------------
  // EventBridge rules and Scheduler schedules
  // -------------------------------------------------------------------------------------------

  private cron(options: Val | undefined, scheduler: boolean): Val {
    if (!options || options.k !== 'obj' || options.open) return unknown('a cron schedule that cannot be evaluated');
    const field = (name: string): string | undefined | null => {
      const e = entryOf(options, name);
      if (e === 'absent' || e === 'unknown') return e === 'absent' ? undefined : null;
      if (e.val.k === 'undef') return undefined;
      if (e.val.k === 'lit' && (typeof e.val.v === 'string' || typeof e.val.v === 'number')) return String(e.val.v);
      return null;
    };
    const minute = field('minute');
    const hour = field('hour');
    const day = field('day');
    const month = field('month');
    const year = field('year');
    const weekDay = field('weekDay');
    if ([minute, hour, day, month, year, weekDay].includes(null)) return unknown('a cron schedule with fields that cannot be evaluated');
    const expression = `cron(${minute ?? '*'} ${hour ?? '*'} ${day ?? (weekDay !== undefined ? '?' : '*')} ${month ?? '*'} ${weekDay ?? '?'} ${year ?? '*'})`;
    if (!scheduler) return lit(expression);
    const timeZone = entryOf(options, 'timeZone');
    const zone: Val = timeZone === 'absent' ? UNDEF : timeZone === 'unknown' ? unknown('timeZone') : timeZone.val;
    const node = [...options.entries.values()][0]?.node ?? this.sf;
    return { k: 'obj', entries: new Map([['expression', { val: lit(expression), node, key: node }], ['timeZone', { val: zone, node, key: node }]]), open: false };
  }

  private rule(c: Cx, args: Args, node: ts.NewExpression): Val {
    c.path = this.pathOf(args, node);
    const res = this.addResource(c.path, 'AWS::Events::Rule', node);
    c.res = res;
    const p = args[2];
    const at = this.callSource(node);
    const m = res.props;
    this.setFrom(m, 'ScheduleExpression', p, 'schedule', (v) => (v.k === 'lit' ? v.v : this.plain(v)), at);
    this.copy(m, 'EventPattern', p, 'eventPattern', at);
    this.copy(m, 'Name', p, 'ruleName', at);
    this.setFrom(m, 'State', p, 'enabled', (v) => (v.k === 'lit' ? (v.v === false ? 'DISABLED' : 'ENABLED') : v.k === 'undef' ? undefined : new Unknown('enabled')), at);
    const targets = new List();
    c.data['targets'] = targets;
    const e = entryOf(p, 'targets');
    // `Targets` appears with the first target (from the props or `addTarget`), as in a synth
    c.data['targetsSource'] = { ...at, keyStart: -1, keyEnd: -1, synthetic: true } satisfies SourceNode;
    if (e === 'unknown') m.set('Targets', { value: new Unknown('targets'), source: at });
    else if (e !== 'absent') {
      c.data['targetsSource'] = this.entrySource(e);
      if (e.val.k === 'arr' && !e.val.open) {
        for (const item of e.val.items) this.pushTarget(c, item.val, item.node);
      } else if (e.val.k !== 'undef') {
        m.set('Targets', { value: new Unknown(this.describe(e.node)), source: this.entrySource(e) });
      }
    }
    return { k: 'cx', c };
  }

  private addTarget(rule: Cx, val: Val, node: Node): void {
    if (rule.data['targets']) this.pushTarget(rule, val, node);
  }

  /** A rule target: `{ Id, Arn, DeadLetterConfig, RetryPolicy }` from an aws-events-targets object. */
  private pushTarget(rule: Cx, val: Val, node: Node): void {
    const targets = rule.data['targets'] as List;
    const props = rule.res!.props;
    if (props.value['Targets'] instanceof Unknown) return;
    if (!props.has('Targets')) props.set('Targets', { value: targets.value, source: { ...(rule.data['targetsSource'] as SourceNode), items: targets.items } });
    const id = `Target${targets.value.length}`;
    if (val.k !== 'cx') {
      targets.push({ value: new Unknown(val.k === 'unknown' ? val.why : 'a target'), source: this.nodeSource(node) });
      return;
    }
    const t = val.c;
    const source = this.callSource(t.node);
    const target = new Mapping();
    target.set('Id', { value: id, source });
    target.set('Arn', { value: this.targetArn(t), source });
    this.targetRetryProps(target, t.args[1], source);
    targets.push(target.built(source));
  }

  /** DeadLetterConfig and RetryPolicy of an EventBridge or Scheduler target. */
  private targetRetryProps(target: Mapping, props: Val | undefined, source: SourceNode): void {
    this.setFrom(
      target,
      'DeadLetterConfig',
      props,
      'deadLetterQueue',
      (v, e) => {
        const arn = this.arn(v);
        if (arn === undefined) return undefined;
        const d = new Mapping();
        d.set('Arn', { value: arn, source: this.entrySource(e) });
        return d.built(this.entrySource(e));
      },
      source,
    );
    const retry = new Mapping();
    this.copy(retry, 'MaximumRetryAttempts', props, 'retryAttempts', source);
    this.setFrom(retry, 'MaximumEventAgeInSeconds', props, 'maxEventAge', (v) => this.seconds(v), source);
    if (Object.keys(retry.value).length > 0) {
      const first = [...retry.entries.values()][0]!;
      target.set('RetryPolicy', retry.built({ ...first, keyStart: first.keyStart, keyEnd: first.keyEnd }));
    }
  }

  /** What a target object invokes. */
  private targetArn(t: Cx): IacValue {
    const resource = t.args[0] ?? UNDEF;
    const kind = t.kind.replace(/^(events-targets|scheduler-targets)\./, '');
    if (kind === 'CloudWatchLogGroup' && !(resource.k === 'cx' && resource.c.res)) {
      return new Intrinsic('Fn::Sub', 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*');
    }
    if (resource.k === 'cx' || resource.k === 'token') return this.arn(resource) ?? new Unknown(kind);
    return new Unknown(resource.k === 'unknown' ? resource.why : kind);
  }

  private schedule(c: Cx, args: Args, node: ts.NewExpression): Val {
    c.path = this.pathOf(args, node);
    const res = this.addResource(c.path, 'AWS::Scheduler::Schedule', node);
    c.res = res;
    const p = args[2];
    const at = this.callSource(node);
    const m = res.props;
    const schedule = entryOf(p, 'schedule');
    if (schedule === 'unknown') m.set('ScheduleExpression', { value: new Unknown('schedule'), source: at });
    else if (schedule !== 'absent') {
      const v = schedule.val;
      const source = this.entrySource(schedule);
      if (v.k === 'lit') m.set('ScheduleExpression', { value: v.v, source });
      else if (v.k === 'obj') {
        const expression = v.entries.get('expression')?.val;
        const zone = v.entries.get('timeZone')?.val;
        m.set('ScheduleExpression', { value: expression ? (this.plain(expression) ?? new Unknown('schedule')) : new Unknown('schedule'), source });
        if (zone && zone.k !== 'undef') m.set('ScheduleExpressionTimezone', { value: zone.k === 'lit' ? zone.v : new Unknown('a time zone'), source });
      } else m.set('ScheduleExpression', { value: new Unknown(this.describe(schedule.node)), source });
    }
    this.setFrom(
      m,
      'FlexibleTimeWindow',
      p,
      'timeWindow',
      (v, e): IacValue | undefined => {
        if (v.k === 'undef') return undefined;
        if (v.k === 'lit') return { Mode: v.v };
        if (v.k === 'obj') return { Mode: 'FLEXIBLE', MaximumWindowInMinutes: this.minutes(v.entries.get('maximumWindowInMinutes')?.val ?? UNDEF) ?? null };
        return new Unknown(this.describe(e.node));
      },
      at,
    );
    this.setFrom(m, 'State', p, 'enabled', (v) => (v.k === 'lit' ? (v.v === false ? 'DISABLED' : 'ENABLED') : v.k === 'undef' ? undefined : new Unknown('enabled')), at);
    this.setFrom(
      m,
      'Target',
      p,
      'target',
      (v, e) => {
        if (v.k !== 'cx') return v.k === 'undef' ? undefined : new Unknown(this.describe(e.node));
        const source = this.callSource(v.c.node);
        const target = new Mapping();
        target.set('Arn', { value: this.targetArn(v.c), source });
        this.targetRetryProps(target, v.c.args[1], source);
        return target.built(source);
      },
      at,
    );
    return { k: 'cx', c };
  }

  // -------------------------------------------------------------------------------------------
  // API Gateway and AppSync: the synchronous callers of functions
  // -------------------------------------------------------------------------------------------

  private restApi(c: Cx, args: Args, node: ts.NewExpression): Val {
    c.path = this.pathOf(args, node);
    const res = this.addResource(c.path, 'AWS::ApiGateway::RestApi', node);
    c.res = res;
    const p = args[2];
    const at = this.callSource(node);
    this.setFrom(res.props, 'EndpointConfiguration', p, 'endpointTypes', (v) => ({ Types: this.plain(v) ?? null }), at);
    if (!res.props.has('EndpointConfiguration')) {
      this.setFrom(
        res.props,
        'EndpointConfiguration',
        p,
        'endpointConfiguration',
        (v, e): IacValue | undefined => {
          if (v.k !== 'obj') return v.k === 'undef' ? undefined : new Unknown(this.describe(e.node));
          const types = v.entries.get('types');
          return types ? { Types: this.plain(types.val) ?? null } : {};
        },
        at,
      );
    }
    const defaultIntegration = entryOf(p, 'defaultIntegration');
    if (typeof defaultIntegration === 'object') c.data['defaultIntegration'] = defaultIntegration.val;
    if (c.kind === 'apigateway.LambdaRestApi') {
      const handler = entryOf(p, 'handler');
      if (typeof handler === 'object') {
        const options = entryOf(p, 'integrationOptions');
        const integration: Cx = this.cx('apigateway.LambdaIntegration', node, [handler.val, typeof options === 'object' ? options.val : UNDEF]);
        c.data['defaultIntegration'] = { k: 'cx', c: integration };
        this.restMethod(c, { k: 'cx', c: integration }, node);
      }
    }
    return { k: 'cx', c };
  }

  /** An `AWS::ApiGateway::Method` whose integration invokes a function. */
  private restMethod(api: Cx | undefined, integration: Val, node: Node): Cx | undefined {
    if (integration.k !== 'cx' || integration.c.kind !== 'apigateway.LambdaIntegration') return undefined;
    const [handler, options] = integration.c.args;
    const path = [...(api?.path ?? []), `Method:${this.describe(node).slice(0, 40)}`];
    const res = this.addResource(path, 'AWS::ApiGateway::Method', node, true);
    const at = this.callSource(node);
    if (api?.res) res.props.set('RestApiId', { value: this.resources.ref(api.res), source: at });
    const source = this.callSource(integration.c.node);
    const m = new Mapping();
    const proxy = entryOf(options, 'proxy');
    m.set('Type', { value: typeof proxy === 'object' && proxy.val.k === 'lit' && proxy.val.v === false ? 'AWS' : 'AWS_PROXY', source });
    m.set('Uri', { value: this.arn(handler ?? UNDEF) ?? new Unknown('handler'), source });
    this.setFrom(m, 'TimeoutInMillis', options, 'timeout', (v) => {
      const s = this.seconds(v);
      return typeof s === 'number' ? s * 1000 : s;
    }, source);
    this.copy(m, 'RequestParameters', options, 'requestParameters', source);
    this.copy(m, 'ResponseTransferMode', options, 'responseTransferMode', source);
    res.props.set('Integration', m.built(source));
    return { ...this.cx('apigateway.Method', node, []), path, res };
  }

  private methodConstruct(c: Cx, args: Args, node: ts.NewExpression): Val {
    const e = entryOf(args[2], 'integration');
    const resource = entryOf(args[2], 'resource');
    const api = typeof resource === 'object' && resource.val.k === 'cx' ? (resource.val.c.data['api'] as Cx | undefined) : undefined;
    if (typeof e === 'object') this.restMethod(api, e.val, node);
    return { k: 'cx', c };
  }

  private httpApi(c: Cx, args: Args, node: ts.NewExpression): Val {
    c.path = this.pathOf(args, node);
    c.res = this.addResource(c.path, 'AWS::ApiGatewayV2::Api', node);
    c.res.props.set('ProtocolType', { value: 'HTTP', source: this.callSource(node) });
    c.data['integrations'] = new Set<Cx>();
    const e = entryOf(args[2], 'defaultIntegration');
    if (typeof e === 'object') this.httpIntegration(c, e.val);
    return { k: 'cx', c };
  }

  /** An `AWS::ApiGatewayV2::Integration` for an `HttpLambdaIntegration` (one per API). */
  private httpIntegration(api: Cx | undefined, integration: Val): void {
    if (integration.k !== 'cx' || integration.c.kind !== 'apigatewayv2-integrations.HttpLambdaIntegration') return;
    const done = (api?.data['integrations'] as Set<Cx> | undefined) ?? new Set<Cx>();
    if (done.has(integration.c)) return;
    done.add(integration.c);
    const [id, handler, options] = integration.c.args;
    const node = integration.c.node;
    const res = this.addResource([...(api?.path ?? []), stringOf(id) ?? 'Integration'], 'AWS::ApiGatewayV2::Integration', node, true);
    const at = this.callSource(node);
    if (api?.res) res.props.set('ApiId', { value: this.resources.ref(api.res), source: at });
    res.props.set('IntegrationType', { value: 'AWS_PROXY', source: at });
    res.props.set('IntegrationUri', { value: this.arn(handler ?? UNDEF) ?? new Unknown('handler'), source: at });
    this.setFrom(res.props, 'TimeoutInMillis', options, 'timeout', (v) => {
      const s = this.seconds(v);
      return typeof s === 'number' ? s * 1000 : s;
    }, at);
  }

  private httpRouteConstruct(c: Cx, args: Args, node: ts.NewExpression): Val {
    const api = entryOf(args[2], 'httpApi');
    const integration = entryOf(args[2], 'integration');
    if (typeof integration === 'object') this.httpIntegration(typeof api === 'object' ? (api.val.k === 'cx' ? api.val.c : undefined) : undefined, integration.val);
    void node;
    return { k: 'cx', c };
  }

  private lambdaDataSource(path: string[], api: Cx | undefined, fn: Val | undefined, node: Node): void {
    const res = this.addResource(path, 'AWS::AppSync::DataSource', node, true);
    const at = this.callSource(node);
    res.props.set('Type', { value: 'AWS_LAMBDA', source: at });
    if (api?.res) res.props.set('ApiId', { value: this.resources.getAtt(api.res, 'ApiId'), source: at });
    res.props.set('LambdaConfig', { value: { LambdaFunctionArn: this.arn(fn ?? UNDEF) ?? new Unknown('function') }, source: at });
  }

  private lambdaDataSourceConstruct(c: Cx, args: Args, node: ts.NewExpression): Val {
    c.path = this.pathOf(args, node);
    const api = entryOf(args[2], 'api');
    const fn = entryOf(args[2], 'lambdaFunction');
    this.lambdaDataSource(c.path, typeof api === 'object' && api.val.k === 'cx' ? api.val.c : undefined, typeof fn === 'object' ? fn.val : unknown('lambdaFunction'), node);
    return { k: 'cx', c };
  }
}

/**
 * The source ARN of an event source: unknown sources still tell the service, through an ARN
 * pattern (`arn:${AWS::Partition}:sqs:...:*`), so that rules know the mapping's kind.
 */
function arnHint(arn: IacValue | undefined, service: string): IacValue | undefined {
  if (!(arn instanceof Unknown)) return arn;
  return new Intrinsic('Fn::Sub', `arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:*`);
}

/** `rate(5 minutes)` as EventBridge and Scheduler write it. */
function rate(duration: Val | undefined): Val {
  if (duration?.k !== 'dur' || duration.seconds <= 0) return unknown('a rate that cannot be evaluated');
  const s = duration.seconds;
  const make = (n: number, unit: string): string => (n === 1 ? `rate(1 ${unit})` : `rate(${n} ${unit}s)`);
  if (s % 86400 === 0) return lit(make(s / 86400, 'day'));
  if (s % 3600 === 0) return lit(make(s / 3600, 'hour'));
  return lit(make(Math.floor(s / 60), 'minute'));
}
