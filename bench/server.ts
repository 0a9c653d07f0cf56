/**
 * The local OpenSync test server (testserver/server.ts), run inside the bench
 * process so that request counts and stored data can be read between runs.
 * Child processes reach it only while the bench awaits (never spawnSync here).
 */
import type { Faults } from "../testserver/server.ts";

export interface BenchServer {
  url: string;
  apiKey: string;
  /** API requests answered since the server started (resets included). */
  requests(): number;
  /** Empties the store (a first sync starts from nothing), keeping the scenario's latency. */
  reset(): void;
  /** Runs set-up traffic without the added latency. */
  unthrottled<T>(work: () => Promise<T>): Promise<T>;
  /** Messages stored for one session. Reads the whole store: for small stores only. */
  messagesOf(sessionId: string): number;
  stop(): Promise<void>;
}

export async function startBenchServer(latencyMs: number): Promise<BenchServer> {
  const { startTestServer } = await import("../testserver/server.ts");
  const faults: Faults = { latencyMs };
  const handle = await startTestServer({ faults });
  // reset() empties the request log too.
  let before = 0;
  return {
    url: handle.url,
    apiKey: handle.apiKey,
    requests: () => before + handle.requests().length,
    reset: () => {
      before += handle.requests().length;
      handle.reset();
      handle.setFaults(faults);
    },
    unthrottled: async (work) => {
      handle.setFaults({});
      try {
        return await work();
      } finally {
        handle.setFaults(faults);
      }
    },
    messagesOf: (sessionId) => handle.session(sessionId)?.messages.length ?? 0,
    stop: () => handle.stop(),
  };
}
