import { describe, expect, test } from "bun:test";
import { KeywordScanner, OTHER_SCRIPT_LABEL, Pairs } from "../src/safety/keyword-scan.ts";

// The automaton against the plainest search there is: every keyword tried at every place of the
// text, ASCII case ignored, an other script's label letter read as OTHER_SCRIPT_LABEL.

const LABEL_LETTERS = "пП密令秘口パキトシ비암키토şŞłкКтТكסपậκΚรé";

function fold(unit: string): string {
  if (LABEL_LETTERS.includes(unit)) return OTHER_SCRIPT_LABEL;
  return unit.charCodeAt(0) < 128 ? unit.toLowerCase() : "\0";
}

/** Every (keyword index, end) pair, sorted. */
function naive(keywords: readonly string[], text: string): string[] {
  const folded = text.split("").map(fold).join(""); // UTF-16 units, as the scanner reads them
  const out: string[] = [];
  keywords.forEach((k, index) => {
    for (let at = folded.indexOf(k); at >= 0; at = folded.indexOf(k, at + 1)) out.push(`${index}@${at + k.length}`);
  });
  return out.sort();
}

function scanned(keywords: readonly string[], text: string): string[] {
  const hits = new Pairs();
  new KeywordScanner(keywords).scan(text, hits);
  const out: string[] = [];
  for (let i = 0; i < hits.length; i += 2) out.push(`${hits.data[i]}@${hits.data[i + 1]}`);
  return out.sort();
}

let seed = 1;
const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;

function randomText(keywords: readonly string[], alphabet: string, length: number): string {
  let text = "";
  while (text.length < length) {
    const keyword = keywords[Math.floor(random() * keywords.length)] as string;
    // Keywords in either case among random characters, so that matches overlap and nest.
    text += random() < 0.3 ? (random() < 0.5 ? keyword.toUpperCase() : keyword) : (alphabet[Math.floor(random() * alphabet.length)] as string);
  }
  return text;
}

const ASCII_PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join("");

describe("KeywordScanner finds what a plain search finds", () => {
  const sets: Array<[string, string[]]> = [
    ["a classic set whose keywords end inside each other", ["he", "she", "his", "hers"]],
    ["one character used by the keywords (the narrowest table)", ["a", "aa", "aaa"]],
    ["a keyword for each lowercase ASCII character and more (the widest table)", [...new Set([...ASCII_PRINTABLE.toLowerCase()])].concat(["key", "api_key", "password=", "token:"])],
    ["the other scripts' label among ASCII words", [OTHER_SCRIPT_LABEL, "key", "password", "токен"].filter((k) => /^[\x01-\x7f]+$/.test(k))],
  ];
  for (const [name, keywords] of sets) {
    test(name, () => {
      const alphabet = `${ASCII_PRINTABLE}\n\té${LABEL_LETTERS}ÿĀ€😀`;
      for (let i = 0; i < 200; i++) {
        const text = randomText(keywords, alphabet, Math.floor(random() * 400));
        expect(scanned(keywords, text)).toEqual(naive(keywords, text));
      }
    });
  }

  test("a keyword that is not lowercase ASCII is refused", () => {
    expect(() => new KeywordScanner(["Key"])).toThrow("must be lowercase ASCII");
    expect(() => new KeywordScanner(["clé"])).toThrow("must be lowercase ASCII");
  });
});
