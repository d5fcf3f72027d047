/**
 * Suppressions: comments in code and templates, and `Metadata.rel4lint.ignore` on CloudFormation
 * and SAM resources.
 *
 * ```
 * // rel4lint-disable-next-line <rule>[, <rule>...] -- <reason>      (code; `#` in YAML and HCL)
 * /* rel4lint-disable <rule>[, <rule>...] -- <reason> *\/            (to the matching enable, or the end of the file)
 * /* rel4lint-enable <rule>[, <rule>...] *\/                         (no rule: closes every open disable)
 * Metadata: { rel4lint: { ignore: [{ rule: <rule>, reason: <reason> }] } }
 * ```
 *
 * - A next-line comment applies to findings that start on the line after the comment; a block
 *   disable to findings that start from the comment's line up to (excluding) the enable's line.
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
  kind: 'next-line' | 'block' | 'metadata';
  /** How the directive is written, for messages (`rel4lint-disable-next-line`, `Metadata on Queue`). */
  label: string;
  rules: string[];
  reason: string | undefined;
  /** Comment directives: lines (1-based) of findings it applies to, inclusive. */
  fromLine: number;
  toLine: number;
  /** Metadata directives: the resource's logical path, e.g. `Resources.Queue`. */
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

const PATTERNS: Record<CommentStyle, RegExp> = {
  code: /(\/\/|\/\*)[ \t*]*rel4lint-(disable-next-line|disable|enable)(?![\w-])/g,
  hash: /(#)[ \t]*rel4lint-(disable-next-line|disable|enable)(?![\w-])/g,
  both: /(\/\/|\/\*|#)[ \t*]*rel4lint-(disable-next-line|disable|enable)(?![\w-])/g,
};


/** `a, b c -- reason` → rules and reason (undefined when empty or missing). */
function parseBody(body: string): { rules: string[]; reason: string | undefined } {
  const sep = body.search(/(?:^|\s)--(?:\s|$)/);
  const rulesPart = sep === -1 ? body : body.slice(0, sep);
  const reason = sep === -1 ? '' : body.slice(sep).replace(/^\s*--/, '').replace(/\s+/g, ' ').trim();
  // each rule once: a list repeating a name is no reason to report it repeatedly
  return { rules: [...new Set(rulesPart.split(/[\s,]+/).filter(Boolean))], reason: reason === '' ? undefined : reason };
}

/** The suppression comments of one file's text (cheap when the text mentions no directive). */
export function commentDirectives(file: string, text: string, style: CommentStyle): Directive[] {
  if (!text.includes(MARKER)) return [];
  const lines = new LineIndex(text, { code: style === 'code' });
  // line breaks as findings count them: \n, \r\n, a lone \r, and in code U+2028/U+2029
  const lineEnd = style === 'code' ? /\r\n?|[\n\u2028\u2029]/ : /\r\n?|\n/;
  const totalLines = lines.lineCount;
  const out: Directive[] = [];
  // open block directives by the rules they name (each closed once, so that many enables cost no more than many disables)
  const open = new Map<string, Directive[]>();
  const pattern = new RegExp(PATTERNS[style].source, 'g');
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
    const opener = m[1]!;
    const keyword = m[2]!;
    // a `#` in YAML starts a comment only at the start of a line or after whitespace
    if (opener === '#' && m.index > 0 && !/\s/.test(text[m.index - 1]!)) continue;
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
    const { rules, reason } = parseBody(text.slice(bodyStart, bodyEnd).replace(/\r$/, ''));
    const startLine = lines.position(m.index).line;
    const endLine = lines.position(Math.max(m.index, commentEnd - 1)).line;
    const range = lines.range(m.index, commentEnd);
    const offsets = { start: m.index, end: commentEnd };
    if (keyword === 'enable') {
      for (const rule of rules.length === 0 ? [...open.keys()] : rules) {
        for (const d of open.get(rule) ?? []) if (d.toLine === totalLines) d.toLine = Math.max(d.fromLine, startLine - 1);
        open.delete(rule);
      }
      continue;
    }
    const directive: Directive = {
      file,
      kind: keyword === 'disable' ? 'block' : 'next-line',
      label: `rel4lint-${keyword}`,
      rules,
      reason,
      fromLine: keyword === 'disable' ? startLine : endLine + 1,
      toLine: keyword === 'disable' ? totalLines : endLine + 1,
      range,
      offsets,
      logicalLocation: `${keyword}:${listed(rules, ',', (r) => r)}`,
    };
    out.push(directive);
    if (directive.kind === 'block') {
      for (const rule of rules) {
        const list = open.get(rule);
        if (list) list.push(directive);
        else open.set(rule, [directive]);
      }
    }
  }
  return out;
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
        if (d.kind === 'next-line') {
          const k = `${key}\0${d.fromLine}`;
          if (!this.nextLine.has(k)) this.nextLine.set(k, i);
        } else if (d.kind === 'metadata') {
          const k = `${key}\0${d.resourcePath!}`;
          if (!this.metadata.has(k)) this.metadata.set(k, i);
        } else {
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
  const used = new Map<Directive, Set<string>>();
  const index = new DirectiveIndex(directives);
  for (const f of findings) {
    const d = f.rule === SUPPRESSION_RULE ? undefined : index.first(f);
    if (!d) {
      active.push(f);
      continue;
    }
    let set = used.get(d);
    if (!set) used.set(d, (set = new Set()));
    set.add(f.rule);
    suppressed.push({ finding: f, justification: d.reason ?? '' });
  }
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
        const scope = d.kind === 'next-line' ? ' on the next line' : d.kind === 'metadata' ? ' in the resource' : ' in its range';
        problems.push({ ...at, message: `${what} suppressing ${rule} suppresses nothing: there is no ${rule} finding${scope}, so remove it` });
      }
    }
  }
  return { active, suppressed, problems };
}
