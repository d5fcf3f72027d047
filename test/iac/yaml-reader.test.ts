/**
 * Differential tests of the single-pass YAML reader (`readYaml`) against the loader built on the
 * `yaml` package (`loadYamlWithLibrary`): for every input the reader accepts, both must give the
 * same document (values, intrinsics, key order), the same source range and key range for every
 * logical path, and the same problems. Inputs: every YAML file under fixtures/ and examples/,
 * hand-picked constructs, random templates written in many YAML styles, and random edits of the
 * fixtures (mostly invalid YAML, which the reader must leave to the library).
 *
 * The seed is fixed (printed; override with REL4LINT_FUZZ_SEED) so a failure reproduces.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { Intrinsic, type IacValue } from '../../src/iac/model.js';
import { readYaml } from '../../src/iac/yaml-reader.js';
import { loadYaml, loadYamlWithLibrary } from '../../src/iac/yaml.js';
import { type LoadedDocument, type SourceNode } from '../../src/iac/document.js';

const SEED = process.env['REL4LINT_FUZZ_SEED'] ? Number(process.env['REL4LINT_FUZZ_SEED']) : 20_261_207;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

beforeAll(() => console.log(`yaml reader fuzz seed: ${SEED} (set REL4LINT_FUZZ_SEED to change it)`));

/** Values with key order and number identity made explicit (toEqual ignores both). */
function canonicalValue(v: IacValue | undefined): unknown {
  if (v instanceof Intrinsic) return { intrinsic: v.name, argument: canonicalValue(v.argument) };
  if (Array.isArray(v)) return { list: v.map(canonicalValue) };
  if (typeof v === 'number') return { number: Object.is(v, -0) ? '-0' : String(v) };
  if (v && typeof v === 'object') return { map: Object.keys(v).map((k) => [k, canonicalValue((v as Record<string, IacValue>)[k])]) };
  return v;
}

/** Every position of a source tree, with the node's own property names (shape) and key order. */
function canonicalSource(s: SourceNode | undefined): unknown {
  if (!s) return s;
  return {
    props: Object.keys(s),
    at: [s.start, s.end, s.keyStart, s.keyEnd, s.synthetic],
    entries: s.entries && [...s.entries].map(([k, c]) => [k, canonicalSource(c)]),
    items: s.items?.map(canonicalSource),
  };
}

function canonical(doc: LoadedDocument): unknown {
  return { value: canonicalValue(doc.value), source: canonicalSource(doc.source), problems: doc.problems };
}

/** The reader's result for `text` (undefined when it leaves the text to the library), checked against the library's. */
function compare(text: string): LoadedDocument | undefined {
  const fast = readYaml(text, 200);
  if (fast) expect(canonical(fast), JSON.stringify(text)).toEqual(canonical(loadYamlWithLibrary(text)));
  return fast;
}

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') out.push(...yamlFiles(full));
    } else if (/\.ya?ml$/i.test(entry.name) || (/\.template$/i.test(entry.name) && !/^\s*\{/.test(fs.readFileSync(full, 'utf8')))) {
      // a .template file in JSON is read as JSON, not YAML
      out.push(full);
    }
  }
  return out.sort();
}

const FILES = [...yamlFiles(path.join(ROOT, 'fixtures')), ...yamlFiles(path.join(ROOT, 'examples'))];
const TEXTS = FILES.map((f) => fs.readFileSync(f, 'utf8'));

describe('readYaml: the YAML files of fixtures/ and examples/', () => {
  it('reads them as the library-based loader does', () => {
    expect(FILES.length).toBeGreaterThan(50);
    const slow: string[] = [];
    FILES.forEach((file, i) => {
      if (!compare(TEXTS[i]!)) slow.push(path.relative(ROOT, file));
    });
    // only files the reader is meant to leave to the library: invalid YAML, aliases, a tag
    // followed by a comment with its value on the next lines
    expect(slow).toEqual([
      'fixtures/no-synchronized-schedule/defaults.yaml',
      'fixtures/parse-error/alias-bomb.yaml',
      'fixtures/parse-error/broken.yaml',
      'fixtures/require-queue-dlq/under-indented-flow.yaml',
    ]);
  });

  it('loadYaml gives the library result for every file, read fast or not', () => {
    for (const text of TEXTS) expect(canonical(loadYaml(text))).toEqual(canonical(loadYamlWithLibrary(text)));
  });
});

describe('readYaml: constructs', () => {
  // Each snippet is read by the reader (not left to the library) and matches the library.
  const fast: [string, string][] = [
    ['plain, quoted and typed scalars', 'w: E3006\nx: e5\na: 1\nb: "x\\ty\\u00e9"\nc: \'it\'\'s\'\nd: yes\ne: 0777\nf: 1:30\ng: ~\nh: 2010-09-09\ni: -.5\nj: 0x1F\nk: .inf\nl: 1e3\nm: y\n'],
    ['keys kept as written', 'n: 1\n200: ok\ntrue: x\n"quoted key": 2\n\'single\': 3\na b: 4\nx:y: 5\n__proto__: {polluted: true}\n'],
    ['duplicate keys, last value wins', 'a: 1\nb:\n  c: 1\n  c: 2\na: 3\n'],
    ['short-form intrinsics', 'a: !Ref Queue\nb: !GetAtt Queue.Arn\nc: !Sub "${A}-x"\nd: !If [C, 1, !Ref AWS::NoValue]\ne: !GetAtt\n  - Q\n  - Arn\nf: !Transform\n  Name: AWS::Include\ng: !Base64 |\n  #!/bin/bash\n  echo\nh: !Join ["", [a, !Ref B]]\ni: !GetAtt [Q, Arn]\n'],
    ['long-form intrinsics', 'a: {Ref: Queue}\nb:\n  Fn::GetAtt: Queue.Arn\nc: {"Fn::Sub": "${X}"}\nd: {Condition: {StringEquals: {k: v}}}\n'],
    ['comments and blank lines after values', 'a:\n  b: 1\n      # deeper\n\n      # deeper again\n  # at the mapping\n    # deeper after it\nc: 2\n'],
    ['comments closing nested collections', 'a:\n  b:\n    c: 1\n    # at c\n  d: 2\n  e:\n    - x\n      # deeper\n    # at the list\n# at the root\nf: [1]  # trailing\n        # deeper\n'],
    ['compact sequences in mappings', 'a:\n- x\n- y: 1\n  z: 2\n  # at z\nb:\n- - nested\n  - list\n'],
    ['empty values', 'a:\nb:\n  c:\n  d:   \ne:\n  -\n  - x\n  -\nf:'],
    ['multi-line plain and quoted scalars', 'a: first\n  second\n\n  third\nb: "one\n  two\\\n  three\n\n  four  "\nc: \'x\n  y\'\nd:\n  on its own line\n   and the next\n'],
    ['block scalars', 'a: |\n  x\n   y\n\n\nb: >\n  folded\n  text\n\n   more\n  back\nc: |-\n  strip\n\nd: |+\n  keep\n\n\ne: >-\n  x\nf: |\n\n\ng: |\n  x\n   \n  \nh: 1\n'],
    ['flow collections', 'a: [1, "two", \'three\', [4, {five: 5}], ]\nb: {x: 1, "y": [2, 3], z: !Ref Q,}\nc: [a,\n  b,\n  c\n]\nd: {"k":"v"}\ne: []\nf: {}\ng: [a b, c:d, "e"]\n'],
    ['document start, CRLF line ends', '---\r\nResources:\r\n  Queue:\r\n    Type: AWS::SQS::Queue\r\n    Desc: |\r\n      x\r\n\r\n    V: "a\r\n      b"\r\n'],
    ['byte-order mark', '\uFEFFResources:\n  Queue:\n    Type: AWS::SQS::Queue\n'],
    ['empty values followed by comments', 'a:   # c\nb: 1\nc:\n# at the root\nd:\n\n# after a blank line\ne:\n  # deeper\n\nf:\n  g:\n  # c\nh:\n  - x\n  # c\n  -\n    # c\n  -\ni: 2\n'],
    ['tags at the start of a line, after a line break, and empty', 'a:\n  !Sub |\n    x\nb: !Sub\n  |\n    y\nc: !Sub\n- x\n- y\nd: !GetAZs\ne: !If\n  [C, 1, 2]\nf:\n  - !Ref\n  - !GetAtt\n    Q.Arn\ng: !Select [0, !GetAZs ]\n'],
    ['plain scalars starting with indicators', 'a: ::/0\nb: ?x\nc: -1\nd: [-1, -x]\n'],
    ['tags alone on their own line', 'a:\n  !If\n  - x\nb:\n  Fn::Base64:\n    !Sub\n    - |\n      echo ${X}\n    - X: !Ref Y\nc:\n  !Ref\nd:\n  - !Sub\n    text\n  -\n    !Ref\n  -\n    !GetAtt\n    [A, B]\n'],
    ['pairs in flow sequences', 'a: !Sub ["${A}-${B}", A: !Ref X, "B": !Select [0, [y]]]\nb: [Ref: Q, k: v]\n'],
    // flow collections continued on lines indented too little: CloudFormation accepts them, and
    // the library reads them re-indented (the lenient retry)
    ['under-indented flow continuation', 'a:\n  b: [1,\n  2]\n'],
    ['flow collections closed too far left', 'a:\n  b: [{\n   "x": 1\n  }]\n'],
    ['a flow mapping continued at its key\'s column', 'R:\n  S: {"$schema": "x",\n  "title": "T",\n  "p": {\n      "to": {"type": "array"}\n  },\n  "required": ["to", "from"] }\n  N: 1\n'],
    ['under-indented lines of a flow sequence in a sequence item', 'a:\n  - k: [x,\n    y, !Ref Q,\n  "z w"]\n    m: 2\n  - [1,\n  2]\n'],
  ];
  for (const [name, text] of fast) {
    it(name, () => {
      expect(compare(text), 'read by the reader').toBeDefined();
    });
  }

  // Left to the library: it reports an error, or the reader does not implement the construct.
  const slow: [string, string][] = [
    ['anchors and aliases', 'a: &x 1\nb: *x\n'],
    ['merge keys', 'a: {x: 1}\nb:\n  <<: {y: 2}\n'],
    ['other tags', 'a: !!str 1\n'],
    ['unknown short tags', 'a: !Reff X\n'],
    ['tabs', 'a:\n\tb: 1\n'],
    ['several documents', 'a: 1\n---\nb: 2\n'],
    ['a key without a value', 'a: 1\nb\n'],
    ['nested mapping on one line', 'a: b: c\n'],
    ['wrong indentation', 'a:\n    b: 1\n  c: 2\n'],
    ['a tag search that could find the tag in a comment', 'a: !If # note !If\n  - x\n'],
    ['a value after a blank line and a column-0 comment (read with a lowered indent)', 'G:\n\n# c\n  text\nR:\n'],
    ['a value after a comment without a space', 'G:\n#c\n  text\n'],
    ['a directive', '%YAML 1.2\n---\na: 1\n'],
    ['a root sequence', '- a\n'],
    ['an empty document', '# only a comment\n'],
    ['an invalid escape', 'a: "\\q"\n'],
    ['a comment without a space', 'a: "x"#c\n'],
    ['an explicit indentation indicator', 'a: |2\n   x\n'],
    ['an unterminated quote', 'a: "x\n'],
    ['under-indented multi-line scalars in a flow collection', 'a:\n  b: {x: "one\n  two", y: plain\n  words}\nc: 1\n'],
    ['an under-indented flow continuation in a text with an error', 'a:\n  b: [1,\n  2]\nc: d: e\n'],
    ['a lone carriage return', 'a: 1\rb: 2\n'],
  ];
  for (const [name, text] of slow) {
    it(`${name}: left to the library`, () => {
      expect(readYaml(text, 200)).toBeUndefined();
      expect(canonical(loadYaml(text))).toEqual(canonical(loadYamlWithLibrary(text)));
    });
  }

  it('leaves nesting deeper than the limit to the library (which reports it)', () => {
    const text = `a: ${'['.repeat(30)}${']'.repeat(30)}\n`;
    expect(compare(text)).toBeDefined();
    expect(readYaml(text, 20)).toBeUndefined();
    expect(loadYaml(text, { maxDepth: 20 }).problems[0]!.message).toMatch(/deeper than 20/);
  });
});

// ---------------------------------------------------------------------------------------------
// Random templates in random YAML styles

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYS = ['Type', 'Properties', 'Ref', 'Fn::GetAtt', 'Condition', 'Queue', 'a b', 'x:y', '200', 'true', 'n', '__proto__', 'Fn::Sub', '<<', 'k-1', 'Ünï'];
const PLAIN = ['AWS::SQS::Queue', 'index.handler', '30', '-1', '0777', '0x1F', '1_000', '1.5', '.inf', '.NaN', '1e3', '1:30', 'yes', 'No', 'ON', 'off', 'y', 'n', 'true', 'False', 'null', '~', '2010-09-09', 'arn:aws:s3:::b/*', 'a b', 'x#y', 'Ünï', '-x', 'a:b', 'rate(5 minutes)', '${AWS::Region}', 'it\'s', 'say "hi"', 'E3006', 'e5', '.5e-3', '+.inf', '0b101', '-0', '190:20:30.15', 'NULL', 'Off'];
const RISKY = ['a: b', 'x #y', '- x', '? y', ': z', '[a]', '{b}', 'a,b', '@x', '`x', '%x', '!x', '&x', '*x', '|x', '>x', '#x', "'x", '"x', 'a\tb', ''];
const TAGS = ['!Ref', '!GetAtt', '!Sub', '!If', '!Join', '!Select', '!Base64', '!Reff', '!!str'];

/** A random YAML text shaped like a template, in random styles, sometimes with mistakes. */
function randomYaml(seed: number): string {
  const rnd = random(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const chance = (p: number) => rnd() < p;
  const step = 1 + Math.floor(rnd() * 4);
  const lines: string[] = [];
  const pad = (n: number) => ' '.repeat(Math.max(0, n));

  const trivia = (indent: number): void => {
    while (chance(0.15)) {
      const r = rnd();
      if (r < 0.4) lines.push(chance(0.3) ? pad(Math.floor(rnd() * 4)) : '');
      else lines.push(`${pad(indent + Math.floor(rnd() * 7) - 3)}#${chance(0.7) ? ' ' : ''}${pick(KEYS)}`);
    }
  };
  const trailing = (): string => (chance(0.15) ? `${pad(1 + Math.floor(rnd() * 2))}# c` : chance(0.05) ? ' ' : '');
  const key = (): string => {
    const k = pick(KEYS);
    const r = rnd();
    if (r < 0.1) return JSON.stringify(k);
    if (r < 0.15) return `'${k}'`;
    if (r < 0.17) return pick(RISKY);
    return k;
  };
  const scalar = (indent: number): string => {
    const r = rnd();
    const s = chance(0.05) ? pick(RISKY) : pick(PLAIN);
    if (r < 0.55) return s;
    if (r < 0.65) return JSON.stringify(s);
    if (r < 0.72) return `'${s.replace(/'/g, "''")}'`;
    if (r < 0.78) return `"${s}\\n\\x41\\u00e9${chance(0.1) ? '\\q' : ''}"`;
    if (r < 0.84) {
      // multi-line plain or quoted, continuation indented by a random amount
      const q = pick(['', '"', "'"]);
      const cont = pad(indent + Math.floor(rnd() * 4) - (chance(0.1) ? 2 : 0));
      return `${q}${s} first\n${chance(0.3) ? '\n' : ''}${cont}second${chance(0.2) ? '  ' : ''}${q}`;
    }
    if (r < 0.92) {
      const header = pick(['|', '>', '|-', '>-', '|+', '>+', '|2']);
      const body = pad(indent + 1 + Math.floor(rnd() * 3));
      const more = chance(0.3) ? `\n${body}  indented` : '';
      const blank = chance(0.4) ? `\n${chance(0.5) ? body + '  ' : ''}` : '';
      return `${header}${chance(0.1) ? ' # h' : ''}\n${body}line one\n${chance(0.3) ? '\n' : ''}${body}line two${more}${blank}`;
    }
    return pick(['[]', '{}', '[a, 1, "b"]', '{k: v, "q": 2}', '[a,\n' + pad(indent + 1) + 'b]', '{x: [1, {y: z}]}', '[!Ref X, !GetAtt A.B]', '[0, !GetAZs ]', '[a: 1, "b": [2], c:d, Ref: x]', '[::/0, -1, ?x]', '[a,\n' + pad(indent) + ']']);
  };
  const value = (indent: number, depth: number): { inline?: string; block?: () => void } => {
    const r = rnd();
    if (depth > 3 || r < 0.45) {
      const tag = chance(0.15) ? `${pick(TAGS)} ` : '';
      if (tag && chance(0.2)) return { inline: tag.trim() }; // an empty tagged value
      if (tag && chance(0.2)) {
        // the tagged scalar on the next line
        const own = pad(indent + 1 + Math.floor(rnd() * 3));
        return { inline: `${tag.trim()}\n${own}${scalar(indent + 1)}` };
      }
      if (chance(0.05)) return { inline: `\n${pad(indent + 1 + Math.floor(rnd() * 3))}${tag}${scalar(indent + 1)}` };
      if (tag && chance(0.1)) {
        // a tag alone on its own line, then the node (or nothing) on the next
        const own = pad(indent + 1 + Math.floor(rnd() * 2));
        return { inline: `\n${own}${tag.trim()}${chance(0.7) ? `\n${own}${chance(0.5) ? '- ' : ''}${scalar(indent + 1)}` : ''}` };
      }
      return { inline: tag + scalar(indent) };
    }
    if (r < 0.5) return { inline: '' };
    const tag = chance(0.1) ? pick(TAGS) : '';
    if (r < 0.75) return { inline: tag || undefined, block: () => mapping(indent + step, depth + 1) };
    return { inline: tag || undefined, block: () => sequence(indent + (chance(0.2) ? 0 : step), depth + 1) };
  };
  const entry = (prefix: string, indent: number, depth: number): void => {
    const v = value(indent, depth);
    const head = v.inline === undefined || v.inline === '' ? prefix : `${prefix} ${v.inline}`;
    lines.push(head + trailing());
    if (v.block) v.block();
    trivia(indent);
  };
  const mapping = (indent: number, depth: number): void => {
    const n = 1 + Math.floor(rnd() * 4);
    for (let i = 0; i < n; i++) {
      const off = chance(0.02) ? 1 : 0;
      entry(`${pad(indent + off)}${key()}:`, indent, depth);
    }
  };
  const sequence = (indent: number, depth: number): void => {
    const n = 1 + Math.floor(rnd() * 3);
    for (let i = 0; i < n; i++) {
      if (chance(0.3)) {
        // a compact mapping in the item
        const inner = indent + 2;
        lines.push(`${pad(indent)}- ${key()}: ${scalar(inner)}`);
        if (chance(0.5)) lines.push(`${pad(inner)}${key()}: ${scalar(inner)}`);
        trivia(indent);
      } else {
        entry(`${pad(indent)}-`, indent, depth);
      }
    }
  };
  if (chance(0.1)) lines.push('---');
  trivia(0);
  mapping(0, 0);
  let text = lines.join('\n') + (chance(0.8) ? '\n' : '');
  if (chance(0.1)) text = text.replace(/\n/g, '\r\n');
  if (chance(0.05)) text = `\uFEFF${text}`;
  return text;
}

describe('readYaml: random templates', () => {
  it('agrees with the library on every text it reads, and reads most of them', () => {
    let read = 0;
    let runs = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        runs++;
        if (compare(randomYaml(seed))) read++;
      }),
      { seed: SEED, numRuns: 1500 },
    );
    // the reader must actually be exercised: most generated texts are valid YAML it reads
    expect(read / runs).toBeGreaterThan(0.3);
  });
});

describe('readYaml: plain scalars of every YAML 1.1 type', () => {
  // the value of an unquoted scalar without the library: null, booleans, integers in every
  // base, floats, sexagesimal numbers, and the strings that look like them
  const PICKED = [
    '~', 'null', 'Null', 'NULL', 'nULL', 'nul', 'y', 'Y', 'n', 'N', 'yes', 'Yes', 'YES', 'yEs', 'no', 'No', 'on', 'On', 'ON', 'oN', 'off', 'Off', 'OFF',
    'true', 'True', 'TRUE', 'tRUE', 'false', 'False', 'FALSE', 'truthy', '0', '-0', '+0', '00', '007', '017', '-0_17', '08', '019', '0o7', '0b101', '-0b11', '0b', '0b_',
    '0b2', '0x', '0x_', '0xFF', '-0x1f', '+0xA_B', '0xG', '1_000', '1__', '-_1', '1e3', '1E3', '1e+3', '1e-3', '1.5e3', '.5e3', '1.e3', 'e5', 'E3006', '-e5',
    '1e', '1.5', '-1.5', '1.', '.5', '.', '-.', '+.', '1_0.0_1', '0.10', '3.14159', '.inf', '.Inf', '.INF', '+.inf', '-.inf', '-.Inf', '.iNF', '.nan', '.NaN',
    '.NAN', '+.nan', '1:30', '-1:30', '+1:30', '1:30.5', '1:30.', '190:20:30', '1:60', '1:5', '1:05:59', '1_0:3_0', '2010-09-09', '2010-09-09T10:00:00Z',
    '10.0.0.0/16', '1.2.3', '12345678901234567890', '9007199254740993', '0.1', '1_', 'eu-west-1', 'nodejs20.x', 'on-demand', 'tcp', 'Off-peak', '+', '-1-2',
  ];
  const ALPHABET = '0123456789_.:+-eExXbBoOfFaAnNuUlLtTrRsSyY~';

  it('reads each as the library does', () => {
    const unread: string[] = [];
    for (const scalar of PICKED) if (!compare(`Value: ${scalar}\nList: [${scalar}]\n`)) unread.push(scalar);
    expect(unread).toEqual([]);
  });

  it('reads random scalars made of the characters of numbers and keywords as the library does', () => {
    let read = 0;
    let runs = 0;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...ALPHABET), { minLength: 1, maxLength: 12 }), (chars) => {
        runs++;
        if (compare(`Value: ${chars.join('')}\n`)) read++;
      }),
      { seed: SEED, numRuns: 5000 },
    );
    expect(read / runs).toBeGreaterThan(0.8);
  });
});

describe('readYaml: random edits of the fixtures', () => {
  const EDITS = [' ', '  ', '\n', '\r\n', '\t', '#', ' #', ':', ': ', '-', '- ', '"', "'", '[', ']', '{', '}', ',', '!', '!Ref ', '&a ', '*a', '|', '>', '?', '\\', '---\n', 'x'];
  it('agrees with the library whenever it reads the edited text', () => {
    const sources = TEXTS.filter((t) => t.length < 20_000);
    fc.assert(
      fc.property(
        fc.nat(sources.length - 1),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.nat(EDITS.length - 1), fc.nat(3)), { minLength: 1, maxLength: 4 }),
        (index, edits) => {
          let text = sources[index]!;
          for (const [where, what, remove] of edits) {
            const at = Math.floor(where * text.length);
            text = text.slice(0, at) + EDITS[what]! + text.slice(at + remove);
          }
          compare(text);
        },
      ),
      { seed: SEED, numRuns: 3000 },
    );
  });
});
