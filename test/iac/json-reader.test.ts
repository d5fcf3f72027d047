/**
 * Differential tests of the single-pass JSON reader (`readJson`) against the `jsonc-parser`
 * loader (`loadJsonWithParser`): for every text the reader accepts, both give the same document,
 * the same range and key range for every logical path, and the same problems. Inputs: the JSON
 * files under fixtures/ and examples/, hand-picked cases, random JSON values in random layouts,
 * and random edits of the fixtures (mostly invalid JSON, which the reader leaves to the parser).
 *
 * The seed is fixed (printed; override with REL4LINT_FUZZ_SEED) so a failure reproduces.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { Intrinsic, type IacValue } from '../../src/iac/model.js';
import { readJson } from '../../src/iac/json-reader.js';
import { loadJson, loadJsonWithParser } from '../../src/iac/json.js';
import type { LoadedDocument, SourceNode } from '../../src/iac/document.js';

const SEED = process.env['REL4LINT_FUZZ_SEED'] ? Number(process.env['REL4LINT_FUZZ_SEED']) : 20_261_207;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

beforeAll(() => console.log(`json reader fuzz seed: ${SEED} (set REL4LINT_FUZZ_SEED to change it)`));

function canonicalValue(v: IacValue | undefined): unknown {
  if (v instanceof Intrinsic) return { intrinsic: v.name, argument: canonicalValue(v.argument) };
  if (Array.isArray(v)) return { list: v.map(canonicalValue) };
  if (typeof v === 'number') return { number: Object.is(v, -0) ? '-0' : String(v) };
  if (v && typeof v === 'object') return { map: Object.keys(v).map((k) => [k, canonicalValue((v as Record<string, IacValue>)[k])]) };
  return v;
}

function canonicalSource(s: SourceNode | undefined): unknown {
  if (!s) return s;
  return {
    props: Object.keys(s),
    at: [s.start, s.end, s.keyStart, s.keyEnd],
    entries: s.entries && [...s.entries].map(([k, c]) => [k, canonicalSource(c)]),
    items: s.items?.map(canonicalSource),
  };
}

function canonical(doc: LoadedDocument): unknown {
  return { value: canonicalValue(doc.value), source: canonicalSource(doc.source), problems: doc.problems };
}

function compare(text: string): LoadedDocument | undefined {
  const fast = readJson(text, 200);
  if (fast) expect(canonical(fast), JSON.stringify(text)).toEqual(canonical(loadJsonWithParser(text)));
  return fast;
}

function jsonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') out.push(...jsonFiles(full));
    } else if (entry.name.endsWith('.json')) {
      out.push(full);
    }
  }
  return out.sort();
}

const TEXTS = [...jsonFiles(path.join(ROOT, 'fixtures')), ...jsonFiles(path.join(ROOT, 'examples'))].map((f) => fs.readFileSync(f, 'utf8'));

describe('readJson', () => {
  it('reads the JSON files of fixtures/ and examples/ as jsonc-parser does', () => {
    expect(TEXTS.length).toBeGreaterThan(10);
    let read = 0;
    for (const text of TEXTS) if (compare(text)) read++;
    expect(read).toBeGreaterThan(TEXTS.length * 0.8);
    for (const text of TEXTS) expect(canonical(loadJson(text))).toEqual(canonical(loadJsonWithParser(text)));
  });

  const fast = [
    '{"a": 1, "b": [true, false, null, -0, 1.5e3, 0.25, -12E-2], "c": "x\\n\\u00e9\\ud83d\\ude00\\"", "d": {}}',
    '\uFEFF{"Resources": {"Q": {"Type": "AWS::SQS::Queue"}}}',
    '{"a": {"Ref": "Q"}, "b": {"Fn::GetAtt": "Q.Arn"}, "c": {"Fn::GetAtt": ["Q", "Arn"]}, "d": {"Ref": 1}}',
    '{"a": 1, "a": 2, "__proto__": {"x": 1}}',
    ' [1, "two", [3]] ',
    '"just a string"',
    '{\r\n\t"a": [\r\n\t\t1\r\n\t]\r\n}\r\n',
  ];
  for (const text of fast) {
    it(`reads ${JSON.stringify(text).slice(0, 60)}`, () => {
      expect(compare(text)).toBeDefined();
    });
  }

  const slow = ['', '{"a": 1,}', '{"a": 1} // c', '{"a": 01}', '{"a": 1.}', '{"a": "\\q"}', '{"a": "x\ty"}', '{a: 1}', '[1 2]', '{"a": tru}', '\u00a0{}', '[1]]', `${'['.repeat(201)}${']'.repeat(201)}`];
  for (const text of slow) {
    it(`leaves ${JSON.stringify(text).slice(0, 40)} to jsonc-parser`, () => {
      expect(readJson(text, 200)).toBeUndefined();
      expect(canonical(loadJson(text))).toEqual(canonical(loadJsonWithParser(text)));
    });
  }

  it('agrees on random JSON values in random layouts', () => {
    const layout = fc.constantFrom<[number | string | undefined, boolean]>([undefined, false], [2, false], ['\t', true], [1, true]);
    fc.assert(
      fc.property(fc.jsonValue(), layout, (value, [indent, crlf]) => {
        let text = JSON.stringify(value, null, indent);
        if (crlf) text = text.replace(/\n/g, '\r\n');
        expect(compare(text)).toBeDefined();
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('agrees whenever it reads an edited fixture', () => {
    const edits = [' ', '\n', ',', ':', '"', '[', ']', '{', '}', '\\', '0', '-', '.', 'e', 'true', '//', '\t', '\u00a0'];
    const sources = TEXTS.filter((t) => t.length < 20_000);
    fc.assert(
      fc.property(
        fc.nat(sources.length - 1),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(edits.length - 1), fc.nat(2)), { minLength: 1, maxLength: 3 }),
        (index, list) => {
          let text = sources[index]!;
          for (const [where, what, remove] of list) {
            const at = Math.floor(where * text.length);
            text = text.slice(0, at) + edits[what]! + text.slice(at + remove);
          }
          compare(text);
        },
      ),
      { seed: SEED, numRuns: 2000 },
    );
  });
});
