/**
 * Peak memory of a first `sync` of ONE 600 MB transcript (bench/generate.ts
 * --single, tool calls on as by default), and of its dry run.
 *
 * The server is a stand-in that answers like OpenSync and counts: the test
 * server (testserver/) appends every message's text to its session's search
 * text, as OpenSync does, so storing one session of 95,000 messages takes it
 * half an hour; the client's memory does not depend on what the server keeps.
 *
 *   bun bench/memory-600mb.ts [--size 600MB] [--seed 1] [--bin dist/claude-code-sync]
 *
 * The corpus is cached under BENCH_CACHE (default ~/.cache/claude-code-sync-bench).
 * Peak RSS is that of the whole process tree (see bench/measure.ts runOnce).
 */
import { existsSync, mkdirSync, mkdtempSync, renameSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { randomApiKey } from "../testserver/server.ts";
import { GENERATOR_VERSION, generateCorpus, parseSize } from "./generate.ts";
import { GNU_TIME, isolatedEnv, runOnce } from "./measure.ts";
import { benchCacheDir } from "./peers.ts";

const ROOT = resolve(import.meta.dir, "..");
const MiB = 2 ** 20;

/** The single-transcript corpus for this size and seed, generated once. */
function corpus(size: string, seed: number): string {
  const dir = join(benchCacheDir(), "corpus", `single-${size}-seed${seed}-g${GENERATOR_VERSION}`);
  if (existsSync(dir)) return dir;
  mkdirSync(join(benchCacheDir(), "corpus"), { recursive: true });
  const scratch = mkdtempSync(join(benchCacheDir(), "corpus", ".partial-"));
  process.stderr.write(`Generating one ${size} transcript into ${dir}...\n`);
  generateCorpus({ out: scratch, bytes: parseSize(size), seed, single: true });
  renameSync(scratch, dir);
  return dir;
}

/** Answers the sync routes as OpenSync does when all goes well; counts what it receives. */
function startCountingServer() {
  const apiKey = randomApiKey();
  const counts = { sessions: 0, messages: 0, bytes: 0 };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      if (request.headers.get("authorization") !== `Bearer ${apiKey}`) return Response.json({ error: "Invalid API key" }, { status: 401 });
      const path = new URL(request.url).pathname;
      if (path === "/sync/sessions/list") return Response.json({ sessionIds: [] });
      counts.bytes += (await request.arrayBuffer()).byteLength;
      if (path === "/sync/session") return Response.json({ ok: true, sessionId: `s${++counts.sessions}` });
      if (path === "/sync/message") return Response.json({ ok: true, messageId: `m${++counts.messages}` });
      return new Response(`No HttpAction routed for ${path}`, { status: 404 });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, apiKey, counts, stop: () => server.stop(true) };
}

interface Variant {
  label: string;
  args: string[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { size: { type: "string", default: "600MB" }, seed: { type: "string", default: "1" }, bin: { type: "string" } },
  });
  const size = values.size as string;
  const seed = Number(values.seed);
  const command = values.bin ? [resolve(values.bin)] : [process.execPath, join(ROOT, "src", "cli.ts")];
  const dir = corpus(size, seed);
  const server = startCountingServer();
  const variants: Variant[] = [
    { label: "sync --dry-run --json", args: ["sync", "--dry-run", "--json"] },
    { label: "sync --json (first sync)", args: ["sync", "--json"] },
  ];
  const rows: string[] = [];
  try {
    for (const v of variants) {
      Object.assign(server.counts, { sessions: 0, messages: 0, bytes: 0 });
      const iso = isolatedEnv(dir, { CLAUDE_CODE_SYNC_URL: server.url, CLAUDE_CODE_SYNC_API_KEY: server.apiKey });
      try {
        process.stderr.write(`Running: ${v.label}...\n`);
        const s = await runOnce({ argv: [...command, ...v.args], env: iso.env, captureStdout: true }, { timeoutMs: 60 * 60_000 });
        if (s.exitCode !== 0 || s.timedOut) throw new Error(`${v.label} failed (exit ${s.exitCode}${s.timedOut ? ", timed out" : ""}): ${s.stderrTail}`);
        const out = JSON.parse(s.stdout) as { messagesSent?: number; totals?: { messages: number } };
        const messages = out.messagesSent ?? out.totals?.messages ?? 0;
        if (out.messagesSent !== undefined && out.messagesSent !== server.counts.messages) {
          throw new Error(`${v.label}: reported ${out.messagesSent} messages sent, the server received ${server.counts.messages}`);
        }
        const sent = v.args.includes("--dry-run") ? "-" : `${(server.counts.bytes / MiB).toFixed(0)} MiB`;
        const figures = [`${(s.peakRssBytes / MiB).toFixed(0)} MiB`, `${(s.wallMs / 1000).toFixed(1)} s`, messages.toLocaleString("en-US"), sent];
        rows.push(`| ${v.label} | ${figures.join(" | ")} |`);
      } finally {
        iso.cleanup();
      }
    }
  } finally {
    await server.stop();
  }
  const how = GNU_TIME ? "GNU time and /proc" : "/proc";
  console.log(`One ${size} transcript (seed ${seed}), ${values.bin ?? "bun src/cli.ts"}; peak RSS of the process tree (${how}).\n`);
  console.log("| run | peak RSS | wall | messages | request bytes |\n|---|---|---|---|---|");
  console.log(rows.join("\n"));
}

await main().catch((error) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
