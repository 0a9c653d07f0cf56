import { z } from "../runtime/zod.ts";
import { parsedJson } from "../runtime/json-file.ts";
import { isCaughtExceptionText, isNotAppliedText, isRefusalText } from "./convex-texts.ts";
import { proxyFor } from "./proxy.ts";
import {
  AnswerTooLargeError,
  AuthError,
  NotFoundError,
  type OpenSyncError,
  ProtocolError,
  RedirectError,
  TlsError,
  type TransientKind,
  TransientError,
  ValidationError,
} from "./errors.ts";
import { parseRetryAfter } from "./retry-after.ts";

/** One HTTP answer as the client read it (the body at most `capBytes`). */
export interface Answer {
  method: string;
  /** The route, e.g. /sync/message (no base path, no query). */
  path: string;
  /** The full request URL. */
  url: string;
  status: number;
  contentType: string;
  body: string;
  /** The body was longer than `capBytes` and was not read to its end. */
  truncated: boolean;
  capBytes: number;
  /** A read whose size grows with the user's data: too large is a refusal, not a stranger. */
  largeRead: boolean;
  location: string | null;
  retryAfter: string | null;
}

type Verdict<T> = { ok: true; value: T } | { ok: false; error: OpenSyncError };

const ErrorBodySchema = z.object({ error: z.string() });

/**
 * What an answer means (./errors.ts lists the kinds). Pure: the table in
 * test/client-classify.test.ts goes through it via a fake fetch.
 * Order matters: 429 and 5xx mean the same whatever the body; the other
 * statuses are OpenSync's verdict only when the body is not a web page.
 */
export function classify<T>(a: Answer, schema: z.ZodMiniType<T>, now: number): Verdict<T> {
  const route = `${a.method} ${a.path}`;
  const page = a.contentType.includes("text/html") || /^\s*</.test(a.body);
  const json = page ? undefined : parsedJson(a.body);
  const s = a.status;
  const fail = (error: OpenSyncError): Verdict<T> => ({ ok: false, error });
  const stranger = (kind: ProtocolError["stranger"], detail: string) => fail(new ProtocolError(a.url, s, detail, kind));
  const transient = (kind: TransientKind, reason: string, retryAfterMs?: number) =>
    fail(
      new TransientError(`${route} to ${new URL(a.url).host} failed (${reason})`, 1, kind === "transient-maybe-applied", {
        kind,
        reason,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      }),
    );

  if (s >= 200 && s < 300) {
    if (a.truncated) return a.largeRead ? fail(new AnswerTooLargeError(route, a.capBytes)) : stranger("other", `more than ${a.capBytes} bytes`);
    if (page) return stranger("page", pageText(a.body));
    if (!a.body.trim()) return stranger("empty", "nothing");
    const answer = schema.safeParse(json);
    return answer.success ? { ok: true, value: answer.data } : stranger("other", a.body);
  }
  // An answer that is not a success: OpenSync's own error text, when it gave one.
  const errorText = ErrorBodySchema.safeParse(json).data?.error;
  if (s >= 300 && s < 400 && a.location) return fail(redirect(a, route));
  // A sign-in page is a proxy's, not OpenSync refusing the key.
  if (s === 401) return page ? stranger("page", pageText(a.body)) : fail(new AuthError(errorText ?? (a.body || "HTTP 401")));
  if (s === 429) {
    const wait = parseRetryAfter(a.retryAfter, now);
    return transient("rate-limited", `HTTP 429${wait === undefined ? "" : `, retry after ${Math.ceil(wait / 1000)} s`}`, wait);
  }
  if (s === 408) return transient("transient-not-sent", "HTTP 408");
  if (s === 500 && errorText !== undefined) {
    if (isRefusalText(errorText)) return fail(new ValidationError(route, s, errorText));
    const reason = `server error: ${errorText.split("\n", 1)[0]}`;
    // A mutation that lost a write conflict was rolled back. An exception OpenSync's handler caught and answered: its
    // write threw and was rolled back, or (a session's) was applied before a later step threw; either way the request
    // is over, and nothing of it lands after a newer write. Another text is a proxy's: the write may still land.
    if (isNotAppliedText(errorText)) return transient("transient-not-sent", reason);
    return transient(isCaughtExceptionText(errorText) ? "transient-answered" : "transient-maybe-applied", reason);
  }
  // 502/503: the gateway could not reach the backend. 504 and other 5xx: it may have run.
  if (s === 502 || s === 503) return transient("transient-not-sent", `HTTP ${s}`);
  if (s >= 500) return transient("transient-maybe-applied", `HTTP ${s}`);
  // Without OpenSync's error text, a proxy's limit on this request's size (a hiccup once; it is tried again), not a wrong URL.
  if (s === 413) return errorText === undefined ? stranger("too-large", page ? pageText(a.body) : a.body.trim() || "an empty body") : fail(new ValidationError(route, s, errorText));
  if (page) return stranger("page", pageText(a.body));
  if (s === 404) return fail(new NotFoundError(a.url, errorText ?? (a.body || "HTTP 404")));
  if (s === 400 && errorText !== undefined) return fail(new ValidationError(route, s, errorText));
  if (s === 403) return stranger("forbidden", errorText ?? (a.body || "HTTP 403"));
  return stranger(a.body.trim() ? "other" : "empty", errorText ?? (a.body || "nothing"));
}

/** The target shown without user:password or query, and the base URL that would reach the same route there. */
function redirect(a: Answer, route: string): RedirectError {
  let target: URL;
  try {
    target = new URL(a.location!, a.url);
  } catch {
    return new RedirectError(route, a.status, "an unreadable address", new URL(a.url).origin);
  }
  const shown = `${target.origin}${target.pathname}${target.search || target.hash ? "?…" : ""}`;
  const base = target.pathname.endsWith(a.path) ? target.pathname.slice(0, -a.path.length) : "";
  return new RedirectError(route, a.status, shown, `${target.origin}${base.replace(/\/+$/, "")}`);
}

/** An HTML page as a message can show it: its title, else its first text. */
function pageText(html: string): string {
  const title = html.match(/<title[^>]*>([^<]*)<\/title>/i)?.[1]?.trim();
  if (title) return title;
  return html.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim() || "an empty page";
}


/** Connection failures after which the request surely never reached the server. */
const DOWN_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ConnectionRefused", "FailedToOpenSocket"]);
const TLS_CODE = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|HOSTNAME_MISMATCH|ALTNAME/i;

/** What the usual certificate problems mean, said for a person rather than as the code alone. */
const TLS_MEANING: Array<[RegExp, string]> = [
  [/ALTNAME|HOSTNAME_MISMATCH/, "the server's certificate is for another host name"],
  [/SELF_SIGNED/, "the server's certificate is self-signed"],
  [/EXPIRED/, "the server's certificate has expired"],
  [/NOT_YET_VALID/, "the server's certificate is not valid yet"],
  [/UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER/, "the server's certificate is not signed by an authority this machine trusts"],
];

/**
 * fetch's error message without what only its own callers can act on: Bun adds the URL
 * (` fetching "…"`, said already) and a hint about its own `verbose` option.
 */
function fetchMessage(message: string | undefined, fallback: string): string {
  const text = (message ?? "")
    .replace(/ fetching "[^"]*"/, "")
    .replace(/\.? ?For more information, pass `verbose: true` in the second argument to fetch\(\)\.?/, "")
    .trim();
  return text || fallback;
}

function tlsDetail(message: string | undefined, code: string): string {
  const text = fetchMessage(message, code);
  const meaning = TLS_MEANING.find(([re]) => re.test(code))?.[1];
  return text === code ? (meaning ?? code) : `${text}${meaning && !text.includes(meaning) ? `: ${meaning}` : ""}`;
}

/** What a request that got no answer means: fetch's error, the attempt's timeout or a dropped connection. */
export function classifyFailure(error: unknown, at: { route: string; host: string; url: URL; timeoutMs: number; hide: (text: string) => string }): OpenSyncError {
  const e = error as { name?: string; code?: string; message?: string };
  const transient = (reason: string, maybeApplied: boolean, kind?: "server-down") =>
    new TransientError(`${at.route} to ${at.host} failed (${reason})`, 1, maybeApplied, { reason, ...(kind ? { kind } : {}) });
  if (e?.name === "TimeoutError" || e?.name === "AbortError") return transient(`no answer within ${at.timeoutMs / 1000} s`, true);
  const code = typeof e?.code === "string" ? e.code : "";
  if (TLS_CODE.test(code)) return new TlsError(at.host, `${at.hide(tlsDetail(e.message, code))} (${code})`);
  if (DOWN_CODES.has(code)) {
    // Through a proxy, the connection that failed is the proxy's: naming the server would send the user to check the wrong address.
    const proxy = proxyFor(at.url);
    if (proxy) return transient(`cannot ${code === "ENOTFOUND" || code === "EAI_AGAIN" ? "resolve" : "connect to"} the proxy ${proxy.host} set in $${proxy.variable} (${code})`, false, "server-down");
    if (code === "ENOTFOUND" || code === "EAI_AGAIN") return transient(`cannot resolve ${at.host} (offline, or a wrong URL?)`, false, "server-down");
    return transient(`cannot connect to ${at.host} (${code})`, false, "server-down");
  }
  if (code === "ECONNRESET") return transient("the connection closed before an answer", true);
  return transient(at.hide(fetchMessage(e?.message, String(error))), true);
}
