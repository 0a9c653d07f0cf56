import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { enqueue, queueDir } from "../src/hooks/enqueue.ts";
import { type SyncRequest, claim, done, putBack, waiting } from "../src/hooks/queue.ts";
import { STALE_MS, claimRunner, holdsRunner, markRunner, releaseRunner, runnerAlive, runnerFile, touchRunner } from "../src/hooks/runner-lock.ts";
import { syncHolderName } from "../src/sync/holder.ts";
import { markWatching } from "../src/watch/watch-mark.ts";
import { useTempHome } from "./helpers/cli.ts";

// The queue and the lock live under $HOME/.claude-code-sync: a fresh HOME per test, never the real one.
useTempHome("test");

const request = (sessionId: string, extra: Partial<SyncRequest> = {}): SyncRequest => ({ sessionId, event: "Stop", at: 1_000, ...extra });
const files = () => readdirSync(queueDir()).sort();

describe("queue", () => {
  test("a burst of hooks for one session leaves one request, the latest", () => {
    for (let i = 0; i < 5; i++) enqueue(request("s1", { at: i }));
    expect(files()).toEqual(["s1.json"]);
    expect(waiting()).toEqual([request("s1", { at: 4 })]);
  });

  test("claim takes what is due and leaves the rest waiting", () => {
    enqueue(request("due"));
    enqueue(request("later", { nextAt: 9_000 }));
    const claims = claim((r) => r.nextAt === undefined, 111);
    expect(claims.map((c) => c.sessionId)).toEqual(["due"]);
    expect(files()).toEqual(["due.claimed-111", "later.json"]);
  });

  test("a request put back keeps its schedule; one served leaves the queue", () => {
    enqueue(request("s1"));
    enqueue(request("s2"));
    const [c1, c2] = claim(() => true, 111);
    const retry = request("s1", { attempts: 1, nextAt: 6_000, lastError: "down", since: 1_000 });
    putBack(c1!, retry);
    done(c2!);
    expect(files()).toEqual(["s1.json"]);
    expect(waiting()).toEqual([retry]);
  });

  test("a hook during the pass wins over the request put back: new lines, backoff reset", () => {
    enqueue(request("s1"));
    const [c] = claim(() => true, 111);
    enqueue(request("s1", { at: 2_000 }));
    putBack(c!, request("s1", { attempts: 3, nextAt: 60_000, lastError: "down" }));
    expect(files()).toEqual(["s1.json"]);
    expect(waiting()).toEqual([request("s1", { at: 2_000 })]);
  });

  test("a request that cannot be written back (a full disk) keeps its claim for the next runner; once it can be, it goes back and the claim is let go", () => {
    enqueue(request("s1"));
    const [c] = claim(() => true, 111);
    // The temporary file's place taken by a folder: its write fails as on a full disk.
    const blocker = join(queueDir(), `.s1.${process.pid}.tmp`);
    mkdirSync(join(blocker, "x"), { recursive: true });
    putBack(c!, request("s1", { attempts: 1, nextAt: 6_000, lastError: "down" }));
    expect(files()).toEqual([`.s1.${process.pid}.tmp`, "s1.claimed-111"]);
    rmSync(blocker, { recursive: true });
    putBack(c!, request("s1", { attempts: 1, nextAt: 6_000, lastError: "down" }));
    expect(files()).toEqual(["s1.json"]);
  });

  test.each<[string, string, string, string]>([
    ["a background agent's SubagentStop right after the Stop keeps the turn's end", "Stop", "SubagentStop", "Stop"],
    ["a PostCompact after a StopFailure keeps the turn's end", "StopFailure", "PostCompact", "StopFailure"],
    ["a SubagentStop after the SessionEnd keeps the session's end", "SessionEnd", "SubagentStop", "SessionEnd"],
    ["a Stop after a StopFailure: the turn's end either way", "StopFailure", "Stop", "StopFailure"],
    ["a SessionEnd after a Stop: the session's end", "Stop", "SessionEnd", "SessionEnd"],
    ["a prompt after the Stop begins a turn: what is open then is being written", "Stop", "UserPromptSubmit", "UserPromptSubmit"],
    ["a session begun again after its SessionEnd (a resume)", "SessionEnd", "SessionStart", "SessionStart"],
    ["nothing ended: the latest event", "SubagentStop", "PostCompact", "PostCompact"],
  ])("a hook while the runner is busy: %s", (_, first, then, kept) => {
    enqueue(request("s1", { event: first, nextAt: 9_000, attempts: 2, lastError: "down" }));
    enqueue(request("s1", { event: then, at: 2_000 }));
    expect(waiting()).toEqual([request("s1", { event: kept, at: 2_000 })]);
  });

  test("a hook replaces a request waiting for its retry (backoff reset)", () => {
    enqueue(request("s1", { attempts: 4, nextAt: 99_000, lastError: "down" }));
    enqueue(request("s1", { at: 5_000 }));
    expect(waiting()).toEqual([request("s1", { at: 5_000 })]);
  });

  test("claims of another runner are taken over; a newer request of the same session is the one kept", () => {
    enqueue(request("s1"));
    enqueue(request("s2"));
    claim(() => true, 222);
    enqueue(request("s2", { at: 3_000 }));
    const claims = claim(() => true, 333);
    expect(claims.map((c) => [c.sessionId, c.at]).sort()).toEqual([
      ["s1", 1_000],
      ["s2", 3_000],
    ]);
    expect(files()).toEqual(["s1.claimed-333", "s2.claimed-333"]);
  });

  test("a torn or foreign file is dropped, not served", () => {
    enqueue(request("s1"));
    writeFileSync(join(queueDir(), "junk.json"), "{not json");
    expect(claim(() => true, 111).map((c) => c.sessionId)).toEqual(["s1"]);
    expect(files()).toEqual(["s1.claimed-111"]);
  });
});

describe("runner lock", () => {
  /** A pid no process has (above Linux's and macOS's maximum). */
  const DEAD = 2 ** 22 + 7;
  const age = (ms: number) => {
    const then = new Date(Date.now() - ms);
    utimesSync(runnerFile(), then, then);
  };

  test("one claim wins; the holder is alive", () => {
    expect(claimRunner(process.pid)).toBe(true);
    expect(claimRunner(process.pid)).toBe(false);
    expect(runnerAlive()).toBe(true);
  });

  test.each([
    ["a lock whose process is gone is taken over", DEAD, 0, true],
    ["a lock whose process lives but that nobody touched for STALE_MS (the pid now names another program) is taken over", process.pid, STALE_MS + 1_000, true],
    ["a lock whose process lives and touched it lately is kept", process.pid, 1_000, false],
  ])("%s", (_name, pid, untouchedMs, taken) => {
    expect(claimRunner(pid)).toBe(true);
    age(untouchedMs);
    expect(claimRunner(DEAD + 1)).toBe(taken);
    expect(readFileSync(runnerFile(), "utf8")).toBe(String(taken ? DEAD + 1 : pid));
  });

  // A killed runner stays a zombie until its parent reaps it: at once on a desktop, never in a container whose first process does not reap.
  test.skipIf(process.platform !== "linux")("a lock whose process was killed but not reaped (a zombie) is taken over", async () => {
    // sh starts a short sleep in the background and becomes a long one, which never reaps it. The short one outlives
    // the exec: a child that ended before it (a bare `true`) could be reaped by sh itself, leaving no zombie.
    const parent = Bun.spawn(["sh", "-c", "sleep 0.3 & echo $!; exec sleep 30"], { stdout: "pipe" });
    try {
      const { value } = await parent.stdout.getReader().read();
      const zombie = Number(new TextDecoder().decode(value).trim());
      for (let i = 0; i < 100 && !/\) Z/.test(readFileSync(`/proc/${zombie}/stat`, "utf8")); i++) await Bun.sleep(20);
      expect(claimRunner(zombie)).toBe(true);
      expect(runnerAlive()).toBe(false);
      expect(claimRunner(process.pid)).toBe(true);
    } finally {
      parent.kill();
    }
  });

  test.each([
    ["zeros (a crash before the disk got the bytes)", "\0\0\0\0\0"],
    ["text that is no pid", "garbage"],
  ])("a lock file holding %s names no runner and is taken over", (_name, content) => {
    expect(claimRunner(DEAD)).toBe(true);
    writeFileSync(runnerFile(), content);
    expect(runnerAlive()).toBe(false);
    expect(claimRunner(process.pid)).toBe(true);
    expect(readFileSync(runnerFile(), "utf8")).toBe(String(process.pid));
  });

  test("a runner adopts the lock its starting hook (its parent) still holds, and no other", () => {
    expect(claimRunner(500)).toBe(true);
    expect(holdsRunner(600, 501)).toBe(false);
    expect(holdsRunner(600, 500)).toBe(true);
    expect(readFileSync(runnerFile(), "utf8")).toBe("600");
  });

  test("a runner whose lock was taken over learns it at its heartbeat, and leaves the new holder's lock alone", () => {
    expect(claimRunner(process.pid)).toBe(true);
    expect(touchRunner(process.pid)).toBe(true);
    markRunner(DEAD);
    expect(touchRunner(process.pid)).toBe(false);
    releaseRunner(process.pid);
    expect(readFileSync(runnerFile(), "utf8")).toBe(String(DEAD));
  });

  test("a takeover left half-done by a hook that died does not block the next one for long", () => {
    expect(claimRunner(DEAD)).toBe(true);
    writeFileSync(`${runnerFile()}.takeover`, String(DEAD));
    expect(claimRunner(process.pid)).toBe(false);
    const then = new Date(Date.now() - 60_000);
    utimesSync(`${runnerFile()}.takeover`, then, then);
    expect(claimRunner(process.pid)).toBe(true);
    expect(existsSync(`${runnerFile()}.takeover`)).toBe(false);
  });

  test("released, it can be claimed again", () => {
    expect(claimRunner(process.pid)).toBe(true);
    releaseRunner(process.pid);
    expect(existsSync(runnerFile())).toBe(false);
    expect(claimRunner(process.pid)).toBe(true);
  });
});

describe("who holds the state", () => {
  // A manual sync that waits says whether it waits for the hooks' background sync or a watch: work it would do itself.
  test.each([
    ["the hooks' background runner", () => (markRunner(process.pid), () => releaseRunner(process.pid)), "the background sync the hooks started"],
    ["a watch", () => markWatching(process.pid), "`claude-code-sync watch`"],
    ["any other process", () => () => {}, "another sync"],
  ] as const)("%s", (_name, mark, named) => {
    const unmark = mark();
    try {
      expect(syncHolderName(process.pid)).toBe(`${named} (pid ${process.pid})`);
    } finally {
      unmark();
    }
  });
});
