/**
 * The project model: every template of a scan linked to the handler code it deploys, and the
 * interaction graph between functions, queues, topics, buses, state machines, APIs and external
 * HTTP services.
 *
 * - Functions (CloudFormation, SAM, Serverless, Terraform and CDK synth all load into the same
 *   resource model) get their trigger kinds from template wiring (SAM events, event source
 *   mappings, SNS subscriptions, EventBridge rule and Scheduler targets, permissions, function
 *   URLs, API integrations, Step Functions tasks) and their handler source file (SAM `CodeUri` +
 *   `Handler`, Serverless `handler`, the CDK `NodejsFunction` layout, `.js` mapped back to `.ts`).
 * - Each linked handler file gets a per-file context (`FileProjectContext`): the execution
 *   context the triggers imply and what each environment variable the template sets points at.
 *   It is plain data, so that the per-file code analysis stays a pure function of (text, context).
 * - Code calls (`CodeCall`) found in linked files become edges through those environment
 *   variables (`process.env.TAX_FUNCTION` → a function).
 */
import path from 'node:path';
import type { IacValue, PathSegment, Resource, Template } from '../iac/model.js';
import { Intrinsic, isPlainObject } from '../iac/model.js';
import { displayName, eventSourceMappings, getIn, isAbsent, references, refTarget } from '../iac/resources.js';
import { functionRef, functions } from '../iac/lambda.js';
import { samFunctionEvents } from '../iac/sam.js';
import { arnText, isLambdaTask, stateMachines, statesOf, substituted } from '../iac/asl.js';
import type { ContextEvidence } from '../code/evidence.js';

export type TriggerKind =
  | 'API'
  | 'ALB'
  | 'URL'
  | 'AppSync'
  | 'SQS'
  | 'SNS'
  | 'EventBridge'
  | 'Scheduler'
  | 'Kinesis'
  | 'DynamoDB Streams'
  | 'Kafka'
  | 'MQ'
  | 'S3'
  | 'CloudWatch Logs'
  | 'async invoke'
  | 'Step Functions';

const AT_LEAST_ONCE: ReadonlySet<TriggerKind> = new Set([
  'SQS',
  'SNS',
  'EventBridge',
  'Scheduler',
  'Kinesis',
  'DynamoDB Streams',
  'Kafka',
  'MQ',
  'S3',
  'CloudWatch Logs',
  'async invoke',
]);
const REQUEST_PATH: ReadonlySet<TriggerKind> = new Set(['API', 'ALB', 'URL', 'AppSync']);

export type NodeKind = 'function' | 'queue' | 'topic' | 'bus' | 'state-machine' | 'api' | 'http' | 'stream' | 'bucket' | 'schedule';

/** Where an edge is declared: a template path or a span of a code file. */
export type Location = { template: Template; path: PathSegment[] } | { file: string; start: number; end: number };

export interface GraphNode {
  id: string;
  kind: NodeKind;
  label: string;
}

export interface GraphEdge {
  from: string;
  to: string;
  /** The caller waits for the callee. */
  sync: boolean;
  /** `Invoke`, `SendMessage`, `HTTP`, the SAM event id of an API route, `ESM`, ... */
  label: string;
  via: 'template' | 'code';
  location: Location;
}

export interface Trigger {
  kind: TriggerKind;
  /** Where the wiring is declared. */
  template: Template;
  path: PathSegment[];
  /** Event source mapping with `ReportBatchItemFailures`. */
  reportsBatchItemFailures?: boolean;
  /** Found in handler code (an `Event` invocation), not in a template: not part of per-file contexts. */
  fromCode?: boolean;
}

export interface ProjectFunction {
  /** Graph node id. */
  key: string;
  template: Template;
  resource: Resource;
  label: string;
  triggers: Trigger[];
  /** Absolute path of the handler source file when it is among the scanned files. */
  handlerFile?: string;
  /** Exported handler name (`handler` of `app.handler`). */
  handlerExport?: string;
}

/** What an environment variable set by the template points at. */
export interface EnvBinding {
  kind: NodeKind;
  /** Graph node id. */
  node: string;
  label: string;
  /** Queues and topics: FIFO (`FifoQueue` / `FifoTopic`) and content-based deduplication. */
  fifo?: boolean;
  contentBasedDeduplication?: boolean;
}

/** The per-file context the model gives a handler file (plain data: part of the cache key). */
export interface FileProjectContext {
  evidence?: ContextEvidence;
  /** Functions of the templates whose handler is this file. */
  functions: string[];
  env: Record<string, EnvBinding>;
  /** Some function of this file has an event source mapping with ReportBatchItemFailures. */
  reportsBatchItemFailures?: { source: string };
}

/** A call found in a handler file that targets something named by an environment variable or URL. */
export interface CodeCall {
  /** `Invoke`, `SendMessage`, `SendMessageBatch`, `Publish`, `PutEvents`, `StartExecution`, `StartSyncExecution`, `HTTP`. */
  operation: string;
  sync: boolean;
  /** Environment variable naming the target. */
  env?: string;
  /** Literal external host for HTTP calls. */
  host?: string;
  /** Name of the top-level declaration (an export such as `handler`) that contains the call. */
  container?: string;
  start: number;
  end: number;
}

const CODE_EXTENSIONS = ['.ts', '.mts', '.cts', '.tsx', '.js', '.mjs', '.cjs'];

function key(template: Template, id: string): string {
  return `${template.file}#${id}`;
}

/** Literal string of a template value, or undefined. */
function str(value: IacValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export class ProjectModel {
  readonly nodes = new Map<string, GraphNode>();
  readonly edges: GraphEdge[] = [];
  readonly functions = new Map<string, ProjectFunction>();
  private readonly byFile = new Map<string, ProjectFunction[]>();
  private readonly contexts = new Map<string, FileProjectContext>();
  private readonly codeFiles: Set<string>;

  /**
   * `twinOf` gives the CDK source construct of a synthesized resource, when the scan holds both:
   * the handler file the source names is linked to the synthesized function.
   */
  constructor(
    readonly templates: readonly Template[],
    codeFiles: Iterable<string>,
    private readonly twinOf?: (template: Template, id: string) => { template: Template; resource: Resource } | undefined,
  ) {
    this.codeFiles = new Set([...codeFiles].map((f) => path.resolve(f)));
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

  private edge(from: string | undefined, to: string | undefined, sync: boolean, label: string, location: Location, via: GraphEdge['via'] = 'template'): void {
    if (!from || !to) return;
    this.edges.push({ from, to, sync, label, via, location });
  }

  // -------------------------------------------------------------------------------------------
  // Templates
  // -------------------------------------------------------------------------------------------

  private addTemplate(template: Template): void {
    for (const resource of functions(template)) {
      const handler = this.handlerOf(template, resource);
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
        const invoke = resourceText !== undefined && /:states:::lambda:invoke$/.test(resourceText);
        if (!invoke && !isLambdaTask(state) && !(resourceText && /:lambda:.*:function:/.test(resourceText))) continue;
        const params = isPlainObject(state.state['Parameters']) ? state.state['Parameters'] : isPlainObject(state.state['Arguments']) ? state.state['Arguments'] : undefined;
        const target = invoke ? substituted(machine, params?.['FunctionName']) : resource;
        // a literal ARN built with Fn::Sub (`arn:aws:lambda:${AWS::Region}:...:function:name`) names the function
        const text = target instanceof Intrinsic ? arnText(target)?.replace(/\$\{[^}]*\}/g, '*') : undefined;
        const fnKey = this.fnKey(machine.owner, target) ?? (text ? this.fnKey(machine.owner, text) : undefined);
        this.trigger(fnKey, 'Step Functions', machine.template, state.path);
        this.edge(smKey, fnKey, true, state.name, { template: machine.template, path: state.path });
      }
    }
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
      this.trigger(fnKey, kind, template, mapping.path, { reportsBatchItemFailures: reports });
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
  // Handler files
  // -------------------------------------------------------------------------------------------

  private handlerOf(template: Template, fn: Resource): { file?: string; exportName?: string } {
    const handler = str(fn.properties['Handler']);
    const dir = path.dirname(template.file);
    const exportName = handler ? handler.slice(handler.lastIndexOf('.') + 1) : undefined;
    const moduleOf = (h: string): string => h.slice(0, h.lastIndexOf('.'));
    // SAM: CodeUri + Handler; esbuild builds name their entry points
    if (fn.type === 'AWS::Serverless::Function') {
      const declared = fn.properties['CodeUri'];
      // an S3 location, a parameter or an image: no source to link
      if ((declared !== undefined && typeof declared !== 'string') || fn.properties['PackageType'] === 'Image' || !isAbsent(fn.properties['InlineCode'])) return { exportName };
      const codeUri = str(declared) ?? '.';
      if (/^s3:\/\//.test(codeUri)) return { exportName };
      const base = path.resolve(dir, codeUri);
      const entries = getIn(fn.metadata, ['BuildProperties', 'EntryPoints']);
      if (Array.isArray(entries)) {
        for (const e of entries) {
          const file = typeof e === 'string' ? this.findSource(path.resolve(base, e.replace(/\.[cm]?[jt]sx?$/, ''))) : undefined;
          if (file && handler && path.basename(file).replace(/\.[^.]+$/, '') === path.basename(moduleOf(handler))) return { file, exportName };
        }
        if (entries.length === 1 && typeof entries[0] === 'string') {
          const file = this.findSource(path.resolve(base, entries[0].replace(/\.[cm]?[jt]sx?$/, '')));
          if (file) return { file, exportName };
        }
      }
      if (!handler || !handler.includes('.')) return { exportName };
      return { file: this.findSource(path.resolve(base, moduleOf(handler))), exportName };
    }
    if (template.format === 'serverless') {
      if (!handler || !handler.includes('.')) return { exportName };
      return { file: this.findSource(path.resolve(dir, moduleOf(handler))), exportName };
    }
    if (template.format === 'cdk-source') return this.cdkAppHandler(template, fn);
    if (template.format === 'cdk' || fn.metadata?.['aws:cdk:path'] !== undefined) {
      const twin = this.twinOf?.(template, fn.id);
      const linked = twin ? this.cdkAppHandler(twin.template, twin.resource) : undefined;
      if (linked?.file) return linked;
      return { file: this.cdkSource(template, fn), exportName };
    }
    if (template.format === 'terraform' && handler && handler.includes('.')) return { file: this.terraformSource(dir, moduleOf(handler)), exportName };
    return { exportName };
  }

  /** A scanned source file for a module path without extension; `.js` builds mapped back to `.ts` sources. */
  private findSource(modulePath: string): string | undefined {
    const candidates = [modulePath];
    // dist/x → src/x, build/x → src/x, lib/x → src/x
    const mapped = modulePath.replace(/([\\/])(?:dist|build|out|\.build)([\\/])/, '$1src$2');
    if (mapped !== modulePath) candidates.push(mapped);
    for (const candidate of candidates) {
      for (const ext of CODE_EXTENSIONS) if (this.codeFiles.has(candidate + ext)) return candidate + ext;
      for (const ext of CODE_EXTENSIONS) if (this.codeFiles.has(path.join(candidate, `index${ext}`))) return path.join(candidate, `index${ext}`);
    }
    return undefined;
  }

  /**
   * CDK: a `NodejsFunction` with id `Id` in construct file `x.ts` bundles `x.Id.ts` beside it by
   * default; the synthesized template only keeps `aws:cdk:path` (Stack/.../Id/Resource) and the
   * asset path in `cdk.out`. Looks for a unique scanned `*.Id.ts` file in the project (the folder
   * that holds `cdk.out`), then for a source beside the bundled asset.
   */
  private cdkSource(template: Template, fn: Resource): string | undefined {
    const cdkPath = str(fn.metadata?.['aws:cdk:path']);
    const parts = cdkPath?.split('/').filter((s) => s !== 'Resource') ?? [];
    const id = parts[parts.length - 1];
    const outDir = template.file.split(path.sep).lastIndexOf('cdk.out');
    const root = outDir > 0 ? template.file.split(path.sep).slice(0, outDir).join(path.sep) : path.dirname(template.file);
    if (id) {
      const found = (this.entryIndex().get(id) ?? []).filter((f) => f.startsWith(root + path.sep) && !f.includes(`${path.sep}cdk.out${path.sep}`));
      const ts = found.filter((f) => /\.[cm]?tsx?$/.test(f));
      if (ts.length === 1) return ts[0];
      if (found.length === 1) return found[0];
    }
    const asset = str(fn.metadata?.['aws:asset:path']);
    if (asset) {
      const handler = str(fn.properties['Handler']);
      const mod = handler && handler.includes('.') ? handler.slice(0, handler.lastIndexOf('.')) : 'index';
      return this.findSource(path.resolve(path.dirname(template.file), asset, mod));
    }
    return undefined;
  }

  /**
   * CDK app code: the handler the construct names (`rel4lint:handler` metadata, see
   * `src/cdk/functions.ts`): a `NodejsFunction` entry file and export, or the module of `handler`
   * (`orders.handler`) in a `Code.fromAsset` folder. A relative path is relative to the folder the
   * CDK app runs in: the stack file's folder or one above it, the nearest that holds the file.
   */
  private cdkAppHandler(template: Template, fn: Resource): { file?: string; exportName?: string } {
    const code = fn.metadata?.['rel4lint:handler'];
    if (!isPlainObject(code)) return {};
    const entry = str(code['entry']);
    if (entry !== undefined) return { file: this.appSource(template.file, entry.replace(/\.[cm]?[jt]sx?$/, '')), exportName: str(code['export']) };
    const asset = str(code['asset']);
    const handler = str(fn.properties['Handler']);
    if (asset === undefined || !handler || !handler.includes('.')) return {};
    const exportName = handler.slice(handler.lastIndexOf('.') + 1);
    return { file: this.appSource(template.file, path.join(asset, handler.slice(0, handler.lastIndexOf('.')))), exportName };
  }

  /** A scanned source for a module path of a CDK app (see `cdkAppHandler`). */
  private appSource(stackFile: string, modulePath: string): string | undefined {
    if (path.isAbsolute(modulePath)) return this.findSource(modulePath);
    let dir = path.dirname(stackFile);
    for (let level = 0; level < 4; level++) {
      const found = this.findSource(path.resolve(dir, modulePath));
      if (found) return found;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
    return undefined;
  }

  /**
   * Terraform: the package (`filename`, or an `archive_file` of a `source_dir`) is usually built
   * from a folder beside the configuration. The handler's module is looked for in the `.tf` file's
   * folder and up to two levels below it, and used only when exactly one scanned file matches.
   */
  private terraformSource(dir: string, module: string): string | undefined {
    const found = new Set<string>();
    const suffix = `${path.sep}${module.split('/').join(path.sep)}`;
    for (const f of this.codeFiles) {
      if (!f.startsWith(dir + path.sep)) continue;
      const rest = f.slice(dir.length);
      if (rest.includes(`${path.sep}node_modules${path.sep}`) || rest.split(path.sep).length > 4 + module.split('/').length - 1) continue;
      const base = rest.replace(/\.[cm]?[jt]sx?$/, '');
      const noIndex = base.replace(/[\\/]index$/, '');
      if (base.endsWith(suffix) || (noIndex !== base && noIndex.endsWith(suffix))) found.add(this.preferTs(f));
    }
    return found.size === 1 ? [...found][0] : undefined;
  }

  /** `x.js` → `x.ts` (or `dist/x.js` → `src/x.ts`) when that source is scanned too. */
  private preferTs(file: string): string {
    if (!/\.[cm]?js$/.test(file)) return file;
    return this.findSource(file.replace(/\.[cm]?js$/, '')) ?? file;
  }

  private entries?: Map<string, string[]>;

  /** Scanned files named `<construct file>.<id>.<ext>`, by id (the NodejsFunction entry convention). */
  private entryIndex(): Map<string, string[]> {
    if (this.entries) return this.entries;
    this.entries = new Map();
    for (const f of this.codeFiles) {
      const parts = path.basename(f).split('.');
      if (parts.length < 3) continue;
      const id = parts[parts.length - 2];
      const list = this.entries.get(id) ?? [];
      list.push(f);
      this.entries.set(id, list);
    }
    return this.entries;
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
    for (const fn of fns) {
      for (const [name, binding] of Object.entries(this.environment(fn))) env[name] ??= binding;
      // only template wiring: code-found triggers arrive while files are analysed, in any order
      const first = fn.triggers.find((t) => AT_LEAST_ONCE.has(t.kind) && !t.fromCode);
      if (first && evidence?.context !== 'at-least-once') {
        evidence = { context: 'at-least-once', reason: `wired to ${first.kind} as the handler of \`${displayName(fn.resource)}\``, source: first.kind };
      }
      const request = fn.triggers.find((t) => REQUEST_PATH.has(t.kind));
      if (request && !evidence) evidence = { context: 'request-path', reason: `wired to ${request.kind} as the handler of \`${displayName(fn.resource)}\`` };
      const reporting = fn.triggers.find((t) => t.reportsBatchItemFailures);
      if (reporting && !batch) batch = { source: `${reporting.kind} event source of \`${displayName(fn.resource)}\`` };
    }
    const context: FileProjectContext = { functions: fns.map((f) => displayName(f.resource)), env };
    if (evidence) context.evidence = evidence;
    if (batch) context.reportsBatchItemFailures = batch;
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
      if (binding) out[name] = binding;
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
    if (!id) return undefined;
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
    }
    return binding;
  }

  // -------------------------------------------------------------------------------------------
  // Code edges
  // -------------------------------------------------------------------------------------------

  /** Adds the edges of the calls found in a linked handler file. */
  addCodeCalls(file: string, calls: readonly CodeCall[]): void {
    const fns = this.byFile.get(path.resolve(file));
    if (!fns) return;
    // one file, several functions with different handlers: a call inside one handler is that function's
    const shared = new Set(fns.map((f) => f.handlerExport)).size > 1;
    const exported = new Set(fns.map((f) => f.handlerExport));
    for (const fn of fns) {
      const env = this.environment(fn);
      for (const call of calls) {
        if (shared && call.container && exported.has(call.container) && call.container !== fn.handlerExport) continue;
        const location = { file, start: call.start, end: call.end };
        let to: string | undefined;
        if (call.env) {
          const binding = env[call.env];
          if (!binding) {
            // an HTTP call to a URL the template sets literally: an external service
            const literal = str(getIn(fn.resource.properties, ['Environment', 'Variables', call.env]));
            const host = call.operation === 'HTTP' && literal ? /^https?:\/\/([^/:?#]+)/.exec(literal)?.[1] : undefined;
            if (host) this.edge(fn.key, this.node(`http:${host}`, 'http', host), true, 'HTTP', location, 'code');
            continue;
          }
          to = binding.node;
          if (call.operation === 'Invoke' && binding.kind === 'function' && !call.sync) {
            this.trigger(binding.node, 'async invoke', fn.template, [...fn.resource.path, 'Properties', 'Environment', 'Variables', call.env], { fromCode: true });
          }
        } else if (call.host) {
          to = this.node(`http:${call.host}`, 'http', call.host);
        }
        this.edge(fn.key, to, call.sync, call.operation, location, 'code');
      }
    }
  }

  /** Functions invoked asynchronously from code, with the environment variable that names them. */
  asyncInvokes(): { template: Template; functionId: string; via: { template: Template; path: PathSegment[] }; caller: string }[] {
    const out: { template: Template; functionId: string; via: { template: Template; path: PathSegment[] }; caller: string }[] = [];
    const seen = new Set<string>();
    for (const fn of this.functions.values()) {
      for (const t of fn.triggers) {
        if (!t.fromCode) continue;
        const k = `${fn.key}\u0000${t.template.file}\u0000${t.path.join('.')}`;
        if (seen.has(k)) continue;
        seen.add(k);
        const caller = [...this.functions.values()].find((f) => f.template === t.template && t.path[1] === f.resource.id);
        out.push({ template: fn.template, functionId: fn.resource.id, via: { template: t.template, path: t.path }, caller: caller ? displayName(caller.resource) : String(t.path[1]) });
      }
    }
    return out;
  }
}

const GENERIC_NAMES = new Set(['index', 'handler', 'handlers', 'app', 'main', 'lambda', 'function', 'src', 'dist', 'lib', 'build', 'functions', 'lambdas', 'code']);

/** `create-order` for `src/handlers/create-order.ts`, `pricing` for `src/pricing/index.ts`; undefined for generic names. */
function fileLabel(file: string): string | undefined {
  const base = path.basename(file).replace(/\.[cm]?[jt]sx?$/, '');
  if (!GENERIC_NAMES.has(base)) return base;
  const parent = path.basename(path.dirname(file));
  return GENERIC_NAMES.has(parent) ? undefined : parent;
}

export function nodeKindOf(resource: Resource): NodeKind | undefined {
  switch (resource.type) {
    case 'AWS::Lambda::Function':
    case 'AWS::Serverless::Function':
    case 'AWS::Lambda::Alias':
    case 'AWS::Lambda::Version':
      return 'function';
    case 'AWS::SQS::Queue':
      return 'queue';
    case 'AWS::SNS::Topic':
      return 'topic';
    case 'AWS::Events::EventBus':
      return 'bus';
    case 'AWS::StepFunctions::StateMachine':
    case 'AWS::Serverless::StateMachine':
      return 'state-machine';
    case 'AWS::ApiGateway::RestApi':
    case 'AWS::ApiGatewayV2::Api':
    case 'AWS::Serverless::Api':
    case 'AWS::Serverless::HttpApi':
      return 'api';
    case 'AWS::Kinesis::Stream':
      return 'stream';
    case 'AWS::S3::Bucket':
      return 'bucket';
    default:
      return undefined;
  }
}

/** Model per template list (the engine registers it; IaC evidence providers look it up). */
const MODELS = new WeakMap<readonly Template[], ProjectModel>();

export function registerProject(templates: readonly Template[], model: ProjectModel): void {
  MODELS.set(templates, model);
}

export function projectOf(templates: readonly Template[]): ProjectModel | undefined {
  return MODELS.get(templates);
}

