/**
 * The file system turning against the sync: a state folder it may not write,
 * a disk that fills up, a transcript it may not read, deleted or cut short
 * while it is being read. Each time: a clear message, no crash, and nothing
 * lost once the cause is gone.
 *
 * Root ignores file permissions, so the permission cases run the CLI as
 * nobody (setpriv) when the tests run as root; the full disk is a tiny tmpfs,
 * which needs root (mount), and is skipped without it.
 */
import { describe, expect, test } from "bun:test";
import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StateStore } from "../src/state/store.ts";
import { readLines } from "../src/transcript/read-lines.ts";
import { readIntoState } from "./helpers/read.ts";
import { runCli, tempHome } from "./helpers/cli.ts";
import {
  comparable,
  countMismatches,
  giveToUnprivileged,
  looksLikeCrash,
  tempDir,
  syncEnv,
  unprivilegedRunner,
  useGeneratedHistory,
} from "./helpers/hardening.ts";
import { assistant, jsonl, text, user } from "./helpers/transcript.ts";

const isRoot = process.getuid?.() === 0;

/** Whether a tmpfs can be mounted here (root with CAP_SYS_ADMIN), tried once on a scratch folder. */
const canMount = (() => {
  if (!isRoot || !Bun.which("mount")) return false;
  const dir = mkdtempSync(join(tmpdir(), "ccs-mount-probe-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir], { stdio: "ignore" });
    execFileSync("umount", [dir], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
})();
const canChattr = isRoot && Bun.which("chattr") !== null;

const fx = useGeneratedHistory();
const nobody = await unprivilegedRunner();
/** A test run as nobody: its name says why it skips when it cannot be. */
const asNobody = (name: string) => ("skip" in nobody ? `${name} (skipped: ${nobody.skip})` : name);
const runAsNobody: Run = (args, env) => ("run" in nobody ? nobody.run(args, env) : Promise.reject(new Error(nobody.skip)));

/** The largest session transcript: held back from a first sync, to be new in the next one. */
function largestSession(root: string): string {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (/^[0-9a-f-]{36}\.jsonl$/.test(e.name)) files.push(join(dir, e.name));
    }
  };
  walk(join(root, "projects"));
  return files.sort((a, b) => statSync(b).size - statSync(a).size)[0] as string;
}

function expectExact(): void {
  const dump = fx.server.dump();
  expect(comparable(dump)).toEqual(fx.reference);
  expect(countMismatches(dump)).toEqual([]);
}

type Run = (args: string[], env: Record<string, string>) => Promise<{ code: number; stdout: string; stderr: string }>;

/**
 * Syncs all but one session; makes the state unwritable; adds that session back: the sync says what to
 * do and sends nothing; once writable again, one sync sends everything.
 */
async function readOnlyState(run: Run, home: string, lock: (stateDir: string) => void, unlock: (stateDir: string) => void) {
  fx.server.reset();
  const env = syncEnv(fx.server, fx.claudeDir, home);
  const heldBack = largestSession(fx.claudeDir);
  renameSync(heldBack, `${heldBack}.held`);
  try {
    expect((await run(["sync", "--json"], env)).code).toBe(0);
  } finally {
    renameSync(`${heldBack}.held`, heldBack);
  }
  const stateDir = join(home, ".claude-code-sync", "state");
  const before = fx.server.requests().length;
  lock(stateDir);
  let refused: Awaited<ReturnType<Run>>;
  try {
    refused = await run(["sync"], env);
  } finally {
    unlock(stateDir);
  }
  expect(refused.code).toBe(2);
  expect(looksLikeCrash(refused.stderr)).toBe(false);
  expect(refused.stderr).toContain("Cannot write the sync state");
  expect(refused.stderr).toContain("nothing was lost");
  expect(fx.server.requests().length).toBe(before);

  const after = await run(["sync", "--json"], env);
  expect(after.code).toBe(0);
  expectExact();
  expect(fx.server.violations()).toEqual([]);
  return refused.stderr.trim();
}

// Both said "Check that you own it and can read it", and verify's fix was login, which stops at the same read;
// a folder it could not open was "none yet" to verify.
describe("a config it may not read", () => {
  /** A home of nobody's with a saved login, and what sync --json and verify --json say of it once `lock` has run. */
  async function refused(lock: (app: string, config: string) => void) {
    const home = tempHome();
    const app = join(home, ".claude-code-sync");
    const config = join(app, "config.json");
    mkdirSync(app, { mode: 0o700 });
    writeFileSync(config, JSON.stringify({ convexUrl: fx.server.url, apiKey: fx.server.apiKey }), { mode: 0o600 });
    giveToUnprivileged(home);
    lock(app, config);
    const env = { HOME: home, CLAUDE_CONFIG_DIR: fx.claudeDir };
    const sync = await runAsNobody(["sync", "--json"], env);
    const verify = await runAsNobody(["verify", "--json"], env);
    return { app, config, sync: { code: sync.code, error: JSON.parse(sync.stdout).error as string }, verify: { code: verify.code, check: JSON.parse(verify.stdout).checks[0] } };
  }

  test.skipIf("skip" in nobody)(asNobody("the file's mode: its chmod, in sync's message and as verify's fix"), async () => {
    const r = await refused((_, config) => chmodSync(config, 0o000));
    const chmod = `chmod u+rw "${r.config}"`;
    expect(r.sync).toMatchObject({ code: 2, error: expect.stringContaining(`To fix, make ${r.config} readable by you (for example: ${chmod}).`) });
    expect(r.verify.code).toBe(2);
    expect(r.verify.check).toMatchObject({ id: "config", status: "fail", fix: expect.stringContaining(chmod) });
  });

  test.skipIf("skip" in nobody || !isRoot)(asNobody("another user's file (a login run with sudo): the chown that takes it back"), async () => {
    const r = await refused((_, config) => chownSync(config, 0, 0));
    const chown = `sudo chown "$(id -un)" "${r.config}"`;
    expect(r.sync).toMatchObject({ code: 2, error: expect.stringContaining(chown) });
    expect(r.verify.check).toMatchObject({ status: "fail", fix: expect.stringContaining(chown) });
  });

  // Readable, but others may read it too, and only its owner may chmod it: the fix was chmod 600, which fails.
  test.skipIf("skip" in nobody || !isRoot)(asNobody("another user's file that others may read (a login run with sudo, umask 022): the chown, not a chmod only its owner may run"), async () => {
    const r = await refused((_, config) => {
      chownSync(config, 0, 0);
      chmodSync(config, 0o644);
    });
    const chown = `sudo chown "$(id -un)" "${r.config}"`;
    expect(r.sync.code).toBe(2);
    expect(r.sync.error).toContain(`To fix: ${r.config} belongs to another user (a run with sudo?): take it back (${chown})`);
    expect(r.sync.error).not.toContain("chmod 600");
    expect([r.verify.code, r.verify.check.id, r.verify.check.status]).toEqual([2, "config", "fail"]);
    expect(r.verify.check.fix).toContain(chown);
    expect(r.verify.check.fix).not.toContain("chmod 600");
  });

  test.skipIf("skip" in nobody)(asNobody("its folder's mode: the folder's chmod; verify no longer finds 'none yet'"), async () => {
    const r = await refused((app) => chmodSync(app, 0o000));
    const chmod = `chmod u+rwx "${r.app}"`;
    expect(r.sync.error).toContain(chmod);
    expect(r.verify.code).toBe(2);
    expect(r.verify.check).toMatchObject({ status: "fail", detail: `${r.app} cannot be opened`, fix: expect.stringContaining(chmod) });
  });
});

describe("a state folder that cannot be written", () => {
  test.skipIf("skip" in nobody)(asNobody("chmod 500 (the CLI runs as a normal user): a clear message, no request, nothing lost"), async () => {
    const home = tempHome();
    giveToUnprivileged(home);
    giveToUnprivileged(fx.claudeDir);
    const message = await readOnlyState(
      runAsNobody,
      home,
      (dir) => chmodSync(dir, 0o500),
      (dir) => chmodSync(dir, 0o700),
    );
    console.log(`[hardening] read-only state (chmod 500): ${message}`);
  });

  test.skipIf("skip" in nobody)(asNobody("~/.claude-code-sync read-only before any state: sync and verify name that folder, not the state folder it cannot make"), async () => {
    fx.server.reset();
    const home = tempHome();
    const app = join(home, ".claude-code-sync");
    mkdirSync(app, { mode: 0o700 });
    giveToUnprivileged(home);
    giveToUnprivileged(fx.claudeDir);
    chmodSync(app, 0o500);
    const env = syncEnv(fx.server, fx.claudeDir, home);
    const refused = await runAsNobody(["sync"], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`To fix, make ${app} writable by you (for example: chmod u+rwx "${app}"); nothing was lost.`);
    const verify = await runAsNobody(["verify", "--json"], env);
    const check = JSON.parse(verify.stdout).checks.find((c: { id: string }) => c.id === "state");
    // Plain fields first: toMatchObject puts its matchers in place of the fields they match (oven-sh/bun#3521).
    expect(check.detail).toContain(`cannot be created: ${app} is not writable by you`);
    expect(check).toMatchObject({ status: "fail", fix: expect.stringContaining(`chmod u+rwx "${app}"`) });
    expect(verify.code).toBe(2); // as the sync's
    chmodSync(app, 0o700);
    expect((await runAsNobody(["sync", "--json"], env)).code).toBe(0);
    expectExact();
  });

  /** A fresh user, its history synced as nobody: its env, and its state folder. */
  async function syncedAsNobody() {
    fx.server.reset();
    const home = tempHome();
    giveToUnprivileged(home);
    giveToUnprivileged(fx.claudeDir);
    const env = syncEnv(fx.server, fx.claudeDir, home);
    expect((await runAsNobody(["sync", "--json"], env)).code).toBe(0);
    return { env, stateDir: join(home, ".claude-code-sync", "state") };
  }

  test.skipIf("skip" in nobody)(asNobody("the state file and its folder both read-only: one message names both, and its chmod alone lets the next sync through"), async () => {
    const { env, stateDir } = await syncedAsNobody();
    const db = join(stateDir, readdirSync(stateDir).find((f) => f.endsWith(".db")) as string);
    chmodSync(db, 0o400);
    chmodSync(stateDir, 0o500);
    const refused = await runAsNobody(["sync"], env);
    expect(refused.code).toBe(2);
    const fix = /for example: (.*)\); nothing was lost/.exec(refused.stderr)?.[1];
    expect(fix).toBe(`chmod u+rw "${db}" && chmod u+rwx "${stateDir}"`);
    execFileSync("sh", ["-c", fix as string]);
    expect((await runAsNobody(["sync", "--json"], env)).code).toBe(0);
    expectExact();
  });

  // Its fix was a chmod, which only the owner may run.
  test.skipIf("skip" in nobody || !isRoot)(asNobody("another user's (a sync run with sudo): the chown that takes it back, in sync's message and verify's fix"), async () => {
    const { env, stateDir } = await syncedAsNobody();
    chownSync(stateDir, 0, 0);
    const chown = `sudo chown -R "$(id -un)" "${stateDir}"`;
    const refused = await runAsNobody(["sync"], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`To fix, ${stateDir} belongs to another user (a run with sudo?): make ${stateDir} writable by you (for example: ${chown}); nothing was lost.`);
    const verify = await runAsNobody(["verify", "--json"], env);
    expect(JSON.parse(verify.stdout).checks.find((c: { id: string }) => c.id === "state")).toMatchObject({ status: "fail", fix: expect.stringContaining(chown) });
    giveToUnprivileged(stateDir); // what the chown does
    expect((await runAsNobody(["sync", "--json"], env)).code).toBe(0);
    expectExact();
  });

  test.skipIf(!canChattr)("immutable (chattr +i, stops root too): a clear message, no request, nothing lost", async () => {
    await readOnlyState(
      (args, env) => runCli(args, { env }),
      tempHome(),
      (dir) => execFileSync("chattr", ["+i", dir]),
      (dir) => execFileSync("chattr", ["-i", dir]),
    );
  });
});

test.skipIf(!canChattr)("settings that cannot be written (chattr +i): set, logout and setup say what to do, change nothing, and never crash", async () => {
  const home = tempHome();
  const env = syncEnv(fx.server, fx.claudeDir, home);
  const app = join(home, ".claude-code-sync");
  const claude = join(home, ".claude");
  expect((await runCli(["set", "thinking", "on"], { env })).code).toBe(0);
  // Saved credentials, for logout to remove.
  const saved = JSON.parse(readFileSync(join(app, "config.json"), "utf8"));
  writeFileSync(join(app, "config.json"), JSON.stringify({ ...saved, convexUrl: fx.server.url, apiKey: fx.server.apiKey }), { mode: 0o600 });
  mkdirSync(claude, { recursive: true });
  const before = readFileSync(join(app, "config.json"), "utf8");
  execFileSync("chattr", ["+i", app, claude]);
  try {
    for (const args of [["set", "thinking", "off"], ["logout"], ["setup"]]) {
      const r = await runCli(args, { env: { ...env, CLAUDE_CONFIG_DIR: claude } });
      expect({ args, crash: looksLikeCrash(r.stderr), code: r.code }).toEqual({ args, crash: false, code: 2 });
      // Root: no chmod helps, the flag has to go.
      expect(r.stderr).toMatch(/Cannot write (the settings|Claude Code's settings) at .* To fix, make .* writable: (it is|they are) marked immutable .*chattr -i "/);
      // The write's own failure, not the clean-up's after it.
      expect(r.stderr).not.toContain("rm '");
    }
  } finally {
    execFileSync("chattr", ["-i", app, claude]);
  }
  expect(readFileSync(join(app, "config.json"), "utf8")).toBe(before);
  expect(readdirSync(claude)).toEqual([]);
});

describe.skipIf(!canMount)("a disk that fills up (the state folder on a tiny tmpfs)", () => {
  // From too small to open the database to full in the middle of sending.
  test.each(["40k", "200k", "600k", "800k", "1000k"])("%s: a clear message; with room again, one sync completes the data exactly", async (size) => {
    fx.server.reset();
    const home = tempHome();
    const env = syncEnv(fx.server, fx.claudeDir, home);
    const stateDir = join(home, ".claude-code-sync", "state");
    mkdirSync(stateDir, { recursive: true });
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", stateDir]);
    try {
      const full = await runCli(["sync"], { env });
      if (looksLikeCrash(full.stderr)) console.log(full.stderr);
      expect(looksLikeCrash(full.stderr)).toBe(false);
      expect(full.code).toBe(1);
      expect(full.stderr).toContain("is full. Free some space and run the sync again; nothing was lost.");
      // The state left can be read, but no sync can run: status and verify say so too (found by an exploratory user).
      const status = await runCli(["status"], { env });
      expect(status.stdout + status.stderr).toContain("is full. Free some space");
      const verify = JSON.parse((await runCli(["verify", "--json"], { env })).stdout).checks.find((c: { id: string }) => c.id === "state");
      expect(verify).toMatchObject({ status: "fail", fix: `free some space on the disk holding ${stateDir}` });
      execFileSync("mount", ["-o", "remount,size=20m", stateDir]);
      const again = await runCli(["sync", "--json"], { env });
      expect(again.code).toBe(0);
      expectExact();
      // Messages the server acknowledged when the state could no longer record it are found on the server, not sent again.
      expect(fx.server.violations()).toEqual([]);
    } finally {
      execFileSync("umount", [stateDir]);
    }
  });

  test("a synced state on a disk that fills later: sync, status and verify say the disk is full (opening must make the state's shared-memory file)", async () => {
    fx.server.reset();
    const home = tempHome();
    const env = syncEnv(fx.server, fx.claudeDir, home);
    const stateDir = join(home, ".claude-code-sync", "state");
    mkdirSync(stateDir, { recursive: true });
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=20m", "tmpfs", stateDir]);
    try {
      expect((await runCli(["sync"], { env })).code).toBe(0);
      // A clean close leaves the database alone; fill what is left of the disk.
      expect(readdirSync(stateDir).filter((f) => f.endsWith("-shm"))).toEqual([]);
      try {
        execFileSync("dd", ["if=/dev/zero", `of=${join(stateDir, "filler")}`, "bs=64k"], { stdio: "ignore" });
      } catch {
        // dd stops at "No space left on device", which is the point
      }
      const sync = await runCli(["sync", "--json"], { env });
      expect({ crash: looksLikeCrash(sync.stderr), code: sync.code, json: JSON.parse(sync.stdout).code }).toEqual({ crash: false, code: 1, json: "state-disk-full" });
      expect(sync.stderr).toContain("is full. Free some space and run the sync again; nothing was lost.");
      const status = await runCli(["status"], { env });
      expect(looksLikeCrash(status.stderr)).toBe(false);
      expect(status.stdout + status.stderr).toContain("is full. Free some space");
      const verify = await runCli(["verify", "--json"], { env });
      const check = JSON.parse(verify.stdout).checks.find((c: { id: string }) => c.id === "state");
      expect(check.detail).toContain("is full");
      expect(check.fix).toBe(`free some space on the disk holding ${stateDir}`);
    } finally {
      execFileSync("umount", [stateDir]);
    }
  });
});

test.skipIf("skip" in nobody)(asNobody("a transcript it may not read: named in the output, and read by a later sync once it may"), async () => {
  fx.server.reset();
  const home = tempHome();
  giveToUnprivileged(home);
  giveToUnprivileged(fx.claudeDir);
  const env = syncEnv(fx.server, fx.claudeDir, home);
  const locked = largestSession(fx.claudeDir);
  chmodSync(locked, 0o000);
  let first: Awaited<ReturnType<Run>>;
  let dry: Awaited<ReturnType<Run>>;
  let verified: Awaited<ReturnType<Run>>;
  let status: Awaited<ReturnType<Run>>;
  try {
    first = await runAsNobody(["sync"], env);
    dry = await runAsNobody(["sync", "--dry-run"], env);
    verified = await runAsNobody(["verify", "--json"], env);
    status = await runAsNobody(["status", "--json"], env);
  } finally {
    chmodSync(locked, 0o644); // size and mtime unchanged: only the permission changes
  }
  expect(looksLikeCrash(first.stderr)).toBe(false);
  expect(first.code).toBe(1); // not everything was read: not a success
  expect(`${first.stdout}${first.stderr}`).toContain(locked);
  // The dry run, as the sync: the file named, and not a success (its figures are short of it).
  expect(dry.code).toBe(1);
  expect(dry.stdout).toContain(`Could not read ${locked} (`);
  // verify, too, which reads no transcript: the file named, and how to fix it.
  const transcripts = JSON.parse(verified.stdout).checks.find((c: { id: string }) => c.id === "transcripts");
  expect(transcripts).toMatchObject({ status: "fail" });
  expect(transcripts.detail).toContain(locked);
  expect(transcripts.fix).toContain(`chmod u+r "${locked}"`);
  // status, which reads none either: the file named, and work left (exit 1).
  expect(status.code).toBe(1);
  expect(JSON.parse(status.stdout).unreadable).toEqual([{ path: locked, error: expect.stringContaining("EACCES") }]);
  const second = await runAsNobody(["sync", "--json"], env);
  expect(second.code).toBe(0);
  expectExact();
  console.log(`[hardening] unreadable transcript: exit ${first.code}: ${first.stdout.trim().split("\n").filter((l) => l.includes(locked)).join(" ")}`);
});

describe("transcripts changing under the reader (the sync's read step, in process)", () => {
  const A = "aaaaaaaa-0000-4000-8000-000000000001";
  const B = "bbbbbbbb-0000-4000-8000-000000000002";

  function project(files: Record<string, string>): string {
    const root = tempDir("ccs-fs-");
    const dir = join(root, "projects", "-tmp-p");
    mkdirSync(dir, { recursive: true });
    for (const [id, content] of Object.entries(files)) writeFileSync(join(dir, `${id}.jsonl`), content);
    return join(root, "projects");
  }

  /** Reads `roots` into `store`; `afterChunk` runs after each chunk is recorded, before the next session is read. */
  function read(store: StateStore, roots: string, afterChunk: () => void = () => {}) {
    return readIntoState(store, [roots], { onChunk: afterChunk });
  }

  const messages = (store: StateStore) => store.db.query("SELECT external_id, hash FROM messages ORDER BY external_id").all();
  const newStore = () => StateStore.open(join(tempDir("ccs-fs-state-"), "state.db"));

  function conversation(session: string, turns: number, pad = 0): string {
    const lines = [];
    for (let i = 0; i < turns; i++) {
      lines.push(user(`question ${i} ${"x".repeat(pad)}`, { sessionId: session }));
      lines.push(assistant(`msg_${session.slice(0, 4)}_${i}`, text(`answer ${i}`), { sessionId: session }));
    }
    return jsonl(lines);
  }

  test("a transcript deleted during a read is no failure: the state is left as for a file gone before the read, and read in full when it is back", async () => {
    const first = { [A]: conversation(A, 3), [B]: conversation(B, 3) };
    const roots = project(first);
    const aPath = join(roots, "-tmp-p", `${A}.jsonl`);
    const bPath = join(roots, "-tmp-p", `${B}.jsonl`);
    const later = (session: string) => jsonl([user("later", { sessionId: session }), assistant(`msg_${session.slice(0, 4)}_later`, text("later"), { sessionId: session })]);
    const grown = { [A]: first[A] + later(A), [B]: first[B] + later(B) };
    // Both read, then both grown; B is the older: read second, after A, by when it is gone
    // (Claude Code deletes transcripts past cleanupPeriodDays as it starts, while the SessionStart hook syncs).
    const readThenGrow = async (store: StateStore) => {
      for (const [id, content] of Object.entries(first)) writeFileSync(join(roots, "-tmp-p", `${id}.jsonl`), content);
      await read(store, roots);
      for (const [id, content] of Object.entries(grown)) writeFileSync(join(roots, "-tmp-p", `${id}.jsonl`), content);
      utimesSync(bPath, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
    };
    const store = newStore();
    await readThenGrow(store);
    let deleted = false;
    const outcome = await read(store, roots, () => {
      if (!deleted) rmSync(bPath);
      deleted = true;
    });
    expect(deleted).toBe(true);
    expect(existsSync(aPath)).toBe(true);
    expect(outcome.stats.files).toEqual([]);
    // As a sync that found B gone at its start leaves the state: B's first read kept, A's growth read.
    const gone = newStore();
    await readThenGrow(gone);
    rmSync(bPath);
    expect((await read(gone, roots)).stats.files).toEqual([]);
    expect(messages(store)).toEqual(messages(gone));
    expect(messages(store).length).toBe(14);
    writeFileSync(bPath, grown[B]);
    expect((await read(store, roots)).stats.files).toEqual([]);
    const clean = newStore();
    await read(clean, roots);
    expect(messages(store)).toEqual(messages(clean));
    expect(messages(store).length).toBe(16);
  });

  test("a transcript cut short during a read: every line still in it is read, and the read stops at the cut", () => {
    const content = conversation(A, 400, 8_000); // ~6 MB: several reads of 1 MiB
    const roots = project({ [A]: content });
    const path = join(roots, "-tmp-p", `${A}.jsonl`);
    const cut = content.indexOf("\n", content.length / 2) + 1;
    const ends: number[] = [];
    const r = readLines(path, 0, {
      line(_bytes, _start, end) {
        if (ends.length === 0) truncateSync(path, cut);
        ends.push(end);
      },
    });
    expect(r).toMatchObject({ offset: cut, eof: true });
    expect(ends.at(-1)).toBe(cut);
    expect(ends.length).toBe(content.slice(0, cut).split("\n").length - 1);
  });

  test("a transcript cut short and appended to between two reads is read again from the start, without duplicates", async () => {
    const content = conversation(A, 100, 2_000);
    const roots = project({ [A]: content });
    const path = join(roots, "-tmp-p", `${A}.jsonl`);
    const store = newStore();
    await read(store, roots);
    const cut = content.indexOf("\n", content.length / 2) + 1;
    // Claude Code rewrites the file in place, then appends again: it ends past the old end.
    writeFileSync(path, content.slice(0, cut) + jsonl([user(`after the cut ${"y".repeat(content.length)}`, { sessionId: A })]));
    await read(store, roots);
    const clean = newStore();
    await read(clean, roots);
    // Everything the file now holds is there as a fresh read has it (the lines cut off stay: the server has them).
    expect(messages(store)).toEqual(expect.arrayContaining(messages(clean)));
    expect(messages(clean).length).toBeGreaterThan(100);
  });

  test("a transcript replaced by a shorter one: its session counts only what it now holds", async () => {
    const roots = project({ [A]: conversation(A, 6) });
    const path = join(roots, "-tmp-p", `${A}.jsonl`);
    const store = newStore();
    await read(store, roots);
    expect(store.sessionUsage(A).length).toBe(6);
    writeFileSync(path, conversation(A, 2));
    await read(store, roots);
    const clean = newStore();
    await read(clean, roots);
    const tokens = (s: StateStore) => s.sessionUsage(A).map((r) => r.tokens).sort((a, b) => a.output - b.output);
    expect(tokens(store)).toEqual(tokens(clean));
    expect(store.sessionUsage(A).length).toBe(2);
  });
});
