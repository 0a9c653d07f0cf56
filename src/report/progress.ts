import { outputWidth, plural } from "./format.ts";

/** What a sync shows on a terminal while it works: a bar for reading the transcripts, then one for sending. */
interface SyncProgress {
  reading(bytesRead: number, bytesTotal: number): void;
  sending(done: number, total: number): void;
  /** Says in the bar shown, if any, that writes are being retried and why. */
  retrying(reason: string): void;
  /** Closes the bar shown, if any; safe to call more than once. */
  stop(): void;
}

type Bar = { start(message: string): void; advance(step: number, message: string): void; stop(message: string): void };

/** @clack/prompts' progress bars on `output`, loaded only when one is shown. */
export async function terminalProgress(output: NodeJS.WriteStream): Promise<SyncProgress> {
  const { progress } = await import("@clack/prompts");
  let bar: Bar | undefined;
  let phase: "reading" | "sending" | undefined;
  let shown = 0;
  let closing = "";
  let message = "";

  const show = (next: "reading" | "sending", value: number, max: number, text: string, done: string) => {
    if (phase !== next) {
      bar?.stop(closing);
      bar = progress({ max: Math.max(max, 1), output: withWidth(output) });
      bar.start(text);
      giveBackCtrlC();
      phase = next;
      shown = 0;
    }
    bar!.advance(value - shown, text);
    shown = value;
    closing = done;
    message = text;
  };

  return {
    reading: (bytesRead, bytesTotal) =>
      show("reading", bytesRead, bytesTotal, `Reading transcripts (${mib(bytesRead)} of ${mib(bytesTotal)})`, `Read ${mib(bytesRead)}`),
    sending: (done, total) =>
      show("sending", done, total, `Sending sessions (${done}/${total})`, `Sent ${plural(done, "session")}`),
    retrying: (reason) => bar?.advance(0, `${message} (retrying: ${reason})`),
    stop: () => {
      bar?.stop(closing);
      bar = undefined;
      phase = undefined;
    },
  };
}

/**
 * `output` with a width clack can wrap to: a terminal that reports none (`stty cols 0`) had
 * clack draw the bar one character per line.
 */
function withWidth(output: NodeJS.WriteStream): NodeJS.WriteStream {
  return new Proxy(output, {
    get: (target, key) => {
      if (key === "columns") return outputWidth(target);
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * clack puts the terminal in raw mode while a bar is shown and ends the process
 * with exit code 0 when Ctrl-C arrives as a key. Back in normal mode, Ctrl-C is
 * a SIGINT again, which the command handles: it stops sending, says what is
 * pending and exits 130.
 */
function giveBackCtrlC(): void {
  if (process.stdin.isTTY) process.stdin.setRawMode(false);
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** The first retry is said at once, then at most this often: a server that stays down is one line per 15 s. */
const RETRY_NOTICE_MS = 15_000;

/**
 * What a sync says while writes are retried, so a server that does not answer is never a silent
 * wait: in the terminal's bar, or as a line on stderr when there is none (a script, CI, a pipe).
 */
export function retryNotice(progress: SyncProgress | undefined, writeLine: (line: string) => void, now = Date.now): (reason: string) => void {
  let last = Number.NEGATIVE_INFINITY;
  return (reason) => {
    if (now() - last < RETRY_NOTICE_MS) return;
    last = now();
    if (progress) progress.retrying(reason);
    else writeLine(`${reason}; retrying…\n`);
  };
}
