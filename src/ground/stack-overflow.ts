/**
 * Stack overflows that analysis turned into findings ("nesting is too deep"). Whether a deeply
 * nested file overflows depends on the stack of the thread that reads it, and worker threads
 * have a smaller one than the main thread: a worker that meets an overflow hands the file back,
 * and the main thread's result is the one reported, whatever the number of threads.
 */
let seen = false;

/** Called where a stack overflow is caught and reported as a problem with the file. */
export function noteStackOverflow(): void {
  seen = true;
}

/** True when an overflow was noted since the last call. */
export function takeStackOverflow(): boolean {
  const was = seen;
  seen = false;
  return was;
}

/** A stack overflow, or an error caused by one (a rule that failed because of it). */
export function isStackOverflow(error: unknown): boolean {
  for (let e = error; e instanceof Error; e = e.cause) if (e instanceof RangeError && /call stack/i.test(e.message)) return true;
  return false;
}
