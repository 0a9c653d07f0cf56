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
  /** The transcript the line was read from: of two equal copies, the one in the file first by path counts (as in ccusage). */
  file?: string;
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
function preferred(candidateSidechain: boolean, candidateTotal: number, keptSidechain: boolean, keptTotal: number): boolean {
  if (candidateSidechain !== keptSidechain) return !candidateSidechain;
  return candidateTotal > keptTotal;
}

export function prefer(candidate: UsageRecord, kept: UsageRecord): boolean {
  return preferred(candidate.sidechain, totalOf(candidate.tokens), kept.sidechain, totalOf(kept.tokens));
}

/** Neither copy is preferred: the one read from the file first by path counts. */
function tie(candidateSidechain: boolean, candidateTotal: number, keptSidechain: boolean, keptTotal: number): boolean {
  return candidateSidechain === keptSidechain && candidateTotal === keptTotal;
}

/** Whether `candidate` replaces `kept`: preferred, or tied and read from a file that sorts first. */
export function replaces(candidate: UsageRecord, kept: UsageRecord): boolean {
  if (prefer(candidate, kept)) return true;
  const tied = tie(candidate.sidechain, totalOf(candidate.tokens), kept.sidechain, totalOf(kept.tokens));
  return tied && candidate.file !== undefined && kept.file !== undefined && candidate.file < kept.file;
}

const FIELDS = 5; // input, output, cacheWrite5m, cacheWrite1h, cacheRead

/** Where the fold puts usage records: in memory for a dry run, in the state database for a sync. */
export interface Ledger {
  add(record: UsageRecord): void;
}

/**
 * A dedup key as two independent hashes: 53 bits to look it up, 32 more to
 * tell another key with the same lookup hash from a copy. A large history has
 * hundreds of thousands of keys: as strings they cost about 20 MB more.
 */
const lookupHash = (key: string) => Bun.hash.crc32(key) * 2 ** 21 + (Bun.hash.murmur32v3(key) >>> 11);
const checkHash = (key: string) => Bun.hash.cityHash32(key);

/**
 * What identifies a response: `message.id:requestId`, or for a line without a
 * message id the line itself (its session and uuid), so reading the same
 * bytes again changes nothing while other keyless lines never merge.
 */
function identity(r: UsageRecord): string {
  return r.key ?? `line:${r.sessionId}:${r.lineId ?? ""}`;
}
/** The file column of a record whose file is not known. */
const NO_FILE = 0xffffffff;

/**
 * A ledger's rows in a compact, transferable form: what a scan worker sends
 * the main thread for one session.
 */
export interface RecordBatch {
  rows: number;
  /** Session ids and model names, indexed by `session` and `model`. */
  names: string[];
  session: Uint32Array;
  model: Uint32Array;
  /** Per record: the file it was read from (index into `names`; NO_FILE when not known). */
  file: Uint32Array;
  /** Per record: 1 sidechain, 2 fast. */
  flags: Uint8Array;
  /** Per record: input, output, cacheWrite5m, cacheWrite1h, cacheRead. */
  tokens: Float64Array;
  /** Per record: lookupHash and checkHash of its identity. */
  keyHash: Float64Array;
  keyCheck: Uint32Array;
}

/** The buffers of a batch, to transfer rather than copy it. */
export function batchBuffers(b: RecordBatch): ArrayBuffer[] {
  return [b.session, b.model, b.file, b.flags, b.tokens, b.keyHash, b.keyCheck].map((a) => a.buffer as ArrayBuffer);
}

/**
 * Every response counted once: Claude Code repeats one response's usage on
 * each of its lines, writes streaming partial copies, and copies history into
 * resumed sessions' files. The first copy keeps its place; a preferred later
 * copy replaces its figures.
 *
 * Kept column-wise (numbers in typed arrays, session and model names
 * interned, keys hashed) because a large history has hundreds of thousands of
 * responses: one object per response cost about 1 KB each.
 */
export class UsageLedger implements Ledger {
  private readonly rowOfHash = new Map<number, number>();
  /** Rows of keys whose lookup hash another key has: by both hashes. */
  private readonly collided = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly nameIndex = new Map<string, number>();
  private rows = 0;
  private tokens = new Float64Array(64 * FIELDS);
  private session = new Uint32Array(64);
  private model = new Uint32Array(64);
  private file = new Uint32Array(64);
  private flags = new Uint8Array(64);
  private keyHash = new Float64Array(64);
  private keyCheck = new Uint32Array(64);

  add(record: UsageRecord): void {
    const id = identity(record);
    const hash = lookupHash(id);
    const check = checkHash(id);
    const row = this.rowOf(hash, check);
    if (row === undefined) this.write(this.append(hash, check), record);
    else if (replaces(record, this.read(row))) this.write(row, record);
  }

  /** Adds a batch's records, in order, deduplicated against those already here (column to column: a merge moves 100,000s). */
  addBatch(b: RecordBatch): void {
    const names = b.names.map((name) => this.intern(name));
    for (let i = 0; i < b.rows; i++) {
      const hash = b.keyHash[i] as number;
      const check = b.keyCheck[i] as number;
      let row = this.rowOf(hash, check);
      if (row === undefined) row = this.append(hash, check);
      else if (!this.batchReplaces(b, i, names, row)) continue;
      this.tokens.set(b.tokens.subarray(i * FIELDS, (i + 1) * FIELDS), row * FIELDS);
      this.session[row] = names[b.session[i] as number] as number;
      this.model[row] = names[b.model[i] as number] as number;
      this.file[row] = b.file[i] === NO_FILE ? NO_FILE : (names[b.file[i] as number] as number);
      this.flags[row] = b.flags[i] as number;
    }
  }

  /** Whether row `i` of batch `b` replaces this ledger's `row` (see `replaces`), without building records. */
  private batchReplaces(b: RecordBatch, i: number, names: number[], row: number): boolean {
    const sidechain = ((b.flags[i] as number) & 1) !== 0;
    const keptSidechain = ((this.flags[row] as number) & 1) !== 0;
    const total = rowTotal(b.tokens, i);
    const keptTotal = rowTotal(this.tokens, row);
    if (preferred(sidechain, total, keptSidechain, keptTotal)) return true;
    if (!tie(sidechain, total, keptSidechain, keptTotal) || b.file[i] === NO_FILE || this.file[row] === NO_FILE) return false;
    return (this.names[names[b.file[i] as number] as number] as string) < (this.names[this.file[row] as number] as string);
  }

  *records(): IterableIterator<UsageRecord> {
    for (let row = 0; row < this.rows; row++) yield this.read(row);
  }

  toBatch(): RecordBatch {
    const n = this.rows;
    return {
      rows: n,
      names: [...this.names],
      session: this.session.slice(0, n),
      model: this.model.slice(0, n),
      file: this.file.slice(0, n),
      flags: this.flags.slice(0, n),
      tokens: this.tokens.slice(0, n * FIELDS),
      keyHash: this.keyHash.slice(0, n),
      keyCheck: this.keyCheck.slice(0, n),
    };
  }

  /**
   * The row holding this key, or undefined for a key not seen yet (or no key):
   * the key is then given the row the next append() makes, which the caller must make.
   */
  private rowOf(hash: number, check: number): number | undefined {
    const row = this.rowOfHash.get(hash);
    if (row === undefined) {
      this.rowOfHash.set(hash, this.rows);
      return undefined;
    }
    if (this.keyCheck[row] === check) return row;
    const both = `${hash}:${check}`;
    const other = this.collided.get(both);
    if (other === undefined) this.collided.set(both, this.rows);
    return other;
  }

  private intern(name: string): number {
    let i = this.nameIndex.get(name);
    if (i === undefined) {
      i = this.names.push(name) - 1;
      this.nameIndex.set(name, i);
    }
    return i;
  }

  private append(hash: number, check: number): number {
    if (this.rows === this.session.length) {
      const grow = <T extends Float64Array | Uint32Array | Uint8Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.tokens = grow(this.tokens);
      this.session = grow(this.session);
      this.model = grow(this.model);
      this.file = grow(this.file);
      this.flags = grow(this.flags);
      this.keyHash = grow(this.keyHash);
      this.keyCheck = grow(this.keyCheck);
    }
    this.keyHash[this.rows] = hash;
    this.keyCheck[this.rows] = check;
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
    this.file[row] = r.file === undefined ? NO_FILE : this.intern(r.file);
    this.flags[row] = (r.sidechain ? 1 : 0) | (r.fast ? 2 : 0);
  }

  private read(row: number): UsageRecord {
    const file = this.file[row] as number;
    return recordAt(this.tokens, row, this.flags[row] as number, {
      key: null,
      sessionId: this.names[this.session[row] as number] as string,
      model: this.names[this.model[row] as number] as string,
      ...(file === NO_FILE ? {} : { file: this.names[file] as string }),
    });
  }
}

function rowTotal(tokens: Float64Array, row: number): number {
  const t = row * FIELDS;
  return (tokens[t] as number) + (tokens[t + 1] as number) + (tokens[t + 2] as number) + (tokens[t + 3] as number) + (tokens[t + 4] as number);
}

/** A record from row `row` of the column-wise token and flag arrays. */
function recordAt(tokens: Float64Array, row: number, flags: number, names: Pick<UsageRecord, "key" | "sessionId" | "model" | "file">): UsageRecord {
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

/**
 * A batch's records, each with a 64-bit key for the state database made of
 * its two hashes (53 + 32 bits folded into 64), in order.
 */
export function* batchRecords(b: RecordBatch): Generator<{ key: bigint; record: UsageRecord }> {
  for (let i = 0; i < b.rows; i++) {
    const file = b.file[i] as number;
    const record = recordAt(b.tokens, i, b.flags[i] as number, {
      key: null,
      sessionId: b.names[b.session[i] as number] as string,
      model: b.names[b.model[i] as number] as string,
      ...(file === NO_FILE ? {} : { file: b.names[file] as string }),
    });
    yield { key: BigInt.asIntN(64, (BigInt(b.keyHash[i] as number) << 11n) ^ BigInt(b.keyCheck[i] as number)), record };
  }
}
