import { describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { alternate, type Contender, isolatedEnv, median, renderResults, runOnce, type Sample, summarize } from "../bench/measure.ts";

const sample = (wallMs: number, exitCode: number | null = 0): Sample => ({ wallMs, peakRssBytes: wallMs * 2 ** 20, exitCode, timedOut: false, stderrTail: "" });

describe("statistics", () => {
  test("median of odd and even counts", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  test("failed runs are counted and kept out of the medians", () => {
    const r = summarize("x", [sample(10), sample(30), sample(1000, 1), sample(20)]);
    expect(r.failures).toBe(1);
    expect(r.wallMs).toEqual({ median: 20, min: 10, max: 30 });
    expect(r.rssBytes.median).toBe(20 * 2 ** 20);
  });
});

describe("running commands", () => {
  test("passes stdin and env, reports the exit code and a peak RSS", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bench-measure-"));
    try {
      const out = join(dir, "stdin.txt");
      const s = await runOnce({ argv: ["sh", "-c", 'cat > "$OUT"; echo oops >&2; exit 3'], env: { OUT: out, PATH: process.env.PATH ?? "" }, stdin: "hello" });
      expect(s.exitCode).toBe(3);
      expect(s.timedOut).toBe(false);
      expect(s.stderrTail).toContain("oops");
      expect(s.peakRssBytes).toBeGreaterThan(0);
      expect(readFileSync(out, "utf8")).toBe("hello");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("kills a run that exceeds its time limit", async () => {
    const s = await runOnce({ argv: ["sleep", "30"], env: { PATH: process.env.PATH ?? "" } }, { timeoutMs: 200 });
    expect(s.timedOut).toBe(true);
  });

  test("alternates contenders after the warm-up round, and a failed set-up fails only that run", async () => {
    const order: string[] = [];
    const contender = (label: string, failAt?: number): Contender => ({
      label,
      prepare: async (run) => {
        order.push(`${label}${run}`);
        if (run === failAt) throw new Error("no server");
        return { argv: ["true"], env: { PATH: process.env.PATH ?? "" } };
      },
    });
    const results = await alternate([contender("A"), contender("B", 1)], { runs: 2, warmup: 1 });
    expect(order).toEqual(["A-1", "B-1", "A0", "B0", "A1", "B1"]);
    expect(results.map((r) => [r.label, r.samples.length, r.failures])).toEqual([
      ["A", 2, 0],
      ["B", 2, 1],
    ]);
    expect(results[1]?.samples[1]?.stderrTail).toContain("no server");
  });

  test("isolatedEnv gives a fresh HOME and points CLAUDE_CONFIG_DIR at the corpus", () => {
    const iso = isolatedEnv("/corpus");
    expect(iso.env.HOME).toBe(iso.home);
    expect(iso.env.CLAUDE_CONFIG_DIR).toBe("/corpus");
    expect(existsSync(iso.home)).toBe(true);
    iso.cleanup();
    expect(existsSync(iso.home)).toBe(false);
  });
});

describe("RESULTS.md", () => {
  test("renders ratios against the baseline, failures and notes", () => {
    const md = renderResults({
      date: "2026-01-01T00:00:00.000Z",
      machine: { cpu: "Test CPU", cores: 2, memory: "4.0 GiB", os: "Linux" },
      versions: { bun: "1.4.5" },
      runs: 3,
      warmup: 1,
      scenarios: [
        {
          id: "scan",
          title: "Full scan",
          baseline: "base",
          results: [summarize("base", [sample(100), sample(100)]), summarize("ours", [sample(50), sample(50, 2)]), summarize("broken", [sample(1, 1)])],
          notes: ["ours: 1 run(s) failed"],
        },
      ],
    });
    expect(md).toContain("## Full scan");
    expect(md).toContain("| base (baseline) | 100 ms (100 ms-100 ms) | 100 MiB | 1.00x | 1.00x |  |");
    expect(md).toContain("| ours | 50 ms (50 ms-50 ms) | 50 MiB | 0.50x | 0.50x | 1 |");
    expect(md).toContain("| broken | n/a | n/a |  |  | 1 |");
    expect(md).toContain("- ours: 1 run(s) failed");
    expect(md).toContain("Test CPU, 2 cores");
  });
});
