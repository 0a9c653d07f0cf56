import type { Tokens } from "../pricing/cost.ts";
import type { Usage } from "../transcript/schema.ts";

/** One API response's usage, as read from one transcript line. */
export interface UsageRecord {
  /** `message.id:requestId` (or `message.id`); null when the line has no message id: never deduplicated. */
  key: string | null;
  /** The line's uuid: identifies a keyless record when the same bytes are read again. */
  lineId?: string;
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

const FIELDS = 5; // input, output, cacheWrite5m, cacheWrite1h, cacheRead

/** Where the fold puts usage records: in memory for a dry run, in the state database for a sync. */
export interface Ledger {
  add(record: UsageRecord): void;
}

/**
 * Every response counted once across all files of a run: Claude Code repeats
 * one response's usage on each of its lines, writes streaming partial copies,
 * and copies history into resumed sessions' files.
 *
 * Kept column-wise (numbers in typed arrays, session and model names interned)
 * because a large history has hundreds of thousands of responses: one object
 * per response cost about 1 KB each.
 */
export class UsageLedger implements Ledger {
  private readonly rowOfKey = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly nameIndex = new Map<string, number>();
  private rows = 0;
  private tokens = new Float64Array(1024 * FIELDS);
  private session = new Uint32Array(1024);
  private model = new Uint32Array(1024);
  private flags = new Uint8Array(1024); // 1: sidechain, 2: fast

  add(record: UsageRecord): void {
    if (record.key === null) {
      this.write(this.append(), record);
      return;
    }
    const row = this.rowOfKey.get(record.key);
    if (row === undefined) {
      const fresh = this.append();
      this.rowOfKey.set(record.key, fresh);
      this.write(fresh, record);
    } else if (prefer(record, this.read(row))) {
      this.write(row, record);
    }
  }

  *records(): IterableIterator<UsageRecord> {
    for (let row = 0; row < this.rows; row++) yield this.read(row);
  }

  private intern(name: string): number {
    let i = this.nameIndex.get(name);
    if (i === undefined) {
      i = this.names.push(name) - 1;
      this.nameIndex.set(name, i);
    }
    return i;
  }

  private append(): number {
    if (this.rows === this.session.length) {
      const grow = <T extends Float64Array | Uint32Array | Uint8Array>(a: T, by: number): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.tokens = grow(this.tokens, FIELDS);
      this.session = grow(this.session, 1);
      this.model = grow(this.model, 1);
      this.flags = grow(this.flags, 1);
    }
    return this.rows++;
  }

  private write(row: number, r: UsageRecord): void {
    const t = row * FIELDS;
    this.tokens[t] = r.tokens.input;
    this.tokens[t + 1] = r.tokens.output;
    this.tokens[t + 2] = r.tokens.cacheWrite5m;
    this.tokens[t + 3] = r.tokens.cacheWrite1h;
    this.tokens[t + 4] = r.tokens.cacheRead;
    this.session[row] = this.intern(r.sessionId);
    this.model[row] = this.intern(r.model);
    this.flags[row] = (r.sidechain ? 1 : 0) | (r.fast ? 2 : 0);
  }

  private read(row: number): UsageRecord {
    return recordAt(this.tokens, row, this.flags[row] as number, {
      key: null,
      sessionId: this.names[this.session[row] as number] as string,
      model: this.names[this.model[row] as number] as string,
    });
  }
}

/**
 * One session's usage records in a compact, transferable form (a scan worker
 * sends these to the main thread), deduplicated within the session the same
 * way the ledger does, first copy first.
 */
export interface RecordBatch {
  sessionId: string;
  keys: Array<string | null>;
  models: string[];
  /** Per record: index into `models`. */
  model: Uint32Array;
  /** Per record: 1 sidechain, 2 fast. */
  flags: Uint8Array;
  /** Per record: input, output, cacheWrite5m, cacheWrite1h, cacheRead. */
  tokens: Float64Array;
}

/** Collects one session's records; a worker turns them into a RecordBatch. */
export class SessionRecords implements Ledger {
  private readonly list: UsageRecord[] = [];
  private readonly index = new Map<string, number>();

  add(record: UsageRecord): void {
    if (record.key === null) {
      this.list.push(record);
      return;
    }
    const i = this.index.get(record.key);
    if (i === undefined) this.index.set(record.key, this.list.push(record) - 1);
    else if (prefer(record, this.list[i] as UsageRecord)) this.list[i] = record;
  }

  toBatch(sessionId: string): RecordBatch {
    const n = this.list.length;
    const models: string[] = [];
    const modelIndex = new Map<string, number>();
    const batch: RecordBatch = {
      sessionId,
      keys: new Array(n),
      models,
      model: new Uint32Array(n),
      flags: new Uint8Array(n),
      tokens: new Float64Array(n * FIELDS),
    };
    this.list.forEach((r, i) => {
      let m = modelIndex.get(r.model);
      if (m === undefined) modelIndex.set(r.model, (m = models.push(r.model) - 1));
      batch.keys[i] = r.key;
      batch.model[i] = m;
      batch.flags[i] = (r.sidechain ? 1 : 0) | (r.fast ? 2 : 0);
      batch.tokens.set([r.tokens.input, r.tokens.output, r.tokens.cacheWrite5m, r.tokens.cacheWrite1h, r.tokens.cacheRead], i * FIELDS);
    });
    return batch;
  }
}

/** The records of a batch, in their order. */
export function* batchRecords(b: RecordBatch): IterableIterator<UsageRecord> {
  for (let i = 0; i < b.keys.length; i++) {
    yield recordAt(b.tokens, i, b.flags[i] as number, {
      key: b.keys[i] ?? null,
      sessionId: b.sessionId,
      model: b.models[b.model[i] as number] as string,
    });
  }
}

/** A record from row `row` of the column-wise token and flag arrays. */
function recordAt(tokens: Float64Array, row: number, flags: number, names: Pick<UsageRecord, "key" | "sessionId" | "model">): UsageRecord {
  const t = row * FIELDS;
  return {
    ...names,
    sidechain: (flags & 1) !== 0,
    fast: (flags & 2) !== 0,
    tokens: {
      input: tokens[t] as number,
      output: tokens[t + 1] as number,
      cacheWrite5m: tokens[t + 2] as number,
      cacheWrite1h: tokens[t + 3] as number,
      cacheRead: tokens[t + 4] as number,
    },
  };
}
