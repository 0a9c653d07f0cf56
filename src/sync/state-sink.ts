import { type ShownTokens, summarize, usageBySession, emptySessionUsage } from "../fold/summarize.ts";
import { batchRecords } from "../fold/usage-ledger.ts";
import { payloadHash } from "../plan/hash.ts";
import { type PriceBook, changedModels } from "../pricing/index.ts";
import { type Scrubber, sessionPayload } from "../plan/payloads.ts";
import type { ListedFolder } from "../discover/files.ts";
import { type ForkWait, waitEnded } from "../discover/fork-origins.ts";
import { type ChunkSink, type ScanPast, resumeFrom } from "../scan/scan.ts";
import type { SessionChunk } from "../scan/work.ts";
import { StateLedger } from "../state/ledger.ts";
import type { FileRecord, StateStore } from "../state/store.ts";
import { collectAfter } from "../runtime/gc-pacer.ts";
import { type Backlog, outboxBytes } from "../send/backlog.ts";
import type { EarlyAdoption } from "../send/early-adopt.ts";

interface SinkSettings {
  loadScrub(): Promise<Scrubber>;
  isExcluded(projectPath: string | undefined): boolean;
  prices: PriceBook;
}

/** The prices each model had when the state last priced its sessions. */
const PRICES_META = "price_fingerprints";

/** What the state knows of earlier reads, as the scan asks for it: a folder's files are loaded when it is first asked for. */
export function statePast(store: StateStore): ScanPast {
  const digests = store.folderDigests();
  const files = new Map<string, Map<string, FileRecord>>();
  return {
    digest: (folder) => digests.get(folder),
    files: (folder) => files.get(folder) ?? files.set(folder, store.filesIn(folder)).get(folder) as Map<string, FileRecord>,
    snapshot: (sessionId) => store.getFold(sessionId),
    held: new Set(store.heldSessions()),
    forkWaits: store.forkWaits(),
  };
}

/**
 * Records the digest of each folder listed in full whose every transcript the
 * state now has read to its end, as listed: the next scan that finds the same
 * digest leaves the folder out. Called once the scan has finished; a folder
 * with a file that failed or was left for later gets no digest.
 */
export function recordFolders(store: StateStore, folders: readonly ListedFolder[]): void {
  if (folders.length === 0) return;
  store.write(() => {
    for (const folder of folders) {
      const read = store.filesIn(folder.path);
      if (folder.files.every((f) => resumeFrom(f, read.get(f.path), false) === undefined)) store.setFolderDigest(folder.path, folder.digest);
    }
  });
}

/**
 * The sync's end of the read path: each chunk is one transaction holding the
 * files' offsets together with what was read up to them (usage, messages in
 * the outbox, the fold's carry-over), so a crash loses nothing and repeats
 * nothing. A session read to its end gets its payload (totals, title...) and
 * is handed to `onReady` (the sender can start on it while the scan goes on).
 */
export class StateSink implements ChunkSink {
  private readonly ledger: StateLedger;
  /** Loaded (prepare) only when a session's totals are built: a sync with nothing new never loads the secret rules. */
  private scrub: Scrubber | undefined;
  /** Sessions the server holds, read while the state knew nothing of them: handed on at `settle`. */
  private readonly waiting = new Set<string>();
  private prices: PriceBook;
  /** usePrices was called in this run: the sessions are priced with `prices` since. */
  private priced = false;
  /** The state's fork waits, loaded when a chunk first touches them, else at settle. */
  private forkWaits: Map<string, ForkWait> | undefined;

  constructor(
    private readonly store: StateStore,
    private readonly settings: SinkSettings,
    private readonly onReady: (sessionId: string) => void = () => {},
    heldBeforeRun?: (sessionId: string) => boolean | undefined,
    /** The server's totals of the sessions it holds, for a new state (`serverTotalsForNewState`). */
    private readonly onServer?: ReadonlyMap<string, ShownTokens>,
    /** Told the payloads each chunk put in the outbox; the read waits while the sender is too far behind. */
    private readonly backlog?: Backlog,
    /** With `onServer`: compares each session the server holds with its copy once read; the read waits while too many wait for it. */
    private readonly early?: EarlyAdoption,
  ) {
    this.ledger = new StateLedger(store, heldBeforeRun, onServer);
    this.prices = settings.prices;
  }

  /**
   * Prices from now on; sessions with responses of a model whose price changed
   * since the state last recorded them (`recordPrices`) get their totals again
   * (and are handed to `onReady`).
   */
  async usePrices(prices: PriceBook): Promise<void> {
    const models = this.store.modelNames();
    const recorded = this.store.getMeta(PRICES_META);
    // Until this run first prices, sessions stand as recorded; from then on (a refresh landing mid-run, or a
    // new state's first sync, which has nothing recorded), as this run priced them.
    const before = this.priced || recorded === undefined ? this.prices.fingerprints(models) : (JSON.parse(recorded) as Record<string, string>);
    this.priced = true;
    this.prices = prices;
    const stale = this.store.sessionsUsingModels(changedModels(before, prices.fingerprints(models)));
    if (stale.length === 0) return;
    await this.refreshSessions(stale);
    for (const id of stale) this.ready(id);
  }

  /**
   * Records the prices every model read so far was priced with, after the
   * read (so models it met are included); written only when they changed,
   * so a sync with nothing new writes nothing.
   */
  recordPrices(): void {
    const current = JSON.stringify(this.prices.fingerprints(this.store.modelNames()));
    if (this.store.getMeta(PRICES_META) !== current) this.store.setMeta(PRICES_META, current);
  }

  /** The prices sessions are totalled with now (usePrices). */
  get pricesInUse(): PriceBook {
    return this.prices;
  }

  async prepare(): Promise<void> {
    this.scrub ??= await this.settings.loadScrub();
  }

  accept(chunk: SessionChunk): Promise<void> | undefined {
    const id = chunk.sessionId;
    let losers = new Set<string>();
    let queued = 0;
    this.store.write(() => {
      // Read again from its start (a file replaced or rewritten, a secret found late): what was counted before goes first.
      if (chunk.startsOver) this.store.dropSessionUsage(id);
      const fileIds = new Map<string, number>();
      for (const p of chunk.files) {
        // A file that could not be read keeps its old row, so the next sync tries it again.
        if (!p.failed) fileIds.set(p.file.path, this.store.putFile(p.file, p.offset, p.eof, p.fingerprint));
      }
      // A response found again here can move its tokens away from another session: that one's totals change in
      // this same commit, so a crash never leaves them behind (its files will not be read again).
      losers = this.ledger.add(batchRecords(chunk.usage), fileIds);
      losers.delete(id);
      for (const other of losers) this.refresh(other);
      for (const m of chunk.messages) {
        if (this.store.putMessage(m)) queued += outboxBytes(m.payload);
        collectAfter(m.payload.length);
      }
      this.store.putFold(id, chunk.snapshot);
      this.noteForkWait(chunk);
      // The session is finished in the commit of its last bytes: a crash never leaves it read but not ready to send.
      if (chunk.done) {
        this.store.setHeld(id, chunk.held);
        if (!chunk.awaitingOwnFile) this.refresh(id);
      }
    });
    for (const other of losers) this.ready(other);
    if (chunk.done && !chunk.awaitingOwnFile) this.ready(id);
    // Counted once committed: a chunk whose transaction failed put nothing in the outbox.
    this.backlog?.queued(queued);
    const rooms = [this.backlog?.room(), this.early?.room()].filter((room) => room !== undefined);
    return rooms.length === 0 ? undefined : Promise.all(rooms).then(() => undefined);
  }

  /**
   * Records the sources a session's copies name whose transcripts were not found (read from its start,
   * those it waited for before go first: the read looked for them again). Written only when it changes.
   */
  private noteForkWait(chunk: SessionChunk): void {
    if (!chunk.startsOver && !chunk.forkWait) return;
    const waits = (this.forkWaits ??= this.store.forkWaits());
    const before = waits.get(chunk.sessionId);
    const sources = new Set([...(chunk.startsOver ? [] : (before?.sources ?? [])), ...(chunk.forkWait?.sources ?? [])]);
    if (sources.size === (before?.sources.length ?? 0) && (before?.sources ?? []).every((s) => sources.has(s))) return;
    if (sources.size === 0) waits.delete(chunk.sessionId);
    else waits.set(chunk.sessionId, { folder: chunk.forkWait?.folder ?? (before as ForkWait).folder, sources: [...sources] });
    this.store.setForkWaits(waits);
  }

  /** The waits no parent can end any more (waitEnded) are dropped: else the state keeps them, and each scan looks for their parents, for good. */
  private endForkWaits(): void {
    const waits = (this.forkWaits ??= this.store.forkWaits());
    const ended = [...waits].filter(([id, wait]) => waitEnded(id, wait)).map(([id]) => id);
    if (ended.length === 0) return;
    for (const id of ended) waits.delete(id);
    this.store.setForkWaits(waits);
  }

  /**
   * A session the server holds, read by a state that knew nothing of it, waits
   * for the whole read: a file read later can share its responses (a resumed
   * copy), and only then can the server's totals say which of the two counts them.
   */
  private ready(sessionId: string): void {
    if (!this.onServer?.has(sessionId)) return this.onReady(sessionId);
    this.waiting.add(sessionId);
    this.early?.take(sessionId);
  }

  /** Once the read is done: shared responses go where the server counts them, and the sessions that waited are handed on. */
  async settle(): Promise<void> {
    this.endForkWaits();
    const settled = this.ledger.settle();
    if (settled.size > 0) await this.refreshSessions(settled);
    for (const id of new Set([...this.waiting, ...settled])) this.onReady(id);
    this.waiting.clear();
  }

  private async refreshSessions(sessionIds: Iterable<string>): Promise<void> {
    await this.prepare();
    this.store.write(() => {
      for (const id of sessionIds) this.refresh(id);
    });
  }

  /** The session as it should now be on the server, from its fold and its usage. */
  private refresh(sessionId: string): void {
    const meta = this.store.getFold(sessionId)?.meta;
    if (!meta) return;
    const usage = usageBySession(this.store.sessionUsage(sessionId), this.prices).get(sessionId) ?? emptySessionUsage();
    const summary = summarize(meta, usage, this.store.messageCount(sessionId));
    if (summary.messageCount === 0 && summary.promptTokens + summary.completionTokens === 0) return;
    if (!this.scrub) throw new Error("A session's totals were built before the sink was prepared.");
    const json = JSON.stringify(sessionPayload(summary, this.scrub));
    this.store.putSessionPayload(sessionId, json, payloadHash(json), {
      excluded: this.settings.isExcluded(summary.projectPath),
      ...(summary.projectPath ? { project: summary.projectPath } : {}),
      ...(summary.createdAt !== undefined ? { createdAt: summary.createdAt } : {}),
      ...(meta.lastAt !== undefined ? { lastAt: meta.lastAt } : {}),
    });
  }
}
