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

  it('recognises date libraries and generator factories', () => {
    expect(keyOf(["import moment from 'moment';", "const key = moment().format('YYYYMMDD');"])).toEqual({ kind: 'time', label: '`moment()`' });
    expect(keyOf(["import dayjs from 'dayjs';", 'const key = dayjs().valueOf();'])?.kind).toBe('time');
    expect(keyOf(["import { DateTime } from 'luxon';", 'const key = DateTime.utc().toISO();'])).toEqual({ kind: 'time', label: '`DateTime.utc()`' });
    expect(keyOf(["import { format } from 'date-fns';", "const key = format(new Date(), 'yyyy');"])?.kind).toBe('time');
    expect(keyOf(["const { customAlphabet } = require('nanoid');", "const id = customAlphabet('abc', 8);", 'const key = id();'])?.kind).toBe('random');
    expect(keyOf(["import { monotonicFactory } from 'ulid';", 'const ulid = monotonicFactory();', 'const key = ulid();'])?.kind).toBe('random');
    expect(keyOf(["import short from 'short-uuid';", 'const key = short().generate();'])?.kind).toBe('random');
    expect(keyOf(["const uuidv4 = require('uuid/v4');", 'const key = uuidv4();'])?.kind).toBe('random');
    expect(keyOf(['const key = String(crypto.getRandomValues(new Uint32Array(1)));'])?.kind).toBe('random');
  });

  it('follows helpers with parameters and properties set on an object', () => {
    expect(keyOf(["import { nanoid } from 'nanoid';", 'const named = (p: string) => `${p}-${nanoid()}`;', "const key = named('run');"])?.kind).toBe('random');
    expect(keyOf(['const named = (p: string, t: number) => `${p}-${t}`;', "const key = named('run', Date.now());"])?.kind).toBe('time');
    expect(keyOf(['const named = (p: string, t: number) => p;', "const key = named('run', Date.now());"])).toBeUndefined();
    expect(keyOf(["import { v4 } from 'uuid';", 'declare const event: { id?: string };', 'event.id = v4();', 'const key = event.id;'])?.kind).toBe('random');
    expect(keyOf(["import { v4 } from 'uuid';", 'const params = { name: v4() };', 'const key = params.name;'])?.kind).toBe('random');
    expect(keyOf(["import moment from 'moment';", 'declare const event: { time: string };', 'const key = moment(event.time).format();'])).toBeUndefined();
    // a parameter: what the callers of the same file pass
    expect(keyOf(["import { v4 } from 'uuid';", 'function put(key: string) { return key; }', 'put(`raw/${v4()}`);', "const key = put('x');"])).toBeUndefined();
  });

  it('follows a parameter to what same-file callers pass', () => {
    const analysis = new FileAnalysis(parseCode('f.ts', ["import { v4 } from 'uuid';", 'async function write(lines: string[], key: string) { return key; }', 'write([], `raw/${v4()}.gz`);'].join('\n')));
    const fn = analysis.functions.find((f) => ts.isFunctionDeclaration(f) && f.name?.text === 'write')!;
    const key = fn.parameters[1].name as ts.Identifier;
    expect(unstableValue(analysis, key)?.kind).toBe('random');
    expect(unstableValue(analysis, fn.parameters[0].name as ts.Identifier)).toBeUndefined();
  });

  it('leaves stable values, shadowed globals and fallbacks alone', () => {
    expect(keyOf(['declare const event: { id: string; time: string };', 'const key = `${event.id}-${new Date(event.time).getTime()}`;'])).toBeUndefined();
    expect(keyOf(['const Date = { now: () => 1 };', 'const key = Date.now();'])).toBeUndefined();
    expect(keyOf(["import { randomUUID } from 'node:crypto';", 'declare const id: string | undefined;', 'const key = id ?? randomUUID();'])).toBeUndefined();
    expect(keyOf(["import { v4 } from 'my-ids';", 'const key = v4();'])).toBeUndefined();
  });
});
