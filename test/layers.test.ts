/**
 * Imports run one way: from the front ends down to the ground vocabulary (docs/architecture.md).
 * A file may import its own folder and the layers below its own; no two files import each other,
 * directly or through others.
 */
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './helpers/fixtures.js';

const SRC = path.join(ROOT, 'src');

/** Folders of `src/` by layer, lowest first; folders on one line are peers that never import each other. */
const LAYERS: string[][] = [['ground'], ['code', 'iac'], ['cdk'], ['context'], ['rules'], ['engine', 'reporters'], ['api', 'eslint'], ['cli']];

const layerOf = new Map(LAYERS.flatMap((folders, i) => folders.map((f) => [f, i] as const)));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.ts$/.test(name) && !name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Relative module specifiers of a file: imports, re-exports and `import()` (worker and asset URLs are not imports). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"`;]*?from\s*['"](\.{1,2}\/[^'"]+)['"]/g)) out.push(m[1]!);
  for (const m of text.matchAll(/\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  for (const m of text.matchAll(/(?:^|\n)\s*import\s*['"](\.{1,2}\/[^'"]+)['"]/g)) out.push(m[1]!);
  return out.map((spec) => path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts'));
}

const folderOf = (file: string): string => path.relative(SRC, file).split(path.sep)[0]!;
const files = sources(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f).filter((t) => t.startsWith(SRC))]));

describe('layers', () => {
  it('places every folder of src/ in a layer', () => {
    const folders = new Set(files.map(folderOf));
    for (const folder of folders) expect(layerOf.has(folder), `src/${folder} has no layer`).toBe(true);
  });

  it('imports only the same folder or a lower layer', () => {
    const wrong: string[] = [];
    for (const [file, targets] of graph) {
      const from = folderOf(file);
      for (const target of targets) {
        const to = folderOf(target);
        if (to !== from && !(layerOf.get(to)! < layerOf.get(from)!)) wrong.push(`${path.relative(ROOT, file)} -> ${path.relative(ROOT, target)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('has no import circle', () => {
    // Tarjan's strongly connected components over the file graph
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const circles: string[][] = [];
    let next = 0;
    const visit = (v: string): void => {
      index.set(v, next);
      low.set(v, next++);
      stack.push(v);
      onStack.add(v);
      for (const w of graph.get(v) ?? []) {
        if (!graph.has(w)) continue;
        if (!index.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
      if (low.get(v) === index.get(v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          component.push(path.relative(ROOT, w));
        } while (w !== v);
        if (component.length > 1) circles.push(component.sort());
      }
    };
    for (const file of graph.keys()) if (!index.has(file)) visit(file);
    expect(circles).toEqual([]);
  });

  it('keeps the TypeScript compiler out of the ground vocabulary and the template model', () => {
    const typescript = /(?:from\s*|require\()['"]typescript['"]|\/code\/ts\.js['"]/;
    const offenders = files.filter((f) => ['ground', 'iac'].includes(folderOf(f)) && typescript.test(readFileSync(f, 'utf8')));
    expect(offenders.map((f) => path.relative(ROOT, f))).toEqual([]);
  });
});
