import { type Detector, type Finding, type Hits, stickyDetector } from "../detectors.ts";
import { isStandIn, looksBase64Key } from "../look-alikes.ts";
import { PACKAGE_RUNNER, WRAPPER_NAME } from "./command-wrappers.ts";
import { drawnAtRandom } from "./handed-key.ts";

/**
 * Variables a command line sets, whatever their names (`FOO=… ./deploy.sh`, `env -i X=… env`, `export VALUE=…`): a value there
 * shaped as a credential goes, as a container's variable given on its command line does (`docker run -e A=…`). A name that
 * says nothing of a secret is no sign there is none: a pasted key is assigned to whatever name the user typed. Settings stay
 * (`LANG=C`, `NODE_ENV=production`, a path, a URL, a commit's hash), and so does `NAME=value` anywhere but before a command's
 * name (an argument: `make X=…`, a query's `?a=…`, code's `x=…`). PowerShell's `$env:X = …` and a program's environment set in its
 * code (`process.env.X = …`) are read the same way, by the small rules at the end.
 */

/**
 * One variable set: its name, then its value, "double" or 'single' quoted or bare, then what ends a word. The bare value is
 * taken whole or not at all (a lookahead's capture, then its backreference): no shorter one can be followed by what ends a
 * word, and backing off a character at a time cost each `=` of `key=key=…` a thousand tries (1.5 s of 1 MiB's 3.5 s).
 */
const ASSIGNMENT = /[A-Za-z_][A-Za-z0-9_]{0,127}=(?:"([^"\r\n]{0,1000})"|'([^'\r\n]{0,1000})'|(?=([^\s"'\x60;&|<>()]{0,1000}))\3)(?=[\s;&|)"'\x60]|$)/dy;
/**
 * A word after which a command's name may still come: a command that runs the one after it (command-wrappers.ts; `xargs`,
 * `cross-env`, `dotenv -v FOO=… --`, a package runner: `npx cross-env FOO=…`), the shell's own that set variables (`export`,
 * `declare -x`), a compound command's (`then`, `do`); a Dockerfile's instructions that set them for the image (`ENV FOO=…`, `ARG FOO=…`).
 */
const BEFORE_COMMAND = new RegExp(String.raw`(?:${WRAPPER_NAME}|(?:export|declare|typeset|local|readonly|then|do|else|xargs|cross-env(?:-shell)?|dotenv|ENV|ARG|${PACKAGE_RUNNER})[ \t])[ \t]*`, "y");
/** Their options (`-i`, `--preserve-env=PATH`, `-n 10`, `-u deploy`) and a wrapper's number (`timeout 30`): a word, after a short option any word. */
const OPTION = /(?:-[^\s;&|]{1,100}|\d[\w.]{0,20})(?=[ \t])[ \t]+/y;
const SHORT_OPTION = /^-[A-Za-z]$/;
const WORD = /[^\s;&|"'\x60()]{1,300}[ \t]+/y;
/**
 * A prompt before a pasted command (`$ `, `% `, `❯ `, root's `# `), the number `history` prints before each command (`  501  export …`),
 * or the `+` a shell's trace (`set -x`, a CI log's) prints before each command it runs, one more for each level (`++ export …`).
 */
const PROMPT = /[ \t]*(?:[$%>#\u276f][ \t]+|\d{1,7}[ \t]+|\+{1,9}[ \t]+)?/y;
const SPACES = /[ \t]*/y;
/** Where a command starts after it: a line's end, a list's or a pipe's separator, a subshell's opening; a block's (`{ `, below). */
const SEPARATOR = new Set(["\n", ";", "&", "|", "(", "\x60"]);
/** How far back the command's start is looked for from a variable's name. */
const REACH = 1000;
const NAME_CHAR = /[A-Za-z0-9_]/;

const at = (re: RegExp, text: string, from: number): number => {
  re.lastIndex = from;
  return re.test(text) ? re.lastIndex : -1;
};

/**
 * A value set on a command line that is a credential by its shape (and any value a rule judges by its shape alone): a token's characters drawn at random (both cases and a digit,
 * no words: a project's id `stellar-day-254222` stays, as do one case's hex and a UUID), or a base64 key (`/` and `+` in it).
 */
const TOKEN_CHARS = /^[A-Za-z0-9_+-]{16,1000}={0,2}$/;
export const isCredentialShaped = (value: string): boolean =>
  ((TOKEN_CHARS.test(value) && drawnAtRandom(value.replace(/[-_]/g, ""))) || looksBase64Key(value)) && !isStandIn(value);

/** What ends a command's words: its line's or the text's end, or a subshell's or a quoted script's closing. */
const ENDS_COMMAND = /^(?:[\r\n)"'\x60]|$)/;

/**
 * The variables set from `start` (a command's start) until its name, each value shaped as a credential found; where that ends.
 * Variables alone on their line are an environment file's lines as often (`STRIPE=…` in a command's output, under a heading):
 * those go by their listing's rules (printed-secret.ts), so only variables a command or a wrapper follows (`X=… ./run.sh`,
 * `X=…; curl …`) or set by one (`export X=…`, `env X=…`) are judged here. Each command is walked once, so the rule stays linear.
 */
function walk(text: string, start: number, out: Finding[]): number {
  let p = at(start === 0 || text.charAt(start - 1) === "\n" ? PROMPT : SPACES, text, start);
  let wrapped = false;
  let optionValue = false;
  const found: Finding[] = [];
  for (;;) {
    ASSIGNMENT.lastIndex = p;
    const m = ASSIGNMENT.exec(text);
    if (m) {
      const g = m[1] !== undefined ? 1 : m[2] !== undefined ? 2 : 3;
      const span = m.indices?.[g] as [number, number];
      // A bare value before the `\` that goes on to the next line.
      const value = (m[g] as string).replace(/\\$/, "");
      if (isCredentialShaped(value)) found.push({ start: span[0], end: span[0] + value.length, kind: "secret" });
      p = at(SPACES, text, ASSIGNMENT.lastIndex);
      optionValue = false;
      continue;
    }
    const next = at(BEFORE_COMMAND, text, p);
    if (next >= 0) {
      p = next;
      wrapped = true;
      optionValue = false;
      continue;
    }
    const option = wrapped ? at(OPTION, text, p) : -1;
    if (option >= 0) {
      optionValue = SHORT_OPTION.test(text.slice(p, option).trim());
      p = option;
      continue;
    }
    const word = optionValue ? at(WORD, text, p) : -1;
    if (word < 0) break;
    p = word;
    optionValue = false;
  }
  if (wrapped || !ENDS_COMMAND.test(text.slice(p, p + 1))) for (const f of found) out.push(f);
  return p;
}

/**
 * A quote opens a script a shell runs after `-c` (`bash -c 'X=… node a.js'`) or ssh's host (`ssh deploy@box 'X=… ./run.sh'`, its
 * options before); elsewhere a string's. Looked for in the few words before the quote.
 */
const SCRIPT_BEFORE = /(?:-c|(?<![\w-])ssh(?:[ \t]+[^\s'"|;&]{1,100}){1,6})[ \t]+$/;
const commandStartsAfter = (text: string, i: number): boolean => {
  const c = text.charAt(i);
  if (c === "{") return /[ \t\n]/.test(text.charAt(i + 1)); // a block's `{ X=… cmd; }`, not `xargs -I{}`'s
  return SEPARATOR.has(c) || ((c === '"' || c === "'") && SCRIPT_BEFORE.test(text.slice(Math.max(0, i - 300), i)));
};

export const inlineVariablesDetector: Detector = {
  keywords: ["="],
  find(text: string, hits: Hits, out: Finding[]): void {
    // Where the last command walked ends: a name before it was judged, a name after it and before a separator is an argument.
    let walked = 0;
    for (let i = 0; i < hits.length; i += 2) {
      const equals = hits[i] as number;
      let name = equals;
      while (name > equals - 128 && NAME_CHAR.test(text.charAt(name - 1))) name--;
      if (name === equals || name < walked) continue;
      // The value first: most `=` are no such assignment, and only these are worth finding the command's start for.
      ASSIGNMENT.lastIndex = name;
      const m = ASSIGNMENT.exec(text);
      const value = m?.[1] ?? m?.[2] ?? m?.[3];
      if (value === undefined || !isCredentialShaped(value.replace(/\\$/, ""))) continue;
      let start = name;
      const limit = Math.max(walked, name - REACH);
      while (start > limit && !commandStartsAfter(text, start - 1)) start--;
      const found = start === 0 || commandStartsAfter(text, start - 1);
      // No command's start within reach, or none since the last command's name: an argument, not a variable set.
      walked = found ? Math.max(walk(text, start, out), name + 1) : name + 1;
    }
  },
};

/** PowerShell's own: `$env:FOO = "…"` sets a variable for the commands after it, whatever its name. */
export const powershellEnvDetector = stickyDetector(
  ["$env:"],
  /\$env:[A-Za-z_][A-Za-z0-9_]{0,127}[ \t]*=[ \t]*(?:"([^"\r\n]{1,1000})"|'([^'\r\n]{1,1000})'|([^\s"'\x60;|()]{1,1000}))/diy,
  "secret",
  isCredentialShaped,
);

/**
 * Code's own: a program's environment set in its source (`process.env.FOO = "…"`, `os.environ["FOO"] = "…"`, Ruby's `ENV["FOO"] = "…"`,
 * Go's `os.Setenv("FOO", "…")`), as a script or a test written with the Write tool holds it: a literal value set there, whatever its name.
 */
const NAME_QUOTED = String.raw`["'][A-Za-z_][A-Za-z0-9_]{0,127}["']`;
const LITERAL = String.raw`(?:"([^"\r\n]{1,1000})"|'([^'\r\n]{1,1000})'|\x60([^\x60\r\n$]{1,1000})\x60)`;
export const codeEnvDetector = stickyDetector(
  ["process.env", "os.environ[", "env[", "os.setenv("],
  new RegExp(
    String.raw`(?:(?:process\.env(?:\.[A-Za-z_][A-Za-z0-9_]{0,127}|\[${NAME_QUOTED}\])|os\.environ\[${NAME_QUOTED}\]|ENV\[${NAME_QUOTED}\])[ \t]*=(?!=)[ \t]*${LITERAL}|os\.Setenv\([ \t]*"[A-Za-z_][A-Za-z0-9_]{0,127}"[ \t]*,[ \t]*"([^"\r\n]{1,1000})")`,
    "dy",
  ),
  "secret",
  isCredentialShaped,
);
