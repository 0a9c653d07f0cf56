import type { Detector, Finding, Hits } from "../detectors.ts";

/**
 * A Solana keypair file (`~/.config/solana/id.json`, as `cat` or the Read tool shows it): a JSON
 * array of exactly 64 bytes in decimal, the private key then the public key. Also with a space
 * after each comma (Rust's `{:?}` of the bytes).
 */
const KEYPAIR = /\[((?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d),[ ]?){63}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d))\]/dy;

/**
 * Random bytes: most of them differ and they go down as often as up. A table (`[0,1,2,…,63]`), a
 * run of zeros or a padded constant does not.
 */
function looksRandomBytes(bytes: number[]): boolean {
  let falls = 0;
  for (let i = 1; i < bytes.length; i++) if ((bytes[i] as number) < (bytes[i - 1] as number)) falls++;
  return new Set(bytes).size >= 40 && falls >= 16 && falls <= 47;
}

export const keypairArrayDetector: Detector = {
  // The array's opening bracket and first digit: no other word names the file's content.
  keywords: ["[0", "[1", "[2", "[3", "[4", "[5", "[6", "[7", "[8", "[9"],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      KEYPAIR.lastIndex = hits[i] as number;
      const m = KEYPAIR.exec(text);
      const span = m?.indices?.[1];
      if (!m || !span || !looksRandomBytes((m[1] as string).split(",").map(Number))) continue;
      out.push({ start: span[0], end: span[1], kind: "private-key" });
    }
  },
};
