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
import type { FormatName } from './formats.js';

export type { Reporter, ReporterContext } from './findings.js';
export { FORMAT_NAMES, isFormatName, loadReporter, type FormatName } from './formats.js';
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
} satisfies Record<FormatName, Reporter>;
