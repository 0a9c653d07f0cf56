/**
 * JavaScriptCore sizes its heap from the machine's RAM: on a 24 GiB machine a
 * 1 GiB scan let garbage pile up past 400 MB before collecting, and the
 * allocator kept freed pages. Processes that read transcripts in bulk run with
 * a small heap budget and pages returned at once (both read when the runtime
 * starts, so they are passed to a child process). Measured on a 1 GiB scan:
 * 450 MB -> about 210 MB peak, for about twice the wall time; on one 600 MB
 * transcript, 265 MB -> 174 MB (dry run) and 162 MB (first sync).
 */
export const MEMORY_ENV = "BUN_JSC_forceRAMSize";
export const MEMORY_BUDGET_BYTES = 128 * 1024 * 1024;

export function withMemoryBudget(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env[MEMORY_ENV]) return env;
  return { ...env, [MEMORY_ENV]: String(MEMORY_BUDGET_BYTES), MIMALLOC_PURGE_DELAY: env.MIMALLOC_PURGE_DELAY ?? "0" };
}
