/**
 * What the release is made of: the platforms it targets and how its files are
 * named. build.ts, npm-packages.ts, homebrew.ts and install.sh all follow these
 * names (install.sh spells them out itself, as it must stand alone).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The GitHub repository that publishes the releases (install.sh has its own copy). */
export const GITHUB_REPO = "claude-code-sync/claude-code-sync";
export const COMMAND = "claude-code-sync";
/** npm scope of the per-platform packages that hold the executables. */
export const NPM_SCOPE = "@claude-code-sync";

export type Os = "linux" | "darwin" | "win32";
export type Cpu = "x64" | "arm64";

export type Target = {
  /** Names the release archive: claude-code-sync-<id>.tar.gz */
  id: string;
  bun: Bun.Build.CompileTarget;
  /** Node's process.platform / process.arch names, as npm's os/cpu fields use them. */
  os: Os;
  cpu: Cpu;
  libc?: "glibc" | "musl";
  /**
   * The archive install.sh picks on x64 CPUs without AVX2. With the Bun we build
   * with (1.4.5) an x64 executable targets SSE4.2 and picks AVX2 paths at run
   * time: the same runtime as linux-x64, byte for byte, so every x64 package and
   * the Homebrew formula run there too. Kept so install scripts that ask for it
   * find it; no npm package of its own.
   */
  baseline?: true;
};

export const TARGETS: readonly Target[] = [
  { id: "linux-x64", bun: "bun-linux-x64", os: "linux", cpu: "x64", libc: "glibc" },
  { id: "linux-x64-baseline", bun: "bun-linux-x64-baseline", os: "linux", cpu: "x64", libc: "glibc", baseline: true },
  { id: "linux-arm64", bun: "bun-linux-arm64", os: "linux", cpu: "arm64", libc: "glibc" },
  { id: "linux-x64-musl", bun: "bun-linux-x64-musl", os: "linux", cpu: "x64", libc: "musl" },
  { id: "linux-arm64-musl", bun: "bun-linux-arm64-musl", os: "linux", cpu: "arm64", libc: "musl" },
  { id: "darwin-x64", bun: "bun-darwin-x64", os: "darwin", cpu: "x64" },
  { id: "darwin-arm64", bun: "bun-darwin-arm64", os: "darwin", cpu: "arm64" },
  { id: "windows-x64", bun: "bun-windows-x64", os: "win32", cpu: "x64" },
];

export function findTarget(id: string): Target {
  const target = TARGETS.find((t) => t.id === id);
  if (!target) throw new Error(`Unknown target "${id}". Known targets: ${TARGETS.map((t) => t.id).join(", ")}`);
  return target;
}

/** `os` is a Node platform name (process.platform, Target.os). */
export const executableName = (os: string): string => (os === "win32" ? `${COMMAND}.exe` : COMMAND);

export const archiveName = (target: Target): string =>
  `${COMMAND}-${target.id}${target.os === "win32" ? ".zip" : ".tar.gz"}`;

/** The npm package holding this target's executable; baseline builds have none. */
export const npmPackageName = (target: Target): string | undefined =>
  target.baseline ? undefined : `${NPM_SCOPE}/${target.os}-${target.cpu}${target.libc === "musl" ? "-musl" : ""}`;

/** True when this process runs on a musl C library (Alpine and the like). */
export function isMusl(): boolean {
  if (process.platform !== "linux") return false;
  const report = process.report.getReport() as { header?: { glibcVersionRuntime?: string } };
  return !report.header?.glibcVersionRuntime;
}

/** The release target whose executable runs on this machine. */
export function hostTarget(): Target {
  const os = process.platform === "win32" ? "windows" : process.platform;
  return findTarget(`${os}-${process.arch}${isMusl() ? "-musl" : ""}`);
}

/** The version of everything released: package.json's, and nothing else's. */
export function readVersion(root: string): string {
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version?: unknown };
  if (typeof pkg.version !== "string") throw new Error(`${root}/package.json has no version`);
  return pkg.version;
}
