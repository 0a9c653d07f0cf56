/**
 * Finds every occurrence of many keywords in one pass over a text (an Aho–Corasick automaton),
 * ignoring ASCII case. This pass is all that a text without any keyword costs the redactor.
 *
 * The automaton is a dense table over ASCII (128 columns; any other character is column 0, which
 * no keyword uses): one table read per character, measured at about twice the cost of a loop
 * that only reads each character.
 */

const COLUMNS = 128;

/** ASCII lowercase of each UTF-16 unit, 0 for anything else. */
const FOLD = new Uint8Array(65536);
for (let c = 1; c < COLUMNS; c++) FOLD[c] = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;

export class KeywordScanner {
  /** next[state * 128 + column] = next state * 128. */
  private readonly next: Int32Array;
  /** The keywords (indices) that end in each state, via failure links too. */
  private readonly outputs: (readonly number[])[];
  /** 1 at state * 128 when a keyword ends in that state: the scan's only test per character. */
  private readonly accepting: Uint8Array;

  constructor(readonly keywords: readonly string[]) {
    const goto: Map<number, number>[] = [new Map()];
    const ends: number[][] = [[]];
    keywords.forEach((keyword, index) => {
      if (!/^[\x01-\x7f]+$/.test(keyword) || keyword !== keyword.toLowerCase()) {
        throw new Error(`keyword ${JSON.stringify(keyword)} must be lowercase ASCII`);
      }
      let state = 0;
      for (let i = 0; i < keyword.length; i++) {
        const c = keyword.charCodeAt(i);
        let target = goto[state]?.get(c);
        if (target === undefined) {
          target = goto.length;
          goto.push(new Map());
          ends.push([]);
          goto[state]?.set(c, target);
        }
        state = target;
      }
      ends[state]?.push(index);
    });

    const states = goto.length;
    const fail = new Int32Array(states);
    this.next = new Int32Array(states * COLUMNS);
    // Breadth first, so a state's failure target is complete before the state is.
    const queue: number[] = [0];
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head] as number;
      const failRow = (fail[state] as number) * COLUMNS;
      for (let c = 0; c < COLUMNS; c++) {
        const child = goto[state]?.get(c);
        if (child !== undefined) {
          fail[child] = state === 0 ? 0 : (this.next[failRow + c] as number) / COLUMNS;
          this.next[state * COLUMNS + c] = child * COLUMNS;
          queue.push(child);
        } else {
          this.next[state * COLUMNS + c] = state === 0 ? 0 : (this.next[failRow + c] as number);
        }
      }
      if (state !== 0) ends[state]?.push(...(ends[fail[state] as number] ?? []));
    }
    this.outputs = ends;
    this.accepting = new Uint8Array(states * COLUMNS);
    ends.forEach((e, state) => {
      if (e.length > 0) this.accepting[state * COLUMNS] = 1;
    });
  }

  /** Calls `onHit(keyword index, end)` for every occurrence, in order of its end. */
  scan(text: string, onHit: (keyword: number, end: number) => void): void {
    const next = this.next;
    const accepting = this.accepting;
    let state = 0;
    for (let i = 0, n = text.length; i < n; i++) {
      state = next[state + (FOLD[text.charCodeAt(i)] as number)] as number;
      if (accepting[state] === 1) for (const k of this.outputs[state / COLUMNS] as number[]) onHit(k, i + 1);
    }
  }

  /** Whether any keyword occurs in the text (stops at the first). */
  occursIn(text: string): boolean {
    const next = this.next;
    const accepting = this.accepting;
    let state = 0;
    for (let i = 0, n = text.length; i < n; i++) {
      state = next[state + (FOLD[text.charCodeAt(i)] as number)] as number;
      if (accepting[state] === 1) return true;
    }
    return false;
  }
}
