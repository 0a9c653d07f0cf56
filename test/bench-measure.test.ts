import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { alternate, buildTimer, type Contender, GNU_TIME, isolatedEnv, median, outcome, runOnce, summarize } from "../bench/measure.ts";
import { sample } from "./helpers/bench-sample.ts";
import { scratchDir } from "./helpers/scratch.ts";

const PATH = process.env.PATH ?? "";

describe("statistics", () => {
  test("median of odd and even counts", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  test("failed runs are counted and kept out of the medians, metrics included", () => {
    const failedInspection = { ...sample(25, { requests: 1000 }, 0), error: "no message" };
    const r = summarize("x", [sample(10, { requests: 4 }, 0), sample(30, { requests: 6, ratio: Number.NaN }, 0), sample(1000, { requests: 99 }, 1), sample(20), failedInspection]);
    expect(r.failures).toBe(2);
    expect(r.wallMs).toEqual({ median: 20, min: 10, max: 30 });
    expect(r.rssBytes.median).toBe(20 * 2 ** 20);
    expect(r.metrics.requests).toEqual({ median: 5, min: 4, max: 6 });
    expect(r.metrics.ratio?.median).toBeNaN();
    expect(outcome(failedInspection)).toBe("no message");
  });
});

describe("running commands", () => {
  test("passes stdin and env, reports the exit code and a peak RSS, keeps stdout only when asked", async () => {
    const dir = scratchDir("bench-measure-");
    try {
      const out = join(dir, "stdin.txt");
      const argv = ["sh", "-c", 'cat > "$OUT"; echo report; echo oops >&2; exit 3'];
      const s = await runOnce({ argv, env: { OUT: out, PATH }, stdin: "hello", captureStdout: true });
      expect(s.exitCode).toBe(3);
      expect(s.timedOut).toBe(false);
      expect(s.stderrTail).toContain("oops");
      expect(s.stdout).toBe("report\n");
      expect(s.peakRssBytes).toBeGreaterThan(0);
      expect(readFileSync(out, "utf8")).toBe("hello");
      expect((await runOnce({ argv: ["echo", "dropped"], env: { PATH } })).stdout).toBe("");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a run's peak RSS is its own, not the bench process's", async () => {
    if (GNU_TIME === null) return; // measured by sampling only: no inherited high-water mark either
    const ballast = Buffer.alloc(300 * 2 ** 20, 1);
    const s = await runOnce({ argv: ["true"], env: { PATH } });
    expect(ballast.length).toBe(300 * 2 ** 20);
    expect(s.exitCode).toBe(0);
    expect(s.peakRssBytes).toBeLessThan(100 * 2 ** 20);
  });

  test("a run over its time limit is killed with its children (which hold its stderr open)", async () => {
    const s = await runOnce({ argv: ["sh", "-c", "sleep 30 & wait"], env: { PATH } }, { timeoutMs: 300 });
    expect(s.timedOut).toBe(true);
    expect(s.exitCode).not.toBe(0);
  });

  test("alternates contenders after the warm-up round; a failed set-up or inspection fails only that run", async () => {
    const order: string[] = [];
    let disposed = 0;
    const contender = (label: string, failAt?: number): Contender => ({
      label,
      prepare: async (run) => {
        order.push(`${label}${run}`);
        if (label === "B" && run === failAt) throw new Error("no server");
        return { argv: ["echo", String(run)], env: { PATH }, captureStdout: true };
      },
      inspect: async (s) => {
        if (label === "A" && s.stdout.trim() === String(failAt)) throw new Error("nothing sent");
        return { seen: Number(s.stdout) };
      },
      dispose: async () => {
        disposed++;
      },
    });
    const results = await alternate([contender("A", 0), contender("B", 1)], { runs: 2, warmup: 1 });
    expect(order).toEqual(["A-1", "B-1", "A0", "B0", "A1", "B1"]);
    expect(results.map((r) => [r.label, r.samples.length, r.failures])).toEqual([
      ["A", 2, 1],
      ["B", 2, 1],
    ]);
    expect(results[0]?.samples[0]?.error).toBe("nothing sent");
    expect(results[0]?.metrics.seen?.median).toBe(1);
    expect(results[1]?.samples[1]?.error).toContain("set-up failed: no server");
    expect(results[1]?.metrics.seen?.median).toBe(0);
    expect(disposed).toBe(2);
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

const hasCompiler = ["cc", "gcc", "clang"].some((name) => Bun.which(name) !== null);

describe.skipIf(!hasCompiler)("the timing process", () => {
  const dir = scratchDir("bench-timer-");
  let timer = "";
  beforeAll(async () => {
    const built = await buildTimer(dir);
    if (!("path" in built)) throw new Error(built.missing);
    timer = built.path;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("is built once per version of its source", async () => {
    const mtime = statSync(timer).mtimeMs;
    expect(await buildTimer(dir)).toEqual({ path: timer });
    expect(statSync(timer).mtimeMs).toBe(mtime);
  });

  test("passes stdin, env and output through and reports the exit code; its clock runs inside the bench's", async () => {
    const out = join(dir, "stdin.txt");
    const argv = ["sh", "-c", 'cat > "$OUT"; echo report; echo oops >&2; exit 3'];
    const s = await runOnce({ argv, env: { OUT: out, PATH }, stdin: "hello", captureStdout: true }, { timer });
    expect(s.exitCode).toBe(3);
    expect(s.stdout).toBe("report\n");
    expect(s.stderrTail).toContain("oops");
    expect(readFileSync(out, "utf8")).toBe("hello");
    expect(s.wallMs).toBeGreaterThan(0);
    expect(s.harnessWallMs).toBeGreaterThanOrEqual(s.wallMs);
    expect(s.exitedMs).toBeLessThanOrEqual(s.wallMs);
    expect(s.peakRssBytes).toBeGreaterThan(0);
    expect((await runOnce({ argv: ["echo", "dropped"], env: { PATH } }, { timer })).stdout).toBe("");
  });

  test("a command that exits while a process it started holds its output open is timed until the output closes", async () => {
    // What the background process writes after the command exited still arrives: the timer was still relaying.
    const argv = ["sh", "-c", "(sleep 0.1; echo late) & echo early"];
    const s = await runOnce({ argv, env: { PATH }, captureStdout: true }, { timer });
    expect(s.exitCode).toBe(0);
    expect(s.stdout).toBe("early\nlate\n");
    expect(s.exitedMs).toBeLessThanOrEqual(s.wallMs);
  });

  test("reports the bytes the command's own process read", async () => {
    const small = await runOnce({ argv: ["head", "-c", "1000", "/dev/zero"], env: { PATH } }, { timer });
    const large = await runOnce({ argv: ["head", "-c", "5000000", "/dev/zero"], env: { PATH } }, { timer });
    expect(large.readBytes).toBeGreaterThanOrEqual(5_000_000);
    expect(small.readBytes).toBeLessThan(1_000_000);
  });

  test("a command that cannot start fails with 127 and says why; a signal gives 128 + its number", async () => {
    const missing = await runOnce({ argv: ["no-such-command-for-the-bench"], env: { PATH } }, { timer });
    expect(missing.exitCode).toBe(127);
    expect(missing.stderrTail).toContain("ccs-bench-timer: no-such-command-for-the-bench");
    expect((await runOnce({ argv: ["sh", "-c", "kill -KILL $$"], env: { PATH } }, { timer })).exitCode).toBe(137);
  });

  test("a run's peak RSS is its own, not the bench process's", async () => {
    const ballast = Buffer.alloc(300 * 2 ** 20, 1);
    const s = await runOnce({ argv: ["true"], env: { PATH } }, { timer });
    expect(ballast.length).toBe(300 * 2 ** 20);
    expect(s.exitCode).toBe(0);
    expect(s.peakRssBytes).toBeLessThan(100 * 2 ** 20);
  });

  test("a run over its time limit is killed with the timer and its children; the bench's clock stands", async () => {
    const s = await runOnce({ argv: ["sh", "-c", "sleep 30 & wait"], env: { PATH } }, { timeoutMs: 300, timer });
    expect(s.timedOut).toBe(true);
    expect(s.exitCode).not.toBe(0);
    expect(s.harnessWallMs).toBeUndefined();
  });
});
