/**
 * Retries configured without a bound: retry libraries told to retry forever, and AWS SDK clients
 * allowed far more attempts than the SDK default.
 */
import { ts } from '../../code/ts.js';
import type { FileAnalysis } from '../../code/analysis.js';
import type { ModuleRef } from '../../code/file-facts.js';
import type { CodeReport } from '../rule.js';
import { findClientCreations } from '../../code/aws-sdk.js';
import { searchClientCreations } from '../../code/search-clients.js';
import { httpClientModule } from '../../code/remote-calls.js';
import { booleanValue, getProperty, numberValue, type PropertyLookup } from '../../code/values.js';
import { isFunctionLike, unwrap, walk } from '../../code/walk.js';
import { shortText } from '../../code/report-helpers.js';

const FAILURE = 'a persistent failure retries forever';

/** Libraries built on node-retry options (`retries`, `forever`, `maxRetryTime`): module → exported path → index of the options argument. */
const NODE_RETRY_STYLE: Record<string, Record<string, number | 'either'>> = {
  'p-retry': { '': 1 },
  'async-retry': { '': 1 },
  // promiseRetry(fn, options) or promiseRetry(options, fn)
  'promise-retry': { '': 'either' },
  retry: { operation: 0, wrap: 1 },
};

function pathKey(ref: ModuleRef): string {
  const path = ref.path[0] === 'default' ? ref.path.slice(1) : ref.path;
  return path.join('.');
}

function propertyText(lookup: PropertyLookup & { kind: 'present' }, name: string): string {
  return `${name}: ${shortText(lookup.value, 30)}`;
}

/** "`pRetry(...)`", or "`withPolicy(...)` (cockatiel)" when the local name does not say which library it is. */
function libLabel(call: ts.CallExpression, module: string): string {
  const text = callText(call);
  const squash = (t: string) => t.toLowerCase().replace(/[^a-z0-9]/g, '');
  return squash(text).includes(squash(module)) ? `\`${text}\`` : `\`${text}\` (${module})`;
}

function callText(call: ts.CallExpression): string {
  const callee = unwrap(call.expression).getText().replace(/\s+/g, '');
  return callee.length <= 40 ? `${callee}(...)` : 'call';
}

/** A bounded `maxRetryTime` (any value but Infinity, including unknown ones). */
function hasTimeBound(analysis: FileAnalysis, options: ts.Expression): boolean {
  const prop = getProperty(analysis, options, 'maxRetryTime');
  if (prop.kind === 'unknown') return true;
  if (prop.kind === 'absent') return false;
  const v = numberValue(analysis, prop.value);
  return v === undefined || Number.isFinite(v);
}

function isInfinite(analysis: FileAnalysis, expr: ts.Expression): boolean {
  return numberValue(analysis, expr) === Infinity;
}

/**
 * The caller stops the retries itself: an option callback that tests the attempt number
 * (`onFailedAttempt: (e) => { if (e.attemptNumber > 5) throw e }`), or an async-retry /
 * promise-retry operation that compares its attempt parameter (`(bail, attempt) => ...`).
 */
function countsAttemptsItself(analysis: FileAnalysis, call: ts.CallExpression, options: ts.Expression): boolean {
  const obj = analysis.resolveValue(options);
  if (/\b(attemptNumber|retriesLeft|retriesConsumed)\b/.test(obj.getText())) return true;
  for (const arg of call.arguments) {
    const fn = analysis.resolveValue(arg);
    if (!isFunctionLike(fn) || !fn.body) continue;
    for (const p of fn.parameters) {
      if (!ts.isIdentifier(p.name)) continue;
      const name = p.name.text;
      let compared = false;
      walk(fn.body, (n) => {
        if (compared) return false;
        if (ts.isBinaryExpression(n) && isCountTestToken(n.operatorToken.kind) && [n.left, n.right].some((side) => ts.isIdentifier(unwrap(side)) && (unwrap(side) as ts.Identifier).text === name)) compared = true;
        return undefined;
      });
      if (compared) return true;
    }
  }
  return false;
}

function isCountTestToken(kind: ts.SyntaxKind): boolean {
  return (
    kind === ts.SyntaxKind.LessThanToken ||
    kind === ts.SyntaxKind.LessThanEqualsToken ||
    kind === ts.SyntaxKind.GreaterThanToken ||
    kind === ts.SyntaxKind.GreaterThanEqualsToken ||
    kind === ts.SyntaxKind.EqualsEqualsEqualsToken ||
    kind === ts.SyntaxKind.EqualsEqualsToken
  );
}

function nodeRetryReports(analysis: FileAnalysis, call: ts.CallExpression, module: string, options: ts.Expression | undefined): CodeReport[] {
  if (!options || hasTimeBound(analysis, options) || countsAttemptsItself(analysis, call, options)) return [];
  const out: CodeReport[] = [];
  const forever = getProperty(analysis, options, 'forever');
  if (forever.kind === 'present' && booleanValue(analysis, forever.value) === true) {
    out.push({ node: forever.node, message: `${libLabel(call, module)} sets \`forever: true\` with no \`maxRetryTime\`: ${FAILURE}` });
  }
  const retries = getProperty(analysis, options, 'retries');
  if (retries.kind === 'present' && isInfinite(analysis, retries.value)) {
    out.push({ node: retries.node, message: `${libLabel(call, module)} sets \`${propertyText(retries, 'retries')}\` with no \`maxRetryTime\`: ${FAILURE}` });
  }
  return out;
}

/** got/ky: `retry: Infinity` or `retry: { limit: Infinity }` in any options argument. */
function limitReports(analysis: FileAnalysis, call: ts.CallExpression, module: string): CodeReport[] {
  const out: CodeReport[] = [];
  for (const arg of call.arguments) {
    const retry = getProperty(analysis, arg, 'retry');
    if (retry.kind !== 'present') continue;
    if (isInfinite(analysis, retry.value)) {
      out.push({ node: retry.node, message: `${libLabel(call, module)} sets \`${propertyText(retry, 'retry')}\`: ${FAILURE}` });
      continue;
    }
    const limit = getProperty(analysis, retry.value, 'limit');
    if (limit.kind === 'present' && isInfinite(analysis, limit.value)) {
      out.push({ node: limit.node, message: `${libLabel(call, module)} sets \`retry.${propertyText(limit, 'limit')}\`: ${FAILURE}` });
    }
  }
  return out;
}

function isGotOrKy(analysis: FileAnalysis, call: ts.CallExpression): string | undefined {
  const callee = unwrap(call.expression);
  const origin = analysis.origin(callee);
  if (origin?.kind === 'module') return origin.ref.module === 'got' || origin.ref.module === 'ky' ? origin.ref.module : undefined;
  const instance = ts.isPropertyAccessExpression(callee) ? httpClientModule(analysis, callee.expression) : httpClientModule(analysis, callee);
  return instance === 'got' || instance === 'ky' ? instance : undefined;
}

export function libraryReports(analysis: FileAnalysis): CodeReport[] {
  const modules = analysis.modules;
  const relevant = ['p-retry', 'async-retry', 'promise-retry', 'retry', 'axios-retry', 'got', 'ky', 'cockatiel', 'exponential-backoff'].some((m) => modules.has(m));
  if (!relevant) return [];
  const out: CodeReport[] = [];
  for (const call of analysis.calls) {
    const callee = unwrap(call.expression);
    if (!ts.isIdentifier(callee) && !ts.isPropertyAccessExpression(callee) && !ts.isElementAccessExpression(callee)) continue;
    const gotOrKy = isGotOrKy(analysis, call);
    if (gotOrKy) {
      out.push(...limitReports(analysis, call, gotOrKy));
      continue;
    }
    const origin = analysis.origin(callee);
    if (origin?.kind !== 'module') continue;
    const module = origin.ref.module;
    const key = pathKey(origin.ref);
    const style = NODE_RETRY_STYLE[module]?.[key];
    if (style !== undefined) {
      let index = style === 'either' ? 1 : style;
      if (style === 'either' && call.arguments[0] && !isFunctionLike(analysis.resolveValue(call.arguments[0]))) index = 0;
      out.push(...nodeRetryReports(analysis, call, module, call.arguments[index]));
      continue;
    }
    if (module === 'axios-retry' && key === '') {
      const retries = getProperty(analysis, call.arguments[1], 'retries');
      if (retries.kind === 'present' && isInfinite(analysis, retries.value)) {
        out.push({ node: retries.node, message: `${libLabel(call, module)} sets \`${propertyText(retries, 'retries')}\`: ${FAILURE}` });
      }
      continue;
    }
    if (module === 'exponential-backoff' && key === 'backOff') {
      const attempts = getProperty(analysis, call.arguments[1], 'numOfAttempts');
      if (attempts.kind === 'present' && isInfinite(analysis, attempts.value)) {
        out.push({ node: attempts.node, message: `${libLabel(call, module)} sets \`${propertyText(attempts, 'numOfAttempts')}\`: ${FAILURE}` });
      }
      continue;
    }
    if (module === 'cockatiel' && key === 'retry' && call.arguments.length >= 2) {
      const attempts = getProperty(analysis, call.arguments[1], 'maxAttempts');
      if (attempts.kind === 'present' && isInfinite(analysis, attempts.value)) {
        out.push({ node: attempts.node, message: `${libLabel(call, module)} sets \`${propertyText(attempts, 'maxAttempts')}\`: ${FAILURE}` });
      } else if (attempts.kind === 'absent') {
        // cockatiel's retry() defaults maxAttempts to Infinity
        out.push({ node: call, message: `${libLabel(call, module)} has no \`maxAttempts\`, whose default is unlimited: ${FAILURE}` });
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// AWS SDK clients

const RETRY_STRATEGY_MODULES = new Set(['@smithy/util-retry', '@aws-sdk/util-retry', '@aws-sdk/middleware-retry']);
const RETRY_STRATEGIES = new Set(['StandardRetryStrategy', 'ConfiguredRetryStrategy', 'AdaptiveRetryStrategy']);

/** A number, or the number a provider function returns: `50`, `() => 50`, `async () => 50`. */
function attemptsValue(analysis: FileAnalysis, expr: ts.Expression | undefined): number | undefined {
  if (!expr) return undefined;
  const e = analysis.resolveValue(expr);
  if (ts.isArrowFunction(e) && !ts.isBlock(e.body)) return numberValue(analysis, e.body);
  return numberValue(analysis, e);
}

function consequence(n: number): string {
  return Number.isFinite(n) ? `each failing call is attempted up to ${n} times, multiplying the load on a struggling dependency` : FAILURE;
}

export function sdkReports(analysis: FileAnalysis, maxAttempts: number): CodeReport[] {
  const out: CodeReport[] = [];
  for (const creation of findClientCreations(analysis)) {
    const client = shortText(creation.node.expression);
    if (creation.style === 'v3') {
      const prop = getProperty(analysis, creation.config, 'maxAttempts');
      if (prop.kind !== 'present') continue;
      const n = attemptsValue(analysis, prop.value);
      if (n !== undefined && n > maxAttempts) {
        out.push({ node: prop.node, message: `\`new ${client}(...)\` sets \`${propertyText(prop, 'maxAttempts')}\`, above the limit of ${maxAttempts}: ${consequence(n)}` });
      }
    } else {
      out.push(...maxRetriesReport(analysis, creation.config, `\`new ${client}(...)\``, maxAttempts));
    }
  }
  // OpenSearch / Elasticsearch clients: `maxRetries` counts retries after the first attempt, like v2
  for (const creation of searchClientCreations(analysis)) {
    out.push(...maxRetriesReport(analysis, creation.config, `\`new ${shortText(creation.node.expression)}(...)\` of ${creation.module}`, maxAttempts));
  }
  for (const n of analysis.news) {
    const origin = analysis.origin(n.expression);
    if (origin?.kind !== 'module' || !RETRY_STRATEGY_MODULES.has(origin.ref.module) || origin.ref.path.length !== 1 || !RETRY_STRATEGIES.has(origin.ref.path[0])) continue;
    const arg = n.arguments?.[0];
    const value = attemptsValue(analysis, arg);
    if (arg && value !== undefined && value > maxAttempts) {
      const allowed = Number.isFinite(value) ? `up to ${value}` : 'unlimited';
      const effect = Number.isFinite(value) ? 'retries multiply the load on a struggling dependency' : FAILURE;
      out.push({ node: arg, message: `\`new ${origin.ref.path[0]}(${shortText(arg, 20)})\` allows ${allowed} attempts per call, above the limit of ${maxAttempts}: ${effect}` });
    }
  }
  if (!analysis.modules.has('aws-sdk') && !analysis.modules.has('aws-sdk/global')) return out;
  // v2 global configuration: AWS.config.update({ maxRetries }), new AWS.Config({ maxRetries }), AWS.config.maxRetries = n
  for (const call of analysis.calls) {
    const origin = analysis.origin(call.expression);
    if (origin?.kind === 'module' && isV2(origin.ref) && origin.ref.path.join('.') === 'config.update') {
      out.push(...maxRetriesReport(analysis, call.arguments[0], '`AWS.config.update(...)`', maxAttempts));
    }
  }
  for (const n of analysis.news) {
    const origin = analysis.origin(n.expression);
    if (origin?.kind === 'module' && isV2(origin.ref) && origin.ref.path.join('.') === 'Config') {
      out.push(...maxRetriesReport(analysis, n.arguments?.[0], '`new AWS.Config(...)`', maxAttempts));
    }
  }
  if (analysis.sourceFile.text.includes('maxRetries')) {
    walk(analysis.sourceFile, (node) => {
      if (!ts.isBinaryExpression(node) || node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return undefined;
      const left = unwrap(node.left);
      if (!ts.isPropertyAccessExpression(left) || left.name.text !== 'maxRetries') return undefined;
      const origin = analysis.origin(left.expression);
      const value = numberValue(analysis, node.right);
      if (origin?.kind === 'module' && isV2(origin.ref) && origin.ref.path.join('.') === 'config' && value !== undefined && value > maxAttempts) {
        out.push({ node, message: `\`AWS.config.maxRetries = ${shortText(node.right, 20)}\` is above the limit of ${maxAttempts}: ${consequence(value + 1)}` });
      }
      return undefined;
    });
  }
  return out;
}

function isV2(ref: ModuleRef): boolean {
  return ref.module === 'aws-sdk' || ref.module === 'aws-sdk/global';
}

/** v2 `maxRetries` counts retries after the first attempt; the limit applies to the configured number. */
function maxRetriesReport(analysis: FileAnalysis, config: ts.Expression | undefined, what: string, maxAttempts: number): CodeReport[] {
  const prop = getProperty(analysis, config, 'maxRetries');
  if (prop.kind !== 'present') return [];
  const n = numberValue(analysis, prop.value);
  if (n === undefined || n <= maxAttempts) return [];
  return [{ node: prop.node, message: `${what} sets \`${propertyText(prop, 'maxRetries')}\`, above the limit of ${maxAttempts}: ${consequence(n + 1)}` }];
}
