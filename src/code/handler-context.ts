/**
 * Decides, from the code alone, in which context a function runs:
 * - 'at-least-once': the handler of SQS, SNS, EventBridge, Kinesis, DynamoDB Streams, S3,
 *   scheduled/async events, Kafka or MQ (duplicate deliveries are normal there);
 * - 'request-path': an API Gateway, ALB, function URL or AppSync handler, or an HTTP server route
 *   handler (Express, Fastify, Koa, Hono, Nest).
 * Evidence: declared `aws-lambda` types on the handler or its event parameter, how the event is used,
 * and route registrations on server objects recognised by import source (`app.get('/x', fn)`,
 * `fastify.route({ handler })`, `@Get()` methods of `@Controller()` classes).
 * Project context (templates wiring a function to a source) plugs in through `setFileContext`.
 */
import { ts } from './ts.js';
import { ancestors, isFunctionLike, unwrap, functionName, walk } from './walk.js';
import type { FileFacts } from './file-facts.js';
import { routeHandlers, lambdaEntryPoints } from './http-routes.js';
import type { ContextEvidence } from './evidence.js';


const AT_LEAST_ONCE_TYPES: Record<string, string> = {
  SQSEvent: 'SQS',
  SQSHandler: 'SQS',
  SQSRecord: 'SQS',
  SNSEvent: 'SNS',
  SNSHandler: 'SNS',
  SNSEventRecord: 'SNS',
  EventBridgeEvent: 'EventBridge',
  EventBridgeHandler: 'EventBridge',
  ScheduledEvent: 'EventBridge',
  ScheduledHandler: 'EventBridge',
  CloudWatchLogsEvent: 'CloudWatch Logs',
  CloudWatchLogsHandler: 'CloudWatch Logs',
  KinesisStreamEvent: 'Kinesis',
  KinesisStreamHandler: 'Kinesis',
  KinesisStreamRecord: 'Kinesis',
  DynamoDBStreamEvent: 'DynamoDB Streams',
  DynamoDBStreamHandler: 'DynamoDB Streams',
  DynamoDBRecord: 'DynamoDB Streams',
  S3Event: 'S3',
  S3Handler: 'S3',
  S3EventRecord: 'S3',
  MSKEvent: 'Kafka',
  MSKHandler: 'Kafka',
  SelfManagedKafkaEvent: 'Kafka',
  SelfManagedKafkaHandler: 'Kafka',
  FirehoseTransformationEvent: 'Firehose',
};

const REQUEST_PATH_TYPES = new Set([
  'APIGatewayProxyEvent',
  'APIGatewayProxyEventV2',
  'APIGatewayProxyEventV2WithJWTAuthorizer',
  'APIGatewayProxyWithCognitoAuthorizerEvent',
  'APIGatewayProxyHandler',
  'APIGatewayProxyHandlerV2',
  'APIGatewayProxyWithCognitoAuthorizerHandler',
  'APIGatewayEvent',
  'ALBEvent',
  'ALBHandler',
  'LambdaFunctionURLEvent',
  'LambdaFunctionURLHandler',
  'AppSyncResolverEvent',
  'AppSyncResolverHandler',
]);

/** Record fields that identify the event source of `event.Records[i]`. */
const RECORD_FIELDS: Record<string, string> = {
  body: 'SQS',
  receiptHandle: 'SQS',
  messageId: 'SQS',
  kinesis: 'Kinesis',
  dynamodb: 'DynamoDB Streams',
  Sns: 'SNS',
  s3: 'S3',
};

const REQUEST_FIELDS = new Set(['httpMethod', 'pathParameters', 'queryStringParameters', 'rawPath', 'routeKey', 'rawQueryString', 'multiValueHeaders']);

function typeNames(type: ts.TypeNode | undefined, out: string[] = []): string[] {
  if (!type) return out;
  if (ts.isTypeReferenceNode(type)) {
    const name = ts.isIdentifier(type.typeName) ? type.typeName.text : type.typeName.right.text;
    out.push(name);
    // Handler<SQSEvent, ...>
    for (const arg of type.typeArguments ?? []) typeNames(arg, out);
  } else if (ts.isUnionTypeNode(type) || ts.isIntersectionTypeNode(type)) {
    for (const t of type.types) typeNames(t, out);
  } else if (ts.isArrayTypeNode(type)) {
    typeNames(type.elementType, out);
  }
  return out;
}

function classifyTypes(names: string[]): ContextEvidence | undefined {
  for (const name of names) {
    const source = AT_LEAST_ONCE_TYPES[name];
    if (source) return { context: 'at-least-once', reason: `declared as ${name}`, source };
  }
  for (const name of names) {
    if (REQUEST_PATH_TYPES.has(name)) return { context: 'request-path', reason: `declared as ${name}` };
  }
  return undefined;
}

const CONTEXTS = new WeakMap<FileFacts, HandlerContexts>();

/** The handler contexts of a file, built on first use. */
export function contextsOf(facts: FileFacts): HandlerContexts {
  let contexts = CONTEXTS.get(facts);
  if (!contexts) {
    contexts = new HandlerContexts(facts);
    CONTEXTS.set(facts, contexts);
  }
  return contexts;
}

export class HandlerContexts {
  private readonly byFunction = new Map<ts.Node, ContextEvidence>();
  private fileContext?: ContextEvidence;
  private handlerFileCache?: boolean;

  constructor(private readonly analysis: FileFacts) {
    for (const fn of analysis.functions) {
      const evidence = this.classify(fn);
      if (evidence) this.byFunction.set(fn, evidence);
    }
    // HTTP server routes; declared Lambda event types take precedence
    for (const [fn, evidence] of routeHandlers(analysis)) {
      if (!this.byFunction.has(fn)) this.byFunction.set(fn, evidence);
    }
  }

  /**
   * Whether the file is handler code: project wiring gave it a context, or it has a classified
   * handler (Lambda event types or usage, HTTP route handlers), a function taking the Lambda
   * `Context` from `aws-lambda`, or an exported Lambda entry point (`export const handler`,
   * `exports.handler = ...`, `export async function main(event, context)`). Scripts, CLIs, CDK apps,
   * shared libraries without an entry point, and test files (`*.test.*`, `*.spec.*`, `__tests__/`)
   * are not handler code.
   */
  isHandlerFile(): boolean {
    if (this.fileContext !== undefined) return true;
    this.handlerFileCache ??=
      !/(?:\.(?:test|spec)\.[cm]?[jt]sx?$|(?:^|[\\/])__tests__[\\/])/.test(this.analysis.sourceFile.fileName) &&
      (this.byFunction.size > 0 || lambdaEntryPoints(this.analysis).length > 0);
    return this.handlerFileCache;
  }

  /** Context given by project wiring (a template connects this file's handler to a source). */
  setFileContext(evidence: ContextEvidence | undefined): void {
    this.fileContext = evidence;
  }

  /** Every classified function, for rules that look at handlers themselves. */
  handlers(): [ts.FunctionLikeDeclaration, ContextEvidence][] {
    return [...this.byFunction] as [ts.FunctionLikeDeclaration, ContextEvidence][];
  }

  /**
   * The context of code at `node`: the nearest enclosing classified function; otherwise, when
   * every handler in the file agrees, theirs (module helpers run on behalf of the file's handler);
   * otherwise the project-level context of the file.
   */
  contextAt(node: ts.Node): ContextEvidence | undefined {
    for (const a of ancestors(node)) {
      const e = this.byFunction.get(a);
      if (e) return e;
    }
    const kinds = new Set([...this.byFunction.values()].map((e) => e.context));
    if (kinds.size === 1) {
      const first = [...this.byFunction.values()][0];
      return { ...first, reason: `${first.reason} in this file` };
    }
    return this.fileContext;
  }

  private classify(fn: ts.FunctionLikeDeclaration): ContextEvidence | undefined {
    // `const handler: SQSHandler = async (event) => ...`
    const parent = fn.parent;
    if (parent && ts.isVariableDeclaration(parent) && parent.type) {
      const e = classifyTypes(typeNames(parent.type));
      if (e) return e;
    }
    const param = fn.parameters[0];
    if (!param) return undefined;
    const declared = classifyTypes(typeNames(param.type));
    if (declared) return declared;
    if (!ts.isIdentifier(param.name)) return undefined;
    // Only look at usage for functions that look like handlers: exported or named handler-ish.
    if (!this.looksLikeHandler(fn)) return undefined;
    return this.classifyByUsage(fn, param.name.text);
  }

  private looksLikeHandler(fn: ts.FunctionLikeDeclaration): boolean {
    const name = functionName(fn) ?? '';
    if (/handler|^main$|^process|^consume|^on[A-Z]/i.test(name.replace(/^(module\.)?exports\./, ''))) return true;
    if (ts.isFunctionDeclaration(fn) && fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return true;
    const parent = fn.parent;
    const stmt = parent?.parent?.parent;
    return !!(parent && ts.isVariableDeclaration(parent) && stmt && ts.isVariableStatement(stmt) && stmt.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword));
  }

  private classifyByUsage(fn: ts.FunctionLikeDeclaration, eventName: string): ContextEvidence | undefined {
    if (!fn.body) return undefined;
    let found: ContextEvidence | undefined;
    const recordVars = new Set<string>();
    walk(fn.body, (node) => {
      if (found) return false;
      if (ts.isPropertyAccessExpression(node)) {
        const target = unwrap(node.expression);
        // event.Records
        if (ts.isIdentifier(target) && target.text === eventName) {
          if (REQUEST_FIELDS.has(node.name.text)) {
            found = { context: 'request-path', reason: `uses event.${node.name.text}` };
            return false;
          }
          if (node.name.text === 'detail' || node.name.text === 'detail-type') {
            found = { context: 'at-least-once', reason: 'uses event.detail', source: 'EventBridge' };
            return false;
          }
        }
        // event.info.fieldName: an AppSync direct Lambda resolver
        if (node.name.text === 'fieldName' && ts.isPropertyAccessExpression(target) && target.name.text === 'info' && ts.isIdentifier(unwrap(target.expression)) && (unwrap(target.expression) as ts.Identifier).text === eventName) {
          found = { context: 'request-path', reason: 'uses event.info.fieldName (AppSync resolver)' };
          return false;
        }
        // event.Records[i].body, record.body where record comes from event.Records
        const source = RECORD_FIELDS[node.name.text];
        if (source && this.isRecordExpression(target, eventName, recordVars)) {
          found = { context: 'at-least-once', reason: `uses event.Records[].${node.name.text}`, source };
          return false;
        }
      }
      if (ts.isForOfStatement(node) && this.isRecordsArray(node.expression, eventName)) {
        const init = node.initializer;
        if (ts.isVariableDeclarationList(init)) for (const d of init.declarations) if (ts.isIdentifier(d.name)) recordVars.add(d.name.text);
      }
      if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && this.isRecordsArray(node.expression.expression, eventName)) {
        const cb = node.arguments[0];
        if (cb && isFunctionLike(cb) && cb.parameters[0] && ts.isIdentifier(cb.parameters[0].name)) recordVars.add(cb.parameters[0].name.text);
      }
      return true;
    });
    return found;
  }

  private isRecordsArray(expr: ts.Expression, eventName: string): boolean {
    const e = unwrap(expr);
    return ts.isPropertyAccessExpression(e) && e.name.text === 'Records' && ts.isIdentifier(unwrap(e.expression)) && (unwrap(e.expression) as ts.Identifier).text === eventName;
  }

  private isRecordExpression(expr: ts.Expression, eventName: string, recordVars: Set<string>): boolean {
    const e = unwrap(expr);
    if (ts.isIdentifier(e)) return recordVars.has(e.text);
    if (ts.isElementAccessExpression(e)) return this.isRecordsArray(e.expression, eventName);
    return false;
  }
}
