/**
 * State machine definitions that are not a mapping in the declaring template. A definition held
 * in a string (`DefinitionString`, or a `Definition` given as JSON text) is assembled from the
 * string, an `Fn::Sub` template (placeholders stand for the substitutions) or an `Fn::Join` of
 * parts, with the file offset of every character; the JSON is then parsed with positions, and the
 * definition gets a view of its template whose `locate` reaches inside the string (a path that
 * cannot be mapped locates at the property). A definition in another file (SAM `DefinitionUri`,
 * Serverless `${file(...)}`) is read relative to the template and loaded as a standalone ASL
 * document; S3 locations are never fetched.
 */
import type { Range } from '../ground/types.js';
import { LineIndex } from '../ground/lines.js';
import { loadJson } from './json.js';
import { loadAslDocument } from './loaders/asl.js';
import { localFile } from './local-files.js';
import { Intrinsic, isPlainObject, type IacValue, type PathSegment, type PlainObject, type Template } from './model.js';
import { jsonValue } from './resources.js';
import { stringOffsets } from './string-offsets.js';
import { remapSource, sourceChain, type SourceNode } from './document.js';

// ---------------------------------------------------------------------------------------------
// Definitions held in strings
// ---------------------------------------------------------------------------------------------

const OPEN = '\uE000';
const CLOSE = '\uE001';

/** JSON text assembled from pieces, with the file offset of each character (and one for the end). */
class Assembled {
  text = '';
  offsets: number[] = [];
  /** Whether the end of `text` is inside a JSON string literal (tracked as text is appended). */
  private inside = false;
  private escaped = false;
  literal(value: string, offsets: number[] | undefined, fallback: number): void {
    this.text += value;
    for (let k = 0; k < value.length; k++) {
      this.offsets.push(offsets ? offsets[k]! : fallback);
      const c = value[k];
      if (this.escaped) this.escaped = false;
      else if (this.inside && c === '\\') this.escaped = true;
      else if (c === '"') this.inside = !this.inside;
    }
  }
  placeholder(index: number, offset: number): void {
    const token = `${OPEN}${index}${CLOSE}`;
    this.literal(this.inside ? token : `"${token}"`, undefined, offset);
  }
  finish(end: number): void {
    this.offsets.push(end);
  }
}

/** Range of the node at `path` when it exists. */
type NodeAt = (path: PathSegment[]) => SourceNode | undefined;

/** The JSON text of a `DefinitionString`-like value with file offsets, when it can be assembled. */
function assemble(text: string, value: IacValue, nodeAt: NodeAt): Assembled | undefined {
  const out = new Assembled();
  if (typeof value === 'string') {
    const node = nodeAt([]);
    const offsets = node && stringOffsets(text, node, value);
    if (!node || !offsets) return undefined;
    out.literal(value, offsets, node.start);
    out.finish(offsets[value.length]!);
    return out;
  }
  if (!(value instanceof Intrinsic)) return undefined;
  if (value.name === 'Fn::Sub') {
    const argument = value.argument;
    const [body, bodyNode] =
      typeof argument === 'string'
        ? [argument, nodeAt(['Fn::Sub'])]
        : Array.isArray(argument) && typeof argument[0] === 'string'
          ? [argument[0], nodeAt(['Fn::Sub', 0])]
          : [undefined, undefined];
    if (body === undefined || !bodyNode) return undefined;
    const offsets = stringOffsets(text, bodyNode, body);
    if (!offsets) return undefined;
    let last = 0;
    let index = 0;
    for (const match of body.matchAll(/\$\{([^}]*)\}/g)) {
      if (match[1]!.startsWith('!')) continue;
      out.literal(body.slice(last, match.index), offsets.slice(last, match.index), offsets[last]!);
      out.placeholder(index++, offsets[match.index]!);
      last = match.index + match[0].length;
    }
    out.literal(body.slice(last), offsets.slice(last), offsets[last]!);
    out.finish(offsets[body.length]!);
    return out;
  }
  if (value.name === 'Fn::Join') {
    const argument = value.argument;
    if (!Array.isArray(argument) || typeof argument[0] !== 'string' || !Array.isArray(argument[1])) return undefined;
    const separator = argument[0];
    const parts = argument[1];
    const separatorNode = nodeAt(['Fn::Join', 0]);
    let end = nodeAt(['Fn::Join'])?.end ?? 0;
    for (let k = 0; k < parts.length; k++) {
      const part = parts[k]!;
      const partNode = nodeAt(['Fn::Join', 1, k]);
      if (!partNode) return undefined;
      if (k > 0 && separator) out.literal(separator, undefined, separatorNode?.start ?? partNode.start);
      if (typeof part === 'string') {
        const offsets = stringOffsets(text, partNode, part);
        out.literal(part, offsets, partNode.start);
        end = offsets ? offsets[part.length]! : partNode.end;
      } else if (typeof part === 'number' || typeof part === 'boolean') {
        out.literal(String(part), undefined, partNode.start);
        end = partNode.end;
      } else {
        out.placeholder(k, partNode.start);
        end = partNode.end;
      }
    }
    out.finish(end);
    return out;
  }
  return undefined;
}

/** Position tree (file offsets) of the JSON document held by a string-valued property. */
function innerSource(template: Template, propertyPath: PathSegment[], value: IacValue): SourceNode | undefined {
  const nodeAt: NodeAt = (sub) => {
    const where = template.locate([...propertyPath, ...sub]);
    return where.exact ? { start: where.start, end: where.end, keyStart: -1, keyEnd: -1 } : undefined;
  };
  const assembled = assemble(template.text, value, nodeAt);
  if (!assembled) return undefined;
  const loaded = loadJson(assembled.text);
  if (!loaded.source) return undefined;
  const offsets = assembled.offsets;
  remapSource(loaded.source, (o) => offsets[Math.max(0, Math.min(o, offsets.length - 1))]!);
  return loaded.source;
}

/** A view of `template` whose `locate` maps paths under `prefix` into `inner`. */
function withInnerLocate(template: Template, prefix: PathSegment[], inner: SourceNode): Template {
  let lines: LineIndex | undefined;
  const range = (start: number, end: number): Range => (lines ??= new LineIndex(template.text)).range(start, end);
  const locate: Template['locate'] = (p) => {
    const within = p.length > prefix.length && prefix.every((segment, k) => String(p[k]) === String(segment));
    if (!within) return template.locate(p);
    const { chain, found } = sourceChain(inner, p.slice(prefix.length));
    const last = chain[chain.length - 1]!;
    if (found) return { range: range(last.start, last.end), start: last.start, end: last.end, exact: true };
    // as createTemplate does: the nearest existing node's key, or a list item's value
    if (chain.length > 1) {
      if (last.keyStart >= 0) return { range: range(last.keyStart, last.keyEnd), start: last.keyStart, end: last.keyEnd, exact: false };
      return { range: range(last.start, last.end), start: last.start, end: last.end, exact: false };
    }
    const fallback = template.locate(prefix);
    return { ...fallback, exact: false };
  };
  return { ...template, locate };
}

/** `DefinitionUri` of a SAM state machine: the definition in a local file, loaded as ASL. */
export function definitionFromUri(owner: Template, uri: string): { template: Template; definition: PlainObject } | undefined {
  const found = localFile(owner, uri);
  if (!found) return undefined;
  const { file, text } = found;
  const loaded = loadAslDocument(file, text);
  const template = loaded?.template;
  if (!template) return undefined;
  const only = [...template.resources.values()][0];
  const definition = only?.properties['Definition'];
  if (!isPlainObject(definition)) return undefined;
  return { template, definition };
}

export function stringDefinition(
  template: Template,
  definitionPath: PathSegment[],
  value: IacValue,
): { template: Template; definition: PlainObject; definitionPath: PathSegment[] } | undefined {
  const parsed = jsonValue(value);
  if (!isPlainObject(parsed)) return undefined;
  const inner = innerSource(template, definitionPath, value);
  return { template: inner ? withInnerLocate(template, definitionPath, inner) : template, definition: parsed, definitionPath };
}
