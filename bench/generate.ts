/**
 * Synthetic Claude Code history for benchmarks: a folder laid out like a Claude
 * config dir (`<out>/projects/<encoded-cwd>/<sessionId>.jsonl`), deterministic
 * for a given size and seed.
 *
 *   bun bench/generate.ts --out <dir> --size 100MB|1GiB [--seed N] [--single]
 *
 * `--single` writes ONE transcript of the given size (memory tests).
 */
import { closeSync, existsSync, mkdirSync, openSync, writeFileSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { type PlannedFile, planCorpus, planSingle } from "./corpus/plan.ts";
import { Rng } from "./corpus/prng.ts";
import { type Sink, writeSession } from "./corpus/session.ts";
import { buildPools } from "./corpus/text.ts";

/** Bump when the output changes, so cached corpora are regenerated. */
export const GENERATOR_VERSION = 1;

export interface GenerateOptions {
  out: string;
  /** Total bytes to write (see parseSize). */
  bytes: number;
  seed?: number;
  /** One transcript of `bytes` instead of a whole history. */
  single?: boolean;
}

export interface GenerateResult {
  files: number;
  bytes: number;
  largest: { path: string; bytes: number };
}

const UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30 };

/** "100MB" -> 100,000,000; "1GiB" -> 1,073,741,824; a bare number is bytes. */
export function parseSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = UNITS[(m?.[2] || "b").toLowerCase()];
  if (!m || unit === undefined) throw new Error(`Cannot read size "${text}": use e.g. 5MB, 100MB, 600MB, 1GiB.`);
  return Math.round(Number(m[1]) * unit);
}

const FLUSH_CHARS = 4 * 2 ** 20;
const HEAD_BYTES = 64 * 1024;
/** JSC collects lazily; without a nudge the heap grows with the output (~1 byte per byte written). */
const GC_EVERY_CHARS = 16 * 2 ** 20;
let charsSinceGc = 0;

/** Streams lines to a file in big writes; keeps the first lines when a resume will copy them. */
class FileSink implements Sink {
  bytes = 0;
  readonly head: string[] = [];
  private parts: string[] = [];
  private pendingChars = 0;

  constructor(
    private readonly fd: number,
    private readonly keepHead: boolean,
  ) {}

  push(line: string): void {
    const size = Buffer.byteLength(line) + 1;
    if (this.keepHead && this.bytes + size <= HEAD_BYTES) this.head.push(line);
    this.bytes += size;
    this.parts.push(line);
    this.pendingChars += line.length + 1;
    if (this.pendingChars >= FLUSH_CHARS) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0) return;
    writeSync(this.fd, `${this.parts.join("\n")}\n`);
    charsSinceGc += this.pendingChars;
    this.parts = [];
    this.pendingChars = 0;
    if (charsSinceGc >= GC_EVERY_CHARS) {
      Bun.gc(true);
      charsSinceGc = 0;
    }
  }
}

export function generateCorpus(options: GenerateOptions): GenerateResult {
  const seed = options.seed ?? 1;
  const projectsDir = join(options.out, "projects");
  if (existsSync(projectsDir)) throw new Error(`${projectsDir} already exists: remove it or choose another --out.`);
  const plan = options.single ? planSingle({ totalBytes: options.bytes, seed }) : planCorpus({ totalBytes: options.bytes, seed });
  const pools = buildPools(new Rng(seed, 0x7e47));
  const heads = new Map<number, { sessionId: string; lines: string[] }>();
  const result: GenerateResult = { files: 0, bytes: 0, largest: { path: "", bytes: -1 } };

  // Sessions overshoot their target by up to one response (and empty ones use
  // none of theirs), so the long tail's targets are rescaled as we go to land
  // on the requested total.
  let plannedRest = plan.reduce((sum, f) => sum + f.spec.targetBytes, 0);
  plan.forEach((file, index) => {
    const spec = { ...file.spec };
    plannedRest -= file.spec.targetBytes;
    if (file.regular && spec.shape === "conversation") {
      const left = options.bytes - result.bytes - plannedRest;
      const factor = Math.max(0.25, Math.min(4, left / Math.max(1, file.spec.targetBytes)));
      spec.targetBytes = Math.round(file.spec.targetBytes * factor);
    }
    spec.resumed = resumedLines(file, heads);
    const path = join(options.out, file.relPath);
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(path, "w");
    try {
      const sink = new FileSink(fd, file.keepHead);
      writeSession(spec, pools, sink);
      sink.flush();
      if (file.keepHead) heads.set(index, { sessionId: spec.sessionId, lines: sink.head });
      result.files++;
      result.bytes += sink.bytes;
      if (sink.bytes > result.largest.bytes) result.largest = { path, bytes: sink.bytes };
    } finally {
      closeSync(fd);
    }
    if (file.meta) writeFileSync(join(options.out, file.meta.relPath), file.meta.content);
  });
  return result;
}

/** A resumed session starts with a copy of the earlier session's lines, under its own id. */
function resumedLines(file: PlannedFile, heads: Map<number, { sessionId: string; lines: string[] }>): string[] | null {
  if (file.resumes === null) return null;
  const head = heads.get(file.resumes);
  heads.delete(file.resumes);
  if (!head) return null;
  return head.lines.map((line) => line.replaceAll(head.sessionId, file.spec.sessionId));
}

function usage(): string {
  return "Usage: bun bench/generate.ts --out <dir> --size <100MB|1GiB|...> [--seed N] [--single]";
}

if (import.meta.main) {
  try {
    const { values } = parseArgs({
      options: {
        out: { type: "string" },
        size: { type: "string" },
        seed: { type: "string", default: "1" },
        single: { type: "boolean", default: false },
      },
    });
    if (!values.out || !values.size) throw new Error(usage());
    const seed = Number(values.seed);
    if (!Number.isInteger(seed)) throw new Error(`--seed must be an integer, got "${values.seed}".`);
    const started = performance.now();
    const r = generateCorpus({ out: values.out, bytes: parseSize(values.size), seed, single: values.single });
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `Wrote ${r.files} files, ${(r.bytes / 2 ** 20).toFixed(1)} MiB in ${seconds.toFixed(1)} s to ${values.out} ` +
        `(largest ${(r.largest.bytes / 2 ** 20).toFixed(1)} MiB).`,
    );
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(2);
  }
}
