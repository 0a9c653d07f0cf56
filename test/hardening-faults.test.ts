/**
 * A server on a bad day: 30% of requests fail (gateway pages, dropped
 * connections, hangs, write conflicts), some after the server applied them.
 * The data must end up exactly as a fault-free sync leaves it, after the
 * faulty run plus at most one more sync.
 */
import { describe, expect, test } from "bun:test";
import type { FaultRule, Faults } from "../testserver/server.ts";
import { runCli, tempHome } from "./helpers/cli.ts";
import {
  checkState,
  comparable,
  countMismatches,
  faultCounts,
  looksLikeCrash,
  syncEnv,
  useGeneratedHistory,
} from "./helpers/hardening.ts";

/** Hung requests are given up after this long (CLAUDE_CODE_SYNC_TIMEOUT_MS) instead of 15 s. */
const TIMEOUT_MS = "700";

const fx = useGeneratedHistory();

/** Replies lost after the server applied the write, at fixed points: every 9th message write from the 3rd, the 1st and 4th session write. */
function lostReplies(): FaultRule[] {
  const rules: FaultRule[] = [];
  for (let n = 0; n < 12; n++) rules.push({ method: "POST", path: "/sync/message", skip: 2 + n * 9, kind: n % 3 === 2 ? "hang" : "drop", afterApply: true });
  for (let n = 0; n < 2; n++) rules.push({ method: "POST", path: "/sync/session", skip: n * 3, kind: 504, afterApply: true });
  return rules;
}

async function faultyRun(faults: Faults) {
  fx.server.reset();
  fx.server.setFaults(faults);
  const home = tempHome();
  const env = syncEnv(fx.server, fx.claudeDir, home, { CLAUDE_CODE_SYNC_TIMEOUT_MS: TIMEOUT_MS });
  const first = await runCli(["sync", "--json"], { env, timeoutMs: 120_000 });
  const injected = faultCounts(fx.server);
  const requests = fx.server.requests().length;
  fx.server.setFaults({});
  // A run that gave up (retries used up) left work pending: one more sync finishes it.
  const second = first.code === 0 ? undefined : await runCli(["sync", "--json"], { env, timeoutMs: 60_000 });
  return { home, first, second, injected, requests };
}

describe("a server failing 30% of requests", () => {
  const cases: Array<[string, Faults]> = [
    [
      "before applying them, plus lost replies at fixed points",
      { failureRate: 0.3, failureKinds: [503, "drop", "hang", 504, "occ"], rules: lostReplies(), seed: 11 },
    ],
    ["after applying them (every failure loses the reply)", { failureRate: 0.3, failureKinds: [503, "drop", "hang", 504], afterApply: true, seed: 12 }],
  ];
  test.each(cases)("%s: the data converges to the fault-free result", async (_name, faults) => {
    const { home, first, second, injected, requests } = await faultyRun(faults);
    for (const r of [first, second]) {
      if (!r) continue;
      expect(looksLikeCrash(r.stderr)).toBe(false);
      expect([0, 1]).toContain(r.code);
      expect(() => JSON.parse(r.stdout)).not.toThrow();
    }
    if (second) expect(second.code).toBe(0);

    const dump = fx.server.dump();
    expect(comparable(dump)).toEqual(fx.reference);
    expect(countMismatches(dump)).toEqual([]);
    const state = checkState(home, dump);
    expect(state).toMatchObject({ integrity: "ok", sentButMissing: [], sessionsSentButMissing: [] });
    // Retries of requests whose reply was lost are excused by the server; anything else is a client mistake.
    expect(fx.server.violations()).toEqual([]);

    const total = Object.values(injected).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(10);
    console.log(
      `[hardening] faults: ${total} injected in ${requests} requests (${JSON.stringify(injected)}), first run exit ${first.code}` +
        `${second ? `, one more sync exit ${second.code}` : ""}; ${dump.length} sessions, ${dump.reduce((n, s) => n + s.messages.length, 0)} messages exact`,
    );
  }, 120_000);
});
