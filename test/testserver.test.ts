import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomApiKey, startTestServer, type TestServer, type ViolationReason } from "../testserver/server.ts";
import { manualClock, reasons, send } from "./testserver-helpers.ts";

let server: TestServer;
let clock: ReturnType<typeof manualClock>;

beforeEach(async () => {
  clock = manualClock();
  server = await startTestServer({ now: () => clock.now });
});
afterEach(() => server.stop());

const session = (extra: Record<string, unknown> = {}) => ({ externalId: "s1", source: "claude-code", ...extra });
const message = (extra: Record<string, unknown> = {}) => ({
  sessionExternalId: "s1",
  externalId: "s1:m1",
  role: "user",
  textContent: "hello",
  parts: [{ type: "text", content: "hello" }],
  createdAt: clock.now - 60_000,
  ...extra,
});

describe("auth and routing", () => {
  test("health needs no key and reports the server time", async () => {
    const r = await send(server, "GET", "/health", undefined, { Authorization: undefined });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ status: "ok", timestamp: clock.now });
  });

  test("the four 401 texts", async () => {
    const cases: [string | undefined, string, string][] = [
      [undefined, "/sync/session", "Missing Authorization header"],
      ["Basic abc", "/sync/session", "Missing Authorization header"],
      ["Bearer eyJhbGciOi", "/sync/session", "Invalid or expired token"],
      ["Bearer osk_short", "/sync/session", "Invalid API key format"],
      [`Bearer ${randomApiKey()}`, "/sync/session", "Invalid API key"],
      [undefined, "/sync/sessions/list", "Invalid API key format"],
    ];
    for (const [auth, path, text] of cases) {
      const method = path === "/sync/session" ? "POST" : "GET";
      const r = await send(server, method, path, method === "POST" ? session() : undefined, { Authorization: auth });
      expect([auth, r.status, r.json]).toEqual([auth, 401, { error: text }]);
    }
    expect(server.dump()).toEqual([]);
    // A wrong but well-formed key is the user's problem, not the client's.
    expect(reasons(server)).toEqual(["missing-auth", "bad-key-format", "bad-key-format", "bad-key-format", "missing-auth"]);
  });

  test("a rotated key stops working at once", async () => {
    const old = server.apiKey;
    const fresh = server.rotateKey();
    expect(fresh).not.toBe(old);
    expect((await send(server, "GET", "/sync/sessions/list", undefined, { Authorization: `Bearer ${old}` })).json).toEqual({ error: "Invalid API key" });
    expect((await send(server, "GET", "/sync/sessions/list")).status).toBe(200);
  });

  test("unknown paths and methods answer Convex's 404 text", async () => {
    for (const [method, path] of [["GET", "/nope"], ["GET", "/sync/session"], ["POST", "/health"]] as const) {
      const r = await send(server, method, path, method === "POST" ? {} : undefined);
      expect(r.status).toBe(404);
      expect(r.contentType).toContain("text/plain");
      expect(r.text).toBe(`No HttpAction routed for ${path}`);
    }
    expect(reasons(server)).toEqual(["unknown-path", "unknown-path", "unknown-path"]);
  });

  test("missing Content-Type, a foreign User-Agent and bad JSON are violations", async () => {
    await send(server, "POST", "/sync/session", session(), { "Content-Type": "text/plain" });
    await send(server, "GET", "/sync/sessions/list", undefined, { "User-Agent": "curl/8" });
    const r = await send(server, "POST", "/sync/session", "{not json");
    expect(r.status).toBe(500);
    expect(r.json.error).toContain("SyntaxError");
    expect(reasons(server)).toEqual(["missing-content-type", "bad-user-agent", "invalid-json"]);
  });
});

describe("POST /sync/session", () => {
  test("inserts with createdAt and answers the server id", async () => {
    const r = await send(server, "POST", "/sync/session", session({ title: "T", createdAt: clock.now - 5_000, promptTokens: 10, cost: 0.5 }));
    expect(r.json).toEqual({ ok: true, sessionId: expect.any(String) });
    const stored = server.session("s1")!;
    expect(stored).toMatchObject({ id: r.json.sessionId, title: "T", source: "claude-code", createdAt: clock.now - 5_000, promptTokens: 10, cost: 0.5 });
    expect(server.violations()).toEqual([]);
  });

  test("accepts the sessionId alias and ignores unknown keys (reported)", async () => {
    const r = await send(server, "POST", "/sync/session", { sessionId: "s1", source: "claude-code", messageCount: 3, totalTokens: 9 });
    expect(r.status).toBe(200);
    expect(server.session("s1")).toBeDefined();
    expect(server.violations()).toMatchObject([{ reason: "ignored-field", detail: "the server ignores messageCount, totalTokens" }]);
  });

  test("no id is a 400; null, an ISO createdAt or a wrong type is a 500", async () => {
    expect(await send(server, "POST", "/sync/session", { title: "x" })).toMatchObject({ status: 400, json: { error: "Missing externalId or sessionId" } });
    const nulled = await send(server, "POST", "/sync/session", session({ title: null }));
    expect(nulled.status).toBe(500);
    expect(nulled.json.error).toContain("Path: .title");
    const iso = await send(server, "POST", "/sync/session", session({ createdAt: "2026-01-01T00:00:00Z" }));
    expect(iso.status).toBe(500);
    const typed = await send(server, "POST", "/sync/session", session({ promptTokens: "12" }));
    expect(typed.status).toBe(500);
    expect(server.dump()).toEqual([]);
    expect(reasons(server)).toEqual(["missing-required", "null-field", "iso-created-at", "invalid-type"]);
  });

  test('a missing source becomes "opencode"', async () => {
    await send(server, "POST", "/sync/session", { externalId: "s1" });
    expect(server.session("s1")!.source).toBe("opencode");
    expect(reasons(server)).toEqual(["missing-source"]);
  });

  test("createdAt is honoured on insert only; numbers replace only when > 0", async () => {
    await send(server, "POST", "/sync/session", session({ createdAt: clock.now - 99_000, promptTokens: 100, completionTokens: 20, cost: 1, model: "a" }));
    clock.advance(11_000);
    await send(server, "POST", "/sync/session", session({ createdAt: clock.now, promptTokens: 0, completionTokens: 30, cost: 0, model: "b" }));
    expect(server.session("s1")).toMatchObject({
      createdAt: clock.now - 11_000 - 99_000,
      promptTokens: 100,
      completionTokens: 30,
      totalTokens: 130,
      cost: 1,
      model: "b",
      updatedAt: clock.now,
    });
  });

  test("the 10 s window drops changes of cost, duration, provider, projectName and source", async () => {
    await send(server, "POST", "/sync/session", session({ title: "T", promptTokens: 5 }));
    clock.advance(9_999);
    await send(server, "POST", "/sync/session", session({ title: "T", promptTokens: 5, cost: 2, provider: "anthropic" }));
    expect(server.session("s1")).toMatchObject({ cost: 0 });
    expect(server.session("s1")!.provider).toBeUndefined();
    expect(server.violations()).toMatchObject([{ reason: "session-change-dropped", externalId: "s1" }]);

    // A token change inside the window goes through, and so does anything after it.
    await send(server, "POST", "/sync/session", session({ promptTokens: 6, cost: 2 }));
    expect(server.session("s1")).toMatchObject({ promptTokens: 6, cost: 2 });
    clock.advance(10_000);
    await send(server, "POST", "/sync/session", session({ provider: "anthropic" }));
    expect(server.session("s1")!.provider).toBe("anthropic");
  });

  test("a message write refreshes the session's write time, restarting the window", async () => {
    await send(server, "POST", "/sync/session", session());
    clock.advance(9_000);
    await send(server, "POST", "/sync/message", message());
    clock.advance(9_000);
    await send(server, "POST", "/sync/session", session({ cost: 3 }));
    expect(server.session("s1")!.cost).toBe(0);
  });
});

describe("POST /sync/message", () => {
  beforeEach(() => send(server, "POST", "/sync/session", session({ createdAt: clock.now - 120_000 })));

  test("stores the message with its createdAt and parts", async () => {
    const r = await send(server, "POST", "/sync/message", message({ model: "m", promptTokens: 4 }));
    expect(r.json).toEqual({ ok: true, messageId: expect.any(String) });
    expect(server.message("s1:m1")).toMatchObject({
      id: r.json.messageId,
      role: "user",
      textContent: "hello",
      model: "m",
      promptTokens: 4,
      createdAt: clock.now - 60_000,
      parts: [{ type: "text", content: "hello" }],
    });
    // Message tokens are stored, never summed into the session.
    expect(server.session("s1")).toMatchObject({ messageCount: 1, promptTokens: 0, searchableText: "hello" });
    expect(server.violations()).toEqual([]);
  });

  test("validation failures are 500s that write nothing", async () => {
    const cases: [Record<string, unknown>, ViolationReason][] = [
      [{ role: undefined }, "missing-required"],
      [{ role: "bot" }, "invalid-role"],
      [{ textContent: null }, "null-field"],
      [{ parts: [{ type: "text", content: "x", order: 0 }] }, "part-extra-key"],
      [{ parts: [{ type: "tool-call", content: { toolName: "T", args: { schema: { $ref: "#/x" } } } }] }, "dollar-key"],
      [{ textContent: "x".repeat(1024 * 1024 + 1) }, "oversized"],
      [{ parts: [{ type: "tool-result", content: "y".repeat(1024 * 1024) }] }, "oversized"],
      [{ sessionExternalId: "new-session", parts: [{ type: "text", content: { $x: 1 } }] }, "dollar-key"],
    ];
    for (const [change, reason] of cases) {
      server.clearViolations();
      const r = await send(server, "POST", "/sync/message", message(change));
      expect([reason, r.status]).toEqual([reason, 500]);
      expect(reasons(server)).toContain(reason);
    }
    // Nothing stored, not even the session a failed message would have auto-created.
    expect(server.dump().map((s) => [s.externalId, s.messages.length])).toEqual([["s1", 0]]);
  });

  test("unknown top-level keys are ignored (reported)", async () => {
    expect((await send(server, "POST", "/sync/message", message({ uuid: "x" }))).status).toBe(200);
    expect(reasons(server)).toEqual(["ignored-field"]);
  });

  test("a message before its session auto-creates it with createdAt = now", async () => {
    await send(server, "POST", "/sync/message", message({ sessionExternalId: "s2", externalId: "s2:m1", source: "claude-code", model: "x" }));
    expect(server.session("s2")).toMatchObject({ createdAt: clock.now, source: "claude-code", model: "x", messageCount: 1 });
    expect(reasons(server)).toEqual(["message-before-session"]);
  });

  test("a re-send inside 5 s of the message's createdAt is ignored", async () => {
    await send(server, "POST", "/sync/message", message({ createdAt: clock.now }));
    clock.advance(4_999);
    await send(server, "POST", "/sync/message", message({ createdAt: clock.now, textContent: "changed" }));
    expect(server.message("s1:m1")!.textContent).toBe("hello");
    expect(reasons(server)).toEqual(["resend-in-window"]);
    clock.advance(1);
    await send(server, "POST", "/sync/message", message({ textContent: "changed" }));
    expect(server.message("s1:m1")!.textContent).toBe("changed");
  });

  test("a future createdAt blocks updates until the clock passes it", async () => {
    await send(server, "POST", "/sync/message", message({ createdAt: clock.now + 60_000 }));
    clock.advance(50_000);
    await send(server, "POST", "/sync/message", message({ textContent: "changed" }));
    expect(server.message("s1:m1")!.textContent).toBe("hello");
    expect(reasons(server)).toEqual(["future-created-at", "resend-in-window"]);
  });

  test("an update replaces text, model, tokens and parts; role and createdAt stay", async () => {
    await send(server, "POST", "/sync/message", message({ model: "a", promptTokens: 1 }));
    const createdAt = server.message("s1:m1")!.createdAt;
    await send(server, "POST", "/sync/message", message({
      role: "assistant",
      createdAt: 1,
      textContent: "new",
      model: "b",
      promptTokens: 2,
      parts: [{ type: "text", content: "new" }, { type: "tool-call", content: { toolName: "Bash", args: {} } }],
    }));
    expect(server.message("s1:m1")).toMatchObject({
      role: "user",
      createdAt,
      textContent: "new",
      model: "b",
      promptTokens: 2,
      parts: [{ type: "text", content: "new" }, { type: "tool-call", content: { toolName: "Bash", args: {} } }],
    });
    expect(server.session("s1")).toMatchObject({ messageCount: 1, searchableText: "hello new" });
    expect(server.violations()).toEqual([]);
  });

  test("re-sends that lose parts or repeat content are reported", async () => {
    await send(server, "POST", "/sync/message", message());
    await send(server, "POST", "/sync/message", message());
    expect(server.session("s1")!.searchableText).toBe("hello hello");
    const { parts: _parts, ...withoutParts } = message();
    await send(server, "POST", "/sync/message", withoutParts);
    expect(server.message("s1:m1")!.parts).toEqual([]);
    expect(reasons(server)).toEqual(["identical-resend", "resend-without-parts"]);
  });

  test("message ids are unique server-wide: a reused id updates the row in its first session", async () => {
    await send(server, "POST", "/sync/message", message());
    await send(server, "POST", "/sync/session", session({ externalId: "s2" }));
    await send(server, "POST", "/sync/message", message({ sessionExternalId: "s2", textContent: "other" }));
    expect(server.session("s2")!.messages).toEqual([]);
    expect(server.session("s1")!.messages).toMatchObject([{ externalId: "s1:m1", textContent: "other" }]);
    expect(reasons(server)).toEqual(["message-other-session"]);
  });

  test("messages are listed by createdAt, then insertion order", async () => {
    const at = clock.now - 30_000;
    await send(server, "POST", "/sync/message", message({ externalId: "c", createdAt: at + 1 }));
    await send(server, "POST", "/sync/message", message({ externalId: "b", createdAt: at }));
    await send(server, "POST", "/sync/message", message({ externalId: "a", createdAt: at }));
    expect(server.session("s1")!.messages.map((m) => m.externalId)).toEqual(["b", "a", "c"]);
  });
});

describe("POST /sync/batch", () => {
  const item = (id: string, extra: Record<string, unknown> = {}) => ({
    sessionExternalId: "s1",
    externalId: id,
    role: "assistant",
    textContent: id,
    parts: [{ type: "text", content: id }],
    ...extra,
  });

  test("writes new messages with createdAt = server now", async () => {
    await send(server, "POST", "/sync/session", session({ createdAt: clock.now - 1_000 }));
    const r = await send(server, "POST", "/sync/batch", { messages: [item("a"), item("b")] });
    expect(r.json).toEqual({ ok: true, sessions: 0, messages: 2, errors: [] });
    expect(server.session("s1")!.messages.map((m) => [m.externalId, m.createdAt, m.parts.length])).toEqual([
      ["a", clock.now, 1],
      ["b", clock.now, 1],
    ]);
    expect(server.violations()).toEqual([]);
  });

  test("one extra field refuses the whole array, still with 200", async () => {
    const r = await send(server, "POST", "/sync/batch", {
      sessions: [session()],
      messages: [item("a"), item("b", { createdAt: clock.now - 1 })],
    });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ ok: true, sessions: 1, messages: 0 });
    expect(r.json.errors).toHaveLength(1);
    expect(r.json.errors[0]).toStartWith("Messages batch error: ArgumentValidationError: Object contains extra field `createdAt`");
    expect(server.session("s1")!.messages).toEqual([]);
    expect(reasons(server)).toEqual(["batch-session-insert", "unknown-field"]);
  });

  test("sessions are strict too, and a refused sessions array does not stop the messages", async () => {
    const r = await send(server, "POST", "/sync/batch", { sessions: [session({ createdAt: 1 })], messages: [item("a", { source: "claude-code" })] });
    expect(r.json.errors).toEqual([expect.stringMatching(/^Sessions batch error: .*extra field `createdAt`/)]);
    expect(r.json.messages).toBe(1);
    expect(server.session("s1")).toMatchObject({ createdAt: clock.now, source: "claude-code" });
    expect(reasons(server)).toEqual(["unknown-field", "message-before-session"]);
  });

  test("per-message storage failures are listed as '<externalId>: ...'", async () => {
    await send(server, "POST", "/sync/session", session());
    const r = await send(server, "POST", "/sync/batch", {
      messages: [item("s1:ok"), item("s1:bad", { parts: [{ type: "text", content: "fine" }, { type: "tool-call", content: { $schema: 1 } }] })],
    });
    expect(r.json.messages).toBe(1);
    expect(r.json.errors).toEqual([expect.stringMatching(/^s1:bad: Error: Field name \$schema/)]);
    // As on the real server, the failed message's row and good parts stay, uncounted.
    expect(server.message("s1:bad")!.parts).toEqual([{ type: "text", content: "fine" }]);
    expect(server.session("s1")!.messageCount).toBe(1);
    expect(server.violations()).toMatchObject([{ reason: "dollar-key", externalId: "s1:bad" }]);
  });

  test("the bug: re-sending an existing message through batch deletes its parts", async () => {
    await send(server, "POST", "/sync/session", session());
    await send(server, "POST", "/sync/message", message());
    const r = await send(server, "POST", "/sync/batch", { messages: [item("s1:m1", { textContent: "again" })] });
    expect(r.json).toEqual({ ok: true, sessions: 0, messages: 1, errors: [] });
    expect(server.message("s1:m1")).toMatchObject({ textContent: "again", parts: [] });
    expect(reasons(server)).toEqual(["batch-resend"]);
  });

  test("the same id twice in one batch keeps the first copy", async () => {
    await send(server, "POST", "/sync/session", session());
    await send(server, "POST", "/sync/batch", { messages: [item("a"), item("a", { textContent: "second" })] });
    expect(server.message("a")!.textContent).toBe("a");
    expect(reasons(server)).toEqual(["batch-duplicate"]);
  });

  test("unparsable JSON is the only 500", async () => {
    expect((await send(server, "POST", "/sync/batch", "[")).status).toBe(500);
    expect((await send(server, "POST", "/sync/batch", {})).json).toEqual({ ok: true, sessions: 0, messages: 0, errors: [] });
  });
});

describe("read routes", () => {
  test("list, sessions, one session with messages, stats", async () => {
    await send(server, "POST", "/sync/session", session({ externalId: "old", model: "a", promptTokens: 10, completionTokens: 5, cost: 1, durationMs: 7 }));
    clock.advance(1_000);
    await send(server, "POST", "/sync/session", session({ externalId: "new", model: "a", promptTokens: 1, cost: 2 }));
    clock.advance(1_000);
    // The message write makes "old" the most recently updated.
    await send(server, "POST", "/sync/message", message({ sessionExternalId: "old", externalId: "old:1" }));

    expect((await send(server, "GET", "/sync/sessions/list")).json).toEqual({ sessionIds: ["old", "new"] });

    const list = (await send(server, "GET", "/api/sessions?limit=1")).json.sessions;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ externalId: "old", totalTokens: 15, isPublic: false, messageCount: 1 });
    expect(list[0]).not.toHaveProperty("source");

    const one = (await send(server, "GET", `/api/sessions/get?id=${list[0].id}`)).json;
    expect(one.session.externalId).toBe("old");
    expect(one.messages).toEqual([
      { id: expect.any(String), externalId: "old:1", role: "user", textContent: "hello", createdAt: clock.now - 60_000, parts: [{ type: "text", content: "hello" }] },
    ]);

    expect((await send(server, "GET", "/api/sessions/get")).status).toBe(400);
    expect((await send(server, "GET", "/api/sessions/get?id=nope")).status).toBe(500);
    expect((await send(server, "GET", `/api/sessions/get?id=${"a".repeat(32)}`)).json).toEqual({ error: "Session not found" });

    expect((await send(server, "GET", "/api/stats")).json).toEqual({
      sessionCount: 2,
      messageCount: 1,
      totalTokens: 16,
      totalCost: 3,
      totalDurationMs: 7,
      modelUsage: { a: { tokens: 16, cost: 3, sessions: 2 } },
    });
  });
});

describe("fault injection", () => {
  const post = (id: string) => send(server, "POST", "/sync/session", session({ externalId: id }));

  test("random failures follow the seed and change nothing", async () => {
    const run = async () => {
      server.reset();
      server.setFaults({ failureRate: 0.5, failureKinds: [502, 503, 504], seed: 42 });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) statuses.push((await post(`s${i}`)).status);
      return statuses;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    expect(new Set(first).size).toBeGreaterThan(1);
    const ok = first.flatMap((status, i) => (status === 200 ? [`s${i}`] : []));
    expect(server.dump().map((s) => s.externalId)).toEqual(ok);
    expect(server.requests().filter((r) => r.fault !== undefined).map((r) => r.status)).toEqual(first.filter((s) => s !== 200));
  });

  test("a dropped connection closes the socket without an answer", async () => {
    server.setFaults({ rules: [{ kind: "drop", path: "/sync/session" }] });
    const error = await post("s1").catch((e) => e);
    expect(error.code).toBe("ECONNRESET");
    expect(server.requests().map((r) => r.status)).toEqual(["dropped"]);
    expect(server.dump()).toEqual([]);
  });

  test("a hung request waits until the client gives up", async () => {
    server.setFaults({ rules: [{ kind: "hang", path: "/sync/session" }] });
    const error = await fetch(`${server.url}/sync/session`, { method: "POST", body: "{}", signal: AbortSignal.timeout(100) }).catch((e) => e);
    expect(error.name).toBe("TimeoutError");
    expect(server.dump()).toEqual([]);
  });

  test("rules pick specific requests: skip, times, body match, after applying", async () => {
    server.setFaults({
      rules: [
        { kind: 503, path: "/sync/session", bodyIncludes: '"s2"', skip: 1, times: 2 },
        { kind: "drop", path: "/sync/message", afterApply: true },
      ],
    });
    expect((await post("s2")).status).toBe(200);
    expect((await post("s1")).status).toBe(200);
    expect((await post("s2")).status).toBe(503);
    expect((await post("s2")).status).toBe(503);
    expect((await post("s2")).status).toBe(200);

    await expect(send(server, "POST", "/sync/message", message())).rejects.toThrow();
    expect(server.message("s1:m1")).toBeDefined();
    // The client could not know it was stored: its retry is not a violation.
    await send(server, "POST", "/sync/message", message());
    expect(server.violations()).toEqual([]);
    await send(server, "POST", "/sync/message", message());
    expect(reasons(server)).toEqual(["identical-resend"]);
  });

  test("401 after N authenticated requests", async () => {
    server.setFaults({ unauthorizedAfter: 2 });
    expect((await post("a")).status).toBe(200);
    expect((await send(server, "GET", "/health")).status).toBe(200);
    expect((await post("b")).status).toBe(200);
    expect(await post("c")).toMatchObject({ status: 401, json: { error: "Invalid API key" } });
    expect(server.dump().map((s) => s.externalId)).toEqual(["a", "b"]);
  });

  test("an OCC failure is a 500 with Convex's conflict text", async () => {
    server.setFaults({ rules: [{ kind: "occ" }] });
    const r = await post("a");
    expect(r.status).toBe(500);
    expect(r.json.error).toContain("changed while this mutation was being run");
  });

  test("latency delays the answer past a short client timeout", async () => {
    server.setFaults({ latencyMs: 2_000 });
    const error = await fetch(`${server.url}/health`, { signal: AbortSignal.timeout(50) }).catch((e) => e);
    expect(error.name).toBe("TimeoutError");
  });

  test("counts per route", async () => {
    await post("a");
    await post("b");
    await send(server, "GET", "/health");
    expect(server.counts()).toEqual({ "POST /sync/session": 2, "GET /health": 1 });
  });
});

describe("control over HTTP", () => {
  test("faults, clock, violations, dump, requests, key rotation and reset", async () => {
    const faults = await send(server, "POST", "/__test/faults", { rules: [{ kind: 502, path: "/health" }] });
    expect(faults.json.faults.rules).toMatchObject([{ kind: 502, path: "/health" }]);
    expect((await send(server, "GET", "/health")).status).toBe(502);
    expect((await send(server, "POST", "/__test/faults", { failureRate: 2 })).status).toBe(400);

    expect((await send(server, "POST", "/__test/clock", { advanceMs: 5_000 })).json).toEqual({ now: clock.now + 5_000 });
    await send(server, "POST", "/sync/session", { externalId: "s1" });
    expect((await send(server, "GET", "/__test/violations")).json.violations).toMatchObject([{ reason: "missing-source", externalId: "s1" }]);
    expect((await send(server, "GET", "/__test/dump")).json.sessions).toMatchObject([{ externalId: "s1", createdAt: clock.now + 5_000 }]);
    expect((await send(server, "GET", "/__test/requests")).json.counts).toEqual({ "GET /health": 1, "POST /sync/session": 1 });

    const { apiKey } = (await send(server, "POST", "/__test/rotate-key")).json;
    expect(apiKey).toBe(server.apiKey);

    await send(server, "POST", "/__test/reset");
    expect(server.dump()).toEqual([]);
    expect(server.violations()).toEqual([]);
    expect(server.requests()).toEqual([]);
  });
});

test("a database file keeps the data across restarts", async () => {
  const dir = mkdtempSync(join(tmpdir(), "ccs-testserver-"));
  try {
    const dbPath = join(dir, "opensync.sqlite");
    const first = await startTestServer({ dbPath });
    await send(first, "POST", "/sync/session", session());
    await first.stop();
    const second = await startTestServer({ dbPath });
    expect(second.dump().map((s) => s.externalId)).toEqual(["s1"]);
    await second.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("refuses a malformed key at start", async () => {
  await expect(startTestServer({ apiKey: "osk_short" })).rejects.toThrow("32");
});
