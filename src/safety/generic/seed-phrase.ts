import type { Detector, Finding, Hits } from "../detectors.ts";

/**
 * A wallet's seed (recovery) phrase told in prose: "my metamask seed phrase is …", "here is the
 * recovery phrase for the test wallet: …". A BIP39 phrase is 12 to 24 lowercase words of three to
 * eight letters; `MNEMONIC=…` is the assignment rule's. Up to 60 characters between the label and
 * its "is" or colon ("for the test wallet"), the words after it or alone on the next line (`solana-keygen new`'s "Save this
 * seed phrase … to recover your new keypair:"); the words are matched whole, one space between, so
 * no split is tried twice.
 */
const SEED_PHRASE =
  /(?:seed|recovery|mnemonic|backup)[ \t]+(?:phrase|words)[^\r\n:.!?]{0,60}?(?:[ \t](?:is|was)|:)(?:[ \t]+|[ \t]*\r?\n)["'`“]?((?:[a-z]{3,8}[ \t]){11,23}[a-z]{3,8})(?![A-Za-z])/diy;

/**
 * The words after a label of their own, as tools print them and configs hold them: Ganache's and Anvil's `Mnemonic:      …`,
 * `cast wallet new-mnemonic`'s `Phrase:` with the words on the next line, Sui's `│ recoveryPhrase │ … │`. Lowercase words
 * only (a label's case aside), 12 to 24 of them.
 */
const LABELLED_PHRASE =
  /(?:[Mm]nemonic|[Pp]hrase)["']?[ \t]*[:=│|][ \t]*(?:\r?\n[ \t]*)?["'`“]?((?:[a-z]{3,8}[ \t]){11,23}[a-z]{3,8})(?![A-Za-z])/dy;

/** Words a sentence is made of, which a random phrase seldom holds two of ("… is what you need when your phone dies"). */
const SENTENCE_WORDS = new Set("the and you your what when need want with that this for are not but can will have from they its our was were".split(" "));

function phraseAt(pattern: RegExp, text: string, at: number): RegExpExecArray | null {
  pattern.lastIndex = at;
  return pattern.exec(text);
}

export const seedPhraseDetector: Detector = {
  keywords: ["seed phrase", "seed words", "recovery phrase", "recovery words", "mnemonic phrase", "backup phrase", "mnemonic", "phrase"],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      const m = phraseAt(SEED_PHRASE, text, hits[i] as number) ?? phraseAt(LABELLED_PHRASE, text, hits[i] as number);
      const span = m?.indices?.[1];
      if (!m || !span || (m[1] as string).split(/[ \t]/).filter((w) => SENTENCE_WORDS.has(w)).length >= 2) continue;
      out.push({ start: span[0], end: span[1], kind: "secret" });
    }
  },
};
