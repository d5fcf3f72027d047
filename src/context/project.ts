/**
 * The project model: every template of a scan linked to the handler code it deploys, and the
 * interaction graph between functions, queues, topics, buses, state machines, APIs and external
 * HTTP services.
 *
 * - Functions (CloudFormation, SAM, Serverless, Terraform and CDK synth all load into the same
 *   resource model) get their trigger kinds from template wiring (SAM events, event source
 *   mappings, SNS subscriptions, EventBridge rule and Scheduler targets, permissions, function
 *   URLs, API integrations, Step Functions tasks) and their handler source file (SAM `CodeUri` +
 *   `Handler`, Serverless `handler`, the CDK `NodejsFunction` layout, `.js` mapped back to `.ts`;
 *   located by `handler-files.ts`).
 * - Each linked handler file gets a per-file context (`FileProjectContext`): the execution
 *   context the triggers imply and what each environment variable the template sets points at.
 *   It is plain data, so that the per-file code analysis stays a pure function of (text, context).
 * - Code calls (`CodeCall`) found in linked files become edges through those environment
 *   variables (`process.env.TAX_FUNCTION` → a function).
 *
 * The types of the model (nodes, edges, triggers, per-file contexts, code calls) are in `types.ts`.
 */
import path from 'node:path';
import type { IacValue, PathSegment, PlainObject, Resource, Template } from '../iac/model.js';
import { Intrinsic, isPlainObject } from '../iac/model.js';
import { displayName, eventSourceMappings, getIn, isAbsent, lacksReportBatchItemFailures, references, refTarget } from '../iac/resources.js';
import { functionRef, functions } from '../iac/lambda.js';
import { samFunctionEvents } from '../iac/sam.js';
import { arnText, isLambdaTask, stateMachines, statesOf, substituted, type StateMachine } from '../iac/asl.js';
import { defaultsNote } from '../iac/defaults.js';
import type { ContextEvidence, ExecutionContext } from '../code/evidence.js';
import { HandlerFiles, fileLabel, type TwinOf } from './handler-files.js';
import { deploymentUnits, type DeploymentUnit } from './units.js';
import {
  AT_LEAST_ONCE,
  PARTIAL_RESPONSE_TEXT,
  REQUEST_PATH,
  nodeKindOf,
  type CodeCall,
  type EnvBinding,
  type FileProjectContext,
  type GraphEdge,
  type GraphNode,
  type Location,
  type NodeKind,
  type ProjectFunction,
  type Trigger,
  type TriggerKind,
  serviceHost,
} from './types.js';

function key(template: Template, id: string): string {
  return `${template.file}#${id}`;
}

/** Literal string of a template value, or undefined. */
/** Errors a Lambda task fails with before the function ran: retrying them repeats no work. */
const NOT_RUN_ERRORS = new Set(['Lambda.TooManyRequestsException', 'Lambda.ResourceNotReadyException', 'Lambda.EC2ThrottledException']);

/**
 * Whether a task's `Retry` runs the function again after a run that may have done its work: a
 * retrier with attempts left (`MaxAttempts` absent is 3) for an error other than throttling
 * (`States.ALL`, `States.TaskFailed`, `States.Timeout`, the Lambda service errors, the function's
 * own errors). Retriers the template does not determine count for nothing.
 */
function repeatsRun(retry: IacValue | undefined): boolean {
  if (!Array.isArray(retry)) return false;
  return retry.some((r) => {
    if (!isPlainObject(r)) return false;
    const max = r['MaxAttempts'];
    if (max !== undefined && (typeof max !== 'number' || max <= 0)) return false;
    const errors = r['ErrorEquals'];
    return Array.isArray(errors) && errors.some((e) => typeof e === 'string' && !NOT_RUN_ERRORS.has(e));
  });
}

function str(value: IacValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * The execution contexts the templates' triggers give a handler file's functions, when every one
 * of them has a trigger in a template (a function no template triggers may be invoked by anything).
 */
function wiredContexts(fns: readonly ProjectFunction[]): ExecutionContext[] | undefined {
  const out = new Set<ExecutionContext>();
  for (const fn of fns) {
    const wired = fn.triggers.filter((t) => !t.fromCode);
    if (wired.length === 0) return undefined;
    for (const t of wired) {
      if (AT_LEAST_ONCE.has(t.kind) || t.retriedBy !== undefined) out.add('at-least-once');
      if (REQUEST_PATH.has(t.kind)) out.add('request-path');
    }
  }
  return [...out];
}

export class ProjectModel {
  readonly nodes = new Map<string, GraphNode>();
  readonly edges: GraphEdge[] = [];
  readonly functions = new Map<string, ProjectFunction>();
  private readonly byFile = new Map<string, ProjectFunction[]>();
  private readonly contexts = new Map<string, FileProjectContext>();
  /** Handler files that build a partial batch response (`addHandlerText`). */
  private readonly batchResponders = new Set<string>();
  /** Handler files whose triggers were added early (see `addCodeCalls`). */
  private readonly earlyFiles = new Set<string>();
  private readonly handlers: HandlerFiles;
  private unitFiles?: { count: number; byFile: Map<string, DeploymentUnit> };

  /**
   * `twinOf` gives the CDK source construct of a synthesized resource, when the scan holds both:
   * the handler file the source names is linked to the synthesized function.
   */
  constructor(
    readonly templates: readonly Template[],
    codeFiles: Iterable<string>,
    twinOf?: TwinOf,
  ) {
    this.handlers = new HandlerFiles(new Set([...codeFiles].map((f) => path.resolve(f))), twinOf);
    for (const template of templates) this.addTemplate(template);
    for (const fn of this.functions.values()) {
      if (!fn.handlerFile) continue;
      const list = this.byFile.get(fn.handlerFile) ?? [];
      list.push(fn);
      this.byFile.set(fn.handlerFile, list);
    }
  }

  /** True when templates wire at least one function to a handler file. */
  get hasLinks(): boolean {
    return this.byFile.size > 0;
  }

  // -------------------------------------------------------------------------------------------
  // Nodes
  // -------------------------------------------------------------------------------------------

  private node(id: string, kind: NodeKind, label: string): string {
    if (!this.nodes.has(id)) this.nodes.set(id, { id, kind, label });
    return id;
  }

  /** The node of a resource of the template, when it is something the graph shows. */
  private resourceNode(template: Template, id: string): string | undefined {
    const resource = template.resources.get(id);
    if (!resource) return undefined;
    const kind = nodeKindOf(resource);
    if (!kind) return undefined;
    if (kind === 'function') return this.functions.get(key(template, id))?.key ?? this.node(key(template, id), kind, displayName(resource));
    return this.node(key(template, id), kind, displayName(resource));
  }

  private fnKey(template: Template, value: IacValue | undefined): string | undefined {
    const id = functionRef(template, value);
    return id ? key(template, id) : undefined;
  }

  private trigger(fnKey: string | undefined, kind: TriggerKind, template: Template, p: PathSegment[], extra: Partial<Trigger> = {}): void {
    const fn = fnKey ? this.functions.get(fnKey) : undefined;
    if (fn) fn.triggers.push({ kind, template, path: p, ...extra });
  }

  private edge(from: string | undefined, to: string | undefined, sync: boolean, label: string, location: Location, via: GraphEdge['via'] = 'template', made?: Location): void {
    if (!from || !to) return;
    this.edges.push({ from, to, sync, label, via, location, ...(made ? { made } : {}) });
  }

  // -------------------------------------------------------------------------------------------
  // Templates
  // -------------------------------------------------------------------------------------------

  private addTemplate(template: Template): void {
    for (const resource of functions(template)) {
      const handler = this.handlers.handlerOf(template, resource);
      const fnKey = key(template, resource.id);
      // a construct's id names a CDK app's function better than its file (`stack.CreateOrder.ts`)
      const label = handler.file && template.format !== 'cdk-source' ? (fileLabel(handler.file) ?? displayName(resource)) : displayName(resource);
      this.functions.set(fnKey, { key: fnKey, template, resource, label, triggers: [], handlerFile: handler.file, handlerExport: handler.exportName });
      this.node(fnKey, 'function', label);
    }
    this.samEvents(template);
    this.mappings(template);
    for (const resource of template.resources.values()) this.wiring(template, resource);
    for (const machine of stateMachines([template])) {
      if (machine.owner !== template) continue;
      const smKey = this.node(key(machine.owner, machine.resource.id), 'state-machine', displayName(machine.resource));
      for (const state of statesOf(machine)) {
        if (state.type !== 'Task') continue;
        const resource = substituted(machine, state.resource);
        const resourceText = arnText(resource);
        const invoke = resourceText !== undefined && /:states:::lambda:invoke(?:\.waitForTaskToken)?$/.test(resourceText);
        const params = isPlainObject(state.state['Parameters']) ? state.state['Parameters'] : isPlainObject(state.state['Arguments']) ? state.state['Arguments'] : undefined;
        if (!invoke && !isLambdaTask(state) && !(resourceText && /:lambda:.*:function:/.test(resourceText))) {
          this.serviceTask(machine, smKey, state.name, state.path, resourceText, params);
          continue;
        }
        // an `Event` invocation does not wait for the function
        const sync = !(invoke && str(substituted(machine, params?.['InvocationType'])) === 'Event');
        const target = invoke ? substituted(machine, params?.['FunctionName']) : resource;
        // a literal ARN built with Fn::Sub (`arn:aws:lambda:${AWS::Region}:...:function:name`) names the function
        const text = target instanceof Intrinsic ? arnText(target)?.replace(/\$\{[^}]*\}/g, '*') : undefined;
        const fnKey = this.fnKey(machine.owner, target) ?? (text ? this.fnKey(machine.owner, text) : undefined);
        const retried = repeatsRun(state.state['Retry']);
        this.trigger(fnKey, 'Step Functions', machine.template, state.path, retried ? { retriedBy: state.name } : {});
        this.edge(smKey, fnKey, sync, state.name, { template: machine.template, path: state.path });
      }
    }
  }

  /**
   * A service integration task: the workflow waits for request-response calls and `.sync` /
   * `.waitForTaskToken` tasks; messages it sends (SQS, SNS, EventBridge) and executions it starts
   * without `.sync` are asynchronous, as the same calls made from code are.
   */
  private serviceTask(machine: StateMachine, smKey: string, name: string, at: PathSegment[], resourceText: string | undefined, params: PlainObject | undefined): void {
    const m = resourceText === undefined ? null : /:states:::(?:aws-sdk:)?([a-z0-9-]+):([A-Za-z0-9]+)(\.sync(?::\d+)?|\.waitForTaskToken)?$/.exec(resourceText);
    if (!m) return;
    const [, service, action, pattern] = m as unknown as [string, string, string, string | undefined];
    const value = (member: string): IacValue | undefined => substituted(machine, params?.[member]);
    let target: IacValue | undefined;
    let sync = pattern !== undefined;
    if (service === 'sqs' && /^sendMessage/i.test(action)) target = value('QueueUrl');
    else if (service === 'sns' && /^publish/i.test(action)) target = value('TopicArn');
    else if ((service === 'events' || service === 'eventbridge') && /^putEvents/i.test(action)) target = getIn(value('Entries'), [0, 'EventBusName']);
    else if ((service === 'states' || service === 'sfn') && /^startExecution/i.test(action)) target = value('StateMachineArn');
    else if ((service === 'states' || service === 'sfn') && /^startSyncExecution/i.test(action)) {
      target = value('StateMachineArn');
      sync = true;
    } else if (service === 'http' && action === 'invoke') {
      const endpoint = str(value('ApiEndpoint'));
      const host = endpoint === undefined ? undefined : serviceHost(endpoint);
      if (host) this.edge(smKey, this.node(`http:${host}`, 'http', host), true, name, { template: machine.template, path: at });
      return;
    } else return;
    const id = refTarget(target, machine.owner);
    const to = id ? this.resourceNode(machine.owner, id) : undefined;
    this.edge(smKey, to, sync, name, { template: machine.template, path: at });
  }

  private samEvents(template: Template): void {
    for (const event of samFunctionEvents(template)) {
      const fnKey = key(template, event.functionId);
      const props = event.properties ?? {};
      const p = event.path;
      switch (event.type) {
        case 'Api':
        case 'HttpApi': {
          this.trigger(fnKey, 'API', template, p);
          const apiId = refTarget(props[event.type === 'Api' ? 'RestApiId' : 'ApiId'], template) ?? (event.type === 'Api' ? 'ServerlessRestApi' : 'ServerlessHttpApi');
          const api = this.node(key(template, apiId), 'api', template.resources.get(apiId) ? displayName(template.resources.get(apiId)!) : apiId);
          this.edge(api, fnKey, true, event.eventId, { template, path: p });
          break;
        }
        case 'SNS': {
          this.trigger(fnKey, 'SNS', template, p);
          const topic = refTarget(props['Topic'], template);
          this.edge(topic ? this.resourceNode(template, topic) : undefined, fnKey, false, 'subscription', { template, path: p });
          break;
        }
        case 'EventBridgeRule':
        case 'CloudWatchEvent': {
          this.trigger(fnKey, 'EventBridge', template, p);
          const bus = refTarget(props['EventBusName'], template);
          const from = bus ? this.resourceNode(template, bus) : this.node(`${template.file}#default-bus`, 'bus', 'default event bus');
          this.edge(from, fnKey, false, event.eventId, { template, path: p });
          break;
        }
        case 'Schedule':
        case 'ScheduleV2': {
          this.trigger(fnKey, event.type === 'Schedule' ? 'EventBridge' : 'Scheduler', template, p);
          this.edge(this.node(key(template, `${event.functionId}/${event.eventId}`), 'schedule', event.eventId), fnKey, false, 'schedule', { template, path: p });
          break;
        }
        case 'S3': {
          this.trigger(fnKey, 'S3', template, p);
          const bucket = refTarget(props['Bucket'], template);
          this.edge(bucket ? this.resourceNode(template, bucket) : undefined, fnKey, false, 'notification', { template, path: p });
          break;
        }
        case 'CloudWatchLogs':
          this.trigger(fnKey, 'CloudWatch Logs', template, p);
          break;
        case 'IoTRule':
          this.trigger(fnKey, 'async invoke', template, p);
          break;
        default:
          break;
      }
    }
    for (const resource of functions(template)) {
      if (resource.type === 'AWS::Serverless::Function' && !isAbsent(resource.properties['FunctionUrlConfig'])) {
        const p = [...resource.path, 'Properties', 'FunctionUrlConfig'];
        this.trigger(key(template, resource.id), 'URL', template, p);
        this.urlEdge(template, key(template, resource.id), p);
      }
    }
  }

  private mappings(template: Template): void {
    for (const mapping of eventSourceMappings(template)) {
      if (!mapping.functionId) continue;
      const fnKey = key(template, mapping.functionId);
      const kind: TriggerKind | undefined =
        mapping.kind === 'sqs' ? 'SQS' : mapping.kind === 'kinesis' ? 'Kinesis' : mapping.kind === 'dynamodb' ? 'DynamoDB Streams' : mapping.kind === 'kafka' ? 'Kafka' : mapping.kind === 'mq' ? 'MQ' : mapping.kind === 'stream' ? 'Kinesis' : undefined;
      if (!kind) continue;
      const types = mapping.properties['FunctionResponseTypes'];
      const reports = types === 'ReportBatchItemFailures' || (Array.isArray(types) && types.includes('ReportBatchItemFailures'));
      // a source that takes partial batch responses, certainly not asked for one
      const ignores = (mapping.kind === 'sqs' || mapping.kind === 'kinesis' || mapping.kind === 'dynamodb') && lacksReportBatchItemFailures(types, template);
      this.trigger(fnKey, kind, template, mapping.path, { reportsBatchItemFailures: reports, ...(ignores ? { ignoresBatchItemFailures: true } : {}) });
      let source = mapping.sourceId ? this.resourceNode(template, mapping.sourceId) : undefined;
      if (!source && mapping.sourceId && template.resources.get(mapping.sourceId)?.type === 'AWS::DynamoDB::Table') {
        source = this.node(key(template, mapping.sourceId), 'stream', `${displayName(template.resources.get(mapping.sourceId)!)} stream`);
      }
      this.edge(source, fnKey, false, 'ESM', { template, path: mapping.path });
    }
  }

  /** Wiring declared by resources of other types: subscriptions, rules, schedules, permissions, URLs, APIs. */
  private wiring(template: Template, resource: Resource): void {
    const props = resource.properties;
    const at = (...rest: PathSegment[]): PathSegment[] => [...resource.path, 'Properties', ...rest];
    switch (resource.type) {
      case 'AWS::SNS::Subscription': {
        if (str(props['Protocol'])?.toLowerCase() !== 'lambda') return;
        const fnKey = this.fnKey(template, props['Endpoint']);
        this.trigger(fnKey, 'SNS', template, resource.path);
        const topic = refTarget(props['TopicArn'], template);
        this.edge(topic ? this.resourceNode(template, topic) : undefined, fnKey, false, 'subscription', { template, path: resource.path });
        return;
      }
      case 'AWS::SNS::Topic': {
        const subs = props['Subscription'];
        if (!Array.isArray(subs)) return;
        subs.forEach((sub, i) => {
          if (!isPlainObject(sub) || str(sub['Protocol'])?.toLowerCase() !== 'lambda') return;
          const fnKey = this.fnKey(template, sub['Endpoint']);
          this.trigger(fnKey, 'SNS', template, at('Subscription', i));
          this.edge(this.resourceNode(template, resource.id), fnKey, false, 'subscription', { template, path: at('Subscription', i) });
        });
        return;
      }
      case 'AWS::Events::Rule': {
        const targets = props['Targets'];
        if (!Array.isArray(targets)) return;
        const bus = refTarget(props['EventBusName'], template);
        const scheduled = !isAbsent(props['ScheduleExpression']);
        targets.forEach((target, i) => {
          if (!isPlainObject(target)) return;
          const p = at('Targets', i);
          const fnKey = this.fnKey(template, target['Arn']);
          const to = fnKey ?? this.targetNode(template, target['Arn']);
          if (fnKey) this.trigger(fnKey, 'EventBridge', template, p);
          const from = scheduled
            ? this.node(key(template, resource.id), 'schedule', displayName(resource))
            : bus
              ? this.resourceNode(template, bus)
              : this.node(`${template.file}#default-bus`, 'bus', 'default event bus');
          this.edge(from, to, false, scheduled ? 'schedule' : displayName(resource), { template, path: p });
        });
        return;
      }
      case 'AWS::Scheduler::Schedule': {
        const arn = getIn(props['Target'], ['Arn']);
        const fnKey = this.fnKey(template, arn);
        const to = fnKey ?? this.targetNode(template, arn);
        if (fnKey) this.trigger(fnKey, 'Scheduler', template, at('Target'));
        this.edge(this.node(key(template, resource.id), 'schedule', displayName(resource)), to, false, 'schedule', { template, path: at('Target') });
        return;
      }
      case 'AWS::Lambda::Url': {
        const fnKey = this.fnKey(template, props['TargetFunctionArn']);
        this.trigger(fnKey, 'URL', template, resource.path);
        if (fnKey) this.urlEdge(template, fnKey, resource.path);
        return;
      }
      case 'AWS::Lambda::Permission': {
        const principal = str(props['Principal']) ?? '';
        const service = /^([a-z0-9-]+)\.amazonaws\.com/.exec(principal)?.[1];
        const kind: TriggerKind | undefined =
          service === 'apigateway' ? 'API' : service === 'elasticloadbalancing' ? 'ALB' : service === 's3' ? 'S3' : service === 'sns' ? 'SNS' : service === 'events' ? 'EventBridge' : service === 'scheduler' ? 'Scheduler' : service === 'logs' ? 'CloudWatch Logs' : service === 'iot' || service === 'ses' ? 'async invoke' : undefined;
        if (kind) this.trigger(this.fnKey(template, props['FunctionName']), kind, template, resource.path);
        return;
      }
      case 'AWS::ApiGateway::Method': {
        const uri = getIn(props['Integration'], ['Uri']);
        const fnKey = this.fnKey(template, uri);
        if (!fnKey) return;
        this.trigger(fnKey, 'API', template, at('Integration'));
        const apiId = refTarget(props['RestApiId'], template);
        const api = (apiId ? this.resourceNode(template, apiId) : undefined) ?? this.node(key(template, 'ApiGatewayRestApi'), 'api', 'ApiGatewayRestApi');
        // the route's method and path when literal, else the method resource
        const method = str(props['HttpMethod']);
        // a CDK method's construct path is its route: `Api/Default/orders/{id}/GET` is `GET /orders/{id}`
        const route = method ? new RegExp(`/Default((?:/[^/]+)*)/${method}$`).exec(displayName(resource))?.[1] : undefined;
        const label = route !== undefined ? `${method} ${route || '/'}` : method ? `${method} ${displayName(resource)}` : displayName(resource);
        this.edge(api, fnKey, true, label, { template, path: at('Integration') });
        return;
      }
      case 'AWS::ApiGateway::Authorizer': {
        // a Lambda authorizer: API Gateway waits for it before every request it guards
        const fnKey = this.fnKey(template, props['AuthorizerUri']);
        if (!fnKey) return;
        this.trigger(fnKey, 'API', template, at('AuthorizerUri'));
        const apiId = refTarget(props['RestApiId'], template);
        const api = (apiId ? this.resourceNode(template, apiId) : undefined) ?? this.node(key(template, 'ApiGatewayRestApi'), 'api', 'ApiGatewayRestApi');
        this.edge(api, fnKey, true, `authorizer ${displayName(resource)}`, { template, path: at('AuthorizerUri') });
        return;
      }
      case 'AWS::Serverless::Api':
      case 'AWS::Serverless::HttpApi': {
        // SAM Lambda authorizers (`Auth.Authorizers.<name>.FunctionArn`)
        const authorizers = getIn(props['Auth'], ['Authorizers']);
        if (!isPlainObject(authorizers)) return;
        const api = this.resourceNode(template, resource.id) ?? this.node(key(template, resource.id), 'api', displayName(resource));
        for (const [name, authorizer] of Object.entries(authorizers)) {
          if (!isPlainObject(authorizer)) continue;
          const fnKey = this.fnKey(template, authorizer['FunctionArn']);
          if (!fnKey) continue;
          const path = at('Auth', 'Authorizers', name, 'FunctionArn');
          this.trigger(fnKey, 'API', template, path);
          this.edge(api, fnKey, true, `authorizer ${name}`, { template, path });
        }
        return;
      }
      case 'AWS::ApiGatewayV2::Integration': {
        const fnKey = this.fnKey(template, props['IntegrationUri']);
        if (!fnKey) return;
        this.trigger(fnKey, 'API', template, at('IntegrationUri'));
        const apiId = refTarget(props['ApiId'], template);
        const api = (apiId ? this.resourceNode(template, apiId) : undefined) ?? this.node(key(template, 'HttpApi'), 'api', 'HttpApi');
        this.edge(api, fnKey, true, this.nodes.get(api)!.label, { template, path: at('IntegrationUri') });
        return;
      }
      case 'AWS::ElasticLoadBalancingV2::TargetGroup': {
        if (str(props['TargetType']) !== 'lambda' || !Array.isArray(props['Targets'])) return;
        props['Targets'].forEach((t, i) => {
          if (isPlainObject(t)) this.trigger(this.fnKey(template, t['Id']), 'ALB', template, at('Targets', i));
        });
        return;
      }
      case 'AWS::AppSync::DataSource': {
        this.trigger(this.fnKey(template, getIn(props['LambdaConfig'], ['LambdaFunctionArn'])), 'AppSync', template, resource.path);
        return;
      }
      default:
        return;
    }
  }

  /** A function URL: an HTTP entry point of its own, shown as an API node. */
  private urlEdge(template: Template, fnKey: string, p: PathSegment[]): void {
    const label = `${this.nodes.get(fnKey)?.label ?? fnKey} URL`;
    this.edge(this.node(`${fnKey}#url`, 'api', label), fnKey, true, label, { template, path: p });
  }

  private targetNode(template: Template, value: IacValue | undefined): string | undefined {
    const id = refTarget(value, template);
    return id ? this.resourceNode(template, id) : undefined;
  }

  // -------------------------------------------------------------------------------------------
  // Per-file context
  // -------------------------------------------------------------------------------------------

  /** The context the project gives a code file; undefined for files no template links. */
  fileContext(file: string): FileProjectContext | undefined {
    const abs = path.resolve(file);
    const cached = this.contexts.get(abs);
    if (cached) return cached;
    const fns = this.byFile.get(abs);
    if (!fns) return undefined;
    const env: Record<string, EnvBinding> = {};
    let evidence: ContextEvidence | undefined;
    let batch: FileProjectContext['reportsBatchItemFailures'];
    let ignored: FileProjectContext['ignoresBatchItemFailures'];
    for (const fn of fns) {
      for (const [name, binding] of Object.entries(this.environment(fn))) env[name] ??= binding;
      // template wiring, and the asynchronous invocations found in code before any context was
      // made (the others arrive while files are analysed, in any order)
      const first =
        fn.triggers.find((t) => (AT_LEAST_ONCE.has(t.kind) || t.retriedBy !== undefined) && !t.fromCode) ?? fn.triggers.find((t) => t.fromCode && t.early);
      if (first && evidence?.context !== 'at-least-once') {
        let reason: string;
        if (first.retriedBy !== undefined) reason = `run by the Step Functions task \`${first.retriedBy}\`, whose Retry runs it again`;
        else if (first.fromCode) {
          const { caller, through } = this.codeTrigger(first);
          reason = caller === displayName(fn.resource) ? 'invoked asynchronously by its own code' : `invoked asynchronously by \`${caller}\` ${through}`;
        } else reason = `wired to ${first.kind}`;
        evidence = { context: 'at-least-once', reason: `${reason} as the handler of \`${displayName(fn.resource)}\``, source: first.kind };
      }
      const request = fn.triggers.find((t) => REQUEST_PATH.has(t.kind));
      if (request && !evidence) evidence = { context: 'request-path', reason: `wired to ${request.kind} as the handler of \`${displayName(fn.resource)}\`` };
      const reporting = fn.triggers.find((t) => t.reportsBatchItemFailures);
      if (reporting && !batch) batch = { source: `${reporting.kind} event source of \`${displayName(fn.resource)}\`` };
      const ignoring = fn.triggers.find((t) => t.ignoresBatchItemFailures);
      if (ignoring && !ignored) ignored = { source: `${ignoring.kind} event source of \`${displayName(fn.resource)}\``, file: ignoring.template.file };
    }
    const context: FileProjectContext = { functions: fns.map((f) => displayName(f.resource)), env };
    if (evidence) context.evidence = evidence;
    const wired = wiredContexts(fns);
    if (wired) context.wired = wired;
    if (batch) context.reportsBatchItemFailures = batch;
    if (ignored) context.ignoresBatchItemFailures = ignored;
    this.contexts.set(abs, context);
    return context;
  }

  /** Environment variables of a function that point at resources of its template. */
  environment(fn: ProjectFunction): Record<string, EnvBinding> {
    const vars = getIn(fn.resource.properties, ['Environment', 'Variables']);
    const out: Record<string, EnvBinding> = {};
    if (!isPlainObject(vars)) return out;
    for (const [name, value] of Object.entries(vars)) {
      const binding = this.binding(fn.template, value);
      if (!binding) continue;
      const note = defaultsNote(fn.template, [...fn.resource.path, 'Properties', 'Environment', 'Variables', name]);
      out[name] = note ? { ...binding, defaults: note } : binding;
    }
    return out;
  }

  private binding(template: Template, value: IacValue): EnvBinding | undefined {
    let id = refTarget(value, template);
    if (!id && !(typeof value === 'string')) {
      const ids = [...references(value, template).ids].filter((i) => template.resources.has(i) && nodeKindOf(template.resources.get(i)!));
      if (ids.length === 1) id = ids[0];
    }
    if (!id && typeof value === 'string') {
      // a literal function name or ARN
      const fnId = functionRef(template, value);
      if (fnId) id = fnId;
    }
    if (!id) {
      // a literal URL: an HTTP service outside the template (its host tells whether it is internal)
      const host = typeof value === 'string' ? serviceHost(value) : undefined;
      return host ? { kind: 'http', node: this.node(`http:${host}`, 'http', host), label: host } : undefined;
    }
    if (template.resources.get(id)?.type === 'AWS::Lambda::Alias' || template.resources.get(id)?.type === 'AWS::Lambda::Version') id = functionRef(template, value) ?? id;
    const resource = template.resources.get(id);
    if (!resource) return undefined;
    const kind = nodeKindOf(resource);
    if (!kind) return undefined;
    const node = this.resourceNode(template, id)!;
    const binding: EnvBinding = { kind, node, label: this.nodes.get(node)?.label ?? displayName(resource) };
    if (kind === 'queue' || kind === 'topic') {
      const p = resource.properties;
      const fifo = p['FifoQueue'] ?? p['FifoTopic'];
      if (fifo === true || fifo === 'true') binding.fifo = true;
      const cbd = p['ContentBasedDeduplication'];
      if (cbd === true || cbd === 'true') binding.contentBasedDeduplication = true;
      else if (isAbsent(cbd) || cbd === false || cbd === 'false') binding.contentBasedDeduplication = false;
    }
    return binding;
  }

  // -------------------------------------------------------------------------------------------
  // Code edges
  // -------------------------------------------------------------------------------------------

  /** Records a linked handler file's text: whether it builds a partial batch response (see `batchResponder`). */
  addHandlerText(file: string, text: string): void {
    if (PARTIAL_RESPONSE_TEXT.test(text)) this.batchResponders.add(path.resolve(file));
  }

  /**
   * The handler file of a template's function when that file builds a partial batch response
   * (`batchItemFailures`, Powertools' `processPartialResponse`), as the scan's code files show.
   */
  batchResponder(template: Template, functionId: string): string | undefined {
    const file = this.functions.get(key(template, functionId))?.handlerFile;
    return file !== undefined && this.batchResponders.has(file) ? file : undefined;
  }

  /** The handler files templates link, as absolute paths. */
  handlerFiles(): string[] {
    return [...this.byFile.keys()];
  }

  /**
   * Adds the edges of the calls found in a linked handler file, and the triggers its asynchronous
   * invocations make. `early`: read before any file's context was made, so that those triggers are
   * part of the contexts of the functions they invoke (see `fileContext`); only the triggers are
   * added then, the edges when the file's calls come again in discovery order.
   */
  addCodeCalls(file: string, calls: readonly CodeCall[], early = false): void {
    const abs = path.resolve(file);
    const fns = this.byFile.get(abs);
    if (!fns) return;
    const triggered = this.earlyFiles.has(abs);
    if (early) this.earlyFiles.add(abs);
    const trigger: typeof this.trigger = (...args) => {
      if (!triggered) this.trigger(...args);
    };
    const edge: typeof this.edge = (...args) => {
      if (!early) this.edge(...args);
    };
    // one file, several functions with different handlers: a call inside one handler is that function's
    const shared = new Set(fns.map((f) => f.handlerExport)).size > 1;
    const exported = new Set(fns.map((f) => f.handlerExport));
    for (const fn of fns) {
      const env = this.environment(fn);
      for (const call of calls) {
        if (shared && call.container && exported.has(call.container) && call.container !== fn.handlerExport) continue;
        // early, only invocations matter (graph nodes are named in the order the edges come)
        if (early && call.operation !== 'Invoke') continue;
        const location = { file, start: call.start, end: call.end };
        let to: string | undefined;
        if (call.self) {
          to = fn.key;
          if (call.operation === 'Invoke' && !call.sync) {
            const own = displayName(fn.resource);
            trigger(fn.key, 'async invoke', fn.template, [...fn.resource.path], { fromCode: true, ...(early ? { early } : {}), caller: own, through: 'by its own name' });
          }
        } else if (call.env) {
          const binding = env[call.env];
          if (!binding || (binding.kind === 'http' && call.operation !== 'HTTP')) {
            // an HTTP call to a URL the template sets literally: an external service
            const literal = str(getIn(fn.resource.properties, ['Environment', 'Variables', call.env]));
            const host = call.operation === 'HTTP' && literal ? serviceHost(literal) : undefined;
            if (host) edge(fn.key, this.node(`http:${host}`, 'http', host), true, 'HTTP', location, 'code');
            continue;
          }
          to = binding.node;
          if (call.operation === 'Invoke' && binding.kind === 'function' && !call.sync) {
            trigger(binding.node, 'async invoke', fn.template, [...fn.resource.path, 'Properties', 'Environment', 'Variables', call.env], {
              fromCode: true,
              ...(early ? { early } : {}),
            });
          }
        } else if (call.functionName) {
          // `FunctionName: 'orders-worker'`: the one function of the caller's deployment unit with that name
          const target = this.functionNamed(fn, call.functionName);
          if (!target) continue;
          to = target.key;
          if (call.operation === 'Invoke' && !call.sync) {
            trigger(target.key, 'async invoke', target.template, [...target.resource.path, 'Properties', 'FunctionName'], {
              fromCode: true,
              ...(early ? { early } : {}),
              caller: displayName(fn.resource),
              through: `by its name \`${call.functionName}\``,
            });
          }
        } else if (call.host) {
          to = this.node(`http:${call.host}`, 'http', call.host);
        }
        edge(fn.key, to, call.sync, call.operation, location, 'code', call.made);
      }
    }
  }

  /** The only function of `caller`'s deployment unit whose `FunctionName` is `name`, written out (`functionRef` in each template). */
  private functionNamed(caller: ProjectFunction, name: string): ProjectFunction | undefined {
    const unit = this.unitOf(caller.key);
    const found = new Set<ProjectFunction>();
    for (const template of this.templates) {
      const id = functionRef(template, name);
      const fn = id ? this.functions.get(key(template, id)) : undefined;
      if (fn && fn !== caller && this.unitOf(fn.key) === unit) found.add(fn);
    }
    return found.size === 1 ? [...found][0] : undefined;
  }

  /**
   * The deployment unit of a graph node: the unit of the template that declares the resource (or
   * the function of a code call); external HTTP services belong to none.
   */
  unitOf(nodeId: string): DeploymentUnit | undefined {
    if (this.unitFiles?.count !== this.templates.length) {
      const units = deploymentUnits(this.templates);
      this.unitFiles = { count: this.templates.length, byFile: new Map([...units].map(([t, u]) => [t.file, u])) };
    }
    const byFile = this.unitFiles.byFile;
    for (let at = nodeId.indexOf('#'); at >= 0; at = nodeId.indexOf('#', at + 1)) {
      const unit = byFile.get(nodeId.slice(0, at));
      if (unit) return unit;
    }
    return undefined;
  }

  /** The function whose code makes a trigger found in code, and how the code names the target. */
  private codeTrigger(t: Trigger): { caller: string; through: string } {
    const fn = t.caller === undefined ? [...this.functions.values()].find((f) => f.template === t.template && t.path[1] === f.resource.id) : undefined;
    const caller = t.caller ?? (fn ? displayName(fn.resource) : String(t.path[1]));
    return { caller, through: t.through ?? `through \`${String(t.path[t.path.length - 1])}\`` };
  }

  /** Functions invoked asynchronously from code, with the environment variable that names them. */
  asyncInvokes(): AsyncInvoke[] {
    const out: AsyncInvoke[] = [];
    const seen = new Set<string>();
    for (const fn of this.functions.values()) {
      for (const t of fn.triggers) {
        if (!t.fromCode) continue;
        const k = `${fn.key}\u0000${t.template.file}\u0000${t.path.join('.')}`;
        if (seen.has(k)) continue;
        seen.add(k);
        const { caller, through } = this.codeTrigger(t);
        const self = t.template === fn.template && t.path.length === fn.resource.path.length && t.path.every((s, i) => s === fn.resource.path[i]);
        out.push({ template: fn.template, functionId: fn.resource.id, via: { template: t.template, path: t.path }, caller, through, ...(self ? { self } : {}) });
      }
    }
    return out;
  }
}

/** A function invoked asynchronously from code (`self`: by its own code, by its own name). */
export interface AsyncInvoke {
  template: Template;
  functionId: string;
  via: { template: Template; path: PathSegment[] };
  caller: string;
  through: string;
  self?: boolean;
}

/** Model per template list (the engine registers it; IaC evidence providers look it up). */
const MODELS = new WeakMap<readonly Template[], ProjectModel>();

export function registerProject(templates: readonly Template[], model: ProjectModel): void {
  MODELS.set(templates, model);
}

export function projectOf(templates: readonly Template[]): ProjectModel | undefined {
  return MODELS.get(templates);
}

