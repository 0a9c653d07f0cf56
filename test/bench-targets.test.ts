import { describe, expect, test } from "bun:test";
import { summarize } from "../bench/measure.ts";
import type { ScenarioReport } from "../bench/results.ts";
import { renderTargets, type TargetLabels, targetRows } from "../bench/targets.ts";
import { sample } from "./helpers/bench-sample.ts";

const L: TargetLabels = { ccusage: "ccusage", dryRun: "claude-code-sync dry", firstSync: "claude-code-sync first", noOp: "claude-code-sync noop", hookNoOp: "claude-code-sync hook noop", hook: "claude-code-sync hook", node: "node", newState: "claude-code-sync new" };

/** A scenario whose contenders each ran once with the given wall time and metrics (peak memory = wall time in MiB). */
function scenario(id: string, results: Record<string, [number, Record<string, number>?]>): ScenarioReport {
  return {
    id,
    title: id,
    baseline: "",
    runs: 1,
    warmup: 0,
    columns: [],
    notes: [],
    results: Object.entries(results).map(([label, [wall, metrics]]) => summarize(label, [sample(wall, metrics)])),
  };
}

const measured = (overrides: { dry?: number; firstWrite?: number; noopReads?: number; hookReads?: number; stored?: number; newStatePeak?: number } = {}) => [
  scenario("scan-256MiB", { ccusage: [400], "claude-code-sync dry": [overrides.dry ?? 440] }),
  scenario("first-sync-256MiB", { "claude-code-sync first": [150, { firstWriteMs: overrides.firstWrite ?? 1000, stateShare: 0.05 }] }),
  scenario("rescan-10MB", { "claude-code-sync noop": [30, { processReadBytes: 1_000_000 }], "claude-code-sync hook noop": [30, { runnerReadBytes: 2_000_000 }] }),
  scenario("rescan-256MiB", {
    ccusage: [400],
    "claude-code-sync noop": [38, { processReadBytes: overrides.noopReads ?? 1_050_000 }],
    "claude-code-sync hook noop": [30, { runnerReadBytes: overrides.hookReads ?? 2_100_000 }],
  }),
  scenario("throughput-20ms", { "claude-code-sync first": [190, { messagesPerS: 160, messages: 100, stored: overrides.stored ?? 100, violations: 0 }] }),
  scenario("hook-stop", { node: [60], "claude-code-sync hook": [25, { deliveredMs: 300 }] }),
  scenario("new-state-256MiB", { "claude-code-sync new": [150, { peakStateShare: overrides.newStatePeak ?? 0.1 }] }),
];
const NEW_STATE_PEAK = "the same at its peak, in a new state's first sync facing a server that holds the history (256 MiB)";

const HOOK_PASS = "a hook pass with nothing new reads at most 4.0 MiB (bytes its runner read at 256 MiB, then at 10 MB; the issue says at 1 GiB: bench/run.ts --long)";
const HOOK_PASS_GIB = "a hook pass with nothing new reads at most 4.0 MiB (bytes its runner read at 1 GiB, then at 10 MB)";

const verdicts = (scenarios: ScenarioReport[]) => Object.fromEntries(targetRows(scenarios, L).map((r) => [r.target, r.met]));

describe("the issues' targets read off the scenarios", () => {
  test("each ratio against its yardstick, met or not", () => {
    const rows = targetRows(measured(), L);
    const byTarget = Object.fromEntries(rows.map((r) => [r.target, r]));
    expect(byTarget["dry run of 256 MiB within 1.2x of ccusage native's full scan"]).toMatchObject({ measured: "440 ms vs 400 ms: 1.10x", met: true });
    expect(byTarget["first sync of 256 MiB: first write within 3x of ccusage native's full scan"]).toMatchObject({ measured: "1.00 s vs 400 ms: 2.50x", met: true });
    expect(byTarget["a sync with nothing new at most 0.1x ccusage native's full scan (256 MiB)"]).toMatchObject({ measured: "38 ms vs 400 ms: 0.10x", met: true });
    expect(byTarget["the hook's wall time under half of `node -e 0`'s"]).toMatchObject({ measured: "25 ms vs 60 ms: 0.42x", met: true });
    expect(byTarget["the state at most 25% of the history's size"]).toMatchObject({ measured: "5.0%", met: true });
    expect(byTarget[NEW_STATE_PEAK]).toMatchObject({ measured: "10.0%", met: true });
    expect(byTarget[HOOK_PASS]).toMatchObject({ measured: "2.0 MiB vs 1.9 MiB", met: true });
    // Peak memory: the largest of our commands (sample() gives as many MiB as ms), ccusage (400) and node left out.
    expect(byTarget["peak memory at most 200 MiB for every command measured here"]).toMatchObject({ measured: "largest median peak 440.0 MiB", met: false });
    expect(byTarget["the same at 100 ms round trip, at least 100 messages/s"]).toMatchObject({ measured: "not measured", met: undefined });
  });

  test("100 ms round trip: under 100 messages/s is not met, even with every message there", () => {
    const slow = scenario("throughput-100ms", { "claude-code-sync first": [190, { messagesPerS: 99, messages: 100, stored: 100, violations: 0 }] });
    const fast = scenario("throughput-100ms", { "claude-code-sync first": [190, { messagesPerS: 120, messages: 100, stored: 100, violations: 0 }] });
    const target = "the same at 100 ms round trip, at least 100 messages/s";
    expect(verdicts([slow])[target]).toBe(false);
    expect(verdicts([fast])[target]).toBe(true);
  });

  test("a figure past its target is not met", () => {
    const v = verdicts(measured({ dry: 500, firstWrite: 1300, noopReads: 2_000_000, stored: 99, newStatePeak: 0.63 }));
    expect(v[NEW_STATE_PEAK]).toBe(false);
    expect(v["dry run of 256 MiB within 1.2x of ccusage native's full scan"]).toBe(false);
    expect(v["first sync of 256 MiB: first write within 3x of ccusage native's full scan"]).toBe(false);
    expect(v["a sync with nothing new reads no more at 256 MiB than at 10 MB (bytes its process read)"]).toBe(false);
    expect(v["first sync at 20 ms round trip, 5 ms serial writes: every message sent is on the server, no contract violation"]).toBe(false);
  });

  test("a hook pass reading more than a few MB is not met", () => {
    expect(verdicts(measured({ hookReads: 4.5 * 2 ** 20 }))[HOOK_PASS]).toBe(false);
    expect(verdicts(measured({ hookReads: 4 * 2 ** 20 }))[HOOK_PASS]).toBe(true);
  });

  test("a hook pass measured at 1 GiB (--long) is judged there, not at 256 MiB", () => {
    const atGiB = (reads: number) => [...measured({ hookReads: 9 * 2 ** 20 }), scenario("rescan-1GiB", { "claude-code-sync hook noop": [30, { runnerReadBytes: reads }] })];
    const rows = Object.fromEntries(targetRows(atGiB(3 * 2 ** 20), L).map((r) => [r.target, r]));
    expect(rows[HOOK_PASS_GIB]).toMatchObject({ measured: "3.0 MiB vs 1.9 MiB", met: true });
    expect(rows[HOOK_PASS]).toBeUndefined();
    expect(verdicts(atGiB(5 * 2 ** 20))[HOOK_PASS_GIB]).toBe(false);
    // Run alone (--only rescan-1GiB): judged without 10 MB's figure beside it.
    const alone = targetRows([scenario("rescan-1GiB", { "claude-code-sync hook noop": [30, { runnerReadBytes: 3 * 2 ** 20 }] })], L);
    expect(alone.find((r) => r.target === HOOK_PASS_GIB)).toMatchObject({ measured: "3.0 MiB", met: true });
  });

  test("render as a table with one verdict per row", () => {
    const lines = renderTargets(targetRows(measured(), L));
    expect(lines[0]).toBe("| issue | target | measured | verdict |");
    expect(lines).toContain("| #14 | Stop to visible on the server under 1 s (local server, 20 ms latency) | 300 ms | met |");
    expect(lines.filter((l) => l.endsWith("| not measured |"))).toHaveLength(1);
  });
});
