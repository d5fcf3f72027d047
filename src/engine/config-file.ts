/**
 * The configuration file: `rel4lint.config.json`, `rel4lint.config.yaml` or `rel4lint.config.yml`
 * in the directory rel4lint runs from, or the file named with `--config`. JSON or YAML only: the
 * linter never executes code from the repository it scans.
 *
 * The file is validated against `schema/rel4lint.config.schema.json` (published for editors through
 * `"$schema"`); rule names and rule options are checked by `resolveRules`. Every problem is a
 * ConfigError whose message names the file and the offending key.
 */
import { existsSync, statSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { parseDocument } from 'yaml';
import type { ErrorObject } from 'ajv';
import { ConfigError } from '../ground/errors.js';
import { FileAccessError, readRegularText, SETTINGS_MAX_BYTES } from '../ground/file-access.js';
import type { RuleSetting } from './config.js';
import { parseLevel, type Level, type Preset } from '../ground/types.js';

export const CONFIG_FILE_NAMES = ['rel4lint.config.json', 'rel4lint.config.yaml', 'rel4lint.config.yml'] as const;

export const INTERNAL_HOSTS_RULE = 'no-sync-internal-http-in-handler';

export interface ConfigFile {
  /** Absolute path of the file. */
  file: string;
  preset?: Preset;
  rules?: Record<string, Level | RuleSetting>;
  ignore?: string[];
  internalHosts?: string[];
  maxFileBytes?: number;
}

const SCHEMA_URL = new URL('../../schema/rel4lint.config.schema.json', import.meta.url);

/**
 * The config file to use: the explicit one (must exist); else the first default name in the
 * scanned root — the one directory named on the command line, when there is exactly one —
 * and then in `cwd`.
 */
export function findConfigFile(cwd: string, explicit: string | undefined, paths: string[] = []): string | undefined {
  if (explicit !== undefined) {
    const file = path.resolve(cwd, explicit);
    if (!existsSync(file)) throw new ConfigError(`config file ${explicit} does not exist`);
    return file;
  }
  const roots = [cwd];
  if (paths.length === 1) {
    const root = path.resolve(cwd, paths[0]);
    if (root !== cwd && existsSync(root) && statSync(root).isDirectory()) roots.unshift(root);
  }
  for (const root of roots) {
    for (const name of CONFIG_FILE_NAMES) {
      const file = path.join(root, name);
      if (existsSync(file)) return file;
    }
  }
  return undefined;
}

function parseText(file: string, display: string, text: string): unknown {
  if (/\.json$/i.test(file)) {
    try {
      return JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (error) {
      throw new ConfigError(`${display}: invalid JSON (${(error as Error).message})`);
    }
  }
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const where = first.linePos?.[0] ? ` at ${first.linePos[0].line}:${first.linePos[0].col}` : '';
    throw new ConfigError(`${display}: invalid YAML${where} (${first.message.split('\n')[0]})`);
  }
  try {
    return doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (error) {
    // an alias bomb (aliases expanding to an exponential number of nodes), or nesting too deep
    throw new ConfigError(`${display}: invalid YAML (${(error as Error).message.split('\n')[0]})`);
  }
}

/** `/rules/foo/level` → `rules.foo.level`. */
function keyOf(instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

function describeError(errors: ErrorObject[]): string {
  // the deepest error says the most; within a rule setting, explain the two accepted forms
  const depth = (e: ErrorObject): number => e.instancePath.split('/').length + (e.keyword === 'additionalProperties' ? 1 : 0);
  const sorted = [...errors].sort((a, b) => depth(b) - depth(a));
  const first = sorted[0]!;
  if (first.keyword === 'additionalProperties') {
    const key = keyOf(first.instancePath);
    const extra = String((first.params as { additionalProperty?: unknown }).additionalProperty);
    return `unknown key '${key ? `${key}.` : ''}${extra}'`;
  }
  const key = keyOf(first.instancePath);
  const rule = /^rules\.([^.]+)(?:\.level)?$/.exec(key);
  if (rule && first.keyword !== 'propertyNames') {
    return `'rules.${rule[1]}' must be a level (off, note, warning, error, or warn, info, 0, 1, 2) or { level, options }`;
  }
  if (first.keyword === 'propertyNames' || first.keyword === 'pattern') {
    const name = (first.params as { propertyName?: unknown }).propertyName;
    if (name !== undefined) return `'${key}' has an invalid rule name '${String(name)}'`;
  }
  if (first.keyword === 'enum') {
    const allowed = (first.params as { allowedValues?: unknown[] }).allowedValues ?? [];
    return `'${key}' must be one of ${allowed.map(String).join(', ')}`;
  }
  return `'${key || '(root)'}' ${first.message ?? 'is invalid'}`;
}

let validator: ((data: unknown) => boolean) & { errors?: ErrorObject[] | null } = undefined as never;

function validate(data: unknown): ErrorObject[] {
  if (!validator) {
    const require = createRequire(import.meta.url);
    const Ajv = require('ajv') as typeof import('ajv').default;
    const schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as object;
    validator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  return validator(data) ? [] : [...(validator.errors ?? [])];
}

/** Reads and validates a config file. Throws ConfigError naming the file and the key. */
export function loadConfigFile(file: string, cwd: string): ConfigFile {
  // relative to cwd when inside it, else the path itself (not a string of ../)
  const rel = path.relative(cwd, file);
  const outside = rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel);
  const display = outside ? file : rel.split(path.sep).join('/') || path.basename(file);
  let text: string;
  try {
    // a regular file of a bounded size; inside cwd, a link must stay inside it
    text = readRegularText(file, { maxBytes: SETTINGS_MAX_BYTES, within: cwd });
  } catch (error) {
    if (error instanceof FileAccessError) throw new ConfigError(`config file ${display} ${error.reason}`);
    throw new ConfigError(`cannot read config file ${display} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const data = parseText(file, display, text);
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ConfigError(`${display}: the configuration must be an object`);
  }
  const errors = validate(data);
  if (errors.length > 0) throw new ConfigError(`${display}: ${describeError(errors)}`);
  const d = data as Omit<ConfigFile, 'file'>;
  // the schema accepted the level aliases (warn, info, 0-2): the rest of the program sees the four levels
  const level = (value: unknown): Level => parseLevel(value) ?? (value as Level);
  const rules = d.rules
    ? Object.fromEntries(
        Object.entries(d.rules).map(([name, s]) => [name, typeof s === 'object' ? { ...s, ...(s.level !== undefined ? { level: level(s.level) } : {}) } : level(s)]),
      )
    : undefined;
  return { file, ...d, ...(rules ? { rules } : {}) };
}

/**
 * The rule overrides of a config file merged with the command line's `--rule` levels (which win;
 * the file's options of that rule are kept). `internalHosts` becomes the option of
 * no-sync-internal-http-in-handler unless the file sets that option itself.
 */
export function mergeRuleSettings(
  config: ConfigFile | undefined,
  cli: Record<string, Level>,
  hasOption: (rule: string, option: string) => boolean,
): Record<string, Level | RuleSetting> {
  const out: Record<string, Level | RuleSetting> = {};
  for (const [name, setting] of Object.entries(config?.rules ?? {})) out[name] = typeof setting === 'string' ? setting : { ...setting };
  if (config?.internalHosts && hasOption(INTERNAL_HOSTS_RULE, 'internalHosts')) {
    const current = out[INTERNAL_HOSTS_RULE];
    const setting: RuleSetting = typeof current === 'string' ? { level: current } : { ...(current ?? {}) };
    if (setting.options?.['internalHosts'] === undefined) setting.options = { ...setting.options, internalHosts: config.internalHosts };
    out[INTERNAL_HOSTS_RULE] = setting;
  }
  for (const [name, level] of Object.entries(cli)) {
    const current = out[name];
    out[name] = current === undefined || typeof current === 'string' ? level : { ...current, level };
  }
  return out;
}
