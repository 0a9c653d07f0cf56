import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { USER_AGENT } from "../src/version.ts";
import { BATCH_CHUNK, type FaultRule, randomApiKey, startTestServer, type TestServer, type ViolationReason } from "../testserver/server.ts";
import { manualClock, reasons, send, until } from "./testserver-helpers.ts";
import { scratchDir } from "./helpers/scratch.ts";

let server: TestServer;
let clock: ReturnType<typeof manualClock>;

beforeEach(async () => {
  clock = manualClock();
  server = await startTestServer({ now: () => clock.now });
});
afterEach(() => server.stop());

const session = (extra: Record<string, unknown> = {}) => ({ externalId: "s1", source: "claude-code", ...extra });
const batchItem = (id: string, extra: Record<string, unknown> = {}) => ({
  sessionExternalId: "s1",
  externalId: id,
  role: "assistant",
  textContent: id,
  parts: [{ type: "text", content: id }],
  ...extra,
});
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
    // A client that sends 0 meant the total to be 0: the dashboard keeps showing the old one.
    expect(server.violations()).toMatchObject([{ reason: "total-not-lowered", detail: "promptTokens, cost of 0 ignored: the server keeps 100, 1", externalId: "s1" }]);
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

  test("writes new messages with createdAt = server now", async () => {
    await send(server, "POST", "/sync/session", session({ createdAt: clock.now - 1_000 }));
    const r = await send(server, "POST", "/sync/batch", { messages: [batchItem("a"), batchItem("b")] });
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
      messages: [batchItem("a"), batchItem("b", { createdAt: clock.now - 1 })],
    });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ ok: true, sessions: 1, messages: 0 });
    expect(r.json.errors).toHaveLength(1);
    expect(r.json.errors[0]).toStartWith("Messages batch error: ArgumentValidationError: Object contains extra field `createdAt`");
    expect(server.session("s1")!.messages).toEqual([]);
    expect(reasons(server)).toEqual(["batch-session-insert", "unknown-field"]);
  });

  test("sessions are strict too, and a refused sessions array does not stop the messages", async () => {
    const r = await send(server, "POST", "/sync/batch", { sessions: [session({ createdAt: 1 })], messages: [batchItem("a", { source: "claude-code" })] });
    expect(r.json.errors).toEqual([expect.stringMatching(/^Sessions batch error: .*extra field `createdAt`/)]);
    expect(r.json.messages).toBe(1);
    expect(server.session("s1")).toMatchObject({ createdAt: clock.now, source: "claude-code" });
    expect(reasons(server)).toEqual(["unknown-field", "message-before-session"]);
  });

  test("per-message storage failures are listed as '<externalId>: ...'", async () => {
    await send(server, "POST", "/sync/session", session());
    const r = await send(server, "POST", "/sync/batch", {
      messages: [batchItem("s1:ok"), batchItem("s1:bad", { parts: [{ type: "text", content: "fine" }, { type: "tool-call", content: { $schema: 1 } }] })],
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
    const r = await send(server, "POST", "/sync/batch", { messages: [batchItem("s1:m1", { textContent: "again" })] });
    expect(r.json).toEqual({ ok: true, sessions: 0, messages: 1, errors: [] });
    expect(server.message("s1:m1")).toMatchObject({ textContent: "again", parts: [] });
    expect(reasons(server)).toEqual(["batch-resend"]);
  });

  test("the same id twice in one batch keeps the first copy", async () => {
    await send(server, "POST", "/sync/session", session());
    await send(server, "POST", "/sync/batch", { messages: [batchItem("a"), batchItem("a", { textContent: "second" })] });
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

  test("a write held by a 'late' fault that lands after the client's retry of it (or a newer record) is no violation of the client's", async () => {
    expect((await post("s1")).status).toBe(200);
    server.setFaults({ rules: [{ kind: "late", path: "/sync/message" }, { kind: "late", path: "/sync/session", bodyIncludes: '"cost":1' }] });
    const held = [send(server, "POST", "/sync/message", message()), send(server, "POST", "/sync/session", session({ cost: 1 }))];
    await Bun.sleep(50);
    // The client gave up on them: it sends the message again, and the record's newer totals, past the window.
    server.setFaults({});
    clock.advance(11_000);
    expect((await send(server, "POST", "/sync/session", session({ cost: 2 }))).status).toBe(200);
    expect((await send(server, "POST", "/sync/message", message())).status).toBe(200);
    expect(await server.releaseLate()).toBe(2);
    await Promise.all(held);
    expect(server.violations()).toEqual([]);
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
  const dir = scratchDir("ccs-testserver-");
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

// --- today's hosted OpenSync --------------------------------------------------

const batchItems = (n: number) => Array.from({ length: n }, (_, i) => batchItem(`m${i}`));

describe("serial writes per user", () => {
  test("parallel writes wait in one queue and run one at a time; reads do not wait", async () => {
    await send(server, "POST", "/sync/session", session());
    server.configure({ writeServiceMs: 20 });
    server.resetWriteStats();
    server.pauseWrites();
    const writes = [
      ...["s2", "s3", "s4"].map((id) => send(server, "POST", "/sync/session", session({ externalId: id }))),
      send(server, "POST", "/sync/message", message()),
      // Two chunks: the second queues only when the first is done.
      send(server, "POST", "/sync/batch", { messages: batchItems(BATCH_CHUNK + 1) }),
    ];
    expect(await until(() => server.writeStats().queued === 5)).toBe(true);
    expect((await send(server, "GET", "/api/stats")).status).toBe(200);
    expect(server.writeStats()).toMatchObject({ writes: 0, running: 0, paused: true });

    server.resumeWrites();
    expect((await Promise.all(writes)).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(server.writeStats()).toEqual({ writes: 6, queued: 0, running: 0, peakQueued: 5, peakRunning: 1, paused: false });
    expect(server.session("s1")!.messages).toHaveLength(BATCH_CHUNK + 2);
  });

  test("the service time delays a write's answer; the write still lands after the client gave up", async () => {
    server.configure({ writeServiceMs: 1_000 });
    const headers = { "Content-Type": "application/json", "User-Agent": USER_AGENT, Authorization: `Bearer ${server.apiKey}` };
    const init = { method: "POST", headers, body: JSON.stringify(session()), signal: AbortSignal.timeout(50) };
    const error = await fetch(`${server.url}/sync/session`, init).catch((e) => e);
    expect(error.name).toBe("TimeoutError");
    expect(await until(() => server.writeStats().writes === 1)).toBe(true);
    expect(server.session("s1")).toBeDefined();
  });

  test("validation failures never reach the queue", async () => {
    await send(server, "POST", "/sync/session", session({ title: null }));
    await send(server, "POST", "/sync/batch", { sessions: [session({ createdAt: 1 })] });
    expect(server.writeStats().writes).toBe(0);
  });
});

describe("network round trip", () => {
  test.each([
    ["GET", "/health"],
    ["GET", "/api/stats"],
    ["GET", "/sync/sessions/list"],
    ["GET", "/nope"],
    ["POST", "/sync/session"],
  ])("%s %s waits for the round trip", async (method, path) => {
    server.configure({ rttMs: 2_000 });
    const body = method === "POST" ? JSON.stringify(session()) : undefined;
    const error = await fetch(`${server.url}${path}`, { method, body, signal: AbortSignal.timeout(50) }).catch((e) => e);
    expect(error.name).toBe("TimeoutError");
  });

  test("configure() changes only what it names, and reset() returns to the start options", async () => {
    const other = await startTestServer({ rttMs: 5, webApp: true });
    try {
      expect(other.configure({ writeServiceMs: 7 })).toEqual({ rttMs: 5, writeServiceMs: 7, webApp: true, health: "timestamp", perSessionMessageIds: false });
      expect(() => other.configure({ rttMs: -1 })).toThrow();
      other.reset();
      expect(other.profile()).toMatchObject({ rttMs: 5, writeServiceMs: 0, webApp: true });
    } finally {
      await other.stop();
    }
  });
});

describe("POST /sync/batch in chunks of 50", () => {
  beforeEach(() => send(server, "POST", "/sync/session", session({ createdAt: clock.now - 1_000 })));

  const withExtra = (items: Record<string, unknown>[], at: number) => items.map((m, i) => (i === at ? { ...m, createdAt: 1 } : m));
  const sessions = (n: number) => Array.from({ length: n }, (_, i) => session({ externalId: `x${i}` }));
  const cases: [string, Record<string, unknown>, { sessions: number; messages: number; errors: RegExp[] }, number][] = [
    ["120 messages: three transactions", { messages: batchItems(120) }, { sessions: 0, messages: 120, errors: [] }, 3],
    ["a bad item loses its own chunk only", { messages: withExtra(batchItems(120), 60) }, { sessions: 0, messages: 70, errors: [/^Messages batch error: .*extra field `createdAt`/] }, 2],
    ["two bad chunks: one error each", { messages: withExtra(withExtra(batchItems(120), 10), 110) }, { sessions: 0, messages: 50, errors: [/^Messages batch error/, /^Messages batch error/] }, 1],
    ["sessions too", { sessions: withExtra(sessions(60), 55) }, { sessions: 50, messages: 0, errors: [/^Sessions batch error: .*extra field `createdAt`/] }, 1],
  ];
  test.each(cases)("%s", async (_name, body, expected, transactions) => {
    server.resetWriteStats();
    const r = await send(server, "POST", "/sync/batch", body);
    expect(r.status).toBe(200);
    expect({ ...r.json, errors: r.json.errors.length }).toEqual({ ok: true, sessions: expected.sessions, messages: expected.messages, errors: expected.errors.length });
    expected.errors.forEach((pattern, i) => expect(r.json.errors[i]).toMatch(pattern));
    expect(server.writeStats().writes).toBe(transactions);
  });

  test("the chunk a bad item sits in is not written; the others are", async () => {
    await send(server, "POST", "/sync/batch", { messages: withExtra(batchItems(120), 60) });
    const stored = new Set(server.session("s1")!.messages.map((m) => m.externalId));
    expect([0, 49, 50, 99, 100, 119].map((i) => stored.has(`m${i}`))).toEqual([true, true, false, false, true, true]);
    // Copies: toMatchObject puts its matchers in place of the fields they match (oven-sh/bun#3521), here the server's own records.
    expect(server.violations().map((v) => ({ ...v }))).toMatchObject([{ reason: "unknown-field", detail: expect.stringContaining(".messages[10].createdAt") }]);
  });
});

describe("the web app in front", () => {
  const cases: [boolean, string, string, number, string, string][] = [
    [false, "GET", "/nope", 404, "text/plain", "No HttpAction routed for /nope"],
    [false, "POST", "/nope", 404, "text/plain", "No HttpAction routed for /nope"],
    [true, "GET", "/nope", 200, "text/html", "<!doctype html>"],
    [true, "GET", "/sync/session", 200, "text/html", "<!doctype html>"],
    [true, "GET", "/api/sessions/list", 200, "text/html", "<!doctype html>"],
    [true, "POST", "/nope", 404, "text/plain", "No HttpAction routed for /nope"],
    [true, "GET", "/health", 200, "application/json", '{"status":"ok"'],
  ];
  test.each(cases)("webApp %p: %s %s answers %i %s", async (webApp, method, path, status, type, start) => {
    server.configure({ webApp });
    const r = await send(server, method, path, method === "POST" ? {} : undefined);
    expect([r.status, r.contentType?.split(";")[0], r.text.slice(0, start.length)]).toEqual([status, type, start]);
  });

  test.each([
    ["timestamp", { status: "ok", timestamp: 1_750_000_000_000 }],
    ["version", { status: "ok", version: expect.any(String) }],
    ["both", { status: "ok", timestamp: 1_750_000_000_000, version: expect.any(String) }],
  ] as const)("health %s", async (health, expected) => {
    server.configure({ health });
    const r = await send(server, "GET", "/health", undefined, { Authorization: undefined });
    expect(r.json).toEqual(expected);
  });
});

describe("the pending change (perSessionMessageIds)", () => {
  const post = (path: string, body: unknown) => send(server, "POST", path, body);
  const withoutParts = (extra: Record<string, unknown>) => {
    const { parts: _omit, ...rest } = message(extra);
    return rest;
  };
  /** Sends s1:m1, re-sends it with `resend`, and reads its parts. */
  const partsAfterResend = (path: string, resend: () => unknown) => async () => {
    await post("/sync/message", message());
    await post(path, resend());
    return server.message("s1:m1")!.parts;
  };
  const cases: { name: string; run: () => Promise<unknown>; today: unknown; pending: unknown }[] = [
    {
      name: "one message id in two sessions",
      run: async () => {
        await post("/sync/session", session({ externalId: "s2" }));
        await post("/sync/message", message({ textContent: "one" }));
        await post("/sync/message", message({ sessionExternalId: "s2", textContent: "two" }));
        return server.dump().map((s) => [s.externalId, s.messages.map((m) => m.textContent)]);
      },
      today: [["s1", ["two"]], ["s2", []]],
      pending: [["s1", ["one"]], ["s2", ["two"]]],
    },
    {
      name: "a re-send without parts",
      run: partsAfterResend("/sync/message", () => withoutParts({ textContent: "changed" })),
      today: [],
      pending: [{ type: "text", content: "hello" }],
    },
    {
      name: "a batch re-send with new parts",
      run: partsAfterResend("/sync/batch", () => ({ messages: [batchItem("s1:m1", { parts: [{ type: "text", content: "new" }] })] })),
      today: [],
      pending: [{ type: "text", content: "new" }],
    },
    {
      name: "a batch re-send without parts",
      run: partsAfterResend("/sync/batch", () => ({ messages: [batchItem("s1:m1", { parts: undefined })] })),
      today: [],
      pending: [{ type: "text", content: "hello" }],
    },
    {
      name: "cost and provider changes inside the 10 s window",
      run: async () => {
        clock.advance(1_000);
        await post("/sync/session", session({ cost: 2, provider: "anthropic" }));
        const { cost, provider } = server.session("s1")!;
        return { cost, provider };
      },
      today: { cost: 0, provider: undefined },
      pending: { cost: 2, provider: "anthropic" },
    },
    {
      name: "a changed re-send inside the 5 s window",
      run: async () => {
        await post("/sync/message", message({ createdAt: clock.now }));
        await post("/sync/message", message({ createdAt: clock.now, textContent: "changed" }));
        return server.message("s1:m1")!.textContent;
      },
      today: "hello",
      pending: "changed",
    },
    {
      name: "an identical re-send",
      run: async () => {
        await post("/sync/message", message());
        await post("/sync/message", message());
        return server.session("s1")!.searchableText;
      },
      today: "hello hello",
      pending: "hello",
    },
    {
      name: "one id twice in a batch",
      run: async () => {
        await post("/sync/batch", { messages: [batchItem("a", { textContent: "first" }), batchItem("a", { textContent: "second" })] });
        return server.session("s1")!.messages.map((m) => [m.externalId, m.textContent]);
      },
      today: [["a", "first"]],
      pending: [["a", "second"]],
    },
  ];
  for (const c of cases) {
    for (const pending of [false, true]) {
      test(`${c.name}: ${pending ? "with" : "without"} the change`, async () => {
        server.configure({ perSessionMessageIds: pending });
        await send(server, "POST", "/sync/session", session({ createdAt: clock.now - 120_000 }));
        expect(await c.run()).toEqual(pending ? c.pending : c.today);
      });
    }
  }
});

describe("read API", () => {
  test("exactly the fields the contract lists, newest first, limited", async () => {
    const full = { title: "T", projectPath: "/p", projectName: "p", model: "m", provider: "anthropic", promptTokens: 3, completionTokens: 4, cost: 1, durationMs: 9 };
    await send(server, "POST", "/sync/session", session({ externalId: "a", ...full, createdAt: clock.now - 50_000 }));
    clock.advance(1_000);
    await send(server, "POST", "/sync/session", session({ externalId: "b", ...full }));
    clock.advance(1_000);
    await send(server, "POST", "/sync/message", message({ sessionExternalId: "a", externalId: "a:1", model: "m", promptTokens: 1, completionTokens: 2, durationMs: 5 }));

    const listed = (await send(server, "GET", "/api/sessions?limit=10")).json.sessions;
    expect(listed.map((s: { externalId: string }) => s.externalId)).toEqual(["a", "b"]);
    expect(Object.keys(listed[0]).sort()).toEqual(
      ["id", "externalId", "title", "projectPath", "projectName", "model", "provider", "promptTokens", "completionTokens", "totalTokens", "cost", "durationMs", "isPublic", "messageCount", "createdAt", "updatedAt"].sort(),
    );
    expect(listed[0]).toMatchObject({ messageCount: 1, totalTokens: 7, createdAt: clock.now - 52_000, updatedAt: clock.now });
    expect((await send(server, "GET", "/api/sessions?limit=1")).json.sessions).toHaveLength(1);

    const one = (await send(server, "GET", `/api/sessions/get?id=${listed[0].id}`)).json;
    expect(Object.keys(one)).toEqual(["session", "messages"]);
    expect(Object.keys(one.messages[0]).sort()).toEqual(
      ["id", "externalId", "role", "textContent", "model", "promptTokens", "completionTokens", "durationMs", "createdAt", "parts"].sort(),
    );
    expect(one.messages[0]).toMatchObject({ externalId: "a:1", role: "user", textContent: "hello", createdAt: clock.now - 60_000, parts: [{ type: "text", content: "hello" }] });
  });
});

describe("data loss", () => {
  const post = (path: string, body: unknown) => send(server, "POST", path, body);
  async function twoSessions() {
    await post("/sync/session", session());
    await post("/sync/session", session({ externalId: "s2" }));
    await post("/sync/message", message());
    await post("/sync/message", message({ externalId: "s1:m2" }));
    await post("/sync/message", message({ sessionExternalId: "s2", externalId: "s2:m1" }));
  }

  test("a session deleted in the dashboard goes with its messages; a re-send creates it afresh", async () => {
    await twoSessions();
    const oldId = server.session("s1")!.id;
    expect(server.deleteSession("s1")).toBe(true);
    expect(server.deleteSession("s1")).toBe(false);
    expect(server.dump().map((s) => [s.externalId, s.messages.length])).toEqual([["s2", 1]]);
    expect(server.orphans()).toEqual([]);
    expect((await send(server, "GET", "/sync/sessions/list")).json).toEqual({ sessionIds: ["s2"] });
    expect((await send(server, "GET", `/api/sessions/get?id=${oldId}`)).status).toBe(404);

    await post("/sync/session", session());
    await post("/sync/message", message());
    expect(server.session("s1")).toMatchObject({ messageCount: 1, messages: [{ externalId: "s1:m1" }] });
    expect(server.session("s1")!.id).not.toBe(oldId);
    expect(server.violations()).toEqual([]);
  });

  test.each([
    [false, { visible: [], orphanText: "again", reasons: ["message-orphaned"] }],
    [true, { visible: ["s1:m1"], orphanText: "hello", reasons: [] }],
  ])("delete all data leaves messages orphaned (pending change %p)", async (pending, expected) => {
    server.configure({ perSessionMessageIds: pending });
    await twoSessions();
    expect(server.deleteAllData()).toBe(2);
    expect(server.dump()).toEqual([]);
    expect((await send(server, "GET", "/api/stats")).json).toMatchObject({ sessionCount: 0, messageCount: 0 });
    expect(server.orphans().map((m) => [m.externalId, m.parts.length])).toEqual([["s1:m1", 1], ["s1:m2", 1], ["s2:m1", 1]]);

    // The client sends everything again, under the same ids.
    server.clearViolations();
    await post("/sync/session", session());
    await post("/sync/message", message({ textContent: "again" }));
    expect(server.session("s1")!.messages.map((m) => m.externalId)).toEqual(expected.visible);
    expect(server.orphans()[0]!.textContent).toBe(expected.orphanText);
    expect(reasons(server)).toEqual(expected.reasons as ViolationReason[]);
  });

  test("a new deployment has nothing, not even orphans; the key still works", async () => {
    await twoSessions();
    server.deleteAllData();
    await post("/sync/session", session({ externalId: "s3" }));
    server.newDeployment();
    expect(server.dump()).toEqual([]);
    expect(server.orphans()).toEqual([]);
    expect((await send(server, "GET", "/sync/sessions/list")).json).toEqual({ sessionIds: [] });
    expect(server.requests().length).toBeGreaterThan(0);
  });

  test("over HTTP", async () => {
    await twoSessions();
    expect((await post("/__test/delete-session", { externalId: "s2" })).json).toEqual({ deleted: true });
    expect((await post("/__test/delete-all-data", {})).json).toEqual({ sessionsDeleted: 1 });
    expect((await send(server, "GET", "/__test/orphans")).json.messages.map((m: { externalId: string }) => m.externalId)).toEqual(["s1:m1", "s1:m2"]);
    expect((await post("/__test/new-deployment", {})).json).toEqual({ ok: true });
    expect(server.orphans()).toEqual([]);
    expect((await post("/__test/delete-session", {})).status).toBe(400);
  });
});

describe("faults a proxy or a bad day brings", () => {
  const cases: [string, FaultRule, number, string | null, Record<string, string>, (text: string) => boolean][] = [
    ["429 with Retry-After", { kind: 429, retryAfter: 7 }, 429, "application/json", { "retry-after": "7" }, (t) => t === '{"error":"Too many requests"}'],
    ["500 Internal error", { kind: 500 }, 500, "application/json", {}, (t) => t === '{"error":"Internal error"}'],
    ["500 with a given text", { kind: 500, body: '{"error":"Database unavailable"}' }, 500, "application/json", {}, (t) => t === '{"error":"Database unavailable"}'],
    ["500 with plain text", { kind: 500, body: "upstream crashed" }, 500, "text/plain", {}, (t) => t === "upstream crashed"],
    ["a proxy's 400 page", { kind: "proxy", status: 400 }, 400, "text/html", {}, (t) => t.includes("<h1>400 Bad Request</h1>")],
    ["a proxy's 413 page", { kind: "proxy", status: 413 }, 413, "text/html", {}, (t) => t.includes("<h1>413 Request Entity Too Large</h1>")],
    ["a proxy's 502 page", { kind: "proxy" }, 502, "text/html", {}, (t) => t.includes("<h1>502 Bad Gateway</h1>")],
    ["a gateway 504", { kind: 504 }, 504, "text/html", {}, (t) => t.includes("504 Gateway Timeout")],
    ["200 with HTML", { kind: "html" }, 200, "text/html", {}, (t) => t.startsWith("<!doctype html>")],
    ["200 with an empty body", { kind: "empty" }, 200, "application/json", {}, (t) => t === ""],
    ["403", { kind: 403 }, 403, "application/json", {}, (t) => t === '{"error":"Forbidden"}'],
    ["301 to another origin", { kind: "redirect", status: 301, location: "https://elsewhere.invalid/sync/session" }, 301, null, { location: "https://elsewhere.invalid/sync/session" }, (t) => t === ""],
    ["302 to plain http", { kind: "redirect", status: 302, location: "http://127.0.0.1:9/sync/session" }, 302, null, { location: "http://127.0.0.1:9/sync/session" }, (t) => t === ""],
    ["307 by default, to a refusing port", { kind: "redirect" }, 307, null, { location: "http://127.0.0.1:9/sync/session" }, (t) => t === ""],
    ["308", { kind: "redirect", status: 308 }, 308, null, { location: "http://127.0.0.1:9/sync/session" }, (t) => t === ""],
  ];
  test.each(cases)("%s", async (_name, rule, status, type, headers, body) => {
    server.setFaults({ rules: [rule] });
    const r = await send(server, "POST", "/sync/session", session());
    expect([r.status, r.contentType?.split(";")[0] ?? null]).toEqual([status, type]);
    for (const [name, value] of Object.entries(headers)) expect(r.headers.get(name)).toBe(value);
    expect(body(r.text)).toBe(true);
    expect(server.dump()).toEqual([]);
    expect(server.requests()).toMatchObject([{ status, fault: rule.kind }]);
  });

  test("a body of N megabytes, valid JSON", async () => {
    server.setFaults({ rules: [{ kind: "huge-body", megabytes: 3, path: "/api/stats" }] });
    const r = await send(server, "GET", "/api/stats");
    expect(r.status).toBe(200);
    expect(r.text.length).toBe(3 * 1024 * 1024);
    expect(r.json.ok).toBe(true);
  });

  test("limited to a route and a number of times, like every rule", async () => {
    server.setFaults({ rules: [{ kind: 429, path: "/sync/message", times: 2 }] });
    await send(server, "POST", "/sync/session", session());
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await send(server, "POST", "/sync/message", message())).status);
    expect(statuses).toEqual([429, 429, 200]);
  });

  test("random failures can use the new kinds", async () => {
    server.setFaults({ failureRate: 1, failureKinds: [429, "empty"], seed: 3 });
    const statuses = new Set<number>();
    for (let i = 0; i < 10; i++) statuses.add((await send(server, "GET", "/sync/sessions/list")).status);
    expect([...statuses].sort()).toEqual([200, 429]);
  });

  test("a redirect status must be one of 301, 302, 307, 308", () => {
    expect(() => server.setFaults({ rules: [{ kind: "redirect", status: 200 }] })).toThrow();
  });

  test("a stopped server refuses connections; resumed, it has everything still", async () => {
    await send(server, "POST", "/sync/session", session());
    await server.suspend();
    const error = await fetch(`${server.url}/health`).catch((e) => e);
    expect(error.code).toBe("ECONNREFUSED");
    server.resume();
    expect((await send(server, "GET", "/sync/sessions/list")).json).toEqual({ sessionIds: ["s1"] });
  });

  test("suspended for a while over HTTP", async () => {
    expect((await send(server, "POST", "/__test/suspend", { ms: 300 })).json).toEqual({ suspendedForMs: 300 });
    const refused = async () => (await fetch(`${server.url}/health`).catch((e) => e)).code === "ECONNREFUSED";
    expect(await until(refused)).toBe(true);
    expect(await until(async () => !(await refused()))).toBe(true);
    expect((await send(server, "GET", "/health")).status).toBe(200);
  });
});

describe("0.1.x traffic", () => {
  // claude-code-sync@0.1.15's hook requests, field for field: no User-Agent of its own (Node's fetch sends
  // "node"), no createdAt, session counters the server ignores, and its own message ids.
  const legacy = { "User-Agent": "node" };
  const sid = "0b6f4a52-1c7e-4d8e-9a31-5c2f7d9e8b10";
  const steps: [string, Record<string, unknown>][] = [
    ["/sync/session", { externalId: sid, source: "claude-code", projectPath: "/home/u/app", projectName: "app" }],
    ["/sync/session", { externalId: sid, source: "claude-code", title: "Fix the build" }],
    ["/sync/message", { sessionExternalId: sid, externalId: `${sid}-user-1750000000123`, role: "user", source: "claude-code", textContent: "Fix the build" }],
    ["/sync/message", { sessionExternalId: sid, externalId: "toolu_01A2b3C4d5E6f7G8h9", role: "assistant", source: "claude-code", parts: [{ type: "tool-call", content: { toolName: "Bash", args: { command: "npm test" } } }] }],
    ["/sync/message", { sessionExternalId: sid, externalId: "7d1e2f3a-4b5c-4d6e-8f90-a1b2c3d4e5f6", role: "assistant", source: "claude-code", textContent: "Fixed.", model: "claude-sonnet-4-5-20250929" }],
    ["/sync/session", { externalId: sid, source: "claude-code", model: "claude-sonnet-4-5-20250929", promptTokens: 1200, completionTokens: 80, cost: 0.0048, messageCount: 1, toolCallCount: 1 }],
    ["/sync/session", { externalId: sid, source: "claude-code", model: "claude-sonnet-4-5-20250929", title: "Fix the build", projectPath: "/home/u/app", projectName: "app", endReason: "prompt_input_exit", messageCount: 1, toolCallCount: 1, promptTokens: 1200, completionTokens: 80, cost: 0.0048, durationMs: 42_000 }],
  ];

  test("is accepted, and its violations are told apart by User-Agent", async () => {
    expect((await send(server, "GET", "/health", undefined, { ...legacy, Authorization: undefined })).status).toBe(200);
    for (const [path, body] of steps) {
      expect((await send(server, "POST", path, body, legacy)).status).toBe(200);
      clock.advance(30_000);
    }
    expect(server.session(sid)).toMatchObject({ title: "Fix the build", messageCount: 3, promptTokens: 1200, cost: 0.0048, durationMs: 42_000 });
    expect(new Set(reasons(server))).toEqual(new Set<ViolationReason>(["bad-user-agent", "ignored-field"]));
    expect(server.violations().filter((v) => v.userAgent !== "node")).toEqual([]);

    // Today's client takes over the same session.
    await send(server, "POST", "/sync/session", { externalId: sid, source: "claude-code", title: "Fix the build", createdAt: clock.now - 600_000 });
    await send(server, "POST", "/sync/message", message({ sessionExternalId: sid, externalId: `${sid}:line-9` }));
    expect(server.violations({ userAgentPrefix: "claude-code-sync/" })).toEqual([]);
    expect((await send(server, "GET", "/__test/violations?userAgentPrefix=claude-code-sync/")).json).toEqual({ violations: [] });
    expect(server.session(sid)!.messageCount).toBe(4);
  });
});

describe("control over HTTP: profile and writes", () => {
  test("profile merges; writes can be paused and read", async () => {
    server.configure({ rttMs: 3 });
    expect((await send(server, "POST", "/__test/profile", { webApp: true })).json.profile).toMatchObject({ webApp: true, rttMs: 3 });
    expect((await send(server, "GET", "/__test/profile")).json.profile.webApp).toBe(true);
    expect((await send(server, "POST", "/__test/profile", { health: "nope" })).status).toBe(400);
    expect((await send(server, "POST", "/__test/profile", { rttMs: 1, latencyMs: 5 })).status).toBe(400);
    expect(server.profile()).toMatchObject({ rttMs: 3, webApp: true });

    expect((await send(server, "POST", "/__test/writes", { paused: true })).json).toMatchObject({ paused: true });
    const write = send(server, "POST", "/sync/session", session());
    expect(await until(async () => (await send(server, "GET", "/__test/writes")).json.queued === 1)).toBe(true);
    await send(server, "POST", "/__test/writes", { paused: false });
    expect((await write).status).toBe(200);
    expect((await send(server, "GET", "/__test/writes")).json).toMatchObject({ writes: 1, peakRunning: 1 });
  });
});
