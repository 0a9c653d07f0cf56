import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { type OpenSyncClient, type Outcome, createClient } from "../src/opensync/client.ts";
import { AuthError, ProtocolError, TransientError, ValidationError } from "../src/opensync/errors.ts";
import type { FailureKind } from "../src/opensync/errors.ts";
import type { MessagePayload, SessionPayload } from "../src/opensync/payload.ts";
import { payloadHash, windowKey } from "../src/plan/hash.ts";
import { type Adopter, Budget, serverAdopter } from "../src/send/adopt.ts";
import { EarlyAdoption } from "../src/send/early-adopt.ts";
import { Backlog, outboxBytes } from "../src/send/backlog.ts";
import { Pacer } from "../src/send/pacer.ts";
import { recoverUnrecorded } from "../src/send/reconcile.ts";
import { RESOLUTION_MS, ServerClock, estimateOffset, offsetSample } from "../src/opensync/server-clock.ts";
import { Sender, type ServerTime } from "../src/send/sender.ts";
import type { SendTransport } from "../src/send/transport.ts";
import { MESSAGE_WINDOW_MS, SESSION_WINDOW_MS, messageReadyAt, sessionReadyAt } from "../src/send/windows.ts";
import { STALE_MS, SyncLock, runningSyncPid } from "../src/state/lock.ts";
import { type SessionWork, StateStore } from "../src/state/store.ts";
import { scratchDir } from "./helpers/scratch.ts";

const NOW = 1_800_000_000_000;
const stores: StateStore[] = [];
afterEach(() => stores.splice(0).forEach((s) => s.close()));

function store(): StateStore {
  const s = StateStore.open(join(scratchDir("ccs-send-"), "state.db"));
  stores.push(s);
  return s;
}

function session(s: StateStore, id: string, opts: { lastAt?: number; tokens?: number; cost?: number } = {}) {
  const payload = { externalId: id, source: "claude-code", provider: "anthropic", title: `t-${id}`, promptTokens: opts.tokens ?? 10, completionTokens: 1, cost: opts.cost ?? 0.1 };
  const json = JSON.stringify(payload);
  s.write(() => {
    s.sessionKey(id);
    s.putSessionPayload(id, json, payloadHash(json), { excluded: false, createdAt: NOW - 60_000, lastAt: opts.lastAt ?? NOW - 1000 });
  });
  return { payload, json };
}

function message(s: StateStore, sessionId: string, n: number, createdAt: number, text = `m${n}`) {
  const payload = { sessionExternalId: sessionId, externalId: `${sessionId}:${n}`, role: "user", source: "claude-code", textContent: text, parts: [{ type: "text", content: text }] };
  const json = JSON.stringify(payload);
  s.write(() => s.putMessage({ externalId: `${sessionId}:${n}`, sessionId, createdAt, ord: n, hash: payloadHash(json), payload: json }));
}

type Call = { kind: "session"; body: SessionPayload } | { kind: "message"; body: MessagePayload };

/** A transport that answers from a script, records calls, and tracks how many were in flight at once. */
function fakeTransport(answer: (call: Call, n: number) => Outcome<unknown> | undefined = () => undefined, delayMs = 1) {
  const calls: Call[] = [];
  let inFlight = 0;
  let peak = 0;
  const sameTimeOverlap: string[] = [];
  const live = new Map<number, number>();
  const run = async <T>(call: Call, value: T): Promise<Outcome<T>> => {
    calls.push(call);
    const n = calls.length;
    inFlight++;
    peak = Math.max(peak, inFlight);
    const at = call.kind === "message" ? (call.body.createdAt as number) : -1;
    if (at >= 0) {
      if (live.has(at)) sameTimeOverlap.push(call.body.externalId);
      live.set(at, (live.get(at) ?? 0) + 1);
    }
    await Bun.sleep(delayMs);
    inFlight--;
    if (at >= 0) {
      const left = (live.get(at) as number) - 1;
      if (left === 0) live.delete(at);
      else live.set(at, left);
    }
    return (answer(call, n) as Outcome<T> | undefined) ?? { ok: true, value, latencyMs: delayMs, status: 200 };
  };
  const transport: SendTransport = {
    upsertSession: (body) => run({ kind: "session", body }, { sessionId: `srv-${body.externalId}` }),
    upsertMessage: (body) => run({ kind: "message", body }, { messageId: `srv-${body.externalId}` }),
  };
  return { transport, calls, peak: () => peak, sameTimeOverlap };
}

const fail = (kind: FailureKind, error = new TransientError(`${kind}`, 1, false) as never, extra: object = {}): Outcome<never> => ({
  ok: false,
  kind,
  error,
  latencyMs: 1,
  ...extra,
});

/** The server's clock as a sender sees it: an estimate, and the most it can be (by default the header's resolution above). */
function serverTime(offset: number, read: () => Promise<void> = async () => {}, ceiling = offset + RESOLUTION_MS): ServerTime {
  return { offset: () => offset, ceiling: () => ceiling, read };
}

async function send(s: StateStore, transport: SendTransport, options: ConstructorParameters<typeof Sender>[2] = {}) {
  const sender = new Sender(s, transport, { now: () => NOW, ...options });
  sender.loadPending();
  sender.close();
  return sender.run();
}

describe("windows", () => {
  test.each([
    ["a new message goes at once", { createdAt: NOW - 1, sentHash: null }, NOW],
    ["an update past the window goes at once", { createdAt: NOW - MESSAGE_WINDOW_MS, sentHash: "h" }, NOW],
    ["an update inside the window waits for its end", { createdAt: NOW - 1000, sentHash: "h" }, NOW - 1000 + MESSAGE_WINDOW_MS],
    ["a future createdAt is judged on the clamped time", { createdAt: NOW + 86_400_000, sentHash: "h" }, NOW + MESSAGE_WINDOW_MS],
  ])("message: %s", (_name, m, expected) => {
    expect(messageReadyAt(m, NOW)).toBe(expected);
  });

  // The server's clock 10 minutes behind ours: createdAt is in its time, the answer in ours.
  const BEHIND = -600_000;
  test.each([
    ["a new message goes at once", { createdAt: NOW + BEHIND - 1, sentHash: null }, NOW],
    ["an update sent 1 s ago (server time) waits for the window's end in our time", { createdAt: NOW + BEHIND - 1000, sentHash: "h" }, NOW - 1000 + MESSAGE_WINDOW_MS],
    ["an update past the window by the server's clock goes at once", { createdAt: NOW + BEHIND - MESSAGE_WINDOW_MS, sentHash: "h" }, NOW],
    ["a createdAt in the server's future is judged on the server's time", { createdAt: NOW - 1000, sentHash: "h" }, NOW + MESSAGE_WINDOW_MS],
  ])("message, the server's clock behind ours: %s", (_name, m, expected) => {
    expect(messageReadyAt(m, NOW, BEHIND)).toBe(expected);
  });

  const key = windowKey({ title: "t", promptTokens: 1, completionTokens: 1 });
  test.each([
    ["never sent", { sentHash: null, sentKey: null, writtenAt: null }, key, NOW],
    ["tokens changed", { sentHash: "h", sentKey: windowKey({ title: "t", promptTokens: 0, completionTokens: 1 }), writtenAt: NOW - 1 }, key, NOW],
    ["only windowed fields changed, written 1 s ago", { sentHash: "h", sentKey: key, writtenAt: NOW - 1000 }, key, NOW - 1000 + SESSION_WINDOW_MS],
    ["only windowed fields changed, long ago", { sentHash: "h", sentKey: key, writtenAt: NOW - 60_000 }, key, NOW],
    ["the server may hold either of two copies, one with the same key (a late write's)", { sentHash: "h", sentKey: `k0 ${key}`, writtenAt: NOW - 1000 }, key, NOW - 1000 + SESSION_WINDOW_MS],
    ["the server may hold either of two copies, neither with its key", { sentHash: "h", sentKey: "k0 k1", writtenAt: NOW - 1000 }, key, NOW],
    ["the server may hold a copy whose key is unknown (a killed run's)", { sentHash: "h", sentKey: "k0 *", writtenAt: NOW - 1000 }, key, NOW - 1000 + SESSION_WINDOW_MS],
  ])("session: %s", (_name, s, next, expected) => {
    expect(sessionReadyAt(s, next, NOW)).toBe(expected);
  });
});

describe("the server's clock from Date headers", () => {
  const header = (ms: number) => new Date(ms).toUTCString();
  test.each([
    ["no header", null, NOW, undefined],
    ["an unparseable header", "yesterday-ish", NOW, undefined],
    ["the same second, answer 300 ms into it: the header's second counts", header(NOW), NOW + 300, { low: -300, high: 1000 + 200 }],
    ["a server 10 minutes behind", header(NOW - 600_000), NOW, { low: -600_000, high: -599_000 + 200 }],
    ["a server 10 minutes ahead", header(NOW + 600_000), NOW, { low: 600_000, high: 601_000 + 200 }],
    ["a slow answer: the low end far down, the high end as close as the request's start", header(NOW - 600_000), NOW + 3000, { low: -603_000, high: -599_000 + 200 }],
  ])("sample: %s (the request left 200 ms before NOW)", (_name, date, receivedAt, expected) => {
    expect(offsetSample(date, NOW - 200, receivedAt)).toEqual(expected);
  });

  test.each([
    ["no samples", [], 0],
    ["within the header's resolution: no skew", [-RESOLUTION_MS, -1500, 0], 0],
    ["behind the server (our clock late): nothing changes", [600_000, 600_400], 0],
    ["ahead of the server by 10 minutes", [-600_000], -600_000],
    ["the lower median of several: one odd answer does not move it", [-600_100, -600_900, 5_000, -600_500], -600_500],
    ["an even count takes the lower of the middle two (the safe side)", [-601_000, -600_000], -601_000],
  ])("estimate: %s", (_name, samples, expected) => {
    expect(estimateOffset(samples)).toBe(expected);
  });

  test("a clock keeps its latest samples: an old skew, corrected, is forgotten", () => {
    const clock = new ServerClock();
    expect(clock.read).toBe(false);
    clock.note(undefined);
    expect(clock.read).toBe(false);
    expect(clock.ceiling()).toBe(RESOLUTION_MS);
    for (let i = 0; i < 9; i++) clock.note({ low: -600_000, high: -599_000 });
    expect(clock.offset()).toBe(-600_000);
    expect(clock.ceiling()).toBe(-599_000);
    for (let i = 0; i < 5; i++) clock.note({ low: -200, high: 900 });
    expect(clock.read).toBe(true);
    expect(clock.offset()).toBe(0);
    expect(clock.ceiling()).toBe(900);
  });

  test("the ceiling is the upper median of the samples' high ends: a slow answer lowers the estimate, not the ceiling", () => {
    const clock = new ServerClock();
    clock.note({ low: -600_050, high: -598_950 });
    clock.note({ low: -603_400, high: -598_990 }); // answered 3.4 s late
    expect(clock.offset()).toBe(-603_400);
    expect(clock.ceiling()).toBe(-598_950);
  });

  test("a client notes the Date of every answer, failures included, and its copies share the clock", async () => {
    const date = new Date(Date.now() - 600_000).toUTCString();
    let requests = 0;
    const answer = (status: number, body: unknown) => {
      requests++;
      return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", Date: date } });
    };
    const fetchFake = (async (url: string) => (String(url).endsWith("/health") ? answer(200, { status: "ok", timestamp: 1 }) : answer(401, { error: "Invalid API key" }))) as unknown as typeof fetch;
    const client = createClient({ url: "http://127.0.0.1:9", apiKey: `osk_${"a".repeat(32)}`, retries: 0, fetch: fetchFake });
    await client.once.listSessions();
    expect(client.serverClock.offset()).toBeLessThan(-598_000);
    expect(client.withRetries(2).serverClock).toBe(client.serverClock);
    await client.readServerClock(); // already read: no request
    expect(requests).toBe(1);
    const fresh = createClient({ url: "http://127.0.0.1:9", apiKey: `osk_${"a".repeat(32)}`, fetch: fetchFake });
    await fresh.readServerClock();
    expect(requests).toBe(2);
    expect(fresh.serverClock.read).toBe(true);
  });
});

describe("Pacer", () => {
  test("grows while latency stays flat, shrinks when it rises or requests fail", () => {
    const p = new Pacer({ initial: 4 });
    for (let i = 0; i < 100; i++) p.success(100);
    const grown = p.limit;
    expect(grown).toBeGreaterThan(10);
    p.success(400); // queueing at the server
    expect(p.limit).toBeLessThan(grown);
    const afterRise = p.limit;
    for (let i = 0; i < afterRise; i++) p.success(100); // cooldown passes
    p.failure();
    expect(p.limit).toBeLessThanOrEqual(Math.ceil(afterRise / 2) + 1);
    for (let i = 0; i < 50; i++) p.failure();
    expect(p.limit).toBe(1);
  });

  test("a 429 pauses everybody until Retry-After", () => {
    const p = new Pacer({ initial: 8 });
    p.pause(5000, NOW);
    expect(p.resumeAt).toBe(NOW + 5000);
    expect(p.limit).toBe(4);
  });
});

describe("Sender", () => {
  test("the session first, then its messages in order; one millisecond's messages one at a time, others pipelined", async () => {
    const s = store();
    session(s, "a");
    for (let i = 0; i < 30; i++) message(s, "a", i, NOW - 50_000 + Math.floor(i / 3)); // three per millisecond
    const t = fakeTransport(undefined, 5);
    const out = await send(s, t.transport, { pacer: new Pacer({ initial: 8 }) });
    expect(out).toMatchObject({ sessionsSent: 1, messagesSent: 30, failed: [], unsent: 0 });
    expect(t.calls[0]?.kind).toBe("session");
    expect(t.sameTimeOverlap).toEqual([]);
    expect(t.peak()).toBeGreaterThan(1);
    // Within each millisecond, transcript order.
    const order = t.calls.filter((c) => c.kind === "message").map((c) => Number(c.body.externalId.split(":")[1]));
    for (let ms = 0; ms < 10; ms++) {
      const group = order.filter((n) => Math.floor(n / 3) === ms);
      expect(group).toEqual([...group].sort((a, b) => a - b));
    }
    expect(s.counts().messagesPending).toBe(0);
  });

  test("newest sessions first", async () => {
    const s = store();
    session(s, "old", { lastAt: NOW - 300_000 });
    session(s, "new", { lastAt: NOW - 1_000 });
    session(s, "mid", { lastAt: NOW - 100_000 });
    const t = fakeTransport();
    await send(s, t.transport, { pacer: new Pacer({ initial: 1, max: 1 }) });
    expect(t.calls.map((c) => c.body.externalId)).toEqual(["new", "mid", "old"]);
  });

  test("a refused message is recorded and the others go; a refused session keeps its messages back", async () => {
    const s = store();
    session(s, "a", { lastAt: NOW - 2000 });
    message(s, "a", 1, NOW - 50_000);
    message(s, "a", 2, NOW - 49_000, "bad");
    message(s, "a", 3, NOW - 48_000);
    session(s, "b", { lastAt: NOW - 1000 });
    message(s, "b", 1, NOW - 50_000);
    const refused = (route: string) => fail("refused", new ValidationError(route, 500, "Object contains extra field") as never);
    const t = fakeTransport((c) =>
      c.kind === "message" && c.body.textContent === "bad" ? refused("POST /sync/message") : c.kind === "session" && c.body.externalId === "b" ? refused("POST /sync/session") : undefined,
    );
    const out = await send(s, t.transport);
    expect(out.messagesSent).toBe(2);
    expect(out.failed.map((f) => f.id).sort()).toEqual(["a:2", "b"]);
    expect(t.calls.some((c) => c.kind === "message" && c.body.sessionExternalId === "b")).toBe(false);
    const counts = s.counts();
    expect(counts.failedCount).toBe(2);
    // Refused items wait (a day, or --retry-failed): none is pending until then; then a (its message a:2) and b (with b:1).
    expect(s.pending()).toEqual({ sessionsPending: 0, messagesPending: 0 });
    expect(s.pending({ retryFailedBefore: NOW + 1 })).toEqual({ sessionsPending: 2, messagesPending: 2 });
    // A refused item waits a day (or --retry-failed): a second run sends nothing.
    const again = fakeTransport();
    expect((await send(s, again.transport)).failed).toEqual([]);
    expect(again.calls).toEqual([]);
    const retry = fakeTransport();
    const out3 = await send(s, retry.transport, { retryFailed: true });
    expect(out3).toMatchObject({ sessionsSent: 1, messagesSent: 2 });
  });

  test("transient failures are retried within the run; one item that fails every attempt is left pending and the run goes on", async () => {
    const s = store();
    session(s, "a");
    for (let i = 0; i < 5; i++) message(s, "a", i, NOW - 50_000 + i * 1000);
    let flaky = 0;
    const t = fakeTransport((c) => {
      if (c.kind === "message" && c.body.externalId === "a:1" && flaky++ < 2) return fail("transient-maybe-applied");
      if (c.kind === "message" && c.body.externalId === "a:3") return fail("transient-not-sent");
      return undefined;
    });
    const retries: string[] = [];
    const sender = new Sender(s, t.transport, { now: Date.now, onRetry: (reason) => retries.push(reason) });
    sender.loadPending();
    sender.close();
    const out = await sender.run();
    expect(out.stoppedBy).toBeUndefined();
    expect(out.messagesSent).toBe(4);
    expect(out.unsent).toBe(1);
    // Each failure that is tried again is said (a:1 twice, a:3 three times before it is left), the last one not.
    expect(retries.sort()).toEqual(["transient-maybe-applied", "transient-maybe-applied", "transient-not-sent", "transient-not-sent", "transient-not-sent"]);
    expect(s.counts().messagesPending).toBe(1);
    expect(s.pending()).toEqual({ sessionsPending: 1, messagesPending: 1 });
  }, 30_000);

  test.each([
    ["a refused key", "final-auth", new AuthError("Invalid API key")],
    ["a wrong URL", "final-url", new ProtocolError("u", 404, "x")],
    ["refused connections", "server-down", new TransientError("cannot connect", 1, false)],
  ] as const)("%s stops the run at once, nothing marked sent", async (_name, kind, error) => {
    const s = store();
    session(s, "a");
    message(s, "a", 1, NOW - 50_000);
    const t = fakeTransport(() => fail(kind, error as never));
    const out = await send(s, t.transport);
    expect(out.stoppedBy).toBe(error);
    expect(t.calls.length).toBe(1);
    expect(s.counts()).toMatchObject({ sessionsSynced: 0, messagesPending: 1 });
  });

  test("a 429 asking for a long pause stops the run and says so; a short one is waited out", async () => {
    const s = store();
    session(s, "a");
    for (let i = 0; i < 40; i++) message(s, "a", i, NOW - 50_000 + i * 1000);
    const limited = new TransientError("POST /sync/message to sync.example.dev failed (HTTP 429, retry after 3600 s)", 1, false, { kind: "rate-limited" });
    const long = fakeTransport((c) => (c.kind === "message" ? fail("rate-limited", limited as never, { retryAfterMs: 3_600_000 }) : undefined));
    const stopped = await send(s, long.transport);
    expect(stopped.stoppedBy?.message).toContain("wait 60 minutes, so this sync stops here");
    // Only what was already in flight when the answer came.
    expect(long.calls.filter((c) => c.kind === "message").length).toBeLessThan(10);
    expect(s.counts()).toMatchObject({ messagesPending: 40 });

    let first = true;
    const short = fakeTransport((c) => {
      if (c.kind !== "message" || !first) return undefined;
      first = false;
      return fail("rate-limited", limited as never, { retryAfterMs: 50 });
    });
    const waited = await send(s, short.transport, { now: Date.now });
    expect(waited.stoppedBy).toBeUndefined();
    expect(waited.messagesSent).toBe(40);
    expect(s.counts()).toMatchObject({ messagesPending: 0 });
  });

  test("429s that let nothing through for a minute stop the run and say so", async () => {
    const s = store();
    session(s, "a");
    for (let i = 0; i < 5; i++) message(s, "a", i, NOW - 50_000 + i * 1000);
    const limited = new TransientError("POST /sync/message to sync.example.dev failed (HTTP 429, retry after 1 s)", 1, false, { kind: "rate-limited" });
    const t = fakeTransport((c) => (c.kind === "message" ? fail("rate-limited", limited as never, { retryAfterMs: 1_000 }) : undefined));
    // A clock that moves 5 s per reading: a minute of 429s passes in a few dozen answers, not a minute.
    let clock = NOW;
    const out = await send(s, t.transport, { now: () => (clock += 5_000) });
    expect(out.stoppedBy?.message).toMatch(/slow down for \d+ s, letting nothing through, so this sync stops here/);
    expect(t.calls.filter((c) => c.kind === "message").length).toBeLessThan(40);
    expect(s.counts()).toMatchObject({ messagesPending: 5 });
  });

  test("one web page or 403 is a hiccup; three in a row stop the run", async () => {
    const s = store();
    session(s, "a");
    for (let i = 0; i < 4; i++) message(s, "a", i, NOW - 50_000 + i * 1000);
    const page = new ProtocolError("u", 200, "<html>");
    let once = 0;
    const hiccup = fakeTransport((c) => (c.kind === "message" && once++ === 0 ? fail("not-opensync", page as never) : undefined));
    const sender = new Sender(s, hiccup.transport, { now: Date.now });
    sender.loadPending();
    sender.close();
    const first = await sender.run();
    expect(first.stoppedBy).toBeUndefined();
    expect(first.messagesSent).toBe(4);

    const t = store();
    session(t, "b");
    message(t, "b", 1, NOW - 50_000);
    const always = fakeTransport(() => fail("not-opensync", page as never));
    const out = await new Promise<ReturnType<Sender["run"]>>((resolve) => {
      const sender2 = new Sender(t, always.transport, { now: Date.now });
      sender2.loadPending();
      sender2.close();
      resolve(sender2.run());
    });
    expect(out.stoppedBy).toBe(page);
    expect(always.calls.length).toBe(3);
  }, 30_000);

  test("a changed message inside its window is held back with the time it may go", async () => {
    const s = store();
    const { json } = session(s, "a");
    message(s, "a", 1, NOW - 2000, "first");
    const first = fakeTransport();
    await send(s, first.transport);
    message(s, "a", 1, NOW - 2000, "edited");
    const t = fakeTransport();
    const out = await send(s, t.transport);
    expect(t.calls).toEqual([]);
    expect(out.deferredSessions).toEqual([{ sessionId: "a", readyAt: NOW - 2000 + MESSAGE_WINDOW_MS }]);
    expect(json).toBeTruthy();
  });

  test("a session whose only change the window would drop waits; its new messages do not", async () => {
    const s = store();
    session(s, "a", { cost: 0.1 });
    message(s, "a", 1, NOW - 50_000);
    await send(s, fakeTransport().transport);
    session(s, "a", { cost: 0.2 }); // cost only: dropped inside the 10 s window
    message(s, "a", 2, NOW - 40_000);
    const t = fakeTransport();
    const out = await send(s, t.transport);
    expect(t.calls.map((c) => c.kind)).toEqual(["message"]);
    expect(out.deferredSessions[0]?.sessionId).toBe("a");
    expect(out.deferredSessions[0]?.readyAt).toBe(NOW + SESSION_WINDOW_MS);
  });

  test("a session whose record waits while its new messages go: it may go a window after the last of them, not after its previous write", async () => {
    const s = store();
    session(s, "a", { cost: 0.1 });
    await send(s, fakeTransport().transport, { now: () => NOW - 5_000 });
    session(s, "a", { cost: 0.2 });
    message(s, "a", 1, NOW - 1_000);
    const out = await send(s, fakeTransport().transport);
    expect(out.deferredSessions).toEqual([{ sessionId: "a", readyAt: NOW + SESSION_WINDOW_MS }]);
  });

  test("a clock ahead of the server: createdAt is sent clamped and stored as sent", async () => {
    const s = store();
    session(s, "a");
    message(s, "a", 1, NOW + 86_400_000, "from the future");
    const t = fakeTransport();
    await send(s, t.transport);
    const sent = t.calls.find((c) => c.kind === "message");
    expect(sent?.body.createdAt).toBe(NOW);
    // An edit a minute later is not held back for a day.
    message(s, "a", 1, NOW + 86_400_000, "edited");
    const later = NOW + 60_000;
    const t2 = fakeTransport();
    const sender = new Sender(s, t2.transport, { now: () => later });
    sender.loadPending();
    sender.close();
    const out = await sender.run();
    expect(out.messagesSent).toBe(1);
  });

  test("the server's clock 10 minutes behind: createdAt never in its future, in order, and an update waits for its window by its clock", async () => {
    const s = store();
    session(s, "a");
    for (let n = 1; n <= 4; n++) message(s, "a", n, NOW - 120_000 + n); // two minutes ago by our clock
    let reads = 0;
    const clock = serverTime(-600_000, async () => void reads++);
    const t = fakeTransport();
    await send(s, t.transport, { serverClock: clock });
    expect(reads).toBe(1);
    expect(t.calls.map((c) => c.body.createdAt)).toEqual([1, 2, 3, 4, 5].map(() => NOW - 600_000));
    expect(t.calls.filter((c) => c.kind === "message").map((c) => c.body.externalId)).toEqual(["a:1", "a:2", "a:3", "a:4"]);
    expect(t.sameTimeOverlap).toEqual([]); // one time: one at a time, so the server keeps their order

    // Edited a second later; a new message follows. A run whose estimate came out lower clamps no lower than the last one.
    message(s, "a", 1, NOW - 120_000 + 1, "edited");
    message(s, "a", 5, NOW - 110_000);
    const t2 = fakeTransport();
    const out = await send(s, t2.transport, { now: () => NOW + 1000, serverClock: serverTime(-601_500) });
    expect(t2.calls.map((c) => [c.body.externalId, c.body.createdAt])).toEqual([["a:5", NOW - 600_000]]);
    // Timed by the lower estimate: later than the server's window needs, never earlier.
    expect(out.deferredSessions).toEqual([{ sessionId: "a", readyAt: NOW + 1000 + MESSAGE_WINDOW_MS }]);

    // A run on a loaded machine: an answer came back 4 s late and took the estimate down with it; the server's
    // clock can still read the time used before (the ceiling says so), so a new message clamps no lower than it.
    message(s, "a", 8, NOW - 100_000);
    const slow = fakeTransport();
    await send(s, slow.transport, { now: () => NOW + 1500, serverClock: serverTime(-604_000, async () => {}, -599_000) });
    expect(slow.calls.map((c) => [c.body.externalId, c.body.createdAt])).toEqual([["a:8", NOW - 600_000]]);

    // A run that could not read the server's clock (no Date header) used our time; the next one, reading it, does not keep to it.
    message(s, "a", 6, NOW + 5000);
    await send(s, fakeTransport().transport, { now: () => NOW + 5000, serverClock: serverTime(0) });
    message(s, "a", 7, NOW + 6000);
    const t3 = fakeTransport();
    await send(s, t3.transport, { now: () => NOW + 6000, serverClock: serverTime(-600_000) });
    expect(t3.calls.map((c) => [c.body.externalId, c.body.createdAt])).toEqual([["a:7", NOW + 6000 - 600_000]]);
  });

  test("the server's clock behind ours by no more than its Date header can tell: createdAt as before, and no clock read without a write", async () => {
    const s = store();
    let reads = 0;
    const clock = serverTime(0, async () => void reads++);
    expect((await send(s, fakeTransport().transport, { serverClock: clock })).messagesSent).toBe(0);
    expect(reads).toBe(0);
    session(s, "a");
    message(s, "a", 1, NOW - 120_000);
    const t = fakeTransport();
    await send(s, t.transport, { serverClock: clock });
    expect(t.calls.map((c) => c.body.createdAt)).toEqual([NOW - 60_000, NOW - 120_000]);
    expect(reads).toBe(1);
  });

  test("a session's update goes before the server's clock is read (its answer shows it: no extra request); a new session and messages wait for it", async () => {
    const s = store();
    session(s, "a");
    await send(s, fakeTransport().transport);
    session(s, "a", { tokens: 20 });
    message(s, "a", 1, NOW - 120_000);
    session(s, "b");
    const t = fakeTransport();
    const readAfter: number[] = [];
    await send(s, t.transport, { serverClock: serverTime(-600_000, async () => void readAfter.push(t.calls.length)) });
    expect(readAfter).toEqual([1]);
    expect(t.calls[0]).toMatchObject({ kind: "session", body: { externalId: "a", promptTokens: 20 } });
    expect(t.calls.slice(1).map((c) => [c.body.externalId, c.body.createdAt])).toEqual(
      expect.arrayContaining([["b", NOW - 600_000], ["a:1", NOW - 600_000]]),
    );
  });

  test("a session's update that goes before the clock is read sets no floor: the next message clamps no lower than the last run's time", async () => {
    const s = store();
    session(s, "a");
    message(s, "a", 1, NOW - 120_000);
    await send(s, fakeTransport().transport, { serverClock: serverTime(-600_000) });

    // Half a second later: the tokens changed (the update goes at once, before the clock), a new message follows.
    // The clock as a client has it: unread, it says nothing (our time); the first answer shows it, 800 ms low (a slow answer).
    session(s, "a", { tokens: 20 });
    message(s, "a", 2, NOW - 110_000);
    let known = false;
    const unreadFirst: ServerTime = {
      offset: () => (known ? -600_800 : 0),
      ceiling: () => (known ? -599_000 : RESOLUTION_MS),
      read: async () => void (known = true),
    };
    const t = fakeTransport(() => void (known = true));
    await send(s, t.transport, { now: () => NOW + 500, serverClock: unreadFirst });
    expect(t.calls[0]).toMatchObject({ kind: "session", body: { externalId: "a", promptTokens: 20 } });
    expect(t.calls.filter((c) => c.kind === "message").map((c) => [c.body.externalId, c.body.createdAt])).toEqual([["a:2", NOW - 600_000]]);
  });

  test("Ctrl-C: nothing new starts, what is in flight finishes, the rest stays pending", async () => {
    const s = store();
    session(s, "a");
    for (let i = 0; i < 50; i++) message(s, "a", i, NOW - 50_000 + i);
    const abort = new AbortController();
    const t = fakeTransport((_c, n) => {
      if (n === 5) abort.abort();
      return undefined;
    }, 5);
    const out = await send(s, t.transport, { signal: abort.signal, pacer: new Pacer({ initial: 2, max: 2 }) });
    expect(out.interrupted).toBe(true);
    expect(t.calls.length).toBeLessThan(10);
    expect(s.counts().messagesPending).toBe(50 - out.messagesSent);
  });

  test("a lock taken over while paused: the next record stops the run", async () => {
    const s = store();
    session(s, "a");
    for (let i = 0; i < 5; i++) message(s, "a", i, NOW - 50_000 + i * 1000);
    const mine = new SyncLock(s);
    expect(mine.tryAcquire()).toBe(true);
    // Another process takes the lock (this one looked stale to it).
    s.db.query("UPDATE lock SET token = 'theirs'").run();
    const out = await send(s, fakeTransport().transport);
    expect(out.stoppedBy?.name).toBe("LockLostError");
    expect(s.counts().sessionsSynced).toBe(0);
    mine.release();
  });
});

describe("SyncLock", () => {
  test("says when it was taken from a holder that never let go (its last writes may be unrecorded), not after a release", () => {
    const s = store();
    const first = new SyncLock(s, 2 ** 22 + 1); // no such process: as a sync that was killed
    expect(first.tryAcquire()).toBe(true);
    expect(first.tookOver).toBe(false);
    const next = new SyncLock(s);
    expect(next.tryAcquire()).toBe(true);
    expect(next.tookOver).toBe(true);
    next.release();
    const after = new SyncLock(s);
    expect(after.tryAcquire()).toBe(true);
    expect(after.tookOver).toBe(false);
    after.release();
  });

  test("names the sync running now (for status), not one that was killed or has let go", () => {
    const s = store();
    expect(runningSyncPid(s)).toBeUndefined();
    const killed = new SyncLock(s, 2 ** 22 + 1); // no such process
    expect(killed.tryAcquire()).toBe(true);
    expect(runningSyncPid(s)).toBeUndefined();
    const running = new SyncLock(s);
    expect(running.tryAcquire()).toBe(true);
    expect(runningSyncPid(s)).toBe(process.pid);
    expect(runningSyncPid(s, Date.now() + STALE_MS)).toBeUndefined(); // its heart stopped beating
    running.release();
    expect(runningSyncPid(s)).toBeUndefined();
  });
});

describe("Sender, fed while it runs", () => {
  test("a session fed again while its pass runs gets a second pass after it: new messages go, nothing goes twice", async () => {
    const s = store();
    session(s, "a");
    message(s, "a", 1, NOW - 50_000);
    const t = fakeTransport(undefined, 5);
    const sender = new Sender(s, t.transport, { now: () => NOW });
    sender.loadPending();
    const running = sender.run();
    await Bun.sleep(1);
    // The scan reads more of the session while its first pass is under way.
    message(s, "a", 2, NOW - 49_000);
    sender.feed("a");
    sender.close();
    const out = await running;
    expect(out.messagesSent).toBe(2);
    expect(t.calls.filter((c) => c.kind === "message").map((c) => c.body.externalId)).toEqual(["a:1", "a:2"]);
  });
});

const sessionWrites = (t: ReturnType<typeof fakeTransport>) =>
  t.calls.flatMap((c) => (c.kind === "session" ? [[c.body.promptTokens, c.body.completionTokens, c.body.cost]] : []));
/** A sender fed "a" as the scan would (before close), then closed after its first write went. */
async function whileReading(s: StateStore, t: ReturnType<typeof fakeTransport>) {
  const before = sessionWrites(t).length;
  const sender = new Sender(s, t.transport, { now: () => NOW });
  sender.feed("a");
  const running = sender.run();
  while (sessionWrites(t).length === before) await Bun.sleep(1);
  return { sender, running };
}

describe("a record write given up on (no answer) whose retry meets the window it may have opened", () => {
  test("waits for the window's end and the run ends (found by a replay under faults: the retry, still counted, kept the sync running for good)", async () => {
    const s = store();
    session(s, "a", { cost: 0.1 });
    await send(s, fakeTransport().transport, { now: () => Date.now() - 60_000 });
    // Cost only, its last write a minute ago: it goes at once; its write is given up on, and may land until 3 s from now.
    session(s, "a", { cost: 0.2 });
    const noAnswer = fail("transient-maybe-applied", new TransientError("no answer within 1.5 s", 1, true) as never);
    const t = fakeTransport((c, n) => (c.kind === "session" && n === 1 ? noAnswer : undefined), 5);
    const sender = new Sender(s, t.transport, { now: () => Date.now(), unsureForMs: 3_000 });
    sender.feed("a");
    const running = sender.run();
    while (t.calls.length === 0) await Bun.sleep(1);
    // The read ends while the write is on its way: the retry takes the session again, with the window the lost write may open.
    sender.close();
    const out = await Promise.race([running, Bun.sleep(5_000).then(() => "still running" as const)]);
    expect(out).not.toBe("still running");
    if (out === "still running") return;
    expect(t.calls.map((c) => c.kind)).toEqual(["session"]);
    expect(out.deferredSessions.map((d) => d.sessionId)).toEqual(["a"]);
    expect(out.deferredSessions[0]?.readyAt).toBeGreaterThan(Date.now() + SESSION_WINDOW_MS - 1_000);
  });
});

describe("a session new to the server while the read goes on", () => {
  test("is created without its totals, which follow once the read is done (a file read later may take its responses)", async () => {
    const s = store();
    session(s, "a", { tokens: 40, cost: 0.5 });
    message(s, "a", 1, NOW - 50_000);
    const t = fakeTransport(undefined, 5);
    const { sender, running } = await whileReading(s, t);
    sender.close();
    const out = await running;
    expect(sessionWrites(t)).toEqual([[0, 0, 0], [40, 1, 0.5]]);
    expect(out).toMatchObject({ sessionsSent: 1, messagesSent: 1, deferred: 0 });
    expect(s.pending()).toMatchObject({ sessionsPending: 0, messagesPending: 0 });
  });

  test("progress counts sessions, not passes: a session read in two rounds is one (the bar said 'Sent 2 sessions')", async () => {
    const s = store();
    session(s, "a");
    message(s, "a", 1, NOW - 60_000);
    const shown: Array<[number, number]> = [];
    const sender = new Sender(s, fakeTransport().transport, { now: () => NOW, onProgress: (done, total) => shown.push([done, total]) });
    sender.feed("a");
    const running = sender.run();
    while (shown.length === 0) await Bun.sleep(1);
    // The next round of the read finds more of it.
    message(s, "a", 2, NOW - 50_000);
    sender.feed("a");
    sender.close();
    await running;
    expect(shown.at(0)).toEqual([1, 1]);
    expect(shown.at(-1)).toEqual([1, 1]);
  });

  /** A sender that took "a" up while the read went on; its first step (the check) answers once `readEnds` has run and the sender is closed. */
  async function slowCheck(s: StateStore, t: ReturnType<typeof fakeTransport>, readEnds: () => void) {
    let answer: (o: Outcome<boolean>) => void = () => {};
    let asked = false;
    const adopter = {
      had: () => ((asked = true), new Promise<Outcome<boolean>>((resolve) => (answer = resolve))),
      adopt: async (): Promise<Outcome<number>> => ({ ok: true, value: 0, latencyMs: 1, status: 200 }),
    };
    const sender = new Sender(s, t.transport, { now: () => NOW, adopter });
    sender.feed("a");
    const running = sender.run();
    while (!asked) await Bun.sleep(1);
    readEnds();
    sender.feed("a");
    sender.close();
    answer({ ok: true, value: false, latencyMs: 1, status: 200 });
    await running;
  }

  test("taken up before the read ended but written after it (its first step slow): written with what the read finished with", async () => {
    const s = store();
    session(s, "a", { tokens: 40, cost: 0.5 });
    const t = fakeTransport();
    // Meanwhile a file read later took the session's responses, and the read ended.
    await slowCheck(s, t, () => {
      const zero = { ...JSON.parse(s.sessionsWithWork({ only: new Set(["a"]), retryFailedBefore: 0 })[0]?.payload as string), promptTokens: 0, completionTokens: 0, cost: 0 };
      const json = JSON.stringify(zero);
      s.write(() => s.putSessionPayload("a", json, payloadHash(json), { excluded: false, createdAt: NOW - 60_000, lastAt: NOW - 1000 }));
    });
    // Written with the totals it was taken up with, the session would keep them: the server ignores a later 0.
    expect(sessionWrites(t)).toEqual([[0, 0, 0]]);
    expect(s.pending().sessionsPending).toBe(0);
  });

  test("taken up before the read ended, unchanged by the rest of it, written after it: one write, whole", async () => {
    const s = store();
    session(s, "a", { tokens: 40, cost: 0.5 });
    const t = fakeTransport();
    await slowCheck(s, t, () => {});
    expect(sessionWrites(t)).toEqual([[40, 1, 0.5]]);
  });

  test("whose responses the read gave to another session: nothing more goes (the server already shows 0)", async () => {
    const s = store();
    session(s, "a", { tokens: 40, cost: 0.5 });
    const t = fakeTransport(undefined, 5);
    const { sender, running } = await whileReading(s, t);
    // The original, read after the copy, takes its responses: the copy's totals are now 0.
    const zero = { ...JSON.parse(s.sessionsWithWork({ only: new Set(["a"]), retryFailedBefore: 0 })[0]?.payload as string), promptTokens: 0, completionTokens: 0, cost: 0 };
    const json = JSON.stringify(zero);
    s.write(() => s.putSessionPayload("a", json, payloadHash(json), { excluded: false, createdAt: NOW - 60_000, lastAt: NOW - 1000 }));
    sender.feed("a");
    sender.close();
    const out = await running;
    expect(sessionWrites(t)).toEqual([[0, 0, 0]]);
    expect(out.deferred).toBe(0);
    expect(s.pending().sessionsPending).toBe(0);
  });

  test("once the read is done, a session goes whole in one write; so does one the server has", async () => {
    const s = store();
    session(s, "a", { tokens: 40, cost: 0.5 });
    const t = fakeTransport();
    await send(s, t.transport);
    session(s, "a", { tokens: 50, cost: 0.6 });
    const { sender, running } = await whileReading(s, t);
    sender.close();
    await running;
    expect(sessionWrites(t)).toEqual([[40, 1, 0.5], [50, 1, 0.6]]);
  });
});

describe("recoverUnrecorded: after a killed run, what the server already holds is recorded before sending", () => {
  /** A sender's client (no retries of its own) over a server whose session list fails `failures` times with `status`, then holds nothing. */
  function listing(failures: number, status: number) {
    let calls = 0;
    const waits: number[] = [];
    const fetch = (async () => {
      calls++;
      return calls <= failures ? new Response("{}", { status }) : Response.json({ sessions: [] });
    }) as unknown as typeof globalThis.fetch;
    const client = createClient({ url: "https://sync.example.com", apiKey: "osk_abcdefghijklmnopqrstuvwxyzabcdef", retries: 0, fetch, sleep: async (ms) => void waits.push(ms) });
    return { client, calls: () => calls, waits };
  }

  /** A state with a message the killed run may have sent. */
  function afterKill() {
    const s = store();
    session(s, "a");
    message(s, "a", 1, NOW - 50_000);
    return s;
  }

  test("a read that fails once is tried again, as the sync hands the recovery a retrying client: one lost read would send the session's unrecorded messages again", async () => {
    const l = listing(1, 503);
    expect(await recoverUnrecorded(afterKill(), l.client.withRetries(3))).toBe(0);
    expect(l.calls()).toBe(2);
    expect(l.waits.length).toBe(1);
  });

  test("the sender's client alone would not try again", async () => {
    const l = listing(1, 503);
    await expect(recoverUnrecorded(afterKill(), l.client)).rejects.toBeInstanceOf(TransientError);
    expect(l.calls()).toBe(1);
  });

  test("a server that keeps failing: four attempts, then the failure (the run goes on and sends)", async () => {
    const l = listing(10, 503);
    await expect(recoverUnrecorded(afterKill(), l.client.withRetries(3))).rejects.toBeInstanceOf(TransientError);
    expect(l.calls()).toBe(4);
  });

  test("a session the killed run created is recorded as on the server: its next write is its whole payload, not a first one without totals over those the server has", async () => {
    const s = afterKill();
    const onServer = { id: "srv-a", externalId: "a", promptTokens: 10, completionTokens: 1, cost: 0.1, messageCount: 0, createdAt: NOW - 60_000, updatedAt: NOW - 30_000 };
    const fetch = (async () => Response.json({ sessions: [onServer] })) as unknown as typeof globalThis.fetch;
    const client = createClient({ url: "https://sync.example.com", apiKey: "osk_abcdefghijklmnopqrstuvwxyzabcdef", retries: 0, fetch, sleep: async () => {} });
    await recoverUnrecorded(s, client);
    const t = fakeTransport(undefined, 5);
    const { sender, running } = await whileReading(s, t);
    sender.close();
    await running;
    expect(sessionWrites(t)).toEqual([[10, 1, 0.1]]);
  });

  test("a session the killed run wrote after what was recorded: its window runs from the server's last write", async () => {
    const s = store();
    session(s, "a", { tokens: 40 });
    await send(s, fakeTransport().transport);
    session(s, "a", { tokens: 50 });
    const recorded = s.sessionsWithWork({ retryFailedBefore: 0 })[0]?.writtenAt as number;
    const later = recorded + 5_000;
    const onServer = { id: "srv-a", externalId: "a", promptTokens: 50, completionTokens: 1, cost: 0.1, messageCount: 0, createdAt: NOW - 60_000, updatedAt: later };
    const fetch = (async () => Response.json({ sessions: [onServer] })) as unknown as typeof globalThis.fetch;
    const client = createClient({ url: "https://sync.example.com", apiKey: "osk_abcdefghijklmnopqrstuvwxyzabcdef", retries: 0, fetch, sleep: async () => {} });
    await recoverUnrecorded(s, client);
    expect(s.sessionsWithWork({ retryFailedBefore: 0 })[0]?.writtenAt).toBe(later);
  });

  test("a refused key is not tried again", async () => {
    const l = listing(10, 401);
    await expect(recoverUnrecorded(afterKill(), l.client.withRetries(3))).rejects.toBeInstanceOf(AuthError);
    expect(l.calls()).toBe(1);
  });
});

describe("sessionsWithWork: sessions named by id are looked up alone, with the same answer as the whole listing", () => {
  test("for every kind of session, and for several named at once", async () => {
    const s = store();
    for (const id of ["due", "sent", "more", "refused", "msg-refused", "excluded"]) session(s, id, { lastAt: NOW - id.length * 1000 });
    s.write(() => s.sessionKey("no-payload"));
    message(s, "no-payload", 1, NOW - 5000);
    for (const id of ["sent", "more", "msg-refused"]) message(s, id, 1, NOW - 3000);
    await send(s, fakeTransport().transport, { only: new Set(["sent", "more", "msg-refused"]) });
    message(s, "more", 2, NOW - 2000);
    message(s, "msg-refused", 2, NOW - 2000);
    s.write(() => {
      s.markMessageFailed("msg-refused:2", "refused", NOW);
      s.markSessionFailed(s.sessionKey("refused"), "refused", NOW);
      s.putSessionPayload("excluded", "{}", payloadHash("{}"), { excluded: true, createdAt: NOW - 60_000, lastAt: NOW });
    });
    const ids = ["due", "sent", "more", "refused", "msg-refused", "excluded", "no-payload", "unknown"];
    // Before a refusal's retry time and after it.
    for (const retryFailedBefore of [0, NOW + 1]) {
      const all = s.sessionsWithWork({ retryFailedBefore });
      const listed = (only: string[]) => all.filter((w) => only.includes(w.sessionId));
      for (const id of ids) expect(s.sessionsWithWork({ only: new Set([id]), retryFailedBefore })).toEqual(listed([id]));
      expect(s.sessionsWithWork({ only: new Set(ids), retryFailedBefore })).toEqual(all);
    }
    // What each answer holds, so the comparison above is not of two empty lists.
    expect(s.sessionsWithWork({ retryFailedBefore: 0 }).map((w) => w.sessionId).sort()).toEqual(["due", "more"]);
    expect(s.sessionsWithWork({ retryFailedBefore: NOW + 1 }).map((w) => w.sessionId).sort()).toEqual(["due", "more", "msg-refused", "refused"]);
  });
});

describe("adoptions hold the server's copies within a byte budget", () => {
  const settle = () => Bun.sleep(5);

  test.each<[string, number[], string[]]>([
    // [name, bytes taken in order (limit 100), who got in before any was given back]
    ["one alone goes, however large", [150], ["0"]],
    ["several within the limit go at once", [40, 60], ["0", "1"]],
    ["one whose share would pass the limit waits", [60, 50], ["0"]],
    ["a small one waits behind a large one holding the budget", [150, 1], ["0"]],
  ])("%s", async (_name, takes, first) => {
    const budget = new Budget(100);
    const got: string[] = [];
    const all = takes.map((bytes, i) => budget.take(bytes).then(() => got.push(String(i))));
    await settle();
    expect(got).toEqual(first);
    takes.forEach((bytes, i) => got.includes(String(i)) && budget.give(bytes));
    await Promise.all(all);
    expect(got.length).toBe(takes.length);
  });

  test("what an adoption finds on the server leaves the backlog as a sent message does: the read waiting for room goes on", async () => {
    const s = store();
    session(s, "a");
    for (let n = 1; n <= 3; n++) message(s, "a", n, NOW - 50_000 + n);
    const key = s.sessionsWithWork({ retryFailedBefore: 0 })[0]?.key as number;
    const ours = [...s.outbox(key, Number.MAX_SAFE_INTEGER)];
    const held = ours.map((m) => ({ id: `srv-${m.externalId}`, createdAt: m.createdAt, ...JSON.parse(m.payload) }));
    const bytes = ours.reduce((sum, m) => sum + outboxBytes(m.payload), 0);
    // The read put them in the outbox, one byte past the bound: it waits for the sender.
    const backlog = new Backlog(bytes - 1);
    backlog.queued(bytes);
    const answer = <T>(value: T) => ({ ok: true, value, latencyMs: 1, status: 200 });
    const client = {
      once: { listSessions: async () => answer(["a"]), getServerSession: async () => answer({ session: {}, messages: held }) },
    } as unknown as OpenSyncClient;
    const sender = new Sender(s, fakeTransport().transport, { now: () => NOW, adopter: serverAdopter(s, client), backlog });
    sender.loadPending();
    sender.close();
    expect((await sender.run()).messagesSent).toBe(0);
    expect(s.pending().messagesPending).toBe(0);
    // Over its bound once the sender ended, the backlog stops the read (the rest waits for the next sync): here it is within.
    expect(backlog.readSignal(undefined).aborted).toBe(false);
  });

  test("an adopter reads the server's copies of large sessions one at a time, small ones side by side", async () => {
    const s = store();
    const big = "x".repeat(3000);
    for (const id of ["big1", "big2", "small1", "small2"]) {
      session(s, id);
      for (let n = 1; n <= 3; n++) message(s, id, n, NOW - 50_000 + n, id.startsWith("big") ? big : "hi");
    }
    let live = 0;
    const overlaps: string[][] = [];
    const open = new Set<string>();
    const client = {
      once: {
        getServerSession: async (serverId: string) => {
          open.add(serverId);
          live++;
          if (live > 1) overlaps.push([...open].sort());
          await Bun.sleep(5);
          live--;
          open.delete(serverId);
          return { ok: true, value: { session: {}, messages: [] }, latencyMs: 5, status: 200 };
        },
      },
    } as unknown as OpenSyncClient;
    const adopter = serverAdopter(s, client, new Budget(5000));
    const work = new Map(s.sessionsWithWork({ retryFailedBefore: 0 }).map((w) => [w.sessionId, w]));
    const outcomes = await Promise.all(["big1", "big2", "small1", "small2"].map((id) => adopter.adopt(work.get(id) as SessionWork, id)));
    expect(outcomes.every((o) => o.ok)).toBe(true);
    // The two large ones (9 kB of payload each) never overlap; the small ones went together.
    expect(overlaps.some((o) => o.includes("big1") && o.includes("big2"))).toBe(false);
    expect(overlaps.some((o) => o.includes("small1") && o.includes("small2"))).toBe(true);
  });
});

describe("a new state facing a server that holds sessions: each compared with its copy as soon as it is read", () => {
  const answered = <T>(value: T): Outcome<T> => ({ ok: true, value, latencyMs: 1, status: 200 });
  /** An adopter whose comparisons end when the test says, each with `outcome`. */
  function heldAdopter(outcome: Outcome<number>) {
    const asked: Array<[string, string]> = [];
    const finish: Array<() => void> = [];
    const adopter: Adopter = {
      had: async () => answered(true),
      adopt: (work, serverId) => {
        asked.push([work.sessionId, serverId]);
        return new Promise((resolve) => finish.push(() => resolve(outcome)));
      },
    };
    return { adopter, asked, finishAll: () => finish.splice(0).forEach((f) => f()) };
  }
  const legacyChecked = (s: StateStore, id: string) => s.sessionsWithWork({ only: new Set([id]), retryFailedBefore: 0 })[0]?.legacyChecked;

  test("a session the server lists is compared once, by its server id; one it does not list is left to the sender", async () => {
    const s = store();
    for (const id of ["a", "b"]) {
      session(s, id);
      message(s, id, 1, NOW - 50_000);
    }
    const { adopter, asked, finishAll } = heldAdopter(answered(10));
    const early = new EarlyAdoption(s, adopter, new Map([["a", "srv-a"]]));
    early.take("a");
    early.take("a");
    early.take("b");
    await Bun.sleep(1);
    expect(asked).toEqual([["a", "srv-a"]]);
    finishAll();
    await early.drain();
    // Compared: the sender writes the session and sends the rest, with no check (and no second read of the copy).
    expect(legacyChecked(s, "a")).toBe(true);
    expect(legacyChecked(s, "b")).toBe(false);
  });

  test("a comparison that failed is left to the sender's own check, and so is every session after it (the sender backs off)", async () => {
    const s = store();
    for (const id of ["a", "b"]) {
      session(s, id);
      message(s, id, 1, NOW - 50_000);
    }
    const { adopter, asked, finishAll } = heldAdopter(fail("server-down"));
    const early = new EarlyAdoption(s, adopter, new Map([["a", "srv-a"], ["b", "srv-b"]]));
    early.take("a");
    await Bun.sleep(1);
    finishAll();
    await early.drain();
    early.take("b");
    await early.drain();
    expect(asked).toEqual([["a", "srv-a"]]);
    expect([legacyChecked(s, "a"), legacyChecked(s, "b")]).toEqual([false, false]);
  });

  test("four comparisons at once at most, the rest as those end", async () => {
    const s = store();
    const ids = ["a", "b", "c", "d", "e", "f"];
    for (const id of ids) {
      session(s, id);
      message(s, id, 1, NOW - 50_000);
    }
    const { adopter, asked, finishAll } = heldAdopter(answered(0));
    const early = new EarlyAdoption(s, adopter, new Map(ids.map((id) => [id, `srv-${id}`])));
    for (const id of ids) early.take(id);
    await Bun.sleep(1);
    expect(asked.map(([id]) => id)).toEqual(["a", "b", "c", "d"]);
    finishAll();
    await Bun.sleep(1);
    expect(asked.map(([id]) => id)).toEqual(ids);
    finishAll();
    await early.drain();
    expect(ids.map((id) => legacyChecked(s, id))).toEqual(ids.map(() => true));
  });

  test("the read waits while the sessions not yet compared hold more of the outbox than the bound", async () => {
    const s = store();
    for (const id of ["a", "b"]) {
      session(s, id);
      message(s, id, 1, NOW - 50_000, "x".repeat(100));
    }
    const key = (id: string) => s.sessionsWithWork({ only: new Set([id]), retryFailedBefore: 0 })[0]?.key as number;
    const { adopter, finishAll } = heldAdopter(answered(0));
    const early = new EarlyAdoption(s, adopter, new Map([["a", "srv-a"], ["b", "srv-b"]]), s.outboxBytes(key("a")));
    early.take("a");
    expect(early.room()).toBeUndefined(); // within the bound
    early.take("b");
    const room = early.room();
    expect(room).toBeInstanceOf(Promise);
    let resumed = false;
    void room?.then(() => (resumed = true));
    await Bun.sleep(5);
    expect(resumed).toBe(false);
    finishAll();
    await early.drain();
    await Bun.sleep(0);
    expect(resumed).toBe(true);
    expect(early.room()).toBeUndefined();
  });
});
