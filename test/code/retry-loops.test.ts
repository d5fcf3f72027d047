import { describe, it, expect } from 'vitest';
import { parseCode } from '../../src/code/parse.js';
import { FileAnalysis } from '../../src/code/analysis.js';
import { findCatchRecursions, findRetryLoops, findStatusRetryLoops, isRescheduled, recursionName } from '../../src/code/retry-loops.js';

function analyse(body: string): FileAnalysis {
  const header = "const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));\n";
  return new FileAnalysis(parseCode('f.ts', header + body));
}

describe('findRetryLoops', () => {
  it('classifies infinite, flag and conditional retry loops and whether they are capped', () => {
    const analysis = analyse(
      [
        'export async function a(url: string) { while (true) { try { return await fetch(url); } catch { await sleep(1); } } }',
        'export async function b(url: string) { let done = false; while (!done) { try { await fetch(url); done = true; } catch { await sleep(1); } } }',
        'export async function c(url: string) { for (let i = 0; i < 3; i++) { try { return await fetch(url); } catch { await sleep(1); } } }',
        'export async function d(url: string) { let n = 0; while (true) { try { return await fetch(url); } catch (e) { if (++n > 3) throw e; } } }',
        'export async function e(url: string) { let ok = false; let n = 0; while (!ok && n < 3) { try { await fetch(url); ok = true; } catch { n++; } } }',
      ].join('\n'),
    );
    const loops = findRetryLoops(analysis);
    expect(loops.map((l) => [l.shape, l.capped, l.retried[0].text])).toEqual([
      ['infinite', false, '`fetch(...)`'],
      ['flag', false, '`fetch(...)`'],
      ['conditional', true, '`fetch(...)`'],
      ['infinite', true, '`fetch(...)`'],
      ['conditional', true, '`fetch(...)`'],
    ]);
    // cached per analysis
    expect(findRetryLoops(analysis)).toBe(loops);
  });

  it('ignores per-item loops, loops whose catch gives up, and worker loops that never exit on success', () => {
    const analysis = analyse(
      [
        'export async function a(urls: string[]) { for (const u of urls) { try { await fetch(u); } catch (e) { console.log(e); } } }',
        'export async function b(url: string) { for (let i = 0; i < 3; i++) { try { return await fetch(url); } catch (e) { throw e; } } }',
        'export async function c(url: string) { while (true) { try { await fetch(url); } catch { await sleep(1); } } }',
        'export async function d() { for (let i = 0; i < 3; i++) { try { return JSON.parse("1"); } catch { await sleep(1); } } }',
      ].join('\n'),
    );
    expect(findRetryLoops(analysis)).toEqual([]);
  });
});

describe('findCatchRecursions', () => {
  it('finds self calls from a catch block and from a .catch handler, with their cap', () => {
    const analysis = analyse(
      [
        'export async function a(url: string): Promise<unknown> { try { return await fetch(url); } catch { return a(url); } }',
        'export async function b(url: string, n = 3): Promise<unknown> { try { return await fetch(url); } catch (e) { if (n <= 0) throw e; return b(url, n - 1); } }',
        'export function c(url: string): Promise<unknown> { return fetch(url).catch(() => { setTimeout(() => c(url), 1000); }); }',
      ].join('\n'),
    );
    const found = findCatchRecursions(analysis);
    expect(found.map((r) => [recursionName(r), r.where, r.capped, r.decided])).toEqual([
      ['a', 'its catch block', false, false],
      ['b', 'its catch block', true, false],
      ['c', 'its `.catch` handler', false, false],
    ]);
    expect(found.map((r) => isRescheduled(r))).toEqual([false, false, false]);
  });
});

describe('findStatusRetryLoops', () => {
  it('finds loops that repeat the same request until it succeeds, not pagination or polling', () => {
    const analysis = analyse(
      [
        'export async function a(url: string) { for (let i = 0; i < 3; i++) { const r = await fetch(url); if (r.ok) return r; await sleep(1); } }',
        'export async function b(url: string) { for (let p = 0; p < 3; p++) { const r = await fetch(url + p); if (r.ok) return r; } }',
        "export async function c(url: string) { for (let i = 0; i < 3; i++) { const r = await fetch(url); const b = await r.json(); if (b.state === 'DONE') return b; } }",
        'export async function d(url: string) { while (true) { const r = await fetch(url); if (r.status === 200) break; } }',
      ].join('\n'),
    );
    expect(findStatusRetryLoops(analysis).map((l) => l.retried.label)).toEqual(['fetch(...)', 'fetch(...)']);
  });
});
