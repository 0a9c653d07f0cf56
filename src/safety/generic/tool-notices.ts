const REMINDER_OPEN = "<system-reminder>";
const REMINDER_CLOSE = "</system-reminder>";
/** The Bash tool's notice after a command that changed directory: "Shell cwd was reset to /home/…". */
const CWD_RESET = /(?:^|\n)Shell cwd was reset to [^\r\n]{1,4096}\s*$/;

/**
 * `output` without what Claude Code appends to a tool's result: the Read tool's reminder ("Whenever
 * you read a file, …"), the Bash tool's "Shell cwd was reset to …". A file or a command's output of one
 * password would otherwise be no output of one word.
 */
export function withoutNotices(output: string): string {
  let end = output.length;
  while (end > 0) {
    const reset = CWD_RESET.exec(output.slice(Math.max(0, end - 4200), end));
    if (reset) {
      end -= reset[0].length;
      continue;
    }
    const open = output.lastIndexOf(REMINDER_OPEN, end - 1);
    const close = open < 0 ? -1 : output.indexOf(REMINDER_CLOSE, open);
    if (close < 0 || output.slice(close + REMINDER_CLOSE.length, end).trim() !== "") break;
    end = open;
  }
  return end === output.length ? output : output.slice(0, end);
}
