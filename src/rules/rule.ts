/**
 * What a rule is: its metadata and the detectors that find its mistakes in code, in templates or
 * across the project model. Detectors return data (reports); the engine and the ESLint plugin turn
 * reports into findings.
 */
import type { ts } from '../code/ts.js';
import type { Template, PathSegment } from '../iac/model.js';
import type { FileAnalysis } from '../code/analysis.js';
import type { ProjectModel } from '../context/project.js';
import type { FileProjectContext, Location } from '../context/types.js';
import type { RuleMeta, Severity, Suggestion } from '../ground/types.js';

/** What a code detector returns. */
export interface CodeReport {
  node: ts.Node;
  message: string;
  /** Overrides the rule's default severity (e.g. context-dependent rules). */
  severity?: Severity;
  related?: { node: ts.Node; label: string }[];
  suggestions?: Suggestion[];
}

/** What an IaC detector returns. */
export interface IacReport {
  template: Template;
  /** Logical path, e.g. ['Resources', 'Queue', 'Properties', 'RedrivePolicy']; missing tails fall back to the nearest ancestor. */
  path: PathSegment[];
  message: string;
  severity?: Severity;
  related?: { template: Template; path: PathSegment[]; label: string }[];
}

export interface CodeRuleContext<O> {
  sourceFile: ts.SourceFile;
  /** Shared, computed once per file: imports, SDK calls, handler contexts. */
  analysis: FileAnalysis;
  options: O;
  fileName: string;
  /**
   * What the project model says about this file when a template links it as a handler: the
   * execution context of its triggers and what the environment variables the template sets point at.
   */
  project?: FileProjectContext;
}

export interface IacRuleContext<O> {
  /** Every template of the scan (a rule may cross-reference them). */
  templates: Template[];
  options: O;
}

/** What a project-level detector returns: a code span or a template path, and related locations. */
export interface ProjectReport {
  location: Location;
  message: string;
  severity?: Severity;
  related?: { location: Location; label: string }[];
}

export interface ProjectRuleContext<O> {
  /** Templates linked to handler files, with the interaction graph (code edges included). */
  project: ProjectModel;
  options: O;
}

/** The code detector of a rule (a rule folder's `code.ts`). */
export interface CodeDetector<O extends object = Record<string, unknown>> {
  /**
   * Cheap text test: the code detector only runs on files whose text matches. Keeps the scan of
   * large trees close to the cost of parsing.
   */
  prefilter?: RegExp;
  /**
   * The detector also checks code in other modules that a handler file reaches: it runs on
   * files that look like entry points even when their own text does not match the prefilter.
   */
  followsImports?: boolean;
  code: (ctx: CodeRuleContext<O>) => CodeReport[];
}

/** Text that may make a file an entry point whose helpers in other modules are checked (`exports.warm = async (event, context) =>` too). */
const ENTRY_HINT = /handler|aws-lambda|express|fastify|koa|hono|@nestjs\/|lambdaHandler|\bevent\s*,\s*context\b/i;

/** Whether a code detector has anything to look at in a file of this text (its prefilter, or code it follows into other modules). */
export function detectorApplies(detector: Pick<CodeDetector, 'prefilter' | 'followsImports'>, text: string): boolean {
  if (!detector.prefilter || detector.prefilter.test(text)) return true;
  return !!detector.followsImports && ENTRY_HINT.test(text);
}

/** The template detector of a rule (a rule folder's `iac.ts`). */
export interface IacDetector<O extends object = Record<string, unknown>> {
  iac: (ctx: IacRuleContext<O>) => IacReport[];
}

/** The project detector of a rule (a rule folder's `project.ts`): runs once per scan over the project model. */
export interface ProjectDetector<O extends object = Record<string, unknown>> {
  project: (ctx: ProjectRuleContext<O>) => ProjectReport[];
}

/** A rule with its metadata and whichever detectors it has, loaded. */
export interface Rule<O extends object = Record<string, unknown>>
  extends Partial<CodeDetector<O>>,
    Partial<IacDetector<O>>,
    Partial<ProjectDetector<O>> {
  meta: RuleMeta;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRule = Rule<any>;

type Loader<D> = () => Promise<{ default: D }>;

/**
 * A rule in the registry: metadata at once, each detector loaded on first use (a scan of
 * templates alone never loads the code detectors, nor the TypeScript compiler they use).
 */
export interface RuleEntry {
  meta: RuleMeta;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  code?: Loader<CodeDetector<any>>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  iac?: Loader<IacDetector<any>>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  project?: Loader<ProjectDetector<any>>;
}

/** The rules a front end hands the engine. */
export interface RuleRegistry {
  rules: readonly RuleEntry[];
  /**
   * URL of a module whose `RULES` export lists the same rules: worker threads load the registry
   * from it (functions do not cross threads).
   */
  module: string;
}
