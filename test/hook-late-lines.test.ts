import { describe, expect, test } from "bun:test";
import { appendFileSync, readdirSync } from "node:fs";
import type { TestServer } from "../testserver/server.ts";
import { SETTLE_FOR_MS, SETTLE_MS } from "../src/hooks/schedule.ts";
import { hookUser, runnerDone, stopRunner, within } from "./helpers/hooks.ts";
import { withServer } from "./helpers/with-server.ts";
import { LIVE_USAGE, SESSION, assistant, backgroundAgentTurn, jsonl, now, text, toolResult, toolUse, user } from "./helpers/transcript.ts";

/**
 * Claude Code writes a session's files around its hooks, not strictly before them: lines
 * written a few seconds after a session's last hook reach the server with no further hook.
 */
const u = LIVE_USAGE;
const OTHER = "22222222-2222-4222-8222-222222222222";
const has = (server: TestServer, t: string) => server.session(SESSION)?.messages.some((m) => m.textContent === t) === true;
const sub = (extra: Record<string, unknown> = {}) => ({ ...now(), isSidechain: true, agentId: "a1", ...extra });
/**
 * Waits until 2 s after a hook began: past the runner's first look (a second after it), within its looks (5 s
 * after it). Counted from the hook, not from the first pass's message: on a loaded machine that message may
 * come 4 s after the hook, and 1.5 s more put the lines past the looks (written for the late look 30 s on).
 */
const twoSecondsAfter = (hookAt: number) => Bun.sleep(Math.max(0, hookAt + 2_000 - Date.now()));
/** The rest of a turn after its prompt "Run the tests": a tool call, its result, the answer. */
const testsTurn = () => [
  assistant("msg_1", toolUse("toolu_1", "Bash", { command: "make test" }), { ...now(), usage: u }),
  toolResult("toolu_1", "ok", now()),
  assistant("msg_2", text("All tests pass."), { ...now(), usage: u }),
];

describe("lines written after a session's last hook", () => {
  // One at a time: these write their lines a moment after a hook, while the runner's looks that follow it go on.
  test("a subagent's lines written after the SubagentStop's pass, its parent's file unchanged, go without another hook", () =>
    withServer(async (server) => {
      const { home, claude, hook } = hookUser(server);
      claude.write(
        `p/${SESSION}.jsonl`,
        jsonl(backgroundAgentTurn(u)),
      );
      const agent = claude.write(`p/${SESSION}/subagents/agent-a1.jsonl`, jsonl([user("Review", sub()), assistant("msg_a", text("Looking."), sub({ usage: u }))]));
      await hook("SubagentStop", { agent_id: "a1", agent_transcript_path: agent });
      await within(20_000, () => has(server, "Looking."));

      appendFileSync(agent, jsonl([assistant("msg_b", text("Two bugs found."), sub({ usage: u }))]));
      await within(20_000, () => has(server, "Two bugs found."));
      await runnerDone(home);
      expect(server.violations()).toEqual([]);
    }), 60_000);

  test("a 2.0.x flat agent file's lines written after the SubagentStop's pass, its parent's file unchanged, go without another hook", () =>
    withServer(async (server) => {
      const { home, claude, hook } = hookUser(server);
      claude.write(`p/${SESSION}.jsonl`, jsonl(backgroundAgentTurn(u)));
      // Another session's agent file beside it: not this session's.
      claude.write("p/agent-b2.jsonl", jsonl([user("Other", { ...sub({ agentId: "b2" }), sessionId: OTHER })]));
      const agent = claude.write("p/agent-a1.jsonl", jsonl([user("Review", sub()), assistant("msg_a", text("Looking."), sub({ usage: u }))]));
      const hookAt = Date.now();
      await hook("SubagentStop", { agent_id: "a1", agent_transcript_path: agent });
      await within(20_000, () => has(server, "Looking."));
      await twoSecondsAfter(hookAt);

      appendFileSync(agent, jsonl([assistant("msg_b", text("Two bugs found."), sub({ usage: u }))]));
      await within(20_000, () => has(server, "Two bugs found."));
      await runnerDone(home);
      expect(server.violations()).toEqual([]);
    }), 60_000);

  test("a session held back (a background subagent's response still open) at its Stop: the main thread's lines written after it go without another hook, the open response still held", () =>
    withServer(async (server) => {
      const { app, claude, path, hook } = hookUser(server);
      claude.write(
        `p/${SESSION}.jsonl`,
        jsonl(backgroundAgentTurn(u)),
      );
      claude.write(`p/${SESSION}/subagents/agent-a1.jsonl`, jsonl([user("Review", sub()), assistant("msg_a", text("Looking at the parser first."), sub({ usage: u, stopReason: null }))]));
      const hookAt = Date.now();
      await hook("Stop");
      await within(20_000, () => has(server, "Started a reviewer."));
      await twoSecondsAfter(hookAt);

      appendFileSync(path, jsonl([user("Thanks", now()), assistant("msg_3", text("Welcome."), { ...now(), usage: u })]));
      // Before the held response's files are quiet (a minute), when both would go at once.
      await within(40_000, () => has(server, "Welcome."));
      expect(has(server, "Looking at the parser first.")).toBe(false);
      expect(server.violations()).toEqual([]);
      // It would wait the minute out for the held response.
      stopRunner(app("runner.pid"));
    }), 60_000);

  test("Stop: the session's lines written while a pass that ends past the hook's looks (a slow server) was sending go without another hook", () =>
    withServer(async (server) => {
      const { home, claude, path, hook } = hookUser(server);
      claude.write(`p/${SESSION}.jsonl`, jsonl([user("Add a health endpoint", now()), assistant("msg_1", text("Done."), { ...now(), usage: u })]));
      server.pauseWrites();
      try {
        await hook("Stop");
        // The pass has read the transcript: its writes wait at the server.
        await within(20_000, () => server.writeStats().queued > 0);
        appendFileSync(path, jsonl([user("Thanks", now()), assistant("msg_2", text("Welcome."), { ...now(), usage: u })]));
        // The pass ends past the looks that follow the hook.
        await Bun.sleep(SETTLE_FOR_MS + 1_000);
      } finally {
        server.resumeWrites();
      }
      await within(20_000, () => has(server, "Welcome."));
      await runnerDone(home);
      expect(server.session(SESSION)?.messages).toHaveLength(4);
      expect(server.violations()).toEqual([]);
    }), 60_000);

  test("a prompt's hook whose pass (a slow server) ends after the turn was written, the terminal closed before the Stop: it goes without another hook", () =>
    withServer(async (server) => {
      const { home, claude, path, hook } = hookUser(server);
      claude.write(`p/${SESSION}.jsonl`, jsonl([user("Run the tests", now())]));
      server.pauseWrites();
      try {
        await hook("UserPromptSubmit", { prompt: "Run the tests" });
        await within(20_000, () => server.writeStats().queued > 0);
        // The turn written while the pass sends (setup registers no tool hooks), then the terminal closed: no Stop, no SessionEnd.
        appendFileSync(path, jsonl(testsTurn()));
        await Bun.sleep(SETTLE_MS + 1_000);
      } finally {
        server.resumeWrites();
      }
      await runnerDone(home);
      expect(has(server, "All tests pass.")).toBe(true);
      expect(server.violations()).toEqual([]);
    }), 60_000);

  test.each<[string, Record<string, unknown>]>([
    ["Stop", {}],
    ["StopFailure", { error: "overloaded" }],
    ["SessionEnd", { reason: "prompt_input_exit" }],
    ["SessionEnd", { reason: "logout" }],
    ["SessionEnd", { reason: "clear" }],
  ])("%s %o: the session's lines written 2 s after it go without another hook", (event, extra) =>
    withServer(async (server) => {
      const { home, claude, path, hook } = hookUser(server);
      claude.write(`p/${SESSION}.jsonl`, jsonl([user("Add a health endpoint", now()), assistant("msg_1", text("Done."), { ...now(), usage: u })]));
      const hookAt = Date.now();
      await hook(event, extra);
      await within(20_000, () => has(server, "Done."));
      await twoSecondsAfter(hookAt);

      appendFileSync(path, jsonl([user("Thanks", now()), assistant("msg_2", text("Welcome."), { ...now(), usage: u })]));
      await within(20_000, () => has(server, "Welcome."));
      await runnerDone(home);
      expect(server.session(SESSION)?.messages).toHaveLength(4);
      expect(server.violations()).toEqual([]);
    }), 60_000);

  // At once, each with its own server: these write their lines once the looks are over (the request done), and
  // wait for the late look 30 s after the hook.
  test.concurrent("Stop: the session's lines written after its looks ended, nothing written between, go without another hook while the runner waits for more", () =>
    withServer(async (server) => {
      const { app, claude, path, hook } = hookUser(server, { CLAUDE_CODE_SYNC_RUNNER_IDLE_MS: "600000" });
      try {
        claude.write(`p/${SESSION}.jsonl`, jsonl([user("Add a health endpoint", now()), assistant("msg_1", text("Done."), { ...now(), usage: u })]));
        await hook("Stop");
        await within(20_000, () => has(server, "Done."));
        // Its request is done: the looks that follow the hook are over.
        await within(20_000, () => !readdirSync(app("queue")).some((name) => name.startsWith(SESSION)));

        appendFileSync(path, jsonl([user("Thanks", now()), assistant("msg_2", text("Welcome."), { ...now(), usage: u })]));
        // A late look comes 30 s after the hook.
        await within(50_000, () => has(server, "Welcome."));
        expect(server.session(SESSION)?.messages).toHaveLength(4);
        expect(server.violations()).toEqual([]);
      } finally {
        stopRunner(app("runner.pid"));
      }
    }), 90_000);

  test.concurrent("UserPromptSubmit: the turn written after its looks ended, the terminal closed before its Stop, goes with a late look", () =>
    withServer(async (server) => {
      const { app, claude, path, hook } = hookUser(server, { CLAUDE_CODE_SYNC_RUNNER_IDLE_MS: "600000" });
      try {
        claude.write(`p/${SESSION}.jsonl`, jsonl([user("Run the tests", now())]));
        await hook("UserPromptSubmit", { prompt: "Run the tests" });
        await within(20_000, () => has(server, "Run the tests"));
        await within(20_000, () => !readdirSync(app("queue")).some((name) => name.startsWith(SESSION)));

        // Claude works (setup registers no tool hooks), answers, and the terminal is closed: no Stop, no SessionEnd.
        appendFileSync(path, jsonl(testsTurn()));
        await within(50_000, () => has(server, "All tests pass."));
        expect(server.violations()).toEqual([]);
      } finally {
        stopRunner(app("runner.pid"));
      }
    }), 90_000);

  test.concurrent("SessionEnd: a background agent's response written after its looks ended, still open, goes with the late look as the SessionEnd's own pass would send it, not a minute later", () =>
    withServer(async (server) => {
      const { app, claude, hook, log } = hookUser(server, { CLAUDE_CODE_SYNC_RUNNER_IDLE_MS: "600000" });
      try {
        claude.write(`p/${SESSION}.jsonl`, jsonl([user("Add a health endpoint", now()), assistant("msg_1", text("Done."), { ...now(), usage: u })]));
        await hook("SessionEnd", { reason: "clear" });
        await within(20_000, () => has(server, "Done."));
        await within(20_000, () => !readdirSync(app("queue")).some((name) => name.startsWith(SESSION)));

        // Its response still open: only the end of the session says it is complete.
        claude.write(`p/${SESSION}/subagents/agent-a1.jsonl`, jsonl([user("Review", sub()), assistant("msg_a", text("Two bugs found."), sub({ usage: u, stopReason: null }))]));
        // The late look 30 s after the hook finds the files grown, and its pass is done.
        await within(50_000, () => /\(late-look\): \d+ message/.test(log()));
        expect(has(server, "Two bugs found.")).toBe(true);
        expect(server.violations()).toEqual([]);
      } finally {
        stopRunner(app("runner.pid"));
      }
    }), 90_000);

  test.concurrent("Stop without transcript_path in its event (an event or a version of Claude Code that leaves it out): lines written after its looks ended go with a late look", () =>
    withServer(async (server) => {
      const { app, claude, path, hook } = hookUser(server, { CLAUDE_CODE_SYNC_RUNNER_IDLE_MS: "600000" });
      try {
        claude.write(`p/${SESSION}.jsonl`, jsonl([user("Add a health endpoint", now()), assistant("msg_1", text("Done."), { ...now(), usage: u })]));
        await hook("Stop", { transcript_path: undefined });
        await within(20_000, () => has(server, "Done."));
        await within(20_000, () => !readdirSync(app("queue")).some((name) => name.startsWith(SESSION)));

        appendFileSync(path, jsonl([user("Thanks", now()), assistant("msg_2", text("Welcome."), { ...now(), usage: u })]));
        await within(50_000, () => has(server, "Welcome."));
        expect(server.violations()).toEqual([]);
      } finally {
        stopRunner(app("runner.pid"));
      }
    }), 90_000);
});
