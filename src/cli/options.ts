/**
 * The command-line options, declared once: the same table drives `util.parseArgs` and the
 * `--help` text.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../ground/errors.js';

export interface OptionSpec {
  /** Long name without dashes. */
  name: string;
  short?: string;
  type: 'boolean' | 'string';
  multiple?: boolean;
  /** Placeholder shown in help for string options. */
  arg?: string;
  /** How the option is written in help when not `--name` (e.g. `--[no-]color`). */
  display?: string;
  description: string;
  group: 'Output' | 'Rules' | 'Baseline and cache' | 'Information' | 'Miscellaneous';
}

export const OPTIONS: readonly OptionSpec[] = [
  {
    name: 'format',
    type: 'string',
    arg: 'name',
    description: 'Report format (default: stylish; see Formats below)',
    group: 'Output',
  },
  { name: 'graph-format', type: 'string', arg: 'mermaid|dot', description: 'Notation of --format graph (default: mermaid)', group: 'Output' },
  {
    name: 'output-file',
    short: 'o',
    type: 'string',
    arg: 'path',
    description: 'Write the report to this file (parent folders are created); a summary still goes to the terminal',
    group: 'Output',
  },
  { name: 'quiet', type: 'boolean', description: 'Report errors only (the exit code still counts everything)', group: 'Output' },
  {
    name: 'max-warnings',
    type: 'string',
    arg: 'n',
    description: 'Exit with code 1 when there are more than n warnings',
    group: 'Output',
  },
  {
    name: 'color',
    type: 'boolean',
    display: '--color, --no-color',
    description: 'Force colour on or off (default: on when stdout is a terminal and NO_COLOR is unset)',
    group: 'Output',
  },
  { name: 'progress', type: 'boolean', display: '--no-progress', description: 'Do not show a progress indicator', group: 'Output' },
  {
    name: 'automation-id',
    type: 'string',
    arg: 'id',
    description: "SARIF automationDetails.id, to tell runs apart where SARIF is not uploaded with upload-sarif (which then ignores its category)",
    group: 'Output',
  },
  {
    name: 'config',
    type: 'string',
    arg: 'path',
    description:
      'Use this configuration file for every file (default: each file uses the rel4lint.config.json, .yaml or .yml files in its folder and the folders above it, up to the repository root, inner ones merged over outer ones)',
    group: 'Rules',
  },
  {
    name: 'preset',
    type: 'string',
    arg: 'recommended|strict',
    description: 'Rule preset (default: recommended)',
    group: 'Rules',
  },
  {
    name: 'rule',
    type: 'string',
    multiple: true,
    arg: 'name=level',
    description: "Set a rule's level: off, note, warning, error, or ESLint's warn, 0, 1, 2, and info (repeatable)",
    group: 'Rules',
  },
  {
    name: 'max-file-size',
    type: 'string',
    arg: 'bytes|kb|mb',
    description: 'Skip larger files, reporting each code file or template as a parse-error and leaving data files aside (e.g. 500kb, 16mb; default: 8mb)',
    group: 'Rules',
  },
  {
    name: 'concurrency',
    type: 'string',
    arg: 'n|auto|off',
    description: 'Worker threads for code files (default: auto, one per core once there is enough code to pay for them)',
    group: 'Rules',
  },
  {
    name: 'baseline',
    type: 'string',
    arg: 'path',
    description: 'Report only findings not in this baseline file, and list its stale entries',
    group: 'Baseline and cache',
  },
  {
    name: 'update-baseline',
    type: 'boolean',
    description: 'Write the current findings to the baseline (--baseline path, default rel4lint-baseline.json)',
    group: 'Baseline and cache',
  },
  { name: 'cache', type: 'boolean', description: 'Reuse results of unchanged code files from the previous run', group: 'Baseline and cache' },
  {
    name: 'cache-location',
    type: 'string',
    arg: 'path',
    description: 'Cache file (default: one per working directory in the user cache directory, ~/.cache/rel4lint/)',
    group: 'Baseline and cache',
  },
  { name: 'list-rules', type: 'boolean', description: 'List the rules and exit (--format json: as JSON)', group: 'Information' },
  { name: 'explain', type: 'string', arg: 'rule', description: "Show a rule's documentation and exit (rule or rel4/rule)", group: 'Information' },
  {
    name: 'print-config',
    type: 'string',
    arg: 'file',
    description: 'Print the configuration used for a file as JSON (configuration files, preset, every rule) and exit',
    group: 'Information',
  },
  { name: 'help', short: 'h', type: 'boolean', description: 'Show this help and exit', group: 'Miscellaneous' },
  { name: 'version', short: 'v', type: 'boolean', description: 'Show the version and exit', group: 'Miscellaneous' },
];

/** The formats as `--help` lists them (every reporter has a line; a test checks it). */
export const FORMAT_HELP: readonly [name: string, description: string][] = [
  ['stylish', 'findings with code frames, totals and the REL 4 scorecard (default)'],
  ['compact', 'one line per finding: path:line:col: severity message [rule]'],
  ['json', 'every finding, suppressed ones, summary, scorecard and graph (versioned)'],
  ['sarif', 'SARIF 2.1.0 for GitHub code scanning and SARIF viewers'],
  ['markdown', 'a job summary or pull-request comment: scorecard and findings by best practice'],
  ['github', 'GitHub Actions workflow commands: one annotation per finding'],
  ['gitlab', 'GitLab Code Quality JSON (artifacts:reports:codequality)'],
  ['junit', 'JUnit XML: a test case per rule and file, a failure per finding'],
  ['graph', 'the service interaction graph (Mermaid, or DOT with --graph-format dot)'],
];

export interface ParsedArgs {
  paths: string[];
  format?: string;
  outputFile?: string;
  quiet: boolean;
  maxWarnings?: string;
  maxFileSize?: string;
  concurrency?: string;
  color?: boolean;
  progress: boolean;
  preset?: string;
  rule: string[];
  config?: string;
  baseline?: string;
  updateBaseline: boolean;
  cache: boolean;
  cacheLocation?: string;
  automationId?: string;
  graphFormat?: string;
  listRules: boolean;
  explain?: string;
  printConfig?: string;
  help: boolean;
  version: boolean;
}

function parseArgsConfig(): ParseArgsConfig['options'] {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const o of OPTIONS) {
    options[o.name] = {
      type: o.type,
      ...(o.short ? { short: o.short } : {}),
      ...(o.multiple ? { multiple: true } : {}),
    };
  }
  return options;
}

/** Node's messages add advice about `--`; keep the first sentence. */
function cleanMessage(message: string): string {
  const first = message.split('\n')[0]!.replace(/\. To specify .*$/, '');
  return first.replace(/\.$/, '');
}

/** Parses argv (without node and script). Throws UsageError on unknown or malformed options. */
export function parseCommandLine(argv: string[]): ParsedArgs {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options: parseArgsConfig(), allowPositionals: true, allowNegative: true, strict: true });
  } catch (error) {
    throw new UsageError(cleanMessage(error instanceof Error ? error.message : String(error)));
  }
  const v = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const str = (name: string): string | undefined => (typeof v[name] === 'string' ? (v[name] as string) : undefined);
  const bool = (name: string): boolean | undefined => (typeof v[name] === 'boolean' ? (v[name] as boolean) : undefined);
  for (const o of OPTIONS) {
    if (o.type === 'boolean' && v[o.name] === false && o.name !== 'color' && o.name !== 'progress') {
      throw new UsageError(`Unknown option '--no-${o.name}'`);
    }
  }
  return {
    paths: parsed.positionals,
    format: str('format'),
    outputFile: str('output-file'),
    quiet: bool('quiet') ?? false,
    maxWarnings: str('max-warnings'),
    maxFileSize: str('max-file-size'),
    concurrency: str('concurrency'),
    color: bool('color'),
    progress: bool('progress') ?? true,
    preset: str('preset'),
    rule: Array.isArray(v['rule']) ? (v['rule'] as string[]) : [],
    config: str('config'),
    baseline: str('baseline'),
    updateBaseline: bool('update-baseline') ?? false,
    cache: bool('cache') ?? false,
    cacheLocation: str('cache-location'),
    automationId: str('automation-id'),
    graphFormat: str('graph-format'),
    listRules: bool('list-rules') ?? false,
    explain: str('explain'),
    printConfig: str('print-config'),
    help: bool('help') ?? false,
    version: bool('version') ?? false,
  };
}

function optionLabel(o: OptionSpec): string {
  if (o.display) return o.display;
  const long = `--${o.name}${o.type === 'string' ? ` <${o.arg ?? 'value'}>` : ''}`;
  return o.short ? `-${o.short}, ${long}` : `    ${long}`;
}

/** The `--help` text, generated from OPTIONS. */
export function helpText(): string {
  const lines = [
    'Usage: rel4lint [options] [paths...]',
    '',
    'Lint TypeScript/JavaScript and infrastructure-as-code for AWS Well-Architected REL 4 mistakes.',
    'Paths default to the current directory; node_modules, .git and git-ignored files are skipped',
    'when walking a directory, but a path named here is always scanned.',
  ];
  const labels = OPTIONS.map((o) => (o.display ? `    ${o.display}` : optionLabel(o)));
  const width = Math.max(...labels.map((l) => l.length));
  const groups = [...new Set(OPTIONS.map((o) => o.group))];
  for (const group of groups) {
    lines.push('', `${group}:`);
    OPTIONS.forEach((o, i) => {
      if (o.group === group) lines.push(`  ${labels[i]!.padEnd(width)}  ${o.description}`);
    });
  }
  const formatWidth = Math.max(...FORMAT_HELP.map(([name]) => name.length));
  lines.push('', 'Formats (--format, also with -o):', ...FORMAT_HELP.map(([name, description]) => `  ${name.padEnd(formatWidth)}  ${description}`));
  lines.push(
    '',
    'Exit codes:',
    '  0  no error-level finding and warnings within --max-warnings',
    '  1  error-level findings, or more warnings than --max-warnings',
    '  2  usage, configuration or internal error',
  );
  return `${lines.join('\n')}\n`;
}
