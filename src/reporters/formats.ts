/**
 * The report formats by `--format` name, each reporter loaded when asked for: a run loads only the
 * reporter it prints with (`./index.ts` has them all, for the programmatic API).
 */
import type { Reporter } from './findings.js';

export const FORMAT_NAMES = ['stylish', 'compact', 'json', 'sarif', 'markdown', 'github', 'gitlab', 'junit', 'graph'] as const;

export type FormatName = (typeof FORMAT_NAMES)[number];

export function isFormatName(name: string): name is FormatName {
  return (FORMAT_NAMES as readonly string[]).includes(name);
}

const LOADERS: Record<FormatName, () => Promise<Reporter>> = {
  stylish: async () => (await import('./stylish.js')).stylish,
  compact: async () => (await import('./compact.js')).compact,
  json: async () => (await import('./json.js')).json,
  sarif: async () => (await import('./sarif.js')).sarif,
  markdown: async () => (await import('./markdown.js')).markdown,
  github: async () => (await import('./github.js')).github,
  gitlab: async () => (await import('./gitlab.js')).gitlab,
  junit: async () => (await import('./junit.js')).junit,
  graph: async () => (await import('./graph.js')).graph,
};

/** The reporter of a format. */
export function loadReporter(name: FormatName): Promise<Reporter> {
  return LOADERS[name]();
}
