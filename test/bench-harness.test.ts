import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { followBackground } from "../bench/background.ts";
import { summarize } from "../bench/measure.ts";
import { renderResults, type Report } from "../bench/results.ts";
import { startBenchServer } from "../bench/server.ts";
import { sample } from "./helpers/bench-sample.ts";
import { scratchDir } from "./helpers/scratch.ts";

const root = scratchDir("bench-harness-");
afterAll(() => rmSync(root, { recursive: true, force: true }));


describe("RESULTS.md", () => {
  const report = (scenarios: Report["scenarios"], method: Pick<Report, "timer" | "gnuTime"> = { timer: true, gnuTime: true }): string =>
    renderResults({
      date: "2026-01-01T00:00:00.000Z",
      elapsedMs: 90_000,
      machine: { cpu: "Test CPU", cores: 2, memory: "4.0 GiB", os: "Linux" },
      versions: { bun: "1.4.5" },
      runs: 3,
      warmup: 1,
      ...method,
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
    expect(md).toContain("| ours \\| fast | 1 ok, 1 failed | 50.0 ms | 50 MiB | 0.50x | 0.50x | 1,200 |");
    expect(md).toContain("| broken | 0 ok, 1 failed | n/a | n/a |  |  |  |");
    expect(md).toContain("- ours: 1 run(s) failed");
    expect(md).toContain("Test CPU, 2 cores");
    expect(md).toContain("took 1.5 min");
    expect(md).toContain("closed its stdout and stderr");
    expect(md).toContain("reported by the timing process");
    expect(md).not.toContain("GNU time");
    expect(md).not.toContain("warm-up round(s).\n"); // same runs as the default: no per-scenario line
    expect(md.endsWith("\n")).toBe(true);
  });

  test("says how runs were timed without the timing process", () => {
    const withGnuTime = report([], { timer: false, gnuTime: true });
    expect(withGnuTime).toContain("the bench process's own clock");
    expect(withGnuTime).toContain("GNU time's own start-up and exit");
    expect(withGnuTime).toContain("measured by GNU time wrapped around each run");
    const bare = report([], { timer: false, gnuTime: false });
    expect(bare).not.toContain("GNU time's own start-up");
    expect(bare).toContain("GNU time was not installed");
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
  /** A runner's folder: its pid file, and a queue holding one claimed request while it works. */
  function runnerHome(name: string, pid: number) {
    const dir = join(root, name);
    mkdirSync(join(dir, "queue"), { recursive: true });
    const pidFile = join(dir, "runner.pid");
    writeFileSync(pidFile, String(pid));
    const claim = join(dir, "queue", `s1.claimed-${pid}`);
    writeFileSync(claim, "{}");
    return { pidFile, claim };
  }

  test("reports when the server first held its final count and when the runner was gone", async () => {
    const { pidFile } = runnerHome("gone", 1);
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

  test("a runner still alive is done once its queue is empty (it waits for more requests)", async () => {
    const { pidFile, claim } = runnerHome("waiting", 1);
    writeFileSync(join(root, "waiting", "queue", ".s1.123.tmp"), "");
    let stored = 0;
    const writer = setInterval(() => {
      stored++;
      if (stored === 3) rmSync(claim);
    }, 15);
    try {
      const t = await followBackground({ pidFile, stored: () => Math.min(stored, 2), timeoutMs: 30_000, pollMs: 5 });
      expect(t).toMatchObject({ ran: true, stored: 2 });
      expect(existsSync(pidFile)).toBe(true);
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
    const { pidFile } = runnerHome("stuck", runner.pid);
    try {
      await expect(followBackground({ pidFile, stored: () => 0, timeoutMs: 50 })).rejects.toThrow("still running");
      expect(await runner.exited).not.toBe(0);
      expect(runner.signalCode).toBe("SIGTERM");
    } finally {
      runner.kill();
    }
  });
});

describe("the bench's server", () => {
  test("serialises writes, reports the first write, what it stores and our violations", async () => {
    const srv = await startBenchServer({ latencyMs: 0, writeServiceMs: 5 });
    try {
      expect(srv.firstWriteAt()).toBeUndefined();
      const post = (path: string, body: unknown) =>
        fetch(`${srv.url}${path}`, {
          method: "POST",
          headers: { authorization: `Bearer ${srv.apiKey}`, "content-type": "application/json", "user-agent": "claude-code-sync/bench-test" },
          body: JSON.stringify(body),
        });
      const before = Date.now();
      expect((await post("/sync/session", { externalId: "s1", source: "claude-code", title: "t" })).status).toBe(200);
      expect((await post("/sync/message", { sessionExternalId: "s1", externalId: "m1", role: "user", textContent: "hi", source: "claude-code", parts: [] })).status).toBe(200);
      expect(srv.firstWriteAt()).toBeGreaterThanOrEqual(before);
      expect(srv.stored()).toEqual({ sessions: 1, messages: 1 });
      expect(srv.violations()).toBe(0);
      srv.reset();
      expect(srv.stored()).toEqual({ sessions: 0, messages: 0 });
      expect(srv.firstWriteAt()).toBeUndefined();
    } finally {
      await srv.stop();
    }
  });
});
