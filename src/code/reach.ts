/**
 * Code in other modules that a handler file runs: the functions its calls reach in other files of
 * the project (helpers, methods of service classes, clients' wrappers), up to `MAX_HOPS` modules
 * away, each with the execution context of the call that reaches it. Rules check that code as
 * they check the handler's own, and report at the place in the other file, with the call in the
 * handler file as a related location.
 *
 * Only handler files reach (see `HandlerContexts.isHandlerFile`): what a library calls is judged
 * from the handlers that use it. Computed on first use, once per file.
 */
import { ts } from './ts.js';
import type { FileAnalysis } from './analysis.js';
import type { FileFacts } from './file-facts.js';
import type { ContextEvidence } from './evidence.js';
import { calleeAcross, importedValue, MAX_HOPS, projectModule } from './modules.js';
import { resolveLocalFunction } from './remote-calls.js';
import { ancestors, enclosingFunction, isFunctionLike, unwrap } from './walk.js';

/** Functions followed from one handler file, at most. */
const MAX_REACHED = 400;

export interface ReachedFunction {
  fn: ts.FunctionLikeDeclaration;
  context?: ContextEvidence;
  /** The call in the handler file the function is reached from. */
  from: ts.CallExpression;
}

/** The code of one other file that a handler file runs. */
export interface ReachedFile {
  facts: FileAnalysis;
  functions: Map<ts.Node, ReachedFunction>;
}

const CACHE = new WeakMap<FileFacts, ReachedFile[]>();

/** Other files' functions a handler file's calls reach, grouped by file (in the order first reached). */
export function reachedFiles(analysis: FileAnalysis): ReachedFile[] {
  let out = CACHE.get(analysis);
  if (!out) {
    out = reach(analysis);
    CACHE.set(analysis, out);
  }
  return out;
}

function reach(analysis: FileAnalysis): ReachedFile[] {
  if (!analysis.host || !analysis.contexts.isHandlerFile()) return [];
  const files = new Map<FileFacts, ReachedFile>();
  const seen = new Set<ts.Node>();
  const queue: { facts: FileFacts; fn: ts.FunctionLikeDeclaration; hops: number; context?: ContextEvidence; from: ts.CallExpression }[] = [];
  const add = (facts: FileFacts, fn: ts.FunctionLikeDeclaration, hops: number, context: ContextEvidence | undefined, from: ts.CallExpression) => {
    if (seen.has(fn) || seen.size >= MAX_REACHED || hops > MAX_HOPS) return;
    seen.add(fn);
    queue.push({ facts, fn, hops, context, from });
    if (facts === analysis) return;
    let file = files.get(facts);
    if (!file) {
      file = { facts: facts as FileAnalysis, functions: new Map() };
      files.set(facts, file);
    }
    file.functions.set(fn, { fn, context, from });
  };
  for (const call of analysis.calls) {
    const target = calleeAcross(analysis, call.expression);
    if (target && target.facts !== analysis) add(target.facts, target.fn, 1, analysis.contexts.contextAt(call), call);
    // a handler body from another module wrapped at module level: `export const handler = middy(main)`
    if (enclosingFunction(call)) continue;
    for (const arg of call.arguments) {
      if (!ts.isIdentifier(unwrap(arg))) continue;
      const value = importedValue(analysis, arg);
      if (value && value.facts !== analysis && isFunctionLike(value.node) && value.node.body) add(value.facts, value.node, 1, analysis.contexts.contextAt(call), call);
    }
  }
  for (let i = 0; i < queue.length; i++) {
    const { facts, fn, hops, context, from } = queue[i];
    if (!fn.body) continue;
    for (const call of facts.calls) {
      if (call.pos < fn.body.pos || call.end > fn.body.end) continue;
      const target = calleeAcross(facts, call.expression, hops);
      if (target) {
        add(target.facts, target.fn, target.facts === facts ? hops : hops + 1, context, from);
        continue;
      }
      const local = resolveLocalFunction(facts, call.expression);
      if (local && local !== fn) add(facts, local, hops, context, from);
    }
  }
  return [...files.values()];
}

/** The reached function `node` runs in (the innermost one), in a reached file. */
export function reachedAt(file: ReachedFile, node: ts.Node): ReachedFunction | undefined {
  for (const a of ancestors(node)) {
    if (!isFunctionLike(a)) continue;
    const r = file.functions.get(a);
    if (r) return r;
  }
  return undefined;
}

/**
 * Project modules a file imports, directly and through them (up to `MAX_HOPS` levels), whatever
 * is used of them: module-level code of each runs when the handler loads.
 */
export function importedModules(analysis: FileAnalysis): { facts: FileAnalysis; from: ts.Node }[] {
  if (!analysis.host) return [];
  const out: { facts: FileAnalysis; from: ts.Node }[] = [];
  const seen = new Set<FileFacts>([analysis]);
  let level: { facts: FileFacts; from?: ts.Node }[] = [{ facts: analysis }];
  for (let hop = 0; hop < MAX_HOPS && level.length > 0; hop++) {
    const next: { facts: FileFacts; from?: ts.Node }[] = [];
    for (const { facts, from } of level) {
      for (const [spec, node] of moduleSpecifiers(facts)) {
        const target = projectModule(facts, spec);
        if (!target || seen.has(target)) continue;
        seen.add(target);
        const shownFrom = from ?? node;
        out.push({ facts: target as FileAnalysis, from: shownFrom });
        next.push({ facts: target, from: shownFrom });
      }
    }
    level = next;
  }
  return out;
}

/** Module specifiers of imports, requires and re-exports, with the node that names each. */
function moduleSpecifiers(facts: FileFacts): [string, ts.Node][] {
  const out: [string, ts.Node][] = [];
  for (const st of facts.sourceFile.statements) {
    if ((ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)) {
      if (ts.isImportDeclaration(st) && st.importClause?.isTypeOnly) continue;
      out.push([st.moduleSpecifier.text, st]);
    }
  }
  for (const call of facts.calls) {
    if (ts.isIdentifier(call.expression) && call.expression.text === 'require' && call.arguments[0] && ts.isStringLiteralLike(call.arguments[0])) {
      out.push([call.arguments[0].text, call]);
    }
  }
  return out;
}
