/**
 * A fresh project that installs the packed tarball next to ESLint, typescript-eslint and a
 * TypeScript version, offline: its lockfile is cut from this repository's (same versions and
 * integrity hashes), so `npm ci --offline` finds every package in the npm cache that installing
 * this repository filled.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

interface LockEntry {
  name?: string;
  version?: string;
  resolved?: string;
  integrity?: string;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  peer?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

interface Lockfile {
  name: string;
  lockfileVersion: number;
  requires: boolean;
  packages: Record<string, LockEntry>;
}

/** Where a dependency of the package at `from` is installed in a lockfile's tree (node's lookup). */
function locate(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = `${dir === '' ? '' : `${dir}/`}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (dir === '') return undefined;
    const up = dir.lastIndexOf('/node_modules/');
    dir = up === -1 ? '' : dir.slice(0, up);
  }
}

function clean(entry: LockEntry): LockEntry {
  const { dev: _dev, devOptional: _devOptional, peer: _peer, ...rest } = entry;
  return rest;
}

/** Copies `source`'s entry and everything it depends on (by node's lookup) into `out` under `target`. */
function copyTree(packages: Record<string, LockEntry>, source: string, target: string, out: Record<string, LockEntry>): void {
  if (out[target]) return;
  const entry = packages[source]!;
  const copy = clean(entry);
  if (copy.name !== undefined && target.endsWith(`node_modules/${copy.name}`)) delete copy.name;
  out[target] = copy;
  const deps = { ...entry.dependencies, ...entry.optionalDependencies };
  for (const [name] of Object.entries(entry.peerDependencies ?? {})) if (!entry.peerDependenciesMeta?.[name]?.optional) deps[name] = '*';
  for (const name of Object.keys(deps)) {
    const found = locate(packages, source, name);
    if (!found) continue; // an optional dependency for another platform
    // keep the tree's shape: a nested install stays nested under the copied package
    const nested = found.startsWith(`${source}/`) ? `${target}${found.slice(source.length)}` : found;
    if (nested === found) {
      if (!out[found]) copyTree(packages, found, found, out);
    } else {
      copyTree(packages, found, nested, out);
    }
  }
}

export interface FreshProject {
  /** The project's own TypeScript: a key of this repository's lockfile (`node_modules/typescript-5.0`). */
  typescript: string;
  /** The tarball, relative to the project directory. */
  tarball: string;
  /** Other packages of this repository's lockfile the project depends on (`@types/node`). */
  extra?: string[];
  /** The tarball's package.json. */
  manifest: { name: string; version: string; dependencies?: Record<string, string>; peerDependencies?: Record<string, string> };
}

/** Writes package.json and package-lock.json of a fresh project into `dir`. */
export function writeFreshProject(dir: string, root: string, spec: FreshProject): void {
  const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as Lockfile;
  const packages = lock.packages;
  const own = packages[''] as LockEntry & { devDependencies: Record<string, string> };
  const tsEntry = packages[spec.typescript]!;
  const dependencies: Record<string, string> = {
    eslint: own.devDependencies['eslint']!,
    'typescript-eslint': own.devDependencies['typescript-eslint']!,
    typescript: tsEntry.version!,
    [spec.manifest.name]: `file:${spec.tarball}`,
  };
  for (const name of spec.extra ?? []) dependencies[name] = packages[`node_modules/${name}`]!.version!;
  const out: Record<string, LockEntry> = { '': { name: 'fresh-project', dependencies } };
  copyTree(packages, spec.typescript, 'node_modules/typescript', out);
  copyTree(packages, 'node_modules/eslint', 'node_modules/eslint', out);
  copyTree(packages, 'node_modules/typescript-eslint', 'node_modules/typescript-eslint', out);
  for (const name of spec.extra ?? []) copyTree(packages, `node_modules/${name}`, `node_modules/${name}`, out);
  // the package itself, and its dependencies where npm puts them: at the top unless the project
  // has another version there (TypeScript)
  const pkgPath = `node_modules/${spec.manifest.name}`;
  out[pkgPath] = {
    version: spec.manifest.version,
    resolved: `file:${spec.tarball}`,
    dependencies: spec.manifest.dependencies,
    peerDependencies: spec.manifest.peerDependencies,
  };
  for (const name of Object.keys(spec.manifest.dependencies ?? {})) {
    const source = locate(packages, '', name)!;
    if (out[`node_modules/${name}`]) {
      if (out[`node_modules/${name}`]!.version !== packages[source]!.version) copyTree(packages, source, `${pkgPath}/node_modules/${name}`, out);
    } else {
      copyTree(packages, source, source, out);
    }
  }
  const sorted = Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: 'fresh-project', private: true, type: 'module', dependencies }, null, 2)}\n`);
  writeFileSync(path.join(dir, 'package-lock.json'), `${JSON.stringify({ name: 'fresh-project', lockfileVersion: 3, requires: true, packages: sorted }, null, 2)}\n`);
}
