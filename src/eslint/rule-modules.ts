/**
 * ESLint rule modules of rel4 rules. Each rel4 rule module does its work when ESLint enters the
 * `Program` node, so that `rel4/no-invalid-suppression`, on leaving it, knows every rel4 rule
 * that ran on the text and every suppression comment they used.
 */
import type { Rule as ESLintRule } from 'eslint';
import { shownLocation } from '../code/modules.js';
import { detectorApplies, type AnyRule, type CodeDetector } from '../rules/rule.js';
import { ruleDocUrl } from '../rules/registry.js';
import { FILE_ROLES, type FileRole, type RuleMeta } from '../ground/types.js';
import { directiveProblems } from '../engine/suppressions.js';
import { analysisOf, fileState, reportAll, roleOf, type PluginReport } from './file-state.js';
import { StepLimitError, stepLimitFor, withStepLimit } from '../code/walk.js';

/**
 * ESLint's metadata of a rel4 rule: description, documentation at this version, options schema
 * (with `roles`, the file roles it reports, for a rule that reports code files).
 */
export function eslintMeta(meta: RuleMeta, type: ESLintRule.RuleMetaData['type'] = 'problem', roles = false): ESLintRule.RuleMetaData {
  const properties: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(meta.options)) {
    const { default: _default, ...rest } = schema;
    properties[key] = rest;
  }
  if (roles) properties['roles'] = { type: 'array', items: { enum: [...FILE_ROLES] }, uniqueItems: true };
  return {
    type,
    docs: { description: meta.description, url: ruleDocUrl(meta.name), recommended: meta.presets.includes('recommended') },
    hasSuggestions: meta.hasSuggestions ?? false,
    schema: [{ type: 'object', properties, additionalProperties: false }],
  };
}

/**
 * ESLint reports only in the file it lints: a mistake the CLI reports in a helper module (reached
 * from this file's handler) is reported at the call in this file that reaches it, saying where the
 * mistake is.
 */
export const ELSEWHERE = 'reported where this file reaches it';

/**
 * The rule's options (its defaults, overridden by what the ESLint configuration gives) and the
 * file roles it reports (the `roles` option, else its metadata's).
 */
export function optionsOf(meta: RuleMeta, given: unknown): { options: Record<string, unknown>; roles: readonly FileRole[] } {
  const options: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(meta.options)) options[key] = schema.default;
  let roles: readonly FileRole[] = meta.roles;
  if (given && typeof given === 'object') {
    const { roles: chosen, ...rest } = given as Record<string, unknown>;
    Object.assign(options, rest);
    if (Array.isArray(chosen)) roles = chosen as FileRole[];
  }
  return { options, roles };
}

/** The ESLint rule of a rel4 rule with a code detector: the detector on the file's TypeScript tree. */
export function codeRuleModule(rule: AnyRule): ESLintRule.RuleModule {
  const meta = rule.meta;
  const detect = rule.code!;
  return {
    meta: eslintMeta(meta, 'problem', true),
    create(context) {
      return {
        Program(program) {
          const text = context.sourceCode.text;
          const { options, roles } = optionsOf(meta, context.options[0]);
          // a file of a role the rule does not report: the rule does not run on it
          if (!roles.includes(roleOf(context))) return;
          if (!detectorApplies(rule as CodeDetector, text)) return reportAll(context, meta.name, []);
          const analysis = analysisOf(context, program);
          if (!analysis) return reportUnanalysable(context);
          const sourceFile = analysis.sourceFile;
          let reports: ReturnType<typeof detect>;
          try {
            reports = withStepLimit(stepLimitFor(text), () => detect({ sourceFile, analysis, options, fileName: context.filename }));
          } catch (err) {
            if (!(err instanceof StepLimitError)) throw err;
            // as the CLI does: the rule stops, in time linear in the file's size, and says so
            const message = `stopped: the file needs more work than the limit for its size (${err.limit.toLocaleString('en-US')} steps); this rule's findings in it are missing`;
            return reportAll(context, meta.name, [{ start: 0, end: 0, message }]);
          }
          const inFile: PluginReport[] = [];
          for (const report of reports) {
            let node = report.node;
            let message = report.message;
            if (node.getSourceFile() !== sourceFile) {
              const here = report.related?.find((r) => r.node.getSourceFile() === sourceFile);
              if (!here) continue;
              message = `${message} (at ${shownLocation(here.node, node)}; ${ELSEWHERE})`;
              node = here.node;
            }
            inFile.push({
              start: node.getStart(sourceFile),
              end: node.getEnd(),
              message,
              suggest: (node === report.node ? report.suggestions : undefined)?.map((s) => ({
                desc: s.description,
                fix: (fixer: ESLintRule.RuleFixer) => s.edits.map((e) => fixer.replaceTextRange([e.start, e.end], e.text)),
              })),
            });
          }
          reportAll(context, meta.name, inFile);
        },
      };
    },
  };
}

/**
 * A text the analysis cannot read (its parse is refused, or nests too deeply): the first rel4
 * rule that tries reports why at its start, once; ESLint's own parse of it went through, so the
 * other rules of the configuration still run.
 */
export function reportUnanalysable(context: ESLintRule.RuleContext): void {
  const state = fileState(context);
  if (state.unanalysableReported) return;
  state.unanalysableReported = true;
  context.report({ loc: { line: 1, column: 0 }, message: `rel4 rules cannot analyse this file: ${state.unanalysable}` });
}

/**
 * `rel4/no-invalid-suppression`: the problems with the text's `rel4lint-` comments, in the CLI's
 * words. Unused ones are those of rel4 rules that ran on the text and suppressed nothing there.
 */
export function suppressionRuleModule(meta: RuleMeta, known: ReadonlySet<string>): ESLintRule.RuleModule {
  return {
    meta: eslintMeta(meta, 'suggestion'),
    create(context) {
      return {
        'Program:exit'() {
          const state = fileState(context);
          if (state.directives.length === 0) return;
          for (const problem of directiveProblems(state.directives, state.used, state.ran, known)) {
            const sourceCode = context.sourceCode;
            context.report({
              loc: { start: sourceCode.getLocFromIndex(problem.offsets.start), end: sourceCode.getLocFromIndex(problem.offsets.end) },
              message: problem.message,
            });
          }
        },
      };
    },
  };
}
