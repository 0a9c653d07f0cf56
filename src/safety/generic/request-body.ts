import type { Detector, Finding, Hits } from "../detectors.ts";
import { isCredentialShaped } from "./inline-variables.ts";
import { hereDocument, hereDocumentEnd } from "./here-document.ts";
import { lineStart } from "./lines.ts";
import { PASTED_PROMPT } from "./pasted-prompt.ts";
import { WRAPPED } from "./command-wrappers.ts";

/**
 * The words of a request's body shaped as credentials (inline-variables.ts): a key sent in a JSON field or a form's under whatever
 * name (`{"foo":"…"}`, `foo=…&bar=1`). A model's name, a word, a number, a commit's hash or a UUID stay. The body given on the
 * command line is read by command-line.ts's rules of curl, wget and HTTPie; one given as a here-document, below.
 */
const BODY_WORD = /[A-Za-z0-9_+/-]{16,1000}={0,2}/g;
export function credentialWords(value: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (const m of value.matchAll(BODY_WORD)) if (isCredentialShaped(m[0])) spans.push([m.index, m.index + m[0].length]);
  return spans;
}

/**
 * A request whose body is read from its input: curl's or wget's with `@-` (`-d @-`, `--data-binary @-`, `--json @-`, `--post-file=-`), or
 * HTTPie's and xh's, which read a body given so. It is the command of the line before a here-document or a here-string (after a prompt or
 * none, the commands before it and what runs it: `cd app && sudo curl`, pasted-prompt.ts), or a command a here-document is piped into
 * (`cat <<EOF | curl -d @- …`, `cat <<'JSON' | jq -c . | http POST …`). Group 1: curl or wget; group 2: its words, where `@-` is looked for.
 */
const REQUEST = String.raw`(?:(curl|wget)|https?|xhs?)[ \t]([^|\r\n]*)`;
const REQUEST_START = new RegExp(String.raw`^${PASTED_PROMPT}${REQUEST}`);
const PIPED_REQUEST = new RegExp(String.raw`\|[ \t]*${WRAPPED}${REQUEST}`);
const FROM_INPUT = /(?:@-|--post-file[ \t=]+-)(?![\w-])/;

/** Whether the text `before` a here-document's or a here-string's `<<` on its line, or the rest of the line `after` it, sends it as a request's body. */
export function sendsInput(before: string, after = ""): boolean {
  const request = REQUEST_START.exec(before) ?? PIPED_REQUEST.exec(after);
  return request !== null && (request[1] === undefined || FROM_INPUT.test(request[2] as string));
}

/** The longest body read: a request's is a few KB. */
const BODY_MAX = 16_384;

export const hereDocumentBodyDetector: Detector = {
  keywords: ["<<"],
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = -1;
    let line = -1;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (at < done || text.charAt(at + 2) === "<") continue;
      const start = lineStart(text, at, 500);
      // One here-document a line is read (its first): the line's command is judged once.
      if (start === undefined || start === line) continue;
      line = start;
      const doc = hereDocument(text, at);
      if (!doc || !sendsInput(text.slice(start, at), text.slice(at, doc.body - 1))) continue;
      const end = hereDocumentEnd(text, doc, BODY_MAX) ?? Math.min(text.length, doc.body + BODY_MAX);
      done = end;
      for (const [s, e] of credentialWords(text.slice(doc.body, end))) out.push({ start: doc.body + s, end: doc.body + e, kind: "secret" });
    }
  },
};
