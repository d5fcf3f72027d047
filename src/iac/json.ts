/**
 * JSON loader with positions, same output as the YAML loader (`LoadedDocument`).
 *
 * Uses `jsonc-parser`'s `parseTree` in strict mode: comments, trailing commas and empty content are
 * errors, as they are for CloudFormation. Long-form intrinsics (`{"Ref": "X"}`,
 * `{"Fn::GetAtt": ["X", "Arn"]}`) become `Intrinsic` values.
 */
import { isStackOverflow, noteStackOverflow } from '../ground/stack-overflow.js';
import type { Node as JsonNode, ParseError } from 'jsonc-parser';
import { jsoncParser } from '../ground/packages.js';
import type { IacValue, ParseProblem } from './model.js';
import { readJson } from './json-reader.js';
import { DEFAULT_MAX_DEPTH, getAttStringSource, longFormIntrinsic, setOwn, tooManyValues, type LoadOptions, type LoadedDocument, type SourceNode } from './document.js';

/** Readable messages by `printParseErrorCode` name (the code enum is a const enum). */
const MESSAGES: Record<string, string> = {
  InvalidSymbol: 'Unexpected character',
  InvalidNumberFormat: 'Invalid number',
  PropertyNameExpected: 'Property name expected',
  ValueExpected: 'Value expected',
  ColonExpected: 'Colon expected',
  CommaExpected: 'Comma expected',
  CloseBraceExpected: 'Closing brace `}` expected',
  CloseBracketExpected: 'Closing bracket `]` expected',
  EndOfFileExpected: 'End of file expected',
  InvalidCommentToken: 'Comments are not allowed in JSON',
  UnexpectedEndOfComment: 'Comments are not allowed in JSON',
  UnexpectedEndOfString: 'Unterminated string',
  UnexpectedEndOfNumber: 'Unexpected end of number',
  InvalidUnicode: 'Invalid unicode escape sequence',
  InvalidEscapeCharacter: 'Invalid escape character in string',
  InvalidCharacter: 'Invalid character in string (control characters must be escaped)',
};

function problemFor(error: ParseError, text: string): ParseProblem {
  const code = jsoncParser().printParseErrorCode(error.error);
  let message = MESSAGES[code] ?? code;
  if (code === 'PropertyNameExpected' || code === 'ValueExpected') {
    let i = error.offset - 1;
    while (i >= 0 && /\s/.test(text[i]!)) i--;
    if (text[i] === ',' && (text[error.offset] === '}' || text[error.offset] === ']')) {
      return { message: 'Trailing comma is not allowed in JSON', offset: i };
    }
    if (error.offset >= text.length) message = 'Unexpected end of file';
  }
  return { message, offset: error.offset };
}

/**
 * Offset at which bracket nesting first exceeds `maxDepth`, or -1. A linear pre-scan: the parser
 * recurses per level and would overflow the stack on pathological input.
 */
function tooDeepAt(text: string, maxDepth: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) {
      inString = true;
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > maxDepth) return i;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      depth--;
    }
  }
  return -1;
}

/**
 * JSON text carried in a string value (a queue's redrive policy, a state machine definition, an
 * `Fn::Sub` body), parsed: its value, or why it has none. Nesting is held to the limit of the
 * documents themselves, so that the conversions that follow, which recurse per level, cannot
 * overflow the stack.
 */
export function parseEmbeddedJson(text: string): { value: unknown } | { unknown: string } {
  if (tooDeepAt(text, DEFAULT_MAX_DEPTH) !== -1) return { unknown: `a JSON document nested deeper than ${DEFAULT_MAX_DEPTH} levels` };
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return { unknown: 'a JSON document that is not valid JSON' };
  }
}

class JsonWalker {
  readonly problems: ParseProblem[] = [];
  constructor(private readonly text: string) {}

  walk(node: JsonNode, keyStart: number, keyEnd: number): [IacValue, SourceNode] {
    const start = node.offset;
    const end = node.offset + node.length;
    switch (node.type) {
      case 'object': {
        const obj: { [key: string]: IacValue } = {};
        const entries = new Map<string, SourceNode>();
        for (const property of node.children ?? []) {
          const [keyNode, valueNode] = property.children ?? [];
          if (!keyNode) continue;
          const name = String(keyNode.value);
          const kStart = keyNode.offset;
          const kEnd = keyNode.offset + keyNode.length;
          if (entries.has(name)) this.problems.push({ message: `Duplicate key "${name}"`, offset: kStart });
          const [v, s] = valueNode ? this.walk(valueNode, kStart, kEnd) : [null, { start: kEnd, end: kEnd, keyStart: kStart, keyEnd: kEnd }];
          setOwn(obj, name, v);
          entries.set(name, s);
        }
        const source: SourceNode = { start, end, keyStart, keyEnd, entries };
        if (entries.size === 1) {
          const [name, argSource] = entries.entries().next().value as [string, SourceNode];
          const intrinsic = longFormIntrinsic(name, obj[name]!);
          if (intrinsic) {
            const argument = obj[name];
            if (name === 'Fn::GetAtt' && typeof argument === 'string') {
              entries.set(name, getAttStringSource(argSource, this.text, argument));
            }
            return [intrinsic, source];
          }
        }
        return [obj, source];
      }
      case 'array': {
        const values: IacValue[] = [];
        const items: SourceNode[] = [];
        for (const child of node.children ?? []) {
          const [v, s] = this.walk(child, -1, -1);
          values.push(v);
          items.push(s);
        }
        return [values, { start, end, keyStart, keyEnd, items }];
      }
      case 'string':
      case 'number':
      case 'boolean':
        return [node.value as string | number | boolean, { start, end, keyStart, keyEnd }];
      default:
        return [null, { start, end, keyStart, keyEnd }];
    }
  }
}

/**
 * Loads JSON text. Never throws: syntax errors come back as `problems` (the first one only).
 *
 * Strict JSON is read by the single-pass reader of `json-reader.ts`; anything else (and every
 * syntax error) by `loadJsonWithParser`. Both give the same result.
 */
export function loadJson(text: string, options: LoadOptions = {}): LoadedDocument {
  const tooMany = tooManyValues(text);
  if (tooMany) return { problems: [tooMany] };
  return readJson(text, options.maxDepth ?? DEFAULT_MAX_DEPTH) ?? loadJsonWithParser(text, options);
}

/** `loadJson` through `jsonc-parser`, for any text. */
export function loadJsonWithParser(text: string, options: LoadOptions = {}): LoadedDocument {
  // The parser rejects a byte-order mark; a space keeps every offset where it was.
  const input = text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const deep = tooDeepAt(input, maxDepth);
  if (deep >= 0) return { problems: [{ message: `Nesting is deeper than ${maxDepth} levels`, offset: deep }] };

  const errors: ParseError[] = [];
  let tree: JsonNode | undefined;
  try {
    tree = jsoncParser().parseTree(input, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  } catch (error) {
    if (isStackOverflow(error)) noteStackOverflow();
    return { problems: [{ message: `Could not read the JSON document: ${String(error)}`, offset: 0 }] };
  }
  if (errors.length > 0 || !tree) {
    const first = errors.slice().sort((a, b) => a.offset - b.offset)[0];
    return { problems: [first ? problemFor(first, input) : { message: 'Value expected', offset: 0 }] };
  }
  const walker = new JsonWalker(input);
  const [value, source] = walker.walk(tree, -1, -1);
  return { value, source, problems: walker.problems };
}
