/**
 * The engine: reads each file once, parses it once, runs every enabled rule over it and turns
 * detector reports into findings with locations, logical locations and fingerprints.
 */
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type {
  CodeReport,
  Finding,
  IacReport,
  LintResult,
  ProjectReport,
  OffsetRange,
  Range,
  RelatedLocation,
  ResolvedRule,
  Severity,
} from './types.js';
import { SEVERITY_ORDER } from './types.js';
import { ts } from '../code/ts.js';
import { isCodeFile, parseCode, firstSyntaxProblem } from '../code/parse.js';
import { FileAnalysis } from '../code/analysis.js';
import { enclosingFunction, functionName } from '../code/walk.js';
import type { Template, PathSegment } from '../iac/model.js';
import { iacFormat, initHcl, linkTemplates, loadIacFile, loadsAnywhere, needsHcl } from '../iac/loaders/index.js';
import { unpackTemplate } from '../iac/transfer.js';
import { loadCdkSource, mayDefineCdkResources } from '../cdk/index.js';
import { isStackOverflow, noteStackOverflow } from './stack-overflow.js';
import { LineIndex } from '../iac/lines.js';
import { PARSE_ERROR, RULES } from '../rules/index.js';
import { ProjectModel, registerProject, type CodeCall, type FileProjectContext, type Location } from '../context/project.js';
import { codeCalls } from '../context/code-calls.js';
import { fileSizes, ParallelRun, threadCount, workBytes, workerSettings, type Concurrency, type WorkerFileResult, type WorkerPool } from './workers.js';
import { interactionGraph } from '../context/graph.js';
import {
  applySuppressions,
  commentDirectives,
  commentStyleOf,
  metadataDirectives,
  SUPPRESSION_RULE,
  type Directive,
  type SuppressionProblem,
} from './suppressions.js';

export interface LintOptions {
  /** Findings' paths are relative to this directory. */
  cwd: string;
  /** Absolute paths, as returned by discovery. */
  files: string[];
  rules: ResolvedRule[];
  /** Files larger than this are reported as parse errors instead of parsed. */
  maxFileBytes?: number;
  /** Per-file results of code files from an earlier run (`--cache`). */
  cache?: FileResultCache;
  /**
   * Worker threads for code files: a number, `auto` (workers when there is enough code, one per
   * core) or `off` (default: everything on the calling thread).
   */
  concurrency?: Concurrency;
  /** Workers started ahead of the scan: a parallel run takes them; `lint` ends them either way. */
  workers?: WorkerPool;
  /** Called after each file with the number of files done and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** A raw finding as the engine records it, before suppressions, sorting and fingerprints. */
export type PendingFinding = Omit<Finding, 'fingerprint'>;

/**
 * Results of code files by content hash. Only code files no template links are cached: their
 * findings depend on the file alone (linked handler files depend on the templates too), while IaC rules look across templates (a failure sink in one template changes a
 * finding in another), so templates are always loaded and checked again.
 */
export interface FileResultCache {
  get(file: string, hash: string): PendingFinding[] | undefined;
  set(file: string, hash: string, findings: PendingFinding[]): void;
  /** True when there is nothing to look up (a first run): every file is analysed. */
  isEmpty(): boolean;
}

/** What analysing a file recorded (see `Engine.takeResult`). */
export interface FileResult {
  pending: PendingFinding[];
  sources: [string, string][];
  directives: Directive[];
  directiveSources: [string, string][];
  filesScanned: number;
  codeFiles: number;
  templates: Template[];
  /** Handler files a template links: their text and calls, for the project model. */
  linked: LinkedFile[];
}

export interface LinkedFile {
  file: string;
  text: string;
  calls: CodeCall[];
}

export const DEFAULT_MAX_FILE_BYTES = 8 * 1024 * 1024;
const TEMPLATE_EXTENSIONS = ['.yaml', '.yml', '.json', '.template', '.tf'];

/** Raw finding before sorting and fingerprinting. */
type Pending = PendingFinding;

export function isTemplateCandidate(file: string): boolean {
  return TEMPLATE_EXTENSIONS.some((ext) => file.endsWith(ext));
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

function normaliseText(raw: Buffer): { text?: string; problem?: string } {
  if (raw.length >= 2 && ((raw[0] === 0xff && raw[1] === 0xfe) || (raw[0] === 0xfe && raw[1] === 0xff))) {
    return { problem: 'file is UTF-16 encoded; only UTF-8 is supported' };
  }
  const probe = raw.subarray(0, 8000);
  if (probe.includes(0)) {
    return { problem: looksLikeUtf16(probe) ? 'file looks UTF-16 encoded (without a byte order mark); only UTF-8 is supported' : 'file is binary (contains NUL bytes)' };
  }
  let text = raw.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text };
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

function oversizeMessage(size: number, max: number): string {
  const exact = size >= 1024 ? ` (${size} bytes)` : '';
  return `file is ${formatBytes(size)}${exact}, over the size limit of ${formatBytes(max)}; it was not analysed (raise the limit with --max-file-size or maxFileBytes)`;
}

/** Bytes read from the head of an over-limit template candidate to tell whether it is IaC. */
const SNIFF_BYTES = 64 * 1024;

/** True when the head of a file (never the whole of it) looks like an IaC file the loaders would load. */
function looksLikeIac(file: string): boolean {
  if (file.toLowerCase().endsWith('.tf')) return true;
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const head = Buffer.alloc(SNIFF_BYTES);
    const n = readSync(fd, head, 0, SNIFF_BYTES, 0);
    return iacFormat(file, head.subarray(0, n).toString('utf8')) !== undefined;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Mostly-ASCII UTF-16 text without a BOM: every other byte is NUL, on the same side. */
function looksLikeUtf16(probe: Buffer): boolean {
  let even = 0;
  let odd = 0;
  for (let i = 0; i + 1 < probe.length; i += 2) {
    if (probe[i] === 0) even++;
    if (probe[i + 1] === 0) odd++;
  }
  const pairs = probe.length >> 1;
  return (odd > pairs * 0.8 && even === 0) || (even > pairs * 0.8 && odd === 0);
}

export class Engine {
  private readonly codeRules: ResolvedRule[];
  private readonly iacRules: ResolvedRule[];
  private readonly parseErrorRule?: ResolvedRule;
  private readonly pending: Pending[] = [];
  private readonly sources = new Map<string, string>();
  private readonly directives: Directive[] = [];
  /** Text of files with suppression directives (code frames for their problems). */
  private readonly directiveSources = new Map<string, string>();
  readonly templates: Template[] = [];
  private readonly projectRules: ResolvedRule[];
  /** Built from the templates before code files are analysed (see `prepareProject`). */
  private project?: ProjectModel;
  /** Text of handler files the project links (locations of project findings). */
  private readonly linkedTexts = new Map<string, string>();
  /** Linked handler files analysed without the project model here (a worker's), for `takeResult`. */
  private readonly linkedOut: LinkedFile[] = [];
  /** Line indexes of linked handler files, built on the first location asked for in each. */
  private readonly linkedLines = new Map<string, LineIndex>();
  readonly stats = { filesScanned: 0, codeFiles: 0, templates: 0, resources: 0 };

  constructor(private readonly options: LintOptions) {
    this.codeRules = options.rules.filter((r) => r.rule.code);
    this.iacRules = options.rules.filter((r) => r.rule.iac);
    this.projectRules = options.rules.filter((r) => r.rule.project);
    this.parseErrorRule = options.rules.find((r) => r.rule.meta.name === PARSE_ERROR);
  }

  private relative(file: string): string {
    return toPosix(path.relative(this.options.cwd, file)) || path.basename(file);
  }

  private severity(resolved: ResolvedRule, reported: Severity | undefined): Severity {
    return resolved.severityOverridden ? resolved.severity : (reported ?? resolved.severity);
  }

  private parseError(file: string, text: string | undefined, message: string, offset = 0): void {
    const resolved = this.parseErrorRule;
    if (!resolved) return;
    const rel = this.relative(file);
    const start = new LineIndex(text ?? '', { code: isCodeFile(file) }).position(offset);
    if (text !== undefined) this.sources.set(rel, text);
    this.pending.push({
      rule: PARSE_ERROR,
      severity: resolved.severity,
      bestPractices: resolved.rule.meta.bestPractices,
      message: `${rel} cannot be parsed at ${start.line}:${start.column}: ${message}`,
      help: resolved.rule.meta.help,
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
    try {
      // Synchronous reads: one file at a time is faster this way than through the promise API.
      const info = statSync(file);
      const max = this.options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
      if (info.size > max) {
        this.count(false);
        // a large data file named .json is not worth a finding; one that looks like IaC is
        if (code || looksLikeIac(file)) this.parseError(file, undefined, oversizeMessage(info.size, max));
        return true;
      }
      raw = readFileSync(file);
    } catch (err) {
      this.count(false);
      this.parseError(file, undefined, `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
      return true;
    }
    const { text, problem } = normaliseText(raw);
    if (!code) {
      this.count(false);
      if (text === undefined) {
        // Binary or UTF-16 files named like templates: only worth a finding when they claim to be one.
        if (/\.(template|ya?ml|tf)$/.test(file) || raw.includes('AWS::')) this.parseError(file, undefined, problem!);
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
  private addLinked(linked: LinkedFile): void {
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

  private addTemplate(template: Template): void {
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
    // rules that need a template's context have nothing to say about a file no template links
    const active = this.codeRules.filter((r) => (context || !r.rule.meta.needsContext) && (!r.rule.prefilter || r.rule.prefilter.test(text)));
    let sf: ts.SourceFile;
    try {
      // every file is parsed (a syntax error is a finding); FileAnalysis links parents itself
      sf = parseCode(file, text, false);
    } catch (err) {
      const deep = isStackOverflow(err);
      if (deep) noteStackOverflow();
      const reason = deep ? 'nesting is too deep for the TypeScript parser' : String(err);
      return this.parseError(file, text, reason);
    }
    const syntax = firstSyntaxProblem(sf);
    if (syntax) return this.parseError(file, text, syntax.message, syntax.offset);
    if (this.readsCdk(text)) this.loadCdk(file, sf);
    if (active.length === 0 && !context) return;
    const analysis = new FileAnalysis(sf);
    if (context) {
      if (context.evidence) analysis.contexts.setFileContext(context.evidence);
      this.addLinked({ file, text, calls: codeCalls(analysis) });
    }
    for (const resolved of active) {
      let reports: CodeReport[];
      try {
        reports = resolved.rule.code!({ sourceFile: sf, analysis, options: resolved.options, fileName: file, project: context });
      } catch (err) {
        throw new Error(`rule ${resolved.rule.meta.name} failed on ${this.relative(file)}: ${(err as Error).message}`, { cause: err });
      }
      for (const report of reports) this.addCodeFinding(file, sf, resolved, report);
    }
  }

  /** Records a finding of a rule: the parts every finding shares come from the rule's metadata. */
  private addFinding(
    resolved: ResolvedRule,
    reported: Severity | undefined,
    where: Pick<Finding, 'message' | 'file' | 'range' | 'offsets' | 'logicalLocation' | 'related' | 'suggestions'>,
    text: string,
  ): void {
    this.sources.set(where.file, text);
    const meta = resolved.rule.meta;
    this.pending.push({ rule: meta.name, severity: this.severity(resolved, reported), bestPractices: meta.bestPractices, help: meta.help, ...where });
  }

  private addCodeFinding(file: string, sf: ts.SourceFile, resolved: ResolvedRule, report: CodeReport): void {
    const rel = this.relative(file);
    const related: RelatedLocation[] = (report.related ?? []).map((r) => ({ file: rel, range: nodeRange(sf, r.node).range, message: r.label }));
    const { range, offsets } = nodeRange(sf, report.node);
    this.addFinding(
      resolved,
      report.severity,
      { message: report.message, file: rel, range, offsets, logicalLocation: codeLogicalLocation(sf, report.node), related, suggestions: report.suggestions },
      sf.text,
    );
  }

  /** True when the file may define CDK constructs and IaC rules would check them. */
  private readsCdk(text: string): boolean {
    return this.iacRules.length > 0 && mayDefineCdkResources(text);
  }

  /** The constructs of a CDK app file, as a template for the IaC rules. */
  private loadCdk(file: string, sf: ts.SourceFile): void {
    let template: Template | undefined;
    try {
      template = loadCdkSource(sf);
    } catch (err) {
      if (isStackOverflow(err)) noteStackOverflow();
      return this.parseError(file, sf.text, `its CDK constructs cannot be read: ${(err as Error).message}`);
    }
    if (template) this.addTemplate(template);
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
  private suppress(): Pending[] {
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
    const enabled = new Set(this.options.rules.map((r) => r.rule.meta.name));
    const known = new Set(RULES.map((r) => r.meta.name));
    const applied = applySuppressions(this.pending.splice(0), directives, enabled, known);
    this.pending.push(...applied.active);
    const resolved = this.options.rules.find((r) => r.rule.meta.name === SUPPRESSION_RULE);
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
        throw new Error(`rule ${resolved.rule.meta.name} failed: ${(err as Error).message}`, { cause: err });
      }
      for (const report of reports) this.addIacFinding(resolved, report);
    }
    for (const resolved of this.projectRules) {
      let reports: ProjectReport[];
      try {
        reports = resolved.rule.project!({ project: this.project!, options: resolved.options });
      } catch (err) {
        throw new Error(`rule ${resolved.rule.meta.name} failed: ${(err as Error).message}`, { cause: err });
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
    return { cwd: this.options.cwd, findings, suppressed: suppressedFindings, rules: this.options.rules, sources, stats: { ...this.stats }, graph };
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

/** Lints the given files with the given rules. */
export async function lint(options: LintOptions): Promise<LintResult> {
  // the HCL parser initialises asynchronously, once; loading a file stays synchronous
  if (needsHcl(options.files)) await initHcl();
  const engine = new Engine(options);
  const total = options.files.length;
  let done = 0;
  const progress = (): void => options.onProgress?.(++done, total);
  // templates first: the project model they make gives linked handler files their context
  const templates = options.files.filter((f) => !isCodeFile(f));
  const code = options.files.filter((f) => isCodeFile(f));
  const { cache } = options;
  const concurrency = options.concurrency ?? 'off';
  const recorder = cache ? new HashRecorder() : undefined;
  // files analysed on this thread during a parallel run go through an engine of their own, so
  // that their results, like the workers', are added in discovery order
  const local = new Engine({ ...options, cache: recorder });
  const analyse = (file: string, context?: FileProjectContext): WorkerFileResult => analyseFile(local, recorder, file, context);
  let run: ParallelRun | undefined;
  const start = (files: string[], gate?: number): void => {
    const sizes = fileSizes(files);
    const threads = threadCount(concurrency, workBytes(files, sizes), files.length);
    const settings = workerSettings(options.cwd, options.rules, options.maxFileBytes, cache !== undefined);
    if (threads > 0) run = new ParallelRun(threads, settings, files, sizes, progress, options.workers, gate);
  };
  /** Adds a result of the run to the scan (rebuilding a worker's templates on this thread). */
  const add = (result: WorkerFileResult | undefined, file: string): void => {
    if (!result) return;
    if (result.handBack) result = analyse(file, engine.contextOf(file));
    if (result.packed) result = { ...result, templates: result.packed.map(unpackTemplate) };
    engine.addResult(result);
    if (result.cacheEntry) cache?.set(result.cacheEntry.file, result.cacheEntry.hash, result.pending);
  };
  try {
    // Without cache entries to look up, the work is known now: workers load templates at once,
    // and take code files once the templates have made the project model (which gives handler
    // files their context). With entries, what needs analysing is known once the cache has been
    // read.
    const lookups = cache !== undefined && !cache.isEmpty();
    // Terraform, Serverless and standalone state machines load on this thread
    const shared = templates.filter((file) => loadsAnywhere(file));
    if (concurrency !== 'off' && !lookups) start([...shared, ...code], shared.length);
    if (run) {
      const parallel = run;
      const here = new Map<string, WorkerFileResult>();
      for (const file of templates) {
        if (loadsAnywhere(file)) continue;
        here.set(file, analyse(file));
        progress();
        await parallel.yield();
      }
      await parallel.complete(analyse, shared.length);
      // in discovery order: rules meet the templates in the same order on any number of threads
      let k = 0;
      for (const file of templates) add(here.get(file) ?? parallel.result(k++), file);
      engine.prepareProject(code);
      // every context first, in discovery order (the model names graph nodes as it makes them)
      const contexts = code.map((file) => engine.contextOf(file));
      parallel.open((index) => (index >= shared.length ? contexts[index - shared.length] : undefined));
      await parallel.complete(analyse);
      // in discovery order, whatever order the threads finished in (handler files feed the
      // project model in the same order as on one thread)
      code.forEach((file, i) => add(parallel.result(shared.length + i), file));
      return engine.finish();
    }
    for (const file of templates) {
      engine.lintFile(file);
      progress();
    }
    engine.prepareProject(code);
    // every context first, in discovery order, as in a parallel scan
    const contexts = code.map((file) => engine.contextOf(file));
    // handler files the templates link feed the project model, and bypass the cache
    let rest: string[] = [];
    for (const [i, file] of code.entries()) {
      if (contexts[i] === undefined) rest.push(file);
      else {
        engine.lintFile(file);
        progress();
      }
    }
    if (lookups && concurrency !== 'off') {
      // files found in the cache are done on this thread; what is left decides the threads
      rest = rest.filter((file) => {
        const cached = engine.lintFile(file, true);
        if (cached) progress();
        return !cached;
      });
      start(rest);
    }
    if (!run) {
      for (const file of rest) {
        engine.lintFile(file);
        progress();
      }
      return engine.finish();
    }
    const parallel: ParallelRun = run;
    await parallel.complete(analyse);
    rest.forEach((file, i) => add(parallel.result(i), file));
    return engine.finish();
  } finally {
    await run?.close();
    await options.workers?.close();
  }
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

/** The logical path; `?` marks a path that does not exist (the finding is about a missing property). */
function iacLogicalLocation(p: PathSegment[], exact: boolean): string {
  return p.map(String).join('.') + (exact ? '' : '?');
}

function compareFindings(a: Pending, b: Pending): number {
  return (
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.range.start.line - b.range.start.line ||
    a.range.start.column - b.range.start.column ||
    (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0) ||
    SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
    (a.message < b.message ? -1 : a.message > b.message ? 1 : 0)
  );
}

/** Adds fingerprints: hash of rule, file, logical location and the occurrence index among equals. */
function fingerprint(sorted: Pending[]): Finding[] {
  const seen = new Map<string, number>();
  return sorted.map((f) => {
    const key = `${f.rule}\u0000${f.file}\u0000${f.logicalLocation}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    const hash = createHash('sha256').update(`${key}\u0000${n}`).digest('hex').slice(0, 32);
    return { ...f, fingerprint: hash };
  });
}
