/** The report formats, by `--format` name. Every reporter is `(result, ctx) => string`. */
import { json } from './json.js';
import { markdown } from './markdown.js';
import { sarif } from './sarif.js';
import { stylish } from './stylish.js';
import { graph } from './graph.js';
import { github } from './github.js';
import { gitlab } from './gitlab.js';
import { junit } from './junit.js';
import { compact } from './compact.js';
import type { Reporter } from './findings.js';

export type { Reporter, ReporterContext } from './findings.js';
export { stylishSummary } from './stylish.js';

export const REPORTERS = {
  stylish,
  compact,
  json,
  sarif,
  markdown,
  github,
  gitlab,
  junit,
  graph,
} satisfies Record<string, Reporter>;

export type FormatName = keyof typeof REPORTERS;

export const FORMAT_NAMES = Object.keys(REPORTERS) as FormatName[];

export function isFormatName(name: string): name is FormatName {
  return Object.hasOwn(REPORTERS, name);
}
