import { titleFrom } from "../fold/prompt.ts";
import { type SessionSummary, projectNameOf } from "../fold/summarize.ts";
import type { SessionPayload } from "../opensync/payload.ts";
import type { PrintedSecret, Redactor } from "../safety/redact.ts";
import type { SeenSecrets } from "../safety/seen-secrets.ts";
import { truncateText } from "../safety/sanitize.ts";

// Sessions as they are shown and sent (messages: message-payload.ts). Only types come from the secret
// rules: the scrubber is handed in, so a sync with nothing new loads this module, never the rules.

export const SOURCE = "claude-code";
const TITLE_MAX_BYTES = 1024;

/** Redaction, or none when the user turned it off. */
export interface Scrubber {
  text(text: string): { text: string; count: number };
  value<T>(value: T): { value: T; count: number };
  /** A secret store's record as a value (an MCP tool's input writing one): its secret fields' values go whatever their shape. */
  record<T>(value: T): { value: T; count: number };
  /** A command's output, knowing the command prints a secret. */
  output(text: string, prints: PrintedSecret): { text: string; count: number };
}

/** With `seen`, the secrets a session showed before are redacted where it shows them again (safety/seen-secrets.ts). */
export function scrubberFrom(redactor: Redactor | undefined, seen?: SeenSecrets): Scrubber {
  if (!redactor) return { text: (text) => ({ text, count: 0 }), value: (value) => ({ value, count: 0 }), record: (value) => ({ value, count: 0 }), output: (text) => ({ text, count: 0 }) };
  return {
    text: (t) => redactor.redact(t, seen),
    value: (v) => redactor.redactValue(v, seen),
    record: (v) => redactor.redactRecord(v, seen),
    output: (t, prints) => redactor.redactOutput(t, prints, seen),
  };
}

/** A session's title as it is shown and sent: redacted whole, then cut (fold/prompt.ts titleSource). */
function shownTitle(source: string, scrub: Scrubber): string {
  return truncateText(titleFrom(scrub.text(source).text), TITLE_MAX_BYTES);
}

type Shown = Pick<SessionSummary, "title" | "projectPath" | "projectName">;

/** The name is taken from the redacted path: redacted alone, a secret's tail after a "/" would lose what marks it. */
const shownProject = (path: string) => ({ projectPath: path, projectName: projectNameOf(path) });

/**
 * A session as it is shown (the dry run) and sent: the text that came from
 * the user redacted, its title and its project too (a token can sit in a
 * folder's name).
 */
export function shownSession<S extends Shown>(s: S, scrub: Scrubber): S {
  return {
    ...s,
    ...(s.title !== undefined ? { title: shownTitle(s.title, scrub) } : {}),
    ...(s.projectPath !== undefined ? shownProject(scrub.text(s.projectPath).text) : {}),
  };
}

/**
 * A session as POST /sync/session takes it: absolute totals, no null fields,
 * the title redacted. `createdAt` is added when sending (clamped to that
 * moment), so a clock ahead of the server never makes it look changed.
 */
export function sessionPayload(summary: SessionSummary, scrub: Scrubber): Omit<SessionPayload, "createdAt"> {
  const s = shownSession(summary, scrub);
  return {
    externalId: s.externalId,
    source: SOURCE,
    provider: s.provider,
    ...(s.title ? { title: s.title } : {}),
    ...(s.projectPath ? { projectPath: s.projectPath, projectName: s.projectName } : {}),
    ...(s.model ? { model: s.model } : {}),
    promptTokens: s.promptTokens,
    completionTokens: s.completionTokens,
    cost: s.cost,
    ...(s.durationMs !== undefined ? { durationMs: s.durationMs } : {}),
  };
}
