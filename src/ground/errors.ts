/**
 * Errors whose message is meant for the user as is: the CLI prints them on one line (no stack
 * trace) and exits with code 2.
 */

/** The user asked for something that cannot be done as asked (arguments, paths, output files). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A configuration file or a rule setting is invalid. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** True for errors whose message is meant for the user as is (usage and configuration errors). */
export function isUserError(error: unknown): error is Error {
  return error instanceof UsageError || error instanceof ConfigError;
}
