/**
 * Memory a file's analysis needs, against what the JavaScript heap of this thread has left. A
 * file that does not fit is a finding rather than the process dying of a V8 out-of-memory error
 * (which nothing can catch) with every other file's results.
 */
import { getHeapStatistics } from 'node:v8';
import { MAX_CODE_TOKENS, MAX_DOCUMENT_VALUES, MAX_TERRAFORM_VALUES } from '../ground/limits.js';
import { valueCount } from '../iac/document.js';

/** Files smaller than this fit in any heap the tool starts with: not checked. */
const CHECKED_FROM_CHARACTERS = 256 * 1024;

/** The young generation the command line and the worker threads give V8 (three 64 MB semi-spaces). */
const YOUNG_GENERATION = 192 * 1024 * 1024;

/** Heap the tool itself and what it keeps between files (templates, findings) take, at most. */
const RESERVED = 128 * 1024 * 1024;

export type FileKind = 'code' | 'document' | 'terraform';

/**
 * Bytes of heap a file's analysis can take at its peak, from above, as measured on files built to
 * be costly under the other limits: a syntax tree and the analysis over it take up to about 180
 * bytes per token, and dense code has a token per character or two; a YAML or JSON value about
 * 800 bytes, a Terraform one (resources included) up to 6 KB; and never less than 100 bytes per
 * character.
 */
function heapNeeded(kind: FileKind, text: string): number {
  // past the loaders' own limits nothing is read: the file gets their finding, whatever the heap
  if (kind === 'code') return Math.min(text.length, MAX_CODE_TOKENS) * 200;
  const values = Math.min(valueCount(text), kind === 'terraform' ? MAX_TERRAFORM_VALUES : MAX_DOCUMENT_VALUES);
  return Math.max(text.length * 100, values * (kind === 'terraform' ? 6_000 : 800));
}

/** Why a file with this text is not analysed on this thread, or undefined when it fits. */
export function tooLargeForHeap(kind: FileKind, text: string): string | undefined {
  if (text.length < CHECKED_FROM_CHARACTERS) return undefined;
  const need = heapNeeded(kind, text);
  const heap = getHeapStatistics();
  // the limit counts the young generation, which holds no lasting data, and the tool itself takes
  // some; what the heap holds now is not counted (it may be garbage), so that the answer depends
  // on the heap's size alone, not on when the garbage was last collected
  const left = Math.max(0, heap.heap_size_limit - YOUNG_GENERATION - RESERVED);
  if (need <= left) return undefined;
  const mb = (n: number) => `${Math.ceil(n / (1024 * 1024)).toLocaleString('en-US')} MB`;
  const ask = Math.ceil((need + RESERVED) / (1024 * 1024) / 256) * 256;
  return `its analysis may need up to ${mb(need)} of memory, more than the ${mb(left)} a file may take of the ${mb(heap.heap_size_limit)} heap; it was not analysed (give Node.js a larger heap, e.g. NODE_OPTIONS=--max-old-space-size=${ask})`;
}
