/**
 * Recognises AWS SDK operation calls by import source, in every common form:
 * - v3 commands: `client.send(new InvokeCommand({...}))` (the command's construction is the call site)
 * - v3 aggregated clients: `new Lambda({}).invoke({...})`
 * - lib-dynamodb document commands and `DynamoDBDocument` aggregated calls
 * - v2: `new AWS.Lambda().invoke({...}).promise()`, `require('aws-sdk/clients/lambda')`, DocumentClient;
 *   in a file that calls bluebird's `promisifyAll`, a client's `...Async` methods (`sendMessageAsync`)
 * - the DynamoDB data mapper of `@aws/dynamodb-data-mapper` (`mapper.put(item)`, `mapper.delete(item)`,
 *   `mapper.query(...)`): its methods are DynamoDB operations on the item (`input` is the item)
 * - v2 and v3 aggregated clients a parameter or a class member is declared as
 *   (`constructor(private ddb: DynamoDB)`, see `./declared-types.ts`), and members of a client
 *   registry a project type declares (`aws.clients.ssm` with `clients: { ssm: SSM }`)
 */
import { ts } from './ts.js';
import { isFunctionLike, unwrap } from './walk.js';
import { calleeAcross, exportTarget, importedValue, isProjectSpecifier, projectModule } from './modules.js';
import { declaredClassRef, memberPathRef, typeRef } from './declared-types.js';
import type { FileFacts, ModuleRef, Origin } from './file-facts.js';
import { serviceForV2Class, V2_CLASS_TO_SERVICE } from './idempotency-catalog.js';

/** `aws-sdk/clients/<file>` file names are lower-cased class names. */
const V2_CLIENT_FILES = new Map([...V2_CLASS_TO_SERVICE].map(([cls, service]) => [cls.toLowerCase(), service]));

export type SdkStyle = 'v3-command' | 'v3-aggregated' | 'v2';

export interface SdkCall {
  /** v3 client package suffix: 'lambda', 'dynamodb', 'sqs', 'sfn', ... */
  service: string;
  /** API operation name, PascalCase as in the API model: 'Invoke', 'PutItem'. */
  operation: string;
  /** The request parameters expression, when there is one. */
  input?: ts.Expression;
  /** The node findings point at: the `new XCommand(...)` expression or the method call. */
  node: ts.NewExpression | ts.CallExpression;
  /** The called name as written: 'InvokeCommand', 'invoke', 'PutCommand'. */
  calledName: string;
  style: SdkStyle;
  /** Call made through a DynamoDB document client (attribute values are plain JS). */
  documentClient: boolean;
  /**
   * Call of the `@aws/dynamodb-data-mapper` DataMapper: `input` is the model item (not a request),
   * `options` the mapper's options argument (`{ condition }`, `{ onMissing }`).
   */
  mapper?: { options?: ts.Expression };
}

const V3_PREFIX = '@aws-sdk/client-';
const LIB_DYNAMODB = '@aws-sdk/lib-dynamodb';

/** DynamoDB document-client operations and the API operations they perform. */
const DOCUMENT_OPERATIONS: Record<string, string> = {
  Put: 'PutItem',
  Get: 'GetItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  Query: 'Query',
  Scan: 'Scan',
  BatchWrite: 'BatchWriteItem',
  BatchGet: 'BatchGetItem',
  TransactWrite: 'TransactWriteItems',
  TransactGet: 'TransactGetItems',
  ExecuteStatement: 'ExecuteStatement',
  BatchExecuteStatement: 'BatchExecuteStatement',
  ExecuteTransaction: 'ExecuteTransaction',
};

/** The DynamoDB data mapper package (`DataMapper`): its methods and the operations they perform. */
const DATA_MAPPER = '@aws/dynamodb-data-mapper';
const MAPPER_OPERATIONS: Record<string, string> = {
  put: 'PutItem',
  get: 'GetItem',
  update: 'UpdateItem',
  delete: 'DeleteItem',
  query: 'Query',
  scan: 'Scan',
  parallelScan: 'Scan',
  batchGet: 'BatchGetItem',
  batchPut: 'BatchWriteItem',
  batchDelete: 'BatchWriteItem',
  batchWrite: 'BatchWriteItem',
};

/** Whether a reference names the data mapper class. */
function isDataMapper(ref: ModuleRef): boolean {
  return ref.module === DATA_MAPPER && ref.path.length === 1 && ref.path[0] === 'DataMapper';
}

/** Methods of SDK client objects that are not API operations. */
const NON_OPERATION_METHODS = new Set([
  'send',
  'destroy',
  'promise',
  'on',
  'makeRequest',
  'makeUnauthenticatedRequest',
  'waitFor',
  'setupRequestListeners',
  'createPresignedPost',
  'getSignedUrl',
  'getSignedUrlPromise',
  'then',
  'catch',
  'middlewareStack',
  'createSet',
  'config',
]);

function pascal(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function v3Service(module: string): string | undefined {
  return module.startsWith(V3_PREFIX) ? module.slice(V3_PREFIX.length) : undefined;
}

/** The service of a v2 client class reference (`AWS.SQS`, `require('aws-sdk/clients/sqs')`). */
function v2Client(ref: ModuleRef): { service: string; documentClient: boolean } | undefined {
  if (ref.module === 'aws-sdk' || ref.module === 'aws-sdk/global') {
    if (ref.path.length === 1) {
      const service = serviceForV2Class(ref.path[0]);
      return service ? { service, documentClient: false } : undefined;
    }
    if (ref.path.length === 2 && ref.path[0] === 'DynamoDB' && ref.path[1] === 'DocumentClient') {
      return { service: 'dynamodb', documentClient: true };
    }
    return undefined;
  }
  const m = /^aws-sdk\/clients\/([a-z0-9]+)(?:\.js)?$/.exec(ref.module);
  if (!m) return undefined;
  if (ref.path.length === 0 || (ref.path.length === 1 && ref.path[0] === 'default')) {
    // file names are lower-cased class names: clients/dynamodb.js exports DynamoDB
    const service = V2_CLIENT_FILES.get(m[1]);
    return service ? { service, documentClient: false } : undefined;
  }
  if (ref.path.length === 1 && ref.path[0] === 'DocumentClient' && m[1] === 'dynamodb') {
    return { service: 'dynamodb', documentClient: true };
  }
  return undefined;
}

/** The service of a v3 aggregated client class reference (`Lambda` from client-lambda, `DynamoDBDocument`). */
function v3AggregatedClient(ref: ModuleRef): { service: string; documentClient: boolean } | undefined {
  if (ref.path.length !== 1) return undefined;
  const cls = ref.path[0];
  if (ref.module === LIB_DYNAMODB) {
    return cls === 'DynamoDBDocument' ? { service: 'dynamodb', documentClient: true } : undefined;
  }
  const service = v3Service(ref.module);
  if (!service || cls.endsWith('Client') || cls.endsWith('Command') || !/^[A-Z]/.test(cls)) return undefined;
  return { service, documentClient: false };
}

const SDK_CALLS = new WeakMap<FileFacts, SdkCall[]>();

/**
 * Calls of an operation the code picks at run time on an aggregated v3 or a v2 client
 * (`lex[operation](params)`): a request to the service whose operation the linter cannot name.
 * A literal key is an ordinary method call (`client['putItem']`), not one of these.
 */
export function dynamicOperationCalls(facts: FileFacts): ts.CallExpression[] {
  if (![...facts.modules].some((m) => m.startsWith('@aws-sdk/') || m === 'aws-sdk' || m.startsWith('aws-sdk/'))) return [];
  const out: ts.CallExpression[] = [];
  for (const call of facts.calls) {
    const callee = unwrap(call.expression);
    if (!ts.isElementAccessExpression(callee) || ts.isStringLiteralLike(callee.argumentExpression) || ts.isNumericLiteral(callee.argumentExpression)) continue;
    const recv = facts.origin(callee.expression);
    if (recv?.kind !== 'instance') continue;
    const ref = packageRef(facts, recv.ref);
    const client = v3AggregatedClient(ref) ?? v2Client(ref);
    if (client) out.push(call);
  }
  return out;
}

/** The AWS SDK calls of a file, found on first use. */
export function sdkCallsOf(facts: FileFacts): SdkCall[] {
  let calls = SDK_CALLS.get(facts);
  if (!calls) {
    calls = findSdkCalls(facts);
    SDK_CALLS.set(facts, calls);
  }
  return calls;
}

function findSdkCalls(analysis: FileFacts): SdkCall[] {
  const mentionsSdk = [...analysis.modules].some((m) => m.startsWith('@aws-sdk/') || m === 'aws-sdk' || m.startsWith('aws-sdk/'));
  const mentionsMapper = analysis.modules.has(DATA_MAPPER);
  // a file without SDK imports may still call a client a project module exports, through a parameter
  const host = analysis.host;
  const importsProject =
    !mentionsSdk &&
    !!host &&
    [...analysis.modules].some((m) => m.startsWith('.') || m.startsWith('#') || (isProjectSpecifier(m) && host.resolve(m, analysis.sourceFile.fileName) !== undefined));
  if (!mentionsSdk && !importsProject && !mentionsMapper) return [];
  const out: SdkCall[] = [];
  // bluebird's `promisifyAll` gives every client method a promise-returning `...Async` twin
  const promisified = analysis.calls.some((c) => {
    const callee = unwrap(c.expression);
    return (ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : '') === 'promisifyAll';
  });
  const signedOnly = presignedOnlyCommands(analysis);
  for (const n of analysis.news) {
    if (signedOnly?.has(n)) continue;
    const origin = analysis.origin(n.expression);
    if (origin?.kind !== 'module' || origin.ref.path.length !== 1) continue;
    const name = origin.ref.path[0];
    if (!name.endsWith('Command')) continue;
    const base = name.slice(0, -'Command'.length);
    if (origin.ref.module === LIB_DYNAMODB) {
      const operation = DOCUMENT_OPERATIONS[base];
      if (operation) out.push({ service: 'dynamodb', operation, input: n.arguments?.[0], node: n, calledName: name, style: 'v3-command', documentClient: true });
      continue;
    }
    const service = v3Service(origin.ref.module);
    if (service) out.push({ service, operation: base, input: n.arguments?.[0], node: n, calledName: name, style: 'v3-command', documentClient: false });
  }
  for (const call of analysis.calls) {
    const callee = unwrap(call.expression);
    if (!ts.isPropertyAccessExpression(callee)) continue;
    const called = callee.name.text;
    // `sqs.sendMessageAsync(...)` is `sendMessage` (Lambda's own `invokeAsync` is an operation)
    const method = promisified && called.length > 5 && called.endsWith('Async') && called !== 'invokeAsync' ? called.slice(0, -5) : called;
    if (NON_OPERATION_METHODS.has(method) || !/^[a-z]/.test(method)) continue;
    let recv = analysis.origin(callee.expression) ?? parameterClient(analysis, callee.expression) ?? (mentionsSdk ? declaredClient(analysis, callee.expression) : factoryClient(analysis, callee.expression));
    if (recv?.kind === 'module') recv = importedInstance(analysis, callee.expression);
    else if (recv?.kind === 'instance') recv = { ...recv, ref: packageRef(analysis, recv.ref) };
    if (recv?.kind === 'instance' && isDataMapper(recv.ref)) {
      const operation = MAPPER_OPERATIONS[called];
      if (operation) {
        const mapper = call.arguments[1] ? { options: call.arguments[1] } : {};
        out.push({ service: 'dynamodb', operation, input: call.arguments[0], node: call, calledName: called, style: 'v2', documentClient: true, mapper });
      }
      continue;
    }
    // `aws.clients.ec2` of `const aws = new AwsClients()`: an instance of a project class, whose member is the client
    if (recv?.kind !== 'instance' || !(v3AggregatedClient(recv.ref) ?? v2Client(recv.ref))) recv = registryClient(analysis, callee.expression);
    if (recv?.kind !== 'instance') continue;
    const v3 = v3AggregatedClient(recv.ref);
    const client = v3 ?? v2Client(recv.ref);
    if (!client) continue;
    let operation = pascal(method);
    if (client.documentClient) {
      const mapped = DOCUMENT_OPERATIONS[operation];
      if (!mapped) continue;
      operation = mapped;
    }
    out.push({
      service: client.service,
      operation,
      input: call.arguments[0],
      node: call,
      calledName: called,
      style: v3 ? 'v3-aggregated' : 'v2',
      documentClient: client.documentClient,
    });
  }
  out.sort((a, b) => a.node.pos - b.node.pos);
  return out;
}

/**
 * Modules whose functions take a client and a command (or parameters) and return a signed URL or
 * form without making a request: `@aws-sdk/s3-request-presigner`, `@aws-sdk/polly-request-presigner`
 * (any `*-request-presigner`) and `@aws-sdk/s3-presigned-post`.
 */
const PRESIGNING_MODULE = /^@aws-sdk\/(?:[a-z0-9-]+-request-presigner|s3-presigned-post)$/;

/** Whether a call is one of a presigning module's functions (`getSignedUrl(s3, command)`). */
export function isPresigner(analysis: FileFacts, call: ts.CallExpression): boolean {
  const origin = analysis.origin(unwrap(call.expression));
  return origin?.kind === 'module' && PRESIGNING_MODULE.test(origin.ref.module);
}

/**
 * The commands of a file that are only signed: `new PutObjectCommand(...)` handed to a presigner
 * (inline or through a variable) and to no other call. Signing sends nothing, so they are not SDK
 * calls of the file. Undefined when the file loads no presigning module.
 */
function presignedOnlyCommands(analysis: FileFacts): Set<ts.NewExpression> | undefined {
  if (![...analysis.modules].some((m) => PRESIGNING_MODULE.test(m))) return undefined;
  const signed = new Set<ts.NewExpression>();
  const passed = new Set<ts.NewExpression>();
  for (const call of analysis.calls) {
    let presigner: boolean | undefined;
    for (const arg of call.arguments) {
      const a = unwrap(arg);
      if (!ts.isNewExpression(a) && !ts.isIdentifier(a)) continue;
      const value = ts.isIdentifier(a) ? analysis.resolveValue(a) : a;
      if (!ts.isNewExpression(value)) continue;
      presigner ??= isPresigner(analysis, call);
      (presigner ? signed : passed).add(value);
    }
  }
  for (const n of passed) signed.delete(n);
  return signed;
}

/**
 * A client handed to a function as a parameter (`function save(ddb, item) { ddb.put(...) }`):
 * what every same-file call of the function passes in that position, when they all pass the same
 * kind of SDK client (`save(docClient, item)`, `wait(this.qs, id)`), also through a parameter of
 * the calling function that its own callers fill so (`describe(ecs, id)` in `usage(ecs)`).
 */
function parameterClient(analysis: FileFacts, recv: ts.Expression): Origin | undefined {
  const id = unwrap(recv);
  if (!ts.isIdentifier(id) || analysis.resolveValue(id) !== id) return undefined;
  let fn: ts.Node | undefined = id.parent;
  let index = -1;
  for (; fn; fn = fn.parent) {
    if (!isFunctionLike(fn)) continue;
    index = fn.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === id.text);
    if (index >= 0) break;
  }
  if (!fn || index < 0 || !isFunctionLike(fn)) return undefined;
  const name = fn.name && ts.isIdentifier(fn.name) ? fn.name.text : ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name) ? fn.parent.name.text : undefined;
  if (!name) return undefined;
  let memo = PARAMETER_CLIENTS.get(analysis);
  if (!memo) PARAMETER_CLIENTS.set(analysis, (memo = new Map()));
  const key = `${name}\0${index}`;
  if (memo.has(key)) return memo.get(key);
  // in progress: a function that passes its parameter on to itself adds nothing
  memo.set(key, undefined);
  const found = passedClient(analysis, name, index);
  memo.set(key, found);
  return found;
}

const PACKAGE_REFS = new WeakMap<FileFacts, Map<string, ModuleRef>>();

/**
 * A reference through a module of the project that re-exports a package: `new AWS.S3()` with
 * `import AWS from '../AWS'` and `export default AWSXRay.captureAWS(AWS)` there is `aws-sdk`'s
 * `S3`. Other references come back as they are.
 */
export function packageRef(facts: FileFacts, ref: ModuleRef): ModuleRef {
  if (!facts.host || !isProjectSpecifier(ref.module)) return ref;
  let memo = PACKAGE_REFS.get(facts);
  if (!memo) PACKAGE_REFS.set(facts, (memo = new Map()));
  const key = `${ref.module}\0${ref.path.join('.')}`;
  let found = memo.get(key);
  if (found) return found;
  found = ref;
  const file = projectModule(facts, ref.module);
  // the longest export the path names: `{ AWS }` with ['AWS', 'S3'], else the default export
  const candidates: [string, string[]][] = ref.path.length > 0 ? [[ref.path[0], ref.path.slice(1)], ['default', ref.path]] : [['default', []]];
  for (const [name, rest] of file ? candidates : []) {
    const target = exportTarget(file!, name, 1);
    if (!target || !ts.isExpression(target.node)) continue;
    const o = target.facts.origin(target.node);
    if (o?.kind === 'module' && !isProjectSpecifier(o.ref.module)) {
      found = { module: o.ref.module, path: [...o.ref.path, ...rest] };
      break;
    }
  }
  memo.set(key, found);
  return found;
}

/** A client a module of the project exports (`export const S3 = new AWS.S3()`), seen from a file that imports it. */
function importedInstance(analysis: FileFacts, expr: ts.Expression): Origin | undefined {
  const target = importedValue(analysis, expr);
  if (!target || target.facts === analysis || !ts.isExpression(target.node)) return undefined;
  const inner = target.facts.origin(target.node);
  return inner?.kind === 'instance' ? { ...inner, ref: packageRef(target.facts, inner.ref) } : undefined;
}

/**
 * A client the code declares by type rather than creates: `constructor(private ddb: DynamoDB)`,
 * `dynamoDb: DynamoDB` as a class property or a parameter (`DynamoDB` of `aws-sdk`,
 * `aws-sdk/clients/dynamodb` or a v3 aggregated client), the instance the project hands in.
 */
function declaredClient(analysis: FileFacts, recv: ts.Expression): Origin | undefined {
  return clientOfRef(declaredClassRef(analysis, recv) ?? factoryReturnRef(analysis, recv), recv);
}

/** A client a member path of a project type is declared as: `this.aws.clients.ssm` with `clients: { ssm: SSM }` in the class of `aws`. */
function registryClient(analysis: FileFacts, recv: ts.Expression): Origin | undefined {
  const e = unwrap(recv);
  if (!ts.isPropertyAccessExpression(e) || !ts.isPropertyAccessExpression(unwrap(e.expression))) return undefined;
  const ref = memberPathRef(analysis, e);
  return clientOfRef(ref, recv);
}

/** A client handed out by a factory of another module (a file that does not import the SDK itself). */
function factoryClient(analysis: FileFacts, recv: ts.Expression): Origin | undefined {
  return clientOfRef(factoryReturnRef(analysis, recv), recv);
}

function clientOfRef(ref: ModuleRef | undefined, recv: ts.Expression): Origin | undefined {
  if (!ref || !(v3AggregatedClient(ref) ?? v2Client(ref))) return undefined;
  return { kind: 'instance', ref, creation: recv };
}

/**
 * `sdkClient.QuickSight({ region })` (also through a const): a function or method of another
 * module of the project whose declared return type is the client class (`QuickSight(config):
 * QuickSight`), as client caches and factories declare it.
 */
function factoryReturnRef(analysis: FileFacts, recv: ts.Expression): ModuleRef | undefined {
  let e = analysis.resolveValue(recv);
  if (ts.isAwaitExpression(e)) e = unwrap(e.expression);
  if (!ts.isCallExpression(e) || !analysis.host) return undefined;
  const target = calleeAcross(analysis, e.expression);
  const type = target && target.facts !== analysis ? target.fn.type : undefined;
  return type ? typeRef(target!.facts, type) : undefined;
}

const PARAMETER_CLIENTS = new WeakMap<FileFacts, Map<string, Origin | undefined>>();

const CALLS_BY_NAME = new WeakMap<FileFacts, Map<string, ts.CallExpression[]>>();

/** Calls of plain names (`save(...)`), indexed once per file. */
function callsNamed(analysis: FileFacts, name: string): ts.CallExpression[] {
  let index = CALLS_BY_NAME.get(analysis);
  if (!index) {
    index = new Map();
    for (const call of analysis.calls) {
      const c = unwrap(call.expression);
      if (!ts.isIdentifier(c)) continue;
      const list = index.get(c.text);
      if (list) list.push(call);
      else index.set(c.text, [call]);
    }
    CALLS_BY_NAME.set(analysis, index);
  }
  return index.get(name) ?? [];
}

function passedClient(analysis: FileFacts, name: string, index: number): Origin | undefined {
  let found: Origin | undefined;
  for (const call of callsNamed(analysis, name)) {
    if (!call.arguments[index]) continue;
    // a parameter of the calling function: what its own callers pass (`count(ecs)` in `usage(ecs)`)
    let o = analysis.origin(call.arguments[index]) ?? parameterClient(analysis, call.arguments[index]);
    // a client exported by a project module (`import { db } from './lib/db'`)
    if (o?.kind === 'module') {
      const value = importedValue(analysis, call.arguments[index]);
      o = value && ts.isExpression(value.node) ? value.facts.origin(value.node) : undefined;
    }
    if (o?.kind !== 'instance' || (found && (found.ref.module !== o.ref.module || found.ref.path.join('.') !== o.ref.path.join('.')))) return undefined;
    found = o;
  }
  return found;
}

/** v3 client constructions (`new LambdaClient({...})`) and v2 service objects, for client-config rules. */
export interface SdkClientCreation {
  service: string;
  node: ts.NewExpression;
  config?: ts.Expression;
  style: 'v3' | 'v2';
}

export function findClientCreations(analysis: FileFacts): SdkClientCreation[] {
  const out: SdkClientCreation[] = [];
  for (const n of analysis.news) {
    const origin = analysis.origin(n.expression);
    if (origin?.kind !== 'module') continue;
    const ref = packageRef(analysis, origin.ref);
    const service = v3Service(ref.module);
    if (service && ref.path.length === 1 && /^[A-Z]/.test(ref.path[0]) && !/(Command|Exception)$/.test(ref.path[0])) {
      out.push({ service, node: n, config: n.arguments?.[0], style: 'v3' });
      continue;
    }
    const v2 = v2Client(ref);
    if (v2) out.push({ service: v2.service, node: n, config: n.arguments?.[0], style: 'v2' });
  }
  return out;
}
