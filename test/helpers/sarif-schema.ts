/** The official SARIF 2.1.0 schema (draft-04), compiled once for the tests. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import AjvDraft04 from 'ajv-draft-04';

const require = createRequire(import.meta.url);
const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));

// The package is CommonJS: `module.exports` is the class and `.default` points at it too, which is
// what TypeScript's NodeNext view of the default import exposes.
const Ajv = AjvDraft04.default;
// The schema's `language` pattern is not a valid `u`-flag regex; formats are not needed for the
// structure checks.
const validate = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false, validateFormats: false }).compile(schema);

/** Schema violations of a SARIF log (empty when valid). */
export function sarifSchemaErrors(log: unknown): unknown[] {
  return validate(log) ? [] : [...(validate.errors ?? [])];
}
