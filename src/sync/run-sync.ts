import { createHash } from "node:crypto";
import { UserError } from "../errors.ts";
import type { OpenSyncClient } from "../opensync/client.ts";
import type { ReadStats } from "../scan/scan.ts";
import { stateError } from "../state/db.ts";
import { heartbeat, lockHolder, tryLock, unlock } from "../state/lock.ts";
import type { StateStore } from "../state/store.ts";
import { type ScanRequest, scanIntoState } from "./scan-into-state.ts";
import { type SendOutcome, sendPending } from "./send.ts";

export interface SyncRequest extends ScanRequest {
  apiKey: string;
  onProgress?: (done: number, total: number) => void;
  /** Bytes of transcript read so far, of those to read in this run. */
  onReadProgress?: (bytesRead: number, bytesTotal: number) => void;
  /** Once aborted (Ctrl-C), nothing new is sent; what is not sent stays pending for the next run. */
  signal?: AbortSignal;
  /** How long to wait for another sync to finish before giving up. */
  waitForLockMs?: number;
  onWaiting?: (pid: number) => void;
}

export interface SyncReport extends SendOutcome {
  sessionsRead: number;
  bytesRead: number;
  stats: ReadStats;
  pendingMessages: number;
  pendingSessions: number;
}

/**
 * The state belongs to one account: a new key that sees none of the sessions
 * we sent is another account, so everything is read and sent again. A key
 * regenerated for the same account keeps the state.
 */
async function checkAccount(store: StateStore, client: OpenSyncClient, apiKey: string): Promise<void> {
  const fingerprint = createHash("sha256").update(apiKey).digest("hex").slice(0, 16);
  const known = store.getMeta("account");
  if (known === fingerprint) return;
  if (known !== undefined) {
    const ours = (store.db.query("SELECT session_id FROM sessions WHERE sent_payload IS NOT NULL LIMIT 200").all() as Array<{ session_id: string }>).map(
      (r) => r.session_id,
    );
    const server = new Set(await client.listSessions());
    if (ours.some((id) => !server.has(id))) store.reset();
  }
  store.setMeta("account", fingerprint);
}

async function acquire(store: StateStore, req: SyncRequest): Promise<void> {
  const deadline = Date.now() + (req.waitForLockMs ?? 60_000);
  let told = false;
  while (!tryLock(store)) {
    if (Date.now() > deadline) {
      throw new UserError(`Another sync (pid ${lockHolder(store)}) is still running. Try again when it has finished.`, 1, "sync-running");
    }
    if (!told) req.onWaiting?.(lockHolder(store) ?? 0);
    told = true;
    await Bun.sleep(200);
  }
}

/** Read what is new, then send what the server lacks; under the state lock. */
export async function runSync(store: StateStore, client: OpenSyncClient, req: SyncRequest): Promise<SyncReport> {
  try {
    return await lockedSync(store, client, req);
  } catch (error) {
    // A disk that fills up or a state folder made read-only mid-run (even while unlocking): what to do, not a stack trace.
    throw stateError(error, store.db.filename);
  }
}

async function lockedSync(store: StateStore, client: OpenSyncClient, req: SyncRequest): Promise<SyncReport> {
  await acquire(store, req);
  const beat = setInterval(() => {
    try {
      heartbeat(store);
    } catch {
      // A full disk fails this write too; the run itself reports it.
    }
  }, 15_000);
  try {
    await checkAccount(store, client, req.apiKey);
    const scan = scanIntoState(store, req);
    const sent = await sendPending(store, client, { only: req.only, onProgress: req.onProgress, signal: req.signal });
    if (!sent.stoppedBy && !req.signal?.aborted) store.setMeta("last_sync", String(Date.now()));
    const counts = store.counts();
    return { ...scan, ...sent, pendingMessages: counts.messagesPending, pendingSessions: counts.sessionsPending };
  } finally {
    clearInterval(beat);
    unlock(store);
  }
}
