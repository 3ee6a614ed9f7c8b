// The exit codes of the `capstan` commands that talk to the manager. Scripts branch on
// them, so they never change meaning (the seed-compatible local commands keep the seed's
// own tables instead: see src/cli/local/exit-tables.ts).

export const EXIT = {
  ok: 0,
  /** Anything not covered below. */
  failed: 1,
  /** Wrong command-line arguments. */
  usage: 2,
  /** The manager refused the input (400). */
  invalid: 3,
  /** Not logged in, expired, or the roles do not allow it (401, 403). */
  denied: 4,
  /** No such resource (404). */
  notFound: 5,
  /** Refused in the current state: busy, wrong state, exists already (409). */
  conflict: 6,
  /** The task ran and ended failed or cancelled. */
  taskFailed: 7,
  /** The manager could not be reached, or its certificate is not trusted. */
  unreachable: 8,
  /** The manager failed (5xx). */
  serverError: 9,
} as const;

export function exitForStatus(status: number): number {
  if (status === 400 || status === 422) return EXIT.invalid;
  if (status === 401 || status === 403 || status === 429) return EXIT.denied;
  if (status === 404) return EXIT.notFound;
  if (status === 409) return EXIT.conflict;
  if (status >= 500) return EXIT.serverError;
  return EXIT.failed;
}

export const EXIT_CODES_HELP = `
Exit codes:
  0 success                    5 no such resource
  1 other failure              6 refused in the current state (busy, exists, wrong state)
  2 bad command-line usage     7 the task ended failed or cancelled
  3 the manager refused input  8 the manager is unreachable or its certificate untrusted
  4 not logged in / not allowed  9 the manager failed`;
