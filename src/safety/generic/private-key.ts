import type { Detector, Finding, Hits } from "../detectors.ts";

/** A private key's kinds; and OpenVPN's shared keys (`--secret`'s static key, `tls-auth`, `tls-crypt`, `tls-crypt-v2`), secret alike. */
const PEM_KIND = String.raw`(?:[A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?| OpenVPN [A-Za-z0-9 -]{1,40}?key(?: V1)?)`;
const PEM_HEADER = new RegExp(`-----BEGIN${PEM_KIND}-----`, "y");
/** Whether a text starts with a private key's PEM header (not a certificate's or a public key's). */
export function opensPrivateKey(text: string): boolean {
  PEM_HEADER.lastIndex = 0;
  return PEM_HEADER.test(text);
}
const PEM_FOOTER = new RegExp(`-----END${PEM_KIND}-----`, "y");

/**
 * Characters of a PEM body, including `\n` escapes of keys embedded in JSON strings, and what
 * shows a file's lines: Claude Code's Read tool numbers them (`     2→MIIE…`), a quote in an
 * e-mail or a comment prefixes them (`> `, `# `, ` * `), code concatenates them (`"MIIE…\n" +`).
 */
function isPemBodyChar(c: number): boolean {
  return (
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x61 && c <= 0x7a) || // a-z
    (c >= 0x30 && c <= 0x3a) || // 0-9 and ':' (Proc-Type: headers)
    c === 0x2b || c === 0x2f || c === 0x3d || c === 0x2c || c === 0x5c || // + / = , \
    c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d ||
    c === 0x2192 || c === 0x3e || c === 0x23 || c === 0x2a || c === 0x22 // → > # * "
  );
}

/**
 * Private key blocks, BEGIN through END. Scanned by hand rather than by one regex: a body can be
 * megabytes long, and a regex group repeated that often fails silently in JavaScriptCore. A block
 * whose END is missing (cut-off output) is redacted up to the end of its body.
 */
export const privateKeyDetector: Detector = {
  keywords: ["-----begin"],
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = 0;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (at < done) continue;
      PEM_HEADER.lastIndex = at;
      if (!PEM_HEADER.test(text)) continue;
      let end = PEM_HEADER.lastIndex;
      while (end < text.length) {
        const c = text.charCodeAt(end);
        if (isPemBodyChar(c) || (c === 0x2d && !text.startsWith("-----", end))) end++;
        else break;
      }
      PEM_FOOTER.lastIndex = end;
      if (PEM_FOOTER.test(text)) end = PEM_FOOTER.lastIndex;
      out.push({ start: at, end, kind: "private-key" });
      done = end;
    }
  },
};

/** A PuTTY key file's private part (`.ppk`): after `Private-Lines: N`, N lines of base64. */
const PUTTY_PRIVATE_LINES = /Private-Lines:[ \t]*(\d{1,3})[ \t]*\r?\n/iy;
/** One line of its body; a quote's or a comment's prefix and the Read tool's numbers (read as spaces) before it. */
const PUTTY_BODY_LINE = /[ \t>#*"]*[A-Za-z0-9+/=]{1,64}[ \t"]*(?:\r?\n|$)/y;

export const puttyKeyDetector: Detector = {
  keywords: ["private-lines:"],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      PUTTY_PRIVATE_LINES.lastIndex = hits[i] as number;
      const m = PUTTY_PRIVATE_LINES.exec(text);
      if (!m) continue;
      let start = PUTTY_PRIVATE_LINES.lastIndex;
      // The first line's prefix stays, as the other lines' do.
      while (start < text.length && " \t>#*\"".includes(text.charAt(start))) start++;
      let end = start;
      for (let line = 0; line < Number(m[1]); line++) {
        PUTTY_BODY_LINE.lastIndex = end;
        if (!PUTTY_BODY_LINE.test(text)) break;
        end = PUTTY_BODY_LINE.lastIndex;
      }
      if (end > start) out.push({ start, end: text[end - 1] === "\n" ? end - 1 : end, kind: "private-key" });
    }
  },
};
