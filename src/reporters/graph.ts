/** `--format graph`: the service interaction graph of the scan, as Mermaid (default) or DOT. */
import type { Reporter } from './findings.js';
import { toDot, toMermaid } from '../context/graph.js';

export const graph: Reporter = (result, ctx) => {
  const g = result.graph ?? { nodes: [], edges: [] };
  return ctx.graphFormat === 'dot' ? toDot(g) : toMermaid(g);
};
