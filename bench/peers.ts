/**
 * The tools we measure ourselves against, installed with npm into a cache
 * folder outside the repository (BENCH_CACHE, default ~/.cache/claude-code-sync-bench).
 * Idempotent: a second call only checks the installed versions.
 */
import { chmodSync, existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export const CCUSAGE_VERSION = "20.0.24";
export const OLD_TOOL_VERSION = "0.1.15";

/** Pinned: later ccusage releases lack a Linux binary on the registry. */
const PACKAGES = [
  ["ccusage", CCUSAGE_VERSION],
  ["@ccusage/ccusage-linux-x64", CCUSAGE_VERSION],
  ["claude-code-sync", OLD_TOOL_VERSION],
] as const;

export interface Peers {
  ccusage: {
    /** The npm launcher (Node script that starts the native binary): what `npx ccusage` runs. */
    bin: string;
    /** The compiled binary itself. */
    native: string;
    version: string;
  };
  /** The existing Node claude-code-sync, configured by CLAUDE_SYNC_CONVEX_URL + CLAUDE_SYNC_API_KEY. */
  oldTool: { bin: string; version: string };
}

export function benchCacheDir(): string {
  return process.env.BENCH_CACHE || join(process.env.HOME || homedir(), ".cache", "claude-code-sync-bench");
}

function installedVersion(prefix: string, name: string): string | null {
  try {
    return JSON.parse(readFileSync(join(prefix, "node_modules", name, "package.json"), "utf8")).version ?? null;
  } catch {
    return null;
  }
}

function peersAt(prefix: string): Peers {
  const modules = join(prefix, "node_modules");
  return {
    ccusage: {
      bin: join(modules, ".bin", "ccusage"),
      native: join(modules, "@ccusage", "ccusage-linux-x64", "bin", "ccusage"),
      version: CCUSAGE_VERSION,
    },
    oldTool: { bin: join(modules, ".bin", "claude-code-sync"), version: OLD_TOOL_VERSION },
  };
}

export async function ensurePeers(cacheDir = benchCacheDir()): Promise<Peers> {
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new Error(`The benchmark pins @ccusage/ccusage-linux-x64; this machine is ${process.platform}-${process.arch}.`);
  }
  const prefix = join(cacheDir, "peers");
  const missing = PACKAGES.filter(([name, version]) => installedVersion(prefix, name) !== version);
  if (missing.length > 0) {
    const specs = PACKAGES.map(([name, version]) => `${name}@${version}`);
    const proc = Bun.spawn(["npm", "install", "--prefix", prefix, "--no-audit", "--no-fund", "--loglevel=error", ...specs], {
      stdout: "pipe",
      stderr: "pipe",
    });
    const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()]);
    if (code !== 0) {
      throw new Error(`npm install of ${specs.join(" ")} into ${prefix} failed (exit ${code}); it needs the npm registry.\n${stderr.trim()}`);
    }
  }
  const peers = peersAt(prefix);
  for (const path of [peers.ccusage.bin, peers.ccusage.native, peers.oldTool.bin]) {
    if (!existsSync(path)) throw new Error(`${path} is missing after npm install: delete ${prefix} and run again.`);
  }
  // npm unpacks the binary without its execute bit; ccusage's launcher sets it on first run, we run it directly.
  chmodSync(peers.ccusage.native, 0o755);
  return peers;
}

if (import.meta.main) {
  const peers = await ensurePeers();
  console.log(JSON.stringify(peers, null, 2));
}
