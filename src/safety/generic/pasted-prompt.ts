import { PACKAGE_RUNNER, WRAPPED } from "./command-wrappers.ts";

/**
 * What may stand before a command on its line in a pasted terminal: a prompt (`$ `, `user@host:~/app$ `, `❯ `, `PS C:\app> `, cmd's `C:\app>`), `set -x`'s `+ `;
 * then other commands run before it (`$ cd app && cat .env`, `$ source .env && env`, `$ git pull; cat .env`: their output comes first,
 * where the listing's reading finds no assignment; not piped into it, which changes what it prints; each starts at a word, its spaces
 * before it the separator's: split two ways, a line of many steps was split every way); then commands that run the one after
 * them (`$ time env`, `$ sudo -E env`: command-wrappers.ts); then a package runner (`$ npx convex env list`, `$ pnpm exec dotenvx run -- env`: command-wrappers.ts).
 * A regex's source, unanchored: each reader of a pasted command (pasted-dump.ts, encoded-text.ts, request-body.ts) puts it after a line's start.
 */
export const PASTED_PROMPT = String.raw`[ \t]*(?:(?:PS[ \t][^\r\n>]{0,200}>|[\w.@~:\/\\()-]{0,120}[$%#>❯]|\+)[ \t]+|[A-Za-z]:\\[^\r\n>]{0,200}>[ \t]*)?(?:[^;&|\s][^;&|\r\n]{0,300}?(?:&&|;)[ \t]*)*${WRAPPED}(?:${PACKAGE_RUNNER}[ \t]+)?`;

/** A pasted command's output ends at the next prompt's line or a Markdown fence. */
export const OUTPUT_END = /^[ \t]*(?:[$%❯][ \t]|```|~~~)/m;
