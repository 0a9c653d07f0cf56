/**
 * Finds every occurrence of many keywords in one pass over a text (an Aho–Corasick automaton),
 * ignoring ASCII case. This pass is all that a text without any keyword costs the redactor.
 *
 * The automaton is a dense table over the keywords' own characters (a column each, column 0 for
 * every other character): one table read per character, measured at about twice the cost of a
 * loop that only reads each character. Columns for the keywords' characters only (63 of them for
 * the built-in rules: 64 columns, not ASCII's 128) halve the table a redactor builds at its first
 * use, which was most of that first use's time.
 */

const ASCII = 128;

/** ASCII lowercase of each UTF-16 unit, 0 for anything else (but OTHER_SCRIPT_LABEL's letters). */
const FOLD = new Uint8Array(65536);
for (let c = 1; c < ASCII; c++) FOLD[c] = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;

/**
 * The keyword that stands for the first letter outside ASCII of a password's or a key's label
 * (пароль, 密码 and 密碼, 密钥, 令牌, 秘钥, 口令, パスワード, キー, トークン, シークレット, 비밀번호, 암호, 키, 토큰, şifre, the ł of hasło, ключ, токен,
 * كلمة المرور, סיסמה, पासवर्ड, the ậ of mật khẩu, κωδικός, รหัสผ่าน, the é of clé API): those letters fold to DEL,
 * which text all but never holds, so a rule can ask for them at no cost to the scan (other-scripts.ts).
 */
export const OTHER_SCRIPT_LABEL = "\x7f";
const OTHER_SCRIPT_LETTERS = [..."пП密令秘口パキトシ비암키토şŞłкКтТكסपậκΚรé"].map((letter) => letter.charCodeAt(0));
for (const unit of OTHER_SCRIPT_LETTERS) FOLD[unit] = OTHER_SCRIPT_LABEL.charCodeAt(0);
/** The UTF-16 units FOLD maps to a character (every other unit folds to 0). */
const FOLDED = [...Array.from({ length: ASCII - 1 }, (_, i) => i + 1), ...OTHER_SCRIPT_LETTERS];

export class KeywordScanner {
  /** next[state << shift | column] = next state << shift. */
  private readonly next: Int32Array;
  /** The column of each UTF-16 unit: its folded character's, 0 for one no keyword holds. */
  private readonly column: Uint8Array;
  /** log2 of the table's width: the keywords' characters and column 0, rounded up to a power of two. */
  private readonly shift: number;
  /** The keywords (indices) that end in each state, via failure links too: outputs[outFrom[s], outFrom[s + 1]). */
  private readonly outputs: Int32Array;
  private readonly outFrom: Int32Array;
  /** 1 at state << shift when a keyword ends in that state: the scan's only test per character. */
  private readonly accepting: Uint8Array;

  constructor(readonly keywords: readonly string[]) {
    // A column for each character the keywords hold.
    const columnOf = new Uint8Array(ASCII);
    let width = 1;
    for (const keyword of keywords) {
      if (!/^[\x01-\x7f]+$/.test(keyword) || keyword !== keyword.toLowerCase()) {
        throw new Error(`keyword ${JSON.stringify(keyword)} must be lowercase ASCII`);
      }
      for (let i = 0; i < keyword.length; i++) if (columnOf[keyword.charCodeAt(i)] === 0) columnOf[keyword.charCodeAt(i)] = width++;
    }
    const shift = Math.max(1, Math.ceil(Math.log2(width)));
    const columns = 1 << shift;
    this.shift = shift;
    this.column = new Uint8Array(65536);
    for (const unit of FOLDED) this.column[unit] = columnOf[FOLD[unit] as number] as number;

    // The trie, in the table itself: next[row + c] = child << shift, 0 for none (no edge leads to the root).
    // Each state's edges are also listed, as (column, child) pairs, for the pass below.
    const capacity = keywords.reduce((n, k) => n + k.length, 1);
    let next = new Int32Array(capacity * columns);
    const ends: number[][] = [[]];
    const edges: number[][] = [[]];
    keywords.forEach((keyword, index) => {
      let row = 0;
      for (let i = 0; i < keyword.length; i++) {
        const c = columnOf[keyword.charCodeAt(i)] as number;
        if (next[row + c] === 0) {
          next[row + c] = ends.length << shift;
          edges[row >>> shift]?.push(c, ends.length);
          ends.push([]);
          edges.push([]);
        }
        row = next[row + c] as number;
      }
      ends[row >>> shift]?.push(index);
    });
    const states = ends.length;
    // A view, not a copy: the rows past the last state were never written.
    next = next.subarray(0, states * columns);

    // Breadth first, so that a state's failure state has its full row when the state is reached: the
    // row starts as a copy of its failure state's (one native copy, not a loop over the columns), then
    // takes its own edges; a child's failure state is the failure state's move on the edge's column.
    const fail = new Int32Array(states);
    const queue = new Int32Array(states);
    let tail = 1;
    for (let head = 0; head < tail; head++) {
      const state = queue[head] as number;
      const row = state << shift;
      const failRow = (fail[state] as number) << shift;
      if (state !== 0) next.copyWithin(row, failRow, failRow + columns);
      const own = edges[state] as number[];
      for (let e = 0; e < own.length; e += 2) {
        const c = own[e] as number;
        const child = own[e + 1] as number;
        fail[child] = state === 0 ? 0 : (next[row + c] as number) >>> shift;
        next[row + c] = child << shift;
        queue[tail++] = child;
      }
      if (state !== 0) ends[state]?.push(...(ends[fail[state] as number] ?? []));
    }
    this.next = next;
    this.accepting = new Uint8Array(states * columns);
    this.outFrom = new Int32Array(states + 1);
    this.outputs = new Int32Array(ends.reduce((n, e) => n + e.length, 0));
    let at = 0;
    ends.forEach((e, state) => {
      if (e.length > 0) this.accepting[state << shift] = 1;
      this.outFrom[state] = at;
      this.outputs.set(e, at);
      at += e.length;
    });
    this.outFrom[states] = at;
  }

  /** Adds (keyword index, end) to `hits` for every occurrence, in order of its end. */
  scan(text: string, hits: Pairs): void {
    const next = this.next;
    const column = this.column;
    const accepting = this.accepting;
    const shift = this.shift;
    let state = 0;
    for (let i = 0, n = text.length; i < n; i++) {
      state = next[state + (column[text.charCodeAt(i)] as number)] as number;
      if (accepting[state] === 1) {
        const s = state >>> shift;
        for (let k = this.outFrom[s] as number, to = this.outFrom[s + 1] as number; k < to; k++) hits.push(this.outputs[k] as number, i + 1);
      }
    }
  }
}

const SMALL = 1024;

/** A growable list of int pairs: all keyword hits of one text take 8 bytes each, however many detectors share a keyword. */
export class Pairs {
  data = new Int32Array(SMALL);
  length = 0;
  /** Sorts the pairs by their first number (a keyword hit by its start), the second breaking ties. */
  sortByFirst(): void {
    // One number per pair sorts natively: first * 2^21 + (second - first), exact below 2^53.
    const keys = new Float64Array(this.length / 2);
    for (let i = 0; i < keys.length; i++) {
      const a = this.data[2 * i] as number;
      keys[i] = a * 2 ** 21 + ((this.data[2 * i + 1] as number) - a);
    }
    keys.sort();
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as number;
      const a = Math.floor(k / 2 ** 21);
      this.data[2 * i] = a;
      this.data[2 * i + 1] = a + (k - a * 2 ** 21);
    }
  }

  /** Lets go of the room a huge text needed. */
  shrink(): void {
    if (this.data.length > 64 * SMALL) this.data = new Int32Array(SMALL);
  }
  push(a: number, b: number): void {
    if (this.length + 2 > this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = a;
    this.data[this.length++] = b;
  }
}
