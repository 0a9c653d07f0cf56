import type { Detector, Finding, Hits } from "../detectors.ts";
import { isStandIn, looksRandom } from "../look-alikes.ts";
import { drawnAtRandom } from "./handed-key.ts";
import { SECRET_KEY } from "./assignment.ts";
import { lineEnd, lineStart } from "./lines.ts";
import { isDicewarePhrase, looksLikePassword } from "./prose-secret.ts";

/**
 * The user's answer to a question Claude asked for a secret with its AskUserQuestion tool, as the
 * tool's result tells it: `User has answered your questions: "What is the staging DB
 * password?"="…", "Which region?"="eu-west-1". You can now continue with the user's answers in
 * mind.` The question says what the answer is, so it goes whatever its shape; other answers stay. The tool's input
 * may carry them too, as a map of questions to answers (`"answers": {"What is the admin password?": "…"}`: redact.ts).
 */

const INTRO = "has answered your question";
const OUTRO = ". You can now continue";
const SEPARATOR = '"="';
const NEXT = '", "';
/** How far after its introduction the answers are read (a question and its answer are a few lines). */
const ANSWERS_MAX = 16_384;

/** A question naming a secret: a password, a passphrase, a PIN, a token, an API key, a secret, a one-time code. */
const ASKS_SECRET =
  /(?<![A-Za-z])(?:pass(?:word|phrase|code)|passwd|pwd|pin|token|api[ _-]?key|access[ _-]?key|private[ _-]?key|secret|credentials?|otp|(?:2fa|mfa|one[ -]time|verification)[ _-]code)s?(?![A-Za-z])/i;
/**
 * A question about a secret rather than asking for it: "Which token format?", "Should I rotate
 * the API key?", "Where is the password kept?". Their answers are choices, not the secret.
 */
const ASKS_ABOUT = /^[\s*"'“]*(?:which|how|where|when|why|should|shall|do|does|did|would|will|can|could|is|are|want)(?![A-Za-z])/i;

/** Whether an answer is one the secret can be: one word, not a stand-in (`none`, `skip` aside), or a diceware passphrase. */
const isSecretAnswer = (answer: string) => answer !== "" && ((!/\s/.test(answer) && !isStandIn(answer)) || isDicewarePhrase(answer));

/** A map's key that is a question the tool asked: words ending in a question mark, or four words at least (not a field: `input_tokens`, `token count`). */
const QUESTION = /\s[^\s]*\?["'”\s]*$|\S\s+\S+\s+\S+\s+\S/;

/** The answer under a question in a map of questions to answers (AskUserQuestion's input), when it is the secret asked for. */
export const answeredQuestion = (key: string, value: string): boolean => QUESTION.test(key) && answersSecret(key, value);

/**
 * Whether `answer` to `question` is the secret the question asks for. One about a secret ("Which API key should I use?") is
 * answered by a choice, unless the answer is drawn at random: a key typed in as the question's "Other".
 */
function answersSecret(question: string, answer: string): boolean {
  if (!ASKS_SECRET.test(question) || !isSecretAnswer(answer)) return false;
  return !ASKS_ABOUT.test(question) || (looksRandom(answer) && drawnAtRandom(answer.replace(/[_-]/g, "")));
}

/**
 * The answers to questions asking for a secret in `answers` (from the first question's opening
 * quote to the last answer's closing one), which starts at `offset` in the text. Each answer ends
 * at the last `", "` before the next `"="` (a question or an answer may hold a comma): each part
 * of `answers` is searched once.
 */
function secretAnswers(answers: string, offset: number, out: Finding[]): void {
  let question = 1;
  let sep = answers.indexOf(SEPARATOR, question);
  while (sep >= 0) {
    const answer = sep + SEPARATOR.length;
    const following = answers.indexOf(SEPARATOR, answer);
    const between = following >= 0 ? answers.slice(answer, following).lastIndexOf(NEXT) : -1;
    const end = between >= 0 ? answer + between : answers.length - 1;
    if (answersSecret(answers.slice(question, sep), answers.slice(answer, end))) out.push({ start: offset + answer, end: offset + end, kind: "secret" });
    if (between < 0) return;
    question = end + NEXT.length;
    sep = following;
  }
}

export const questionAnswerDetector: Detector = {
  keywords: [INTRO],
  find(text: string, hits: Hits, out: Finding[]): void {
    // The outro found last, kept while the hits pass it: many introductions without one cost one search.
    let outro = -2;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i + 1] as number;
      if (outro !== -1 && outro < at) outro = text.indexOf(OUTRO, at);
      const next = (hits[i + 2] as number | undefined) ?? text.length;
      if (outro < 0 || outro > Math.min(next, at + ANSWERS_MAX) || text[outro - 1] !== '"') continue;
      const from = text.indexOf('"', at);
      if (from < outro - 1) secretAnswers(text.slice(from, outro), from, out);
    }
  },
};

/**
 * A secret typed at a command-line tool's prompt, as Inquirer's answered line and prompts' show it: "? What's the value of
 * DB_PASSWORD? …" (`vercel env add`), "? Enter the value for STRIPE_SECRET_KEY › …", and after the check mark that
 * @inquirer/prompts and Enquirer put in the `?`'s place once it is answered ("✔ What's the value of API_SECRET? · …"). The question names the
 * secret (ASKS_SECRET, or a variable a secret's name names); the answer is the line's last word, after the question's `?`, `›` or `:` (and
 * Enquirer's `·` or `…`), and goes when it is shaped like a password or drawn at random: a choice (`Yes`, `Production`), a name
 * (`DB_PASSWORD`), a masked answer (`********`) stay.
 */
const PROMPT_LINE_MAX = 400;
const QUESTION_END = /[?›:](?:[ \t]*[·…])?[ \t]*$/;
/** The check mark of an answered prompt, first on its line (indented at most), where the `?` was. */
const ANSWERED_MARK = /^[ \t]{0,40}[✔✓√][ \t]+/;
/** A question of words (two or more), no code: a ternary's `? process.env.DB_PASSWORD : fallback` is none. */
const PROSE_QUESTION = /^[^().=[\]{};&|<>]*\S[ \t]+\S/;
const VARIABLE = /\b[A-Za-z_][A-Za-z0-9_]{2,100}\b/g;
const MASKED = /^(?:[*•●]+|\[hidden\]|<hidden>)$/i;
const namesSecret = (question: string) => ASKS_SECRET.test(question) || (question.match(VARIABLE) ?? []).some((name) => name.includes("_") && SECRET_KEY.test(name));

/**
 * Where the prompt's question starts on the line of the hit (a `? ` at `at`): after that `? ` first on its line (a question's mark in a
 * sentence is none), or after the line's check mark, the hit being the question's own `?`.
 */
function questionStart(text: string, at: number): number | undefined {
  const start = lineStart(text, at, 40);
  if (start !== undefined && text.slice(start, at).trim() === "") return at + 2;
  const line = lineStart(text, at, PROMPT_LINE_MAX);
  const mark = line === undefined ? null : ANSWERED_MARK.exec(text.slice(line, Math.min(at, line + 48)));
  return line !== undefined && mark ? line + mark[0].length : undefined;
}

export const cliPromptDetector: Detector = {
  keywords: ["? "],
  find(text: string, hits: Hits, out: Finding[]): void {
    // One prompt a line: the line of a hit is read once, its other hits skipped (a long line of `? ` is walked once).
    let lineDone = -1;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (at < lineDone) continue;
      lineDone = lineEnd(text, at);
      const from = questionStart(text, at);
      if (from === undefined) continue;
      const line = text.slice(from, lineEnd(text, from, PROMPT_LINE_MAX)).trimEnd();
      const space = Math.max(line.lastIndexOf(" "), line.lastIndexOf("\t"));
      const question = line.slice(0, Math.max(space, 0));
      const answer = line.slice(space + 1);
      if (space < 0 || !QUESTION_END.test(question) || !PROSE_QUESTION.test(question) || !namesSecret(question) || MASKED.test(answer) || isStandIn(answer)) continue;
      if (!looksLikePassword(answer) && !looksRandom(answer)) continue;
      out.push({ start: from + space + 1, end: from + space + 1 + answer.length, kind: "secret" });
    }
  },
};
