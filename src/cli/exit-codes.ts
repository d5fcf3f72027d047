/** Process exit codes, as ESLint and Ruff use them. */
export const ExitCode = {
  /** No error-level finding and warnings within `--max-warnings`. */
  Ok: 0,
  /** Error-level findings, or more warnings than `--max-warnings` allows. */
  Findings: 1,
  /** Usage, configuration or internal error. */
  Error: 2,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
