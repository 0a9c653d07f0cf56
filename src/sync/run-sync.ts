import { OpenSyncError } from "../opensync/errors.ts";
import { UserError, withoutRetryNote } from "../errors.ts";
import type { OpenSyncClient } from "../opensync/client.ts";
import type { PriceBook } from "../pricing/index.ts";
import { type Finalize, type ScanOutcome, scan } from "../scan/scan.ts";
import { type SendOutcome, Sender } from "../send/sender.ts";
import { Backlog } from "../send/backlog.ts";
import { serverAdopter } from "../send/adopt.ts";
import { EarlyAdoption } from "../send/early-adopt.ts";
import { type Reconciled, reconcile, recoverUnrecorded, restoreRecreated, serverTotalsForNewState } from "../send/reconcile.ts";
import type { SendTransport } from "../send/transport.ts";
import { stateError } from "../state/db.ts";
import { SyncLock } from "../state/lock.ts";
import type { StateStore } from "../state/store.ts";
import type { ScanSettings } from "./context.ts";
import { checkAccount } from "./account.ts";
import { StateSink, recordFolders, statePast } from "./state-sink.ts";
import { settleDue, unsureForMs } from "./unsure.ts";

export interface SyncRequest extends ScanSettings {
  roots: string[];
  apiKey: string;
  /** Re-read every transcript from the start. */
  full: boolean;
  /** Only these sessions. */
  only?: ReadonlySet<string>;
  /** Sessions whose turn is over (a Stop hook fired), and whose threads: their last response goes as it is. */
  finalize?: Finalize;
  /** Try items the server refused again now. */
  retryFailed?: boolean;
  /** Ask the server what it holds first, and send again what it lacks (`sync --full`). */
  reconcile?: boolean;
  /**
   * Someone asked for this sync: with nothing to send it still hears from the
   * server (one small read, started with the run), so a key revoked or a URL
   * gone is said, never "all synced".
   */
  confirmWithServer?: boolean;
  /** Stops sending (Ctrl-C): what was not sent stays pending. */
  signal?: AbortSignal;
  /** Sessions sent so far, out of those with something to send. */
  onProgress?: (done: number, total: number) => void;
  /** Bytes read so far, out of those to read. */
  onReadProgress?: (bytesRead: number, bytesTotal: number) => void;
  /** A write is to be tried again, and why. */
  onRetry?: (reason: string) => void;
  /** How long to wait for another sync to finish before giving up. */
  waitForLockMs?: number;
  /** Another process holds the state: who, as a person knows it (holder.ts). */
  onWaiting?: (holder: string) => void;
  /** Wait this long at most for writes held back by the server's windows, then send them too (0: leave them for the next run). */
  waitForWindowsMs?: number;
  /**
   * The day's price refresh, started by the caller: if it has brought new
   * prices by the time the read is done, they are used at once (sessions
   * re-priced and sent); otherwise the next run uses them.
   */
  refreshedPrices?: Promise<PriceBook | undefined>;
  /** Payload the read may put in the outbox ahead of the sender (default BACKLOG_LIMIT, backlog.ts). */
  backlogLimit?: number;
}

export interface SyncReport extends SendOutcome, Omit<ScanOutcome, "folders"> {
  pendingMessages: number;
  pendingSessions: number;
  /** With `reconcile`: what the server was found to lack. */
  reconciled?: Reconciled;
  /** Sessions sent from here that the server no longer holds, found when it held none and this run wrote nothing. */
  missingOnServer?: number;
  /** Models read that no price is known for (their tokens count, their cost is 0 until one is). */
  unknownModels: string[];
  /** Sessions whose last response is still being written: it goes once complete (the next sync, or the Stop hook). */
  beingWritten: number;
  /** Items the server refused, this run or before, that wait (status lists them). */
  refused: number;
  /** Sessions with a write given up on that the server may still apply: synced again at `readyAt` (unsure.ts). */
  unsureWrites: Array<{ sessionId: string; readyAt: number }>;
  /** Sessions whose writes given up on are over, and when each is next checked for one landing later still (unsure.ts). */
  rechecks: Array<{ sessionId: string; readyAt: number }>;
}

/** Sessions kept out by `excludeProjects` that no longer are: read again from the start, so their history is sent. */
function readmitProjects(store: StateStore, isExcluded: (path: string | undefined) => boolean): void {
  const readmitted = store.excludedSessions().filter((s) => !isExcluded(s.project ?? undefined));
  if (readmitted.length > 0) store.write(() => readmitted.forEach((s) => store.rereadSession(s.sessionId)));
}

async function acquire(lock: SyncLock, req: SyncRequest): Promise<void> {
  const deadline = Date.now() + (req.waitForLockMs ?? 60_000);
  let told = false;
  while (!lock.tryAcquire()) {
    const late = Date.now() > deadline;
    if (late || !told) {
      // Named (its module loaded) only when said: another process holds the state.
      const holder = (await import("./holder.ts")).syncHolderName(lock.holder()?.pid ?? 0);
      if (late) throw new UserError(`${holder.charAt(0).toUpperCase()}${holder.slice(1)} is still running.`, 1, "sync-running", "Try again when it has finished.");
      req.onWaiting?.(holder);
      told = true;
    }
    await Bun.sleep(200);
  }
}

/** Read what is new, then send what the server lacks; under the state lock. */
export async function runSync(store: StateStore, client: OpenSyncClient, req: SyncRequest): Promise<SyncReport> {
  try {
    return await lockedSync(store, client, req);
  } catch (error) {
    // A disk that fills up or a state folder made read-only mid-run (even while unlocking): what to do, not a stack trace.
    throw stateError(error, store.path);
  }
}

/** Extra attempts at each read of the recovery after a killed run. */
const RECOVERY_RETRIES = 3;

async function lockedSync(store: StateStore, client: OpenSyncClient, req: SyncRequest): Promise<SyncReport> {
  const lock = new SyncLock(store);
  await acquire(lock, req);
  try {
    // A blip (one dropped connection, one 503) is tried once more: only a server out of reach, or a refused key, is said.
    const heard = req.confirmWithServer
      ? client
          .withRetries(1)
          .listServerSessions({ limit: 1 })
          .then(
            (sessions) => ({ ok: true as const, sessions }),
            (error: OpenSyncError) => ({ ok: false as const, error }),
          )
      : undefined;
    let answered = false;
    void heard?.then((answer) => (answered = answer.ok));
    await checkAccount(store, () => client.listSessions(), req.apiKey);
    readmitProjects(store, req.isExcluded);
    // Best effort: if the server cannot say what it holds, the sending below meets the same problem and says so.
    // Its reads are retried (the sender's client has no retries of its own): one lost read has the killed run's messages sent again.
    if (lock.tookOver || store.hasUnconfirmedWrites()) {
      // Its writes still on their way may land after this run's newer ones (unsure.ts): as if given up on now.
      store.write(() => store.markPendingUnsure(Date.now() + unsureForMs(client.timeoutMs)));
      // After a kill its reads are retried; after a run that stopped, maybe on a server that still hangs, one try each.
      const checked = await recoverUnrecorded(store, client.withRetries(lock.tookOver ? RECOVERY_RETRIES : 0)).then(
        () => true,
        () => false,
      );
      if (checked) store.write(() => store.markUnconfirmedWrites(false));
    }
    // Before the read: it reads again the sessions whose messages go again.
    await settleDue(store, client, req.only, Date.now(), unsureForMs(client.timeoutMs));
    const reconciled = req.reconcile ? await reconcile(store, client) : undefined;
    // A new state facing a server that holds sessions reads and sends everything once, whatever was asked: the
    // sessions it reads later would share responses with ones the server counts them in, unseen.
    const onServer = store.isNew() ? await serverTotalsForNewState(store, client) : undefined;
    const only = onServer ? undefined : req.only;
    const transport = client.once;
    const adopter = serverAdopter(store, client);
    const options = {
      ...(only ? { only } : {}),
      ...(req.retryFailed ? { retryFailed: true } : {}),
      ...(req.signal ? { signal: req.signal } : {}),
      ...(req.onProgress ? { onProgress: req.onProgress } : {}),
      ...(req.onRetry ? { onRetry: req.onRetry } : {}),
      adopter,
      serverAnswered: () => answered,
      serverClock: { offset: () => client.serverClock.offset(), ceiling: () => client.serverClock.ceiling(), read: () => client.readServerClock() },
      unsureForMs: unsureForMs(client.timeoutMs),
    };
    // Sending starts with what is already pending and takes each session as soon as the scan has read it; except
    // in a new state facing a server that holds sessions: what it has pending was placed without the server's
    // totals, and goes once the read has settled them.
    const backlog = new Backlog(req.backlogLimit);
    const sender = new Sender(store, transport, { ...options, backlog });
    if (!onServer) sender.loadPending();
    const early = onServer && new EarlyAdoption(store, adopter, new Map([...onServer].map(([id, s]) => [id, s.serverId])));
    const sink = new StateSink(store, req, (id) => sender.feed(id), (id) => sender.heldBeforeRun(id), onServer, backlog, early || undefined);
    await sink.usePrices(req.prices);
    const readSignal = backlog.readSignal(req.signal);
    const sending = sender.run();
    const scanned = await whileSending(sender, sending, async () => {
      const outcome = await scan(
        {
          roots: req.roots,
          settings: { ...req.read, mode: "payloads" },
          // A new state that read before without settling (stopped by a wrong key, Ctrl-C) placed what sessions share
          // without the server's totals: it reads again, so the ledger notes those sessions and settles them.
          full: req.full || (onServer !== undefined && store.hasReadFiles()),
          ...(only ? { only } : {}),
          ...(req.finalize ? { finalize: req.finalize } : {}),
          ...(req.onReadProgress ? { onProgress: req.onReadProgress } : {}),
          signal: readSignal,
        },
        statePast(store),
        sink,
      );
      recordFolders(store, outcome.folders);
      // Each session the sender takes up has been compared, or not: never while it is.
      if (early) await early.drain();
      await sink.settle();
      if (onServer) {
        // Settled only by a read that went through (Ctrl-C, or a sender that stopped, keeps what was read, and the state new).
        if (!readSignal.aborted) store.markSettled();
        sender.loadPending();
      }
      const refreshed = req.refreshedPrices ? await settledNow(req.refreshedPrices) : undefined;
      if (refreshed) await sink.usePrices(refreshed);
      sink.recordPrices();
      return outcome;
    });
    let sent = await sending;
    sent = await sendHeldBack(store, transport, options, sent, req.waitForWindowsMs ?? 0);
    // Totalled with the prices the read ended with (a refresh may have brought new ones).
    sent = await sendLostAgain(store, client, { ...req, prices: sink.pricesInUse }, options, sent);
    sent = await sendUnsureAgain(store, client, { ...req, prices: sink.pricesInUse }, options, sent, req.waitForWindowsMs ?? 0);
    // What went again meets the windows its first copies opened moments before.
    sent = await sendHeldBack(store, transport, options, sent, req.waitForWindowsMs ?? 0);
    const answer = await heard;
    const wroteNothing = sent.sessionsSent + sent.messagesSent === 0;
    if (answer && !answer.ok && !sent.stoppedBy && !sent.interrupted && wroteNothing) sent = { ...sent, stoppedBy: answer.error };
    // A server that holds none of the sessions sent from here lost them all ("delete all data"): a run that wrote nothing would look all synced.
    const missingOnServer = answer?.ok && answer.sessions.length === 0 && wroteNothing && !reconciled ? store.sentSessionIds().length : 0;
    if (!sent.stoppedBy && !sent.interrupted) store.setMeta("last_sync", String(Date.now()));
    // Every write answered and recorded (a server that stopped the run refused or never took them): none to check next time.
    const recorded = !sent.interrupted && !sent.maybeApplied && (!sent.stoppedBy || sent.stoppedBy instanceof OpenSyncError);
    if (recorded && store.hasUnconfirmedWrites()) store.write(() => store.markUnconfirmedWrites(false));
    store.releaseSpace();
    const pending = store.pending();
    const left = pending.messagesPending + pending.sessionsPending > 0 ? (sent.stoppedBy ?? sent.unsentError) : undefined;
    store.recordPendingReason(left && withoutRetryNote(left));
    const { folders: _, ...read } = scanned;
    return {
      ...read,
      ...sent,
      pendingMessages: pending.messagesPending,
      pendingSessions: pending.sessionsPending,
      ...(reconciled ? { reconciled } : {}),
      ...(missingOnServer ? { missingOnServer } : {}),
      unknownModels: unpricedModels(store, req.prices),
      beingWritten: store.beingWrittenCount(),
      refused: store.refusedCount(),
      unsureWrites: store.unsureSessions(only),
      rechecks: store.rechecked(only).map((r) => ({ sessionId: r.sessionId, readyAt: r.nextAt })),
    };
  } finally {
    lock.release();
  }
}

/** Models in the state no price is known for: said by sync, status and verify, never a silent $0. */
export function unpricedModels(store: StateStore, prices: PriceBook): string[] {
  return store.modelNames().filter((m) => !prices.knows(m)).sort();
}

/** The promise's value if it has settled already, undefined if not (never waits). */
async function settledNow<T>(promise: Promise<T | undefined>): Promise<T | undefined> {
  const pending = Symbol("pending");
  const value = await Promise.race([promise, Promise.resolve(pending)]);
  return value === pending ? undefined : (value as T | undefined);
}

/**
 * Writes the server's windows held back (a session's final totals right
 * after its messages, a message changed within seconds of its creation) go
 * once the window has passed, if that is soon enough.
 */
async function sendHeldBack(
  store: StateStore,
  transport: SendTransport,
  options: ConstructorParameters<typeof Sender>[2],
  first: SendOutcome,
  maxWaitMs: number,
): Promise<SendOutcome> {
  let outcome = first;
  const deadline = Date.now() + maxWaitMs;
  while (!outcome.stoppedBy && !outcome.interrupted && outcome.deferredSessions.length > 0) {
    const readyAt = Math.max(...outcome.deferredSessions.map((d) => d.readyAt));
    if (readyAt > deadline) break;
    await Bun.sleep(Math.max(0, readyAt - Date.now()));
    const again = new Sender(store, transport, { ...options, only: new Set(outcome.deferredSessions.map((d) => d.sessionId)) });
    again.loadPending();
    again.close();
    outcome = followedBy(outcome, await again.run());
  }
  return outcome;
}

/** A round of sending after another: what both sent, and how the later one ended. */
function followedBy(first: SendOutcome, next: SendOutcome): SendOutcome {
  return {
    ...next,
    sessionsSent: first.sessionsSent + next.sessionsSent,
    messagesSent: first.messagesSent + next.messagesSent,
    failed: [...first.failed, ...next.failed],
    unsent: first.unsent + next.unsent,
    // A write of the first round that may have been applied unrecorded stays to be checked.
    ...(first.maybeApplied || next.maybeApplied ? { maybeApplied: true } : {}),
    recreated: [...first.recreated, ...next.recreated],
  };
}

/** Runs `read` while `sender` sends what it makes ready; a read that fails (a full disk...) lets what is in flight finish first. */
async function whileSending<T>(sender: Sender, sending: Promise<SendOutcome>, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    sender.stop();
    await sending;
    throw error;
  } finally {
    sender.close();
  }
}

/**
 * A session the server made anew (SendOutcome.recreated: deleted in the
 * dashboard, "delete all data") has lost the messages sent before: those its
 * copy lacks are read again from the transcript and sent in this run, so the
 * next turn's hook restores the session whole, without `sync --full`.
 */
async function sendLostAgain(
  store: StateStore,
  client: OpenSyncClient,
  req: SyncRequest,
  options: ConstructorParameters<typeof Sender>[2],
  first: SendOutcome,
): Promise<SendOutcome> {
  if (first.recreated.length === 0 || first.stoppedBy || first.interrupted) return first;
  // A server that cannot show its copy now: the sessions keep their old ids, so their next write finds this again.
  const only = await restoreRecreated(store, client, first.recreated).catch(() => new Set<string>());
  if (only.size === 0) return first;
  return followedBy(first, await readAndSend(store, client, req, options, only, false));
}

/**
 * Writes given up on in this run (unsure.ts) that are over soon enough: the sessions they wrote go again
 * once they are, in this run. One round: what is given up on in it waits for the next run.
 */
async function sendUnsureAgain(
  store: StateStore,
  client: OpenSyncClient,
  req: SyncRequest,
  options: ConstructorParameters<typeof Sender>[2],
  first: SendOutcome,
  maxWaitMs: number,
): Promise<SendOutcome> {
  const waiting = store.unsureSessions(req.only);
  if (waiting.length === 0 || first.stoppedBy || first.interrupted) return first;
  const readyAt = Math.max(...waiting.map((w) => w.readyAt));
  if (readyAt > Date.now() + maxWaitMs) return first;
  await Bun.sleep(Math.max(0, readyAt - Date.now()));
  // A record due again is sent whether or not its session is read again.
  const only = new Set(await settleDue(store, client, req.only, Date.now(), unsureForMs(client.timeoutMs)));
  return followedBy(first, await readAndSend(store, client, req, options, only, true));
}

/** Reads `only` (what is new in their files, or all of those to be read again) and sends what it makes ready; with `pending`, what they had pending too. */
async function readAndSend(
  store: StateStore,
  client: OpenSyncClient,
  req: SyncRequest,
  options: ConstructorParameters<typeof Sender>[2],
  only: ReadonlySet<string>,
  pending: boolean,
): Promise<SendOutcome> {
  const backlog = new Backlog(req.backlogLimit);
  const sender = new Sender(store, client.once, { ...options, only, backlog });
  if (pending) sender.loadPending();
  const sink = new StateSink(store, req, (id) => sender.feed(id), (id) => sender.heldBeforeRun(id), undefined, backlog);
  const sending = sender.run();
  await whileSending(sender, sending, async () => {
    await scan({ roots: req.roots, settings: { ...req.read, mode: "payloads" }, full: false, only, signal: backlog.readSignal(req.signal) }, statePast(store), sink);
    await sink.settle();
  });
  return await sending;
}
