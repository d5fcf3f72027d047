/**
 * Rule configuration: which rules run, at which severity, with which options and on which file
 * roles, from a preset and the user's overrides (configuration file, `--rule`).
 */
import type { FileRole, Level, Preset, ResolvedRule, RuleMeta, Severity } from '../ground/types.js';
import { FILE_ROLES, PARSE_ERROR } from '../ground/types.js';
import { ConfigError } from '../ground/errors.js';
import { didYouMean } from '../ground/suggest.js';

export const LEVELS: Level[] = ['off', 'note', 'warning', 'error'];

export interface RuleSetting {
  level?: Level;
  options?: Record<string, unknown>;
  /** The file roles the rule reports, replacing its default ones. */
  roles?: FileRole[];
}

/**
 * Roles switched on or off for every rule: `on` makes every rule report files of the role (as it
 * reports service code), `off` makes none report them. A rule's own `roles` setting wins.
 */
export type RoleSettings = Partial<Record<FileRole, 'on' | 'off'>>;

function checkRoles(roles: unknown, where: string): FileRole[] {
  if (!Array.isArray(roles) || roles.some((r) => !FILE_ROLES.includes(r as FileRole))) {
    throw new ConfigError(`${where}: roles must be a list of ${FILE_ROLES.join(', ')}`);
  }
  return FILE_ROLES.filter((r) => roles.includes(r));
}

/** The roles a rule reports: its own setting, else its metadata's with the global switches applied. */
function rolesOf(meta: RuleMeta, setting: RuleSetting, global: RoleSettings): FileRole[] {
  if (setting.roles !== undefined) return checkRoles(setting.roles, `rule '${meta.name}'`);
  return FILE_ROLES.filter((r) => (global[r] === 'on' ? true : global[r] === 'off' ? false : meta.roles.includes(r)));
}

/**
 * The rules of a preset with user overrides applied, from the metadata of every known rule.
 * `parse-error` is always on. Throws ConfigError naming the offending rule or option.
 */
export function resolveRules(
  known: readonly { meta: RuleMeta }[],
  preset: Preset,
  overrides: Record<string, Level | RuleSetting> = {},
  roles: RoleSettings = {},
): ResolvedRule[] {
  for (const [role, value] of Object.entries(roles)) {
    if (!FILE_ROLES.includes(role as FileRole)) throw new ConfigError(`unknown file role '${role}' in roles (${FILE_ROLES.join(', ')})`);
    if (value !== 'on' && value !== 'off') throw new ConfigError(`roles.${role} must be on or off, got '${String(value)}'`);
  }
  const names = new Set(known.map((r) => r.meta.name));
  for (const name of Object.keys(overrides)) {
    if (!names.has(name)) throw new ConfigError(`unknown rule '${name}'${didYouMean(name, [...names]) || ' (see --list-rules)'}`);
  }
  const out: ResolvedRule[] = [];
  for (const { meta } of known) {
    const raw = overrides[meta.name];
    const setting: RuleSetting = typeof raw === 'string' ? { level: raw } : (raw ?? {});
    if (setting.level !== undefined && !LEVELS.includes(setting.level)) {
      throw new ConfigError(`rule '${meta.name}': level must be one of ${LEVELS.join(', ')}, got '${String(setting.level)}'`);
    }
    const inPreset = meta.presets.includes(preset);
    if (setting.level === 'off') {
      if (meta.name === PARSE_ERROR) throw new ConfigError(`rule '${PARSE_ERROR}' cannot be turned off`);
      continue;
    }
    if (!inPreset && setting.level === undefined) continue;
    const options: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(meta.options)) options[key] = schema.default;
    for (const [key, value] of Object.entries(setting.options ?? {})) {
      const schema = meta.options[key];
      if (!schema) throw new ConfigError(`rule '${meta.name}': unknown option '${key}'`);
      const ok =
        schema.type === 'array' ? Array.isArray(value) : schema.type === 'integer' ? Number.isInteger(value) : typeof value === schema.type;
      if (!ok) throw new ConfigError(`rule '${meta.name}': option '${key}' must be ${schema.type}`);
      options[key] = value;
    }
    out.push({
      meta,
      severity: (setting.level as Severity | undefined) ?? meta.severity,
      severityOverridden: setting.level !== undefined,
      options,
      roles: rolesOf(meta, setting, roles),
    });
  }
  return out.sort(byRuleName);
}

/** Rules in the order of their names' code units (no locale: the collator alone costs more to load than a small scan). */
export function byRuleName(a: { meta: RuleMeta }, b: { meta: RuleMeta }): number {
  return a.meta.name < b.meta.name ? -1 : a.meta.name > b.meta.name ? 1 : 0;
}
