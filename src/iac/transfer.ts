/**
 * Passing loaded templates between threads. A worker loads a CloudFormation/SAM/CDK template
 * and posts its document (plain values) and position tree; the main thread builds the same
 * `Template` over them. Structured cloning keeps maps and shared subtrees but not classes, so
 * intrinsics and unknown values travel as plain objects, with their kinds listed apart (in the
 * order a depth-first walk meets them) rather than marked inside the document, where any key a
 * marker could use might also be a real one.
 */
import { Intrinsic, Unknown, type IacValue, type PlainObject, type Template, type TemplateFormat } from './model.js';
import { setOwn, type SourceNode } from './document.js';
import { createTemplate, templateSource } from './loaders/cloudformation.js';

export interface PackedTemplate {
  file: string;
  text: string;
  format: TemplateFormat;
  root: PlainObject;
  source: SourceNode;
  /** Kind of each object the walk meets: 0 plain (or array), 1 intrinsic, 2 unknown. */
  kinds: number[];
  otherTexts?: ReadonlyMap<string, string>;
}

const PLAIN = 0;
const INTRINSIC = 1;
const UNKNOWN = 2;

/** The template as plain data, or undefined when it was not built over one position tree. */
export function packTemplate(template: Template): PackedTemplate | undefined {
  const source = templateSource(template);
  if (!source) return undefined;
  const kinds: number[] = [];
  const seen = new Map<object, IacValue>();
  const pack = (value: IacValue): IacValue => {
    if (typeof value !== 'object' || value === null) return value;
    const done = seen.get(value);
    if (done !== undefined) return done;
    let out: IacValue;
    if (value instanceof Intrinsic) {
      kinds.push(INTRINSIC);
      const plain: PlainObject = {};
      seen.set(value, plain);
      plain['name'] = value.name;
      plain['argument'] = pack(value.argument);
      out = plain;
    } else if (value instanceof Unknown) {
      kinds.push(UNKNOWN);
      out = { description: value.description };
      seen.set(value, out);
    } else if (Array.isArray(value)) {
      kinds.push(PLAIN);
      const list: IacValue[] = [];
      seen.set(value, list);
      for (const item of value) list.push(pack(item));
      out = list;
    } else {
      kinds.push(PLAIN);
      const plain: PlainObject = {};
      seen.set(value, plain);
      // own properties, also for a resource named `__proto__`
      for (const key of Object.keys(value)) setOwn(plain, key, pack(value[key]!));
      out = plain;
    }
    return out;
  };
  const root = pack(template.root) as PlainObject;
  const packed: PackedTemplate = { file: template.file, text: template.text, format: template.format, root, source, kinds };
  if (template.otherTexts) packed.otherTexts = template.otherTexts;
  return packed;
}

/** The template a worker packed, rebuilt on this thread. */
export function unpackTemplate(packed: PackedTemplate): Template {
  const { kinds } = packed;
  let k = 0;
  const seen = new Map<object, IacValue>();
  const unpack = (value: IacValue): IacValue => {
    if (typeof value !== 'object' || value === null) return value;
    const done = seen.get(value);
    if (done !== undefined) return done;
    const kind = kinds[k++];
    if (kind === INTRINSIC) {
      const plain = value as { name: string; argument: IacValue };
      // an intrinsic cannot contain itself: its argument is walked before it exists
      const out = new Intrinsic(plain.name, unpack(plain.argument));
      seen.set(value, out);
      return out;
    }
    if (kind === UNKNOWN) {
      const out = new Unknown((value as { description: string }).description);
      seen.set(value, out);
      return out;
    }
    seen.set(value, value);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = unpack(value[i]!);
    } else {
      const plain = value as PlainObject;
      for (const key of Object.keys(plain)) setOwn(plain, key, unpack(plain[key]!));
    }
    return value;
  };
  const root = unpack(packed.root) as PlainObject;
  return createTemplate(packed.file, packed.text, root, packed.source, packed.format, packed.otherTexts);
}
