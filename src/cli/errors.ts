/** Exit codes scripts can rely on. */
export const EXIT = { done: 0, failed: 1, usage: 2, batchPending: 3, interrupted: 130 } as const;

/** The command line was wrong: unknown option, missing argument, bad value. */
export class UsageError extends Error {
  override name = 'UsageError';
}
