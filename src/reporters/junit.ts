/**
 * JUnit XML, for CI systems that only read test reports. One test suite per rule, one test case
 * per rule and file, one `<failure>` per finding:
 *
 * ```xml
 * <testsuites name="rel4lint" tests="2" failures="1" errors="0" skipped="0">
 *   <testsuite name="no-sync-lambda-invoke" tests="1" failures="1" errors="0" skipped="0">
 *     <testcase classname="no-sync-lambda-invoke" name="src/orders.ts" file="src/orders.ts">
 *       <failure type="error" message="6:8 InvokeCommand without InvocationType …">…</failure>
 *     </testcase>
 *   </testsuite>
 *   <testsuite name="require-queue-dlq" tests="1" failures="0" errors="0" skipped="0">
 *     <testcase classname="require-queue-dlq" name="no findings"/>
 *   </testsuite>
 * </testsuites>
 * ```
 *
 * - Every enabled rule is a suite; a rule without findings has one passing case, `no findings`,
 *   so a clean run is a report with passing tests rather than an empty one.
 * - `tests` and `failures` count test cases (a case fails once, whatever the number of findings
 *   in it), as JUnit readers count them. Every listed finding is a failure whatever its severity
 *   (`type` says which); `--quiet` lists errors only.
 * - The failure's `message` is `line:column message`; its text adds the severity, location, help and
 *   best practices. Readers that show only the first failure of a case still show its count in
 *   the text of that first failure.
 * - Suppressed findings are not written (a suppressed finding is a passing check); SARIF and JSON
 *   list them.
 * - Text is escaped for XML; characters XML 1.0 cannot carry are replaced by U+FFFD. Deterministic:
 *   sorted suites and cases, no timestamps or durations.
 */
import type { Finding, LintResult } from '../ground/types.js';
import { sanitizeName } from './codeframe.js';
import { reportedFindings, type ReporterContext } from './findings.js';

// Characters outside XML 1.0's Char production (controls, lone surrogates, U+FFFE/U+FFFF).
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

function xmlChars(text: string): string {
  return text.replace(NOT_XML_CHAR, '\uFFFD');
}

/** Escapes text content. CR is written as a reference, which XML parsers would otherwise turn into LF. */
export function escapeXmlText(text: string): string {
  return xmlChars(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

/** Escapes an attribute value (double-quoted). Tabs and line breaks are references, or parsers would turn them into spaces. */
export function escapeXmlAttribute(text: string): string {
  return escapeXmlText(text).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}

function attributes(attrs: [string, string | number][]): string {
  return attrs.map(([k, v]) => ` ${k}="${escapeXmlAttribute(String(v))}"`).join('');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function failure(f: Finding, index: number, count: number): string {
  // the text is read as lines: a line break in a file name must not start one of its own
  const where = `${sanitizeName(f.file)}:${f.range.start.line}:${f.range.start.column}`;
  const lines = [
    `${f.severity} at ${where}${count > 1 ? ` (finding ${index + 1} of ${count} for this rule in this file)` : ''}`,
    f.message,
    ...(f.help ? [`help: ${f.help}`] : []),
    ...(f.bestPractices.length > 0 ? [`best practices: ${f.bestPractices.join(', ')}`] : []),
    ...f.related.map((r) => `related: ${r.message} at ${sanitizeName(r.file)}:${r.range.start.line}:${r.range.start.column}`),
  ];
  const message = `${f.range.start.line}:${f.range.start.column} ${f.message}`;
  return `      <failure${attributes([['type', f.severity], ['message', message]])}>${escapeXmlText(lines.join('\n'))}</failure>`;
}

export function junit(result: LintResult, ctx: ReporterContext): string {
  const findings = reportedFindings(result, ctx);
  const byRule = new Map<string, Map<string, Finding[]>>();
  for (const r of result.rules) byRule.set(r.meta.name, new Map());
  for (const f of findings) {
    let files = byRule.get(f.rule);
    if (!files) byRule.set(f.rule, (files = new Map()));
    const list = files.get(f.file);
    if (list) list.push(f);
    else files.set(f.file, [f]);
  }
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  for (const rule of [...byRule.keys()].sort(compare)) {
    const files = byRule.get(rule)!;
    const cases: string[] = [];
    if (files.size === 0) {
      cases.push(`    <testcase${attributes([['classname', rule], ['name', 'no findings']])}/>`);
    }
    for (const file of [...files.keys()].sort(compare)) {
      const list = files.get(file)!;
      cases.push(
        `    <testcase${attributes([['classname', rule], ['name', file], ['file', file]])}>`,
        ...list.map((f, i) => failure(f, i, list.length)),
        '    </testcase>',
      );
    }
    const caseCount = Math.max(1, files.size);
    tests += caseCount;
    failures += files.size;
    suites.push(
      `  <testsuite${attributes([['name', rule], ['tests', caseCount], ['failures', files.size], ['errors', 0], ['skipped', 0]])}>`,
      ...cases,
      '  </testsuite>',
    );
  }
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites${attributes([['name', 'rel4lint'], ['tests', tests], ['failures', failures], ['errors', 0], ['skipped', 0]])}>`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
