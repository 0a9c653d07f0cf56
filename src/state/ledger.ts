import { type UsageRecord, replaces } from "../fold/usage-ledger.ts";
import type { StateStore } from "./store.ts";

/**
 * The usage ledger of an incremental sync: responses counted in an earlier
 * run live in the state database, so dedup spans every run, not only the
 * bytes read now. Ties go to the copy in the file first by path (see
 * `replaces`), so the outcome does not depend on the order files are read in.
 */
export class StateLedger {
  constructor(private readonly store: StateStore) {}

  /**
   * Adds records (keyed as batchRecords keys them) read from the files named
   * by `fileIds` (path -> files.id). Returns the other sessions that lost a
   * response to these (a better copy turned up here): their totals changed.
   */
  add(records: Iterable<{ key: bigint; record: UsageRecord }>, fileIds: ReadonlyMap<string, number>): Set<string> {
    const losers = new Set<string>();
    for (const { key, record } of records) {
      const kept = this.store.getUsage(key);
      if (kept && !replaces(record, kept)) continue;
      if (kept && kept.sessionId !== record.sessionId) losers.add(kept.sessionId);
      this.store.putUsage(key, record, record.file === undefined ? null : (fileIds.get(record.file) ?? null));
    }
    return losers;
  }
}
