import { requestFromEvent } from "../hooks/input.ts";
import { HANDOVER_MS, enqueue } from "../hooks/enqueue.ts";
import { RUNNER_EVENT, ensureRunner } from "../hooks/start-runner.ts";
import { readStdinJson } from "../hooks/stdin.ts";

/** Claude Code writes the event at once; this only bounds a pipe left open without one. */
const STDIN_WAIT_MS = 2_000;

/**
 * Run by Claude Code on each hook event. Claude Code waits for hooks, so this
 * only records the request and starts the background runner if none is
 * running; it always exits 0 and prints nothing (stdout could be read as an
 * instruction, exit 2 would block Claude Code).
 */
export async function run(args: string[]): Promise<number> {
  const event = args[0] ?? "";
  try {
    if (event === RUNNER_EVENT) {
      await Bun.sleep(HANDOVER_MS);
      await backgroundPriority();
      const { runQueue } = await import("../hooks/runner.ts");
      await runQueue();
      return 0;
    }
    const read = await readStdinJson(STDIN_WAIT_MS);
    try {
      await queue(event, read);
    } finally {
      await read.drain();
    }
  } catch (error) {
    await log(`hook ${event}: ${(error as Error).stack ?? error}`);
    await noteFailure(event, error);
  }
  return 0;
}

/** Records the event's request for the runner, and starts one if none is running. */
async function queue(event: string, read: Awaited<ReturnType<typeof readStdinJson>>): Promise<void> {
  if (read.timedOut) {
    await log(`hook ${event}: stdin stayed open ${STDIN_WAIT_MS / 1000} s without a complete JSON object (${read.length} characters); nothing to do`);
    return;
  }
  const request = read.value && requestFromEvent(read.value);
  if (!request) {
    await log(`hook ${event}: ${await whyUnusable(read)}; nothing to do`);
    return;
  }
  enqueue({ ...request, event, at: Date.now() });
  ensureRunner();
}

/** What was wrong with the input; its module (and the redactor) loads only for such input. */
async function whyUnusable(read: Awaited<ReturnType<typeof readStdinJson>>): Promise<string> {
  try {
    return (await import("../hooks/unusable-input.ts")).unusableInput(read);
  } catch {
    return "stdin held no event with a Claude Code session id";
  }
}

/** For `status` (Claude Code shows nothing of a hook's troubles); loaded only when a hook failed. Never throws. */
async function noteFailure(event: string, error: unknown): Promise<void> {
  try {
    (await import("../hooks/hook-failure.ts")).recordHookFailure(event, error);
  } catch {}
}

/** Problems go to the log; its module (and the error texts it masks keys with) loads only when there is one. Never throws. */
async function log(message: string): Promise<void> {
  try {
    (await import("../hooks/log.ts")).log(message);
  } catch {}
}

/** Background work yields the CPU to Claude Code, and to the hook that started it while that one exits. */
const RUNNER_NICE = 10;

async function backgroundPriority(): Promise<void> {
  try {
    (await import("node:os")).setPriority(RUNNER_NICE);
  } catch {
    // Not permitted here: the runner works at normal priority.
  }
}
