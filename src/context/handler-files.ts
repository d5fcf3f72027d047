/**
 * The handler source file a function deploys, among the scanned code files: SAM `CodeUri` +
 * `Handler` (or the entry points an esbuild build names), Serverless `handler`, the CDK
 * `NodejsFunction` layout (`<construct file>.<id>.ts` beside the construct, or a source beside the
 * bundled asset), for Terraform a unique match below the configuration's folder, and for a
 * CloudFormation function whose code is an S3 archive the package folder named like the archive (for
 * archives of SAM and CloudFormation functions, also the entry point of a bundler configuration
 * named like the handler module). A `.js` build
 * output maps back to its `.ts` source (`dist/x.js` → `src/x.ts`) when that source is scanned too.
 * Also names a function after its handler file when the file's name says more than `index`.
 */
import path from 'node:path';
import { readRegularText } from '../ground/file-access.js';
import { Intrinsic, TERRAFORM_SOURCE_PATH, type IacValue, type Resource, type Template } from '../iac/model.js';
import { getIn, isAbsent, isPlainObject } from '../iac/resources.js';

const CODE_EXTENSIONS = ['.ts', '.mts', '.cts', '.tsx', '.js', '.mjs', '.cjs'];

/** Literal string of a template value, or undefined. */
function str(value: IacValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** The CDK source construct of a synthesized resource, when the scan holds both. */
export type TwinOf = (template: Template, id: string) => { template: Template; resource: Resource } | undefined;

/**
 * The package an S3 archive of a function's `Code` is named after: the last piece of `S3Key` (a
 * literal, the last literal of a `Fn::Join`, or a `Fn::Sub` whose file name is written out), less
 * `.zip`.
 */
function archiveName(code: IacValue | undefined): string | undefined {
  if (!isPlainObject(code)) return undefined;
  const key = code['S3Key'];
  let text: string | undefined;
  if (typeof key === 'string') text = key;
  else if (key instanceof Intrinsic) {
    const arg = key.argument;
    if (key.name === 'Fn::Join' && Array.isArray(arg) && Array.isArray(arg[1])) text = str(arg[1][arg[1].length - 1]);
    else if (key.name === 'Fn::Sub') text = Array.isArray(arg) ? str(arg[0]) : str(arg);
  }
  const file = text?.split('/').pop();
  const m = file && /^([\w.@-]+)\.zip$/.exec(file);
  return m && !m[1].includes('${') ? m[1] : undefined;
}

/**
 * Where the Node.js runtime splits a handler: at the first dot of its last path segment, so that
 * `index.handlers.orders` is the module `index` and the export `handlers` (whose member `orders`
 * runs), as the runtime resolves a nested handler.
 */
const splitAt = (handler: string): number => {
  const dot = handler.indexOf('.', handler.lastIndexOf('/') + 1);
  return dot < 0 ? handler.lastIndexOf('.') : dot;
};
/** `orders/index` of the handler `orders/index.handler`: the module, without the export. */
const moduleOf = (handler: string): string => handler.slice(0, splitAt(handler));
/** `handler` of the handler `orders/index.handler` (`handlers` of `index.handlers.orders`). */
const exportOf = (handler: string): string => handler.slice(splitAt(handler) + 1).split('.')[0]!;

/** Finds handler files among a fixed set of scanned files (absolute paths). */
export class HandlerFiles {
  /** `twinOf`: the handler file a CDK source construct names is linked to its synthesized function. */
  constructor(
    private readonly codeFiles: ReadonlySet<string>,
    private readonly twinOf?: TwinOf,
  ) {}

  /** The handler file of a function when it is among the scanned files, and the exported handler name. */
  handlerOf(template: Template, fn: Resource): { file?: string; exportName?: string } {
    const handler = str(fn.properties['Handler']);
    const dir = path.dirname(template.file);
    const exportName = handler ? exportOf(handler) : undefined;
    // SAM: CodeUri + Handler; esbuild builds name their entry points
    if (fn.type === 'AWS::Serverless::Function') {
      const declared = fn.properties['CodeUri'];
      if (fn.properties['PackageType'] === 'Image' || !isAbsent(fn.properties['InlineCode'])) return { exportName };
      // an S3 location (or a parameter): the build's entry point named like the handler module, if any
      if ((declared !== undefined && typeof declared !== 'string') || /^s3:\/\//.test(str(declared) ?? '')) {
        return { file: handler && handler.includes('.') ? this.bundleEntry(dir, moduleOf(handler)) : undefined, exportName };
      }
      const codeUri = str(declared) ?? '.';
      const base = path.resolve(dir, codeUri);
      const entries = getIn(fn.metadata, ['BuildProperties', 'EntryPoints']);
      if (Array.isArray(entries)) {
        for (const e of entries) {
          const file = typeof e === 'string' ? this.findSource(path.resolve(base, e.replace(/\.[cm]?[jt]sx?$/, ''))) : undefined;
          if (file && handler && path.basename(file).replace(/\.[^.]+$/, '') === path.basename(moduleOf(handler))) return { file, exportName };
        }
        if (entries.length === 1 && typeof entries[0] === 'string') {
          const file = this.findSource(path.resolve(base, entries[0].replace(/\.[cm]?[jt]sx?$/, '')));
          if (file) return { file, exportName };
        }
      }
      if (!handler || !handler.includes('.')) return { exportName };
      return { file: this.findSource(path.resolve(base, moduleOf(handler))), exportName };
    }
    if (template.format === 'serverless') {
      if (!handler || !handler.includes('.')) return { exportName };
      return { file: this.findSource(path.resolve(dir, moduleOf(handler))), exportName };
    }
    if (template.format === 'cdk-source') return this.cdkAppHandler(template, fn);
    if (template.format === 'cdk' || fn.metadata?.['aws:cdk:path'] !== undefined) {
      const twin = this.twinOf?.(template, fn.id);
      const linked = twin ? this.cdkAppHandler(twin.template, twin.resource) : undefined;
      if (linked?.file) return linked;
      return { file: this.cdkSource(template, fn), exportName };
    }
    if (template.format === 'terraform' && handler && handler.includes('.')) {
      // a registry Lambda module packages its source_path folder
      const folder = fn.metadata?.[TERRAFORM_SOURCE_PATH];
      if (typeof folder === 'string') return { file: this.findSource(path.resolve(dir, folder, moduleOf(handler))), exportName };
      return { file: this.terraformSource(dir, moduleOf(handler)), exportName };
    }
    // CloudFormation code in an S3 archive named after the package it is built from
    if (fn.type !== 'AWS::Lambda::Function' || !handler || !handler.includes('.') || !isPlainObject(fn.properties['Code'])) return { exportName };
    const archive = archiveName(fn.properties['Code']);
    const file = (archive ? this.archiveSource(archive, moduleOf(handler)) : undefined) ?? (fn.properties['Code']['S3Key'] !== undefined ? this.bundleEntry(dir, moduleOf(handler)) : undefined);
    return { file, exportName };
  }

  private packageNames?: Map<string, string | null>;

  /**
   * The source of a function deployed from an S3 archive (`Code.S3Key` ending in
   * `data-lake-admin-service.zip`): the handler module (`index` of `index.handler`) in the one
   * scanned folder whose package.json is named like the archive, or that is itself named so, or
   * in that folder's `src` (bundled into the archive's root). The build scripts of such projects
   * zip each package folder under its package name.
   */
  private archiveSource(archive: string, module: string): string | undefined {
    const found = new Set<string>();
    const parts = module.split('/');
    const suffix = parts.join(path.sep);
    const first = parts.length > 1 ? parts[0] : undefined;
    for (const f of this.codeFiles) {
      const base = f.replace(/\.[cm]?[jt]sx?$/, '');
      if (!base.endsWith(path.sep + suffix) || f.includes(`${path.sep}node_modules${path.sep}`)) continue;
      let folder = base.slice(0, base.length - suffix.length - 1);
      // the package's sources, which its build bundles into the archive (`src/index.ts` → `index.js`)
      if (path.basename(folder) === 'src' && path.basename(folder) !== archive) folder = path.dirname(folder);
      if (path.basename(folder) === archive || this.packageName(folder) === archive) found.add(this.preferTs(f));
      // `orders/index.handler` in `orders.zip`: the package imports its siblings (`../lib`), so its
      // build keeps the folders under their common parent and the handler names the package folder
      else if (first !== undefined && (first === archive || this.packageName(path.join(folder, first)) === archive)) found.add(this.preferTs(f));
    }
    return found.size === 1 ? [...found][0] : undefined;
  }

  private bundles?: { dir: string; entries: Map<string, string> }[];

  /**
   * The source a bundler builds the handler module of an archive from: an entry point of a
   * webpack, esbuild, Rollup, rspack or tsup configuration of the scan named like the module
   * (`'orders-consumer': './src/orders/consumer.ts'` in an `entry` or `entryPoints` map, built to
   * `orders-consumer.js`, deployed as `orders-consumer.handler`). The configuration must sit in
   * the template's folder, above it or below it, and the name must lead to one scanned file.
   */
  private bundleEntry(templateDir: string, module: string): string | undefined {
    const names = new Set([module, path.posix.basename(module)]);
    const found = new Set<string>();
    for (const bundle of this.bundleConfigs()) {
      if (!isWithin(bundle.dir, templateDir) && !isWithin(templateDir, bundle.dir)) continue;
      for (const name of names) {
        const file = bundle.entries.get(name);
        if (file) found.add(file);
      }
    }
    return found.size === 1 ? [...found][0] : undefined;
  }

  /** The named entry points of the scan's bundler configurations, read once (see `bundleEntry`). */
  private bundleConfigs(): { dir: string; entries: Map<string, string> }[] {
    if (this.bundles) return this.bundles;
    this.bundles = [];
    for (const f of this.codeFiles) {
      if (!BUNDLER_CONFIG.test(path.basename(f)) || f.includes(`${path.sep}node_modules${path.sep}`)) continue;
      let text: string;
      try {
        text = readRegularText(f, { maxBytes: 1 << 20 });
      } catch {
        continue;
      }
      const dir = path.dirname(f);
      const entries = new Map<string, string>();
      for (const m of text.matchAll(NAMED_ENTRY)) {
        const name = m[1] ?? m[2] ?? m[3];
        const source = this.findSource(path.resolve(dir, m[5].replace(/\.[cm]?[jt]sx?$/, '')));
        if (!source) continue;
        // a name given twice for different files says nothing
        entries.set(name, entries.has(name) && entries.get(name) !== source ? '' : source);
      }
      for (const [name, source] of entries) if (!source) entries.delete(name);
      if (entries.size > 0) this.bundles.push({ dir, entries });
    }
    return this.bundles;
  }

  /** The `name` of a folder's package.json, read once. */
  private packageName(folder: string): string | undefined {
    this.packageNames ??= new Map();
    let name = this.packageNames.get(folder);
    if (name === undefined) {
      try {
        const pkg = JSON.parse(readRegularText(path.join(folder, 'package.json'), { maxBytes: 1 << 20 })) as { name?: unknown };
        name = typeof pkg.name === 'string' ? pkg.name : null;
      } catch {
        name = null;
      }
      this.packageNames.set(folder, name);
    }
    return name ?? undefined;
  }

  /** A scanned source file for a module path without extension; `.js` builds mapped back to `.ts` sources. */
  private findSource(modulePath: string): string | undefined {
    const candidates = [modulePath];
    // dist/x → src/x, build/x → src/x, lib/x → src/x; then dist/x → x (a build of the folder's own root)
    const build = /([\\/])(?:dist|build|out|\.build)([\\/])/;
    const mapped = modulePath.replace(build, '$1src$2');
    if (mapped !== modulePath) candidates.push(mapped, modulePath.replace(build, '$1'));
    for (const candidate of candidates) {
      for (const ext of CODE_EXTENSIONS) if (this.codeFiles.has(candidate + ext)) return candidate + ext;
      for (const ext of CODE_EXTENSIONS) if (this.codeFiles.has(path.join(candidate, `index${ext}`))) return path.join(candidate, `index${ext}`);
    }
    return this.flattenedSource(modulePath, build);
  }

  /**
   * The source of a build that flattens the source tree: `dist/orders/handler` built from
   * `src/lambdas/orders/handler.ts` (one esbuild entry point per function folder). The path after
   * the build folder must name more than generic parts (`dist/index` says nothing), and exactly
   * one scanned file below the build folder's parent, outside it, must end with that path.
   */
  private flattenedSource(modulePath: string, build: RegExp): string | undefined {
    const m = build.exec(modulePath);
    if (!m) return undefined;
    const root = modulePath.slice(0, m.index);
    const rest = modulePath.slice(m.index + m[0].length).split(/[\\/]/);
    if (rest.every((part) => GENERIC_NAMES.has(part.toLowerCase()))) return undefined;
    const out = modulePath.slice(0, m.index + m[0].length);
    const suffix = path.sep + rest.join(path.sep);
    const last = rest[rest.length - 1]!;
    const found = new Set<string>();
    for (const f of [...(this.moduleIndex().get(last) ?? []), ...(this.moduleIndex().get('index') ?? [])]) {
      if (!f.startsWith(root + path.sep) || f.startsWith(out) || f.includes(`${path.sep}node_modules${path.sep}`)) continue;
      const base = f.replace(/\.[cm]?[jt]sx?$/, '');
      if (base.endsWith(suffix) || base.endsWith(suffix + path.sep + 'index')) found.add(this.preferTs(f));
    }
    return found.size === 1 ? [...found][0] : undefined;
  }

  private modules?: Map<string, string[]>;

  /** Scanned files by module name (the file name without its extension). */
  private moduleIndex(): Map<string, string[]> {
    if (this.modules) return this.modules;
    this.modules = new Map();
    for (const f of this.codeFiles) {
      const name = path.basename(f).replace(/\.[cm]?[jt]sx?$/, '');
      const list = this.modules.get(name) ?? [];
      list.push(f);
      this.modules.set(name, list);
    }
    return this.modules;
  }

  /**
   * CDK: a `NodejsFunction` with id `Id` in construct file `x.ts` bundles `x.Id.ts` beside it by
   * default; the synthesized template only keeps `aws:cdk:path` (Stack/.../Id/Resource) and the
   * asset path in `cdk.out`. Looks for a unique scanned `*.Id.ts` file in the project (the folder
   * that holds `cdk.out`), then for a source beside the bundled asset.
   */
  private cdkSource(template: Template, fn: Resource): string | undefined {
    const cdkPath = str(fn.metadata?.['aws:cdk:path']);
    const parts = cdkPath?.split('/').filter((s) => s !== 'Resource') ?? [];
    const id = parts[parts.length - 1];
    const outDir = template.file.split(path.sep).lastIndexOf('cdk.out');
    const root = outDir > 0 ? template.file.split(path.sep).slice(0, outDir).join(path.sep) : path.dirname(template.file);
    if (id) {
      const found = (this.entryIndex().get(id) ?? []).filter((f) => f.startsWith(root + path.sep) && !f.includes(`${path.sep}cdk.out${path.sep}`));
      const ts = found.filter((f) => /\.[cm]?tsx?$/.test(f));
      if (ts.length === 1) return ts[0];
      if (found.length === 1) return found[0];
    }
    const asset = str(fn.metadata?.['aws:asset:path']);
    if (asset) {
      const handler = str(fn.properties['Handler']);
      const mod = handler && handler.includes('.') ? moduleOf(handler) : 'index';
      return this.findSource(path.resolve(path.dirname(template.file), asset, mod));
    }
    return undefined;
  }

  /**
   * CDK app code: the handler the construct names (`rel4lint:handler` metadata, see
   * `src/cdk/functions.ts`): a `NodejsFunction` entry file and export, or the module of `handler`
   * (`orders.handler`) in a `Code.fromAsset` folder. A relative path is relative to the folder the
   * CDK app runs in: the stack file's folder or one above it, the nearest that holds the file.
   */
  private cdkAppHandler(template: Template, fn: Resource): { file?: string; exportName?: string } {
    const code = fn.metadata?.['rel4lint:handler'];
    if (!isPlainObject(code)) return {};
    const entry = str(code['entry']);
    if (entry !== undefined) return { file: this.appSource(template.file, entry.replace(/\.[cm]?[jt]sx?$/, '')), exportName: str(code['export']) };
    const handler = str(fn.properties['Handler']);
    // `Code.fromBucket(bucket, 'orders-service.zip')`: an archive named after the package it is built from
    const archive = code['s3Key'] !== undefined ? archiveName({ S3Key: code['s3Key'] }) : undefined;
    if (archive) return handler && handler.includes('.') ? { file: this.archiveSource(archive, moduleOf(handler)), exportName: exportOf(handler) } : {};
    const asset = str(code['asset']);
    if (asset === undefined || !handler || !handler.includes('.')) return {};
    const exportName = exportOf(handler);
    // an archive (`dist/orders.zip`) holds the build of the folder it is written to
    const folder = /\.(?:zip|jar)$/i.test(asset) ? path.dirname(asset) : asset;
    return { file: this.appSource(template.file, path.join(folder, moduleOf(handler))), exportName };
  }

  /** A scanned source for a module path of a CDK app (see `cdkAppHandler`). */
  private appSource(stackFile: string, modulePath: string): string | undefined {
    if (path.isAbsolute(modulePath)) return this.findSource(modulePath);
    let dir = path.dirname(stackFile);
    for (let level = 0; level < 4; level++) {
      const found = this.findSource(path.resolve(dir, modulePath));
      if (found) return found;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
    return undefined;
  }

  /**
   * Terraform: the package (`filename`, or an `archive_file` of a `source_dir`) is usually built
   * from a folder beside the configuration. The handler's module is looked for in the `.tf` file's
   * folder and up to two levels below it, and used only when exactly one scanned file matches.
   */
  private terraformSource(dir: string, module: string): string | undefined {
    const found = new Set<string>();
    const suffix = `${path.sep}${module.split('/').join(path.sep)}`;
    for (const f of this.codeFiles) {
      if (!f.startsWith(dir + path.sep)) continue;
      const rest = f.slice(dir.length);
      if (rest.includes(`${path.sep}node_modules${path.sep}`) || rest.split(path.sep).length > 4 + module.split('/').length - 1) continue;
      const base = rest.replace(/\.[cm]?[jt]sx?$/, '');
      const noIndex = base.replace(/[\\/]index$/, '');
      if (base.endsWith(suffix) || (noIndex !== base && noIndex.endsWith(suffix))) found.add(this.preferTs(f));
    }
    return found.size === 1 ? [...found][0] : undefined;
  }

  /** `x.js` → `x.ts` (or `dist/x.js` → `src/x.ts`) when that source is scanned too. */
  private preferTs(file: string): string {
    if (!/\.[cm]?js$/.test(file)) return file;
    return this.findSource(file.replace(/\.[cm]?js$/, '')) ?? file;
  }

  private entries?: Map<string, string[]>;

  /** Scanned files named `<construct file>.<id>.<ext>`, by id (the NodejsFunction entry convention). */
  private entryIndex(): Map<string, string[]> {
    if (this.entries) return this.entries;
    this.entries = new Map();
    for (const f of this.codeFiles) {
      const parts = path.basename(f).split('.');
      if (parts.length < 3) continue;
      const id = parts[parts.length - 2];
      const list = this.entries.get(id) ?? [];
      list.push(f);
      this.entries.set(id, list);
    }
    return this.entries;
  }
}

/** Configuration files of the bundlers that name their entry points: `webpack.config.js`, `esbuild.config.mjs`, `rollup.config.ts`, ... */
const BUNDLER_CONFIG = /^(?:webpack|esbuild|rollup|rspack|tsup)(?:[.-][\w-]+)*\.[cm]?[jt]s$/;
/**
 * A named entry point: `name: './src/x.ts'`, `'name': "src/x.ts"`, `"name": path.resolve(__dirname, 'src/x.ts')`
 * (a relative path to a code file, written as a literal or resolved against the configuration's folder).
 */
const NAMED_ENTRY =
  /(?:^|[{,\s])(?:([\w$]+)|(?:'([\w@./-]+)'|"([\w@./-]+)"))\s*:\s*(?:path\.(?:resolve|join)\(\s*__dirname\s*,\s*)?(['"`])((?:\.{1,2}\/)?[\w@-][\w@./-]*\.[cm]?[jt]sx?)\4/g;

/** Whether `inner` is `outer` or a path below it. */
function isWithin(outer: string, inner: string): boolean {
  return inner === outer || inner.startsWith(outer + path.sep);
}

const GENERIC_NAMES = new Set(['index', 'handler', 'handlers', 'app', 'main', 'lambda', 'function', 'src', 'dist', 'lib', 'build', 'functions', 'lambdas', 'code']);

/** `create-order` for `src/handlers/create-order.ts`, `pricing` for `src/pricing/index.ts`; undefined for generic names. */
export function fileLabel(file: string): string | undefined {
  const base = path.basename(file).replace(/\.[cm]?[jt]sx?$/, '');
  if (!GENERIC_NAMES.has(base)) return base;
  const parent = path.basename(path.dirname(file));
  return GENERIC_NAMES.has(parent) ? undefined : parent;
}
