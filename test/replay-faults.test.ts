/**
 * Live replays under faults: a real-shaped session written as Claude Code
 * writes it (line by line, flushed mid-line), its hooks fired as Claude Code
 * fires them and/or a `watch` running, while the server or the machine
 * misbehaves. Whatever happened on the way, once the faults are over and the
 * session's last hook has run, the server holds exactly what a clean one-shot
 * sync of the final files sends to a fresh server: same sessions, messages,
 * tokens and cost, nothing twice, nothing missing; and no fault ends in a
 * stack trace.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { appendFileSync, readFileSync, rmSync } from "node:fs";
import { type FaultKind, type FaultRule, type TestServer, startTestServer } from "../testserver/server.ts";
import { runCli } from "./helpers/cli.ts";
import { comparable, countMismatches, faultCounts, looksLikeCrash, referenceData } from "./helpers/hardening.ts";
import { hookUser, runnerDone, within } from "./helpers/hooks.ts";
import { type ReplaySession, isPrompt, replaySession } from "./helpers/replay.ts";
import { killWatches, spawnWatch } from "./helpers/watch.ts";

const TURNS = 4;
/** The id of the session `claude --resume` makes of the replayed one (Options.resumeAt). */
const RESUMED = "aaaaaaaa-7777-4777-8777-777777777777";
/**
 * In the scenarios that hang answers, they are given up after this long
 * instead of 15 s: long enough that a loaded machine's slow answers seldom
 * are, but then a reply is lost as a hung one is (see expectExact).
 */
const GIVE_UP_MS = 2_000;

let session: ReplaySession;
beforeAll(() => {
  session = replaySession(TURNS);
});
afterAll(() => {
  killWatches();
});

type User = ReturnType<typeof hookUser>;

/** What a scenario does before turn `turn` (0-based), and after the last one (turn === TURNS), to its own server. */
type Step = (u: User, turn: number, server: TestServer) => Promise<void> | void;

const isToolResult = (line: string) => line.includes('"tool_result"') && !isPrompt(line);

/**
 * Writes the session as Claude Code does: each line in two flushes, a hook
 * sometimes fired between them (the runner then sees half a line), the hooks
 * of a turn in their order: UserPromptSubmit, PostToolUse after a tool's
 * result (at most a few per turn, to stay fast), Stop; SessionEnd at the end.
 * Without hooks (a watch's user), the same writes with short pauses instead.
 * After each turn, it waits (bounded) for the runner's or the watch's next
 * report: the next turn's faults then meet a sender at work, as when turns
 * take seconds, rather than a replay over before the first request.
 * Returns what the hooks printed or exited with that they should not have.
 */
async function replay(
  u: User,
  server: TestServer,
  step: Step,
  hooks: boolean,
  watcher?: Watcher,
  rewrite = (line: string, _turn: number) => line,
  resumeAt?: number,
): Promise<string[]> {
  const { sessionId, turns } = session;
  let id = sessionId;
  let path = u.transcript(sessionId);
  u.claude.write(`p/${sessionId}.jsonl`, "");
  const wrong: string[] = [];
  const hook = async (event: string, extra: Record<string, unknown> = {}) => {
    if (!hooks) return void (await Bun.sleep(60));
    const r = await u.hook(event, extra, id);
    if (r.code !== 0 || r.stderr !== "" || r.stdout !== "") wrong.push(`${event}: exit ${r.code} ${r.stderr}${r.stdout}`);
  };
  await hook("SessionStart", { source: "startup" });
  for (const [i, turn] of turns.entries()) {
    if (i === resumeAt) {
      // `claude --resume`: a new file under a new id starts with a copy of the original's lines (which keep its id).
      await hook("SessionEnd", { reason: "resume" });
      const copied = readFileSync(path, "utf8");
      id = RESUMED;
      path = u.transcript(id);
      u.claude.write(`p/${id}.jsonl`, copied);
      await hook("SessionStart", { source: "resume" });
    }
    await step(u, i, server);
    let toolHooks = 0;
    for (const [n, original] of turn.entries()) {
      const line = rewrite(original, i).replaceAll(`"sessionId":"${sessionId}"`, `"sessionId":"${id}"`);
      const cut = Math.max(1, Math.floor(line.length / 2));
      appendFileSync(path, line.slice(0, cut));
      if (n > 0 && isToolResult(turn[n - 1] as string) && toolHooks++ < 3) await hook("PostToolUse", { tool_name: "Bash" });
      appendFileSync(path, `${line.slice(cut)}\n`);
      if (n === 0) await hook("UserPromptSubmit", { prompt: "…" });
    }
    const reports = reported(u, hooks, watcher);
    await hook("Stop", { stop_hook_active: false });
    await within(5_000, () => reported(u, hooks, watcher) > reports).catch(() => {});
  }
  await step(u, turns.length, server);
  await hook("SessionEnd", { reason: "prompt_input_exit" });
  return wrong;
}

type Watcher = ReturnType<typeof spawnWatch>;

/** How many times the runner (its log), or else the watch (its output), said what it did. */
const reported = (u: User, hooks: boolean, watcher?: Watcher) =>
  hooks || !watcher ? (u.log().match(/\): \d+ message/g) ?? []).length : (watcher.stdout() + watcher.stderr()).split("\n").length;

interface Options {
  hooks?: boolean;
  watch?: boolean;
  /** Each line as Claude Code writes it in this replay (default: as in the session). */
  rewrite?: (line: string, turn: number) => string;
  /** Answers are given up on after GIVE_UP_MS (the scenario hangs some). */
  givesUp?: boolean;
  /** Before this turn the session is resumed into a new file (`claude --resume`), where the rest is written. */
  resumeAt?: number;
}

/**
 * Runs a scenario against a server of its own (the scenarios run at once:
 * they wait far more than they work), then compares the server with a clean
 * sync of the final files: once the runner is done (hooks), or, with a
 * watch, once the server holds that or 30 s have passed.
 */
async function check(step: Step, { hooks = true, watch = false, rewrite, givesUp = false, resumeAt }: Options = {}) {
  const server = await startTestServer();
  try {
    const u = hookUser(server, { CLAUDE_CODE_SYNC_RUNNER_IDLE_MS: "1500", ...(givesUp ? { CLAUDE_CODE_SYNC_TIMEOUT_MS: String(GIVE_UP_MS) } : {}) });
    const watcher = watch ? spawnWatch(u.env) : undefined;
    if (watcher) await within(20_000, () => watcher.stdout().length > 0 || watcher.stderr().length > 0);
    const hookOutput = await replay(u, server, step, hooks, watcher, rewrite, resumeAt);
    const faults = faultCounts(server);
    const reference = await referenceData(u.claude.root);
    // The runner's rechecks of writes given up on, and the late look 30 s after the last hook, can keep it past 40 s.
    if (hooks) await runnerDone(u.home, 120_000);
    if (watcher) {
      await within(30_000, () => Bun.deepEquals(comparable(server.dump()), reference)).catch(() => {});
      watcher.proc.kill("SIGTERM");
    }
    const watched = await watcher?.exited();
    const violations = server.violations({ userAgentPrefix: "claude-code-sync/" });
    return { u, hookOutput, reference, dump: server.dump(), log: u.log(), faults, watched, violations, requests: server.requests(), givesUp };
  } finally {
    await server.stop();
  }
}

/**
 * `lostReplies` (or a scenario that gives up on answers): writes were applied
 * and their answers lost (or came after the client gave up), so the client, which cannot know, writes them again:
 * the server sees an identical re-send, or a re-send inside a window. A
 * session new to the server is also first written without its totals while it
 * is still read (sender.ts, provisionalPayload), and a retry of that write
 * with a longer duration, inside the 10 s window of the lost one, is dropped
 * by the server: by design, since the whole session follows once the window
 * has passed. The exact comparison is what proves nothing was lost for it.
 */
const RETRIES_OF_LOST_REPLIES = new Set(["identical-resend", "resend-in-window", "session-change-dropped"]);

function expectExact(r: Awaited<ReturnType<typeof check>>, { lostReplies = false } = {}) {
  expect(r.hookOutput).toEqual([]);
  expect(looksLikeCrash(r.log)).toBe(false);
  if (r.watched) {
    expect(r.watched.code).toBe(0);
    expect(looksLikeCrash(r.watched.stderr)).toBe(false);
  }
  expect(countMismatches(r.dump)).toEqual([]);
  expect(comparable(r.dump)).toEqual(r.reference);
  expect(lostReplies || r.givesUp ? r.violations.filter((v) => !RETRIES_OF_LOST_REPLIES.has(v.reason)) : r.violations).toEqual([]);
}

const KINDS: FaultKind[] = [429, 500, 502, 503, "drop", "hang"];

/** The first writes fail with each kind in turn: every kind is met whatever the random draws. */
const eachKindOnce = (kinds: FaultKind[], afterApply: boolean): FaultRule[] => kinds.map((kind, i) => ({ method: "POST", skip: i, kind, afterApply }));

/**
 * Keeps the session's hooks coming (Stop, as after a turn that wrote nothing
 * new) until every kind was met, at most 40 times: a runner that failed
 * waits on a backoff, and a quick replay may end before the faults are met.
 */
async function untilEveryKindMet(u: User, server: TestServer, kinds: FaultKind[]): Promise<void> {
  const met = () => kinds.every((k) => faultCounts(server)[String(k)] !== undefined);
  for (let i = 0; i < 40 && !met(); i++) {
    await u.hook("Stop", { stop_hook_active: false }, session.sessionId);
    await Bun.sleep(250);
  }
  expect(faultCounts(server)).toMatchObject(Object.fromEntries(kinds.map((k) => [String(k), expect.any(Number)])));
}

const injected = (r: { faults: Record<string, number> }) => Object.values(r.faults).reduce((a, b) => a + b, 0);

describe.concurrent("a live session replayed through the hooks", () => {
  test("no faults: the server holds what a one-shot sync sends", async () => {
    expectExact(await check(() => {}));
  }, 300_000);

  test("a bad day during the turns: 429 with Retry-After, 500, 502, 503, dropped connections, answers that never come", async () => {
    const r = await check(async (u, turn, server) => {
      if (turn === 0) server.setFaults({ failureRate: 0.3, failureKinds: KINDS, rules: eachKindOnce(KINDS, false), seed: 5 });
      if (turn === TURNS) await untilEveryKindMet(u, server, KINDS);
      if (turn === TURNS) server.setFaults({});
    }, { givesUp: true });
    expectExact(r);
  }, 300_000);

  test("the same faults after the server applied the writes (every failure loses the reply)", async () => {
    const r = await check(async (u, turn, server) => {
      if (turn === 0) server.setFaults({ failureRate: 0.3, failureKinds: KINDS, afterApply: true, rules: eachKindOnce(KINDS, true), seed: 6 });
      if (turn === TURNS) await untilEveryKindMet(u, server, KINDS);
      if (turn === TURNS) server.setFaults({});
    }, { givesUp: true });
    expectExact(r, { lostReplies: true });
  }, 300_000);

  test("answers slower than the timeout for two turns (the server applies what the client gave up on, some after newer writes)", async () => {
    const r = await check((_u, turn, server) => {
      if (turn === 1) server.setFaults({ latencyMs: GIVE_UP_MS + 1_000 });
      if (turn === 3) server.setFaults({});
    }, { givesUp: true });
    expectExact(r, { lostReplies: true });
  }, 300_000);

  test("a server that serialises each user's writes and fails some under contention (write conflicts)", async () => {
    const r = await check((_u, turn, server) => {
      if (turn === 0) {
        server.configure({ writeServiceMs: 15 });
        server.setFaults({ failureRate: 0.2, failureKinds: ["occ", 503], seed: 7 });
      }
      if (turn === TURNS) server.setFaults({});
    });
    expectExact(r);
    expect(injected(r)).toBeGreaterThan(0);
  }, 300_000);

  test("a wrong key for two turns, then the right one again", async () => {
    const r = await check((_u, turn, server) => {
      if (turn === 1) server.setFaults({ unauthorizedAfter: 0 });
      if (turn === 3) server.setFaults({});
    });
    expectExact(r);
    expect(r.requests.some((q) => q.status === 401)).toBe(true);
  }, 300_000);

  test("the server down for two turns", async () => {
    const r = await check(async (_u, turn, server) => {
      if (turn === 1) await server.suspend();
      if (turn === 3) server.resume();
    });
    expectExact(r);
  }, 300_000);

  test("the server's clock set back ten minutes mid-session", async () => {
    const r = await check((_u, turn, server) => {
      if (turn === 2) server.advanceTime(-600_000);
    });
    expectExact(r);
  }, 300_000);

  test("the machine's clock set back two hours mid-session: later lines carry earlier timestamps", async () => {
    const back = (line: string, turn: number) =>
      turn < 2 ? line : line.replace(/"timestamp":"([^"]+)"/, (_m, t: string) => `"timestamp":"${new Date(Date.parse(t) - 7_200_000).toISOString()}"`);
    expectExact(await check(() => {}, { rewrite: back }));
  }, 300_000);

  test("the runner killed (SIGKILL) mid-send at each turn", async () => {
    let kills = 0;
    const r = await check(async (u, turn, server) => {
      if (turn === 0) server.setFaults({ latencyMs: 60 });
      if (turn === 0 || turn === TURNS) return;
      try {
        process.kill(Number(readFileSync(u.app("runner.pid"), "utf8")), "SIGKILL");
        kills++;
      } catch {
        // no runner at this moment: nothing to kill
      }
      if (turn === TURNS - 1) server.setFaults({});
    });
    expectExact(r);
    expect(kills).toBeGreaterThan(0);
  }, 300_000);

  test("a slow server, answers past the timeout for a turn, the runner killed (SIGKILL) mid-send, and the session resumed into a new file", async () => {
    let kills = 0;
    const r = await check(
      async (u, turn, server) => {
        if (turn === 0) server.configure({ rttMs: 100, writeServiceMs: 30 });
        if (turn === 1) server.setFaults({ latencyMs: GIVE_UP_MS + 1_000 });
        if (turn === 2) server.setFaults({});
        if (turn === 2 || turn === 3) {
          try {
            process.kill(Number(readFileSync(u.app("runner.pid"), "utf8")), "SIGKILL");
            kills++;
          } catch {
            // no runner at this moment: nothing to kill
          }
        }
      },
      { givesUp: true, resumeAt: 2 },
    );
    expectExact(r, { lostReplies: true });
    expect(r.dump.map((s) => s.externalId).sort()).toEqual([RESUMED, session.sessionId].sort());
    expect(kills).toBeGreaterThan(0);
  }, 300_000);

  test("a sync started while the runner sends, at each turn", async () => {
    const r = await check(async (u, turn, server) => {
      if (turn === 0) server.setFaults({ latencyMs: 30 });
      const s = await runCli(["sync", "--json"], { env: u.env, timeoutMs: 60_000 });
      expect(looksLikeCrash(s.stderr)).toBe(false);
      if (turn === TURNS) server.setFaults({});
    });
    expectExact(r);
  }, 300_000);

  test("the state database deleted between turns", async () => {
    const r = await check(async (u, turn, server) => {
      if (turn !== 2) return;
      await runnerDone(u.home);
      rmSync(u.app("state"), { recursive: true, force: true });
    });
    expectExact(r);
  }, 300_000);

  test("the transcript rewritten whole (a new file with the same lines) between turns", async () => {
    const r = await check(async (u, turn, server) => {
      if (turn !== 2) return;
      const path = u.transcript(session.sessionId);
      const text = readFileSync(path, "utf8");
      rmSync(path);
      appendFileSync(path, text);
    });
    expectExact(r);
  }, 300_000);
});

describe.concurrent("a live session replayed under a watch", () => {
  test("the server down for two turns, failing 30% of requests around it", async () => {
    const r = await check(
      async (_u, turn, server) => {
        if (turn === 0) server.setFaults({ failureRate: 0.3, failureKinds: [429, 502, 503, "drop", "hang"], seed: 8 });
        if (turn === 1) await server.suspend();
        if (turn === 3) server.resume();
        if (turn === TURNS) server.setFaults({});
      },
      { hooks: false, watch: true, givesUp: true },
    );
    expectExact(r);
  }, 300_000);

  test("a watch and the hooks' runner sending the same session at once, under faults", async () => {
    const r = await check(
      (_u, turn, server) => {
        if (turn === 0) server.setFaults({ failureRate: 0.2, failureKinds: [503, "drop", "hang"], afterApply: true, latencyMs: 20, seed: 9 });
        if (turn === TURNS) server.setFaults({});
      },
      { hooks: true, watch: true, givesUp: true },
    );
    expectExact(r);
  }, 300_000);
});

