/** What analysing a file records, and how results of files are kept between runs and threads. */
import type { FileRole } from '../ground/types.js';
import type { Template } from '../iac/model.js';
import type { PackedTemplate } from '../iac/transfer.js';
import type { LinkedFile } from './code-pass.js';
import type { PendingFinding } from './findings.js';
import type { Directive } from './suppressions.js';

/**
 * Results of code files by content hash, with the hashes of the project files their analysis read
 * (helpers in other modules). Only code files no template links are cached: their findings depend
 * on the files alone (linked handler files depend on the templates too), while IaC rules look
 * across templates (a failure sink in one template changes a finding in another), so templates
 * are always loaded and checked again.
 */
export interface FileResultCache {
  /** The findings stored for the file, when its hash and every dependency's current hash (`hashOf`) still match. */
  get(file: string, hash: string, hashOf: (dependency: string) => string | undefined): PendingFinding[] | undefined;
  set(file: string, hash: string, findings: PendingFinding[], dependencies?: Record<string, string>): void;
  /** True when there is nothing to look up (a first run): every file is analysed. */
  isEmpty(): boolean;
}

/** What analysing a file recorded (see `Engine.takeResult`). */
export interface FileResult {
  pending: PendingFinding[];
  sources: [string, string][];
  directives: Directive[];
  directiveSources: [string, string][];
  filesScanned: number;
  codeFiles: number;
  dataFiles: number;
  /** Code files by role. */
  roles: Record<FileRole, number>;
  templates: Template[];
  /** Handler files a template links: their text and calls, for the project model. */
  linked: LinkedFile[];
}

export interface WorkerFileResult extends FileResult {
  /** With a cache: the file's key and content hash, to store its findings under. */
  cacheEntry?: { file: string; hash: string; dependencies?: Record<string, string> };
  /** Templates a worker loaded, as plain data (its `templates` is then empty). */
  packed?: PackedTemplate[];
  /** The worker's stack overflowed on the file: the main thread analyses it (see stack-overflow.ts). */
  handBack?: boolean;
  /** The worker thread stopped while on the file (out of memory, ...): why. The file is reported as not analysed. */
  stoppedWorker?: string;
}
