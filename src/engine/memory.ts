/**
 * Memory a file's analysis needs, against what the JavaScript heap of this thread has left. A
 * file that does not fit is a finding rather than the process dying of a V8 out-of-memory error
 * (which nothing can catch) with every other file's results.
 */
import { getHeapStatistics } from 'node:v8';

/** Files smaller than this fit in any heap the tool starts with: not checked. */
const CHECKED_FROM_BYTES = 512 * 1024;

/**
 * Bytes of heap per byte of file that an analysis can take at its peak, measured on files built
 * to be costly under the other limits: the syntax tree of dense code, many small resources in
 * YAML or JSON, and a Terraform file, whose tree and resources cost several times more.
 */
const HEAP_PER_BYTE = { code: 100, document: 100, terraform: 400 } as const;

export type FileKind = keyof typeof HEAP_PER_BYTE;

/** Why a file of `size` bytes is not analysed on this thread, or undefined when it fits. */
export function tooLargeForHeap(kind: FileKind, size: number): string | undefined {
  if (size < CHECKED_FROM_BYTES) return undefined;
  const need = size * HEAP_PER_BYTE[kind];
  const heap = getHeapStatistics();
  const left = heap.heap_size_limit - heap.used_heap_size;
  if (need <= left) return undefined;
  const mb = (n: number) => `${Math.ceil(n / (1024 * 1024)).toLocaleString('en-US')} MB`;
  return `its analysis needs up to ${mb(need)} of memory, more than the ${mb(left)} left of the ${mb(heap.heap_size_limit)} heap; it was not analysed (give Node.js a larger heap, e.g. NODE_OPTIONS=--max-old-space-size=${Math.ceil((heap.heap_size_limit + need - left) / (1024 * 1024) / 256) * 256})`;
}
