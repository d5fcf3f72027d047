/**
 * The service interaction graph as data (for the JSON report) and as Mermaid or DOT text (for
 * `--format graph`). Synchronous edges are thick and labelled "sync"; asynchronous ones dashed.
 * When the scan spans several deployment units (`units.ts`), each is a subgraph (a DOT cluster).
 */
import type { InteractionGraph, Range } from '../ground/types.js';
import type { ProjectModel } from './project.js';
import type { Location } from './types.js';

/** Plain graph of the model: node ids are `<kind>:<label>` (made unique), edges carry their file and line. */
export function interactionGraph(
  model: ProjectModel,
  locate: (location: Location) => { file: string; range: Range },
  /** Folder paths as reports show them (relative to the working directory). */
  relative: (folder: string) => string = (folder) => folder,
): InteractionGraph {
  const ids = new Map<string, string>();
  const used = new Set<string>();
  const suffixes = new Map<string, number>();
  const connected = new Set<string>();
  for (const e of model.edges) {
    connected.add(e.from);
    connected.add(e.to);
  }
  const nodes: InteractionGraph['nodes'] = [];
  const units = new Map<string, NonNullable<InteractionGraph['units']>[number]>();
  for (const node of model.nodes.values()) {
    // functions always show; other resources only when something connects them
    if (node.kind !== 'function' && !connected.has(node.id)) continue;
    let id = `${node.kind}:${node.label}`;
    if (used.has(id)) {
      // resume from the last suffix given to this label: many equal labels (one per stack) stay linear
      const base = id;
      let n = suffixes.get(base) ?? 2;
      while (used.has(`${base}#${n}`)) n++;
      id = `${base}#${n}`;
      suffixes.set(base, n + 1);
    }
    used.add(id);
    ids.set(node.id, id);
    const unit = model.unitOf(node.id);
    const unitId = unit ? relative(unit.root) || '.' : undefined;
    nodes.push({ id, kind: node.kind, label: node.label, ...(unitId ? { unit: unitId } : {}) });
    if (unit && unitId && !units.has(unitId)) units.set(unitId, { id: unitId, kind: unit.kind, label: `${unit.kind} ${unitId === '.' ? '.' : `${unitId}/`}` });
  }
  const edges: InteractionGraph['edges'] = [];
  const seen = new Set<string>();
  for (const e of model.edges) {
    const from = ids.get(e.from);
    const to = ids.get(e.to);
    if (!from || !to) continue;
    const where = locate(e.location);
    const key = `${from}\u0000${to}\u0000${e.sync}\u0000${e.label}\u0000${where.file}:${where.range.start.line}`;
    if (seen.has(key)) continue;
    seen.add(key);
    edges.push({ from, to, sync: e.sync, label: e.label, via: e.via, file: where.file, line: where.range.start.line });
  }
  return units.size > 0 ? { nodes, edges, units: [...units.values()] } : { nodes, edges };
}

/** Nodes grouped by deployment unit when the graph spans several (in unit order), else undefined. */
function byUnit(graph: InteractionGraph): { unit: NonNullable<InteractionGraph['units']>[number]; nodes: InteractionGraph['nodes'] }[] | undefined {
  if (!graph.units || graph.units.length < 2) return undefined;
  return graph.units.map((unit) => ({ unit, nodes: graph.nodes.filter((n) => n.unit === unit.id) }));
}

const MERMAID_SHAPES: Record<string, [string, string]> = {
  function: ['(', ')'],
  queue: ['[/', '/]'],
  topic: ['{{', '}}'],
  bus: ['{{', '}}'],
  'state-machine': ['[[', ']]'],
  api: ['([', '])'],
  http: ['>', ']'],
  stream: ['[(', ')]'],
  bucket: ['[(', ')]'],
  schedule: ['[', ']'],
};

const KIND_LABEL: Record<string, string> = {
  function: 'λ',
  queue: 'SQS',
  topic: 'SNS',
  bus: 'EventBridge',
  'state-machine': 'Step Functions',
  api: 'API',
  http: 'HTTP',
  stream: 'stream',
  bucket: 'S3',
  schedule: 'schedule',
};

function quote(text: string): string {
  return text.replace(/"/g, '#quot;');
}

function edgeLabel(e: InteractionGraph['edges'][number]): string {
  return e.sync ? `sync ${e.label}` : e.label;
}

/** Mermaid flowchart: synchronous edges thick (`==>`) and labelled sync, asynchronous dashed (`-.->`). */
export function toMermaid(graph: InteractionGraph): string {
  const short = new Map(graph.nodes.map((n, i) => [n.id, `n${i + 1}`]));
  const lines = ['flowchart LR'];
  const declare = (n: InteractionGraph['nodes'][number], indent: string): void => {
    const [open, close] = MERMAID_SHAPES[n.kind] ?? ['[', ']'];
    lines.push(`${indent}${short.get(n.id)}${open}"${quote(`${KIND_LABEL[n.kind] ?? n.kind} ${n.label}`)}"${close}`);
  };
  const groups = byUnit(graph);
  if (groups) {
    // one subgraph per deployment unit; external services outside every unit
    groups.forEach(({ unit, nodes }, i) => {
      lines.push(`  subgraph u${i + 1}["${quote(unit.label)}"]`);
      for (const n of nodes) declare(n, '    ');
      lines.push('  end');
    });
    for (const n of graph.nodes) if (!n.unit) declare(n, '  ');
  } else {
    for (const n of graph.nodes) declare(n, '  ');
  }
  const pairs = new Set<string>();
  for (const e of graph.edges) {
    const line = e.sync ? `  ${short.get(e.from)} ==>|"${quote(edgeLabel(e))}"| ${short.get(e.to)}` : `  ${short.get(e.from)} -.->|"${quote(edgeLabel(e))}"| ${short.get(e.to)}`;
    if (pairs.has(line)) continue;
    pairs.add(line);
    lines.push(line);
  }
  return `${lines.join('\n')}\n`;
}

const DOT_SHAPES: Record<string, string> = {
  function: 'ellipse',
  queue: 'cds',
  topic: 'hexagon',
  bus: 'hexagon',
  'state-machine': 'box3d',
  api: 'house',
  http: 'note',
  stream: 'cylinder',
  bucket: 'cylinder',
  schedule: 'box',
};

function dotString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Graphviz DOT: synchronous edges bold and solid, asynchronous dashed. */
export function toDot(graph: InteractionGraph): string {
  const lines = ['digraph interactions {', '  rankdir=LR;'];
  const declare = (n: InteractionGraph['nodes'][number], indent: string): void => {
    lines.push(`${indent}${dotString(n.id)} [label=${dotString(`${KIND_LABEL[n.kind] ?? n.kind} ${n.label}`)}, shape=${DOT_SHAPES[n.kind] ?? 'box'}];`);
  };
  const groups = byUnit(graph);
  if (groups) {
    // clusters: Graphviz draws a box around each deployment unit
    groups.forEach(({ unit, nodes }, i) => {
      lines.push(`  subgraph cluster_${i + 1} {`, `    label=${dotString(unit.label)};`);
      for (const n of nodes) declare(n, '    ');
      lines.push('  }');
    });
    for (const n of graph.nodes) if (!n.unit) declare(n, '  ');
  } else {
    for (const n of graph.nodes) declare(n, '  ');
  }
  const seen = new Set<string>();
  for (const e of graph.edges) {
    const style = e.sync ? 'style=bold, penwidth=2' : 'style=dashed';
    const line = `  ${dotString(e.from)} -> ${dotString(e.to)} [label=${dotString(edgeLabel(e))}, ${style}];`;
    if (seen.has(line)) continue;
    seen.add(line);
    lines.push(line);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
