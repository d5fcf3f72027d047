import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { colorEnabled, main } from '../../src/cli/main.js';
import { renderMarkdown } from '../../src/cli/terminal-markdown.js';
import { project, run } from '../helpers/cli.js';
import { FORMAT_HELP, helpText, OPTIONS } from '../../src/cli/options.js';
import { FORMAT_NAMES } from '../../src/reporters/index.js';
import { RULES } from '../../src/rules/index.js';

const SYNC_INVOKE = [
  "import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';",
  '',
  'const lambda = new LambdaClient({});',
  '',
  'export async function placeOrder(id: string) {',
  "  await lambda.send(new InvokeCommand({ FunctionName: 'orders', Payload: JSON.stringify({ id }) }));",
  '}',
  '',
].join('\n');

const CLEAN = 'export function add(a: number, b: number) {\n  return a + b;\n}\n';

const version = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version as string;

describe('rel4lint CLI', () => {
  describe('information', () => {
    it('prints help generated from the option table', async () => {
      const cwd = project({});
      const r = await run(['--help'], cwd);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(helpText());
      expect(r.stdout).toContain('Usage: rel4lint [options] [paths...]');
      for (const o of OPTIONS) expect(r.stdout).toContain(o.display ?? `--${o.name}`);
      expect((await run(['-h'], cwd)).stdout).toBe(r.stdout);
    });

    it('lists every format in --help, in the README and in docs/ci.md', () => {
      expect(FORMAT_HELP.map(([name]) => name)).toEqual(FORMAT_NAMES);
      const help = helpText();
      const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
      const ci = fs.readFileSync(new URL('../../docs/ci.md', import.meta.url), 'utf8');
      for (const name of FORMAT_NAMES) {
        expect(help).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
        expect(readme, `README: ${name}`).toContain(`| \`${name}\` |`);
        expect(ci, `docs/ci.md: ${name}`).toContain(`| \`${name}\` |`);
      }
    });

    it('lists every option of --help in the README, and the README none that --help lacks', () => {
      const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
      const table = readme.slice(readme.indexOf('| option | meaning |'), readme.indexOf('| format | output | for |'));
      const firstCells = table.split('\n').map((line) => line.split(' | ')[0] ?? '').join('\n');
      const documented = new Set([...firstCells.matchAll(/(--[a-z][a-z-]*)/g)].map((m) => m[1]));
      const options = OPTIONS.filter((o) => o.name !== 'help' && o.name !== 'version').flatMap((o) => (o.display ? (o.display.match(/--[a-z-]+/g) ?? []) : [`--${o.name}`]));
      for (const option of options) expect(documented, option).toContain(option);
      for (const option of documented) expect(options, option).toContain(option);
    });

    it('prints the package version', async () => {
      const cwd = project({});
      expect(await run(['--version'], cwd)).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
      expect((await run(['-v'], cwd)).stdout).toBe(`${version}\n`);
    });

    it('lists every rule with best practices, severity, presets, targets and description', async () => {
      const r = await run(['--list-rules'], project({}));
      expect(r.code).toBe(0);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^rule +best practices +severity +presets +targets +description$/);
      expect(lines).toHaveLength(RULES.length + 1);
      for (const rule of RULES) {
        const line = lines.find((l) => l.startsWith(`${rule.meta.name} `));
        expect(line, rule.meta.name).toBeDefined();
        expect(line).toContain(rule.meta.bestPractices.join(', '));
        expect(line).toContain(rule.meta.description);
        expect(line).toContain(rule.meta.targets.join(', '));
      }
    });

    it('explains a rule with its README rendered for the terminal, also as rel4/<rule>, and rejects an unknown rule', async () => {
      const cwd = project({});
      const r = await run(['--explain', 'no-sync-lambda-invoke'], cwd);
      expect(r.code).toBe(0);
      expect(r.stdout.startsWith('no-sync-lambda-invoke\n=====================\n')).toBe(true);
      expect(r.stdout).not.toContain('```');
      expect(r.stdout).not.toMatch(/^#/m);
      expect(r.stdout).not.toMatch(/\]\(https?:/);
      expect(r.stdout).toMatch(/REL04-BP02 Implement loosely coupled dependencies \(https:\/\/docs\.aws\.amazon\.com\/[^)]+\)/);
      expect(r.stdout).toMatch(/^ {4}import \{ LambdaClient/m);
      expect(r.stdout).not.toContain('\u001b[');
      expect((await run(['--explain', 'rel4/no-sync-lambda-invoke'], cwd)).stdout).toBe(r.stdout);
      const coloured = await run(['--explain', 'no-sync-lambda-invoke', '--color'], cwd);
      expect(coloured.stdout).toContain('\u001b[1m');
      const bad = await run(['--explain', 'no-such-rule'], cwd);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("unknown rule 'no-such-rule' (see --list-rules)");
      const typo = await run(['--explain', 'rel4/no-sync-lamda-invoke'], cwd);
      expect(typo.code).toBe(2);
      expect(typo.stderr).toContain("unknown rule 'rel4/no-sync-lamda-invoke': did you mean 'no-sync-lambda-invoke'?");
    });

    it('lists the rules as JSON with --format json', async () => {
      const r = await run(['--list-rules', '--format', 'json'], project({}));
      expect(r.code).toBe(0);
      const list = JSON.parse(r.stdout) as { name: string; description: string; bestPractices: string[]; severity: string; presets: string[]; targets: string[]; roles: string[]; options: Record<string, { type: string; default: unknown }>; docs: string }[];
      expect(list.map((x) => x.name)).toEqual(RULES.map((x) => x.meta.name).sort());
      for (const rule of RULES) {
        const entry = list.find((x) => x.name === rule.meta.name)!;
        expect(entry).toMatchObject({
          description: rule.meta.description,
          bestPractices: rule.meta.bestPractices,
          severity: rule.meta.severity,
          presets: rule.meta.presets,
          targets: rule.meta.targets,
          roles: rule.meta.roles,
        });
        expect(Object.keys(entry.options)).toEqual(Object.keys(rule.meta.options));
        expect(entry.docs).toMatch(new RegExp(`^https://.*${rule.meta.name}`));
      }
      const timeout = list.find((x) => x.name === 'no-unbounded-retry')!;
      expect(Object.values(timeout.options).every((o) => o.type !== undefined && 'default' in o)).toBe(true);
      const sarif = await run(['--list-rules', '--format', 'sarif'], project({}));
      expect(sarif.code).toBe(2);
      expect(sarif.stderr).toContain('--list-rules prints a table, or JSON with --format json');
    });

    it('fits the rule table to the terminal width, and keeps one line per rule off a terminal', async () => {
      const cwd = project({});
      for (const width of [60, 80, 120, 200]) {
        const r = await run(['--list-rules'], cwd, { stdoutIsTTY: true, stdoutColumns: width, env: { NO_COLOR: '1' } });
        const lines = r.stdout.trimEnd().split('\n');
        expect(Math.max(...lines.map((l) => l.length)), `width ${width}`).toBeLessThanOrEqual(width);
        // every word of every description is there, wrapped or not (a word wider than the column is cut)
        const words = r.stdout.split(/\s+/);
        for (const rule of RULES) {
          expect(r.stdout, `${rule.meta.name} at ${width}`).toContain(rule.meta.name);
          for (const word of rule.meta.description.split(' ')) if (word.length <= 20) expect(words).toContain(word);
        }
      }
      const wide = await run(['--list-rules'], cwd, { stdoutIsTTY: true, stdoutColumns: 400, env: { NO_COLOR: '1' } });
      const piped = await run(['--list-rules'], cwd, { stdoutColumns: 60 });
      expect(piped.stdout.trimEnd().split('\n')).toHaveLength(RULES.length + 1);
      expect(wide.stdout).toBe(piped.stdout);
    });

    it('fits the scorecard of the stylish report to the terminal width', async () => {
      const cwd = project({ 'src/orders.ts': SYNC_INVOKE });
      const narrow = await run([], cwd, { stdoutIsTTY: true, stdoutColumns: 80, env: { NO_COLOR: '1' } });
      const card = narrow.stdout.slice(narrow.stdout.indexOf('REL 4 scorecard')).trimEnd().split('\n');
      expect(Math.max(...card.map((l) => l.length))).toBeLessThanOrEqual(80);
      const words = card.join(' ').split(/\s+/);
      for (const word of 'Identify the kind of distributed systems you depend on'.split(' ')) expect(words).toContain(word);
      const piped = await run([], cwd);
      expect(piped.stdout).toContain('  REL04-BP01     ');
      expect(piped.stdout).toMatch(/REL04-BP01 .*Identify the kind of distributed systems you depend on$/m);
    });
  });

  describe('usage errors exit with 2 and point to --help', () => {
    const cases: [string, string[], RegExp][] = [
      ['unknown option', ['--frobnicate'], /Unknown option '--frobnicate'/],
      ['missing option value', ['--format'], /argument missing/],
      ['unknown format', ['--format', 'xml'], /unknown format 'xml' \(expected one of: stylish, compact, json, sarif, markdown/],
      ['unknown preset', ['--preset', 'paranoid'], /unknown preset 'paranoid'/],
      ['bad --max-warnings', ['--max-warnings', 'many'], /--max-warnings expects a non-negative integer/],
      ['malformed --rule', ['--rule', 'no-sync-lambda-invoke'], /--rule expects <name>=<off\|note\|warning\|error>/],
      ['bad --rule level', ['--rule', 'no-sync-lambda-invoke=fatal'], /level must be one of off, note, warning, error/],
      ['unknown rule', ['--rule', 'no-such-rule=error'], /unknown rule 'no-such-rule'/],
      ['missing path', ['does-not-exist'], /does-not-exist: no such file or directory/],
      ['negated non-boolean flag', ['--no-quiet'], /Unknown option '--no-quiet'/],
      ['bad --concurrency', ['--concurrency', 'many'], /--concurrency expects a number of threads \(1-256\), 'auto' or 'off', got 'many'/],
      ['zero --concurrency', ['--concurrency', '0'], /--concurrency expects a number of threads/],
    ];
    for (const [name, argv, message] of cases) {
      it(name, async () => {
        const r = await run(argv, project({ 'a.ts': CLEAN }));
        expect(r.code).toBe(2);
        expect(r.stdout).toBe('');
        expect(r.stderr).toMatch(message);
        expect(r.stderr).toMatch(/^rel4lint: .*\nRun 'rel4lint --help' for usage\.\n$/);
      });
    }
  });

  describe('exit codes', () => {
    it('exits 0 on a clean project and 1 on an error-level finding', async () => {
      const clean = await run([], project({ 'src/math.ts': CLEAN }));
      expect(clean.code).toBe(0);
      expect(clean.stdout).toContain('✔ No problems found');
      const dirty = await run([], project({ 'src/orders.ts': SYNC_INVOKE, 'src/math.ts': CLEAN }));
      expect(dirty.code).toBe(1);
      expect(dirty.stdout).toContain('src/orders.ts');
      expect(dirty.stdout).toContain('no-sync-lambda-invoke');
      expect(dirty.stdout).toContain('help:');
      expect(dirty.stdout).toContain('REL 4 scorecard');
    });

    it('counts warnings against --max-warnings, and never fails on notes', async () => {
      const cwd = project({ 'src/orders.ts': SYNC_INVOKE });
      const asWarning = ['--rule', 'no-sync-lambda-invoke=warning'];
      expect((await run(asWarning, cwd)).code).toBe(0);
      expect((await run([...asWarning, '--max-warnings', '1'], cwd)).code).toBe(0);
      const over = await run([...asWarning, '--max-warnings', '0'], cwd);
      expect(over.code).toBe(1);
      expect(over.stderr).toContain('too many warnings');
      expect((await run([...asWarning, '--max-warnings=-1'], cwd)).code).toBe(0);
      expect((await run(['--rule', 'no-sync-lambda-invoke=note', '--max-warnings', '0'], cwd)).code).toBe(0);
    });

    it('turns a rule off with --rule name=off (last one wins)', async () => {
      const cwd = project({ 'src/orders.ts': SYNC_INVOKE });
      const off = await run(['--rule', 'no-sync-lambda-invoke=error', '--rule', 'no-sync-lambda-invoke=off', '--format', 'json'], cwd);
      expect(off.code).toBe(0);
      const report = JSON.parse(off.stdout);
      expect(report.findings.filter((f: { rule: string }) => f.rule === 'no-sync-lambda-invoke')).toEqual([]);
      expect(report.summary.rules).not.toContain('no-sync-lambda-invoke');
    });

    it('--quiet prints errors only but the exit code still counts every finding', async () => {
      const cwd = project({ 'src/orders.ts': SYNC_INVOKE });
      const quiet = await run(['--quiet', '--rule', 'no-sync-lambda-invoke=warning'], cwd);
      expect(quiet.code).toBe(0);
      expect(quiet.stdout).not.toContain('no-sync-lambda-invoke');
      expect(quiet.stdout).toContain('Not shown (--quiet): 1 warning');
      const gated = await run(['--quiet', '--rule', 'no-sync-lambda-invoke=warning', '--max-warnings', '0', '--format', 'json'], cwd);
      expect(gated.code).toBe(1);
      expect(JSON.parse(gated.stdout).findings).toEqual([]);
    });
  });

  describe('output', () => {
    it('writes JSON with relative paths, deterministically', async () => {
      const cwd = project({ 'src/orders.ts': SYNC_INVOKE, 'src/math.ts': CLEAN });
      const a = await run(['--format', 'json'], cwd);
      const b = await run(['--format', 'json', '.'], cwd);
      expect(a.code).toBe(1);
      expect(a.stdout).toBe(b.stdout);
      expect(a.stdout).not.toContain(cwd);
      const report = JSON.parse(a.stdout);
      expect(report.version).toBe(1);
      expect(report.tool).toEqual({ name: 'rel4lint', version });
      expect(report.findings[0]).toMatchObject({ rule: 'no-sync-lambda-invoke', file: 'src/orders.ts', severity: 'error' });
      expect(report.summary.filesScanned).toBe(2);
    });

    it('counts the files analysed, and the JSON/YAML files left aside as not infrastructure as code apart', async () => {
      const cwd = project({
        'src/orders.ts': SYNC_INVOKE,
        'template.yaml': "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n",
        'package.json': '{ "name": "orders" }\n',
        'tsconfig.json': '{ "compilerOptions": {} }\n',
        'docs/data.yaml': 'items:\n  - 1\n',
      });
      const stylish = await run(['--no-color'], cwd);
      expect(stylish.stdout).toContain('Scanned 2 files: 1 code file, 1 template (1 resource); 3 JSON/YAML files skipped as not infrastructure as code');
      const report = JSON.parse((await run(['--format', 'json'], cwd)).stdout);
      expect(report.summary).toMatchObject({ filesScanned: 2, codeFiles: 1, dataFiles: 3, templates: 1, resources: 1 });
      const markdown = await run(['--format', 'markdown'], cwd);
      expect(markdown.stdout).toContain('in 2 files scanned (1 code file, 1 template, 1 resource)');
    });

    it('writes the report to --output-file (creating folders) with a summary line on stderr', async () => {
      const cwd = project({ 'src/orders.ts': SYNC_INVOKE });
      const r = await run(['--format', 'sarif', '-o', 'reports/ci/rel4lint.sarif'], cwd, { stderrIsTTY: true, stdoutIsTTY: true });
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      const log = JSON.parse(fs.readFileSync(path.join(cwd, 'reports/ci/rel4lint.sarif'), 'utf8'));
      expect(log.version).toBe('2.1.0');
      const result = log.runs[0].results[0];
      expect(result.ruleId).toBe('no-sync-lambda-invoke');
      expect(log.runs[0].tool.driver.rules[result.ruleIndex].id).toBe('no-sync-lambda-invoke');
      expect(log.runs[0].tool.driver.rules[result.ruleIndex].helpUri).toMatch(/^https:\/\/.*no-sync-lambda-invoke/);
      expect(result.locations[0].physicalLocation.artifactLocation).toEqual({ uri: 'src/orders.ts', uriBaseId: '%SRCROOT%' });
      expect(r.stderr).toContain('1 problem (1 error, 0 warnings, 0 notes)');
      expect(r.stderr).toContain('report written to reports/ci/rel4lint.sarif');
      expect(r.stderr).toContain('\u001b['); // stderr is a terminal
    });

    it('does not colour a report written to a file unless --color is given', async () => {
      const cwd = project({ 'src/orders.ts': SYNC_INVOKE });
      await run(['-o', 'out.txt'], cwd, { stdoutIsTTY: true });
      expect(fs.readFileSync(path.join(cwd, 'out.txt'), 'utf8')).not.toContain('\u001b[');
      await run(['-o', 'out.txt', '--color'], cwd);
      expect(fs.readFileSync(path.join(cwd, 'out.txt'), 'utf8')).toContain('\u001b[');
    });

    it('reports an output file it cannot write as exit 2', async () => {
      const cwd = project({ 'src/math.ts': CLEAN, blocker: 'a file, not a folder' });
      const r = await run(['-o', 'blocker/report.json', '--format', 'json'], cwd);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^rel4lint: cannot write .*blocker/);
    });

    it('colours stdout for a terminal unless told otherwise', async () => {
      const cwd = project({ 'src/orders.ts': SYNC_INVOKE });
      expect((await run([], cwd, { stdoutIsTTY: true })).stdout).toContain('\u001b[');
      expect((await run([], cwd, { stdoutIsTTY: true, env: { NO_COLOR: '1' } })).stdout).not.toContain('\u001b[');
      expect((await run(['--no-color'], cwd, { stdoutIsTTY: true })).stdout).not.toContain('\u001b[');
      expect((await run([], cwd)).stdout).not.toContain('\u001b[');
      expect((await run([], cwd, { env: { FORCE_COLOR: '1' } })).stdout).toContain('\u001b[');
      expect((await run(['--color'], cwd)).stdout).toContain('\u001b[');
    });

    it('accepts --no-progress', async () => {
      expect((await run(['--no-progress'], project({ 'a.ts': CLEAN }))).code).toBe(0);
    });

    it('scans explicitly named paths only, and warns about skipped entries on stderr', async () => {
      const cwd = project({ 'src/orders.ts': SYNC_INVOKE, 'lib/math.ts': CLEAN });
      fs.symlinkSync('missing.ts', path.join(cwd, 'lib', 'broken.ts'));
      const libOnly = await run(['lib', '--format', 'json'], cwd);
      expect(libOnly.code).toBe(0);
      expect(JSON.parse(libOnly.stdout).summary.filesScanned).toBe(1);
      expect(libOnly.stderr).toContain('skipped lib/broken.ts: broken symbolic link');
      expect((await run(['lib', '--quiet'], cwd)).stderr).toBe('');
    });
  });

  describe('robustness', () => {
    it('turns an unexpected exception into exit 2 with the message on stderr', async () => {
      let stderr = '';
      const code = await main(['--version'], {
        stdout: {
          write: () => {
            throw new Error('stdout is gone');
          },
        },
        stderr: { write: (s: string) => (stderr += s) },
        cwd: project({}),
        stdoutIsTTY: false,
        stderrIsTTY: false,
        env: {},
      });
      expect(code).toBe(2);
      expect(stderr).toContain('internal error');
      expect(stderr).toContain('stdout is gone');
    });
  });
});

describe('colorEnabled', () => {
  it('follows the flag, then FORCE_COLOR, NO_COLOR, TERM=dumb, then the terminal', () => {
    expect(colorEnabled(true, false, {})).toBe(true);
    expect(colorEnabled(false, true, { FORCE_COLOR: '1' })).toBe(false);
    expect(colorEnabled(undefined, false, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorEnabled(undefined, true, { FORCE_COLOR: '0' })).toBe(false);
    expect(colorEnabled(undefined, true, { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled(undefined, true, { NO_COLOR: '' })).toBe(true);
    expect(colorEnabled(undefined, true, { TERM: 'dumb' })).toBe(false);
    expect(colorEnabled(undefined, true, {})).toBe(true);
    expect(colorEnabled(undefined, false, {})).toBe(false);
  });
});

describe('renderMarkdown', () => {
  const doc = [
    '<!-- generated -->',
    '# Title',
    '',
    'Text with `code`, **bold**, *emphasis*, a [link](https://example.com/x) and \\*stars\\*.',
    '',
    '| | |',
    '|---|---|',
    '| Presets | strict |',
    '| Best practices | [REL04-BP02](https://aws.example/bp02) |',
    '',
    '```ts',
    '# not a heading',
    '```',
    '## Section',
    '### Sub',
    '',
  ].join('\n');

  it('renders headings, code, links and tables as text without colour', () => {
    expect(renderMarkdown(doc, false)).toBe(
      [
        'Title',
        '=====',
        '',
        'Text with `code`, bold, emphasis, a link (https://example.com/x) and *stars*.',
        '',
        'Presets         strict',
        'Best practices  REL04-BP02 (https://aws.example/bp02)',
        '',
        '    # not a heading',
        'Section',
        '-------',
        'Sub',
        '',
      ].join('\n'),
    );
  });

  it('makes headings bold and code cyan with colour, without Markdown marks', () => {
    const out = renderMarkdown(doc, true);
    expect(out).toContain('\u001b[1m\u001b[4mTitle');
    expect(out).toContain('\u001b[36mcode\u001b[39m');
    expect(out).toContain('\u001b[1mbold\u001b[22m');
    expect(out).not.toContain('## Section');
    expect(out).not.toContain('`');
    expect(out).not.toContain('=====');
  });
});
