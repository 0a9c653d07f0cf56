import type { Credentials } from "../config/index.ts";
import { UserError } from "../errors.ts";
import { AuthError, BlockedItemError, NotFoundError, ProtocolError, TlsError, TransientError, ValidationError } from "../opensync/errors.ts";
import { explainServerError } from "../verify/server.ts";

/** A failure as a command ends with it: the message for the person, the stable code for `--json`, the exit code. */
export interface Failure {
  message: string;
  code: string;
  exitCode: 1 | 2;
}

/** Where the connection in use came from, so advice names what to change: an environment variable, or the login. */
export interface Origin {
  url: string;
  source: Credentials["source"];
}

/** Server problems by their stable code. */
const SERVER_CODES: Array<[new (...args: never[]) => Error, string]> = [
  [AuthError, "auth-refused"],
  [NotFoundError, "url-not-found"],
  [ProtocolError, "not-opensync"],
  [TlsError, "tls-failed"],
  [BlockedItemError, "item-blocked"],
  [TransientError, "server-unreachable"],
  [ValidationError, "payload-refused"],
];

/**
 * An answer that is not OpenSync's ends a command only when it repeats (sync)
 * or for a one-off check (login, status): then its own exit code, though one
 * alone is a passing hiccup for the client (the error's exit code, 1).
 */
export const exitCodeOf = (error: UserError): 1 | 2 => (error instanceof ProtocolError ? error.commandExitCode : error.exitCode);

/** Errors a person can act on become a Failure; anything else is a bug and is thrown again. */
export function failureOf(error: unknown, origin?: Origin): Failure {
  const server = SERVER_CODES.find(([kind]) => error instanceof kind);
  if (server && origin) {
    const e = explainServerError(error, origin.url, origin.source.apiKey, origin.source.convexUrl);
    return { message: `${capitalize(e.problem)}. Fix: ${e.fix}.`, code: server[1], exitCode: e.exitCode };
  }
  if (error instanceof UserError) {
    return { message: error.message, code: server?.[1] ?? error.code ?? (error.exitCode === 2 ? "config-error" : "failed"), exitCode: exitCodeOf(error) };
  }
  // cac's own parse errors: a missing value, an argument too many.
  if (error instanceof Error && error.name === "CACError") return { message: error.message, code: "usage", exitCode: 2 };
  throw error;
}

/** A server problem re-worded with the fix that fits `origin`; other errors as they are. For a command to throw. */
export function withFix(error: unknown, origin: Origin): unknown {
  if (!SERVER_CODES.some(([kind]) => error instanceof kind)) return error;
  const failure = failureOf(error, origin);
  return new UserError(failure.message, failure.exitCode, failure.code);
}

/** What `--json` prints on stdout when a command fails. */
export function failureJson(failure: Pick<Failure, "message" | "code">) {
  return { error: failure.message, code: failure.code };
}

/** A sentence starts with a capital, unless it starts with a URL. */
const capitalize = (text: string) => (/^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : text.charAt(0).toUpperCase() + text.slice(1));
