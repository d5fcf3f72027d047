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

/**
 * Loads a state machine definition from JSON or YAML text, whatever the file is called. Returns
 * `null` when the text parses but is not a definition; parse problems come back without a template.
 */
export function loadAslDocument(file: string, text: string, options?: LoadOptions): LoadAslResult | null {
  const json = /\.json$/i.test(file) || (!/\.ya?ml$/i.test(file) && /^\s*\{/.test(text));
  const document = json ? loadJson(text, options) : loadYaml(text, options);
  if (document.value === undefined || !document.source) return { problems: document.problems };
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
