/**
 * Every file under fixtures/<rule>/ is linted with that rule (and parse-error) and its findings
 * must match the file's expectation markers exactly: no missing finding, no extra one.
 */
import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { lint } from '../src/api/index.js';
import { resolveRules } from '../src/api/index.js';
import type { Level } from '../src/ground/types.js';
import { RULES } from '../src/rules/index.js';
import { FIXTURES, SHARED_FIXTURES, fixtureRules, listFiles, expectations, compareShape, inProject, projectDirs } from './helpers/fixtures.js';

function rulesFor(rule: string, dir: string) {
  const overrides: Record<string, Level | { level: Level; options: Record<string, unknown> }> = {};
  for (const r of RULES) if (r.meta.name !== rule && r.meta.name !== 'parse-error') overrides[r.meta.name] = 'off';
  const optionsFile = path.join(dir, 'options.json');
  const options = existsSync(optionsFile) ? (JSON.parse(readFileSync(optionsFile, 'utf8')) as Record<string, unknown>) : undefined;
  overrides[rule] = options ? { level: RULES.find((r) => r.meta.name === rule)!.meta.severity, options } : RULES.find((r) => r.meta.name === rule)!.meta.severity;
  // an explicit level would override context-dependent severities; keep the rule's own
  const resolved = resolveRules('strict', overrides);
  return resolved.map((r) => (r.meta.name === rule ? { ...r, severityOverridden: false } : r));
}

for (const rule of fixtureRules()) {
  const dir = path.join(FIXTURES, rule);
  describe(`fixtures/${rule}`, () => {
    // folders with a template are linted as one project by test/projects.test.ts
    const files = listFiles(dir).filter((f) => !inProject(dir, f));
    if (files.length === 0) it('has project fixtures', () => expect(projectDirs(dir).length).toBeGreaterThan(0));
    for (const file of files) {
      it(path.relative(dir, file), async () => {
        const result = await lint({ cwd: dir, files: [file], rules: rulesFor(rule, path.dirname(file)) });
        const { actual, wanted } = compareShape(result.findings, expectations(file));
        expect(actual).toEqual(wanted);
      });
    }
  });
}

// One input, several rules: each rule named in the markers must find exactly its own expectations.
describe('fixtures/_shared', () => {
  for (const file of listFiles(SHARED_FIXTURES)) {
    const expected = expectations(file);
    for (const rule of [...new Set(expected.map((e) => e.rule))].sort()) {
      it(`${path.relative(SHARED_FIXTURES, file)} (${rule})`, async () => {
        const result = await lint({ cwd: path.dirname(file), files: [file], rules: rulesFor(rule, path.dirname(file)) });
        const { actual, wanted } = compareShape(result.findings, expected.filter((e) => e.rule === rule));
        expect(actual).toEqual(wanted);
      });
    }
  }
});

describe('fixture folders', () => {
  it('every fixture folder names a rule', () => {
    const names = new Set(RULES.map((r) => r.meta.name));
    for (const rule of fixtureRules()) expect(names.has(rule), rule).toBe(true);
  });
  it('every rule has fixtures', () => {
    const folders = new Set(fixtureRules());
    for (const r of RULES) expect(folders.has(r.meta.name), r.meta.name).toBe(true);
  });
});
