/**
 * How rel4lint reads and writes files, whatever the file: the scanned files, the configuration,
 * `.gitignore` files, the baseline, the cache and the reports. The tree a scan is pointed at may
 * come from anyone (a pull request), symbolic links included, so:
 *
 * - A file is read only when it is a regular file: a FIFO, a device, a socket or a directory is
 *   refused without blocking (it is opened non-blocking and checked with fstat before any read).
 * - Every read has a size limit, checked before reading and enforced while reading (a file that
 *   grows past it is refused), so `/dev/zero` or a huge file never fills memory.
 * - A file inside a given tree that is a symbolic link is read only when its target is inside
 *   the same tree; with `noFollow`, a link is not read at all (git's rule for `.gitignore`).
 * - A write goes to a new temporary file in the same directory, which then replaces the target
 *   by a rename: a reader sees the old content or the new one, never a truncated file, also when
 *   the process is killed mid-write. A symbolic link (or anything but a regular file) at the
 *   target is refused, and so is a target whose directory leads out of a given tree through a
 *   link.
 *
 * Errors are `FileAccessError`s: `reason` says what is wrong in words that follow the file's
 * name in a message ("is a FIFO, not a regular file").
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, realpathSync, unlinkSync, type Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

/** Limit for the configuration file and each `.gitignore`. */
export const SETTINGS_MAX_BYTES = 1024 * 1024;
/** Limit for the baseline and the cache, which grow with the findings of a project. */
export const STATE_MAX_BYTES = 256 * 1024 * 1024;

export type FileAccessProblem = 'missing' | 'special' | 'link' | 'oversize' | 'unreadable' | 'unwritable';

export class FileAccessError extends Error {
  override name = 'FileAccessError';
  constructor(
    /** The path as the caller gave it. */
    readonly file: string,
    readonly problem: FileAccessProblem,
    /** Words that follow the file's name: `is a FIFO, not a regular file`. */
    readonly reason: string,
    /** The file's size, for `oversize`. */
    readonly size?: number,
  ) {
    super(`${file} ${reason}`);
  }
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}

/** What a file that is not a regular file is, in words. */
export function fileKind(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

function notRegular(file: string, stats: Stats): FileAccessError {
  const kind = fileKind(stats);
  return new FileAccessError(file, 'special', kind === 'not a regular file' ? 'is not a regular file' : `is ${kind}, not a regular file`);
}

/** True when `child` is `parent` or below it (both absolute, both real or both not). */
export function isInside(parent: string, child: string): boolean {
  if (child === parent) return true;
  const prefix = parent.endsWith(path.sep) ? parent : parent + path.sep;
  return child.startsWith(prefix);
}

/** The real path of `dir`, or `dir` itself when it cannot be resolved. */
export function realDirectory(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}

export interface ReadOptions {
  /** Larger files are refused (`oversize`) before any byte is read. */
  maxBytes: number;
  /**
   * The working directory of the scan: when the file lies inside it and is a symbolic link, or
   * lies under a linked directory, its real path must be inside it too.
   */
  within?: string;
  /** Refuse a symbolic link at the file itself, wherever it points (as git does for `.gitignore`). */
  noFollow?: boolean;
}

// O_NONBLOCK: opening a FIFO returns at once instead of waiting for a writer (0 where undefined)
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/**
 * The bytes of a regular file, at most `maxBytes` of them. Throws a FileAccessError: `missing`,
 * `special` (FIFO, device, socket, directory), `link` (a link refused), `oversize`, `unreadable`.
 */
export function readRegularFile(file: string, options: ReadOptions): Buffer {
  let target = file;
  if (options.noFollow || options.within !== undefined) {
    let link: Stats;
    try {
      link = lstatSync(file);
    } catch (error) {
      const code = errorCode(error);
      throw new FileAccessError(file, code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'unreadable', code === 'ENOENT' || code === 'ENOTDIR' ? 'does not exist' : `cannot be read (${code})`);
    }
    if (link.isSymbolicLink() && options.noFollow) throw new FileAccessError(file, 'link', 'is a symbolic link, which is not followed');
    const tree = options.within;
    if (tree !== undefined && isInside(path.resolve(tree), path.resolve(file))) {
      let real: string;
      try {
        real = realpathSync(file);
      } catch (error) {
        const code = errorCode(error);
        throw new FileAccessError(file, code === 'ENOENT' ? 'missing' : 'unreadable', code === 'ENOENT' ? 'is a broken symbolic link' : `cannot be resolved (${code})`);
      }
      if (!isInside(realDirectory(tree), real)) {
        throw new FileAccessError(file, 'link', `is a symbolic link to a file outside ${displayTree(tree)}, which is not followed`);
      }
      // read what was checked, not the link again
      target = real;
    }
  }
  let fd: number;
  try {
    fd = openSync(target, OPEN_FLAGS);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new FileAccessError(file, 'missing', 'does not exist');
    // a socket cannot be opened at all
    if (code === 'ENXIO') throw new FileAccessError(file, 'special', 'is a socket, not a regular file');
    throw new FileAccessError(file, 'unreadable', `cannot be read (${code})`);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw notRegular(file, stats);
    const max = options.maxBytes;
    if (stats.size > max) throw oversize(file, stats.size, max);
    // one byte more than the limit tells a file that grew past it while read
    let buffer = Buffer.allocUnsafe(Math.min(stats.size, max) + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) {
        if (length > max) break;
        const bigger = Buffer.allocUnsafe(Math.min(buffer.length * 2, max + 1));
        buffer.copy(bigger, 0, 0, length);
        buffer = bigger;
      }
      let n: number;
      try {
        n = readSync(fd, buffer, length, buffer.length - length, null);
      } catch (error) {
        throw new FileAccessError(file, 'unreadable', `cannot be read (${errorCode(error)})`);
      }
      if (n === 0) break;
      length += n;
    }
    if (length > max) throw oversize(file, length, max);
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

function oversize(file: string, size: number, max: number): FileAccessError {
  return new FileAccessError(file, 'oversize', `is over the size limit of ${formatBytes(max)} (${formatBytes(size)})`, size);
}

/** The tree given as `within` is the scan's working directory (every caller's). */
function displayTree(_tree: string): string {
  return 'the working directory';
}

/** UTF-8 text of a regular file (byte order mark dropped); see `readRegularFile`. */
export function readRegularText(file: string, options: ReadOptions): string {
  const text = readRegularFile(file, options).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

// ---------------------------------------------------------------------------------------------
// Writing

export interface WriteOptions {
  /**
   * The working directory of the scan: when the target's directory lies inside it, its real path
   * must be inside it too (no directory link leading out).
   */
  within?: string;
}

/** Temporary files being written: removed when the process is interrupted. */
const pending = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function onSignal(signal: NodeJS.Signals): void {
  for (const tmp of pending) {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
  }
  pending.clear();
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  // die of the same signal, as without the handler
  process.kill(process.pid, signal);
}

function track(tmp: string): void {
  if (pending.size === 0) for (const s of SIGNALS) process.on(s, onSignal);
  pending.add(tmp);
}

function untrack(tmp: string): void {
  pending.delete(tmp);
  if (pending.size === 0) for (const s of SIGNALS) process.removeListener(s, onSignal);
}

/**
 * Devices and descriptors written to in place (`-o /dev/stdout`, `-o >(gzip > r.gz)`, which the
 * shell passes as `/dev/fd/63`): paths no checkout can hold.
 */
function isDevicePath(file: string): boolean {
  return process.platform !== 'win32' && /^\/(?:dev\/(?:stdout|stderr|null|tty|fd\/\d+)|proc\/self\/fd\/\d+)$/.test(file);
}

/**
 * Writes `data` to `file` through a temporary file in the same directory and a rename. Creates
 * the directory. Throws a FileAccessError (`link`, `special`, `unwritable`) naming the file.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, options: WriteOptions = {}): Promise<void> {
  const target = path.resolve(file);
  if (isDevicePath(target)) {
    try {
      await fs.writeFile(target, data);
      return;
    } catch (error) {
      throw new FileAccessError(file, 'unwritable', `cannot be written (${errorCode(error)})`);
    }
  }
  checkWritable(file, options);
  const dir = path.dirname(target);
  try {
    await fs.mkdir(dir, { recursive: true });
  } catch (error) {
    throw new FileAccessError(file, 'unwritable', `cannot be written (${errorCode(error)} creating its directory)`);
  }
  let existing: Stats | undefined;
  try {
    existing = await fs.lstat(target);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw new FileAccessError(file, 'unwritable', `cannot be written (${errorCode(error)})`);
  }
  // a dot file ending in .tmp: never a file a scan would read
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  track(tmp);
  try {
    // wx: create a new file, never open one (or a link) already there
    const handle = await fs.open(tmp, 'wx', existing ? existing.mode & 0o777 : 0o666);
    try {
      await handle.writeFile(data);
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, target);
  } catch (error) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw new FileAccessError(file, 'unwritable', `cannot be written (${errorCode(error)})`);
  } finally {
    untrack(tmp);
  }
}

/**
 * Throws the FileAccessError `writeFileAtomic` would (a symbolic link or a special file at the
 * target, a directory linking out of `within`), without writing: checked before a long scan.
 */
export function checkWritable(file: string, options: WriteOptions = {}): void {
  const target = path.resolve(file);
  if (isDevicePath(target)) return;
  let existing: Stats | undefined;
  try {
    existing = lstatSync(target);
  } catch {
    // nothing there yet
  }
  if (existing?.isSymbolicLink()) throw new FileAccessError(file, 'link', 'is a symbolic link; rel4lint does not write through symbolic links');
  if (existing && !existing.isFile()) throw notRegular(file, existing);
  const dir = path.dirname(target);
  if (options.within !== undefined && isInside(path.resolve(options.within), dir)) {
    // the nearest existing ancestor decides where the directory really is
    let probe = dir;
    while (probe !== path.dirname(probe)) {
      try {
        lstatSync(probe);
        break;
      } catch {
        probe = path.dirname(probe);
      }
    }
    const real = realDirectory(probe);
    if (!isInside(realDirectory(options.within), real)) {
      throw new FileAccessError(file, 'link', `is in a directory that is a symbolic link to ${real}, outside ${displayTree(options.within)}; rel4lint does not write through symbolic links`);
    }
  }
}
