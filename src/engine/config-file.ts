/**
 * Configuration files: `rel4lint.config.json`, `rel4lint.config.yaml` or `rel4lint.config.yml`,
 * found in the directory of the files they apply to or above it (see `./config-lookup.ts`), or
 * the one file named with `--config`. JSON (comments and trailing commas allowed) or YAML only:
 * the linter never executes code from the repository it scans.
 *
 * A file is validated against `schema/rel4lint.config.schema.json` (generated from the rules'
 * metadata by `scripts/gen-schema.js`, published for editors through `"$schema"`) and, when the
 * rules are known, every rule name, level and option is checked. Every problem is a ConfigError
 * whose message starts with `<file>:<line>:<column>:` and names the offending key.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Node as JsonNode, ParseError } from 'jsonc-parser';
import type { Document } from 'yaml';
import type { ErrorObject } from 'ajv';
import { ConfigError } from '../ground/errors.js';
import { FileAccessError, readRegularText, SETTINGS_MAX_BYTES } from '../ground/file-access.js';
import { jsoncParser, yamlLibrary } from '../ground/packages.js';
import { LineIndex } from '../ground/lines.js';
import { didYouMean } from '../ground/suggest.js';
import { parseLevel, PARSE_ERROR, type Level, type Preset, type RuleMeta } from '../ground/types.js';
import { LEVELS, type RoleSettings, type RuleSetting } from './config.js';

export const CONFIG_FILE_NAMES = ['rel4lint.config.json', 'rel4lint.config.yaml', 'rel4lint.config.yml'] as const;

export const INTERNAL_HOSTS_RULE = 'no-sync-internal-http-in-handler';

export interface ConfigFile {
  /** Absolute path of the file. */
  file: string;
  /** Absolute directory its `ignore` patterns are relative to (the file's own; the working directory for `--config`). */
  dir: string;
  /** Stop looking for configuration files in the directories above this one. */
  root?: boolean;
  preset?: Preset;
  rules?: Record<string, Level | RuleSetting>;
  /** File roles switched on or off for every rule (a rule's own `roles` wins). */
  roles?: RoleSettings;
  ignore?: string[];
  internalHosts?: string[];
  maxFileBytes?: number;
}

const SCHEMA_URL = new URL('../../schema/rel4lint.config.schema.json', import.meta.url);

/** A parsed file: its data, and the offset of the value (or of the key) at a path. */
interface Parsed {
  data: unknown;
  /** Offset of the node at `keys` (of its key with `key`), or of its nearest existing ancestor. */
  offsetOf(keys: readonly string[], key?: boolean): number;
}

function fail(display: string, text: string, offset: number, message: string): never {
  const at = new LineIndex(text).position(offset);
  throw new ConfigError(`${display}:${at.line}:${at.column}: ${message}`);
}

/** Plain values of a JSON tree, with own properties only; the first duplicate key is an error. */
function jsonValue(node: JsonNode, duplicate: (key: JsonNode) => never): unknown {
  switch (node.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const property of node.children ?? []) {
        const [keyNode, valueNode] = property.children ?? [];
        if (!keyNode) continue;
        const name = String(keyNode.value);
        if (Object.hasOwn(out, name)) duplicate(keyNode);
        Object.defineProperty(out, name, { value: valueNode ? jsonValue(valueNode, duplicate) : null, enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    case 'array':
      return (node.children ?? []).map((child) => jsonValue(child, duplicate));
    default:
      return node.value;
  }
}

function parseJson(display: string, text: string): Parsed {
  const { parseTree, printParseErrorCode } = jsoncParser();
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  if (errors.length > 0 || !tree) {
    const first = errors[0];
    fail(display, text, first?.offset ?? 0, `invalid JSON (${first ? printParseErrorCode(first.error) : 'no content'})`);
  }
  const data = jsonValue(tree, (key) => fail(display, text, key.offset, `invalid JSON (duplicate key "${String(key.value)}")`));
  const offsetOf = (keys: readonly string[], key = false): number => {
    let node = tree;
    for (const k of keys) {
      const property = node.type === 'object' ? node.children?.find((p) => p.children?.[0]?.value === k) : undefined;
      const next = property?.children?.[1] ?? (node.type === 'array' ? node.children?.[Number(k)] : undefined);
      if (!next) return node.offset;
      if (key && k === keys[keys.length - 1] && property) return property.children![0]!.offset;
      node = next;
    }
    return node.offset;
  };
  return { data, offsetOf };
}

function parseYaml(display: string, text: string): Parsed {
  const { isMap, isScalar, isSeq, parseDocument } = yamlLibrary();
  const doc: Document = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    fail(display, text, first.pos[0], `invalid YAML (${first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')})`);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (error) {
    // an alias bomb (aliases expanding to an exponential number of nodes), or nesting too deep
    throw new ConfigError(`${display}: invalid YAML (${(error as Error).message.split('\n')[0]})`);
  }
  const offsetOf = (keys: readonly string[], key = false): number => {
    let node: unknown = doc.contents;
    let offset = 0;
    for (const k of keys) {
      let next: unknown;
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === k);
        if (!pair) break;
        if (key && k === keys[keys.length - 1] && isScalar(pair.key)) return pair.key.range?.[0] ?? offset;
        next = pair.value;
      } else if (isSeq(node)) next = node.items[Number(k)];
      else break;
      const range = (next as { range?: [number, number, number] } | null)?.range;
      if (!range) break;
      offset = range[0];
      node = next;
    }
    return offset;
  };
  return { data, offsetOf };
}

/** `/rules/foo/level` → `['rules', 'foo', 'level']`. */
function segments(instancePath: string): string[] {
  return instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The most telling schema error: its message and the path (and whether the key is meant) to point at. */
function describeError(errors: ErrorObject[]): { message: string; keys: string[]; key: boolean } {
  // the deepest error says the most; within a rule setting, explain the two accepted forms
  const depth = (e: ErrorObject): number => e.instancePath.split('/').length + (e.keyword === 'additionalProperties' ? 1 : 0);
  const sorted = [...errors].sort((a, b) => depth(b) - depth(a));
  const first = sorted[0]!;
  const keys = segments(first.instancePath);
  const name = keys.join('.');
  if (first.keyword === 'additionalProperties') {
    const extra = String((first.params as { additionalProperty?: unknown }).additionalProperty);
    const known = Object.keys((first.parentSchema as { properties?: object } | undefined)?.properties ?? {});
    const noOptions = known.length === 0 && keys.length === 3 && keys[0] === 'rules' && keys[2] === 'options' ? ` (${keys[1]} has no options)` : '';
    return { message: `unknown key '${name ? `${name}.` : ''}${extra}'${didYouMean(extra, known) || noOptions}`, keys: [...keys, extra], key: true };
  }
  if (keys[0] === 'rules' && (keys.length === 2 || (keys.length === 3 && keys[2] === 'level')) && first.keyword !== 'propertyNames') {
    return { message: `'rules.${keys[1]}' must be a level (off, note, warning, error, or warn, info, 0, 1, 2) or { level, options, roles }`, keys, key: false };
  }
  if (first.keyword === 'propertyNames' || first.keyword === 'pattern') {
    const property = (first.params as { propertyName?: unknown }).propertyName;
    if (property !== undefined) return { message: `'${name}' has an invalid rule name '${String(property)}'`, keys: [...keys, String(property)], key: true };
  }
  if (first.keyword === 'enum') {
    const allowed = (first.params as { allowedValues?: unknown[] }).allowedValues ?? [];
    return { message: `'${name}' must be one of ${allowed.map(String).join(', ')}`, keys, key: false };
  }
  return { message: `'${name || '(root)'}' ${first.message ?? 'is invalid'}`, keys, key: false };
}

let validator: ((data: unknown) => boolean) & { errors?: ErrorObject[] | null } = undefined as never;

function validate(data: unknown): ErrorObject[] {
  if (!validator) {
    const require = createRequire(import.meta.url);
    const Ajv = require('ajv') as typeof import('ajv').default;
    const schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as object;
    validator = new Ajv({ allErrors: true, strict: false, verbose: true }).compile(schema);
  }
  return validator(data) ? [] : [...(validator.errors ?? [])];
}

/** The first problem with the rule settings of a file, with the path of the key at fault. */
function ruleProblem(known: readonly { meta: RuleMeta }[], rules: Record<string, Level | RuleSetting>): { message: string; keys: string[] } | undefined {
  const names = known.map((r) => r.meta.name);
  for (const [name, setting] of Object.entries(rules)) {
    const meta = known.find((r) => r.meta.name === name)?.meta;
    if (!meta) return { message: `unknown rule '${name}' in rules${didYouMean(name, names) || ' (see --list-rules)'}`, keys: ['rules', name] };
    const s: RuleSetting = typeof setting === 'string' ? { level: setting } : setting;
    if (s.level !== undefined && !LEVELS.includes(s.level)) return { message: `rule '${name}': level must be one of ${LEVELS.join(', ')}`, keys: ['rules', name] };
    if (s.level === 'off' && name === PARSE_ERROR) return { message: `rule '${PARSE_ERROR}' cannot be turned off`, keys: ['rules', name] };
    for (const [key, value] of Object.entries(s.options ?? {})) {
      const schema = meta.options[key];
      const where = ['rules', name, 'options', key];
      if (!schema) {
        const options = Object.keys(meta.options);
        return { message: `rule '${name}': unknown option '${key}'${didYouMean(key, options) || (options.length ? ` (options: ${options.join(', ')})` : ' (it has no options)')}`, keys: where };
      }
      const ok = schema.type === 'array' ? Array.isArray(value) : schema.type === 'integer' ? Number.isInteger(value) : typeof value === schema.type;
      if (!ok) return { message: `rule '${name}': option '${key}' must be ${schema.type === 'integer' ? 'an integer' : schema.type === 'array' ? 'an array' : `a ${schema.type}`}`, keys: where };
    }
  }
  return undefined;
}

/** A path for messages: relative to cwd when inside it, absolute otherwise. */
function displayOf(cwd: string, file: string): string {
  const rel = path.relative(cwd, file);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return file.split(path.sep).join('/');
  return rel.split(path.sep).join('/');
}

export interface LoadOptions {
  /** Every rule's metadata: rule names, levels and options are checked against it. */
  known?: readonly { meta: RuleMeta }[];
  /** The directory `ignore` patterns are relative to (default: the file's directory). */
  base?: string;
}

/** Reads and validates a config file. Throws ConfigError naming the file, the line, the column and the key. */
export function loadConfigFile(file: string, cwd: string, options: LoadOptions = {}): ConfigFile {
  const display = displayOf(cwd, file);
  let text: string;
  try {
    // a regular file of a bounded size; inside cwd, a link must stay inside it
    text = readRegularText(file, { maxBytes: SETTINGS_MAX_BYTES, within: cwd });
  } catch (error) {
    if (error instanceof FileAccessError) throw new ConfigError(`config file ${display} ${error.reason}`);
    throw new ConfigError(`cannot read config file ${display} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const parsed = /\.json$/i.test(file) ? parseJson(display, text) : parseYaml(display, text);
  const data = parsed.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) fail(display, text, 0, 'the configuration must be an object');
  const errors = validate(data);
  if (errors.length > 0) {
    const problem = describeError(errors);
    fail(display, text, parsed.offsetOf(problem.keys, problem.key), problem.message);
  }
  const d = data as Omit<ConfigFile, 'file' | 'dir'> & { $schema?: string };
  // the schema accepted the level aliases (warn, info, 0-2): the rest of the program sees the four levels
  const level = (value: unknown): Level => parseLevel(value) ?? (value as Level);
  const rules = d.rules
    ? Object.fromEntries(
        Object.entries(d.rules).map(([name, s]) => [name, typeof s === 'object' ? { ...s, ...(s.level !== undefined ? { level: level(s.level) } : {}) } : level(s)]),
      )
    : undefined;
  if (rules && options.known) {
    const problem = ruleProblem(options.known, rules);
    if (problem) fail(display, text, parsed.offsetOf(problem.keys, true), problem.message);
  }
  const { $schema: _schema, ...rest } = d;
  return { file, dir: options.base ?? path.dirname(file), ...rest, ...(rules ? { rules } : {}) };
}

/** The configuration that applies to a file: its configuration files merged, top first. */
export interface EffectiveConfig {
  /** The configuration files, outermost first (the later ones win). */
  files: string[];
  preset?: Preset;
  /** Rule settings merged key by key: a level from the innermost file that sets one, options option by option. */
  rules: Record<string, RuleSetting>;
  /** File role switches merged role by role (the innermost file's switch wins). */
  roles: RoleSettings;
  maxFileBytes?: number;
  /** `ignore` patterns of each file, with the directory they are relative to. */
  ignore: { dir: string; patterns: string[] }[];
}

/**
 * Merges configuration files, outermost first: `preset` and `maxFileBytes` from the innermost file
 * that sets them; a rule's level likewise, and its options option by option; `internalHosts`
 * becomes the option of no-sync-internal-http-in-handler in the file that sets it (unless that
 * file sets the option itself), so an inner file's hosts replace an outer one's; `ignore`
 * patterns add up, each relative to its own file.
 */
export function mergeConfigs(chain: readonly ConfigFile[], hasOption: (rule: string, option: string) => boolean): EffectiveConfig {
  const out: EffectiveConfig = { files: [], rules: {}, roles: {}, ignore: [] };
  for (const config of chain) {
    out.files.push(config.file);
    if (config.preset !== undefined) out.preset = config.preset;
    if (config.maxFileBytes !== undefined) out.maxFileBytes = config.maxFileBytes;
    if (config.ignore && config.ignore.length > 0) out.ignore.push({ dir: config.dir, patterns: config.ignore });
    Object.assign(out.roles, config.roles);
    const own: Record<string, RuleSetting> = {};
    for (const [name, setting] of Object.entries(config.rules ?? {})) own[name] = typeof setting === 'string' ? { level: setting } : { ...setting };
    if (config.internalHosts && hasOption(INTERNAL_HOSTS_RULE, 'internalHosts')) {
      const setting = own[INTERNAL_HOSTS_RULE] ?? {};
      if (setting.options?.['internalHosts'] === undefined) own[INTERNAL_HOSTS_RULE] = { ...setting, options: { ...setting.options, internalHosts: config.internalHosts } };
    }
    for (const [name, setting] of Object.entries(own)) {
      const current = out.rules[name] ?? {};
      const level = setting.level ?? current.level;
      const options = setting.options || current.options ? { ...current.options, ...setting.options } : undefined;
      const roles = setting.roles ?? current.roles;
      out.rules[name] = { ...(level !== undefined ? { level } : {}), ...(options ? { options } : {}), ...(roles ? { roles } : {}) };
    }
  }
  return out;
}

/** Merged rule settings with the command line's `--rule` levels on top (the files' options are kept). */
export function withCommandLine(rules: Record<string, RuleSetting>, cli: Record<string, Level>): Record<string, Level | RuleSetting> {
  const out: Record<string, Level | RuleSetting> = { ...rules };
  for (const [name, level] of Object.entries(cli)) {
    const current = rules[name];
    out[name] = current?.options || current?.roles ? { ...current, level } : level;
  }
  return out;
}
