/**
 * Errors that the CLI turns into exit code 2 with a one-line message (no stack trace): the user
 * asked for something that cannot be done as asked.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** True for errors whose message is meant for the user as is (usage and configuration errors). */
export function isUserError(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  if (error instanceof UsageError) return true;
  // ConfigError lives in core/config.ts; match it by class name so that this module does not
  // pull the rule registry in.
  for (let proto: object | null = Object.getPrototypeOf(error); proto; proto = Object.getPrototypeOf(proto)) {
    const name = (proto as { constructor?: { name?: unknown } }).constructor?.name;
    if (name === 'ConfigError' || name === 'UsageError') return true;
  }
  return error.name === 'ConfigError';
}
