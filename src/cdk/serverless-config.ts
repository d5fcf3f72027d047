/**
 * Serverless Framework services configured in TypeScript or JavaScript (`serverless.ts`,
 * `serverless.js`): the configuration object the file exports is read statically, as the YAML
 * form would be, and handed to the Serverless loader. Nothing is run.
 *
 * What is read: object and array literals (spreads of known ones included), strings, numbers,
 * booleans, template literals of known parts, `const`s of the file, and values imported from other
 * files of the project (`import hello from '@functions/hello'`, through the module host: relative
 * paths, `tsconfig` paths, workspaces), whose positions stay in their own file. A call with
 * `__dirname` as its only argument (the `handlerPath(__dirname)` helper of the framework's
 * TypeScript template) is the folder of the file that makes it, relative to the service's folder.
 * A call of a function of the project that returns one expression is that expression with the
 * call's arguments (what the function writes is located at the call), and `Object.assign(...)`
 * merges its objects like spreads. Anything else (other calls, `process.env`, conditions) is
 * unknown, never guessed: an object with a spread of an unknown value is unknown (an event with
 * such settings too), except a mapping of named entries (`functions`, `resources.Resources`),
 * whose other entries stay known.
 */
import path from 'node:path';
import { ts } from '../code/ts.js';
import { FileFacts, type ModuleHost } from '../code/file-facts.js';
import { exportTarget, valueTarget } from '../code/modules.js';
import { unwrap } from '../code/walk.js';
import { longFormIntrinsic, type SourceNode } from '../iac/document.js';
import { Intrinsic, Unknown, type IacValue, type PlainObject } from '../iac/model.js';
import { loadServerlessDocument } from '../iac/loaders/serverless.js';
import type { LoadTemplateResult } from '../iac/loaders/cloudformation.js';
import { isServerlessConfig } from './sniff.js';

export { isServerlessConfig };

/** Deepest nesting of values read, and most values read from one service. */
const MAX_DEPTH = 40;
const MAX_VALUES = 20_000;
/** Modules away from the configuration file that values are read from. */
const MAX_HOPS = 4;

/** Calls of the project's functions being read, one inside another (`httpApiEvent(...)` in `sqsFunction(...)`). */
const MAX_CALLS = 8;

interface Read {
  value: IacValue;
  source: SourceNode;
  /** An object unknown for a spread of an unknown value: it may set any key. */
  open?: boolean;
}

/**
 * Mappings of named entries (functions, resources, variables): a spread of an unknown value in one
 * adds entries of unknown names, and those it names are still known. In any other object a spread
 * of an unknown value may set or unset any key: the object is unknown.
 */
const NAMED_ENTRIES = new Set(['functions', 'Resources', 'Outputs', 'Conditions', 'environment', 'Variables', 'custom', 'stateMachines', 'tags', 'stackTags']);

/** What a parameter holds when the call leaves it out (`undefined`): a key set to it is left out, a spread of it adds nothing. */
const UNDEFINED = new Unknown('undefined');

/** A call of a function of the project being read: what its parameters hold. */
interface Frame {
  fn: ts.SignatureDeclaration;
  facts: FileFacts;
  args: Map<string, Read>;
}

class ConfigReader {
  private values = 0;
  /** The calls being read, innermost last. */
  private readonly frames: Frame[] = [];
  /** The key that holds the value being read (`functions` for `{ ...a, ...b }` in `functions: all`). */
  private field: string | undefined;
  /** Texts of the other files values come from. */
  readonly otherTexts = new Map<string, string>();

  constructor(
    private readonly root: FileFacts,
    private readonly serviceDir: string,
  ) {}

  private node(facts: FileFacts, node: ts.Node, key?: ts.Node): SourceNode {
    const sf = facts.sourceFile;
    const out: SourceNode = { start: node.getStart(sf), end: node.getEnd(), keyStart: key ? key.getStart(sf) : -1, keyEnd: key ? key.getEnd() : -1 };
    if (sf !== this.root.sourceFile) {
      out.file = sf.fileName;
      this.otherTexts.set(sf.fileName, sf.text);
    }
    return out;
  }

  private unknown(facts: FileFacts, node: ts.Node, key?: ts.Node): Read {
    const text = node.getText(facts.sourceFile);
    return { value: new Unknown(text.length > 80 ? `${text.slice(0, 77)}...` : text), source: this.node(facts, node, key) };
  }

  read(facts: FileFacts, expr: ts.Expression, depth: number, hops: number, key?: ts.Node): Read {
    if (++this.values > MAX_VALUES || depth > MAX_DEPTH) return this.unknown(facts, expr, key);
    const e = unwrap(expr);
    if (ts.isStringLiteralLike(e)) return { value: e.text, source: this.node(facts, e, key) };
    if (ts.isNumericLiteral(e)) return { value: Number(e.text), source: this.node(facts, e, key) };
    if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(e.operand)) return { value: -Number(e.operand.text), source: this.node(facts, e, key) };
    if (e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword) return { value: e.kind === ts.SyntaxKind.TrueKeyword, source: this.node(facts, e, key) };
    if (e.kind === ts.SyntaxKind.NullKeyword) return { value: null, source: this.node(facts, e, key) };
    if (ts.isObjectLiteralExpression(e)) return this.object(facts, e, depth, hops, key);
    if (ts.isArrayLiteralExpression(e)) return this.array(facts, e, depth, hops, key);
    if (ts.isTemplateExpression(e)) return this.template(facts, e, depth, hops, key);
    if (ts.isCallExpression(e)) {
      const dir = this.dirnameCall(facts, e);
      if (dir !== undefined) return { value: dir, source: this.node(facts, e, key) };
      return this.assign(facts, e, depth, hops, key) ?? this.call(facts, e, depth, hops, key) ?? this.unknown(facts, e, key);
    }
    if (ts.isIdentifier(e)) {
      if (e.text === 'undefined') return { value: UNDEFINED, source: this.node(facts, e, key) };
      const bound = this.parameter(facts, e);
      // where the call passes it
      if (bound) return bound;
    }
    if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
      let target = hops < MAX_HOPS ? valueTarget(facts, e, 0) : undefined;
      if (target && ts.isSourceFile(target.node)) {
        // `import * as functions from './functions'`: an object of the module's named exports
        if (ts.isIdentifier(e) && isNamespaceImport(facts.sourceFile, e.text)) return this.namespace(target.facts, depth, hops + 1, key ? { facts, key } : undefined);
        // a default import names the module: its default export (`export default`, `module.exports =`)
        target = exportTarget(target.facts, 'default', 0);
      }
      if (target && target.node !== e && ts.isExpression(target.node)) {
        const next = target.facts === facts ? hops : hops + 1;
        const read = this.read(target.facts, target.node, depth + 1, next);
        // a scalar is shown where it is used (`timeout: defaults.timeout`: a shared constant serves
        // several functions); an object or a list where it is written, named by the key that
        // holds it when that is in the same file
        if (!read.source.entries && !read.source.items) return { value: read.value, source: this.node(facts, e, key), open: read.open };
        const sameFile = key !== undefined && (read.source.file ?? this.root.sourceFile.fileName) === facts.sourceFile.fileName;
        return { value: read.value, source: sameFile ? { ...read.source, keyStart: key.getStart(facts.sourceFile), keyEnd: key.getEnd() } : read.source };
      }
    }
    return this.unknown(facts, e, key);
  }

  /** `read()` of the value a key (or no key: `undefined`) holds. */
  private held<T>(field: string | undefined, read: () => T): T {
    const outer = this.field;
    this.field = field;
    try {
      return read();
    } finally {
      this.field = outer;
    }
  }

  /** What a parameter of a function being read holds at its call (`method` in `httpApiEvent('get', ...)`). */
  private parameter(facts: FileFacts, id: ts.Identifier): Read | undefined {
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const frame = this.frames[i]!;
      if (frame.facts !== facts || id.pos < frame.fn.pos || id.end > frame.fn.end) continue;
      return frame.args.get(id.text);
    }
    return undefined;
  }

  /**
   * `Object.assign({}, base, { timeout: 30 })`: the objects merged, as a literal with spreads
   * would be; undefined when it is not such a call.
   */
  private assign(facts: FileFacts, call: ts.CallExpression, depth: number, hops: number, key?: ts.Node): Read | undefined {
    const callee = unwrap(call.expression);
    if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'assign' || !ts.isIdentifier(callee.expression) || callee.expression.text !== 'Object') return undefined;
    if (call.arguments.length === 0 || call.arguments.some((a) => ts.isSpreadElement(a))) return undefined;
    const named = this.field !== undefined && NAMED_ENTRIES.has(this.field);
    const value: PlainObject = {};
    const entries = new Map<string, SourceNode>();
    for (const arg of call.arguments) {
      const read = this.read(facts, arg, depth + 1, hops);
      const from = read.source.entries;
      if (read.value === null || read.value === UNDEFINED) continue;
      if (typeof read.value !== 'object' || Array.isArray(read.value) || read.value instanceof Unknown || read.value instanceof Intrinsic || !from) {
        if (named) continue;
        return this.unknown(facts, call, key);
      }
      const at = this.node(facts, arg);
      for (const [name, v] of Object.entries(read.value as PlainObject)) {
        Object.defineProperty(value, name, { value: v, enumerable: true, writable: true, configurable: true });
        const own = from.get(name);
        // like a spread: a scalar of a named object is shown where it is merged
        entries.set(name, own && (own.entries || own.items || ts.isObjectLiteralExpression(unwrap(arg))) ? own : at);
      }
    }
    return { value, source: { ...this.node(facts, call, key), entries } };
  }

  /**
   * A call of a function of the project that returns one expression (`(method, path) => ({ httpApi:
   * { method, path } })`, or a body that is a single `return`): that expression, with the
   * parameters holding the arguments read at the call (a parameter left out holds its default, or
   * nothing). What the function writes itself is shown at the call (every call makes its own
   * value); what an argument brings, where the argument is. Undefined for any other call.
   */
  private call(facts: FileFacts, call: ts.CallExpression, depth: number, hops: number, key?: ts.Node): Read | undefined {
    if (this.frames.length >= MAX_CALLS || hops >= MAX_HOPS || call.arguments.some((a) => ts.isSpreadElement(a))) return undefined;
    const callee = unwrap(call.expression);
    if (!ts.isIdentifier(callee) && !ts.isPropertyAccessExpression(callee)) return undefined;
    const target = valueTarget(facts, callee, 0);
    if (!target || !(ts.isArrowFunction(target.node) || ts.isFunctionExpression(target.node) || ts.isFunctionDeclaration(target.node))) return undefined;
    const fn = target.node;
    const body = returnedExpression(fn);
    if (!body || fn.asteriskToken || fn.parameters.some((p) => !ts.isIdentifier(p.name) || p.dotDotDotToken)) return undefined;
    const args = new Map<string, Read>();
    fn.parameters.forEach((p, i) => {
      const arg = call.arguments[i];
      const read = this.held(undefined, () => (arg ? this.read(facts, arg, depth + 1, hops) : p.initializer ? this.read(target.facts, p.initializer, depth + 1, target.facts === facts ? hops : hops + 1) : undefined));
      if (read) args.set((p.name as ts.Identifier).text, read);
      else args.set((p.name as ts.Identifier).text, { value: UNDEFINED, source: this.node(facts, call) });
    });
    this.frames.push({ fn, facts: target.facts, args });
    let read: Read;
    try {
      read = this.read(target.facts, body, depth + 1, target.facts === facts ? hops : hops + 1);
    } finally {
      this.frames.pop();
    }
    const at = this.node(facts, call, key);
    const inside = (node: SourceNode): boolean => (node.file ?? this.root.sourceFile.fileName) === target.facts.sourceFile.fileName && node.start >= fn.pos && node.end <= fn.end;
    return { value: read.value, source: rehome(read.source, inside, at, 0), open: read.open };
  }

  /** The named exports of a module as an object, each where the module writes it. */
  private namespace(module: FileFacts, depth: number, hops: number, at?: { facts: FileFacts; key: ts.Node }): Read {
    const value: PlainObject = {};
    const entries = new Map<string, SourceNode>();
    for (const name of exportedNames(module.sourceFile)) {
      const target = exportTarget(module, name, 0);
      if (!target || !ts.isExpression(target.node) || ts.isSourceFile(target.node)) continue;
      const read = this.read(target.facts, target.node, depth + 1, hops);
      Object.defineProperty(value, name, { value: read.value, enumerable: true, writable: true, configurable: true });
      entries.set(name, read.source);
    }
    const whole = at ? this.node(at.facts, at.key, at.key) : this.node(module, module.sourceFile);
    return { value, source: { ...whole, entries } };
  }

  private object(facts: FileFacts, e: ts.ObjectLiteralExpression, depth: number, hops: number, key?: ts.Node): Read {
    const named = this.field !== undefined && NAMED_ENTRIES.has(this.field);
    // an event of a function (`{ sqs: { ... } }`) whose settings may set anything is unknown as a
    // whole: never read as an event without those settings
    const event = this.field === 'events[]';
    let openEvent = false;
    const value: PlainObject = {};
    const entries = new Map<string, SourceNode>();
    const set = (name: string, read: Read): void => {
      if (event && read.open) openEvent = true;
      // `{ arn }` with a parameter the call leaves out: no key, as in the object the code makes
      if (read.value === UNDEFINED) return;
      Object.defineProperty(value, name, { value: read.value, enumerable: true, writable: true, configurable: true });
      entries.set(name, read.source);
    };
    for (const p of e.properties) {
      if (ts.isSpreadAssignment(p)) {
        const spread = this.read(facts, p.expression, depth + 1, hops);
        const from = spread.source.entries;
        if (spread.value === null || spread.value === UNDEFINED) continue;
        // a spread of an unknown value (`...(prod ? limits : {})`, `...settings(env)`) may set any
        // key, or unset one: the object is unknown, never read as if the keys were absent
        if (typeof spread.value !== 'object' || Array.isArray(spread.value) || spread.value instanceof Unknown || spread.value instanceof Intrinsic || !from) {
          if (named) continue;
          return { ...this.unknown(facts, e, key), open: true };
        }
        // a spread scalar is shown where it is spread (`...slow`: a shared object serves several
        // functions); an object or a list where it is written (a resource of another file)
        const at = this.node(facts, p, p);
        for (const [name, v] of Object.entries(spread.value as PlainObject)) {
          const own = from.get(name);
          set(name, { value: v, source: own?.entries || own?.items ? own : at });
        }
        continue;
      }
      if (ts.isShorthandPropertyAssignment(p)) {
        set(p.name.text, this.held(p.name.text, () => this.read(facts, p.name, depth + 1, hops, p.name)));
        continue;
      }
      if (!ts.isPropertyAssignment(p)) continue;
      const name = ts.isIdentifier(p.name) || ts.isStringLiteralLike(p.name) || ts.isNumericLiteral(p.name) ? p.name.text : undefined;
      if (name === undefined) continue;
      set(name, this.held(name, () => this.read(facts, p.initializer, depth + 1, hops, p.name)));
    }
    if (openEvent) return this.unknown(facts, e, key);
    const source: SourceNode = { ...this.node(facts, e, key), entries };
    // `{ 'Fn::GetAtt': ['Jobs', 'Arn'] }`, `{ Ref: 'Jobs' }`: CloudFormation's long form, as in JSON
    const [only] = entries.size === 1 ? entries.keys() : [];
    const intrinsic = only === undefined ? undefined : longFormIntrinsic(only, value[only]!);
    return { value: intrinsic ?? value, source };
  }

  private array(facts: FileFacts, e: ts.ArrayLiteralExpression, depth: number, hops: number, key?: ts.Node): Read {
    // the items of `events: [...]` are held by `events[]`
    const item = this.field === undefined ? undefined : `${this.field}[]`;
    const value: IacValue[] = [];
    const items: SourceNode[] = [];
    for (const el of e.elements) {
      if (ts.isOmittedExpression(el)) continue;
      if (ts.isSpreadElement(el)) {
        const spread = this.read(facts, el.expression, depth + 1, hops);
        if (Array.isArray(spread.value) && spread.source.items) {
          spread.value.forEach((v, i) => {
            value.push(v);
            items.push(spread.source.items![i] ?? spread.source);
          });
        } else {
          value.push(spread.value);
          items.push(spread.source);
        }
        continue;
      }
      const read = this.held(item, () => this.read(facts, el, depth + 1, hops));
      value.push(read.value);
      items.push(read.source);
    }
    return { value, source: { ...this.node(facts, e, key), items } };
  }

  private template(facts: FileFacts, e: ts.TemplateExpression, depth: number, hops: number, key?: ts.Node): Read {
    let text = e.head.text;
    for (const span of e.templateSpans) {
      const part = this.read(facts, span.expression, depth + 1, hops);
      if (typeof part.value !== 'string' && typeof part.value !== 'number' && typeof part.value !== 'boolean') return this.unknown(facts, e, key);
      text += String(part.value) + span.literal.text;
    }
    return { value: text, source: this.node(facts, e, key) };
  }

  /** `handlerPath(__dirname)`: the folder of the file making the call, relative to the service's folder. */
  private dirnameCall(facts: FileFacts, call: ts.CallExpression): string | undefined {
    const [arg] = call.arguments;
    if (call.arguments.length !== 1 || !arg || !ts.isIdentifier(unwrap(arg)) || (unwrap(arg) as ts.Identifier).text !== '__dirname') return undefined;
    const relative = path.relative(this.serviceDir, path.dirname(facts.sourceFile.fileName)).split(path.sep).join('/');
    return relative.startsWith('..') ? undefined : relative;
  }
}

/** The one expression a function returns: an arrow's expression body, or a body of a single `return x`. */
function returnedExpression(fn: ts.ArrowFunction | ts.FunctionExpression | ts.FunctionDeclaration): ts.Expression | undefined {
  if (!fn.body) return undefined;
  if (!ts.isBlock(fn.body)) return fn.body;
  const [only] = fn.body.statements;
  return fn.body.statements.length === 1 && only && ts.isReturnStatement(only) ? only.expression : undefined;
}

/** The positions of `source`, those inside the function read (`inside`) moved to the call `at`. */
function rehome(source: SourceNode, inside: (node: SourceNode) => boolean, at: SourceNode, depth: number): SourceNode {
  if (depth > MAX_DEPTH) return at;
  const own = inside(source) ? { ...at } : { ...source };
  if (source.entries) own.entries = new Map([...source.entries].map(([k, v]) => [k, rehome(v, inside, at, depth + 1)]));
  else delete own.entries;
  if (source.items) own.items = source.items.map((v) => rehome(v, inside, at, depth + 1));
  else delete own.items;
  return own;
}

/** Whether `name` is bound by `import * as name from '...'` in the file. */
function isNamespaceImport(sf: ts.SourceFile, name: string): boolean {
  return sf.statements.some((st) => ts.isImportDeclaration(st) && !!st.importClause?.namedBindings && ts.isNamespaceImport(st.importClause.namedBindings) && st.importClause.namedBindings.name.text === name);
}

/** The names a module exports by name (not `default`), re-exports of named lists included. */
function exportedNames(sf: ts.SourceFile): string[] {
  const out: string[] = [];
  const exported = (node: ts.Node): boolean => ts.canHaveModifiers(node) && !!ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  for (const st of sf.statements) {
    if (ts.isVariableStatement(st) && exported(st)) {
      for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) out.push(d.name.text);
    } else if (ts.isExportDeclaration(st) && !st.isTypeOnly && st.exportClause && ts.isNamedExports(st.exportClause)) {
      for (const el of st.exportClause.elements) if (!el.isTypeOnly && el.name.text !== 'default') out.push(el.name.text);
    }
  }
  return out;
}


/**
 * The template of a `serverless.ts` / `serverless.js` service, or undefined when the file exports
 * no configuration object with a service and a provider (or another provider than AWS).
 */
export function loadServerlessConfig(sourceFile: ts.SourceFile, host?: ModuleHost): LoadTemplateResult | undefined {
  if (!isServerlessConfig(sourceFile.fileName, sourceFile.text)) return undefined;
  const facts = new FileFacts(sourceFile, host);
  // what the file exports as its configuration: `module.exports = x`, `export default x`, `export = x`
  const target = exportTarget(facts, 'default', 0);
  if (!target || !ts.isExpression(target.node)) return undefined;
  const reader = new ConfigReader(facts, path.dirname(sourceFile.fileName));
  const read = reader.read(target.facts, target.node, 0, 0);
  if (read.value === null || typeof read.value !== 'object' || Array.isArray(read.value) || read.value instanceof Unknown) return undefined;
  return loadServerlessDocument(sourceFile.fileName, sourceFile.text, { value: read.value, source: read.source, problems: [] }, reader.otherTexts.size > 0 ? reader.otherTexts : undefined) ?? undefined;
}
