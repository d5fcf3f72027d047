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
 * Anything else (other calls, `process.env`, conditions) is unknown, never guessed.
 */
import path from 'node:path';
import { ts } from '../code/ts.js';
import { FileFacts, type ModuleHost } from '../code/file-facts.js';
import { exportTarget, valueTarget } from '../code/modules.js';
import { unwrap } from '../code/walk.js';
import { longFormIntrinsic, type SourceNode } from '../iac/document.js';
import { Unknown, type IacValue, type PlainObject } from '../iac/model.js';
import { loadServerlessDocument } from '../iac/loaders/serverless.js';
import { isServerlessConfig } from './sniff.js';

export { isServerlessConfig };
import type { LoadTemplateResult } from '../iac/loaders/cloudformation.js';

/** Deepest nesting of values read, and most values read from one service. */
const MAX_DEPTH = 40;
const MAX_VALUES = 20_000;
/** Modules away from the configuration file that values are read from. */
const MAX_HOPS = 4;

interface Read {
  value: IacValue;
  source: SourceNode;
}

class ConfigReader {
  private values = 0;
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
      return dir === undefined ? this.unknown(facts, e, key) : { value: dir, source: this.node(facts, e, key) };
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
        if (!read.source.entries && !read.source.items) return { value: read.value, source: this.node(facts, e, key) };
        const sameFile = key !== undefined && (read.source.file ?? this.root.sourceFile.fileName) === facts.sourceFile.fileName;
        return { value: read.value, source: sameFile ? { ...read.source, keyStart: key.getStart(facts.sourceFile), keyEnd: key.getEnd() } : read.source };
      }
    }
    return this.unknown(facts, e, key);
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
    const value: PlainObject = {};
    const entries = new Map<string, SourceNode>();
    const set = (name: string, read: Read): void => {
      Object.defineProperty(value, name, { value: read.value, enumerable: true, writable: true, configurable: true });
      entries.set(name, read.source);
    };
    for (const p of e.properties) {
      if (ts.isSpreadAssignment(p)) {
        const spread = this.read(facts, p.expression, depth + 1, hops);
        const from = spread.source.entries;
        if (spread.value !== null && typeof spread.value === 'object' && !Array.isArray(spread.value) && !(spread.value instanceof Unknown) && from) {
          // a spread scalar is shown where it is spread (`...slow`: a shared object serves several
          // functions); an object or a list where it is written (a resource of another file)
          const at = this.node(facts, p, p);
          for (const [name, v] of Object.entries(spread.value as PlainObject)) {
            const own = from.get(name);
            set(name, { value: v, source: own?.entries || own?.items ? own : at });
          }
        }
        continue;
      }
      if (ts.isShorthandPropertyAssignment(p)) {
        set(p.name.text, this.read(facts, p.name, depth + 1, hops, p.name));
        continue;
      }
      if (!ts.isPropertyAssignment(p)) continue;
      const name = ts.isIdentifier(p.name) || ts.isStringLiteralLike(p.name) || ts.isNumericLiteral(p.name) ? p.name.text : undefined;
      if (name === undefined) continue;
      set(name, this.read(facts, p.initializer, depth + 1, hops, p.name));
    }
    const source: SourceNode = { ...this.node(facts, e, key), entries };
    // `{ 'Fn::GetAtt': ['Jobs', 'Arn'] }`, `{ Ref: 'Jobs' }`: CloudFormation's long form, as in JSON
    const [only] = entries.size === 1 ? entries.keys() : [];
    const intrinsic = only === undefined ? undefined : longFormIntrinsic(only, value[only]!);
    return { value: intrinsic ?? value, source };
  }

  private array(facts: FileFacts, e: ts.ArrayLiteralExpression, depth: number, hops: number, key?: ts.Node): Read {
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
      const read = this.read(facts, el, depth + 1, hops);
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

/** The expression the file exports as its configuration: `module.exports = x`, `export default x`, `export = x`. */
function exported(sf: ts.SourceFile): ts.Expression | undefined {
  let found: ts.Expression | undefined;
  for (const st of sf.statements) {
    if (ts.isExportAssignment(st)) found = st.expression;
    else if (ts.isExpressionStatement(st)) {
      const e = unwrap(st.expression);
      if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken && e.left.getText(sf).replace(/\s+/g, '') === 'module.exports') found = e.right;
    }
  }
  return found;
}

/**
 * The template of a `serverless.ts` / `serverless.js` service, or undefined when the file exports
 * no configuration object with a service and a provider (or another provider than AWS).
 */
export function loadServerlessConfig(sourceFile: ts.SourceFile, host?: ModuleHost): LoadTemplateResult | undefined {
  if (!isServerlessConfig(sourceFile.fileName, sourceFile.text)) return undefined;
  const expr = exported(sourceFile);
  if (!expr) return undefined;
  const facts = new FileFacts(sourceFile, host);
  const reader = new ConfigReader(facts, path.dirname(sourceFile.fileName));
  const read = reader.read(facts, expr, 0, 0);
  if (read.value === null || typeof read.value !== 'object' || Array.isArray(read.value) || read.value instanceof Unknown) return undefined;
  return loadServerlessDocument(sourceFile.fileName, sourceFile.text, { value: read.value, source: read.source, problems: [] }, reader.otherTexts.size > 0 ? reader.otherTexts : undefined) ?? undefined;
}
