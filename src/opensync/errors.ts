import { UserError } from "../errors.ts";
import { HOSTED_SYNC_API, SYNC_API_URLS } from "./hosted-addresses.ts";

/**
 * How a call to OpenSync failed, as a sender must react to it:
 * - final-auth (AuthError): stop everything, the user has to log in again;
 * - final-url (NotFoundError, RedirectError): the URL is wrong, stop everything;
 * - refused (ValidationError, AnswerTooLargeError): this item, for good: record it and move on;
 * - not-opensync (ProtocolError): something that is not OpenSync answered (a page, a 403, an
 *   empty body); transient once, a wrong URL or a proxy in the way when it repeats;
 * - transient-not-sent: the request surely was not applied (502/503, a rolled-back write conflict);
 * - transient-answered: OpenSync answered with an error of its own (an unknown 500 whose text is an exception
 *   its handler caught, `Error: …`): the write may have been applied before the step that failed (a session's,
 *   before its search job was scheduled), but the request is over: nothing of it lands later;
 * - transient-maybe-applied: it may have been, and may still be, applied with nothing to say so (timeout,
 *   reset, 504, a 500 that is not OpenSync's answer: a page, no body, a proxy's JSON);
 * - server-down: no connection (refused, DNS);
 * - rate-limited: 429, with the wait the server asked for;
 * - tls (TlsError): the HTTPS connection could not be trusted.
 * Messages never contain the API key.
 */
const FAILURE_KINDS = [
  "final-auth",
  "final-url",
  "refused",
  "not-opensync",
  "transient-not-sent",
  "transient-answered",
  "transient-maybe-applied",
  "server-down",
  "rate-limited",
  "tls",
] as const;
export type FailureKind = (typeof FAILURE_KINDS)[number];
export type TransientKind = Exclude<FailureKind, "final-auth" | "final-url" | "refused">;


/** Masks anything that looks like an API key, and a URL's `user:password@`, in text we did not write ourselves. */
export function maskCredentials(text: string): string {
  return text.replace(/osk_[A-Za-z0-9_-]+/g, "osk_[redacted]").replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/?#\s@]*@/gi, "$1");
}

/** First line, shortened: server texts can carry whole payloads. */
function brief(text: string, max = 300): string {
  const line = text.split("\n", 1)[0]!.trim();
  return line.length > max ? `${line.slice(0, max)}...` : line;
}

/** Any failure of a call to OpenSync; `kind` says what to do about it. */
export abstract class OpenSyncError extends UserError {
  abstract readonly kind: FailureKind;
}

export class AuthError extends OpenSyncError {
  readonly kind = "final-auth";
  constructor(readonly serverMessage: string) {
    super(
      `OpenSync refused the API key (${brief(maskCredentials(serverMessage))}). ` +
        "Generate a new key in the OpenSync dashboard (Settings) and run `claude-code-sync login`.",
      2,
    );
    this.name = "AuthError";
  }
}

export class NotFoundError extends OpenSyncError {
  readonly kind = "final-url";
  constructor(
    readonly url: string,
    readonly serverMessage: string,
  ) {
    super(
      `${url} is not an OpenSync endpoint (404: ${brief(maskCredentials(serverMessage))}). ` +
        `The sync API is ${SYNC_API_URLS}. Run \`claude-code-sync login\` with the right URL.`,
      2,
    );
    this.name = "NotFoundError";
  }
}

/**
 * The server answered with a redirect. None is followed: a 307/308 would
 * forward the sessions (and a same-origin one the key) to wherever it points.
 */
export class RedirectError extends OpenSyncError {
  readonly kind = "final-url";
  constructor(
    readonly route: string,
    readonly status: number,
    /** The redirect target, safe to show (no user:password, no query). */
    readonly location: string,
    /** The base URL to log in with if the user trusts the target. */
    readonly suggestedUrl: string,
  ) {
    super(
      `The server redirected ${route} to ${location} (HTTP ${status}). claude-code-sync does not follow redirects, ` +
        "so your API key and sessions go only to the address you logged in with. " +
        `If you trust that address, run \`claude-code-sync login --url ${suggestedUrl}\`.`,
      2,
    );
    this.name = "RedirectError";
  }
}

/**
 * OpenSync refused this payload (a 500 with one of Convex's validation texts, or
 * OpenSync's own 400), or it was refused here before sending (status null):
 * sending the same payload again will not help.
 */
export class ValidationError extends OpenSyncError {
  readonly kind = "refused";
  constructor(
    readonly route: string,
    readonly status: number | null,
    readonly serverMessage: string,
  ) {
    super(
      status === null
        ? `Not sent: invalid payload for ${route}: ${brief(maskCredentials(serverMessage))}`
        : `OpenSync refused ${route} (HTTP ${status}): ${brief(maskCredentials(serverMessage))}`,
      1,
    );
    this.name = "ValidationError";
  }
}

/** A read answered with more than the client reads at most: asking again returns the same. */
export class AnswerTooLargeError extends OpenSyncError {
  readonly kind = "refused";
  constructor(
    readonly route: string,
    readonly capBytes: number,
  ) {
    super(`The answer to ${route} is larger than ${mib(capBytes)} MiB; it was not read.`, 1);
    this.name = "AnswerTooLargeError";
  }
}

interface TransientDetails {
  kind?: TransientKind;
  /** What went wrong, briefly ("HTTP 503"), for a summary after several attempts. */
  reason?: string;
  /** How long the server asked to wait (429 Retry-After), capped. */
  retryAfterMs?: number;
  /** See UserError. */
  retryNote?: string;
}

/** What a client that gave up on a transient failure tells a one-off `sync`. */
export const RETRY_ON_NEXT_SYNC = "Will retry on next sync.";

export class TransientError extends OpenSyncError {
  readonly kind: TransientKind;
  readonly reason: string;
  readonly retryAfterMs?: number;
  constructor(
    message: string,
    readonly attempts: number,
    /** The request may be stored, or still be, with no answer saying so (timeout, reset, 504): a write that may land later (sync/unsure.ts). */
    readonly maybeApplied: boolean,
    details: TransientDetails = {},
  ) {
    super(maskCredentials(message), 1, undefined, details.retryNote);
    this.name = "TransientError";
    this.kind = details.kind ?? (maybeApplied ? "transient-maybe-applied" : "transient-not-sent");
    this.reason = maskCredentials(details.reason ?? message);
    if (details.retryAfterMs !== undefined) this.retryAfterMs = details.retryAfterMs;
  }
}

/** A request given up on for its timeout, not refused: a slow network or server may only need more time. */
export function isTimeout(error: TransientError): boolean {
  return /^no answer within /.test(error.reason);
}

/** What a timeout's fix adds: the setting that gives each request more time. */
export const MORE_TIME = "on a slow network or server, give each request longer with CLAUDE_CODE_SYNC_TIMEOUT_MS (milliseconds)";

/** A transient failure the server itself reported (an HTTP 5xx, or OpenSync's own error text): it is up, and failing. */
export function isServerFailure(error: TransientError): boolean {
  return /\bHTTP 5\d\d\b|\bserver error: /.test(error.reason);
}

/** What answered instead of OpenSync, as a ProtocolError says it. */
type Stranger = "page" | "forbidden" | "too-large" | "empty" | "other";

/**
 * Something that is not OpenSync answered: the web app's page, a proxy's or
 * portal's page, a 403, an empty body. Once is transient (a portal, a proxy
 * hiccup); the caller counts repeats, which mean a wrong URL or a proxy in the way.
 */
export class ProtocolError extends TransientError {
  override readonly kind = "not-opensync";
  constructor(
    readonly url: string,
    readonly status: number,
    readonly detail: string,
    readonly stranger: Stranger = "other",
    attempts = 1,
  ) {
    super(
      `${notOpenSyncText(url, status, detail, stranger)}. ${fixFor(url, stranger)}`,
      attempts,
      false,
      { kind: "not-opensync", reason: answered(status, stranger) },
    );
    this.name = "ProtocolError";
  }

  /** The message, said at `base` (the address the user gave) rather than at the request's path. */
  at(base: string): string {
    return `${notOpenSyncText(base, this.status, this.detail, this.stranger)}. ${fixFor(base, this.stranger)}`;
  }

  /** A command stopped by this: the URL is wrong, a usage problem (2); a proxy's size limit is not (1). */
  get commandExitCode(): 1 | 2 {
    return this.stranger === "too-large" ? 1 : 2;
  }
}

/**
 * A ProtocolError for one item while other requests of the run went through:
 * the URL is right; something in front of OpenSync (a firewall, a proxy)
 * blocks this item. It stays pending.
 */
export class BlockedItemError extends TransientError {
  constructor(error: ProtocolError, id: string) {
    super(
      `Sending ${id}, ${safeHost(error.url)} answered ${answered(error.status, error.stranger)} (${brief(maskCredentials(error.detail), 200)}), ` +
        "while other requests went through: something in front of OpenSync (a firewall or proxy) blocks this item",
      error.attempts,
      false,
      { kind: "not-opensync", reason: `${answered(error.status, error.stranger)}, for this item only` },
    );
    this.name = "BlockedItemError";
  }
}

const answered = (status: number, stranger: Stranger) => `HTTP ${status} with ${describe(stranger)}`;

function describe(stranger: Stranger): string {
  if (stranger === "page") return "a web page";
  if (stranger === "forbidden") return "a refusal from something in front of the server";
  if (stranger === "too-large") return "a refusal of the request as too large";
  if (stranger === "empty") return "an empty body";
  return "something else";
}

const isHosted = (url: string) => /(^|\.)opensync\.dev$/.test(safeHost(url));

/**
 * What answered at `url` instead of OpenSync, and what that means: the one wording of every command
 * (login, sync, verify, synctest, status, watch), each adding the fix that fits where the URL came from.
 */
export function notOpenSyncText(url: string, status: number, detail: string, stranger: Stranger): string {
  const said = stranger === "empty" ? "" : ` ("${brief(maskCredentials(detail), 200)}")`;
  return `${url} answered ${answered(status, stranger)}${said} instead of OpenSync's reply${meaning(url, stranger)}`;
}

function meaning(url: string, stranger: Stranger): string {
  if (stranger === "page") return isHosted(url) ? ": that is the OpenSync web app's address, not its sync API's" : ": that is a web app's or a proxy's page, not the sync API";
  return stranger === "too-large" ? "" : ": a wrong URL, or something in front of the server";
}

function fixFor(url: string, stranger: Stranger): string {
  if (stranger === "page") {
    return isHosted(url)
      ? `Run \`claude-code-sync login --url ${HOSTED_SYNC_API}\`.`
      : `Use the sync API's address (${SYNC_API_URLS}) with \`claude-code-sync login\`.`;
  }
  if (stranger === "too-large") return "If this repeats, a proxy between you and OpenSync limits the size of a request: raise its limit.";
  return "If this repeats, check the URL with `claude-code-sync login` and any proxy between you and the server.";
}

function safeHost(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return "";
  }
}

/** The HTTPS connection could not be trusted. Not retried at once; the next sync tries again. */
export class TlsError extends TransientError {
  override readonly kind = "tls";
  constructor(host: string, detail: string) {
    super(
      `Secure connection to ${host} failed: ${detail}. Check the server URL and your system clock; ` +
        "behind a proxy that inspects HTTPS, point NODE_EXTRA_CA_CERTS to its CA certificate.",
      1,
      false,
      { kind: "tls", retryNote: RETRY_ON_NEXT_SYNC },
    );
    this.name = "TlsError";
  }
}

function mib(bytes: number): string {
  return String(Math.round((bytes / 1024 / 1024) * 10) / 10);
}
