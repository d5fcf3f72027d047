/**
 * The integrations shipped in the repository, tried on a small fixture repository: the
 * pre-commit hooks (`.pre-commit-hooks.yaml`: the files they select, their entry run as pre-commit
 * runs it) and the GitHub Action (`action.yml`: its script steps run with bash as the runner runs
 * them, with the variables GitHub sets and the inputs substituted).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from './helpers/fixtures.js';
import { project } from './helpers/tmp.js';
import { isCandidateFile } from '../src/engine/discover.js';

const BIN = path.join(ROOT, 'bin', 'rel4lint.js');

const SYNC = [
  "import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';",
  'const lambda = new LambdaClient({});',
  'export async function handler(id: string) {',
  "  await lambda.send(new InvokeCommand({ FunctionName: 'pricing', Payload: id }));",
  '}',
  '',
].join('\n');
const CLEAN = 'export const add = (a: number, b: number): number => a + b;\n';
const QUEUE = ["AWSTemplateFormatVersion: '2010-09-09'", 'Resources:', '  Jobs:', '    Type: AWS::SQS::Queue', ''].join('\n');

/** A small repository: a handler with a synchronous invoke, a clean module, a template, data files. */
function fixtureRepo(): string {
  const root = project({
    'src/orders.ts': SYNC,
    'src/math.ts': CLEAN,
    'src/types.d.ts': 'export type Id = string;\n',
    'infra/template.yaml': QUEUE,
    'package.json': '{ "name": "orders" }\n',
    'README.md': '# orders\n',
  });
  fs.mkdirSync(path.join(root, '.git'));
  return root;
}

interface Hook {
  id: string;
  entry: string;
  language: string;
  files: string;
  exclude: string;
  pass_filenames?: boolean;
  require_serial?: boolean;
}

const HOOKS = parse(fs.readFileSync(path.join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];

/** Runs a hook's entry as pre-commit does: the bin on PATH, the selected staged files appended. */
function runHook(hook: Hook, cwd: string, staged: string[]) {
  const selected = staged.filter((f) => new RegExp(hook.files).test(f) && !new RegExp(hook.exclude).test(f));
  const [bin, ...args] = hook.entry.split(' ');
  expect(bin).toBe('rel4lint');
  const files = hook.pass_filenames === false ? [] : selected;
  return { selected, result: spawnSync(process.execPath, [BIN, ...args, ...files], { cwd, encoding: 'utf8' }) };
}

describe('pre-commit hooks', () => {
  it('are node hooks running the rel4lint bin once over the files rel4lint reads', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(Object.keys(pkg.bin)).toContain('rel4lint');
    expect(HOOKS.map((h) => h.id)).toEqual(['rel4lint', 'rel4lint-all']);
    for (const hook of HOOKS) {
      expect(hook.language).toBe('node');
      expect(hook.require_serial).toBe(true);
      const names = ['a.ts', 'a.tsx', 'a.mts', 'a.cts', 'a.js', 'a.jsx', 'a.mjs', 'a.cjs', 'a.d.ts', 'a.d.mts', 't.yaml', 't.yml', 't.json', 't.template', 'main.tf', 'a.md', 'a.py', 'a.txt', 'Makefile'];
      for (const name of names) {
        const selected = new RegExp(hook.files).test(name) && !new RegExp(hook.exclude).test(name);
        expect(selected, name).toBe(isCandidateFile(name));
      }
    }
  });

  it('install from a clone: `npm pack` there prints only the name of the tarball, which pre-commit installs', () => {
    // pre-commit runs `npm install` in its clone (`prepare` builds dist/), then `npm pack` and takes
    // the whole of its stdout as the file to install globally
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; scripts: Record<string, string> };
    expect(pkg.scripts.prepare).toContain('tsconfig.build.json');
    const packed = spawnSync('npm', ['pack', '--dry-run'], { cwd: ROOT, encoding: 'utf8' });
    expect(packed.status, packed.stderr).toBe(0);
    expect(packed.stdout.trim()).toBe(`${pkg.name}-${pkg.version}.tgz`);
  }, 120_000);

  it('fail a commit that stages a finding, pass a clean one, and scan the whole repository with rel4lint-all', () => {
    const root = fixtureRepo();
    const hook = HOOKS.find((h) => h.id === 'rel4lint')!;
    const dirty = runHook(hook, root, ['src/orders.ts', 'src/types.d.ts', 'README.md']);
    expect(dirty.selected).toEqual(['src/orders.ts']);
    expect(dirty.result.status).toBe(1);
    expect(dirty.result.stdout).toContain('no-sync-lambda-invoke');
    const clean = runHook(hook, root, ['src/math.ts', 'README.md']);
    expect(clean.result.status).toBe(0);
    expect(clean.result.stderr).toBe('');

    const all = runHook(HOOKS.find((h) => h.id === 'rel4lint-all')!, root, ['src/math.ts']);
    expect(all.result.status).toBe(1);
    expect(all.result.stdout).toContain('src/orders.ts');
    expect(all.result.stdout).toContain('infra/template.yaml');
    expect(all.result.stdout).toContain('require-queue-dlq');
  }, 120_000);
});

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  if?: string;
  shell?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}

interface Action {
  inputs: Record<string, { description: string; default: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
}

const ACTION = parse(fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as Action;

interface StepRun {
  name: string;
  status: number;
  stdout: string;
  stderr: string;
  summary: string;
  outputs: Record<string, string>;
}

/**
 * Runs the Action's script steps as the runner runs a composite action: bash -eo pipefail, the
 * step's env with `${{ inputs.* }}` and `${{ steps.*.outputs.* }}` substituted, and the variables
 * GitHub sets (GITHUB_ACTION_PATH, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP, ...). The
 * install step (npm ci in the action's folder) is replaced by the build this test runs from;
 * `uses:` steps are returned with their `with:` substituted.
 */
function runAction(workspace: string, given: Record<string, string>): { steps: StepRun[]; uses: Step[] } {
  const temp = project({});
  const inputs: Record<string, string> = {};
  for (const [name, input] of Object.entries(ACTION.inputs)) inputs[name] = given[name] ?? String(input.default);
  const outputs: Record<string, Record<string, string>> = {};
  const expression = (text: string): string =>
    text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expr: string) => {
      const input = /^inputs\.([\w-]+)$/.exec(expr);
      if (input) return inputs[input[1]!] ?? '';
      const output = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expr);
      if (output) return outputs[output[1]!]?.[output[2]!] ?? '';
      throw new Error(`expression the test runner does not know: ${expr}`);
    });
  const steps: StepRun[] = [];
  const uses: Step[] = [];
  let failed = false;
  ACTION.runs.steps.forEach((step, i) => {
    if (step.uses) {
      uses.push({ ...step, with: Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, expression(v)])) });
      return;
    }
    if (step.name === 'Install rel4lint') return;
    if (failed) return;
    const outputFile = path.join(temp, `output-${i}`);
    const summaryFile = path.join(temp, `summary-${i}`);
    fs.writeFileSync(outputFile, '');
    fs.writeFileSync(summaryFile, '');
    const env: Record<string, string> = {
      PATH: process.env['PATH'] ?? '',
      HOME: temp,
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: workspace,
      GITHUB_ACTION_PATH: ROOT,
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      RUNNER_TEMP: temp,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'acme/orders',
      GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    };
    for (const [k, v] of Object.entries(step.env ?? {})) env[k] = expression(v);
    expect(step.shell).toBe('bash');
    const script = path.join(temp, `step-${i}.sh`);
    fs.writeFileSync(script, step.run!);
    const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd: workspace, env, encoding: 'utf8' });
    const parsed: Record<string, string> = {};
    for (const line of fs.readFileSync(outputFile, 'utf8').split('\n')) {
      const m = /^([\w-]+)=(.*)$/.exec(line);
      if (m) parsed[m[1]!] = m[2]!;
    }
    if (step.id) outputs[step.id] = parsed;
    steps.push({ name: step.name ?? '', status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, summary: fs.readFileSync(summaryFile, 'utf8'), outputs: parsed });
    if (r.status !== 0) failed = true;
  });
  return { steps, uses };
}

describe('the GitHub Action', () => {
  it('is a composite action with inputs for paths, preset, baseline, args and the SARIF category', () => {
    expect(ACTION.runs.using).toBe('composite');
    expect(Object.keys(ACTION.inputs)).toEqual(expect.arrayContaining(['paths', 'preset', 'baseline', 'args', 'category', 'upload-sarif', 'annotations']));
    // the SARIF carries no automationDetails.id, or upload-sarif would ignore the category
    const run = ACTION.runs.steps.map((s) => s.run ?? '').join('\n');
    expect(run).not.toContain('--automation-id');
    const upload = ACTION.runs.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'))!;
    expect(upload.with).toMatchObject({ category: '${{ inputs.category }}' });
    expect(upload.if).toContain('always()');
  });

  it('writes SARIF and the job summary, uploads with the category, and fails on the gate', () => {
    const workspace = fixtureRepo();
    const { steps, uses } = runAction(workspace, { paths: 'src\ninfra', annotations: 'true' });
    const [sarifStep, gate, last] = steps;
    expect(sarifStep!.status).toBe(0);
    const sarifFile = sarifStep!.outputs['sarif-file']!;
    const sarif = JSON.parse(fs.readFileSync(sarifFile, 'utf8')) as { runs: { automationDetails?: unknown; results: { ruleId: string }[] }[] };
    expect(sarif.runs[0]!.automationDetails).toBeUndefined();
    expect(sarif.runs[0]!.results.map((r) => r.ruleId).sort()).toEqual(['no-sync-lambda-invoke', 'require-queue-dlq']);
    // annotations on the log, the Markdown report as the job summary, the exit code kept for the gate
    expect(gate!.status).toBe(0);
    expect(gate!.stdout).toMatch(/^::error file=src\/orders\.ts,line=4,col=21,endLine=4,endColumn=80,title=no-sync-lambda-invoke::InvokeCommand without InvocationType/m);
    expect(gate!.stdout).toMatch(/^::error file=infra\/template\.yaml,line=3,col=3,/m);
    expect(gate!.summary).toContain('**2 problems** (2 errors, 0 warnings, 0 notes)');
    expect(gate!.summary).toContain('https://github.com/acme/orders/blob/0123456789abcdef0123456789abcdef01234567/src/orders.ts#L4');
    expect(gate!.outputs['exit-code']).toBe('1');
    expect(uses.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'))!.with).toEqual({ sarif_file: sarifFile, category: 'rel4lint' });
    expect(last!.status).toBe(1);
    expect(last!.stdout).toContain('::error title=rel4lint::findings over the gate');
  }, 120_000);

  it('passes the gate with a baseline that lists the findings, which the SARIF marks as suppressed', () => {
    const workspace = fixtureRepo();
    const write = spawnSync(process.execPath, [BIN, '--update-baseline', '--preset', 'strict', '--no-progress'], { cwd: workspace, encoding: 'utf8' });
    expect(write.status).toBe(0);
    const { steps } = runAction(workspace, { baseline: 'rel4lint-baseline.json', preset: 'strict', args: '--max-warnings 0', annotations: 'false' });
    const [sarifStep, gate, last] = steps;
    const sarif = JSON.parse(fs.readFileSync(sarifStep!.outputs['sarif-file']!, 'utf8')) as { runs: { results: { suppressions?: { kind: string }[] }[] }[] };
    expect(sarif.runs[0]!.results.length).toBeGreaterThan(0);
    for (const result of sarif.runs[0]!.results) expect(result.suppressions?.[0]?.kind).toBe('external');
    expect(gate!.stdout).not.toContain('::error');
    expect(gate!.outputs['exit-code']).toBe('0');
    expect(last!.status).toBe(0);
  }, 120_000);

  it('fails at the SARIF step with exit 2 on a configuration error', () => {
    const workspace = fixtureRepo();
    fs.writeFileSync(path.join(workspace, 'rel4lint.config.json'), '{ "rules": { "no-such-rule": "error" } }');
    const { steps } = runAction(workspace, {});
    expect(steps).toHaveLength(1);
    expect(steps[0]!.status).toBe(2);
    expect(steps[0]!.stderr).toContain("rel4lint.config.json:1:14: unknown rule 'no-such-rule'");
  }, 120_000);
});
