import { describe, expect, test } from "bun:test";
import { type ClientOptions, createClient, type Outcome } from "../src/opensync/client.ts";
import { AuthError, type FailureKind, ProtocolError, RedirectError, TlsError, TransientError, ValidationError } from "../src/opensync/errors.ts";
import type { MessagePayload } from "../src/opensync/payload.ts";
import { MAX_RETRY_AFTER_MS, parseRetryAfter } from "../src/opensync/retry-after.ts";
import { errorOf } from "./helpers/outcome.ts";

/**
 * What each answer means, through the client with a fake fetch: status x
 * content type x body -> kind. Texts of the 500s are OpenSync's `String(e)` of
 * Convex errors (src/opensync/convex-texts.ts names their sources).
 */

const KEY = "osk_abcdefghijklmnopqrstuvwxyz012345";
const message: MessagePayload = {
  sessionExternalId: "s1",
  externalId: "s1:m1",
  role: "assistant",
  textContent: "hi",
  parts: [{ type: "text", content: "hi" }],
  createdAt: 1_700_000_000_000,
};

interface Fake {
  fetch: typeof fetch;
  calls: { url: string; init: RequestInit | undefined }[];
}

/** A fetch that answers every call with a fresh copy of the same response. */
function answering(status: number, body: string, headers: Record<string, string> = {}): Fake {
  const calls: Fake["calls"] = [];
  const fn = (async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(input), init });
    return new Response(status === 204 || status === 304 ? null : body, { status, headers });
  }) as typeof fetch;
  return { fetch: fn, calls };
}

function throwing(error: Error): Fake {
  const calls: Fake["calls"] = [];
  const fn = (async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(input), init });
    throw error;
  }) as unknown as typeof fetch;
  return { fetch: fn, calls };
}

const client = (fake: Fake, options: Partial<ClientOptions> = {}) =>
  createClient({ url: "https://sync.example.com", apiKey: KEY, fetch: fake.fetch, sleep: async () => {}, random: () => 0, ...options });

const HTML = { "Content-Type": "text/html; charset=utf-8" };
const JSON_TYPE = { "Content-Type": "application/json" };
const PLAIN = { "Content-Type": "text/plain" };
const error = (text: string) => JSON.stringify({ error: text });
const OCC =
  'Error: Documents read from or written to the "sessions" table changed while this mutation was being run and on every subsequent retry. See https://docs.convex.dev/error#1';

type Call = "message" | "health" | "list";
const run = (fake: Fake, call: Call): Promise<Outcome<unknown>> => {
  const c = client(fake).once;
  return call === "message" ? c.upsertMessage(message) : call === "health" ? c.health() : c.listSessions();
};

describe("an answer's kind", () => {
  test.each<[string, Call, number, FailureKind | "ok", Record<string, string>, string]>([
    ["OpenSync's answer", "message", 200, "ok", JSON_TYPE, JSON.stringify({ ok: true, messageId: "m" })],
    ["/health with timestamp", "health", 200, "ok", JSON_TYPE, JSON.stringify({ status: "ok", timestamp: 1 })],
    ["/health with version instead", "health", 200, "ok", JSON_TYPE, JSON.stringify({ status: "ok", version: "2026.10.3" })],
    ["/health with both", "health", 200, "ok", JSON_TYPE, JSON.stringify({ status: "ok", timestamp: 1, version: 3 })],
    ["/health with neither", "health", 200, "not-opensync", JSON_TYPE, JSON.stringify({ status: "ok" })],
    ["the web app's page on a GET", "list", 200, "not-opensync", HTML, "<!doctype html><html><head><title>OpenSync</title></head></html>"],
    ["a page without a content type", "list", 200, "not-opensync", {}, "<html><body>Sign in to Wi-Fi</body></html>"],
    ["an empty 200", "message", 200, "not-opensync", {}, ""],
    ["a 204", "message", 204, "not-opensync", {}, ""],
    ["JSON that is not OpenSync's", "message", 200, "not-opensync", JSON_TYPE, JSON.stringify({ ok: false })],
    ["401 from OpenSync", "message", 401, "final-auth", JSON_TYPE, error("Invalid API key")],
    ["401 as a page (a proxy's sign-in)", "list", 401, "not-opensync", HTML, "<html><title>Sign in</title></html>"],
    ["401 as plain text", "list", 401, "final-auth", PLAIN, "Unauthorized"],
    ["404 No HttpAction routed", "message", 404, "final-url", PLAIN, "No HttpAction routed for /x/sync/message"],
    ["404 as plain text", "list", 404, "final-url", PLAIN, "Not found"],
    ["404 as a page", "list", 404, "not-opensync", HTML, "<html><title>404 Not Found</title></html>"],
    ["400 from OpenSync", "message", 400, "refused", JSON_TYPE, error("Missing externalId or sessionId")],
    ["400 page from a proxy", "message", 400, "not-opensync", HTML, "<html><title>400 Bad Request</title></html>"],
    ["400 text from a proxy", "message", 400, "not-opensync", PLAIN, "Bad Request"],
    ["413 page from a proxy", "message", 413, "not-opensync", HTML, "<html><title>413 Request Entity Too Large</title></html>"],
    ["413 empty", "message", 413, "not-opensync", {}, ""],
    ["413 with an error text", "message", 413, "refused", JSON_TYPE, error("Request body too large")],
    ["403 page", "message", 403, "not-opensync", HTML, "<html><title>Attention Required!</title></html>"],
    ["403 JSON", "message", 403, "not-opensync", JSON_TYPE, error("Forbidden")],
    ["500 Internal error", "message", 500, "transient-answered", JSON_TYPE, error("Error: Internal error")],
    ["500 Database unavailable", "message", 500, "transient-answered", JSON_TYPE, error("Error: Database unavailable")],
    ["500 ConvexError", "message", 500, "transient-answered", JSON_TYPE, error('ConvexError: {"code":"busy"}')],
    ["500 JSON from a proxy", "message", 500, "transient-maybe-applied", JSON_TYPE, error("Internal error")],
    ["500 JSON from a gateway", "message", 500, "transient-maybe-applied", JSON_TYPE, error("upstream request timeout")],
    ["500 Server Error", "message", 500, "transient-answered", JSON_TYPE, error("Error: [Request ID: 1a2b] Server Error")],
    ["500 timed out", "message", 500, "transient-answered", JSON_TYPE, error("Error: Function execution timed out (maximum duration: 1s)")],
    ["500 write conflict", "message", 500, "transient-not-sent", JSON_TYPE, error(OCC)],
    ["500 OCC code", "message", 500, "transient-not-sent", JSON_TYPE, error("Error: OptimisticConcurrencyControlFailure")],
    ["500 write throughput", "message", 500, "transient-not-sent", JSON_TYPE, error("Error: Too many writes per second. Your deployment is limited to 4 MiB")],
    ["500 page", "message", 500, "transient-maybe-applied", HTML, "<html>500</html>"],
    ["500 without a body", "message", 500, "transient-maybe-applied", {}, ""],
    ["500 extra field", "message", 500, "refused", JSON_TYPE, error("Error: ArgumentValidationError: Object contains extra field `x` that is not in the validator.\n\nObject: {x: 1}")],
    ["500 wrong type", "message", 500, "refused", JSON_TYPE, error("ArgumentValidationError: Value does not match validator.\nPath: .role\nValue: \"bot\"")],
    ["500 missing field", "message", 500, "refused", JSON_TYPE, error("Error: Object is missing the required field `role`. Consider wrapping the field validator in `v.optional(...)` if this is expected.")],
    ["500 wrong table id", "message", 500, "refused", JSON_TYPE, error('Found ID "k57" from table `users`, which does not match the table name in validator `v.id("sessions")`.')],
    ["500 $ field", "message", 500, "refused", JSON_TYPE, error("Error: Field name $schema starts with a '$', which is reserved.")],
    ["500 too large", "message", 500, "refused", JSON_TYPE, error("Error: Value is too large (1.2 MiB > maximum size 1 MiB)")],
    ["500 too many bytes written", "message", 500, "refused", JSON_TYPE, error("Error: Too many bytes written in a single function execution (limit: 16 MiB)")],
    ["500 too many bytes read", "list", 500, "refused", JSON_TYPE, error("Error: Too many bytes read in a single function execution (limit: 16777216 bytes).")],
    ["500 invalid argument", "message", 500, "refused", JSON_TYPE, error("Uncaught Error: Invalid argument `id` for `db.get`: Unable to decode ID")],
    ["502 gateway page", "message", 502, "transient-not-sent", HTML, "<html><h1>502 Bad Gateway</h1></html>"],
    ["503", "message", 503, "transient-not-sent", PLAIN, "Service Unavailable"],
    ["504", "message", 504, "transient-maybe-applied", HTML, "<html>504 Gateway Timeout</html>"],
    ["520", "message", 520, "transient-maybe-applied", HTML, "<html>520</html>"],
    ["408", "message", 408, "transient-not-sent", PLAIN, "Request Timeout"],
    ["429", "message", 429, "rate-limited", PLAIN, "Too Many Requests"],
    ["405", "message", 405, "not-opensync", PLAIN, "Method Not Allowed"],
    ["418", "list", 418, "not-opensync", PLAIN, ""],
    ["304 without a Location", "list", 304, "not-opensync", {}, ""],
  ])("%s (%s, HTTP %i) -> %s", async (_name, call, status, kind, headers, body) => {
    const fake = answering(status, body, headers);
    const outcome = await run(fake, call);
    expect(outcome.ok ? "ok" : outcome.kind).toBe(kind);
    if (!outcome.ok) {
      expect(outcome.error.kind as string).toBe(kind);
      expect(outcome.status).toBe(status);
    }
    expect(fake.calls).toHaveLength(1);
  });

  test("a proxy's 413 says the request was too large, and how to fix that, not to log in", async () => {
    const outcome = await run(answering(413, "<html><title>413 Request Entity Too Large</title></html>", HTML), "message");
    if (outcome.ok) throw new Error("a 413 went through");
    expect(outcome.error).toBeInstanceOf(ProtocolError);
    expect((outcome.error as ProtocolError).stranger).toBe("too-large");
    expect(outcome.error.message).toContain("HTTP 413 with a refusal of the request as too large");
    expect(outcome.error.message).toContain("limits the size of a request");
    expect(outcome.error.message).not.toContain("login");
  });

  test.each<[string, FailureKind, Error, boolean]>([
    ["connection refused", "server-down", Object.assign(new TypeError("Unable to connect"), { code: "ECONNREFUSED" }), false],
    ["DNS failure", "server-down", Object.assign(new TypeError("getaddrinfo ENOTFOUND"), { code: "ENOTFOUND" }), false],
    ["connection reset", "transient-maybe-applied", Object.assign(new TypeError("socket hang up"), { code: "ECONNRESET" }), true],
    ["timeout", "transient-maybe-applied", new DOMException("The operation timed out.", "TimeoutError"), true],
    ["anything else", "transient-maybe-applied", new TypeError("something odd"), true],
    ["TLS", "tls", Object.assign(new TypeError("self signed certificate"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" }), false],
  ])("%s -> %s", async (_name, kind, thrown, maybeApplied) => {
    const outcome = await client(throwing(thrown)).once.upsertMessage(message);
    expect(outcome.ok ? "ok" : outcome.kind).toBe(kind);
    if (!outcome.ok) {
      expect(outcome.error).toBeInstanceOf(TransientError);
      expect((outcome.error as TransientError).maybeApplied).toBe(maybeApplied);
    }
  });
});

describe("what a failed connection says", () => {
  test.each<[string, Error, string, string]>([
    [
      "a certificate for another host, as Bun words it",
      Object.assign(new Error(`ERR_TLS_CERT_ALTNAME_INVALID fetching "https://sync.example.dev/sync/message". For more information, pass \`verbose: true\` in the second argument to fetch()`), { code: "ERR_TLS_CERT_ALTNAME_INVALID" }),
      "the server's certificate is for another host name (ERR_TLS_CERT_ALTNAME_INVALID)",
      "verbose",
    ],
    ["a self-signed certificate", Object.assign(new TypeError("self signed certificate"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" }), "self signed certificate: the server's certificate is self-signed (DEPTH_ZERO_SELF_SIGNED_CERT)", "fetch()"],
    ["an expired one, code only", Object.assign(new Error("CERT_HAS_EXPIRED"), { code: "CERT_HAS_EXPIRED" }), "the server's certificate has expired (CERT_HAS_EXPIRED)", "fetch()"],
    ["anything else from fetch", new TypeError(`Something odd fetching "https://sync.example.dev/sync/message". For more information, pass \`verbose: true\` in the second argument to fetch()`), "(Something odd)", "verbose"],
  ])("%s", async (_name, thrown, says, never) => {
    const outcome = await client(throwing(thrown)).once.upsertMessage(message);
    if (outcome.ok) throw new Error("a failed request went through");
    expect(outcome.error.message).toContain(says);
    expect(outcome.error.message).not.toContain(never);
    expect(outcome.error.message).not.toContain("fetching");
  });
});

describe("the single-attempt mode", () => {
  test("never retries, and measures the attempt with the given clock", async () => {
    const fake = answering(503, "Service Unavailable");
    const ticks = [1_000, 1_042.5];
    const outcome = await client(fake, { clock: () => ticks.shift()! }).once.upsertMessage(message);
    expect(outcome).toMatchObject({ ok: false, kind: "transient-not-sent", latencyMs: 42.5, status: 503 });
    expect(fake.calls).toHaveLength(1);
  });

  test("a success carries its latency and status", async () => {
    const ticks = [5, 17];
    const fake = answering(200, JSON.stringify({ ok: true, messageId: "m9" }), JSON_TYPE);
    expect(await client(fake, { clock: () => ticks.shift()! }).once.upsertMessage(message)).toEqual({
      ok: true,
      value: { messageId: "m9" },
      latencyMs: 12,
      status: 200,
    });
  });

  test("a payload refused before sending is an Outcome, and nothing is sent", async () => {
    const fake = answering(200, "{}");
    const outcome = await client(fake).once.upsertMessage({ ...message, parts: undefined } as never);
    expect(outcome).toMatchObject({ ok: false, kind: "refused", latencyMs: 0 });
    expect(errorOf<ValidationError>(outcome).status).toBeNull();
    expect(fake.calls).toEqual([]);
  });

  test("a 429 gives the sender its Retry-After", async () => {
    const outcome = await client(answering(429, "", { "Retry-After": "7" })).once.upsertMessage(message);
    expect(outcome).toMatchObject({ ok: false, kind: "rate-limited", retryAfterMs: 7_000 });
    const without = await client(answering(429, "")).once.upsertMessage(message);
    expect(without.ok === false && "retryAfterMs" in without).toBe(false);
  });
});

describe("the retrying mode", () => {
  test("waits what a 429 asks, then succeeds", async () => {
    let n = 0;
    const waits: number[] = [];
    const fake = (async () =>
      ++n === 1 ? new Response("", { status: 429, headers: { "Retry-After": "3" } }) : Response.json({ ok: true, messageId: "m" })) as unknown as typeof fetch;
    const c = createClient({ url: "https://sync.example.com", apiKey: KEY, fetch: fake, sleep: async (ms) => void waits.push(ms) });
    expect(await c.upsertMessage(message)).toEqual({ messageId: "m" });
    expect(waits).toEqual([3_000]);
  });

  test("gives up at once when a 429 asks for longer than someone should wait", async () => {
    const fake = answering(429, "", { "Retry-After": "120" });
    const e = await client(fake).upsertMessage(message).catch((x) => x);
    expect(e).toBeInstanceOf(TransientError);
    expect(e).toMatchObject({ kind: "rate-limited", retryAfterMs: 120_000, attempts: 1 });
    expect(e.message).toContain("asks to slow down (HTTP 429, retry after 120 s)");
    expect(fake.calls).toHaveLength(1);
  });

  test("a page that repeats through every retry is a ProtocolError naming the sync API", async () => {
    const fake = answering(200, "<!doctype html><title>OpenSync</title>", HTML);
    const e = await createClient({ url: "https://app-mirror.opensync.dev", apiKey: KEY, fetch: fake.fetch, sleep: async () => {}, retries: 2 })
      .listSessions()
      .catch((x) => x);
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e).toMatchObject({ kind: "not-opensync", attempts: 3, stranger: "page" });
    expect(e.message).toContain("a web page");
    expect(e.message).toContain("login --url https://api.opensync.dev");
    expect(fake.calls).toHaveLength(3);
  });

  test("final kinds are thrown at once", async () => {
    for (const [status, body, type] of [
      [401, error("Invalid API key"), AuthError],
      [500, error("ArgumentValidationError: Value does not match validator."), ValidationError],
    ] as const) {
      const fake = answering(status, body, JSON_TYPE);
      expect(await client(fake).upsertMessage(message).catch((x) => x)).toBeInstanceOf(type);
      expect(fake.calls).toHaveLength(1);
    }
    const tls = throwing(Object.assign(new TypeError("bad cert"), { code: "CERT_HAS_EXPIRED" }));
    expect(await client(tls).health().catch((x) => x)).toBeInstanceOf(TlsError);
    expect(tls.calls).toHaveLength(1);
  });
});

describe("redirects", () => {
  test.each([301, 302, 303, 307, 308])("a cross-origin %i is not followed; the error names the target and the fix", async (status) => {
    const fake = answering(status, "", { Location: "https://elsewhere.example.net/base/sync/message" });
    const outcome = await client(fake).once.upsertMessage(message);
    expect(outcome).toMatchObject({ ok: false, kind: "final-url", status });
    const e = errorOf<RedirectError>(outcome);
    expect(e).toBeInstanceOf(RedirectError);
    expect(e.message).toContain(`redirected POST /sync/message to https://elsewhere.example.net/base/sync/message (HTTP ${status})`);
    expect(e.message).toContain("login --url https://elsewhere.example.net/base");
    expect(e.message).not.toContain("refused the API key");
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]!.init?.redirect).toBe("manual");
  });

  test("a same-origin redirect is not followed either, and a relative Location is resolved", async () => {
    const fake = answering(301, "", { Location: "/v2/health" });
    const e = await client(fake).health().catch((x) => x);
    expect(e).toBeInstanceOf(RedirectError);
    expect(e.suggestedUrl).toBe("https://sync.example.com/v2");
    expect(fake.calls).toHaveLength(1);
  });

  test("the target is shown without user:password and query", async () => {
    const fake = answering(302, "", { Location: "http://admin:hunter2@evil.example/sync/message?token=s3cr3t#x" });
    const e = (await client(fake).upsertMessage(message).catch((x) => x)) as RedirectError;
    expect(e.location).toBe("http://evil.example/sync/message?…");
    expect(e.message).not.toContain("hunter2");
    expect(e.message).not.toContain("s3cr3t");
  });

  test("through a real socket: the session body never reaches the other server", async () => {
    let reached = 0;
    const other = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => (reached++, Response.json({ ok: true, messageId: "stolen" })) });
    const first = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (req) => new Response(null, { status: 307, headers: { Location: `http://127.0.0.1:${other.port}${new URL(req.url).pathname}` } }),
    });
    try {
      const outcome = await createClient({ url: `http://127.0.0.1:${first.port}`, apiKey: KEY }).once.upsertMessage(message);
      expect(outcome).toMatchObject({ ok: false, kind: "final-url" });
      expect(reached).toBe(0);
    } finally {
      first.stop(true);
      other.stop(true);
    }
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-10-05T12:00:00Z");
  test.each<[string | null, number | undefined]>([
    ["7", 7_000],
    [" 12 ", 12_000],
    ["0", 0],
    ["Mon, 05 Oct 2026 12:00:30 GMT", 30_000],
    ["Monday, 05-Oct-26 12:01:00 GMT", 60_000],
    ["Mon, 05 Oct 2026 11:59:00 GMT", 0],
    ["99999", MAX_RETRY_AFTER_MS],
    ["Tue, 06 Oct 2026 12:00:00 GMT", MAX_RETRY_AFTER_MS],
    ["1.5", undefined],
    ["-3", undefined],
    ["soon", undefined],
    ["", undefined],
    [null, undefined],
  ])("%p -> %p ms", (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });
});
