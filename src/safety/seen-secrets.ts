import { isStandIn } from "./look-alikes.ts";
import { MARKER_ONLY, redactionMarker } from "./marker.ts";
import { mapStrings } from "./sanitize.ts";

/** Shorter values are too likely to be words; longer ones are whole files (a private key), which rules find again anyway. */
const MIN_LENGTH = 8;
const MAX_LENGTH = 512;
const LETTERS = /^[A-Za-z]+$/;
const lineOf = (before: string) => before.slice(before.lastIndexOf("\n") + 1);
/** Values remembered per session; the oldest go first. */
const MEMORY = 64;

/**
 * What a later read of the session is told of the secrets seen so far: salted digests, never the
 * values (the state keeps no secret). The salt is the session's own, so equal digests in two
 * sessions say nothing.
 */
export interface SeenDigests {
  salt: string;
  digests: string[];
}

/**
 * A word as a later text may show a secret: a run of characters between spaces, quotes and
 * brackets (a secret holding one of these is known again only by the read that saw it); or a part of one (PART_SEPARATORS).
 */
const WORD = /[^\s"'`,;()[\]{}<>]{8,512}/g;
/** What may end a sentence after the word. */
const TRAILING_CHARS = ".:!?";
const TRAILING = new RegExp(`[${TRAILING_CHARS}]+$`);
const codes = (chars: string) => new Set([...chars].map((c) => c.charCodeAt(0)));
/**
 * What separates a name from its value (`Key:<value>`, `TOKEN=<value>`) and a URL's or a path's parts, between which a
 * value may sit as a read that saw it replaces it within (`https://<value>@host`, `/hooks/<value>`, `?key=<value>&page=2`),
 * as character codes.
 */
const PART_SEPARATORS = codes("/@?&=:");
const TRAILING_CODES = codes(TRAILING_CHARS);

/**
 * The secrets one session has shown where a rule could tell them (`DB_PASSWORD=…`, a key a
 * command printed), so that where the session shows one again bare (the assistant's next reply:
 * "I set it to …") it goes too. The read that saw a secret replaces it wherever it occurs; later
 * reads (the next hook's) know it by its digest, as a whole word or a part of one (a URL's, a path's).
 */
export class SeenSecrets {
  /** Longest first: a value holding another is replaced whole. */
  private values: string[] = [];
  private readonly salt: string;
  private readonly digests: Set<string>;
  /** Digests in the order they were seen, to drop the oldest. */
  private readonly order: string[];
  /** Values this read has learned so far: what was built before the count grew may hold one bare. */
  learned = 0;
  /** Values learned since `takeFresh` was last called that no earlier read knew (by digest). */
  private fresh: string[] = [];

  constructor(carried?: SeenDigests) {
    this.salt = carried?.salt ?? crypto.randomUUID();
    this.order = [...(carried?.digests ?? [])];
    this.digests = new Set(this.order);
  }

  /**
   * Remembers `value`; `before` is the text before it (its line: what it was assigned to). A word of letters that its own line
   * names before it (`POSTGRES_PASSWORD: postgres`, `postgres://postgres:postgres@…`) is masked there but not remembered: the
   * session uses it as a word elsewhere (`image: postgres:16`, `psql -U postgres`, `postgresql://`).
   */
  note(value: string, before = ""): void {
    if (value.length < MIN_LENGTH || value.length > MAX_LENGTH || /\s/.test(value) || MARKER_ONLY.test(value) || isStandIn(value)) return;
    if (LETTERS.test(value) && lineOf(before).toLowerCase().includes(value.toLowerCase())) return;
    if (this.values.includes(value)) return;
    if (this.values.length >= MEMORY) this.values.shift();
    this.values.push(value);
    this.learned++;
    this.values.sort((a, b) => b.length - a.length);
    const digest = this.digest(value);
    if (this.digests.has(digest)) return;
    this.fresh.push(value);
    this.digests.add(digest);
    this.order.push(digest);
    if (this.order.length > MEMORY) this.digests.delete(this.order.shift() as string);
  }

  /** `text` with every secret seen so far replaced, and how many were. */
  redact(text: string): { text: string; count: number } {
    let count = 0;
    for (const value of this.values) {
      if (!text.includes(value)) continue;
      const pieces = text.split(value);
      count += pieces.length - 1;
      text = pieces.join(redactionMarker("secret"));
    }
    // Values this read has not seen itself, known by their digests.
    if (this.digests.size > this.values.length) {
      text = text.replace(WORD, (word) => {
        const found = this.known(word);
        if (found !== undefined) {
          count++;
          return redactionMarker("secret") + found.rest;
        }
        const parts = this.knownParts(word);
        if (parts === undefined) return word;
        count += parts.count;
        return parts.text;
      });
    }
    return { text, count };
  }

  /** Every string in `value` (arrays and objects walked) redacted as `redact` does, and how many were. */
  redactValue<T>(value: T): { value: T; count: number } {
    let count = 0;
    const out = mapStrings(value, (s) => {
      const r = this.redact(s);
      count += r.count;
      return r.text;
    }) as T;
    return { value: out, count };
  }

  /** The values no earlier read knew, learned since the last call: messages recorded before may show them bare. */
  takeFresh(): string[] {
    return this.fresh.splice(0);
  }

  /** What the next read of the session is told; nothing when nothing was seen. */
  carried(): SeenDigests | undefined {
    return this.order.length > 0 ? { salt: this.salt, digests: [...this.order] } : undefined;
  }

  /** The word as it is, or without what ends a sentence (a secret may end in "!" itself), when it is a known secret. */
  private known(word: string): { rest: string } | undefined {
    const bare = this.digests.has(this.digest(word)) ? word : word.replace(TRAILING, "");
    if (bare.length < MIN_LENGTH || !this.digests.has(this.digest(bare))) return undefined;
    return { rest: word.slice(bare.length) };
  }

  /**
   * The word with each of its parts (PART_SEPARATORS) that is a known secret replaced, and how many were; undefined
   * when none is. A part, not a run of parts: a word may have dozens (a path), and each run looked up costs a digest;
   * but also the rest of the word from each part on (as `known` reads a word), for a value after its name
   * (`Key:<secret>`) and for one that holds a separator itself at a path's end (`vertex_ai/<name@20251101>`,
   * `/keys/<user:pass>`).
   */
  private knownParts(word: string): { text: string; count: number } | undefined {
    let end = word.length;
    while (end > 0 && TRAILING_CODES.has(word.charCodeAt(end - 1))) end--;
    let text = "";
    let count = 0;
    let kept = 0;
    for (let from = 0, i = 0; i <= end; i++) {
      if (i < end && !PART_SEPARATORS.has(word.charCodeAt(i))) continue;
      // The rest of the word from here on; at its end, that is the last part. The whole word was looked up already.
      const rest = from > 0 ? this.known(word.slice(from)) : undefined;
      if (rest !== undefined) {
        text += word.slice(kept, from) + redactionMarker("secret");
        kept = word.length - rest.rest.length;
        count++;
        break;
      }
      if (i < end && i - from >= MIN_LENGTH && this.digests.has(this.digest(word.slice(from, i)))) {
        text += word.slice(kept, from) + redactionMarker("secret");
        kept = i;
        count++;
      }
      from = i + 1;
    }
    return count > 0 ? { text: text + word.slice(kept), count } : undefined;
  }

  private digest(value: string): string {
    return Bun.hash.wyhash(this.salt + value).toString(36);
  }
}
