/**
 * Lambda functions written with the CDK: their props, asynchronous invocation settings (an
 * `AWS::Lambda::EventInvokeConfig`), dead-letter queues, and the event sources bound to them
 * (event source mappings, SNS subscriptions, S3 invoke permissions).
 */
import path from 'node:path';
import { ts } from '../code/ts.js';
import { Intrinsic, isPlainObject, Unknown, type IacValue, type PlainObject } from '../iac/model.js';
import { setOwn } from '../iac/document.js';
import { Located, Mapping, type Res } from './resources.js';
import { entryOf, stringOf, unknown, UNDEF, type Cx, type Entry, type Val } from './values.js';
import type { Converter } from './convert.js';
import type { Messaging } from './messaging.js';

type Args = Val[];
type Node = ts.Node;

/** Metadata key of the handler code a function construct names (see `handlerCode`). */
export const HANDLER = 'rel4lint:handler';

export class Functions {
  constructor(
    readonly cv: Converter,
    readonly messaging: Messaging,
  ) {}

  /**
   * A function made by a construct of a library the scan does not hold, read from the props it is
   * given (see `isLibraryFunction`): as `lambda.Function`, except that what the props leave out is
   * the library's to set, so a timeout, a dead-letter queue or a reserved concurrency it does not
   * pass is unknown rather than absent. Its code is the archive the props name
   * (`fileName: 'orders-service.zip'`), when they name one.
   */
  libraryFunction(c: Cx, args: Args, node: ts.NewExpression, library: string): Val {
    const made = this.lambdaFunction(c, args, node);
    const res = c.res!;
    const at = this.cv.callSource(node);
    for (const key of ['Timeout', 'DeadLetterConfig', 'ReservedConcurrentExecutions']) {
      if (!res.props.has(key)) res.props.set(key, { value: new Unknown(`set by ${library}`), source: at });
    }
    if (!res.metadata.has(HANDLER)) {
      const p = args[2];
      const archive = p?.k === 'obj' ? [...p.entries.values()].map((e) => stringOf(e.val)).find((v) => v !== undefined && /\.zip$/i.test(v)) : undefined;
      if (archive !== undefined) res.metadata.set(HANDLER, { value: { s3Key: archive }, source: at });
    }
    return made;
  }

  /**
   * `fn.timeout`: the Duration the function's props give it, or undefined when they give none (the
   * function then runs with Lambda's 3 s default, and `visibilityTimeout: fn.timeout` leaves the
   * queue at its own default). Unknown when the props cannot be read or a construct library sets
   * what they leave out.
   */
  timeoutOf(c: Cx): Val {
    const given = entryOf(c.args[2], 'timeout');
    if (given === 'unknown') return unknown(`${c.kind}.timeout`);
    if (given !== 'absent') return given.val;
    return c.res?.props.has('Timeout') ? unknown(`${c.kind}.timeout`) : UNDEF;
  }

  lambdaFunction(c: Cx, args: Args, node: ts.NewExpression): Val {
    c.path = this.cv.pathOf(args, node);
    const res = this.cv.addResource(c.path, 'AWS::Lambda::Function', node);
    c.res = res;
    const p = args[2];
    const at = this.cv.callSource(node);
    const m = res.props;
    this.cv.copy(m, 'FunctionName', p, 'functionName', at);
    this.cv.copy(m, 'Handler', p, 'handler', at);
    this.cv.setFrom(m, 'Timeout', p, 'timeout', (v) => this.cv.seconds(v), at);
    this.cv.copy(m, 'ReservedConcurrentExecutions', p, 'reservedConcurrentExecutions', at);
    this.cv.setFrom(
      m,
      'Environment',
      p,
      'environment',
      (v, e) => {
        const variables = this.cv.built(v, this.cv.entrySource(e));
        if (!variables) return undefined;
        const env = new Mapping();
        env.set('Variables', variables);
        return env.built(this.cv.entrySource(e));
      },
      at,
    );
    const deadLetter = (key: string) => (v: Val, e: Entry) => {
      const arn = this.cv.arn(v);
      if (arn === undefined) return undefined;
      const config = new Mapping();
      config.set('TargetArn', { value: arn, source: this.cv.entrySource(e) });
      void key;
      return config.built(this.cv.entrySource(e));
    };
    this.cv.setFrom(m, 'DeadLetterConfig', p, 'deadLetterQueue', deadLetter('deadLetterQueue'), at);
    if (!m.has('DeadLetterConfig')) this.cv.setFrom(m, 'DeadLetterConfig', p, 'deadLetterTopic', deadLetter('deadLetterTopic'), at);
    if (!m.has('DeadLetterConfig')) {
      const enabled = entryOf(p, 'deadLetterQueueEnabled');
      if (enabled === 'unknown') m.set('DeadLetterConfig', { value: new Unknown('deadLetterQueueEnabled'), source: at });
      else if (enabled !== 'absent' && enabled.val.k !== 'undef') {
        const on = enabled.val.k === 'lit' ? enabled.val.v === true : undefined;
        if (on === undefined) m.set('DeadLetterConfig', { value: new Unknown(this.cv.describe(enabled.node)), source: this.cv.entrySource(enabled) });
        else if (on) {
          // the function creates its own dead-letter queue (14 days retention)
          const dlq = this.cv.resources.add([...c.path, 'DeadLetterQueue'], 'AWS::SQS::Queue', this.cv.entrySource(enabled), true);
          dlq.props.set('MessageRetentionPeriod', { value: 1209600, source: this.cv.entrySource(enabled) });
          const config = new Mapping();
          config.set('TargetArn', { value: this.cv.resources.getAtt(dlq, 'Arn'), source: this.cv.entrySource(enabled) });
          m.set('DeadLetterConfig', config.built(this.cv.entrySource(enabled)));
        }
      }
    }
    if (['onFailure', 'onSuccess', 'retryAttempts', 'maxEventAge'].some((key) => entryOf(p, key) !== 'absent')) {
      this.eventInvokeConfig([...c.path, 'EventInvokeConfig'], this.cv.resources.ref(res), p, node, entryOf(p, 'onFailure'));
    }
    const events = entryOf(p, 'events');
    if (typeof events === 'object' && events.val.k === 'arr') {
      for (const item of events.val.items) this.bindEventSource(c, item.val, item.node);
    }
    const code = this.handlerCode(c, args, p);
    if (code) res.metadata.set(HANDLER, { value: code, source: at });
    return { k: 'cx', c };
  }

  /**
   * Where the function's handler code is, when the file says (`rel4lint:handler` metadata, read
   * by the project model): a `NodejsFunction`'s `entry` (by default `<this file>.<id>.ts` beside
   * it) and exported `handler`; `Code.fromAsset(dir)` of other functions, whose `handler` names
   * the module in `dir`. Paths are as evaluated: absolute from `__dirname`, else relative to the
   * folder the CDK app runs in.
   */
  private handlerCode(c: Cx, args: Args, p: Val | undefined): PlainObject | undefined {
    if (c.kind === 'lambda-nodejs.NodejsFunction') {
      const entry = entryOf(p, 'entry');
      const handler = entryOf(p, 'handler');
      const exported = handler === 'absent' ? 'handler' : handler === 'unknown' ? undefined : stringOf(handler.val);
      if (entry === 'unknown' || exported === undefined) return undefined;
      if (entry !== 'absent') {
        const file = stringOf(entry.val);
        return file === undefined ? undefined : { entry: file, export: exported };
      }
      // the default entry: `<defining file without extension>.<construct id>.ts` (or .js ...)
      const id = stringOf(args[1]);
      const file = this.cv.fileOf(c.node).fileName;
      return id === undefined ? undefined : { entry: `${file.slice(0, file.length - path.extname(file).length)}.${id}`, export: exported };
    }
    const code = entryOf(p, 'code');
    if (typeof code !== 'object' || code.val.k !== 'cx') return undefined;
    if (code.val.c.kind === 'lambda.S3Code') {
      const key = this.objectKey(code.val.c);
      return key === undefined ? undefined : { s3Key: key };
    }
    if (code.val.c.kind !== 'lambda.AssetCode') return undefined;
    const dir = stringOf(code.val.c.args[0]);
    return dir === undefined ? undefined : { asset: dir };
  }

  /**
   * The object key of `Code.fromBucket(bucket, key)` as an `S3Key` would hold it: a string, the
   * `Fn::Join` of a template with deploy-time parts, or, when the parts are not known at all
   * (`${props.prefix}/orders.zip`), the text after the last of them.
   */
  private objectKey(c: Cx): IacValue | undefined {
    const key = c.args[1];
    const value = key ? this.cv.plain(key) : undefined;
    if (typeof value === 'string' || value instanceof Intrinsic) return value;
    const call = c.node;
    const written = ts.isCallExpression(call) ? call.arguments[1] : undefined;
    if (written && ts.isTemplateExpression(written)) return written.templateSpans[written.templateSpans.length - 1]!.literal.text;
    if (written && ts.isBinaryExpression(written) && written.operatorToken.kind === ts.SyntaxKind.PlusToken && ts.isStringLiteralLike(written.right)) return written.right.text;
    return undefined;
  }

  /** `fn.addEnvironment(name, value)`. */
  addEnvironment(c: Cx, name: string, val: Val, node: ts.CallExpression): void {
    const res = c.res!;
    if (res.opaque || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) return;
    const at = this.cv.callSource(node);
    let env = res.props.value['Environment'];
    if (env === undefined) {
      res.props.set('Environment', new Mapping().built({ ...at, keyStart: -1, keyEnd: -1, synthetic: true }));
      env = res.props.value['Environment'];
    }
    if (!isPlainObject(env)) return;
    const envSource = res.props.entries.get('Environment')!;
    envSource.entries ??= new Map();
    let variables = env['Variables'];
    if (variables === undefined) {
      variables = {};
      setOwn(env, 'Variables', variables);
      envSource.entries.set('Variables', { ...at, keyStart: -1, keyEnd: -1, synthetic: true, entries: new Map() });
    }
    if (!isPlainObject(variables)) return;
    const built = this.cv.built(val, at);
    if (!built) return;
    setOwn(variables, name, built.value);
    const variablesSource = envSource.entries.get('Variables')!;
    variablesSource.entries ??= new Map();
    variablesSource.entries.set(name, built.source);
  }

  /** An `AWS::Lambda::EventInvokeConfig` from async invocation options. */
  eventInvokeConfig(path: string[], functionName: IacValue, options: Val | undefined, node: Node, onFailure: Entry | 'absent' | 'unknown' | undefined): Res {
    const source = typeof onFailure === 'object' ? this.cv.entrySource(onFailure) : this.cv.callSource(node);
    const res = this.cv.resources.add(path, 'AWS::Lambda::EventInvokeConfig', source, true);
    const m = res.props;
    m.set('FunctionName', { value: functionName, source });
    m.set('Qualifier', { value: '$LATEST', source });
    const destinations = new Mapping();
    for (const [key, cfn] of [
      ['onFailure', 'OnFailure'],
      ['onSuccess', 'OnSuccess'],
    ] as const) {
      this.cv.setFrom(
        destinations,
        cfn,
        options,
        key,
        (v, e) => {
          const arn = this.cv.destinationArn(v);
          if (arn === undefined) return undefined;
          const d = new Mapping();
          d.set('Destination', { value: arn, source: this.cv.entrySource(e) });
          return d.built(this.cv.entrySource(e));
        },
        source,
      );
    }
    if (Object.keys(destinations.value).length > 0) m.set('DestinationConfig', destinations.built(source));
    this.cv.copy(m, 'MaximumRetryAttempts', options, 'retryAttempts', source);
    this.cv.setFrom(m, 'MaximumEventAgeInSeconds', options, 'maxEventAge', (v) => this.cv.seconds(v), source);
    return res;
  }

  eventInvokeConfigConstruct(c: Cx, args: Args, node: ts.NewExpression): Val {
    c.path = this.cv.pathOf(args, node);
    const fn = entryOf(args[2], 'function');
    const name = typeof fn === 'object' ? this.cv.functionRef(fn.val) : new Unknown('function');
    c.res = this.eventInvokeConfig(c.path, name, args[2], node, undefined);
    c.res.source = this.cv.callSource(node);
    return { k: 'cx', c };
  }

  /** `fn.addEventSource(source)` / `events: [source]`. */
  bindEventSource(fn: Cx | undefined, val: Val, at: Node, functionName?: IacValue): void {
    if (val.k !== 'cx') return;
    const src = val.c;
    const kind = src.kind.replace(/^lambda-event-sources\./, '');
    const name = functionName ?? this.cv.resources.ref(fn!.res!);
    const base = fn ? fn.path : [];
    const [source, props] = src.args;
    const sourceId = source?.k === 'cx' ? source.c.path.join('/') : undefined;
    switch (kind) {
      case 'SqsEventSource':
      case 'KinesisEventSource':
      case 'KinesisConsumerEventSource':
      case 'DynamoEventSource': {
        const kindArn = { SqsEventSource: 'sqs', KinesisEventSource: 'kinesis', KinesisConsumerEventSource: 'kinesis', DynamoEventSource: 'dynamodb' }[kind]!;
        const arn = kind === 'DynamoEventSource' && source?.k === 'cx' && source.c.res ? this.cv.resources.getAtt(source.c.res, 'StreamArn') : this.cv.arn(source ?? UNDEF);
        this.eventSourceMapping([...base, `${kind}:${sourceId ?? 'Source'}`], name, props, src.node, arnHint(arn, kindArn));
        return;
      }
      case 'ManagedKafkaEventSource':
      case 'SelfManagedKafkaEventSource': {
        const esm = this.eventSourceMapping([...base, `${kind}`], name, source, src.node);
        const m = esm.props;
        const at = this.cv.callSource(src.node);
        this.cv.setFrom(m, 'EventSourceArn', source, 'clusterArn', (v) => this.cv.arn(v), at);
        this.cv.setFrom(m, 'Topics', source, 'topic', (v, e) => (v.k === 'undef' ? undefined : new Located([this.cv.plain(v) ?? null], this.cv.entrySource(e))), at);
        if (kind === 'SelfManagedKafkaEventSource') {
          this.cv.setFrom(m, 'SelfManagedEventSource', source, 'bootstrapServers', (v) => ({ Endpoints: { KafkaBootstrapServers: this.cv.plain(v) ?? null } }), at);
        }
        return;
      }
      case 'SnsEventSource': {
        if (source?.k !== 'cx' && source?.k !== 'unknown') return;
        const sub = this.cv.resources.add([...base, `SnsSubscription:${sourceId ?? 'Topic'}`], 'AWS::SNS::Subscription', this.cv.callSource(src.node), true);
        this.messaging.subscriptionProps(sub, 'lambda', fn ? this.cv.resources.getAtt(fn.res!, 'Arn') : name, source.k === 'cx' ? this.cv.arn(source) : new Unknown(source.why), props, src.node);
        return;
      }
      case 'S3EventSource':
      case 'S3EventSourceV2':
        this.cv.permission([...base, `S3EventSource:${sourceId ?? 'Bucket'}`], fn ? this.cv.resources.getAtt(fn.res!, 'Arn') : name, 's3.amazonaws.com', src.node);
        return;
      default:
        void at;
        return;
    }
  }

  /** An `AWS::Lambda::EventSourceMapping` from event source props (`retryAttempts`, `onFailure`, ...). */
  eventSourceMapping(path: string[], functionName: IacValue, props: Val | undefined, node: Node, sourceArn?: IacValue, child = true): Res {
    const res = this.cv.addResource(path, 'AWS::Lambda::EventSourceMapping', node, child);
    const at = this.cv.callSource(node);
    const m = res.props;
    m.set('FunctionName', { value: functionName, source: at });
    if (sourceArn !== undefined) m.set('EventSourceArn', { value: sourceArn, source: at });
    else this.cv.setFrom(m, 'EventSourceArn', props, 'eventSourceArn', (v) => this.cv.arn(v), at);
    this.cv.setFrom(m, 'FunctionName', props, 'target', (v) => this.cv.functionRef(v), at);
    this.cv.copy(m, 'BatchSize', props, 'batchSize', at);
    this.cv.setFrom(m, 'MaximumBatchingWindowInSeconds', props, 'maxBatchingWindow', (v) => this.cv.seconds(v), at);
    this.cv.copy(m, 'Enabled', props, 'enabled', at);
    this.cv.copy(m, 'StartingPosition', props, 'startingPosition', at);
    this.cv.copy(m, 'BisectBatchOnFunctionError', props, 'bisectBatchOnError', at);
    this.cv.copy(m, 'MaximumRetryAttempts', props, 'retryAttempts', at);
    this.cv.setFrom(m, 'MaximumRecordAgeInSeconds', props, 'maxRecordAge', (v) => this.cv.seconds(v), at);
    this.cv.copy(m, 'ParallelizationFactor', props, 'parallelizationFactor', at);
    this.cv.setFrom(m, 'TumblingWindowInSeconds', props, 'tumblingWindow', (v) => this.cv.seconds(v), at);
    this.cv.setFrom(
      m,
      'FunctionResponseTypes',
      props,
      'reportBatchItemFailures',
      (v, e) => {
        if (v.k === 'lit' && v.v === true) return new Located(['ReportBatchItemFailures'], this.cv.entrySource(e));
        if (v.k === 'lit' || v.k === 'undef') return undefined;
        return new Unknown(this.cv.describe(e.node));
      },
      at,
    );
    this.cv.setFrom(
      m,
      'ScalingConfig',
      props,
      'maxConcurrency',
      (v, e) => {
        if (v.k === 'undef') return undefined;
        const scaling = new Mapping();
        scaling.set('MaximumConcurrency', { value: this.cv.plain(v) ?? null, source: this.cv.entrySource(e) });
        return scaling.built(this.cv.entrySource(e));
      },
      at,
    );
    this.cv.copy(m, 'ProvisionedPollerConfig', props, 'provisionedPollerConfig', at);
    this.cv.setFrom(
      m,
      'DestinationConfig',
      props,
      'onFailure',
      (v, e) => {
        const arn = this.cv.destinationArn(v);
        if (arn === undefined) return undefined;
        const onFailure = new Mapping();
        onFailure.set('Destination', { value: arn, source: this.cv.entrySource(e) });
        const config = new Mapping();
        config.set('OnFailure', onFailure.built(this.cv.entrySource(e)));
        return config.built(this.cv.entrySource(e));
      },
      at,
    );
    this.cv.setFrom(m, 'Topics', props, 'kafkaTopic', (v, e) => (v.k === 'undef' ? undefined : new Located([this.cv.plain(v) ?? null], this.cv.entrySource(e))), at);
    return res;
  }

  eventSourceMappingConstruct(c: Cx, args: Args, node: ts.NewExpression): Val {
    c.path = this.cv.pathOf(args, node);
    c.res = this.eventSourceMapping(c.path, new Unknown('target'), args[2], node, undefined, false);
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
