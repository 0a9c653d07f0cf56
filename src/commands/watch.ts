import { resolveCredentials } from "../config/index.ts";
import { withFix } from "../report/failure.ts";
import { connect, liveScanSettings, noSessionsYetLine } from "../sync/context.ts";
import { rootsOnceThere } from "../watch/await-roots.ts";
import { releaseHeldBy } from "../state/lock.ts";
import { runSync } from "../sync/run-sync.ts";
import { markWatching } from "../watch/watch-mark.ts";
import { POLL_MS, startWatcher } from "../watch/watcher.ts";
import { writeErr, writeOut } from "../runtime/stdio.ts";

/** After Ctrl-C or SIGTERM, the sync in progress gets this long to finish; the state is crash-safe either way. */
const GRACE_MS = 5_000;
/**
 * Ctrl-C ends a watch as it ends any command, with the shell's 130; SIGTERM is
 * how systemd and launchd stop a service, and a stop they asked for is a clean one (0).
 */
const EXIT_CODE: Record<"SIGINT" | "SIGTERM", number> = { SIGINT: 130, SIGTERM: 0 };
/** A pass waits this long for another sync (a hook's) to release the state, then retries later. */
const LOCK_WAIT_MS = 30_000;

/** `watch [--poll] [--quiet]`: sync changed sessions as they are written, until stopped. */
export async function run(_args: string[], options: Record<string, unknown>): Promise<number> {
  const conn = connect({ insecure: options.insecure === true });
  const origin = { url: conn.url, source: resolveCredentials(conn.config).source };
  const settings = liveScanSettings();
  // What was synced goes to stdout, problems to stderr: `watch > sync.log` keeps the problems on screen.
  const say = (line: string) => writeOut(`${line}\n`);
  const warn = (line: string) => writeErr(`${line}\n`);
  const log = options.quiet === true ? () => {} : say;
  const poll = options.poll === true;

  const unmark = markWatching();
  let watcher: ReturnType<typeof startWatcher> | undefined;
  const waiting = new AbortController();
  let closed = false;
  let exitCode = 0;
  /** A sync still waiting on the network after the grace period is abandoned: release the lock and leave. */
  const abandon = () => {
    if (closed) return;
    closed = true;
    releaseHeldBy(conn.store);
    conn.store.close();
    unmark();
    process.exit(exitCode);
  };
  let grace: ReturnType<typeof setTimeout> | undefined;
  const onSignal = (signal: "SIGINT" | "SIGTERM") => {
    if (grace) return abandon();
    exitCode = EXIT_CODE[signal];
    waiting.abort();
    watcher?.stop();
    grace = setTimeout(abandon, GRACE_MS);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const roots = await rootsOnceThere(waiting.signal, () =>
      log(`${noSessionsYetLine()} Waiting for it (checking every ${POLL_MS / 1000} s): its sessions are synced as they come.`),
    );
    if (!roots) return exitCode;
    watcher = startWatcher({
      roots,
      store: conn.store,
      poll,
      sync: (only) =>
        runSync(conn.store, conn.client, {
          ...settings(),
          roots,
          full: false,
          apiKey: conn.apiKey,
          ...(only ? { only } : {}),
          // The catch-up pass hears from the server even with nothing to send: a server down or a key revoked is said, not "up to date".
          confirmWithServer: only === undefined,
          waitForLockMs: LOCK_WAIT_MS,
        }),
      log,
      warn,
      verbose: options.verbose === true,
    });
    if (options.quiet !== true) {
      const how = poll ? `checking every ${POLL_MS / 1000} s` : "Ctrl-C to stop";
      say(`Watching ${roots.join(", ")} and syncing to ${conn.url} (${how}).`);
    }
    await watcher.done;
    return exitCode;
  } catch (error) {
    throw withFix(error, origin);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    clearTimeout(grace);
    unmark();
    if (!closed) {
      closed = true;
      conn.store.close();
    }
  }
}
