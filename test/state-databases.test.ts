import { afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { isStateOf, listStateDatabases, removeStateDatabase, stateFolder } from "../src/state/databases.ts";
import { SyncLock } from "../src/state/lock.ts";
import { StateStore, statePath } from "../src/state/store.ts";
import { forgetState } from "../src/commands/logout.ts";
import { runCli, tempHome } from "./helpers/cli.ts";
import { closedPort } from "./helpers/closed-port.ts";

let home: string;
let savedHome: string | undefined;
let current: string;
beforeAll(async () => {
  current = `http://127.0.0.1:${await closedPort()}`;
});
beforeEach(() => {
  savedHome = process.env.HOME;
  home = tempHome();
  process.env.HOME = home;
});
afterEach(() => {
  process.env.HOME = savedHome;
});

const OLD = "https://old-deployment-1.convex.site";
const LEGACY = "https://before-urls-were-recorded.convex.site";

/** The state databases a user has after syncing to `current`, to an older URL, and once with a version that recorded no URL. */
function threeDatabases() {
  for (const url of [current, OLD]) StateStore.forServer(url).close();
  StateStore.open(statePath(LEGACY)).close();
}

/** A process that stays alive until killed: a sync running elsewhere. */
function otherProcess() {
  return Bun.spawn([process.execPath, "-e", "await Bun.sleep(60_000)"], { stdio: ["ignore", "ignore", "ignore"] });
}

describe("state databases", () => {
  test("none before the first sync", () => {
    expect(listStateDatabases()).toEqual([]);
  });

  test("each names its URL; one from before URLs were recorded is still found, and known by its file name", () => {
    threeDatabases();
    const dbs = listStateDatabases();
    expect(dbs.map((db) => db.url).sort()).toEqual([OLD, current, undefined].sort());
    expect(dbs.every((db) => db.bytes > 0 && db.path.startsWith(stateFolder()))).toBe(true);
    expect(dbs.filter((db) => isStateOf(db, current)).map((db) => db.url)).toEqual([current]);
    expect(dbs.filter((db) => isStateOf(db, LEGACY)).map((db) => db.url)).toEqual([undefined]);
    expect(dbs.filter((db) => isStateOf(db, undefined))).toEqual([]);
  });

  test("remove deletes a database and its -wal and -shm files, a damaged one too, but not one a running sync holds", async () => {
    threeDatabases();
    const held = StateStore.open(statePath(OLD));
    const other = otherProcess();
    try {
      expect(new SyncLock(held, other.pid).tryAcquire()).toBe(true);
      writeFileSync(statePath(LEGACY), "not a database".repeat(100));
      writeFileSync(`${statePath(current)}-wal`, "");
      expect(removeStateDatabase(statePath(current))).toEqual({ removed: true });
      expect(removeStateDatabase(statePath(LEGACY))).toEqual({ removed: true });
      expect(removeStateDatabase(statePath(OLD))).toEqual({ removed: false, busyPid: other.pid });
      expect(readdirSync(stateFolder()).filter((f) => !f.startsWith(basename(statePath(OLD))))).toEqual([]);
      expect(existsSync(statePath(OLD))).toBe(true);
    } finally {
      held.close();
      other.kill();
      await other.exited;
    }
  });
});

describe("status --verbose and logout --forget", () => {
  const env = () => ({ HOME: home, CLAUDE_CODE_SYNC_URL: current, CLAUDE_CODE_SYNC_API_KEY: `osk_${"k".repeat(32)}` });

  test("status --verbose names each database and which one is in use", async () => {
    threeDatabases();
    const r = await runCli(["status", "--verbose"], { env: env() });
    expect(r.code).toBe(1); // nothing listens at `current`
    const line = (url: string) => r.stdout.split("\n").find((l) => l.includes(basename(statePath(url))));
    expect(line(current)).toMatch(/ in use {6}http:\/\/127\.0\.0\.1:\d+ /);
    expect(line(OLD)).toContain(`not in use  ${OLD}`);
    expect(line(LEGACY)).toContain("not in use  (URL not recorded: made by an older version)");
    expect(r.stdout).toContain("`claude-code-sync logout --forget` deletes them all");

    const json = JSON.parse((await runCli(["status", "--verbose", "--json"], { env: env() })).stdout);
    expect(json.stateDatabases.map((db: { url: string | null; inUse: boolean }) => [db.url, db.inUse]).sort()).toEqual(
      [[current, true], [OLD, false], [null, false]].sort(),
    );
    const plain = JSON.parse((await runCli(["status", "--json"], { env: env() })).stdout);
    expect(plain.stateDatabases).toBeUndefined();
  });

  test("logout --forget deletes every database and says what the next sync does", async () => {
    threeDatabases();
    const r = await runCli(["logout", "--forget"], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Deleted the sync state of 3 servers");
    expect(r.stdout).toContain("reads every transcript again from the start and reads back");
    expect(readdirSync(stateFolder())).toEqual([]);
    const again = await runCli(["logout", "--forget"], { env: env() });
    expect(again).toMatchObject({ code: 0, stdout: expect.stringContaining("nothing to forget") });
  });

  test("on a terminal, logout --forget asks first, saying what it costs; no (the default) deletes nothing", async () => {
    threeDatabases();
    const said: string[] = [];
    const asked: string[] = [];
    const no = await forgetState((line) => said.push(line), async (question) => (asked.push(question), false));
    expect(no).toBe(1);
    expect(asked).toHaveLength(1);
    expect(asked[0]).toStartWith(`Delete the sync state of 3 servers in ${stateFolder()}?`);
    expect(asked[0]).toContain("reads every transcript again from the start");
    // The cost is one line for the terminal to wrap: a break of its own left a ragged 3-word line at 80 columns.
    expect(asked[0]!.split("\n")).toHaveLength(2);
    expect(said).toEqual(["Sync state kept."]);
    expect(readdirSync(stateFolder())).toHaveLength(3);

    // Ctrl-C at the question (it exited 1, as for no): 130, as Ctrl-C anywhere.
    expect(await forgetState((line) => said.push(line), async () => undefined)).toBe(130);
    expect(readdirSync(stateFolder())).toHaveLength(3);

    const yes = await forgetState((line) => said.push(line), async () => true);
    expect(yes).toBe(0);
    expect(said.at(-1)).toStartWith("Deleted the sync state of 3 servers");
    expect(readdirSync(stateFolder())).toEqual([]);
  });

  test("logout --forget keeps a database a running sync holds, and says so (exit 1)", async () => {
    threeDatabases();
    const held = StateStore.open(statePath(OLD));
    const other = otherProcess();
    try {
      expect(new SyncLock(held, other.pid).tryAcquire()).toBe(true);
      held.close();
      const r = await runCli(["logout", "--forget"], { env: env() });
      expect(r.code).toBe(1);
      expect(r.stdout).toContain("Deleted the sync state of 2 servers");
      expect(r.stderr).toContain(`a sync is running (pid ${other.pid})`);
      expect(existsSync(statePath(OLD))).toBe(true);
    } finally {
      other.kill();
      await other.exited;
    }
  });

  test("without --forget, logout leaves the state alone", async () => {
    threeDatabases();
    mkdirSync(join(home, ".claude-code-sync"), { recursive: true });
    expect((await runCli(["logout"], { env: env() })).code).toBe(0);
    expect(listStateDatabases().length).toBe(3);
  });
});

describe("space", () => {
  test("once the server has every payload, the database and its log shrink back to what is still needed", () => {
    const store = StateStore.forServer(current);
    const fileSize = () => ["", "-wal"].reduce((sum, suffix) => sum + (existsSync(`${store.path}${suffix}`) ? statSync(`${store.path}${suffix}`).size : 0), 0);
    const payload = "x".repeat(4096);
    const ids = Array.from({ length: 2000 }, (_, i) => `m-${i}`);
    store.write(() => {
      for (const [ord, externalId] of ids.entries()) store.putMessage({ externalId, sessionId: "s", createdAt: 1_700_000_000_000 + ord, ord, hash: `h${ord}`, payload });
    });
    const full = fileSize();
    expect(full).toBeGreaterThan(ids.length * payload.length);
    store.write(() => {
      for (const [ord, externalId] of ids.entries()) store.markMessageSent(externalId, `h${ord}`, 1_700_000_000_000 + ord);
    });
    store.releaseSpace();
    // What stays: one small row per message (id, times, hashes), no payloads.
    expect(fileSize()).toBeLessThan(full / 10);
    store.close();
  });
});
