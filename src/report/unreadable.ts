import { type SkippedFile, readError } from "../discover/files.ts";
import { formatInt, plural } from "./format.ts";

/** The transcripts and folders a read failed on (no permission, an I/O error; one deleted meanwhile is no failure), not those skipped for being empty. */
export function unreadableFiles(skipped: readonly SkippedFile[]): Array<{ path: string; error: string }> {
  return skipped.flatMap((f) => {
    const error = readError(f);
    return error === undefined ? [] : [{ path: f.path, error }];
  });
}

/** A line for each of the first five, then how many more; `then` says what becomes of them. */
export function unreadableLines(files: ReadonlyArray<{ path: string; error: string }>, then: string): string[] {
  const lines = files.slice(0, 5).map((f) => `Could not read ${f.path} (${f.error}); ${then}.`);
  if (files.length > 5) lines.push(`…and ${formatInt(files.length - 5)} more that could not be read.`);
  return lines;
}

/** "3 unreadable lines (the first at byte 1,234 of …/x.jsonl)": where to look. */
export function badLinesText(count: number, first: { path: string; offset: number } | undefined): string {
  return `${plural(count, "unreadable line")}${first ? ` (the first at byte ${formatInt(first.offset)} of ${first.path})` : ""}`;
}

/** Lines over the reader's limit (read-lines.ts): skipped, so their messages and tokens are not counted. */
export function longLinesLines(count: number): string[] {
  return count ? [`Skipped ${plural(count, "line")} longer than claude-code-sync reads (64 MiB).`] : [];
}

/**
 * Sessions with no line whose time can be read (session-fold.ts, `held`): a made-up time would move with
 * each write, so they are not sent, and ccusage counts none of their tokens. Named, so that none is left out unseen.
 */
export function untimedLines(paths: readonly string[]): string[] {
  if (paths.length === 0) return [];
  const more = paths.length > 5 ? ` and ${formatInt(paths.length - 5)} more` : "";
  const them = paths.length === 1 ? "it" : "them";
  return [`Skipped ${plural(paths.length, "session")} with no line whose time can be read, so nothing places ${them} on the dashboard (ccusage counts none of ${paths.length === 1 ? "its" : "their"} tokens): ${paths.slice(0, 5).join(", ")}${more}.`];
}

/** Lines let go as more of a session than the fold holds (session-fold.ts, HELD_MEMORY) waited for its first line with a time. */
export function unplacedLines(count: number): string[] {
  if (count === 0) return [];
  return [`Skipped ${plural(count, "line")} written before any line of ${count === 1 ? "its" : "their"} session had a time that can be read: too many waited to be shown at its first time, and the earliest went.`];
}
