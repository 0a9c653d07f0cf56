import type { Detector, Finding, Hits } from "../detectors.ts";

/**
 * A private key shown as its numbers rather than as PEM: `openssl rsa -text` and `openssl ec -text`
 * print each field as colon-separated hex under its name (`privateExponent:`, `prime1:`, …, EC's
 * `priv:`), and a JSON Web Key holds them as base64url strings (`"d"`, RSA's `"p"`, `"q"`, `"dp"`,
 * `"dq"`, `"qi"`, a symmetric key's `"k"`) beside `"kty"`. The public fields (`modulus`, `"n"`,
 * `"x"`, `"y"`) stay.
 */
const HEX_FIELD =
  /(?:privateExponent|prime[12]|exponent[12]|coefficient|priv):[ \t]*\r?\n((?:[ \t]+[0-9a-f]{2}(?::[0-9a-f]{2}){0,40}:?[ \t]*(?:\r?\n|$)){1,200})/dy;

/** How far around `"kty"` its object's other fields are looked for (a JWK is small and flat). */
const JWK_REACH = 4000;
const JWK_PRIVATE = /"(?:d|p|q|dp|dq|qi|k)"[ \t]*:[ \t]*"([A-Za-z0-9_-]{16,4096})"/dg;

function jwkFields(text: string, at: number, out: Finding[]): void {
  const open = text.lastIndexOf("{", at);
  if (open < 0 || at - open > JWK_REACH) return;
  let close = text.indexOf("}", at);
  if (close < 0 || close - at > JWK_REACH) close = Math.min(text.length, at + JWK_REACH);
  const object = text.slice(open, close);
  for (const m of object.matchAll(JWK_PRIVATE)) {
    const span = m.indices?.[1];
    if (span) out.push({ start: open + span[0], end: open + span[1], kind: "private-key" });
  }
}

export const keyFieldsDetector: Detector = {
  keywords: ["privateexponent:", "prime1:", "prime2:", "exponent1:", "exponent2:", "coefficient:", "priv:", '"kty"'],
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = -1;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (text.charAt(at) === '"') {
        // One object per walk: the next `"kty"` in the same object is skipped.
        if (at > done) {
          jwkFields(text, at, out);
          done = text.indexOf("}", at);
          if (done < 0) done = text.length;
        }
        continue;
      }
      HEX_FIELD.lastIndex = at;
      const m = HEX_FIELD.exec(text);
      const span = m?.indices?.[1];
      if (!m || !span) continue;
      // From its first digit to its last: the indent and the line's end stay, the next field's name on its line.
      const block = m[1] as string;
      const lead = block.length - block.trimStart().length;
      out.push({ start: span[0] + lead, end: span[0] + block.trimEnd().length, kind: "private-key" });
    }
  },
};
