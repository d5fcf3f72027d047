/**
 * The vocabulary every layer of rel4lint shares: severities, best-practice ids, rule metadata,
 * ranges and the findings a scan produces. Imports nothing of rel4lint's own.
 */

export type Severity = 'error' | 'warning' | 'note';
export type Level = Severity | 'off';
export const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, note: 2 };

/** Other words for the levels: ESLint's `warn` and numbers (0 off, 1 warning, 2 error), and `info` for note. */
export const LEVEL_ALIASES: Record<string, Level> = { warn: 'warning', info: 'note', '0': 'off', '1': 'warning', '2': 'error' };

/** A level from a level word, an alias or an ESLint number; undefined for anything else. */
export function parseLevel(value: unknown): Level | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const word = String(value).trim().toLowerCase();
  if (word === 'off' || word === 'note' || word === 'warning' || word === 'error') return word;
  return Object.hasOwn(LEVEL_ALIASES, word) ? LEVEL_ALIASES[word] : undefined;
}

export type BestPracticeId =
  | 'REL04-BP01'
  | 'REL04-BP02'
  | 'REL04-BP03'
  | 'REL04-BP04'
  | 'REL05-BP03'
  | 'REL05-BP05';

export type Preset = 'recommended' | 'strict';

/**
 * What a file is for, as far as its path, its text and its package tell: code that runs as part of
 * a deployed service (the default), tests and test helpers, browser front-end code, local scripts
 * and command-line tools, and output generated from other sources. Templates are `service`,
 * `test` (a test stack) or `generated` (a copy another tool wrote).
 */
export type FileRole = 'service' | 'test' | 'frontend' | 'script' | 'generated' | 'infrastructure';
export const FILE_ROLES: readonly FileRole[] = ['service', 'test', 'frontend', 'script', 'generated', 'infrastructure'];
export type Target = 'code' | 'cloudformation' | 'sam' | 'serverless' | 'terraform' | 'asl' | 'cdk';

/** JSON-schema subset used to describe rule options (documented, validated, published). */
export interface OptionSchema {
  type: 'number' | 'integer' | 'string' | 'boolean' | 'array';
  description: string;
  default: unknown;
  minimum?: number;
  items?: { type: 'string' };
}

export interface RuleMeta {
  /** kebab-case id, also the ESLint rule name under `rel4/`. */
  name: string;
  /** One line, no trailing period: docs header, --list-rules, SARIF shortDescription, ESLint meta. */
  description: string;
  /** Primary best practice first. */
  bestPractices: BestPracticeId[];
  severity: Severity;
  /** When the severity depends on context, how (e.g. "error in at-least-once handlers"). */
  severityDetail?: string;
  presets: Preset[];
  targets: Target[];
  needsContext: boolean;
  /** What to do about a finding, imperative, shown as `help:`. */
  help: string;
  options: Record<string, OptionSchema>;
  /**
   * The file roles the rule reports by default (see `FileRole`); the engine and the ESLint plugin
   * skip the rule on files of other roles. The configuration can change them per rule and globally.
   */
  roles: FileRole[];
  /** True when the code detector can offer ESLint suggestions. */
  hasSuggestions?: boolean;
}

/** A half-open range of offsets into a file's text (UTF-16 code units). */
export interface OffsetRange {
  start: number;
  end: number;
}

export interface TextEdit extends OffsetRange {
  text: string;
}

export interface Suggestion {
  /** Imperative, e.g. "Set InvocationType: 'Event'". */
  description: string;
  edits: TextEdit[];
}


export interface LineColumn {
  /** 1-based. */
  line: number;
  /** 1-based, UTF-16 code units. */
  column: number;
}

export interface Range {
  start: LineColumn;
  end: LineColumn;
}

export interface RelatedLocation {
  file: string;
  range: Range;
  message: string;
}

export interface Finding {
  rule: string;
  severity: Severity;
  bestPractices: BestPracticeId[];
  message: string;
  help: string;
  /** Path relative to the working directory, POSIX separators. */
  file: string;
  range: Range;
  /** Offsets of the primary span in the file text (for code frames). */
  offsets: OffsetRange;
  /** Line-independent location: resource path, or enclosing function + normalised call text. */
  logicalLocation: string;
  /** Stable hash of rule, file, logical location and occurrence index. */
  fingerprint: string;
  related: RelatedLocation[];
  suggestions?: Suggestion[];
  /**
   * Set when the finding is suppressed: `inSource` by a comment or a resource's Metadata,
   * `external` by the baseline. Suppressed findings are in `LintResult.suppressed`, never in
   * `LintResult.findings`.
   */
  suppression?: FindingSuppression;
}

export interface FindingSuppression {
  kind: 'inSource' | 'external';
  justification: string;
}

/** A baseline entry that matched no finding of this run (the finding was fixed or moved away). */
export interface StaleBaselineEntry {
  rule: string;
  file: string;
  logicalLocation: string;
  occurrence: number;
}

/** A rule as configured for one run. */
export interface ResolvedRule {
  meta: RuleMeta;
  severity: Severity;
  /** True when the user set the severity: it then replaces context-dependent severities too. */
  severityOverridden: boolean;
  options: Record<string, unknown>;
  /** The file roles the rule reports in this run (its metadata's, or the configuration's). */
  roles: FileRole[];
}

export interface LintStats {
  /** Files analysed: code files and templates (a file that could not be parsed counts). */
  filesScanned: number;
  codeFiles: number;
  /** JSON and YAML files that were read and left aside as not infrastructure as code (data, package manifests). */
  dataFiles?: number;
  templates: number;
  resources: number;
  /** Code files and templates by role. */
  filesByRole: Record<FileRole, number>;
}

export interface LintResult {
  /** Absolute directory that finding paths are relative to. */
  cwd: string;
  /** Sorted by file, line, column, rule. Active findings only: they count and set the exit code. */
  findings: Finding[];
  /** Findings suppressed in source or by the baseline (same order); reported only in SARIF and JSON. */
  suppressed?: Finding[];
  /** Set when a baseline was applied. */
  baseline?: { file: string; matched: number; stale: StaleBaselineEntry[] };
  /** Enabled rules, sorted by name (SARIF tool.driver.rules, scorecard). */
  rules: ResolvedRule[];
  /** Text of every file that has a finding, for code frames (relative path → text). */
  sources: Map<string, string>;
  stats: LintStats;
  /** The service interaction graph of the scan (paths relative to `cwd`). */
  graph?: InteractionGraph;
}

export interface InteractionGraph {
  /** `unit`: the id of the deployment unit the node belongs to (external services have none). */
  nodes: { id: string; kind: string; label: string; unit?: string }[];
  edges: { from: string; to: string; sync: boolean; label: string; via: 'template' | 'code'; file: string; line: number }[];
  /** Deployment units of the scan (a SAM app, a Serverless service, a CDK app, a Terraform module, a stack) with a node in the graph. */
  units?: { id: string; kind: string; label: string }[];
}

/** The rule the engine reports files it cannot parse under (always on). */
export const PARSE_ERROR = 'parse-error';
/** The rule the engine reports problems with suppression comments and Metadata under. */
export const SUPPRESSION_RULE = 'no-invalid-suppression';

/** Threads of a scan: `off` (or 1) analyses on the calling thread; `auto` uses workers when the code files are enough to share and the machine has cores to spare (`engine/workers.ts`). */
export type Concurrency = number | 'auto' | 'off';
