/** `--list-rules`: the rule table for a terminal, or JSON with `--format json`. */
import { createColors } from 'picocolors';
import { PARSE_ERROR } from '../ground/types.js';
import type { RuleEntry as AnyRule } from '../rules/rule.js';
import { columnWidths, renderTable, wrapText, type TableColumn } from '../reporters/table.js';

function byName(rules: readonly AnyRule[]): AnyRule[] {
  return [...rules].sort((a, b) => (a.meta.name < b.meta.name ? -1 : a.meta.name > b.meta.name ? 1 : 0));
}

/**
 * One row per rule: name, best practices, severity, presets, targets, description. Without a
 * width (a pipe or a file), each rule is one line. With a width (a terminal), the description
 * wraps first, then targets, best practices and presets; a terminal too narrow for that gets one
 * block per rule instead: the name with its severity, then the wrapped description, then presets,
 * best practices and targets.
 */
export function renderRuleTable(rules: readonly AnyRule[], options: { color: boolean; width?: number }): string {
  const c = createColors(options.color);
  const sev = (s: string): string => (s.startsWith('error') ? c.red(s) : s.startsWith('warning') ? c.yellow(s) : c.blue(s));
  const paint =
    (body: (s: string) => string) =>
    (text: string, row: number): string =>
      row < 0 ? c.bold(text) : body(text);
  const columns: TableColumn[] = [
    { header: 'rule', paint: paint(c.bold) },
    { header: 'best practices', paint: paint((s) => s) },
    { header: 'severity', paint: paint(sev) },
    { header: 'presets', paint: paint((s) => s) },
    { header: 'targets', paint: paint((s) => s) },
    { header: 'description', min: 24, paint: paint((s) => s) },
  ];
  const rows = byName(rules).map((r) => [
    r.meta.name,
    r.meta.bestPractices.join(', ') || '-',
    r.meta.severity,
    // parse-error cannot be turned off (as the README's table says)
    r.meta.name === PARSE_ERROR ? 'always on' : r.meta.presets.join(', ') || '-',
    r.meta.targets.join(', '),
    r.meta.description,
  ]);
  const table = { width: options.width, shrink: [[5, 40], 4, 1, 3, 5] as (number | [number, number])[] };
  const widths = columnWidths(columns, rows, table);
  const total = widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1);
  if (options.width === undefined || total <= options.width) return `${renderTable(columns, rows, table).join('\n')}\n`;
  const text = Math.max(20, options.width - 4);
  const blocks = rows.map(([name, practices, severity, presets, targets, description]) =>
    [
      `${c.bold(name!)}  ${sev(severity!)}`,
      ...wrapText(description!, text).map((l) => `    ${l}`),
      ...wrapText(`presets: ${presets}; best practices: ${practices}; targets: ${targets}`, text).map((l) => `    ${c.dim(l)}`),
    ].join('\n'),
  );
  return `${blocks.join('\n\n')}\n`;
}

/** The rule list as JSON: every rule's metadata, options with their schema, and its documentation URL. */
export function rulesJson(rules: readonly AnyRule[], docUrl: (name: string) => string): string {
  const list = byName(rules).map((r) => ({
    name: r.meta.name,
    description: r.meta.description,
    bestPractices: r.meta.bestPractices,
    severity: r.meta.severity,
    ...(r.meta.severityDetail ? { severityDetail: r.meta.severityDetail } : {}),
    presets: r.meta.presets,
    targets: r.meta.targets,
    roles: r.meta.roles,
    options: r.meta.options,
    hasSuggestions: r.meta.hasSuggestions === true,
    docs: docUrl(r.meta.name),
  }));
  return `${JSON.stringify(list, null, 2)}\n`;
}
