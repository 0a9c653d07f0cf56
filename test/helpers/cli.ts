import { afterAll, beforeAll, beforeEach } from "bun:test";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scratchDir } from "./scratch.ts";

const CLI = join(import.meta.dir, "..", "..", "src", "cli.ts");
/**
 * Bun keeps the sources it transpiled in a cache under HOME, and each spawned CLI has a HOME of its own:
 * every spawn transpiled them all again. One cache for all of them (Bun keys it by content) takes a
 * `status` from about 0.42 s of CPU to 0.26 s; the suite spawns the CLI thousands of times.
 */
export const TRANSPILER_CACHE_ENV = { BUN_RUNTIME_TRANSPILER_CACHE_PATH: join(tmpdir(), "ccs-test-bun-transpiler-cache") };
/**
 * What every spawned CLI gets besides a test's own variables: PATH, no colour,
 * the daily price refresh pointed at port 9 on loopback, where nothing
 * listens (it fails at once: tests never leave this machine), and Bun's shared transpiler cache.
 */
export function baseEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    NO_COLOR: "1",
    CLAUDE_CODE_SYNC_PRICES_URL: "http://127.0.0.1:9/model_prices.json",
    ...TRANSPILER_CACHE_ENV,
  };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A fresh HOME so no test ever reads or writes the real one. */
export function tempHome(): string {
  return scratchDir("ccs-home-");
}

/**
 * For code that reads $HOME in the test's own process (the hook queue, the price cache, config.json): a fresh
 * HOME for the file or for each test, the one before given back after the file. Call it at the top of a file or
 * a describe block; returns the HOME of the moment.
 */
export function useTempHome(per: "file" | "test" = "file"): () => string {
  const saved = process.env.HOME;
  (per === "test" ? beforeEach : beforeAll)(() => {
    process.env.HOME = tempHome();
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.HOME;
    else process.env.HOME = saved;
  });
  return () => process.env.HOME as string;
}

/** Runs the CLI from source with only the environment given (plus PATH), never the real HOME. */
export async function runCli(
  args: string[],
  opts: { env: Record<string, string>; stdin?: string; timeoutMs?: number },
): Promise<CliResult> {
  const proc = Bun.spawn([process.execPath, CLI, ...args], {
    // A hook's runner waits 10 min for more requests: here it exits when done, unless a test says otherwise.
    env: { ...baseEnv(), CLAUDE_CODE_SYNC_RUNNER_IDLE_MS: "0", ...opts.env },
    stdin: opts.stdin === undefined ? "ignore" : new TextEncoder().encode(opts.stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => proc.kill(), opts.timeoutMs ?? 30_000);
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  clearTimeout(timer);
  return { code, stdout, stderr };
}
