/**
 * CloudFormation / SAM / synthesized-CDK template loader (YAML or JSON).
 *
 * A document is a template when its content says so (`AWSTemplateFormatVersion`, or a
 * `Resources` mapping with `AWS::*` / `Custom::*` types), whatever the file is called.
 */
import type { Range } from '../../ground/types.js';
import { loadJson } from '../json.js';
import { LineIndex } from '../../ground/lines.js';
import {
  isPlainObject,
  type IacValue,
  type PlainObject,
  type ParseProblem,
  type PathSegment,
  type Resource,
  type Template,
  type TemplateFormat,
} from '../model.js';
import { applySamGlobals, hasSamTransform } from '../sam.js';
import { loadYaml } from '../yaml.js';
import { sourceChain, type LoadOptions, type SourceNode } from '../document.js';



/**
 * Cheap text sniff: can this YAML/JSON file be a template? Used to skip unrelated files without
 * parsing them. False positives are fine (`loadTemplate` decides), false negatives are not.
 */
export function looksLikeTemplate(text: string | Buffer): boolean {
  return text.includes('AWS::') || text.includes('AWSTemplateFormatVersion') || text.includes('Custom::');
}

function isResourceType(value: IacValue | undefined): boolean {
  return typeof value === 'string' && (value.startsWith('AWS::') || value.startsWith('Custom::'));
}

/** Content test: a mapping with `AWSTemplateFormatVersion`, or `Resources` holding AWS/custom types. */
export function isTemplateDocument(root: IacValue | undefined): root is PlainObject {
  if (!isPlainObject(root)) return false;
  if (Object.hasOwn(root, 'AWSTemplateFormatVersion')) return true;
  const resources = root['Resources'];
  if (!isPlainObject(resources)) return false;
  return Object.values(resources).some((r) => isPlainObject(r) && isResourceType(r['Type']));
}

function isJsonText(file: string, text: string): boolean {
  const lower = file.toLowerCase();
  if (lower.endsWith('.json')) return true;
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return false;
  const first = /\S/.exec(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  return first?.[0] === '{';
}

function detectFormat(root: PlainObject, resources: Map<string, Resource>): TemplateFormat {
  if (hasSamTransform(root['Transform'])) return 'sam';
  for (const resource of resources.values()) {
    if (resource.metadata && Object.hasOwn(resource.metadata, 'aws:cdk:path')) return 'cdk';
  }
  return 'cloudformation';
}

function collectResources(root: PlainObject): Map<string, Resource> {
  const resources = new Map<string, Resource>();
  const declared = root['Resources'];
  if (!isPlainObject(declared)) return resources;
  for (const [id, value] of Object.entries(declared)) {
    if (!isPlainObject(value) || typeof value['Type'] !== 'string') continue;
    const properties = value['Properties'];
    const metadata = value['Metadata'];
    const resource: Resource = {
      id,
      type: value['Type'],
      properties: isPlainObject(properties) ? properties : {},
      path: ['Resources', id],
    };
    if (isPlainObject(metadata)) resource.metadata = metadata;
    resources.set(id, resource);
  }
  return resources;
}

/**
 * Builds a `Template` over an already loaded document (also for loaders of other formats that
 * produce the same model).
 *
 * `locate(path)`:
 * - when the whole path exists, the range of the value at `path`, `exact: true`;
 * - otherwise the **key** range of the nearest existing ancestor, `exact: false`, where a
 *   `Properties` mapping is skipped in favour of its owner: a missing resource property points at
 *   the resource's logical id (and a missing SAM event property at the event's key). Synthetic
 *   nodes (SAM `Properties` that only exist through `Globals`) do not count as existing.
 */
export function createTemplate(
  file: string,
  text: string,
  root: PlainObject,
  source: SourceNode,
  format?: TemplateFormat,
  otherTexts?: ReadonlyMap<string, string>,
): Template {
  const resources = collectResources(root);
  let lines: LineIndex | undefined;
  const otherLines = new Map<string, LineIndex>();
  const lineIndex = (file: string | undefined): LineIndex => {
    const other = file === undefined ? undefined : otherTexts?.get(file);
    // CDK app source is code: its lines end where TypeScript's do (also at U+2028 and U+2029)
    if (other === undefined) return (lines ??= new LineIndex(text, { code: format === 'cdk-source' }));
    let index = otherLines.get(file!);
    if (!index) otherLines.set(file!, (index = new LineIndex(other, { code: format === 'cdk-source' })));
    return index;
  };
  /** The range, and the file when the node is in another one whose text the template has. */
  const at = (node: SourceNode, start: number, end: number, exact: boolean): { range: Range; start: number; end: number; exact: boolean; file?: string } => {
    const file = node.file !== undefined && otherTexts?.has(node.file) ? node.file : undefined;
    const out = { range: lineIndex(file).range(start, end), start, end, exact };
    return file === undefined ? out : { ...out, file };
  };

  const locate = (path: PathSegment[]): { range: Range; start: number; end: number; exact: boolean; file?: string } => {
    const { chain, found } = sourceChain(source, path);
    const last = chain[chain.length - 1]!;
    if (found && !last.synthetic) return at(last, last.start, last.end, true);
    // chain[i] is the node at path[0..i); walk up to the nearest real ancestor.
    let i = found ? chain.length - 2 : chain.length - 1;
    while (i > 0) {
      const node = chain[i]!;
      const isProperties = path[i - 1] === 'Properties' && i >= 2;
      if (!node.synthetic && !isProperties) break;
      i--;
    }
    const node = chain[i]!;
    if (i > 0 && node.keyStart >= 0) return at(node, node.keyStart, node.keyEnd, false);
    // The document itself, or a list item (no key): the start of the value.
    const end = i === 0 ? node.start : node.end;
    return at(node, node.start, end, false);
  };

  const template: Template = {
    file,
    text,
    format: format ?? detectFormat(root, resources),
    root,
    resources,
    locate,
  };
  if (otherTexts && otherTexts.size > 0) template.otherTexts = otherTexts;
  sources.set(template, source);
  return template;
}

/** Position trees of the templates `createTemplate` built (see `templateSource`). */
const sources = new WeakMap<Template, SourceNode>();

/** The position tree a template was built over, when `createTemplate` built it. */
export function templateSource(template: Template): SourceNode | undefined {
  return sources.get(template);
}

export interface LoadTemplateResult {
  template?: Template;
  /** Syntax errors (then there is no template), duplicate keys, resource-limit violations. */
  problems: ParseProblem[];
}

/**
 * Loads a CloudFormation, SAM or synthesized CDK template from YAML or JSON text.
 *
 * Returns `null` when the text is not a template: it parses but has no template content, or it
 * does not parse and does not even look like one (`looksLikeTemplate`). A text that looks like a
 * template but cannot be parsed gives its problems and no template. Never throws.
 */
export function loadTemplate(file: string, text: string, options?: LoadOptions): LoadTemplateResult | null {
  const document = isJsonText(file, text) ? loadJson(text, options) : loadYaml(text, options);
  if (document.value === undefined || !document.source) {
    return looksLikeTemplate(text) ? { problems: document.problems } : null;
  }
  const root = document.value;
  if (!isTemplateDocument(root)) return null;
  if (hasSamTransform(root['Transform'])) applySamGlobals(root, document.source);
  return { template: createTemplate(file, text, root, document.source), problems: document.problems };
}
