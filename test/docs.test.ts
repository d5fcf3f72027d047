/**
 * Rule docs are part of the product: every rule has a README with the agreed sections, its
 * description matches the metadata, and its examples are executed: every ❌ block must report the
 * rule and every ✅ block must not.
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RULES } from '../src/rules/index.js';
import { ruleReadmePath } from '../src/rules/registry.js';
import { lint } from '../src/api/index.js';
import { ROOT } from './helpers/fixtures.js';
import { resolveRules } from '../src/api/index.js';

const SECTIONS = ['## Why it matters', '## Examples', '### ❌ Incorrect', '### ✅ Correct', '## How to fix', '## Options', '## When not to use it', '## References'];
const EXTENSIONS: Record<string, string> = { ts: '.ts', typescript: '.ts', js: '.js', javascript: '.js', yaml: '.yaml', yml: '.yaml', json: '.json', hcl: '.tf' };

interface Example {
  kind: 'incorrect' | 'correct';
  lang: string;
  /** File name from the fence's info string (```yaml serverless.yml), for formats known by name. */
  fileName?: string;
  code: string;
  line: number;
}

function examples(markdown: string): Example[] {
  const out: Example[] = [];
  let kind: Example['kind'] | undefined;
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.startsWith('#')) {
      kind = line.startsWith('### ❌') ? 'incorrect' : line.startsWith('### ✅') ? 'correct' : undefined;
      continue;
    }
    const fence = /^```(\w+)(?:[ \t]+([\w./-]+))?\s*$/.exec(line);
    if (fence && kind) {
      const start = i;
      const body: string[] = [];
      for (i++; i < lines.length && !lines[i].startsWith('```'); i++) body.push(lines[i]);
      out.push({ kind, lang: fence[1], fileName: fence[2], code: `${body.join('\n')}\n`, line: start + 1 });
    }
  }
  return out;
}

const dir = mkdtempSync(path.join(tmpdir(), 'rel4lint-docs-'));

for (const rule of RULES) {
  const name = rule.meta.name;
  describe(`docs of ${name}`, () => {
    const readme = ruleReadmePath(name);
    it('has a README with the agreed sections', () => {
      expect(existsSync(readme)).toBe(true);
      const text = readFileSync(readme, 'utf8');
      expect(text.startsWith(`# ${name}\n\n${rule.meta.description}.\n`)).toBe(true);
      for (const section of SECTIONS) expect(text, section).toContain(`\n${section}\n`);
      for (const option of Object.keys(rule.meta.options)) expect(text, `option ${option}`).toMatch(new RegExp(`\`${option}\``));
    });
    if (!existsSync(readme)) return;
    const blocks = examples(readFileSync(readme, 'utf8'));
    it('has at least one ❌ and one ✅ example', () => {
      expect(blocks.some((b) => b.kind === 'incorrect')).toBe(true);
      expect(blocks.some((b) => b.kind === 'correct')).toBe(true);
    });
    blocks.forEach((block, index) => {
      // blocks named `<project>/<path>` form one project with the blocks of the same kind and project
      const project = block.fileName?.includes('/') ? block.fileName.split('/')[0] : undefined;
      if (project) {
        const group = blocks.filter((b) => b.kind === block.kind && b.fileName?.split('/')[0] === project);
        if (group[0] !== block) return;
        it(`${block.kind} project example ${project} at README.md:${block.line} ${block.kind === 'incorrect' ? 'reports' : 'does not report'}`, async () => {
          const folder = path.join(dir, `${name}-${index}`);
          const files = group.map((b) => {
            const file = path.join(folder, ...b.fileName!.split('/').slice(1));
            mkdirSync(path.dirname(file), { recursive: true });
            writeFileSync(file, b.code);
            return file;
          });
          const overrides = Object.fromEntries(RULES.filter((r) => r.meta.name !== name && r.meta.name !== 'parse-error').map((r) => [r.meta.name, 'off' as const]));
          const result = await lint({ cwd: folder, files, rules: resolveRules('strict', { ...overrides, [name]: rule.meta.severity }) });
          const own = result.findings.filter((f) => f.rule === name);
          expect(result.findings.filter((f) => f.rule !== name).map((f) => f.message)).toEqual([]);
          if (block.kind === 'incorrect') expect(own.length).toBeGreaterThan(0);
          else expect(own.map((f) => `${f.file}:${f.range.start.line}: ${f.message}`)).toEqual([]);
        });
        return;
      }
      it(`${block.kind} example at README.md:${block.line} ${block.kind === 'incorrect' ? 'reports' : 'does not report'}`, async () => {
        const ext = EXTENSIONS[block.lang];
        expect(ext, `unknown fence language ${block.lang}`).toBeDefined();
        let file = path.join(dir, `${name}-${index}${ext}`);
        if (block.fileName) {
          // formats recognised by file name (serverless.yml): the example keeps its name in its own folder
          const folder = path.join(dir, `${name}-${index}`);
          mkdirSync(folder, { recursive: true });
          file = path.join(folder, block.fileName);
        }
        writeFileSync(file, block.code);
        const overrides = Object.fromEntries(RULES.filter((r) => r.meta.name !== name && r.meta.name !== 'parse-error').map((r) => [r.meta.name, 'off' as const]));
        const result = await lint({ cwd: dir, files: [file], rules: resolveRules('strict', { ...overrides, [name]: rule.meta.severity }) });
        const own = result.findings.filter((f) => f.rule === name);
        const others = result.findings.filter((f) => f.rule !== name);
        expect(others.map((f) => f.message)).toEqual([]);
        if (block.kind === 'incorrect') expect(own.length).toBeGreaterThan(0);
        else expect(own.map((f) => `${f.range.start.line}: ${f.message}`)).toEqual([]);
      });
    });
  });
}

describe('README rule table', () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  for (const rule of RULES) {
    it(`lists ${rule.meta.name} with its metadata`, () => {
      const row = readme.split('\n').find((l) => l.startsWith(`| [\`${rule.meta.name}\`](src/rules/${rule.meta.name}/README.md) |`));
      expect(row, 'row missing').toBeDefined();
      const cells = row!.split('|').map((c) => c.trim());
      expect(cells[cells.length - 2]).toBe(rule.meta.description);
      for (const bp of rule.meta.bestPractices) expect(cells[2]).toContain(bp);
      expect(cells[3].startsWith(rule.meta.severity)).toBe(true);
    });
  }
});
