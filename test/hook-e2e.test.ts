import { describe, expect, test } from "bun:test";
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { getPriority } from "node:os";
import { join } from "node:path";
import type { TestServer } from "../testserver/server.ts";
import { runCli, tempHome } from "./helpers/cli.ts";
import { IDLE, hookUser, runnerDone, stopRunner, within } from "./helpers/hooks.ts";
import { withServer } from "./helpers/with-server.ts";
import { LIVE_USAGE, SESSION, assistant, backgroundAgentTurn, jsonl, now, tempClaudeDir, text, toolResult, toolUse, user } from "./helpers/transcript.ts";

const u = LIVE_USAGE;

/** `n` messages on the server, each written once: none sent in part first. */
function expectEachWrittenOnce(server: TestServer, n: number): void {
  expect(server.session(SESSION)?.messages).toHaveLength(n);
  expect(server.counts()["POST /sync/message"]).toBe(n);
  expect(server.violations()).toEqual([]);
}

describe("hooks", () => {
  // One at a time: these assert what happened within 3 s of a hook, or before the runner's look a second after it.
  test("a played Claude Code session reaches the server within 3 s of each Stop, with final totals at SessionEnd", () =>
    withServer(async (server) => {
      const { home, claude, hook } = hookUser(server);
      const start = await hook("SessionStart", { source: "startup" });
      expect(start).toEqual({ code: 0, stdout: "", stderr: "" });

      claude.write(`p/${SESSION}.jsonl`, jsonl([user("Add a health endpoint")]));
      await hook("UserPromptSubmit", { prompt: "Add a health endpoint" });
      const path = join(claude.projects, "p", `${SESSION}.jsonl`);
      appendFileSync(
        path,
        jsonl([
          assistant("msg_1", text("Adding it."), { usage: { input: 10, output: 20, cacheCreation: 0, cacheRead: 0 } }),
          assistant("msg_1", toolUse("toolu_1", "Edit", { file_path: "/src/app.ts" }), { usage: { input: 10, output: 20, cacheCreation: 0, cacheRead: 0 } }),
          toolResult("toolu_1", "ok"),
          assistant("msg_2", text("Done."), { usage: { input: 30, output: 5, cacheCreation: 0, cacheRead: 0 } }),
        ]),
      );
      const stopped = await hook("Stop", { stop_hook_active: false });
      expect(stopped).toEqual({ code: 0, stdout: "", stderr: "" });
      const took = await within(3_000, () => server.session(SESSION)?.messages.length === 4);
      expect(took).toBeLessThan(3_000);

      // A second turn, then the end of the session.
      appendFileSync(path, jsonl([user("Thanks"), assistant("msg_3", text("You're welcome."), { usage: { input: 40, output: 6, cacheCreation: 0, cacheRead: 0 } })]));
      await hook("Stop");
      await within(3_000, () => server.session(SESSION)?.messages.length === 6);
      await hook("SessionEnd", { reason: "prompt_input_exit" });
      await runnerDone(home);
      const s = server.session(SESSION);
      expect(s?.promptTokens).toBe(10 + 30 + 40);
      expect(s?.completionTokens).toBe(20 + 5 + 6);
      expect(s?.title).toBe("Add a health endpoint");
      expect(server.violations()).toEqual([]);
    }), 60_000);

  test("a runner waiting for more takes the next hook's request: no second process, and it exits once idle", () =>
    withServer(async (server) => {
      const { home, claude, path, hook } = hookUser(server, { CLAUDE_CODE_SYNC_RUNNER_IDLE_MS: "4000" });
      const pidFile = join(home, ".claude-code-sync", "runner.pid");
      claude.write(`p/${SESSION}.jsonl`, jsonl([user("Add a health endpoint")]));
      await hook("UserPromptSubmit");
      await within(3_000, () => server.session(SESSION)?.messages.length === 1);
      const runner = readFileSync(pidFile, "utf8");
      // Background work: the runner yields the CPU to Claude Code.
      expect(getPriority(Number(runner))).toBe(10);
      appendFileSync(path, jsonl([assistant("msg_1", text("Added."), { usage: { input: 10, output: 20, cacheCreation: 0, cacheRead: 0 } })]));
      await hook("Stop");
      await within(3_000, () => server.session(SESSION)?.messages.length === 2);
      // The same runner did both, and is still waiting.
      expect(readFileSync(pidFile, "utf8")).toBe(runner);
      expect(readFileSync(join(home, ".claude-code-sync", "sync.log"), "utf8").match(/\[(\d+)\]/g)?.every((tag) => tag === `[${runner}]`)).toBe(true);
      const idle = await within(40_000, () => !existsSync(pidFile));
      expect(idle).toBeGreaterThan(1_000);
      expect(server.violations()).toEqual([]);
    }), 60_000);

  test("a SubagentStop does not end the main thread's turn: its response still being written is not sent in part, then again whole", () =>
    withServer(async (server) => {
      const { home, claude, path, hook } = hookUser(server);
      // Written just now (lines of an old session count as a turn long over).
      claude.write(
        `p/${SESSION}.jsonl`,
        jsonl([
          user("Review the parser", now()),
          assistant("msg_1", toolUse("toolu_t", "Task", { description: "review", prompt: "Review src/parser.ts" }), { ...now(), usage: u }),
          toolResult("toolu_t", "Two bugs found.", now()),
          // The main thread goes on at once: its next response's first block, still streaming.
          assistant("msg_2", text("The reviewer found two bugs; fixing the first."), { ...now(), usage: u, stopReason: null }),
        ]),
      );
      const agent = claude.write(
        `p/${SESSION}/subagents/agent-a1.jsonl`,
        jsonl([user("Review src/parser.ts", { ...now(), isSidechain: true, agentId: "a1" }), assistant("msg_a", text("Two bugs found."), { ...now(), isSidechain: true, agentId: "a1", usage: u })]),
      );
      await hook("SubagentStop", { agent_id: "a1", agent_transcript_path: agent });
      await within(10_000, () => (server.session(SESSION)?.messages.length ?? 0) >= 3);
      await Bun.sleep(1_500); // the runner's second look, a second after the hook
      expect(server.session(SESSION)?.messages.some((m) => m.role === "assistant" && m.textContent?.includes("fixing the first"))).toBe(false);

      appendFileSync(path, jsonl([assistant("msg_2", toolUse("toolu_e", "Edit", { file_path: "src/parser.ts" }), { ...now(), usage: u })]));
      await hook("Stop");
      await runnerDone(home);
      expectEachWrittenOnce(server, 6);
    }), 60_000);

  test("a Stop ends the main thread's turn, not a background subagent's: its response still being written is not sent in part", () =>
    withServer(async (server) => {
      const { home, claude, hook } = hookUser(server);
      claude.write(
        `p/${SESSION}.jsonl`,
        jsonl(backgroundAgentTurn(u)),
      );
      // The agent works on after the main turn's Stop: its response's first block, still streaming.
      const agent = claude.write(
        `p/${SESSION}/subagents/agent-a1.jsonl`,
        jsonl([
          user("Review", { ...now(), isSidechain: true, agentId: "a1" }),
          assistant("msg_a", text("Looking at the parser first."), { ...now(), isSidechain: true, agentId: "a1", usage: u, stopReason: null }),
        ]),
      );
      await hook("Stop");
      await within(10_000, () => server.session(SESSION)?.messages.some((m) => m.textContent === "Started a reviewer.") === true);
      await Bun.sleep(1_500); // the runner's second look, a second after the hook
      expect(server.session(SESSION)?.messages.some((m) => m.textContent?.includes("Looking at the parser"))).toBe(false);

      appendFileSync(agent, jsonl([assistant("msg_a", toolUse("toolu_r", "Read", { file_path: "src/parser.ts" }), { ...now(), isSidechain: true, agentId: "a1", usage: u })]));
      await hook("SubagentStop", { agent_id: "a1", agent_transcript_path: agent });
      await runnerDone(home);
      expectEachWrittenOnce(server, 6);
    }), 60_000);

  // At once, each with its own server: these wait for what they assert within bounds of tens of seconds.
  test.concurrent("20 hooks at once for one session: one runner, every message written once, state intact", () =>
    withServer(async (server) => {
      // The runner waits for more as it does for a user (minutes): a second runner could then only come from the lock
      // failing, not from the first one going idle while the 20 hook processes are still starting on a busy machine.
      const { claude, env, hook, app, log } = hookUser(server, { CLAUDE_CODE_SYNC_RUNNER_IDLE_MS: "600000" });
      const lines = [user("Refactor the parser")];
      for (let i = 0; i < 30; i++) lines.push(assistant(`msg_${i}`, text(`step ${i}`), { usage: { input: 1, output: 1, cacheCreation: 0, cacheRead: 0 } }));
      claude.write(`p/${SESSION}.jsonl`, jsonl(lines));
      try {
        const results = await Promise.all(Array.from({ length: 20 }, () => hook("Stop")));
        for (const r of results) expect(r).toEqual({ code: 0, stdout: "", stderr: "" });
        // Served: every message on the server, and no request left waiting or claimed.
        const queueEmpty = () => readdirSync(app("queue")).every((name) => name.startsWith("."));
        await within(45_000, () => server.session(SESSION)?.messages.length === 31 && queueEmpty());
        expect(log().match(/background sync started/g)).toHaveLength(1);
        const s = server.session(SESSION);
        expect(new Set(s?.messages.map((m) => m.externalId)).size).toBe(31);
        expect(s?.completionTokens).toBe(30);
        // Every message was written exactly once.
        expect(server.counts()["POST /sync/message"]).toBe(31);
        expect(server.violations()).toEqual([]);
        // The state agrees: a manual sync finds nothing to send.
        const before = server.counts();
        const r = await runCli(["sync", "--json"], { env });
        expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, messagesSent: 0, sessionsSent: 0 });
        // Nothing written; one small read hears the server answer.
        expect(server.counts()).toEqual({ ...before, "GET /api/sessions": (before["GET /api/sessions"] ?? 0) + 1 });
      } finally {
        stopRunner(app("runner.pid"));
      }
    }), 90_000);

  test.concurrent("a session of Claude Code run with another CLAUDE_CONFIG_DIR than the runner's goes too: its transcript's folder is read", () =>
    withServer(async (server) => {
      const { home, env } = hookUser(server);
      // A second Claude Code (an alias with CLAUDE_CONFIG_DIR=~/.claude-work) fires its hooks while the runner another one started serves.
      const work = tempClaudeDir();
      const other = "0f3c2a1b-1111-4222-8333-944445555666";
      const path = work.write(`p/${other}.jsonl`, jsonl([user("Fix the build", { sessionId: other }), assistant("msg_w1", text("Fixed."), { sessionId: other })]));
      const stdin = JSON.stringify({ session_id: other, transcript_path: path, cwd: "/home/dev/work", hook_event_name: "Stop" });
      // The runner keeps the environment of the hook that started it: here, the first Claude Code's.
      const r = await runCli(["hook", "Stop"], { env, stdin });
      expect(r).toEqual({ code: 0, stdout: "", stderr: "" });
      await runnerDone(home);
      expect(server.session(other)?.messages.length).toBe(2);
      expect(server.violations()).toEqual([]);
    }), 60_000);

  test.concurrent("a SessionEnd ends every thread: a subagent's last response left open goes as it is", () =>
    withServer(async (server) => {
      const { home, claude, hook } = hookUser(server);
      claude.write(`p/${SESSION}.jsonl`, jsonl([user("Review the parser", now()), assistant("msg_1", text("Asked a reviewer."), { ...now(), usage: u })]));
      // Written by a Claude Code that leaves the stop reason out (1.x, 2.0): the response looks open.
      claude.write(
        `p/${SESSION}/subagents/agent-a1.jsonl`,
        jsonl([user("Review", { ...now(), isSidechain: true, agentId: "a1" }), assistant("msg_a", text("Two bugs."), { ...now(), isSidechain: true, agentId: "a1", usage: u, stopReason: null })]),
      );
      await hook("SessionEnd", { reason: "prompt_input_exit" });
      await runnerDone(home);
      expect(server.session(SESSION)?.messages.some((m) => m.textContent === "Two bugs.")).toBe(true);
    }), 60_000);

  test.concurrent("a hook never fails Claude Code: bad input, no login, unknown event all exit 0 silently and log", async () => {
    const home = tempHome();
    const env = { HOME: home, ...IDLE };
    for (const [args, stdin] of [
      [["hook", "Stop"], "not json"],
      [["hook", "Stop"], "{}"],
      [["hook", "Stop"], JSON.stringify({ session_id: SESSION })],
      [["hook"], ""],
    ] as const) {
      const r = await runCli([...args], { env, stdin });
      expect(r).toEqual({ code: 0, stdout: "", stderr: "" });
    }
    await runnerDone(home);
    const log = readFileSync(join(home, ".claude-code-sync", "sync.log"), "utf8");
    expect(log).toContain("not JSON");
    expect(log).toContain("Not logged in");
  }, 60_000);

  test.concurrent("a hook that cannot queue its sync (the queue folder unusable) exits 0 silently, and status says so and what to do until a sync or a background round went through (found by an exploratory tester)", () =>
    withServer(async (server) => {
      const { home, env, claude, hook, app } = hookUser(server);
      claude.write(`p/${SESSION}.jsonl`, jsonl([user("Add a health endpoint"), assistant("msg_1", text("Done."), { usage: u })]));
      // A file where the queue folder should be: no request can be written, whoever runs the hook (root too).
      mkdirSync(app(), { recursive: true, mode: 0o700 });
      writeFileSync(app("queue"), "");
      expect(await hook("Stop")).toEqual({ code: 0, stdout: "", stderr: "" });
      const status = await runCli(["status"], { env });
      expect(status.code).toBe(1);
      expect(status.stdout).toMatch(/Hooks: the Stop hook \d+ seconds? ago could not hand its sync to the background: \S/);
      expect(status.stdout).toContain("then run `claude-code-sync sync` (nothing is lost");
      expect(JSON.parse((await runCli(["status", "--json"], { env })).stdout).hookFailure).toMatchObject({ event: "Stop" });

      // Fixed, and the next hook's sync read what that hook asked for: no longer news.
      rmSync(app("queue"));
      await hook("Stop");
      await runnerDone(home);
      expect(server.session(SESSION)?.messages).toHaveLength(2);
      expect((await runCli(["status"], { env })).stdout).not.toContain("Hooks:");
      // Nor once logged out, when no state tells of that sync: the background round after it does.
      expect((await runCli(["status"], { env: { HOME: home, CLAUDE_CONFIG_DIR: claude.root } })).stdout).not.toContain("Hooks:");
    }), 60_000);

  test.concurrent("a SessionEnd of a session with only its Warmup agent's file (2.0.x: the user left before a prompt): it goes at once, not once the file is quiet", () =>
    withServer(async (server) => {
      const { home, claude, hook } = hookUser(server);
      const now = () => ({ isSidechain: true, agentId: "a1", timestamp: new Date().toISOString() });
      claude.write("p/agent-a1.jsonl", jsonl([user("Warmup", now()), assistant("msg_w", text("Ready."), now())]));
      await hook("SessionEnd", { reason: "prompt_input_exit" });
      await within(20_000, () => server.session(SESSION)?.messages.some((m) => m.textContent === "Ready.") === true);
      await runnerDone(home);
      expect(server.violations()).toEqual([]);
    }), 60_000);

  test.concurrent("a SubagentStop before the session's own transcript exists sends nothing: the session goes once the transcript appears, started when its Warmup agent was", () =>
    withServer(async (server) => {
      const { home, claude, hook } = hookUser(server);
      // Claude Code 2.0 writes its Warmup agent before the session's own file (just now: a live session).
      const start = Date.now() - 10_000;
      const at = (ms: number) => new Date(start + ms).toISOString();
      const agent = claude.write(
        `p/${SESSION}/subagents/agent-a1.jsonl`,
        jsonl([user("Warmup", { isSidechain: true, agentId: "a1", timestamp: at(0) }), assistant("msg_w", text("Ready."), { isSidechain: true, agentId: "a1", timestamp: at(2_000) })]),
      );
      const asked = Date.now();
      expect(await hook("SubagentStop", { agent_id: "a1", agent_transcript_path: agent })).toEqual({ code: 0, stdout: "", stderr: "" });
      // Held, not sent: its request is put back for when the agent's file will have been quiet a minute (as `watch` does),
      // so a session whose own file never comes still goes; the runner stays up for it.
      const request = join(home, ".claude-code-sync", "queue", `${SESSION}.json`);
      // Meanwhile looked at every second until its files settle (readyAt: the held time, while nextAt is the next look).
      const heldUntil = (): number | undefined => {
        try {
          const r = JSON.parse(readFileSync(request, "utf8"));
          return r.readyAt ?? r.nextAt;
        } catch {
          return undefined; // claimed for a look
        }
      };
      let until: number | undefined;
      await within(40_000, () => typeof (until = heldUntil()) === "number");
      expect((until as number) - asked).toBeGreaterThanOrEqual(60_000);
      expect(server.session(SESSION)).toBeUndefined();

      claude.write(
        `p/${SESSION}.jsonl`,
        jsonl([user("Fix the flaky test", { timestamp: at(5_000) }), assistant("msg_1", text("Looking."), { timestamp: at(7_000) })]),
      );
      await hook("Stop");
      await runnerDone(home);
      // Claude Code started with the Warmup agent, before the first prompt: the start whatever was read first (summarize.ts startOf).
      expect(server.session(SESSION)).toMatchObject({ createdAt: Date.parse(at(0)), title: "Fix the flaky test" });
      expect(server.violations()).toEqual([]);
    }), 90_000);
});
