/**
 * The engine: reads each file once, parses it once, runs every enabled rule over it and turns
 * detector reports into findings with locations, logical locations and fingerprints. It is handed
 * its rules, with the detectors the scan needs already loaded (see `./scan.ts`).
 */
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { FileRole, LintResult, OffsetRange, Range, ResolvedRule, Severity } from '../ground/types.js';
import { PARSE_ERROR, SEVERITY_ORDER, SUPPRESSION_RULE } from '../ground/types.js';
import { isCodeFile } from '../ground/files.js';
import { LineIndex } from '../ground/lines.js';
import { isStackOverflow, noteStackOverflow } from '../ground/stack-overflow.js';
import { codePathRole, emptyRoleCounts, templatePathRole, templateRoleOf } from '../ground/roles.js';
import type { PathSegment, Resource, Template } from '../iac/model.js';
import { resourceAt, templateRoles, testHarnessResources } from '../iac/roles.js';
import { codeFileRole } from '../code/file-role.js';
import { linkTemplates, loadIacFile } from '../iac/loaders/index.js';
import { defaultsNote, notDeployed } from '../iac/defaults.js';
import { ProjectModel, registerProject } from '../context/project.js';
import type { FileProjectContext, Location } from '../context/types.js';
import { interactionGraph } from '../context/graph.js';
import { isServerlessConfig, mayDefineCdkResources } from '../cdk/sniff.js';
import type { IacReport, ProjectReport } from '../rules/rule.js';
import type { LoadedRule } from './rules.js';
import { RuleSets, type RuleSet } from './rule-sets.js';
import type { CodeSink, LinkedFile } from './code-pass.js';
import type { ModuleHostWithReads } from './modules.js';
import type { FileResult, FileResultCache, WorkerFileResult } from './results.js';
import { compareFindings, fingerprint, iacLogicalLocation, withOtherResources, type FindingPlace, type PendingFinding } from './findings.js';
import { FileAccessError, readRegularFile } from '../ground/file-access.js';
import { DEFAULT_MAX_FILE_BYTES, isTemplateCandidate, looksLikeIac, looksLikeUtf16Iac, normaliseText, oversizeMessage, plainlyNotIac, type ReadAhead } from './read.js';
import { tooLargeForHeap } from './memory.js';
import { CdkTwins } from './cdk-twins.js';
import { dropImportedConstructs } from './cdk-imports.js';
import { applySuppressions, commentDirectives, commentStyleOf, metadataDirectives, scopeToResourceBlocks, type Directive, type SuppressionProblem } from './suppressions.js';

/** The code pass (`./code-pass.ts`), loaded by the scan only when it has code files. */
export type CodePass = typeof import('./code-pass.js');

/** Where a call may choose an asynchronous Lambda invocation (`InvocationType: 'Event'`, `InvocationType.Event`). */
const INVOCATION_TYPE = 'InvocationType';
/** The module specifiers a file imports or requires (the module host tells which are the project's). */
const IMPORT_SPECIFIER = /(?:\bfrom|\brequire\(|\bimport\()\s*['"]([^'"]+)['"]/g;
/** Modules away from a handler file that may make its invocations (a service, then its client wrapper). */
const ASYNC_HINT_DEPTH = 2;

/**
 * Whether a handler file, or a project module it imports (up to `ASYNC_HINT_DEPTH` away), names an
 * `InvocationType`. `memo` keeps each module's answer at each depth for the scan.
 */
function mayInvokeAsync(
  file: string,
  text: string,
  resolve: (spec: string, from: string) => string | undefined,
  textOf: (file: string) => string,
  memo: Map<string, boolean>,
  depth = 0,
): boolean {
  if (text.includes(INVOCATION_TYPE)) return true;
  if (depth >= ASYNC_HINT_DEPTH) return false;
  for (const m of text.matchAll(IMPORT_SPECIFIER)) {
    const imported = resolve(m[1]!, file);
    if (!imported || imported === file) continue;
    const key = `${imported}\u0000${depth}`;
    let found = memo.get(key);
    if (found === undefined) {
      memo.set(key, false);
      found = mayInvokeAsync(imported, textOf(imported), resolve, textOf, memo, depth + 1);
      memo.set(key, found);
    }
    if (found) return true;
  }
  return false;
}


/** What an engine is handed. */
export interface EngineOptions {
  /** Findings' paths are relative to this directory. */
  cwd: string;
  /** The enabled rules, with the detectors the scan needs loaded. */
  rules: LoadedRule[];
  /** Other rules for the files of some directories (configuration files in sub-folders). */
  scoped?: { sets: { rules: LoadedRule[]; maxFileBytes?: number }[]; dirs: Record<string, number> };
  /** Every rule name the registry knows (suppressions naming others are reported). */
  knownRules: ReadonlySet<string>;
  /** Files larger than this are reported as parse errors instead of parsed. */
  maxFileBytes?: number;
  /** Per-file results of code files from an earlier run (`--cache`). */
  cache?: FileResultCache;
  /** The code pass, when the scan has code files. */
  code?: CodePass;
  /** Code files already read whole (see `ReadAhead`). */
  readAhead?: ReadAhead;
}



/**
 * Findings of one rule in one file that are reported: no real file has that many, and a file
 * built to have millions would fill the memory and the report with them. Past it, one parse-error
 * finding says how many were left out.
 */
export const MAX_FINDINGS_PER_RULE_AND_FILE = 1_000;

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

export class Engine implements CodeSink {
  /** The rules of each file. */
  private readonly sets: RuleSets<LoadedRule>;
  private readonly codeRules = new Map<RuleSet<LoadedRule>, LoadedRule[]>();
  /** Some IaC rule runs (in some folder's rule set): CDK app code is then read as templates. */
  private readonly hasIacRules: boolean;
  private readonly pending: PendingFinding[] = [];
  /** Findings recorded per file and rule (see `MAX_FINDINGS_PER_RULE_AND_FILE`). */
  private readonly findingCounts = new Map<string, number>();
  /** The finding that says how many findings of a rule in a file are left out. */
  private readonly omitted = new Map<string, PendingFinding>();
  private readonly sources = new Map<string, string>();
  private readonly directives: Directive[] = [];
  /** Text of files with suppression directives (code frames for their problems). */
  private readonly directiveSources = new Map<string, string>();
  readonly templates: Template[] = [];
  /** Built from the templates before code files are analysed (see `prepareProject`). */
  private project?: ProjectModel;
  /** CDK app code and its synthesized templates: one finding per construct (see `./cdk-twins.ts`). */
  private twins?: CdkTwins;
  /** The templates the rules and the project model read (the covered CDK sources left out). */
  private checked: Template[] = [];
  /** Findings placed at a source construct, by place: the synthesized template that gave each first. */
  private readonly placed = new Map<string, Template>();
  /** The resource of each finding of CDK app code (see `mergeDuplicates`). */
  private readonly resourceNames = new WeakMap<PendingFinding, string>();
  /** Text of handler files the project links (locations of project findings). */
  private readonly linkedTexts = new Map<string, string>();
  /** Linked handler files analysed without the project model here (a worker's), for `takeResult`. */
  private readonly linkedOut: LinkedFile[] = [];
  /** Line indexes of linked handler files, built on the first location asked for in each. */
  private readonly linkedLines = new Map<string, LineIndex>();
  readonly stats = { filesScanned: 0, codeFiles: 0, dataFiles: 0, templates: 0, resources: 0 };
  /**
   * The project files code rules follow imports into, read once per scan on this thread (made by
   * the code pass: a scan without code files has none).
   */
  readonly modules?: ModuleHostWithReads;
  /** Content hashes of project files a cached result depends on (see `contentHash`). */
  private readonly hashes = new Map<string, string | undefined>();
  /** Code files by role (templates get theirs once every template is in, see `finish`). */
  private codeRoles = emptyRoleCounts();
  /** Roles of linked handler files (locations of project findings). */
  private readonly linkedRoles = new Map<string, FileRole>();
  /** Roles of templates and the test-harness resources in them, made by `finish`. */
  private templateRole?: Map<Template, FileRole>;
  private readonly harness = new Map<Template, Set<Resource>>();
  /** Roles of CDK app files analysed on this thread (their templates take the role in `finish`). */
  private readonly cdkRoles = new Map<string, FileRole>();

  constructor(private readonly options: EngineOptions) {
    this.modules = options.code?.moduleHost(options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
    this.sets = new RuleSets({ rules: options.rules, maxFileBytes: options.maxFileBytes }, options.scoped?.sets, options.scoped?.dirs);
    this.hasIacRules = this.sets.union().some((r) => r.rule.iac);
  }

  /** The code rules that apply to a file. */
  private codeRulesFor(file: string): LoadedRule[] {
    const set = this.sets.forFile(file);
    let rules = this.codeRules.get(set);
    if (!rules) this.codeRules.set(set, (rules = set.rules.filter((r) => r.rule.code)));
    return rules;
  }

  relative(file: string): string {
    return toPosix(path.relative(this.options.cwd, file)) || path.basename(file);
  }

  private severity(resolved: ResolvedRule, reported: Severity | undefined): Severity {
    return resolved.severityOverridden ? resolved.severity : (reported ?? resolved.severity);
  }

  /**
   * Reports a file that cannot be parsed, unless no parse-error rule covers its role; with
   * `duplicate`, a key declared twice in one mapping of a template that still loads (a warning:
   * see `duplicateKeyMessage`).
   */
  parseError(file: string, text: string | undefined, message: string, offset = 0, role?: FileRole, duplicate?: string): void {
    const resolved = this.sets.forFile(file).byName.get(PARSE_ERROR);
    if (!resolved || (role !== undefined && !resolved.roles.includes(role))) return;
    const rel = this.relative(file);
    const start = new LineIndex(text ?? '', { code: isCodeFile(file) }).position(offset);
    if (text !== undefined) this.sources.set(rel, text);
    this.pending.push({
      rule: PARSE_ERROR,
      severity: duplicate === undefined ? resolved.severity : this.severity(resolved, 'warning'),
      bestPractices: resolved.meta.bestPractices,
      message: duplicate === undefined ? `${rel} cannot be parsed at ${start.line}:${start.column}: ${message}` : duplicateKeyMessage(duplicate),
      help: resolved.meta.help,
      file: rel,
      range: { start, end: start },
      offsets: { start: offset, end: offset },
      logicalLocation: 'file',
      related: [],
    });
  }

  /** A file whose analysis could not be done (it stopped its worker thread): counted, and a parse-error finding saying why. */
  notAnalysed(file: string, message: string): void {
    this.count(isCodeFile(file));
    this.parseError(file, undefined, message);
  }

  analysisStopped(file: string, text: string | undefined, message: string, role?: FileRole): void {
    const resolved = this.sets.forFile(file).byName.get(PARSE_ERROR);
    if (!resolved || (role !== undefined && !resolved.roles.includes(role))) return;
    const rel = this.relative(file);
    const start = { line: 1, column: 1 };
    if (text !== undefined) this.sources.set(rel, text);
    this.pending.push({
      rule: PARSE_ERROR,
      severity: resolved.severity,
      bestPractices: resolved.meta.bestPractices,
      message: `${rel}: analysis stopped: ${message}`,
      help: resolved.meta.help,
      file: rel,
      range: { start, end: start },
      offsets: { start: 0, end: 0 },
      logicalLocation: 'analysis-stopped',
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
    const max = this.sets.forFile(file).maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    try {
      // Synchronous reads: one file at a time is faster this way than through the promise API.
      // Regular files only (discovery lists no other kind; this holds if one is swapped in).
      raw = (code ? this.options.readAhead?.take(file, max) : undefined) ?? readRegularFile(file, { maxBytes: max });
    } catch (err) {
      if (err instanceof FileAccessError && err.problem === 'oversize') {
        // a large data file named .json is not worth a finding; one that looks like IaC is
        if (code || looksLikeIac(file)) {
          this.count(code);
          this.parseError(file, undefined, oversizeMessage(err.size!, max), 0, this.pathRole(file, code));
        } else this.stats.dataFiles++;
        return true;
      }
      this.count(code);
      this.parseError(file, undefined, err instanceof FileAccessError ? err.reason : `cannot be read (${String(err)})`, 0, this.pathRole(file, code));
      return true;
    }
    // data named like a template (package manifests, fixtures, vendored SDK models): no decoding
    if (template && plainlyNotIac(file, raw)) {
      this.stats.dataFiles++;
      return true;
    }
    const { text, problem } = normaliseText(raw);
    if (!code) {
      const heap = text === undefined ? undefined : tooLargeForHeap(file.toLowerCase().endsWith('.tf') ? 'terraform' : 'document', text);
      if (heap) {
        if (looksLikeIac(file)) {
          this.count(false);
          this.parseError(file, undefined, heap, 0, this.pathRole(file, false));
        } else this.stats.dataFiles++;
        return true;
      }
      if (text === undefined) {
        // Binary or UTF-16 files named like templates: only worth a finding when they claim to be one.
        if (/\.(template|ya?ml|tf)$/.test(file) || raw.includes('AWS::') || looksLikeUtf16Iac(file, raw)) {
          this.count(false);
          this.parseError(file, undefined, problem!, 0, this.pathRole(file, false));
        } else this.stats.dataFiles++;
        return true;
      }
      if (this.loadIac(file, text)) this.count(false);
      else this.stats.dataFiles++;
      return true;
    }
    if (text === undefined) {
      this.count(true);
      this.parseError(file, undefined, problem!, 0, this.pathRole(file, true));
      return true;
    }
    const cache = this.options.cache;
    const context = given ?? this.project?.fileContext(file);
    const rel = this.relative(file);
    const infrastructure = this.readsCdk(text) || isServerlessConfig(file, text);
    const role = codeFileRole({ relativePath: rel, text, file, deployed: context !== undefined, infrastructure });
    // no enabled rule reports files of this role, nor the constructs it may define: nothing to
    // parse (a linked handler file's calls still feed the project model)
    if (!context && !this.covers(file, role, infrastructure)) {
      this.count(true, role);
      return true;
    }
    const heap = tooLargeForHeap('code', text);
    if (heap) {
      this.count(true, role);
      this.parseError(file, undefined, heap, 0, role);
      return true;
    }
    // a linked handler file's findings depend on the templates too, and its calls feed the
    // project model: it is analysed on every run; so is CDK app code (or a `serverless.ts`),
    // whose constructs the IaC rules check together with every other template
    if (!cache || context || infrastructure) {
      if (cachedOnly) return false;
      if (infrastructure && !context) this.cdkRoles.set(file, role);
      this.count(true, role);
      this.collectComments(file, text);
      this.lintCode(file, text, role, context);
      return true;
    }
    // the role is part of the key: it also depends on files around this one (a `.ts` source, a package.json)
    const hash = createHash('sha1').update(raw).update(role).digest('base64');
    const hit = cache.get(rel, hash, (dependency) => this.contentHash(dependency));
    if (!hit && cachedOnly) return false;
    this.count(true, role);
    this.collectComments(file, text);
    if (hit) {
      for (const f of hit) {
        this.pending.push(f);
        // a finding in a helper the file reaches: its code frame needs that file's text
        if (!this.sources.has(f.file)) this.sources.set(f.file, f.file === rel ? text : this.textOf(f.file));
      }
      return true;
    }
    const before = this.pending.length;
    this.lintCode(file, text, role);
    // findings that depend on other files (helpers the file imports) are stored with their hashes
    const dependencies: Record<string, string> = {};
    for (const read of this.modules?.takeTouched() ?? []) {
      const dependency = this.relative(read);
      const h = this.contentHash(dependency);
      if (h === undefined) return true;
      dependencies[dependency] = h;
    }
    cache.set(rel, hash, this.pending.slice(before), dependencies);
    return true;
  }

  /**
   * The bytes of a project file by its path relative to the scan's directory: a regular file
   * within the size limit, not through a link out of the working directory (see `readRegularFile`).
   */
  private bytesOf(file: string): Buffer {
    const abs = path.resolve(this.options.cwd, file);
    return readRegularFile(abs, { maxBytes: this.sets.forFile(abs).maxFileBytes ?? DEFAULT_MAX_FILE_BYTES, within: this.options.cwd });
  }

  /** The text of a project file by its path relative to the scan's directory ('' when it cannot be read). */
  private textOf(file: string): string {
    try {
      return normaliseText(this.bytesOf(file)).text ?? '';
    } catch {
      return '';
    }
  }

  /** Content hash of a project file by its path relative to the scan's directory (memoised for the scan), undefined when it cannot be read. */
  private contentHash(file: string): string | undefined {
    if (this.hashes.has(file)) return this.hashes.get(file);
    let hash: string | undefined;
    try {
      hash = createHash('sha1').update(this.bytesOf(file)).digest('base64');
    } catch {
      hash = undefined;
    }
    this.hashes.set(file, hash);
    return hash;
  }

  /** The role of a file by its path alone (for files whose text cannot be read). */
  private pathRole(file: string, code: boolean): FileRole {
    const rel = this.relative(file);
    return code ? (codePathRole(rel) ?? 'service') : templatePathRole(rel);
  }

  private count(code: boolean, role?: FileRole): void {
    this.stats.filesScanned++;
    if (code) this.stats.codeFiles++;
    if (role) this.codeRoles[role]++;
  }

  /**
   * Some rule enabled for the file reports code files of this role (parse-error included), or an
   * IaC rule reports the constructs the file may define.
   */
  private covers(file: string, role: FileRole, infrastructure: boolean): boolean {
    const rules = this.sets.forFile(file).rules;
    if (rules.some((r) => (r.rule.code || r.meta.name === PARSE_ERROR) && r.roles.includes(role))) return true;
    return infrastructure && rules.some((r) => r.rule.iac && r.roles.includes(templateRoleOf(role)));
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
    this.linkedRoles.set(linked.file, linked.role);
    for (const [file, text] of linked.helpers ?? []) if (!this.linkedTexts.has(file)) this.linkedTexts.set(file, text);
    this.project.addCodeCalls(linked.file, linked.calls);
    this.project.addHandlerText(linked.file, linked.text);
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
      dataFiles: this.stats.dataFiles,
      roles: this.codeRoles,
      templates: this.templates.splice(0),
      linked: this.linkedOut.splice(0),
    };
    this.sources.clear();
    this.directiveSources.clear();
    this.stats.filesScanned = 0;
    this.stats.codeFiles = 0;
    this.stats.dataFiles = 0;
    this.stats.templates = 0;
    this.stats.resources = 0;
    this.codeRoles = emptyRoleCounts();
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
    this.stats.dataFiles += result.dataFiles;
    for (const [role, n] of Object.entries(result.roles) as [FileRole, number][]) this.codeRoles[role] += n;
    for (const template of result.templates) this.addTemplate(template);
    for (const linked of result.linked) this.addLinked(linked);
  }

  /**
   * True when the file may define CDK constructs: they are a template, loaded like every other
   * (the IaC rules check it; the project model links the handler files it names).
   */
  readsCdk(text: string): boolean {
    // asked several times in a row for one file's text (its role, whether it is read, its pass)
    if (this.lastCdkText?.text !== text) this.lastCdkText = { text, cdk: mayDefineCdkResources(text) };
    return this.lastCdkText.cdk;
  }

  private lastCdkText?: { text: string; cdk: boolean };

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
    dropImportedConstructs(this.templates);
    const twins = new CdkTwins(this.templates);
    this.twins = twins;
    this.checked = twins.visible(this.templates);
    linkTemplates(this.checked);
    this.project = new ProjectModel(this.checked, codeFiles, (template, id) => {
      const twin = twins.twinOf(template, id);
      const resource = twin?.exact ? twin.template.resources.get(twin.id) : undefined;
      return resource ? { template: twin!.template, resource } : undefined;
    });
    registerProject(this.checked, this.project);
    this.addAsyncInvokers();
  }

  /**
   * The calls of the linked handler files that may invoke a function asynchronously (they, or a
   * project module they import directly or through one more, name an `InvocationType`), into the
   * project model before any file's context is made: the function they invoke runs at least once
   * (see `fileContext`).
   */
  private addAsyncInvokers(): void {
    const code = this.options.code;
    const modules = this.modules;
    const project = this.project;
    if (!code || !modules || !project) return;
    const memo = new Map<string, boolean>();
    // each imported module read once, whatever the depth it is reached at
    const texts = new Map<string, string>();
    const textOf = (imported: string): string => {
      let text = texts.get(imported);
      if (text === undefined) texts.set(imported, (text = this.textOf(imported)));
      return text;
    };
    for (const file of project.handlerFiles()) {
      // most handler files were read ahead (`ReadAhead`): those bytes, not a second read
      const ahead = this.options.readAhead?.peek(file);
      const text = ahead ? (normaliseText(ahead).text ?? '') : this.textOf(file);
      if (!mayInvokeAsync(file, text, (spec, from) => modules.resolve(spec, from), textOf, memo)) continue;
      const calls = code.linkedCalls(modules, file, text);
      if (calls) project.addCodeCalls(file, calls, true);
    }
    // what was read here is read again, and counted, for the file that needs it
    modules.takeTouched();
  }

  /** Where a template location is shown: a synthesized resource's at its source construct. */
  private place(template: Template, path: PathSegment[]): { template: Template; path: PathSegment[]; key?: string } {
    return this.twins?.place(template, path) ?? { template, path };
  }

  private lintCode(file: string, text: string, role: FileRole, context?: FileProjectContext): void {
    const code = this.options.code;
    if (!code) throw new Error(`the scan was not prepared for code files (${this.relative(file)})`);
    this.modules?.takeTouched();
    code.lintCode(this, this.codeRulesFor(file), file, text, role, context);
  }

  /** Records a finding of a rule: the parts every finding shares come from the rule's metadata. */
  addFinding(resolved: ResolvedRule, reported: Severity | undefined, where: FindingPlace, text: string): PendingFinding | undefined {
    const meta = resolved.meta;
    const key = `${where.file}\0${meta.name}`;
    const count = (this.findingCounts.get(key) ?? 0) + 1;
    this.findingCounts.set(key, count);
    if (count > MAX_FINDINGS_PER_RULE_AND_FILE) {
      this.tooManyFindings(key, meta.name, where, count - MAX_FINDINGS_PER_RULE_AND_FILE);
      return undefined;
    }
    this.sources.set(where.file, text);
    const finding: PendingFinding = { rule: meta.name, severity: this.severity(resolved, reported), bestPractices: meta.bestPractices, help: meta.help, ...where };
    this.pending.push(finding);
    return finding;
  }

  /** A parse-error finding at the first finding past the limit, counting those left out. */
  private tooManyFindings(key: string, rule: string, where: FindingPlace, omitted: number): void {
    const message = `${where.file}: analysis stopped reporting ${rule}: ${omitted.toLocaleString('en-US')} more of its findings in this file are left out (at most ${MAX_FINDINGS_PER_RULE_AND_FILE.toLocaleString('en-US')} per rule and file)`;
    const note = this.omitted.get(key);
    if (note) {
      note.message = message;
      return;
    }
    const resolved = this.sets.forFile(path.resolve(this.options.cwd, where.file)).byName.get(PARSE_ERROR);
    if (!resolved) return;
    const finding: PendingFinding = {
      rule: PARSE_ERROR,
      severity: resolved.severity,
      bestPractices: resolved.meta.bestPractices,
      message,
      help: resolved.meta.help,
      file: where.file,
      range: where.range,
      offsets: where.offsets,
      logicalLocation: `findings-limit:${rule}`,
      related: [],
    };
    this.omitted.set(key, finding);
    this.pending.push(finding);
  }

  /** Loads a file named like a template; false when it is not infrastructure as code (a data file). */
  private loadIac(file: string, text: string): boolean {
    let loaded: ReturnType<typeof loadIacFile>;
    try {
      loaded = loadIacFile(file, text);
    } catch (err) {
      if (isStackOverflow(err)) noteStackOverflow();
      this.parseError(file, text, `cannot be loaded: ${(err as Error).message}`, 0, this.pathRole(file, false));
      return true;
    }
    if (!loaded) return false;
    // CloudFormation deploys a template with a key declared twice (the last value wins): it is
    // analysed that way, and each duplicate reported on its own
    const cfn = loaded.template && CFN_TEMPLATE_FORMATS.has(loaded.template.format);
    const duplicates = cfn ? loaded.problems.filter((p) => duplicateKeyName(p.message) !== undefined) : [];
    const others = loaded.problems.filter((p) => !duplicates.includes(p));
    if (others.length > 0) {
      const first = others[0];
      this.parseError(file, text, first.message, first.offset, this.pathRole(file, false));
    }
    for (const p of duplicates) this.parseError(file, text, p.message, p.offset, this.pathRole(file, false), duplicateKeyName(p.message));
    if (loaded.template) this.addTemplate(loaded.template);
    return true;
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
    const placedDirectives = new Set<string>();
    for (const template of this.templates) {
      const rel = this.relative(template.file);
      // the comments of a code file (CDK app code) were collected with the file
      const style = isCodeFile(template.file) ? undefined : commentStyleOf(template.file);
      const comments = style ? commentDirectives(rel, template.text, style) : [];
      if (template.format === 'terraform' && comments.length > 0) scopeToResourceBlocks(comments, template);
      const meta = metadataDirectives(rel, template);
      directives.push(...comments, ...this.atSourceConstructs(template, meta.directives, placedDirectives));
      problems.push(...meta.problems);
      if (comments.length + meta.directives.length + meta.problems.length > 0) this.directiveSources.set(rel, template.text);
    }
    if (directives.length === 0 && problems.length === 0) return [];
    const enabled = (rule: string, file: string): boolean => this.sets.forFile(path.resolve(this.options.cwd, file)).byName.has(rule);
    const applied = applySuppressions(this.pending.splice(0), directives, enabled, this.options.knownRules);
    this.pending.push(...applied.active);
    for (const p of [...problems, ...applied.problems]) {
      const resolved = this.sets.forFile(path.resolve(this.options.cwd, p.file)).byName.get(SUPPRESSION_RULE);
      if (resolved) {
        const where = { message: p.message, file: p.file, range: p.range, offsets: p.offsets, logicalLocation: p.logicalLocation, related: [] };
        this.addFinding(resolved, undefined, where, this.directiveSources.get(p.file) ?? '');
      }
    }
    return applied.suppressed.map(({ finding, justification }) => ({ ...finding, suppression: { kind: 'inSource', justification } }));
  }

  /**
   * Metadata suppressions of synthesized resources whose findings are placed at their source
   * construct apply there (unless the source sets its own rel4lint Metadata on that construct).
   */
  private atSourceConstructs(template: Template, directives: Directive[], seen: Set<string>): Directive[] {
    if (!this.twins || template.format !== 'cdk') return directives;
    const out: Directive[] = [];
    for (const d of directives) {
      const id = d.resourcePath?.startsWith('Resources.') ? d.resourcePath.slice('Resources.'.length) : undefined;
      const twin = id !== undefined ? this.twins.twinOf(template, id) : undefined;
      if (!twin) {
        out.push(d);
        continue;
      }
      if (twin.template.resources.get(twin.id)?.metadata?.['rel4lint'] !== undefined) continue;
      const file = this.relative(twin.template.file);
      // the same construct in several stacks: one suppression, as there is one finding
      const key = `${file}\u0000${twin.id}\u0000${d.logicalLocation.replace(/^Resources\.[^.]+/, '')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const where = twin.template.locate(['Resources', twin.id]);
      out.push({ ...d, file, resourcePath: `Resources.${twin.id}`, range: where.range, offsets: { start: where.start, end: where.end } });
      this.directiveSources.set(file, twin.template.text);
    }
    return out;
  }

  /** Runs the IaC rules over every loaded template and returns the sorted result. */
  finish(): LintResult {
    if (!this.project) this.prepareProject([]);
    const relative = (file: string): string => this.relative(file);
    this.templateRole = templateRoles(this.templates, relative);
    const filesByRole = { ...this.codeRoles };
    for (const template of this.templates) {
      let role = this.templateRole.get(template)!;
      if (isCodeFile(template.file)) {
        // the constructs of a CDK app file: its role as code decides (a test, compiled output); the file is counted as code
        role = templateRoleOf(this.cdkRoles.get(template.file) ?? codeFileRole({ relativePath: relative(template.file), text: template.text, file: template.file, infrastructure: true }));
        this.templateRole.set(template, role);
      } else filesByRole[role]++;
      if (role === 'service') this.harness.set(template, testHarnessResources(template, relative));
    }
    this.acrossFiles<IacReport>(
      (r) => Boolean(r.rule.iac),
      (r) => r.rule.iac!({ templates: this.checked, options: r.options }),
      (report) => report.template.file,
      (r, report) => this.addIacFinding(r, report),
    );
    this.acrossFiles<ProjectReport>(
      (r) => Boolean(r.rule.project),
      (r) => r.rule.project!({ project: this.project!, options: r.options }),
      (report) => ('template' in report.location ? report.location.template.file : report.location.file),
      (r, report) => this.addProjectFinding(r, report),
    );
    this.mergeDuplicates();
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
    const graph = interactionGraph(this.project!, (location) => this.locate(location), (folder) => toPosix(path.relative(this.options.cwd, folder)) || '.');
    const rules = this.sets.union().map(({ rule: _rule, ...resolved }) => resolved);
    return { cwd: this.options.cwd, findings, suppressed: suppressedFindings, rules, sources, stats: { ...this.stats, filesByRole }, graph };
  }

  /**
   * Runs the rules that look across files (IaC and project rules) over every template: each rule
   * once per distinct options it is given in the rule sets, and a report is kept when its file's
   * set enables the rule with those options (with that set's severity). Templates in a folder
   * where a rule is off still give the others their context.
   */
  private acrossFiles<T>(has: (r: LoadedRule) => boolean, run: (r: LoadedRule) => T[], fileOf: (report: T) => string, add: (r: LoadedRule, report: T) => void): void {
    for (const first of this.sets.union()) {
      if (!has(first)) continue;
      const name = first.meta.name;
      const runs = new Map<string, LoadedRule>();
      for (const set of this.sets.all) {
        const r = set.byName.get(name);
        if (!r) continue;
        const key = this.sets.scoped ? JSON.stringify(r.options) : '';
        if (!runs.has(key)) runs.set(key, r);
      }
      for (const [key, resolved] of runs) {
        let reports: T[];
        try {
          reports = run(resolved);
        } catch (err) {
          throw new Error(`rule ${name} failed: ${(err as Error).message}`, { cause: err });
        }
        for (const report of reports) {
          const own = this.sets.forFile(fileOf(report)).byName.get(name);
          if (own && (!this.sets.scoped || JSON.stringify(own.options) === key)) add(own, report);
        }
      }
    }
  }

  /**
   * One finding per mistake: code in another module reached from several files (or also checked
   * on its own) is reported once, at its own place, with the most severe of its severities and the
   * places it is reached from as related locations. Template findings that say the same thing at
   * the same place (a definition file that two templates deploy) are one finding too, with the
   * related locations of both.
   */
  private mergeDuplicates(): void {
    const byKey = new Map<string, number>();
    const kept: PendingFinding[] = [];
    /** Names of the other resources a kept finding of CDK app code stands for. */
    const others = new Map<number, string[]>();
    for (const f of this.pending) {
      // template findings may share a place (one per caller of a resource, each saying which):
      // they merge only when they say the same thing there, as for a definition file that two
      // templates deploy. The resources of CDK app code merge at the same place: one construct class
      // instantiated more than once (stacks per region, nested stacks per mode), or a loop over a
      // list, makes several resources of one line, one mistake to fix there; the kept finding
      // names the others
      const name = this.resourceNames.get(f);
      const key = !isCodeFile(f.file)
        ? `${f.rule}\0${f.file}\0${f.offsets.start}\0${f.offsets.end}\0${f.logicalLocation}\0${f.message}`
        : `${f.rule}\0${f.file}\0${f.offsets.start}\0${f.offsets.end}\0${name !== undefined ? '' : f.logicalLocation}`;
      const at = byKey.get(key);
      if (at === undefined) {
        byKey.set(key, kept.length);
        kept.push(f);
        continue;
      }
      const first = kept[at]!;
      const [keep, other] = SEVERITY_ORDER[f.severity] < SEVERITY_ORDER[first.severity] ? [f, first] : [first, f];
      const related = [...keep.related];
      for (const r of other.related) {
        if (!related.some((o) => o.file === r.file && o.range.start.line === r.range.start.line && o.range.start.column === r.range.start.column && o.message === r.message)) related.push(r);
      }
      const keepName = this.resourceNames.get(keep);
      kept[at] = { ...keep, related };
      if (keepName !== undefined) this.resourceNames.set(kept[at]!, keepName);
      const otherName = this.resourceNames.get(other);
      if (otherName !== undefined && keep.message !== other.message) {
        const names = others.get(at) ?? [];
        if (!names.includes(otherName) && otherName !== keepName) names.push(otherName);
        others.set(at, names);
      }
    }
    for (const [at, names] of others) kept[at] = { ...kept[at]!, message: withOtherResources(kept[at]!.message, names) };
    if (kept.length === this.pending.length && others.size === 0) return;
    this.pending.length = 0;
    for (const f of kept) this.pending.push(f);
  }

  /** File, range and text of a project location. */
  private locate(location: Location): { file: string; range: Range; offsets: OffsetRange; text: string; logical: string } {
    if ('template' in location) {
      const { template, path: p } = this.place(location.template, location.path);
      const where = template.locate(p);
      const { file, text } = fileAt(template, where.file);
      return { file: this.relative(file), range: where.range, offsets: { start: where.start, end: where.end }, text, logical: iacLogicalLocation(p, where.exact) };
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

  /** The role of what a template path or a code location of a finding is about. */
  private roleAt(location: Location): FileRole {
    if (!('template' in location)) return this.linkedRoles.get(location.file) ?? 'service';
    const role = this.templateRole?.get(location.template) ?? 'service';
    if (role !== 'service') return role;
    const harness = this.harness.get(location.template);
    if (!harness || harness.size === 0) return role;
    const resource = resourceAt(location.template, location.path);
    return resource && harness.has(resource) ? 'test' : role;
  }

  private addProjectFinding(resolved: ResolvedRule, report: ProjectReport): void {
    if ('template' in report.location && !deployedByDefault(report.location.template, report.location.path)) return;
    if (!resolved.roles.includes(this.roleAt(report.location))) return;
    const where = this.locate(report.location);
    const related = (report.related ?? []).map((r) => {
      const at = this.locate(r.location);
      if (at.file !== where.file) this.sources.set(at.file, at.text);
      return { file: at.file, range: at.range, message: r.label };
    });
    this.addFinding(resolved, report.severity, { message: report.message, file: where.file, range: where.range, offsets: where.offsets, logicalLocation: where.logical, related }, where.text);
  }

  private addIacFinding(resolved: ResolvedRule, report: IacReport): void {
    if (!deployedByDefault(report.template, report.path)) return;
    if (!resolved.roles.includes(this.roleAt({ template: report.template, path: report.path }))) return;
    const { template, path: p, key } = this.place(report.template, report.path);
    if (key !== undefined) {
      // one construct synthesized into several stacks: one finding at the construct
      const at = `${resolved.meta.name}\u0000${template.file}\u0000${String(p[1])}\u0000${key}`;
      const first = this.placed.get(at);
      if (first && first !== report.template) return;
      this.placed.set(at, report.template);
    }
    const where = template.locate(p);
    // a value the parameter defaults decided says so
    const note = defaultsNote(report.template, report.path);
    const related = (report.related ?? []).map((r) => {
      const other = this.place(r.template, r.path);
      const at = other.template.locate(other.path);
      const { file, text } = fileAt(other.template, at.file);
      if (file !== fileAt(template, where.file).file) this.sources.set(this.relative(file), text);
      return { file: this.relative(file), range: at.range, message: r.label };
    });
    const own = fileAt(template, where.file);
    const finding = this.addFinding(
      resolved,
      report.severity,
      {
        message: note ? `${report.message} (${note})` : report.message,
        file: this.relative(own.file),
        range: where.range,
        offsets: { start: where.start, end: where.end },
        logicalLocation: iacLogicalLocation(p, where.exact),
        related,
      },
      own.text,
    );
    if (finding && isCodeFile(finding.file)) this.resourceNames.set(finding, String(p[1]));
  }
}

/** The file and text a located node is in: the template's, or another file it has the text of. */
function fileAt(template: Template, file: string | undefined): { file: string; text: string } {
  const other = file === undefined ? undefined : template.otherTexts?.get(file);
  return other === undefined ? { file: template.file, text: template.text } : { file: file!, text: other };
}

/** Template formats deployed by CloudFormation (duplicate keys: the last value wins). */
const CFN_TEMPLATE_FORMATS: ReadonlySet<string> = new Set(['cloudformation', 'sam', 'cdk']);

/** The key of a loader's duplicate-key problem (`Duplicate key "Name"`), if it is one. */
function duplicateKeyName(message: string): string | undefined {
  return /^Duplicate key "(.*)"$/s.exec(message)?.[1];
}

/**
 * A key declared twice in one mapping of a CloudFormation template. CloudFormation accepts the
 * template and uses the last value (reported by users of `validate-template` and stack updates
 * alike, aws-cloudformation/cfn-language-discussion#96 and aws/aws-cli#2404; cfn-lint reports it
 * as E0000 "Duplicate found"), so the analysis uses the last value too, and says so.
 */
function duplicateKeyMessage(key: string): string {
  return `Key \`${key}\` is declared again in the same mapping: CloudFormation uses this last value and ignores the earlier one, and so does this analysis; remove the duplicate so that readers see what is deployed`;
}

/**
 * False for a path inside a resource that the default deployment does not create (its
 * `Condition` is false with every parameter at its default): findings on it are not reported.
 */
function deployedByDefault(template: Template, at: readonly (string | number)[]): boolean {
  return !(at[0] === 'Resources' && typeof at[1] === 'string' && notDeployed(template, at[1]));
}

/**
 * The cache of an engine analysing files another thread already looked up in the real cache (a
 * miss): it records the content hash the engine computes, to store the file's findings under.
 */
export class HashRecorder implements FileResultCache {
  entry: { file: string; hash: string; dependencies?: Record<string, string> } | undefined;
  get(): undefined {
    return undefined;
  }
  set(file: string, hash: string, _findings: PendingFinding[], dependencies?: Record<string, string>): void {
    this.entry = { file, hash, dependencies };
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
