import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { type ClientOptions, createClient } from "../src/opensync/client.ts";
import { AuthError, NotFoundError, ProtocolError, TlsError, TransientError, ValidationError } from "../src/opensync/errors.ts";
import type { MessagePayload } from "../src/opensync/payload.ts";
import { startTestServer, type TestServer } from "../testserver/server.ts";
import { reasons } from "./testserver-helpers.ts";

let server: TestServer;
let delays: number[];

beforeEach(async () => {
  server = await startTestServer();
  delays = [];
});
afterEach(() => server.stop());

/** A client against the test server whose backoff only records the delays. */
const client = (options: Partial<ClientOptions> = {}) =>
  createClient({
    url: server.url,
    apiKey: server.apiKey,
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...options,
  });

const session = { externalId: "s1", source: "claude-code", title: "Fix the build", createdAt: Date.now() - 120_000 };
const message = (id: string, extra: Partial<MessagePayload> = {}): MessagePayload => ({
  sessionExternalId: "s1",
  externalId: `s1:${id}`,
  role: "assistant",
  textContent: id,
  parts: [{ type: "text", content: id }],
  createdAt: Date.now() - 60_000,
  ...extra,
});

/** A fetch that answers every call with `answer` and counts them. */
function fakeFetch(answer: () => Response | Promise<Response>) {
  const calls: string[] = [];
  const fn = (async (input: string | URL | Request) => {
    calls.push(String(input));
    return answer();
  }) as typeof fetch;
  return { fn, calls };
}

const sessionPosts = () => server.counts()["POST /sync/session"] ?? 0;

test("a good client's sequence leaves no violation", async () => {
  const c = client();
  expect(await c.health()).toEqual({ status: "ok", timestamp: expect.any(Number) });
  expect(await c.upsertSession(session)).toEqual({ sessionId: expect.any(String) });
  expect(await c.upsertMessage(message("u1", { role: "user" }))).toEqual({ messageId: expect.any(String) });
  expect(await c.upsertMessage(message("a1", { parts: [] }))).toEqual({ messageId: expect.any(String) });
  await c.upsertSession({ externalId: "s1", source: "claude-code", promptTokens: 120, completionTokens: 30, cost: 0.02 });
  expect(await c.listSessions()).toEqual(["s1"]);

  expect(server.violations()).toEqual([]);
  expect(server.session("s1")).toMatchObject({ createdAt: session.createdAt, promptTokens: 120, messageCount: 2 });
  expect(delays).toEqual([]);
});

describe("retries", () => {
  test("502, dropped connection, 504 and a write conflict are retried with growing delays", async () => {
    server.setFaults({
      rules: [
        { kind: 502, path: "/sync/session" },
        { kind: "drop", path: "/sync/session", skip: 1 },
        { kind: 504, path: "/sync/session", skip: 2 },
        { kind: "occ", path: "/sync/session", skip: 3 },
      ],
    });
    expect(await client({ retries: 4, random: () => 0 }).upsertSession(session)).toEqual({ sessionId: expect.any(String) });
    expect(sessionPosts()).toBe(5);
    expect(delays).toEqual([250, 500, 1000, 2000]);
    expect(server.dump()).toHaveLength(1);
  });

  test("jitter keeps delays between half and all of the step, capped at 8 s", async () => {
    server.setFaults({ rules: [{ kind: 503, times: 6 }] });
    await client({ retries: 6, random: () => 0.999999 }).health();
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
  });

  test("when retries run out: a TransientError that says the next sync retries", async () => {
    server.setFaults({ rules: [{ kind: 503, times: 100 }] });
    const error = await client().upsertSession(session).catch((e) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(error.message).toContain("Will retry on next sync.");
    expect(error.attempts).toBe(4);
    expect(sessionPosts()).toBe(4);
    expect(delays).toHaveLength(3);
  });

  test("a hung request times out and is retried", async () => {
    server.setFaults({ rules: [{ kind: "hang", path: "/sync/session" }] });
    // Long enough for the retry's answer on a loaded machine (at 100 ms, CI checks beside other work timed it out too).
    expect(await client({ timeoutMs: 1_000 }).upsertSession(session)).toEqual({ sessionId: expect.any(String) });
    expect(sessionPosts()).toBe(2);
  });

  test("only timeouts: 'no answer within'", async () => {
    server.setFaults({ rules: [{ kind: "hang", times: 10 }] });
    const error = await client({ timeoutMs: 100, retries: 1 }).upsertSession(session).catch((e) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(error.message).toContain("no answer within 0.1 s");
    expect(error.maybeApplied).toBe(true);
  });

  test("with a budget (someone waits): a hang costs one timeout; a quick failure is still tried again", async () => {
    server.setFaults({ rules: [{ kind: "hang", path: "/sync/session", times: 10 }] });
    const hung = await client({ timeoutMs: 2_000, retries: 1, budgetMs: 3_000, baseDelayMs: 10 }).upsertSession(session).catch((e) => e);
    expect(hung).toBeInstanceOf(TransientError);
    expect(hung.message).toContain("after 1 attempt");
    expect(sessionPosts()).toBe(1);

    server.reset();
    server.setFaults({ rules: [{ kind: "drop", path: "/sync/session", times: 1 }] });
    expect(await client({ timeoutMs: 2_000, retries: 1, budgetMs: 3_000, baseDelayMs: 10 }).upsertSession(session)).toEqual({ sessionId: expect.any(String) });
    expect(sessionPosts()).toBe(2);
  });

  test("a reply lost after the server stored the message: the retry is harmless", async () => {
    const c = client();
    await c.upsertSession(session);
    server.setFaults({ rules: [{ kind: "drop", path: "/sync/message", afterApply: true }] });
    const { messageId } = await c.upsertMessage(message("m1"));
    expect(server.message("s1:m1")).toMatchObject({ id: messageId, parts: [{ type: "text", content: "m1" }] });
    expect(server.counts()["POST /sync/message"]).toBe(2);
    expect(server.violations()).toEqual([]);
  });

  test("offline: cannot connect, retried, then a TransientError", async () => {
    const closed = await startTestServer();
    const url = closed.url;
    await closed.stop();
    const error = await client({ url }).listSessions().catch((e) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(error.message).toContain("cannot connect");
    expect(error.maybeApplied).toBe(false);
    expect(delays).toHaveLength(3);
  });
});

describe("permanent failures are not retried", () => {
  test("401: AuthError telling to log in, without the key", async () => {
    const key = server.apiKey;
    server.rotateKey();
    const error = await client({ apiKey: key }).upsertSession(session).catch((e) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain("Invalid API key");
    expect(error.message).toContain("claude-code-sync login");
    expect(error.message).not.toContain(key.slice(4));
    expect(sessionPosts()).toBe(1);
  });

  test("401 after some requests (key regenerated mid-sync)", async () => {
    server.setFaults({ unauthorizedAfter: 1 });
    const c = client();
    await c.upsertSession(session);
    await expect(c.upsertMessage(message("m1"))).rejects.toBeInstanceOf(AuthError);
  });

  test("404: NotFoundError explaining .convex.site", async () => {
    const error = await client({ url: `${server.url}/wrong` }).listSessions().catch((e) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toContain("No HttpAction routed for /wrong/sync/sessions/list");
    expect(error.message).toContain(".convex.site");
    expect(delays).toEqual([]);
  });

  test("500 from validation or storage: ValidationError with the server's text", async () => {
    const c = client();
    await c.upsertSession(session);
    const bad = message("m1", { parts: [{ type: "tool-call", content: { toolName: "X", args: { $schema: "draft-07" } } }] });
    const error = await c.upsertMessage(bad).catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.status).toBe(500);
    expect(error.serverMessage).toContain("$schema");
    expect(error.exitCode).toBe(1);
    expect(server.counts()["POST /sync/message"]).toBe(1);
    expect(reasons(server)).toEqual(["dollar-key"]);
  });

  test("a payload the server would refuse is not sent at all", async () => {
    const error = await client()
      .upsertSession({ ...session, title: null } as never)
      .catch((e) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.status).toBeNull();
    expect(error.message).toContain("Not sent");
    expect(server.requests()).toEqual([]);
  });

  test("past a hundred writes (parsers generated then), payloads and answers are judged as before", async () => {
    let answer = { ok: true, messageId: "m1" } as object;
    const { fn } = fakeFetch(() => Response.json(answer));
    const c = client({ url: "https://sync.example.com", fetch: fn, retries: 0 });
    const bad = message("bad", { role: "robot" as never });
    const refusal = async () => String(await c.upsertMessage(bad).catch((e) => e));
    const before = await refusal();
    expect(before).toContain("Not sent");
    const answers = [];
    for (let i = 0; i < 150; i++) answers.push(await c.upsertMessage(message(`m${i}`)));
    expect(answers.every((a) => JSON.stringify(a) === '{"messageId":"m1"}')).toBe(true);
    expect(await refusal()).toBe(before);
    answer = { ok: false };
    expect(await c.upsertMessage(message("x")).catch((e) => e)).toBeInstanceOf(ProtocolError);
  });

  test("TLS failures get their own message and are not retried now", async () => {
    const { fn, calls } = fakeFetch(() => {
      throw Object.assign(new TypeError("self signed certificate"), { code: "DEPTH_ZERO_SELF_SIGNED_CERT" });
    });
    const error = await client({ url: "https://sync.example.com", fetch: fn }).health().catch((e) => e);
    expect(error).toBeInstanceOf(TlsError);
    expect(error).toBeInstanceOf(TransientError);
    expect(error.message).toContain("sync.example.com");
    expect(error.message).toContain("self signed certificate");
    expect(calls).toHaveLength(1);
  });

  test("an answer that is not OpenSync's (a portal page): retried, then a ProtocolError", async () => {
    const { fn, calls } = fakeFetch(() => new Response("<html>Sign in to Wi-Fi</html>", { status: 200 }));
    const error = await client({ fetch: fn }).listSessions().catch((e) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error.message).toContain("Sign in to Wi-Fi");
    expect(calls).toHaveLength(4);
  });

  test("a key swapped with the URL, echoed by a server, never reaches a message", async () => {
    const swapped = "https://admin:hunter2@x.example.com";
    const { fn } = fakeFetch(() => Response.json({ error: `Invalid API key format: Bearer ${swapped}` }, { status: 500 }));
    const error = await client({ apiKey: swapped, fetch: fn, retries: 0 }).listSessions().catch((e) => e);
    expect(error).toBeInstanceOf(TransientError);
    expect(error.message).not.toContain("hunter2");
    expect(error.message).not.toContain(swapped);
  });

  test("a key echoed by a server never reaches a message", async () => {
    const key = server.apiKey;
    const { fn } = fakeFetch(() => Response.json({ error: `Invalid API key ${key}` }, { status: 401 }));
    const error = await client({ fetch: fn }).listSessions().catch((e) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).not.toContain(key.slice(4));
  });
});
