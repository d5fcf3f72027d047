/**
 * Analysis work grows linearly with the code: random mixes of the constructs the analyses walk
 * (loops, retry loops, try/catch, callbacks, promise chains, recursion, classes, ...), nested a
 * few levels and repeated side by side in one handler, and promise chains and other left-deep
 * chains of random lengths. Eight times the input may take at most about eight times the work:
 * the steps the code rules take (a count independent of the machine) and the CPU time of the
 * scan, compared with that of the smaller input measured in the same process.
 *
 * Scans run on the built engine (`dist/`), in a process of their own. The seed is fixed (printed;
 * override with REL4LINT_FUZZ_SEED) so a failure reproduces.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAINS, STATEMENT_WRAPPERS, chainFile, nestedFile, nestedStatements } from '../helpers/hostile-code.js';
import { describePair, measureFiles } from '../helpers/growth.js';
import { MAX_FINDINGS_PER_RULE_AND_FILE } from '../../src/engine/engine.js';

const SEED = process.env['REL4LINT_FUZZ_SEED'] ? Number(process.env['REL4LINT_FUZZ_SEED']) : 20_261_207;
/**
 * Linear growth makes eight times the input cost eight times the work; quadratic growth, 64
 * times. Times are bounded more loosely than steps: caches and garbage collection vary.
 */
const FACTOR = 8;
const MAX_STEP_RATIO = 10;
const MAX_TIME_RATIO = 20;

let dir: string;
beforeAll(() => {
  console.log(`linear-time seed: ${SEED} (set REL4LINT_FUZZ_SEED to change it)`);
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'rel4lint-linear-')));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** `async function` expressions nested in each other are refused before parsing (see parse.test.ts). */
const statementKinds = fc.constantFrom(...Object.keys(STATEMENT_WRAPPERS).filter((k) => k !== 'function-expression'));

/** `calls`: how many more synchronous Lambda calls the large input holds (each is reported). */
function expectLinear(what: string, small: string, large: string, name: string, calls: number): void {
  const [s, l] = measureFiles(dir, [
    { name: `${name}-small.ts`, text: small },
    { name: `${name}-large.ts`, text: large },
  ]);
  const message = describePair(what, s!, l!);
  // past the findings limit of one rule and file, one more finding counts the rest: the input still grew linearly
  expect(l!.messages.filter((m) => !/are left out \(at most [\d,]+ per rule and file\)$/.test(m)), message).toEqual([]);
  expect(l!.findings['no-sync-lambda-invoke'], message).toBe(Math.min(calls * s!.findings['no-sync-lambda-invoke']!, MAX_FINDINGS_PER_RULE_AND_FILE));
  expect(l!.steps, message).toBeLessThanOrEqual(MAX_STEP_RATIO * s!.steps + 1_000);
  expect(l!.cpuMs, message).toBeLessThanOrEqual(MAX_TIME_RATIO * s!.cpuMs);
}

describe('analysis work grows linearly', () => {
  it('with the number of nested constructs side by side in one function', { timeout: 600_000 }, async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(statementKinds, { minLength: 1, maxLength: 3 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 20, max: 40 }), async (kinds, depth, kilobytes) => {
        // large enough that the smaller input takes tens of milliseconds (a time measure, not noise)
        const copies = Math.ceil((kilobytes * 1024) / nestedStatements(kinds, depth).length);
        const what = `${copies} and ${copies * FACTOR} copies of [${kinds.join(', ')}] nested ${depth} deep`;
        expectLinear(what, nestedFile(kinds, depth, copies), nestedFile(kinds, depth, copies * FACTOR), `side-${run++}`, FACTOR);
      }),
      { seed: SEED, numRuns: 10 },
    );
  });

  it('with the length of promise chains and other left-deep chains', { timeout: 600_000 }, async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.keys(CHAINS)), fc.integer({ min: 15, max: 30 }), async (kind, kilobytes) => {
        const perLink = (chainFile(kind, 100).length - chainFile(kind, 0).length) / 100;
        const length = Math.ceil((kilobytes * 1024) / perLink);
        expectLinear(`${kind} chains of ${length} and ${length * FACTOR} links`, chainFile(kind, length), chainFile(kind, length * FACTOR), `chain-${run++}`, 1);
      }),
      { seed: SEED, numRuns: 8 },
    );
  });
});
