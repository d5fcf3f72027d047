/**
 * Project fixtures: a folder under fixtures/<rule>/ that holds a template (template.yaml,
 * serverless.yml, main.tf, cdk.out, ...) is linted as one project, every file of it together, so
 * that templates give their handler files context. Every file's findings must match its markers.
 */
import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { lint } from '../src/api/index.js';
import { resolveRules } from '../src/api/index.js';
import { isCodeFile } from '../src/ground/files.js';
import type { Level } from '../src/ground/types.js';
import { RULES } from '../src/rules/index.js';
import { FIXTURES, fixtureRules, listFiles, expectations, compareShape, projectDirs } from './helpers/fixtures.js';

function rulesFor(rule: string, dir: string) {
  const overrides: Record<string, Level | { level: Level; options: Record<string, unknown> }> = {};
  for (const r of RULES) if (r.meta.name !== rule && r.meta.name !== 'parse-error') overrides[r.meta.name] = 'off';
  const optionsFile = path.join(dir, 'options.json');
  const options = existsSync(optionsFile) ? (JSON.parse(readFileSync(optionsFile, 'utf8')) as Record<string, unknown>) : undefined;
  const severity = RULES.find((r) => r.meta.name === rule)!.meta.severity;
  overrides[rule] = options ? { level: severity, options } : severity;
  return resolveRules('strict', overrides).map((r) => (r.meta.name === rule ? { ...r, severityOverridden: false } : r));
}

for (const rule of fixtureRules()) {
  for (const dir of projectDirs(path.join(FIXTURES, rule))) {
    describe(`project fixture ${path.relative(FIXTURES, dir)}`, () => {
      const files = listFiles(dir).filter((f) => !f.includes(`${path.sep}node_modules${path.sep}`));
      const result = lint({ cwd: dir, files, rules: rulesFor(rule, dir) });
      for (const file of files.filter((f) => isCodeFile(f) || /\.(ya?ml|json|tf|template)$/.test(f))) {
        it(path.relative(dir, file), async () => {
          const rel = path.relative(dir, file).split(path.sep).join('/');
          const own = (await result).findings.filter((f) => f.file === rel);
          const { actual, wanted } = compareShape(own, expectations(file));
          expect(actual).toEqual(wanted);
        });
      }
    });
  }
}
