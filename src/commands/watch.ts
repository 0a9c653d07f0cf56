import { resolveCredentials } from "../config/index.ts";
import { EXIT_INTERRUPTED } from "../report/interrupt.ts";
import { withFix } from "../report/failure.ts";
import { connect, liveScanSettings, noSessionsYetLine } from "../sync/context.ts";
import { rootsOnceThere } from "../watch/await-roots.ts";
import { releaseHeldBy } from "../state/lock.ts";
import { markWatching } from "../watch/watch-mark.ts";
import { resumeLeftWork } from "../hooks/resume.ts";
import { POLL_MS, startWatcher } from "../watch/watcher.ts";
import { LiveConnection } from "../watch/live-connection.ts";
import { watchPass } from "../watch/watch-pass.ts";
import { writeErr, writeOut } from "../runtime/stdio.ts";

/** After Ctrl-C or SIGTERM, the sync in progress gets this long to finish; the state is crash-safe either way. */
const GRACE_MS = 5_000;
/**
 * Ctrl-C ends a watch as it ends any command, with the shell's 130; SIGTERM is
 * how systemd and launchd stop a service, and a stop they asked for is a clean one (0).
 */
const EXIT_CODE: Record<"SIGINT" | "SIGTERM", number> = { SIGINT: EXIT_INTERRUPTED, SIGTERM: 0 };
/** `watch [--poll] [--quiet]`: sync changed sessions as they are written, until stopped. */
export async function run(_args: string[], options: Record<string, unknown>): Promise<number> {
  const live = new LiveConnection(connect({ insecure: options.insecure === true }), options.insecure === true);
  const settings = liveScanSettings();
  // What was synced goes to stdout, problems to stderr: `watch > sync.log` keeps the problems on screen.
  const say = (line: string) => writeOut(`${line}\n`);
  const warn = (line: string) => writeErr(`${line}\n`);
  const log = options.quiet === true ? () => {} : say;
  const poll = options.poll === true;
  /** The credentials in force (a login while watching changes them): a fix names the variable a URL or key comes from. */
  const origin = () => ({ url: live.current.url, source: resolveCredentials(live.current.config).source });

  const unmark = markWatching();
  resumeLeftWork("watch");
  let watcher: ReturnType<typeof startWatcher> | undefined;
  /** Looks at the saved credentials every POLL_MS: a login or logout is followed even while nothing is written. */
  let follow: ReturnType<typeof setInterval> | undefined;
  const waiting = new AbortController();
  let closed = false;
  let exitCode = 0;
  /** A sync still waiting on the network after the grace period is abandoned: release the lock and leave. */
  const abandon = () => {
    if (closed) return;
    closed = true;
    releaseHeldBy(live.current.store);
    live.close();
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
    const sync = watchPass({ live, settings, roots, log, warn, resync: () => watcher?.resync() });
    watcher = startWatcher({ roots, store: () => live.current.store, poll, sync, log, warn, verbose: options.verbose === true, origin });
    if (options.quiet !== true) {
      const how = poll ? `checking every ${POLL_MS / 1000} s` : "Ctrl-C to stop";
      say(`Watching ${roots.join(", ")} and syncing to ${live.current.url} (${how}).`);
    }
    const resync = watcher.resync;
    follow = setInterval(() => {
      // A config that cannot be read now is said by the next pass, which reads it too.
      try {
        if (live.stale()) resync();
      } catch {}
    }, POLL_MS);
    await watcher.done;
    return exitCode;
  } catch (error) {
    throw withFix(error, origin());
  } finally {
    clearInterval(follow);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    clearTimeout(grace);
    unmark();
    if (!closed) {
      closed = true;
      live.close();
    }
  }
}
