/**
 * The command-line front end: arguments in, exit code out. `main` never exits the process and
 * never throws: usage and configuration errors print one line (plus a pointer to `--help`) and
 * return 2, unexpected errors print the stack and return 2.
 *
 * What a run needs is loaded when it needs it: `--help` and `--version` load neither the rules
 * nor the engine, a scan loads only the reporter of its format, and the TypeScript compiler is
 * loaded only by a scan that has code files.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { createColors } from 'picocolors';
import type { Level, LintResult, Preset, RuleMeta } from '../ground/types.js';
import { parseLevel } from '../ground/types.js';
import { toolVersion } from '../ground/version.js';
import { didYouMean } from '../ground/suggest.js';
import type { Concurrency } from '../engine/workers.js';
import { FileAccessError, writeFileAtomic } from '../ground/file-access.js';
import { FORMAT_NAMES, isFormatName, loadReporter, type FormatName } from '../reporters/formats.js';
import { countBySeverity } from '../reporters/findings.js';
import { sanitize, sanitizeName } from '../reporters/codeframe.js';
import { isUserError, UsageError } from '../ground/errors.js';
import { ExitCode } from './exit-codes.js';
import { helpText, parseCommandLine, type ParsedArgs } from './options.js';
import { createProgress } from './progress.js';
import type { CliIo } from './io.js';

export type { CliIo, WritableLike } from './io.js';


const PRESETS: Preset[] = ['recommended', 'strict'];
const LEVELS: Level[] = ['off', 'note', 'warning', 'error'];
const LEVEL_WORDS = 'off, note, warning, error (or warn, info, 0, 1, 2)';
/** The prefix of the rules in ESLint (`rel4/no-sync-lambda-invoke`), accepted wherever a rule is named. */
const ESLINT_PREFIX = 'rel4/';

function ruleName(name: string): string {
  return name.startsWith(ESLINT_PREFIX) ? name.slice(ESLINT_PREFIX.length) : name;
}

export { toolVersion };

/**
 * Colour: an explicit `--color`/`--no-color` wins; then FORCE_COLOR (`0`/`false` = off, any other
 * value = on), then NO_COLOR (non-empty = off) and TERM=dumb; otherwise on for a terminal.
 */
export function colorEnabled(flag: boolean | undefined, isTTY: boolean, env: Record<string, string | undefined>): boolean {
  if (flag !== undefined) return flag;
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['TERM'] === 'dumb') return false;
  return isTTY;
}

interface Settings {
  format: FormatName;
  preset: Preset;
  maxWarnings: number;
  overrides: Record<string, Level>;
  /** From --max-file-size; overrides the config file's maxFileBytes. */
  maxFileBytes?: number;
  concurrency: Concurrency;
}

/** Parses `--concurrency`: a positive integer, `auto` or `off` (ESLint's values). */
export function parseConcurrency(value: string | undefined): Concurrency {
  if (value === undefined) return 'auto';
  const v = value.trim().toLowerCase();
  if (v === 'auto' || v === 'off') return v;
  if (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= 256) return Number(v);
  throw new UsageError(`--concurrency expects a number of threads (1-256), 'auto' or 'off', got '${value}'`);
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 * 1024, mb: 1024 * 1024, mib: 1024 * 1024 };

/** Parses `--max-file-size`: a byte count, or a number with a kb/mb suffix (binary units: 1kb = 1024 bytes). */
export function parseFileSize(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  const bytes = m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : NaN;
  if (!Number.isFinite(bytes) || bytes < 1) {
    throw new UsageError(`--max-file-size expects a positive size in bytes, kb or mb (e.g. 500kb, 16mb), got '${value}'`);
  }
  return bytes;
}

function validate(args: ParsedArgs): Settings {
  const format = args.format ?? 'stylish';
  if (!isFormatName(format)) {
    throw new UsageError(`unknown format '${format}'${didYouMean(format, FORMAT_NAMES) || ` (expected one of: ${FORMAT_NAMES.join(', ')})`}`);
  }
  const preset = args.preset ?? 'recommended';
  if (!PRESETS.includes(preset as Preset)) throw new UsageError(`unknown preset '${preset}' (expected one of: ${PRESETS.join(', ')})`);
  let maxWarnings = -1;
  if (args.maxWarnings !== undefined) {
    if (!/^(?:-1|\d+)$/.test(args.maxWarnings.trim())) {
      throw new UsageError(`--max-warnings expects a non-negative integer, got '${args.maxWarnings}'`);
    }
    maxWarnings = Number(args.maxWarnings.trim());
  }
  const overrides: Record<string, Level> = {};
  for (const spec of args.rule) {
    const m = /^\s*([^=\s]+)\s*=\s*([A-Za-z0-9]+)\s*$/.exec(spec);
    if (!m) throw new UsageError(`--rule expects <name>=<${LEVELS.join('|')}>, got '${spec}'`);
    const level = parseLevel(m[2]);
    if (level === undefined) throw new UsageError(`--rule ${m[1]}: level must be one of ${LEVEL_WORDS}, got '${m[2]}'`);
    overrides[ruleName(m[1]!)] = level;
  }
  if (args.outputFile !== undefined && args.outputFile.trim() === '') throw new UsageError('--output-file expects a path');
  if (args.automationId !== undefined && args.automationId.trim() === '') throw new UsageError('--automation-id expects an id');
  if (args.graphFormat !== undefined && args.graphFormat !== 'mermaid' && args.graphFormat !== 'dot') {
    throw new UsageError(`unknown graph format '${args.graphFormat}' (expected mermaid or dot)`);
  }
  for (const [flag, value] of [['--config', args.config], ['--baseline', args.baseline], ['--cache-location', args.cacheLocation]] as const) {
    if (value !== undefined && value.trim() === '') throw new UsageError(`${flag} expects a path`);
  }
  const maxFileBytes = args.maxFileSize !== undefined ? parseFileSize(args.maxFileSize) : undefined;
  return { format, preset: preset as Preset, maxWarnings, overrides, maxFileBytes, concurrency: parseConcurrency(args.concurrency) };
}

// ---------------------------------------------------------------------------------------------
// --list-rules, --explain

/** A doc built from the rule's metadata, for a rule whose README cannot be read. */
function docFromMeta(m: RuleMeta, docUrl: string): string {
  return [
    `# ${m.name}`,
    '',
    m.description,
    '',
    `- Best practices: ${m.bestPractices.join(', ')}`,
    `- Default severity: ${m.severity}`,
    `- Presets: ${m.presets.join(', ') || 'none'}`,
    `- Targets: ${m.targets.join(', ')}`,
    '',
    '## How to fix',
    '',
    m.help,
    '',
    `Documentation: ${docUrl}`,
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------

/**
 * Writes the report: to a temporary file renamed over the target (a killed run leaves the previous
 * report whole), never through a symbolic link or into a directory linking out of `cwd`.
 */
async function writeReport(file: string, display: string, text: string, cwd: string): Promise<void> {
  try {
    await writeFileAtomic(file, text, { within: cwd });
  } catch (error) {
    if (error instanceof FileAccessError) throw new UsageError(`cannot write the report: ${display} ${error.reason}`);
    const code = (error as { code?: unknown }).code;
    throw new UsageError(`cannot write ${display} (${typeof code === 'string' ? code : String(error)})`);
  }
}

/**
 * Base URL of the scanned files on GitHub (Markdown report links), from the variables GitHub
 * Actions sets; undefined elsewhere.
 */
export function sourceLinkBase(cwd: string, env: Record<string, string | undefined>): string | undefined {
  const server = env['GITHUB_SERVER_URL'];
  const repo = env['GITHUB_REPOSITORY'];
  const sha = env['GITHUB_SHA'];
  if (!server || !repo || !sha) return undefined;
  let prefix = '';
  const workspace = env['GITHUB_WORKSPACE'];
  if (workspace) {
    const rel = path.relative(workspace, cwd);
    if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) prefix = `${rel.split(path.sep).join('/')}/`;
  }
  return `${server.replace(/\/$/, '')}/${repo}/blob/${sha}/${prefix}`;
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseCommandLine(argv);
  if (args.help) {
    io.stdout.write(helpText());
    return ExitCode.Ok;
  }
  if (args.version) {
    io.stdout.write(`${toolVersion()}\n`);
    return ExitCode.Ok;
  }
  const settings = validate(args);
  const stdoutColor = colorEnabled(args.color, io.stdoutIsTTY, io.env);
  const stderrColor = colorEnabled(args.color, io.stderrIsTTY, io.env);
  const err = createColors(stderrColor);

  const { DEFAULT_REGISTRY, ruleDocUrl, ruleReadmePath } = await import('../rules/registry.js');

  // tables fit a terminal; a pipe or a file gets one line per row
  const columns = io.stdoutIsTTY && io.stdoutColumns !== undefined && io.stdoutColumns > 0 ? io.stdoutColumns : undefined;
  const ruleNames = DEFAULT_REGISTRY.rules.map((r) => r.meta.name);
  const unknownRule = (name: string, where: string): string =>
    `unknown rule '${name}'${where}${didYouMean(ruleName(name), ruleNames) || ' (see --list-rules)'}`;

  if (args.listRules) {
    const { renderRuleTable, rulesJson } = await import('./rules-list.js');
    if (settings.format === 'json') io.stdout.write(rulesJson(DEFAULT_REGISTRY.rules, ruleDocUrl));
    else if (args.format === undefined || settings.format === 'stylish') io.stdout.write(renderRuleTable(DEFAULT_REGISTRY.rules, { color: stdoutColor, width: columns }));
    else throw new UsageError(`--list-rules prints a table, or JSON with --format json; not --format ${settings.format}`);
    return ExitCode.Ok;
  }

  if (args.explain !== undefined) {
    const rule = DEFAULT_REGISTRY.rules.find((r) => r.meta.name === ruleName(args.explain!.trim()));
    if (!rule) throw new UsageError(unknownRule(args.explain, ''));
    let doc: string;
    try {
      doc = await fs.readFile(ruleReadmePath(rule.meta.name), 'utf8');
    } catch {
      doc = docFromMeta(rule.meta, ruleDocUrl(rule.meta.name));
    }
    const { renderMarkdown } = await import('./terminal-markdown.js');
    io.stdout.write(renderMarkdown(doc, stdoutColor));
    return ExitCode.Ok;
  }

  for (const name of Object.keys(settings.overrides)) {
    if (!ruleNames.includes(name)) throw new UsageError(unknownRule(name, ' in --rule'));
  }

  if (args.printConfig !== undefined) {
    if (args.printConfig.trim() === '') throw new UsageError('--print-config expects a file');
    const { configFor } = await import('../api/scan.js');
    const config = await configFor(args.printConfig, {
      cwd: io.cwd,
      preset: args.preset !== undefined ? settings.preset : undefined,
      rules: settings.overrides,
      config: args.config,
      maxFileBytes: settings.maxFileBytes,
      registry: DEFAULT_REGISTRY,
    });
    io.stdout.write(`${JSON.stringify(config, null, 2)}\n`);
    return ExitCode.Ok;
  }

  const [{ scan, displayPath }, report] = await Promise.all([import('../api/scan.js'), loadReporter(settings.format)]);
  let cacheFile: string | undefined;
  if (args.cache) {
    const { defaultCacheLocation } = await import('../engine/cache.js');
    cacheFile = args.cacheLocation ?? defaultCacheLocation(io.cwd, io.env);
    if (cacheFile === undefined) io.stderr.write(`${err.yellow('warning')} --cache: no user cache directory (set XDG_CACHE_HOME or use --cache-location); running without a cache\n`);
  }
  const outputFile = args.outputFile !== undefined ? path.resolve(io.cwd, args.outputFile) : undefined;
  const progress = createProgress({ stream: io.stderr, isTTY: io.stderrIsTTY, env: io.env, enabled: args.progress });
  let result: LintResult;
  try {
    result = await scan({
      cwd: io.cwd,
      paths: args.paths,
      preset: args.preset !== undefined ? settings.preset : undefined,
      rules: settings.overrides,
      config: args.config,
      maxFileBytes: settings.maxFileBytes,
      concurrency: settings.concurrency,
      cacheFile,
      outputFile,
      baseline: args.baseline,
      updateBaseline: args.updateBaseline,
      registry: DEFAULT_REGISTRY,
      prestartWorkers: true,
      onSkipped: (s) => {
        // names from the scanned tree: no escape sequence reaches the terminal, no line is forged
        if (!args.quiet) io.stderr.write(`${err.yellow('warning')} skipped ${sanitizeName(displayPath(io.cwd, s.file))}: ${sanitizeName(s.reason)}\n`);
      },
      onFiles: (files) => {
        if (!args.quiet && files.length === 0) io.stderr.write(`${err.yellow('warning')} no files to scan\n`);
      },
      onWarning: (message) => io.stderr.write(`${err.yellow('warning')} ${sanitizeName(message)}\n`),
      onProgress: (done, total) => progress.update(done, total),
    });
  } finally {
    progress.done();
  }
  if (args.updateBaseline && result.baseline) {
    const n = result.baseline.matched;
    io.stderr.write(`Wrote ${n} ${n === 1 ? 'entry' : 'entries'} to the baseline ${result.baseline.file}\n`);
  }

  const text = report(result, {
    // A report written to a file is coloured only on explicit request.
    color: outputFile !== undefined ? args.color === true : stdoutColor,
    cwd: io.cwd,
    toolVersion: toolVersion(),
    quiet: args.quiet,
    ruleDocUrl,
    automationId: args.automationId,
    graphFormat: args.graphFormat as 'mermaid' | 'dot' | undefined,
    sourceLinkBase: sourceLinkBase(io.cwd, io.env),
    columns: outputFile !== undefined ? undefined : columns,
  });
  if (outputFile !== undefined) {
    await writeReport(outputFile, displayPath(io.cwd, outputFile), text, io.cwd);
    const { stylishSummary } = await import('../reporters/stylish.js');
    io.stderr.write(`${stylishSummary(result, { color: stderrColor })} ${err.dim(`(report written to ${displayPath(io.cwd, outputFile)})`)}\n`);
  } else {
    io.stdout.write(text);
  }

  // The exit code counts every finding, whatever --quiet hid. Notes never fail.
  const counts = countBySeverity(result.findings);
  const tooManyWarnings = settings.maxWarnings >= 0 && counts.warning > settings.maxWarnings;
  if (tooManyWarnings) {
    io.stderr.write(`rel4lint found too many warnings (${counts.warning}, maximum: ${settings.maxWarnings})\n`);
  }
  return counts.error > 0 || tooManyWarnings ? ExitCode.Findings : ExitCode.Ok;
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  try {
    return await run(argv, io);
  } catch (error) {
    try {
      if (isUserError(error)) {
        io.stderr.write(`rel4lint: ${sanitizeName(error.message)}\nRun 'rel4lint --help' for usage.\n`);
      } else {
        const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
        io.stderr.write(`rel4lint: internal error: ${sanitize(detail)}\n`);
      }
    } catch {
      // Nowhere left to report to.
    }
    return ExitCode.Error;
  }
}
