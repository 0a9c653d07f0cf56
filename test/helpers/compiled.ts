import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, compile } from "../../scripts/build.ts";
import { executableName } from "../../scripts/targets.ts";

/** What goes into the executable besides Bun itself: the source, the build script and the locked dependencies. */
const INPUTS = ["src", "scripts/build.ts", "scripts/targets.ts", "package.json", "package-lock.json", "tsconfig.json"];
/** Copies of other sources (another checkout, an older commit) left unused this long are removed: each is about 110 MB. */
const UNUSED_FOR_MS = 24 * 60 * 60_000;
const PREFIX = "ccs-compiled-";

function files(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { recursive: true, encoding: "utf8" })
    .sort()
    .map((name) => join(path, name))
    .filter((file) => statSync(file).isFile());
}

function sourceHash(): string {
  const hash = createHash("sha256").update(`${Bun.version} ${Bun.revision} ${process.platform} ${process.arch}\n`);
  for (const file of INPUTS.flatMap((input) => files(join(ROOT, input)))) hash.update(`${file.slice(ROOT.length)}\n`).update(readFileSync(file));
  return hash.digest("hex").slice(0, 16);
}

function pruneUnused(keep: string): void {
  for (const name of readdirSync(tmpdir())) {
    const dir = join(tmpdir(), name);
    if (!name.startsWith(PREFIX) || dir === keep) continue;
    try {
      if (Date.now() - statSync(dir).mtimeMs > UNUSED_FOR_MS) rmSync(dir, { recursive: true, force: true });
    } catch {
      // Another run removed it first.
    }
  }
}

/**
 * This checkout's CLI compiled as released (scripts/build.ts), compiled once per source and shared by
 * every test that runs an executable, across test files and runs: a compile takes seconds of both cores
 * and writes about 110 MB (test/dist.test.ts, the setup from a compiled binary, the permission tests in
 * a private checkout). Kept in the temporary folder under a hash of its inputs, in a folder anyone may
 * read (nobody runs it). Callers copy it where they need it and never change it.
 */
export async function compiledCli(): Promise<string> {
  const dir = join(tmpdir(), `${PREFIX}${sourceHash()}`);
  const executable = join(dir, executableName(process.platform));
  if (!existsSync(executable)) {
    mkdirSync(dir, { recursive: true });
    chmodSync(dir, 0o755);
    // Two test processes may compile at once: each into its own folder, and a rename puts one in place whole.
    const partialDir = join(dir, `partial-${process.pid}`);
    const partial = join(partialDir, executableName(process.platform));
    try {
      await compile(ROOT, partial);
      renameSync(partial, executable);
    } finally {
      rmSync(partialDir, { recursive: true, force: true });
    }
    pruneUnused(dir);
  }
  const now = new Date();
  utimesSync(dir, now, now); // in use: not pruned by another source's run
  return executable;
}
