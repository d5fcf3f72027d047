import type { ProjectReport, ProjectDetector } from '../rule.js';
import type { ProjectModel } from '../../context/project.js';
import type { GraphEdge } from '../../context/types.js';

/** Longest paths explored from one start; keeps pathological graphs cheap. */
const MAX_DEPTH = 16;
const MAX_VISITS = 20_000;

interface Chain {
  edges: GraphEdge[];
}

function syncAdjacency(model: ProjectModel): Map<string, GraphEdge[]> {
  const out = new Map<string, GraphEdge[]>();
  const seen = new Set<string>();
  for (const e of model.edges) {
    if (!e.sync) continue;
    // a chain stays inside one deployment: another unit's resource with the same name is not this one
    const from = model.unitOf(e.from);
    const to = model.unitOf(e.to);
    if (from && to && from !== to) continue;
    // one edge per pair and kind of call: two Invoke calls of the same function are one hop
    const key = `${e.from}\u0000${e.to}\u0000${e.via}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const list = out.get(e.from) ?? [];
    list.push(e);
    out.set(e.from, list);
  }
  return out;
}

/** Hops of a path: an HTTP call through an API to the function behind it is one hop. */
function hops(model: ProjectModel, edges: readonly GraphEdge[]): number {
  let n = edges.length;
  for (let i = 1; i < edges.length; i++) if (model.nodes.get(edges[i].from)?.kind === 'api' && edges[i - 1].via === 'code') n--;
  return n;
}

function label(model: ProjectModel, id: string): string {
  return model.nodes.get(id)?.label ?? id;
}

/** `CreateOrder API` for a SAM event's route, the API's own name when the route has no name of its own. */
function apiLabel(api: string, route: string): string {
  if (route !== api) return `${route} API`;
  return api.endsWith(' URL') ? api : `${api} API`;
}

/** `CreateOrder API → create-order → pricing (Invoke) → tax (Invoke)`. */
function describe(model: ProjectModel, edges: readonly GraphEdge[], cycle = false): string {
  const first = edges[0];
  const start = model.nodes.get(first.from);
  const parts = [start?.kind === 'api' && first.via === 'template' ? apiLabel(start.label, first.label) : label(model, first.from)];
  for (const e of edges) {
    const target = model.nodes.get(e.to);
    if (cycle && e === edges[edges.length - 1]) {
      parts.push(`${label(model, e.to)}${e.via === 'code' ? ` (${e.label})` : ''}`);
      continue;
    }
    parts.push(e.via === 'code' ? `${target?.label ?? e.to} (${e.label})` : target?.kind === 'api' ? `${target.label} API` : (target?.label ?? e.to));
  }
  return parts.join(' → ');
}

function hopLabel(model: ProjectModel, e: GraphEdge): string {
  const node = model.nodes.get(e.from);
  const from = node?.kind === 'api' && e.via === 'template' ? apiLabel(node.label, e.label) : label(model, e.from);
  return `synchronous hop: ${from} → ${label(model, e.to)}${e.via === 'code' ? ` (${e.label})` : ''}`;
}

function report(model: ProjectModel, edges: GraphEdge[], message: string): ProjectReport | undefined {
  const primary = edges.find((e) => e.via === 'code');
  if (!primary) return undefined;
  return {
    location: primary.location,
    message,
    related: [
      ...(primary.made ? [{ location: primary.made, label: `the ${primary.label} call, made by the helper this line calls` }] : []),
      ...edges.filter((e) => e !== primary).flatMap((e) => [
        { location: e.location, label: hopLabel(model, e) },
        ...(e.made ? [{ location: e.made, label: `the ${e.label} call of that hop, made by the helper called there` }] : []),
      ]),
    ],
  };
}

/** Longest simple path of synchronous edges from `start`. */
function longestFrom(model: ProjectModel, adjacency: Map<string, GraphEdge[]>, start: string): Chain {
  let best: GraphEdge[] = [];
  let bestHops = 0;
  let visits = 0;
  const onPath = new Set<string>([start]);
  const path: GraphEdge[] = [];
  const stack: { node: string; next: number }[] = [{ node: start, next: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const out = adjacency.get(top.node) ?? [];
    if (top.next >= out.length || path.length >= MAX_DEPTH || visits > MAX_VISITS) {
      const h = hops(model, path);
      if (h > bestHops) {
        best = [...path];
        bestHops = h;
      }
      stack.pop();
      onPath.delete(top.node);
      path.pop();
      continue;
    }
    const e = out[top.next++];
    if (onPath.has(e.to)) continue;
    visits++;
    onPath.add(e.to);
    path.push(e);
    stack.push({ node: e.to, next: 0 });
  }
  return { edges: best };
}

/** Strongly connected components with more than one node (Tarjan, iterative). */
function cycles(adjacency: Map<string, GraphEdge[]>, nodes: string[]): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  for (const root of nodes) {
    if (idx.has(root)) continue;
    const work: { node: string; next: number }[] = [{ node: root, next: 0 }];
    idx.set(root, index);
    low.set(root, index++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const top = work[work.length - 1];
      const edges = adjacency.get(top.node) ?? [];
      if (top.next < edges.length) {
        const to = edges[top.next++].to;
        if (!idx.has(to)) {
          idx.set(to, index);
          low.set(to, index++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, next: 0 });
        } else if (onStack.has(to)) {
          low.set(top.node, Math.min(low.get(top.node)!, idx.get(to)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!));
      }
      if (low.get(top.node) === idx.get(top.node)) {
        const component: string[] = [];
        let n: string;
        do {
          n = stack.pop()!;
          onStack.delete(n);
          component.push(n);
        } while (n !== top.node);
        // a function that invokes itself synchronously is a cycle of one
        if (component.length > 1 || (adjacency.get(top.node) ?? []).some((e) => e.to === top.node)) out.push(component);
      }
    }
  }
  return out;
}

/** One cycle inside a component, starting with a call made from code. */
function cycleIn(adjacency: Map<string, GraphEdge[]>, component: string[]): GraphEdge[] | undefined {
  const members = new Set(component);
  for (const start of component) {
    for (const first of (adjacency.get(start) ?? []).filter((e) => e.via === 'code' && members.has(e.to))) {
      // breadth-first back to start
      const prev = new Map<string, GraphEdge>();
      const queue = [first.to];
      const seen = new Set([first.to]);
      while (queue.length > 0) {
        const n = queue.shift()!;
        if (n === start) break;
        for (const e of adjacency.get(n) ?? []) {
          if (!members.has(e.to) || seen.has(e.to)) continue;
          seen.add(e.to);
          prev.set(e.to, e);
          queue.push(e.to);
        }
      }
      if (first.to !== start && !prev.has(start)) continue;
      const back: GraphEdge[] = [];
      for (let n = start; n !== first.to; n = prev.get(n)!.from) back.unshift(prev.get(n)!);
      return [first, ...back];
    }
  }
  return undefined;
}

const detector: ProjectDetector = {
  project({ project }) {
    const adjacency = syncAdjacency(project);
    const reports: ProjectReport[] = [];
    const incoming = new Set<string>();
    for (const list of adjacency.values()) for (const e of list) incoming.add(e.to);
    const reported = new Set<string>();
    for (const start of adjacency.keys()) {
      if (incoming.has(start)) continue;
      const chain = longestFrom(project, adjacency, start).edges;
      const n = hops(project, chain);
      if (n < 3) continue;
      const codeKey = chain
        .filter((e) => e.via === 'code')
        .map((e) => `${e.from}>${e.to}`)
        .join('|');
      if (!codeKey || reported.has(codeKey)) continue;
      reported.add(codeKey);
      const last = label(project, chain[chain.length - 1].to);
      const r = report(
        project,
        chain,
        `Synchronous chain of ${n} hops (${describe(project, chain)}): every caller waits for the whole chain, so the latencies add up and a slow or failing ${last} fails the request`,
      );
      if (r) reports.push(r);
    }
    for (const component of cycles(adjacency, [...adjacency.keys()])) {
      // start where the cycle is entered from outside (an API route calling into it), when it is
      const members = new Set(component);
      const entered = new Set<string>();
      for (const [from, list] of adjacency) for (const e of list) if (!members.has(from) && members.has(e.to)) entered.add(e.to);
      const ordered = [...component].sort((a, b) => Number(entered.has(b)) - Number(entered.has(a)) || (a < b ? -1 : a > b ? 1 : 0));
      const cycle = cycleIn(adjacency, ordered);
      if (!cycle) continue;
      const r = report(
        project,
        cycle,
        `Synchronous cycle (${describe(project, cycle, true)}): the functions wait on each other, so one slow call stalls the loop and a request can recurse until it times out or exhausts concurrency`,
      );
      if (r) reports.push(r);
    }
    return reports;
  },
};

export default detector;
