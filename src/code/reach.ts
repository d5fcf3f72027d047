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
import { isPathFunction, isReaddir } from './deploy-time.js';
import path from 'node:path';

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

/** Module specifiers of imports, requires, dynamic imports and re-exports, with the node that names each. */
function moduleSpecifiers(facts: FileFacts): [string, ts.Node][] {
  const out: [string, ts.Node][] = [];
  for (const st of facts.sourceFile.statements) {
    if ((ts.isImportDeclaration(st) || ts.isExportDeclaration(st)) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)) {
      if (ts.isImportDeclaration(st) && st.importClause?.isTypeOnly) continue;
      out.push([st.moduleSpecifier.text, st]);
    }
  }
  for (const call of facts.calls) {
    const loads = (ts.isIdentifier(call.expression) && call.expression.text === 'require') || call.expression.kind === ts.SyntaxKind.ImportKeyword;
    if (!loads || !call.arguments[0]) continue;
    if (ts.isStringLiteralLike(call.arguments[0])) out.push([call.arguments[0].text, call]);
    else for (const spec of folderRequires(facts, call)) out.push([spec, call]);
  }
  return out;
}

const TEST_FILE = /\.(?:test|spec)\.[cm]?[jt]sx?$/;

/** Segments of a path expression evaluated, at most. */
const MAX_PATH_DEPTH = 6;

/**
 * A `require` (or `import()`) of each file of a folder, the way middleware, routes or models are
 * loaded: `readdirSync(dir).filter(...).forEach((name) => require(`${dir}/${name}`))`,
 * `for (const f of fs.readdirSync(__dirname)) require(path.join(__dirname, f))`,
 * `for (const f of readdirSync(import.meta.dirname)) await import(`./${f}`)`. The folder's code
 * files (those a regular-expression or suffix filter of the chain keeps, the loading file apart)
 * as specifiers relative to the file; none when the folder or the names are not known.
 */
function folderRequires(facts: FileFacts, call: ts.CallExpression): string[] {
  const host = facts.host;
  if (!host?.folderModules) return [];
  const split = folderAndName(facts, call.arguments[0]);
  if (!split) return [];
  const listing = listedNames(facts, split.name, call);
  if (!listing) return [];
  const normal = path.posix.normalize(split.folder.replace(/\\/g, '/'));
  if (normal.startsWith('/')) return [];
  const folder = normal === '.' || normal === './' ? '.' : `./${normal.replace(/^\.\//, '').replace(/\/$/, '')}`;
  const own = path.basename(facts.sourceFile.fileName);
  const names = host.folderModules(folder, facts.sourceFile.fileName) ?? [];
  // a test file beside the modules is not one of them, whatever the filter
  return names.filter((n) => !(folder === '.' && n === own) && !TEST_FILE.test(n) && listing.keep(n)).map((n) => `${folder}/${n}`);
}

/** `<known folder>/<name>` as a template, a concatenation or `path.join(...)`: the folder's text and the name. */
function folderAndName(facts: FileFacts, arg: ts.Expression): { folder: string; name: ts.Identifier } | undefined {
  const e = unwrap(arg);
  let parts: ts.Expression[] | undefined;
  let sep = '';
  if (ts.isTemplateExpression(e)) {
    const last = e.templateSpans[e.templateSpans.length - 1];
    if (last.literal.text !== '' || !ts.isIdentifier(unwrap(last.expression))) return undefined;
    let folder = e.head.text;
    for (const span of e.templateSpans.slice(0, -1)) {
      const v = knownPath(facts, span.expression, 0);
      if (v === undefined) return undefined;
      folder += v + span.literal.text;
    }
    return { folder, name: unwrap(last.expression) as ts.Identifier };
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) parts = [e.left, e.right];
  else if (ts.isCallExpression(e) && isPathJoin(facts, e)) {
    parts = [...e.arguments];
    sep = '/';
  }
  if (!parts || parts.length < 2) return undefined;
  const name = unwrap(parts[parts.length - 1]);
  if (!ts.isIdentifier(name)) return undefined;
  const head = parts.slice(0, -1).map((p) => knownPath(facts, p, 0));
  if (head.some((h) => h === undefined)) return undefined;
  return { folder: head.join(sep) + sep, name };
}

function isPathJoin(facts: FileFacts, call: ts.CallExpression): boolean {
  return isPathFunction(facts, call.expression, ['join', 'resolve', 'posix.join', 'posix.resolve']);
}

/** A path known from the code: literals, `__dirname` (the file's own folder), constants, templates and joins of them. */
function knownPath(facts: FileFacts, expr: ts.Expression, depth: number): string | undefined {
  if (depth > MAX_PATH_DEPTH) return undefined;
  const e = facts.resolveValue(expr);
  if (ts.isIdentifier(e)) return e.text === '__dirname' ? '.' : undefined;
  // ES modules: `import.meta.dirname`
  if (ts.isPropertyAccessExpression(e) && e.name.text === 'dirname' && ts.isMetaProperty(e.expression)) return '.';
  if (ts.isStringLiteralLike(e)) return e.text;
  if (ts.isTemplateExpression(e)) {
    let s = e.head.text;
    for (const span of e.templateSpans) {
      const v = knownPath(facts, span.expression, depth + 1);
      if (v === undefined) return undefined;
      s += v + span.literal.text;
    }
    return s;
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const l = knownPath(facts, e.left, depth + 1);
    const r = l === undefined ? undefined : knownPath(facts, e.right, depth + 1);
    return r === undefined ? undefined : l! + r;
  }
  if (ts.isCallExpression(e) && isPathJoin(facts, e)) {
    const all = e.arguments.map((a) => knownPath(facts, a, depth + 1));
    return all.some((a) => a === undefined) ? undefined : all.join('/');
  }
  return undefined;
}

/**
 * Whether `name` is each entry of a folder listing (`readdirSync(...)` and the array methods it
 * goes through): a parameter of a `forEach`/`map` callback, or the variable of a `for...of`, at
 * the `require`. With the filter the chain applies, when it is one the analysis can run.
 */
function listedNames(facts: FileFacts, name: ts.Identifier, at: ts.Node): { keep: (file: string) => boolean } | undefined {
  for (const a of ancestors(at)) {
    if (isFunctionLike(a)) {
      const p = a.parameters[0];
      if (!p || !ts.isIdentifier(p.name) || p.name.text !== name.text) continue;
      const call = a.parent;
      if (!ts.isCallExpression(call) || !call.arguments.includes(a as ts.Expression)) return undefined;
      const callee = unwrap(call.expression);
      if (!ts.isPropertyAccessExpression(callee) || !/^(?:forEach|map)$/.test(callee.name.text)) return undefined;
      return listing(facts, callee.expression);
    }
    if (ts.isForOfStatement(a) && ts.isVariableDeclarationList(a.initializer)) {
      const d = a.initializer.declarations[0];
      if (d && ts.isIdentifier(d.name) && d.name.text === name.text) return listing(facts, a.expression);
    }
  }
  return undefined;
}

/** `readdirSync(...)` through `.filter(...)`, `.sort(...)`: the names it keeps. */
function listing(facts: FileFacts, expr: ts.Expression): { keep: (file: string) => boolean } | undefined {
  const filters: ((file: string) => boolean)[] = [];
  let e = unwrap(expr);
  for (let i = 0; i < 8 && ts.isCallExpression(e); i++) {
    const callee = unwrap(e.expression);
    if (isReaddir(facts, callee)) return { keep: (file) => filters.every((f) => f(file)) };
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    const method = callee.name.text;
    if (method === 'filter') {
      const f = nameFilter(e.arguments[0]);
      if (f) filters.push(f);
    } else if (method !== 'sort') return undefined;
    e = unwrap(callee.expression);
  }
  return undefined;
}

/** A filter callback the analysis runs: `(n) => n.match(/re/)`, `/re/.test(n)`, `n.endsWith('.js')`. */
function nameFilter(arg: ts.Expression | undefined): ((file: string) => boolean) | undefined {
  const fn = arg && unwrap(arg);
  if (!fn || !ts.isArrowFunction(fn) || ts.isBlock(fn.body)) return undefined;
  const p = fn.parameters[0];
  if (!p || !ts.isIdentifier(p.name)) return undefined;
  const body = unwrap(fn.body);
  if (!ts.isCallExpression(body) || !ts.isPropertyAccessExpression(body.expression)) return undefined;
  const { expression: on, name } = body.expression;
  const a = body.arguments[0] && unwrap(body.arguments[0]);
  if (!a) return undefined;
  const isParam = (x: ts.Expression) => ts.isIdentifier(unwrap(x)) && (unwrap(x) as ts.Identifier).text === (p.name as ts.Identifier).text;
  try {
    if (name.text === 'match' && isParam(on) && ts.isRegularExpressionLiteral(a)) {
      const re = regexOf(a);
      return (file) => re.test(file);
    }
    if (name.text === 'test' && ts.isRegularExpressionLiteral(unwrap(on)) && isParam(a)) {
      const re = regexOf(unwrap(on) as ts.RegularExpressionLiteral);
      return (file) => re.test(file);
    }
  } catch {
    return undefined;
  }
  if ((name.text === 'endsWith' || name.text === 'startsWith') && isParam(on) && ts.isStringLiteralLike(a)) {
    const text = a.text;
    return name.text === 'endsWith' ? (file) => file.endsWith(text) : (file) => file.startsWith(text);
  }
  return undefined;
}

/**
 * The regular expression a literal writes, without its global or sticky flags (one test per
 * name). A pattern with a quantified group that holds a quantifier is not run: its backtracking
 * may take exponential time.
 */
function regexOf(lit: ts.RegularExpressionLiteral): RegExp {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(lit.text);
  if (!m || m[1].length > 200 || /\([^)]*[+*}][^)]*\)[+*{?]/.test(m[1])) throw new Error('not a regular expression to run');
  return new RegExp(m[1], m[2].replace(/[gy]/g, ''));
}
