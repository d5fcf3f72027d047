/**
 * The role of a code file (see `FileRole`): its path (`../ground/roles.ts`), a look at its text
 * (shebang, bundler banner, source map comment, minified lines, the modules it imports, DOM use,
 * `process.argv`), the `.ts` source a `.js` file was compiled from, and the package it belongs to
 * (a workspace package named for tests that other packages list only as a dev dependency holds
 * test utilities).
 * No parse: a regular-expression pass over the text and a few cached file lookups, so that a role
 * is known before the file is parsed, and a generated bundle is never parsed at all.
 *
 * Precedence: generated, then test, then frontend, then script, then service. A file a template
 * deploys as a Lambda handler is never `frontend` or `script`: it runs in the service.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { FileRole } from '../ground/types.js';
import { readRegularText } from '../ground/file-access.js';
import { codePathRole } from '../ground/roles.js';

export interface RoleInput {
  /** Path relative to the scan's working directory, POSIX separators. */
  relativePath: string;
  text: string;
  /** Absolute path, for the compiled-from and package lookups (none without it). */
  file?: string;
  /** A template deploys the file as a Lambda handler. */
  deployed?: boolean;
  /** The file is infrastructure code: it imports the CDK (`mayDefineCdkResources`), so the IaC rules read its constructs. */
  infrastructure?: boolean;
}

/** Test runners, assertion and mocking libraries: a file importing one is a test or a test helper. */
const TEST_MODULES = new Set([
  'vitest',
  'jest',
  '@jest/globals',
  'mocha',
  'chai',
  'sinon',
  'aws-sdk-client-mock',
  'aws-sdk-client-mock-jest',
  'aws-sdk-mock',
  'supertest',
  'nock',
  'ava',
  'tap',
  'node:test',
  'jasmine',
  '@playwright/test',
  'cypress',
  '@aws-cdk/integ-tests-alpha',
]);
const TEST_MODULE_PREFIXES = ['@testing-library/', '@vitest/', '@jest/', 'chai-', 'sinon-'];

/** UI frameworks: a file importing one renders in a browser (server rendering with `react-dom/server` excepted). */
const FRONTEND_MODULES = new Set(['react', 'react-dom', 'react-dom/client', 'vue', 'svelte', 'preact', 'solid-js', 'lit', 'jquery', 'aws-amplify', 'next/link', 'next/router', 'next/navigation', 'next/image', 'next/head', 'next/script', 'next/dynamic']);
const FRONTEND_MODULE_PREFIXES = ['@angular/', '@vue/', '@aws-amplify/ui-', '@mui/', '@chakra-ui/', '@cloudscape-design/', 'svelte/', 'preact/'];

/**
 * Command-line argument parsers and prompts: a file importing one is a command-line tool; so is a
 * project-configuration component of projen (`projenrc/*.js`), which runs when the project files
 * are generated.
 */
const SCRIPT_MODULES = new Set(['commander', 'yargs', 'yargs/yargs', 'meow', 'minimist', 'cac', 'inquirer', '@inquirer/prompts', 'prompts', 'enquirer', '@oclif/core', 'clipanion', 'citty', 'arg', 'projen']);

/**
 * Server-side rendering and Next.js route handlers: a file importing one runs in the service,
 * whatever UI framework it imports too and whatever folder it is in.
 */
const SERVER_MODULES = ['react-dom/server', 'next/server'];

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const MODULE_NAMES = [
  ...[...TEST_MODULES, ...FRONTEND_MODULES, ...SCRIPT_MODULES, ...SERVER_MODULES].map(escape),
  ...[...TEST_MODULE_PREFIXES, ...FRONTEND_MODULE_PREFIXES].map((p) => `${escape(p)}[\\w.-]+(?:/[\\w.-]+)*`),
].sort((a, b) => b.length - a.length);
/**
 * Every signal a look at the text gives, in one pass: a quoted name of a module of interest,
 * `process.argv`, DOM use, `expect(`. A module name counts when an import, a require or a dynamic
 * import precedes it (see `IMPORT_BEFORE`).
 */
const SIGNALS = new RegExp(
  `['"](${MODULE_NAMES.join('|')})['"]|(process\\.argv)\\b|(\\bexpect\\()|\\b(?:document\\.(?:getElementById|getElementsBy\\w+|querySelector(?:All)?|createElement|body|addEventListener|cookie)|window\\.(?:location|alert|confirm|addEventListener|localStorage|sessionStorage|open|history|scrollTo)|(?:localStorage|sessionStorage)\\.(?:getItem|setItem))\\b`,
  'g',
);
const IMPORT_BEFORE = /(?:\bfrom|\brequire\s*\(|\bimport\s*\(?|^\s*import)\s*$/;
const TEST_GLOBALS = /^\s*(?:describe|it|test)(?:\.\w+)?\(\s*['"`]/m;
const SHEBANG = /^#!.*\b(?:node|ts-node|tsx|deno|bun|zx)\b/;
/** A module that exports something (CommonJS or ESM): a library, whatever its first line says. */
const EXPORTS = /^[ \t]*(?:module\.exports\b|exports\.[\w$]+\s*=|export\s+(?:default\b|const\b|let\b|var\b|function\b|async\b|class\b|abstract\b|interface\b|type\b|enum\b|\{|\*))/m;
/**
 * What a runnable module does when it runs: tests that it is the entry point (`require.main === module`,
 * `import.meta.main`), or calls a function at the top level (`main();`, `main().catch(...)`, `await run()`).
 */
const RUNS = /\brequire\.main\s*===?\s*module\b|\bmodule\s*===?\s*require\.main\b|\bimport\.meta\.main\b|^(?:void\s+|await\s+)?(?!require\b)[A-Za-z_$][\w$]*\s*\([^)]*\)\s*(?:\.\s*(?:then|catch)\b.*)?;?[ \t]*$/m;
/** Banners bundlers and code generators write at the top of their output. */
const BANNER =
  /\/\*\s*bundled with esbuild|\bwebpackBootstrap\b|__webpack_require__|\/\*!\s*For license information please see|@generated\b|\bcode generated\b.{0,80}\bdo not edit\b|\b(?:automatically|auto-)generated\b.{0,60}\b(?:do not|should not|must not) (?:be )?edit/i;
const SOURCE_MAP = /^\/\/[#@] sourceMappingURL=/m;
/** Bytes per line above which a file of at least `MINIFIED_MIN_BYTES` is minified. */
const MINIFIED_BYTES_PER_LINE = 1000;
const MINIFIED_MIN_BYTES = 4096;

interface TextSignals {
  /** Modules of interest the file imports or requires. */
  modules: Set<string>;
  argv: boolean;
  expect: boolean;
  dom: boolean;
}

function textSignals(text: string): TextSignals {
  const out: TextSignals = { modules: new Set(), argv: false, expect: false, dom: false };
  for (const m of text.matchAll(SIGNALS)) {
    if (m[1] !== undefined) {
      if (IMPORT_BEFORE.test(text.slice(Math.max(0, m.index - 40), m.index))) out.modules.add(m[1]);
    } else if (m[2] !== undefined) out.argv = true;
    else if (m[3] !== undefined) out.expect = true;
    else out.dom = true;
  }
  return out;
}

/** Minified JavaScript (TypeScript is never minified output: a long line there is the author's). */
function minified(file: string, text: string): boolean {
  if (text.length < MINIFIED_MIN_BYTES || !/\.[cm]?jsx?$/.test(file)) return false;
  // fewer lines than this means long lines on average: stop counting as soon as there are more
  const limit = text.length / MINIFIED_BYTES_PER_LINE;
  let lines = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) if (++lines > limit) return false;
  return true;
}

/** Output of a compiler or bundler: a banner or a source map comment, minified lines, a `.js` next to the `.ts` it came from. */
function generated(input: RoleInput): boolean {
  const { text } = input;
  if (BANNER.test(text.slice(0, 1024)) || SOURCE_MAP.test(text.slice(-512)) || minified(input.relativePath, text)) return true;
  return input.file !== undefined && compiledFromTypeScript(input.file);
}

const SOURCES_OF: Record<string, string[]> = { '.js': ['.ts', '.tsx'], '.jsx': ['.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] };

function compiledFromTypeScript(file: string): boolean {
  const ext = path.extname(file);
  const sources = SOURCES_OF[ext];
  if (!sources) return false;
  const stem = file.slice(0, -ext.length);
  return sources.some((s) => existsSync(stem + s));
}

function matches(modules: Set<string>, names: Set<string>, prefixes: readonly string[]): boolean {
  for (const m of modules) if (names.has(m) || prefixes.some((p) => m.startsWith(p))) return true;
  return false;
}

/**
 * A `#!/usr/bin/env node` line makes a file a script when the file runs as one: it exports nothing,
 * or it tests that it is the entry point, or calls a function at the top level. A module that only
 * exports (a Lambda helper or a construct file that kept the line from a template) is a library.
 */
function shebangScript(text: string): boolean {
  return SHEBANG.test(text) && (!EXPORTS.test(text) || RUNS.test(text));
}

/** The role of a code file. */
export function codeFileRole(input: RoleInput): FileRole {
  const byPath = codePathRole(input.relativePath);
  if (byPath === 'generated' || generated(input)) return 'generated';
  if (byPath === 'test') return 'test';
  const { text } = input;
  const signals = textSignals(text);
  const { modules } = signals;
  if (matches(modules, TEST_MODULES, TEST_MODULE_PREFIXES) || (signals.expect && TEST_GLOBALS.test(text))) return 'test';
  if (input.file !== undefined && inTestPackage(input.file)) return 'test';
  if (input.deployed) return 'service';
  // CDK app code runs when the app is synthesized, not in the service it defines
  if (input.infrastructure) return 'infrastructure';
  const server = SERVER_MODULES.some((m) => modules.has(m));
  if (byPath === 'frontend' && !server) return 'frontend';
  if (!server && (matches(modules, FRONTEND_MODULES, FRONTEND_MODULE_PREFIXES) || signals.dom)) return 'frontend';
  if (!server && input.file !== undefined && byPath !== 'script' && !LAMBDA_HANDLER_EXPORT.test(text) && inBrowserPackage(input.file)) return 'frontend';
  if (byPath === 'script' || shebangScript(text) || matches(modules, SCRIPT_MODULES, []) || signals.argv) return 'script';
  if (input.file !== undefined && !LAMBDA_HANDLER_EXPORT.test(text) && runByPackageScript(input.file)) return 'script';
  return 'service';
}

// Packages
// ---------------------------------------------------------------------------------------------

interface PackageJson {
  name?: unknown;
  workspaces?: unknown;
  dependencies?: unknown;
  devDependencies?: unknown;
  peerDependencies?: unknown;
  optionalDependencies?: unknown;
}

/** package.json of a directory (null when there is none or it cannot be read), cached per thread. */
const packageJsons = new Map<string, PackageJson | null>();
/** Nearest directory with a package.json, by directory. */
const packageDirs = new Map<string, string | null>();
/** Whether the package in a directory is a test-utility package, by package directory. */
const testPackages = new Map<string, boolean>();
/** Whether the package in a directory is a browser application, by package directory. */
const browserPackages = new Map<string, boolean>();
/** The files the `scripts` of a package.json run, by package directory. */
const packageScripts = new Map<string, Set<string>>();
/** Names other packages of a workspace list as dependencies and as dev dependencies, by workspace root. */
const workspaceUse = new Map<string, { runtime: Set<string>; dev: Set<string> }>();

/** Forgets the package.json files read so far (a new scan reads them again). */
export function forgetPackages(): void {
  packageJsons.clear();
  packageDirs.clear();
  testPackages.clear();
  browserPackages.clear();
  packageScripts.clear();
  workspaceUse.clear();
}

/** A package.json larger than this is not read (as if there were none). */
const PACKAGE_JSON_MAX_BYTES = 8 * 1024 * 1024;

function readPackage(dir: string): PackageJson | null {
  let pkg = packageJsons.get(dir);
  if (pkg !== undefined) return pkg;
  try {
    // a regular file of a bounded size: a FIFO or a link to a device in the tree is no package.json
    const data = JSON.parse(readRegularText(path.join(dir, 'package.json'), { maxBytes: PACKAGE_JSON_MAX_BYTES })) as unknown;
    pkg = typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as PackageJson) : null;
  } catch {
    pkg = null;
  }
  packageJsons.set(dir, pkg);
  return pkg;
}

function packageDirOf(dir: string): string | null {
  const known = packageDirs.get(dir);
  if (known !== undefined) return known;
  const parent = path.dirname(dir);
  const found = existsSync(path.join(dir, 'package.json')) ? dir : parent === dir ? null : packageDirOf(parent);
  packageDirs.set(dir, found);
  return found;
}

/** Workspace package patterns of a package.json (`workspaces` as an array or `{ packages }`). */
function workspacePatterns(pkg: PackageJson | null): string[] {
  const w = pkg?.workspaces;
  const list = Array.isArray(w) ? w : typeof w === 'object' && w !== null && Array.isArray((w as { packages?: unknown }).packages) ? (w as { packages: unknown[] }).packages : [];
  return list.filter((p): p is string => typeof p === 'string');
}

/** Directories a workspace pattern names: `packages/*`, `packages/**` (one level), or a folder. */
function expand(root: string, pattern: string): string[] {
  const clean = pattern.replace(/^\.\//, '').replace(/\/\*\*$/, '/*');
  if (clean.startsWith('!')) return [];
  if (!clean.endsWith('/*')) return [path.join(root, clean)];
  const parent = path.join(root, clean.slice(0, -2));
  try {
    return readdirSync(parent)
      .map((name) => path.join(parent, name))
      .filter((d) => statSync(d).isDirectory());
  } catch {
    return [];
  }
}

function names(value: unknown): string[] {
  return typeof value === 'object' && value !== null ? Object.keys(value) : [];
}

function usesOf(root: string, patterns: string[]): { runtime: Set<string>; dev: Set<string> } {
  let use = workspaceUse.get(root);
  if (use) return use;
  use = { runtime: new Set(), dev: new Set() };
  for (const dir of [root, ...patterns.flatMap((p) => expand(root, p))]) {
    const pkg = readPackage(dir);
    if (!pkg) continue;
    for (const n of [...names(pkg.dependencies), ...names(pkg.peerDependencies), ...names(pkg.optionalDependencies)]) use.runtime.add(n);
    for (const n of names(pkg.devDependencies)) use.dev.add(n);
  }
  workspaceUse.set(root, use);
  return use;
}

/** A package name that says tests: `testing-utils`, `@org/e2e-helpers`, `api-test-kit`, `mocks`. */
const TEST_PACKAGE_NAME = /(?:^|[-_.])(?:test|tests|testing|e2e|mocks?|fixtures?)(?:[-_.]|$)/i;

/**
 * True when the file belongs to a package of a workspace that is named for tests and that other
 * packages of the workspace list only in their `devDependencies` (a test-utility package such as
 * `@org/testing-utils`). The name alone is not enough (`dlt-test-cleanup` is a Lambda function),
 * and neither is being a dev dependency (bundled services list their shared libraries there).
 */
function inTestPackage(file: string): boolean {
  const dir = packageDirOf(path.dirname(file));
  if (!dir) return false;
  const known = testPackages.get(dir);
  if (known !== undefined) return known;
  let result = false;
  const name = readPackage(dir)?.name;
  if (typeof name === 'string' && TEST_PACKAGE_NAME.test(name.slice(name.lastIndexOf('/') + 1))) {
    for (let up = path.dirname(dir); ; up = path.dirname(up)) {
      const patterns = workspacePatterns(readPackage(up));
      if (patterns.length > 0) {
        const use = usesOf(up, patterns);
        result = use.dev.has(name) && !use.runtime.has(name);
        break;
      }
      if (path.dirname(up) === up) break;
    }
  }
  testPackages.set(dir, result);
  return result;
}

/** A module that exports a Lambda handler (`export const handler = async (event) =>`, `exports.handler =`): it runs in a function, whatever its package. */
const LAMBDA_HANDLER_EXPORT = /\bexport\s+(?:const|let|async\s+function|function)\s+handler\b|\b(?:module\.)?exports\.handler\s*=/;

/** Packages a browser application depends on: a UI framework's DOM renderer or runtime. */
const BROWSER_FRAMEWORKS = ['react-dom', 'vue', '@angular/core', 'svelte', 'preact', 'solid-js'];
/**
 * Packages that run a UI framework's code on a server too (server rendering, route handlers),
 * serve HTTP, or define and deploy functions from the same package (an Amplify Gen 2 app keeps
 * its functions' handlers beside its pages): a package depending on one is not browser-only.
 */
const SERVER_PACKAGES = [
  'next', 'nuxt', '@remix-run/node', '@remix-run/server-runtime', '@sveltejs/kit', '@angular/ssr', '@angular/platform-server', 'astro', 'gatsby',
  'express', 'fastify', 'koa', 'hono', '@nestjs/core',
  'aws-lambda', '@types/aws-lambda', '@middy/core', 'aws-serverless-express', '@vendia/serverless-express', '@aws-lambda-powertools/logger',
  '@aws-amplify/backend', 'aws-cdk-lib', 'aws-cdk', 'sst', 'serverless', '@architect/functions',
];

/**
 * True when the file belongs to a browser application: its nearest package.json depends on a UI
 * framework's DOM renderer or runtime (`react-dom`, `vue`, `@angular/core`, `svelte`, `preact`,
 * `solid-js`) and on no server framework or Lambda runtime package (a Next.js app, an Express
 * server rendering React). Its modules that import no UI code (an API client, a retry helper,
 * an upload service) are browser code like the components that call them.
 */
function inBrowserPackage(file: string): boolean {
  const dir = packageDirOf(path.dirname(file));
  if (!dir) return false;
  let result = browserPackages.get(dir);
  if (result === undefined) {
    const pkg = readPackage(dir);
    const deps = new Set([...names(pkg?.dependencies), ...names(pkg?.devDependencies), ...names(pkg?.peerDependencies)]);
    result = BROWSER_FRAMEWORKS.some((d) => deps.has(d)) && !SERVER_PACKAGES.some((d) => deps.has(d));
    browserPackages.set(dir, result);
  }
  return result;
}

/** Commands that run a JavaScript or TypeScript file given as their first argument. */
const SCRIPT_RUNNERS = new Set(['node', 'ts-node', 'ts-node-esm', 'tsx', 'babel-node', 'esno', 'esr', 'vite-node', 'sucrase-node', 'bun', 'deno']);
/** Words before the runner: package-manager launchers and environment setters. */
const LAUNCHERS = new Set(['npx', 'pnpx', 'bunx', 'yarn', 'pnpm', 'npm', 'exec', 'run', 'cross-env', 'env', 'dotenv', 'time', '--']);
/** Runner options whose value is the next word (`-r ts-node/register`, `--loader ts-node/esm`). */
const OPTIONS_WITH_VALUE = new Set(['-r', '--require', '--loader', '--experimental-loader', '--import', '--env-file', '-C', '--conditions', '--tsconfig', '-P', '--project']);
/** Options that run code given inline: no file. */
const INLINE_CODE = new Set(['-e', '--eval', '-p', '--print']);
const CODE_FILE = /\.(?:[cm]?[jt]s|tsx|jsx)$/;
/**
 * Scripts that start the service itself, locally or in its container (`"start": "node
 * dist/server.js"`): the file they run is service code.
 */
const SERVICE_SCRIPT = /^(?:pre|post)?(?:start|serve|server|dev|develop|debug|watch)(?:[:._-]|$)/;

/** The code file a command runs (`ts-node --esm tools/teardown.ts`, `npx tsx scripts/seed.ts`), if any. */
function fileRunBy(command: string): string | undefined {
  const words = command.trim().split(/\s+/).map((w) => w.replace(/^['"]|['"]$/g, ''));
  let i = 0;
  while (i < words.length && (LAUNCHERS.has(words[i]!) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!))) i++;
  const runner = words[i];
  if (runner === undefined || !SCRIPT_RUNNERS.has(path.posix.basename(runner))) return undefined;
  for (i++; i < words.length; i++) {
    const word = words[i]!;
    if (INLINE_CODE.has(word)) return undefined;
    if (OPTIONS_WITH_VALUE.has(word)) {
      i++;
      continue;
    }
    if (word === 'run' || word.startsWith('-')) continue;
    return CODE_FILE.test(word) ? word : undefined;
  }
  return undefined;
}

/** The files the `scripts` of the package.json in `dir` run (other than those starting the service). */
function scriptFiles(dir: string): Set<string> {
  let files = packageScripts.get(dir);
  if (files) return files;
  files = new Set();
  const scripts = (readPackage(dir) as { scripts?: unknown } | null)?.scripts;
  if (typeof scripts === 'object' && scripts !== null) {
    for (const [name, command] of Object.entries(scripts)) {
      if (typeof command !== 'string' || SERVICE_SCRIPT.test(name)) continue;
      for (const part of command.split(/&&|\|\||[;|]/)) {
        const file = fileRunBy(part);
        if (file) files.add(path.resolve(dir, file));
      }
    }
  }
  packageScripts.set(dir, files);
  return files;
}

/** Package directories looked at upwards from a file for a script that runs it (the package, its workspace). */
const SCRIPT_PACKAGE_LEVELS = 3;

/**
 * True when a `scripts` entry of the file's package.json, or of a package.json above it (a
 * workspace root), runs the file with Node.js or a TypeScript runner: a local tool (`"teardown":
 * "ts-node src/tools/teardown-stack.ts"`).
 */
function runByPackageScript(file: string): boolean {
  let dir = packageDirOf(path.dirname(file));
  for (let level = 0; dir && level < SCRIPT_PACKAGE_LEVELS; level++) {
    if (scriptFiles(dir).has(file)) return true;
    const parent = path.dirname(dir);
    dir = parent === dir ? null : packageDirOf(parent);
  }
  return false;
}
