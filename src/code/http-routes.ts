/**
 * HTTP server route handlers and Lambda entry points, recognised by import source.
 *
 * Route handlers are the functions registered on a server or router object created from
 * `express`, `fastify`, `koa`, `@koa/router`, `koa-router` or `hono` (`app.get('/x', fn)`,
 * `router.post('/x', mw, fn)`, `app.use(fn)`, `fastify.route({ handler })`,
 * `fastify.addHook('preHandler', fn)`, `app.route('/x').get(fn)`), and the `@Get()` / `@Post()` / ...
 * methods of `@Controller()` classes from `@nestjs/common`. A server object is a value created
 * from one of those modules (`express()`, `express.Router()`, `new Koa()`, `new Hono()`,
 * `require('fastify')()`), a parameter typed with one of their types (`app: FastifyInstance`,
 * `router: Router`), the instance a Fastify plugin receives (`fastify.register(async (f) => ...)`,
 * `fp(async (f) => ...)`), or what a function of another project module returns when it returns
 * such a value (`const app = createApp()`).
 */
import { ts } from './ts.js';
import { ancestors, isFunctionLike, returnedExpressions, step, thisMemberValue, unwrap } from './walk.js';
import { calleeAcross } from './modules.js';
import type { FileFacts, ModuleRef } from './file-facts.js';
import type { ContextEvidence } from './evidence.js';

const FRAMEWORKS: Record<string, string> = {
  express: 'Express',
  fastify: 'Fastify',
  koa: 'Koa',
  '@koa/router': 'Koa',
  'koa-router': 'Koa',
  hono: 'Hono',
  '@nestjs/common': 'Nest',
};

/** Methods that register request handlers on a server or router. */
const ROUTE_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'all', 'use', 'head', 'options', 'route']);
/** Methods whose result is again a server or router (`app.route('/x').get(...)`, Hono chaining). */
const CHAIN_METHODS = new Set([...ROUTE_METHODS, 'basePath', 'prefix']);
/** Fastify hooks that run before the response is sent. */
const REQUEST_HOOKS = new Set(['onRequest', 'preParsing', 'preValidation', 'preHandler', 'preSerialization', 'onSend']);
/** Fastify route option members that hold request-path functions. */
const ROUTE_OPTION_HANDLERS = new Set(['handler', ...REQUEST_HOOKS]);
const NEST_ROUTE_DECORATORS = new Set(['Get', 'Post', 'Put', 'Patch', 'Delete', 'All', 'Head', 'Options', 'Search']);

const MAX_DEPTH = 6;

export function frameworkOfModule(module: string): string | undefined {
  if (module in FRAMEWORKS) return FRAMEWORKS[module];
  if (module.startsWith('hono/')) return 'Hono';
  return undefined;
}

function frameworkOfRef(ref: ModuleRef): string | undefined {
  return frameworkOfModule(ref.module);
}

/** Whether the file imports an HTTP server framework at all (the cheap gate in front of everything else). */
export function importsServerFramework(analysis: FileFacts): boolean {
  for (const m of analysis.modules) if (frameworkOfModule(m) || m === 'fastify-plugin') return true;
  return false;
}

/** The framework a server or router expression belongs to, when it is one. */
export function serverFramework(analysis: FileFacts, expr: ts.Expression, depth = 0): string | undefined {
  if (depth > MAX_DEPTH) return undefined;
  let e = unwrap(expr);
  if (ts.isAwaitExpression(e)) e = unwrap(e.expression);
  if (ts.isIdentifier(e)) {
    const value = analysis.resolveValue(e);
    if (value !== e) return serverFramework(analysis, value, depth + 1);
    return parameterFramework(analysis, e);
  }
  // `this.app.get(...)` with `this.app = express()` in the class
  if (ts.isPropertyAccessExpression(e) && e.expression.kind === ts.SyntaxKind.ThisKeyword) {
    const value = thisMemberValue(e);
    return value ? serverFramework(analysis, value, depth + 1) : undefined;
  }
  if (ts.isNewExpression(e)) {
    const origin = analysis.origin(e);
    return origin?.kind === 'instance' ? frameworkOfRef(origin.ref) : undefined;
  }
  if (ts.isCallExpression(e)) {
    const callee = unwrap(e.expression);
    const origin = analysis.origin(callee);
    // `express()`, `express.Router()`, `Fastify({ logger })`, `require('fastify')()`
    if (origin?.kind === 'module') {
      const fw = frameworkOfRef(origin.ref);
      if (fw) return fw;
    }
    if (ts.isPropertyAccessExpression(callee) && CHAIN_METHODS.has(callee.name.text)) return serverFramework(analysis, callee.expression, depth + 1);
    return origin?.kind === 'module' ? factoryFramework(analysis, callee, depth) : undefined;
  }
  return undefined;
}

/**
 * `const app = createApp()` with `createApp` a function of another module of the project that
 * returns the server it makes (`const app = express(); ...; return app`): the framework every
 * `return` of the function gives.
 */
function factoryFramework(analysis: FileFacts, callee: ts.Expression, depth: number): string | undefined {
  const target = calleeAcross(analysis, callee);
  if (!target) return undefined;
  let fw: string | undefined;
  for (const ret of returnedExpressions(target.fn)) {
    const each = serverFramework(target.facts, ret, depth + 1);
    if (!each || (fw && each !== fw)) return undefined;
    fw = each;
  }
  return fw;
}


/** A parameter typed with a framework type, or the instance handed to a Fastify plugin. */
function parameterFramework(analysis: FileFacts, id: ts.Identifier): string | undefined {
  for (const a of ancestors(id)) {
    if (!isFunctionLike(a)) continue;
    const index = a.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === id.text);
    if (index < 0) continue;
    const param = a.parameters[index];
    if (param.type && ts.isTypeReferenceNode(param.type)) {
      let name: ts.EntityName = param.type.typeName;
      while (ts.isQualifiedName(name)) name = name.left;
      const origin = analysis.origin(name);
      if (origin?.kind === 'module') {
        const fw = frameworkOfRef(origin.ref);
        if (fw) return fw;
      }
    }
    if (index === 0) return pluginFramework(analysis, a);
    return undefined;
  }
  return undefined;
}

/** `fastify.register(async (instance) => ...)` and `fp(async (instance) => ...)` from fastify-plugin. */
function pluginFramework(analysis: FileFacts, fn: ts.FunctionLikeDeclaration): string | undefined {
  const call = fn.parent;
  if (!call || !ts.isCallExpression(call) || !call.arguments.some((a) => unwrap(a) === fn)) return undefined;
  const callee = unwrap(call.expression);
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'register') return serverFramework(analysis, callee.expression, 1);
  const origin = analysis.origin(callee);
  if (origin?.kind === 'module' && origin.ref.module === 'fastify-plugin') return 'Fastify';
  return undefined;
}

/** Functions an argument of a route registration stands for: inline functions, same-file functions, arrays, wrappers, Fastify route options. */
function handlerFunctions(analysis: FileFacts, arg: ts.Expression, out: ts.FunctionLikeDeclaration[], depth = 0): void {
  if (depth > 3) return;
  const a = unwrap(arg);
  if (isFunctionLike(a)) {
    out.push(a);
    return;
  }
  if (ts.isIdentifier(a)) {
    const value = analysis.resolveValue(a);
    if (isFunctionLike(value)) {
      out.push(value);
      return;
    }
    if (value === a) {
      step(analysis.functions.length);
      const decl = analysis.functions.find((f) => ts.isFunctionDeclaration(f) && f.name?.text === a.text && f.body);
      if (decl) out.push(decl);
    }
    return;
  }
  if (ts.isArrayLiteralExpression(a)) {
    for (const el of a.elements) handlerFunctions(analysis, el, out, depth + 1);
    return;
  }
  if (ts.isObjectLiteralExpression(a)) {
    for (const p of a.properties) {
      if (!p.name || !ts.isIdentifier(p.name) || !ROUTE_OPTION_HANDLERS.has(p.name.text)) continue;
      if (ts.isMethodDeclaration(p)) out.push(p);
      else if (ts.isPropertyAssignment(p)) handlerFunctions(analysis, p.initializer, out, depth + 1);
      else if (ts.isShorthandPropertyAssignment(p)) handlerFunctions(analysis, p.name, out, depth + 1);
    }
    return;
  }
  // `asyncHandler(async (req, res) => ...)`, `validate(schema, handler)`
  if (ts.isCallExpression(a)) {
    for (const inner of a.arguments) {
      const i = unwrap(inner);
      if (isFunctionLike(i)) out.push(i);
    }
  }
}

function pathText(call: ts.CallExpression): string {
  const first = call.arguments[0] && unwrap(call.arguments[0]);
  return first && ts.isStringLiteralLike(first) ? `'${first.text}'` : '';
}

function calleeText(callee: ts.PropertyAccessExpression): string {
  const recv = unwrap(callee.expression);
  const text = ts.isIdentifier(recv) || recv.kind === ts.SyntaxKind.ThisKeyword ? recv.getText() : ts.isPropertyAccessExpression(recv) ? recv.name.text : '…';
  return `${text}.${callee.name.text}`;
}

/** Every route handler of the file with its evidence, in source order. */
export function routeHandlers(analysis: FileFacts): [ts.FunctionLikeDeclaration, ContextEvidence][] {
  if (!importsServerFramework(analysis)) return [];
  const out: [ts.FunctionLikeDeclaration, ContextEvidence][] = [];
  const seen = new Set<ts.Node>();
  const add = (fns: ts.FunctionLikeDeclaration[], framework: string, what: string) => {
    for (const fn of fns) {
      if (seen.has(fn)) continue;
      seen.add(fn);
      out.push([fn, { context: 'request-path', reason: `${framework} route handler ${what}`, source: framework }]);
    }
  };
  for (const call of analysis.calls) {
    const callee = unwrap(call.expression);
    if (!ts.isPropertyAccessExpression(callee)) continue;
    const method = callee.name.text;
    const isHook = method === 'addHook';
    if (!ROUTE_METHODS.has(method) && !isHook && method !== 'on') continue;
    if (call.arguments.length === 0) continue;
    const framework = serverFramework(analysis, callee.expression);
    if (!framework || framework === 'Nest') continue;
    let args: readonly ts.Expression[] = call.arguments;
    if (isHook) {
      const hook = unwrap(call.arguments[0]);
      if (!ts.isStringLiteralLike(hook) || !REQUEST_HOOKS.has(hook.text)) continue;
      args = call.arguments.slice(1);
    } else if (method === 'on') {
      // Hono `app.on('GET', '/x', handler)`; other frameworks' `on` is an event emitter
      if (framework !== 'Hono') continue;
    } else if (method === 'route' && framework !== 'Fastify') {
      // Express/Hono `app.route('/x')` returns a route object: its handlers are registered by the chained calls
      continue;
    }
    const fns: ts.FunctionLikeDeclaration[] = [];
    for (const arg of args) {
      const a = unwrap(arg);
      // `fastify.get(path, opts, handler)`: options objects only count for Fastify; Express takes no objects
      if (ts.isObjectLiteralExpression(a) && framework !== 'Fastify') continue;
      handlerFunctions(analysis, a, fns);
    }
    const path = pathText(call);
    add(fns, framework, `registered with ${calleeText(callee)}(${path ? `${path}, …` : '…'})`);
  }
  // handlers declared apart from their registration: `const h: RequestHandler = ...`, `(req: Request, res: Response) => ...`
  for (const fn of analysis.functions) {
    if (seen.has(fn)) continue;
    const typed = typedHandler(analysis, fn);
    if (typed) add([fn], typed.framework, `typed as ${typed.type}`);
  }
  if (analysis.modules.has('@nestjs/common')) nestHandlers(analysis, add);
  return out;
}

/** Types that make a function a request handler: of the function itself, or of its request/context parameter. */
const HANDLER_TYPES = new Set(['RequestHandler', 'RouteHandler', 'RouteHandlerMethod', 'Middleware', 'MiddlewareHandler', 'Handler']);
const REQUEST_TYPES = new Set(['Request', 'FastifyRequest', 'Context', 'ParameterizedContext']);

function typeFramework(analysis: FileFacts, type: ts.TypeNode | undefined, names: Set<string>): { framework: string; type: string } | undefined {
  if (!type || !ts.isTypeReferenceNode(type)) return undefined;
  let name: ts.EntityName = type.typeName;
  const last = ts.isIdentifier(name) ? name.text : name.right.text;
  while (ts.isQualifiedName(name)) name = name.left;
  const origin = analysis.origin(name);
  if (origin?.kind !== 'module') return undefined;
  const framework = frameworkOfRef(origin.ref);
  const exported = origin.ref.path[origin.ref.path.length - 1] ?? last;
  if (!framework || framework === 'Nest' || !names.has(exported)) return undefined;
  return { framework, type: exported };
}

function typedHandler(analysis: FileFacts, fn: ts.FunctionLikeDeclaration): { framework: string; type: string } | undefined {
  const parent = fn.parent;
  if (parent && ts.isVariableDeclaration(parent) && parent.initializer === fn) {
    const t = typeFramework(analysis, parent.type, HANDLER_TYPES);
    if (t) return t;
  }
  // `(req: Request, res: Response)`, `(err, req: Request, ...)`, `(ctx: Context)`
  for (const p of fn.parameters.slice(0, 2)) {
    const t = typeFramework(analysis, p.type, REQUEST_TYPES);
    if (t) return t;
  }
  return undefined;
}

function decoratorName(analysis: FileFacts, d: ts.Decorator, module: string): string | undefined {
  const e = unwrap(d.expression);
  const callee = ts.isCallExpression(e) ? unwrap(e.expression) : e;
  const origin = analysis.origin(callee);
  if (origin?.kind !== 'module' || origin.ref.module !== module || origin.ref.path.length !== 1) return undefined;
  return origin.ref.path[0];
}

function nestHandlers(analysis: FileFacts, add: (fns: ts.FunctionLikeDeclaration[], framework: string, what: string) => void): void {
  for (const st of analysis.sourceFile.statements) {
    if (!ts.isClassDeclaration(st)) continue;
    const decorators = ts.getDecorators(st) ?? [];
    if (!decorators.some((d) => decoratorName(analysis, d, '@nestjs/common') === 'Controller')) continue;
    for (const m of st.members) {
      if (!ts.isMethodDeclaration(m) || !m.body) continue;
      for (const d of ts.getDecorators(m) ?? []) {
        const name = decoratorName(analysis, d, '@nestjs/common');
        if (name && NEST_ROUTE_DECORATORS.has(name)) {
          add([m], 'Nest', `@${name}() in ${st.name?.text ?? 'a controller'}`);
          break;
        }
      }
    }
  }
}

const ENTRY_NAME = /^(?:handler|lambdaHandler)$/;

function isExported(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && !!ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

function eventSignature(fn: ts.Node): boolean {
  const f = isFunctionLike(fn) ? fn : undefined;
  if (!f || f.parameters.length === 0 || f.parameters.length > 3) return false;
  const p = f.parameters[0];
  return ts.isIdentifier(p.name) && /^_?(?:event|evt)$/.test(p.name.text);
}

/** A function with a parameter typed as the Lambda `Context` from `aws-lambda`. */
function takesLambdaContext(analysis: FileFacts, fn: ts.FunctionLikeDeclaration): boolean {
  return fn.parameters.some((p) => {
    if (!p.type || !ts.isTypeReferenceNode(p.type) || !ts.isIdentifier(p.type.typeName)) return false;
    const origin = analysis.origin(p.type.typeName);
    return origin?.kind === 'module' && origin.ref.module === 'aws-lambda' && origin.ref.path[0] === 'Context';
  });
}

/** `exports.x`, `module.exports.x` → 'x'. */
function commonJsExportName(left: ts.Expression): string | undefined {
  const l = unwrap(left);
  if (!ts.isPropertyAccessExpression(l)) return undefined;
  const base = unwrap(l.expression);
  if (ts.isIdentifier(base) && base.text === 'exports') return l.name.text;
  if (ts.isPropertyAccessExpression(base) && base.name.text === 'exports' && ts.isIdentifier(base.expression) && base.expression.text === 'module') return l.name.text;
  return undefined;
}

/**
 * Lambda entry points of the file: an export named `handler` or `lambdaHandler` (ESM or CommonJS,
 * including `module.exports = { handler }` and `export { run as handler }`), an exported function
 * whose first parameter is `event`, or a function taking the Lambda `Context` from `aws-lambda`.
 * Returns the nodes that show it.
 */
export function lambdaEntryPoints(analysis: FileFacts): ts.Node[] {
  const out: ts.Node[] = [];
  if (analysis.modules.has('aws-lambda')) for (const fn of analysis.functions) if (takesLambdaContext(analysis, fn)) out.push(fn);
  for (const st of analysis.sourceFile.statements) {
    if (ts.isFunctionDeclaration(st) && isExported(st) && st.name && (ENTRY_NAME.test(st.name.text) || eventSignature(st))) out.push(st);
    else if (ts.isVariableStatement(st) && isExported(st)) {
      for (const d of st.declarationList.declarations) {
        if (!ts.isIdentifier(d.name)) continue;
        if (ENTRY_NAME.test(d.name.text) || (d.initializer && eventSignature(unwrap(d.initializer)))) out.push(d);
      }
    } else if (ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause) && !st.moduleSpecifier) {
      for (const el of st.exportClause.elements) if (ENTRY_NAME.test(el.name.text)) out.push(el);
    } else if (ts.isExpressionStatement(st)) {
      const e = unwrap(st.expression);
      if (!ts.isBinaryExpression(e) || e.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
      const name = commonJsExportName(e.left);
      if (name !== undefined) {
        if (ENTRY_NAME.test(name) || eventSignature(unwrap(e.right))) out.push(e);
        continue;
      }
      // module.exports = { handler }
      const l = unwrap(e.left);
      const r = unwrap(e.right);
      if (ts.isPropertyAccessExpression(l) && l.name.text === 'exports' && ts.isIdentifier(l.expression) && l.expression.text === 'module' && ts.isObjectLiteralExpression(r)) {
        if (r.properties.some((p) => p.name && ts.isIdentifier(p.name) && ENTRY_NAME.test(p.name.text))) out.push(e);
      }
    }
  }
  return out;
}
