/** `--format graph`: the service interaction graph of the scan, as Mermaid (default) or DOT. */
import type { Reporter } from './findings.js';
import { toDot, toMermaid } from '../context/graph.js';
import { sanitizeName } from './codeframe.js';

export const graph: Reporter = (result, ctx) => {
  const raw = result.graph ?? { nodes: [], edges: [] };
  // names come from the scanned files: no control character, and no line break that would make a line of its own
  const g = {
    nodes: raw.nodes.map((n) => ({ ...n, id: sanitizeName(n.id), label: sanitizeName(n.label) })),
    edges: raw.edges.map((e) => ({ ...e, from: sanitizeName(e.from), to: sanitizeName(e.to), label: sanitizeName(e.label), file: sanitizeName(e.file) })),
  };
  return ctx.graphFormat === 'dot' ? toDot(g) : toMermaid(g);
};
