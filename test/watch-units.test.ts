import { syncReport } from "./helpers/report.ts";
import { afterEach, describe, expect, test } from "bun:test";
import { appendFileSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { AuthError, TransientError } from "../src/opensync/errors.ts";
import { UserError } from "../src/errors.ts";
import { stateError } from "../src/state/db.ts";
import { StateStore } from "../src/state/store.ts";
import type { SyncReport } from "../src/sync/run-sync.ts";
import { ChangeQueue, MAX_WAIT_MS, QUIET_MS } from "../src/watch/change-queue.ts";
import { changeTarget } from "../src/watch/change-target.ts";
import { failureLine, syncLine } from "../src/watch/sync-line.ts";
import { startWatcher } from "../src/watch/watcher.ts";
import { rescan } from "../src/watch/rescan.ts";
import { discoverFiles } from "../src/discover/files.ts";
import { QUIET_MS as READ_QUIET_MS } from "../src/scan/quiet.ts";
import { SESSION, jsonl, tempClaudeDir, user } from "./helpers/transcript.ts";
import { scratchDir } from "./helpers/scratch.ts";

describe("ChangeQueue", () => {
  test("a session is ready once quiet for QUIET_MS, and a burst makes one entry", () => {
    const q = new ChangeQueue();
    q.touch("a", 0);
    q.touch("a", 300);
    expect(q.take(300 + QUIET_MS - 1)).toEqual([]);
    expect(q.nextReady()).toBe(300 + QUIET_MS);
    expect(q.take(300 + QUIET_MS)).toEqual(["a"]);
    expect(q.nextReady()).toBeUndefined();
  });

  test("a session written without a pause is ready after MAX_WAIT_MS", () => {
    const q = new ChangeQueue();
    for (let t = 0; t < MAX_WAIT_MS; t += QUIET_MS / 2) q.touch("busy", t);
    expect(q.take(MAX_WAIT_MS - 1)).toEqual([]);
    q.touch("busy", MAX_WAIT_MS);
    expect(q.take(MAX_WAIT_MS)).toEqual(["busy"]);
  });

  test("a retry waits for its time, unless the session is written again", () => {
    const q = new ChangeQueue();
    q.retryAt(["a", "b"], 5_000);
    expect(q.take(4_999)).toEqual([]);
    q.touch("b", 3_000);
    expect(q.take(3_000 + QUIET_MS)).toEqual(["b"]);
    expect(q.take(4_999)).toEqual([]);
    expect(q.take(5_000)).toEqual(["a"]);
  });
});

describe("changeTarget", () => {
  test.each([
    [`p/${SESSION}.jsonl`, { session: SESSION }],
    [`p/${SESSION}/subagents/agent-abc.jsonl`, { session: SESSION }],
    ["p/agent-abc.jsonl", { agentFile: "p/agent-abc.jsonl" }],
    ["p", "rescan"],
    [`p/${SESSION}`, "rescan"],
    [`p/${SESSION}/tool-results/x.txt`, undefined],
    ["stray.jsonl", undefined],
  ] as const)("%s", (path, expected) => {
    expect(changeTarget(path)).toEqual(expected);
  });

  test("Windows separators", () => {
    expect(changeTarget(`p\\${SESSION}\\subagents\\agent-1.jsonl`)).toEqual({ session: SESSION });
  });
});

const report = (over: Partial<SyncReport> = {}) => syncReport({ ...over });

describe("syncLine", () => {
  const at = new Date(2025, 0, 1, 14, 3, 7);
  test("what was sent, for which sessions", () => {
    expect(syncLine(report({ sessionsRead: 1, messagesSent: 3, sessionsSent: 1 }), [SESSION], at)).toBe(
      "14:03:07 session 11111111: sent 3 messages, 1 session update",
    );
    expect(syncLine(report({ sessionsRead: 4, deferred: 2, messagesSent: 1, sessionsSent: 2 }), ["a", "b", "c", "d"], at)).toBe(
      "14:03:07 session a, b, c +1: sent 1 message, 2 session updates; 2 updates to follow in a few seconds (the server takes a session's updates only so often)",
    );
    expect(syncLine(report({ sessionsRead: 1, failed: [{ id: "x", error: "too big" }] }), [SESSION], at, true)).toBe(
      `14:03:07 session ${SESSION}: sent 0 messages, 0 session updates; 1 item refused by the server (see \`claude-code-sync status\`)`,
    );
  });
  test("a failure says when the next try comes, not the client's advice for sync", () => {
    const error = new TransientError("OpenSync at h is not reachable (ECONNREFUSED) after 4 attempts.", 4, false, { retryNote: "Will retry on next sync." });
    expect(failureLine(error, 10_000, at)).toBe("14:03:07 sync failed: OpenSync at h is not reachable (ECONNREFUSED) after 4 attempts. Next try in 10 s.");
  });
  test.each([
    ["another sync holds the state", new UserError("Another sync (pid 42) is still running.", 1, "sync-running", "Try again when it has finished."), "Another sync (pid 42) is still running. Next try in 5 s."],
    ["SQLite's lock outlasted its wait", stateError(Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" }), "/s"), "The sync state at /s stayed locked by another claude-code-sync process for 30 s; nothing was lost. Next try in 5 s."],
  ])("%s: the watch says it tries again itself, not that the user should", (_name, error, line) => {
    expect(error.message).toContain("Try again when it has finished.");
    expect(failureLine(error, 5_000, at)).toBe(`14:03:07 sync failed: ${line}`);
  });
  test("nothing to say after an empty pass, except for the catch-up", () => {
    expect(syncLine(report(), ["a"], at)).toBeUndefined();
    expect(syncLine(report(), undefined, at)).toBe("14:03:07 all sessions: up to date");
  });
  test("a pass that read a session but had nothing to send (half a line written so far) prints nothing, not 'sent 0 messages, 0 session updates'", () => {
    expect(syncLine(report({ sessionsRead: 1 }), [SESSION], at)).toBeUndefined();
    expect(syncLine(report({ sessionsRead: 3 }), undefined, at)).toBe("14:03:07 all sessions: up to date");
  });
});

describe("rescan", () => {
  const OTHER = "22222222-2222-4222-8222-222222222222";
  test("a held session counts as changed once its files are quiet, though none changed", () => {
    const claude = tempClaudeDir();
    claude.write(`p/${SESSION}/subagents/agent-a1.jsonl`, jsonl([user("warmup")]));
    const other = claude.write(`p/${OTHER}.jsonl`, jsonl([user("done")]));
    // Written after the held one: the time to look again is the held session's, not the folder's latest.
    const otherAt = new Date(Date.now() + 5_000);
    utimesSync(other, otherAt, otherAt);
    const state = StateStore.open(join(scratchDir("ccs-rescan-"), "state.db"));
    try {
      const files = discoverFiles([claude.projects]).files;
      for (const f of files) state.putFile(f, f.size, true, null);
      state.setHeld(SESSION, true);
      const lastWrite = Math.max(...files.map((f) => f.mtimeMs));
      const early = rescan([claude.projects], state, lastWrite + 1_000);
      expect([...early.changed]).toEqual([]);
      // when to look again: the held session's files go quiet then
      const heldWrite = Math.max(...files.filter((f) => f.sessionId === SESSION).map((f) => f.mtimeMs));
      expect(early.quietAt).toBe(heldWrite + READ_QUIET_MS);
      // the same files, a minute later: the held one is ready to be read (and sent) again; the other is not
      const later = rescan([claude.projects], state, lastWrite + READ_QUIET_MS);
      expect([...later.changed]).toEqual([SESSION]);
      expect(later.quietAt).toBeUndefined();
      state.setHeld(SESSION, false);
      const none = rescan([claude.projects], state, lastWrite + 1_000);
      expect([...none.changed]).toEqual([]);
      expect(none.quietAt).toBeUndefined();
    } finally {
      state.close();
    }
  });
});

describe("startWatcher", () => {
  const stores: StateStore[] = [];
  afterEach(() => {
    for (const s of stores.splice(0)) s.close();
  });
  /** A new state database, as the watcher asks for it. */
  const store = () => {
    const s = StateStore.open(join(scratchDir("ccs-watch-"), "state.db"));
    stores.push(s);
    return () => s;
  };
  /** A watcher on file events, its lines dropped. */
  const watching = (roots: string[], state: () => StateStore, sync: Parameters<typeof startWatcher>[0]["sync"]) =>
    startWatcher({ roots, store: state, poll: false, log: () => {}, warn: () => {}, sync });
  const until = async (check: () => boolean, ms = 10_000) => {
    for (const end = Date.now() + ms; Date.now() < end && !check(); ) await Bun.sleep(20);
    return check();
  };

  test("a change made while a pass runs is synced by the next pass", async () => {
    const claude = tempClaudeDir();
    const file = claude.write(`p/${SESSION}.jsonl`, jsonl([user("one")]));
    const calls: Array<string[] | undefined> = [];
    let release: () => void = () => {};
    const watcher = watching([claude.projects], store(), async (only) => {
      calls.push(only && [...only]);
      if (calls.length === 1) await new Promise<void>((r) => (release = r));
      return report();
    });
    expect(await until(() => calls.length === 1)).toBe(true);
    expect(calls[0]).toBeUndefined(); // the catch-up pass reads everything
    appendFileSync(file, jsonl([user("two")]));
    await Bun.sleep(QUIET_MS + 200);
    expect(calls.length).toBe(1); // one pass at a time
    release();
    expect(await until(() => calls.length === 2)).toBe(true);
    expect(calls[1]).toEqual([SESSION]);
    watcher.stop();
    await watcher.done;
  });

  test("sessions held back by the server's re-send window are tried again without a new write", async () => {
    const claude = tempClaudeDir();
    const state = store();
    const calls: Array<string[] | undefined> = [];
    const watcher = watching([claude.projects], state, async (only) => {
      calls.push(only && [...only]);
      return report(calls.length === 1 ? { deferred: 1, deferredSessions: [{ sessionId: SESSION, readyAt: Date.now() + 500 }] } : {});
    });
    expect(await until(() => calls.length === 2, 15_000)).toBe(true);
    expect(calls).toEqual([undefined, [SESSION]]);
    watcher.stop();
    await watcher.done;
  }, 20_000);

  test("a response left open is read again once its files go quiet, not at the next minute's listing (a watch restarted mid-turn)", async () => {
    const claude = tempClaudeDir();
    const file = claude.write(`p/${SESSION}.jsonl`, jsonl([user("one")]));
    // Last written a little less than a minute ago, read by the watch before this one (killed since): held.
    const writtenAt = new Date(Date.now() - READ_QUIET_MS + 1_500);
    utimesSync(file, writtenAt, writtenAt);
    const state = store();
    for (const f of discoverFiles([claude.projects]).files) state().putFile(f, f.size, true, null);
    state().setHeld(SESSION, true);
    const calls: Array<string[] | undefined> = [];
    const watcher = watching([claude.projects], state, async (only) => {
      calls.push(only && [...only]);
      if (only?.has(SESSION)) state().setHeld(SESSION, false);
      return report({ beingWritten: only?.has(SESSION) ? 0 : 1 });
    });
    expect(await until(() => calls.length === 2, 8_000)).toBe(true);
    expect(calls).toEqual([undefined, [SESSION]]);
    watcher.stop();
    await watcher.done;
  }, 20_000);

  test("a refused key ends watching with the AuthError", async () => {
    const claude = tempClaudeDir();
    const watcher = startWatcher({
      roots: [claude.projects],
      store: store(),
      poll: true,
      log: () => {},
      warn: () => {},
      sync: async () => report({ stoppedBy: new AuthError("Invalid API key") }),
    });
    await expect(watcher.done).rejects.toBeInstanceOf(AuthError);
  });

  /** A polling watcher over an empty folder whose passes are `sync`, and what it warns. */
  const warningWatcher = (sync: Parameters<typeof startWatcher>[0]["sync"]) => {
    const warnings: string[] = [];
    const watcher = startWatcher({ roots: [tempClaudeDir().projects], store: store(), poll: true, log: () => {}, warn: (line) => warnings.push(line), sync });
    return { watcher, warnings };
  };

  test("a failed pass is reported with the time of the next try", async () => {
    const { watcher, warnings } = warningWatcher(async () => {
      throw new TransientError("OpenSync at example is not reachable.", 4, false);
    });
    expect(await until(() => warnings.length === 1)).toBe(true);
    expect(warnings[0]).toMatch(/sync failed: OpenSync at example is not reachable\. Next try in 5 s\.$/);
    watcher.stop();
    await watcher.done;
  });

  test("a server that asks to wait (429 with Retry-After) is not asked again sooner", async () => {
    const asked = new TransientError("HTTP 429, retry after 600 s", 1, false, { kind: "rate-limited", retryAfterMs: 600_000 });
    const { watcher, warnings } = warningWatcher(async () => report({ stoppedBy: asked }));
    expect(await until(() => warnings.length === 1)).toBe(true);
    expect(warnings[0]).toEndWith("Next try in 600 s.");
    watcher.stop();
    await watcher.done;
  });
});
