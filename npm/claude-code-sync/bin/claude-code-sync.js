#!/usr/bin/env node
// @ts-check
"use strict";
/*
 * The npm entry point of claude-code-sync. The program itself is a standalone
 * executable that npm installs from the one optional dependency matching this
 * machine (@claude-code-sync/<platform>-<arch>[-musl]); this launcher finds it
 * and runs it, passing arguments, stdio and the exit status through.
 */
const { spawn } = require("node:child_process");

const SCOPE = "@claude-code-sync";

/** True on a musl C library (Alpine and the like), where the -musl build is needed. */
function isMusl() {
  if (process.platform !== "linux") return false;
  try {
    const report = /** @type {{ header?: { glibcVersionRuntime?: string } }} */ (process.report.getReport());
    return !report.header?.glibcVersionRuntime;
  } catch {
    return false;
  }
}

/** The packages that can hold this machine's executable, best first. */
function candidates() {
  const base = `${SCOPE}/${process.platform}-${process.arch}`;
  if (process.platform !== "linux") return [base];
  return isMusl() ? [`${base}-musl`, base] : [base, `${base}-musl`];
}

function findExecutable() {
  const file = process.platform === "win32" ? "claude-code-sync.exe" : "claude-code-sync";
  for (const name of candidates()) {
    try {
      return require.resolve(`${name}/bin/${file}`);
    } catch {
      // not installed: try the next one
    }
  }
  const wanted = candidates()[0];
  process.stderr.write(
    `claude-code-sync: the executable for this machine (${process.platform} ${process.arch}) is missing.\n` +
      `It comes in the package ${wanted}, which npm installs along with claude-code-sync\n` +
      `unless optional dependencies are turned off (--omit=optional, --no-optional) or no build exists for this machine.\n` +
      `Reinstall with: npm install -g claude-code-sync --include=optional\n` +
      `Or install the standalone executable: see ${require("../package.json").homepage}\n`,
  );
  process.exit(1);
}

// Ctrl-C reaches the whole process group, the program included: let it decide
// what to do. Signals sent to this launcher alone are passed on. The handlers
// go in before the spawn, so that no signal finds the launcher with Node's
// default action (exit) while the program already runs.
/** @type {import("node:child_process").ChildProcess | undefined} */
let child;
process.on("SIGINT", () => {});
for (const signal of /** @type {const} */ (["SIGTERM", "SIGHUP"])) {
  process.on(signal, () => child?.kill(signal));
}

const executable = findExecutable();
child = spawn(executable, process.argv.slice(2), { stdio: "inherit" });

child.on("error", (error) => {
  process.stderr.write(`claude-code-sync: could not start ${executable}: ${error.message}\n`);
  process.exit(1);
});

child.on("exit", (code, signal) => {
  if (signal) {
    // End the same way, so that the caller sees the signal.
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    // Reached only for a signal that does not end a Node process (SIGPIPE).
    process.exit(128 + (require("node:os").constants.signals[signal] ?? 0));
  }
  process.exit(code ?? 1);
});
