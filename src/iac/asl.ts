/**
 * Step Functions state machines in one shape, whatever format declared them.
 *
 * Sources of definitions:
 * - standalone `*.asl.json` / `*.asl.yaml` files (loaded by `loaders/asl.ts` as a template with one
 *   `AWS::StepFunctions::StateMachine` whose `Definition` is the document);
 * - `AWS::StepFunctions::StateMachine` `Definition` (a mapping) or `DefinitionString` (a JSON
 *   string, or JSON text built with `Fn::Sub` / `Fn::Join`, as CDK synthesizes it);
 * - `AWS::Serverless::StateMachine` `Definition`, or `DefinitionUri` naming a local file (read
 *   relative to the template; S3 locations are never fetched);
 * - any other loader that maps its format into `AWS::StepFunctions::StateMachine` `Definition`
 *   (Serverless Framework, Terraform).
 *
 * For definitions held in a string, the machine's `template` is a view of the declaring template
 * whose `locate` reaches inside the string: JSON offsets are mapped back to the file through the
 * string literal (JSON strings, YAML quoted, plain and block scalars); when that is not possible a
 * path inside the definition locates at the property.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Range } from '../ground/types.js';
import { loadJson } from './json.js';
import { LineIndex } from '../ground/lines.js';
import { loadAslDocument } from './loaders/asl.js';
import { Intrinsic, Unknown, isPlainObject, type IacValue, type PathSegment, type PlainObject, type Resource, type Template } from './model.js';
import { displayName, isAbsent, jsonValue, refTarget } from './resources.js';
import { remapSource, sourceChain, type SourceNode } from './yaml.js';

export interface StateMachine {
  /** Template to report against: `locate` reaches every path under `definitionPath`. */
  template: Template;
  /** The template that declares the resource (differs from `template` for SAM `DefinitionUri`). */
  owner: Template;
  resource: Resource;
  /** "state machine `Name`" for messages. */
  label: string;
  definition: PlainObject;
  /** Path of the definition in `template`. */
  definitionPath: PathSegment[];
  /** `DefinitionSubstitutions` (CloudFormation / SAM), used to resolve `${Name}` values. */
  substitutions: PlainObject;
  /** The workflow type when known: Express executions last at most five minutes. */
  workflowType: 'STANDARD' | 'EXPRESS' | undefined;
  /** Where the owner points at a definition held in another file. */
  related?: { template: Template; path: PathSegment[]; label: string }[];
}

export type AslStateType = 'Task' | 'Parallel' | 'Map';

export interface AslState {
  machine: StateMachine;
  name: string;
  type: AslStateType;
  state: PlainObject;
  /** Path of the state in `machine.template`. */
  path: PathSegment[];
  /** Runs in an Express child workflow (Distributed Map with `ExecutionType: EXPRESS`) or an Express machine. */
  express: boolean;
  /** The definition that contains the state declares a `TimeoutSeconds` (a bound on the whole run). */
  enclosingTimeout: boolean;
  retry: IacValue | undefined;
  catch: IacValue | undefined;
  resource: IacValue | undefined;
}

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------

/** A JSONata expression (`{% ... %}`): its value is only known at run time. */
export function isJsonata(value: IacValue | undefined): boolean {
  return typeof value === 'string' && /^\s*\{%[\s\S]*%\}\s*$/.test(value);
}

/** A literal number (also a numeric string); undefined for anything else (unknown, JSONata, intrinsic). */
export function numberOf(value: IacValue | undefined): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && /^\s*-?\d+(?:\.\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}

/** `${Name}` resolved through `DefinitionSubstitutions`; other values unchanged. */
export function substituted(machine: StateMachine, value: IacValue | undefined): IacValue | undefined {
  if (typeof value !== 'string') return value;
  const m = /^\$\{([^}]+)\}$/.exec(value.trim());
  if (m && Object.hasOwn(machine.substitutions, m[1]!)) return machine.substitutions[m[1]!];
  return value;
}

/**
 * The literal text of an ARN-like value: a string, an `Fn::Sub` template, or an `Fn::Join` whose
 * non-literal parts become `*` (e.g. CDK's `arn:${AWS::Partition}:states:::lambda:invoke`).
 */
export function arnText(value: IacValue | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Intrinsic && value.name === 'Fn::Sub') {
    const argument = value.argument;
    const text = typeof argument === 'string' ? argument : Array.isArray(argument) && typeof argument[0] === 'string' ? argument[0] : undefined;
    return text?.replace(/\$\{\s*AWS::Partition\s*\}/g, 'aws');
  }
  if (value instanceof Intrinsic && value.name === 'Fn::Join' && Array.isArray(value.argument)) {
    const [separator, parts] = value.argument;
    if (typeof separator === 'string' && Array.isArray(parts)) {
      return parts
        .map((p) => (typeof p === 'string' ? p : p instanceof Intrinsic && p.name === 'Ref' && p.argument === 'AWS::Partition' ? 'aws' : '*'))
        .join(separator);
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Offsets of string literals
// ---------------------------------------------------------------------------------------------

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  '0': '\0',
  a: '\x07',
  v: '\v',
  e: '\x1b',
  ' ': ' ',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
  '\t': '\t',
};

/** Decoder state: decoded characters and the file offset of each. */
class Decoded {
  chars: string[] = [];
  offsets: number[] = [];
  /** Offset just after the last character (a quoted scalar's closing quote). */
  end: number | undefined;
  push(text: string, offset: number): void {
    for (const c of text) {
      // one entry per UTF-16 unit
      for (let i = 0; i < c.length; i++) {
        this.chars.push(c[i]!);
        this.offsets.push(offset);
      }
    }
  }
  /** `text` copied verbatim from the file at `offset`: one offset per character. */
  pushRun(text: string, offset: number): void {
    for (let k = 0; k < text.length; k++) {
      this.chars.push(text[k]!);
      this.offsets.push(offset + k);
    }
  }
  trimTrailingBlanks(): void {
    while (this.chars.length > 0 && (this.chars[this.chars.length - 1] === ' ' || this.chars[this.chars.length - 1] === '\t')) {
      this.chars.pop();
      this.offsets.pop();
    }
  }
  get text(): string {
    return this.chars.join('');
  }
}

/** Skips a line break at `i` (\n, \r\n, \r); returns the index after it, or -1 when there is none. */
function lineBreak(raw: string, i: number): number {
  if (raw[i] === '\r') return raw[i + 1] === '\n' ? i + 2 : i + 1;
  if (raw[i] === '\n') return i + 1;
  return -1;
}

/**
 * Flow scalar line folding at a line break: trailing blanks removed, blank lines become `\n`,
 * otherwise a single space. Returns the index of the first content character after the fold.
 */
function fold(raw: string, i: number, out: Decoded, base: number): number {
  out.trimTrailingBlanks();
  let j = lineBreak(raw, i);
  let breaks = 0;
  for (;;) {
    while (raw[j] === ' ' || raw[j] === '\t') j++;
    const next = lineBreak(raw, j);
    if (next < 0) break;
    breaks++;
    j = next;
  }
  out.push(breaks > 0 ? '\n'.repeat(breaks) : ' ', base + i);
  return j;
}

function decodeDoubleQuoted(raw: string, base: number): Decoded | undefined {
  const out = new Decoded();
  let i = 1;
  while (i < raw.length) {
    const c = raw[i]!;
    if (c === '"') {
      out.end = base + i;
      return out;
    }
    if (c === '\\') {
      const e = raw[i + 1];
      if (e === undefined) return undefined;
      const hex = e === 'u' ? 4 : e === 'x' ? 2 : e === 'U' ? 8 : 0;
      if (hex > 0) {
        const digits = raw.slice(i + 2, i + 2 + hex);
        if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== hex) return undefined;
        out.push(String.fromCodePoint(parseInt(digits, 16)), base + i);
        i += 2 + hex;
        continue;
      }
      const after = lineBreak(raw, i + 1);
      if (after >= 0) {
        // escaped line break: the break and the next line's indentation disappear
        i = after;
        while (raw[i] === ' ' || raw[i] === '\t') i++;
        continue;
      }
      const simple = SIMPLE_ESCAPES[e];
      if (simple === undefined) return undefined;
      out.push(simple, base + i);
      i += 2;
      continue;
    }
    if (c === '\n' || c === '\r') {
      i = fold(raw, i, out, base);
      continue;
    }
    out.push(c, base + i);
    i++;
  }
  return undefined;
}

function decodeSingleQuoted(raw: string, base: number): Decoded | undefined {
  const out = new Decoded();
  let i = 1;
  while (i < raw.length) {
    const c = raw[i]!;
    if (c === "'") {
      if (raw[i + 1] === "'") {
        out.push("'", base + i);
        i += 2;
        continue;
      }
      out.end = base + i;
      return out;
    }
    if (c === '\n' || c === '\r') {
      i = fold(raw, i, out, base);
      continue;
    }
    out.push(c, base + i);
    i++;
  }
  return undefined;
}

function decodePlain(raw: string, base: number): Decoded {
  const out = new Decoded();
  let i = 0;
  while (i < raw.length) {
    const c = raw[i]!;
    if (c === '\n' || c === '\r') {
      i = fold(raw, i, out, base);
      continue;
    }
    out.push(c, base + i);
    i++;
  }
  out.trimTrailingBlanks();
  return out;
}

function decodeBlock(raw: string, base: number): Decoded | undefined {
  const folded = raw[0] === '>';
  const headerEnd = raw.search(/\r?\n|\r/);
  if (headerEnd < 0) return undefined;
  const lines: { start: number; text: string }[] = [];
  const breaks = /\r\n|\n|\r/g;
  breaks.lastIndex = lineBreak(raw, headerEnd);
  let lineStart = breaks.lastIndex;
  for (let m = breaks.exec(raw); ; m = breaks.exec(raw)) {
    const end = m ? m.index : raw.length;
    lines.push({ start: lineStart, text: raw.slice(lineStart, end) });
    if (!m) break;
    lineStart = m.index + m[0].length;
  }
  // the content's indentation is the first non-blank line's (an explicit indentation indicator
  // is relative to the parent, which is not known here; the value check below catches a mismatch)
  let indent = -1;
  for (const line of lines) {
    if (line.text.trim() === '') continue;
    indent = line.text.length - line.text.trimStart().length;
    break;
  }
  if (indent < 0) return new Decoded();
  const out = new Decoded();
  let previousWasText = false;
  for (const line of lines) {
    const blank = line.text.trim() === '';
    const content = blank ? '' : line.text.slice(indent);
    const moreIndented = !blank && /^[ \t]/.test(content);
    if (folded && previousWasText && !blank && !moreIndented) {
      // a single line break between two text lines folds into a space
      const last = out.chars.length - 1;
      if (out.chars[last] === '\n') out.chars[last] = ' ';
    }
    out.pushRun(content, base + line.start + (blank ? 0 : indent));
    out.push('\n', base + line.start + line.text.length);
    previousWasText = !blank && !moreIndented;
  }
  return out;
}

/**
 * File offset of each UTF-16 unit of the string `value` held by the scalar at `node`, plus one
 * more for its end; undefined when the literal cannot be mapped.
 */
export function stringOffsets(text: string, node: SourceNode, value: string): number[] | undefined {
  const raw = text.slice(node.start, node.end);
  const identity = (at: number): number[] => Array.from({ length: value.length + 1 }, (_, k) => node.start + at + k);
  if (raw === value) return identity(0);
  let decoded: Decoded | undefined;
  const first = raw[0];
  if (first === '"') decoded = decodeDoubleQuoted(raw, node.start);
  else if (first === "'") decoded = decodeSingleQuoted(raw, node.start);
  else if (first === '|' || first === '>') decoded = decodeBlock(raw, node.start);
  else if (raw.includes('\n') || raw.includes('\r')) decoded = decodePlain(raw, node.start);
  if (decoded) {
    const d = decoded.text;
    if (d === value || (d.startsWith(value) && /^[\r\n]*$/.test(d.slice(value.length)))) {
      const offsets = decoded.offsets.slice(0, value.length);
      offsets.push(value.length < decoded.offsets.length ? decoded.offsets[value.length]! : (decoded.end ?? node.end));
      return offsets;
    }
    if (value.startsWith(d) && /^\n*$/.test(value.slice(d.length))) {
      const offsets = decoded.offsets.slice();
      while (offsets.length <= value.length) offsets.push(decoded.end ?? node.end);
      return offsets;
    }
  }
  // e.g. a heredoc whose text is the value verbatim
  const at = raw.indexOf(value);
  return at >= 0 && value.length > 0 ? identity(at) : undefined;
}

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

// ---------------------------------------------------------------------------------------------
// State machines
// ---------------------------------------------------------------------------------------------

function workflowType(value: IacValue | undefined): StateMachine['workflowType'] {
  if (typeof value !== 'string') return undefined;
  const upper = value.toUpperCase();
  return upper === 'EXPRESS' ? 'EXPRESS' : upper === 'STANDARD' ? 'STANDARD' : undefined;
}

function isLocalPath(uri: string): boolean {
  return uri !== '' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(uri) && !uri.includes('${');
}

/** `DefinitionUri` of a SAM state machine: the definition in a local file, loaded as ASL. */
function definitionFromUri(owner: Template, uri: string): { template: Template; definition: PlainObject } | undefined {
  if (!isLocalPath(uri)) return undefined;
  let file = path.resolve(path.dirname(owner.file), uri);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // case-insensitive file systems (macOS, Windows) accept a differently cased name
    const dir = path.dirname(file);
    const lower = path.basename(file).toLowerCase();
    let match: string | undefined;
    try {
      match = readdirSync(dir).find((name) => name.toLowerCase() === lower);
    } catch {
      return undefined;
    }
    if (!match) return undefined;
    file = path.join(dir, match);
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const loaded = loadAslDocument(file, text);
  const template = loaded?.template;
  if (!template) return undefined;
  const only = [...template.resources.values()][0];
  const definition = only?.properties['Definition'];
  if (!isPlainObject(definition)) return undefined;
  return { template, definition };
}

const CACHE = new WeakMap<Template, StateMachine[]>();

function machinesOf(template: Template): StateMachine[] {
  const cached = CACHE.get(template);
  if (cached) return cached;
  const machines: StateMachine[] = [];
  for (const resource of template.resources.values()) {
    if (resource.type !== 'AWS::StepFunctions::StateMachine' && resource.type !== 'AWS::Serverless::StateMachine') continue;
    const p = resource.properties;
    const propertiesPath = [...resource.path, 'Properties'];
    const substitutions = isPlainObject(p['DefinitionSubstitutions']) ? p['DefinitionSubstitutions'] : {};
    const type = workflowType(resource.type === 'AWS::Serverless::StateMachine' ? p['Type'] : p['StateMachineType']);
    const base = { owner: template, resource, label: `state machine \`${displayName(resource)}\``, substitutions, workflowType: type };
    const definition = p['Definition'];
    if (isPlainObject(definition)) {
      machines.push({ ...base, template, definition, definitionPath: [...propertiesPath, 'Definition'] });
      continue;
    }
    if (!isAbsent(definition) && !(definition instanceof Unknown) && !(definition instanceof Intrinsic && definition.name !== 'Fn::Sub' && definition.name !== 'Fn::Join')) {
      // a Definition given as a JSON string (some generators do)
      const held = stringDefinition(template, [...propertiesPath, 'Definition'], definition);
      if (held) machines.push({ ...base, ...held });
      continue;
    }
    const definitionString = p['DefinitionString'];
    if (!isAbsent(definitionString)) {
      const held = stringDefinition(template, [...propertiesPath, 'DefinitionString'], definitionString);
      if (held) machines.push({ ...base, ...held });
      continue;
    }
    // Serverless Framework `definition: ${file(./machine.asl.yml)}`
    const fileVariable = definition instanceof Unknown ? /^\$\{file\(\s*([^)\s]+)\s*\)\}$/.exec(definition.description.trim()) : null;
    const uri = fileVariable ? fileVariable[1] : p['DefinitionUri'];
    const uriPath = fileVariable ? [...propertiesPath, 'Definition'] : [...propertiesPath, 'DefinitionUri'];
    if ((fileVariable || resource.type === 'AWS::Serverless::StateMachine') && typeof uri === 'string') {
      const loaded = definitionFromUri(template, uri);
      if (loaded) {
        const only = [...loaded.template.resources.values()][0]!;
        machines.push({
          ...base,
          template: loaded.template,
          definition: loaded.definition,
          definitionPath: [...only.path, 'Properties', 'Definition'],
          related: [{ template, path: uriPath, label: `${fileVariable ? 'definition' : 'DefinitionUri'} of ${base.label}` }],
        });
      }
    }
  }
  CACHE.set(template, machines);
  return machines;
}

function stringDefinition(
  template: Template,
  definitionPath: PathSegment[],
  value: IacValue,
): { template: Template; definition: PlainObject; definitionPath: PathSegment[] } | undefined {
  const parsed = jsonValue(value);
  if (!isPlainObject(parsed)) return undefined;
  const inner = innerSource(template, definitionPath, value);
  return { template: inner ? withInnerLocate(template, definitionPath, inner) : template, definition: parsed, definitionPath };
}

/**
 * Every state machine of the given templates. A definition file that a SAM `DefinitionUri` of one
 * of the templates reads is reported through that state machine only, not again as a standalone file.
 */
export function stateMachines(templates: readonly Template[]): StateMachine[] {
  const all = templates.flatMap(machinesOf);
  const viaUri = new Set(all.filter((m) => m.template !== m.owner).map((m) => path.resolve(m.template.file)));
  return all.filter((m) => !(m.owner.format === 'asl' && m.template === m.owner && viaUri.has(path.resolve(m.owner.file))));
}

/** Is the map state's item processor a Distributed Map running Express child workflows? */
function runsExpressChildren(state: PlainObject): boolean {
  const processor = isPlainObject(state['ItemProcessor']) ? state['ItemProcessor'] : undefined;
  const config = processor && isPlainObject(processor['ProcessorConfig']) ? processor['ProcessorConfig'] : undefined;
  return typeof config?.['ExecutionType'] === 'string' && config['ExecutionType'].toUpperCase() === 'EXPRESS';
}

/**
 * Task, Parallel and Map states of a state machine, nested ones included (`Parallel.Branches[].States`,
 * `Map.ItemProcessor.States`, `Map.Iterator.States`), in document order.
 */
export function statesOf(machine: StateMachine): AslState[] {
  type Scope = { path: PathSegment[]; express: boolean; timeout: boolean };
  type Work = ({ kind: 'definition'; definition: PlainObject } | { kind: 'state'; name: string; state: PlainObject }) & Scope;
  const out: AslState[] = [];
  // explicit stack, last in first out: document order without recursion
  const stack: Work[] = [
    {
      kind: 'definition',
      definition: machine.definition,
      path: machine.definitionPath,
      express: machine.workflowType === 'EXPRESS',
      timeout: !isAbsent(machine.definition['TimeoutSeconds']),
    },
  ];
  while (stack.length > 0) {
    const work = stack.pop()!;
    if (work.kind === 'definition') {
      const states = work.definition['States'];
      if (!isPlainObject(states)) continue;
      const entries = Object.entries(states);
      for (let k = entries.length - 1; k >= 0; k--) {
        const [name, state] = entries[k]!;
        if (isPlainObject(state)) stack.push({ kind: 'state', name, state, path: [...work.path, 'States', name], express: work.express, timeout: work.timeout });
      }
      continue;
    }
    const { name, state, path: statePath, express, timeout } = work;
    const type = state['Type'];
    if (type !== 'Task' && type !== 'Parallel' && type !== 'Map') continue;
    out.push({ machine, name, type, state, path: statePath, express, enclosingTimeout: timeout, retry: state['Retry'], catch: state['Catch'], resource: state['Resource'] });
    const nested: Work[] = [];
    if (type === 'Parallel' && Array.isArray(state['Branches'])) {
      state['Branches'].forEach((branch, k) => {
        if (isPlainObject(branch)) {
          nested.push({ kind: 'definition', definition: branch, path: [...statePath, 'Branches', k], express, timeout: timeout || !isAbsent(branch['TimeoutSeconds']) });
        }
      });
    } else if (type === 'Map') {
      for (const key of ['ItemProcessor', 'Iterator']) {
        const processor = state[key];
        if (!isPlainObject(processor)) continue;
        nested.push({
          kind: 'definition',
          definition: processor,
          path: [...statePath, key],
          express: express || runsExpressChildren(state),
          timeout: timeout || !isAbsent(processor['TimeoutSeconds']),
        });
      }
    }
    for (let k = nested.length - 1; k >= 0; k--) stack.push(nested[k]!);
  }
  return out;
}

/** Every Task, Parallel and Map state of every state machine of the templates. */
export function stateMachineStates(templates: readonly Template[]): AslState[] {
  return stateMachines(templates).flatMap(statesOf);
}

const LAMBDA_FUNCTION_ARN = /^arn:[^:]*:lambda:[^:]*:[^:]*:function:/;
const LAMBDA_INVOKE = /^arn:[^:]*:states:::lambda:invoke$/;
const LAMBDA_TYPES = new Set(['AWS::Lambda::Function', 'AWS::Serverless::Function', 'AWS::Lambda::Alias', 'AWS::Lambda::Version']);

/** The task invokes a Lambda function synchronously (`lambda:invoke` or a function ARN as the resource). */
export function isLambdaTask(task: AslState): boolean {
  if (task.type !== 'Task') return false;
  const resource = substituted(task.machine, task.resource);
  const text = arnText(resource);
  if (text !== undefined && (LAMBDA_INVOKE.test(text) || LAMBDA_FUNCTION_ARN.test(text))) return true;
  const owner = task.machine.owner;
  const id = resource instanceof Intrinsic ? refTarget(resource, owner) : undefined;
  if (!id) return false;
  const target = owner.resources.get(id)!;
  if (!LAMBDA_TYPES.has(target.type)) return false;
  // `Ref` of a function is its name, not an ARN: only ARNs count
  return !(resource instanceof Intrinsic && resource.name === 'Ref' && target.type !== 'AWS::Lambda::Alias' && target.type !== 'AWS::Lambda::Version');
}

/** Type of the template resource the task's `Resource` refers to (`AWS::StepFunctions::Activity`, ...). */
export function resourceTargetType(task: AslState): string | undefined {
  const resource = substituted(task.machine, task.resource);
  const id = resource instanceof Intrinsic ? refTarget(resource, task.machine.owner) : undefined;
  return id ? task.machine.owner.resources.get(id)!.type : undefined;
}

/** The resource as text for messages (`arn:aws:states:::lambda:invoke`, `!GetAtt Fn.Arn`, ...). */
export function describeResource(task: AslState): string | undefined {
  const resource = substituted(task.machine, task.resource);
  if (typeof resource === 'string') return resource;
  if (resource instanceof Intrinsic) {
    const id = refTarget(resource, task.machine.owner);
    if (id) return `\`${displayName(task.machine.owner.resources.get(id)!)}\``;
    const text = arnText(resource);
    if (text !== undefined) return text.replace(/\$\{AWS::(?:Region|AccountId)\}/g, '*');
  }
  return undefined;
}

