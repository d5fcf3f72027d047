/**
 * Reading a selected file: the size limit, text encodings, and whether a file named like a
 * template is worth a finding when it cannot be read as one.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { TEMPLATE_EXTENSIONS } from '../ground/files.js';
import { formatBytes } from '../ground/file-access.js';
import { iacFormat, loadsAnywhere } from '../iac/loaders/index.js';
import { looksLikeTemplate } from '../iac/loaders/cloudformation.js';
import { mayDefineCdkResources } from '../cdk/sniff.js';

export const DEFAULT_MAX_FILE_BYTES = 8 * 1024 * 1024;

export function isTemplateCandidate(file: string): boolean {
  return TEMPLATE_EXTENSIONS.some((ext) => file.endsWith(ext));
}

/** Bytes that start with a UTF-16 byte order mark. */
function hasUtf16Bom(raw: Buffer): boolean {
  return raw.length >= 2 && ((raw[0] === 0xff && raw[1] === 0xfe) || (raw[0] === 0xfe && raw[1] === 0xff));
}

/** The head of a file looked at for NUL bytes (binary, or UTF-16 without a byte order mark). */
const probeOf = (raw: Buffer): Buffer => raw.subarray(0, 8000);

/** The text of a file's bytes (UTF-8, BOM dropped), or why it is not text rel4lint reads. */
export function normaliseText(raw: Buffer): { text?: string; problem?: string } {
  if (hasUtf16Bom(raw)) return { problem: 'file is UTF-16 encoded; only UTF-8 is supported' };
  const probe = probeOf(raw);
  if (probe.includes(0)) {
    return { problem: looksLikeUtf16(probe) ? 'file looks UTF-16 encoded (without a byte order mark); only UTF-8 is supported' : 'file is binary (contains NUL bytes)' };
  }
  let text = raw.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text };
}

/**
 * True when a template candidate's bytes cannot be IaC, decided without decoding them: a file
 * that only a CloudFormation-style marker (`AWS::`, `AWSTemplateFormatVersion`, `Custom::`) would
 * make a template (not Terraform, a state machine or a Serverless file, whose names decide) and
 * that has none. Bytes that are not plain UTF-8 text (a byte order mark of UTF-16, NUL bytes) are
 * left to the full check, which may report them.
 */
export function plainlyNotIac(file: string, raw: Buffer): boolean {
  if (!loadsAnywhere(file) || hasUtf16Bom(raw) || probeOf(raw).includes(0)) return false;
  return !looksLikeTemplate(raw);
}

export function oversizeMessage(size: number, max: number): string {
  const exact = size >= 1024 ? ` (${size} bytes)` : '';
  return `file is ${formatBytes(size)}${exact}, over the size limit of ${formatBytes(max)}; it was not analysed (raise the limit with --max-file-size or maxFileBytes)`;
}

/** Bytes read from the head of an over-limit template candidate to tell whether it is IaC. */
const SNIFF_BYTES = 64 * 1024;

/** True when the head of a file (never the whole of it) looks like an IaC file the loaders would load. */
export function looksLikeIac(file: string): boolean {
  if (file.toLowerCase().endsWith('.tf')) return true;
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    if (!fstatSync(fd).isFile()) return false;
    const head = Buffer.alloc(SNIFF_BYTES);
    const n = readSync(fd, head, 0, SNIFF_BYTES, 0);
    return iacFormat(file, head.subarray(0, n).toString('utf8')) !== undefined;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The text of a UTF-16 file (with or without a byte order mark), or undefined for other bytes:
 * enough to tell whether a file rel4lint cannot analyse claims to be a template.
 */
export function utf16Text(raw: Buffer): string | undefined {
  const head = raw.subarray(0, SNIFF_BYTES);
  let le: boolean;
  let start = 0;
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) [le, start] = [true, 2];
  else if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) [le, start] = [false, 2];
  else if (looksLikeUtf16(probeOf(head))) le = head[1] === 0;
  else return undefined;
  const body = head.subarray(start, start + ((head.length - start) & ~1));
  if (le) return body.toString('utf16le');
  const swapped = Buffer.from(body);
  swapped.swap16();
  return swapped.toString('utf16le');
}

/** True when a UTF-16 file looks like IaC the loaders would load, were it UTF-8. */
export function looksLikeUtf16Iac(file: string, raw: Buffer): boolean {
  const text = utf16Text(raw);
  return text !== undefined && iacFormat(file, text) !== undefined;
}

/** Mostly-ASCII UTF-16 text without a BOM: every other byte is NUL, on the same side. */
function looksLikeUtf16(probe: Buffer): boolean {
  let even = 0;
  let odd = 0;
  for (let i = 0; i + 1 < probe.length; i += 2) {
    if (probe[i] === 0) even++;
    if (probe[i + 1] === 0) odd++;
  }
  const pairs = probe.length >> 1;
  return (odd > pairs * 0.8 && even === 0) || (even > pairs * 0.8 && odd === 0);
}

/** Bytes of a code file's head searched for an import of `aws-cdk-lib`: imports come first. */
const CDK_SNIFF_BYTES = 64 * 1024;
/** The buffer heads are read into, one per thread (the reads are synchronous). */
let sniffBuffer: Buffer | undefined;

/** What the head of a code file says (see `readCodeHead`). */
export interface CodeHead {
  /** CDK app code: it imports `aws-cdk-lib` (see `mayDefineCdkResources`). */
  cdk: boolean;
  /** The whole file, when the head was all of it and the caller asked to keep it. */
  whole?: Buffer;
}

/**
 * Reads the head of a code file: whether it is CDK app code, whose constructs load with the
 * templates; with `keep`, a file no longer than the head comes back whole, so that the code pass
 * does not read it again. One read and a byte search; a file that cannot be read or is over the
 * limit is not CDK app code and comes back without bytes (the code pass reports it). A file whose
 * import comes later than the head still has its constructs read, with the code files.
 */
export function readCodeHead(file: string, maxBytes: number, keep: boolean): CodeHead {
  let fd: number | undefined;
  try {
    // non-blocking, and regular files only: a FIFO swapped in never blocks the scan
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { cdk: false };
    const size = stats.size;
    if (size > maxBytes) return { cdk: false };
    // the whole file is read into a buffer of its own (plus a byte that tells it grew meanwhile)
    const own = keep && size < CDK_SNIFF_BYTES;
    const head = own ? Buffer.allocUnsafe(size + 1) : (sniffBuffer ??= Buffer.allocUnsafe(CDK_SNIFF_BYTES)).subarray(0, Math.min(size, CDK_SNIFF_BYTES));
    let n = 0;
    while (n < head.length) {
      const k = readSync(fd, head, n, head.length - n, n);
      if (k === 0) break;
      n += k;
    }
    const bytes = head.subarray(0, n);
    const whole = own && n <= size ? bytes : undefined;
    if (bytes.indexOf('aws-cdk-lib') < 0 && bytes.indexOf('@aws-cdk/') < 0) return { cdk: false, whole };
    const { text } = normaliseText(bytes);
    return { cdk: text !== undefined && mayDefineCdkResources(text), whole };
  } catch {
    return { cdk: false };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Bytes of code files kept between reading their heads and analysing them, at most. */
const READ_AHEAD_BYTES = 32 * 1024 * 1024;

/**
 * Code files read whole before the scan analyses them (see `readCodeHead`), each handed over
 * once. Bounded: past `READ_AHEAD_BYTES`, files are read again when analysed.
 */
export class ReadAhead {
  private readonly files = new Map<string, Buffer>();
  private bytes = 0;

  hasRoom(): boolean {
    return this.bytes < READ_AHEAD_BYTES;
  }

  add(file: string, bytes: Buffer): void {
    this.files.set(file, bytes);
    this.bytes += bytes.length;
  }

  /** The bytes of `file` read ahead, kept for `take`. */
  peek(file: string): Buffer | undefined {
    return this.files.get(file);
  }

  /** The bytes of `file` read ahead, when they are within `maxBytes` (its own limit); forgotten here. */
  take(file: string, maxBytes: number): Buffer | undefined {
    const bytes = this.files.get(file);
    if (!bytes) return undefined;
    this.files.delete(file);
    this.bytes -= bytes.length;
    return bytes.length <= maxBytes ? bytes : undefined;
  }
}
