/**
 * The IaC rules in the editor: on a file that imports `aws-cdk-lib` (or an AWS Solutions Construct), the constructs it defines
 * are read as a template (as the CLI reads them), as is the service a `serverless.ts` configures,
 * and every IaC rule checks it, one file at a time:
 * resources of other files are not seen, and references to them are unknown (never reported as
 * missing). A rule with a code part too (`require-partial-batch-response`) runs both on the file.
 * `Metadata` suppressions the file sets with `addMetadata('rel4lint', ...)` apply, as in the CLI,
 * and so do `rel4lint-` comments (through `reportAll`).
 */
import type { Rule as ESLintRule } from 'eslint';
import { loadCdkSource, mayDefineCdkResources } from '../cdk/index.js';
import { isServerlessConfig, loadServerlessConfig } from '../cdk/serverless-config.js';
import type { Template } from '../iac/model.js';
import { defaultsNote, evaluateDefaults, notDeployed } from '../iac/defaults.js';
import { ProjectModel, registerProject } from '../context/project.js';
import { templateRoleOf } from '../ground/roles.js';
import type { AnyRule } from '../rules/rule.js';
import { iacLogicalLocation, withOtherResources } from '../engine/findings.js';
import { metadataDirectives } from '../engine/suppressions.js';
import { analysisOf, reportAll, roleOf, type PluginReport } from './file-state.js';
import { eslintMeta, optionsOf, reportUnanalysable } from './rule-modules.js';
import { isStackOverflow } from '../ground/stack-overflow.js';

/** The constructs of one linted text, shared by every IaC rule running on it (null: none). */
const templates = new WeakMap<object, Template[] | null>();

function templatesOf(context: ESLintRule.RuleContext, program: unknown): Template[] | null {
  const sourceCode = context.sourceCode;
  const cached = templates.get(sourceCode);
  if (cached !== undefined) return cached;
  let loaded: Template[] | null = null;
  const config = isServerlessConfig(context.filename, sourceCode.text);
  const analysis = config || mayDefineCdkResources(sourceCode.text) ? analysisOf(context, program) : undefined;
  if (analysis) {
    let template: Template | undefined;
    try {
      // construct classes of other files run with the props the file passes, as in the CLI; a
      // `serverless.ts` reads the values it imports from other files
      template = config ? loadServerlessConfig(analysis.sourceFile, analysis.host)?.template : loadCdkSource(analysis.sourceFile, analysis.host);
    } catch (err) {
      // constructs nested too deeply to read: the file's other findings still count
      if (!isStackOverflow(err)) throw err;
    }
    if (template) {
      loaded = [template];
      // parameters (`CfnParameter`) at their defaults, as the CLI evaluates every template
      evaluateDefaults(loaded);
      // the project model of this file alone, as the CLI builds it for a scan of this file
      registerProject(loaded, new ProjectModel(loaded, [context.filename]));
    }
  }
  templates.set(sourceCode, loaded);
  return loaded;
}

/** The rule's IaC findings on the constructs of the linted file, as offsets in its text. */
function constructReports(rule: AnyRule, context: ESLintRule.RuleContext, program: unknown, options: Record<string, unknown>): PluginReport[] {
  const loaded = templatesOf(context, program);
  if (!loaded) return [];
  const template = loaded[0]!;
  const ignored = metadataDirectives(context.filename, template).directives.filter((d) => d.rules.includes(rule.meta.name));
  const merged: { report: PluginReport; name: string; others: string[] }[] = [];
  for (const report of rule.iac!({ templates: loaded, options })) {
    if (report.template !== template) continue;
    // a resource the default deployment does not create (its condition is false at the
    // parameters' defaults), as in the CLI
    if (report.path[0] === 'Resources' && typeof report.path[1] === 'string' && notDeployed(template, report.path[1])) continue;
    const where = template.locate(report.path);
    // a construct another file's class makes: the CLI reports it in that file
    if (where.file !== undefined) continue;
    const logical = iacLogicalLocation(report.path, where.exact);
    if (ignored.some((d) => logical === d.resourcePath || logical.startsWith(`${d.resourcePath}.`) || logical === `${d.resourcePath}?`)) continue;
    // a value the parameter defaults decided says so, as in the CLI
    const note = defaultsNote(report.template, report.path);
    const message = note ? `${report.message} (${note})` : report.message;
    // resources made by one line run more than once: one finding naming the others, as in the CLI
    const name = String(report.path[1]);
    const same = merged.find((m) => m.report.start === where.start && m.report.end === where.end);
    if (same) {
      if (same.report.message !== message && name !== same.name && !same.others.includes(name)) same.others.push(name);
      continue;
    }
    merged.push({ report: { start: where.start, end: where.end, message }, name, others: [] });
  }
  return merged.map((m) => ({ ...m.report, message: withOtherResources(m.report.message, m.others) }));
}

/**
 * The ESLint rule of an IaC rule: the rule's code module (`code`) when it has a code part, with
 * the construct check added to its `Program` visit. The constructs of a test file are a test
 * stack's, those of generated output a copy's (see `templateRoleOf`): checked when the rule covers
 * that role.
 */
export function withConstructs(rule: AnyRule, code: ESLintRule.RuleModule | undefined): ESLintRule.RuleModule {
  return {
    meta: code?.meta ?? eslintMeta(rule.meta, 'problem', true),
    create(context) {
      const listeners = code?.create(context) ?? {};
      const visit = listeners['Program'] as ((node: unknown) => void) | undefined;
      return {
        ...listeners,
        Program(node: unknown) {
          visit?.(node);
          const { options, roles } = optionsOf(rule.meta, context.options[0]);
          if (!roles.includes(templateRoleOf(roleOf(context)))) return;
          if (!mayDefineCdkResources(context.sourceCode.text) && !isServerlessConfig(context.filename, context.sourceCode.text)) {
            // marks the rule as run on the file, for unused suppressions
            if (!code) reportAll(context, rule.meta.name, []);
            return;
          }
          if (!analysisOf(context, node)) return reportUnanalysable(context);
          reportAll(context, rule.meta.name, constructReports(rule, context, node, options));
        },
      };
    },
  };
}
