/**
 * HCL expressions of a Terraform file as values of the resource model, each with its source
 * position. Literals become values; a reference `aws_x.name.arn` becomes
 * `Fn::GetAtt [aws_x.name, Arn]` (`.id` becomes `Ref`, `.url` of a queue `QueueUrl`, `.name` of a
 * queue `QueueName`, other attributes PascalCase), so that `refTarget` follows it. `var.*`,
 * `local.*`, `data.*`, `module.*` (except the outputs of the registry modules
 * `terraform-registry.ts` reads), function calls other than `jsonencode`, conditionals, `for`
 * expressions and string interpolations are `Unknown` values (a string like `"${aws_x.y.arn}"`
 * that is one interpolation is the reference itself). JSON-carrying attributes are read from
 * `jsonencode({...})` or a heredoc with positions inside, or from a quoted string without them.
 */
import { loadJson, parseEmbeddedJson } from '../json.js';
import { Intrinsic, Unknown, isPlainObject, type IacValue, type PlainObject } from '../model.js';
import type { SourceNode } from '../document.js';
import { namedChildren, unescapeHcl, type HclNode } from '../hcl.js';
import { setOwn, type Built } from './synthesized.js';

/** Reference attributes with a CloudFormation name that is not plain PascalCase, per resource type. */
const ATTRIBUTE_NAMES: Record<string, Record<string, string>> = {
  aws_sqs_queue: { url: 'QueueUrl', name: 'QueueName' },
  aws_sns_topic: { name: 'TopicName' },
  aws_kinesis_stream: { name: 'Name' },
};

/** Roots of expressions whose value is not known from the file. */
const UNKNOWN_ROOTS = new Set(['var', 'local', 'data', 'module', 'each', 'count', 'path', 'terraform', 'self']);

export const MAX_DEPTH = 200;

function pascal(snake: string): string {
  return snake
    .split('_')
    .map((part) => (part ? part[0]!.toUpperCase() + part.slice(1) : ''))
    .join('');
}

export function src(node: HclNode): SourceNode {
  return { start: node.startIndex, end: node.endIndex, keyStart: -1, keyEnd: -1 };
}

/** Text of a plain string label or a `string_lit` without interpolation. */
export function labelText(node: HclNode): string {
  if (node.type === 'identifier') return node.text;
  const literal = namedChildren(node).filter((c) => c.type === 'template_literal');
  return unescapeHcl(literal.map((c) => c.text).join(''));
}

export class Converter {
  /** Registry modules the file calls, by name: their outputs are references to the resources they create. */
  readonly modules = new Map<string, (output: string) => IacValue | undefined>();
  /** `locals` of the file, by name (their expressions; read only where a file a value renders is asked for). */
  readonly locals = new Map<string, HclNode>();
  /** `data "template_file"` blocks of the file, by name: their `template` and `vars` expressions. */
  readonly templateFiles = new Map<string, { template?: HclNode; vars?: HclNode }>();

  constructor(private readonly text: string) {}

  unknown(node: HclNode): Built {
    let text = node.text;
    // a quoted template: the string without its quotes (`orders-${var.env}`)
    if (/^"[^]*"$/.test(text) && !text.includes('\n')) text = text.slice(1, -1);
    return { value: new Unknown(text.length > 200 ? `${text.slice(0, 197)}...` : text), source: src(node) };
  }

  /** An expression (or any expression-like node) as a model value. */
  expression(node: HclNode, depth = 0): Built {
    if (depth > MAX_DEPTH) return this.unknown(node);
    const kids = namedChildren(node);
    switch (node.type) {
      case 'expression': {
        if (kids.length === 1) return this.expression(kids[0]!, depth + 1);
        return this.traversal(node, kids);
      }
      case 'literal_value':
      case 'collection_value':
      case 'template_expr':
        return kids.length === 1 ? this.expression(kids[0]!, depth + 1) : this.unknown(node);
      case 'numeric_lit': {
        const n = Number(node.text);
        return Number.isFinite(n) ? { value: n, source: src(node) } : this.unknown(node);
      }
      case 'bool_lit':
        return { value: node.text === 'true', source: src(node) };
      case 'null_lit':
        return { value: null, source: src(node) };
      case 'string_lit':
        return { value: labelText(node), source: src(node) };
      case 'quoted_template':
      case 'heredoc_template':
        return this.template(node, depth);
      case 'tuple': {
        const items = kids.filter((c) => c.type === 'expression').map((c) => this.expression(c, depth + 1));
        return { value: items.map((i) => i.value), source: { ...src(node), items: items.map((i) => i.source) } };
      }
      case 'object':
        return this.object(node, kids, depth);
      case 'function_call':
        return this.call(node, kids, depth);
      case 'variable_expr':
        return this.traversal(node, [node]);
      case 'operation': {
        const unary = kids[0];
        if (unary?.type === 'unary_operation' && unary.text.startsWith('-')) {
          const operand = namedChildren(unary)[0];
          if (operand) {
            const inner = this.expression(operand, depth + 1);
            if (typeof inner.value === 'number') return { value: -inner.value, source: src(node) };
          }
        }
        return this.unknown(node);
      }
      default:
        return this.unknown(node);
    }
  }

  private object(node: HclNode, kids: HclNode[], depth: number): Built {
    const value: PlainObject = {};
    const entries = new Map<string, SourceNode>();
    for (const elem of kids) {
      if (elem.type !== 'object_elem') continue;
      const [keyNode, valueNode] = namedChildren(elem).filter((c) => c.type === 'expression');
      if (!keyNode || !valueNode) return this.unknown(node);
      const key = this.objectKey(keyNode);
      if (key === undefined) return this.unknown(node);
      const built = this.expression(valueNode, depth + 1);
      setOwn(value, key, built.value);
      entries.set(key, { ...built.source, keyStart: keyNode.startIndex, keyEnd: keyNode.endIndex });
    }
    return { value, source: { ...src(node), entries } };
  }

  /** An object key: a bare identifier or a literal string; anything else is not known. */
  private objectKey(node: HclNode): string | undefined {
    const kids = namedChildren(node);
    if (kids.length !== 1) return undefined;
    const only = kids[0]!;
    if (only.type === 'variable_expr') return only.text;
    if (only.type === 'literal_value') {
      const literal = namedChildren(only)[0];
      if (literal?.type === 'string_lit') return labelText(literal);
      return literal?.text;
    }
    return undefined;
  }

  private call(node: HclNode, kids: HclNode[], depth: number): Built {
    const name = kids[0]?.type === 'identifier' ? kids[0].text : '';
    const args = kids.find((c) => c.type === 'function_arguments');
    const argList = args ? namedChildren(args).filter((c) => c.type === 'expression') : [];
    if (name === 'jsonencode' && argList.length === 1 && !args!.text.trimEnd().endsWith('...')) {
      return this.expression(argList[0]!, depth + 1);
    }
    return this.unknown(node);
  }

  /**
   * The file a value is rendered from, relative to the module's folder, and the variables it is
   * rendered with: `templatefile("${path.module}/machine.asl.json", { fn = aws_lambda_function.f.arn })`,
   * `file(...)`, a local holding one of those, or `data.template_file.<name>.rendered`.
   */
  renderedFile(node: HclNode, depth = 0): { file: string; vars?: Built } | undefined {
    if (depth > 4) return undefined;
    let e = node;
    for (let kids = namedChildren(e); e.type === 'expression' && kids.length === 1; kids = namedChildren(e)) e = kids[0]!;
    if (e.type === 'function_call') {
      const kids = namedChildren(e);
      const name = kids[0]?.type === 'identifier' ? kids[0].text : '';
      const args = kids.find((c) => c.type === 'function_arguments');
      const argList = args ? namedChildren(args).filter((c) => c.type === 'expression') : [];
      if ((name !== 'templatefile' && name !== 'file') || argList.length < 1) return undefined;
      const file = this.modulePath(argList[0]!);
      if (file === undefined) return undefined;
      return name === 'templatefile' && argList[1] ? { file, vars: this.expression(argList[1]) } : { file };
    }
    const names = e.type === 'expression' ? traversalNames(e) : undefined;
    if (names?.length === 2 && names[0] === 'local') {
      const local = this.locals.get(names[1]!);
      return local ? this.renderedFile(local, depth + 1) : undefined;
    }
    if (names?.length === 4 && names[0] === 'data' && names[1] === 'template_file' && names[3] === 'rendered') {
      const data = this.templateFiles.get(names[2]!);
      const rendered = data?.template ? this.renderedFile(data.template, depth + 1) : undefined;
      if (!rendered) return undefined;
      return data!.vars ? { file: rendered.file, vars: this.expression(data!.vars) } : rendered;
    }
    return undefined;
  }

  /** `"${path.module}/statemachine/machine.asl.json"` or a plain relative path: the path from the module's folder. */
  private modulePath(node: HclNode): string | undefined {
    const template = findTemplate(node);
    if (template?.type !== 'quoted_template') return undefined;
    const parts = this.parts(template);
    if (parts.length === 0) return undefined;
    let rest = parts;
    const first = parts[0]!;
    if (!first.literal) {
      const inner = namedChildren(first.node).find((c) => c.type === 'expression');
      if (first.node.type !== 'template_interpolation' || !inner || !/^path\.(?:module|root)$/.test(inner.text.trim())) return undefined;
      rest = parts.slice(1);
      if (!rest[0]?.literal || !rest[0].text.startsWith('/')) return undefined;
    }
    if (!rest.every((p) => p.literal)) return undefined;
    const text = rest.map((p) => p.text).join('').replace(/^\/+/, '');
    return text && !text.startsWith('/') ? text : undefined;
  }

  /** `aws_x.name[.attr]`, `var.x`, ...: a reference to a resource of the file, or unknown. */
  private traversal(node: HclNode, kids: HclNode[]): Built {
    const head = kids[0];
    if (head?.type !== 'variable_expr') return this.unknown(node);
    const root = head.text;
    if (root === 'module') return this.moduleOutput(node, kids);
    if (UNKNOWN_ROOTS.has(root) || !/^aws_[a-z0-9_]+$/.test(root)) return this.unknown(node);
    const segments: string[] = [];
    for (const part of kids.slice(1)) {
      if (part.type === 'get_attr') {
        const id = namedChildren(part).find((c) => c.type === 'identifier');
        if (!id) return this.unknown(node);
        segments.push(id.text);
      } else if (part.type === 'index') {
        // `aws_x.name[0].arn` (count) / `aws_x.name["k"].arn` (for_each): the one modelled resource
        if (segments.length !== 1) return this.unknown(node);
      } else {
        return this.unknown(node); // splat: a list
      }
    }
    if (segments.length !== 2) return this.unknown(node);
    const [name, attribute] = segments as [string, string];
    const id = `${root}.${name}`;
    if (attribute === 'id') return { value: new Intrinsic('Ref', id), source: src(node) };
    const cfnAttribute = ATTRIBUTE_NAMES[root]?.[attribute] ?? pascal(attribute);
    return { value: new Intrinsic('Fn::GetAtt', [id, cfnAttribute]), source: src(node) };
  }

  /** `module.<name>.<output>` of a registry module the file calls: a reference; anything else is unknown. */
  private moduleOutput(node: HclNode, kids: HclNode[]): Built {
    const names: string[] = [];
    for (const part of kids.slice(1)) {
      const id = part.type === 'get_attr' ? namedChildren(part).find((c) => c.type === 'identifier') : undefined;
      if (!id) return this.unknown(node);
      names.push(id.text);
    }
    const output = names.length === 2 ? this.modules.get(names[0]!)?.(names[1]!) : undefined;
    return output === undefined ? this.unknown(node) : { value: output, source: src(node) };
  }

  /** Template parts: literal text (decoded) and interpolations/directives. */
  private parts(node: HclNode): { literal: boolean; node: HclNode; text: string }[] {
    const out: { literal: boolean; node: HclNode; text: string }[] = [];
    const heredoc = node.type === 'heredoc_template';
    for (const child of namedChildren(node)) {
      if (child.type === 'template_literal') out.push({ literal: true, node: child, text: heredoc ? child.text : unescapeHcl(child.text) });
      else if (child.type === 'template_interpolation' || child.type === 'template_directive') out.push({ literal: false, node: child, text: child.text });
    }
    return out;
  }

  /** Content range of a heredoc (between the opening line and the closing marker). */
  private heredocContent(node: HclNode): { start: number; end: number; strip: boolean } | undefined {
    const ids = namedChildren(node).filter((c) => c.type === 'heredoc_identifier');
    const open = namedChildren(node).find((c) => c.type === 'heredoc_start');
    if (ids.length < 2 || !open) return undefined;
    let start = ids[0]!.endIndex;
    if (this.text[start] === '\r') start++;
    if (this.text[start] === '\n') start++;
    let end = ids[ids.length - 1]!.startIndex;
    while (end > start && (this.text[end - 1] === ' ' || this.text[end - 1] === '\t')) end--;
    return { start, end: Math.max(start, end), strip: open.text.includes('-') };
  }

  private template(node: HclNode, depth: number): Built {
    const parts = this.parts(node);
    if (parts.every((p) => p.literal)) {
      if (node.type === 'heredoc_template') {
        const content = this.heredocContent(node);
        if (!content) return this.unknown(node);
        let text = this.text.slice(content.start, content.end).replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
        if (content.strip) text = stripIndent(text);
        return { value: text, source: src(node) };
      }
      return { value: parts.map((p) => p.text).join(''), source: src(node) };
    }
    // `"${aws_x.y.arn}"`: one interpolation and nothing else is the expression itself
    if (parts.length === 1 && parts[0]!.node.type === 'template_interpolation') {
      const inner = namedChildren(parts[0]!.node).find((c) => c.type === 'expression');
      if (inner) return { ...this.expression(inner, depth + 1), source: src(node) };
    }
    return this.unknown(node);
  }

  /** A JSON-carrying attribute value: `jsonencode(...)`, a heredoc or a string with JSON. */
  json(node: HclNode, parseStrings: boolean): Built {
    const template = findTemplate(node);
    if (template?.type === 'heredoc_template') return this.heredocJson(node, template);
    if (template?.type === 'quoted_template') return this.quotedJson(node, template);
    const built = this.expression(node);
    if (parseStrings && typeof built.value === 'string') {
      const parsed = parseEmbeddedJson(built.value);
      return { value: 'unknown' in parsed ? new Unknown(parsed.unknown) : plainJson(parsed.value), source: built.source };
    }
    return built;
  }

  /** A heredoc with JSON: loaded with positions; interpolations inside strings are kept. */
  private heredocJson(node: HclNode, template: HclNode): Built {
    const content = this.heredocContent(template);
    if (!content) return this.unknown(node);
    const interpolations = this.parts(template).filter((p) => !p.literal);
    let text = this.text.slice(content.start, content.end);
    for (const p of interpolations) {
      const from = p.node.startIndex - content.start;
      const to = p.node.endIndex - content.start;
      if (from < 0 || to > text.length) return this.unknown(node);
      text = text.slice(0, from) + '\uE000'.repeat(to - from) + text.slice(to);
    }
    const loaded = loadJson(text);
    if (loaded.value === undefined || !loaded.source) return { value: new Unknown('a JSON document that is not valid JSON'), source: src(node) };
    shift(loaded.source, content.start);
    const restore = (value: IacValue, source: SourceNode): IacValue => {
      if (typeof value === 'string') {
        if (!value.includes('\uE000')) return value;
        const only = interpolations.find((p) => p.node.startIndex === source.start + 1 && p.node.endIndex === source.end - 1);
        const expression = only && namedChildren(only.node).find((c) => c.type === 'expression');
        if (expression && only.node.type === 'template_interpolation') return this.expression(expression).value;
        return new Unknown(this.text.slice(source.start, source.end));
      }
      if (Array.isArray(value)) return value.map((v, i) => (source.items?.[i] ? restore(v, source.items[i]) : v));
      if (isPlainObject(value)) {
        for (const key of Object.keys(value)) {
          const inner = source.entries?.get(key);
          if (inner) setOwn(value, key, restore(value[key]!, inner));
        }
      }
      return value;
    };
    return { value: restore(loaded.value, loaded.source), source: loaded.source };
  }

  /** A quoted string with JSON and interpolations: parsed without inner positions. */
  private quotedJson(node: HclNode, template: HclNode): Built {
    const parts = this.parts(template);
    if (parts.every((p) => p.literal)) return this.json(node, false);
    const values: IacValue[] = [];
    let text = '';
    for (const p of parts) {
      if (p.literal) text += p.text;
      else {
        const expression = namedChildren(p.node).find((c) => c.type === 'expression');
        values.push(expression && p.node.type === 'template_interpolation' ? this.expression(expression).value : new Unknown(p.text));
        text += `\uE000${values.length - 1}\uE001`;
      }
    }
    const parsed = parseEmbeddedJson(text);
    if ('unknown' in parsed) return { value: new Unknown(parsed.unknown), source: src(node) };
    const convert = (v: unknown): IacValue => {
      if (typeof v === 'string') {
        const only = /^\uE000(\d+)\uE001$/.exec(v);
        if (only) return values[Number(only[1])]!;
        return v.includes('\uE000') ? new Unknown(v.replace(/\uE000(\d+)\uE001/g, '${...}')) : v;
      }
      if (Array.isArray(v)) return v.map(convert);
      if (v !== null && typeof v === 'object') {
        const out: PlainObject = {};
        for (const [k, inner] of Object.entries(v)) setOwn(out, k, convert(inner));
        return out;
      }
      return v as IacValue;
    };
    return { value: convert(parsed.value), source: src(node) };
  }
}

/** `local.name` → `['local', 'name']`: the names of a traversal of attributes only. */
function traversalNames(node: HclNode): string[] | undefined {
  const kids = namedChildren(node);
  if (kids[0]?.type !== 'variable_expr') return undefined;
  const names = [kids[0].text];
  for (const part of kids.slice(1)) {
    const id = part.type === 'get_attr' ? namedChildren(part).find((c) => c.type === 'identifier') : undefined;
    if (!id) return undefined;
    names.push(id.text);
  }
  return names;
}

function findTemplate(node: HclNode): HclNode | undefined {
  let current: HclNode | undefined = node;
  for (let i = 0; i < 4 && current; i++) {
    if (current.type === 'quoted_template' || current.type === 'heredoc_template') return current;
    const kids = namedChildren(current);
    current = kids.length === 1 ? kids[0] : undefined;
  }
  return undefined;
}

function plainJson(v: unknown): IacValue {
  if (Array.isArray(v)) return v.map(plainJson);
  if (v !== null && typeof v === 'object') {
    const out: PlainObject = {};
    for (const [k, inner] of Object.entries(v)) setOwn(out, k, plainJson(inner));
    return out;
  }
  return v as IacValue;
}

function stripIndent(text: string): string {
  const lines = text.split('\n');
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)![0].length);
  const min = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => l.slice(Math.min(min, /^[ \t]*/.exec(l)![0].length))).join('\n');
}

/** Moves every offset of a source tree by `delta` (iteratively). */
function shift(root: SourceNode, delta: number): void {
  const stack = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    node.start += delta;
    node.end += delta;
    if (node.keyStart >= 0) {
      node.keyStart += delta;
      node.keyEnd += delta;
    }
    if (node.entries) stack.push(...node.entries.values());
    if (node.items) stack.push(...node.items);
  }
}
