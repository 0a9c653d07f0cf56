import { type Ledger, type UsageRecord, prefer } from "../fold/usage-ledger.ts";
import type { StateStore } from "./store.ts";

/**
 * The usage ledger of an incremental sync: responses already counted in an
 * earlier run live in the state database, so dedup spans every run, not only
 * the bytes read now. `touched` collects the sessions whose totals changed
 * (a response can move to another session when a better copy turns up).
 */
export class StateLedger implements Ledger {
  readonly touched = new Set<string>();

  constructor(private readonly store: StateStore) {}

  add(record: UsageRecord): void {
    // A keyless line is identified by its uuid, so reading it again changes nothing.
    const key = record.key ?? `line:${record.sessionId}:${record.lineId ?? ""}`;
    const kept = this.store.getUsage(key);
    if (kept && !prefer(record, kept)) return;
    if (kept) this.touched.add(kept.sessionId);
    this.store.putUsage(key, record);
    this.touched.add(record.sessionId);
  }
}
