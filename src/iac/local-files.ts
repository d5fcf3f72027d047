/**
 * Files a template reads from its own folder when it is deployed: a state machine's or an API's
 * definition (SAM `DefinitionUri`), or the snippet an `AWS::Include` transform inserts
 * (`Fn::Transform: { Name: AWS::Include, Parameters: { Location } }`). Paths are relative to the
 * template; S3 locations and URLs are never fetched.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { readRegularText } from '../ground/file-access.js';
import { loadJson } from './json.js';
import { Intrinsic, isPlainObject, type IacValue, type PlainObject, type Template } from './model.js';
import { loadYaml } from './yaml.js';

/** Files read beside a template: regular files only, at most the default size limit of a scanned file. */
const LOCAL_FILE_MAX_BYTES = 8 * 1024 * 1024;

/** A path on the local disk (not an `s3://` or `https://` location, nor a string with a variable). */
export function isLocalPath(uri: string): boolean {
  return uri !== '' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(uri) && !uri.includes('${');
}

function read(file: string): string {
  return readRegularText(file, { maxBytes: LOCAL_FILE_MAX_BYTES });
}

/** The file `uri` names relative to the template, and its text; undefined when it cannot be read. */
export function localFile(owner: Template, uri: string): { file: string; text: string } | undefined {
  if (!isLocalPath(uri)) return undefined;
  const file = path.resolve(path.dirname(owner.file), uri);
  try {
    return { file, text: read(file) };
  } catch {
    // case-insensitive file systems (macOS, Windows) accept a differently cased name
  }
  const dir = path.dirname(file);
  const lower = path.basename(file).toLowerCase();
  try {
    const match = readdirSync(dir).find((name) => name.toLowerCase() === lower);
    if (!match) return undefined;
    const found = path.join(dir, match);
    return { file: found, text: read(found) };
  } catch {
    return undefined;
  }
}

const DOCUMENTS = new WeakMap<Template, Map<string, PlainObject | null>>();

/**
 * The mapping a local YAML or JSON file holds (CloudFormation intrinsics as `Intrinsic`), read once
 * per template; undefined when the file cannot be read or parsed, or holds no mapping.
 */
export function localDocument(owner: Template, uri: string): PlainObject | undefined {
  let documents = DOCUMENTS.get(owner);
  if (!documents) {
    documents = new Map();
    DOCUMENTS.set(owner, documents);
  }
  const known = documents.get(uri);
  if (known !== undefined) return known ?? undefined;
  const found = localFile(owner, uri);
  let value: PlainObject | null = null;
  if (found) {
    const json = /\.json$/i.test(found.file) || (!/\.ya?ml$/i.test(found.file) && /^\s*\{/.test(found.text));
    try {
      const loaded = json ? loadJson(found.text) : loadYaml(found.text);
      if (isPlainObject(loaded.value)) value = loaded.value;
    } catch {
      // a file that cannot be read as a document is no definition
    }
  }
  documents.set(uri, value);
  return value ?? undefined;
}

/**
 * The `Location` of an `AWS::Include` transform that makes up `value` (the intrinsic, or a mapping
 * with an `Fn::Transform` key beside placeholders SAM validation wants): a string, `'unknown'` when
 * the transform is another macro or its location is not a literal, undefined when `value` is not
 * a transform.
 */
export function includeLocation(value: IacValue | undefined): string | 'unknown' | undefined {
  let transform: IacValue | undefined;
  if (value instanceof Intrinsic) {
    if (value.name !== 'Fn::Transform') return undefined;
    transform = value.argument;
  } else if (isPlainObject(value) && Object.hasOwn(value, 'Fn::Transform')) {
    transform = value['Fn::Transform'];
  } else {
    return undefined;
  }
  if (!isPlainObject(transform) || transform['Name'] !== 'AWS::Include') return 'unknown';
  const parameters = transform['Parameters'];
  const location = isPlainObject(parameters) ? parameters['Location'] : undefined;
  return typeof location === 'string' && isLocalPath(location) ? location : 'unknown';
}
