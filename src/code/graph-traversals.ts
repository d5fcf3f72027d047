/**
 * Gremlin traversals sent to a graph database (Amazon Neptune, TinkerPop servers) by the
 * `gremlin` JavaScript driver: a traversal is built locally (`g.V(id).out('knows')`) and sent when
 * a terminal step runs it (`toList()`, `next()`, `iterate()`, `hasNext()`), so the terminal step
 * is the request.
 *
 * Only files that import `gremlin` are looked at. A receiver is a traversal when its chain of
 * steps starts from a traversal source with a start step (`g.V(...)`, `g.E()`, `g.addV(...)`,
 * `g.addE(...)`, `g.inject(...)`, `g.mergeV(...)`, `g.mergeE(...)`), directly or through the
 * variable it was first declared with (`let query = g.V(); query = query.has(...);
 * query.toList()`). `toList()` and `iterate()`, named for Gremlin alone, also run any chain of
 * steps (`traversal.drop().iterate()` on a traversal a helper is given); `next()` and `hasNext()`,
 * which iterators have too, need the start step.
 */
import { ts } from './ts.js';
import type { FileFacts } from './file-facts.js';
import { unwrap } from './walk.js';

/** Steps that run a traversal on the server. */
const TERMINAL_STEPS = new Set(['toList', 'next', 'iterate', 'hasNext']);
/**
 * Terminal steps named for Gremlin alone: on any chain of steps (`traversal.drop().iterate()` of a
 * traversal a helper is given), not only on one whose start the file shows.
 */
const RUN_STEPS = new Set(['toList', 'iterate']);
/** Steps a traversal source starts a traversal with. */
const START_STEPS = new Set(['V', 'E', 'addV', 'addE', 'inject', 'mergeV', 'mergeE']);
/** Variables followed back to their first value. */
const MAX_DEPTH = 3;

const TERMINALS = new WeakMap<FileFacts, ts.CallExpression[]>();

/** The terminal steps of Gremlin traversals in a file that imports the `gremlin` driver, in source order. */
export function graphTraversalCalls(facts: FileFacts): ts.CallExpression[] {
  let found = TERMINALS.get(facts);
  if (found) return found;
  found = [];
  if ([...facts.modules].some((m) => m === 'gremlin' || m.startsWith('gremlin/'))) {
    for (const call of facts.calls) {
      const callee = unwrap(call.expression);
      if (call.arguments.length > 0 || !ts.isPropertyAccessExpression(callee) || !TERMINAL_STEPS.has(callee.name.text)) continue;
      if (isTraversal(facts, callee.expression, 0) || (RUN_STEPS.has(callee.name.text) && isStepCall(callee.expression))) found.push(call);
    }
  }
  TERMINALS.set(facts, found);
  return found;
}

/** `x.drop()`: a step called on something. */
function isStepCall(expr: ts.Expression): boolean {
  const e = unwrap(expr);
  return ts.isCallExpression(e) && ts.isPropertyAccessExpression(unwrap(e.expression));
}

/** A chain of steps that starts with a start step on its root, or a variable first declared as one. */
function isTraversal(facts: FileFacts, expr: ts.Expression, depth: number): boolean {
  let e = unwrap(expr);
  for (let i = 0; i < 64; i++) {
    if (ts.isCallExpression(e)) {
      const callee = unwrap(e.expression);
      if (!ts.isPropertyAccessExpression(callee)) return false;
      const base = unwrap(callee.expression);
      // `g.V(...)`: a start step called on the chain's root
      if (START_STEPS.has(callee.name.text) && !ts.isCallExpression(base)) return true;
      e = base;
    } else if (ts.isIdentifier(e)) {
      if (depth >= MAX_DEPTH) return false;
      const from = facts.declaredFrom(e);
      return !!from && from.pick.length === 0 && from.value !== e && isTraversal(facts, from.value, depth + 1);
    } else return false;
  }
  return false;
}
