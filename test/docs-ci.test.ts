/**
 * The CI set-ups docs/ci.md shows, tried on a small fixture repository: the GitLab job's script,
 * the JUnit command, the GitHub workflow's steps (with the variables GitHub sets) and its use of
 * the Action, the annotations step, and the pre-commit configurations. `npx rel4lint` runs the
 * built bin of this checkout.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from './helpers/fixtures.js';
import { project } from './helpers/tmp.js';
import { parseXml } from './helpers/xml.js';

const DOC = fs.readFileSync(path.join(ROOT, 'docs', 'ci.md'), 'utf8');
const BIN = path.join(ROOT, 'bin', 'rel4lint.js');

/** The fenced code blocks of docs/ci.md in a language. */
function blocks(language: string): string[] {
  return [...DOC.matchAll(/```(\w+)\n([\s\S]*?)```/g)].filter((m) => m[1] === language).map((m) => m[2]!);
}

function fixtureRepo(): string {
  const root = project({
    'src/orders.ts': [
      "import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';",
      'const lambda = new LambdaClient({});',
      'export async function handler(id: string) {',
      "  await lambda.send(new InvokeCommand({ FunctionName: 'pricing', Payload: id }));",
      '}',
      '',
    ].join('\n'),
    'template.yaml': ["AWSTemplateFormatVersion: '2010-09-09'", 'Resources:', '  Jobs:', '    Type: AWS::SQS::Queue', ''].join('\n'),
  });
  fs.mkdirSync(path.join(root, '.git'));
  return root;
}

/** Runs a shell command of the docs as a CI runner would (bash -eo pipefail), `npx rel4lint` being this checkout's bin. */
function sh(command: string, cwd: string, env: Record<string, string> = {}) {
  const script = command.replace(/\bnpx rel4lint\b/g, `node ${JSON.stringify(BIN)}`);
  return spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], { cwd, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', CI: 'true', ...env } });
}

describe('docs/ci.md, tried on a fixture repository', () => {
  it('GitLab: the job writes Code Quality and JUnit reports, and its gate passes with the baseline', () => {
    const job = (parse(blocks('yaml').find((b) => b.startsWith('# .gitlab-ci.yml'))!) as { rel4lint: { script: string[]; artifacts: { reports: Record<string, string> } } }).rel4lint;
    const root = fixtureRepo();
    expect(sh('npx rel4lint --update-baseline --no-progress', root).status).toBe(0);
    for (const line of job.script) {
      if (line === 'npm ci') continue;
      const r = sh(line, root);
      expect(r.status, `${line}\n${r.stderr}`).toBe(0);
    }
    const quality = JSON.parse(fs.readFileSync(path.join(root, job.artifacts.reports['codequality']!), 'utf8')) as Record<string, unknown>[];
    expect(quality.map((i) => i['check_name']).sort()).toEqual(['no-sync-lambda-invoke', 'require-queue-dlq']);
    for (const issue of quality) expect(Object.keys(issue).sort()).toEqual(['check_name', 'description', 'fingerprint', 'location', 'severity']);
    const junit = parseXml(fs.readFileSync(path.join(root, job.artifacts.reports['junit']!), 'utf8'));
    expect(junit.name).toBe('testsuites');
    expect(junit.attributes['failures']).toBe('2');
  }, 120_000);

  it('JUnit for other CI systems: the command writes well-formed XML and fails on the findings', () => {
    const command = blocks('sh').find((b) => b.includes('--format junit'))!.trim();
    const root = fixtureRepo();
    const r = sh(command, root);
    expect(r.status).toBe(1);
    const xml = parseXml(fs.readFileSync(path.join(root, 'reports', 'rel4lint.xml'), 'utf8'));
    expect(xml.attributes['failures']).toBe('2');
  }, 60_000);

  it('GitHub: the workflow without the Action writes SARIF whose category applies, the job summary, and gates on new findings', () => {
    const workflows = blocks('yaml').filter((b) => b.startsWith('# .github/workflows/rel4lint.yml'));
    const manual = workflows.map((w) => parse(w) as { jobs: { rel4lint: { steps: { run?: string; uses?: string; with?: Record<string, string> }[] } } }).find((w) => w.jobs.rel4lint.steps.some((s) => s.run === 'npm ci'))!;
    const root = fixtureRepo();
    expect(sh('npx rel4lint --update-baseline --no-progress', root).status).toBe(0);
    const summary = path.join(root, 'summary.md');
    const env = { GITHUB_STEP_SUMMARY: summary, GITHUB_ACTIONS: 'true', GITHUB_SERVER_URL: 'https://github.com', GITHUB_REPOSITORY: 'acme/orders', GITHUB_SHA: 'abc123', GITHUB_WORKSPACE: root };
    for (const step of manual.jobs.rel4lint.steps) {
      if (!step.run || step.run === 'npm ci') continue;
      const r = sh(step.run, root, env);
      expect(r.status, `${step.run}\n${r.stderr}`).toBe(0);
    }
    const upload = manual.jobs.rel4lint.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'))!;
    const sarif = JSON.parse(fs.readFileSync(path.join(root, upload.with!['sarif_file']!), 'utf8')) as { runs: { automationDetails?: unknown; results: unknown[] }[] };
    // no automationDetails.id in the SARIF: upload-sarif's category names the run
    expect(sarif.runs[0]!.automationDetails).toBeUndefined();
    expect(upload.with!['category']).toBe('rel4lint');
    expect(sarif.runs[0]!.results).toHaveLength(2);
    expect(fs.readFileSync(summary, 'utf8')).toContain('No problems found');
  }, 120_000);

  it('GitHub: the workflows use only inputs the Action has, and annotations come from --format github', () => {
    const action = parse(fs.readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown> };
    const uses = blocks('yaml').flatMap((b) => [...b.matchAll(/uses: rel4lint\/rel4lint@[\w.]+\n((?:\s+.*\n?)*)/g)].map((m) => m[1]!));
    expect(uses.length).toBeGreaterThanOrEqual(2);
    for (const text of uses) {
      const withBlock = /with:\n([\s\S]*)/.exec(text)?.[1] ?? '';
      for (const key of withBlock.matchAll(/^\s+([\w-]+):/gm)) if (key[1] !== 'with') expect(Object.keys(action.inputs), key[1]).toContain(key[1]);
    }
    const annotate = /- run: (npx rel4lint [^\n]*--format github)/.exec(DOC)![1]!;
    const root = fixtureRepo();
    expect(sh('npx rel4lint --update-baseline --no-progress', root).status).toBe(0);
    fs.appendFileSync(path.join(root, 'template.yaml'), '  More:\n    Type: AWS::SQS::Queue\n');
    const r = sh(annotate, root);
    expect(r.status).toBe(1);
    expect(r.stdout.trim()).toMatch(/^::error file=template\.yaml,line=5,col=3,endLine=5,endColumn=7,title=require-queue-dlq::SQS queue `More`/);
  }, 60_000);

  it('pre-commit: the configurations name hooks the repository ships, selecting the same files', () => {
    const hooks = parse(fs.readFileSync(path.join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as { id: string; files: string; exclude: string }[];
    const configs = blocks('yaml')
      .filter((b) => b.includes('repos:'))
      .map((b) => parse(b) as { repos: { repo: string; hooks: { id: string; files?: string; exclude?: string }[] }[] });
    const remote = configs.flatMap((c) => c.repos).find((r) => r.repo !== 'local')!;
    for (const hook of remote.hooks) expect(hooks.map((h) => h.id)).toContain(hook.id);
    const local = configs.flatMap((c) => c.repos).find((r) => r.repo === 'local')!.hooks[0]!;
    expect(local.files).toBe(hooks[0]!.files);
    expect(local.exclude).toBe(hooks[0]!.exclude);
  });
});
