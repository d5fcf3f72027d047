/**
 * Decides, from the code alone, in which context a function runs:
 * - 'at-least-once': the handler of SQS, SNS, EventBridge, Kinesis, DynamoDB Streams, S3,
 *   scheduled/async events, Kafka or MQ (duplicate deliveries are normal there);
 * - 'request-path': an API Gateway, ALB, function URL or AppSync handler, or an HTTP server route
 *   handler (Express, Fastify, Koa, Hono, Nest).
 * Evidence: declared `aws-lambda` types on the handler or its event parameter, how the event is used,
 * route registrations on server objects recognised by import source (`app.get('/x', fn)`,
 * `fastify.route({ handler })`, `@Get()` methods of `@Controller()` classes), and the message
 * callbacks of queue-consumer libraries (`sqs-consumer`'s `handleMessage`, `kafkajs`'s `eachMessage`).
 * Project context (templates wiring a function to a source) plugs in through `setFileContext`.
 */
import { ts } from './ts.js';
import { enclosingFunction, isFunctionLike, unwrap, functionName, walk } from './walk.js';
import type { FileFacts } from './file-facts.js';
import { routeHandlers, lambdaEntryPoints } from './http-routes.js';
import { queueConsumerHandlers } from './queue-consumers.js';
import type { ContextEvidence, ExecutionContext } from './evidence.js';
import { calleeAcross, shownPath } from './modules.js';


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
  // Lambda authorizers run before every request they guard
  'APIGatewayRequestAuthorizerEvent',
  'APIGatewayRequestAuthorizerEventV2',
  'APIGatewayTokenAuthorizerEvent',
  'APIGatewayAuthorizerHandler',
  'APIGatewayRequestAuthorizerHandler',
  'APIGatewayTokenAuthorizerHandler',
  'APIGatewayRequestAuthorizerHandlerV2',
  'APIGatewayRequestSimpleAuthorizerHandlerV2',
  'APIGatewayRequestIAMAuthorizerHandlerV2',
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

const REQUEST_FIELDS = new Set(['httpMethod', 'pathParameters', 'queryStringParameters', 'rawPath', 'routeKey', 'rawQueryString', 'multiValueHeaders', 'requestContext']);

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
  /** Functions classified only by how they use their event (`event.detail`, `event.Records[].body`). */
  private readonly byUsage = new Set<ts.Node>();
  private fileContext?: ContextEvidence;
  private handlerFileCache?: boolean;

  /** Functions an exported entry point runs: wrapped by middy or a logger, returned by a factory, bound methods. */
  private readonly entries: Set<ts.Node>;

  /** The context of the handler a project module's factory makes for this file's entry point (`export const handler = Router(routes)`). */
  private readonly madeContext?: ContextEvidence;

  constructor(private readonly analysis: FileFacts) {
    this.entries = entryFunctions(analysis);
    for (const fn of analysis.functions) {
      const evidence = this.classify(fn);
      if (evidence) this.byFunction.set(fn, evidence);
    }
    // HTTP server routes; declared Lambda event types take precedence
    for (const [fn, evidence] of routeHandlers(analysis)) {
      if (!this.byFunction.has(fn)) this.byFunction.set(fn, evidence);
    }
    // message callbacks of queue-consumer libraries (`sqs-consumer`, `kafkajs`)
    for (const [fn, evidence] of queueConsumerHandlers(analysis)) {
      if (!this.byFunction.has(fn)) this.byFunction.set(fn, evidence);
    }
    if (this.byFunction.size === 0 && analysis.host) this.madeContext = madeHandlerContext(analysis);
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

  /**
   * Context given by project wiring (a template connects this file's handler to a source).
   * `wired`, when templates give every function of the file its triggers, lists the contexts they
   * give: a function classified only by its use of the event (`event.detail` of a payload a state
   * machine builds) is not in a context its triggers do not give.
   */
  setFileContext(evidence: ContextEvidence | undefined, wired?: readonly ExecutionContext[]): void {
    this.fileContext = evidence;
    this.handlerFileCache = undefined;
    if (!wired) return;
    for (const fn of this.byUsage) {
      const e = this.byFunction.get(fn);
      if (e && !wired.includes(e.context)) this.byFunction.delete(fn);
    }
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
    // function by function: asked for each call of a promise chain thousands of links deep
    for (let fn = enclosingFunction(node); fn; fn = enclosingFunction(fn)) {
      const e = this.byFunction.get(fn);
      if (e) return e;
    }
    const kinds = new Set([...this.byFunction.values()].map((e) => e.context));
    if (kinds.size === 1) {
      const first = [...this.byFunction.values()][0];
      return { ...first, reason: `${first.reason} in this file` };
    }
    return this.madeContext ?? this.fileContext;
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
    const used = this.classifyByUsage(fn, param.name.text);
    if (used) this.byUsage.add(fn);
    return used;
  }

  private looksLikeHandler(fn: ts.FunctionLikeDeclaration): boolean {
    if (this.entries.has(fn)) return true;
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

/**
 * The context of the handler that a function of another project module makes for the file's
 * entry point: `export const handler = Router([...])` with `Router` in a shared module returning
 * `async (event: APIGatewayProxyEvent) => ...`. The factory's own functions (not those of the
 * modules it calls) are read; they must agree on one context.
 */
function madeHandlerContext(analysis: FileFacts): ContextEvidence | undefined {
  let found: ContextEvidence | undefined;
  for (const entry of lambdaEntryPoints(analysis)) {
    const init = ts.isVariableDeclaration(entry) ? entry.initializer : ts.isBinaryExpression(entry) ? entry.right : undefined;
    let call = init && unwrap(init);
    if (call && ts.isAwaitExpression(call)) call = unwrap(call.expression);
    if (!call || !ts.isCallExpression(call)) continue;
    const factory = calleeAcross(analysis, call.expression);
    if (!factory?.fn.body) continue;
    let made: ContextEvidence | undefined;
    let mixed = false;
    const visit = (n: ts.Node): false | undefined => {
      if (mixed) return false;
      if (!isFunctionLike(n)) return undefined;
      const parent = n.parent;
      const declared = classifyTypes(typeNames(n.parameters[0]?.type)) ?? (parent && ts.isVariableDeclaration(parent) ? classifyTypes(typeNames(parent.type)) : undefined);
      if (declared) {
        if (made && made.context !== declared.context) mixed = true;
        made ??= declared;
      }
      return undefined;
    };
    // a curried factory returns the handler as its body: `(op, fn) => async (event: APIGatewayProxyEvent) => ...`
    visit(factory.fn.body);
    walk(factory.fn.body, visit);
    if (!made || mixed || (found && found.context !== made.context)) return undefined;
    const name = functionName(factory.fn) ?? staticPropertyName(factory.fn) ?? 'the factory';
    found ??= { ...made, reason: `${made.reason} in the handler \`${name}\` makes (${shownPath(call, factory.fn)})` };
  }
  return found;
}

/** `ApiHandler.for` of `class ApiHandler { static for = (op, fn) => ... }`. */
function staticPropertyName(fn: ts.Node): string | undefined {
  const parent = fn.parent;
  if (!parent || !ts.isPropertyDeclaration(parent) || !ts.isIdentifier(parent.name) || !ts.isClassLike(parent.parent)) return undefined;
  return parent.parent.name ? `${parent.parent.name.text}.${parent.name.text}` : parent.name.text;
}

/**
 * The functions a file's Lambda entry points run, through the ways handlers are built:
 * `middy(fn).use(...)`, `withLogging(getHandler(deps))` (arguments of wrappers, and what a
 * same-file factory returns), `_handler(process.env)`, `new Service().handle.bind(...)` and
 * `svc.handle.bind(svc)` (a method of a same-file class), `Sentry.wrapHandler(fn)`.
 */
export function entryFunctions(analysis: FileFacts): Set<ts.Node> {
  const out = new Set<ts.Node>();
  for (const entry of lambdaEntryPoints(analysis)) {
    let expr: ts.Expression | undefined;
    if (ts.isVariableDeclaration(entry)) expr = entry.initializer;
    else if (ts.isBinaryExpression(entry)) expr = entry.right;
    else if (isFunctionLike(entry)) out.add(entry);
    if (expr) handlerBodies(analysis, expr, out, 0);
  }
  return out;
}

function handlerBodies(analysis: FileFacts, expr: ts.Expression, out: Set<ts.Node>, depth: number): void {
  if (depth > 5) return;
  let e = unwrap(expr);
  if (ts.isIdentifier(e)) {
    const value = analysis.resolveValue(e);
    if (value !== e) return handlerBodies(analysis, value, out, depth + 1);
    const name = e.text;
    const decl = analysis.functions.find((f) => ts.isFunctionDeclaration(f) && f.name?.text === name && f.body);
    if (decl) out.add(decl);
    return;
  }
  if (isFunctionLike(e)) {
    out.add(e);
    return;
  }
  if (ts.isPropertyAccessExpression(e)) {
    const method = methodThrough(analysis, e);
    if (method) out.add(method);
    return;
  }
  if (ts.isAwaitExpression(e)) e = unwrap(e.expression);
  if (!ts.isCallExpression(e)) return;
  const callee = unwrap(e.expression);
  // `fn.bind(x)`, `middy(fn).use(a).use(b)`, `wrapper(fn).handler`
  if (ts.isPropertyAccessExpression(callee)) handlerBodies(analysis, callee.expression, out, depth + 1);
  // a same-file factory: what it returns (`const _handler = (env) => async (event) => ...`)
  const factory = ts.isIdentifier(callee) ? analysis.resolveValue(callee) : undefined;
  const calleeName = ts.isIdentifier(callee) ? callee.text : undefined;
  const fn = factory && isFunctionLike(factory) ? factory : calleeName ? analysis.functions.find((f) => ts.isFunctionDeclaration(f) && f.name?.text === calleeName && f.body) : undefined;
  if (fn?.body) {
    const returned = ts.isBlock(fn.body) ? returnsOf(fn.body) : [fn.body as ts.Expression];
    for (const r of returned) handlerBodies(analysis, r, out, depth + 1);
  }
  for (const arg of e.arguments) handlerBodies(analysis, arg, out, depth + 1);
}

function returnsOf(body: ts.Block): ts.Expression[] {
  const out: ts.Expression[] = [];
  walk(body, (n) => {
    if (isFunctionLike(n)) return false;
    if (ts.isReturnStatement(n) && n.expression) out.push(n.expression);
    return undefined;
  });
  return out;
}

/** `new Service().handle`, `svc.handle` with `svc = new Service()`: the method of a same-file class. */
function methodThrough(analysis: FileFacts, access: ts.PropertyAccessExpression): ts.FunctionLikeDeclaration | undefined {
  let recv = unwrap(access.expression);
  if (ts.isIdentifier(recv)) recv = analysis.resolveValue(recv);
  if (!ts.isNewExpression(recv) || !ts.isIdentifier(unwrap(recv.expression))) return undefined;
  const name = (unwrap(recv.expression) as ts.Identifier).text;
  const cls = analysis.sourceFile.statements.find((st): st is ts.ClassDeclaration => ts.isClassDeclaration(st) && st.name?.text === name);
  for (const m of cls?.members ?? []) {
    if (m.name && !ts.isComputedPropertyName(m.name) && m.name.getText() === access.name.text) {
      if (ts.isMethodDeclaration(m) && m.body) return m;
      if (ts.isPropertyDeclaration(m) && m.initializer && isFunctionLike(unwrap(m.initializer))) return unwrap(m.initializer) as ts.FunctionLikeDeclaration;
    }
  }
  return undefined;
}
