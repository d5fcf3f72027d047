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
import { resolve } from 'node:path';
import { FileAnalysis } from '../code/analysis.js';
import { shownLocation } from '../code/modules.js';
import { FsModuleHost } from '../engine/modules.js';
import { LOADED_RULES } from '../rules/loaded.js';
import { ruleDocUrl } from '../rules/registry.js';
import { detectorApplies, type AnyRule, type CodeDetector } from '../rules/rule.js';
import type { Preset, Severity } from '../ground/types.js';
import { packageInfo } from '../ground/version.js';

const pkg = packageInfo();

export const CODE_FILES = ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts', '**/*.js', '**/*.jsx', '**/*.mjs', '**/*.cjs'];

interface ParserServicesLike {
  esTreeNodeToTSNodeMap?: { get(node: unknown): ts.Node | undefined };
}

/** One analysis per linted text, shared by all rel4 rules running on it. */
const analyses = new WeakMap<object, FileAnalysis>();

/**
 * The project files rules follow imports into, read with fs and shared by every file this process
 * lints; a file is read again when its size or modification time changes.
 */
const modules = new FsModuleHost(undefined, true);

/**
 * ESLint reports only in the file it lints: a mistake the CLI reports in a helper module (reached
 * from this file's handler) is reported at the call in this file that reaches it, saying where the
 * mistake is.
 */
export const ELSEWHERE = 'reported where this file reaches it';

function analysisFor(context: ESLintRule.RuleContext, program: unknown): FileAnalysis {
  const sourceCode = context.sourceCode;
  const cached = analyses.get(sourceCode);
  if (cached) return cached;
  const services = sourceCode.parserServices as ParserServicesLike | undefined;
  const tsNode = services?.esTreeNodeToTSNodeMap?.get(program);
  const sf = tsNode && tsNode.kind === ts.SyntaxKind.SourceFile ? (tsNode as ts.SourceFile) : parseCode(resolve(context.cwd, context.filename), sourceCode.text);
  const analysis = new FileAnalysis(sf, modules);
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
          if (!detectorApplies(rule as CodeDetector, text)) return;
          const analysis = analysisFor(context, program);
          const sf = analysis.sourceFile;
          const reports = rule.code!({ sourceFile: sf, analysis, options: optionsOf(rule, context.options[0]), fileName: context.filename });
          for (const report of reports) {
            let node = report.node;
            let message = report.message;
            if (node.getSourceFile() !== sf) {
              const here = report.related?.find((r) => r.node.getSourceFile() === sf);
              if (!here) continue;
              message = `${message} (at ${shownLocation(here.node, node)}; ${ELSEWHERE})`;
              node = here.node;
            }
            const start = node.getStart(sf);
            const end = node.getEnd();
            context.report({
              loc: { start: context.sourceCode.getLocFromIndex(start), end: context.sourceCode.getLocFromIndex(end) },
              message,
              suggest: (node === report.node ? report.suggestions : undefined)?.map((s) => ({
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
