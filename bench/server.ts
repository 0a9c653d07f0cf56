/**
 * The local OpenSync test server (testserver/server.ts), run inside the bench
 * process so that request counts and stored data can be read between runs.
 * Child processes reach it only while the bench awaits (never spawnSync here).
 */
import type { Faults } from "../testserver/server.ts";

export interface BenchServerOptions {
  /** Added to every request. */
  latencyMs: number;
  /** Server time of each write; one user's writes run one at a time, as on today's hosted OpenSync. */
  writeServiceMs?: number;
}

/** What the server holds, for checking a first sync against what it said it sent. */
export interface Stored {
  sessions: number;
  messages: number;
}

export interface BenchServer {
  url: string;
  apiKey: string;
  /** API requests answered since the server started (resets included). */
  requests(): number;
  /** When (epoch ms) the first write since the last reset arrived. */
  firstWriteAt(): number | undefined;
  /** Requests of ours that break the server's contract since the last reset. */
  violations(): number;
  /** Empties the store (a first sync starts from nothing), keeping the scenario's latency. */
  reset(): void;
  /** Runs set-up traffic without the added latency. */
  unthrottled<T>(work: () => Promise<T>): Promise<T>;
  /** Messages stored for one session. Reads the whole store: for small stores only. */
  messagesOf(sessionId: string): number;
  stored(): Stored;
  stop(): Promise<void>;
}

export async function startBenchServer(options: BenchServerOptions): Promise<BenchServer> {
  const { startTestServer } = await import("../testserver/server.ts");
  const faults: Faults = { latencyMs: options.latencyMs };
  const handle = await startTestServer({ faults, writeServiceMs: options.writeServiceMs ?? 0 });
  // reset() empties the request log too.
  let before = 0;
  return {
    url: handle.url,
    apiKey: handle.apiKey,
    requests: () => before + handle.requests().length,
    firstWriteAt: () => handle.requests().find((r) => r.method === "POST")?.at,
    violations: () => handle.violations({ userAgentPrefix: "claude-code-sync/" }).length,
    reset: () => {
      before += handle.requests().length;
      handle.reset();
      handle.setFaults(faults);
    },
    unthrottled: async (work) => {
      handle.setFaults({});
      const service = handle.profile().writeServiceMs;
      handle.configure({ writeServiceMs: 0 });
      try {
        return await work();
      } finally {
        handle.setFaults(faults);
        handle.configure({ writeServiceMs: service });
      }
    },
    messagesOf: (sessionId) => handle.session(sessionId)?.messages.length ?? 0,
    stored: () => {
      const sessions = handle.dump();
      return { sessions: sessions.length, messages: sessions.reduce((n, s) => n + s.messages.length, 0) };
    },
    stop: () => handle.stop(),
  };
}
