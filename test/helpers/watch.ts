import { join } from "node:path";
import { baseEnv } from "./cli.ts";

const CLI = join(import.meta.dir, "..", "..", "src", "cli.ts");
const running = new Set<ReturnType<typeof Bun.spawn>>();

/** Kills every watch still running (for afterAll: a failed test leaves no process behind). */
export function killWatches(): void {
  for (const proc of running) proc.kill("SIGKILL");
  running.clear();
}

/** `watch` in a child process, its stdout (what was synced) and stderr (problems) collected as they come. */
export function spawnWatch(env: Record<string, string>, args: string[] = []) {
  const proc = Bun.spawn([process.execPath, CLI, "watch", ...args], {
    env: { ...baseEnv(), ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  running.add(proc);
  const out = { stdout: "", stderr: "" };
  const collect = async (stream: ReadableStream<Uint8Array>, key: keyof typeof out) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) out[key] += decoder.decode(chunk, { stream: true });
  };
  const reading = Promise.all([collect(proc.stdout, "stdout"), collect(proc.stderr, "stderr")]);
  return {
    proc,
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    /** Waits for the exit (killing it after `ms` if it does not come): the exit code, all of stdout and all of stderr. */
    async exited(ms = 20_000) {
      const timer = setTimeout(() => proc.kill("SIGKILL"), ms);
      const code = await proc.exited;
      clearTimeout(timer);
      await reading;
      running.delete(proc);
      return { code, ...out };
    },
  };
}
