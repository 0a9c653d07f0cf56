/**
 * An error meant for the person at the terminal: `message` says what went wrong
 * and what to do. `exitCode` follows the CLI's convention: 1 for something still
 * pending or failed, 2 for usage, config and authentication problems. `code` is
 * the stable kebab-case name `--json` output gives it, for scripts.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 2,
    readonly code?: string,
  ) {
    super(message);
    this.name = "UserError";
  }
}
