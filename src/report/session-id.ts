import { UserError } from "../errors.ts";

/** Characters of an id the human outputs show: enough to tell one person's sessions apart, and `--session` takes them. */
const SHORT_ID_LENGTH = 8;

/** An id as tables and lines show it; a message id (`<session>:<uuid>`) keeps the start of both parts. */
export function shortId(id: string): string {
  return id
    .split(":")
    .map((part) => part.slice(0, SHORT_ID_LENGTH))
    .join(":");
}

/** The whole id with --verbose, the short one otherwise. */
export function shownId(id: string, verbose: boolean): string {
  return verbose ? id : shortId(id);
}

/** Ids listed in an ambiguity error at most; more means the prefix is far too short anyway. */
const LISTED = 10;

/**
 * The one session `given` names: a whole id, or the start of exactly one
 * (case does not matter). No match and several matches are usage errors
 * (exit 2) that say what to type instead.
 */
export function resolveSessionId(given: string, ids: Iterable<string>, where: string): string {
  const wanted = given.trim().toLowerCase();
  if (wanted === "") throw new UserError("--session needs a session id (or its first characters).", 2, "usage");
  const matches = [...new Set(ids)].filter((id) => id.toLowerCase().startsWith(wanted)).sort();
  const exact = matches.find((id) => id.toLowerCase() === wanted);
  if (exact !== undefined) return exact;
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) {
    throw new UserError(
      `No session ${given} in ${where}. The ids are the names of the transcript files (<id>.jsonl); \`claude-code-sync sync --dry-run --verbose\` lists them.`,
      2,
      "session-not-found",
    );
  }
  const listed = matches.slice(0, LISTED).map((id) => `  ${id}`);
  const more = matches.length > LISTED ? [`  …and ${matches.length - LISTED} more`] : [];
  throw new UserError(
    [`"${given}" is the start of ${matches.length} session ids; give more of it:`, ...listed, ...more].join("\n"),
    2,
    "session-ambiguous",
  );
}
