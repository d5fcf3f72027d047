/**
 * What the CDK classes the rules care about do, in terms of CloudFormation: which resources a
 * construct, a helper object or a method call adds, with which properties, each located at the
 * TypeScript it comes from. This module dispatches to the construct families (`messaging.ts`,
 * `functions.ts`, `events.ts`, `apis.ts`, `stepfunctions.ts`, over the conversions of
 * `convert.ts`), and to the AWS Solutions Constructs patterns built from them (`solutions.ts`);
 * a `CfnParameter` is a template parameter; any other `Cfn*` class is mapped generically
 * (camel-case props to CloudFormation names); any other class or method evaluates to an unknown
 * value.
 *
 * CDK defaults that differ from CloudFormation's would be encoded in the families; the ones the
 * rules depend on are the same as the services' (Lambda 3 s timeout, SQS 30 s visibility timeout,
 * stream sources retrying until the record expires, 185 attempts / 24 h for EventBridge targets),
 * so the properties are left absent when the construct code leaves them unset, as a synthesized
 * template does.
 */
import path from 'node:path';
import { ts } from '../code/ts.js';
import { Intrinsic, Unknown, fileText, type IacValue } from '../iac/model.js';
import { setOwn } from '../iac/document.js';
import { cdkName, cfnPropertyName, keepsKeys, l1Type } from './names.js';
import { CDK_PATH, Mapping, type Res, type Resources } from './resources.js';
import { entryOf, lit, stringOf, unknown, unknownNode, UNDEF, type Cx, type Describer, type Val } from './values.js';
import { Apis } from './apis.js';
import { Converter, FUNCTIONS } from './convert.js';
import { Events, rate } from './events.js';
import { Functions } from './functions.js';
import { Messaging } from './messaging.js';
import { Solutions } from './solutions.js';
import { StepFunctions } from './stepfunctions.js';

type Args = Val[];
type Node = ts.Node;

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

/**
 * A construct of a package the scan does not hold (a company's construct library) given a Lambda
 * function's props, `handler` and `runtime` (`new TeamLambda(this, 'Api', { handler: 'index.handler',
 * runtime: Runtime.NODEJS_22_X, ... })`): such classes extend `lambda.Function` and pass their
 * props on, so the construct is read as the function those props make.
 */
function isLibraryFunction(mod: Val & { k: 'mod' }, args: Args): boolean {
  if (/^[./#]/.test(mod.module) || mod.path.length === 0) return false;
  const props = args[2];
  if (props?.k !== 'obj') return false;
  const handler = props.entries.get('handler');
  return handler !== undefined && handler.val.k !== 'undef' && props.entries.has('runtime');
}

/** `Duration.<unit>(n)` in seconds. */
const DURATION_UNITS: Record<string, number> = { millis: 0.001, seconds: 1, minutes: 60, hours: 3600, days: 86400 };

export class Library {
  readonly cv: Converter;
  readonly sfn: StepFunctions;
  private readonly messaging: Messaging;
  private readonly functions: Functions;
  private readonly events: Events;
  private readonly apis: Apis;
  private readonly solutions: Solutions;

  constructor(sf: ts.SourceFile, resources: Resources) {
    this.cv = new Converter(sf, resources);
    this.sfn = new StepFunctions(this.cv);
    this.messaging = new Messaging(this.cv);
    this.functions = new Functions(this.cv, this.messaging);
    this.events = new Events(this.cv);
    this.apis = new Apis(this.cv);
    this.solutions = new Solutions(this.cv, this.functions, this.events, this);
  }

  set interp(describer: Describer) {
    this.cv.interp = describer;
  }

  /** Construct path of a scope argument (`this`, a stack, a construct); undefined when unknown. */
  scopePath(val: Val | undefined): string[] | undefined {
    return this.cv.scopePath(val);
  }

  /** The construct id argument: a literal, else the text of the expression. */
  constructId(val: Val | undefined, node: Node): string {
    return this.cv.constructId(val, node);
  }

  construct(mod: Val & { k: 'mod' }, args: Args, node: ts.NewExpression): Val {
    const name = cdkName(mod.module, mod.path);
    if (!name) {
      if (!isLibraryFunction(mod, args)) return unknownNode(this.cv, node);
      const fn = this.functions.libraryFunction(this.cv.cx('lambda.Function', node, args), args, node, `\`${mod.path.join('.') || mod.module}\` of ${mod.module}`);
      this.events.librarySchedules(fn, args[2], node);
      return fn;
    }
    return this.build(name, args, node);
  }

  /** The construct `<service>.<Class>` built from evaluated arguments (`new Class(...args)`). */
  build(name: string, args: Args, node: ts.NewExpression): Val {
    const c = this.cv.cx(name, node, args);
    if (FUNCTIONS.has(name)) return this.functions.lambdaFunction(c, args, node);
    if (name.startsWith('solutions.')) return this.solutions.construct(name, c, args, node) ?? unknownNode(this.cv, node);
    switch (name) {
      case 'sqs.Queue':
        return this.messaging.queue(c, args, node);
      case 'sns.Topic':
        return this.messaging.topic(c, args, node);
      case 'sns.Subscription':
        return this.messaging.subscriptionConstruct(c, args, node);
      case 'lambda.EventSourceMapping':
        return this.functions.eventSourceMappingConstruct(c, args, node);
      case 'lambda.EventInvokeConfig':
        return this.functions.eventInvokeConfigConstruct(c, args, node);
      case 'events.Rule':
        return this.events.rule(c, args, node);
      case 'scheduler.Schedule':
        return this.events.schedule(c, args, node);
      case 'ecs-patterns.ScheduledFargateTask':
      case 'ecs-patterns.ScheduledEc2Task':
        return this.events.scheduledTask(c, args, node);
      case 'apigateway.RestApi':
      case 'apigateway.LambdaRestApi':
        return this.apis.restApi(c, args, node);
      case 'apigateway.Method':
        return this.apis.methodConstruct(c, args, node);
      case 'apigateway.RequestAuthorizer':
      case 'apigateway.TokenAuthorizer':
        return this.apis.authorizer(c, args, node);
      case 'apigatewayv2.HttpApi':
        return this.apis.httpApi(c, args, node);
      case 'apigatewayv2.HttpRoute':
        return this.apis.httpRouteConstruct(c, args, node);
      case 'apigatewayv2.WebSocketApi':
        return this.apis.webSocketApi(c, args, node);
      case 'apigatewayv2.WebSocketRoute':
        return this.apis.webSocketRouteConstruct(c, args, node);
      case 'appsync.LambdaDataSource':
        return this.apis.lambdaDataSourceConstruct(c, args, node);
      case 'elasticloadbalancingv2.ApplicationTargetGroup':
        return this.apis.targetGroup(c, args, node);
      case 'lambda.AssetCode':
        return { k: 'cx', c };
      case 'core.CfnParameter':
        return this.parameter(c, args, node);
      case 'ses-actions.Lambda':
        this.messaging.sesLambdaAction(c, args[0], node);
        return { k: 'cx', c };
      case 'core.CfnCondition': {
        // a template condition: the resources created under it (`cfnOptions.condition`) are not
        // deployed when it is false at the parameters' defaults
        c.path = this.cv.pathOf(args, node);
        const expression = entryOf(args[2], 'expression');
        const value = typeof expression === 'object' ? this.cv.plain(expression.val) : undefined;
        c.data['logicalId'] = this.cv.resources.addCondition(c.path[c.path.length - 1]!, value ?? new Unknown('a condition that cannot be evaluated'));
        return { k: 'cx', c };
      }
      case 'logs.SubscriptionFilter':
        this.messaging.logsSubscription(this.cv.constructId(args[1], node), args[2], node);
        return { k: 'cx', c };
      default:
        break;
    }
    if (SIMPLE[name]) {
      c.path = this.cv.pathOf(args, node);
      c.res = this.cv.addResource(c.path, SIMPLE[name], node);
      this.simpleProps(name, c.res, args[2], node);
      return { k: 'cx', c };
    }
    const sfn = this.sfn.construct(name, c, args, node);
    if (sfn) return sfn;
    const type = l1Type(name);
    if (type) return this.l1(c, type, args, node);
    // a stack made in place (`new Stack(app, 'Jobs')`): the constructs made in it start their
    // construct paths there, as a synth writes them (as for a stack class of the app)
    if (name === 'core.Stack' || name === 'core.NestedStack') return { k: 'cx', c };
    // helper objects: event sources, targets, destinations, subscriptions, integrations
    if (/^(lambda-event-sources|events-targets|scheduler-targets|lambda-destinations|logs-destinations|sns-subscriptions|s3-notifications|apigateway|apigatewayv2-integrations|elasticloadbalancingv2-targets)\./.test(name) || name === 'iam.ServicePrincipal') {
      return { k: 'cx', c };
    }
    return unknownNode(this.cv, node);
  }

  callStatic(mod: Val & { k: 'mod' }, args: Args, node: ts.CallExpression): Val {
    if (mod.module === 'path' || mod.module === 'node:path') return nodePath(mod.path, args) ?? unknownNode(this.cv, node);
    // `readFileSync('statemachine/orders.asl.json', 'utf-8')`: the text of a file the app reads when
    // it runs, unknown here; its path is kept for a state machine definition to be read from it
    if ((mod.module === 'fs' || mod.module === 'node:fs') && mod.path.length === 1 && mod.path[0] === 'readFileSync') {
      const file = args[0] ? stringOf(args[0]) : undefined;
      return file !== undefined ? unknown(fileText(file)) : unknownNode(this.cv, node);
    }
    const name = cdkName(mod.module, mod.path);
    if (!name) return unknownNode(this.cv, node);
    const duration = /^core\.Duration\.(millis|seconds|minutes|hours|days)$/.exec(name);
    if (duration) {
      const n = args[0]?.k === 'lit' && typeof args[0].v === 'number' ? args[0].v : undefined;
      return n === undefined ? unknownNode(this.cv, node) : { k: 'dur', seconds: n * DURATION_UNITS[duration[1]!]! };
    }
    const condition = /^core\.Fn\.condition(Equals|Not|And|Or)$/.exec(name);
    if (condition) {
      // `Fn.conditionEquals(param.valueAsString, 'Yes')`: the condition function it writes
      const operands = args.map((a) => (a.k === 'cx' && a.c.kind === 'core.CfnCondition' && typeof a.c.data['logicalId'] === 'string' ? new Intrinsic('Condition', a.c.data['logicalId']) : (this.cv.plain(a) ?? new Unknown('an operand'))));
      return { k: 'token', value: new Intrinsic(`Fn::${condition[1]!}`, operands) };
    }
    switch (name) {
      case 'events.Schedule.cron':
        return this.events.cron(args[0], false);
      case 'scheduler.ScheduleExpression.cron':
        return this.events.cron(args[0], true);
      case 'events.Schedule.rate':
      case 'scheduler.ScheduleExpression.rate':
        return rate(args[0]);
      case 'events.Schedule.expression':
        // a literal, or a CloudFormation value (a parameter's `valueAsString`)
        return args[0]?.k === 'lit' || args[0]?.k === 'token' ? args[0] : unknownNode(this.cv, node);
      case 'scheduler.ScheduleExpression.expression': {
        const expression = args[0]?.k === 'lit' || args[0]?.k === 'token' ? args[0] : unknownNode(this.cv, node);
        return { k: 'obj', entries: new Map([['expression', { val: expression, node, key: node }], ['timeZone', { val: args[1] ?? UNDEF, node, key: node }]]), open: false };
      }
      case 'scheduler.TimeWindow.off':
        return lit('OFF');
      case 'scheduler.TimeWindow.flexible':
        return { k: 'obj', entries: new Map([['mode', { val: lit('FLEXIBLE'), node, key: node }], ['maximumWindowInMinutes', { val: args[0] ?? UNDEF, node, key: node }]]), open: false };
      case 'appsync.MappingTemplate.fromString':
        return args[0] ?? UNDEF;
      case 'lambda.Code.fromAsset':
        return { k: 'cx', c: this.cv.cx('lambda.AssetCode', node, args) };
      case 'lambda.Code.fromBucket':
      case 'lambda.Code.fromBucketV2':
        return { k: 'cx', c: this.cv.cx('lambda.S3Code', node, args) };
      case 'sqs.Queue.fromQueueArn':
      case 'lambda.Function.fromFunctionArn':
      case 'sns.Topic.fromTopicArn':
        return args[2]?.k === 'lit' ? { k: 'token', value: args[2].v } : unknownNode(this.cv, node);
      default:
        break;
    }
    if (name.startsWith('solutions.')) return this.solutions.callStatic(name, args, node) ?? unknownNode(this.cv, node);
    return this.sfn.callStatic(name, args, node) ?? unknownNode(this.cv, node);
  }

  attribute(c: Cx, name: string, node: Node): Val {
    // escape hatches: `construct.node.defaultChild` is the construct's own resource
    if (name === 'node' && c.res) return { k: 'cx', c: { ...this.cv.cx('constructs.Node', node, []), data: { owner: c } } };
    if (c.kind === 'constructs.Node' && name === 'defaultChild') return { k: 'cx', c: c.data['owner'] as Cx };
    if (c.kind.startsWith('solutions.')) return this.solutions.attribute(c, name) ?? unknown(`${c.kind}.${name}`);
    if (c.kind === 'core.CfnParameter') return this.parameterAttribute(c, name);
    if (c.kind === 'apigateway.RestApi' || c.kind === 'apigateway.LambdaRestApi') {
      if (name === 'root') return { k: 'cx', c: { ...this.cv.cx('apigateway.Resource', node, []), data: { api: c, route: [] } } };
    }
    const attributes = this.cv.attributesOf(c);
    const cfn = attributes?.names[name];
    if (c.res && cfn) return { k: 'token', value: cfn === 'Ref' ? this.cv.resources.ref(c.res) : this.cv.resources.getAtt(c.res, cfn) };
    if (c.res && /^attr[A-Z]/.test(name) && l1Type(c.kind)) return { k: 'token', value: this.cv.resources.getAtt(c.res, name.slice(4)) };
    if (c.res && name === 'ref') return { k: 'token', value: this.cv.resources.ref(c.res) };
    if (FUNCTIONS.has(c.kind) && (name === 'currentVersion' || name === 'latestVersion')) return { k: 'cx', c };
    // `visibilityTimeout: fn.timeout` (a singleton function has no such member)
    if (FUNCTIONS.has(c.kind) && c.kind !== 'lambda.SingletonFunction' && name === 'timeout') return this.functions.timeoutOf(c);
    return unknown(`${c.kind}.${name}`);
  }

  /**
   * The integration of the methods of an API Gateway resource that name none: the
   * `defaultIntegration` of its options, else the one it inherits from the resource above it, up
   * to the API's own.
   */
  private defaultIntegration(resource: Cx, options: Val | undefined): Val | undefined {
    const own = entryOf(options, 'defaultIntegration');
    if (typeof own === 'object') return own.val;
    const api = resource.data['api'] as Cx | undefined;
    return (resource.data['defaultIntegration'] as Val | undefined) ?? (api?.data['defaultIntegration'] as Val | undefined);
  }

  method(c: Cx, name: string, args: Args, node: ts.CallExpression): Val {
    if (name === 'addMetadata') {
      // `cfnResource.addMetadata(key, value)` writes the resource's template Metadata;
      // `construct.node.addMetadata(key, value)` is read the same way here
      const owner = c.kind === 'constructs.Node' ? (c.data['owner'] as Cx | undefined) : c;
      const key = stringOf(args[0]);
      const built = key !== undefined && owner?.res ? this.cv.built(args[1] ?? UNDEF, this.cv.callSource(node)) : undefined;
      if (built && key !== CDK_PATH) owner!.res!.metadata.set(key!, built);
      return UNDEF;
    }
    if (FUNCTIONS.has(c.kind)) {
      switch (name) {
        case 'addEventSource':
          if (args[0]) this.functions.bindEventSource(c, args[0], node);
          return UNDEF;
        case 'addEventSourceMapping':
          this.functions.eventSourceMapping([...c.path, this.cv.constructId(args[0], node)], this.cv.resources.ref(c.res!), args[1], node, undefined, false);
          return UNDEF;
        case 'configureAsyncInvoke':
          this.functions.eventInvokeConfig([...c.path, 'EventInvokeConfig'], this.cv.resources.ref(c.res!), args[0], node, undefined);
          return UNDEF;
        case 'addAlias':
          return { k: 'cx', c };
        case 'addEnvironment': {
          const key = stringOf(args[0]);
          if (key !== undefined) this.functions.addEnvironment(c, key, args[1] ?? UNDEF, node);
          return { k: 'cx', c };
        }
        case 'addPermission':
        case 'grantInvoke': {
          // an invoke permission for a service principal (S3, SNS, EventBridge... invoke asynchronously)
          const principal = name === 'addPermission' ? entryOf(args[1], 'principal') : args[0] ? { val: args[0] } : 'absent';
          const service = typeof principal === 'object' && principal.val.k === 'cx' && principal.val.c.kind === 'iam.ServicePrincipal' ? stringOf(principal.val.c.args[0]) : undefined;
          if (service) this.cv.permission([...c.path, name === 'addPermission' ? this.cv.constructId(args[0], node) : `Invoke:${service}`], this.cv.resources.getAtt(c.res!, 'Arn'), service, node);
          return UNDEF;
        }
        default:
          return unknownNode(this.cv, node);
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
        if (args[0]) this.messaging.subscribe(c, args[0], node);
        return UNDEF;
      case 'events.Rule#addTarget':
        if (args[0]) this.events.addTarget(c, args[0], node);
        return UNDEF;
      case 'elasticloadbalancingv2.ApplicationTargetGroup#addTarget':
        for (const a of args) this.apis.addLoadBalancerTarget(c, a, node);
        return UNDEF;
      case 's3.Bucket#addEventNotification':
        this.messaging.notify(args[1], node);
        return UNDEF;
      case 'logs.LogGroup#addSubscriptionFilter':
        this.messaging.logsSubscription(this.cv.constructId(args[0], node), args[1], node);
        return UNDEF;
      case 's3.Bucket#addObjectCreatedNotification':
      case 's3.Bucket#addObjectRemovedNotification':
        this.messaging.notify(args[0], node);
        return UNDEF;
      case 'apigateway.Resource#addResource':
      case 'apigateway.Resource#resourceForPath': {
        const part = stringOf(args[0]);
        const parent = c.data['route'] as string[] | undefined;
        const route = parent && part !== undefined ? [...parent, ...part.split('/').filter((s) => s !== '')] : undefined;
        return { k: 'cx', c: { ...this.cv.cx('apigateway.Resource', node, []), data: { api: c.data['api'], route, defaultIntegration: this.defaultIntegration(c, name === 'addResource' ? args[1] : undefined) } } };
      }
      case 'apigateway.Resource#addProxy': {
        const api = c.data['api'] as Cx | undefined;
        const parent = c.data['route'] as string[] | undefined;
        const route = parent ? [...parent, '{proxy+}'] : undefined;
        const integration = this.defaultIntegration(c, args[0]);
        if (integration) this.apis.restMethod(api, integration, node, route, 'ANY');
        return { k: 'cx', c: { ...this.cv.cx('apigateway.Resource', node, []), data: { api, route, defaultIntegration: integration } } };
      }
      case 'apigateway.Resource#addMethod': {
        const api = c.data['api'] as Cx | undefined;
        const route = c.data['route'] as string[] | undefined;
        const integration = args[1] && args[1].k !== 'undef' ? args[1] : (this.defaultIntegration(c, undefined) ?? UNDEF);
        const method = this.apis.restMethod(api, integration, node, route, stringOf(args[0]));
        return method ? { k: 'cx', c: method } : unknownNode(this.cv, node);
      }
      case 'apigatewayv2.HttpApi#addRoutes': {
        const options = args[0];
        const e = entryOf(options, 'integration');
        if (e !== 'absent' && e !== 'unknown') this.apis.httpIntegration(c, e.val);
        return unknownNode(this.cv, node);
      }
      case 'apigatewayv2.WebSocketApi#addRoute':
        this.apis.webSocketRoute(c, args[0] ?? UNDEF, args[1] ?? UNDEF, node);
        return unknownNode(this.cv, node);
      case 'appsync.GraphqlApi#addLambdaDataSource': {
        const path = [...c.path, this.cv.constructId(args[0], node)];
        const res = this.apis.lambdaDataSource(path, c, args[1], node);
        return { k: 'cx', c: { ...this.cv.cx('appsync.LambdaDataSource', node, args), path, res } };
      }
      case 'appsync.LambdaDataSource#createResolver':
        return this.apis.resolver(c, this.cv.constructId(args[0], node), args[1], node);
      default:
        break;
    }
    return this.sfn.method(c, name, args, node) ?? unknownNode(this.cv, node);
  }

  /**
   * `addPropertyOverride('A.B', value)`: sets (or, for `undefined`, deletes) a property at a
   * dotted path, located at the call. An override outside `Properties` is ignored.
   */
  private override(res: Res, path: string, val: Val, node: Node, outside: boolean): void {
    if (outside || res.opaque) return;
    const at = this.cv.callSource(node);
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
    const built = val.k === 'undef' ? undefined : this.cv.built(val, at);
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
      const receiver = ts.isPropertyAccessExpression(node.expression) ? this.cv.describe(node.expression.expression) : 'function';
      this.functions.bindEventSource(undefined, args[0], node, new Unknown(receiver));
    }
    if (name === 'addSubscriptionFilter') this.messaging.logsSubscription(this.cv.constructId(args[0], node), args[1], node);
    // a rule or topic of another file (a prop, another stack's attribute) that this file's
    // function is added to: the invoke permission and the subscription the CDK adds
    if ((name === 'addTarget' || name === 'addSubscription') && args[0]?.k === 'cx' && ts.isPropertyAccessExpression(node.expression)) {
      const receiver = this.cv.describe(node.expression.expression);
      if (name === 'addTarget') this.events.targetOfOtherRule(args[0].c, receiver, node);
      else this.messaging.subscribe(undefined, args[0], node, receiver);
    }
    return unknownNode(this.cv, node);
  }

  /**
   * `new CfnParameter(scope, id, { type, default })`: a template parameter, whose `valueAsString`
   * (and `valueAsNumber`, `valueAsList`, `value`) is its `Ref`. The template evaluated at its
   * defaults reads a schedule or a setting given by a parameter at the parameter's `default`.
   */
  private parameter(c: Cx, args: Args, node: ts.NewExpression): Val {
    c.path = this.cv.pathOf(args, node);
    const at = this.cv.callSource(node);
    const declared = new Mapping();
    this.cv.copy(declared, 'Type', args[2], 'type', at);
    if (!declared.has('Type')) declared.set('Type', { value: 'String', source: { ...at, keyStart: -1, keyEnd: -1, synthetic: true } });
    this.cv.copy(declared, 'Default', args[2], 'default', at);
    this.cv.copy(declared, 'AllowedValues', args[2], 'allowedValues', at);
    c.data['logicalId'] = this.cv.resources.addParameter(c.path[c.path.length - 1]!, declared, at);
    return { k: 'cx', c };
  }

  /** `construct.cfnOptions.condition = condition`: the resource is created under the template condition. */
  setCondition(target: Val, condition: Val): void {
    if (target.k !== 'cx' || !target.c.res || condition.k !== 'cx' || condition.c.kind !== 'core.CfnCondition') return;
    const id = condition.c.data['logicalId'];
    if (typeof id === 'string') target.c.res.condition = id;
  }

  private parameterAttribute(c: Cx, name: string): Val {
    const id = c.data['logicalId'] as string | undefined;
    if (id === undefined) return unknown(`${c.kind}.${name}`);
    if (name === 'logicalId') return lit(id);
    if (['valueAsString', 'valueAsNumber', 'valueAsList', 'value'].includes(name)) return { k: 'token', value: new Intrinsic('Ref', id) };
    return unknown(`${c.kind}.${name}`);
  }

  private l1(c: Cx, type: string, args: Args, node: ts.NewExpression): Val {
    c.path = this.cv.pathOf(args, node);
    const res = this.cv.addResource(c.path, type, node);
    c.res = res;
    const props = args[2];
    if (props && props.k !== 'undef' && (props.k !== 'obj' || props.open)) {
      res.opaque = true;
      return { k: 'cx', c };
    }
    if (props?.k === 'obj') {
      for (const [key, entry] of props.entries) {
        const name = cfnPropertyName(key);
        res.props.set(name, this.cv.built(entry.val, this.cv.entrySource(entry), keepsKeys(name) ? undefined : 'cfn'));
      }
    }
    return { k: 'cx', c };
  }

  private simpleProps(name: string, res: Res, props: Val | undefined, node: Node): void {
    const fallback = this.cv.callSource(node);
    if (name === 'dynamodb.Table') {
      this.cv.setFrom(res.props, 'StreamSpecification', props, 'stream', (v) => (v.k === 'undef' ? undefined : { StreamViewType: this.cv.plain(v) ?? null }), fallback);
      this.cv.copy(res.props, 'TableName', props, 'tableName', fallback);
    } else if (name === 'kinesis.Stream') this.cv.copy(res.props, 'Name', props, 'streamName', fallback);
  }
}

/** `path.join`, `resolve`, `dirname`, `basename`, `isAbsolute` of known strings (Node's `path` module). */
function nodePath(member: readonly string[], args: Args): Val | undefined {
  const name = member.length === 2 && member[0] === 'posix' ? member[1] : member.length === 1 ? member[0] : undefined;
  const parts = args.map(stringOf);
  if (name === undefined || parts.length === 0 || parts.some((p) => p === undefined)) return undefined;
  const strings = parts as string[];
  switch (name) {
    case 'join':
      return lit(path.join(...strings));
    case 'resolve': {
      // against the folder the CDK app runs in when no part is absolute: left relative
      const from = strings.map((s) => path.isAbsolute(s)).lastIndexOf(true);
      return lit(from < 0 ? path.join(...strings) : path.resolve(...strings.slice(from)));
    }
    case 'dirname':
      return lit(path.dirname(strings[0]!));
    case 'isAbsolute':
      return lit(path.isAbsolute(strings[0]!));
    case 'basename':
      return lit(path.basename(strings[0]!, strings[1]));
    default:
      return undefined;
  }
}
