/**
 * Per-file facts every code analysis starts from, gathered in one iterative walk: module bindings
 * (imports and requires), variable declarations (for alias and client tracking), and the nodes
 * rules look at. What is derived from them (SDK calls, handler contexts) is built on top, in
 * `./analysis.ts`.
 */
import { ts } from './ts.js';
import { walkSettingParents, unwrap, isFunctionLike, returnedExpressions, step } from './walk.js';

/** Read once: the TypeScript bundle exposes its members through getters, which cost in per-node loops. */
const SyntaxKind = ts.SyntaxKind;

/**
 * What the analysis may know of other files of the project: the front end (the engine, the ESLint
 * plugin) implements it, reading files itself; the code layer never touches the file system. Both
 * answers are memoised by the host for the whole scan (one host per thread), and a host never
 * executes anything it reads.
 */
export interface ModuleHost {
  /**
   * The project file a module specifier written in `fromFile` names (relative paths, `tsconfig`
   * paths, package.json `imports`, packages of the same repository), or undefined for an external
   * package, a built-in module or a file that does not exist.
   */
  resolve(specifier: string, fromFile: string): string | undefined;
  /** The facts of a project file, or undefined when it cannot be read, is over the size limit or does not parse. */
  facts(file: string): FileFacts | undefined;
  /**
   * The names of the code files directly in the project folder `dir` (relative to `fromFile`),
   * for a module that loads every file of a folder; undefined when it is not a project folder.
   */
  folderModules?(dir: string, fromFile: string): string[] | undefined;
}

/** A value that comes from a module: `{ module: 'aws-sdk', path: ['Lambda'] }` is `AWS.Lambda`. */
export interface ModuleRef {
  module: string;
  path: string[];
}

/** What an expression evaluates to, as far as the analysis can tell. */
export type Origin =
  | { kind: 'module'; ref: ModuleRef }
  /** An instance created with `new <ref>(...)` or `<ref>.from(...)`. */
  | { kind: 'instance'; ref: ModuleRef; creation: ts.Expression };

interface Declaration {
  /** The node whose range is the declaration's scope. */
  scope: ts.Node;
  /** Position of the declaration (a later declaration in the same scope wins for `let` re-assignment). */
  pos: number;
  /** Initializer or assigned value; undefined for parameters and uninitialised declarations. */
  value?: ts.Expression;
  /** Property names to follow from the value, for destructuring: `const { a: { b } } = v` gives ['a', 'b']. */
  pick: string[];
  /** Set for import and require bindings. */
  ref?: ModuleRef;
  /** Assigned again after its initial value: its value is not statically known. */
  reassigned?: boolean;
  /** A parameter's default value (`function save(item, ddb = new AWS.DynamoDB())`): what kind of client it holds. */
  fallback?: ts.Expression;
  /** The type a parameter or variable is declared with (`svc: OrderService`). */
  type?: ts.TypeNode;
  /** The variable declaration, when the name is its whole binding: where an initialiser runs. */
  node?: ts.VariableDeclaration;
  /** Plain assignments of the name (`x = v`) in source order: what `valueOf` picks from at a use once it is reassigned. */
  assignments?: ts.BinaryExpression[];
  /** Written other than by a plain assignment (`+=`, `++`), or a parameter: no value is certain once reassigned. */
  opaqueWrites?: boolean;
}

/** A variable assigned more often than this is not followed to the assignment that reaches a use. */
const MAX_REACHING_WRITES = 32;

const MAX_RESOLVE_DEPTH = 12;
/** Utility types whose first argument's methods an instance keeps (`Pick<Client, 'get'>`). */
const SAME_METHODS_TYPES = new Set(['Pick', 'Omit', 'Partial', 'Readonly', 'Required', 'NonNullable']);

export class FileFacts {
  readonly calls: ts.CallExpression[] = [];
  readonly news: ts.NewExpression[] = [];
  readonly loops: ts.IterationStatement[] = [];
  readonly functions: ts.FunctionLikeDeclaration[] = [];
  readonly tries: ts.TryStatement[] = [];
  /** Module specifiers imported or required anywhere in the file. */
  readonly modules = new Set<string>();
  /** Import, variable and parameter declarations, indexed lazily by `declarations`. */
  private readonly declarationNodes: ts.Node[] = [];
  private declarationIndex?: Map<string, Declaration[]>;
  private readonly thisMembers = new Map<string, ts.Expression[]>();
  /** Assignments and updates, applied after every declaration is known (the walk is unordered). */
  private readonly pendingWrites: { name: string; pos: number; node: ts.Node; value?: ts.Expression }[] = [];
  /** What `reachingValue` found for a use of a reassigned variable (null: nothing certain). */
  private readonly reaching = new Map<ts.Identifier, ts.Expression | null>();
  /** `x.name = v`, `x['name'] = v` and `Object.assign(x, ...)` by the name of `x`: members set on an object after it was built. */
  private readonly memberWrites = new Map<string, ts.Node[]>();
  /** Per-scope indexes of long declaration lists (see `pick`). */
  private readonly scopeIndexes = new WeakMap<Declaration[], Map<ts.Node, ScopeGroup>>();
  /** Top-level function declarations by name, built on first use. */
  private topFunctions?: Map<string, ts.FunctionDeclaration>;
  private typeAliases?: Map<string, ts.TypeAliasDeclaration>;
  /** What each client factory of the file returns (null: not one client). */
  private readonly factoryOrigins = new WeakMap<ts.Node, Origin | null>();

  /**
   * Gives the facts of the project files this file imports, when the front end can read them
   * (see `./modules.ts`); without one, the analysis stays within the file.
   */
  readonly host?: ModuleHost;

  constructor(
    readonly sourceFile: ts.SourceFile,
    host?: ModuleHost,
  ) {
    this.host = host;
    // also links parents: the engine parses without the parser's own parent pass; the walk is
    // in source order, and so are the node lists rules read
    walkSettingParents(sourceFile, (node) => this.visit(node));
  }

  /**
   * The name → declarations index, built on first use: many files never need a lookup, and the
   * walk only records the nodes.
   */
  private get declarations(): Map<string, Declaration[]> {
    if (this.declarationIndex) return this.declarationIndex;
    this.declarationIndex = new Map();
    for (const node of this.declarationNodes) {
      switch (node.kind) {
        case SyntaxKind.ImportDeclaration:
          this.declareImport(node as ts.ImportDeclaration);
          break;
        case SyntaxKind.ImportEqualsDeclaration: {
          const d = node as ts.ImportEqualsDeclaration;
          const ref = d.moduleReference as ts.ExternalModuleReference;
          this.declare(d.name.text, d, undefined, [], { module: (ref.expression as ts.StringLiteral).text, path: [] });
          break;
        }
        case SyntaxKind.VariableDeclaration: {
          const d = node as ts.VariableDeclaration;
          this.declareBinding(d.name, d, d.initializer, [], false, d.type);
          break;
        }
        default: {
          const p = node as ts.ParameterDeclaration;
          if (ts.isIdentifier(p.name)) this.declare(p.name.text, p, undefined, [], undefined, true, p.type, p.initializer);
          else this.declareBinding(p.name, p, undefined, [], true, p.type);
        }
      }
    }
    this.pendingWrites.sort((a, b) => a.pos - b.pos);
    for (const w of this.pendingWrites) this.applyWrite(w.name, w.node, w.pos, w.value);
    return this.declarationIndex;
  }

  private visit(node: ts.Node): void {
    switch (node.kind) {
      case SyntaxKind.CallExpression: {
        const call = node as ts.CallExpression;
        this.calls.push(call);
        const spec = requireSpecifier(call);
        if (spec) this.modules.add(spec);
        // `Object.assign(params, { ClientToken })`
        const callee = call.expression;
        const target = call.arguments[0] && unwrap(call.arguments[0]);
        if (target && ts.isIdentifier(target) && ts.isPropertyAccessExpression(callee) && callee.name.text === 'assign' && ts.isIdentifier(callee.expression) && callee.expression.text === 'Object') {
          this.addMemberWrite(target.text, call);
        }
        break;
      }
      case SyntaxKind.NewExpression:
        this.news.push(node as ts.NewExpression);
        break;
      case SyntaxKind.TryStatement:
        this.tries.push(node as ts.TryStatement);
        break;
      case SyntaxKind.ImportDeclaration: {
        const d = node as ts.ImportDeclaration;
        if (ts.isStringLiteral(d.moduleSpecifier)) {
          this.modules.add(d.moduleSpecifier.text);
          this.declarationNodes.push(d);
        }
        break;
      }
      case SyntaxKind.ImportEqualsDeclaration: {
        const d = node as ts.ImportEqualsDeclaration;
        if (ts.isExternalModuleReference(d.moduleReference) && ts.isStringLiteral(d.moduleReference.expression)) {
          this.modules.add(d.moduleReference.expression.text);
          this.declarationNodes.push(d);
        }
        break;
      }
      case SyntaxKind.VariableDeclaration:
      case SyntaxKind.Parameter:
        this.declarationNodes.push(node);
        break;
      case SyntaxKind.FunctionDeclaration:
      case SyntaxKind.FunctionExpression:
      case SyntaxKind.ArrowFunction:
      case SyntaxKind.MethodDeclaration:
      case SyntaxKind.GetAccessor:
      case SyntaxKind.SetAccessor:
        this.functions.push(node as ts.FunctionLikeDeclaration);
        break;
      case SyntaxKind.ForStatement:
      case SyntaxKind.ForOfStatement:
      case SyntaxKind.ForInStatement:
      case SyntaxKind.WhileStatement:
      case SyntaxKind.DoStatement:
        this.loops.push(node as ts.IterationStatement);
        break;
      case SyntaxKind.PrefixUnaryExpression:
      case SyntaxKind.PostfixUnaryExpression: {
        const u = node as ts.PrefixUnaryExpression | ts.PostfixUnaryExpression;
        if ((u.operator === SyntaxKind.PlusPlusToken || u.operator === SyntaxKind.MinusMinusToken) && ts.isIdentifier(unwrap(u.operand))) {
          this.pendingWrites.push({ name: (unwrap(u.operand) as ts.Identifier).text, pos: u.pos, node: u });
        }
        break;
      }
      case SyntaxKind.BinaryExpression: {
        const b = node as ts.BinaryExpression;
        const op = b.operatorToken.kind;
        if (op >= SyntaxKind.FirstCompoundAssignment && op <= SyntaxKind.LastCompoundAssignment && ts.isIdentifier(unwrap(b.left))) {
          this.pendingWrites.push({ name: (unwrap(b.left) as ts.Identifier).text, pos: b.pos, node: b });
        }
        if (op === SyntaxKind.EqualsToken) {
          const left = unwrap(b.left);
          if (ts.isIdentifier(left)) this.pendingWrites.push({ name: left.text, pos: b.pos, node: b, value: b.right });
          else if (ts.isPropertyAccessExpression(left) && left.expression.kind === SyntaxKind.ThisKeyword) {
            this.addThisMember(left.name.text, b.right);
          } else if ((ts.isPropertyAccessExpression(left) || ts.isElementAccessExpression(left)) && ts.isIdentifier(unwrap(left.expression))) {
            this.addMemberWrite((unwrap(left.expression) as ts.Identifier).text, b);
          }
        }
        break;
      }
      case SyntaxKind.PropertyDeclaration: {
        const p = node as ts.PropertyDeclaration;
        if (p.initializer && (ts.isIdentifier(p.name) || ts.isPrivateIdentifier(p.name))) this.addThisMember(p.name.text, p.initializer);
        break;
      }
      case SyntaxKind.Constructor: {
        this.functions.push(node as ts.ConstructorDeclaration);
        // `constructor(private readonly client = new X())`
        for (const p of (node as ts.ConstructorDeclaration).parameters) {
          if (p.initializer && ts.isIdentifier(p.name) && p.modifiers?.length) this.addThisMember(p.name.text, p.initializer);
        }
        break;
      }
      default:
        break;
    }
  }

  private declareImport(d: ts.ImportDeclaration): void {
    const module = (d.moduleSpecifier as ts.StringLiteral).text;
    const clause = d.importClause;
    if (!clause) return;
    if (clause.name) this.declare(clause.name.text, d, undefined, [], { module, path: [] });
    const bindings = clause.namedBindings;
    if (!bindings) return;
    if (ts.isNamespaceImport(bindings)) {
      this.declare(bindings.name.text, d, undefined, [], { module, path: [] });
    } else {
      for (const el of bindings.elements) {
        const imported = (el.propertyName ?? el.name).text;
        this.declare(el.name.text, d, undefined, [], { module, path: imported === 'default' ? [] : [imported] });
      }
    }
  }

  private declare(name: string, node: ts.Node, value: ts.Expression | undefined, pick: string[], ref?: ModuleRef, parameter = false, type?: ts.TypeNode, fallback?: ts.Expression): void {
    const scope = scopeOf(node);
    const list = this.declarations.get(name) ?? [];
    // a parameter already holds the caller's argument: assigning it makes the value unknown
    const d: Declaration = { scope, pos: node.pos, value, pick, ref, reassigned: parameter || undefined };
    if (parameter) d.opaqueWrites = true;
    else if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name)) d.node = node;
    if (type) d.type = type;
    if (fallback) d.fallback = fallback;
    list.push(d);
    this.declarations.set(name, list);
  }

  private declareBinding(name: ts.BindingName, node: ts.Node, value: ts.Expression | undefined, pick: string[], parameter = false, type?: ts.TypeNode): void {
    if (ts.isIdentifier(name)) {
      this.declare(name.text, node, value, pick, undefined, parameter, type);
      return;
    }
    if (ts.isObjectBindingPattern(name)) {
      for (const el of name.elements) {
        if (el.dotDotDotToken) continue;
        const key = el.propertyName ?? (ts.isIdentifier(el.name) ? el.name : undefined);
        const keyText = key && (ts.isIdentifier(key) || ts.isStringLiteral(key)) ? key.text : undefined;
        this.declareBinding(el.name, node, keyText !== undefined ? value : undefined, keyText !== undefined ? [...pick, keyText] : pick, parameter);
      }
    } else {
      for (const el of name.elements) {
        if (ts.isBindingElement(el)) this.declareBinding(el.name, node, undefined, pick, parameter);
      }
    }
  }

  /**
   * An assignment gives an uninitialised declaration its value (`let c; c = new X()`); any other
   * write (a second assignment, `+=`, `++`) makes the value statically unknown.
   */
  private applyWrite(name: string, node: ts.Node, pos: number, value: ts.Expression | undefined): void {
    const list = this.declarations.get(name);
    const target = list && this.pick(list, node, pos);
    if (!target) return;
    if (value && target.value === undefined && target.pick.length === 0 && !target.ref && !target.reassigned) target.value = value;
    else target.reassigned = true;
    if (value && ts.isBinaryExpression(node)) (target.assignments ??= []).push(node);
    else target.opaqueWrites = true;
  }

  private addMemberWrite(name: string, node: ts.Node): void {
    const list = this.memberWrites.get(name);
    if (list) list.push(node);
    else this.memberWrites.set(name, [node]);
  }

  /**
   * Whether member `name` of the object a variable holds may be set after the object was built,
   * before `id` reads it: `params.ClientToken = token`, `params['ClientToken'] = token` (or a
   * member the analysis cannot name), `Object.assign(params, extra)`, on the same variable.
   */
  memberSetBefore(id: ts.Identifier, name: string): boolean {
    const writes = this.memberWrites.get(id.text);
    if (!writes) return false;
    const d = this.lookup(id);
    for (const w of writes) {
      if (w.pos >= id.pos) continue;
      if (ts.isBinaryExpression(w)) {
        const left = unwrap(w.left) as ts.PropertyAccessExpression | ts.ElementAccessExpression;
        const member = ts.isPropertyAccessExpression(left) ? left.name.text : ts.isStringLiteralLike(unwrap(left.argumentExpression)) ? (unwrap(left.argumentExpression) as ts.StringLiteralLike).text : undefined;
        if (member !== undefined && member !== name) continue;
        if (this.lookup(unwrap(left.expression) as ts.Identifier) === d) return true;
      } else if (ts.isCallExpression(w) && this.lookup(unwrap(w.arguments[0]!) as ts.Identifier) === d) {
        return true;
      }
    }
    return false;
  }

  private addThisMember(name: string, value: ts.Expression): void {
    const list = this.thisMembers.get(name) ?? [];
    list.push(value);
    this.thisMembers.set(name, list);
  }

  /** The declaration an identifier refers to at its position (innermost scope; no type info). */
  private lookup(id: ts.Identifier): Declaration | undefined {
    const list = this.declarations.get(id.text);
    if (!list) return undefined;
    return this.pick(list, id, id.pos);
  }

  /**
   * `pickDeclaration` for a node at `pos`. Long lists (a minified bundle redeclares the same short
   * names thousands of times) would make every lookup linear and a file quadratic: for those, the
   * node's enclosing scopes are looked up in a per-scope index instead, with the same choice.
   */
  private pick(list: Declaration[], node: ts.Node, pos: number): Declaration | undefined {
    if (list.length <= INDEXED_LIST_LENGTH) return pickDeclaration(list, pos);
    let index = this.scopeIndexes.get(list);
    if (!index) {
      index = new Map();
      for (const d of list) {
        const group = index.get(d.scope);
        if (group) group.byPos.push(d);
        else index.set(d.scope, { first: d, byPos: [d] });
      }
      // stable: equal positions keep list order, as in pickDeclaration
      for (const group of index.values()) group.byPos.sort((a, b) => a.pos - b.pos);
      this.scopeIndexes.set(list, index);
    }
    // the innermost enclosing scope with a declaration of the name (and any enclosing scope that
    // starts at the same position: pickDeclaration compares scope starts)
    const scopes: ts.Node[] = [];
    for (let p: ts.Node | undefined = node; p; p = p.parent) {
      step();
      if (scopes.length > 0 && p.pos !== scopes[0]!.pos) break;
      if (index.has(p)) scopes.push(p);
    }
    if (scopes.length === 0) return undefined;
    if (scopes.length > 1) return pickDeclaration(list.filter((d) => scopes.includes(d.scope)), pos);
    const { first, byPos } = index.get(scopes[0]!)!;
    if (first.pos > pos) return first;
    // the last declaration at or before pos
    let lo = 0;
    let hi = byPos.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (byPos[mid]!.pos <= pos) lo = mid;
      else hi = mid - 1;
    }
    return byPos[lo];
  }

  /** The expression an identifier was initialised with (const/let/var), if known. */
  valueOf(id: ts.Identifier): ts.Expression | undefined {
    const d = this.lookup(id);
    if (!d || d.pick.length > 0) return undefined;
    if (!d.reassigned) return d.value;
    let value = this.reaching.get(id);
    if (value === undefined) this.reaching.set(id, (value = reachingValue(id, d) ?? null));
    return value ?? undefined;
  }

  /**
   * What an identifier was declared from, including destructuring (`const { Records: rs } = event`
   * gives `event` and ['Records']) and declarations assigned again later (their first value).
   */
  declaredFrom(id: ts.Identifier): { value: ts.Expression; pick: string[]; reassigned: boolean } | undefined {
    const d = this.lookup(id);
    if (!d?.value) return undefined;
    return { value: d.value, pick: d.pick, reassigned: !!d.reassigned };
  }

  /**
   * The class name an identifier is declared with as its type (`stackSet` in
   * `(stackSet: StackSetHelper) => ...`, `let svc: OrderService`): a plain type reference, not a
   * union or an array.
   */
  declaredClassName(id: ts.Identifier): ts.EntityName | undefined {
    let type = this.lookup(id)?.type;
    // through the file's type aliases and the utility types that keep the class's methods:
    // `client: Pick<OrderClient, 'get' | 'post'>`, `type JobClient = Omit<OrderClient, 'close'>`
    for (let i = 0; i < MAX_RESOLVE_DEPTH && type; i++) {
      if (ts.isParenthesizedTypeNode(type)) {
        type = type.type;
        continue;
      }
      if (!ts.isTypeReferenceNode(type)) return undefined;
      // `dao: models.OrderStore`, with `models` a namespace import
      if (ts.isQualifiedName(type.typeName)) return ts.isIdentifier(type.typeName.left) && !type.typeArguments?.length ? type.typeName : undefined;
      const name = type.typeName;
      if (SAME_METHODS_TYPES.has(name.text) && type.typeArguments?.length && !this.typeAlias(name.text)) type = type.typeArguments[0];
      else if (!type.typeArguments?.length && this.typeAlias(name.text)) type = this.typeAlias(name.text)!.type;
      else return name;
    }
    return undefined;
  }

  /** A type alias declared at the top level of the file, by name. */
  private typeAlias(name: string): ts.TypeAliasDeclaration | undefined {
    if (!this.typeAliases) {
      this.typeAliases = new Map();
      for (const st of this.sourceFile.statements) if (ts.isTypeAliasDeclaration(st) && !st.typeParameters && !this.typeAliases.has(st.name.text)) this.typeAliases.set(st.name.text, st);
    }
    return this.typeAliases.get(name);
  }

  /** Follows identifiers to their initialiser, up to a few hops. */
  resolveValue(expr: ts.Expression): ts.Expression {
    let e = unwrap(expr);
    for (let i = 0; i < MAX_RESOLVE_DEPTH && ts.isIdentifier(e); i++) {
      const v = this.valueOf(e);
      if (!v) break;
      e = unwrap(v);
    }
    return e;
  }

  /** What an expression is in terms of modules: `AWS.Lambda`, a `LambdaClient` instance, ... */
  origin(expr: ts.Expression, depth = 0): Origin | undefined {
    if (depth > MAX_RESOLVE_DEPTH) return undefined;
    const e = unwrap(expr);
    if (ts.isIdentifier(e)) {
      const d = this.lookup(e);
      if (!d) return undefined;
      if (d.ref) return { kind: 'module', ref: d.ref };
      // a parameter whose default creates a client holds that kind of client, whatever a caller passes
      if (!d.value) return d.fallback ? instance(this.origin(d.fallback, depth + 1)) : undefined;
      const base = this.origin(d.value, depth + 1);
      if (!base || d.pick.length === 0) return base;
      return base.kind === 'module' ? { kind: 'module', ref: { module: base.ref.module, path: [...base.ref.path, ...d.pick] } } : undefined;
    }
    if (ts.isPropertyAccessExpression(e)) {
      if (e.expression.kind === SyntaxKind.ThisKeyword) {
        const values = this.thisMembers.get(e.name.text);
        if (values && values.length > 0) return this.origin(values[0], depth + 1);
        return undefined;
      }
      const base = this.origin(e.expression, depth + 1);
      if (!base || base.kind !== 'module') return undefined;
      return { kind: 'module', ref: { module: base.ref.module, path: [...base.ref.path, e.name.text] } };
    }
    if (ts.isElementAccessExpression(e) && ts.isStringLiteralLike(e.argumentExpression)) {
      const base = this.origin(e.expression, depth + 1);
      if (!base || base.kind !== 'module') return undefined;
      return { kind: 'module', ref: { module: base.ref.module, path: [...base.ref.path, e.argumentExpression.text] } };
    }
    if (ts.isCallExpression(e)) {
      const spec = requireSpecifier(e);
      if (spec) return { kind: 'module', ref: { module: spec, path: [] } };
      // X-Ray instrumentation hands back what it is given: `AWSXRay.captureAWS(require('aws-sdk'))`,
      // `captureAWSClient(new AWS.S3())`, `tracer.captureAWSv3Client(new SQSClient({}))`
      if (e.arguments.length >= 1 && this.isCapture(e.expression, depth)) return this.origin(e.arguments[0], depth + 1);
      // bluebird's `Promise.promisifyAll(new AWS.SQS())` returns the client it was given, with an
      // `...Async` twin of each method
      const callee = unwrap(e.expression);
      const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
      if (name === 'promisifyAll' && e.arguments.length >= 1) return instance(this.origin(e.arguments[0]!, depth + 1));
      // `DynamoDBDocumentClient.from(client)` creates an instance of its receiver
      if (ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'from') {
        const base = this.origin(e.expression.expression, depth + 1);
        if (base?.kind === 'module') return { kind: 'instance', ref: base.ref, creation: e };
      }
      // `getClient()`: a function of this file that returns a client it makes
      if (ts.isIdentifier(callee)) return this.factoryOrigin(callee, depth);
      return undefined;
    }
    if (ts.isAwaitExpression(e) && ts.isCallExpression(unwrap(e.expression))) {
      const call = unwrap(e.expression) as ts.CallExpression;
      if (call.expression.kind === SyntaxKind.ImportKeyword && call.arguments[0] && ts.isStringLiteralLike(call.arguments[0])) {
        return { kind: 'module', ref: { module: call.arguments[0].text, path: [] } };
      }
      return undefined;
    }
    if (ts.isNewExpression(e)) {
      const base = this.origin(e.expression, depth + 1);
      if (base?.kind === 'module') return { kind: 'instance', ref: base.ref, creation: e };
      return undefined;
    }
    // a client handed in, else one made here (`client ?? new AWS.S3()`, `client || new S3Client({})`):
    // the same kind of client either way
    if (ts.isBinaryExpression(e) && (e.operatorToken.kind === SyntaxKind.QuestionQuestionToken || e.operatorToken.kind === SyntaxKind.BarBarToken)) {
      return this.origin(e.left, depth + 1) ?? instance(this.origin(e.right, depth + 1));
    }
    // `local ? new S3Client({ endpoint }) : new S3Client({})`: both branches the same kind of client;
    // `process.env.XRAY_DISABLED ? AWS : AWSXRay.captureAWS(AWS)`: the same module either way
    if (ts.isConditionalExpression(e)) {
      const a = this.origin(e.whenTrue, depth + 1);
      const b = a && this.origin(e.whenFalse, depth + 1);
      return b && a!.kind === b.kind && sameRef(a!.ref, b.ref) ? a : undefined;
    }
    return undefined;
  }

  /**
   * The client a function of this file returns when every `return` gives the same kind of client
   * (`function getClient() { return new Kendra({ region }); }`, `const s3 = () => new S3Client({})`).
   */
  private factoryOrigin(callee: ts.Identifier, depth: number): Origin | undefined {
    const d = this.lookup(callee);
    const fn: ts.Node | undefined = d ? (d.value && !d.reassigned && d.pick.length === 0 ? unwrap(d.value) : undefined) : this.topFunction(callee.text);
    if (!fn || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn) || ts.isFunctionDeclaration(fn)) || !fn.body) return undefined;
    if (this.factoryOrigins.has(fn)) return this.factoryOrigins.get(fn) ?? undefined;
    // a factory that calls itself asks again while its answer is computed: not a client
    this.factoryOrigins.set(fn, null);
    let out: Origin | undefined;
    const returned = returnedExpressions(fn as ts.FunctionLikeDeclaration);
    for (const r of returned) {
      const o = instance(this.origin(r, depth + 1));
      if (!o || (out && !sameRef((out as { ref: ModuleRef }).ref, o.ref))) {
        out = undefined;
        break;
      }
      out ??= o;
    }
    this.factoryOrigins.set(fn, out ?? null);
    return out;
  }

  private topFunction(name: string): ts.FunctionDeclaration | undefined {
    if (!this.topFunctions) {
      this.topFunctions = new Map();
      for (const st of this.sourceFile.statements) if (ts.isFunctionDeclaration(st) && st.name && st.body && !this.topFunctions.has(st.name.text)) this.topFunctions.set(st.name.text, st);
    }
    return this.topFunctions.get(name);
  }

  /** Whether a callee is `captureAWS`-like (see {@link isCaptureCall}), also as a method of a Powertools `Tracer` instance. */
  private isCapture(callee: ts.Expression, depth: number): boolean {
    const c = unwrap(callee);
    if (ts.isPropertyAccessExpression(c) && !CAPTURE_FUNCTIONS.has(c.name.text)) return false;
    if (ts.isPropertyAccessExpression(c)) {
      const base = this.origin(c.expression, depth + 1);
      if (base?.kind === 'instance') return TRACING_MODULES.has(base.ref.module);
    }
    const o = this.origin(c, depth + 1);
    return o?.kind === 'module' && isCaptureCall(o);
  }
}

const TRACING_MODULES = new Set(['aws-xray-sdk', 'aws-xray-sdk-core', '@aws-lambda-powertools/tracer']);
const CAPTURE_FUNCTIONS = new Set(['captureAWS', 'captureAWSClient', 'captureAWSv3Client']);

/** The X-Ray SDK's (or a Powertools `Tracer`'s) `captureAWS`, `captureAWSClient` and `captureAWSv3Client`: they return their argument, instrumented. */
function isCaptureCall(callee: Origin | undefined): boolean {
  if (!callee || !TRACING_MODULES.has(callee.ref.module)) return false;
  const last = callee.ref.path[callee.ref.path.length - 1];
  return last !== undefined && CAPTURE_FUNCTIONS.has(last);
}

function instance(o: Origin | undefined): Origin | undefined {
  return o?.kind === 'instance' ? o : undefined;
}

function sameRef(a: ModuleRef, b: ModuleRef): boolean {
  return a.module === b.module && a.path.length === b.path.length && a.path.every((p, i) => p === b.path[i]);
}

/** `require('x')` → 'x'. */
export function requireSpecifier(call: ts.CallExpression): string | undefined {
  if (!ts.isIdentifier(call.expression) || call.expression.text !== 'require') return undefined;
  const arg = call.arguments[0];
  return arg && ts.isStringLiteralLike(arg) ? arg.text : undefined;
}

/**
 * The value a variable assigned more than once holds at a use (`let params = {...}; send(params);
 * params = {...}; send(params)`): the initialiser or plain assignment that comes last before the
 * use, when it runs on every way to the use — a statement of a block, a source file or a `case`
 * that encloses the use — and no write after the use reaches it again through an enclosing loop.
 * Writes in another function than the use (a callback, a closure read later) make it unknown, and
 * so do writes other than plain assignments.
 */
function reachingValue(use: ts.Identifier, d: Declaration): ts.Expression | undefined {
  const writes = d.assignments;
  if (d.opaqueWrites || d.ref || !writes || writes.length > MAX_REACHING_WRITES) return undefined;
  const fn = functionOf(use);
  const loops: ts.Node[] = [];
  for (let p: ts.Node | undefined = use.parent; p && p !== fn; p = p.parent) {
    step();
    if (ts.isIterationStatement(p, false)) loops.push(p);
  }
  const init = d.node?.initializer ? d.node : undefined;
  let last: ts.VariableDeclaration | ts.BinaryExpression | undefined = init && init.end <= use.pos ? init : undefined;
  if (init && functionOf(init) !== fn) return undefined;
  for (const w of writes) {
    if (functionOf(w) !== fn) return undefined;
    if (w.end <= use.pos) {
      if (!last || w.pos > last.pos) last = w;
    } else if (loops.some((l) => l.pos <= w.pos && w.end <= l.end)) {
      return undefined;
    }
  }
  if (!last) return undefined;
  const statement = ts.isVariableDeclaration(last) ? last.parent?.parent : last.parent;
  if (!statement || !(ts.isVariableStatement(statement) || (ts.isExpressionStatement(statement) && statement.expression === last))) return undefined;
  const block = statement.parent;
  if (!block || !(ts.isBlock(block) || ts.isSourceFile(block) || ts.isCaseClause(block) || ts.isDefaultClause(block) || ts.isModuleBlock(block))) return undefined;
  if (use.pos < block.pos || use.end > block.end) return undefined;
  return ts.isVariableDeclaration(last) ? last.initializer : last.right;
}

/** The innermost function (or the source file) a node is in. */
function functionOf(node: ts.Node): ts.Node | undefined {
  let p = node.parent;
  for (; p && !isFunctionLike(p) && !ts.isSourceFile(p); p = p.parent) step();
  return p;
}

function scopeOf(node: ts.Node): ts.Node {
  // `var` and parameters are function-scoped; everything else block-scoped; imports module-scoped
  const isVar =
    ts.isVariableDeclaration(node) && node.parent && ts.isVariableDeclarationList(node.parent) && (node.parent.flags & ts.NodeFlags.BlockScoped) === 0;
  const isParam = ts.isParameter(node);
  for (let p = node.parent; p; p = p.parent) {
    step();
    if (isParam || isVar) {
      if (isFunctionLike(p) || ts.isSourceFile(p)) return p;
    } else if (ts.isBlock(p) || ts.isSourceFile(p) || isFunctionLike(p) || ts.isForStatement(p) || ts.isForOfStatement(p) || ts.isForInStatement(p) || ts.isCaseBlock(p) || ts.isCatchClause(p)) {
      return p;
    }
  }
  return node.getSourceFile();
}

/** Declaration lists longer than this get a per-scope index. */
const INDEXED_LIST_LENGTH = 32;

interface ScopeGroup {
  /** The scope's first declaration of the name in list order. */
  first: Declaration;
  /** The scope's declarations of the name by position. */
  byPos: Declaration[];
}

/** Positions are full starts (`node.pos`, before leading trivia): cheap and consistent. */
function pickDeclaration(list: Declaration[], pos: number): Declaration | undefined {
  let best: Declaration | undefined;
  let bestScopeStart = -1;
  for (const d of list) {
    const scopeStart = d.scope.pos;
    // end-exclusive: the node right after a scope starts where the scope ends
    if (pos < scopeStart || pos >= d.scope.end) continue;
    if (scopeStart > bestScopeStart || (scopeStart === bestScopeStart && best && d.pos <= pos && d.pos >= best.pos)) {
      best = d;
      bestScopeStart = scopeStart;
    }
  }
  return best;
}
