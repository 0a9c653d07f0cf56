import type { Detector, Finding, Hits } from "../detectors.ts";
import { wrappedEnd } from "../wrapped.ts";

/**
 * A JSON Web Token wrapped over lines (`fold -w 64`, pasted from a terminal): its first line holds
 * its header and part of its payload, one dot where the token rule wants two, so no rule finds
 * it there. Taken when its line is full and the lines below continue it (wrapped.ts) into a whole
 * token: header, payload, signature.
 */

const isBase64UrlChar = (c: number) =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x2d;

/** Whether text[from, to), its blanks and line breaks left out, is header.payload.signature (the header and payload 5 characters or more). */
function isWholeToken(text: string, from: number, to: number): boolean {
  const beforeDots: number[] = [];
  let run = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      beforeDots.push(run);
      run = 0;
    } else if (isBase64UrlChar(c)) run++;
    else if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
  }
  return beforeDots.length === 2 && beforeDots.every((n) => n >= 5);
}

export const wrappedJwtDetector: Detector = {
  keywords: ["eyj"],
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = 0;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (at < done || !text.startsWith("eyJ", at) || isBase64UrlChar(text.charCodeAt(at - 1))) continue;
      let lineEnd = at;
      while (lineEnd < text.length && (isBase64UrlChar(text.charCodeAt(lineEnd)) || text.charCodeAt(lineEnd) === 0x2e)) lineEnd++;
      const end = wrappedEnd(text, at, lineEnd);
      done = end;
      if (end > lineEnd && isWholeToken(text, at, end)) out.push({ start: at, end, kind: "jwt" });
    }
  },
};
