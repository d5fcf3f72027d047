/**
 * A compiled-code cache for the TypeScript compiler on Node.js versions without a compile cache of
 * their own (before 22.1, where `module.enableCompileCache` does not exist).
 *
 * TypeScript's `typescript.js` is one 9 MB file, and compiling it costs more than everything else
 * a one-file run does. Here it is compiled through `vm.Script` with the code V8 produced for it on
 * an earlier run (`cachedData`), and the module it makes is put in the CommonJS module cache under
 * the file the package name resolves to, so that every later `require` of that file (ours,
 * typescript-eslint's) gets the same module, as if Node.js had loaded it.
 *
 * The cache is one file per TypeScript file, Node.js version and V8 options, in a folder of the
 * user's that only the user may write (`rel4lint/code` in the user's cache directory, else
 * `rel4lint-<user id>` in the temporary folder): a folder another user could write is not used,
 * as V8 runs the compiled code it is given. Data V8 rejects is replaced; a cache that cannot be
 * read or written only means compiling as before, never an error. The file is written to a
 * temporary name and renamed into place, so two processes writing at once leave one whole file.
 * Writing one also prunes the folder: files unused for a month, and all but the last few used.
 * `NODE_DISABLE_COMPILE_CACHE=1` (Node.js's own switch for its cache) turns it off.
 */
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { Module, createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import { threadId } from 'node:worker_threads';

/** The largest cache file read back (TypeScript's is about 3 MB). */
const MAX_CACHE_BYTES = 64 * 1024 * 1024;
/**
 * Cache files kept at most, the ones used or written last: one per TypeScript install, Node.js
 * version and set of options, so a user with many checkouts would otherwise collect them forever.
 */
export const MAX_CACHE_FILES = 16;
const DAY_MS = 24 * 60 * 60 * 1000;
/** A cache file no run has used for this long is removed when another one is written. */
export const STALE_CACHE_MS = 30 * DAY_MS;
/** A temporary file this old was left by a process that stopped between writing and renaming it. */
const STALE_TEMP_MS = 60 * 60 * 1000;
const CACHE_FILE = /^[\w.-]+-[0-9a-f]{16}-[0-9a-f]{16}\.v8$/;
const TEMP_FILE = /^\..+\.tmp$/;

/** What `preload` did, for tests and benchmarks. */
export type CodeCacheUse = 'off' | 'loaded' | 'used' | 'written' | 'failed';

/** Node's internals this needs: the module cache and the search paths of a module's folder. */
interface ModuleInternals {
  _cache: Record<string, NodeJS.Module | undefined>;
  _nodeModulePaths(dir: string): string[];
  wrap(source: string): string;
  new (id: string, parent?: NodeJS.Module): NodeJS.Module;
}

/** The user's cache directory (where rel4lint's caches go), or undefined when there is none. */
export function userCacheDirectory(env: Record<string, string | undefined>, platform: NodeJS.Platform = process.platform): string | undefined {
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg && path.isAbsolute(xdg)) return xdg;
  if (platform === 'win32' && env['LOCALAPPDATA']) return env['LOCALAPPDATA'];
  let home = env['HOME'] || (platform === 'win32' ? env['USERPROFILE'] : undefined);
  if (!home) {
    try {
      home = os.homedir();
    } catch {
      return undefined;
    }
  }
  if (!home || !path.isAbsolute(home)) return undefined;
  return platform === 'darwin' ? path.join(home, 'Library', 'Caches') : path.join(home, '.cache');
}

/**
 * The folders the compiled-code cache may go to, in order: `rel4lint/code` in the user's cache
 * directory, else `rel4lint-<user id>` in the temporary folder.
 */
export function codeCacheFolders(env: Record<string, string | undefined> = process.env): string[] {
  const user = userCacheDirectory(env);
  const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;
  const temp = path.join(os.tmpdir(), uid === undefined ? 'rel4lint' : `rel4lint-${uid}`);
  return user !== undefined ? [path.join(user, 'rel4lint', 'code'), temp] : [temp];
}

/** Creates the folder (owner only) and checks that no other user can write into it. */
function ownFolder(dir: string): boolean {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = fs.lstatSync(dir);
    if (!st.isDirectory()) return false;
    if (typeof process.getuid === 'function' && (st.uid !== process.getuid() || (st.mode & 0o022) !== 0)) return false;
    return true;
  } catch {
    return false;
  }
}

/** V8 rejects data made under other options; a key per option set keeps runs with different options from replacing each other's file. */
function optionsKey(): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([process.version, process.arch, process.execArgv, process.env['NODE_OPTIONS'] ?? '']));
  return hash.digest('hex').slice(0, 16);
}

function writeAtomically(file: string, data: Buffer): boolean {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${threadId}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    fs.writeFileSync(temp, data, { mode: 0o600, flag: 'wx' });
    fs.renameSync(temp, file);
    return true;
  } catch {
    try {
      fs.unlinkSync(temp);
    } catch {
      // nothing was written
    }
    return false;
  }
}

/**
 * Loads the CommonJS module `specifier` resolves to from `fromUrl` into the module cache, with the
 * compiled-code cache, unless it is loaded already or the cache is off. The caller then `require`s
 * it as usual. Any failure before the module runs leaves loading to `require`.
 */
export function preload(fromUrl: string, specifier: string, env: NodeJS.ProcessEnv = process.env): CodeCacheUse {
  if ('enableCompileCache' in Module || env['NODE_DISABLE_COMPILE_CACHE'] === '1') return 'off';
  const internals = Module as unknown as ModuleInternals;
  let file: string;
  let source: string;
  let stamp: string;
  try {
    file = createRequire(fromUrl).resolve(specifier);
    if (internals._cache[file] !== undefined) return 'loaded';
    const bytes = fs.readFileSync(file);
    const st = fs.statSync(file);
    stamp = `${st.size}-${Math.trunc(st.mtimeMs)}`;
    // a file of ASCII only (TypeScript's) decodes faster as Latin-1, to the same string
    source = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  } catch {
    return 'failed';
  }
  const name = `${path.basename(path.dirname(path.dirname(file)))}-${createHash('sha256').update(`${file}\0${stamp}`).digest('hex').slice(0, 16)}-${optionsKey()}.v8`;
  // a folder another user can write is not read from: V8 trusts the code it is given
  const dir = codeCacheFolders(env).find(ownFolder);
  const cacheFile = dir !== undefined ? path.join(dir, name) : undefined;
  let cachedData: Buffer | undefined;
  let cachedAt = 0;
  if (cacheFile !== undefined) {
    try {
      const st = fs.statSync(cacheFile);
      cachedAt = st.mtimeMs;
      if (st.isFile() && st.size <= MAX_CACHE_BYTES) cachedData = fs.readFileSync(cacheFile);
    } catch {
      // no cache yet
    }
  }
  let script: vm.Script;
  try {
    // `import()` in the file (TypeScript has none today) as in a module Node.js loads, where Node.js has the option
    const dynamicImport = (vm as unknown as { constants?: { USE_MAIN_CONTEXT_DEFAULT_LOADER?: symbol } }).constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
    script = new vm.Script(internals.wrap(source), {
      filename: file,
      ...(cachedData !== undefined ? { cachedData } : {}),
      ...(dynamicImport !== undefined ? { importModuleDynamically: dynamicImport as never } : {}),
    });
  } catch {
    return 'failed';
  }
  const dirname = path.dirname(file);
  const mod = new internals(file, undefined);
  mod.filename = file;
  mod.paths = internals._nodeModulePaths(dirname);
  internals._cache[file] = mod;
  try {
    const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: NodeJS.Module, filename: string, dirname: string) => void;
    wrapper.call(mod.exports, mod.exports, createRequire(file), mod, file, dirname);
    mod.loaded = true;
  } catch {
    // as Node.js does for a module that throws: not cached, so `require` tries again (and throws)
    delete internals._cache[file];
    return 'failed';
  }
  if (cachedData !== undefined && !script.cachedDataRejected) {
    markUsed(cacheFile!, cachedAt);
    return 'used';
  }
  if (cacheFile === undefined) return 'failed';
  let data: Buffer;
  try {
    data = script.createCachedData();
  } catch {
    return 'failed';
  }
  if (!writeAtomically(cacheFile, data)) return 'failed';
  pruneCodeCache(path.dirname(cacheFile), Date.now(), cacheFile);
  return 'written';
}

/**
 * A cache file in use has its modification time set to now, at most once a day: the time says
 * when a run last used it, which is what pruning goes by.
 */
function markUsed(file: string, mtimeMs: number, now = Date.now()): void {
  if (now - mtimeMs < DAY_MS) return;
  try {
    const at = new Date(now);
    fs.utimesSync(file, at, at);
  } catch {
    // a cache file that cannot be marked is only pruned sooner
  }
}

/**
 * Removes from the cache folder `dir` the cache files no run has used for
 * {@link STALE_CACHE_MS}, those beyond the {@link MAX_CACHE_FILES} used or written last, and
 * temporary files left by a process that stopped while writing. `keep` (the file just written)
 * always stays. Files of other names are left alone; nothing here is ever an error.
 */
export function pruneCodeCache(dir: string, now = Date.now(), keep?: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  const caches: { file: string; at: number }[] = [];
  for (const name of names) {
    const cache = CACHE_FILE.test(name);
    if (!cache && !TEMP_FILE.test(name)) continue;
    const file = path.join(dir, name);
    try {
      const st = fs.lstatSync(file);
      if (!st.isFile()) continue;
      if (cache) caches.push({ file, at: st.mtimeMs });
      else if (now - st.mtimeMs > STALE_TEMP_MS) fs.unlinkSync(file);
    } catch {
      // gone already, or not ours to remove
    }
  }
  caches.sort((a, b) => b.at - a.at);
  caches.forEach(({ file, at }, index) => {
    if (file === keep || (index < MAX_CACHE_FILES && now - at <= STALE_CACHE_MS)) return;
    try {
      fs.unlinkSync(file);
    } catch {
      // another run removed it, or it cannot be removed: either way it is not read again
    }
  });
}

