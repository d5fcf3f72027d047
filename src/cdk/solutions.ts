/**
 * AWS Solutions Constructs (`@aws-solutions-constructs/*`): the L3 patterns production apps wire
 * their triggers with, as the core constructs they create, with the library's defaults, under the
 * construct paths a synth gives them (so that a `cdk.out` beside the source matches them):
 *
 * - `EventbridgeToLambda` / `EventbridgeToStepfunctions`: an `EventsRule` from `eventRuleProps`
 *   (schedule and pattern as given) whose first target is the function or state machine, without
 *   dead-letter queue or retry policy (the user's `targets` come after it); an event bus when
 *   `eventBusProps` is given.
 * - `S3ToStepfunctions`: an `EventbridgeToStepfunctions` pattern of its own
 *   (`<id>-event-rule-step-function-construct`) whose rule takes the bucket's Object Created events
 *   unless `eventRuleProps` are given; the bucket is not modelled.
 * - `EventbridgeToSqs`: a `queue` as below, the first target of an `EventsRule` as above, without
 *   a dead-letter queue unless `deployEventRuleDlq: true` (a `ruleDlq` queue) or `targetProps` give one.
 * - `SqsToLambda`, `LambdaToSqs`, `LambdaToSqsToLambda`: a `queue` from `queueProps` whose
 *   dead-letter queue `queue-dlq` is deployed unless `deployDeadLetterQueue: false` (receive count
 *   `maxReceiveCount`, by default 15), or the `existingQueueObj` as it is; the SQS event source
 *   from `sqsEventSourceProps`; the producer's `SQS_QUEUE_URL` (`queueEnvironmentVariableName`).
 *   `LambdaToSqsToLambda` is a `lambda-to-sqs` and an `sqs-to-lambda` pattern on one queue.
 * - `KinesisStreamsToLambda` / `DynamoDBStreamsToLambda`: a `KinesisStream` (or
 *   `existingStreamObj`) / a `DynamoTable` with a `NEW_AND_OLD_IMAGES` stream (or
 *   `existingTableInterface`), and an event source with the library's stream defaults (start at
 *   `TRIM_HORIZON`, bisect on error, 24 h record age, 500 retries, failed records to an
 *   `SqsDlqQueue` unless `deploySqsDlqQueue: false`), overridden by `kinesisEventSourceProps` /
 *   `dynamoEventSourceProps`. `DynamoDBStreamToLambda`, the earlier name, is the same pattern on an
 *   `existingTableObj` (or, in the releases that keep it as a wrapper, a `DynamoDBStreamsToLambda`
 *   under `<id>W` given an `existingTableInterface`).
 * - `IotToLambda`: a `CfnTopicRule` (`IotTopic`) from `iotTopicRuleProps` whose first action
 *   invokes the function (the user's actions after it), and the function's invoke permission for
 *   IoT, which invokes it asynchronously.
 * - `ApiGatewayToLambda`, `CognitoToApiGatewayToLambda`, `CloudFrontToApiGatewayToLambda`: a
 *   `LambdaRestApi` (`apiGateway`) from `apiGatewayProps` whose handler is the function
 *   (`proxy: false` leaves the routes to the app); the user pool, authorizer and distribution are
 *   not modelled.
 * - `ApiGatewayV2WebSocketToSqs`: the `WebSocketApi` from `webSocketApiProps` (its `$connect`
 *   route's function), or the `existingWebSocketApi`; its queue is not modelled.
 * - `LambdaToStepfunctions`: a `StateMachine` from `stateMachineProps` and the function's
 *   `STATE_MACHINE_ARN` (`stateMachineEnvironmentVariableName`).
 * - `LambdaToDynamoDB`: a `DynamoTable` from `dynamoTableProps` (or the `existingTableObj`) and
 *   the function's `DDB_TABLE_NAME` (`tableEnvironmentVariableName`).
 * - Every other `LambdaTo<Service>` pattern (`LambdaToS3`, `LambdaToSns`, `LambdaToEventbridge`,
 *   `LambdaToSecretsmanager`, ...): its function (`lambdaFunction`); what it calls is not modelled.
 * - `buildLambdaFunction` (a `lambda.Function` from `lambdaFunctionProps`, or the
 *   `existingLambdaObj`), `buildQueue` and `overrideProps` of `@aws-solutions-constructs/core`.
 *
 * Every pattern builds its function with `buildLambdaFunction`, whose defaults set only a role and
 * tracing. Values a pattern adds on its own are located at the pattern's construct call; the
 * props it passes through keep their own positions. The patterns' members (`lambdaFunction`,
 * `sqsQueue`, `eventsRule`, ...) are the constructs they hold. Other patterns are unknown values.
 */
import { ts } from '../code/ts.js';
import { Unknown } from '../iac/model.js';
import { entryOf, lit, stringOf, unknown, unknownNode, UNDEF, type ArrVal, type Cx, type Entry, type ObjVal, type Val } from './values.js';
import type { Converter } from './convert.js';
import type { Events } from './events.js';
import type { Functions } from './functions.js';

type Node = ts.NewExpression | ts.CallExpression;

/** What the patterns ask of the construct library: a core construct built from evaluated arguments. */
export interface Builder {
  build(name: string, args: Val[], node: ts.NewExpression): Val;
}

/** Default receive count of the dead-letter queues the patterns deploy. */
const MAX_RECEIVE_COUNT = 15;

/**
 * The construct a pattern is given instead of making its own (`existingTableObj`): unknown when it
 * cannot be evaluated, undefined when none is given.
 */
function existingConstruct(props: Val | undefined, key: string): Val | undefined {
  const existing = entryOf(props, key);
  if (existing === 'unknown') return unknown(key);
  return existing !== 'absent' && existing.val.k !== 'undef' ? existing.val : undefined;
}

/** A pattern's props: an entry, absent, or unknown (props that cannot be evaluated). */
type Prop = Entry | 'absent' | 'unknown';

export class Solutions {
  constructor(
    private readonly cv: Converter,
    private readonly functions: Functions,
    private readonly events: Events,
    private readonly builder: Builder,
  ) {}

  /** A pattern construct, or undefined for a class that is not modelled. */
  construct(name: string, c: Cx, args: Val[], node: ts.NewExpression): Val | undefined {
    const props = args[2];
    const members = new Map<string, Val>();
    c.path = this.cv.pathOf(args, node);
    c.data['members'] = members;
    switch (name) {
      case 'solutions.EventbridgeToLambda': {
        const fn = this.lambdaFunction(c.path, props, 'existingLambdaObj', 'lambdaFunctionProps', node);
        members.set('lambdaFunction', fn);
        this.eventRule(c.path, props, this.helper('events-targets.LambdaFunction', [fn], node), members, node);
        break;
      }
      case 'solutions.EventbridgeToStepfunctions': {
        const machine = this.stateMachine(c.path, props, node);
        members.set('stateMachine', machine);
        this.eventRule(c.path, props, this.helper('events-targets.SfnStateMachine', [machine], node), members, node);
        break;
      }
      case 'solutions.S3ToStepfunctions': {
        // an `EventbridgeToStepfunctions` of its own on the bucket's Object Created events (or the
        // user's `eventRuleProps`); the bucket is not modelled
        const id = c.path[c.path.length - 1] ?? 'S3ToStepfunctions';
        const inner = [...c.path, `${id}-event-rule-step-function-construct`];
        const machine = this.stateMachine(inner, props, node);
        members.set('stateMachine', machine);
        this.eventRule(inner, props, this.helper('events-targets.SfnStateMachine', [machine], node), new Map(), node);
        break;
      }
      case 'solutions.EventbridgeToSqs': {
        const { queue, dlq } = this.queue(c.path, 'queue', props, node);
        members.set('sqsQueue', queue);
        members.set('deadLetterQueue', dlq ?? UNDEF);
        // the target has no dead-letter queue unless `deployEventRuleDlq: true` (a `ruleDlq` queue)
        // or the user's `targetProps` give one
        const deploy = entryOf(props, 'deployEventRuleDlq');
        const user = entryOf(props, 'targetProps');
        let targetProps: Val = user === 'unknown' ? unknown('targetProps') : user === 'absent' ? UNDEF : user.val;
        if (deploy === 'unknown' || (typeof deploy === 'object' && deploy.val.k !== 'undef' && deploy.val.k !== 'lit')) targetProps = merge(targetProps, object(node, { deadLetterQueue: unknown('deployEventRuleDlq') }));
        else if (typeof deploy === 'object' && deploy.val.k === 'lit' && deploy.val.v === true) {
          const ruleDlq = this.builder.build('sqs.Queue', [this.scope(c.path, node), lit('ruleDlq'), UNDEF], node as ts.NewExpression);
          members.set('eventRuleDlq', ruleDlq);
          targetProps = merge(targetProps, object(deploy.node, { deadLetterQueue: ruleDlq }));
        }
        this.eventRule(c.path, props, this.helper('events-targets.SqsQueue', [queue, targetProps], node), members, node);
        break;
      }
      case 'solutions.SqsToLambda':
        this.sqsToLambda(c.path, props, members, node);
        break;
      case 'solutions.LambdaToSqs':
        this.lambdaToSqs(c.path, props, members, node);
        break;
      case 'solutions.LambdaToSqsToLambda': {
        const producer = new Map<string, Val>();
        this.lambdaToSqs([...c.path, 'lambda-to-sqs'], rename(props, { existingProducerLambdaObj: 'existingLambdaObj', producerLambdaFunctionProps: 'lambdaFunctionProps' }), producer, node);
        const queue = producer.get('sqsQueue') ?? unknown('sqsQueue');
        const consumer = new Map<string, Val>();
        const consumerProps = rename(
          props,
          { existingConsumerLambdaObj: 'existingLambdaObj', consumerLambdaFunctionProps: 'lambdaFunctionProps', sqsEventSourceProps: 'sqsEventSourceProps' },
          { existingQueueObj: queue, deployDeadLetterQueue: lit(false) },
          node,
        );
        this.sqsToLambda([...c.path, 'sqs-to-lambda'], consumerProps, consumer, node);
        members.set('producerLambdaFunction', producer.get('lambdaFunction') ?? UNDEF);
        members.set('consumerLambdaFunction', consumer.get('lambdaFunction') ?? UNDEF);
        members.set('sqsQueue', queue);
        members.set('deadLetterQueue', producer.get('deadLetterQueue') ?? UNDEF);
        break;
      }
      case 'solutions.KinesisStreamsToLambda':
        this.streamToLambda('kinesis', c.path, props, members, node);
        break;
      case 'solutions.DynamoDBStreamsToLambda':
        this.streamToLambda('dynamodb', c.path, props, members, node);
        break;
      case 'solutions.DynamoDBStreamToLambda': {
        // the pattern's earlier name: its own resources, given an `existingTableObj`; the releases
        // that keep the name for compatibility wrap a `DynamoDBStreamsToLambda` (`<id>W`), which
        // takes an `existingTableInterface`
        if (entryOf(props, 'existingTableInterface') === 'absent') this.streamToLambda('dynamodb', c.path, rename(props, { existingTableObj: 'existingTableInterface' }), members, node);
        else this.streamToLambda('dynamodb', [...c.path, `${c.path[c.path.length - 1] ?? 'DynamoDBStreamToLambda'}W`], props, members, node);
        break;
      }
      case 'solutions.IotToLambda': {
        // a topic rule whose first action invokes the function (IoT invokes it asynchronously),
        // the actions of the user's `topicRulePayload` after it
        const fn = this.lambdaFunction(c.path, props, 'existingLambdaObj', 'lambdaFunctionProps', node);
        members.set('lambdaFunction', fn);
        members.set('iotTopicRule', this.topicRule(c.path, props, fn, node));
        break;
      }
      case 'solutions.ApiGatewayToLambda':
      case 'solutions.CognitoToApiGatewayToLambda':
      case 'solutions.CloudFrontToApiGatewayToLambda': {
        const fn = this.lambdaFunction(c.path, props, 'existingLambdaObj', 'lambdaFunctionProps', node);
        members.set('lambdaFunction', fn);
        // a `LambdaRestApi` of the function, with the user's `apiGatewayProps` (`proxy: false`: the
        // routes the app adds reach the function as their default integration)
        const user = entryOf(props, 'apiGatewayProps');
        const given = user === 'unknown' ? unknown('apiGatewayProps') : user === 'absent' ? UNDEF : user.val;
        const apiProps: ObjVal = { k: 'obj', entries: new Map(given.k === 'obj' ? given.entries : []), open: given.k === 'obj' ? given.open : given.k !== 'undef' };
        apiProps.entries.set('handler', { val: fn, node, key: keyOf(node) });
        members.set('apiGateway', this.builder.build('apigateway.LambdaRestApi', [this.scope(c.path, node), lit('LambdaRestApi'), apiProps], node as ts.NewExpression));
        break;
      }
      case 'solutions.ApiGatewayV2WebSocketToSqs': {
        // the WebSocket API from `webSocketApiProps` (its route options: `$connect` ...), or the existing one
        const api =
          existingConstruct(props, 'existingWebSocketApi') ??
          this.builder.build('apigatewayv2.WebSocketApi', [this.scope(c.path, node), lit('WebSocketApi'), valueOf(entryOf(props, 'webSocketApiProps'))], node as ts.NewExpression);
        members.set('webSocketApi', api);
        break;
      }
      case 'solutions.LambdaToStepfunctions': {
        const machine = this.stateMachine(c.path, props, node);
        members.set('stateMachine', machine);
        const fn = this.lambdaFunction(c.path, props, 'existingLambdaObj', 'lambdaFunctionProps', node);
        members.set('lambdaFunction', fn);
        this.environment(fn, props, 'stateMachineEnvironmentVariableName', 'STATE_MACHINE_ARN', machine, node);
        break;
      }
      case 'solutions.LambdaToDynamoDB': {
        const fn = this.lambdaFunction(c.path, props, 'existingLambdaObj', 'lambdaFunctionProps', node);
        members.set('lambdaFunction', fn);
        const table =
          existingConstruct(props, 'existingTableObj') ??
          this.builder.build('dynamodb.Table', [this.scope(c.path, node), lit('DynamoTable'), valueOf(entryOf(props, 'dynamoTableProps'))], node as ts.NewExpression);
        members.set('dynamoTable', table);
        const name = table.k === 'cx' && table.c.res ? ({ k: 'token', value: this.cv.resources.ref(table.c.res) } as const) : unknown('tableName');
        this.environment(fn, props, 'tableEnvironmentVariableName', 'DDB_TABLE_NAME', name, node);
        break;
      }
      default: {
        // a function that calls a service: the function is what the rules see
        if (!/^solutions\.LambdaTo[A-Z]\w*$/.test(name)) return undefined;
        members.set('lambdaFunction', this.lambdaFunction(c.path, props, 'existingLambdaObj', 'lambdaFunctionProps', node));
      }
    }
    return { k: 'cx', c };
  }

  /** A member of a pattern (`wiring.lambdaFunction`), or undefined when it has no such member. */
  attribute(c: Cx, name: string): Val | undefined {
    const members = c.data['members'] as Map<string, Val> | undefined;
    return members?.get(name);
  }

  /** A function of `@aws-solutions-constructs/core`, or undefined for one that is not modelled. */
  callStatic(name: string, args: Val[], node: ts.CallExpression): Val | undefined {
    switch (name) {
      case 'solutions.buildLambdaFunction': {
        const scope = this.cv.scopePath(args[0]);
        if (!scope) return unknownNode(this.cv, node);
        return this.lambdaFunction(scope, args[1], 'existingLambdaObj', 'lambdaFunctionProps', node, stringOf(args[2]));
      }
      case 'solutions.buildQueue': {
        const scope = this.cv.scopePath(args[0]);
        const id = stringOf(args[1]);
        if (!scope || id === undefined) return unknownNode(this.cv, node);
        const { queue, dlq } = this.queue(scope, id, args[2], node);
        return object(node, { queue, dlq: dlq ?? UNDEF });
      }
      case 'solutions.overrideProps':
        return merge(args[0], args[1]);
      default:
        return undefined;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Patterns
  // -------------------------------------------------------------------------------------------

  private sqsToLambda(path: string[], props: Val | undefined, members: Map<string, Val>, node: Node): void {
    const fn = this.lambdaFunction(path, props, 'existingLambdaObj', 'lambdaFunctionProps', node);
    const { queue, dlq } = this.queue(path, 'queue', props, node);
    members.set('lambdaFunction', fn);
    members.set('sqsQueue', queue);
    members.set('deadLetterQueue', dlq ?? UNDEF);
    this.bind(fn, this.helper('lambda-event-sources.SqsEventSource', [queue, valueOf(entryOf(props, 'sqsEventSourceProps'))], node), node);
  }

  private lambdaToSqs(path: string[], props: Val | undefined, members: Map<string, Val>, node: Node): void {
    const fn = this.lambdaFunction(path, props, 'existingLambdaObj', 'lambdaFunctionProps', node);
    const { queue, dlq } = this.queue(path, 'queue', props, node);
    members.set('lambdaFunction', fn);
    members.set('sqsQueue', queue);
    members.set('deadLetterQueue', dlq ?? UNDEF);
    const url = queue.k === 'cx' && queue.c.res ? ({ k: 'token', value: this.cv.resources.ref(queue.c.res) } as const) : unknown('queueUrl');
    this.environment(fn, props, 'queueEnvironmentVariableName', 'SQS_QUEUE_URL', url, node);
  }

  /** `KinesisStreamsToLambda` (a `KinesisStream`) and `DynamoDBStreamsToLambda` (a `DynamoTable` with a stream): the same event source defaults. */
  private streamToLambda(kind: 'kinesis' | 'dynamodb', path: string[], props: Val | undefined, members: Map<string, Val>, node: Node): void {
    const fn = this.lambdaFunction(path, props, 'existingLambdaObj', 'lambdaFunctionProps', node);
    const kinesis = kind === 'kinesis';
    const existingKey = kinesis ? 'existingStreamObj' : 'existingTableInterface';
    const existing = existingConstruct(props, existingKey);
    let stream: Val;
    if (existing) stream = existing;
    else if (kinesis) stream = this.builder.build('kinesis.Stream', [this.scope(path, node), lit('KinesisStream'), valueOf(entryOf(props, 'kinesisStreamProps'))], node as ts.NewExpression);
    else {
      const tableProps = merge(object(node, { stream: lit('NEW_AND_OLD_IMAGES') }), valueOf(entryOf(props, 'dynamoTableProps')));
      stream = this.builder.build('dynamodb.Table', [this.scope(path, node), lit('DynamoTable'), tableProps], node as ts.NewExpression);
    }
    members.set('lambdaFunction', fn);
    if (kinesis) members.set('kinesisStream', stream);
    else {
      members.set('dynamoTableInterface', stream);
      members.set('dynamoTable', entryOf(props, existingKey) === 'absent' ? stream : unknown('dynamoTable'));
    }
    // the library's stream defaults, then the user's event source props over them
    const defaults: Record<string, Val> = {
      startingPosition: lit('TRIM_HORIZON'),
      bisectBatchOnError: lit(true),
      maxRecordAge: { k: 'dur', seconds: 24 * 3600 },
      retryAttempts: lit(500),
    };
    const deploy = entryOf(props, 'deploySqsDlqQueue');
    const deployed = deploy === 'absent' ? true : deploy === 'unknown' ? undefined : deploy.val.k === 'undef' ? true : deploy.val.k === 'lit' ? deploy.val.v !== false : undefined;
    if (deployed !== false) {
      const queue = this.builder.build('sqs.Queue', [this.scope(path, node), lit('SqsDlqQueue'), valueOf(entryOf(props, 'sqsDlqQueueProps'))], node as ts.NewExpression);
      defaults['onFailure'] = deployed ? this.helper('lambda-event-sources.SqsDlq', [queue], node) : unknown('deploySqsDlqQueue');
    }
    const sourceProps = merge(object(node, defaults), valueOf(entryOf(props, kinesis ? 'kinesisEventSourceProps' : 'dynamoEventSourceProps')));
    this.bind(fn, this.helper(kinesis ? 'lambda-event-sources.KinesisEventSource' : 'lambda-event-sources.DynamoEventSource', [stream, sourceProps], node), node);
  }

  /** `EventsRule` from `eventRuleProps`, its first target the pattern's own (no DLQ, no retry policy). */
  private eventRule(path: string[], props: Val | undefined, target: Val, members: Map<string, Val>, node: Node): void {
    const busProps = entryOf(props, 'eventBusProps');
    const existingBus = entryOf(props, 'existingEventBusInterface');
    let bus: Val = existingBus === 'unknown' ? unknown('existingEventBusInterface') : existingBus === 'absent' ? UNDEF : existingBus.val;
    if (bus.k === 'undef' && typeof busProps === 'object' && busProps.val.k !== 'undef') {
      const name = stringOf(valueOf(entryOf(busProps.val, 'eventBusName'))) ?? 'CustomEventBus';
      bus = this.builder.build('events.EventBus', [this.scope(path, node), lit(name), busProps.val], node as ts.NewExpression);
    }
    members.set('eventBus', bus);
    const user = entryOf(props, 'eventRuleProps');
    const given = user === 'unknown' ? unknown('eventRuleProps') : user === 'absent' ? UNDEF : user.val;
    // the user's targets are added after the pattern's (arrays are concatenated)
    const targets = entryOf(given, 'targets');
    const list: Val = { k: 'arr', items: [{ val: target, node }], open: false };
    if (targets === 'unknown') (list as { open: boolean }).open = true;
    else if (targets !== 'absent' && targets.val.k === 'arr') {
      list.items.push(...targets.val.items);
      if (targets.val.open) (list as { open: boolean }).open = true;
    } else if (targets !== 'absent' && targets.val.k !== 'undef') (list as { open: boolean }).open = true;
    const ruleProps = merge(given, object(node, { targets: list }));
    const rule = this.builder.build('events.Rule', [this.scope(path, node), lit('EventsRule'), ruleProps], node as ts.NewExpression);
    members.set('eventsRule', rule);
  }

  /**
   * `IotToLambda`'s `CfnTopicRule` (`IotTopic`) from `iotTopicRuleProps`: its first action invokes
   * the function, the user's actions come after it; and the function's invoke permission for IoT.
   */
  private topicRule(path: string[], props: Val | undefined, fn: Val, node: Node): Val {
    const arn: Val = fn.k === 'cx' && fn.c.res ? { k: 'token', value: this.cv.resources.getAtt(fn.c.res, 'Arn') } : unknown('functionArn');
    const action = object(node, { lambda: object(node, { functionArn: arn }) });
    const user = entryOf(props, 'iotTopicRuleProps');
    const given = user === 'unknown' ? unknown('iotTopicRuleProps') : user === 'absent' ? UNDEF : user.val;
    const payload = entryOf(given, 'topicRulePayload');
    const userPayload = payload === 'unknown' ? unknown('topicRulePayload') : payload === 'absent' ? UNDEF : payload.val;
    // the user's actions are added after the pattern's (arrays are concatenated)
    const actions = entryOf(userPayload, 'actions');
    const list: ArrVal = { k: 'arr', items: [{ val: action, node }], open: false };
    if (actions === 'unknown') list.open = true;
    else if (actions !== 'absent' && actions.val.k === 'arr') {
      list.items.push(...actions.val.items);
      if (actions.val.open) list.open = true;
    } else if (actions !== 'absent' && actions.val.k !== 'undef') list.open = true;
    const rule = this.builder.build(
      'iot.CfnTopicRule',
      [this.scope(path, node), lit('IotTopic'), merge(given, object(node, { topicRulePayload: merge(object(node, { ruleDisabled: lit(false) }), merge(userPayload, object(node, { actions: list }))) }))],
      node as ts.NewExpression,
    );
    if (fn.k === 'cx' && fn.c.res && fn.c.res.type === 'AWS::Lambda::Function') {
      this.cv.permission([...fn.c.path, 'AwsIotLambdaInvokePermission'], this.cv.resources.getAtt(fn.c.res, 'Arn'), 'iot.amazonaws.com', node);
    }
    return rule;
  }

  private stateMachine(path: string[], props: Val | undefined, node: Node): Val {
    const given = entryOf(props, 'stateMachineProps');
    const machineProps = given === 'unknown' ? unknown('stateMachineProps') : given === 'absent' ? UNDEF : given.val;
    return this.builder.build('stepfunctions.StateMachine', [this.scope(path, node), lit('StateMachine'), machineProps], node as ts.NewExpression);
  }

  // -------------------------------------------------------------------------------------------
  // Parts every pattern shares
  // -------------------------------------------------------------------------------------------

  /**
   * `buildLambdaFunction`: the existing function as it is; else a `lambda.Function` from the
   * function props, whose id is `constructId`, else the function name, else `LambdaFunction`. A
   * function given by a value that cannot be evaluated may be either: unknown.
   */
  private lambdaFunction(path: string[], props: Val | undefined, existingKey: string, propsKey: string, node: Node, constructId?: string): Val {
    const existing = existingConstruct(props, existingKey);
    if (existing) return existing;
    const given = entryOf(props, propsKey);
    const functionProps = given === 'unknown' ? unknown(propsKey) : given === 'absent' ? UNDEF : given.val;
    if (functionProps.k === 'undef') return unknownNode(this.cv, node);
    const id = constructId ?? stringOf(valueOf(entryOf(functionProps, 'functionName'))) ?? 'LambdaFunction';
    return this.builder.build('lambda.Function', [this.scope(path, node), lit(id), functionProps], node as ts.NewExpression);
  }

  /**
   * `buildQueue`: the existing queue as it is (no dead-letter queue is added to it); else a queue
   * from `queueProps` whose dead-letter queue `<id>-dlq` is deployed unless
   * `deployDeadLetterQueue: false`.
   */
  private queue(path: string[], id: string, props: Val | undefined, node: Node): { queue: Val; dlq?: Val } {
    const existing = existingConstruct(props, 'existingQueueObj');
    if (existing) return { queue: existing };
    const deploy = entryOf(props, 'deployDeadLetterQueue');
    const deployed = deploy === 'absent' ? true : deploy === 'unknown' ? undefined : deploy.val.k === 'undef' ? true : deploy.val.k === 'lit' ? deploy.val.v !== false : undefined;
    const forced: Record<string, Val> = {};
    let dlq: Val | undefined;
    if (deployed === true) {
      const queue = this.builder.build('sqs.Queue', [this.scope(path, node), lit(`${id}-dlq`), valueOf(entryOf(props, 'deadLetterQueueProps'))], node as ts.NewExpression);
      const count = entryOf(props, 'maxReceiveCount');
      const at = typeof deploy === 'object' ? deploy.node : node;
      const redrive: ObjVal = { k: 'obj', entries: new Map(), open: false };
      redrive.entries.set('queue', { val: queue, node: at, key: keyOf(at) });
      redrive.entries.set('maxReceiveCount', typeof count === 'object' && count.val.k !== 'undef' ? count : { val: lit(MAX_RECEIVE_COUNT), node: at, key: keyOf(at) });
      dlq = redrive;
      forced['deadLetterQueue'] = redrive;
    } else if (deployed === undefined) forced['deadLetterQueue'] = unknown('deployDeadLetterQueue');
    const given = entryOf(props, 'queueProps');
    const queueProps = merge(given === 'unknown' ? unknown('queueProps') : given === 'absent' ? UNDEF : given.val, Object.keys(forced).length > 0 ? object(typeof deploy === 'object' ? deploy.node : node, forced) : UNDEF);
    const queue = this.builder.build('sqs.Queue', [this.scope(path, node), lit(id), queueProps], node as ts.NewExpression);
    return { queue, dlq };
  }

  /** `fn.addEventSource(source)` on a function of the file, or on one that cannot be evaluated. */
  private bind(fn: Val, source: Val, node: Node): void {
    if (fn.k === 'cx' && fn.c.res && fn.c.res.type === 'AWS::Lambda::Function') this.functions.bindEventSource(fn.c, source, node);
    else this.functions.bindEventSource(undefined, source, node, fn.k === 'unknown' ? new Unknown(fn.why) : (this.cv.arn(fn) ?? new Unknown('function')));
  }

  /** The environment variable a pattern sets on its function (its name from `nameKey`, else `fallback`). */
  private environment(fn: Val, props: Val | undefined, nameKey: string, fallback: string, value: Val, node: Node): void {
    if (fn.k !== 'cx' || !fn.c.res || fn.c.res.type !== 'AWS::Lambda::Function') return;
    const given = entryOf(props, nameKey);
    const name = given === 'absent' ? fallback : given === 'unknown' ? undefined : given.val.k === 'undef' ? fallback : stringOf(given.val);
    if (name !== undefined) this.functions.addEnvironment(fn.c, name, value, node as ts.CallExpression);
  }

  /** A helper object (an event source, a target) the pattern creates. */
  private helper(kind: string, args: Val[], node: Node): Val {
    return { k: 'cx', c: this.cv.cx(kind, node, args) };
  }

  /** The pattern itself as the scope of what it creates. */
  private scope(path: string[], node: Node): Val {
    return { k: 'cx', c: this.cv.cx('constructs.Construct', node, [], path) };
  }
}

function valueOf(prop: Prop): Val {
  if (prop === 'unknown') return unknown('properties that cannot be evaluated');
  return prop === 'absent' ? UNDEF : prop.val;
}

/** The part of a node an entry's name is located at: `new X` of a construct call. */
function keyOf(node: ts.Node): ts.Node {
  return ts.isNewExpression(node) || ts.isCallExpression(node) ? node.expression : node;
}

/** An object the pattern writes, each value located at `node`. */
function object(node: ts.Node, values: Record<string, Val>): ObjVal {
  const out: ObjVal = { k: 'obj', entries: new Map(), open: false };
  for (const [key, val] of Object.entries(values)) out.entries.set(key, { val, node, key: keyOf(node) });
  return out;
}

/**
 * `overrideProps(defaults, user)`: the user's props over the defaults, objects merged key by key
 * (a spread of something unknown in the user's props hides every default).
 */
function merge(base: Val | undefined, over: Val | undefined): Val {
  if (!over || over.k === 'undef') return base ?? UNDEF;
  if (!base || base.k === 'undef') return over;
  if (over.k !== 'obj') return over.k === 'unknown' ? over : unknown('properties that cannot be evaluated');
  if (base.k !== 'obj') return { k: 'obj', entries: new Map(over.entries), open: true };
  const out: ObjVal = { k: 'obj', entries: new Map(), open: base.open || over.open };
  if (!over.open) for (const [key, entry] of base.entries) out.entries.set(key, entry);
  for (const [key, entry] of over.entries) {
    const under = base.entries.get(key);
    out.entries.set(key, under && under.val.k === 'obj' && entry.val.k === 'obj' ? { ...entry, val: merge(under.val, entry.val) } : entry);
  }
  return out;
}

/** A pattern's props passed on to an inner pattern under other names, with the props it sets itself. */
function rename(props: Val | undefined, names: Record<string, string>, forced: Record<string, Val> = {}, node?: ts.Node): Val {
  if (props && props.k !== 'undef' && props.k !== 'obj') return props.k === 'unknown' ? props : unknown('properties that cannot be evaluated');
  const out: ObjVal = { k: 'obj', entries: new Map(), open: props?.k === 'obj' ? props.open : false };
  if (props?.k === 'obj') {
    for (const [key, entry] of props.entries) {
      if (Object.hasOwn(names, key)) out.entries.set(names[key]!, entry);
      else if (!Object.values(names).includes(key)) out.entries.set(key, entry);
    }
  }
  for (const [key, val] of Object.entries(forced)) out.entries.set(key, { val, node: node!, key: keyOf(node!) });
  return out;
}
