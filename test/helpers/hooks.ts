import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { TestServer } from "../../testserver/server.ts";
import { runCli, tempHome } from "./cli.ts";
import { SESSION, tempClaudeDir } from "./transcript.ts";

/** Polls until `check` holds, at most `ms` (a bound so no test waits forever); returns how long it took. */
export async function within(ms: number, check: () => boolean): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`not within ${ms} ms`);
    await Bun.sleep(50);
  }
  return Date.now() - start;
}

/** The background runner is done when its pid file is gone (bounded wait so no process outlives the test). */
export async function runnerDone(home: string, ms = 40_000): Promise<void> {
  await within(ms, () => !existsSync(join(home, ".claude-code-sync", "runner.pid")));
}

/** The runner waits this long for more requests before it exits (10 min by default): long enough for a turn's hooks to find it. */
export const IDLE = { CLAUDE_CODE_SYNC_RUNNER_IDLE_MS: "1500" };

/** A user of the hooks: their HOME, Claude folder and environment, and `hook(event)` for a session's transcript. */
export function hookUser(server: TestServer, idle: Record<string, string> = IDLE) {
  const home = tempHome();
  const claude = tempClaudeDir();
  const env = { HOME: home, CLAUDE_CONFIG_DIR: claude.root, CLAUDE_CODE_SYNC_URL: server.url, CLAUDE_CODE_SYNC_API_KEY: server.apiKey, ...idle };
  const transcript = (session = SESSION) => join(claude.projects, "p", `${session}.jsonl`);
  const hook = (event: string, extra: Record<string, unknown> = {}, session = SESSION) =>
    runCli(["hook", event], {
      env,
      stdin: JSON.stringify({ session_id: session, transcript_path: transcript(session), cwd: "/home/dev/project-x", hook_event_name: event, ...extra }),
    });
  const app = (...parts: string[]) => join(home, ".claude-code-sync", ...parts);
  const log = () => (existsSync(app("sync.log")) ? readFileSync(app("sync.log"), "utf8") : "");
  return { home, claude, env, path: transcript(), transcript, hook, app, log };
}

/** Ends the runner our hook started (it would wait minutes for more), by its pid. */
export function stopRunner(pidFile: string): void {
  try {
    process.kill(Number(readFileSync(pidFile, "utf8")), "SIGTERM");
  } catch {
    // gone already
  }
}
