import { expect, test } from "bun:test";
import { join } from "node:path";
import { DEFAULT_FOLD_OPTIONS, type FoldedMessage } from "../src/fold/session-fold.ts";
import { readAll } from "./helpers/read.ts";
import { recentSession, writeRecentCorpus } from "./helpers/recent-corpus.ts";
import { scratchDir } from "./helpers/scratch.ts";

/**
 * ccusage 20.0.24 (`session --json --offline`, native binary) on the history of
 * test/helpers/recent-corpus.ts, recorded 2026-12-06: input, output, cache
 * writes, cache reads, cost in USD (its float noise dropped past the
 * billionth). ccusage lists the workflow agent of case 14
 * (subagents/workflows/run-1/) as a session named run-1 (10, 50, 100, 1,000,
 * $0.00097): added to case 14 here, where its tokens belong. Cases 16 to 18
 * recorded the same way: ccusage prices none of case 18's models ($0); its
 * cost here is Anthropic's list price, worked by hand (per response: 10 in,
 * 50 out, 400 5m and 600 1h writes, 1,000 reads): Opus 5.5 fast 2 x 8,040,
 * Sonnet 5.5 4,020 (reads $0.10 since 2026-10-07), Haiku 5.5 206, Fable 5.2
 * 15,880, Opus 5.5 US-only 1.1 x 8,040: $0.04503. Cases 19 and 20 recorded the
 * same way on 2026-12-06; case 20's models ccusage prices none of, so its cost
 * is worked by hand as case 18's (a Bedrock geographic profile 1.1x, an
 * in-region or global one the base price): Haiku 5.5 206, Opus 5.5 (us.)
 * 1.1 x 8,040, Sonnet 5.5 (global.) 4,020, Fable 5.2 (eu.) 1.1 x 15,880,
 * Sonnet 5.5 dated 4,020, Opus 5.5 (Vertex) 8,040: $0.042598. Cases 21 and
 * 22 recorded the same way on 2026-12-06 (case 22: see below), and cases 26
 * and 27 (see below; ccusage lists no session 26: zeros here). Cases 28 to 31
 * recorded the same way on 2026-12-07; case 28's workflow agent (run-28: 10,
 * 50, 100, 1,000, $0.00097) added to it, as case 14's.
 */
const CCUSAGE: Array<[number, number, number, number, number, number]> = [
  [1, 20, 350, 200, 2000, 0.00763],
  [2, 10, 50, 100, 1000, 0.002425],
  [3, 30, 150, 10200, 3000, 0.39312],
  [4, 201015, 1110, 810000, 1050000, 4.858205],
  [5, 100, 500, 1000, 10000, 0.021437],
  [6, 20, 100, 200, 2000, 0.00485],
  [7, 10, 50, 100, 1000, 0.002425],
  [8, 10, 50, 100, 1000, 0.000485],
  [9, 10, 50, 100, 1000, 0.000485],
  [10, 20, 100, 200, 2000, 0.00485],
  [11, 3038, 1850, 300, 3000, 0.052408],
  [12, 20, 100, 200, 2000, 0.006305],
  [13, 90, 450, 9000, 9000, 0.10431],
  [14, 38, 5500, 50300, 253000, 0.75367],
  [15, 20, 100, 200, 2000, 0.00194],
  [16, 40, 200, 4000, 4000, 0.04457],
  [17, 20, 100, 200, 2000, 0.002425],
  [18, 50, 250, 5000, 5000, 0.04503],
  [19, 50, 5950, 5000, 304000, 0.35305],
  [20, 60, 300, 6000, 6000, 0.042598],
  [21, 80, 400, 8000, 8000, 0.10637],
  [22, 40, 200, 4000, 4000, 0.04944],
  [23, 10, 50, 100, 1000, 0.002425],
  [24, 10, 50, 100, 1000, 0.00097],
  [25, 10, 50, 100, 1000, 0.002425],
  [26, 0, 0, 0, 0, 0],
  [27, 10, 50, 100, 1000, 0.002425],
  [28, 40, 200, 400, 4000, 0.005335],
  [29, 30, 150, 300, 3000, 0.007275],
  [30, 10, 50, 100, 1000, 0.001455],
  [31, 10, 50, 100, 1000, 0.001455],
];

/**
 * Sessions ccusage gets wrong, recorded the same way on 2026-12-06: our figures (input, output, cache writes, reads, cost), and
 * why. Case 22's -fast names (prices.json's notes): ccusage bills claude-opus-4-8-fast at models.dev's $12/$60 (Anthropic's
 * fast mode is $10/$50), claude-opus-4-6-fast at the base price (fast is 6x there) and claude-sonnet-5-fast (no fast mode)
 * and claude-opus-5-preview (no such model) at their prefix's price; we count their tokens and name them unpriced. Cases 23
 * and 25 hold two billed responses each, of which ccusage counts one: it parses a file's first line with its BOM, and only
 * whole lines, so a response Claude Code appended to a line it had left half written is lost; we count both. So in case 26 (after
 * lines cut just after `,` `:` `[`: 3 responses, ccusage none, so no session) and case 27 (after a half snapshot line and a half
 * queue-operation line: 2 responses, ccusage 1). Cases 11 and 19 hold turns Anthropic bills outside a response's top-level usage,
 * which ccusage leaves out (pricing/iterations.ts): case 11's compaction (150,000 in, 3,000 out at Opus 4.8's $5/$25: $0.825) and
 * case 19's declined attempt before a fallback (9,000 in, 30 out at Fable 5.1's $10/$50: $0.0915), added to ccusage's figures.
 */
const OURS_WHERE_CCUSAGE_IS_WRONG: Record<number, { row: [number, number, number, number, number]; unknownModels?: string[] }> = {
  11: { row: [3038 + 150_000, 1850 + 3000, 300, 3000, 0.052408 + 0.825] },
  19: { row: [50 + 9000, 5950 + 30, 5000, 304000, 0.35305 + 0.0915] },
  22: { row: [40, 200, 4000, 4000, 0], unknownModels: ["claude-opus-4-6-fast", "claude-opus-4-8-fast", "claude-opus-5-preview", "claude-sonnet-5-fast"] },
  23: { row: [20, 100, 200, 2000, 0.00485] },
  25: { row: [20, 100, 200, 2000, 0.00485] },
  26: { row: [30, 150, 300, 3000, 0.007275] },
  27: { row: [20, 100, 200, 2000, 0.00485] },
};

test("on today's transcript shapes every session's tokens and cost equal ccusage's where it is right, and every line is read", async () => {
  const root = scratchDir("ccs-recent-");
  writeRecentCorpus(root);
  const texts = new Map<string, string[]>();
  const onMessage = (m: FoldedMessage) => texts.set(m.sessionId, [...(texts.get(m.sessionId) ?? []), m.textContent ?? ""]);
  const { sessions, stats } = await readAll([join(root, "projects")], DEFAULT_FOLD_OPTIONS, { onMessage });
  const ours = sessions.map((s) => [s.externalId, s.usage.inputTokens, s.usage.outputTokens, s.usage.cacheCreationTokens, s.usage.cacheReadTokens, s.cost]);
  const expected = CCUSAGE.map(([n, ...row]) => [recentSession(n), ...(OURS_WHERE_CCUSAGE_IS_WRONG[n]?.row ?? row)]);
  expect(ours.sort()).toEqual(expected);
  for (const [n, { unknownModels = [] }] of Object.entries(OURS_WHERE_CCUSAGE_IS_WRONG)) {
    expect(sessions.find((s) => s.externalId === recentSession(Number(n)))?.unknownModels).toEqual(unknownModels);
  }
  // Every message reaches the dashboard, once: the BOM's first line, and the lines glued to half ones (whose halves are the bad lines).
  expect(texts.get(recentSession(23))).toEqual(["Resumed.", "Go on", "Done."]);
  expect(texts.get(recentSession(25))).toEqual(["Glued.", "Typed after the crash", "After."]);
  expect(texts.get(recentSession(26))).toEqual(["Cut short", "Kept 0.", "Kept 1.", "Kept 2."]);
  expect(texts.get(recentSession(27))).toEqual(["Snapshot first", "After the snapshot.", "Typed after the crash", "Linted."]);
  // A fork agent's replay of the session is not shown again: the person's prompt once, as theirs; the agent's task is its directive.
  const fork = ["Investigate the flaky test", "Looking.", "", "Subagent fork: CI logs\n\nTask from the main agent:\nCheck the CI logs", "A timeout."];
  expect(texts.get(recentSession(29))?.sort()).toEqual(fork.sort());
  expect([stats.badLines, stats.unknownTypes]).toEqual([7, 0]);
});
