/**
 * Retry libraries and SDK retry strategies configured to wait a constant delay, none, or an
 * exponential delay without jitter.
 */
import { ts } from '../../code/ts.js';
import type { FileAnalysis } from '../../code/analysis.js';
import type { ModuleRef } from '../../code/file-facts.js';
import type { CodeReport } from '../rule.js';
import { booleanValue, getProperty, numberValue, stringShape } from '../../code/values.js';
import { isFunctionLike, unwrap } from '../../code/walk.js';
import { shortText } from '../../code/report-helpers.js';
import { functionDelay, type DelayKind } from './delay.js';

const LOCKSTEP = 'clients that failed together retry together and hit the recovering dependency in synchronized waves';

/** node-retry style libraries: module → exported path → options argument index; `randomize` default. */
const NODE_RETRY: Record<string, { paths: Record<string, number | 'either'>; randomizeDefault: boolean }> = {
  'p-retry': { paths: { '': 1 }, randomizeDefault: false },
  // promiseRetry(fn, options) or promiseRetry(options, fn)
  'promise-retry': { paths: { '': 'either' }, randomizeDefault: false },
  retry: { paths: { operation: 0 }, randomizeDefault: false },
  'async-retry': { paths: { '': 1 }, randomizeDefault: true },
};

const RETRY_STRATEGY_MODULES = new Set(['@smithy/util-retry', '@aws-sdk/util-retry', '@aws-sdk/middleware-retry']);

function pathKey(ref: ModuleRef): string {
  const path = ref.path[0] === 'default' ? ref.path.slice(1) : ref.path;
  return path.join('.');
}

function callLabel(call: ts.CallExpression | ts.NewExpression): string {
  const callee = unwrap(call.expression).getText().replace(/\s+/g, '');
  const prefix = ts.isNewExpression(call) ? 'new ' : '';
  return callee.length <= 40 ? `\`${prefix}${callee}(...)\`` : 'this retry call';
}

function describeKind(kind: DelayKind): string {
  switch (kind) {
    case 'constant':
      return 'waits a constant delay between attempts';
    case 'exponential':
      return 'backs off exponentially without jitter';
    default:
      return 'grows its delay without jitter';
  }
}

function nodeRetryReports(analysis: FileAnalysis, call: ts.CallExpression, module: string, options: ts.Expression | undefined): CodeReport[] {
  const label = callLabel(call);
  const conf = NODE_RETRY[module];
  if (options) {
    const resolved = analysis.resolveValue(options);
    // `retry(fn, [100, 200, 400])`: explicit timeouts (async-retry accepts an array)
    if (!ts.isObjectLiteralExpression(resolved)) return [];
  }
  const retries = getProperty(analysis, options, 'retries');
  if (retries.kind === 'unknown') return [];
  if (retries.kind === 'present' && numberValue(analysis, retries.value) === 0) return [];
  const randomize = getProperty(analysis, options, 'randomize');
  if (randomize.kind === 'unknown') return [];
  const randomized = randomize.kind === 'present' ? booleanValue(analysis, randomize.value) : conf.randomizeDefault;
  if (randomized !== false) return [];
  const factor = getProperty(analysis, options, 'factor');
  const factorValue = factor.kind === 'present' ? numberValue(analysis, factor.value) : 2;
  if (factor.kind === 'present' && factorValue === undefined) return [];
  const minTimeout = getProperty(analysis, options, 'minTimeout');
  if (minTimeout.kind === 'present' && numberValue(analysis, minTimeout.value) === 0) {
    return [{ node: minTimeout.node, message: `${label} sets \`${shortText(minTimeout.node)}\`: failed attempts are retried immediately and ${LOCKSTEP}` }];
  }
  if (factorValue === 1) {
    return [{ node: factor.kind === 'present' ? factor.node : call, message: `${label} sets \`factor: 1\` without \`randomize: true\`: it waits the same delay before every attempt and ${LOCKSTEP}` }];
  }
  if (randomize.kind === 'present') {
    return [{ node: randomize.node, message: `${label} sets \`randomize: false\`: it backs off exponentially without jitter, so ${LOCKSTEP}` }];
  }
  return [{ node: call, message: `${label} backs off exponentially without jitter (${module}'s \`randomize\` defaults to false): ${LOCKSTEP}` }];
}

function axiosRetryReports(analysis: FileAnalysis, call: ts.CallExpression): CodeReport[] {
  const options = call.arguments[1];
  const label = callLabel(call);
  const retries = getProperty(analysis, options, 'retries');
  if (retries.kind === 'unknown') return [];
  if (retries.kind === 'present' && numberValue(analysis, retries.value) === 0) return [];
  const delay = getProperty(analysis, options, 'retryDelay');
  if (delay.kind === 'unknown') return [];
  if (delay.kind === 'absent') {
    return [{ node: call, message: `${label} has no \`retryDelay\`: axios-retry's default retries immediately, so ${LOCKSTEP}` }];
  }
  const fn = analysis.resolveValue(delay.value);
  if (!isFunctionLike(fn)) return [];
  const kind = functionDelay(analysis, fn);
  if (kind === 'jittered' || kind === 'unknown') return [];
  const zero = !ts.isBlock(fn.body!) && numberValue(analysis, fn.body as ts.Expression) === 0;
  if (zero) return [{ node: delay.node, message: `${label} sets \`${shortText(delay.node)}\`: failed requests are retried immediately and ${LOCKSTEP}` }];
  return [{ node: delay.node, message: `${label} sets \`${shortText(delay.node)}\`, which ${describeKind(kind)}: ${LOCKSTEP}` }];
}

/** exponential-backoff `backOff(fn, options)`: `jitter` defaults to `'none'`, `timeMultiple` to 2. */
function backOffReports(analysis: FileAnalysis, call: ts.CallExpression): CodeReport[] {
  const options = call.arguments[1];
  const label = callLabel(call);
  if (options && !ts.isObjectLiteralExpression(analysis.resolveValue(options))) return [];
  const attempts = getProperty(analysis, options, 'numOfAttempts');
  if (attempts.kind === 'unknown') return [];
  if (attempts.kind === 'present' && numberValue(analysis, attempts.value) === 1) return [];
  const jitter = getProperty(analysis, options, 'jitter');
  if (jitter.kind === 'unknown') return [];
  const mode = jitter.kind === 'present' ? stringShape(analysis, jitter.value)?.exact : 'none';
  if (mode !== 'none') return [];
  const multiple = getProperty(analysis, options, 'timeMultiple');
  if (multiple.kind === 'present') {
    const m = numberValue(analysis, multiple.value);
    if (m === undefined) return [];
    if (m <= 1) return [{ node: multiple.node, message: `${label} sets \`timeMultiple: ${m}\` without jitter: it waits the same delay before every attempt and ${LOCKSTEP}` }];
  }
  if (jitter.kind === 'present') return [{ node: jitter.node, message: `${label} sets \`jitter: 'none'\`: it backs off exponentially without jitter, so ${LOCKSTEP}` }];
  return [{ node: call, message: `${label} backs off exponentially without jitter (exponential-backoff's \`jitter\` defaults to 'none'): ${LOCKSTEP}` }];
}

/**
 * async's `retry(options, task)` and `retryable(options, task)` (also neo-async): options are a
 * number of attempts or `{ times, interval }`; `interval` is a number of milliseconds or a
 * function of the retry count, and defaults to 0.
 */
function asyncRetryReports(analysis: FileAnalysis, call: ts.CallExpression): CodeReport[] {
  const label = callLabel(call);
  const first = call.arguments[0];
  if (!first) return [];
  // `retry(task)`, `retry(task, callback)`: the defaults, 5 attempts without a wait; options are
  // a number or an object (anything else, such as a call returning the task, is not read)
  const resolved = analysis.resolveValue(first);
  const options = isFunctionLike(resolved) ? undefined : first;
  if (options && !ts.isObjectLiteralExpression(resolved)) {
    const times = numberValue(analysis, resolved);
    if (times === undefined || times <= 1) return [];
    return [{ node: call, message: `${label} retries immediately (async's \`interval\` defaults to 0): ${LOCKSTEP}` }];
  }
  const times = getProperty(analysis, options, 'times');
  if (times.kind === 'unknown' || (times.kind === 'present' && (numberValue(analysis, times.value) ?? 2) <= 1)) return [];
  const interval = getProperty(analysis, options, 'interval');
  if (interval.kind === 'unknown') return [];
  if (interval.kind === 'absent') return [{ node: call, message: `${label} retries immediately (async's \`interval\` defaults to 0): ${LOCKSTEP}` }];
  if (numberValue(analysis, interval.value) === 0) {
    return [{ node: interval.node, message: `${label} sets \`${shortText(interval.node)}\`: failed attempts are retried immediately and ${LOCKSTEP}` }];
  }
  const kind = backoffKind(analysis, interval.value);
  return kind ? [{ node: interval.node, message: `${label} sets \`${shortText(interval.node)}\`, which ${describeKind(kind)}: ${LOCKSTEP}` }] : [];
}

/**
 * How a backoff given as a number or a function of the attempt evolves: `constant`, or
 * `exponential` without jitter; undefined otherwise. A linear growth (`100 + attempt * 1000`, the
 * form AWS's own documentation shows for this strategy) is not reported.
 */
function backoffKind(analysis: FileAnalysis, expr: ts.Expression | undefined): 'constant' | 'exponential' | undefined {
  if (!expr) return undefined;
  const fn = analysis.resolveValue(expr);
  if (ts.isNumericLiteral(fn)) return 'constant';
  if (!isFunctionLike(fn)) return undefined;
  const kind = functionDelay(analysis, fn);
  return kind === 'constant' || kind === 'exponential' ? kind : undefined;
}

/** The SDK waits exactly the delay a strategy's function returns: without jitter, every client throttled together waits the same time. */
function strategyMessage(label: string, what: string, kind: 'constant' | 'exponential'): string {
  if (kind === 'constant') return `${label} ${what} computes the same backoff for every attempt, without exponential growth or jitter: ${LOCKSTEP}`;
  return `${label} ${what} backs off exponentially without jitter (the SDK waits exactly the delay it returns): ${LOCKSTEP}`;
}

function strategyReports(analysis: FileAnalysis): CodeReport[] {
  const out: CodeReport[] = [];
  for (const n of analysis.news) {
    const origin = analysis.origin(n.expression);
    if (origin?.kind !== 'module') continue;
    const name = origin.ref.path.join('.');
    if (RETRY_STRATEGY_MODULES.has(origin.ref.module)) {
      if (name === 'ConfiguredRetryStrategy') {
        const backoff = n.arguments?.[1];
        const kind = backoffKind(analysis, backoff);
        if (backoff && kind) out.push({ node: backoff, message: strategyMessage('`new ConfiguredRetryStrategy(...)`', `with \`${shortText(backoff)}\``, kind) });
      } else if (name === 'StandardRetryStrategy') {
        const decider = getProperty(analysis, n.arguments?.[1], 'delayDecider');
        const kind = decider.kind === 'present' ? backoffKind(analysis, decider.value) : undefined;
        if (decider.kind === 'present' && kind) out.push({ node: decider.node, message: strategyMessage('`new StandardRetryStrategy(...)`', `with the \`delayDecider\` \`${shortText(decider.value)}\``, kind) });
      }
    } else if (origin.ref.module === 'cockatiel' && name === 'ConstantBackoff') {
      const ms = n.arguments?.[0];
      out.push({ node: n, message: `\`new ConstantBackoff(${ms ? shortText(ms, 20) : ''})\` waits the same delay before every retry: ${LOCKSTEP}` });
    }
  }
  return out;
}

/** What runs a polly-js policy, and the steps that configure it before. */
const POLLY_RUNS = new Set(['execute', 'executeForPromise', 'executeForNode']);
const POLLY_STEPS = new Set(['handle', 'logger']);

/**
 * polly-js: `polly().retry(n).executeForPromise(fn)` retries at once (no delay at all), and
 * `polly().waitAndRetry(n)` waits 100 ms doubled at each retry, without jitter; an explicit list
 * of delays (`waitAndRetry([200, 200, 200])`) is a fixed schedule, without jitter either. A run
 * whose function hands back a promise made before it (`() => pending`) repeats nothing and is
 * left alone.
 */
function pollyReports(analysis: FileAnalysis, run: ts.CallExpression): CodeReport[] {
  const runCallee = unwrap(run.expression);
  if (!ts.isPropertyAccessExpression(runCallee) || !POLLY_RUNS.has(runCallee.name.text)) return [];
  const policy = unwrap(runCallee.expression);
  if (!ts.isCallExpression(policy) || !ts.isPropertyAccessExpression(policy.expression)) return [];
  const kind = policy.expression.name.text;
  if (kind !== 'retry' && kind !== 'waitAndRetry') return [];
  let root = unwrap(policy.expression.expression);
  for (let i = 0; i < 4 && ts.isCallExpression(root) && ts.isPropertyAccessExpression(root.expression) && POLLY_STEPS.has(root.expression.name.text); i++) {
    root = unwrap(root.expression.expression);
  }
  if (!ts.isCallExpression(root)) return [];
  const origin = analysis.origin(unwrap(root.expression));
  if (origin?.kind !== 'module' || origin.ref.module !== 'polly-js' || pathKey(origin.ref) !== '') return [];
  const fn = run.arguments[0] ? analysis.resolveValue(run.arguments[0]) : undefined;
  if (fn && isFunctionLike(fn) && fn.body && !ts.isBlock(fn.body)) {
    // `() => sendTransaction`: every attempt awaits the one promise made before the run
    const body = unwrap(fn.body);
    if (ts.isIdentifier(body) || ts.isPropertyAccessExpression(body)) return [];
  }
  const label = `\`polly().${kind}(...)\``;
  const arg = policy.arguments[0];
  if (kind === 'retry') {
    // `retry()` keeps the default of one retry
    const times = arg ? numberValue(analysis, arg) : 1;
    if (times === undefined || times <= 0) return [];
    return [{ node: policy, message: `${label} retries immediately, with no delay between attempts: ${LOCKSTEP}` }];
  }
  if (!arg) return [];
  const delays = analysis.resolveValue(arg);
  if (ts.isArrayLiteralExpression(delays)) {
    const values = delays.elements.map((e) => (ts.isSpreadElement(e) ? undefined : numberValue(analysis, e)));
    if (values.length < 2 || values.some((v) => v === undefined)) return [];
    const same = values.every((v) => v === values[0]);
    return [{ node: arg, message: `${label} ${same ? 'waits the same delay before every retry' : 'waits a fixed list of delays'}, without jitter: ${LOCKSTEP}` }];
  }
  const times = numberValue(analysis, delays);
  if (times === undefined || times < 2) return [];
  return [{ node: policy, message: `${label} backs off exponentially without jitter (polly-js waits 100 ms, then twice as long before each retry): ${LOCKSTEP}` }];
}

export function libraryReports(analysis: FileAnalysis): CodeReport[] {
  const out: CodeReport[] = [...strategyReports(analysis)];
  const modules = analysis.modules;
  if (modules.has('polly-js')) for (const call of analysis.calls) out.push(...pollyReports(analysis, call));
  if (![...Object.keys(NODE_RETRY), 'axios-retry', 'exponential-backoff', 'async', 'neo-async', 'async/retry', 'async/retryable'].some((m) => modules.has(m))) return out;
  for (const call of analysis.calls) {
    const callee = unwrap(call.expression);
    if (!ts.isIdentifier(callee) && !ts.isPropertyAccessExpression(callee)) continue;
    const origin = analysis.origin(callee);
    if (origin?.kind !== 'module') continue;
    const module = origin.ref.module;
    const key = pathKey(origin.ref);
    if (module === 'axios-retry' && key === '') {
      out.push(...axiosRetryReports(analysis, call));
      continue;
    }
    if (module === 'exponential-backoff' && key === 'backOff') {
      out.push(...backOffReports(analysis, call));
      continue;
    }
    if (((module === 'async' || module === 'neo-async') && (key === 'retry' || key === 'retryable')) || ((module === 'async/retry' || module === 'async/retryable') && key === '')) {
      out.push(...asyncRetryReports(analysis, call));
      continue;
    }
    const index = NODE_RETRY[module]?.paths[key];
    if (index === undefined) continue;
    let i = index === 'either' ? 1 : index;
    if (index === 'either' && call.arguments[0] && !isFunctionLike(analysis.resolveValue(call.arguments[0]))) i = 0;
    out.push(...nodeRetryReports(analysis, call, module, call.arguments[i]));
  }
  return out;
}
