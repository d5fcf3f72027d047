/** How the engine's module host finds the project file a specifier names. */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FsModuleHost } from '../../src/engine/modules.js';
import { exportTarget, MAX_HOPS } from '../../src/code/modules.js';
import { ts } from '../../src/code/ts.js';

let root: string;
const put = (rel: string, text: string) => {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
};

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'rel4lint-modules-'));
  put('pnpm-workspace.yaml', 'packages:\n  - "libs/*"\n');
  put('libs/ids/package.json', JSON.stringify({ name: '@acme/ids', main: 'dist/index.js' }));
  put('libs/ids/src/index.ts', 'export const id = () => 1;\n');
  // compiled with the package as its root: lib/src/directory.js comes from src/directory.ts
  put('libs/directory/package.json', JSON.stringify({ name: '@acme/directory', main: 'lib/src/directory.js' }));
  put('libs/directory/src/directory.ts', 'export const find = () => 1;\n');
  // built and committed: dist/ holds the output of lib/, which the scan reads instead
  put('libs/constructs/package.json', JSON.stringify({ name: '@acme/constructs', main: 'dist/index.js', types: 'dist/index.d.ts' }));
  put('libs/constructs/dist/index.js', 'exports.TeamFunction = require("./team-function").TeamFunction;\n');
  put('libs/constructs/dist/team-function.js', 'class TeamFunction {}\nexports.TeamFunction = TeamFunction;\n');
  put('libs/constructs/lib/index.ts', "export * from './team-function';\n");
  put('libs/constructs/lib/team-function.ts', 'export class TeamFunction {}\n');
  // built output with no source in the repository stays what it is
  put('libs/vendored/package.json', JSON.stringify({ name: '@acme/vendored', main: 'dist/index.js' }));
  put('libs/vendored/dist/index.js', 'exports.v = 1;\n');
  // an unbuilt package imported by a path into its output folder (`lib/` compiled from `src/`)
  put('libs/app-core/package.json', JSON.stringify({ name: '@acme/app-core', main: 'lib/index.js' }));
  put('libs/app-core/src/storage/events.ts', 'export const onEvent = () => 1;\n');
  put('app/package.json', JSON.stringify({ name: 'app', dependencies: { shared: 'file:../shared' }, imports: { '#lib/*': './src/lib/*.ts' } }));
  put('shared/package.json', JSON.stringify({ name: 'shared', exports: { '.': { import: './esm/main.mjs', require: './main.js' } } }));
  put('shared/esm/main.mjs', 'export const x = 1;\n');
  // npm installs a bare relative path as a `file:` dependency, under the dependency's own name
  put('svc3/api/package.json', JSON.stringify({ name: 'api', dependencies: { common_types: '../common/', linked: 'link:../linked', tilde: '~1.0.0' } }));
  put('svc3/api/src/handler.ts', "import { x } from 'common_types';\n");
  put('svc3/common/package.json', JSON.stringify({ name: 'acme-common-types' }));
  put('svc3/common/index.ts', 'export const x = 1;\n');
  put('svc3/linked/package.json', JSON.stringify({ name: 'linked', main: 'lib/index.js' }));
  put('svc3/linked/lib/index.js', 'exports.y = 1;\n');
  put('app/tsconfig.json', '{ // comments are allowed\n "compilerOptions": { "baseUrl": "src", "paths": { "@core/*": ["core/*"] } } }\n');
  put('app/src/core/clients.ts', 'export const c = 1;\n');
  put('app/src/lib/db.ts', 'export const db = 1;\n');
  put('app/src/handlers/index.ts', 'export {};\n');
  put('app/src/util/index.js', 'exports.u = 1;\n');
  put('app/src/handler.ts', "import { db } from '#lib/db';\n");
  put('app/node_modules/axios/index.js', 'module.exports = 1;\n');
  // Lambda layers: the content of layers/<name> is mounted under /opt
  put('svc/functions/ingest/index.js', "require('/opt/lib/embed.js');\n");
  put('svc/functions/ingest/lib/local.js', 'exports.local = 1;\n');
  put('svc/other-repo/.git/HEAD', 'ref: refs/heads/main\n');
  put('svc/other-repo/fn/index.js', "require('/opt/lib/embed.js');\n");
  put('svc/layers/ml/lib/embed.js', 'module.exports = () => 1;\n');
  put('svc/layers/ml/lib/bedrock/guard.ts', 'export const guard = 1;\n');
  put('svc/layers/common/nodejs/audit.js', 'exports.audit = 1;\n');
  put('svc/layers/common/nodejs/package.json', JSON.stringify({ dependencies: { axios: '1.0.0' } }));
  put('svc/layers/common/nodejs/node_modules/ids/index.js', 'exports.id = 1;\n');
  put('svc/layers/common/nodejs/node_modules/axios/index.js', 'module.exports = 1;\n');
  put('svc/layers/alerts-a/lib/alert.js', 'exports.alert = 1;\n');
  put('svc/layers/alerts-b/lib/alert.js', 'exports.alert = 1;\n');
  // two folders hold lib/query.js: the one named for a layer is the layer
  put('svc2/functions/answer/index.js', "require('/opt/lib/query.js');\n");
  put('svc2/search-layer/lib/query.js', 'exports.query = 1;\n');
  put('svc2/api/lib/query.js', 'exports.query = 2;\n');
  put('svc2/api/lib/both.js', 'exports.both = 1;\n');
  put('svc2/admin/lib/both.js', 'exports.both = 2;\n');
  // a function package whose files reach the layer by climbing to /opt from /var/task
  put('svc/functions/router/package.json', JSON.stringify({ name: 'router' }));
  put('svc/functions/router/lib/steps/one.js', "require('../../../../opt/lib/embed.js');\n");
  put('svc/functions/router/opt/lib/own.js', 'exports.own = 1;\n');
  // barrels: folders whose index re-exports a folder's index, and two barrels that list each other
  put('barrels/index.ts', "export * from './a';\nexport * from './cycle-a';\n");
  put('barrels/a/index.ts', "export * from './b';\n");
  put('barrels/a/b/index.ts', "export * from './store';\n");
  put('barrels/a/b/store.ts', 'export class Store {}\n');
  put('barrels/cycle-a.ts', "export * from './cycle-b';\n");
  put('barrels/cycle-b.ts', "export * from './cycle-a';\n");
  put('svc/cdk.out/asset.1234/lib/embed.js', 'module.exports = () => 1;\n');
});

describe('FsModuleHost', () => {
  it('resolves relative paths, .js specifiers of .ts sources and index files', () => {
    const host = new FsModuleHost();
    const from = path.join(root, 'app/src/handler.ts');
    expect(host.resolve('./lib/db.js', from)).toBe(path.join(root, 'app/src/lib/db.ts'));
    expect(host.resolve('./handlers', from)).toBe(path.join(root, 'app/src/handlers/index.ts'));
    expect(host.resolve('./util', from)).toBe(path.join(root, 'app/src/util/index.js'));
    expect(host.resolve('./missing', from)).toBeUndefined();
  });

  it('resolves package.json imports, tsconfig paths and baseUrl', () => {
    const host = new FsModuleHost();
    const from = path.join(root, 'app/src/handler.ts');
    expect(host.resolve('#lib/db', from)).toBe(path.join(root, 'app/src/lib/db.ts'));
    expect(host.resolve('@core/clients', from)).toBe(path.join(root, 'app/src/core/clients.ts'));
    expect(host.resolve('lib/db', from)).toBe(path.join(root, 'app/src/lib/db.ts'));
  });

  it('resolves packages of the repository (pnpm workspace, file: dependency) and never reads node_modules', () => {
    const host = new FsModuleHost();
    const from = path.join(root, 'app/src/handler.ts');
    expect(host.resolve('@acme/ids', from)).toBe(path.join(root, 'libs/ids/src/index.ts'));
    expect(host.resolve('@acme/directory', from)).toBe(path.join(root, 'libs/directory/src/directory.ts'));
    expect(host.resolve('@acme/constructs', from)).toBe(path.join(root, 'libs/constructs/lib/index.ts'));
    expect(host.resolve('@acme/constructs/dist/team-function', from)).toBe(path.join(root, 'libs/constructs/lib/team-function.ts'));
    expect(host.resolve('@acme/vendored', from)).toBe(path.join(root, 'libs/vendored/dist/index.js'));
    expect(host.resolve('@acme/app-core/lib/storage/events', from)).toBe(path.join(root, 'libs/app-core/src/storage/events.ts'));
    expect(host.resolve('shared', from)).toBe(path.join(root, 'shared/esm/main.mjs'));
    expect(host.resolve('axios', from)).toBeUndefined();
    expect(host.resolve('node:fs', from)).toBeUndefined();
  });

  it('resolves a dependency given as a bare relative path or a link: to its folder', () => {
    const host = new FsModuleHost();
    const from = path.join(root, 'svc3/api/src/handler.ts');
    expect(host.resolve('common_types', from)).toBe(path.join(root, 'svc3/common/index.ts'));
    expect(host.resolve('linked', from)).toBe(path.join(root, 'svc3/linked/lib/index.js'));
    expect(host.resolve('tilde', from)).toBeUndefined();
  });

  it('resolves Lambda layer paths to the unique project folder holding the layer content', () => {
    const host = new FsModuleHost();
    const from = path.join(root, 'svc/functions/ingest/index.js');
    // the deployment copy in cdk.out is not a second match
    expect(host.resolve('/opt/lib/embed.js', from)).toBe(path.join(root, 'svc/layers/ml/lib/embed.js'));
    expect(host.resolve('/opt/lib/bedrock/guard.js', from)).toBe(path.join(root, 'svc/layers/ml/lib/bedrock/guard.ts'));
    expect(host.resolve('/opt/nodejs/audit', from)).toBe(path.join(root, 'svc/layers/common/nodejs/audit.js'));
    expect(host.resolve('/opt/nodejs/node_modules/ids', from)).toBe(path.join(root, 'svc/layers/common/nodejs/node_modules/ids/index.js'));
    // a package the layer installs is a dependency, not project code
    expect(host.resolve('/opt/nodejs/node_modules/axios', from)).toBeUndefined();
    // two layers hold lib/alert.js: ambiguous
    expect(host.resolve('/opt/lib/alert.js', from)).toBeUndefined();
    // the function's own files are not under /opt
    expect(host.resolve('/opt/lib/local.js', from)).toBeUndefined();
    // the search ends at the repository's root, and paths never climb out of /opt
    expect(host.resolve('/opt/lib/embed.js', path.join(root, 'svc/other-repo/fn/index.js'))).toBeUndefined();
    expect(host.resolve('/opt/../etc/passwd', from)).toBeUndefined();
    expect(host.resolve('/opt/missing.js', from)).toBeUndefined();
  });

  it('takes the match in a folder named for a layer when two folders hold a layer path', () => {
    const host = new FsModuleHost();
    const from = path.join(root, 'svc2/functions/answer/index.js');
    expect(host.resolve('/opt/lib/query.js', from)).toBe(path.join(root, 'svc2/search-layer/lib/query.js'));
    // neither is named for a layer: ambiguous
    expect(host.resolve('/opt/lib/both.js', from)).toBeUndefined();
  });

  it('reads a relative path that climbs out of the deployed function to /opt as a layer path', () => {
    const host = new FsModuleHost();
    const step = path.join(root, 'svc/functions/router/lib/steps/one.js');
    // /var/task/lib/steps: four levels to the root, and any number more
    expect(host.resolve('../../../../opt/lib/embed.js', step)).toBe(path.join(root, 'svc/layers/ml/lib/embed.js'));
    expect(host.resolve('../../../../../../../../../opt/lib/embed', step)).toBe(path.join(root, 'svc/layers/ml/lib/embed.js'));
    expect(host.resolve('../../../../opt/nodejs/audit', step)).toBe(path.join(root, 'svc/layers/common/nodejs/audit.js'));
    // three levels stay inside /var: not /opt
    expect(host.resolve('../../../opt/lib/embed.js', step)).toBeUndefined();
    // a project file the path names is that file
    expect(host.resolve('../../opt/lib/own.js', step)).toBe(path.join(root, 'svc/functions/router/opt/lib/own.js'));
    expect(host.resolve('../../../../opt/../etc/passwd', step)).toBeUndefined();
  });

  it('lists the code files of a project folder a module loads whole', () => {
    const host = new FsModuleHost();
    const from = path.join(root, 'app/src/handler.ts');
    expect(host.folderModules('./lib', from)).toEqual(['db.ts']);
    expect(host.folderModules('.', path.join(root, 'svc/layers/ml/lib/embed.js'))).toEqual(['embed.js']);
    expect(host.folderModules('../node_modules/axios', from)).toBeUndefined();
    expect(host.folderModules('./missing', from)).toBeUndefined();
    expect(host.folderModules('lib', from)).toBeUndefined();
  });

  it('follows export * chains of folder index files without counting them as module hops, and ends at cycles', () => {
    const host = new FsModuleHost();
    const barrel = host.facts(path.join(root, 'barrels/index.ts'))!;
    const found = exportTarget(barrel, 'Store', MAX_HOPS);
    expect(found && ts.isClassDeclaration(found.node) ? found.node.name?.text : undefined).toBe('Store');
    expect(found?.facts.sourceFile.fileName).toBe(path.join(root, 'barrels/a/b/store.ts'));
    expect(exportTarget(barrel, 'Missing', 0)).toBeUndefined();
  });

  it('parses a file once and gives undefined for one over the size limit', () => {
    const host = new FsModuleHost(25);
    const small = path.join(root, 'app/src/lib/db.ts');
    expect(host.facts(small)).toBe(host.facts(small));
    expect(host.takeTouched()).toEqual([small]);
    expect(host.facts(path.join(root, 'app/src/handler.ts'))).toBeUndefined();
  });

  it('shares one parse between the linted file and an import of it, only while the text is the same', () => {
    const host = new FsModuleHost();
    const file = path.join(root, 'app/src/core/clients.ts');
    const text = 'export const c = 1;\n';
    // linted first, then imported: the import reads the kept parse
    const linted = host.sourceFile(file, text, true);
    expect(host.facts(file)!.sourceFile).toBe(linted);
    // imported first, then linted: the lint reads the import's parse
    const other = new FsModuleHost();
    const imported = other.facts(file)!.sourceFile;
    expect(other.sourceFile(file, text, false)).toBe(imported);
    // a text that differs from the import's (the file changed in between) is parsed again
    const changed = other.sourceFile(file, 'export const c = 2;\n', false);
    expect(changed).not.toBe(imported);
    expect(changed.text).toBe('export const c = 2;\n');
    // a parse kept for a text the file no longer has is not handed to an import
    const third = new FsModuleHost();
    const stale = third.sourceFile(file, 'export const c = 3;\n', true);
    expect(third.facts(file)!.sourceFile).not.toBe(stale);
    expect(third.facts(file)!.sourceFile.text).toBe(text);
  });

  it('resolves packages a Lambda layer provides: undeclared, and the only package or layer folder of that name', () => {
    const repo = mkdtempSync(path.join(tmpdir(), 'rel4lint-layers-'));
    const at = (rel: string, text: string) => {
      mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
      writeFileSync(path.join(repo, rel), text);
    };
    mkdirSync(path.join(repo, '.git'));
    at('package.json', JSON.stringify({ name: 'solution', private: true }));
    at('source/lambda/aws-sdk-layer/sdk-config/customSdkConfig.js', 'module.exports = () => ({});\n');
    at('source/lambda/layers/custom-config/package.json', JSON.stringify({ name: 'aws-custom-config', main: 'index.js' }));
    at('source/lambda/layers/custom-config/index.js', 'exports.config = () => ({});\n');
    // a folder named like a package, outside any layer: not a layer's package
    at('source/lambda/tools/lodash/index.js', 'module.exports = {};\n');
    // two layers with a folder of the same name: ambiguous
    at('source/lambda/layer-a/common/index.js', 'module.exports = 1;\n');
    at('source/lambda/layer-b/common/index.js', 'module.exports = 2;\n');
    at('source/lambda/fn/package.json', JSON.stringify({ name: 'fn', dependencies: { 'sdk-config': '^1.0.0' } }));
    at('source/lambda/fn/index.js', '');
    at('source/lambda/other/index.js', '');
    const host = new FsModuleHost();
    const from = path.join(repo, 'source/lambda/other/index.js');
    expect(host.resolve('sdk-config/customSdkConfig', from)).toBe(path.join(repo, 'source/lambda/aws-sdk-layer/sdk-config/customSdkConfig.js'));
    expect(host.resolve('aws-custom-config', from)).toBe(path.join(repo, 'source/lambda/layers/custom-config/index.js'));
    // the same package named by the path the layer is mounted at
    expect(host.resolve('/opt/nodejs/node_modules/sdk-config/customSdkConfig', from)).toBe(path.join(repo, 'source/lambda/aws-sdk-layer/sdk-config/customSdkConfig.js'));
    expect(host.resolve('lodash', from)).toBeUndefined();
    expect(host.resolve('common', from)).toBeUndefined();
    // declared as a dependency: the package from the registry, not the layer's folder
    expect(host.resolve('sdk-config/customSdkConfig', path.join(repo, 'source/lambda/fn/index.js'))).toBeUndefined();
  });
});

describe('workspace: dependencies', () => {
  it('resolves a workspace: dependency to the one package of the repository with that name (Rush)', () => {
    const repo = mkdtempSync(path.join(tmpdir(), 'rel4lint-rush-'));
    const write = (rel: string, text: string) => {
      const file = path.join(repo, rel);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
    };
    write('rush.json', JSON.stringify({ projects: [] }));
    write('core/base/package.json', JSON.stringify({ name: '@acme/base', main: 'lib/index.js' }));
    write('core/base/src/index.ts', 'export const base = 1;\n');
    write('core/dup-a/package.json', JSON.stringify({ name: '@acme/dup' }));
    write('core/dup-b/package.json', JSON.stringify({ name: '@acme/dup' }));
    write('apps/web/package.json', JSON.stringify({ name: 'web', dependencies: { '@acme/base': 'workspace:*', '@acme/dup': 'workspace:^1.0.0' }, devDependencies: { '@acme/other': '^1.0.0' } }));
    write('apps/web/src/app.ts', "import { base } from '@acme/base';\n");
    const host = new FsModuleHost();
    const from = path.join(repo, 'apps/web/src/app.ts');
    expect(host.resolve('@acme/base', from)).toBe(path.join(repo, 'core/base/src/index.ts'));
    // two packages of that name: not followed
    expect(host.resolve('@acme/dup', from)).toBeUndefined();
    expect(host.resolve('@acme/other', from)).toBeUndefined();
  });
});
