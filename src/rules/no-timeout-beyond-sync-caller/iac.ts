import type { IacReport, IacDetector } from '../rule.js';
import type { IacValue, PathSegment, PlainObject, Resource, Template } from '../../iac/model.js';
import { displayName, getIn, hasOpaqueProperties, intrinsicText, isAbsent, isPlainObject, references, refTarget, resourceLookup, resourcesOfType, type LocatedResource } from '../../iac/resources.js';
import { samFunctionEvents } from '../../iac/sam.js';
import { functionRef, functions, functionTimeout, isFunction, literalNumber, seconds } from '../../iac/lambda.js';
import { includeLocation, localDocument } from '../../iac/local-files.js';
import { isLambdaTask, stateMachines, statesOf, substituted, type StateMachine } from '../../iac/asl.js';

/** REST API integration timeout: default and the most an edge-optimized API allows (ms). */
const REST_DEFAULT_MS = 29_000;
/** HTTP API integration timeout: default and maximum (ms). */
const HTTP_MAX_MS = 30_000;
/** WebSocket API integration timeout: default and maximum (ms). */
const WEBSOCKET_MAX_MS = 29_000;
/** AppSync request execution limit (ms). */
const APPSYNC_MS = 30_000;

/** A synchronous caller of a function and how long it waits. */
interface Caller {
  functionId: string;
  /** The template that declares the function: the caller's, or another file of its Terraform module. */
  owner?: Template;
  limitMs: number;
  /** e.g. "the 29 s integration timeout of API Gateway REST method `GetOrders`". */
  description: string;
  path: PathSegment[];
  label: string;
}

type Endpoint = 'EDGE' | 'REGIONAL' | 'PRIVATE' | undefined;

/** Endpoint type of a REST API: `EndpointConfiguration` as a string (SAM) or `{ Types: [...] }` / `{ Type }`. Absent: EDGE. */
function endpointType(configuration: IacValue | undefined): Endpoint {
  if (isAbsent(configuration)) return 'EDGE';
  let value: IacValue | undefined = configuration;
  if (isPlainObject(configuration)) {
    value = configuration['Type'] ?? configuration['Types'];
    if (isAbsent(value)) return 'EDGE';
  }
  if (Array.isArray(value)) value = value.length === 1 ? value[0] : undefined;
  if (typeof value !== 'string') return undefined;
  const upper = value.toUpperCase();
  return upper === 'EDGE' || upper === 'REGIONAL' || upper === 'PRIVATE' ? upper : undefined;
}

/**
 * The time a REST API integration waits: the configured value (above 29 s only on Regional and
 * private APIs, so an edge-optimized API is held to 29 s), else 29 s. Undefined when unknown.
 */
function restLimit(timeout: IacValue | undefined, endpoint: Endpoint): number | undefined {
  if (isAbsent(timeout)) return REST_DEFAULT_MS;
  const ms = literalNumber(timeout);
  if (ms === undefined) return undefined;
  return ms > REST_DEFAULT_MS && endpoint === 'EDGE' ? REST_DEFAULT_MS : ms;
}

function cappedLimit(timeout: IacValue | undefined, max: number): number | undefined {
  if (isAbsent(timeout)) return max;
  const ms = literalNumber(timeout);
  return ms === undefined ? undefined : Math.min(ms, max);
}

function restApiEndpoint(template: Template, restApiId: IacValue | undefined, samImplicit: boolean): Endpoint {
  const id = refTarget(restApiId, template);
  if (id) {
    const api = template.resources.get(id)!;
    if (hasOpaqueProperties(template, api)) return undefined;
    if (api.type === 'AWS::ApiGateway::RestApi' || api.type === 'AWS::Serverless::Api') return endpointType(api.properties['EndpointConfiguration']);
    return undefined;
  }
  if (!isAbsent(restApiId)) return undefined;
  // SAM's implicit API takes its settings from Globals.Api.
  return samImplicit ? endpointType(getIn(template.root, ['Globals', 'Api', 'EndpointConfiguration'])) : undefined;
}

/**
 * False when the integration does not hold the request open for a buffered response: Lambda is
 * invoked asynchronously (`X-Amz-Invocation-Type` mapped to anything but `'RequestResponse'`)
 * or the response is streamed (`ResponseTransferMode: STREAM`, which allows longer timeouts).
 */
function waitsForResponse(integration: PlainObject, parametersKey: string, transferKey: string): boolean {
  const transfer = integration[transferKey];
  if (!isAbsent(transfer) && !(typeof transfer === 'string' && transfer.toUpperCase() === 'BUFFERED')) return false;
  const parameters = integration[parametersKey];
  if (isAbsent(parameters)) return true;
  if (!isPlainObject(parameters)) return false;
  for (const [key, value] of Object.entries(parameters)) {
    if (key.toLowerCase() !== 'integration.request.header.x-amz-invocation-type') continue;
    return typeof value === 'string' && value.replace(/'/g, '').trim() === 'RequestResponse';
  }
  return true;
}

/** The OpenAPI definition of a REST API and where the template gives it. */
interface ApiDefinition {
  body: PlainObject;
  /** The property that holds or names the definition (`DefinitionBody`, `DefinitionUri`, `Body`). */
  path: PathSegment[];
  /** The file the definition is read from, relative to the template, when it is not inline. */
  file?: string;
}

/**
 * The OpenAPI definition of a SAM API (`DefinitionBody`, or `DefinitionUri` naming a local file)
 * or of an `AWS::ApiGateway::RestApi` (`Body`), also when an `AWS::Include` transform inserts it
 * from a local file. Undefined when the API has none; 'unknown' when it cannot be read (an S3
 * location, another macro, a file that is not there).
 */
function apiDefinition(template: Template, api: Resource): ApiDefinition | 'unknown' | undefined {
  if (hasOpaqueProperties(template, api)) return 'unknown';
  const sam = api.type === 'AWS::Serverless::Api';
  const [bodyKey, uriKey] = sam ? ['DefinitionBody', 'DefinitionUri'] : ['Body', 'BodyS3Location'];
  const uri = api.properties[uriKey];
  if (!isAbsent(uri)) {
    if (!sam || typeof uri !== 'string') return 'unknown';
    const body = localDocument(template, uri);
    return body ? { body, path: [...api.path, 'Properties', uriKey], file: uri } : 'unknown';
  }
  const value = api.properties[bodyKey];
  if (isAbsent(value)) return undefined;
  const path = [...api.path, 'Properties', bodyKey];
  const include = includeLocation(value);
  if (include === 'unknown') return 'unknown';
  if (include !== undefined) {
    const body = localDocument(template, include);
    return body ? { body, path, file: include } : 'unknown';
  }
  return isPlainObject(value) ? { body: value, path } : 'unknown';
}

/** An operation's `x-amazon-apigateway-integration` that invokes a function of the template. */
/** An `x-amazon-apigateway-integration` of an API definition's operation. */
interface OpenApiOperation {
  integration: PlainObject;
  /** `POST /orders`. */
  operation: string;
  /** Its place in the template: in an inline definition, the integration; otherwise the property naming the file. */
  path: PathSegment[];
}

interface OpenApiIntegration extends OpenApiOperation {
  functionId: string;
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace', 'x-amazon-apigateway-any-method']);

/** The API Gateway integrations of every operation of an API definition. */
function openApiOperations(definition: ApiDefinition): OpenApiOperation[] {
  const paths = definition.body['paths'];
  if (!isPlainObject(paths)) return [];
  const found: OpenApiOperation[] = [];
  for (const [route, operations] of Object.entries(paths)) {
    if (!isPlainObject(operations)) continue;
    for (const [method, operation] of Object.entries(operations)) {
      if (!HTTP_METHODS.has(method.toLowerCase())) continue;
      const integration = getIn(operation, ['x-amazon-apigateway-integration']);
      if (!isPlainObject(integration)) continue;
      const name = method.toLowerCase() === 'x-amazon-apigateway-any-method' ? 'ANY' : method.toUpperCase();
      found.push({
        integration,
        operation: `${name} ${route}`,
        path: definition.file === undefined ? [...definition.path, 'paths', route, method, 'x-amazon-apigateway-integration'] : definition.path,
      });
    }
  }
  return found;
}

/** The Lambda integrations (`aws`, `aws_proxy`) of an API definition, each with the function its `uri` names. */
function openApiIntegrations(template: Template, definition: ApiDefinition): OpenApiIntegration[] {
  const found: OpenApiIntegration[] = [];
  for (const op of openApiOperations(definition)) {
    const type = op.integration['type'];
    if (typeof type === 'string' && !/^aws(_proxy)?$/i.test(type)) continue;
    const functionId = functionRef(template, op.integration['uri']);
    if (functionId) found.push({ ...op, functionId });
  }
  return found;
}

/** An API Gateway integration that starts a synchronous Express execution (`states:action/StartSyncExecution`). */
const START_SYNC_EXECUTION = /:states:action\/StartSyncExecution$/i;

/**
 * The state machine of the template that a StartSyncExecution integration's request templates
 * name: `${Machine}` / `${Machine.Arn}` in an `Fn::Sub`, or `stateMachine:<name>` written as the
 * machine's `Name` is (`${AWS::StackName}-Checkout`). Undefined unless exactly one matches.
 */
function syncExecutionMachine(template: Template, uri: IacValue | undefined, requestTemplates: IacValue | undefined): StateMachine | undefined {
  const text = intrinsicText(uri, () => '*');
  if (text === undefined || !START_SYNC_EXECUTION.test(text) || !isPlainObject(requestTemplates)) return undefined;
  const machines = stateMachines([template]).filter((m) => m.owner === template);
  if (machines.length === 0) return undefined;
  const found = new Set<StateMachine>();
  for (const value of Object.values(requestTemplates)) {
    const body = intrinsicText(value, () => '');
    if (body === undefined) continue;
    for (const m of body.matchAll(/\$\{([A-Za-z0-9]+)(?:\.Arn)?\}/g)) {
      for (const machine of machines) if (machine.resource.id === m[1]) found.add(machine);
    }
    for (const m of body.matchAll(/:stateMachine:([^"'\s,]+)/g)) {
      for (const machine of machines) {
        const name = intrinsicText(machine.resource.properties['Name'] ?? machine.resource.properties['StateMachineName'], () => '');
        if (name !== undefined && name !== '' && name === m[1]) found.add(machine);
      }
    }
  }
  return found.size === 1 ? [...found][0] : undefined;
}

/**
 * The functions a synchronous Express execution waits for: its Lambda tasks (`lambda:invoke`
 * with a `FunctionName`, or a function ARN as the resource) that do not invoke with
 * `InvocationType: Event`, each a function of the template.
 */
function syncExecutionFunctions(template: Template, machine: StateMachine): string[] {
  const ids = new Set<string>();
  for (const task of statesOf(machine)) {
    if (!isLambdaTask(task)) continue;
    const args = isPlainObject(task.state['Parameters']) ? task.state['Parameters'] : isPlainObject(task.state['Arguments']) ? task.state['Arguments'] : undefined;
    if (args && substituted(machine, args['InvocationType']) === 'Event') continue;
    const target = substituted(machine, args && !isAbsent(args['FunctionName']) ? args['FunctionName'] : task.resource);
    const id = functionRef(template, target);
    if (id) ids.add(id);
  }
  return [...ids];
}

/** The OpenAPI integrations of a definition that start a synchronous Express execution, with the machine. */
function openApiSyncExecutions(template: Template, definition: ApiDefinition): (OpenApiOperation & { machine: StateMachine })[] {
  const found: (OpenApiOperation & { machine: StateMachine })[] = [];
  for (const op of openApiOperations(definition)) {
    const machine = syncExecutionMachine(template, op.integration['uri'], op.integration['requestTemplates']);
    if (machine) found.push({ ...op, machine });
  }
  return found;
}

/**
 * The OpenAPI integrations of a SAM API event's API that invoke the function; 'unknown' when the
 * definition cannot be read. An empty list when the API has no definition or does not mention the
 * function (SAM then adds the event's integration with its defaults).
 */
function eventIntegrations(template: Template, restApiId: IacValue | undefined, functionId: string): PlainObject[] | 'unknown' {
  const id = refTarget(restApiId, template);
  if (!id) return isAbsent(restApiId) ? [] : 'unknown';
  const api = template.resources.get(id)!;
  if (api.type !== 'AWS::Serverless::Api') return [];
  const definition = apiDefinition(template, api);
  if (definition === 'unknown') return 'unknown';
  if (!definition) return [];
  return openApiIntegrations(template, definition).filter((i) => i.functionId === functionId).map((i) => i.integration);
}

/**
 * Functions that the OpenAPI definition of a REST API (SAM `AWS::Serverless::Api`,
 * `AWS::ApiGateway::RestApi` with a `Body`) integrates, inline or in a local file, without a SAM
 * `Api` event of the function on that API (those are the events' callers).
 */
function definitionCallers(template: Template): Caller[] {
  const callers: Caller[] = [];
  const ms = (value: number): string => seconds(value / 1000);
  // APIs each function has Api events on; '*' when an event's API cannot be read
  const viaEvents = new Map<string, Set<string>>();
  for (const event of samFunctionEvents(template)) {
    if (event.type !== 'Api') continue;
    const apis = viaEvents.get(event.functionId) ?? new Set<string>();
    viaEvents.set(event.functionId, apis);
    const restApiId = event.properties?.['RestApiId'];
    if (isAbsent(restApiId)) continue;
    apis.add(refTarget(restApiId, template) ?? '*');
  }
  for (const api of [...resourcesOfType(template, 'AWS::Serverless::Api'), ...resourcesOfType(template, 'AWS::ApiGateway::RestApi')]) {
    const definition = apiDefinition(template, api);
    if (!definition || definition === 'unknown') continue;
    const endpoint = hasOpaqueProperties(template, api) ? undefined : endpointType(api.properties['EndpointConfiguration']);
    for (const found of openApiIntegrations(template, definition)) {
      const events = viaEvents.get(found.functionId);
      if (events && (events.has(api.id) || events.has('*'))) continue;
      if (!waitsForResponse(found.integration, 'requestParameters', 'responseTransferMode')) continue;
      const limit = restLimit(found.integration['timeoutInMillis'], endpoint);
      if (limit === undefined) continue;
      const where = definition.file === undefined ? '' : ` (defined in ${definition.file})`;
      callers.push({
        functionId: found.functionId,
        limitMs: limit,
        description: `the ${ms(limit)} integration timeout of \`${found.operation}\` of API Gateway REST API \`${displayName(api)}\`${where}`,
        path: found.path,
        label: `\`${found.operation}\` of API Gateway REST API \`${displayName(api)}\``,
      });
    }
    // a synchronous Express execution: the API waits for every Lambda task the workflow runs
    for (const found of openApiSyncExecutions(template, definition)) {
      const limit = restLimit(found.integration['timeoutInMillis'], endpoint);
      if (limit === undefined) continue;
      const where = definition.file === undefined ? '' : ` (defined in ${definition.file})`;
      for (const functionId of syncExecutionFunctions(template, found.machine)) {
        callers.push({
          functionId,
          limitMs: limit,
          description: `the ${ms(limit)} integration timeout of \`${found.operation}\` of API Gateway REST API \`${displayName(api)}\`${where}, which waits for the synchronous Express execution of ${found.machine.label}`,
          path: found.path,
          label: `\`${found.operation}\` of API Gateway REST API \`${displayName(api)}\` (StartSyncExecution of ${found.machine.label})`,
        });
      }
    }
  }
  return callers;
}

/** Integrations that a WebSocket `$connect` route targets (`Target: integrations/<id>`). */
function connectRoutes(template: Template): Set<string> {
  const ids = new Set<string>();
  for (const route of resourcesOfType(template, 'AWS::ApiGatewayV2::Route')) {
    if (route.properties['RouteKey'] !== '$connect') continue;
    for (const id of references(route.properties['Target'], template).ids) ids.add(id);
  }
  return ids;
}

function callersOf(template: Template, lookup: (template: Template, id: string | undefined) => LocatedResource | undefined): Caller[] {
  const callers: Caller[] = [];
  // the function a value names: in the template, or in another file of its Terraform module
  const callee = (value: IacValue | undefined): { functionId: string; owner: Template } | undefined => {
    const id = functionRef(template, value);
    if (id) return { functionId: id, owner: template };
    const other = lookup(template, refTarget(value));
    return other && isFunction(other.resource) ? { functionId: other.resource.id, owner: other.template } : undefined;
  };
  const ms = (value: number): string => seconds(value / 1000);
  for (const event of samFunctionEvents(template)) {
    if (!event.properties) continue;
    const timeout = event.properties['TimeoutInMillis'];
    if (event.type === 'Api') {
      const definition = eventIntegrations(template, event.properties['RestApiId'], event.functionId);
      if (definition === 'unknown' || definition.some((i) => !waitsForResponse(i, 'requestParameters', 'responseTransferMode'))) continue;
      const declared = definition.find((i) => !isAbsent(i['timeoutInMillis']))?.['timeoutInMillis'] ?? timeout;
      const limit = restLimit(declared, restApiEndpoint(template, event.properties['RestApiId'], true));
      if (limit === undefined) continue;
      callers.push({
        functionId: event.functionId,
        limitMs: limit,
        description: `the ${ms(limit)} integration timeout of API Gateway REST event \`${event.eventId}\``,
        path: event.path,
        label: `API Gateway REST event \`${event.eventId}\``,
      });
    } else if (event.type === 'HttpApi') {
      const limit = cappedLimit(timeout, HTTP_MAX_MS);
      if (limit === undefined) continue;
      callers.push({
        functionId: event.functionId,
        limitMs: limit,
        description: `the ${ms(limit)} integration timeout of HTTP API event \`${event.eventId}\``,
        path: event.path,
        label: `HTTP API event \`${event.eventId}\``,
      });
    }
  }
  callers.push(...definitionCallers(template));
  for (const method of resourcesOfType(template, 'AWS::ApiGateway::Method')) {
    if (hasOpaqueProperties(template, method)) continue;
    const integration = method.properties['Integration'];
    if (!isPlainObject(integration)) continue;
    const type = integration['Type'];
    if (typeof type !== 'string' || !/^aws(_proxy)?$/i.test(type)) continue;
    const machine = syncExecutionMachine(template, integration['Uri'], integration['RequestTemplates']);
    if (machine) {
      const limit = restLimit(integration['TimeoutInMillis'], restApiEndpoint(template, method.properties['RestApiId'], false));
      if (limit === undefined) continue;
      for (const functionId of syncExecutionFunctions(template, machine)) {
        callers.push({
          functionId,
          limitMs: limit,
          description: `the ${ms(limit)} integration timeout of API Gateway REST method \`${displayName(method)}\`, which waits for the synchronous Express execution of ${machine.label}`,
          path: [...method.path, 'Properties', 'Integration'],
          label: `API Gateway REST method \`${displayName(method)}\` (StartSyncExecution of ${machine.label})`,
        });
      }
      continue;
    }
    const called = callee(integration['Uri']);
    if (!called || !waitsForResponse(integration, 'RequestParameters', 'ResponseTransferMode')) continue;
    const limit = restLimit(integration['TimeoutInMillis'], restApiEndpoint(template, method.properties['RestApiId'], false));
    if (limit === undefined) continue;
    callers.push({
      ...called,
      limitMs: limit,
      description: `the ${ms(limit)} integration timeout of API Gateway REST method \`${displayName(method)}\``,
      path: [...method.path, 'Properties', 'Integration'],
      label: `API Gateway REST method \`${displayName(method)}\``,
    });
  }
  for (const integration of resourcesOfType(template, 'AWS::ApiGatewayV2::Integration')) {
    if (hasOpaqueProperties(template, integration)) continue;
    const p = integration.properties;
    const type = p['IntegrationType'];
    if (typeof type !== 'string' || !/^aws(_proxy)?$/i.test(type)) continue;
    const called = callee(p['IntegrationUri']);
    if (!called) continue;
    const apiId = refTarget(p['ApiId'], template);
    const api = apiId ? template.resources.get(apiId) : undefined;
    const protocol = api?.type === 'AWS::ApiGatewayV2::Api' ? api.properties['ProtocolType'] : undefined;
    const websocket = typeof protocol === 'string' && protocol.toUpperCase() === 'WEBSOCKET';
    // On WebSocket APIs only the $connect handshake waits for the function; other routes
    // usually answer through the connection (@connections), not through the integration.
    if (websocket && !connectRoutes(template).has(integration.id)) continue;
    const limit = cappedLimit(p['TimeoutInMillis'], websocket ? WEBSOCKET_MAX_MS : HTTP_MAX_MS);
    if (limit === undefined) continue;
    const kind = websocket ? 'WebSocket API' : 'HTTP API';
    callers.push({
      ...called,
      limitMs: limit,
      description: `the ${ms(limit)} integration timeout of ${kind} integration \`${displayName(integration)}\``,
      path: [...integration.path, 'Properties', 'IntegrationUri'],
      label: `${kind} integration \`${displayName(integration)}\``,
    });
  }
  for (const api of resourcesOfType(template, 'AWS::ApiGatewayV2::Api')) {
    // HTTP API quick create: `Target` is the function, with the default 30 s integration.
    const called = callee(api.properties['Target']);
    if (!called) continue;
    callers.push({
      ...called,
      limitMs: HTTP_MAX_MS,
      description: `the 30 s integration timeout of HTTP API \`${displayName(api)}\``,
      path: [...api.path, 'Properties', 'Target'],
      label: `HTTP API \`${displayName(api)}\``,
    });
  }
  for (const dataSource of resourcesOfType(template, 'AWS::AppSync::DataSource')) {
    const type = dataSource.properties['Type'];
    if (typeof type !== 'string' || type.toUpperCase() !== 'AWS_LAMBDA') continue;
    if (invokedAsynchronously(template, dataSource)) continue;
    const functionId = functionRef(template, getIn(dataSource.properties, ['LambdaConfig', 'LambdaFunctionArn']));
    if (!functionId) continue;
    callers.push({
      functionId,
      limitMs: APPSYNC_MS,
      description: `the 30 s request limit of AppSync data source \`${displayName(dataSource)}\``,
      path: [...dataSource.path, 'Properties', 'LambdaConfig', 'LambdaFunctionArn'],
      label: `AppSync data source \`${displayName(dataSource)}\``,
    });
  }
  for (const api of resourcesOfType(template, 'AWS::Serverless::GraphQLApi')) {
    const lambdas = getIn(api.properties, ['DataSources', 'Lambda']);
    if (!isPlainObject(lambdas)) continue;
    for (const [name, dataSource] of Object.entries(lambdas)) {
      const functionId = functionRef(template, getIn(dataSource, ['FunctionArn']));
      if (!functionId) continue;
      callers.push({
        functionId,
        limitMs: APPSYNC_MS,
        description: `the 30 s request limit of AppSync data source \`${name}\` of \`${displayName(api)}\``,
        path: [...api.path, 'Properties', 'DataSources', 'Lambda', name],
        label: `AppSync data source \`${name}\``,
      });
    }
  }
  return callers;
}

/** Request templates that invoke the function without waiting for it (`"invocationType": "Event"`). */
const EVENT_INVOCATION = /"invocationType"\s*:\s*"Event"/;

/**
 * True when every resolver of an AppSync Lambda data source (there is at least one) invokes the
 * function asynchronously: AppSync answers at once and does not wait for the function.
 */
function invokedAsynchronously(template: Template, dataSource: Resource): boolean {
  const name = dataSource.properties['Name'];
  const resolvers = resourcesOfType(template, 'AWS::AppSync::Resolver').filter((r) => {
    const target = r.properties['DataSourceName'];
    return refTarget(target, template) === dataSource.id || (typeof name === 'string' && target === name);
  });
  return resolvers.length > 0 && resolvers.every((r) => {
    const request = r.properties['RequestMappingTemplate'];
    return typeof request === 'string' && EVENT_INVOCATION.test(request);
  });
}

/** A function whose timeout is longer than some synchronous caller waits. */
interface Exceeded {
  fn: Resource;
  seconds: number;
  path: PathSegment[];
  /** Its callers that give up first, strictest first, each with the template that declares it. */
  callers: (Caller & { template: Template })[];
}

/**
 * Several functions as a message names them: the first three names, then how many more; functions
 * of one name (made by one construct class used several times) are counted.
 */
function functionList(fns: Resource[]): string {
  const names = [...new Set(fns.map((fn) => `\`${displayName(fn)}\``))];
  if (names.length === 1) return `${fns.length} Lambda functions ${names[0]}`;
  const shown = names.slice(0, 3);
  const more = fns.length - shown.length;
  return more > 0 ? `Lambda functions ${shown.join(', ')} and ${more} more` : `Lambda functions ${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

const CONSEQUENCE = 'the caller gives up while the function keeps working, and the client cannot know the outcome';

const detector: IacDetector = {
  iac({ templates }) {
    const reports: IacReport[] = [];
    // callers by the template of the function they call, each with its own template
    const lookup = resourceLookup(templates);
    const callersByOwner = new Map<Template, (Caller & { template: Template })[]>();
    for (const template of templates) {
      for (const caller of callersOf(template, lookup)) {
        const owner = caller.owner ?? template;
        const list = callersByOwner.get(owner) ?? [];
        list.push({ ...caller, template });
        callersByOwner.set(owner, list);
      }
    }
    for (const template of templates) {
      const callers = callersByOwner.get(template) ?? [];
      if (callers.length === 0) continue;
      // functions that take their timeout from one place get one finding there
      const byPlace = new Map<string, Exceeded[]>();
      for (const fn of functions(template)) {
        const own = callers.filter((c) => c.functionId === fn.id);
        if (own.length === 0) continue;
        const timeout = functionTimeout(template, fn);
        if (!timeout) continue;
        const exceeded = own.filter((c) => timeout.seconds * 1000 > c.limitMs).sort((a, b) => a.limitMs - b.limitMs);
        if (exceeded.length === 0) continue;
        // a value several functions share (SAM's `Globals`, a props object spread into each)
        const at = template.locate(timeout.path);
        const place = at.exact ? `${at.file ?? ''}\u0000${at.start}` : JSON.stringify(timeout.path);
        const group = byPlace.get(place) ?? [];
        group.push({ fn, seconds: timeout.seconds, path: timeout.path, callers: exceeded });
        byPlace.set(place, group);
      }
      for (const group of byPlace.values()) {
        const all = group.flatMap((g) => g.callers).sort((a, b) => a.limitMs - b.limitMs);
        const strictest = all[0]!;
        const others = all.length - 1;
        const more = others > 0 ? ` (and ${others} more synchronous caller${others > 1 ? 's' : ''})` : '';
        const { fn, seconds: s, path } = group[0]!;
        const subject =
          group.length === 1
            ? `Lambda function \`${displayName(fn)}\` has a timeout of ${seconds(s)}`
            : `${functionList(group.map((g) => g.fn))} share the timeout of ${seconds(s)} set here`;
        reports.push({
          template,
          path,
          message: `${subject}, longer than ${strictest.description}${more}: ${CONSEQUENCE}`,
          related: all.map((c) => ({ template: c.template, path: c.path, label: c.label })),
        });
      }
    }
    return reports;
  },
};

export default detector;

