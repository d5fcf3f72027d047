/** The rules of a run with their detectors: loaded from the registry the engine is handed, on first use. */
import type { ResolvedRule } from '../ground/types.js';
import type { AnyRule, RuleEntry, RuleRegistry } from '../rules/rule.js';

/** A configured rule with the detectors this run needs. */
export interface LoadedRule extends ResolvedRule {
  rule: AnyRule;
}

export type DetectorKind = 'code' | 'iac' | 'project';

/** A rule with the detectors of the given kinds loaded (the others left out). */
async function loadRule(entry: RuleEntry, kinds: readonly DetectorKind[]): Promise<AnyRule> {
  const rule: AnyRule = { meta: entry.meta };
  for (const kind of kinds) {
    const load = entry[kind];
    if (load) Object.assign(rule, (await load()).default);
  }
  return rule;
}

/** The configured rules with the detectors of the given kinds; unknown names are an error. */
export async function loadRules(registry: RuleRegistry, rules: readonly ResolvedRule[], kinds: readonly DetectorKind[]): Promise<LoadedRule[]> {
  const byName = new Map(registry.rules.map((entry) => [entry.meta.name, entry]));
  return Promise.all(
    rules.map(async (resolved) => {
      const entry = byName.get(resolved.meta.name);
      if (!entry) throw new Error(`unknown rule ${resolved.meta.name}`);
      return { ...resolved, rule: await loadRule(entry, kinds) };
    }),
  );
}
