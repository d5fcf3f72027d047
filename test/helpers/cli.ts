/** Temporary projects and in-process CLI runs for end-to-end tests. */
import { main, type CliIo } from '../../src/cli/main.js';

export { project } from './tmp.js';

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

