/**
 * Sessions of the test corpus replayed through the hooks as Claude Code writes them, two at a time: main thread and
 * subagents by their times (2.0's Warmup agent before the session's own file), a turn's last line written in two
 * pieces around its Stop, a turn's last line landing after its Stop, a SessionEnd without a Stop. After the runner is
 * done the server holds what a sync of the final files in one go sends, and status and verify say so.
 * The lines keep their own past times (read as a history's: quiet.ts); hook-replay.test.ts replays a live session.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { type TestServer, startTestServer } from "../testserver/server.ts";
import { runCli } from "./helpers/cli.ts";
import { testCorpus } from "./helpers/corpus.ts";
import { comparable, countMismatches, referenceData } from "./helpers/hardening.ts";
import { hookUser, runnerDone, within } from "./helpers/hooks.ts";
import { type SessionFiles, isPrompt, sessionsIn, turnsOf } from "./helpers/replay.ts";

/** Enough sessions for each case twice, their first turns only: the replay takes about 30 s. */
const SESSIONS = 10;
const TURNS = 3;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ rttMs: 20, writeServiceMs: 5 });
});
afterAll(() => server.stop());

/** Sessions whose subagents wrote first, then those with subagents, then the rest, each kind by its prompts; and one with no own file. */
function chosen(projects: string): SessionFiles[] {
  const all = sessionsIn(projects).filter((s) => s.lines.length > 0);
  const rank = (s: SessionFiles) => (s.lines[0]?.file !== s.own ? 0 : s.agents.length > 0 ? 1 : 2);
  const prompts = (s: SessionFiles) => s.lines.filter((e) => e.file === s.own && isPrompt(e.line)).length;
  const own = all.filter((s) => s.hasOwn).sort((a, b) => rank(a) - rank(b) || prompts(b) - prompts(a));
  return [...own.slice(0, SESSIONS - 1), ...all.filter((s) => !s.hasOwn).slice(0, 1)];
}

test("corpus sessions replayed through the hooks, two at a time: the server ends with what a sync in one go sends", async () => {
  const corpus = testCorpus();
  const user = hookUser(server, { CLAUDE_CODE_SYNC_RUNNER_IDLE_MS: "3000" });
  expect((await runCli(["setup"], { env: user.env })).code).toBe(0);
  const projects = join(corpus.root, "projects");
  const sessions = chosen(projects);
  console.log(`[replay] ${sessions.length} sessions of ${corpus.label}: ${sessions.map((s) => `${s.sessionId.slice(0, 8)} (${s.lines.length} lines, ${s.agents.length} agents)`).join(", ")}`);

  async function replay(s: SessionFiles, n: number): Promise<void> {
    const path = (file: string) => join(user.claude.projects, file);
    const hook = async (event: string, extra: Record<string, unknown> = {}) => {
      const r = await runCli(["hook", event], {
        env: user.env,
        stdin: JSON.stringify({ session_id: s.sessionId, transcript_path: path(s.own), cwd: "/home/dev/project-x", hook_event_name: event, ...extra }),
      });
      expect(r).toEqual({ code: 0, stdout: "", stderr: "" });
    };
    const turns = turnsOf(s).slice(0, TURNS);
    const lastOfAgent = new Map(s.agents.map((a) => [a, turns.flat().findLast((e) => e.file === a)]));
    const split = n % 4 === 1 ? 0 : -1; // its last line in two pieces, the Stop between
    const late = n % 4 === 2 ? turns.length - 1 : -1; // its last line 1.5 s after the Stop
    const noStop = n % 4 === 3; // SessionEnd without the last turn's Stop
    for (const file of [s.own, ...s.agents]) mkdirSync(dirname(path(file)), { recursive: true });
    await hook("SessionStart", { source: "startup" });
    let ownWritten = false;
    for (const [t, turn] of turns.entries()) {
      const held = t === split || t === late ? turn.at(-1) : undefined;
      for (const e of turn) {
        if (e === held) break;
        if (e.file === s.own && !ownWritten) {
          // The user thinks at the first prompt: a session with only its subagents' lines so far goes meanwhile.
          if (s.lines[0]?.file !== s.own) await within(20_000, () => server.session(s.sessionId) !== undefined);
          ownWritten = true;
        }
        appendFileSync(path(e.file), `${e.line}\n`);
        if (e.file === s.own && isPrompt(e.line)) await hook("UserPromptSubmit", { prompt: "…" });
        if (lastOfAgent.get(e.file) === e) await hook("SubagentStop", { agent_transcript_path: path(e.file), stop_hook_active: false });
      }
      if (held && t === split) {
        const cut = Math.floor(held.line.length / 2);
        appendFileSync(path(held.file), held.line.slice(0, cut));
        await hook("Stop", { stop_hook_active: false });
        await Bun.sleep(300);
        appendFileSync(path(held.file), `${held.line.slice(cut)}\n`);
      } else if (!(noStop && t === turns.length - 1)) await hook("Stop", { stop_hook_active: false });
      if (held && t === late) {
        await Bun.sleep(1_500);
        appendFileSync(path(held.file), `${held.line}\n`);
      }
    }
    await hook("SessionEnd", { reason: "prompt_input_exit" });
  }

  let next = 0;
  const worker = async () => {
    for (let i = next++; i < sessions.length; i = next++) await replay(sessions[i] as SessionFiles, i);
  };
  await Promise.all([worker(), worker()]);
  await runnerDone(user.home, 90_000);

  const onServer = server.dump();
  expect(comparable(onServer)).toEqual(await referenceData(user.claude.root));
  expect(countMismatches(onServer)).toEqual([]);
  expect(server.violations({ userAgentPrefix: "claude-code-sync/" })).toEqual([]);
  const status = await runCli(["status"], { env: user.env });
  expect(status.stdout).toContain(`Sessions synced: ${onServer.length}\n`);
  expect(status.stdout).not.toContain("Not read yet");
  const verify = await runCli(["verify"], { env: user.env });
  expect(verify.stdout).toContain(`the server has all ${onServer.length} sessions sent from here, each with every message`);
  expect(verify.code).toBe(0);
}, 240_000);
