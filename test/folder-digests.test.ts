/**
 * A scan leaves out a project folder whose transcripts are listed as they were
 * when all of them had been read (its digest, in the state's `folders`): a
 * sync with nothing new loads nothing of such a folder from the state, however
 * large the history. Everything that makes the state want a folder again
 * (a file that grew, a session to be read again, a response held back, a
 * full read) brings it back.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { appendFileSync, statSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { discoverFiles } from "../src/discover/files.ts";
import { folderDigest } from "../src/discover/folder-digest.ts";
import { StateStore } from "../src/state/store.ts";
import { removeTempDirs, tempDir } from "./helpers/hardening.ts";
import { readIntoState } from "./helpers/read.ts";
import { assistant, jsonl, tempClaudeDir, text, user } from "./helpers/transcript.ts";

afterAll(removeTempDirs);

const A = "aaaaaaaa-0000-4000-8000-000000000001";
const B = "bbbbbbbb-0000-4000-8000-000000000002";

/** Two project folders, one session each (B with a flat agent file and a nested subagent). */
function history() {
  const claude = tempClaudeDir();
  const a = claude.write(`p1/${A}.jsonl`, jsonl([user("first", { sessionId: A }), assistant("msg_a", text("one"), { sessionId: A })]));
  claude.write(`p2/${B}.jsonl`, jsonl([user("second", { sessionId: B }), assistant("msg_b", text("two"), { sessionId: B })]));
  claude.write("p2/agent-b1.jsonl", jsonl([user("b1", { sessionId: B })]));
  claude.write(`p2/${B}/subagents/agent-b2.jsonl`, jsonl([user("b2", { sessionId: B })]));
  const p1 = join(claude.projects, "p1");
  const p2 = join(claude.projects, "p2");
  return { claude, a, p1, p2 };
}

function newStore(): StateStore {
  return StateStore.open(join(tempDir("ccs-folders-"), "state.db"));
}

/** One read into the state, with the folders whose files it asked the state for. */
async function read(store: StateStore, roots: string[], full = false) {
  const loaded = new Set<string>();
  const outcome = await readIntoState(store, roots, { loaded, full });
  return { sessionsRead: outcome.sessionsRead, loaded: [...loaded].sort() };
}

describe("folderDigest", () => {
  const files = [
    { path: "/p/a.jsonl", size: 10, mtimeMs: 1.5, dev: 1, ino: 2 },
    { path: "/p/b.jsonl", size: 20, mtimeMs: 2.5, dev: 1, ino: 3 },
  ];
  const digest = folderDigest(files);

  test("is the same in any order, and changes with any file's path, size, time or inode, or a file more or less", () => {
    expect(folderDigest([...files].reverse())).toBe(digest);
    const changed = [
      [{ ...files[0], path: "/p/c.jsonl" }, files[1]],
      [{ ...files[0], size: 11 }, files[1]],
      [{ ...files[0], mtimeMs: 1.6 }, files[1]],
      [{ ...files[0], ino: 4 }, files[1]],
      [{ ...files[0], dev: 2 }, files[1]],
      // The same numbers in other places: a size taken for a time, two files' stats swapped.
      [{ ...files[0], size: 1.5, mtimeMs: 10 }, files[1]],
      [{ ...files[0], dev: 2, ino: 1 }, files[1]],
      [{ ...files[0], path: "/p/b.jsonl" }, { ...files[1], path: "/p/a.jsonl" }],
      [files[0]],
      [...files, { path: "/p/d.jsonl", size: 1, mtimeMs: 1, dev: 1, ino: 5 }],
      [files[0], { path: "/p/b.jsonl" }],
    ];
    const digests = changed.map((list) => folderDigest(list as typeof files));
    expect(new Set([digest, ...digests]).size).toBe(changed.length + 1);
  });
});

describe("discoverFiles with recorded digests", () => {
  test("a folder whose digest is the recorded one is left out, its files not asked for; its empty transcripts are still said", () => {
    const h = history();
    h.claude.write("p1/agent-empty.jsonl", "");
    const first = discoverFiles([h.claude.projects]);
    expect(first.folders.map((f) => f.path).sort()).toEqual([h.p1, h.p2]);
    const digests = new Map(first.folders.map((f) => [f.path, f.digest]));
    const asked: string[] = [];
    const known = { digest: (f: string) => (f === h.p1 ? digests.get(f) : undefined), files: (f: string) => (asked.push(f), new Map()) };
    const again = discoverFiles([h.claude.projects], known);
    expect(again.files.map((f) => f.path).every((p) => p.startsWith(`${h.p2}/`))).toBe(true);
    expect(again.files).toHaveLength(3);
    expect(asked).toEqual([h.p2]);
    expect(again.folders.map((f) => f.path)).toEqual([h.p2]);
    expect(again.skipped.map((s) => [s.path, s.reason])).toEqual([[join(h.p1, "agent-empty.jsonl"), "empty file"]]);

    // The same folder with one transcript grown is listed.
    appendFileSync(h.a, jsonl([user("more", { sessionId: A })]));
    expect(discoverFiles([h.claude.projects], known).files.filter((f) => f.folder === h.p1)).toHaveLength(1);
  });

  test("a folder with a transcript that names no session is never offered for a digest; nor is any folder of a pass over some sessions", () => {
    const h = history();
    h.claude.write("p1/agent-nameless.jsonl", jsonl([{ type: "summary", summary: "no session here" }]));
    const d = discoverFiles([h.claude.projects]);
    expect(d.skipped.map((s) => s.reason)).toEqual(["no session id in its first lines"]);
    expect(d.folders.map((f) => f.path)).toEqual([h.p2]);
    expect(discoverFiles([h.claude.projects], undefined, new Set([A, B])).folders).toEqual([]);
  });
});

describe("a scan into the state", () => {
  test("with nothing new loads no folder; a grown transcript brings back its folder alone", async () => {
    const h = history();
    const store = newStore();
    try {
      expect(await read(store, [h.claude.projects])).toEqual({ sessionsRead: 2, loaded: [h.p1, h.p2] });
      expect([...store.folderDigests().keys()].sort()).toEqual([h.p1, h.p2]);
      expect(await read(store, [h.claude.projects])).toEqual({ sessionsRead: 0, loaded: [] });

      appendFileSync(h.a, jsonl([user("third", { sessionId: A })]));
      expect(await read(store, [h.claude.projects])).toEqual({ sessionsRead: 1, loaded: [h.p1] });
      expect(store.messageCount(A)).toBe(3);
      expect(await read(store, [h.claude.projects])).toEqual({ sessionsRead: 0, loaded: [] });

      // Touched only (same bytes, another time): looked at, nothing to read, and left out again after.
      const later = new Date(statSync(h.a).mtimeMs + 5_000);
      utimesSync(h.a, later, later);
      expect((await read(store, [h.claude.projects])).loaded).toEqual([h.p1]);
      expect(await read(store, [h.claude.projects])).toEqual({ sessionsRead: 0, loaded: [] });
    } finally {
      store.close();
    }
  });

  test("a session to be read again (its file rows dropped) drops its folder's digest: it is read again", async () => {
    const h = history();
    const store = newStore();
    try {
      await read(store, [h.claude.projects]);
      store.write(() => store.rereadSession(B));
      expect([...store.folderDigests().keys()]).toEqual([h.p1]);
      expect(await read(store, [h.claude.projects])).toEqual({ sessionsRead: 1, loaded: [h.p2] });
      expect(store.messageCount(B)).toBe(4);
    } finally {
      store.close();
    }
  });

  test("a full read and a response held back look at every folder", async () => {
    const h = history();
    const store = newStore();
    try {
      await read(store, [h.claude.projects]);
      expect(await read(store, [h.claude.projects], true)).toEqual({ sessionsRead: 2, loaded: [h.p1, h.p2] });

      // A response still being written in p1 (no stop reason, written just now): held back.
      const now = new Date().toISOString();
      appendFileSync(h.a, jsonl([user("go on", { sessionId: A, timestamp: now }), assistant("msg_a2", text("half"), { sessionId: A, stopReason: null, timestamp: now })]));
      await read(store, [h.claude.projects]);
      expect(store.heldSessions()).toEqual([A]);
      expect((await read(store, [h.claude.projects])).loaded).toEqual([h.p1, h.p2]);
    } finally {
      store.close();
    }
  });
});

describe("a schema 2 state", () => {
  test("gets the folders table and its triggers, keeping what it had read", async () => {
    const h = history();
    const store = newStore();
    await read(store, [h.claude.projects]);
    const path = store.path;
    store.close();
    // Back to schema 2: no folders table, no triggers, no usage.copy (nor what schema 5 added).
    const db = new Database(path);
    for (const trigger of ["files_insert", "files_update", "files_delete"]) db.run(`DROP TRIGGER ${trigger}`);
    db.run("DROP TABLE folders");
    db.run("ALTER TABLE usage DROP COLUMN copy");
    db.run("DROP TABLE unsure_writes");
    db.run("PRAGMA user_version = 2");
    db.close();

    const reopened = StateStore.open(path);
    try {
      expect(reopened.db.query("PRAGMA user_version").get()).toEqual({ user_version: 7 });
      expect(reopened.folderDigests().size).toBe(0);
      // Nothing to read again; the digests are recorded by this read, and the triggers work.
      expect(await read(reopened, [h.claude.projects])).toEqual({ sessionsRead: 0, loaded: [h.p1, h.p2] });
      expect(await read(reopened, [h.claude.projects])).toEqual({ sessionsRead: 0, loaded: [] });
      reopened.write(() => reopened.rereadSession(A));
      expect([...reopened.folderDigests().keys()]).toEqual([h.p2]);
    } finally {
      reopened.close();
    }
  });
});

describe("a schema 3 state", () => {
  test("gets usage.copy, its responses read as no copies, keeping what it had read", async () => {
    const h = history();
    const store = newStore();
    await read(store, [h.claude.projects]);
    const path = store.path;
    const usage = () => store.db.query("SELECT key, session, input, output FROM usage ORDER BY key").all();
    const before = usage();
    store.close();
    const db = new Database(path);
    db.run("ALTER TABLE usage DROP COLUMN copy");
    db.run("DROP TABLE unsure_writes");
    db.run("PRAGMA user_version = 3");
    db.close();

    const reopened = StateStore.open(path);
    try {
      expect(reopened.db.query("PRAGMA user_version").get()).toEqual({ user_version: 7 });
      expect(reopened.db.query("SELECT key, session, input, output FROM usage ORDER BY key").all()).toEqual(before);
      expect(reopened.db.query("SELECT count(*) AS n FROM usage WHERE copy <> 0").get()).toEqual({ n: 0 });
      // Nothing to read again: its folders' digests were kept.
      expect(await read(reopened, [h.claude.projects])).toEqual({ sessionsRead: 0, loaded: [] });
    } finally {
      reopened.close();
    }
  });
});
