import { loadConfig, maskKey, resolveCredentials } from "../config/index.ts";
import { failureOf, withFix } from "../report/failure.ts";
import { AuthError } from "../opensync/errors.ts";
import { connect, liveScanSettings, noSessionsYetLine, type ScanSettings, startPriceRefresh } from "../sync/context.ts";
import { rootsOnceThere } from "../watch/await-roots.ts";
import { releaseHeldBy } from "../state/lock.ts";
import { runSync } from "../sync/run-sync.ts";
import { markWatching } from "../watch/watch-mark.ts";
import { type PassSkipped, POLL_MS, startWatcher } from "../watch/watcher.ts";
import { type CredentialsNow, LiveConnection } from "../watch/live-connection.ts";
import { UserError } from "../errors.ts";
import { clock } from "../watch/sync-line.ts";
import type { SyncReport } from "../sync/run-sync.ts";
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
  const live = new LiveConnection(connect({ insecure: options.insecure === true }), options.insecure === true);
  const settings = liveScanSettings();
  // What was synced goes to stdout, problems to stderr: `watch > sync.log` keeps the problems on screen.
  const say = (line: string) => writeOut(`${line}\n`);
  const warn = (line: string) => writeErr(`${line}\n`);
  const log = options.quiet === true ? () => {} : say;
  const poll = options.poll === true;

  const unmark = markWatching();
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
    /** Why nothing is sent (logged out, the key refused, the config unusable), said once until it ends. */
    let held = false;
    const hold = (why: string, until = "this watch then syncs with the new login"): PassSkipped => {
      if (!held) warn(`${clock()} ${why} Nothing is sent until then; ${until}.`);
      held = true;
      return "held";
    };
    /** The saved credentials and options now; a config edited by hand into an error holds sending until it is mended. */
    const current = (): { now: CredentialsNow; settings: ScanSettings } | PassSkipped => {
      try {
        return { now: live.refresh(), settings: settings() };
      } catch (error) {
        if (error instanceof UserError) return hold(error.message, "this watch goes on once it is");
        throw error;
      }
    };
    const sync = async (only: ReadonlySet<string> | undefined): Promise<SyncReport | PassSkipped> => {
      const got = current();
      if (typeof got === "string") return got;
      const { now } = got;
      if (now === "logged-out") return hold("logged out: run claude-code-sync login to sync again.");
      if (now === "refused") return "held";
      if (held || now === "changed") log(`${clock()} ${now === "changed" ? "logged in: now " : ""}syncing to ${live.current.url} (key ${maskKey(live.current.apiKey)}).`);
      held = false;
      // Another server's state: everything is compared with it, not just these sessions.
      if (now === "changed" && only) return "switched";
      const conn = live.current;
      // The day's price refresh, as a sync starts it: new prices are used at once if they come in time, else by a catch-up pass.
      const refreshedPrices = startPriceRefresh(loadConfig(), false);
      void refreshedPrices.then((changed) => changed && watcher?.resync());
      const report = await runSync(conn.store, conn.client, {
        ...got.settings,
        refreshedPrices,
        roots,
        full: false,
        apiKey: conn.apiKey,
        ...(only ? { only } : {}),
        // The catch-up pass hears from the server even with nothing to send: a server down or a key revoked is said, not "up to date".
        confirmWithServer: only === undefined,
        waitForLockMs: LOCK_WAIT_MS,
      });
      // A saved key refused (regenerated in the dashboard): a login mends it, so the watch waits for one rather than end.
      if (report.stoppedBy instanceof AuthError && live.refuse()) {
        return hold(failureOf(report.stoppedBy, { url: conn.url, source: resolveCredentials(conn.config).source }).message);
      }
      return report;
    };
    watcher = startWatcher({ roots, store: () => live.current.store, poll, sync, log, warn, verbose: options.verbose === true });
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
    throw withFix(error, { url: live.current.url, source: resolveCredentials(live.current.config).source });
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
