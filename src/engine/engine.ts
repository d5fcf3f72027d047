/**
 * The engine: reads each file once, parses it once, runs every enabled rule over it and turns
 * detector reports into findings with locations, logical locations and fingerprints. It is handed
 * its rules, with the detectors the scan needs already loaded (see `./scan.ts`).
 */
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { LintResult, OffsetRange, Range, ResolvedRule, Severity } from '../ground/types.js';
import { PARSE_ERROR, SUPPRESSION_RULE } from '../ground/types.js';
import { isCodeFile } from '../ground/files.js';
import { LineIndex } from '../ground/lines.js';
import { isStackOverflow, noteStackOverflow } from '../ground/stack-overflow.js';
import type { Template } from '../iac/model.js';
import { linkTemplates, loadIacFile } from '../iac/loaders/index.js';
import { ProjectModel, registerProject } from '../context/project.js';
import type { FileProjectContext, Location } from '../context/types.js';
import { interactionGraph } from '../context/graph.js';
import { mayDefineCdkResources } from '../cdk/sniff.js';
import type { IacReport, ProjectReport } from '../rules/rule.js';
import type { LoadedRule } from './rules.js';
import type { CodeSink, LinkedFile } from './code-pass.js';
import type { FileResult, FileResultCache, WorkerFileResult } from './results.js';
import { compareFindings, fingerprint, iacLogicalLocation, type FindingPlace, type PendingFinding } from './findings.js';
import { FileAccessError, readRegularFile } from '../ground/file-access.js';
import { DEFAULT_MAX_FILE_BYTES, isTemplateCandidate, looksLikeIac, looksLikeUtf16Iac, normaliseText, oversizeMessage } from './read.js';
import { applySuppressions, commentDirectives, commentStyleOf, metadataDirectives, type Directive, type SuppressionProblem } from './suppressions.js';

/** The code pass (`./code-pass.ts`), loaded by the scan only when it has code files. */
export type CodePass = typeof import('./code-pass.js');


/** What an engine is handed. */
export interface EngineOptions {
  /** Findings' paths are relative to this directory. */
  cwd: string;
  /** The enabled rules, with the detectors the scan needs loaded. */
  rules: LoadedRule[];
  /** Every rule name the registry knows (suppressions naming others are reported). */
  knownRules: ReadonlySet<string>;
  /** Files larger than this are reported as parse errors instead of parsed. */
  maxFileBytes?: number;
  /** Per-file results of code files from an earlier run (`--cache`). */
  cache?: FileResultCache;
  /** The code pass, when the scan has code files. */
  code?: CodePass;
}



function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

export class Engine implements CodeSink {
  private readonly codeRules: LoadedRule[];
  private readonly iacRules: LoadedRule[];
  private readonly parseErrorRule?: LoadedRule;
  private readonly pending: PendingFinding[] = [];
  private readonly sources = new Map<string, string>();
  private readonly directives: Directive[] = [];
  /** Text of files with suppression directives (code frames for their problems). */
  private readonly directiveSources = new Map<string, string>();
  readonly templates: Template[] = [];
  private readonly projectRules: LoadedRule[];
  /** Built from the templates before code files are analysed (see `prepareProject`). */
  private project?: ProjectModel;
  /** Text of handler files the project links (locations of project findings). */
  private readonly linkedTexts = new Map<string, string>();
  /** Linked handler files analysed without the project model here (a worker's), for `takeResult`. */
  private readonly linkedOut: LinkedFile[] = [];
  /** Line indexes of linked handler files, built on the first location asked for in each. */
  private readonly linkedLines = new Map<string, LineIndex>();
  readonly stats = { filesScanned: 0, codeFiles: 0, templates: 0, resources: 0 };

  constructor(private readonly options: EngineOptions) {
    this.codeRules = options.rules.filter((r) => r.rule.code);
    this.iacRules = options.rules.filter((r) => r.rule.iac);
    this.projectRules = options.rules.filter((r) => r.rule.project);
    this.parseErrorRule = options.rules.find((r) => r.meta.name === PARSE_ERROR);
  }

  relative(file: string): string {
    return toPosix(path.relative(this.options.cwd, file)) || path.basename(file);
  }

  private severity(resolved: ResolvedRule, reported: Severity | undefined): Severity {
    return resolved.severityOverridden ? resolved.severity : (reported ?? resolved.severity);
  }

  parseError(file: string, text: string | undefined, message: string, offset = 0): void {
    const resolved = this.parseErrorRule;
    if (!resolved) return;
    const rel = this.relative(file);
    const start = new LineIndex(text ?? '', { code: isCodeFile(file) }).position(offset);
    if (text !== undefined) this.sources.set(rel, text);
    this.pending.push({
      rule: PARSE_ERROR,
      severity: resolved.severity,
      bestPractices: resolved.meta.bestPractices,
      message: `${rel} cannot be parsed at ${start.line}:${start.column}: ${message}`,
      help: resolved.meta.help,
      file: rel,
      range: { start, end: start },
      offsets: { start: offset, end: offset },
      logicalLocation: 'file',
      related: [],
    });
  }

  /**
   * Reads and analyses one file. With `cachedOnly`, a code file is only taken from the cache:
   * the result is false when it still needs analysing (a cache miss), and nothing is recorded.
   * `context` is the file's project context when the project model lives on another thread.
   */
  lintFile(file: string, cachedOnly = false, given?: FileProjectContext): boolean {
    const code = isCodeFile(file);
    const template = !code && isTemplateCandidate(file);
    if (!code && !template) return true;
    let raw: Buffer;
    const max = this.options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    try {
      // Synchronous reads: one file at a time is faster this way than through the promise API.
      // Regular files only (discovery lists no other kind; this holds if one is swapped in).
      raw = readRegularFile(file, { maxBytes: max });
    } catch (err) {
      this.count(false);
      if (err instanceof FileAccessError && err.problem === 'oversize') {
        // a large data file named .json is not worth a finding; one that looks like IaC is
        if (code || looksLikeIac(file)) this.parseError(file, undefined, oversizeMessage(err.size!, max));
      } else {
        this.parseError(file, undefined, err instanceof FileAccessError ? err.reason : `cannot be read (${String(err)})`);
      }
      return true;
    }
    const { text, problem } = normaliseText(raw);
    if (!code) {
      this.count(false);
      if (text === undefined) {
        // Binary or UTF-16 files named like templates: only worth a finding when they claim to be one.
        if (/\.(template|ya?ml|tf)$/.test(file) || raw.includes('AWS::') || looksLikeUtf16Iac(file, raw)) this.parseError(file, undefined, problem!);
        return true;
      }
      this.loadIac(file, text);
      return true;
    }
    if (text === undefined) {
      this.count(true);
      this.parseError(file, undefined, problem!);
      return true;
    }
    const cache = this.options.cache;
    const context = given ?? this.project?.fileContext(file);
    // a linked handler file's findings depend on the templates too, and its calls feed the
    // project model: it is analysed on every run; so is CDK app code, whose constructs the IaC
    // rules check together with every other template
    if (!cache || context || this.readsCdk(text)) {
      if (cachedOnly) return false;
      this.count(true);
      this.collectComments(file, text);
      this.lintCode(file, text, context);
      return true;
    }
    const rel = this.relative(file);
    const hash = createHash('sha1').update(raw).digest('base64');
    const hit = cache.get(rel, hash);
    if (!hit && cachedOnly) return false;
    this.count(true);
    this.collectComments(file, text);
    if (hit) {
      for (const f of hit) this.pending.push(f);
      if (hit.length > 0) this.sources.set(rel, text);
      return true;
    }
    const before = this.pending.length;
    this.lintCode(file, text);
    cache.set(rel, hash, this.pending.slice(before));
    return true;
  }

  private count(code: boolean): void {
    this.stats.filesScanned++;
    if (code) this.stats.codeFiles++;
  }

  /** The project context of a code file a template links (built by `prepareProject`). */
  contextOf(file: string): FileProjectContext | undefined {
    return this.project?.fileContext(file);
  }

  /** A linked handler file's text and calls, into the project model (or the next result). */
  addLinked(linked: LinkedFile): void {
    if (!this.project) {
      this.linkedOut.push(linked);
      return;
    }
    this.linkedTexts.set(linked.file, linked.text);
    this.project.addCodeCalls(linked.file, linked.calls);
  }

  /**
   * Takes what the engine recorded since the last call (findings, their texts, suppression
   * directives, counts): a worker hands one file's result to the main thread this way.
   */
  takeResult(): FileResult {
    const result: FileResult = {
      pending: this.pending.splice(0),
      sources: [...this.sources],
      directives: this.directives.splice(0),
      directiveSources: [...this.directiveSources],
      filesScanned: this.stats.filesScanned,
      codeFiles: this.stats.codeFiles,
      templates: this.templates.splice(0),
      linked: this.linkedOut.splice(0),
    };
    this.sources.clear();
    this.directiveSources.clear();
    this.stats.filesScanned = 0;
    this.stats.codeFiles = 0;
    this.stats.templates = 0;
    this.stats.resources = 0;
    return result;
  }

  /** Adds a result taken from another engine (see `takeResult`). */
  addResult(result: FileResult): void {
    for (const f of result.pending) this.pending.push(f);
    for (const [file, text] of result.sources) this.sources.set(file, text);
    for (const d of result.directives) this.directives.push(d);
    for (const [file, text] of result.directiveSources) this.directiveSources.set(file, text);
    this.stats.filesScanned += result.filesScanned;
    this.stats.codeFiles += result.codeFiles;
    for (const template of result.templates) this.addTemplate(template);
    for (const linked of result.linked) this.addLinked(linked);
  }

  /** True when the file may define CDK constructs and IaC rules would check them. */
  readsCdk(text: string): boolean {
    return this.iacRules.length > 0 && mayDefineCdkResources(text);
  }

  addTemplate(template: Template): void {
    this.templates.push(template);
    this.stats.templates++;
    this.stats.resources += template.resources.size;
  }

  /**
   * Builds the project model from the templates loaded so far (call after every template and
   * before the code files): code files linked as handlers then get their per-file context.
   */
  prepareProject(codeFiles: readonly string[]): void {
    linkTemplates(this.templates);
    this.project = new ProjectModel(this.templates, codeFiles);
    registerProject(this.templates, this.project);
  }

  private lintCode(file: string, text: string, context?: FileProjectContext): void {
    const code = this.options.code;
    if (!code) throw new Error(`the scan was not prepared for code files (${this.relative(file)})`);
    code.lintCode(this, this.codeRules, file, text, context);
  }

  /** Records a finding of a rule: the parts every finding shares come from the rule's metadata. */
  addFinding(resolved: ResolvedRule, reported: Severity | undefined, where: FindingPlace, text: string): void {
    this.sources.set(where.file, text);
    const meta = resolved.meta;
    this.pending.push({ rule: meta.name, severity: this.severity(resolved, reported), bestPractices: meta.bestPractices, help: meta.help, ...where });
  }

  private loadIac(file: string, text: string): void {
    let loaded: ReturnType<typeof loadIacFile>;
    try {
      loaded = loadIacFile(file, text);
    } catch (err) {
      if (isStackOverflow(err)) noteStackOverflow();
      return this.parseError(file, text, `cannot be loaded: ${(err as Error).message}`);
    }
    if (!loaded) return;
    if (loaded.problems.length > 0) {
      const first = loaded.problems[0];
      this.parseError(file, text, first.message, first.offset);
    }
    if (loaded.template) this.addTemplate(loaded.template);
  }

  private collectComments(file: string, text: string): void {
    const style = commentStyleOf(file);
    if (!style) return;
    const found = commentDirectives(this.relative(file), text, style);
    if (found.length === 0) return;
    this.directives.push(...found);
    this.directiveSources.set(this.relative(file), text);
  }

  /**
   * Applies suppression comments and Metadata to the pending findings; the problems with the
   * directives become `no-invalid-suppression` findings when that rule is enabled.
   */
  private suppress(): PendingFinding[] {
    const directives = [...this.directives];
    const problems: SuppressionProblem[] = [];
    for (const template of this.templates) {
      const rel = this.relative(template.file);
      // the comments of a code file (CDK app code) were collected with the file
      const style = isCodeFile(template.file) ? undefined : commentStyleOf(template.file);
      const comments = style ? commentDirectives(rel, template.text, style) : [];
      const meta = metadataDirectives(rel, template);
      directives.push(...comments, ...meta.directives);
      problems.push(...meta.problems);
      if (comments.length + meta.directives.length + meta.problems.length > 0) this.directiveSources.set(rel, template.text);
    }
    if (directives.length === 0 && problems.length === 0) return [];
    const enabled = new Set(this.options.rules.map((r) => r.meta.name));
    const applied = applySuppressions(this.pending.splice(0), directives, enabled, this.options.knownRules);
    this.pending.push(...applied.active);
    const resolved = this.options.rules.find((r) => r.meta.name === SUPPRESSION_RULE);
    if (resolved) {
      for (const p of [...problems, ...applied.problems]) {
        const where = { message: p.message, file: p.file, range: p.range, offsets: p.offsets, logicalLocation: p.logicalLocation, related: [] };
        this.addFinding(resolved, undefined, where, this.directiveSources.get(p.file) ?? '');
      }
    }
    return applied.suppressed.map(({ finding, justification }) => ({ ...finding, suppression: { kind: 'inSource', justification } }));
  }

  /** Runs the IaC rules over every loaded template and returns the sorted result. */
  finish(): LintResult {
    if (!this.project) this.prepareProject([]);
    for (const resolved of this.iacRules) {
      let reports: IacReport[];
      try {
        reports = resolved.rule.iac!({ templates: this.templates, options: resolved.options });
      } catch (err) {
        throw new Error(`rule ${resolved.meta.name} failed: ${(err as Error).message}`, { cause: err });
      }
      for (const report of reports) this.addIacFinding(resolved, report);
    }
    for (const resolved of this.projectRules) {
      let reports: ProjectReport[];
      try {
        reports = resolved.rule.project!({ project: this.project!, options: resolved.options });
      } catch (err) {
        throw new Error(`rule ${resolved.meta.name} failed: ${(err as Error).message}`, { cause: err });
      }
      for (const report of reports) this.addProjectFinding(resolved, report);
    }
    const suppressed = this.suppress();
    // fingerprints count occurrences among every finding, so that suppressing one does not renumber the others
    const all = fingerprint([...this.pending, ...suppressed].sort(compareFindings));
    const findings = all.filter((f) => !f.suppression);
    const sources = new Map<string, string>();
    for (const f of all) {
      const text = this.sources.get(f.file);
      if (text !== undefined) sources.set(f.file, text);
    }
    const suppressedFindings = all.filter((f) => f.suppression);
    const graph = interactionGraph(this.project!, (location) => this.locate(location));
    return { cwd: this.options.cwd, findings, suppressed: suppressedFindings, rules: this.options.rules.map(({ rule: _rule, ...resolved }) => resolved), sources, stats: { ...this.stats }, graph };
  }

  /** File, range and text of a project location. */
  private locate(location: Location): { file: string; range: Range; offsets: OffsetRange; text: string; logical: string } {
    if ('template' in location) {
      const where = location.template.locate(location.path);
      return { file: this.relative(location.template.file), range: where.range, offsets: { start: where.start, end: where.end }, text: location.template.text, logical: iacLogicalLocation(location.path, where.exact) };
    }
    const text = this.linkedTexts.get(location.file) ?? '';
    let lines = this.linkedLines.get(location.file);
    if (!lines) {
      lines = new LineIndex(text, { code: isCodeFile(location.file) });
      this.linkedLines.set(location.file, lines);
    }
    const start = lines.position(location.start);
    const end = lines.position(location.end);
    let snippet = text.slice(location.start, location.end).replace(/\s+/g, ' ');
    if (snippet.length > 120) snippet = `${snippet.slice(0, 117)}...`;
    return { file: this.relative(location.file), range: { start, end }, offsets: { start: location.start, end: location.end }, text, logical: `project:${snippet}` };
  }

  private addProjectFinding(resolved: ResolvedRule, report: ProjectReport): void {
    const where = this.locate(report.location);
    const related = (report.related ?? []).map((r) => {
      const at = this.locate(r.location);
      if (at.file !== where.file) this.sources.set(at.file, at.text);
      return { file: at.file, range: at.range, message: r.label };
    });
    this.addFinding(resolved, report.severity, { message: report.message, file: where.file, range: where.range, offsets: where.offsets, logicalLocation: where.logical, related }, where.text);
  }

  private addIacFinding(resolved: ResolvedRule, report: IacReport): void {
    const where = report.template.locate(report.path);
    const related = (report.related ?? []).map((r) => ({ file: this.relative(r.template.file), range: r.template.locate(r.path).range, message: r.label }));
    this.addFinding(
      resolved,
      report.severity,
      {
        message: report.message,
        file: this.relative(report.template.file),
        range: where.range,
        offsets: { start: where.start, end: where.end },
        logicalLocation: iacLogicalLocation(report.path, where.exact),
        related,
      },
      report.template.text,
    );
  }
}

/**
 * The cache of an engine analysing files another thread already looked up in the real cache (a
 * miss): it records the content hash the engine computes, to store the file's findings under.
 */
export class HashRecorder implements FileResultCache {
  entry: { file: string; hash: string } | undefined;
  get(): undefined {
    return undefined;
  }
  set(file: string, hash: string): void {
    this.entry = { file, hash };
  }
  isEmpty(): boolean {
    return true;
  }
}

/** Analyses one file with an engine of its own and takes the file's result. */
export function analyseFile(engine: Engine, recorder: HashRecorder | undefined, file: string, context?: FileProjectContext): WorkerFileResult {
  if (recorder) recorder.entry = undefined;
  engine.lintFile(file, false, context);
  return { ...engine.takeResult(), cacheEntry: recorder?.entry };
}
