/**
 * The ESLint flat-config plugin: every code rule of rel4lint as `rel4/<name>`, running the same
 * detectors as the CLI on the TypeScript tree typescript-eslint already built (or, under another
 * parser or another TypeScript version, on a parse of the same text), and
 * `rel4/no-invalid-suppression` for the `rel4lint-` comments. Each rule reports the file roles
 * its metadata names (or its `roles` option), decided as the CLI decides them.
 *
 *   import rel4 from 'rel4lint/eslint';
 *   export default [rel4.configs.recommended];
 *
 * The presets name no `files`: they apply to the files the rest of the configuration lints
 * (JavaScript by default, TypeScript once typescript-eslint's configuration adds its parser), as
 * the shared configurations of widely used plugins do.
 */
import type { Rule as ESLintRule, ESLint, Linter } from 'eslint';
import { LOADED_RULES } from '../rules/loaded.js';
import type { Preset, Severity } from '../ground/types.js';
import { SUPPRESSION_RULE } from '../ground/types.js';
import { packageInfo } from '../ground/version.js';
import { codeRuleModule, suppressionRuleModule } from './rule-modules.js';
import { withConstructs } from './iac-rules.js';

export { ELSEWHERE } from './rule-modules.js';

const pkg = packageInfo();

/** Every code file extension rel4lint analyses, as ESLint `files` patterns. */
export const CODE_FILES = ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts', '**/*.js', '**/*.jsx', '**/*.mjs', '**/*.cjs'];

const codeRules = LOADED_RULES.filter((r) => r.code);
const suppressionRule = LOADED_RULES.find((r) => r.meta.name === SUPPRESSION_RULE)!;
const known = new Set(LOADED_RULES.map((r) => r.meta.name));

const rules: Record<string, ESLintRule.RuleModule> = {
  ...Object.fromEntries(codeRules.map((r) => [r.meta.name, codeRuleModule(r)])),
  [SUPPRESSION_RULE]: suppressionRuleModule(suppressionRule.meta, known),
};
// the IaC rules check the constructs of CDK app files (see ./iac-rules.ts)
for (const r of LOADED_RULES.filter((x) => x.iac)) rules[r.meta.name] = withConstructs(r, rules[r.meta.name]);

/**
 * ESLint's level for a rule's default severity. ESLint has no level below `warn`, and one level
 * per rule: a rule whose CLI severity depends on context gets its default level (see README).
 */
export const ESLINT_LEVEL: Record<Severity, Linter.RuleSeverity> = { error: 'error', warning: 'warn', note: 'warn' };

function preset(name: Preset): Linter.RulesRecord {
  const inPlugin = LOADED_RULES.filter((r) => Object.hasOwn(rules, r.meta.name) && r.meta.presets.includes(name));
  return Object.fromEntries(inPlugin.map((r) => [`rel4/${r.meta.name}`, ESLINT_LEVEL[r.meta.severity]]));
}

const plugin = {
  meta: { name: pkg.name, version: pkg.version },
  rules,
  configs: {} as Record<Preset, Linter.Config>,
} satisfies ESLint.Plugin;

plugin.configs.recommended = { name: 'rel4/recommended', plugins: { rel4: plugin }, rules: preset('recommended') };
plugin.configs.strict = { name: 'rel4/strict', plugins: { rel4: plugin }, rules: preset('strict') };

export default plugin;
