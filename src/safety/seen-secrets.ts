import { isStandIn } from "./look-alikes.ts";
import { MARKER_ONLY, redactionMarker } from "./marker.ts";

/** Shorter values are too likely to be words; longer ones are whole files (a private key), which rules find again anyway. */
const MIN_LENGTH = 8;
const MAX_LENGTH = 512;
/** Values remembered per session; the oldest go first. */
const MEMORY = 64;

/**
 * The secrets one session has shown where a rule could tell them (`DB_PASSWORD=…`, a key a
 * command printed), so that where the session shows one again bare (the assistant's next reply:
 * "I set it to …") it goes too. Kept in memory for one read of the session only: the state keeps
 * no secret, so a later read (the next hook's) knows only the secrets it reads itself.
 */
export class SeenSecrets {
  /** Longest first: a value holding another is replaced whole. */
  private values: string[] = [];

  note(value: string): void {
    if (value.length < MIN_LENGTH || value.length > MAX_LENGTH || /\s/.test(value) || MARKER_ONLY.test(value) || isStandIn(value)) return;
    if (this.values.includes(value)) return;
    if (this.values.length >= MEMORY) this.values.shift();
    this.values.push(value);
    this.values.sort((a, b) => b.length - a.length);
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
    return { text, count };
  }
}
