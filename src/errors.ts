/**
 * An error meant for the person at the terminal: `message` says what went wrong
 * and what to do. `exitCode` follows the CLI's convention: 1 for something still
 * pending or failed, 2 for usage, config and authentication problems. `code` is
 * the stable kebab-case name `--json` output gives it, for scripts.
 * `retryNote` ("Will retry on next sync.") closes the message but is kept apart:
 * callers that say themselves when they retry (watch, hooks) and one-off checks
 * (login) show `withoutRetryNote(error)` instead.
 */
export class UserError extends Error {
  /** The message without its retry note. */
  readonly happened: string;
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 2,
    readonly code?: string,
    retryNote?: string,
  ) {
    super(retryNote ? `${message} ${retryNote}` : message);
    this.name = "UserError";
    this.happened = message;
  }
}

/** What went wrong, without the advice to run again; no closing period, for the caller to go on. */
export function withoutRetryNote(error: Error): string {
  return (error instanceof UserError ? error.happened : error.message).replace(/\.$/, "");
}
