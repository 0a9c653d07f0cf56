import type { Detector, Finding, Hits } from "../detectors.ts";
import { wrappedEnd } from "../wrapped.ts";
import { opensPrivateKey } from "./private-key.ts";

/**
 * A PEM private key in base64, which no BEGIN line shows: `base64 id_rsa` (wrapped at 76 columns),
 * `base64 -w0 key.pem`, a value such as `tls.key: LS0t…` or `"private_key_b64": "LS0t…"`, and a key
 * encoded after other text (`cat tls.crt tls.key | base64`). The header decoded tells a private key
 * from a certificate or a public key. The whole base64 from the key's header on goes, over its
 * wrapped lines (wrapped.ts).
 */

/**
 * Base64 of `-----BEGIN ` at each of its three shifts: `LS0tLS1CRUdJTi` when it starts a group of
 * three bytes (the encoded text's start), and the characters that encode it alone when one or two
 * bytes before it share its first group (a key after a certificate: the shift is the certificate's
 * length, modulo 3). Decoded after `prefix`, which stands for those bytes (zeros; the characters
 * that mix them with the header's first bits are left out).
 */
const ENCODED_BEGINS = [
  { encoded: "LS0tLS1CRUdJTi", prefix: "" },
  { encoded: "0tLS0tQkVHSU4g", prefix: "AC" },
  { encoded: "tLS0tLUJFR0lOI", prefix: "AAA" },
];
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

/** The start of the bytes encoded in text[from, to) after `prefix`: HEADER_BASE64 base64 characters in all, across lines. */
function decodedHead(text: string, from: number, to: number, prefix: string): string {
  let base64 = prefix;
  for (let i = from; i < to && base64.length < HEADER_BASE64; i++) {
    if (text.charCodeAt(i) === 0x5c) i++; // an escape's `\n`
    else if (isBase64Char(text.charCodeAt(i))) base64 += text.charAt(i);
  }
  const decoded = Buffer.from(base64, "base64").toString("latin1");
  return decoded.slice(prefix.length === 0 ? 0 : decoded.indexOf("-"));
}

export const encodedPrivateKeyDetector: Detector = {
  keywords: ENCODED_BEGINS.map((b) => b.encoded.toLowerCase()),
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = 0;
    // The end of the base64 (over its wrapped lines) a hit before was in: a later hit in it ends there too, read once.
    let end = 0;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      const begin = ENCODED_BEGINS.find((b) => text.startsWith(b.encoded, at));
      if (at < done || begin === undefined) continue;
      if (at >= end) end = wrappedEnd(text, at, base64End(text, at));
      if (!opensPrivateKey(decodedHead(text, at, end, begin.prefix))) continue;
      out.push({ start: at, end, kind: "private-key" });
      done = end;
    }
  },
};
