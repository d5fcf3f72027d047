/**
 * The conversions every CDK construct family shares: where a TypeScript value is located, what
 * it is as a CloudFormation value (`Duration` in seconds, a construct as its `Ref`/ARN), props
 * copied into a mapping under construction, construct paths and ids, and the resources a
 * construct adds.
 */
import { ts } from '../code/ts.js';
import { Intrinsic, Unknown, type IacValue, type PlainObject } from '../iac/model.js';
import { type SourceNode } from '../iac/document.js';
import { cdkName, cfnPropertyName, keepsKeys } from './names.js';
import { FACTORY, List, Located, Mapping, type Res, type Resources } from './resources.js';
import { isFunctionLike, returnedExpressions, unwrap, walk } from '../code/walk.js';
import { entryOf, stringOf, UNDEF, type Cx, type Describer, type Entry, type Val } from './values.js';

export type Args = Val[];

/** The name a function or method is declared under (`function f`, `f() {}`, `const f = () => …`). */
function ownName(fn: ts.FunctionLikeDeclaration): string | undefined {
  if ((ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn) || ts.isFunctionExpression(fn)) && fn.name && ts.isIdentifier(fn.name)) return fn.name.text;
  const parent = fn.parent as ts.Node | undefined;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && ts.isIdentifier(parent.name)) return parent.name.text;
  return undefined;
}
type Node = ts.Node;

/** Functions: every Lambda function construct takes the same function props. */
export const FUNCTIONS = new Set(['lambda.Function', 'lambda.DockerImageFunction', 'lambda.SingletonFunction', 'lambda-nodejs.NodejsFunction', 'lambda-python.PythonFunction', 'lambda-go.GoFunction']);

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

/** Enumeration members → their CloudFormation values. */
function enumValue(name: string): string | undefined {
  const m = /^([a-z0-9-]+)\.([A-Za-z]+)\.([A-Z0-9_]+)$/.exec(name);
  if (!m) return undefined;
  const [, service, type, member] = m as unknown as [string, string, string, string];
  switch (`${service}.${type}`) {
    case 'lambda.StartingPosition':
    case 'apigateway.EndpointType':
    case 'apigateway.IntegrationType':
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

/** `Aws.ACCOUNT_ID` and the other pseudo parameters. */
const PSEUDO_PARAMETERS: Record<string, string> = {
  'core.Aws.ACCOUNT_ID': 'AWS::AccountId',
  'core.Aws.REGION': 'AWS::Region',
  'core.Aws.PARTITION': 'AWS::Partition',
  'core.Aws.STACK_NAME': 'AWS::StackName',
  'core.Aws.STACK_ID': 'AWS::StackId',
  'core.Aws.URL_SUFFIX': 'AWS::URLSuffix',
};

export class Converter {
  interp!: Describer;

  constructor(
    readonly sf: ts.SourceFile,
    readonly resources: Resources,
  ) {}

  fileOf(node: Node): ts.SourceFile {
    return this.resources.fileOf(node);
  }

  /** Where an entry's value is written: the entry, or the entry of another file it passes on. */
  entrySource(e: Entry): SourceNode {
    const at = e.origin ?? e;
    return this.resources.sourceOf(at.node, at.key);
  }

  nodeSource(node: Node): SourceNode {
    return this.resources.sourceOf(node);
  }

  callSource(node: Node): SourceNode {
    const head = ts.isNewExpression(node) || ts.isCallExpression(node) ? node.expression : node;
    return this.resources.callSource(node, head);
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
        const pseudo = name ? PSEUDO_PARAMETERS[name] : undefined;
        if (pseudo) return new Intrinsic('Ref', pseudo);
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

  attributesOf(c: Cx): Attributes | undefined {
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
  pathOf(args: Args, node: Node): string[] {
    return [...(this.scopePath(args[0]) ?? []), this.constructId(args[1], node)];
  }

  /** Adds a resource located at a call; `child` for one a construct adds on its own. */
  addResource(path: string[], type: string, node: Node, child = false): Res {
    const res = this.resources.add(path, type, this.callSource(node), child);
    const factory = child ? undefined : this.factoryName(node);
    if (factory) res.metadata.set(FACTORY, { value: factory, source: { ...this.callSource(node), keyStart: -1, keyEnd: -1, synthetic: true } });
    return res;
  }

  /**
   * The name of the running function or method when it returns the construct created at `node`
   * (`return new Queue(scope, id)`, or the variable initialised with it): a factory, whose name
   * says what callers get the construct for.
   */
  private factoryName(node: Node): string | undefined {
    const fn = this.interp?.currentFunction?.();
    if (!fn || !fn.body) return undefined;
    const name = ownName(fn);
    if (!name) return undefined;
    const holders = new Set<string>();
    if (ts.isBlock(fn.body)) {
      walk(fn.body, (n) => {
        if (isFunctionLike(n)) return false;
        if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer && unwrap(n.initializer) === node) holders.add(n.name.text);
        return undefined;
      });
    }
    const returned = returnedExpressions(fn).map((r) => unwrap(r));
    return returned.some((r) => r === node || (ts.isIdentifier(r) && holders.has(r.text))) ? name : undefined;
  }

  /** `Ref` of a function construct, else its ARN or an unknown value. */
  functionRef(val: Val): IacValue {
    if (val.k === 'cx' && val.c.res && FUNCTIONS.has(val.c.kind)) return this.resources.ref(val.c.res);
    return this.arn(val) ?? new Unknown('function');
  }

  /** The ARN of an async-invocation or event-source failure destination helper. */
  destinationArn(val: Val): IacValue | undefined {
    if (val.k === 'undef') return undefined;
    if (val.k !== 'cx') return new Unknown(val.k === 'unknown' ? val.why : 'a destination');
    return this.arn(val.c.args[0] ?? UNDEF) ?? new Unknown(val.c.kind);
  }

  permission(path: string[], functionName: IacValue, principal: string, node: Node): Res {
    const res = this.addResource(path, 'AWS::Lambda::Permission', node, true);
    const at = this.callSource(node);
    res.props.set('Action', { value: 'lambda:InvokeFunction', source: at });
    res.props.set('FunctionName', { value: functionName, source: at });
    res.props.set('Principal', { value: principal, source: at });
    return res;
  }
}
