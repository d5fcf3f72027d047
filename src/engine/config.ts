/**
 * Rule configuration: which rules run, at which severity, with which options, from a preset and
 * the user's overrides (configuration file, `--rule`).
 */
import type { Level, Preset, ResolvedRule, RuleMeta, Severity } from '../ground/types.js';
import { PARSE_ERROR } from '../ground/types.js';
import { ConfigError } from '../ground/errors.js';
import { didYouMean } from '../ground/suggest.js';

export const LEVELS: Level[] = ['off', 'note', 'warning', 'error'];

export interface RuleSetting {
  level?: Level;
  options?: Record<string, unknown>;
}

/**
 * The rules of a preset with user overrides applied, from the metadata of every known rule.
 * `parse-error` is always on. Throws ConfigError naming the offending rule or option.
 */
export function resolveRules(known: readonly { meta: RuleMeta }[], preset: Preset, overrides: Record<string, Level | RuleSetting> = {}): ResolvedRule[] {
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
    });
  }
  return out.sort(byRuleName);
}

/** Rules in the order of their names' code units (no locale: the collator alone costs more to load than a small scan). */
export function byRuleName(a: { meta: RuleMeta }, b: { meta: RuleMeta }): number {
  return a.meta.name < b.meta.name ? -1 : a.meta.name > b.meta.name ? 1 : 0;
}
