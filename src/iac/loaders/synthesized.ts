/**
 * Building blocks for loaders that synthesize CloudFormation-shaped resources from another
 * format (Serverless Framework, Terraform): property mappings with source positions, and the
 * template assembled from them (`root.Resources.<id>.{Type, Properties}` with a source tree that
 * locates every logical path at the text it came from).
 */
import { isPlainObject, type IacValue, type PlainObject, type TemplateFormat, type Template } from '../model.js';
import { setOwn, type SourceNode } from '../document.js';
import { createTemplate } from './cloudformation.js';

export { setOwn };

/** A value with its source node. */
export interface Built {
  value: IacValue;
  source: SourceNode;
}

/** A `Properties`-like mapping under construction, with its source entries. */
export class Props {
  readonly value: PlainObject = {};
  readonly entries = new Map<string, SourceNode>();

  /** Sets `Name` or a dotted `A.B` path (creating synthetic intermediate mappings). */
  set(name: string, built: Built): void {
    const parts = name.split('.');
    let value = this.value;
    let entries = this.entries;
    for (const part of parts.slice(0, -1)) {
      let next = value[part];
      if (!isPlainObject(next)) {
        next = {};
        setOwn(value, part, next);
        entries.set(part, { start: built.source.start, end: built.source.end, keyStart: -1, keyEnd: -1, synthetic: true, entries: new Map(), ...(built.source.file === undefined ? {} : { file: built.source.file }) });
      }
      value = next;
      entries = entries.get(part)!.entries!;
    }
    const last = parts[parts.length - 1]!;
    setOwn(value, last, built.value);
    entries.set(last, built.source);
  }

  delete(name: string): void {
    delete this.value[name];
    this.entries.delete(name);
  }
}


export interface SynthesizedResource {
  id: string;
  type: string;
  props: Props;
  /** A resource declared as is (CloudFormation in the source): value and source used unchanged. */
  raw?: Built;
  /** Where the resource comes from: its range, and the key range a missing property points at. */
  node: SourceNode;
  /** Where its type comes from (defaults to `node`). */
  typeNode?: SourceNode;
  /** `Metadata` of the resource (located at `node`). */
  metadata?: PlainObject;
}

/** Builds the template (`Resources` only) over synthesized resources, in the given order. */
export function assembleTemplate(file: string, text: string, resources: Iterable<SynthesizedResource>, format: TemplateFormat, otherTexts?: ReadonlyMap<string, string>): Template {
  const declared: PlainObject = {};
  const entries = new Map<string, SourceNode>();
  for (const r of resources) {
    if (r.raw) {
      setOwn(declared, r.id, r.raw.value);
      entries.set(r.id, r.raw.source);
      continue;
    }
    setOwn(declared, r.id, r.metadata ? { Type: r.type, Properties: r.props.value, Metadata: r.metadata } : { Type: r.type, Properties: r.props.value });
    const located = new Map<string, SourceNode>([
      ['Type', r.typeNode ?? { ...r.node, entries: undefined, items: undefined }],
      ['Properties', { ...r.node, keyStart: -1, keyEnd: -1, synthetic: true, entries: r.props.entries, items: undefined }],
    ]);
    if (r.metadata) located.set('Metadata', { ...r.node, keyStart: -1, keyEnd: -1, synthetic: true, entries: undefined, items: undefined });
    entries.set(r.id, { ...r.node, entries: located });
  }
  const source: SourceNode = {
    start: 0,
    end: text.length,
    keyStart: -1,
    keyEnd: -1,
    entries: new Map([['Resources', { start: 0, end: text.length, keyStart: -1, keyEnd: -1, synthetic: true, entries }]]),
  };
  return createTemplate(file, text, { Resources: declared }, source, format, otherTexts);
}

export { isPlainObject };
