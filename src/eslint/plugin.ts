/**
 * The ESLint flat-config plugin: every code rule of rel4lint as `rel4/<name>`, running the same
 * detectors as the CLI on the TypeScript AST that typescript-eslint already built (or, under
 * another parser, on a TypeScript parse of the same text). Each rule reports the file roles its
 * metadata names (or its `roles` option), decided as the CLI decides them.
 *
 *   import rel4 from 'rel4lint/eslint';
 *   export default [rel4.configs.recommended];
 */
import path from 'node:path';
import type { Rule as ESLintRule, ESLint, Linter } from 'eslint';
import { ts } from '../code/ts.js';
import { parseCode } from '../code/parse.js';
import { FileAnalysis } from '../code/analysis.js';
import { LOADED_RULES } from '../rules/loaded.js';
import { ruleDocUrl } from '../rules/registry.js';
import type { AnyRule } from '../rules/rule.js';
import { FILE_ROLES, type FileRole, type Preset, type Severity } from '../ground/types.js';
import { codeFileRole } from '../code/file-role.js';
import { packageInfo } from '../ground/version.js';

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

/** One role per linted text, shared by all rel4 rules running on it. */
const roles = new WeakMap<object, FileRole>();

/** The file's role, as the CLI decides it: its path relative to ESLint's working directory, its text, its package. */
function roleFor(context: ESLintRule.RuleContext): FileRole {
  const sourceCode = context.sourceCode;
  const cached = roles.get(sourceCode);
  if (cached) return cached;
  const file = path.resolve(context.cwd, context.filename);
  const relativePath = path.relative(context.cwd, file).split(path.sep).join('/');
  const role = codeFileRole({ relativePath, text: sourceCode.text, file });
  roles.set(sourceCode, role);
  return role;
}

/** The rule's options with defaults filled in, and the file roles it reports (the `roles` option, else its metadata's). */
function optionsOf(rule: AnyRule, given: unknown): { options: Record<string, unknown>; roles: readonly FileRole[] } {
  const options: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(rule.meta.options)) options[key] = schema.default;
  let roles: readonly FileRole[] = rule.meta.roles;
  if (given && typeof given === 'object') {
    const { roles: chosen, ...rest } = given as Record<string, unknown>;
    Object.assign(options, rest);
    if (Array.isArray(chosen)) roles = chosen as FileRole[];
  }
  return { options, roles };
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
      schema: [
        {
          type: 'object',
          properties: { ...properties, roles: { type: 'array', items: { enum: [...FILE_ROLES] }, uniqueItems: true } },
          additionalProperties: false,
        },
      ],
    },
    create(context) {
      return {
        Program(program) {
          const text = context.sourceCode.text;
          if (rule.prefilter && !rule.prefilter.test(text)) return;
          const { options, roles: covered } = optionsOf(rule, context.options[0]);
          if (!covered.includes(roleFor(context))) return;
          const analysis = analysisFor(context, program);
          const sf = analysis.sourceFile;
          const reports = rule.code!({ sourceFile: sf, analysis, options, fileName: context.filename });
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

const ESLINT_LEVEL: Record<Severity, Linter.RuleSeverity> = { error: 'error', warning: 'warn', note: 'warn' };

function preset(name: Preset): Linter.RulesRecord {
  return Object.fromEntries(codeRules.filter((r) => r.meta.presets.includes(name)).map((r) => [`rel4/${r.meta.name}`, ESLINT_LEVEL[r.meta.severity]]));
}

const plugin = {
  meta: { name: pkg.name, version: pkg.version },
  rules,
  configs: {} as Record<Preset, Linter.Config>,
} satisfies ESLint.Plugin;

plugin.configs.recommended = { name: 'rel4/recommended', files: CODE_FILES, plugins: { rel4: plugin }, rules: preset('recommended') };
plugin.configs.strict = { name: 'rel4/strict', files: CODE_FILES, plugins: { rel4: plugin }, rules: preset('strict') };

export default plugin;
