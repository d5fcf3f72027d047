/**
 * The IaC rules in the editor: on a file that imports `aws-cdk-lib`, the constructs it defines
 * are read as a template (as the CLI reads them) and every IaC rule checks it, one file at a time:
 * resources of other files are not seen, and references to them are unknown (never reported as
 * missing). A rule with a code part too (`require-partial-batch-response`) runs both on the file.
 * `Metadata` suppressions the file sets with `addMetadata('rel4lint', ...)` apply, as in the CLI.
 */
import type { Rule as ESLintRule } from 'eslint';
import { ts } from '../code/ts.js';
import { parseCode } from '../code/parse.js';
import { loadCdkSource, mayDefineCdkResources } from '../cdk/index.js';
import type { Template } from '../iac/model.js';
import { ProjectModel, registerProject } from '../context/project.js';
import type { AnyRule } from '../rules/rule.js';
import { ruleDocUrl } from '../rules/registry.js';
import { iacLogicalLocation } from '../engine/findings.js';
import { metadataDirectives } from '../engine/suppressions.js';

interface ParserServicesLike {
  esTreeNodeToTSNodeMap?: { get(node: unknown): ts.Node | undefined };
}

/** The constructs of one linted text, shared by every IaC rule running on it (null: none). */
const templates = new WeakMap<object, Template[] | null>();

function templatesOf(context: ESLintRule.RuleContext, program: unknown): Template[] | null {
  const sourceCode = context.sourceCode;
  const cached = templates.get(sourceCode);
  if (cached !== undefined) return cached;
  let loaded: Template[] | null = null;
  if (mayDefineCdkResources(sourceCode.text)) {
    const services = sourceCode.parserServices as ParserServicesLike | undefined;
    const tsNode = services?.esTreeNodeToTSNodeMap?.get(program);
    const sf = tsNode && tsNode.kind === ts.SyntaxKind.SourceFile ? (tsNode as ts.SourceFile) : parseCode(context.filename, sourceCode.text);
    const template = loadCdkSource(sf);
    if (template) {
      loaded = [template];
      // the project model of this file alone, as the CLI builds it for a scan of this file
      registerProject(loaded, new ProjectModel(loaded, [context.filename]));
    }
  }
  templates.set(sourceCode, loaded);
  return loaded;
}

function optionsOf(rule: AnyRule, given: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(rule.meta.options)) out[key] = schema.default;
  if (given && typeof given === 'object') Object.assign(out, given);
  return out;
}

function metaOf(rule: AnyRule): ESLintRule.RuleMetaData {
  const meta = rule.meta;
  const properties: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(meta.options)) {
    const { default: _default, ...rest } = schema;
    properties[key] = rest;
  }
  return {
    type: 'problem',
    docs: { description: meta.description, url: ruleDocUrl(meta.name), recommended: meta.presets.includes('recommended') },
    schema: [{ type: 'object', properties, additionalProperties: false }],
  };
}

/** Reports the rule's IaC findings on the constructs of the linted file. */
function checkConstructs(rule: AnyRule, context: ESLintRule.RuleContext, program: unknown): void {
  const loaded = templatesOf(context, program);
  if (!loaded) return;
  const template = loaded[0]!;
  const ignored = metadataDirectives(context.filename, template).directives.filter((d) => d.rules.includes(rule.meta.name));
  for (const report of rule.iac!({ templates: loaded, options: optionsOf(rule, context.options[0]) })) {
    if (report.template !== template) continue;
    const where = template.locate(report.path);
    const logical = iacLogicalLocation(report.path, where.exact);
    if (ignored.some((d) => logical === d.resourcePath || logical.startsWith(`${d.resourcePath}.`) || logical === `${d.resourcePath}?`)) continue;
    context.report({
      loc: { start: context.sourceCode.getLocFromIndex(where.start), end: context.sourceCode.getLocFromIndex(where.end) },
      message: report.message,
    });
  }
}

/**
 * The ESLint rule of an IaC rule: the rule's code module (`code`) when it has a code part, with
 * the construct check added to its `Program` visit.
 */
export function withConstructs(rule: AnyRule, code: ESLintRule.RuleModule | undefined): ESLintRule.RuleModule {
  return {
    meta: code?.meta ?? metaOf(rule),
    create(context) {
      const listeners = code?.create(context) ?? {};
      const visit = listeners['Program'] as ((node: unknown) => void) | undefined;
      return {
        ...listeners,
        Program(node: unknown) {
          visit?.(node);
          checkConstructs(rule, context, node);
        },
      };
    },
  };
}
