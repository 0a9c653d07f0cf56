import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { readJsonFile } from "../runtime/json-file.ts";
import { z } from "../runtime/zod.ts";
import { maskCredentials } from "../opensync/errors.ts";
import { appDir } from "../paths.ts";
import { timeAgo } from "../report/format.ts";
import { clock } from "../watch/sync-line.ts";

/**
 * What the background sync last did and what it still has to do, for
 * `status`: written by the runner after each round, from its queue.
 */
const PendingSchema = z.object({
  sessionId: z.string(),
  /** When the work still pending was first asked for. */
  since: z.number(),
  attempts: z.number(),
  /** The next try; null: at the next hook. */
  nextAt: z.nullable(z.number()),
  lastError: z.optional(z.string()),
});
const BackgroundStatusSchema = z.object({
  at: z.number(),
  ok: z.boolean(),
  message: z.string(),
  pending: z._default(z.array(PendingSchema), []),
  /** A login since this round (noteLogin): what the round met was met with the credentials before it. */
  loginAt: z.optional(z.number()),
});
export type BackgroundStatus = z.infer<typeof BackgroundStatusSchema>;

function backgroundStatusPath(): string {
  return join(appDir(), "background.json");
}

/** Never throws: the status file must not stop the runner. */
export function recordBackgroundStatus(status: BackgroundStatus): void {
  const masked = {
    ...status,
    message: maskCredentials(status.message),
    pending: status.pending.map((p) => (p.lastError === undefined ? p : { ...p, lastError: maskCredentials(p.lastError) })),
  };
  try {
    writeFileSync(backgroundStatusPath(), JSON.stringify(masked), { mode: 0o600 });
  } catch {}
}

/** After a login: a failure the background sync met is history until its next round says otherwise. */
export function noteLogin(at = Date.now()): void {
  const status = readBackgroundStatus();
  if (status) recordBackgroundStatus({ ...status, loginAt: at });
}

export function readBackgroundStatus(): BackgroundStatus | null {
  return readJsonFile(backgroundStatusPath(), BackgroundStatusSchema) ?? null;
}

const LOG = "(log: ~/.claude-code-sync/sync.log)";

/** `14:03`, with the date when not today. */
function at(ms: number, now: number): string {
  const day = new Date(ms).toDateString();
  return `${day === new Date(now).toDateString() ? "" : `${day.slice(4, 10)} `}${clock(new Date(ms)).slice(0, 5)}`;
}

/**
 * The `Background sync:` line of `status`: ok, or what is pending since when,
 * when it is retried and why it failed. A failure older than the last sync
 * that went through (`lastSyncAt`, a `sync` run by hand after a new login) is
 * history, and said as such.
 */
export function backgroundLine(s: BackgroundStatus, now = Date.now(), lastSyncAt?: number): string {
  const failing = s.pending.filter((p) => p.lastError !== undefined);
  const [first] = failing;
  if ((first || !s.ok) && lastSyncAt !== undefined && lastSyncAt > s.at) {
    return `Background sync: failed ${timeAgo(s.at, now)} (${first?.lastError ?? s.message}); the sync at ${at(lastSyncAt, now)} since went through`;
  }
  if ((first || !s.ok) && s.loginAt !== undefined && s.loginAt > s.at) {
    return `Background sync: failed ${timeAgo(s.at, now)} (${first?.lastError ?? s.message}), before the login at ${at(s.loginAt, now)}; the next hook or sync uses the new login`;
  }
  if (first) {
    const since = Math.min(...failing.map((p) => p.since));
    const retries = failing.flatMap((p) => (p.nextAt === null ? [] : [p.nextAt]));
    const when = retries.length ? `retrying at ${at(Math.min(...retries), now)}` : "retried with the next hook";
    const count = `${failing.length} session${failing.length === 1 ? "" : "s"}`;
    return `Background sync: ${count} pending since ${at(since, now)}, ${when}: ${first.lastError} ${LOG}`;
  }
  return s.ok ? `Background sync: ok, ${timeAgo(s.at, now)}` : `Background sync failed ${timeAgo(s.at, now)}: ${s.message} ${LOG}`;
}
