/**
 * Calls in a handler file whose target the project model can resolve: AWS SDK calls that take a
 * function, queue, topic or state machine from an environment variable, and HTTP requests whose
 * URL comes from an environment variable or is a literal host. Calls made in helpers of other
 * project modules that the handler file's calls reach (`./code/reach.ts`) count too, placed at the
 * call in the handler file: they run in the handler's function, with its environment. Pure:
 * depends on the file and the modules it reaches only.
 */
import { ts } from '../code/ts.js';
import type { FileAnalysis } from '../code/analysis.js';
import type { FileFacts } from '../code/file-facts.js';
import { reachedAt, reachedFiles } from '../code/reach.js';
import { valueAtCalls, type CallSite } from '../code/passed-values.js';
import { getProperty, stringShape } from '../code/values.js';
import { localCallee, remoteCallInfosIn } from '../code/remote-calls.js';
import { calleeAcross } from '../code/modules.js';
import { sdkCallsOf } from '../code/aws-sdk.js';
import { isProcessEnv, returnedExpressions, someOwnNode, thisMemberValue, unwrap } from '../code/walk.js';
import { serviceHost, type CodeCall } from './types.js';
import { functionNameOf } from '../iac/lambda.js';

/**
 * `process.env.X`, `process.env['X']`, a name destructured from `process.env`
 * (`const { X } = process.env`), a member of `this` that its class sets to one of those, a call
 * of a helper that reads the variable it is named (`requiredEnv('X')`, in this file or another
 * module of the project), or a template / concatenation starting with one of those: `X`.
 */
export function envName(analysis: FileFacts, expr: ts.Expression | undefined, depth = 0): string | undefined {
  if (!expr || depth > 6) return undefined;
  const e = analysis.resolveValue(expr);
  if (ts.isPropertyAccessExpression(e) && isProcessEnv(e.expression)) return e.name.text;
  if (ts.isElementAccessExpression(e) && isProcessEnv(e.expression) && ts.isStringLiteralLike(e.argumentExpression)) return e.argumentExpression.text;
  // `this.workerFunction`, set from the variable by the class's initialiser or constructor
  if (ts.isPropertyAccessExpression(e) && e.expression.kind === ts.SyntaxKind.ThisKeyword) {
    const value = thisMemberValue(e);
    return value ? envName(analysis, value, depth + 1) : undefined;
  }
  if (ts.isIdentifier(e)) {
    const from = analysis.declaredFrom(e);
    return from && !from.reassigned && from.pick.length === 1 && isProcessEnv(from.value) ? from.pick[0] : undefined;
  }
  if (ts.isCallExpression(e)) return envHelperName(analysis, e);
  if (ts.isNonNullExpression(e)) return envName(analysis, e.expression, depth + 1);
  if (ts.isTemplateExpression(e) && e.head.text === '' && e.templateSpans.length > 0) return envName(analysis, e.templateSpans[0].expression, depth + 1);
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) return envName(analysis, e.left, depth + 1);
  if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || e.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
    return envName(analysis, e.left, depth + 1);
  }
  return undefined;
}

/**
 * `requiredEnv('QUEUE_URL')`: the variable a helper is named when the helper (in this file or
 * another module of the project) returns `process.env[name]` of its parameter, as it is or
 * checked, trimmed, defaulted (`const v = process.env[name]?.trim(); if (!v) throw ...; return v`).
 */
function envHelperName(analysis: FileFacts, call: ts.CallExpression): string | undefined {
  const arg = call.arguments[0];
  if (!arg || !ts.isStringLiteralLike(arg)) return undefined;
  const local = localCallee(analysis, call);
  const across = local ? undefined : calleeAcross(analysis, call.expression);
  const fn = local ?? across?.fn;
  const facts = local ? analysis : across?.facts;
  const param = fn?.parameters[0]?.name;
  if (!fn || !facts || !param || !ts.isIdentifier(param)) return undefined;
  const readsParam = (n: ts.Node): boolean =>
    ts.isElementAccessExpression(n) && isProcessEnv(n.expression) && ts.isIdentifier(unwrap(n.argumentExpression)) && (unwrap(n.argumentExpression) as ts.Identifier).text === param.text;
  const returnsIt = returnedExpressions(fn).some((r) => {
    const value = facts.resolveValue(r);
    return someOwnNode(value, readsParam) && value.getSourceFile() === fn.getSourceFile() && value.pos >= fn.pos && value.end <= fn.end;
  });
  return returnsIt ? arg.text : undefined;
}

const TARGETS: Record<string, Record<string, { member: string; sync: boolean }>> = {
  sqs: { SendMessage: { member: 'QueueUrl', sync: false }, SendMessageBatch: { member: 'QueueUrl', sync: false } },
  sns: { Publish: { member: 'TopicArn', sync: false }, PublishBatch: { member: 'TopicArnBatch', sync: false } },
  sfn: { StartExecution: { member: 'stateMachineArn', sync: false }, StartSyncExecution: { member: 'stateMachineArn', sync: true } },
};

/** Name of the top-level declaration around a node: `handler` of `export const handler = ...`, `exports.handler = ...`, `function handler`. */
function containerName(node: ts.Node): string | undefined {
  let top: ts.Node = node;
  while (top.parent && !ts.isSourceFile(top.parent)) top = top.parent;
  if (ts.isFunctionDeclaration(top)) return top.name?.text;
  if (ts.isVariableStatement(top)) {
    const decl = top.declarationList.declarations.find((d) => d.pos <= node.pos && node.end <= d.end);
    return decl && ts.isIdentifier(decl.name) ? decl.name.text : undefined;
  }
  if (ts.isExpressionStatement(top) && ts.isBinaryExpression(top.expression) && top.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const left = unwrap(top.expression.left);
    if (ts.isPropertyAccessExpression(left)) return left.name.text;
  }
  return undefined;
}

/**
 * The function a written-out `FunctionName` names: a plain name (`orders-worker`) or a full or
 * partial ARN, without its version or alias; nothing for text that is neither (a URL, a template).
 */
function writtenFunctionName(text: string | undefined): string | undefined {
  const name = text === undefined ? undefined : functionNameOf(text);
  return name !== undefined && /^[\w-]{1,64}$/.test(name) ? name : undefined;
}

type Target = { env?: string; host?: string; functionName?: string; self?: boolean };

/** The environment variable in which Lambda gives a function its own name. */
const OWN_NAME_ENV = 'AWS_LAMBDA_FUNCTION_NAME';

/**
 * `context.functionName` / `context.invokedFunctionArn` of a handler's Lambda context (the second
 * parameter of the function that reads it): the function's own name.
 */
function isOwnName(analysis: FileFacts, expr: ts.Expression): boolean {
  const e = unwrap(analysis.resolveValue(expr));
  if (!ts.isPropertyAccessExpression(e) || !(e.name.text === 'functionName' || e.name.text === 'invokedFunctionArn')) return false;
  const base = unwrap(e.expression);
  if (!ts.isIdentifier(base)) return false;
  for (let p: ts.Node | undefined = base.parent; p && !ts.isSourceFile(p); p = p.parent) {
    if (!ts.isFunctionLike(p)) continue;
    const index = p.parameters.findIndex((x) => ts.isIdentifier(x.name) && x.name.text === base.text);
    if (index >= 0) return index === 1;
  }
  return false;
}

export function codeCalls(analysis: FileAnalysis): CodeCall[] {
  const sf = analysis.sourceFile;
  const out: CodeCall[] = [];
  const seen = new Set<string>();
  /** `at`: the node in the handler file the call is placed at (the call itself, or the call of the helper making it). */
  const push = (at: ts.Node, operation: string, sync: boolean, target: Target, made?: CodeCall['made']): void => {
    const container = containerName(at);
    const start = at.getStart(sf);
    const key = `${start}\u0000${operation}\u0000${sync}\u0000${target.env ?? ''}\u0000${target.functionName ?? ''}\u0000${target.host ?? ''}\u0000${target.self ? 1 : 0}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ operation, sync, ...target, ...(container ? { container } : {}), start, end: at.getEnd(), ...(made ? { made } : {}) });
  };
  collect(analysis, analysis, (node, operation, sync, target) => push(node, operation, sync, target));
  for (const file of reachedFiles(analysis)) {
    collect(file.facts, analysis, (node, operation, sync, target, from) => {
      const reached = reachedAt(file, node);
      const helper = file.facts.sourceFile;
      const at = from ?? reached?.from;
      if (reached && at) push(at, operation, sync, target, { file: helper.fileName, start: node.getStart(helper), end: node.getEnd() });
    });
  }
  return out.sort((a, b) => a.start - b.start);
}

/** The call in the handler file (`scope`) that a call of a chain of helper calls runs under. */
function handlerCallOf(scope: FileAnalysis, site: CallSite): ts.Node | undefined {
  if (site.facts === scope) return site.call;
  const file = reachedFiles(scope).find((f) => f.facts === site.facts);
  return file ? reachedAt(file, site.call)?.from : undefined;
}

/** `[file, text]` of each helper file in which `calls` are made. */
export function helperTexts(analysis: FileAnalysis, calls: readonly CodeCall[]): [string, string][] {
  const made = new Set(calls.flatMap((c) => (c.made ? [c.made.file] : [])));
  if (made.size === 0) return [];
  return reachedFiles(analysis).flatMap((f) => (made.has(f.facts.sourceFile.fileName) ? [[f.facts.sourceFile.fileName, f.facts.sourceFile.text] as [string, string]] : []));
}

/**
 * The calls of one file the project model can resolve, each with the node that makes it. A target
 * a helper takes as a parameter (`send(body, queueUrl)`) is read at the calls that reach it in the
 * handler file `scope` and the code it reaches; each gives the handler-file call it runs under.
 */
function collect(analysis: FileFacts, scope: FileAnalysis, push: (node: ts.Node, operation: string, sync: boolean, target: Target, from?: ts.Node) => void): void {
  const sf = analysis.sourceFile;
  const envsOf = (expr: ts.Expression): { env: string; from?: ts.Node }[] => {
    const env = envName(analysis, expr);
    if (env) return [{ env }];
    const out: { env: string; from?: ts.Node }[] = [];
    for (const passed of valueAtCalls(analysis, expr, scope) ?? []) {
      const given = envName(passed.facts, passed.value);
      const outer = passed.calls[passed.calls.length - 1];
      const from = outer && analysis !== scope ? handlerCallOf(scope, outer) : undefined;
      if (given && (from || analysis === scope)) out.push({ env: given, ...(from ? { from } : {}) });
    }
    return out;
  };
  for (const call of sdkCallsOf(analysis)) {
    if (call.service === 'lambda' && (call.operation === 'Invoke' || call.operation === 'InvokeWithResponseStream')) {
      const fn = getProperty(analysis, call.input, 'FunctionName');
      const envs = fn.kind === 'present' ? envsOf(fn.value) : [];
      const own = envs.find((e) => e.env === OWN_NAME_ENV);
      // the Lambda context is read in the handler file (a helper's second parameter may be anything)
      const self = fn.kind === 'present' && (own !== undefined || (analysis === scope && isOwnName(analysis, fn.value)));
      const named = envs.length === 0 && !self && fn.kind === 'present' ? writtenFunctionName(stringShape(analysis, fn.value)?.exact) : undefined;
      if (envs.length === 0 && !named && !self) continue;
      let sync = true;
      if (call.operation === 'Invoke') {
        const type = getProperty(analysis, call.input, 'InvocationType');
        if (type.kind === 'unknown') continue;
        if (type.kind === 'present') {
          const exact = stringShape(analysis, type.value)?.exact;
          if (exact === undefined || exact === 'DryRun') continue;
          sync = exact === 'RequestResponse';
        }
      }
      if (self) {
        push(call.node, call.operation, sync, { self: true }, own?.from);
        continue;
      }
      if (named) push(call.node, call.operation, sync, { functionName: named });
      for (const { env, from } of envs) push(call.node, call.operation, sync, { env }, from);
      continue;
    }
    if (call.service === 'eventbridge' && call.operation === 'PutEvents') {
      // Entries: [{ EventBusName: process.env.BUS, ... }]: the bus of the first entry that names one
      const entries = getProperty(analysis, call.input, 'Entries');
      const list = entries.kind === 'present' ? analysis.resolveValue(entries.value) : undefined;
      if (!list || !ts.isArrayLiteralExpression(list)) continue;
      for (const element of list.elements) {
        if (ts.isSpreadElement(element)) continue;
        const bus = getProperty(analysis, element, 'EventBusName');
        const envs = bus.kind === 'present' ? envsOf(bus.value) : [];
        for (const { env, from } of envs) push(call.node, call.operation, false, { env }, from);
        if (envs.length > 0) break;
      }
      continue;
    }
    const spec = TARGETS[call.service]?.[call.operation];
    if (!spec) continue;
    const member = getProperty(analysis, call.input, spec.member);
    for (const { env, from } of member.kind === 'present' ? envsOf(member.value) : []) push(call.node, call.operation, spec.sync, { env }, from);
  }
  for (const remote of remoteCallInfosIn(analysis, sf, { across: false })) {
    if (remote.kind !== 'http') continue;
    const url = remote.call.arguments[0];
    if (!url) continue;
    const env = envName(analysis, url);
    if (env) {
      push(remote.call, 'HTTP', true, { env });
      continue;
    }
    const resolved = analysis.resolveValue(url);
    const text = ts.isStringLiteralLike(resolved) ? resolved.text : ts.isTemplateExpression(resolved) ? resolved.head.text : undefined;
    const host = text ? serviceHost(text) : undefined;
    if (host) push(remote.call, 'HTTP', true, { host });
  }
}
