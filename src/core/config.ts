import type { Level, Preset, ResolvedRule, Severity } from './types.js';
import { RULES, PARSE_ERROR, getRule } from '../rules/index.js';

export class ConfigError extends Error {}

export const LEVELS: Level[] = ['off', 'note', 'warning', 'error'];

export interface RuleSetting {
  level?: Level;
  options?: Record<string, unknown>;
}

/**
 * The rules of a preset with user overrides applied. `parse-error` is always on.
 * Throws ConfigError naming the offending rule or option.
 */
export function resolveRules(preset: Preset, overrides: Record<string, Level | RuleSetting> = {}): ResolvedRule[] {
  for (const name of Object.keys(overrides)) {
    if (!getRule(name)) throw new ConfigError(`unknown rule '${name}' (see --list-rules)`);
  }
  const out: ResolvedRule[] = [];
  for (const rule of RULES) {
    const raw = overrides[rule.meta.name];
    const setting: RuleSetting = typeof raw === 'string' ? { level: raw } : (raw ?? {});
    if (setting.level !== undefined && !LEVELS.includes(setting.level)) {
      throw new ConfigError(`rule '${rule.meta.name}': level must be one of ${LEVELS.join(', ')}, got '${String(setting.level)}'`);
    }
    const inPreset = rule.meta.presets.includes(preset);
    if (setting.level === 'off') {
      if (rule.meta.name === PARSE_ERROR) throw new ConfigError(`rule '${PARSE_ERROR}' cannot be turned off`);
      continue;
    }
    if (!inPreset && setting.level === undefined) continue;
    const options: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(rule.meta.options)) options[key] = schema.default;
    for (const [key, value] of Object.entries(setting.options ?? {})) {
      const schema = rule.meta.options[key];
      if (!schema) throw new ConfigError(`rule '${rule.meta.name}': unknown option '${key}'`);
      const ok =
        schema.type === 'array' ? Array.isArray(value) : schema.type === 'integer' ? Number.isInteger(value) : typeof value === schema.type;
      if (!ok) throw new ConfigError(`rule '${rule.meta.name}': option '${key}' must be ${schema.type}`);
      options[key] = value;
    }
    out.push({
      rule,
      severity: (setting.level as Severity | undefined) ?? rule.meta.severity,
      severityOverridden: setting.level !== undefined,
      options,
    });
  }
  return out.sort((a, b) => a.rule.meta.name.localeCompare(b.rule.meta.name));
}
