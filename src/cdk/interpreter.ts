/**
 * A small abstract interpreter for the construct code of one file: it runs the statements of
 * stack and construct classes, helper functions and top-level code over `Val`s, creating a
 * resource for each construct the library knows (see `library.ts`). It never runs the app:
 * conditions it cannot decide take both branches, loops over unknown collections run once, and
 * anything it cannot follow evaluates to `unknown`.
 *
 * Classes declared in the file are instantiated where the file instantiates them (their
 * constructs get the instance's construct path); a class the file never instantiates (the stack
 * itself, a construct used from another file) runs once as a root. Functions the file never calls
 * run once with unknown arguments.
 *
 * A construct class the file imports from another file of the app (given a module host) runs the
 * same way where the file instantiates it or extends it, with its own file's imports and
 * constants, and its constructs located in its own file; a stack class starts the construct paths
 * anew, as a synth does. Such classes are followed {@link MAX_FILE_DEPTH} files deep.
 */
import { ts } from '../code/ts.js';
import { unwrap } from '../code/walk.js';
import type { FileFacts, ModuleHost } from '../code/file-facts.js';
import { exportTarget, isProjectSpecifier } from '../code/modules.js';
import { Env, lit, truthiness, unknown, UNDEF, type ClassVal, type Entry, type FnVal, type InstVal, type Val } from './values.js';
import type { Library } from './library.js';
import { Budget, Evaluator, isStatic, memberName } from './expressions.js';
import { mayDefineCdkResources, mayMakeResources } from './sniff.js';
import { cdkName } from './names.js';
import { BASE_OF, ROOT_BASE_OF } from './metadata-keys.js';

const SyntaxKind = ts.SyntaxKind;

/** Nested calls of functions and constructors followed. */
const MAX_DEPTH = 12;

/**
 * Construct classes of other files followed, nested (`bin/app.ts` → stack → service stack → API
 * construct → function class → the layer helper it calls). A class beyond it is unknown where the
 * entry point runs it, and that copy, known less well, replaces the class file's own (see
 * `engine/cdk-imports.ts`): the limit has to reach as deep as apps nest.
 */
const MAX_FILE_DEPTH = 6;

/** `export * from` and `export { x } from` files followed to find an enum or a constant. */
const MAX_REEXPORTS = 3;

/** Modules a CDK construct class can extend (directly or through classes of the app). */
const CONSTRUCT_BASES = /^(aws-cdk-lib|constructs|@aws-cdk\/core|@aws-cdk\/aws-[^/]+)(\/|$)/;
/** An import of the CDK or of `constructs`, types included. */
const CDK_MENTION = /\bfrom\s*['"](?:aws-cdk-lib|constructs|@aws-cdk\/core)(?:\/[^'"]*)?['"]/;

/** The state of one function call: a definite return ends it; a return under a condition does not. */
interface Frame {
  returned?: Val;
  candidate?: Val;
  /** Executing code under a condition that could not be decided. */
  conditional: number;
}

export class Interpreter extends Evaluator {
  private depth = 0;
  private readonly active = new Set<ts.Node>();
  /** The functions being called, outermost first. */
  private readonly calls: ts.FunctionLikeDeclaration[] = [];
  /** Classes and functions the file instantiates or calls by name. */
  private readonly used = new Set<string>();
  readonly moduleEnv = new Env();
  /** Classes of other files by module, importing file and export path (null: none to follow). */
  private readonly imported = new Map<string, ClassVal | null>();
  /** The top-level scope of each other file whose classes run here. */
  private readonly fileEnvs = new Map<ts.SourceFile, Env>();
  /** Construct classes of other files being constructed. */
  private fileDepth = 0;
  /** Enums and data constants of other files, by importing file, module and export name (null: none to read). */
  private readonly importedData = new Map<string, Val | null>();
  /** Functions of other files, by importing file, module and export name (null: none to follow). */
  private readonly importedFunctions = new Map<string, FnVal | null>();
  /** The top-level names of each other file whose enums and constants are read here. */
  private readonly fileNames = new Map<ts.SourceFile, FileNames>();
  /** The scope of names of each other file whose enums and constants are read here. */
  private readonly dataEnvs = new Map<ts.SourceFile, Env>();

  constructor(
    sf: ts.SourceFile,
    lib: Library,
    /** Reads the other files of the app; without one, classes of other files are not followed. */
    private readonly host?: ModuleHost,
  ) {
    super(sf, lib);
  }

  /**
   * `new X(...)` / `extends X` for a class another file of the app exports (a relative path, a
   * tsconfig path, a package of the workspace: whatever the host resolves) that extends a CDK
   * construct: it runs like a class of this file, its code read from its own file (parsed once
   * per scan by the host, never executed), its constructs located there.
   */
  importedClass(mod: Val & { k: 'mod' }): ClassVal | undefined {
    return this.importedOnce(this.imported, mod, (facts) => this.classOf(facts, mod.path[0] ?? 'default'));
  }

  /**
   * A function another CDK file of the app exports (`createQueue(this, 'Jobs')` with
   * `createQueue` from `./queues`, `helpers.createRole(...)`): it runs like a function of this
   * file, in its own file's scope, its constructs located there.
   */
  importedFunction(mod: Val & { k: 'mod' }): FnVal | undefined {
    if (mod.path.length !== 1) return undefined;
    return this.importedOnce(this.importedFunctions, mod, (facts) => {
      const target = exportTarget(facts, mod.path[0]!, 1);
      if (!target || !ts.isFunctionLike(target.node) || !(target.node as ts.FunctionLikeDeclaration).body) return undefined;
      const sf = target.facts.sourceFile;
      if (sf.fileName === this.sf.fileName || !mayDefineCdkResources(sf.text) || !mayMakeResources(sf.text)) return undefined;
      this.lib.cv.resources.addOther(sf);
      return { k: 'fn', decl: target.node as ts.FunctionLikeDeclaration, env: this.fileEnv(target.facts) };
    });
  }

  /**
   * What `find` makes of the file of the app a module member comes from (`mod`: a project import,
   * or one name of it), once per importing file, module and name; nothing while it is being found,
   * so an import cycle ends.
   */
  private importedOnce<T>(cache: Map<string, T | null>, mod: Val & { k: 'mod' }, find: (facts: FileFacts) => T | undefined): T | undefined {
    if (!this.host || mod.from === undefined || mod.path.length > 1 || !isProjectSpecifier(mod.module)) return undefined;
    const key = `${mod.from}\u0000${mod.module}\u0000${mod.path.join('.')}`;
    const known = cache.get(key);
    if (known !== undefined) return known ?? undefined;
    cache.set(key, null);
    const file = this.host.resolve(mod.module, mod.from);
    const facts = file === undefined || file === this.sf.fileName ? undefined : this.host.facts(file);
    const found = facts ? find(facts) : undefined;
    if (found !== undefined) cache.set(key, found);
    return found;
  }

  /** The class another file exports as `name`, when it makes constructs (see `importedClass`). */
  private classOf(facts: FileFacts, name: string): ClassVal | undefined {
    const target = exportTarget(facts, name, 1);
    if (!target || !ts.isClassLike(target.node)) return undefined;
    const sf = target.facts.sourceFile;
    if (sf.fileName === this.sf.fileName) return undefined;
    this.lib.cv.resources.addOther(sf);
    const cls = this.classValue(target.node, this.fileEnv(target.facts));
    // a construct class, or a helper class of a CDK file of the app (`new Reporter(scope, props)`,
    // a factory whose methods make functions): both make constructs in the scopes they are given
    return this.extendsConstruct(cls, 0) || (mayDefineCdkResources(sf.text) && mayMakeResources(sf.text)) ? cls : undefined;
  }

  /**
   * An enum or a constant another file of the app exports (`import { Stage } from './config'`,
   * `import * as constants from './constants'`; through `export * from` barrels too): enum
   * members are their values, and a `const` whose initializer is data (literals, objects,
   * arrays, templates, operators, other constants, CDK values such as `Duration.minutes(15)`;
   * no `new`, no function, no call of a function of the app) is evaluated in its own file.
   * Anything else (classes, functions, instances) stays a module member.
   */
  importedValue(mod: Val & { k: 'mod' }): Val | undefined {
    if (mod.path.length !== 1) return undefined;
    return this.importedOnce(this.importedData, mod, (facts) => this.exportedData(facts.sourceFile, mod.path[0]!, 0));
  }

  private exportedData(sf: ts.SourceFile, name: string, reexports: number): Val | undefined {
    const names = this.namesOf(sf);
    const exported = names.exports.get(name);
    if (exported && 'spec' in exported) return this.reexportedData(sf, exported.spec, exported.name, reexports);
    if (exported) {
      const decl = names.decls.get(exported.local);
      return decl ? this.localData(sf, decl, exported.local) : undefined;
    }
    for (const spec of names.stars) {
      const found = this.reexportedData(sf, spec, name, reexports);
      if (found) return found;
    }
    return undefined;
  }

  /** The top-level names of another file, indexed once (see {@link FileNames}). */
  private namesOf(sf: ts.SourceFile): FileNames {
    const known = this.fileNames.get(sf);
    if (known) return known;
    const names: FileNames = { decls: new Map(), imports: new Map(), exports: new Map(), stars: [] };
    for (const st of sf.statements) {
      if (ts.isImportDeclaration(st)) {
        const clause = st.importClause;
        if (clause?.name) names.imports.set(clause.name.text, st);
        const bindings = clause?.namedBindings;
        if (bindings && ts.isNamespaceImport(bindings)) names.imports.set(bindings.name.text, st);
        else if (bindings) for (const el of bindings.elements) names.imports.set(el.name.text, st);
      } else if (ts.isEnumDeclaration(st) || ts.isVariableStatement(st)) {
        const declared = ts.isEnumDeclaration(st) ? [st.name.text] : st.declarationList.declarations.flatMap((d) => (ts.isIdentifier(d.name) ? [d.name.text] : []));
        for (const name of declared) {
          if (!names.decls.has(name)) names.decls.set(name, st);
          if (isExported(st) && !names.exports.has(name)) names.exports.set(name, { local: name });
        }
      } else if (ts.isExportDeclaration(st) && !st.isTypeOnly) {
        const spec = st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : undefined;
        if (!st.exportClause) {
          if (spec) names.stars.push(spec);
        } else if (ts.isNamedExports(st.exportClause)) {
          for (const el of st.exportClause.elements) {
            const local = (el.propertyName ?? el.name).text;
            if (!names.exports.has(el.name.text)) names.exports.set(el.name.text, spec ? { spec, name: local } : { local });
          }
        }
      }
    }
    this.fileNames.set(sf, names);
    return names;
  }

  private reexportedData(sf: ts.SourceFile, spec: string, name: string, reexports: number): Val | undefined {
    if (reexports >= MAX_REEXPORTS || !isProjectSpecifier(spec)) return undefined;
    const file = this.host!.resolve(spec, sf.fileName);
    const facts = file === undefined || file === this.sf.fileName ? undefined : this.host!.facts(file);
    return facts ? this.exportedData(facts.sourceFile, name, reexports + 1) : undefined;
  }

  /** The value of the enum or data `const` called `name` that a top-level statement of `sf` declares. */
  private localData(sf: ts.SourceFile, st: ts.EnumDeclaration | ts.VariableStatement, name: string): Val | undefined {
    if (ts.isEnumDeclaration(st)) {
      if (st.name.text !== name) return undefined;
      this.lib.cv.resources.addOther(sf);
      return this.enumValue(st, this.dataEnv(sf));
    }
    if (!(st.declarationList.flags & ts.NodeFlags.Const)) return undefined;
    for (const d of st.declarationList.declarations) {
      if (!ts.isIdentifier(d.name) || d.name.text !== name) continue;
      if (!d.initializer || !isData(d.initializer)) return undefined;
      this.lib.cv.resources.addOther(sf);
      return this.eval(d.initializer, this.dataEnv(sf));
    }
    return undefined;
  }

  /**
   * The names of another file as its enums and constants read them: its imports, enums and data
   * constants, each evaluated when first named (functions and classes stay unknown).
   */
  private dataEnv(sf: ts.SourceFile): Env {
    const known = this.dataEnvs.get(sf);
    if (known) return known;
    const names = this.namesOf(sf);
    const env: Env = new LazyEnv((name) => {
      const imported = names.imports.get(name);
      if (imported) {
        const scope = new Env();
        this.bindImport(imported, scope);
        return scope.lookup(name);
      }
      const decl = names.decls.get(name);
      if (!decl) return undefined;
      // a constant naming itself is unknown, not a loop
      env.declare(name, unknown(name));
      return this.localData(sf, decl, name) ?? unknown(name);
    });
    this.dataEnvs.set(sf, env);
    return env;
  }

  /** An enum's members as an object: each its initializer's value, or the number after the previous one. */
  enumValue(decl: ts.EnumDeclaration, env: Env): Val {
    const entries = new Map<string, Entry>();
    let next: number | undefined = 0;
    for (const m of decl.members) {
      const name = ts.isIdentifier(m.name) || ts.isStringLiteral(m.name) ? m.name.text : undefined;
      const val: Val = m.initializer ? this.eval(m.initializer, env) : next !== undefined ? lit(next) : unknown('an enum member');
      next = val.k === 'lit' && typeof val.v === 'number' ? val.v + 1 : undefined;
      if (name !== undefined) entries.set(name, { val, node: m, key: m.name });
    }
    return { k: 'obj', entries, open: false };
  }

  /** True when a class's `extends` chain reaches a class of `aws-cdk-lib` or `constructs`. */
  private extendsConstruct(cls: ClassVal, depth: number): boolean {
    if (depth > MAX_DEPTH) return false;
    for (const clause of cls.decl.heritageClauses ?? []) {
      if (clause.token !== SyntaxKind.ExtendsKeyword || !clause.types[0]) continue;
      const base = this.eval(clause.types[0].expression, cls.env);
      if (base.k === 'mod' && CONSTRUCT_BASES.test(base.module)) return true;
      const next = base.k === 'class' ? base : base.k === 'mod' ? this.importedClass(base) : undefined;
      // a class of a construct library the scan does not hold (`extends TeamStack` of
      // `@acme/cdk-constructs`), in a file that uses the CDK, if only its types
      if (next === undefined && base.k === 'mod' && !/^[./#]/.test(base.module)) return CDK_MENTION.test(cls.decl.getSourceFile().text);
      return next !== undefined && this.extendsConstruct(next, depth + 1);
    }
    return false;
  }

  /** True when a class extends the CDK's `Stack` (directly or through classes of the app). */
  private isStack(cls: ClassVal, depth: number): boolean {
    if (depth > MAX_DEPTH) return false;
    const clause = cls.decl.heritageClauses?.find((c) => c.token === SyntaxKind.ExtendsKeyword);
    if (!clause?.types[0]) return false;
    const base = this.eval(clause.types[0].expression, cls.env);
    if (base.k === 'mod') {
      if (CONSTRUCT_BASES.test(base.module)) return base.path[base.path.length - 1] === 'Stack';
      const imported = this.importedClass(base);
      return imported !== undefined && this.isStack(imported, depth + 1);
    }
    return base.k === 'class' && this.isStack(base, depth + 1);
  }

  /**
   * The top-level scope of another file: its imports, functions and classes, and its constants
   * (the value of a `new` expression at the top level, an app or a stack, is left unknown: only
   * the construct classes of the file run here).
   */
  private fileEnv(facts: FileFacts): Env {
    const sf = facts.sourceFile;
    const known = this.fileEnvs.get(sf);
    if (known) return known;
    const env = new Env();
    this.fileEnvs.set(sf, env);
    this.hoist(sf.statements, env);
    for (const s of sf.statements) {
      if (ts.isImportDeclaration(s) || ts.isImportEqualsDeclaration(s)) this.exec(s, env, { conditional: 0 });
      else if (ts.isVariableStatement(s)) {
        for (const d of s.declarationList.declarations) {
          const init = d.initializer ? unwrap(d.initializer) : undefined;
          this.bind(d.name, !init ? UNDEF : ts.isNewExpression(init) ? unknown('an object another file creates') : this.eval(init, env), env, d);
        }
      }
    }
    return env;
  }

  /** Runs the file: its top-level statements, then root classes and uncalled functions. */
  run(): void {
    this.collectUses();
    try {
      this.execBlock(this.sf.statements, this.moduleEnv, { conditional: 0 });
      for (const statement of this.sf.statements) {
        const name = (statement as ts.ClassDeclaration | ts.FunctionDeclaration).name?.text;
        if (ts.isClassDeclaration(statement) && (!name || !this.used.has(name))) {
          const declared = name ? this.moduleEnv.lookup(name) : undefined;
          const cls = declared?.k === 'class' ? declared : this.classValue(statement, this.moduleEnv);
          this.construct(cls, [], statement, true);
        } else if (ts.isFunctionDeclaration(statement) && statement.body && (!name || !this.used.has(name))) {
          this.invoke({ k: 'fn', decl: statement, env: this.moduleEnv }, statement.parameters.map(() => unknown('a parameter')), undefined);
        }
      }
    } catch (error) {
      if (!(error instanceof Budget)) throw error;
    }
  }

  /** Names used as `new X(...)`, `X(...)` or `this.x(...)` anywhere in the file. */
  private collectUses(): void {
    // a declaration whose name the text mentions only once as a word (itself) is used nowhere:
    // most stack files declare one class that another file instantiates (`MyStack`, mentioned
    // again only inside `MyStackProps`); the other mentions of a name are looked up in the tree
    // one by one, and a file with many of them is walked once instead
    const text = this.sf.text;
    let lookups = 0;
    for (const s of this.sf.statements) {
      if (!(ts.isClassDeclaration(s) || ts.isFunctionDeclaration(s)) || !s.name) continue;
      const name = s.name.text;
      for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + name.length)) {
        if (isNamePart(text.charCodeAt(at - 1)) || isNamePart(text.charCodeAt(at + name.length))) continue;
        if (++lookups > MAX_USE_LOOKUPS) return this.walkUses();
        if (isUse(identifierAt(this.sf, at))) {
          this.used.add(name);
          break;
        }
      }
    }
  }

  /** Every name the file calls, instantiates or extends, in one walk of the tree. */
  private walkUses(): void {
    const visit = (node: ts.Node): void => {
      if (ts.isNewExpression(node) || ts.isCallExpression(node)) {
        const callee = unwrap(node.expression);
        if (ts.isIdentifier(callee)) this.used.add(callee.text);
      } else if (ts.isClassDeclaration(node) && node.heritageClauses) {
        // a base class runs through its subclasses
        for (const clause of node.heritageClauses) {
          for (const type of clause.types) if (ts.isIdentifier(type.expression)) this.used.add(type.expression.text);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(this.sf);
  }


  // -------------------------------------------------------------------------------------------
  // Statements
  // -------------------------------------------------------------------------------------------

  private hoist(statements: readonly ts.Statement[], env: Env): void {
    for (const s of statements) {
      if (ts.isFunctionDeclaration(s) && s.name) env.declare(s.name.text, { k: 'fn', decl: s, env });
      else if (ts.isClassDeclaration(s) && s.name) env.declare(s.name.text, this.classValue(s, env));
      else if (ts.isEnumDeclaration(s)) env.declare(s.name.text, this.enumValue(s, env));
    }
  }

  execBlock(statements: readonly ts.Statement[], env: Env, frame: Frame): void {
    this.hoist(statements, env);
    for (const s of statements) {
      if (frame.returned) return;
      this.exec(s, env, frame);
    }
  }

  private conditionally(frame: Frame, run: () => void): void {
    frame.conditional++;
    try {
      run();
    } finally {
      frame.conditional--;
    }
  }

  private exec(s: ts.Statement, env: Env, frame: Frame): void {
    this.tick();
    switch (s.kind) {
      case SyntaxKind.VariableStatement: {
        // `declare const x: T` holds a value from elsewhere
        const declared = (s as ts.VariableStatement).modifiers?.some((m) => m.kind === SyntaxKind.DeclareKeyword);
        for (const d of (s as ts.VariableStatement).declarationList.declarations) {
          this.bind(d.name, d.initializer ? this.eval(d.initializer, env) : declared ? unknown('a declared value') : UNDEF, env, d);
        }
        return;
      }
      case SyntaxKind.ExpressionStatement:
        this.eval((s as ts.ExpressionStatement).expression, env);
        return;
      case SyntaxKind.ReturnStatement: {
        const r = s as ts.ReturnStatement;
        const val = r.expression ? this.eval(r.expression, env) : UNDEF;
        if (frame.conditional > 0) frame.candidate ??= val;
        else frame.returned = val;
        return;
      }
      case SyntaxKind.Block:
        this.execBlock((s as ts.Block).statements, new Env(env), frame);
        return;
      case SyntaxKind.IfStatement: {
        const i = s as ts.IfStatement;
        const cond = truthiness(this.eval(i.expression, env));
        if (cond === true) this.exec(i.thenStatement, env, frame);
        else if (cond === false) {
          if (i.elseStatement) this.exec(i.elseStatement, env, frame);
        } else {
          this.conditionally(frame, () => {
            this.exec(i.thenStatement, env, frame);
            if (i.elseStatement) this.exec(i.elseStatement, env, frame);
          });
        }
        return;
      }
      case SyntaxKind.ForOfStatement: {
        const f = s as ts.ForOfStatement;
        const iterable = this.eval(f.expression, env);
        const items: Val[] = iterable.k === 'arr' && !iterable.open ? iterable.items.map((i) => i.val) : [unknown('an item of a collection')];
        this.conditionally(frame, () => {
          for (const item of items) {
            const inner = new Env(env);
            const init = f.initializer;
            if (ts.isVariableDeclarationList(init)) for (const d of init.declarations) this.bind(d.name, item, inner, d);
            this.exec(f.statement, inner, frame);
          }
        });
        return;
      }
      case SyntaxKind.ForStatement:
      case SyntaxKind.ForInStatement:
      case SyntaxKind.WhileStatement:
      case SyntaxKind.DoStatement: {
        const loop = s as ts.ForStatement | ts.ForInStatement | ts.WhileStatement | ts.DoStatement;
        const inner = new Env(env);
        if ((ts.isForStatement(loop) || ts.isForInStatement(loop)) && loop.initializer && ts.isVariableDeclarationList(loop.initializer)) {
          for (const d of loop.initializer.declarations) this.bind(d.name, unknown('a loop variable'), inner, d);
        }
        this.conditionally(frame, () => this.exec(loop.statement, inner, frame));
        return;
      }
      case SyntaxKind.SwitchStatement: {
        const sw = s as ts.SwitchStatement;
        this.eval(sw.expression, env);
        this.conditionally(frame, () => {
          for (const clause of sw.caseBlock.clauses) this.execBlock(clause.statements, new Env(env), frame);
        });
        return;
      }
      case SyntaxKind.TryStatement: {
        const t = s as ts.TryStatement;
        this.execBlock(t.tryBlock.statements, new Env(env), frame);
        if (t.finallyBlock) this.execBlock(t.finallyBlock.statements, new Env(env), frame);
        return;
      }
      case SyntaxKind.LabeledStatement:
        this.exec((s as ts.LabeledStatement).statement, env, frame);
        return;
      case SyntaxKind.ImportDeclaration:
        this.bindImport(s as ts.ImportDeclaration, env);
        return;
      case SyntaxKind.ImportEqualsDeclaration: {
        const d = s as ts.ImportEqualsDeclaration;
        if (ts.isExternalModuleReference(d.moduleReference) && ts.isStringLiteral(d.moduleReference.expression)) {
          env.declare(d.name.text, { k: 'mod', module: d.moduleReference.expression.text, path: [], from: this.lib.cv.fileOf(d).fileName });
        }
        return;
      }
      default:
        return;
    }
  }

  private bindImport(d: ts.ImportDeclaration, env: Env): void {
    if (!ts.isStringLiteral(d.moduleSpecifier) || !d.importClause) return;
    const module = d.moduleSpecifier.text;
    const from = this.lib.cv.fileOf(d).fileName;
    const clause = d.importClause;
    if (clause.name) env.declare(clause.name.text, { k: 'mod', module, path: [], from });
    const bindings = clause.namedBindings;
    if (!bindings) return;
    if (ts.isNamespaceImport(bindings)) env.declare(bindings.name.text, { k: 'mod', module, path: [], from });
    else {
      for (const el of bindings.elements) {
        const imported = (el.propertyName ?? el.name).text;
        env.declare(el.name.text, { k: 'mod', module, path: imported === 'default' ? [] : [imported], from });
      }
    }
  }

  /** Binds a declaration name (identifier or destructuring pattern) to a value. */
  bind(name: ts.BindingName, val: Val, env: Env, _decl?: ts.Node): void {
    if (ts.isIdentifier(name)) {
      env.declare(name.text, val);
      return;
    }
    if (ts.isObjectBindingPattern(name)) {
      for (const el of name.elements) {
        if (el.dotDotDotToken) {
          this.bind(el.name, unknown('the rest of an object'), env);
          continue;
        }
        const key = el.propertyName ?? (ts.isIdentifier(el.name) ? el.name : undefined);
        const keyText = key && (ts.isIdentifier(key) || ts.isStringLiteral(key)) ? key.text : undefined;
        let inner = keyText === undefined ? unknown('a computed property') : this.member(val, keyText, el);
        if (inner.k === 'undef' && el.initializer) inner = this.eval(el.initializer, env);
        this.bind(el.name, inner, env);
      }
      return;
    }
    name.elements.forEach((el, index) => {
      if (!ts.isBindingElement(el)) return;
      let inner: Val = val.k === 'arr' && !el.dotDotDotToken ? (val.items[index]?.val ?? (val.open ? unknown('an array item') : UNDEF)) : unknown('an array item');
      if (inner.k === 'undef' && el.initializer) inner = this.eval(el.initializer, env);
      this.bind(el.name, inner, env);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Functions and classes
  // -------------------------------------------------------------------------------------------

  /** Calls a function value with arguments; returns what it returns. */
  invoke(fn: FnVal, args: Val[], self: Val | undefined): Val {
    const decl = fn.decl;
    if (!decl.body || this.depth >= MAX_DEPTH || this.active.has(decl)) return unknown('the result of a call that is not followed');
    this.depth++;
    this.active.add(decl);
    this.calls.push(decl);
    try {
      const env = new Env(fn.env, ts.isArrowFunction(decl) ? undefined : (self ?? fn.self));
      this.bindParameters(decl.parameters, args, env);
      if (!ts.isBlock(decl.body)) return this.eval(decl.body, env);
      const frame: Frame = { conditional: 0 };
      this.execBlock(decl.body.statements, env, frame);
      return frame.returned ?? frame.candidate ?? UNDEF;
    } finally {
      this.calls.pop();
      this.active.delete(decl);
      this.depth--;
    }
  }

  callMember(receiver: Val, name: string, args: Val[]): Val | undefined {
    if (receiver.k !== 'obj' && receiver.k !== 'inst') return undefined;
    const fn = this.member(receiver, name, this.sf);
    return fn.k === 'fn' ? this.invoke(fn, args, receiver.k === 'obj' ? receiver : (fn.self ?? receiver)) : undefined;
  }

  currentFunction(): ts.FunctionLikeDeclaration | undefined {
    return this.calls[this.calls.length - 1];
  }

  private bindParameters(parameters: readonly ts.ParameterDeclaration[], args: Val[], env: Env): void {
    parameters.forEach((p, i) => {
      let val: Val = p.dotDotDotToken ? { k: 'arr', items: args.slice(i).map((a) => ({ val: a, node: p })), open: false } : (args[i] ?? UNDEF);
      if (val.k === 'undef' && p.initializer) val = this.eval(p.initializer, env);
      this.bind(p.name, val, env);
    });
  }


  /**
   * `new Cls(args)` for a class of the file. The instance's construct path is its scope's path
   * and its id (second argument) when it is called like a construct.
   */
  construct(cls: ClassVal, args: Val[], node: ts.Node, root = false): Val {
    if (this.depth >= MAX_DEPTH || this.active.has(cls.decl)) return unknown('an instance of a class that is not followed');
    const foreign = this.lib.cv.fileOf(cls.decl) !== this.sf;
    if (foreign && this.fileDepth >= MAX_FILE_DEPTH) return unknown('an instance of a class that is not followed');
    // a stack starts the construct paths of its template (a synth writes them without the stack)
    const stack = !root && this.isStack(cls, 0);
    const scopePath = root || stack ? [] : this.lib.scopePath(args[0]);
    const id = root || stack ? undefined : this.lib.constructId(args[1], node);
    const self: InstVal = { k: 'inst', cls, fields: new Map(), path: id !== undefined && scopePath ? [...scopePath, id] : (scopePath ?? []) };
    const effectiveArgs = root ? (this.constructorOf(cls)?.parameters.map(() => unknown('a constructor parameter')) ?? []) : args;
    this.depth++;
    if (foreign) this.fileDepth++;
    this.active.add(cls.decl);
    try {
      this.initialize(cls, self, effectiveArgs, node);
    } finally {
      this.active.delete(cls.decl);
      if (foreign) this.fileDepth--;
      this.depth--;
    }
    // an instance of a class extending a CDK construct is that construct to whatever uses it
    return self.base ?? self;
  }

  /**
   * The CDK construct a class of the app extends, made by its `super(scope, id, props)`
   * (`class TeamFunction extends NodejsFunction`): a construct that makes a resource, located
   * where the instance is made (`new TeamFunction(this, 'Worker', {...})`, `at`): each instance
   * is a mistake of its own there. Stacks, stages and plain constructs make none.
   */
  private libraryBase(cls: ClassVal, args: Val[], at: ts.Node): Val | undefined {
    const clause = cls.decl.heritageClauses?.find((c) => c.token === SyntaxKind.ExtendsKeyword);
    const expression = clause?.types[0]?.expression;
    if (!expression) return undefined;
    const extended = this.eval(expression, cls.env);
    if (extended.k !== 'mod') return undefined;
    const name = cdkName(extended.module, extended.path);
    // a class of a package the scan does not hold may still be a construct it knows (`lib.construct`)
    if (name?.startsWith('core.') || name?.startsWith('constructs.')) return undefined;
    // `super(...)` reads as `new Base(...)` with its arguments, where the instance is made
    const resources = this.lib.cv.resources;
    const before = resources.list.length;
    const made = this.lib.construct(extended, args, at as ts.NewExpression);
    // what the base made is the class's: an importer's instances stand for the root run's (engine/cdk-imports.ts)
    const key = ts.isClassDeclaration(at) || ts.isClassExpression(at) ? ROOT_BASE_OF : BASE_OF;
    const owner = `${this.lib.cv.fileOf(cls.decl).fileName}#${cls.decl.pos}`;
    for (const res of resources.list.slice(before)) {
      if (!res.metadata.has(key)) res.metadata.set(key, { value: owner, source: { ...res.source, keyStart: -1, keyEnd: -1, synthetic: true } });
    }
    return made.k === 'cx' && made.c.res ? made : undefined;
  }

  private constructorOf(cls: ClassVal): ts.ConstructorDeclaration | undefined {
    return cls.decl.members.find((m): m is ts.ConstructorDeclaration => ts.isConstructorDeclaration(m) && m.body !== undefined);
  }

  /** Runs field initializers and the constructor of `cls` (and of its bases in the file) on `self`. */
  private initialize(cls: ClassVal, self: InstVal, args: Val[], at: ts.Node): void {
    const base = this.baseClass(cls);
    const ctor = this.constructorOf(cls);
    const env = new Env(cls.env, self);
    const fields = (): void => {
      for (const m of cls.decl.members) {
        if (!ts.isPropertyDeclaration(m) || !m.initializer || isStatic(m)) continue;
        const name = memberName(m.name);
        if (name !== undefined) self.fields.set(name, this.eval(m.initializer, env));
      }
    };
    if (!ctor) {
      if (base) this.initialize(base, self, args, at);
      fields();
      return;
    }
    this.bindParameters(ctor.parameters, args, env);
    for (const p of ctor.parameters) {
      // constructor(private readonly queue: Queue)
      if (p.modifiers?.some((m) => m.kind !== SyntaxKind.Decorator) && ts.isIdentifier(p.name)) self.fields.set(p.name.text, env.lookup(p.name.text) ?? UNDEF);
    }
    const frame: Frame = { conditional: 0 };
    const statements = ctor.body!.statements;
    const body = new Env(env);
    this.hoist(statements, body);
    let k = 0;
    // the statements before `super(...)` (which cannot use `this`: defaults for the props, the
    // constructs the base is given), then the base constructors and this class's fields, then the rest
    const superAt = statements.findIndex(isSuperCall);
    if (superAt >= 0) {
      for (; k < superAt && !frame.returned; k++) this.exec(statements[k]!, body, frame);
      const call = (statements[superAt] as ts.ExpressionStatement).expression as ts.CallExpression;
      const superArgs = call.arguments.map((a) => this.eval(a, body));
      if (base) this.initialize(base, self, superArgs, at);
      else self.base = this.libraryBase(cls, superArgs, at);
      k = superAt + 1;
    } else if (base) this.initialize(base, self, [], at);
    fields();
    for (; k < statements.length && !frame.returned; k++) this.exec(statements[k]!, body, frame);
  }

}

/** `super(...);` as a statement of a constructor's body. */
function isSuperCall(statement: ts.Statement): boolean {
  return ts.isExpressionStatement(statement) && ts.isCallExpression(statement.expression) && statement.expression.expression.kind === SyntaxKind.SuperKeyword;
}

/** The top-level names of a file that its enums and constants are found by. */
interface FileNames {
  /** Enums and variable statements by the names they declare. */
  decls: Map<string, ts.EnumDeclaration | ts.VariableStatement>;
  /** Import declarations by the names they bind. */
  imports: Map<string, ts.ImportDeclaration>;
  /** Exported names: a declaration of the file (`export const`, `export { a as b }`), or a name another module exports. */
  exports: Map<string, { local: string } | { spec: string; name: string }>;
  /** Modules re-exported whole (`export * from`). */
  stars: string[];
}

/** A scope whose names not declared in it are looked up, once each, by `resolve`. */
class LazyEnv extends Env {
  constructor(private readonly resolve: (name: string) => Val | undefined) {
    super();
  }

  override lookup(name: string): Val | undefined {
    const own = super.lookup(name);
    if (own !== undefined) return own;
    const found = this.resolve(name);
    if (found !== undefined) this.declare(name, found);
    return found;
  }
}

function isExported(st: ts.Statement): boolean {
  return (st as { modifiers?: ts.NodeArray<ts.ModifierLike> }).modifiers?.some((m) => m.kind === SyntaxKind.ExportKeyword) ?? false;
}

/**
 * Whether an initializer is data a file can share as a constant: no `new`, no function or class,
 * no call of a function by its name (a method of a module, `Duration.minutes(15)`, is a value).
 */
function isData(init: ts.Expression): boolean {
  let data = true;
  const visit = (node: ts.Node): void => {
    if (!data) return;
    if (ts.isNewExpression(node) || ts.isClassLike(node) || ts.isFunctionLike(node) || (ts.isCallExpression(node) && ts.isIdentifier(unwrap(node.expression)))) {
      data = false;
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(init);
  return data;
}

/** Mentions of declared names looked up one by one before the file is walked instead. */
const MAX_USE_LOOKUPS = 64;

/**
 * The identifier that starts at `at`, with the nodes above it, found by descending the tree
 * (which has no parent pointers) to it.
 */
function identifierAt(sf: ts.SourceFile, at: number): ts.Node[] | undefined {
  const chain: ts.Node[] = [sf];
  for (;;) {
    const inner: ts.Node | undefined = ts.forEachChild(chain[chain.length - 1]!, (child) => (child.pos <= at && at < child.end ? child : undefined));
    if (!inner) break;
    chain.push(inner);
  }
  const id = chain[chain.length - 1]!;
  return ts.isIdentifier(id) && id.getStart(sf) === at ? chain : undefined;
}

/** `new X(...)`, `X(...)` (also `(X)(...)`) or `extends X`: the class or function runs there, not on its own. */
function isUse(chain: ts.Node[] | undefined): boolean {
  if (!chain) return false;
  const id = chain[chain.length - 1]!;
  let i = chain.length - 1;
  while (i > 0 && unwrap(chain[i - 1] as ts.Expression) === id) i--;
  const e = chain[i]!;
  const p = chain[i - 1];
  if (!p) return false;
  if ((ts.isNewExpression(p) || ts.isCallExpression(p)) && p.expression === e) return true;
  return ts.isExpressionWithTypeArguments(p) && p.expression === e && i >= 2 && ts.isHeritageClause(chain[i - 2]!);
}

/**
 * An ASCII character that continues an identifier (letters, digits, `_`, `$`). Any other one
 * counts as a boundary: at worst a mention is counted that is not one, and the file is walked.
 */
function isNamePart(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || code === 95 || code === 36;
}
