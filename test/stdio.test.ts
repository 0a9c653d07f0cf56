import { describe, expect, test } from "bun:test";
import { closeSync, existsSync, openSync } from "node:fs";
import { join } from "node:path";
import { baseEnv, tempHome } from "./helpers/cli.ts";

const STDIO = join(import.meta.dir, "..", "src", "runtime", "stdio.ts");
const CLI = join(import.meta.dir, "..", "src", "cli.ts");

/** A child that uses src/runtime/stdio.ts with the given stdio, as the compiled commands do. */
function child(code: string, stdio: { stdin?: "pipe" | "ignore"; stdout?: "pipe" | "ignore" } = {}) {
  return Bun.spawn([process.execPath, "-e", `import * as io from ${JSON.stringify(STDIO)};\n${code}`], {
    stdin: stdio.stdin ?? "pipe",
    stdout: stdio.stdout ?? "pipe",
    stderr: "pipe",
  });
}

describe("stdio", () => {
  test("writeOut and writeErr write every byte, in order, past a pipe's buffer", async () => {
    const proc = child(`const line = "é".repeat(999) + "\\n"; for (let i = 0; i < 300; i++) io.writeOut(i + line); io.writeErr("done\\n");`);
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    expect(code).toBe(0);
    const lines = out.split("\n").slice(0, -1);
    expect(lines).toHaveLength(300);
    expect(lines.every((l, i) => l === `${i}${"é".repeat(999)}`)).toBe(true);
    expect(err).toBe("done\n");
  });

  test("a reader that went away ends the output quietly, not with an error", async () => {
    const proc = child(`for (let i = 0; i < 2000; i++) io.writeOut("x".repeat(1000) + "\\n"); io.writeErr("finished\\n");`);
    const reader = (proc.stdout as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    await reader.cancel();
    const [err, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
    expect(code).toBe(0);
    expect(err).toBe("finished\n");
  });

  test.skipIf(!existsSync("/dev/full"))("output into a full disk is said on stderr, once, without a stack trace (it printed Bun's trace of writeSync)", async () => {
    const full = openSync("/dev/full", "w");
    try {
      const proc = Bun.spawn([process.execPath, CLI, "config", "--json"], { env: { ...baseEnv(), HOME: tempHome() }, stdin: "ignore", stdout: full, stderr: "pipe" });
      const [err, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
      expect(code).toBe(1);
      expect(err).toBe("claude-code-sync: Cannot write the output (ENOSPC: no space left on device, write): free some space or send it elsewhere, and run the command again to see it.\n");
    } finally {
      closeSync(full);
    }
  });

  test("pipes and /dev/null are not terminals; /dev/null is a character device", async () => {
    const proc = child(`io.writeErr(JSON.stringify([io.isTerminal(0), io.characterDevice(0), io.isTerminal(1), io.characterDevice(1)]));`, {
      stdin: "ignore",
    });
    const [err, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
    expect(code).toBe(0);
    expect(JSON.parse(err)).toEqual([false, true, false, false]);
  });

  // util-linux's script(1) runs the child on a terminal.
  const script = Bun.which("script");
  test.skipIf(!script)("a terminal is one", async () => {
    const code = `import * as io from ${JSON.stringify(STDIO)}; io.writeOut(JSON.stringify([io.isTerminal(1), io.isTerminal(0)]));`;
    const proc = Bun.spawn([script!, "-qec", `"${process.execPath}" -e '${code}'`, "/dev/null"], { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
    const [out, exit] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
    proc.stdin.end();
    expect(exit).toBe(0);
    expect(JSON.parse(out.trim())).toEqual([true, true]);
  });
});
