/** Fixture discovery and inline expectation markers shared by the fixture and parity tests. */
import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Finding, Severity } from '../../src/ground/types.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES = path.join(ROOT, 'fixtures');

export interface Expectation {
  rule: string;
  line: number;
  column?: number;
  severity?: Severity;
}

export function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...listFiles(full));
    else if (!entry.endsWith('.expect.json') && entry !== 'options.json') out.push(full);
  }
  return out;
}

/** Rule folders under fixtures/ (`_shared` holds inputs checked against several rules). */
export function fixtureRules(): string[] {
  return readdirSync(FIXTURES)
    .filter((d) => !d.startsWith('_') && statSync(path.join(FIXTURES, d)).isDirectory())
    .sort();
}

/** fixtures/_shared: each file is checked against every rule its markers name. */
export const SHARED_FIXTURES = path.join(FIXTURES, '_shared');

const MARKER = /(?:\/\/|#|\/\*)\s*expect:\s*([^*\n]+?)\s*(?:\*\/)?\s*$/;
const ITEM = /^([a-z0-9-]+)(?:\((error|warning|note)\))?(?:@(\d+))?$/;

/**
 * Expectations for a fixture file: a sibling `<file>.expect.json`, else inline markers
 * `// expect: rule`, `# expect: rule(error)@12; other-rule` on the line where each finding starts.
 */
export function expectations(file: string): Expectation[] {
  const json = `${file}.expect.json`;
  if (existsSync(json)) return JSON.parse(readFileSync(json, 'utf8')) as Expectation[];
  const out: Expectation[] = [];
  readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .forEach((text, i) => {
      const m = MARKER.exec(text);
      if (!m) return;
      for (const item of m[1].split(';').map((s) => s.trim()).filter(Boolean)) {
        const parsed = ITEM.exec(item);
        if (!parsed) throw new Error(`${file}:${i + 1}: bad expectation marker '${item}'`);
        out.push({ rule: parsed[1], line: i + 1, severity: parsed[2] as Severity | undefined, column: parsed[3] ? Number(parsed[3]) : undefined });
      }
    });
  return out;
}

/** Findings reduced to what the expectations specify, for a readable diff. */
export function compareShape(findings: Finding[], expected: Expectation[]): { actual: string[]; wanted: string[] } {
  const fmt = (e: Expectation) => `${e.line}${e.column !== undefined ? `:${e.column}` : ''} ${e.rule}${e.severity ? `(${e.severity})` : ''}`;
  const wanted = expected.map(fmt).sort();
  const actual = findings
    .map((f, i) => {
      // use the expectation's precision for the matching position
      const e = expected.find((x) => x.rule === f.rule && x.line === f.range.start.line) ?? expected[i];
      return fmt({
        rule: f.rule,
        line: f.range.start.line,
        column: e?.column !== undefined ? f.range.start.column : undefined,
        severity: e?.severity !== undefined ? f.severity : undefined,
      });
    })
    .sort();
  return { actual, wanted };
}

const PROJECT_MARKERS = ['template.yaml', 'template.yml', 'template.json', 'serverless.yml', 'serverless.yaml', 'serverless.ts', 'serverless.js', 'main.tf', 'cdk.out', 'cdk.json'];

/**
 * A project fixture: a folder named `*-project` (or `*project`) that holds a template, `cdk.out` or
 * `cdk.json` (a CDK app read from its source), or a folder named `*-modules` of code files that
 * import each other; its files are linted together as one project, and each file's findings (some
 * found from another file) must match its own markers.
 */
export function isProjectDir(dir: string): boolean {
  const name = path.basename(dir);
  return (/project$/.test(name) && PROJECT_MARKERS.some((m) => existsSync(path.join(dir, m)))) || /-modules$/.test(name);
}

/** Project folders under a rule's fixture folder (not nested in another project). */
export function projectDirs(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = path.join(dir, entry);
    if (!statSync(full).isDirectory()) continue;
    if (isProjectDir(full)) out.push(full);
    else out.push(...projectDirs(full));
  }
  return out;
}

/** True when the file belongs to a project folder under `ruleDir`. */
export function inProject(ruleDir: string, file: string): boolean {
  for (let d = path.dirname(file); d.startsWith(ruleDir) && d !== ruleDir; d = path.dirname(d)) if (isProjectDir(d)) return true;
  return false;
}
