/**
 * The types of untagged plain scalars in templates: YAML 1.1's implicit types (the type
 * repository at yaml.org/type) as CloudFormation reads them and as the `yaml` package's 1.1 schema
 * set up in `yaml-schema.ts` resolves them, so that the single-pass reader gives the same values
 * as the library without loading it.
 *
 * Tried in the schema's order, the first match wins:
 * - null: empty, `~`, `null`, `Null`, `NULL`;
 * - booleans: yes/no, true/false, on/off in lower, capitalised or upper case (not the one-letter
 *   `y`/`n`, which CloudFormation reads as strings);
 * - integers: binary `0b…`, octal `0…` (digits 0-7), decimal (leading zeros allowed: `08` is 8),
 *   hexadecimal `0x…`; `_` is a separator the value ignores; a sign is allowed;
 * - floats: `.inf`/`.nan` spellings, exponent forms (`1e3`, `.5E-2`, `E3006` too), dotted forms
 *   (`1.5`, `1.`, `.5`, even `.`), underscores ignored;
 * - sexagesimal integers and floats (`1:30` is 90, `1:30.5` is 90.5): the first part is any
 *   number of digits, the others are 0-59 in one or two digits.
 * Timestamps, binary and the collection types are not CloudFormation's: their text stays a string.
 */

export const BOOL_TRUE = /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
export const BOOL_FALSE = /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;
const NULL = /^(?:~|[Nn]ull|NULL)?$/;

const BINARY = /^[-+]?0b[01_]+$/;
const OCTAL = /^[-+]?0[0-7_]+$/;
const DECIMAL = /^[-+]?[0-9][0-9_]*$/;
const HEXADECIMAL = /^[-+]?0x[0-9a-fA-F_]+$/;
const INFINITY_OR_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const EXPONENT = /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/;
const DOTTED = /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/;
const BASE_60_INT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$/;
const BASE_60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/;

/**
 * First characters of plain scalars some type other than string might match: digits, sign, dot,
 * `~`, the letters that start null/true/false/yes/no/on/off, and `e`/`E` (an exponent alone,
 * `E3006`, is a float). Any other plain scalar is a string.
 */
const MAYBE_TYPED = new Uint8Array(128);
for (const ch of '0123456789+-.~nNtTfFyYoOeE') MAYBE_TYPED[ch.charCodeAt(0)] = 1;

const isSign = (c: string | undefined): boolean => c === '-' || c === '+';

/** An integer in `radix` after `prefix` characters (and a sign), as the schema computes it: `parseInt` of the digits without `_`. */
function integer(text: string, prefix: number, radix: number): number {
  const sign = isSign(text[0]) ? 1 : 0;
  const n = parseInt(text.slice(sign + prefix).replaceAll('_', ''), radix);
  return text[0] === '-' ? -1 * n : n;
}

function sexagesimal(text: string): number {
  const sign = isSign(text[0]) ? 1 : 0;
  let n = 0;
  for (const part of text.slice(sign).replaceAll('_', '').split(':')) n = n * 60 + Number(part);
  return text[0] === '-' ? -1 * n : n;
}

/** The value of an untagged plain scalar. */
export function plainScalarValue(text: string): string | number | boolean | null {
  const first = text.charCodeAt(0);
  if (first < 128 && MAYBE_TYPED[first] === 0) return text;
  if (NULL.test(text)) return null;
  if (BOOL_TRUE.test(text)) return true;
  if (BOOL_FALSE.test(text)) return false;
  if (BINARY.test(text)) return integer(text, 2, 2);
  if (OCTAL.test(text)) return integer(text, 1, 8);
  if (DECIMAL.test(text)) return integer(text, 0, 10);
  if (HEXADECIMAL.test(text)) return integer(text, 2, 16);
  if (INFINITY_OR_NAN.test(text)) {
    if (text.slice(-3).toLowerCase() === 'nan') return NaN;
    return text[0] === '-' ? -Infinity : Infinity;
  }
  if (EXPONENT.test(text) || DOTTED.test(text)) return parseFloat(text.replaceAll('_', ''));
  if (BASE_60_INT.test(text) || BASE_60_FLOAT.test(text)) return sexagesimal(text);
  return text;
}
