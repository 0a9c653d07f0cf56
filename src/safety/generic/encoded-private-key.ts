import type { Detector, Finding, Hits } from "../detectors.ts";
import { wrappedEnd } from "../wrapped.ts";
import { opensPrivateKey } from "./private-key.ts";

/**
 * A PEM private key in base64, which no BEGIN line shows: `base64 id_rsa` (wrapped at 76 columns),
 * `base64 -w0 key.pem`, a value such as `tls.key: LS0t…` or `"private_key_b64": "LS0t…"`. Base64
 * of `-----BEGIN` starts `LS0tLS1CRUdJTi` when it starts the encoded text (elsewhere it could be
 * any of three shifts, which this leaves alone); the header decoded tells a private key from a
 * certificate or a public key. The whole base64 goes, over its wrapped lines (wrapped.ts).
 */

const ENCODED_BEGIN = "LS0tLS1CRUdJTi";
/** Enough base64 for the longest header (`-----BEGIN ENCRYPTED PRIVATE KEY-----`, 37 bytes), a multiple of 4. */
const HEADER_BASE64 = 64;

const isBase64Char = (c: number) =>
  (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x2b || c === 0x2f || c === 0x3d;

/** Where the base64 from `at` ends on its line; a JSON string's `\n` (`\r\n`) escapes between its lines are part of it. */
function base64End(text: string, at: number): number {
  let end = at;
  for (;;) {
    while (end < text.length && isBase64Char(text.charCodeAt(end))) end++;
    let next = end;
    while (text.charCodeAt(next) === 0x5c && (text.charAt(next + 1) === "n" || text.charAt(next + 1) === "r")) next += 2;
    if (next === end || !isBase64Char(text.charCodeAt(next))) return end;
    end = next;
  }
}

/** Whether the base64 starts at `at`: after no base64 character, or after a JSON string's `\n` (`\r`) escape. */
const startsEncoded = (text: string, at: number) =>
  !isBase64Char(text.charCodeAt(at - 1)) || (text.charCodeAt(at - 2) === 0x5c && (text.charAt(at - 1) === "n" || text.charAt(at - 1) === "r"));

/** The start of the bytes encoded in text[from, to): the first HEADER_BASE64 base64 characters, across lines. */
function decodedHead(text: string, from: number, to: number): string {
  let base64 = "";
  for (let i = from; i < to && base64.length < HEADER_BASE64; i++) {
    if (text.charCodeAt(i) === 0x5c) i++; // an escape's `\n`
    else if (isBase64Char(text.charCodeAt(i))) base64 += text.charAt(i);
  }
  return Buffer.from(base64, "base64").toString("latin1");
}

export const encodedPrivateKeyDetector: Detector = {
  keywords: [ENCODED_BEGIN.toLowerCase()],
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = 0;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (at < done || !text.startsWith(ENCODED_BEGIN, at) || !startsEncoded(text, at)) continue;
      const end = wrappedEnd(text, at, base64End(text, at));
      done = end;
      if (opensPrivateKey(decodedHead(text, at, end))) out.push({ start: at, end, kind: "private-key" });
    }
  },
};
