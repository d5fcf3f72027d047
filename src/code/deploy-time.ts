/**
 * Sizes fixed when the code is built and deployed, not by the input.
 *
 * Collections: the names of files shipped with the
 * function (`fs.readdirSync(path.join(__dirname, 'examples'))`, `await readdir('./templates')`)
 * and the content of JSON files bundled with it (`require('./regions.json')`,
 * `import steps from './steps.json'`, `Object.keys(require('./map.json'))`). Their size is whatever
 * the author shipped: it does not grow with requests, events or stored data.
 *
 * Paths count as bundled when they start at the code's own directory (`__dirname`,
 * `import.meta.dirname`, `path.dirname(fileURLToPath(import.meta.url))`, `process.env.LAMBDA_TASK_ROOT`),
 * at a relative literal (the working directory of a Lambda function is its code), or at `/opt/`
 * (layers) or `/var/task`, and every other piece is a literal. `/tmp` and paths built from
 * values the code receives are not.
 *
 * Counts: a number read from the function's configuration (`parseInt(process.env.MAX_LOOPS) ?? 10`),
 * which the template sets when the stack is deployed.
 */
import { ts } from './ts.js';
import type { FileFacts } from './file-facts.js';
import { isFunctionLike, returnedExpressions, unwrap } from './walk.js';
import { calleeAcross } from './modules.js';
import { resolveLocalFunction } from './remote-calls.js';

const MAX_DEPTH = 6;
const FS_MODULES = new Set(['fs', 'node:fs', 'fs-extra', 'graceful-fs']);
const FS_PROMISES_MODULES = new Set(['fs/promises', 'node:fs/promises']);
const PATH_MODULES = new Set(['path', 'node:path']);
/** A relative module specifier of a JSON file: `./data.json`, `../config/steps.json`. */
const BUNDLED_JSON = /^\.{1,2}\/.*\.json$/i;
/** Absolute directories a Lambda function's own code and layers live in. */
const DEPLOYED_ROOT = /^\/(?:opt|var\/task)(?:\/|$)/;

/** The module and member path an expression names, without a leading `default`. */
function member(facts: FileFacts, expr: ts.Expression): { module: string; path: string } | undefined {
  const origin = facts.origin(expr);
  if (origin?.kind !== 'module') return undefined;
  const path = origin.ref.path[0] === 'default' ? origin.ref.path.slice(1) : origin.ref.path;
  return { module: origin.ref.module, path: path.join('.') };
}

/** `readdirSync`, `readdir`, `promises.readdir` of `fs` (and its drop-in replacements) or `fs/promises`. */
export function isReaddir(facts: FileFacts, callee: ts.Expression): boolean {
  const m = member(facts, callee);
  if (!m) return false;
  if (FS_MODULES.has(m.module)) return m.path === 'readdirSync' || m.path === 'readdir' || m.path === 'promises.readdir';
  return FS_PROMISES_MODULES.has(m.module) && m.path === 'readdir';
}

/** A function of Node's `path` module among `names` (`join`, `posix.join`, ...). */
export function isPathFunction(facts: FileFacts, callee: ts.Expression, names: string[]): boolean {
  const m = member(facts, callee);
  return !!m && PATH_MODULES.has(m.module) && names.includes(m.path);
}

/** A string the code fixes: a literal, a template without substitutions, a const holding one. */
function literalText(facts: FileFacts, expr: ts.Expression): string | undefined {
  const e = facts.resolveValue(expr);
  return ts.isStringLiteralLike(e) ? e.text : undefined;
}

/** `__dirname`, `import.meta.dirname`, `process.env.LAMBDA_TASK_ROOT`, `path.dirname(fileURLToPath(import.meta.url))`. */
function isCodeRoot(facts: FileFacts, expr: ts.Expression, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  const raw = unwrap(expr);
  if (ts.isIdentifier(raw) && (raw.text === '__dirname' || raw.text === '__filename')) {
    const value = facts.resolveValue(raw);
    // the CommonJS global, or an ES module's own `const __dirname = path.dirname(...)`
    return value === raw || isCodeRoot(facts, value, depth + 1);
  }
  const e = facts.resolveValue(raw);
  if (ts.isPropertyAccessExpression(e)) {
    const base = unwrap(e.expression);
    if (ts.isMetaProperty(base) && (e.name.text === 'dirname' || e.name.text === 'filename')) return true;
    if (e.name.text === 'LAMBDA_TASK_ROOT' && unwrap(e.expression).getText() === 'process.env') return true;
    return false;
  }
  if (ts.isCallExpression(e) && isPathFunction(facts, e.expression, ['dirname']) && e.arguments[0]) {
    return isCodeRoot(facts, e.arguments[0], depth + 1) || /\bimport\.meta\.url\b/.test(e.arguments[0].getText());
  }
  return false;
}

/** A path inside the deployed code: see the module comment. */
export function isBundledPath(facts: FileFacts, expr: ts.Expression, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  if (isCodeRoot(facts, expr, depth + 1)) return true;
  const e = facts.resolveValue(expr);
  if (ts.isStringLiteralLike(e)) return !e.text.startsWith('/') || DEPLOYED_ROOT.test(e.text);
  if (ts.isTemplateExpression(e)) {
    const spans = e.templateSpans;
    // `${__dirname}/examples`, `./data/${NAME}` with NAME a literal
    const rootFirst = e.head.text === '' && isCodeRoot(facts, spans[0].expression, depth + 1);
    if (!rootFirst && (e.head.text === '' || (e.head.text.startsWith('/') && !DEPLOYED_ROOT.test(e.head.text)))) return false;
    return spans.every((s, i) => (rootFirst && i === 0) || literalText(facts, s.expression) !== undefined);
  }
  if (ts.isCallExpression(e) && isPathFunction(facts, e.expression, ['join', 'resolve', 'posix.join', 'posix.resolve']) && e.arguments.length > 0) {
    const [first, ...rest] = e.arguments;
    return isBundledPath(facts, first, depth + 1) && rest.every((a) => literalText(facts, a) !== undefined && !literalText(facts, a)!.startsWith('/'));
  }
  return false;
}

/**
 * True for a collection fixed at deploy time: the listing of a bundled directory, a bundled JSON
 * file or a part of one, or the keys, values or entries of either.
 */
export function isBundledCollection(facts: FileFacts, expr: ts.Expression, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  let e = facts.resolveValue(expr);
  if (ts.isAwaitExpression(e)) e = facts.resolveValue(e.expression);
  // `require('./steps.json')`, `import steps from './steps.json'`, `config.targets` of one
  const m = member(facts, e);
  if (m && BUNDLED_JSON.test(m.module)) return true;
  if (!ts.isCallExpression(e)) return false;
  const callee = unwrap(e.expression);
  if (isReaddir(facts, callee)) return !!e.arguments[0] && isBundledPath(facts, e.arguments[0]);
  // `Object.keys(require('./map.json'))`
  if (
    ts.isPropertyAccessExpression(callee) &&
    ts.isIdentifier(callee.expression) &&
    callee.expression.text === 'Object' &&
    ['keys', 'values', 'entries'].includes(callee.name.text) &&
    e.arguments[0]
  ) {
    return isBundledCollection(facts, e.arguments[0], depth + 1);
  }
  return false;
}

/**
 * A list the function's configuration sets: `process.env.RECIPIENTS.split(',')` (also `?.split`,
 * `(process.env.X ?? '').split(...)`), `JSON.parse(process.env.REGIONS ?? '[]')`, the same read
 * through a helper of the project (`requiredEnv('KEY_IDS').split(',')`), and an array of such lists
 * and literals (`[...a.split(','), ...b.split(','), 'fixed']`). Fixed when the stack is deployed,
 * and small: a function's environment variables hold 4 KB in all.
 */
export function isConfiguredList(facts: FileFacts, expr: ts.Expression, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  const e = facts.resolveValue(expr);
  if (ts.isArrayLiteralExpression(e)) {
    return e.elements.some(ts.isSpreadElement) && e.elements.every((el) => (ts.isSpreadElement(el) ? isConfiguredList(facts, el.expression, depth + 1) : ts.isStringLiteralLike(facts.resolveValue(el)) || isConfiguredText(facts, el, depth + 1)));
  }
  if (!ts.isCallExpression(e) || !e.arguments[0]) return false;
  const callee = unwrap(e.expression);
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'split') return isConfiguredText(facts, callee.expression, depth + 1);
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'parse' && unwrap(callee.expression).getText() === 'JSON') return isConfiguredText(facts, e.arguments[0], depth + 1);
  return false;
}

/** `process.env.X`, `process.env.X ?? ''`, `process.env.X || '[]'`, `String(process.env.X)`. */
function isConfiguredText(facts: FileFacts, expr: ts.Expression, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  const e = facts.resolveValue(expr);
  if (isEnvironmentValue(e)) return true;
  if (ts.isNonNullExpression(e)) return isConfiguredText(facts, e.expression, depth + 1);
  if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || e.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
    return isConfiguredText(facts, e.left, depth + 1) && ts.isStringLiteralLike(facts.resolveValue(e.right));
  }
  if (ts.isCallExpression(e) && unwrap(e.expression).getText() === 'String' && e.arguments[0]) return isConfiguredText(facts, e.arguments[0], depth + 1);
  if (ts.isCallExpression(e)) return isEnvironmentReader(facts, e.expression, depth + 1);
  return false;
}

/**
 * A function of the project that returns an environment variable and nothing else
 * (`const requiredEnv = (name) => { const v = process.env[name]; if (v) return v; throw ... }`),
 * in this file or a module it imports.
 */
function isEnvironmentReader(facts: FileFacts, callee: ts.Expression, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  const local = resolveLocalFunction(facts, callee);
  const target = local ? { facts, fn: local } : calleeAcross(facts, callee);
  if (!target || !isFunctionLike(target.fn)) return false;
  const returned = returnedExpressions(target.fn);
  return returned.length > 0 && returned.every((r) => isConfiguredText(target.facts, r, depth + 1));
}

const NUMBER_PARSERS = /^(?:parseInt|parseFloat|Number|Number\.parseInt|Number\.parseFloat)$/;

/** `process.env.X`, `process.env['X']`. */
function isEnvironmentValue(e: ts.Expression): boolean {
  if (!ts.isPropertyAccessExpression(e) && !ts.isElementAccessExpression(e)) return false;
  return unwrap(e.expression).getText().replace(/\s+/g, '') === 'process.env';
}

/**
 * A count the function's configuration sets: `parseInt(process.env.MAX_LOOPS)`,
 * `Number(process.env.WORKERS ?? 4)`, `+process.env.N || 10`, `Math.min(Number(process.env.N), 50)`.
 */
export function isConfiguredCount(facts: FileFacts, expr: ts.Expression, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  const e = facts.resolveValue(expr);
  if (isEnvironmentValue(e)) return true;
  if (ts.isCallExpression(e)) {
    const callee = unwrap(e.expression).getText().replace(/\s+/g, '');
    if (NUMBER_PARSERS.test(callee) && e.arguments[0]) return isConfiguredCount(facts, e.arguments[0], depth + 1);
    // `Math.min(configured, items.length)`: no larger than the configured count
    if (callee === 'Math.min') return e.arguments.some((a) => isConfiguredCount(facts, a, depth + 1));
    return false;
  }
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.PlusToken) return isConfiguredCount(facts, e.operand, depth + 1);
  if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || e.operatorToken.kind === ts.SyntaxKind.BarBarToken)) {
    const fallback = facts.resolveValue(e.right);
    // `process.env.N ?? '4'`, `parseInt(process.env.N) || 10`
    return isConfiguredCount(facts, e.left, depth + 1) && (ts.isNumericLiteral(fallback) || ts.isStringLiteralLike(fallback) || isConfiguredCount(facts, e.right, depth + 1));
  }
  return false;
}
