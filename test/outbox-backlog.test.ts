/**
 * The read waits for the sender once the outbox holds more than a bound of payload this run put
 * there and has not sent (send/backlog.ts): the state stays small during a long first sync. A
 * sender with nothing it can send releases the read; one that ended stops it, and the next sync
 * reads the rest from the state's offsets.
 */
import { expect, test } from "bun:test";
import { defaultConfig } from "../src/config/schema.ts";
import { createClient } from "../src/opensync/client.ts";
import { scrubberFrom } from "../src/plan/payloads.ts";
import { scan } from "../src/scan/scan.ts";
import { Backlog, outboxBytes } from "../src/send/backlog.ts";
import { scanSettings } from "../src/sync/context.ts";
import { runSync } from "../src/sync/run-sync.ts";
import { StateSink, statePast } from "../src/sync/state-sink.ts";
import { scratchStores, serverForFile } from "./helpers/in-process-sync.ts";
import { EMBEDDED_PRICES } from "./helpers/read.ts";
import { assistant, jsonl, resetClock, tempClaudeDir, text, user } from "./helpers/transcript.ts";

const served = serverForFile();
const newStore = scratchStores("ccs-backlog-");

const SESSIONS = 8;
/** Three prompts and their answers: six messages per session. */
const PER_SESSION = 6;

/** SESSIONS sessions of PER_SESSION messages, each file one chunk of reading, long past (no window holds a write back). */
function history(words = { context: "context ", detail: "detail " }) {
  resetClock();
  const claude = tempClaudeDir();
  for (let s = 0; s < SESSIONS; s++) {
    const sessionId = `22222222-2222-4222-8222-${String(s).padStart(12, "0")}`;
    const lines = [0, 1, 2].flatMap((t) => [
      user(`Prompt ${t} of session ${s}: ${words.context.repeat(50)}`, { sessionId }),
      assistant(`msg_${s}_${t}`, text(`Answer ${t}: ${words.detail.repeat(50)}`), { sessionId, usage: { input: 10, output: 5, cacheCreation: 0, cacheRead: 0 } }),
    ]);
    claude.write(`p/${sessionId}.jsonl`, jsonl(lines));
  }
  return claude;
}

const turns = (n: number) => Promise.all(Array.from({ length: n }, () => new Promise((resolve) => setImmediate(resolve))));

const busy = (b: Backlog) => b.senderBusy(true);

test.each<[string, (b: Backlog) => void, (b: Backlog) => void, boolean]>([
  ["within the bound: the read goes on", (b) => (busy(b), b.queued(100)), () => {}, true],
  ["over it, the sender busy: the read waits", (b) => (busy(b), b.queued(101)), () => {}, false],
  ["over it, then sent, still over: the read waits", (b) => (busy(b), b.queued(150)), (b) => b.sent(10), false],
  ["over it, then sent below it: the read goes on", (b) => (busy(b), b.queued(150)), (b) => b.sent(50), true],
  ["over it, then the sender has nothing it can send: the read goes on", (b) => (busy(b), b.queued(150)), (b) => b.senderBusy(false), true],
  ["over it, then the sender ended: the read goes on (and is told to stop)", (b) => (busy(b), b.queued(150)), (b) => b.senderEnded(), true],
  ["over it, the sender ended, then fed a session it will never send: the read goes on", (b) => (b.queued(150), b.senderEnded(), busy(b)), () => {}, true],
])("%s", async (_name, before, after, goesOn) => {
  const backlog = new Backlog(100);
  before(backlog);
  let released = false;
  const room = backlog.room();
  if (room) void room.then(() => (released = true));
  else released = true;
  after(backlog);
  await turns(2);
  expect(released).toBe(goesOn);
});

test.each<[string, (b: Backlog) => void, boolean]>([
  ["the sender ended over the bound", (b) => (b.queued(150), b.senderEnded()), true],
  ["the sender ended within it", (b) => (b.queued(50), b.senderEnded()), false],
  ["the sender ended within it, then the read went over", (b) => (b.queued(50), b.senderEnded(), b.queued(60)), true],
  ["over the bound, the sender only idle", (b) => (b.queued(150), b.senderBusy(false)), false],
])("the read is told to stop: %s", (_name, steps, stops) => {
  const backlog = new Backlog(100);
  const signal = backlog.readSignal(undefined);
  steps(backlog);
  expect(signal.aborted).toBe(stops);
});

test("the caller's abort stops the read as before", () => {
  const caller = new AbortController();
  const signal = new Backlog(100).readSignal(caller.signal);
  expect(signal.aborted).toBe(false);
  caller.abort();
  expect(signal.aborted).toBe(true);
});

/** A read into a scratch state, its outbox bounded by `backlog`; the bytes (and characters) each chunk queued, as they come. */
function boundedRead(claude: ReturnType<typeof history>, backlog: Backlog) {
  const store = newStore();
  const sink = new StateSink(store, { loadScrub: async () => scrubberFrom(undefined), isExcluded: () => false, prices: EMBEDDED_PRICES }, () => {}, undefined, undefined, backlog);
  const queued: number[] = [];
  const chars: number[] = [];
  const reading = scan(
    { roots: [claude.projects], settings: { ...scanSettings(defaultConfig()).read, mode: "payloads" }, full: false, finalize: "all", workers: 1 },
    statePast(store),
    {
      prepare: () => sink.prepare(),
      accept: (chunk) => {
        queued.push(chunk.messages.reduce((sum, m) => sum + outboxBytes(m.payload), 0));
        chars.push(chunk.messages.reduce((sum, m) => sum + m.payload.length, 0));
        return sink.accept(chunk);
      },
    },
  );
  const chunksRead = async (n: number) => {
    for (let i = 0; queued.length < n && i < 2000; i++) await Bun.sleep(5);
    // However long it is given, the read takes no chunk more until the sender takes some out.
    await turns(50);
    return queued.length;
  };
  return { store, queued, chars, reading, chunksRead };
}

test("a read over the bound waits for what the sender takes out of the outbox, chunk by chunk", async () => {
  const backlog = new Backlog(1);
  backlog.senderBusy(true); // a sender that has work, and sends only what the test says
  const { store, queued, reading, chunksRead } = boundedRead(history(), backlog);
  for (let chunks = 1; chunks <= 3; chunks++) {
    expect(await chunksRead(chunks)).toBe(chunks);
    expect(store.pending().messagesPending).toBe(chunks * PER_SESSION);
    backlog.sent(queued[chunks - 1] as number);
  }
  // A sender with nothing more it can send lets the read run to its end.
  backlog.senderBusy(false);
  const outcome = await reading;
  expect(outcome).toMatchObject({ sessionsRead: SESSIONS, sessionsUnread: 0 });
  expect(store.pending().messagesPending).toBe(SESSIONS * PER_SESSION);
});

test("the bound is in bytes: a session of Chinese text, under it in characters, is over it in bytes", async () => {
  const claude = history({ context: "上下文", detail: "细节" });
  // A first read, unbounded, gives each session's payload in characters: the bound is the largest.
  const unbounded = boundedRead(claude, new Backlog(Number.POSITIVE_INFINITY));
  await unbounded.reading;
  const limit = Math.max(...unbounded.chars);
  const backlog = new Backlog(limit);
  backlog.senderBusy(true);
  const { queued, reading, chunksRead } = boundedRead(claude, backlog);
  expect(await chunksRead(2)).toBe(1);
  expect(queued[0]).toBeGreaterThan(limit);
  backlog.senderBusy(false);
  expect(await reading).toMatchObject({ sessionsRead: SESSIONS });
});

test("against a slow server, each session is read only once the ones before it were sent", async () => {
  served.server.reset();
  served.server.configure({ writeServiceMs: 3 });
  const claude = history();
  const client = createClient({ url: served.server.url, apiKey: served.server.apiKey, retries: 0 });
  const onServerAtRead: number[] = [];
  const request = {
    ...scanSettings(defaultConfig()),
    roots: [claude.projects],
    full: false,
    apiKey: served.server.apiKey,
    backlogLimit: 1,
    onReadProgress: () => void onServerAtRead.push(served.server.counts()["POST /sync/message"] ?? 0),
  };
  const report = await runSync(newStore(), client, request);
  expect(report).toMatchObject({ sessionsRead: SESSIONS, sessionsUnread: 0, messagesSent: SESSIONS * PER_SESSION, pendingMessages: 0 });
  expect(onServerAtRead.length).toBe(SESSIONS);
  // The n-th session is read once the server has the messages of the n - 1 before it.
  onServerAtRead.forEach((onServer, n) => expect(onServer).toBeGreaterThanOrEqual(n * PER_SESSION));
  expect(served.server.violations()).toEqual([]);
});

test("a sender that stops (a refused key) stops the read: the sync ends, and the next one sends everything once", async () => {
  served.server.reset();
  const claude = history();
  const store = newStore();
  const refused = createClient({ url: served.server.url, apiKey: served.server.apiKey, retries: 0 });
  const oldKey = served.server.apiKey;
  const apiKey = served.server.rotateKey();
  const request = { ...scanSettings(defaultConfig()), roots: [claude.projects], full: false, backlogLimit: 1 };
  const stopped = await runSync(store, refused, { ...request, apiKey: oldKey });
  expect(stopped.stoppedBy).toBeDefined();
  expect(stopped.messagesSent).toBe(0);
  expect(stopped.sessionsUnread).toBeGreaterThan(0);
  expect(stopped.sessionsRead + stopped.sessionsUnread).toBe(SESSIONS);

  const next = await runSync(store, createClient({ url: served.server.url, apiKey, retries: 0 }), { ...request, apiKey });
  expect(next).toMatchObject({ sessionsUnread: 0, messagesSent: SESSIONS * PER_SESSION, pendingMessages: 0, pendingSessions: 0 });
  expect(next.stoppedBy).toBeUndefined();
  // Exactly once: one write per message over both runs, each message stored once.
  expect(served.server.counts()["POST /sync/message"]).toBe(SESSIONS * PER_SESSION);
  expect(served.server.dump().reduce((sum, s) => sum + s.messages.length, 0)).toBe(SESSIONS * PER_SESSION);
  expect(served.server.violations()).toEqual([]);
});

test("Ctrl-C while the read waits for the sender: the sync ends, and the next one sends everything once", async () => {
  served.server.reset();
  served.server.configure({ writeServiceMs: 20 });
  const claude = history();
  const store = newStore();
  const client = createClient({ url: served.server.url, apiKey: served.server.apiKey, retries: 0 });
  const request = { ...scanSettings(defaultConfig()), roots: [claude.projects], full: false, apiKey: served.server.apiKey, backlogLimit: 1 };
  const ctrlC = new AbortController();
  // Pressed once the first session is read: the read then waits for the sender, which stops instead.
  const interrupted = await runSync(store, client, { ...request, signal: ctrlC.signal, onReadProgress: () => ctrlC.abort() });
  expect(interrupted.interrupted).toBe(true);
  expect(interrupted.sessionsUnread).toBeGreaterThan(0);
  expect(interrupted.sessionsRead + interrupted.sessionsUnread).toBe(SESSIONS);

  const next = await runSync(store, client, request);
  expect(next).toMatchObject({ sessionsUnread: 0, pendingMessages: 0, pendingSessions: 0 });
  expect(served.server.dump().reduce((sum, s) => sum + s.messages.length, 0)).toBe(SESSIONS * PER_SESSION);
  expect(served.server.counts()["POST /sync/message"]).toBe(SESSIONS * PER_SESSION);
  expect(served.server.violations()).toEqual([]);
});
