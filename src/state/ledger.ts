import { NO_TOKENS_SHOWN, type ShownTokens, minusShown, tokensShownFor } from "../fold/summarize.ts";
import { type UsageRecord, replaces } from "../fold/usage-ledger.ts";
import { placeShared } from "./placement.ts";
import type { StateStore } from "./store.ts";

/**
 * The usage ledger of an incremental sync: responses counted in an earlier
 * run live in the state database, so dedup spans every run, not only the
 * bytes read now. Ties go to the copy in the file first by path (see
 * `replaces`), so the outcome does not depend on the order files are read in;
 * except between sessions the server held before this run: one it held keeps
 * its responses against an equal copy in one it did not, and between two it
 * held a response stays where it is (`sync --full` included). OpenSync
 * never lowers a total to 0: a resumed session's copy of the history, turning
 * up later in a file that sorts first, would otherwise be counted on the server
 * twice, by the original that cannot give it up and by the copy. A dry run,
 * which knows no server, still counts such a copy where ccusage does.
 *
 * A new state (`store.isNew`: created, or made again after a loss) cannot say
 * where the server counts a response sessions it holds share: given the server's totals
 * (`onServer`), the ledger notes each such response's copies, and `settle`
 * places them where those totals say, once the read is done.
 */
export class StateLedger {
  /** Responses sessions the server holds share, noted for `settle`: each one's copies, by session. */
  private readonly shared = new Map<bigint, Map<string, UsageRecord>>();

  /**
   * `heldBeforeRun`: whether the server held a session before this run wrote anything of it (the
   * sender's, for the sessions it has taken up). A session first written in this run is not held
   * by it: a response moving away from it in this run is never a total lowered on the server.
   */
  constructor(
    private readonly store: StateStore,
    private readonly heldBeforeRun: (sessionId: string) => boolean | undefined = () => undefined,
    private readonly onServer?: ReadonlyMap<string, ShownTokens>,
  ) {}

  private totalsOnServer(sessionId: string): boolean {
    return this.onServer?.has(sessionId) || (this.heldBeforeRun(sessionId) ?? this.store.sentToServer(sessionId));
  }

  /**
   * Adds records (keyed as batchRecords keys them) read from the files named
   * by `fileIds` (path -> files.id). Returns the other sessions that lost a
   * response to these (a better copy turned up here): their totals changed.
   */
  add(records: Iterable<{ key: bigint; record: UsageRecord }>, fileIds: ReadonlyMap<string, number>): Set<string> {
    const losers = new Set<string>();
    let key = 0n;
    const tie = (candidate: UsageRecord, other: UsageRecord) => {
      const [c, k] = [this.totalsOnServer(candidate.sessionId), this.totalsOnServer(other.sessionId)];
      if (c && k) {
        if (this.onServer?.has(candidate.sessionId) && this.onServer.has(other.sessionId)) this.noteShared(key, candidate, other);
        return false;
      }
      return c === k ? undefined : c;
    };
    for (const item of records) {
      const record = item.record;
      key = item.key;
      const kept = this.store.getUsage(key);
      if (kept && !replaces(record, kept, tie)) continue;
      if (kept && kept.sessionId !== record.sessionId) losers.add(kept.sessionId);
      this.store.putUsage(key, record, record.file === undefined ? null : (fileIds.get(record.file) ?? null));
    }
    return losers;
  }

  private noteShared(key: bigint, ...copies: UsageRecord[]): void {
    let bySession = this.shared.get(key);
    if (!bySession) this.shared.set(key, (bySession = new Map()));
    for (const c of copies) bySession.set(c.sessionId, c);
  }

  /**
   * Once the read is done: the responses noted as shared go where the server's
   * totals say it counts them (placement.ts), one family of sessions (those
   * linked by shared responses) at a time. Returns the families' sessions.
   */
  settle(): Set<string> {
    const settled = new Set<string>();
    const onServer = this.onServer;
    if (!onServer) return settled;
    for (const family of this.families()) {
      const members = new Set(family.flatMap(({ copies }) => [...copies.keys()]));
      // Each session's totals without the shared responses it holds now.
      const base = new Map(
        [...members].map((id) => {
          const held = family.filter((f) => f.holder === id).map((f) => f.copies.get(id) as UsageRecord);
          return [id, minusShown(tokensShownFor(this.store.sessionUsage(id)), tokensShownFor(held))];
        }),
      );
      // Responses the same sessions share form a class: the server counts each class in one of them.
      const classes = new Map<string, typeof family>();
      for (const f of family) {
        const signature = [...f.copies.keys()].sort().join(" ");
        const same = classes.get(signature);
        if (same) same.push(f);
        else classes.set(signature, [f]);
      }
      const list = [...classes.values()];
      const shares = list.map((c) => new Map([...(c[0]?.copies.keys() ?? [])].map((id) => [id, tokensShownFor(c.map((f) => f.copies.get(id) as UsageRecord))])));
      const current = list.map((c) => (c.every((f) => f.holder === c[0]?.holder) ? c[0]?.holder : undefined));
      const server = new Map([...members].map((id) => [id, onServer.get(id) ?? NO_TOKENS_SHOWN]));
      const choice = placeShared(base, server, shares, current);
      list.forEach((c, i) => {
        const holder = choice?.[i];
        for (const f of holder === undefined ? [] : c) {
          if (f.holder === holder) continue;
          const record = f.copies.get(holder as string) as UsageRecord;
          this.store.putUsage(f.key, record, record.file === undefined ? null : this.store.fileId(record.file));
        }
      });
      members.forEach((id) => settled.add(id));
    }
    this.shared.clear();
    return settled;
  }

  /**
   * The noted responses still held by one of their copies' sessions (a better copy in another session may have
   * taken one since), grouped by family: sessions linked by the responses they share.
   */
  private families(): Array<Array<{ key: bigint; copies: Map<string, UsageRecord>; holder: string }>> {
    const parent = new Map<string, string>();
    const root = (id: string): string => {
      const up = parent.get(id) ?? id;
      return up === id ? id : root(up);
    };
    const noted = [...this.shared].flatMap(([key, copies]) => {
      const holder = this.store.getUsage(key)?.sessionId;
      return holder !== undefined && copies.has(holder) ? [{ key, copies, holder }] : [];
    });
    for (const { copies } of noted) {
      const [first, ...rest] = [...copies.keys()].map(root);
      for (const r of rest) if (r !== first) parent.set(r, first as string);
    }
    const byRoot = new Map<string, typeof noted>();
    for (const n of noted) {
      const r = root(n.holder);
      const family = byRoot.get(r);
      if (family) family.push(n);
      else byRoot.set(r, [n]);
    }
    return [...byRoot.values()];
  }
}
