import { type Config, loadConfig, maskKey, resolveCredentials } from "../config/index.ts";
import { UserError } from "../errors.ts";
import { AuthError } from "../opensync/errors.ts";
import { failureOf } from "../report/failure.ts";
import { type LiveSettings, startPriceRefresh } from "../sync/context.ts";
import { type SyncReport, runSync } from "../sync/run-sync.ts";
import type { CredentialsNow, LiveConnection } from "./live-connection.ts";
import { clock } from "./sync-line.ts";
import type { PassSkipped } from "./watcher.ts";

/** A pass waits this long for another sync (a hook's) to release the state, then retries later. */
const LOCK_WAIT_MS = 30_000;

interface WatchPassOptions {
  live: LiveConnection;
  /** The settings of the saved options (a watch follows `set`). */
  settings: (config: Config) => LiveSettings;
  roots: string[];
  log: (line: string) => void;
  warn: (line: string) => void;
  /** Asks for a catch-up pass (prices that came after a pass started). */
  resync: () => void;
}

/**
 * One pass of a watch, with what the user saved since it started: a login or
 * logout, a saved key refused (regenerated in the dashboard), a config edited
 * by hand into an error. What cannot be mended by a pass holds sending, said
 * once, until it is mended; none of it ends the watch.
 */
export function watchPass(o: WatchPassOptions): (only: ReadonlySet<string> | undefined) => Promise<SyncReport | PassSkipped> {
  /** Why nothing is sent, said once until it ends. */
  let held = false;
  const hold = (why: string, until = "this watch then syncs with the new login"): PassSkipped => {
    if (!held) o.warn(`${clock()} ${why} Nothing is sent until then; ${until}.`);
    held = true;
    return "held";
  };
  /** The saved config, read once a pass; one that cannot be used (a typo made by hand) holds sending until it is mended. */
  const current = (): { config: Config; now: CredentialsNow } & LiveSettings | PassSkipped => {
    try {
      const config = loadConfig();
      return { config, now: o.live.refresh(config), ...o.settings(config) };
    } catch (error) {
      if (error instanceof UserError) return hold(error.message, "this watch goes on once it is");
      throw error;
    }
  };
  return async (only) => {
    const got = current();
    if (typeof got === "string") return got;
    const { now } = got;
    if (now === "logged-out") return hold("logged out: run claude-code-sync login to sync again.");
    if (now === "refused") return "held";
    const conn = o.live.current;
    if (held || now === "changed") o.log(`${clock()} ${now === "changed" ? "logged in: now " : ""}syncing to ${conn.url} (key ${maskKey(conn.apiKey)}).`);
    held = false;
    // Another server's state: everything is compared with it, not just these sessions.
    if (now === "changed" && only) return "switched";
    // The day's price refresh, as a sync starts it: new prices are used at once if they come in time, else by a catch-up pass.
    const refreshedPrices = startPriceRefresh(got.config, false, got.priceCache);
    void refreshedPrices.then((changed) => changed && o.resync());
    const report = await runSync(conn.store, conn.client, {
      ...got.settings,
      refreshedPrices,
      roots: o.roots,
      full: false,
      apiKey: conn.apiKey,
      ...(only ? { only } : {}),
      // The catch-up pass hears from the server even with nothing to send: a server down or a key revoked is said, not "up to date".
      confirmWithServer: only === undefined,
      waitForLockMs: LOCK_WAIT_MS,
    });
    // A saved key refused (regenerated in the dashboard): a login mends it, so the watch waits for one rather than end.
    if (report.stoppedBy instanceof AuthError && o.live.refuse()) {
      return hold(failureOf(report.stoppedBy, { url: conn.url, source: resolveCredentials(conn.config).source }).message);
    }
    return report;
  };
}
