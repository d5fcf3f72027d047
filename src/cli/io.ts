/** What the command line reads from and writes to: the process's streams, or a test's. */

export interface WritableLike {
  write(chunk: string): unknown;
}

export interface CliIo {
  stdout: WritableLike;
  stderr: WritableLike;
  cwd: string;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** Columns of the terminal stdout is (tables fit them); undefined when unknown. */
  stdoutColumns?: number;
  env: Record<string, string | undefined>;
}
