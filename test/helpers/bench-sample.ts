import type { Sample } from "../../bench/measure.ts";

/** A measured run with the given wall time (and as many MiB of peak memory). */
export const sample = (wallMs: number, metrics: Record<string, number> = {}, exitCode: number | null = 0): Sample => ({
  wallMs,
  peakRssBytes: wallMs * 2 ** 20,
  exitCode,
  timedOut: false,
  stderrTail: "",
  stdout: "",
  startedAt: 0,
  metrics,
});
