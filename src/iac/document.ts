/**
 * The document shape every template loader produces (YAML, JSON, HCL, CDK source): plain values,
 * intrinsics as `Intrinsic`, and a `SourceNode` tree that maps every logical path to its value
 * range and key range.
 */
import { MAX_DOCUMENT_VALUES } from '../ground/limits.js';
import { Intrinsic, type IacValue, type ParseProblem, type PathSegment } from './model.js';

/**
 * Position of one value in the source text, with its children. Offsets are 0-based UTF-16
 * offsets into the text as given; ranges are half-open.
 */
export interface SourceNode {
  /** Start of the value (for a tagged YAML value, the tag). */
  start: number;
  /** End of the value (exclusive). */
  end: number;
  /** Range of the mapping key that holds this value; -1 when the value is not a map entry. */
  keyStart: number;
  keyEnd: number;
  /** Children of a mapping (and of an intrinsic: its function name → argument). */
  entries?: Map<string, SourceNode>;
  /** Children of a sequence. */
  items?: SourceNode[];
  /**
   * True for a node that has no text of its own (e.g. a SAM resource's `Properties` created by
   * merging `Globals`): its children have positions, it does not.
   */
  synthetic?: boolean;
  /**
   * The file the offsets are in, when it is not the template's own: the constructs of a CDK app
   * file made by a construct class of another file of the app (see the template's `otherTexts`).
   * Children say so themselves.
   */
  file?: string;
}

/** What a document loader produces. */
export interface LoadedDocument {
  /** The document as plain values; undefined when the text could not be parsed. */
  value?: IacValue;
  source?: SourceNode;
  /** Syntax errors (then `value` is undefined), resource-limit violations, duplicate keys. */
  problems: ParseProblem[];
}

export interface LoadOptions {
  /** Deepest nesting of mappings/sequences accepted (default 200). */
  maxDepth?: number;
  /** Total number of nodes that alias expansion may produce in one document (default 100,000). */
  maxAliasNodes?: number;
}

export const DEFAULT_MAX_DEPTH = 200;
export const DEFAULT_MAX_ALIAS_NODES = 100_000;


/** The values of a document, counted from above: one, and one more per comma, line break and opening bracket. */
export function valueCount(text: string): number {
  let count = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // , \n [ {
    if (c === 44 || c === 10 || c === 91 || c === 123) count++;
  }
  return count;
}

/**
 * The values of a document when there may be more than `max`, counted from above without reading
 * it: every value but the first starts after a comma, a line break or an opening bracket.
 * Undefined when the count is under the limit.
 */
export function tooManyValues(text: string, max = MAX_DOCUMENT_VALUES, what = 'the document'): ParseProblem | undefined {
  if (text.length <= max) return undefined;
  const count = valueCount(text);
  if (count <= max) return undefined;
  return {
    message: `${what[0]!.toUpperCase()}${what.slice(1)} has up to ${count.toLocaleString('en-US')} values (one per comma, line and bracket), more than the ${max.toLocaleString('en-US')} that are read from it: it was not analysed`,
    offset: 0,
  };
}

/** Intrinsic functions recognised in long form (`{ "Fn::Join": [...] }`) and short form (`!Join`). */
const FUNCTION_NAMES = [
  'And',
  'Base64',
  'Cidr',
  'Equals',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'If',
  'ImportValue',
  'Join',
  'Length',
  'Not',
  'Or',
  'Select',
  'Split',
  'Sub',
  'ToJsonString',
  'Transform',
] as const;

/** Long names of every intrinsic the loaders turn into `Intrinsic` values. */
export const INTRINSIC_NAMES: ReadonlySet<string> = new Set([
  'Ref',
  'Condition',
  ...FUNCTION_NAMES.map((n) => `Fn::${n}`),
]);

/** YAML short-form tag → long intrinsic name (`!GetAtt` → `Fn::GetAtt`). */
export const SHORT_FORM_TAGS: ReadonlyMap<string, string> = new Map([
  ['!Ref', 'Ref'],
  ['!Condition', 'Condition'],
  ...FUNCTION_NAMES.map((n): [string, string] => [`!${n}`, `Fn::${n}`]),
]);

/**
 * The intrinsic a single-entry mapping stands for (`{Ref: X}`, `{"Fn::Sub": ...}`), if any.
 * `Ref` and `Condition` only count with a string argument (a property that happens to be named
 * `Condition` holds a mapping).
 */
export function longFormIntrinsic(key: string, argument: IacValue): Intrinsic | undefined {
  if (!INTRINSIC_NAMES.has(key)) return undefined;
  if ((key === 'Ref' || key === 'Condition') && typeof argument !== 'string') return undefined;
  return makeIntrinsic(key, argument);
}

/** Builds an intrinsic, normalising `Fn::GetAtt` to `[logicalId, attribute]`. */
export function makeIntrinsic(name: string, argument: IacValue): Intrinsic {
  if (name === 'Fn::GetAtt' && typeof argument === 'string') {
    const dot = argument.indexOf('.');
    return new Intrinsic(name, dot < 0 ? [argument] : [argument.slice(0, dot), argument.slice(dot + 1)]);
  }
  return new Intrinsic(name, argument);
}

/**
 * Source node for a `Fn::GetAtt` string argument `A.B` that was normalised to `['A', 'B']`:
 * items get the exact sub-ranges when the text spells the string verbatim (plain or quoted
 * without escapes), else both items span the whole scalar.
 */
export function getAttStringSource(node: SourceNode, text: string, value: string): SourceNode {
  const dot = value.indexOf('.');
  let at = -1;
  if (text.slice(node.start, node.end) === value) at = node.start;
  else if (text.slice(node.start + 1, node.end - 1) === value) at = node.start + 1;
  const whole = (): SourceNode => ({ start: node.start, end: node.end, keyStart: -1, keyEnd: -1 });
  if (dot < 0) return { ...node, items: [at < 0 ? whole() : { start: at, end: at + value.length, keyStart: -1, keyEnd: -1 }] };
  const items =
    at < 0
      ? [whole(), whole()]
      : [
          { start: at, end: at + dot, keyStart: -1, keyEnd: -1 },
          { start: at + dot + 1, end: at + value.length, keyStart: -1, keyEnd: -1 },
        ];
  return { ...node, items };
}

/** Sets an own property, also for the key `__proto__` (which plain assignment would not). */
export function setOwn(obj: { [key: string]: IacValue }, key: string, value: IacValue): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/**
 * The chain of source nodes along `path`, starting with `root`. The chain stops at the first
 * segment that does not exist; `found` tells whether the whole path exists.
 */
export function sourceChain(root: SourceNode, path: readonly PathSegment[]): { chain: SourceNode[]; found: boolean } {
  const chain = [root];
  let node = root;
  for (const segment of path) {
    let next: SourceNode | undefined;
    if (node.entries) next = node.entries.get(String(segment));
    if (!next && node.items) {
      const index = typeof segment === 'number' ? segment : /^\d+$/.test(segment) ? Number(segment) : -1;
      next = index >= 0 ? node.items[index] : undefined;
    }
    if (!next) return { chain, found: false };
    chain.push(next);
    node = next;
  }
  return { chain, found: true };
}

/** Maps every position of a source tree through `map` (each node once, without recursion). */
export function remapSource(root: SourceNode | undefined, map: (offset: number) => number): void {
  if (!root) return;
  const seen = new Set<SourceNode>();
  const stack: SourceNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    node.start = map(node.start);
    node.end = map(node.end);
    if (node.keyStart >= 0) node.keyStart = map(node.keyStart);
    if (node.keyEnd >= 0) node.keyEnd = map(node.keyEnd);
    if (node.entries) for (const child of node.entries.values()) stack.push(child);
    if (node.items) for (const child of node.items) stack.push(child);
  }
}
