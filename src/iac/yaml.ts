/**
 * YAML loader with positions for CloudFormation-style documents.
 *
 * `parseDocument` from the `yaml` package gives an AST with offsets; our own walker turns it into
 * plain model values (short-form and long-form intrinsics become `Intrinsic` instances) and a
 * `SourceNode` tree that maps every logical path to its value range and key range.
 *
 * The walker, not the library, is responsible for resource limits: it expands aliases itself (so
 * the library's `maxAliasCount` does not apply) and caps the total number of nodes that aliases
 * may produce, and it caps the nesting depth. Duplicate keys are detected here too, because the
 * library's own check (`uniqueKeys`) is quadratic per mapping.
 */
import { noteStackOverflow } from '../ground/stack-overflow.js';
import type { Alias, Document, Node, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { yamlLibrary, type YamlLibrary } from '../ground/packages.js';
import { reindentFlowContinuations } from './yaml-leniency.js';
import { readYaml } from './yaml-reader.js';
import type { IacValue, ParseProblem } from './model.js';
import {
  DEFAULT_MAX_ALIAS_NODES,
  DEFAULT_MAX_DEPTH,
  getAttStringSource,
  longFormIntrinsic,
  makeIntrinsic,
  remapSource,
  setOwn,
  tooManyValues,
  SHORT_FORM_TAGS,
  type LoadedDocument,
  type LoadOptions,
  type SourceNode,
} from './document.js';
import { yamlParseOptions } from './yaml-schema.js';

// ---------------------------------------------------------------------------------------------
// YAML
// ---------------------------------------------------------------------------------------------

/** The `yaml` package, loaded by the first text the single-pass reader leaves to it. */
let Y: YamlLibrary;

/** Thrown inside the walker to stop at a resource-limit violation; never escapes this module. */
class StopWalk extends Error {}

class YamlWalker {
  readonly problems: ParseProblem[] = [];
  /** Nodes produced so far by alias expansion. */
  private aliasNodes = 0;
  /** How many alias expansions are in progress (nested ones are not counted again). */
  private expanding = 0;
  /** Subtree sizes (in nodes); -1 while being computed (a cycle). */
  private readonly sizes = new Map<Node, number>();

  /**
   * Alias → the node it refers to: the closest anchor of that name before it. Computed in one
   * pass; the library's `Alias.resolve` searches the whole document on every call.
   */
  private readonly targets = new Map<Alias, Node>();

  constructor(
    private readonly text: string,
    doc: Document,
    private readonly maxDepth: number,
    private readonly maxAliasNodes: number,
  ) {
    // aliases need anchors, and an anchor is written with `&`: most templates have none
    if (!text.includes('&')) return;
    const anchors = new Map<string, Node>();
    Y.visit(doc, {
      Node: (_key, node) => {
        if (Y.isAlias(node)) {
          const target = anchors.get(node.source);
          if (target) this.targets.set(node, target);
        } else if (node.anchor) {
          anchors.set(node.anchor, node);
        }
      },
    });
  }

  private target(alias: Alias): Node | undefined {
    return this.targets.get(alias);
  }

  /** Stops the walk: the document is not usable. This problem goes first (it is the cause). */
  private fail(message: string, offset: number): never {
    this.problems.unshift({ message, offset });
    throw new StopWalk(message);
  }

  /**
   * Converts `node` into a value and its source node.
   * `lowerBound`: no text before this offset belongs to the node (used to find a tag's start).
   */
  walk(
    node: Node | null | undefined,
    depth: number,
    lowerBound: number,
    keyStart: number,
    keyEnd: number,
  ): [IacValue, SourceNode] {
    if (!node) {
      const at = keyEnd >= 0 ? keyEnd : lowerBound;
      return [null, { start: at, end: at, keyStart, keyEnd }];
    }
    if (depth > this.maxDepth) {
      this.fail(`Nesting is deeper than ${this.maxDepth} levels`, node.range?.[0] ?? lowerBound);
    }
    if (Y.isAlias(node)) return this.walkAlias(node, depth, lowerBound, keyStart, keyEnd);

    const range = node.range ?? [lowerBound, lowerBound, lowerBound];
    const start = this.tagStart(node, range[0], lowerBound);
    const end = range[1];
    const fn = node.tag ? SHORT_FORM_TAGS.get(node.tag) : undefined;

    if (Y.isScalar(node)) {
      const value = this.scalarValue(node);
      const source: SourceNode = { start, end, keyStart, keyEnd };
      if (!fn) return [value, source];
      const argument = typeof value === 'string' ? value : String(value ?? '');
      const inner: SourceNode = { start: range[0], end, keyStart: -1, keyEnd: -1 };
      const argSource = fn === 'Fn::GetAtt' ? getAttStringSource(inner, this.text, argument) : inner;
      source.entries = new Map([[fn, argSource]]);
      return [makeIntrinsic(fn, argument), source];
    }

    let value: IacValue;
    let source: SourceNode;
    if (Y.isMap(node)) [value, source] = this.walkMap(node, depth, start, end, keyStart, keyEnd);
    else if (Y.isSeq(node)) [value, source] = this.walkSeq(node, depth, start, end, keyStart, keyEnd);
    else return [null, { start, end, keyStart, keyEnd }];

    if (!fn) return [value, source];
    const inner: SourceNode = { ...source, start: range[0], keyStart: -1, keyEnd: -1 };
    return [makeIntrinsic(fn, value), { start, end, keyStart, keyEnd, entries: new Map([[fn, inner]]) }];
  }

  private walkMap(
    node: YAMLMap,
    depth: number,
    start: number,
    end: number,
    keyStart: number,
    keyEnd: number,
  ): [IacValue, SourceNode] {
    const obj: { [key: string]: IacValue } = {};
    const entries = new Map<string, SourceNode>();
    const merges: { node: Node | null; lowerBound: number }[] = [];
    let previousEnd = start;
    for (const pair of node.items) {
      const key = pair.key as Node | null;
      const value = pair.value as Node | null;
      const kStart = key?.range?.[0] ?? previousEnd;
      const kEnd = key?.range?.[1] ?? kStart;
      if (Y.isScalar(key) && typeof key.value === 'symbol' && key.source === '<<') {
        merges.push({ node: value, lowerBound: kEnd });
        previousEnd = value?.range?.[1] ?? kEnd;
        continue;
      }
      const name = this.keyString(key);
      if (entries.has(name)) this.problems.push({ message: `Duplicate key "${name}"`, offset: kStart });
      const [v, s] = this.walk(value, depth + 1, kEnd, kStart, kEnd);
      setOwn(obj, name, v);
      entries.set(name, s);
      previousEnd = s.end;
    }
    for (const merge of merges) this.applyMerge(merge.node, merge.lowerBound, depth, obj, entries);

    const source: SourceNode = { start, end, keyStart, keyEnd, entries };
    if (entries.size === 1) {
      const [name, argSource] = entries.entries().next().value as [string, SourceNode];
      const intrinsic = longFormIntrinsic(name, obj[name]!);
      if (intrinsic) {
        if (name === 'Fn::GetAtt' && typeof obj[name] === 'string') {
          entries.set(name, getAttStringSource(argSource, this.text, obj[name]));
        }
        return [intrinsic, source];
      }
    }
    return [obj, source];
  }

  /** YAML 1.1 merge key `<<`: keys of the merged mapping(s) that the mapping does not set itself. */
  private applyMerge(
    value: Node | null,
    lowerBound: number,
    depth: number,
    obj: { [key: string]: IacValue },
    entries: Map<string, SourceNode>,
  ): void {
    const sources = Y.isSeq(value) ? (value.items as Node[]) : [value];
    for (const item of sources) {
      if (!Y.isMap(item) && !(Y.isAlias(item) && Y.isMap(this.target(item)))) {
        this.problems.push({ message: 'A merge key (<<) needs a mapping or a list of mappings', offset: item?.range?.[0] ?? lowerBound });
        continue;
      }
      const [merged, mergedSource] = this.walk(item, depth + 1, lowerBound, -1, -1);
      if (typeof merged !== 'object' || merged === null || Array.isArray(merged) || !mergedSource.entries) continue;
      for (const [k, s] of mergedSource.entries) {
        if (entries.has(k)) continue;
        setOwn(obj, k, (merged as { [key: string]: IacValue })[k]!);
        entries.set(k, s);
      }
    }
  }

  private walkSeq(
    node: YAMLSeq,
    depth: number,
    start: number,
    end: number,
    keyStart: number,
    keyEnd: number,
  ): [IacValue, SourceNode] {
    const values: IacValue[] = [];
    const items: SourceNode[] = [];
    let previousEnd = node.range?.[0] ?? start;
    for (const item of node.items as (Node | null)[]) {
      const [v, s] = this.walk(item, depth + 1, previousEnd, -1, -1);
      values.push(v);
      items.push(s);
      previousEnd = Math.max(previousEnd, s.end);
    }
    return [values, { start, end, keyStart, keyEnd, items }];
  }

  private walkAlias(
    node: Alias,
    depth: number,
    lowerBound: number,
    keyStart: number,
    keyEnd: number,
  ): [IacValue, SourceNode] {
    const at = node.range?.[0] ?? lowerBound;
    const target = this.target(node);
    if (!target) this.fail(`Unknown alias *${node.source}`, at);
    const size = this.size(target, node.source, at);
    // Aliases nested in an expansion are part of the outer alias's size: count only the outermost.
    if (this.expanding === 0) {
      this.aliasNodes += size;
      if (this.aliasNodes > this.maxAliasNodes) {
        this.fail(
          `YAML aliases expand to more than ${this.maxAliasNodes} nodes (at *${node.source}); refusing to expand them (alias bomb?)`,
          at,
        );
      }
    }
    this.expanding++;
    let value: IacValue;
    let expanded: SourceNode;
    try {
      [value, expanded] = this.walk(target, depth, target.range?.[0] ?? at, -1, -1);
    } finally {
      this.expanding--;
    }
    const source: SourceNode = { start: at, end: node.range?.[1] ?? at, keyStart, keyEnd };
    if (expanded.entries) source.entries = expanded.entries;
    if (expanded.items) source.items = expanded.items;
    return [value, source];
  }

  /** Number of nodes `node` expands to, aliases included (memoised, cycle-safe). */
  private size(node: Node, aliasName: string, offset: number): number {
    const known = this.sizes.get(node);
    if (known !== undefined) {
      if (known < 0) this.fail(`YAML alias *${aliasName} refers to a node that contains it`, offset);
      return known;
    }
    this.sizes.set(node, -1);
    let n = 1;
    if (Y.isMap(node)) {
      for (const pair of node.items) {
        n += 1;
        if (pair.value) n += this.size(pair.value as Node, aliasName, offset);
      }
    } else if (Y.isSeq(node)) {
      for (const item of node.items as (Node | null)[]) if (item) n += this.size(item, aliasName, offset);
    } else if (Y.isAlias(node)) {
      const target = this.target(node);
      if (target) n = this.size(target, node.source, offset);
    }
    this.sizes.set(node, n);
    return n;
  }

  private scalarValue(node: Scalar): IacValue {
    const v: unknown = node.value;
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return v;
      case 'number':
        return v;
      case 'bigint':
        return Number(v);
      default:
        if (v === null || v === undefined) return null;
        return typeof node.source === 'string' ? node.source : String(v);
    }
  }

  /** Mapping keys are strings: a plain key is its text (`n`, `200`, `true` stay as written). */
  private keyString(key: Node | null): string {
    if (!key) return '';
    if (Y.isAlias(key)) return this.keyString(this.target(key) ?? null);
    if (Y.isScalar(key)) {
      if (key.type === Y.Scalar.PLAIN && typeof key.source === 'string') return key.source;
      return key.value === null || key.value === undefined ? '' : String(key.value);
    }
    const r = key.range;
    return r ? this.text.slice(r[0], r[1]) : '';
  }

  /** Start of a tagged node's tag (the library's range starts after it). */
  private tagStart(node: Node, valueStart: number, lowerBound: number): number {
    const tag = node.tag;
    if (!tag || !SHORT_FORM_TAGS.has(tag)) return valueStart;
    for (let i = valueStart - tag.length; i >= lowerBound; i--) {
      if (this.text.startsWith(tag, i)) return i;
    }
    return valueStart;
  }
}

/** Plain, position-free message for a library error. */
function errorMessage(message: string): string {
  if (/maximum call stack/i.test(message)) {
    noteStackOverflow();
    return 'Nesting is too deep to parse';
  }
  const first = message.split('\n')[0]!.trim();
  return first.replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * Loads YAML text.
 *
 * YAML version: 1.1. CloudFormation documents that it reads YAML 1.1 (minus a few types), so
 * `yes`/`no`/`on`/`off` are booleans and `0777` is octal for CloudFormation as well; reading 1.2
 * would silently disagree with the deployed meaning (e.g. the well-known `Mode: OFF` trap). A
 * document's own `%YAML` directive still wins. See `schemaTags` for the CloudFormation-specific
 * schema adjustments.
 *
 * Never throws: syntax errors and limit violations come back as `problems`.
 *
 * Most templates are read by the single-pass reader of `yaml-reader.ts`; a text that uses
 * anything it leaves out (aliases, other tags, syntax errors, ...) is loaded by
 * `loadYamlWithLibrary`. Both give the same result.
 */
export function loadYaml(text: string, options: LoadOptions = {}): LoadedDocument {
  const tooMany = tooManyValues(text);
  if (tooMany) return { problems: [tooMany] };
  return readYaml(text, options.maxDepth ?? DEFAULT_MAX_DEPTH) ?? loadYamlWithLibrary(text, options);
}

/** `loadYaml` through the `yaml` package's parser, for any YAML text. */
export function loadYamlWithLibrary(text: string, options: LoadOptions = {}): LoadedDocument {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const maxAliasNodes = options.maxAliasNodes ?? DEFAULT_MAX_ALIAS_NODES;
  Y = yamlLibrary();
  const parse = (input: string) => Y.parseDocument(input, yamlParseOptions()) as Document;
  let doc: Document;
  try {
    doc = parse(text);
  } catch (error) {
    return { problems: [{ message: errorMessage(String((error as Error)?.message ?? error)), offset: 0 }] };
  }
  let walkText = text;
  let toOriginal: ((offset: number) => number) | undefined;
  if (doc.errors.length > 0) {
    // CloudFormation accepts under-indented continuation lines in flow collections and quoted
    // scalars; retry with them re-indented before calling the file broken.
    const lenient = reindentFlowContinuations(text);
    const retry = lenient ? tryParse(parse, lenient.text) : undefined;
    if (lenient && retry && retry.errors.length === 0) {
      doc = retry;
      walkText = lenient.text;
      toOriginal = lenient.toOriginal;
    } else {
      // The first error is the cause; the ones after it are usually its consequences.
      const first = doc.errors[0]!;
      // Indentation errors point at the start of the line; the offending token is more useful.
      let offset = first.pos[0];
      while (text[offset] === ' ') offset++;
      if (offset >= text.length || text[offset] === '\n' || text[offset] === '\r') offset = first.pos[0];
      return { problems: [{ message: errorMessage(first.message), offset }] };
    }
  }
  const loaded = walkDocument(walkText, doc, maxDepth, maxAliasNodes);
  if (toOriginal) {
    remapSource(loaded.source, toOriginal);
    for (const problem of loaded.problems) problem.offset = toOriginal(problem.offset);
  }
  return loaded;
}

function tryParse(parse: (input: string) => Document, input: string): Document | undefined {
  try {
    return parse(input);
  } catch {
    return undefined;
  }
}

function walkDocument(text: string, doc: Document, maxDepth: number, maxAliasNodes: number): LoadedDocument {
  let walker: YamlWalker | undefined;
  try {
    walker = new YamlWalker(text, doc, maxDepth, maxAliasNodes);
    const [value, source] = walker.walk(doc.contents as Node | null, 0, 0, -1, -1);
    return { value, source, problems: walker.problems };
  } catch (error) {
    const earlier = walker?.problems ?? [];
    if (error instanceof StopWalk) return { problems: earlier };
    if (error instanceof RangeError) {
      noteStackOverflow();
      return { problems: [...earlier, { message: 'Nesting is too deep to parse', offset: 0 }] };
    }
    return { problems: [...earlier, { message: `Could not read the YAML document: ${String(error)}`, offset: 0 }] };
  }
}
