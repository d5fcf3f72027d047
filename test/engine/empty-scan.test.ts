/**
 * A scan that finds no file to analyse returns without loading the analysis: its result must be
 * the one the engine gives for no file (no finding, every count 0, the enabled rules with their
 * configured severities, an empty graph), which every format prints.
 */
import { describe, expect, it } from 'vitest';
import { format, lint, resolveRules, scan } from '../../src/api/index.js';
import { project } from '../helpers/tmp.js';

describe('a scan of no file', () => {
  it('gives what the engine gives for no file, with the rules of the command line', async () => {
    const root = project({ 'docs/notes.txt': 'nothing to scan\n' });
    const scanned = await scan({ cwd: root, paths: ['docs'], preset: 'strict', rules: { 'require-queue-dlq': 'off', 'no-unbounded-retry': 'note' } });
    expect(scanned.stats.filesScanned).toBe(0);
    const engine = await lint({ cwd: root, files: [], rules: resolveRules('strict', { 'require-queue-dlq': 'off', 'no-unbounded-retry': 'note' }) });
    expect(scanned).toEqual(engine);
    expect(scanned.rules.map((r) => r.meta.name)).not.toContain('require-queue-dlq');
    expect(scanned.rules.find((r) => r.meta.name === 'no-unbounded-retry')?.severity).toBe('note');
    for (const name of ['json', 'sarif', 'markdown', 'stylish', 'junit', 'gitlab', 'graph'] as const) {
      expect(format(scanned, name, { cwd: root }), name).toBe(format(engine, name, { cwd: root }));
    }
  });
});
