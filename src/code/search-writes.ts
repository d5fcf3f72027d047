/**
 * Which OpenSearch / Elasticsearch writes are not idempotent, for the rules that reason about a
 * request running twice (a retry, a redelivered message):
 * - `index` without an `id`: the cluster generates one, and a second run indexes a second copy
 *   (with an `id`, a second run overwrites the same document);
 * - `update` / `updateByQuery` whose script adds to a stored value (`ctx._source.n += 1`, `++`,
 *   `.add(...)`): a second run adds again (a `doc` update or a script that assigns is idempotent);
 * - `bulk` (and `helpers.bulk`) with `index` actions without `_id`.
 * Parameters the analysis cannot see are never reported.
 */
import { ts } from './ts.js';
import type { FileFacts } from './file-facts.js';
import { getProperty, objectLiteralOf, propertyNameText, type PropertyLookup } from './values.js';
import { searchOperationsOf, type SearchOperation } from './search-clients.js';
import { unwrap, walk } from './walk.js';

export interface SearchWrite {
  op: SearchOperation;
  /** What makes it non-idempotent, for messages: "indexes a document under an id the cluster generates". */
  effect: string;
  /** How to make it idempotent. */
  fix: string;
}

/** Script source that adds to a stored value. */
const INCREMENT = /\+=|-=|\+\+|--|\.add\s*\(|\.addAll\s*\(/;

const GENERATED_ID = {
  effect: 'indexes a document under an id the cluster generates',
  fix: 'give the document an id derived from the data (`id`), so that a repeat overwrites it instead of adding a copy',
};

/** The non-idempotent write an OpenSearch / Elasticsearch call makes, if it makes one. */
export function searchWriteOf(facts: FileFacts, call: ts.CallExpression): SearchWrite | undefined {
  const op = searchOperationsOf(facts).find((o) => o.call === call);
  return op ? writeOf(facts, op) : undefined;
}

/** The non-idempotent OpenSearch / Elasticsearch writes of a file. */
export function searchWritesOf(facts: FileFacts): SearchWrite[] {
  const out: SearchWrite[] = [];
  for (const op of searchOperationsOf(facts)) {
    const w = writeOf(facts, op);
    if (w) out.push(w);
  }
  return out;
}

function writeOf(facts: FileFacts, op: SearchOperation): SearchWrite | undefined {
  const params = op.params;
  if (!params || !objectLiteralOf(facts, params)) return undefined;
  switch (op.operation) {
    case 'index':
      return getProperty(facts, params, 'id').kind === 'absent' ? { op, ...GENERATED_ID } : undefined;
    case 'update':
    case 'updateByQuery':
    case 'update_by_query': {
      const script = scriptOf(facts, params);
      if (!script) return undefined;
      return {
        op,
        effect: `runs a script that adds to a stored value (\`${script}\`)`,
        fix: 'make the update set values rather than add to them (a `doc` update, a script that assigns), or record the message id in the document and skip it when present',
      };
    }
    case 'bulk':
    case 'helpers.bulk':
      return bulkWithoutIds(facts, params) ? { op, effect: 'has `index` actions without `_id`, so the cluster generates the ids', fix: GENERATED_ID.fix.replace('(`id`)', '(`_id`)') } : undefined;
    default:
      return undefined;
  }
}

/** The incrementing statement of an update's script (`script` at the top level or in `body`), if it has one. */
function scriptOf(facts: FileFacts, params: ts.Expression): string | undefined {
  let script = getProperty(facts, params, 'script');
  if (script.kind === 'absent') {
    const body = getProperty(facts, params, 'body');
    script = body.kind === 'present' ? getProperty(facts, body.value, 'script') : body;
  }
  const text = scriptText(facts, script);
  if (text === undefined) return undefined;
  const m = INCREMENT.exec(text);
  if (!m) return undefined;
  // the statement around the operator, for the message
  const start = Math.max(text.lastIndexOf(';', m.index) + 1, 0);
  const endAt = text.indexOf(';', m.index);
  const stmt = text.slice(start, endAt < 0 ? undefined : endAt).trim();
  return stmt.length <= 60 ? stmt : `${stmt.slice(0, 57)}...`;
}

function scriptText(facts: FileFacts, script: PropertyLookup): string | undefined {
  if (script.kind !== 'present') return undefined;
  let v = facts.resolveValue(script.value);
  if (ts.isObjectLiteralExpression(v)) {
    const source = getProperty(facts, v, 'source');
    const inline = source.kind === 'absent' ? getProperty(facts, v, 'inline') : source;
    if (inline.kind !== 'present') return undefined;
    v = facts.resolveValue(inline.value);
  }
  if (ts.isStringLiteralLike(v)) return v.text;
  if (ts.isTemplateExpression(v)) return v.getText();
  return undefined;
}

/**
 * Whether the bulk parameters hold an `index` action without `_id`: `{ index: { _index: 'x' } }`
 * in the request body (`body`, `operations`) or in what `helpers.bulk`'s `onDocument` returns.
 */
function bulkWithoutIds(facts: FileFacts, params: ts.Expression): boolean {
  const places: ts.Node[] = [];
  for (const name of ['body', 'operations', 'onDocument']) {
    const p = getProperty(facts, params, name);
    if (p.kind !== 'present') continue;
    const v = facts.resolveValue(p.value);
    places.push(v);
  }
  let found = false;
  for (const place of places) {
    walk(place, (n) => {
      if (found) return false;
      if (!ts.isObjectLiteralExpression(n)) return undefined;
      for (const prop of n.properties) {
        if (!ts.isPropertyAssignment(prop) || propertyNameText(prop.name) !== 'index') continue;
        const action = unwrap(prop.initializer);
        if (!ts.isObjectLiteralExpression(action)) continue;
        const names = action.properties.map((a) => (a.name ? propertyNameText(a.name) : undefined));
        if (action.properties.some((a) => ts.isSpreadAssignment(a))) continue;
        if (!names.includes('_id') && !names.includes('id')) found = true;
      }
      return undefined;
    });
  }
  return found;
}
