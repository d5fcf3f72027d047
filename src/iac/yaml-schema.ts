/**
 * The `yaml` package's parser set up for CloudFormation templates: YAML 1.1 with the short-form
 * intrinsic tags and CloudFormation's schema quirks.
 */
import type { CollectionTag, DocumentOptions, ParseOptions, ScalarTag, SchemaOptions, Tags } from 'yaml';
import { SHORT_FORM_TAGS } from './document.js';
import { BOOL_FALSE, BOOL_TRUE } from './yaml-scalars.js';

const identity = <T>(value: T): T => value;

/** Short-form intrinsic tags in scalar, sequence and mapping form; they keep the node as is. */
const INTRINSIC_TAGS: (ScalarTag | CollectionTag)[] = [...SHORT_FORM_TAGS.keys()].flatMap((tag) => [
  { tag, resolve: identity } satisfies ScalarTag,
  { tag, collection: 'seq', resolve: identity } satisfies CollectionTag,
  { tag, collection: 'map', resolve: identity } satisfies CollectionTag,
]);

/** YAML 1.1 types CloudFormation does not support; without them their text stays a string. */
const UNSUPPORTED_TYPES = new Set(
  ['timestamp', 'binary', 'omap', 'pairs', 'set'].map((name) => `tag:yaml.org,2002:${name}`),
);

/**
 * Schema adjustments on top of the version's base schema:
 * - the intrinsic tags are added;
 * - `timestamp`, `binary`, `omap`, `pairs` and `set` are dropped (CloudFormation supports none of
 *   them; without this `AWSTemplateFormatVersion: 2010-09-09` would load as a Date);
 * - the one-letter booleans `y`/`n` of the YAML 1.1 type repository are not booleans
 *   (CloudFormation's parser, like most YAML 1.1 implementations, reads only
 *   yes/no/on/off/true/false).
 */
function schemaTags(base: Tags): Tags {
  const tags: Tags = [];
  for (const t of base) {
    if (typeof t !== 'string' && UNSUPPORTED_TYPES.has(t.tag)) continue;
    if (typeof t !== 'string' && t.tag === 'tag:yaml.org,2002:bool' && !t.collection && t.test) {
      tags.push({ ...t, test: t.test.test('true') ? BOOL_TRUE : BOOL_FALSE });
      continue;
    }
    tags.push(t);
  }
  return [...tags, ...INTRINSIC_TAGS];
}

/** Options of the `yaml` package's parser for templates (see `schemaTags`). */
export function yamlParseOptions(): ParseOptions & DocumentOptions & SchemaOptions {
  return { version: '1.1', customTags: schemaTags, uniqueKeys: false, prettyErrors: false, keepSourceTokens: false };
}
