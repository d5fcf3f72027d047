/**
 * The engine's code pass: parses a TypeScript/JavaScript file, runs the code rules over it and
 * hands their reports back as findings. The engine loads this module only when a scan has code
 * files, so that a scan of templates alone never loads the TypeScript compiler.
 */
import type { FileRole, OffsetRange, Range, RelatedLocation, Severity } from '../ground/types.js';
import { isStackOverflow, noteStackOverflow } from '../ground/stack-overflow.js';
import { ts } from '../code/ts.js';
import { parseCode, firstSyntaxProblem, ParseCostError } from '../code/parse.js';
import { FileAnalysis } from '../code/analysis.js';
import { enclosingFunction, functionName, StepLimitError, stepLimitFor, withStepLimit } from '../code/walk.js';
import type { FileProjectContext, CodeCall } from '../context/types.js';
import { codeCalls, helperTexts } from '../context/code-calls.js';
import { loadCdkSource } from '../cdk/index.js';
import { isServerlessConfig, loadServerlessConfig } from '../cdk/serverless-config.js';
import type { Template } from '../iac/model.js';
import { detectorApplies, type CodeDetector, type CodeReport } from '../rules/rule.js';
import type { LoadedRule } from './rules.js';
import type { FindingPlace } from './findings.js';
import { FsModuleHost, type ModuleHostWithReads } from './modules.js';

/** The host that resolves and reads the project files code rules follow imports into, for one engine. */
export function moduleHost(maxFileBytes: number): ModuleHostWithReads {
  return new FsModuleHost(maxFileBytes);
}

export interface LinkedFile {
  file: string;
  text: string;
  role: FileRole;
  calls: CodeCall[];
  /** Texts of the helper files where calls are made (`CodeCall.made`), to place related locations in. */
  helpers?: [string, string][];
}

/** What the code pass records into: the engine. */
export interface CodeSink {
  relative(file: string): string;
  parseError(file: string, text: string, message: string, offset?: number, role?: FileRole): void;
  /** The analysis of a file was cut short by a limit: a `parse-error` finding saying why. */
  analysisStopped(file: string, text: string, message: string, role?: FileRole): void;
  addFinding(resolved: LoadedRule, reported: Severity | undefined, where: FindingPlace, text: string): void;
  /** A handler file a template links: its calls feed the project model. */
  addLinked(linked: LinkedFile): void;
  /** True when the file may define CDK constructs that the IaC rules would check. */
  readsCdk(text: string): boolean;
  /** The constructs of a CDK app file, as a template for the IaC rules. */
  addTemplate(template: Template): void;
  /** Reads the project files rules follow imports into. */
  readonly modules?: ModuleHostWithReads;
}

/**
 * Parses one code file and runs the code rules on it: those that report files of its role, and
 * those needing a template's context only when it has one.
 */
export function lintCode(sink: CodeSink, codeRules: readonly LoadedRule[], file: string, text: string, role: FileRole, context?: FileProjectContext): void {
  // rules that need a template's context have nothing to say about a file no template links
  const active = codeRules.filter((r) => r.roles.includes(role) && (context || !r.meta.needsContext) && detectorApplies(r.rule as CodeDetector, text));
  const cdk = sink.readsCdk(text);
  let sf: ts.SourceFile;
  try {
    // every file is parsed (a syntax error is a finding); FileAnalysis links parents itself. A
    // CDK app file may be imported by another one: its parse is kept for that import
    sf = sink.modules ? sink.modules.sourceFile(file, text, cdk) : parseCode(file, text, false);
  } catch (err) {
    const deep = isStackOverflow(err);
    if (deep) noteStackOverflow();
    const reason = deep ? 'nesting is too deep for the TypeScript parser' : err instanceof ParseCostError ? err.message : String(err);
    return sink.parseError(file, text, reason, 0, role);
  }
  const syntax = firstSyntaxProblem(sf);
  if (syntax) return sink.parseError(file, text, syntax.message, syntax.offset, role);
  if (cdk) loadCdk(sink, file, sf);
  else if (isServerlessConfig(file, text)) loadConfig(sink, file, sf);
  if (active.length === 0 && !context) return;
  const analysis = new FileAnalysis(sf, sink.modules);
  if (context) {
    if (context.evidence || context.wired) analysis.contexts.setFileContext(context.evidence, context.wired);
    const calls = codeCalls(analysis);
    const helpers = helperTexts(analysis, calls);
    sink.addLinked({ file, text, role, calls, ...(helpers.length > 0 ? { helpers } : {}) });
  }
  const limit = stepLimitFor(text);
  const stopped: string[] = [];
  for (const resolved of active) {
    let reports: CodeReport[];
    try {
      reports = withStepLimit(limit, () => resolved.rule.code!({ sourceFile: sf, analysis, options: resolved.options, fileName: file, project: context }));
    } catch (err) {
      if (err instanceof StepLimitError) {
        stopped.push(resolved.meta.name);
        continue;
      }
      throw new Error(`rule ${resolved.meta.name} failed on ${sink.relative(file)}: ${(err as Error).message}`, { cause: err });
    }
    for (const report of reports) addCodeFinding(sink, file, sf, resolved, report);
  }
  if (stopped.length > 0) sink.analysisStopped(file, text, stoppedMessage(stopped, limit), role);
}

/**
 * The calls of a linked handler file the project model reads, found before the code pass (see
 * `Engine.prepareProject`); undefined when the file does not parse (the code pass reports it). The
 * parse is kept for the code pass.
 */
export function linkedCalls(modules: ModuleHostWithReads, file: string, text: string): CodeCall[] | undefined {
  try {
    const sf = modules.sourceFile(file, text, true);
    if (firstSyntaxProblem(sf)) return undefined;
    return codeCalls(new FileAnalysis(sf, modules));
  } catch (err) {
    if (isStackOverflow(err) || err instanceof ParseCostError || err instanceof StepLimitError) return undefined;
    throw err;
  }
}

function stoppedMessage(rules: string[], limit: number): string {
  const which = rules.length === 1 ? `the ${rules[0]} rule` : `the rules ${rules.join(', ')}`;
  return `${which} stopped: the file needs more work than the limit for its size (${limit.toLocaleString('en-US')} steps); its findings from ${rules.length === 1 ? 'that rule' : 'those rules'} are missing`;
}

function loadCdk(sink: CodeSink, file: string, sf: ts.SourceFile): void {
  let template: Template | undefined;
  try {
    template = loadCdkSource(sf, sink.modules);
  } catch (err) {
    if (isStackOverflow(err)) noteStackOverflow();
    return sink.parseError(file, sf.text, `its CDK constructs cannot be read: ${(err as Error).message}`);
  }
  if (template) sink.addTemplate(template);
}

/** A `serverless.ts` service: its configuration as a template, like a `serverless.yml`. */
function loadConfig(sink: CodeSink, file: string, sf: ts.SourceFile): void {
  let loaded: ReturnType<typeof loadServerlessConfig>;
  try {
    loaded = loadServerlessConfig(sf, sink.modules);
  } catch (err) {
    if (isStackOverflow(err)) noteStackOverflow();
    return sink.parseError(file, sf.text, `its Serverless configuration cannot be read: ${(err as Error).message}`);
  }
  if (loaded?.template) sink.addTemplate(loaded.template);
  const problem = loaded?.problems[0];
  if (problem) sink.parseError(file, sf.text, problem.message, problem.offset);
}

function addCodeFinding(sink: CodeSink, file: string, sf: ts.SourceFile, resolved: LoadedRule, report: CodeReport): void {
  // a report may point into another file of the project (a helper the file's code calls)
  const fileOf = (node: ts.Node): { rel: string; sf: ts.SourceFile } => {
    const own = node.getSourceFile();
    return own === sf || !own ? { rel: sink.relative(file), sf } : { rel: sink.relative(own.fileName), sf: own };
  };
  const related: RelatedLocation[] = (report.related ?? []).map((r) => {
    const at = fileOf(r.node);
    return { file: at.rel, range: nodeRange(at.sf, r.node).range, message: r.label };
  });
  const at = fileOf(report.node);
  const { range, offsets } = nodeRange(at.sf, report.node);
  sink.addFinding(
    resolved,
    report.severity,
    { message: report.message, file: at.rel, range, offsets, logicalLocation: codeLogicalLocation(at.sf, report.node), related, suggestions: at.sf === sf ? report.suggestions : undefined },
    at.sf.text,
  );
}

export function nodeRange(sf: ts.SourceFile, node: ts.Node): { range: Range; offsets: OffsetRange } {
  const start = node.getStart(sf);
  const end = node.getEnd();
  const s = sf.getLineAndCharacterOfPosition(start);
  const e = sf.getLineAndCharacterOfPosition(end);
  return {
    range: { start: { line: s.line + 1, column: s.character + 1 }, end: { line: e.line + 1, column: e.character + 1 } },
    offsets: { start, end },
  };
}

/** `<enclosing function>:<normalised node text>`: survives edits elsewhere in the file. */
export function codeLogicalLocation(sf: ts.SourceFile, node: ts.Node): string {
  const names: string[] = [];
  for (let fn = enclosingFunction(node); fn; fn = enclosingFunction(fn)) names.unshift(functionName(fn) ?? '<anonymous>');
  let text = sf.text.slice(node.getStart(sf), node.getEnd()).replace(/\s+/g, ' ');
  if (text.length > 120) text = `${text.slice(0, 117)}...`;
  return `${names.length ? names.join('>') : '<module>'}:${text}`;
}
