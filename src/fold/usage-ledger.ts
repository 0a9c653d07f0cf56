import type { Tokens } from "../pricing/cost.ts";
import type { Usage } from "../transcript/schema.ts";

/** One API response's usage, as read from one transcript line. */
export interface UsageRecord {
  /** `message.id:requestId` (or `message.id`); null when the line has no message id: never deduplicated. */
  key: string | null;
  sessionId: string;
  sidechain: boolean;
  model: string;
  tokens: Tokens;
  fast: boolean;
}

export function tokensOf(usage: Usage): Tokens {
  const created = usage.cache_creation_input_tokens;
  const split = usage.cache_creation;
  const w5 = split?.ephemeral_5m_input_tokens;
  const w1h = split?.ephemeral_1h_input_tokens;
  // Without a 5m/1h split every cache write is a 5-minute write.
  const hasSplit = w5 !== undefined || w1h !== undefined;
  return {
    input: usage.input_tokens,
    output: usage.output_tokens,
    cacheWrite5m: hasSplit ? (w5 ?? 0) : created,
    cacheWrite1h: hasSplit ? (w1h ?? 0) : 0,
    cacheRead: usage.cache_read_input_tokens,
  };
}

export function totalOf(t: Tokens): number {
  return t.input + t.output + t.cacheWrite5m + t.cacheWrite1h + t.cacheRead;
}

export function dedupKey(messageId: string | undefined, requestId: string | undefined): string | null {
  if (!messageId) return null;
  return requestId ? `${messageId}:${requestId}` : messageId;
}

/** When two lines report the same response: keep the main-thread copy, else the larger (complete) one. */
export function prefer(candidate: UsageRecord, kept: UsageRecord): boolean {
  if (candidate.sidechain !== kept.sidechain) return !candidate.sidechain;
  return totalOf(candidate.tokens) > totalOf(kept.tokens);
}

/**
 * Every response counted once across all files of a run: Claude Code repeats
 * one response's usage on each of its lines, writes streaming partial copies,
 * and copies history into resumed sessions' files.
 */
export class UsageLedger {
  private readonly byKey = new Map<string, UsageRecord>();
  private readonly unkeyed: UsageRecord[] = [];

  add(record: UsageRecord): void {
    if (record.key === null) {
      this.unkeyed.push(record);
      return;
    }
    const kept = this.byKey.get(record.key);
    if (!kept || prefer(record, kept)) this.byKey.set(record.key, record);
  }

  *records(): IterableIterator<UsageRecord> {
    yield* this.byKey.values();
    yield* this.unkeyed;
  }
}
