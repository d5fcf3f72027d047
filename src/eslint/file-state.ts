/**
 * What the rel4 rules share while ESLint lints one text: the TypeScript analysis (built once for
 * all of them), the `rel4lint-` suppression comments, which rel4 rules ran and which comments
 * suppressed something. Keyed on ESLint's `SourceCode`, which is one object per linted text.
 */
import path from 'node:path';
import type { Rule as ESLintRule } from 'eslint';
import type { FileRole } from '../ground/types.js';
import { codeFileRole } from '../code/file-role.js';
import { isServerlessConfig, mayDefineCdkResources } from '../cdk/sniff.js';
import { FileAnalysis } from '../code/analysis.js';
import { FsModuleHost } from '../engine/modules.js';
import { commentDirectives, markUsed, suppressingDirective, type Directive, type DirectiveUse } from '../engine/suppressions.js';
import { sourceFileFor } from './typescript-ast.js';
import { ParseCostError } from '../code/parse.js';
import { isStackOverflow } from '../ground/stack-overflow.js';

export interface FileState {
  /** `rel4lint-` comments of the text (ESLint applies and checks its own `eslint-` directives). */
  directives: Directive[];
  /** rel4 rules that ran on the text: an unused suppression of one of them is reported. */
  ran: Set<string>;
  used: DirectiveUse;
  analysis?: FileAnalysis;
  /** Why the text cannot be analysed (a parse the analysis refuses), once a rule has tried. */
  unanalysable?: string;
  /** Whether a rel4 rule has reported that the text cannot be analysed (one report per text). */
  unanalysableReported?: boolean;
  role?: FileRole;
}

const states = new WeakMap<object, FileState>();

export function fileState(context: ESLintRule.RuleContext): FileState {
  const sourceCode = context.sourceCode;
  let state = states.get(sourceCode);
  if (!state) {
    const directives = commentDirectives(context.filename, sourceCode.text, 'code').filter((d) => d.family === 'rel4lint');
    state = { directives, ran: new Set(), used: new Map() };
    states.set(sourceCode, state);
  }
  return state;
}

/**
 * The project files rules follow imports into, read with fs and shared by every file this process
 * lints; a file is read again when its size or modification time changes.
 */
const modules = new FsModuleHost(undefined, true);

/**
 * The analysis of the linted text, on typescript-eslint's tree when it can be read; undefined
 * when the text must be parsed again and the parse is refused (see `parseCode`) or nests too
 * deeply for the stack — the reason is in the file's state.
 */
export function analysisOf(context: ESLintRule.RuleContext, program: unknown): FileAnalysis | undefined {
  const state = fileState(context);
  if (!state.analysis && state.unanalysable === undefined) {
    try {
      state.analysis = new FileAnalysis(sourceFileFor(context.filename, context.sourceCode.text, context.sourceCode.parserServices, program), modules);
    } catch (err) {
      if (err instanceof ParseCostError) state.unanalysable = err.message;
      else if (isStackOverflow(err)) state.unanalysable = 'nesting is too deep for the TypeScript parser';
      else throw err;
    }
  }
  return state.analysis;
}

/** The file's role, as the CLI decides it: its path relative to ESLint's working directory, its text, its package. */
export function roleOf(context: ESLintRule.RuleContext): FileRole {
  const state = fileState(context);
  if (!state.role) {
    const file = path.resolve(context.cwd, context.filename);
    const relativePath = path.relative(context.cwd, file).split(path.sep).join('/');
    const text = context.sourceCode.text;
    state.role = codeFileRole({ relativePath, text, file, infrastructure: mayDefineCdkResources(text) || isServerlessConfig(file, text) });
  }
  return state.role;
}

/** A finding of a rel4 rule in ESLint's terms: offsets in the linted text. */
export interface PluginReport {
  start: number;
  end: number;
  message: string;
  suggest?: ESLintRule.SuggestionReportDescriptor[];
}

/**
 * Reports a rel4 rule's findings through ESLint, leaving out those a `rel4lint-` comment
 * suppresses (as the CLI does); records that the rule ran and which comments were used.
 */
export function reportAll(context: ESLintRule.RuleContext, rule: string, reports: Iterable<PluginReport>): void {
  const state = fileState(context);
  state.ran.add(rule);
  const sourceCode = context.sourceCode;
  for (const report of reports) {
    const start = sourceCode.getLocFromIndex(report.start);
    const end = sourceCode.getLocFromIndex(report.end);
    if (state.directives.length > 0) {
      const where = { rule, file: context.filename, range: { start: { line: start.line, column: start.column + 1 }, end: { line: end.line, column: end.column + 1 } }, logicalLocation: '' };
      const directive = suppressingDirective(state.directives, where);
      if (directive) {
        markUsed(state.used, directive, rule);
        continue;
      }
    }
    context.report({ loc: { start, end }, message: report.message, ...(report.suggest ? { suggest: report.suggest } : {}) });
  }
}
