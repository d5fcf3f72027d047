/**
 * Standalone Amazon States Language files (`*.asl.json`, `*.asl.yaml`, `*.asl.yml`).
 *
 * The document becomes a template whose single resource is an `AWS::StepFunctions::StateMachine`
 * with `Definition` = the document, so that rules see one shape for standalone and inline
 * definitions. Paths under `['Resources', id, 'Properties', 'Definition']` locate in the file.
 */
import path from 'node:path';
import { loadJson } from '../json.js';
import { isPlainObject, type IacValue, type PlainObject, type ParseProblem, type Template } from '../model.js';
import { loadYaml } from '../yaml.js';
import { type LoadOptions, type SourceNode } from '../document.js';
import { createTemplate } from './cloudformation.js';

const ASL_FILE = /\.asl\.(?:json|ya?ml)$/i;

/** True for a file named like a standalone state machine definition. */
export function isAslFile(file: string): boolean {
  return ASL_FILE.test(file);
}

/** A mapping with `StartAt` and `States`: a state machine definition. */
export function isAslDocument(value: IacValue | undefined): value is PlainObject {
  return isPlainObject(value) && Object.hasOwn(value, 'StartAt') && isPlainObject(value['States']);
}

/** Logical id of the synthetic resource: the file name without its `.asl.*` / `.json` / `.yaml` suffix. */
export function aslResourceId(file: string): string {
  const base = path.basename(file);
  return base.replace(ASL_FILE, '').replace(/\.(?:json|ya?ml)$/i, '') || base;
}

export interface LoadAslResult {
  template?: Template;
  problems: ParseProblem[];
}

function synthetic(entries: Map<string, SourceNode>): SourceNode {
  return { start: 0, end: 0, keyStart: -1, keyEnd: -1, entries, synthetic: true };
}

/** `${name}` placeholders of definition substitutions written where JSON expects a value (unquoted). */
const PLACEHOLDER = /\$\{[A-Za-z0-9_.:-]+\}/y;

/**
 * JSON text with every unquoted `${name}` placeholder (SAM and CloudFormation
 * `DefinitionSubstitutions`, CDK `DefinitionBody.fromFile` substitutions) replaced by a string
 * of the same length (`"{name"`), so that the text parses and every offset stays where it was;
 * the offsets of the replaced placeholders. A placeholder inside a string needs nothing.
 */
function quotePlaceholders(text: string): { text: string; at: Map<number, string> } {
  const at = new Map<number, string>();
  if (!text.includes('${')) return { text, at };
  let out = '';
  let last = 0;
  let inside = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inside) {
      if (c === '\\') i++;
      else if (c === '"') inside = false;
      continue;
    }
    if (c === '"') {
      inside = true;
      continue;
    }
    if (c !== '$') continue;
    PLACEHOLDER.lastIndex = i;
    const match = PLACEHOLDER.exec(text);
    if (!match) continue;
    const placeholder = match[0];
    out += `${text.slice(last, i)}"${placeholder.slice(1, -1)}"`;
    at.set(i, placeholder);
    last = i + placeholder.length;
    i = last - 1;
  }
  return { text: out + text.slice(last), at };
}

/** Puts the placeholders back as the strings `${name}` (which `substituted` resolves). */
function restorePlaceholders(value: IacValue, node: SourceNode | undefined, at: Map<number, string>): IacValue {
  if (!node) return value;
  if (typeof value === 'string') return at.get(node.start) ?? value;
  if (Array.isArray(value)) return value.map((v, i) => restorePlaceholders(v, node.items?.[i], at));
  if (isPlainObject(value)) {
    for (const key of Object.keys(value)) value[key] = restorePlaceholders(value[key]!, node.entries?.get(key), at);
  }
  return value;
}

/**
 * Loads a state machine definition from JSON or YAML text, whatever the file is called. Returns
 * `null` when the text parses but is not a definition; parse problems come back without a template.
 * Unquoted `${name}` placeholders in JSON (valid once the substitutions are applied) are read as the
 * strings `"${name}"`, at their own positions.
 */
export function loadAslDocument(file: string, text: string, options?: LoadOptions): LoadAslResult | null {
  const json = /\.json$/i.test(file) || (!/\.ya?ml$/i.test(file) && /^\s*\{/.test(text));
  const quoted = json ? quotePlaceholders(text) : undefined;
  const document = json ? loadJson(quoted!.text, options) : loadYaml(text, options);
  if (document.value === undefined || !document.source) return { problems: document.problems };
  if (quoted && quoted.at.size > 0) document.value = restorePlaceholders(document.value, document.source, quoted.at);
  if (!isAslDocument(document.value)) return null;
  const id = aslResourceId(file);
  const resource: PlainObject = { Type: 'AWS::StepFunctions::StateMachine', Properties: { Definition: document.value } };
  const root: PlainObject = { Resources: { [id]: resource } };
  const source = synthetic(
    new Map([['Resources', synthetic(new Map([[id, synthetic(new Map([['Properties', synthetic(new Map([['Definition', document.source]]))]]))]]))]]),
  );
  return { template: createTemplate(file, text, root, source, 'asl'), problems: document.problems };
}

/** Loads a standalone ASL file: `null` when the name or the content is not a state machine definition. */
export function loadAslFile(file: string, text: string, options?: LoadOptions): LoadAslResult | null {
  if (!isAslFile(file)) return null;
  return loadAslDocument(file, text, options);
}
