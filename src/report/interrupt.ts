import { isTerminal, writeErr, writeOut } from "../runtime/stdio.ts";
import { failureJson } from "./failure.ts";

/** The shell's code for a command stopped by Ctrl-C. */
export const EXIT_INTERRUPTED = 130;

/**
 * Ctrl-C ends a one-off command (status, verify, synctest) at once, with a
 * line saying so (and, with --json, the failure on stdout, so a script gets
 * an answer) and exit 130: without a handler it died with no word. They write
 * nothing that a stop half-way could spoil; `said` is what is left to tell
 * (synctest's session, once it may be on the server).
 */
export function stopOnCtrlC(json: boolean, said: () => string = () => "Stopped."): void {
  process.on("SIGINT", () => {
    const message = said();
    // Off the line where the terminal echoed ^C; a pipe has no such line to end.
    writeErr(`${isTerminal(2) ? "\n" : ""}${message}\n`);
    if (json) writeOut(`${JSON.stringify(failureJson({ message, code: "interrupted" }))}\n`);
    process.exit(EXIT_INTERRUPTED);
  });
}
