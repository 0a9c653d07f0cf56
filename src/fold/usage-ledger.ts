import type { Tokens } from "../pricing/cost.ts";
import { type Iteration, billedOutside } from "../pricing/iterations.ts";
import type { Iteration as IterationLine, Usage } from "../transcript/schema.ts";


/**
 * The model of a response whose line names none: counted at no price (as ccusage), never a session's
 * model, and not a name a model can have (a model called "unknown" stays a model without a price).
 * prices.json lists it as unpriced, so no run reports it as a model without a price.
 */
export const NO_MODEL = "<no model>";

/** One API response's usage, as read from one transcript line. */
export interface UsageRecord {
  /** dedupKey: `message.id:requestId` (or the session and `message.id`); null when the line has no message id: never deduplicated. */
  key: string | null;
  /** The line's uuid: identifies a keyless record when the same bytes are read again. */
  lineId?: string;
  sessionId: string;
  sidechain: boolean;
  /** The line names another session than the one it is read in: a resumed session's copy of its original's line. */
  copy?: boolean;
  model: string;
  tokens: Tokens;
  /** The response line's timestamp, epoch ms: prices change over time. */
  at?: number;
  /** `usage.speed` as written (`standard`, `fast`). */
  speed?: string;
  /** `usage.inference_geo` as written (`us` is billed 1.1x; `global`, `not_available`). */
  inferenceGeo?: string;
  /** Only when the response was served by more than its own model's single inference (rare). */
  iterations?: Iteration[];
  /** The transcript the line was read from: of two equal copies, the one in the file first by path counts (as in ccusage). */
  file?: string;
}

/** The counts an API usage object and each of its iterations carry. */
type Counts = Pick<IterationLine, "input_tokens" | "output_tokens" | "cache_creation_input_tokens" | "cache_read_input_tokens" | "cache_creation">;

export function tokensOf(usage: Counts): Tokens {
  const created = usage.cache_creation_input_tokens ?? 0;
  const split = usage.cache_creation;
  const w5 = split?.ephemeral_5m_input_tokens;
  const w1h = split?.ephemeral_1h_input_tokens;
  // Without a 5m/1h split every cache write is a 5-minute write; so is what a split leaves out of the total
  // (all zeros, or one side missing): the total is the billed count, so all its tokens count. (ccusage 20.0.24
  // counts the split alone when there is one: 200 of 1,000 for a 5-minute side of 200, none for zeros.)
  const oneHour = w1h ?? 0;
  return {
    input: usage.input_tokens ?? 0,
    output: usage.output_tokens ?? 0,
    cacheWrite5m: Math.max(w5 ?? 0, created - oneHour),
    cacheWrite1h: oneHour,
    cacheRead: usage.cache_read_input_tokens ?? 0,
  };
}

/**
 * A response's iterations when they say more than its top-level usage: any of
 * another kind than `message` or with a model of its own. Since 2.1.1xx nearly
 * every line carries one plain `message` iteration repeating the totals: those
 * are dropped, not stored a hundred thousand times.
 */
function iterationsOf(usage: Usage): Iteration[] | undefined {
  const list = usage.iterations;
  if (!list?.some((i) => (i.type ?? "message") !== "message" || i.model)) return undefined;
  return list.map((i) => ({ kind: i.type ?? "message", ...(i.model ? { model: i.model } : {}), tokens: tokensOf(i) }));
}

/** What a line says besides its usage, for its usage record. */
type RecordFields = Pick<UsageRecord, "key" | "lineId" | "sessionId" | "sidechain" | "copy" | "model" | "at">;

export function recordOf(usage: Usage, fields: RecordFields): UsageRecord {
  const iterations = iterationsOf(usage);
  return {
    ...fields,
    tokens: tokensOf(usage),
    ...(usage.speed ? { speed: usage.speed } : {}),
    ...(usage.inference_geo ? { inferenceGeo: usage.inference_geo } : {}),
    ...(iterations ? { iterations } : {}),
  };
}

function totalOf(t: Tokens): number {
  return t.input + t.output + t.cacheWrite5m + t.cacheWrite1h + t.cacheRead;
}

/**
 * The tokens of the turns a response's iterations add to its top level (pricing/iterations.ts): part of its
 * total when copies are weighed, so a line that carries them beats an equal one written without them (a
 * response's earlier line), as ccusage weighs them. Only tokens are weighed, so no model is needed.
 */
function addedByIterations(iterations: readonly Iteration[] | undefined): number {
  if (!iterations) return 0;
  return billedOutside(iterations, "").reduce((n, part) => n + totalOf(part.tokens), 0);
}

const recordTotal = (r: UsageRecord) => totalOf(r.tokens) + addedByIterations(r.iterations);

/**
 * What makes two lines one response: its message id and request id, across every file. A line
 * without a request id (older Claude Code, some gateways, which also reuse message ids across
 * sessions) is one with the lines of its own session only, as ccusage 20 counts it.
 */
export function dedupKey(messageId: string | undefined, requestId: string | undefined, sessionId: string): string | null {
  if (!messageId) return null;
  return requestId ? `${messageId}:${requestId}` : `${sessionId}/${messageId}`;
}

/** Per-record flag bits, as the ledger stores them. */
const SIDECHAIN = 1;
const COPY = 2;

/**
 * When two lines report the same response (ccusage's rules, so totals equal
 * its): the main-thread copy over a sidechain's (a subagent's or a `/btw`
 * replay), then the larger total (a complete copy over a streaming partial
 * one); between equals, the copy read from the file first by path. So a
 * fork's copy of its parent's history counts once, where ccusage counts it.
 * Returns whether the candidate wins (1), loses (-1) or ties (0).
 */
function compare(candidateSidechain: boolean, candidateTotal: number, keptSidechain: boolean, keptTotal: number): number {
  if (candidateSidechain !== keptSidechain) return candidateSidechain ? -1 : 1;
  return Math.sign(candidateTotal - keptTotal);
}

/** Whether `candidate` is preferred over `kept` (ties aside). */
export function prefer(candidate: UsageRecord, kept: UsageRecord): boolean {
  return compare(candidate.sidechain, recordTotal(candidate), kept.sidechain, recordTotal(kept)) > 0;
}

/**
 * Whether `candidate` replaces `kept`: preferred, or equal and the original's line where the
 * other is a resumed session's copy of it, else read from a file that sorts first. Between
 * equal copies in two sessions, `tie` (when given, and when it says) decides first.
 */
export function replaces(candidate: UsageRecord, kept: UsageRecord, tie?: (candidate: UsageRecord, kept: UsageRecord) => boolean | undefined): boolean {
  const c = compare(candidate.sidechain, recordTotal(candidate), kept.sidechain, recordTotal(kept));
  if (c !== 0) return c > 0;
  const said = candidate.sessionId === kept.sessionId ? undefined : tie?.(candidate, kept);
  return said ?? originalFirst(candidate.copy === true, kept.copy === true) ?? firstPath(candidate.file, kept.file);
}

/**
 * Between equal copies, the original's line wins over a resumed session's copy of it, wherever
 * the files sort: an incremental sync, which held the original before the copy existed, and a
 * sync of both at once then count it in the same session (ccusage, by path, may count it in the copy).
 */
function originalFirst(candidateCopy: boolean, keptCopy: boolean): boolean | undefined {
  return candidateCopy === keptCopy ? undefined : keptCopy;
}

function firstPath(candidate: string | undefined, kept: string | undefined): boolean {
  return candidate !== undefined && kept !== undefined && candidate < kept;
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

/** The per-record columns besides tokens. Names (session, model, speed, geo, file) are indices into `names`; speed, geo and file add 1, 0 for none. */
interface Columns {
  session: Uint32Array;
  model: Uint32Array;
  /** 1 sidechain, 2 a copy (UsageRecord.copy). */
  flags: Uint8Array;
  /** Epoch ms of the response, NaN when unknown. */
  at: Float64Array;
  speed: Uint32Array;
  geo: Uint32Array;
  file: Uint32Array;
  /** lookupHash and checkHash of the record's identity. */
  keyHash: Float64Array;
  keyCheck: Uint32Array;
}

const COLUMNS = ["session", "model", "flags", "at", "speed", "geo", "file", "keyHash", "keyCheck"] as const;
/** Columns copied from the winning record (all but the key's). */
const VALUES = ["flags", "at"] as const;
const NAMED = ["session", "model"] as const;
const OPTIONAL_NAMED = ["speed", "geo", "file"] as const;

/**
 * A ledger's rows in a compact, transferable form: what a scan worker sends
 * the main thread for one session.
 */
export interface RecordBatch extends Columns {
  rows: number;
  /** Session ids, model names, speeds and geos, indexed by the named columns. */
  names: string[];
  /** Per record: input, output, cacheWrite5m, cacheWrite1h, cacheRead. */
  tokens: Float64Array;
  /** The few records with iterations, by row. */
  iterations: Array<[number, Iteration[]]>;
}

/** The buffers of a batch, to transfer rather than copy it. */
export function batchBuffers(b: RecordBatch): ArrayBuffer[] {
  return [b.tokens, ...COLUMNS.map((c) => b[c])].map((a) => a.buffer as ArrayBuffer);
}

function emptyColumns(n: number): Columns {
  return {
    session: new Uint32Array(n),
    model: new Uint32Array(n),
    flags: new Uint8Array(n),
    at: new Float64Array(n),
    speed: new Uint32Array(n),
    geo: new Uint32Array(n),
    file: new Uint32Array(n),
    keyHash: new Float64Array(n),
    keyCheck: new Uint32Array(n),
  };
}

/**
 * Every response counted once: Claude Code repeats one response's usage on
 * each of its lines, writes streaming partial copies, and copies history into
 * resumed and forked sessions' files. The first copy keeps its place; a
 * preferred later copy replaces its figures.
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
  private cols = emptyColumns(64);
  private readonly iterations = new Map<number, Iteration[]>();

  add(record: UsageRecord): void {
    const id = identity(record);
    const hash = lookupHash(id);
    const check = checkHash(id);
    const row = this.rowOf(hash, check);
    if (row === undefined) this.write(this.append(hash, check), record);
    else if (this.replacesRow(flagsOf(record), recordTotal(record), record.file, row)) this.write(row, record);
  }

  /** Adds a batch's records, in order, deduplicated against those already here (column to column: a merge moves 100,000s). */
  addBatch(b: RecordBatch): void {
    const names = b.names.map((name) => this.intern(name));
    const iterations = new Map(b.iterations);
    for (let i = 0; i < b.rows; i++) {
      const hash = b.keyHash[i] as number;
      const check = b.keyCheck[i] as number;
      let row = this.rowOf(hash, check);
      if (row === undefined) row = this.append(hash, check);
      else if (!this.replacesRow(b.flags[i] as number, rowTotal(b.tokens, i) + addedByIterations(iterations.get(i)), named(b.names, b.file[i] as number), row)) continue;
      this.tokens.set(b.tokens.subarray(i * FIELDS, (i + 1) * FIELDS), row * FIELDS);
      for (const col of VALUES) this.cols[col][row] = b[col][i] as number;
      for (const col of NAMED) this.cols[col][row] = names[b[col][i] as number] as number;
      for (const col of OPTIONAL_NAMED) {
        const v = b[col][i] as number;
        this.cols[col][row] = v === 0 ? 0 : (names[v - 1] as number) + 1;
      }
      this.setIterations(row, iterations.get(i));
    }
  }

  /**
   * Whether a candidate (its flags, its total with its iterations' turns, its file) replaces `row` (see
   * `replaces`), read from the columns: most lines of a response repeat one already here, and building a
   * record of the row for each of them cost more than the rest of the ledger.
   */
  private replacesRow(flags: number, total: number, file: string | undefined, row: number): boolean {
    const keptFlags = this.cols.flags[row] as number;
    const keptTotal = rowTotal(this.tokens, row) + addedByIterations(this.iterations.get(row));
    const c = compare((flags & SIDECHAIN) !== 0, total, (keptFlags & SIDECHAIN) !== 0, keptTotal);
    if (c !== 0) return c > 0;
    return originalFirst((flags & COPY) !== 0, (keptFlags & COPY) !== 0) ?? firstPath(file, named(this.names, this.cols.file[row] as number));
  }

  *records(): IterableIterator<UsageRecord> {
    for (let row = 0; row < this.rows; row++) yield this.read(row);
  }

  toBatch(): RecordBatch {
    const n = this.rows;
    const cols = Object.fromEntries(COLUMNS.map((col) => [col, this.cols[col].slice(0, n)])) as unknown as Columns;
    return { ...cols, rows: n, names: [...this.names], tokens: this.tokens.slice(0, n * FIELDS), iterations: [...this.iterations] };
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
    if (this.cols.keyCheck[row] === check) return row;
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
    if (this.rows === this.cols.session.length) {
      const grow = <T extends Float64Array | Uint32Array | Uint8Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.tokens = grow(this.tokens);
      this.cols = Object.fromEntries(COLUMNS.map((col) => [col, grow(this.cols[col])])) as unknown as Columns;
    }
    this.cols.keyHash[this.rows] = hash;
    this.cols.keyCheck[this.rows] = check;
    return this.rows++;
  }

  private setIterations(row: number, list: Iteration[] | undefined): void {
    if (list) this.iterations.set(row, list);
    else this.iterations.delete(row);
  }

  private write(row: number, r: UsageRecord): void {
    const t = row * FIELDS;
    this.tokens[t] = r.tokens.input;
    this.tokens[t + 1] = r.tokens.output;
    this.tokens[t + 2] = r.tokens.cacheWrite5m;
    this.tokens[t + 3] = r.tokens.cacheWrite1h;
    this.tokens[t + 4] = r.tokens.cacheRead;
    const c = this.cols;
    c.session[row] = this.intern(r.sessionId);
    c.model[row] = this.intern(r.model);
    c.flags[row] = flagsOf(r);
    c.at[row] = r.at ?? Number.NaN;
    c.speed[row] = r.speed ? this.intern(r.speed) + 1 : 0;
    c.geo[row] = r.inferenceGeo ? this.intern(r.inferenceGeo) + 1 : 0;
    c.file[row] = r.file ? this.intern(r.file) + 1 : 0;
    this.setIterations(row, r.iterations);
  }

  private read(row: number): UsageRecord {
    return recordAt(this.tokens, this.cols, row, this.names, this.iterations.get(row));
  }
}

const flagsOf = (r: UsageRecord) => (r.sidechain ? SIDECHAIN : 0) | (r.copy ? COPY : 0);

/** A named column's value (the name's index plus 1, 0 for none) as its name. */
const named = (names: readonly string[], v: number) => (v === 0 ? undefined : names[v - 1]);

function rowTotal(tokens: Float64Array, row: number): number {
  const t = row * FIELDS;
  return (tokens[t] as number) + (tokens[t + 1] as number) + (tokens[t + 2] as number) + (tokens[t + 3] as number) + (tokens[t + 4] as number);
}

/** Row `row` of column-wise records (a ledger's or a batch's) as a record. */
function recordAt(tokens: Float64Array, c: Columns, row: number, names: readonly string[], iterations: Iteration[] | undefined): UsageRecord {
  const t = row * FIELDS;
  const at = c.at[row] as number;
  const speed = named(names, c.speed[row] as number);
  const geo = named(names, c.geo[row] as number);
  const file = named(names, c.file[row] as number);
  return {
    key: null,
    sessionId: names[c.session[row] as number] as string,
    model: names[c.model[row] as number] as string,
    sidechain: ((c.flags[row] as number) & SIDECHAIN) !== 0,
    ...(((c.flags[row] as number) & COPY) !== 0 ? { copy: true } : {}),
    tokens: {
      input: tokens[t] as number,
      output: tokens[t + 1] as number,
      cacheWrite5m: tokens[t + 2] as number,
      cacheWrite1h: tokens[t + 3] as number,
      cacheRead: tokens[t + 4] as number,
    },
    ...(Number.isNaN(at) ? {} : { at }),
    ...(speed ? { speed } : {}),
    ...(geo ? { inferenceGeo: geo } : {}),
    ...(iterations ? { iterations } : {}),
    ...(file ? { file } : {}),
  };
}

/**
 * A batch's records, each with a 64-bit key for the state database made of
 * its two hashes (53 + 32 bits folded into 64), in order.
 */
export function* batchRecords(b: RecordBatch): Generator<{ key: bigint; record: UsageRecord }> {
  const iterations = new Map(b.iterations);
  for (let i = 0; i < b.rows; i++) {
    const record = recordAt(b.tokens, b, i, b.names, iterations.get(i));
    yield { key: BigInt.asIntN(64, (BigInt(b.keyHash[i] as number) << 11n) ^ BigInt(b.keyCheck[i] as number)), record };
  }
}
