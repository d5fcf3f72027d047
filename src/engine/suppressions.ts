/**
 * Suppressions: comments in code and templates, and `Metadata.rel4lint.ignore` on CloudFormation
 * and SAM resources.
 *
 * ```
 * // rel4lint-disable-next-line <rule>[, <rule>...] -- <reason>      (code; `#` in YAML and HCL)
 * // rel4lint-disable-line <rule>[, <rule>...] -- <reason>           (findings on the comment's line)
 * /* rel4lint-disable <rule>[, <rule>...] -- <reason> *\/            (to the matching enable, or the end of the file)
 * /* rel4lint-enable <rule>[, <rule>...] *\/                         (no rule: closes every open disable)
 * Metadata: { rel4lint: { ignore: [{ rule: <rule>, reason: <reason> }] } }
 * ```
 *
 * In code files, ESLint's directives count for the rel4 rules they name, so that one comment
 * serves both front ends: `// eslint-disable-next-line rel4/<rule> -- <reason>`,
 * `// eslint-disable-line rel4/<rule>`, and `/* eslint-disable rel4/<rule> *\/` ...
 * `/* eslint-enable rel4/<rule> *\/` (block comments only, as ESLint reads them). An ESLint
 * directive that names no rel4 rule, including one that names no rule at all, is left to ESLint.
 *
 * - A next-line comment applies to findings that start on the line after the comment, a line
 *   comment to findings that start on its line, a block disable to findings that start from the
 *   comment's line up to (excluding) the enable's line. An enable closes only disables of its own
 *   kind (`rel4lint-enable` those of `rel4lint-disable`, `eslint-enable` those of `eslint-disable`).
 * - In Terraform, a next-line or line comment inside a `resource` block applies to every finding
 *   of that resource as well (as checkov's skip comments do), wherever in the block it is.
 * - A Metadata entry applies to that rule's findings in the same template whose logical location is
 *   inside the resource (`Resources.<id>...`): it survives CDK synthesis (`addMetadata`).
 * - Every suppression names its rules (there is no "disable everything") and gives a reason
 *   after ` -- `. Suppressions without a reason, naming an unknown rule, or suppressing nothing
 *   are reported under `no-invalid-suppression`, whose own findings cannot be suppressed. A
 *   suppression of a rule that is known but not enabled in this run is not reported as unused:
 *   the run cannot tell.
 */
import type { OffsetRange, Range } from '../ground/types.js';
import { SUPPRESSION_RULE } from '../ground/types.js';
import { LineIndex } from '../ground/lines.js';
import type { Template, PathSegment } from '../iac/model.js';
import { isPlainObject } from '../iac/model.js';

/** Comment syntaxes: `//` and `/* *\/` in code, `#` in YAML, all three in HCL. */
export type CommentStyle = 'code' | 'hash' | 'both';

export interface Directive {
  /** Relative path (as in findings) of the file the directive is in and applies to. */
  file: string;
  kind: 'next-line' | 'line' | 'block' | 'metadata';
  /** Whose syntax: rel4lint's comments and Metadata, or ESLint's comments. */
  family: 'rel4lint' | 'eslint';
  /** How the directive is written, for messages (`rel4lint-disable-next-line`, `Metadata on Queue`). */
  label: string;
  rules: string[];
  reason: string | undefined;
  /** Comment directives: lines (1-based) of findings it applies to, inclusive. */
  fromLine: number;
  toLine: number;
  /**
   * Metadata directives, and comments inside a Terraform resource block: the resource's logical
   * path, e.g. `Resources.Queue`.
   */
  resourcePath?: string;
  /** Where problems with the directive are reported. */
  range: Range;
  offsets: OffsetRange;
  /** Line-independent location of the directive itself. */
  logicalLocation: string;
}

export interface SuppressionProblem {
  file: string;
  range: Range;
  offsets: OffsetRange;
  message: string;
  /** Line-independent location (baseline, fingerprints): the directive's text or Metadata path. */
  logicalLocation: string;
}

interface Suppressible {
  rule: string;
  file: string;
  range: Range;
  logicalLocation: string;
}

const MARKER = 'rel4lint-';
const ESLINT_MARKER = 'eslint-';
/** The prefix of the rules' names in ESLint (`rel4/<rule>`), also accepted in rel4lint's comments. */
const ESLINT_PREFIX = 'rel4/';

const KEYWORDS = '(disable-next-line|disable-line|disable|enable)(?![\\w-])';
const PATTERNS: Record<CommentStyle, RegExp> = {
  code: new RegExp(`(\\/\\/|\\/\\*)[ \\t*]*(rel4lint|eslint)-${KEYWORDS}`, 'g'),
  hash: new RegExp(`(#)[ \\t]*(rel4lint)-${KEYWORDS}`, 'g'),
  both: new RegExp(`(\\/\\/|\\/\\*|#)[ \\t*]*(rel4lint)-${KEYWORDS}`, 'g'),
};

/** `a, b c -- reason` → rules and reason (undefined when empty or missing). */
function parseBody(body: string): { rules: string[]; reason: string | undefined } {
  const sep = body.search(/(?:^|\s)-{2,}(?:\s|$)/);
  const rulesPart = sep === -1 ? body : body.slice(0, sep);
  const reason = sep === -1 ? '' : body.slice(sep).replace(/^\s*-{2,}/, '').replace(/\s+/g, ' ').trim();
  // each rule once: a list repeating a name is no reason to report it repeatedly
  return { rules: [...new Set(rulesPart.split(/[\s,]+/).filter(Boolean))], reason: reason === '' ? undefined : reason };
}

/** The suppression comments of one file's text (cheap when the text mentions no directive). */
export function commentDirectives(file: string, text: string, style: CommentStyle): Directive[] {
  if (!text.includes(MARKER) && !(style === 'code' && text.includes(ESLINT_MARKER))) return [];
  const lines = new LineIndex(text, { code: style === 'code' });
  // line breaks as findings count them: \n, \r\n, a lone \r, and in code U+2028/U+2029
  const lineEnd = style === 'code' ? /\r\n?|[\n\u2028\u2029]/ : /\r\n?|\n/;
  const totalLines = lines.lineCount;
  const out: Directive[] = [];
  // open block directives by family and the rules they name (each closed once, so that many enables cost no more than many disables)
  const open = new Map<string, Directive[]>();
  const pattern = new RegExp(PATTERNS[style].source, 'g');
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    const opener = m[1]!;
    const family = m[2] as Directive['family'];
    const keyword = m[3]!;
    // a `#` in YAML starts a comment only at the start of a line or after whitespace
    if (opener === '#' && m.index > 0 && !/\s/.test(text[m.index - 1]!)) continue;
    // ESLint reads `eslint-disable` and `eslint-enable` only in block comments
    if (family === 'eslint' && opener !== '/*' && (keyword === 'disable' || keyword === 'enable')) continue;
    const bodyStart = m.index + m[0].length;
    let bodyEnd: number;
    if (opener === '/*') {
      const close = text.indexOf('*/', bodyStart);
      bodyEnd = close === -1 ? text.length : close;
    } else {
      const nl = text.slice(bodyStart).search(lineEnd);
      bodyEnd = nl === -1 ? text.length : bodyStart + nl;
    }
    const commentEnd = opener === '/*' ? Math.min(text.length, bodyEnd + 2) : bodyEnd;
    const body = parseBody(text.slice(bodyStart, bodyEnd).replace(/\r$/, ''));
    const named = body.rules;
    let rules: string[];
    if (family === 'eslint') {
      // only the rel4 rules are ours; a directive naming none of them (or none at all) is ESLint's
      rules = named.filter((r) => r.startsWith(ESLINT_PREFIX)).map((r) => r.slice(ESLINT_PREFIX.length));
      if (rules.length === 0 && (named.length > 0 || keyword !== 'enable')) continue;
    } else {
      rules = named.map((r) => (r.startsWith(ESLINT_PREFIX) ? r.slice(ESLINT_PREFIX.length) : r));
    }
    const startLine = lines.position(m.index).line;
    const endLine = lines.position(Math.max(m.index, commentEnd - 1)).line;
    const range = lines.range(m.index, commentEnd);
    const offsets = { start: m.index, end: commentEnd };
    if (keyword === 'enable') {
      // an enable closes the open blocks of its own family (all of them when it names no rule)
      const prefix = `${family}\0`;
      for (const key of rules.length === 0 ? [...open.keys()].filter((k) => k.startsWith(prefix)) : rules.map((r) => prefix + r)) {
        for (const d of open.get(key) ?? []) if (d.toLine === totalLines) d.toLine = Math.max(d.fromLine, startLine - 1);
        open.delete(key);
      }
      continue;
    }
    const kind: Directive['kind'] = keyword === 'disable' ? 'block' : keyword === 'disable-line' ? 'line' : 'next-line';
    const directive: Directive = {
      file,
      kind,
      family,
      label: `${family}-${keyword}`,
      rules,
      reason: body.reason,
      fromLine: kind === 'next-line' ? endLine + 1 : startLine,
      toLine: kind === 'block' ? totalLines : kind === 'line' ? startLine : endLine + 1,
      range,
      offsets,
      logicalLocation: `${family === 'eslint' ? 'eslint-' : ''}${keyword}:${listed(rules, ',', (r) => r)}`,
    };
    out.push(directive);
    if (directive.kind === 'block') {
      for (const rule of rules) {
        const key = `${family}\0${rule}`;
        const list = open.get(key);
        if (list) list.push(directive);
        else open.set(key, [directive]);
      }
    }
  }
  return out;
}

/**
 * Scopes the next-line and line comments of a Terraform file that sit inside a resource block to
 * that resource (the innermost block holding the comment).
 */
export function scopeToResourceBlocks(directives: Directive[], template: Template): void {
  const blocks: { start: number; end: number; path: string }[] = [];
  for (const resource of template.resources.values()) {
    const at = template.locate(resource.path);
    if (at.exact) blocks.push({ start: at.start, end: at.end, path: resource.path.map(String).join('.') });
  }
  if (blocks.length === 0) return;
  for (const d of directives) {
    if (d.kind !== 'next-line' && d.kind !== 'line') continue;
    let best: (typeof blocks)[number] | undefined;
    for (const b of blocks) {
      if (b.start < d.offsets.start && d.offsets.end <= b.end && (!best || b.end - b.start < best.end - best.start)) best = b;
    }
    if (best) d.resourcePath = best.path;
  }
}

/** The comment syntax of a file by its name. */
export function commentStyleOf(file: string): CommentStyle | undefined {
  if (/\.(?:[cm]?[jt]sx?)$/i.test(file)) return 'code';
  if (/\.(?:ya?ml|template)$/i.test(file)) return 'hash';
  if (/\.(?:tf|hcl)$/i.test(file)) return 'both';
  return undefined;
}

/** `Metadata.rel4lint.ignore` entries of every resource of a template. */
export function metadataDirectives(file: string, template: Template): { directives: Directive[]; problems: SuppressionProblem[] } {
  const directives: Directive[] = [];
  const problems: SuppressionProblem[] = [];
  for (const resource of template.resources.values()) {
    const own = resource.metadata?.['rel4lint'];
    if (own === undefined) continue;
    const base: PathSegment[] = [...resource.path, 'Metadata', 'rel4lint'];
    const basePath = base.map(String).join('.');
    const where = (p: PathSegment[]): Pick<Directive, 'range' | 'offsets'> => {
      const l = template.locate(p);
      return { range: l.range, offsets: { start: l.start, end: l.end } };
    };
    const ignore = isPlainObject(own) ? own['ignore'] : undefined;
    if (!Array.isArray(ignore)) {
      problems.push({
        file,
        ...where(isPlainObject(own) ? [...base, 'ignore'] : base),
        message: `Metadata rel4lint of ${resource.id} is not of the form { ignore: [{ rule, reason }] }, so it suppresses nothing`,
        logicalLocation: basePath,
      });
      continue;
    }
    ignore.forEach((entry, i) => {
      const at = where([...base, 'ignore', i]);
      const rule = typeof entry === 'string' ? entry : isPlainObject(entry) && typeof entry['rule'] === 'string' ? entry['rule'] : undefined;
      const reason = isPlainObject(entry) && typeof entry['reason'] === 'string' && entry['reason'].trim() !== '' ? entry['reason'].trim() : undefined;
      directives.push({
        file,
        kind: 'metadata',
        family: 'rel4lint',
        label: `Metadata rel4lint.ignore entry of ${resource.id}`,
        rules: rule === undefined ? [] : [rule],
        reason,
        fromLine: 0,
        toLine: -1,
        resourcePath: resource.path.map(String).join('.'),
        logicalLocation: `${basePath}.ignore.${i}`,
        ...at,
      });
    });
  }
  return { directives, problems };
}

function insideResource(d: Directive, f: Suppressible): boolean {
  const p = d.resourcePath;
  if (p === undefined) return false;
  const loc = f.logicalLocation;
  return loc === p || loc.startsWith(`${p}.`) || loc === `${p}?`;
}

function applies(d: Directive, f: Suppressible): boolean {
  if (d.file !== f.file || !d.rules.includes(f.rule)) return false;
  if (d.kind === 'metadata') return insideResource(d, f);
  const line = f.range.start.line;
  return (line >= d.fromLine && line <= d.toLine) || insideResource(d, f);
}

/** The first of the directives (of any file) that suppresses the finding, if any. */
export function suppressingDirective(directives: readonly Directive[], f: Suppressible): Directive | undefined {
  return f.rule === SUPPRESSION_RULE ? undefined : directives.find((d) => applies(d, f));
}

/**
 * Finds the first directive (in the order given) that applies to a finding: a next-line directive
 * of the finding's line, a block whose lines hold it, or Metadata of the resource its logical
 * location is in, each naming the finding's rule. Looked up by file, rule and line or resource,
 * so that a file with many directives and many findings costs time linear in their number.
 */
class DirectiveIndex {
  /** file, rule, line → index of the first next-line directive. */
  private readonly nextLine = new Map<string, number>();
  /** file, rule, resource path → index of the first Metadata directive. */
  private readonly metadata = new Map<string, number>();
  /** file, rule → the block directives, in the order given. */
  private readonly blocks = new Map<string, Blocks>();

  constructor(private readonly directives: readonly Directive[]) {
    directives.forEach((d, i) => {
      for (const rule of d.rules) {
        const key = `${d.file}\0${rule}`;
        if (d.kind === 'next-line' && d.resourcePath === undefined) {
          const k = `${key}\0${d.fromLine}`;
          if (!this.nextLine.has(k)) this.nextLine.set(k, i);
        } else if (d.kind === 'metadata') {
          const k = `${key}\0${d.resourcePath!}`;
          if (!this.metadata.has(k)) this.metadata.set(k, i);
        } else {
          // a comment inside a Terraform resource block also covers the whole resource
          if (d.resourcePath !== undefined) {
            const k = `${key}\0${d.resourcePath}`;
            if (!this.metadata.has(k)) this.metadata.set(k, i);
          }
          let b = this.blocks.get(key);
          if (!b) this.blocks.set(key, (b = new Blocks()));
          b.add(i, d.fromLine, d.toLine);
        }
      }
    });
  }

  first(f: Suppressible): Directive | undefined {
    const key = `${f.file}\0${f.rule}`;
    const line = f.range.start.line;
    let best = this.nextLine.get(`${key}\0${line}`) ?? Number.POSITIVE_INFINITY;
    const block = this.blocks.get(key)?.first(line);
    if (block !== undefined && block < best) best = block;
    if (this.metadata.size > 0) {
      // the resource paths the location is in: `Resources.Q.Properties.X` is in `Resources.Q`, `Resources.Q.Properties`, ...
      const loc = f.logicalLocation;
      const candidates = [loc, loc.endsWith('?') ? loc.slice(0, -1) : undefined];
      for (let dot = loc.indexOf('.'); dot !== -1; dot = loc.indexOf('.', dot + 1)) candidates.push(loc.slice(0, dot));
      for (const path of candidates) {
        const m = path === undefined ? undefined : this.metadata.get(`${key}\0${path}`);
        if (m !== undefined && m < best) best = m;
      }
    }
    return best === Number.POSITIVE_INFINITY ? undefined : this.directives[best];
  }
}

/**
 * The block directives of one file and rule. Comments come in text order, so their first lines
 * never decrease: the blocks that may hold a line are a prefix, and the first of them that
 * reaches the line is found in a tree of the largest last line of each range of blocks.
 */
class Blocks {
  private readonly index: number[] = [];
  private readonly from: number[] = [];
  private readonly to: number[] = [];
  private sorted = true;
  private tree?: number[];
  private size = 0;

  add(index: number, from: number, to: number): void {
    if (this.from.length > 0 && from < this.from[this.from.length - 1]!) this.sorted = false;
    this.index.push(index);
    this.from.push(from);
    this.to.push(to);
  }

  /** The index of the first block holding `line`. */
  first(line: number): number | undefined {
    if (!this.sorted) {
      for (let i = 0; i < this.from.length; i++) if (this.from[i]! <= line && line <= this.to[i]!) return this.index[i];
      return undefined;
    }
    // blocks [0, count) start at or before the line
    let lo = 0;
    let hi = this.from.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.from[mid]! <= line) lo = mid + 1;
      else hi = mid;
    }
    const at = this.firstReaching(line, lo);
    return at === undefined ? undefined : this.index[at];
  }

  /** The first position below `count` whose last line is at or after `line`. */
  private firstReaching(line: number, count: number): number | undefined {
    if (count === 0) return undefined;
    if (!this.tree) {
      this.size = 1;
      while (this.size < this.to.length) this.size *= 2;
      this.tree = new Array<number>(2 * this.size).fill(Number.NEGATIVE_INFINITY);
      for (let i = 0; i < this.to.length; i++) this.tree[this.size + i] = this.to[i]!;
      for (let i = this.size - 1; i >= 1; i--) this.tree[i] = Math.max(this.tree[2 * i]!, this.tree[2 * i + 1]!);
    }
    const tree = this.tree;
    // descend from the root, leftmost subtree first, skipping subtrees whose largest last line is too small
    const search = (node: number, lo: number, hi: number): number | undefined => {
      if (lo >= count || tree[node]! < line) return undefined;
      if (hi - lo === 1) return lo;
      const mid = (lo + hi) >> 1;
      return search(2 * node, lo, mid) ?? search(2 * node + 1, mid, hi);
    };
    return search(1, 0, this.size);
  }
}

/** Names listed in a message or a logical location: the first few, then how many more (a comment may name thousands). */
const LISTED_NAMES = 8;
/** Longest name shown whole (a comment may hold one name of a megabyte). */
const SHOWN_NAME_LENGTH = 80;

function listed(names: readonly string[], separator: string, show: (name: string) => string): string {
  const shown = names.slice(0, LISTED_NAMES).map(show).join(separator);
  return names.length > LISTED_NAMES ? `${shown}${separator}and ${names.length - LISTED_NAMES} more` : shown;
}

function shortened(name: string): string {
  return name.length > SHOWN_NAME_LENGTH ? `${name.slice(0, SHOWN_NAME_LENGTH)}…` : name;
}

/**
 * Splits findings into active and suppressed (each suppressed one with its directive's reason)
 * and lists the problems with the directives themselves.
 *
 * @param enabled rules that ran, or whether a rule ran on a file (an unused suppression of one is reported)
 * @param known every registered rule
 */
export function applySuppressions<F extends Suppressible>(
  findings: F[],
  directives: Directive[],
  enabled: ReadonlySet<string> | ((rule: string, file: string) => boolean),
  known: ReadonlySet<string>,
): { active: F[]; suppressed: { finding: F; justification: string }[]; problems: SuppressionProblem[] } {
  const active: F[] = [];
  const suppressed: { finding: F; justification: string }[] = [];
  const used: DirectiveUse = new Map();
  const index = new DirectiveIndex(directives);
  for (const f of findings) {
    const d = f.rule === SUPPRESSION_RULE ? undefined : index.first(f);
    if (!d) {
      active.push(f);
      continue;
    }
    markUsed(used, d, f.rule);
    suppressed.push({ finding: f, justification: d.reason ?? '' });
  }
  return { active, suppressed, problems: directiveProblems(directives, used, enabled, known) };
}

/** The rules each directive has suppressed a finding of. */
export type DirectiveUse = Map<Directive, Set<string>>;

export function markUsed(used: DirectiveUse, d: Directive, rule: string): void {
  let set = used.get(d);
  if (!set) used.set(d, (set = new Set()));
  set.add(rule);
}

/**
 * Problems with the directives themselves: no rule, no reason, an unknown rule, or (for a rule
 * that ran) nothing suppressed.
 */
export function directiveProblems(
  directives: readonly Directive[],
  used: DirectiveUse,
  enabled: ReadonlySet<string> | ((rule: string, file: string) => boolean),
  known: ReadonlySet<string>,
): SuppressionProblem[] {
  const problems: SuppressionProblem[] = [];
  for (const d of directives) {
    const at = { file: d.file, range: d.range, offsets: d.offsets, logicalLocation: d.logicalLocation };
    const what = d.kind === 'metadata' ? d.label : `'${d.label}' comment`;
    if (d.rules.length === 0) {
      const fix = d.kind === 'metadata' ? 'give each entry a rule and a reason' : `write ${d.label} <rule> -- <reason>`;
      problems.push({ ...at, message: `${what} names no rule, so it suppresses nothing: ${fix}` });
      continue;
    }
    const names = listed(d.rules, ', ', (r) => shortened(r));
    if (d.reason === undefined) {
      const fix = d.kind === 'metadata' ? 'add a reason to the entry' : "add one after ' -- '";
      problems.push({ ...at, message: `${what} suppressing ${names} gives no reason: ${fix} so that reviewers can judge it` });
    }
    // unknown names in one finding: a comment naming thousands of them is one problem, not thousands
    const unknown = d.rules.filter((rule) => rule !== SUPPRESSION_RULE && !known.has(rule));
    if (unknown.length === 1) problems.push({ ...at, message: `${what} names unknown rule '${shortened(unknown[0]!)}', so it suppresses nothing` });
    else if (unknown.length > 1) {
      problems.push({ ...at, message: `${what} names ${unknown.length} unknown rules (${listed(unknown, ', ', (r) => `'${shortened(r)}'`)}), so they suppress nothing` });
    }
    for (const rule of d.rules) {
      if (rule === SUPPRESSION_RULE) {
        problems.push({ ...at, message: `${what} names ${SUPPRESSION_RULE}, whose findings cannot be suppressed` });
      } else if (!known.has(rule)) {
        continue;
      } else if ((typeof enabled === 'function' ? enabled(rule, d.file) : enabled.has(rule)) && !used.get(d)?.has(rule)) {
        problems.push({ ...at, message: `${what} suppressing ${rule} suppresses nothing: there is no ${rule} finding${scopeWords(d)}, so remove it` });
      }
    }
  }
  return problems;
}

function scopeWords(d: Directive): string {
  if (d.kind === 'metadata' || d.resourcePath !== undefined) return ' in the resource';
  if (d.kind === 'next-line') return ' on the next line';
  if (d.kind === 'line') return ' on its line';
  return ' in its range';
}
