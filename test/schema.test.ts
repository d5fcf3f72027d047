/** The configuration schema is generated from the rules' metadata, and `npm test` checks it is current. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/fixtures.js';
import { project } from './helpers/tmp.js';
import { RULES } from '../src/rules/index.js';

const SCHEMA = path.join(ROOT, 'schema', 'rel4lint.config.schema.json');
const SCRIPT = path.join(ROOT, 'scripts', 'gen-schema.js');

interface RuleSchema {
  description: string;
  oneOf: [unknown, { properties: { options: { additionalProperties: boolean; properties: Record<string, { type: string; default: unknown }> } } }];
}

describe('the configuration schema', () => {
  it('lists every rule with its description and every option with type and default', () => {
    const schema = JSON.parse(fs.readFileSync(SCHEMA, 'utf8')) as { properties: { rules: { properties: Record<string, RuleSchema> } } };
    const rules = schema.properties.rules.properties;
    expect(Object.keys(rules).sort()).toEqual(RULES.map((r) => r.meta.name).sort());
    for (const { meta } of RULES) {
      const rule = rules[meta.name]!;
      expect(rule.description).toContain(meta.description);
      const options = rule.oneOf[1].properties.options;
      expect(options.additionalProperties).toBe(false);
      expect(Object.keys(options.properties).sort()).toEqual(Object.keys(meta.options).sort());
      for (const [name, option] of Object.entries(meta.options)) {
        expect(options.properties[name]).toMatchObject({ type: option.type, default: option.default });
      }
    }
  });

  it('is checked by the generator: --check fails on a stale file and passes once it is written', () => {
    const dir = project({});
    const file = path.join(dir, 'schema.json');
    const current = JSON.parse(fs.readFileSync(SCHEMA, 'utf8')) as { properties: { rules: { properties: Record<string, unknown> } } };
    delete current.properties.rules.properties['no-unbounded-retry'];
    fs.writeFileSync(file, JSON.stringify(current, null, 2));
    const stale = spawnSync(process.execPath, [SCRIPT, '--check', '--out', file], { cwd: ROOT, encoding: 'utf8' });
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain('is out of date: run node scripts/gen-schema.js');
    expect(spawnSync(process.execPath, [SCRIPT, '--out', file], { cwd: ROOT }).status).toBe(0);
    expect(fs.readFileSync(file, 'utf8')).toBe(fs.readFileSync(SCHEMA, 'utf8'));
    expect(spawnSync(process.execPath, [SCRIPT, '--check', '--out', file], { cwd: ROOT }).status).toBe(0);
    // the repository's own schema is current
    expect(spawnSync(process.execPath, [SCRIPT, '--check'], { cwd: ROOT }).status).toBe(0);
  });
});
