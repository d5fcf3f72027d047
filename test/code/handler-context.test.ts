import { describe, it, expect } from 'vitest';
import { parseCode } from '../../src/code/parse.js';
import { FileAnalysis } from '../../src/code/analysis.js';
import { ts } from '../../src/code/ts.js';
import { walk } from '../../src/code/walk.js';

function analyse(text: string, file = 'f.ts') {
  const analysis = new FileAnalysis(parseCode(file, text));
  /** The context at the first call of `name(...)`. */
  const at = (name: string) => {
    let found: ts.Node | undefined;
    walk(analysis.sourceFile, (n) => {
      if (!found && ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === name) found = n;
      return !found;
    });
    if (!found) throw new Error(`no call of ${name}`);
    return analysis.contexts.contextAt(found);
  };
  return { analysis, at };
}

describe('HandlerContexts: Lambda handlers', () => {
  it('classifies handlers by their declared aws-lambda types', () => {
    const { at } = analyse(
      [
        "import type { SQSHandler, APIGatewayProxyEvent } from 'aws-lambda';",
        'export const consume: SQSHandler = async (event) => { probeSqs(); };',
        'export async function api(event: APIGatewayProxyEvent) { probeApi(); }',
      ].join('\n'),
    );
    expect(at('probeSqs')).toEqual({ context: 'at-least-once', reason: 'declared as SQSHandler', source: 'SQS' });
    expect(at('probeApi')).toEqual({ context: 'request-path', reason: 'declared as APIGatewayProxyEvent' });
  });

  it('classifies untyped handlers by how they use the event', () => {
    const { at } = analyse(
      [
        'exports.handler = async (event) => { for (const r of event.Records) { probeRecords(r.body); } };',
        'export const api = async (event) => { probeApi(event.httpMethod); };',
      ].join('\n'),
      'f.js',
    );
    expect(at('probeRecords')).toMatchObject({ context: 'at-least-once', source: 'SQS' });
    expect(at('probeApi')).toMatchObject({ context: 'request-path', reason: 'uses event.httpMethod' });
  });

  it('gives module helpers the context every handler of the file agrees on, else the project context', () => {
    const agree = analyse(
      ["import type { SQSEvent } from 'aws-lambda';", 'function helper() { probe(); }', 'export async function handler(event: SQSEvent) { helper(); }'].join('\n'),
    );
    expect(agree.at('probe')).toMatchObject({ context: 'at-least-once', reason: 'declared as SQSEvent in this file' });

    const mixed = analyse(
      [
        "import type { SQSEvent, APIGatewayProxyEvent } from 'aws-lambda';",
        'function helper() { probe(); }',
        'export async function a(event: SQSEvent) {}',
        'export async function b(event: APIGatewayProxyEvent) {}',
      ].join('\n'),
    );
    expect(mixed.at('probe')).toBeUndefined();
    mixed.analysis.contexts.setFileContext({ context: 'at-least-once', reason: 'wired to an SQS queue in template.yaml', source: 'SQS' });
    expect(mixed.at('probe')).toMatchObject({ reason: 'wired to an SQS queue in template.yaml' });
  });

  it('leaves functions without evidence unclassified', () => {
    const { analysis, at } = analyse('export async function handler(event) { probe(event.id); }', 'f.js');
    expect(at('probe')).toBeUndefined();
    expect(analysis.contexts.handlers()).toEqual([]);
  });
});

describe('HandlerContexts: HTTP server routes', () => {
  it('recognises Express apps, routers, route chains, middleware and same-file handler functions', () => {
    const { analysis, at } = analyse(
      [
        "import express, { Router } from 'express';",
        'const app = express();',
        'const router = Router();',
        'async function getOrder(req, res) { probeNamed(); }',
        "app.get('/orders/:id', getOrder);",
        "router.post('/orders', auth, async (req, res) => { probeRouter(); });",
        "app.route('/items').get((req, res) => { probeChain(); });",
        'app.use((req, res, next) => { probeMiddleware(); next(); });',
        "app.use('/api', router);",
        "app.set('port', 3000);",
        "app.listen(3000, () => { probeListen(); });",
        'function auth(req, res, next) { next(); }',
      ].join('\n'),
    );
    expect(at('probeNamed')).toMatchObject({ context: 'request-path', source: 'Express', reason: "Express route handler registered with app.get('/orders/:id', …)" });
    expect(at('probeRouter')).toMatchObject({ context: 'request-path', source: 'Express' });
    expect(at('probeChain')).toMatchObject({ context: 'request-path' });
    expect(at('probeMiddleware')).toMatchObject({ context: 'request-path' });
    // the listen callback is not a route, but every classified function of the file is on the request path
    expect(at('probeListen')).toMatchObject({ context: 'request-path', reason: expect.stringMatching(/in this file$/) });
    const names = analysis.contexts.handlers().map(([fn]) => fn.getStart());
    expect(names).toHaveLength(5);
  });

  it('recognises CommonJS Express and Fastify route options, hooks and plugins', () => {
    const { analysis, at } = analyse(
      [
        "const fastify = require('fastify')({ logger: true });",
        "fastify.get('/a', { schema: {} }, async (req) => { probeShorthand(); });",
        "fastify.route({ method: 'GET', url: '/b', handler: async () => { probeRoute(); } });",
        "fastify.addHook('preHandler', async () => { probeHook(); });",
        "fastify.addHook('onClose', async () => { probeClose(); });",
        "fastify.register(async (instance) => { instance.post('/c', async () => { probePlugin(); }); });",
      ].join('\n'),
      'f.cjs',
    );
    expect(at('probeShorthand')).toMatchObject({ context: 'request-path', source: 'Fastify' });
    expect(at('probeRoute')).toMatchObject({ context: 'request-path' });
    expect(at('probeHook')).toMatchObject({ context: 'request-path' });
    expect(at('probePlugin')).toMatchObject({ context: 'request-path' });
    const classified = new Set(analysis.contexts.handlers().map(([fn]) => fn));
    let close: ts.Node | undefined;
    walk(analysis.sourceFile, (n) => {
      if (ts.isArrowFunction(n) && n.getText().includes('probeClose')) close = n;
    });
    expect(classified.has(close as ts.FunctionLikeDeclaration)).toBe(false);
  });

  it('recognises Fastify plugins typed with FastifyInstance, Koa, Hono and Nest controllers', () => {
    const { at } = analyse(
      [
        "import type { FastifyInstance } from 'fastify';",
        "import Koa from 'koa';",
        "import Router from '@koa/router';",
        "import { Hono } from 'hono';",
        "import { Controller, Get, Injectable } from '@nestjs/common';",
        "export default async function routes(app: FastifyInstance) { app.get('/f', async () => { probeFastify(); }); }",
        'const koa = new Koa();',
        'koa.use(async (ctx, next) => { probeKoa(); await next(); });',
        "koa.on('error', (err) => { probeKoaError(err); });",
        'const router = new Router();',
        "router.get('/k', async (ctx) => { probeKoaRouter(); });",
        "const hono = new Hono().basePath('/api');",
        "hono.get('/h', (c) => { probeHono(); return c.text('ok'); });",
        "@Controller('orders') export class OrdersController { @Get(':id') find() { probeNest(); } helper() { probeNestHelper(); } }",
        '@Injectable() export class OrdersService { find() { probeService(); } }',
      ].join('\n'),
    );
    expect(at('probeFastify')).toMatchObject({ context: 'request-path', source: 'Fastify' });
    expect(at('probeKoa')).toMatchObject({ context: 'request-path', source: 'Koa' });
    expect(at('probeKoaRouter')).toMatchObject({ context: 'request-path', source: 'Koa' });
    expect(at('probeHono')).toMatchObject({ context: 'request-path', source: 'Hono' });
    expect(at('probeNest')).toMatchObject({ context: 'request-path', source: 'Nest', reason: 'Nest route handler @Get() in OrdersController' });
    // not a route itself; falls back to the file-wide agreement
    expect(at('probeKoaError')?.reason).toMatch(/in this file$/);
  });

  it('recognises servers held in class members', () => {
    const { at } = analyse(
      [
        "import express from 'express';",
        'export class Server {',
        '  private app = express();',
        '  private router;',
        '  constructor() { this.router = express.Router(); }',
        "  routes() { this.app.get('/a', (req, res) => { probeMember(); }); this.router.post('/b', () => { probeCtor(); }); }",
        '}',
      ].join('\n'),
    );
    expect(at('probeMember')).toMatchObject({ context: 'request-path', source: 'Express' });
    expect(at('probeCtor')).toMatchObject({ context: 'request-path', source: 'Express' });
  });

  it('recognises handlers typed with framework types', () => {
    const { at } = analyse(
      [
        "import type { RequestHandler, Request, Response } from 'express';",
        'export const list: RequestHandler = async (req, res) => { probeTyped(); };',
        'export async function show(req: Request, res: Response) { probeParam(); }',
      ].join('\n'),
    );
    expect(at('probeTyped')).toMatchObject({ context: 'request-path', reason: 'Express route handler typed as RequestHandler' });
    expect(at('probeParam')).toMatchObject({ context: 'request-path', reason: 'Express route handler typed as Request' });
  });

  it('ignores look-alike objects that do not come from a server framework', () => {
    const { analysis } = analyse(
      [
        "import { get } from 'lodash';",
        'const cache = new Map();',
        "const router = makeRouter();",
        "router.get('/x', () => { probe(); });",
        "cache.get('k');",
        "[1, 2].map((n) => n + 1);",
        'export const app = { get(path, fn) { return fn; } };',
        "app.get('/y', () => probe());",
        'get({}, "a");',
      ].join('\n'),
    );
    expect(analysis.contexts.handlers()).toEqual([]);
  });

  it('keeps declared Lambda types ahead of route registration', () => {
    const { at } = analyse(
      [
        "import express from 'express';",
        "import type { SQSEvent } from 'aws-lambda';",
        'const app = express();',
        'export async function consume(event: SQSEvent) { probe(); }',
        "app.post('/replay', consume as never);",
      ].join('\n'),
    );
    expect(at('probe')).toMatchObject({ context: 'at-least-once', source: 'SQS' });
  });
});

describe('HandlerContexts.isHandlerFile', () => {
  const isHandler = (text: string, file = 'f.ts') => analyse(text, file).analysis.contexts.isHandlerFile();

  it('accepts Lambda entry points, aws-lambda imports, classified handlers and route files', () => {
    expect(isHandler('export const handler = async (event) => event;', 'f.mjs')).toBe(true);
    expect(isHandler('exports.handler = async function (event) { return event; };', 'f.js')).toBe(true);
    expect(isHandler('module.exports.lambdaHandler = async (e) => e;', 'f.js')).toBe(true);
    expect(isHandler('async function handler(e) { return e; }\nmodule.exports = { handler };', 'f.js')).toBe(true);
    expect(isHandler('const run = async (e) => e;\nexport { run as handler };')).toBe(true);
    expect(isHandler('async function handler(e) { return e; }\nexport { handler };')).toBe(true);
    expect(isHandler('export async function main(event, context) { return event; }')).toBe(true);
    expect(isHandler("import type { Context } from 'aws-lambda';\nexport const run = async (e: unknown, c: Context) => c;")).toBe(true);
    expect(isHandler("import express from 'express';\nconst app = express();\napp.get('/', (req, res) => res.send('ok'));")).toBe(true);
  });

  it('rejects test files and files that only import aws-lambda types', () => {
    expect(isHandler('export const handler = async (event) => event;', 'src/orders.test.mjs')).toBe(false);
    expect(isHandler('export const handler = async (event) => event;', 'src/__tests__/orders.js')).toBe(false);
    expect(isHandler("import type { APIGatewayProxyEvent } from 'aws-lambda';\nexport const sample: APIGatewayProxyEvent | undefined = undefined;")).toBe(false);
  });

  it('rejects scripts, libraries and CDK code', () => {
    expect(isHandler('async function main() { await work(); }\nmain();')).toBe(false);
    expect(isHandler('export async function getPrice(id: string) { return id; }')).toBe(false);
    expect(isHandler('export const addPreSignUpHandler = async ({ region }) => region;')).toBe(false);
    expect(isHandler("import { Stack } from 'aws-cdk-lib';\nexport class S extends Stack {}")).toBe(false);
  });

  it('accepts a file that project wiring gave a context', () => {
    const { analysis } = analyse('export async function run(e: unknown) { return e; }');
    analysis.contexts.setFileContext({ context: 'request-path', reason: 'API event in template.yaml' });
    expect(analysis.contexts.isHandlerFile()).toBe(true);
  });
});
