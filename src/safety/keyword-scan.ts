/**
 * Finds every occurrence of many keywords in one pass over a text (an Aho–Corasick automaton),
 * ignoring ASCII case. This pass is all that a text without any keyword costs the redactor.
 *
 * The automaton is a dense table over ASCII (128 columns; any other character is column 0, which
 * no keyword uses): one table read per character, measured at about twice the cost of a loop
 * that only reads each character.
 */

const COLUMNS = 128; // = 1 << 7

/** ASCII lowercase of each UTF-16 unit, 0 for anything else (but OTHER_SCRIPT_LABEL's letters). */
const FOLD = new Uint8Array(65536);
for (let c = 1; c < COLUMNS; c++) FOLD[c] = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;

/**
 * The keyword that stands for the first letter outside ASCII of a password's or a key's label
 * (пароль, 密码 and 密碼, 密钥, 令牌, 秘钥, 口令, パスワード, キー, トークン, シークレット, 비밀번호, 암호, 키, 토큰, şifre, the ł of hasło, ключ, токен,
 * كلمة المرور, סיסמה, पासवर्ड, the ậ of mật khẩu, κωδικός, รหัสผ่าน, the é of clé API): those letters fold to DEL,
 * which text all but never holds, so a rule can ask for them at no cost to the scan (other-scripts.ts).
 */
export const OTHER_SCRIPT_LABEL = "\x7f";
for (const letter of "пП密令秘口パキトシ비암키토şŞłкКтТكסपậκΚรé") FOLD[letter.charCodeAt(0)] = OTHER_SCRIPT_LABEL.charCodeAt(0);

export class KeywordScanner {
  /** next[state * 128 + column] = next state * 128. */
  private readonly next: Int32Array;
  /** The keywords (indices) that end in each state, via failure links too: outputs[outFrom[s], outFrom[s + 1]). */
  private readonly outputs: Int32Array;
  private readonly outFrom: Int32Array;
  /** 1 at state * 128 when a keyword ends in that state: the scan's only test per character. */
  private readonly accepting: Uint8Array;

  constructor(readonly keywords: readonly string[]) {
    // The trie, in the table itself: next[row + c] = child * 128, 0 for none (no edge leads to the root).
    const capacity = keywords.reduce((n, k) => n + k.length, 1);
    let next = new Int32Array(capacity * COLUMNS);
    const ends: number[][] = [[]];
    keywords.forEach((keyword, index) => {
      if (!/^[\x01-\x7f]+$/.test(keyword) || keyword !== keyword.toLowerCase()) {
        throw new Error(`keyword ${JSON.stringify(keyword)} must be lowercase ASCII`);
      }
      let row = 0;
      for (let i = 0; i < keyword.length; i++) {
        const at = row + keyword.charCodeAt(i);
        if (next[at] === 0) {
          next[at] = ends.length * COLUMNS;
          ends.push([]);
        }
        row = next[at] as number;
      }
      ends[row / COLUMNS]?.push(index);
    });
    const states = ends.length;
    next = next.slice(0, states * COLUMNS);

    // Breadth first, so that a state's failure state has its full row when the state is reached:
    // a missing edge takes the failure state's, a child's failure state is the failure state's move.
    const fail = new Int32Array(states);
    const queue = new Int32Array(states);
    let tail = 1;
    for (let head = 0; head < tail; head++) {
      const state = queue[head] as number;
      const row = state * COLUMNS;
      const failRow = (fail[state] as number) * COLUMNS;
      for (let c = 0; c < COLUMNS; c++) {
        const child = (next[row + c] as number) / COLUMNS;
        if (child !== 0) {
          fail[child] = state === 0 ? 0 : (next[failRow + c] as number) / COLUMNS;
          queue[tail++] = child;
        } else if (state !== 0) next[row + c] = next[failRow + c] as number;
      }
      if (state !== 0) ends[state]?.push(...(ends[fail[state] as number] ?? []));
    }
    this.next = next;
    this.accepting = new Uint8Array(states * COLUMNS);
    this.outFrom = new Int32Array(states + 1);
    this.outputs = new Int32Array(ends.reduce((n, e) => n + e.length, 0));
    let at = 0;
    ends.forEach((e, state) => {
      if (e.length > 0) this.accepting[state * COLUMNS] = 1;
      this.outFrom[state] = at;
      this.outputs.set(e, at);
      at += e.length;
    });
    this.outFrom[states] = at;
  }

  /** Adds (keyword index, end) to `hits` for every occurrence, in order of its end. */
  scan(text: string, hits: Pairs): void {
    const next = this.next;
    const accepting = this.accepting;
    let state = 0;
    for (let i = 0, n = text.length; i < n; i++) {
      state = next[state + (FOLD[text.charCodeAt(i)] as number)] as number;
      if (accepting[state] === 1) {
        const s = state >>> 7; // state / COLUMNS
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
