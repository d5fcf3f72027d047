/** Rule metadata is the single source: check it is complete and consistent with the repository. */
import { describe, it, expect } from 'vitest';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { RULES } from '../src/rules/index.js';
import { BEST_PRACTICES } from '../src/ground/best-practices.js';
import { ROOT } from './helpers/fixtures.js';
import { ts as bundled } from '../src/code/ts.js';
import installed from 'typescript';

/** Rules reported by the engine itself (about the scan, not a best practice; no detector). */
const ENGINE_RULES = new Set(['parse-error', 'no-invalid-suppression']);

describe('rule registry', () => {
  it('lists exactly the rule folders, sorted', () => {
    const dir = path.join(ROOT, 'src', 'rules');
    const folders = readdirSync(dir).filter((d) => statSync(path.join(dir, d)).isDirectory()).sort();
    expect(RULES.map((r) => r.meta.name)).toEqual(folders);
  });

  for (const rule of RULES) {
    const m = rule.meta;
    it(`${m.name} has complete metadata`, () => {
      expect(m.name).toMatch(/^(no|require|prefer|parse)-[a-z0-9-]+$/);
      expect(m.description).toMatch(/^[A-Z][^\n]*[^.]$/);
      expect(m.help).toMatch(/^[A-Z][^\n]*[^.]$/);
      if (!ENGINE_RULES.has(m.name)) expect(m.bestPractices.length).toBeGreaterThan(0);
      for (const bp of m.bestPractices) expect(BEST_PRACTICES[bp]).toBeDefined();
      expect(['error', 'warning', 'note']).toContain(m.severity);
      expect(m.presets).toContain('strict');
      expect(m.targets.length).toBeGreaterThan(0);
      expect(Boolean(rule.code) || Boolean(rule.iac) || Boolean(rule.project) || ENGINE_RULES.has(m.name)).toBe(true);
      // project rules read code through the project model
      if (m.targets.includes('code') && !ENGINE_RULES.has(m.name) && !rule.project) expect(rule.code).toBeDefined();
      for (const [key, schema] of Object.entries(m.options)) {
        expect(key).toMatch(/^[a-z][A-Za-z0-9]*$/);
        expect(schema.description.length).toBeGreaterThan(10);
      }
    });
  }
});

describe('TypeScript', () => {
  it('analysis uses the typescript package of the dependencies, on the 6.0 line', () => {
    expect(bundled.version).toBe(installed.version);
    expect(bundled.versionMajorMinor).toBe('6.0');
  });
});
