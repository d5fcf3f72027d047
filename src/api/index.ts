/**
 * The programmatic API (`import { scan } from 'rel4lint'`): what the CLI runs, for scripts and
 * tools.
 *
 *   const result = await scan({ paths: ['services/'], preset: 'strict' });
 *   console.log(format(result, 'stylish'));
 *   process.exitCode = result.findings.some((f) => f.severity === 'error') ? 1 : 0;
 *
 * `scan` finds the files (`.gitignore` and the config's `ignore` respected), reads the
 * configuration file, runs the rules and applies a baseline. `lint` is the lower level: given
 * files and configured rules, it runs the engine.
 */
import type { LintResult } from '../ground/types.js';
import { toolVersion } from '../ground/version.js';
import { ruleDocUrl } from '../rules/registry.js';
import { REPORTERS, type FormatName, type ReporterContext } from '../reporters/index.js';

export type { Finding, LintResult, Level, Preset, ResolvedRule, RuleMeta, Severity, BestPracticeId, Range, LintStats, InteractionGraph, FileRole } from '../ground/types.js';
export type { RoleSettings, RuleSetting } from '../engine/config.js';
export type { Concurrency } from '../ground/types.js';
export type { FormatName, ReporterContext } from '../reporters/index.js';
export { ConfigError, UsageError } from '../ground/errors.js';
export { ruleDocUrl, toolVersion };
export { configFor, displayPath, lint, resolveRules, ruleList, scan } from './scan.js';
export type { ConfigForOptions, FileConfig, LintOptions, ScanOptions } from './scan.js';

/** A report of a result in one of the output formats (`stylish`, `json`, `sarif`, `markdown`, `graph`). */
export function format(result: LintResult, name: FormatName, context: Partial<ReporterContext> = {}): string {
  return REPORTERS[name](result, { color: false, cwd: result.cwd, toolVersion: toolVersion(), ruleDocUrl, ...context });
}
