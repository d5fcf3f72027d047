/**
 * SQS queues, SNS topics and their subscriptions, and S3 event notifications (S3 invokes a Lambda
 * destination asynchronously) written with the CDK.
 */
import { ts } from '../code/ts.js';
import { Unknown, type IacValue } from '../iac/model.js';
import { Mapping, type Res } from './resources.js';
import { entryOf, stringOf, UNDEF, type Cx, type Val } from './values.js';
import type { Converter } from './convert.js';

type Args = Val[];
type Node = ts.Node;

export class Messaging {
  constructor(readonly cv: Converter) {}

  queue(c: Cx, args: Args, node: ts.NewExpression): Val {
    c.path = this.cv.pathOf(args, node);
    const res = this.cv.addResource(c.path, 'AWS::SQS::Queue', node);
    c.res = res;
    const p = args[2];
    const at = this.cv.callSource(node);
    const m = res.props;
    this.cv.copy(m, 'QueueName', p, 'queueName', at);
    this.cv.copy(m, 'FifoQueue', p, 'fifo', at);
    if (!m.has('FifoQueue')) {
      // FIFO is implied by a `.fifo` name or content-based deduplication
      const name = entryOf(p, 'queueName');
      const dedup = entryOf(p, 'contentBasedDeduplication');
      if (typeof name === 'object' && stringOf(name.val)?.endsWith('.fifo')) m.set('FifoQueue', { value: true, source: this.cv.entrySource(name) });
      else if (typeof dedup === 'object' && dedup.val.k === 'lit' && dedup.val.v === true) m.set('FifoQueue', { value: true, source: this.cv.entrySource(dedup) });
    }
    this.cv.copy(m, 'ContentBasedDeduplication', p, 'contentBasedDeduplication', at);
    this.cv.setFrom(m, 'VisibilityTimeout', p, 'visibilityTimeout', (v) => this.cv.seconds(v), at);
    this.cv.setFrom(m, 'MessageRetentionPeriod', p, 'retentionPeriod', (v) => this.cv.seconds(v), at);
    this.cv.setFrom(m, 'DelaySeconds', p, 'deliveryDelay', (v) => this.cv.seconds(v), at);
    this.cv.setFrom(m, 'ReceiveMessageWaitTimeSeconds', p, 'receiveMessageWaitTime', (v) => this.cv.seconds(v), at);
    this.cv.setFrom(
      m,
      'RedrivePolicy',
      p,
      'deadLetterQueue',
      (v, e) => {
        if (v.k === 'undef') return undefined;
        if (v.k !== 'obj') return new Unknown(this.cv.describe(e.node));
        const policy = new Mapping();
        const source = this.cv.entrySource(e);
        this.cv.setFrom(policy, 'deadLetterTargetArn', v, 'queue', (q) => this.cv.arn(q), source);
        this.cv.copy(policy, 'maxReceiveCount', v, 'maxReceiveCount', source);
        return policy.built(source);
      },
      at,
    );
    this.cv.setFrom(
      m,
      'RedriveAllowPolicy',
      p,
      'redriveAllowPolicy',
      (v, e) => {
        if (v.k === 'undef') return undefined;
        if (v.k !== 'obj') return new Unknown(this.cv.describe(e.node));
        const policy = new Mapping();
        const source = this.cv.entrySource(e);
        this.cv.copy(policy, 'redrivePermission', v, 'redrivePermission', source);
        if (!policy.has('redrivePermission')) {
          policy.set('redrivePermission', { value: entryOf(v, 'sourceQueues') === 'absent' ? 'allowAll' : 'byQueue', source });
        }
        return policy.built(source);
      },
      at,
    );
    return { k: 'cx', c };
  }

  topic(c: Cx, args: Args, node: ts.NewExpression): Val {
    c.path = this.cv.pathOf(args, node);
    c.res = this.cv.addResource(c.path, 'AWS::SNS::Topic', node);
    const at = this.cv.callSource(node);
    this.cv.copy(c.res.props, 'TopicName', args[2], 'topicName', at);
    this.cv.copy(c.res.props, 'FifoTopic', args[2], 'fifo', at);
    return { k: 'cx', c };
  }

  subscriptionProps(sub: Res, protocol: IacValue, endpoint: IacValue | undefined, topicArn: IacValue | undefined, props: Val | undefined, node: Node): void {
    const at = this.cv.callSource(node);
    const m = sub.props;
    m.set('Protocol', { value: protocol, source: at });
    if (endpoint !== undefined) m.set('Endpoint', { value: endpoint, source: at });
    if (topicArn !== undefined) m.set('TopicArn', { value: topicArn, source: at });
    this.cv.setFrom(
      m,
      'RedrivePolicy',
      props,
      'deadLetterQueue',
      (v, e) => {
        const arn = this.cv.arn(v);
        if (arn === undefined) return undefined;
        const policy = new Mapping();
        policy.set('deadLetterTargetArn', { value: arn, source: this.cv.entrySource(e) });
        return policy.built(this.cv.entrySource(e));
      },
      at,
    );
    this.cv.copy(m, 'RawMessageDelivery', props, 'rawMessageDelivery', at);
  }

  /** `topic.addSubscription(new subs.LambdaSubscription(fn, { deadLetterQueue }))`. */
  /**
   * `topic.addSubscription(subscription)`: the subscription resource. `other` describes a topic
   * from outside the file (`topic` is then undefined): the subscription is made all the same, its
   * topic unknown.
   */
  subscribe(topic: Cx | undefined, val: Val, node: Node, other?: string): void {
    if (val.k !== 'cx') return;
    const sub = val.c;
    const kind = sub.kind.replace(/^sns-subscriptions\./, '');
    const [target, props] = sub.args;
    let protocol: IacValue;
    let endpoint: IacValue | undefined;
    switch (kind) {
      case 'LambdaSubscription':
        protocol = 'lambda';
        endpoint = this.cv.arn(target ?? UNDEF);
        break;
      case 'SqsSubscription':
        protocol = 'sqs';
        endpoint = this.cv.arn(target ?? UNDEF);
        break;
      case 'UrlSubscription': {
        const url = stringOf(target);
        const declared = entryOf(props, 'protocol');
        protocol =
          typeof declared === 'object'
            ? (this.cv.plain(declared.val) ?? new Unknown('protocol'))
            : url?.startsWith('https://')
              ? 'https'
              : url?.startsWith('http://')
                ? 'http'
                : new Unknown('the protocol of a URL that cannot be evaluated');
        endpoint = this.cv.plain(target ?? UNDEF);
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
    const res = this.cv.resources.add([...(topic ? topic.path : [other ?? 'Topic']), `Subscription:${id}`], 'AWS::SNS::Subscription', this.cv.callSource(sub.node), true);
    this.subscriptionProps(res, protocol, endpoint, topic ? this.cv.resources.ref(topic.res!) : new Unknown(other ?? 'topic'), props, sub.node);
    void node;
  }

  subscriptionConstruct(c: Cx, args: Args, node: ts.NewExpression): Val {
    c.path = this.cv.pathOf(args, node);
    c.res = this.cv.addResource(c.path, 'AWS::SNS::Subscription', node);
    const p = args[2];
    const protocol = entryOf(p, 'protocol');
    const endpoint = entryOf(p, 'endpoint');
    const topic = entryOf(p, 'topic');
    this.subscriptionProps(
      c.res,
      typeof protocol === 'object' ? (this.cv.plain(protocol.val) ?? new Unknown('protocol')) : new Unknown('protocol'),
      typeof endpoint === 'object' ? this.cv.plain(endpoint.val) : undefined,
      typeof topic === 'object' ? this.cv.arn(topic.val) : undefined,
      p,
      node,
    );
    return { k: 'cx', c };
  }

  /** S3 invokes a notification's Lambda destination asynchronously, through an invoke permission. */
  notify(destination: Val | undefined, node: ts.CallExpression): void {
    if (destination?.k !== 'cx' || destination.c.kind !== 's3-notifications.LambdaDestination') return;
    const fn = destination.c.args[0];
    const arn = fn?.k === 'cx' && fn.c.res ? this.cv.resources.getAtt(fn.c.res, 'Arn') : (this.cv.arn(fn ?? UNDEF) ?? new Unknown('function'));
    const path = fn?.k === 'cx' ? [...fn.c.path, 'AllowBucketNotification'] : ['AllowBucketNotification'];
    this.cv.permission(path, arn, 's3.amazonaws.com', node);
  }

  /**
   * An SES receipt rule's Lambda action (`new actions.Lambda({ function: fn })`): SES invokes the
   * function asynchronously unless `invocationType` is `RequestResponse`, through an invoke
   * permission the action adds.
   */
  sesLambdaAction(c: Cx, props: Val | undefined, node: ts.Node): void {
    const fn = entryOf(props, 'function');
    if (typeof fn !== 'object' || fn.val.k !== 'cx' || !fn.val.c.res) return;
    const type = entryOf(props, 'invocationType');
    if (type === 'unknown') return;
    if (type !== 'absent') {
      const v = type.val;
      const name = v.k === 'lit' ? v.v : v.k === 'mod' ? v.path[v.path.length - 1] : undefined;
      if (name !== 'Event' && name !== 'EVENT' && v.k !== 'undef') return;
    }
    this.cv.permission([...fn.val.c.path, `AllowSes:${c.path.join('/') || 'ReceiptRule'}`], this.cv.resources.getAtt(fn.val.c.res, 'Arn'), 'ses.amazonaws.com', node);
  }

  /**
   * A CloudWatch Logs subscription filter (`addSubscriptionFilter`, `SubscriptionFilter`): Logs
   * invokes a Lambda destination asynchronously, through an invoke permission.
   */
  logsSubscription(id: string, options: Val | undefined, node: ts.Node): void {
    const destination = entryOf(options, 'destination');
    if (typeof destination !== 'object' || destination.val.k !== 'cx' || destination.val.c.kind !== 'logs-destinations.LambdaDestination') return;
    const fn = destination.val.c.args[0];
    const arn = fn?.k === 'cx' && fn.c.res ? this.cv.resources.getAtt(fn.c.res, 'Arn') : (this.cv.arn(fn ?? UNDEF) ?? new Unknown('function'));
    const path = fn?.k === 'cx' ? [...fn.c.path, `CanInvokeLambda:${id}`] : [`CanInvokeLambda:${id}`];
    this.cv.permission(path, arn, 'logs.amazonaws.com', node);
  }
}
