/**
 * Calls that wait for a while: `setTimeout`, `timers/promises` and sleep packages, project helpers
 * named like a sleep (a relative import, or an alias or workspace package that resolves to a file
 * of the project), `promisify(setTimeout)`, and same-file functions that make one of those.
 */
import { ts } from './ts.js';
import type { FileAnalysis } from './analysis.js';
import { localCallee } from './remote-calls.js';
import { isProjectSpecifier, projectModule } from './modules.js';
import { isParameter, someOwnNode, unwrap, walk } from './walk.js';

/** Modules whose exports sleep: `setTimeout` from timers/promises, `delay`, ... */
const SLEEP_MODULES = new Set(['timers/promises', 'node:timers/promises', 'delay', 'p-sleep', 'sleep-promise', 'await-sleep', 'timeout-as-promise']);
const SLEEP_NAME = /^(?:sleep|delay|wait|pause|snooze|waitMs|sleepMs|delayMs|timeout)$/i;

function sleepOrigin(analysis: FileAnalysis, callee: ts.Expression): boolean {
  const origin = analysis.origin(callee);
  if (origin?.kind !== 'module') return false;
  if (SLEEP_MODULES.has(origin.ref.module)) return true;
  // `import { sleep } from './utils'` (or from `@org/common`, a package of the workspace): a
  // project helper named like one
  const last = origin.ref.path[origin.ref.path.length - 1] ?? '';
  if (!SLEEP_NAME.test(last)) return false;
  if (origin.ref.module.startsWith('.')) return true;
  return isProjectSpecifier(origin.ref.module) && projectModule(analysis, origin.ref.module) !== undefined;
}

/** Whether `call` waits for a while: `setTimeout`, a sleep helper (imported, or a same-file function that calls setTimeout). */
export function isSleep(analysis: FileAnalysis, call: ts.CallExpression, depth = 0): boolean {
  const callee = unwrap(call.expression);
  if (ts.isIdentifier(callee)) {
    if (callee.text === 'setTimeout' && analysis.resolveValue(callee) === callee && !analysis.origin(callee)) return true;
    if (sleepOrigin(analysis, callee)) return true;
    // `const sleep = promisify(setTimeout)`
    const value = analysis.resolveValue(callee);
    if (ts.isCallExpression(value) && /promisify$/.test(unwrap(value.expression).getText()) && value.arguments[0] && unwrap(value.arguments[0]).getText() === 'setTimeout') return true;
    // a sleep handed in, so that tests can skip it: `(deadline: number, pause: Wait) => pause(ms)`,
    // `{ wait: pause = sleep }: Options`
    if (value === callee && SLEEP_NAME.test(callee.text) && isParameter(callee)) return true;
  } else if (ts.isPropertyAccessExpression(callee)) {
    // `scheduler.wait(ms)` from timers/promises
    if (sleepOrigin(analysis, callee)) return true;
  } else return false;
  if (depth > 1) return false;
  const fn = localCallee(analysis, call);
  if (!fn?.body) return false;
  let found = false;
  walk(fn.body, (n) => {
    if (found) return false;
    if (ts.isCallExpression(n) && isSleep(analysis, n, depth + 1)) found = true;
    return !found;
  });
  return found;
}


/** `await sleep(ms)`, `await new Promise((r) => setTimeout(r, ms))`: a statement that waits before going on. */
export function isAwaitedDelay(analysis: FileAnalysis, statement: ts.Statement): boolean {
  if (!ts.isExpressionStatement(statement)) return false;
  const e = unwrap(statement.expression);
  if (!ts.isAwaitExpression(e)) return false;
  const waited = unwrap(e.expression);
  if (ts.isCallExpression(waited)) return isSleep(analysis, waited);
  if (!ts.isNewExpression(waited) || !ts.isIdentifier(waited.expression) || waited.expression.text !== 'Promise') return false;
  const executor = waited.arguments?.[0] && unwrap(waited.arguments[0]);
  if (!executor || !(ts.isArrowFunction(executor) || ts.isFunctionExpression(executor))) return false;
  // `(r) => setTimeout(r, ms)`, `(r) => { setTimeout(r, ms); }`
  return someOwnNode(executor.body, (n) => ts.isCallExpression(n) && isSleep(analysis, n, 1));
}
