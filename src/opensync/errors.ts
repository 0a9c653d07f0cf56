import { UserError } from "../errors.ts";

/**
 * How a call to OpenSync failed, as the sync engine must react to it:
 * - AuthError: stop everything, the user has to log in again (never retried);
 * - NotFoundError, ProtocolError: the URL is wrong, stop everything;
 * - ValidationError: this item is refused for good, record it and move on;
 * - TransientError (and TlsError): stop this run, keep the work pending.
 * Messages never contain the API key.
 */

/** Strips anything that looks like an API key from text we did not write ourselves. */
export function redact(text: string): string {
  return text.replace(/osk_[A-Za-z0-9_-]+/g, "osk_[redacted]");
}

/** First line, shortened: server texts can carry whole payloads. */
function brief(text: string, max = 300): string {
  const line = text.split("\n", 1)[0]!.trim();
  return line.length > max ? `${line.slice(0, max)}...` : line;
}

export class AuthError extends UserError {
  constructor(readonly serverMessage: string) {
    super(
      `OpenSync refused the API key (${brief(redact(serverMessage))}). ` +
        "Generate a new key in the OpenSync dashboard (Settings) and run `claude-code-sync login`.",
      2,
    );
    this.name = "AuthError";
  }
}

export class NotFoundError extends UserError {
  constructor(
    readonly url: string,
    readonly serverMessage: string,
  ) {
    super(
      `${url} is not an OpenSync endpoint (404: ${brief(redact(serverMessage))}). ` +
        "OpenSync's sync API lives on your deployment's .convex.site host, not on .convex.cloud " +
        "(https://<name>.convex.site). Run `claude-code-sync login` with the right URL.",
      2,
    );
    this.name = "NotFoundError";
  }
}

/** The server answered, but not with anything OpenSync answers: most likely a wrong URL or a proxy page. */
export class ProtocolError extends UserError {
  constructor(
    readonly url: string,
    readonly status: number,
    detail: string,
  ) {
    super(
      `${url} answered HTTP ${status} with something that is not an OpenSync reply (${brief(redact(detail), 200)}). ` +
        "Check the server URL with `claude-code-sync login`.",
      2,
    );
    this.name = "ProtocolError";
  }
}

/**
 * OpenSync refused this payload (500 from its argument validation or storage
 * limits, 400, 413), or it was refused here before sending (status null):
 * re-sending the same payload will not help.
 */
export class ValidationError extends UserError {
  constructor(
    readonly route: string,
    readonly status: number | null,
    readonly serverMessage: string,
  ) {
    super(
      status === null
        ? `Not sent: invalid payload for ${route}: ${brief(redact(serverMessage))}`
        : `OpenSync refused ${route} (HTTP ${status}): ${brief(redact(serverMessage))}`,
      1,
    );
    this.name = "ValidationError";
  }
}

export class TransientError extends UserError {
  constructor(
    message: string,
    readonly attempts: number,
    /** The request may have been stored before the connection failed (timeout, reset, 504). */
    readonly maybeApplied: boolean,
  ) {
    super(redact(message), 1);
    this.name = "TransientError";
  }
}

/** The HTTPS connection could not be trusted. Not retried at once; the next sync tries again. */
export class TlsError extends TransientError {
  constructor(host: string, detail: string) {
    super(
      `Secure connection to ${host} failed: ${detail}. Check the server URL and your system clock; ` +
        "behind a proxy that inspects HTTPS, point NODE_EXTRA_CA_CERTS to its CA certificate. Will retry on next sync.",
      1,
      false,
    );
    this.name = "TlsError";
  }
}

/**
 * A transient error's text without its closing advice for `sync` ("will retry
 * on next sync"): wrong for a one-off check, redundant where the caller says
 * itself when it retries.
 */
export function withoutRetryNote(message: string): string {
  return message.replace(/[;.]?\s*will retry on next sync\.?$/i, "").replace(/\.$/, "");
}
