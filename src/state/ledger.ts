import { type UsageRecord, replaces } from "../fold/usage-ledger.ts";
import type { StateStore } from "./store.ts";

/**
 * The usage ledger of an incremental sync: responses counted in an earlier
 * run live in the state database, so dedup spans every run, not only the
 * bytes read now. Ties go to the copy in the file first by path (see
 * `replaces`), so the outcome does not depend on the order files are read in;
 * except between sessions the server holds with their totals: one it holds
 * keeps its responses against an equal copy in one it does not, and between two
 * it holds a response stays where it is (`sync --full` included). OpenSync
 * never lowers a total to 0: a resumed session's copy of the history, turning
 * up later in a file that sorts first, would otherwise be counted on the server
 * twice, by the original that cannot give it up and by the copy. A dry run,
 * which knows no server, still counts such a copy where ccusage does.
 */
export class StateLedger {
  /**
   * `heldBeforeRun`: whether the server held a session before this run wrote anything of it (the
   * sender's, for the sessions it has taken up). A session first written in this run is not held
   * by it: a response moving away from it in this run is never a total lowered on the server.
   */
  constructor(
    private readonly store: StateStore,
    private readonly heldBeforeRun: (sessionId: string) => boolean | undefined = () => undefined,
  ) {}

  private totalsOnServer(sessionId: string): boolean {
    return this.heldBeforeRun(sessionId) ?? this.store.sentToServer(sessionId);
  }

  /**
   * Adds records (keyed as batchRecords keys them) read from the files named
   * by `fileIds` (path -> files.id). Returns the other sessions that lost a
   * response to these (a better copy turned up here): their totals changed.
   */
  add(records: Iterable<{ key: bigint; record: UsageRecord }>, fileIds: ReadonlyMap<string, number>): Set<string> {
    const losers = new Set<string>();
    const tie = (candidate: string, kept: string) => {
      const [c, k] = [this.totalsOnServer(candidate), this.totalsOnServer(kept)];
      if (c && k) return false;
      return c === k ? undefined : c;
    };
    for (const { key, record } of records) {
      const kept = this.store.getUsage(key);
      if (kept && !replaces(record, kept, tie)) continue;
      if (kept && kept.sessionId !== record.sessionId) losers.add(kept.sessionId);
      this.store.putUsage(key, record, record.file === undefined ? null : (fileIds.get(record.file) ?? null));
    }
    return losers;
  }
}
