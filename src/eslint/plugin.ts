/**
 * The ESLint flat-config plugin: every code rule of rel4lint as `rel4/<name>`, running the same
 * detectors as the CLI on the TypeScript AST that typescript-eslint already built (or, under
 * another parser, on a TypeScript parse of the same text).
 *
 *   import rel4 from 'rel4lint/eslint';
 *   export default [rel4.configs.recommended];
 */
import type { Rule as ESLintRule, ESLint, Linter } from 'eslint';
import { ts } from '../code/ts.js';
import { parseCode } from '../code/parse.js';
import { FileAnalysis } from '../code/analysis.js';
import { LOADED_RULES } from '../rules/loaded.js';
import { ruleDocUrl } from '../rules/registry.js';
import type { AnyRule } from '../rules/rule.js';
import type { Preset, Severity } from '../ground/types.js';
import { packageInfo } from '../ground/version.js';
import { withConstructs } from './iac-rules.js';

const pkg = packageInfo();

export const CODE_FILES = ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts', '**/*.js', '**/*.jsx', '**/*.mjs', '**/*.cjs'];

interface ParserServicesLike {
  esTreeNodeToTSNodeMap?: { get(node: unknown): ts.Node | undefined };
}

/** One analysis per linted text, shared by all rel4 rules running on it. */
const analyses = new WeakMap<object, FileAnalysis>();

function analysisFor(context: ESLintRule.RuleContext, program: unknown): FileAnalysis {
  const sourceCode = context.sourceCode;
  const cached = analyses.get(sourceCode);
  if (cached) return cached;
  const services = sourceCode.parserServices as ParserServicesLike | undefined;
  const tsNode = services?.esTreeNodeToTSNodeMap?.get(program);
  const sf = tsNode && tsNode.kind === ts.SyntaxKind.SourceFile ? (tsNode as ts.SourceFile) : parseCode(context.filename, sourceCode.text);
  const analysis = new FileAnalysis(sf);
  analyses.set(sourceCode, analysis);
  return analysis;
}

function optionsOf(rule: AnyRule, given: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(rule.meta.options)) out[key] = schema.default;
  if (given && typeof given === 'object') Object.assign(out, given);
  return out;
}

function toESLintRule(rule: AnyRule): ESLintRule.RuleModule {
  const meta = rule.meta;
  const properties: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(meta.options)) {
    const { default: _default, ...rest } = schema;
    properties[key] = rest;
  }
  return {
    meta: {
      type: 'problem',
      docs: { description: meta.description, url: ruleDocUrl(meta.name), recommended: meta.presets.includes('recommended') },
      hasSuggestions: meta.hasSuggestions ?? false,
      schema: [{ type: 'object', properties, additionalProperties: false }],
    },
    create(context) {
      return {
        Program(program) {
          const text = context.sourceCode.text;
          if (rule.prefilter && !rule.prefilter.test(text)) return;
          const analysis = analysisFor(context, program);
          const sf = analysis.sourceFile;
          const reports = rule.code!({ sourceFile: sf, analysis, options: optionsOf(rule, context.options[0]), fileName: context.filename });
          for (const report of reports) {
            const start = report.node.getStart(sf);
            const end = report.node.getEnd();
            context.report({
              loc: { start: context.sourceCode.getLocFromIndex(start), end: context.sourceCode.getLocFromIndex(end) },
              message: report.message,
              suggest: report.suggestions?.map((s) => ({
                desc: s.description,
                fix: (fixer: ESLintRule.RuleFixer) => s.edits.map((e) => fixer.replaceTextRange([e.start, e.end], e.text)),
              })),
            });
          }
        },
      };
    },
  };
}

const codeRules = LOADED_RULES.filter((r) => r.code);

const rules: Record<string, ESLintRule.RuleModule> = Object.fromEntries(codeRules.map((r) => [r.meta.name, toESLintRule(r)]));
// the IaC rules check the constructs of CDK app files (see ./iac-rules.ts)
for (const r of LOADED_RULES.filter((x) => x.iac)) rules[r.meta.name] = withConstructs(r, rules[r.meta.name]);

const ESLINT_LEVEL: Record<Severity, Linter.RuleSeverity> = { error: 'error', warning: 'warn', note: 'warn' };

function preset(name: Preset): Linter.RulesRecord {
  return Object.fromEntries(LOADED_RULES.filter((r) => rules[r.meta.name] && r.meta.presets.includes(name)).map((r) => [`rel4/${r.meta.name}`, ESLINT_LEVEL[r.meta.severity]]));
}

const plugin = {
  meta: { name: pkg.name, version: pkg.version },
  rules,
  configs: {} as Record<Preset, Linter.Config>,
} satisfies ESLint.Plugin;

plugin.configs.recommended = { name: 'rel4/recommended', files: CODE_FILES, plugins: { rel4: plugin }, rules: preset('recommended') };
plugin.configs.strict = { name: 'rel4/strict', files: CODE_FILES, plugins: { rel4: plugin }, rules: preset('strict') };

export default plugin;
