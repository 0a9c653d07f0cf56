import { readFileSync } from "node:fs";

/**
 * Whether a process exists (EPERM: it does, owned by someone else). A zombie
 * (killed, not yet reaped) is gone: signal 0 still reaches it, and in a
 * container whose first process never reaps (Docker without --init) it stays
 * so for good, which kept a killed runner's lock taken for a minute.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  return !zombie(pid);
}

/** Linux says a process's state in /proc/<pid>/stat, after its name in parentheses; elsewhere there is no such file. */
function zombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z";
  } catch {
    return false;
  }
}
