import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { followBackground } from "../bench/background.ts";
import { isStale, newestChange } from "../bench/build-ours.ts";
import { summarize } from "../bench/measure.ts";
import { renderResults, type Report } from "../bench/results.ts";
import { startBenchServer } from "../bench/server.ts";
import { sample } from "./helpers/bench-sample.ts";

const root = mkdtempSync(join(tmpdir(), "bench-harness-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));


describe("RESULTS.md", () => {
  const report = (scenarios: Report["scenarios"]): string =>
    renderResults({
      date: "2026-01-01T00:00:00.000Z",
      elapsedMs: 90_000,
      machine: { cpu: "Test CPU", cores: 2, memory: "4.0 GiB", os: "Linux" },
      versions: { bun: "1.4.5" },
      runs: 3,
      warmup: 1,
      gnuTime: true,
      scenarios,
    });

  test("ratios against the baseline, failures, metric columns and notes", () => {
    const md = report([
      {
        id: "scan",
        title: "Full scan",
        baseline: "base",
        runs: 3,
        warmup: 1,
        columns: [{ metric: "requests", header: "server requests", format: "count" }],
        results: [
          summarize("base", [sample(100), sample(100)]),
          summarize("ours | fast", [sample(50, { requests: 1200 }), sample(50, { requests: 1400 }, 2)]),
          summarize("broken", [sample(1, {}, 1)]),
        ],
        notes: ["ours: 1 run(s) failed"],
      },
    ]);
    expect(md).toContain("## Full scan\n\n| command | runs | median wall (min–max) | peak RSS | wall vs baseline | RSS vs baseline | server requests |");
    expect(md).toContain("| base (baseline) | 2 | 100 ms | 100 MiB | 1.00x | 1.00x |  |");
    expect(md).toContain("| ours \\| fast | 1 ok, 1 failed | 50 ms | 50 MiB | 0.50x | 0.50x | 1,200 |");
    expect(md).toContain("| broken | 0 ok, 1 failed | n/a | n/a |  |  |  |");
    expect(md).toContain("- ours: 1 run(s) failed");
    expect(md).toContain("Test CPU, 2 cores");
    expect(md).toContain("took 1.5 min");
    expect(md).toContain("GNU time");
    expect(md).not.toContain("warm-up round(s).\n"); // same runs as the default: no per-scenario line
    expect(md.endsWith("\n")).toBe(true);
  });

  test("a lone contender gets no ratio columns; other run counts are stated; times and decimals are formatted", () => {
    const md = report([
      {
        id: "first",
        title: "First sync",
        baseline: "ours",
        runs: 1,
        warmup: 0,
        columns: [
          { metric: "requestsPerMessage", header: "requests / message", format: "decimal" },
          { metric: "deliveredMs", header: "on server after", format: "ms" },
        ],
        results: [summarize("ours", [sample(91_500, { requestsPerMessage: 1.0234, deliveredMs: 1530 })])],
        notes: [],
      },
    ]);
    expect(md).toContain("1 measured run(s) per command after 0 warm-up round(s).");
    expect(md).toContain("| command | runs | median wall (min–max) | peak RSS | requests / message | on server after |");
    expect(md).toContain("| ours | 1 | 91.50 s | 91500 MiB | 1.02 | 1.53 s |");
  });
});

describe("following a hook's background runner", () => {
  test("reports when the server first held its final count and when the runner was gone", async () => {
    const pidFile = join(root, "runner.pid");
    writeFileSync(pidFile, "1");
    let stored = 0;
    const writer = setInterval(() => {
      stored++;
      if (stored === 3) rmSync(pidFile);
    }, 15);
    try {
      const t = await followBackground({ pidFile, stored: () => Math.min(stored, 2), timeoutMs: 30_000, pollMs: 5 });
      expect(t.ran).toBe(true);
      expect(t.stored).toBe(2);
      expect(t.deliveredAt).toBeLessThanOrEqual(t.doneAt);
    } finally {
      clearInterval(writer);
    }
  });

  test("no runner: one look", async () => {
    const t = await followBackground({ pidFile: join(root, "none.pid"), stored: () => 7, timeoutMs: 1_000 });
    expect(t).toMatchObject({ ran: false, stored: 7 });
    expect(t.deliveredAt).toBe(t.doneAt);
  });

  test("a runner past the bound is stopped and the run reported as failed", async () => {
    const runner = Bun.spawn(["sleep", "30"], { stdout: "ignore", stderr: "ignore" });
    const pidFile = join(root, "stuck.pid");
    writeFileSync(pidFile, String(runner.pid));
    try {
      await expect(followBackground({ pidFile, stored: () => 0, timeoutMs: 50 })).rejects.toThrow("still running");
      expect(await runner.exited).not.toBe(0);
      expect(runner.signalCode).toBe("SIGTERM");
    } finally {
      runner.kill();
    }
  });
});

describe("rebuilding our executable", () => {
  test("stale when missing or older than any input file, folders walked", () => {
    const dir = join(root, "build");
    mkdirSync(join(dir, "src", "deep"), { recursive: true });
    const [input, other, binary] = [join(dir, "src", "deep", "a.ts"), join(dir, "package.json"), join(dir, "bin")];
    writeFileSync(input, "");
    writeFileSync(other, "");
    utimesSync(input, 1_000, 1_000);
    utimesSync(other, 2_000, 2_000);
    const inputs = [join(dir, "src"), other, join(dir, "missing")];
    expect(newestChange(inputs)).toBe(2_000_000);
    expect(isStale(binary, inputs)).toBe(true);
    writeFileSync(binary, "");
    utimesSync(binary, 3_000, 3_000);
    expect(isStale(binary, inputs)).toBe(false);
    utimesSync(input, 4_000, 4_000);
    expect(isStale(binary, inputs)).toBe(true);
  });
});

describe("the bench's test server", () => {
  test("counts requests across resets", async () => {
    const server = await startBenchServer(0);
    try {
      for (let i = 0; i < 2; i++) await (await fetch(`${server.url}/health`)).text();
      expect(server.requests()).toBe(2);
      server.reset();
      await server.unthrottled(async () => (await fetch(`${server.url}/health`)).text());
      expect(server.requests()).toBe(3);
      expect(server.messagesOf("no-such-session")).toBe(0);
    } finally {
      await server.stop();
    }
  });
});
