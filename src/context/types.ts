/**
 * The vocabulary of the project model: trigger kinds (and which of them deliver at least once or
 * sit on a request path), graph nodes and edges with the place that declares them, the functions
 * of the templates with their triggers and handler files, the per-file context a linked handler
 * file is given (plain data, part of the cache key), the calls a handler file makes that the model
 * turns into edges, and which resource types the graph shows as which kind of node.
 */
import type { PathSegment, Resource, Template } from '../iac/model.js';
import type { ContextEvidence, ExecutionContext } from '../code/evidence.js';

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

/** Triggers that deliver an event at least once: a handler may see it again. */
export const AT_LEAST_ONCE: ReadonlySet<TriggerKind> = new Set([
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
/** Triggers whose caller waits for the handler. */
export const REQUEST_PATH: ReadonlySet<TriggerKind> = new Set(['API', 'ALB', 'URL', 'AppSync']);

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
  /** For a call a handler makes through a helper of another module: where the helper makes it. */
  made?: Location;
}

export interface Trigger {
  kind: TriggerKind;
  /** Where the wiring is declared. */
  template: Template;
  path: PathSegment[];
  /** Event source mapping with `ReportBatchItemFailures`. */
  reportsBatchItemFailures?: boolean;
  /** SQS, Kinesis or DynamoDB Streams mapping whose `FunctionResponseTypes` certainly lacks `ReportBatchItemFailures`. */
  ignoresBatchItemFailures?: boolean;
  /**
   * A Step Functions task whose retriers repeat the function after a run that may have done its
   * work (an error it threw, a timeout, a Lambda service error): its name. The function runs at
   * least once per task, as for the triggers of `AT_LEAST_ONCE`.
   */
  retriedBy?: string;
  /**
   * Found in handler code (an `Event` invocation), not in a template. Part of per-file contexts
   * only when `early`: found before any context was made (see `ProjectModel.addCodeCalls`).
   */
  fromCode?: boolean;
  early?: boolean;
  /** For a trigger found in code: the function whose code it is, and how the code names the target. */
  caller?: string;
  through?: string;
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
  /**
   * Queues and topics: FIFO (`FifoQueue` / `FifoTopic`) and content-based deduplication (false when
   * the template leaves it off; undefined when its value cannot be known).
   */
  fifo?: boolean;
  contentBasedDeduplication?: boolean;
  /** The template parameters whose defaults decided the value ("with parameter `X` at its default `y`"). */
  defaults?: string;
}

/** The per-file context the model gives a handler file (plain data: part of the cache key). */
export interface FileProjectContext {
  evidence?: ContextEvidence;
  /**
   * When templates wire every function of this file to its triggers: the execution contexts those
   * triggers give (none for a function only a state machine invokes). What the code's own use of
   * the event suggests (`event.detail`, `event.Records[].body`) yields to it.
   */
  wired?: ExecutionContext[];
  /** Functions of the templates whose handler is this file. */
  functions: string[];
  env: Record<string, EnvBinding>;
  /** Some function of this file has an event source mapping with ReportBatchItemFailures. */
  reportsBatchItemFailures?: { source: string };
  /** Some function of this file has an SQS or stream mapping without ReportBatchItemFailures, and the template (absolute path) that declares it. */
  ignoresBatchItemFailures?: { source: string; file: string };
}

/** A call found in a handler file that targets something named by an environment variable or URL. */
export interface CodeCall {
  /** `Invoke`, `SendMessage`, `SendMessageBatch`, `Publish`, `PutEvents`, `StartExecution`, `StartSyncExecution`, `HTTP`. */
  operation: string;
  sync: boolean;
  /** Environment variable naming the target. */
  env?: string;
  /** For an `Invoke` whose `FunctionName` is written out (a name or an ARN): the function's name. */
  functionName?: string;
  /** For an `Invoke`: the function invokes itself (`context.functionName`, `process.env.AWS_LAMBDA_FUNCTION_NAME`). */
  self?: boolean;
  /** Literal external host for HTTP calls. */
  host?: string;
  /** Name of the top-level declaration (an export such as `handler`) that contains the call. */
  container?: string;
  /** Span of the handler file: the call itself, or the call of the helper (in another module) that makes it. */
  start: number;
  end: number;
  /** For a call made by a helper in another module: where it is made. */
  made?: { file: string; start: number; end: number };
}

/**
 * The host of an `http(s)://` URL, when it names another service: none for the function's own
 * sandbox (`localhost`, `127.0.0.1`: a Lambda extension such as AppConfig's on port 2772).
 */
export function serviceHost(url: string): string | undefined {
  const host = /^https?:\/\/([^/:?#\s]+)/.exec(url.trim())?.[1];
  return host !== undefined && !/^(?:localhost|127(?:\.\d{1,3}){3}|0\.0\.0\.0|\[.*)$/i.test(host) ? host : undefined;
}

/** The kind of graph node a resource is, when the graph shows it. */
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

/** Text of a handler module that builds a partial batch response (`batchItemFailures`, or a helper library that does). */
export const PARTIAL_RESPONSE_TEXT = /batchItemFailures|processPartialResponse|BatchProcessor|PartialBatch|partialBatch/;
