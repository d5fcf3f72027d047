/** Deployment units: which templates deploy together, and the graph grouped by them. */
import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { lint, resolveRules } from '../../src/api/index.js';
import { toDot, toMermaid } from '../../src/context/graph.js';
import { FIXTURES, listFiles } from '../helpers/fixtures.js';

const DIR = path.join(FIXTURES, 'no-synchronized-schedule', 'units-project');

describe('deployment units', () => {
  it('group templates by app folder, and keep schedule collisions inside one unit', async () => {
    const rules = resolveRules('strict', {}).filter((r) => r.meta.name === 'no-synchronized-schedule');
    const result = await lint({ cwd: DIR, files: listFiles(DIR), rules });
    expect(result.findings.map((f) => `${f.file}:${f.range.start.line}`)).toEqual(['orders/template.yaml:14']);
    expect(result.findings[0]!.related.map((r) => r.file)).toEqual(['orders/nested/reports.yaml']);
    const graph = result.graph!;
    expect(graph.units).toEqual([
      { id: 'billing', kind: 'Serverless service', label: 'Serverless service billing/' },
      { id: 'orders', kind: 'SAM app', label: 'SAM app orders/' },
      { id: '.', kind: 'CloudFormation stack', label: 'CloudFormation stack .' },
    ]);
    const unitOf = (label: string): string | undefined => graph.nodes.find((n) => n.label === label)?.unit;
    expect(unitOf('Compact')).toBe('orders');
    expect(unitOf('Report')).toBe('orders');
    expect(unitOf('Backup')).toBe('.');
    const mermaid = toMermaid(graph);
    expect(mermaid).toContain('  subgraph u2["SAM app orders/"]\n    n');
    expect(mermaid.match(/^ {2}end$/gm)).toHaveLength(3);
    const dot = toDot(graph);
    expect(dot).toContain('  subgraph cluster_1 {\n    label="Serverless service billing/";\n');
  });

  it('draws no subgraph for a scan of one unit', async () => {
    const dir = path.join(DIR, 'orders');
    const rules = resolveRules('strict', {}).filter((r) => r.meta.name === 'no-synchronized-schedule');
    const result = await lint({ cwd: dir, files: listFiles(dir), rules });
    expect(result.graph!.units).toEqual([{ id: '.', kind: 'SAM app', label: 'SAM app .' }]);
    expect(toMermaid(result.graph!)).not.toContain('subgraph');
    expect(toDot(result.graph!)).not.toContain('subgraph');
  });
});
