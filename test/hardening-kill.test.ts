/**
 * `sync` killed with SIGKILL at random moments (while it sends, and while it
 * reads transcripts into its state), then run once normally: the server must
 * hold exactly what a fault-free sync leaves, and the state database must be
 * intact and agree with the server.
 */
import { afterAll, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type TestServer, startTestServer } from "../testserver/server.ts";
import { seededRandom } from "./helpers/canaries.ts";
import { runCli, tempHome, baseEnv } from "./helpers/cli.ts";
import { CLI, checkState, comparable, countMismatches, generatedClaudeDir, referenceData, removeTempDirs, syncEnv, writes } from "./helpers/hardening.ts";

afterAll(removeTempDirs);

/** Resolves when `until` holds, checking every 5 ms for at most `maxMs`. */
async function waitFor(until: () => boolean, maxMs: number): Promise<void> {
  for (const end = Date.now() + maxMs; Date.now() < end && !until(); ) await Bun.sleep(5);
}

/** Pids still in process group `pgid`. */
function groupMembers(pgid: number): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]) === pgid;
      } catch {
        return false; // exited meanwhile
      }
    })
    .map(Number);
}

/**
 * Runs `sync` in its own process group, waits for `moment`, then SIGKILLs the whole group, as a crash or the
 * OOM killer would. Returns whether the kill landed before the run ended.
 */
async function killedSync(env: Record<string, string>, moment: (running: () => boolean) => Promise<void>): Promise<boolean> {
  const child = spawn(process.execPath, [CLI, "sync", "--json"], {
    env: { ...baseEnv(), ...env },
    stdio: "ignore",
    detached: true,
  });
  let done = false;
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve())).then(() => {
    done = true;
  });
  await Promise.race([moment(() => !done), exited]);
  const landed = !done;
  try {
    process.kill(-(child.pid as number), "SIGKILL");
  } catch {} // the whole group already exited
  await exited;
  await waitFor(() => groupMembers(child.pid as number).length === 0, 10_000);
  expect(groupMembers(child.pid as number)).toEqual([]);
  return landed;
}

/**
 * The runs' environment. A killed run's writes are given up on for two request timeouts (src/sync/unsure.ts), and once
 * that is over the next sync sends those sessions' records again, to be sure: with the default 15 s timeout, on a slow
 * machine the kills outlast it and the sync after the recovery did so (7 sessions). A timeout longer than the test
 * leaves "a further sync sends nothing" to what it checks; no request here comes near it.
 */
const killEnv = (server: Pick<TestServer, "url" | "apiKey">, claudeDir: string, home: string) =>
  syncEnv(server, claudeDir, home, { CLAUDE_CODE_SYNC_TIMEOUT_MS: "300000" });

/** One normal sync after the kills: exact data, consistent state, and a further sync sends nothing. */
async function expectRecovered(server: TestServer, claudeDir: string, home: string, reference: ReturnType<typeof comparable>): Promise<void> {
  const last = await runCli(["sync", "--json"], { env: killEnv(server, claudeDir, home), timeoutMs: 120_000 });
  expect(last.stderr).toBe("");
  expect(last.code).toBe(0);
  const dump = server.dump();
  expect(comparable(dump)).toEqual(reference);
  expect(countMismatches(dump)).toEqual([]);
  expect(checkState(home, dump)).toMatchObject({ integrity: "ok", sentButMissing: [], sessionsSentButMissing: [] });

  const before = writes(server);
  const again = await runCli(["sync", "--json"], { env: killEnv(server, claudeDir, home) });
  expect(again.code).toBe(0);
  expect(JSON.parse(again.stdout)).toMatchObject({ ok: true, sessionsSent: 0, messagesSent: 0 });
  expect(writes(server)).toEqual(before);

  // A write the server applied but the killed process never recorded is found on the server by the next run, not sent again.
  expect(server.violations()).toEqual([]);
}

test("20 SIGKILLs while sending (40 ms server latency), then one sync: exact data, consistent state", async () => {
  const claudeDir = generatedClaudeDir(2_000_000, 21);
  const reference = await referenceData(claudeDir);
  const server = await startTestServer({ faults: { latencyMs: 40 } });
  try {
    const random = seededRandom(0x5eed);
    const home = tempHome();
    const env = killEnv(server, claudeDir, home);
    const perRun: number[] = [];
    let landed = 0;
    for (let i = 0; i < 20; i++) {
      const before = server.requests().length;
      // Every 4th kill counts from the start (it may land while starting or reading); the others from the run's first request.
      const fromStart = i % 4 === 0;
      const delay = Math.floor(random() * (fromStart ? 600 : 400));
      const hit = await killedSync(env, async (running) => {
        if (!fromStart) await waitFor(() => server.requests().length > before || !running(), 20_000);
        await Bun.sleep(delay);
      });
      if (hit) landed++;
      perRun.push(server.requests().length - before);
    }
    const resentBefore = server.violations().length;
    await expectRecovered(server, claudeDir, home, reference);
    expect(landed).toBeGreaterThan(0);
    const dump = server.dump();
    console.log(
      `[hardening] kill while sending: ${landed}/20 kills landed mid-run (requests per killed run: ${perRun.join(",")}); ` +
        `${server.violations().length} contract violation(s) (${resentBefore} during the killed runs); ` +
        `${dump.length} sessions, ${dump.reduce((n, s) => n + s.messages.length, 0)} messages exact`,
    );
  } finally {
    await server.stop();
  }
}, 300_000);

test("a lost state (a new HOME) SIGKILLed 10 times while it reads back what the server holds, then one sync: exact data, nothing sent twice", async () => {
  const claudeDir = generatedClaudeDir(2_000_000, 33);
  const reference = await referenceData(claudeDir);
  const server = await startTestServer({ faults: { latencyMs: 20 } });
  try {
    expect((await runCli(["sync", "--json"], { env: syncEnv(server, claudeDir), timeoutMs: 120_000 })).code).toBe(0);
    expect(comparable(server.dump())).toEqual(reference);
    const random = seededRandom(0x1057);
    const home = tempHome();
    const env = killEnv(server, claudeDir, home);
    let landed = 0;
    for (let i = 0; i < 10; i++) {
      const before = server.requests().length;
      const delay = Math.floor(random() * 500);
      if (await killedSync(env, async (running) => {
        if (i % 2 === 1) await waitFor(() => server.requests().length > before || !running(), 20_000);
        await Bun.sleep(delay);
      })) landed++;
    }
    expect(landed).toBeGreaterThan(0);
    await expectRecovered(server, claudeDir, home, reference);
    console.log(`[hardening] kill in a lost state's first sync: ${landed}/10 kills landed mid-run; data exact, nothing sent twice`);
  } finally {
    await server.stop();
  }
}, 300_000);

/** Transcript files under a Claude config folder. */
function transcriptCount(claudeDir: string): number {
  return readdirSync(join(claudeDir, "projects"), { recursive: true }).filter((f) => String(f).endsWith(".jsonl")).length;
}

/** Transcript files the state has recorded as read: the read step commits one session at a time. */
function filesRecorded(home: string): number {
  const dir = join(home, ".claude-code-sync", "state");
  const name = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith(".db")) : undefined;
  if (!name) return 0;
  const db = new Database(join(dir, name));
  try {
    db.run("PRAGMA busy_timeout = 1000");
    return (db.query("SELECT COUNT(*) AS n FROM files").get() as { n: number }).n;
  } catch {
    return 0; // not created yet
  } finally {
    db.close();
  }
}

test("5 SIGKILLs while reading transcripts into the state, then one sync: exact data, consistent state", async () => {
  const claudeDir = generatedClaudeDir(20_000_000, 5);
  const reference = await referenceData(claudeDir);
  const server = await startTestServer();
  try {
    const random = seededRandom(0xdead);
    const home = tempHome();
    const env = killEnv(server, claudeDir, home);
    const progress: number[] = [];
    const total = transcriptCount(claudeDir);
    // Sending starts with the first session read, so these kills land while both go on.
    let midRead = 0;
    for (let i = 0; i < 5; i++) {
      const target = filesRecorded(home) + 1 + Math.floor(random() * 12);
      await killedSync(env, (running) => waitFor(() => filesRecorded(home) >= target || !running(), 60_000));
      if (filesRecorded(home) < total) midRead++;
      progress.push(filesRecorded(home));
    }
    expect(midRead).toBeGreaterThan(0);
    await expectRecovered(server, claudeDir, home, reference);
    console.log(
      `[hardening] kill while reading: ${midRead}/5 kills landed before every transcript was read ` +
        `(files recorded after each: ${progress.join(",")} of ${total}); data exact`,
    );
  } finally {
    await server.stop();
  }
}, 300_000);
