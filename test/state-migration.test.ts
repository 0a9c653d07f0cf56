/**
 * The state of claude-code-sync 0.2.0 (schema 1, its SQL copied below from
 * that version's src/state/db.ts) opened by this version (schema 2,
 * src/state/schema.ts): what the server has is kept (as hashes), everything
 * read from the transcripts is read again, and the next sync, against a
 * server holding what 0.2.0 sent, sends only what is new or changed.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { createHash } from "node:crypto";
import { appendFileSync, mkdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { payloadHash } from "../src/plan/hash.ts";
import { StateStore } from "../src/state/store.ts";
import { type TestServer, startTestServer } from "../testserver/server.ts";
import { runCli, tempHome } from "./helpers/cli.ts";
import { comparable, referenceData, removeTempDirs, syncEnv, tempDir, writes } from "./helpers/hardening.ts";
import { readIntoState } from "./helpers/read.ts";
import { assistant, jsonl, tempClaudeDir, text, toolUse, user } from "./helpers/transcript.ts";
import { send } from "./testserver-helpers.ts";

/** 0.2.0's schema, as its src/state/db.ts created it. */
const V1_SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
  path TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  identity TEXT NOT NULL,
  size INTEGER NOT NULL,
  mtime_ms REAL NOT NULL,
  offset INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
  session_id TEXT PRIMARY KEY,
  fold TEXT,
  payload TEXT,
  sent_payload TEXT,
  sent_at INTEGER,
  error TEXT,
  excluded INTEGER NOT NULL DEFAULT 0,
  redactions INTEGER NOT NULL DEFAULT 0,
  project TEXT,
  created_at INTEGER,
  written_at INTEGER
);
CREATE TABLE IF NOT EXISTS usage (
  key TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  model TEXT NOT NULL,
  sidechain INTEGER NOT NULL,
  fast INTEGER NOT NULL,
  input INTEGER NOT NULL,
  output INTEGER NOT NULL,
  cw5 INTEGER NOT NULL,
  cw1h INTEGER NOT NULL,
  cr INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS usage_session ON usage(session_id);
CREATE TABLE IF NOT EXISTS messages (
  external_id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  hash TEXT NOT NULL,
  sent_hash TEXT,
  payload TEXT,
  error TEXT,
  redactions INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS messages_session ON messages(session_id, created_at);
CREATE INDEX IF NOT EXISTS messages_outbox ON messages(session_id, created_at) WHERE payload IS NOT NULL;
CREATE TABLE IF NOT EXISTS requests (session_id TEXT PRIMARY KEY, requested_at INTEGER NOT NULL, final INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS lock (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, heartbeat INTEGER NOT NULL);
`;

/** Fully sent by 0.2.0. */
const S1 = "11111111-aaaa-4aaa-8aaa-aaaaaaaaaaaa";
/** Sent, but one prompt was refused, and the last response grew a block since 0.2.0 sent it. */
const S2 = "22222222-bbbb-4bbb-8bbb-bbbbbbbbbbbb";
/** Read by 0.2.0, never sent (the server was down). */
const S3 = "33333333-cccc-4ccc-8ccc-cccccccccccc";
const LAST_SYNC = "1750000000000";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
  removeTempDirs();
});

interface Item {
  id: string;
  sessionId: string;
  createdAt: number;
  payload: string;
}

/**
 * Transcripts, and what 0.2.0 held for them: the payloads it built (the same
 * read path builds them here, with the default redaction), read before S2's
 * last response grew its second block (appended afterwards).
 */
async function history() {
  const claude = tempClaudeDir();
  const paths = {
    [S1]: claude.write(`-home-dev-one/${S1}.jsonl`, jsonl([user("first task", { sessionId: S1, cwd: "/home/dev/one" }), assistant("msg_s1a", text("done"), { sessionId: S1, cwd: "/home/dev/one" }), user("thanks", { sessionId: S1, cwd: "/home/dev/one" }), assistant("msg_s1b", text("welcome"), { sessionId: S1, cwd: "/home/dev/one" })])),
    [S2]: claude.write(`-home-dev-two/${S2}.jsonl`, jsonl([user("second task", { sessionId: S2, cwd: "/home/dev/two" }), assistant("msg_s2a", text("ok"), { sessionId: S2, cwd: "/home/dev/two" }), user("a prompt 0.2.0 could not send", { sessionId: S2, cwd: "/home/dev/two" }), assistant("msg_s2b", text("looking"), { sessionId: S2, cwd: "/home/dev/two" })])),
    [S3]: claude.write(`-home-dev-three/${S3}.jsonl`, jsonl([user("third task", { sessionId: S3, cwd: "/home/dev/three" }), assistant("msg_s3a", text("sure"), { sessionId: S3, cwd: "/home/dev/three" })])),
  };
  const sizes = Object.fromEntries(Object.entries(paths).map(([id, p]) => [id, statSync(p).size]));
  const scratch = StateStore.open(join(tempDir("ccs-v1-read-"), "state.db"));
  await readIntoState(scratch, [claude.projects], { redact: true });
  const sessions = new Map(scratch.sessionsWithWork({ retryFailedBefore: 0 }).map((w) => [w.sessionId, w]));
  const messages: Item[] = [];
  for (const w of sessions.values()) for (const m of scratch.outbox(w.key, 0)) messages.push({ id: m.externalId, sessionId: w.sessionId, createdAt: m.createdAt, payload: m.payload });
  scratch.close();
  appendFileSync(paths[S2] as string, jsonl([assistant("msg_s2b", toolUse("toolu_s2", "Bash", { command: "ls" }), { sessionId: S2, cwd: "/home/dev/two", usage: { output: 300 } })]));
  const refused = messages.find((m) => m.payload.includes("a prompt 0.2.0 could not send")) as Item;
  return { claude, paths, sizes, sessions, messages, refused };
}

type History = Awaited<ReturnType<typeof history>>;

/** A schema-1 database as 0.2.0 left it for `h`, at `path`. */
function writeV1(path: string, h: History, account: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { create: true, strict: true });
  db.run("PRAGMA journal_mode = WAL");
  db.run(V1_SCHEMA);
  const meta = db.query("INSERT INTO meta (key, value) VALUES (?, ?)");
  meta.run("schema", "1");
  meta.run("account", account);
  meta.run("last_sync", LAST_SYNC);
  for (const [id, path_] of Object.entries(h.paths)) {
    db.query("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?)").run(path_, id, "1:1", h.sizes[id] as number, 1, h.sizes[id] as number);
  }
  for (const [id, w] of h.sessions) {
    const sent = id === S3 ? null : w.payload;
    db.query("INSERT INTO sessions (session_id, fold, payload, sent_payload, sent_at, project, created_at, written_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)").run(
      id,
      JSON.stringify({ meta: { sessionId: id }, open: [] }),
      w.payload,
      sent,
      sent ? 1_750_000_000_000 : null,
      `/home/dev/${id === S1 ? "one" : id === S2 ? "two" : "three"}`,
      w.createdAt,
      sent ? 1_750_000_000_000 : null,
    );
    db.query("INSERT INTO usage VALUES (?, ?, 'claude-sonnet-4-5-20250929', 0, 0, 10, 50, 100, 0, 1000)").run(`msg_${id}:req`, id);
  }
  db.query("INSERT INTO requests VALUES (?, 1, 0)").run(S2);
  db.query("INSERT INTO lock VALUES (1, 999999, 1)").run();
  for (const m of h.messages) {
    const hash = payloadHash(m.payload);
    const sent = m.sessionId !== S3 && m !== h.refused;
    db.query("INSERT INTO messages (external_id, session_id, created_at, hash, sent_hash, payload, error) VALUES (?, ?, ?, ?, ?, ?, ?)").run(
      m.id,
      m.sessionId,
      m.createdAt,
      hash,
      sent ? hash : null,
      sent ? null : m.payload,
      m === h.refused ? "OpenSync refused POST /sync/message (HTTP 500): Internal error" : null,
    );
  }
  db.close();
}

/** What 0.2.0 had put on the server: the sessions and messages it marked sent. */
async function sentBy020(h: History): Promise<void> {
  for (const [id, w] of h.sessions) {
    if (id === S3) continue;
    expect((await send(server, "POST", "/sync/session", { ...JSON.parse(w.payload as string), createdAt: w.createdAt })).status).toBe(200);
  }
  for (const m of h.messages) {
    if (m.sessionId === S3 || m === h.refused) continue;
    expect((await send(server, "POST", "/sync/message", { ...JSON.parse(m.payload), createdAt: m.createdAt })).status).toBe(200);
  }
}

const accountOf = (apiKey: string) => createHash("sha256").update(apiKey).digest("hex").slice(0, 16);
/** Where a HOME keeps the state of `url`: one database per server URL (the first 16 hex digits of its SHA-256). */
const statePathIn = (home: string, url: string) => join(home, ".claude-code-sync", "state", `${createHash("sha256").update(url).digest("hex").slice(0, 16)}.db`);
const sentIds = (h: History, sessionId: string) => h.messages.filter((m) => m.sessionId === sessionId && m !== h.refused).map((m) => m.id).sort();

describe("a schema 6 state", () => {
  test("lists the models its usage rows' iterations name with the others, which every sync reads", () => {
    const path = join(tempDir("ccs-v6-"), "state.db");
    const tokens = { input: 10, output: 5, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 };
    const before = StateStore.open(path);
    before.putUsage(1n, { key: "msg_1:req_1", sessionId: "s1", sidechain: false, model: "claude-opus-5-5", tokens, iterations: [{ kind: "advisor_message", model: "claude-fable-5-1", tokens }] }, null);
    before.close();
    // Schema 6 listed only the responses' own models.
    const db = new Database(path);
    db.run("DELETE FROM models WHERE name = 'claude-fable-5-1'");
    db.run("PRAGMA user_version = 6");
    db.close();
    const store = StateStore.open(path);
    try {
      expect(store.db.query("PRAGMA user_version").get()).toEqual({ user_version: 7 });
      expect(store.modelNames().sort()).toEqual(["claude-fable-5-1", "claude-opus-5-5"]);
    } finally {
      store.close();
    }
  });
});

describe("a 0.2.0 state (schema 1)", () => {
  test("opened by the StateStore: what the server has is kept as hashes, what was read is dropped to be read again", async () => {
    const h = await history();
    const path = join(tempDir("ccs-v1-"), "state.db");
    writeV1(path, h, "acc0123456789abc");
    const store = StateStore.open(path);
    try {
      const tables = (store.db.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((t) => t.name);
      expect(tables).toEqual(["files", "folders", "folds", "lock", "messages", "meta", "models", "outbox", "sessions", "unsure_writes", "usage"]);
      expect(store.db.query("PRAGMA user_version").get()).toEqual({ user_version: 7 });
      expect([store.getMeta("account"), store.getMeta("last_sync"), store.getMeta("schema")]).toEqual(["acc0123456789abc", LAST_SYNC, undefined]);
      // Not new: it knows what it sent, so its next sync neither asks the server's totals nor reads everything for a hook.
      expect(store.isNew()).toBe(false);

      // Kept: the sessions and messages the server acknowledged, with the hash of what it got.
      expect(store.sentSessionIds().sort()).toEqual([S1, S2]);
      for (const id of [S1, S2, S3]) expect(store.sentMessages(id).map((m) => m.externalId).sort()).toEqual(id === S3 ? [] : sentIds(h, id));
      // Dropped: offsets, usage, the outbox, refusals (the refused prompt is tried again), the old lock.
      expect(store.db.query("SELECT COUNT(*) AS n FROM files").get()).toEqual({ n: 0 });
      expect(store.sessionUsage(S1)).toEqual([]);
      expect(store.counts()).toMatchObject({ sessionsSynced: 2, messagesPending: 0, failedCount: 0, lastSync: Number(LAST_SYNC) });
      expect(store.db.query("SELECT COUNT(*) AS n FROM lock").get()).toEqual({ n: 0 });

      // The next read finds in the transcripts only what the server lacks: S2's refused prompt and grown response, and S3.
      await readIntoState(store, [h.claude.projects], { redact: true });
      const pending = store.sessionsWithWork({ retryFailedBefore: 0 }).flatMap((w) => [...store.outbox(w.key, 0)].map((m) => m.externalId));
      const grown = h.messages.find((m) => m.sessionId === S2 && m.payload.includes("looking"))?.id;
      expect(pending.sort()).toEqual([h.refused.id, grown as string, ...h.messages.filter((m) => m.sessionId === S3).map((m) => m.id)].sort());
    } finally {
      store.close();
    }
  }, 30_000);

  test("the next sync, against the server 0.2.0 sent to, sends only what is new or changed; no message twice", async () => {
    server.reset();
    const h = await history();
    const home = tempHome();
    const reference = await referenceData(h.claude.root);
    writeV1(statePathIn(home, server.url), h, accountOf(server.apiKey));
    await sentBy020(h);
    const before = writes(server);

    const env = syncEnv(server, h.claude.root, home);
    const r = await runCli(["sync", "--json"], { env });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    // S2's refused prompt and its grown response, and S3's two messages.
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, messagesSent: 4, failed: [] });
    expect(writes(server).messages - before.messages).toBe(4);
    expect(comparable(server.dump())).toEqual(reference);
    // A message sent again unchanged would be here (identical-resend).
    expect(server.violations()).toEqual([]);

    const again = await runCli(["sync", "--json"], { env });
    expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, sessionsSent: 0, messagesSent: 0 });
    expect((await runCli(["status", "--json"], { env })).stdout).toContain(`"sessionsSynced":3`);
  }, 60_000);
});
