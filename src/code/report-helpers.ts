/** Small helpers rules share to name things in messages and to build suggestions. */
import { ts } from './ts.js';
import type { FileFacts } from './file-facts.js';
import type { Suggestion } from '../ground/types.js';
import { getProperty, stringShape } from './values.js';
import { unwrap } from './walk.js';

/** "`orders-fn`", "the function in process.env.TAX_FN", or "the target function". */
export function describeTarget(analysis: FileFacts, input: ts.Expression | undefined, member: string): string {
  const prop = getProperty(analysis, input, member);
  if (prop.kind !== 'present') return 'the target function';
  const shape = stringShape(analysis, prop.value);
  if (shape?.exact !== undefined) return `\`${lastArnSegment(shape.exact)}\``;
  const v = unwrap(prop.value);
  const text = v.getText();
  if (text.length <= 60 && !text.includes('\n')) return `\`${text}\``;
  return 'the target function';
}

function lastArnSegment(value: string): string {
  // arn:aws:lambda:region:acct:function:name[:qualifier]
  const m = /:function:([^:]+)/.exec(value);
  return m ? m[1] : value;
}

/** A suggestion that adds `text` as the first property of an object literal. */
export function insertPropertySuggestion(obj: ts.ObjectLiteralExpression, text: string, description: string): Suggestion {
  const sf = obj.getSourceFile();
  if (obj.properties.length === 0) {
    return { description, edits: [{ start: obj.getStart(sf), end: obj.getEnd(), text: `{ ${text} }` }] };
  }
  const last = obj.properties[obj.properties.length - 1];
  const lastEnd = last.getEnd();
  const between = sf.text.slice(lastEnd, obj.getEnd() - 1);
  const hasTrailingComma = between.trimStart().startsWith(',');
  const multiline = sf.text.slice(obj.getStart(sf), obj.getEnd()).includes('\n');
  if (multiline) {
    const lineStart = sf.text.lastIndexOf('\n', last.getStart(sf)) + 1;
    const indent = /^[ \t]*/.exec(sf.text.slice(lineStart))![0];
    const at = hasTrailingComma ? lastEnd + between.indexOf(',') + 1 : lastEnd;
    return { description, edits: [{ start: at, end: at, text: `${hasTrailingComma ? '' : ','}\n${indent}${text}${hasTrailingComma ? ',' : ''}` }] };
  }
  return { description, edits: [{ start: lastEnd, end: lastEnd, text: `, ${text}` }] };
}

/** A node's source text on one line, cut to `max` characters (with `...`), for messages. */
export function shortText(node: ts.Node, max = 40): string {
  const text = node.getText().replace(/\s+/g, ' ');
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}
