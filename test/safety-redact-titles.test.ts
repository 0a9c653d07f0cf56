/**
 * Session titles are the first prompt cut to 80 characters (titleFrom), then redacted: a secret
 * the cut falls inside or right after must not leave in part. Every canary is tried behind
 * prefixes of every length, so the cut lands at every position in and around it.
 */
import { expect, test } from "bun:test";
import { titleFrom } from "../src/fold/prompt.ts";
import { createRedactor } from "../src/safety/redact.ts";
import { CANARIES, type Canary } from "./helpers/canaries.ts";

const { redact } = createRedactor();
const PIECE = 6;

/** Pieces of the secret that must not show: any PIECE characters of it (of each word, for a secret with spaces). */
function pieces(c: Canary): string[] {
  return c.secret
    .split(/\s+/)
    .flatMap((w) => (w.length <= PIECE ? [w] : Array.from({ length: w.length - PIECE + 1 }, (_, k) => w.slice(k, k + PIECE))));
}

const WORDS = "please look at this and tell me what is wrong with it".split(" ");

function prefix(length: number): string {
  let out = "";
  for (let i = 0; out.length < length; i++) out += `${WORDS[i % WORDS.length]} `;
  return out;
}

/** Private keys are checked by the lines of their body, below. */
const IN_TITLES = CANARIES.filter((c) => c.kind !== "private-key");

test(`no piece of a secret in a title, wherever the cut falls (${IN_TITLES.length} canaries x 90 cuts)`, () => {
  const leaks: string[] = [];
  for (const c of IN_TITLES) {
    const own = pieces(c);
    for (let length = 0; length <= 90; length++) {
      const title = titleFrom(`${prefix(length)}${c.text} and some more words after it so the prompt is long`);
      const out = redact(title).text;
      const leaked = own.filter((p) => out.includes(p));
      if (leaked.length > 0) leaks.push(`${c.name}: ${JSON.stringify(title)} -> ${JSON.stringify(out)}`);
    }
  }
  expect(leaks).toEqual([]);
});

test("private key blocks, folded onto one line and cut, leave no line of their body", () => {
  for (const c of CANARIES.filter((k) => k.kind === "private-key")) {
    const body = c.text.split(/\n|\\n/).filter((l) => /^[A-Za-z0-9+/]{64}$/.test(l));
    for (let length = 0; length <= 90; length++) {
      const out = redact(titleFrom(`${prefix(length)}${c.text}`)).text;
      expect(body.flatMap((line) => [line.slice(0, PIECE + 2), line.slice(-PIECE)]).filter((p) => out.includes(p))).toEqual([]);
    }
  }
});
