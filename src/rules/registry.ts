/**
 * What a front end hands the engine: the rules it knows (metadata at once, detectors loaded on
 * first use), and where rule documentation lives.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RuleEntry, RuleRegistry } from './rule.js';
import { RULES } from './index.js';
import { toolVersion } from '../ground/version.js';

/** The rules rel4lint ships. */
export const DEFAULT_REGISTRY: RuleRegistry = { rules: RULES, module: new URL('./index.js', import.meta.url).href };

/** The rule of that name, or undefined. */
export function findRule(registry: RuleRegistry, name: string): RuleEntry | undefined {
  return registry.rules.find((r) => r.meta.name === name);
}

/**
 * A rule's documentation at the tag of this release (`v<version>`), so that a link in a report
 * or an editor shows the rule as this version applies it.
 */
export function ruleDocUrl(name: string): string {
  return `https://github.com/rel4lint/rel4lint/blob/v${toolVersion()}/src/rules/${name}/README.md`;
}

/** Package root: two levels above this module both in `src/rules` and in `dist/rules`. */
const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function ruleReadmePath(name: string): string {
  return path.join(PACKAGE_ROOT, 'src', 'rules', name, 'README.md');
}
