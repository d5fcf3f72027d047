import { describe, it, expect } from 'vitest';
import { parseCode } from '../../src/code/parse.js';
import { FileAnalysis } from '../../src/code/analysis.js';
import { ts } from '../../src/code/ts.js';
import { unstableValue } from '../../src/code/unstable-values.js';

/** The value of `const key = ...` (the last declaration named `key`), as the rules see it. */
function keyOf(lines: string[]) {
  const analysis = new FileAnalysis(parseCode('f.ts', lines.join('\n')));
  let init: ts.Expression | undefined;
  for (const st of analysis.sourceFile.statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name) && d.name.text === 'key') init = d.initializer;
  }
  const u = unstableValue(analysis, init);
  return u && { kind: u.kind, label: u.label };
}

describe('unstableValue', () => {
  it('recognises random generators by import source', () => {
    expect(keyOf(["import { randomUUID } from 'node:crypto';", 'const key = randomUUID();'])).toEqual({ kind: 'random', label: '`randomUUID()`' });
    expect(keyOf(["const { v4: uuidv4 } = require('uuid');", 'const key = `k-${uuidv4()}`;'])).toEqual({ kind: 'random', label: '`uuidv4()`' });
    expect(keyOf(["import * as uuid from 'uuid';", "const key = uuid.v4().replace(/-/g, '');"])?.kind).toBe('random');
    expect(keyOf(['const key = crypto.randomUUID();'])?.kind).toBe('random');
    expect(keyOf(['const key = Math.random().toString(36);'])?.kind).toBe('random');
  });

  it('recognises clock readings, through consts, concatenation and helpers', () => {
    expect(keyOf(['const key = Date.now();'])).toEqual({ kind: 'time', label: '`Date.now()`' });
    expect(keyOf(["const at = new Date().toISOString();", "const key = 'run-' + at;"])).toEqual({ kind: 'time', label: '`new Date()`' });
    expect(keyOf(['function stamp() { return process.hrtime.bigint(); }', 'const key = String(stamp());'])?.kind).toBe('time');
    expect(keyOf(['const key = Math.floor(performance.now());'])?.kind).toBe('time');
  });

  it('leaves stable values, shadowed globals and fallbacks alone', () => {
    expect(keyOf(['declare const event: { id: string; time: string };', 'const key = `${event.id}-${new Date(event.time).getTime()}`;'])).toBeUndefined();
    expect(keyOf(['const Date = { now: () => 1 };', 'const key = Date.now();'])).toBeUndefined();
    expect(keyOf(["import { randomUUID } from 'node:crypto';", 'declare const id: string | undefined;', 'const key = id ?? randomUUID();'])).toBeUndefined();
    expect(keyOf(["import { v4 } from 'my-ids';", 'const key = v4();'])).toBeUndefined();
  });
});
