/** Temporary projects and in-process CLI runs for end-to-end tests. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { main, type CliIo } from '../../src/cli/main.js';

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

export function project(files: Record<string, string>): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'rel4lint-cli-')));
  temps.push(root);
  for (const [file, content] of Object.entries(files)) {
    const full = path.join(root, file);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }
  return root;
}

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export async function run(argv: string[], cwd: string, overrides: Partial<CliIo> = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    cwd,
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env: {},
    ...overrides,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

