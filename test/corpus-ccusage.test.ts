import { describe, expect, test } from "bun:test";
import { basename, join } from "node:path";
import { discoverFiles } from "../src/discover/files.ts";
import { NO_PAST, scan } from "../src/scan/scan.ts";
import { DEFAULT_FOLD_OPTIONS } from "../src/fold/session-fold.ts";
import { hasSharedCorpus, needsShared, SHARED_CORPUS, testCorpus } from "./helpers/corpus.ts";
import { readAll } from "./helpers/read.ts";
import reference from "./fixtures/ccusage-corpus.json";

/**
 * ccusage@20.0.24 `session --json --offline` over ../shared/corpus, recorded
 * in fixtures (a platform-specific ccusage binary cannot be a devDependency).
 * ccusage lists each flat agent-*.jsonl as its own session: here they are
 * added to the parent named by their sessionId, as we report them.
 */
const CORPUS = join(SHARED_CORPUS, "projects");

describe.skipIf(!hasSharedCorpus)(needsShared("totals on ../shared/corpus equal ccusage's"), async () => {
  const { sessions } = await readAll([CORPUS], DEFAULT_FOLD_OPTIONS);
  const parentOf = new Map(
    discoverFiles([CORPUS])
      .files.filter((f) => f.kind === "subagent")
      .map((f) => [basename(f.path, ".jsonl"), f.sessionId]),
  );
  const expected = new Map<string, { inputTokens: number; outputTokens: number; cacheCreationTokens: number; cacheReadTokens: number; cost: number }>();
  for (const s of reference.sessions) {
    const id = parentOf.get(s.period) ?? s.period;
    const e = expected.get(id) ?? { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0, cost: 0 };
    e.inputTokens += s.inputTokens;
    e.outputTokens += s.outputTokens;
    e.cacheCreationTokens += s.cacheCreationTokens;
    e.cacheReadTokens += s.cacheReadTokens;
    e.cost += s.totalCost;
    expected.set(id, e);
  }

  test("every ccusage session is there with the same four usage totals", () => {
    expect(expected.size).toBeGreaterThan(30);
    const ours = new Map(sessions.map((s) => [s.externalId, s]));
    for (const [id, e] of expected) {
      const { cost: _, ...usage } = e;
      expect({ id, usage: ours.get(id)?.usage }).toEqual({ id, usage });
    }
  });

  test("no session with tokens that ccusage does not have", () => {
    const extra = sessions.filter((s) => s.promptTokens + s.completionTokens > 0 && !expected.has(s.externalId));
    expect(extra.map((s) => s.externalId)).toEqual([]);
  });

  test("total cost within 0.5% of ccusage's", () => {
    const ours = sessions.reduce((n, s) => n + s.cost, 0);
    const theirs = reference.totals.totalCost;
    expect(Math.abs(ours - theirs) / theirs).toBeLessThan(0.005);
  });
});

describe("a read in worker threads", () => {
  const corpus = testCorpus();
  test(`gives exactly the single-threaded result, on ${corpus.label}`, async () => {
    const projects = join(corpus.root, "projects");
    const one = await readAll([projects], DEFAULT_FOLD_OPTIONS, { workers: 1 });
    const two = await readAll([projects], DEFAULT_FOLD_OPTIONS, { workers: 2, parallelMinBytes: 0 });
    expect(two.sessions.length).toBeGreaterThan(corpus.minSessions);
    expect(two).toEqual(one);
  });
});

describe("a read in the main thread", () => {
  const corpus = testCorpus();
  test(`lets the event loop turn between chunks, so a sync sends while it reads (${corpus.label})`, async () => {
    // Counts turns of the event loop; stops itself once the read is over.
    let turns = 0;
    let reading = true;
    const spin = () => {
      turns++;
      if (reading) setImmediate(spin);
    };
    setImmediate(spin);
    const seen: number[] = [];
    await scan(
      {
        roots: [join(corpus.root, "projects")],
        settings: { fold: DEFAULT_FOLD_OPTIONS, redact: false, redactPatterns: [], excludeProjects: [], mode: "payloads" },
        full: true,
        finalize: "all",
        workers: 1,
      },
      NO_PAST,
      { accept: () => void seen.push(turns) },
    );
    reading = false;
    expect(seen.length).toBeGreaterThan(corpus.minSessions);
    // Each chunk after the first found the event loop turned at least once more since the one before.
    for (let i = 1; i < seen.length; i++) expect(seen[i] as number).toBeGreaterThan(seen[i - 1] as number);
  });
});
