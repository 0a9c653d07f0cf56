import { isOther, resultText, textOf } from "../fold/parts.ts";
import { type FoldSnapshot, type FoldedMessage, type HeldLine, SHELL_OUTPUT, type SessionMeta } from "../fold/session-fold.ts";
import type { MessagePayload, Part } from "../opensync/payload.ts";
import { type PrintedSecret, filePrints } from "../safety/generic/printed-secret.ts";
import { toolPrints } from "../safety/generic/secret-tools.ts";
import { fitMessage } from "../safety/sanitize.ts";
import { SOURCE, type Scrubber } from "./payloads.ts";

/**
 * A message as POST /sync/message takes it: secrets redacted in every part
 * and in the text, `$` keys renamed, each part and the whole cut to fit the
 * server's document limit with a visible marker. `createdAt` is added when
 * sending, as for sessions.
 */
export function messagePayload(
  m: FoldedMessage,
  scrub: Scrubber,
): { payload: Omit<MessagePayload, "createdAt">; redactions: number; cut: boolean } {
  let redactions = 0;
  const parts: Part[] = m.parts.map((p) => {
    const r = scrubPart(p, m.printed, scrub);
    redactions += r.count;
    return { type: p.type, content: r.value };
  });
  // textContent is the text parts joined (fold/parts.ts textOf): taken from the redacted parts, not redacted twice.
  const text = m.textContent === undefined ? undefined : textOf(parts);
  const fitted = fitMessage(parts, text);
  return {
    redactions,
    cut: fitted.cut,
    payload: {
      sessionExternalId: m.sessionId,
      externalId: m.externalId,
      role: m.role,
      source: SOURCE,
      ...(fitted.textContent ? { textContent: fitted.textContent } : {}),
      ...(m.model ? { model: m.model } : {}),
      ...(m.promptTokens !== undefined ? { promptTokens: m.promptTokens } : {}),
      ...(m.completionTokens !== undefined ? { completionTokens: m.completionTokens } : {}),
      parts: fitted.parts,
    },
  };
}

/**
 * A part's content redacted; a tool result whose call printed a secret (the fold says which) has
 * its result redacted knowing it, and the rest of it as any other content; so has the text of a
 * `!` command's output.
 */
function scrubPart(part: Part, printed: FoldedMessage["printed"], scrub: Scrubber): { value: unknown; count: number } {
  const shell = part.type === "text" && typeof part.content === "string" ? printed?.[SHELL_OUTPUT] : undefined;
  if (shell) {
    const out = scrub.output(part.content as string, shell);
    return { value: out.text, count: out.count };
  }
  if (part.type === "tool-call") return scrubCall(part.content as ToolCall, scrub);
  if (part.type !== "tool-result") return scrub.value(part.content);
  const { result, ...rest } = part.content as { result?: unknown; toolCallId?: unknown };
  const prints = typeof rest.toolCallId === "string" ? printed?.[rest.toolCallId] : undefined;
  const out = Array.isArray(result) ? scrubBlocks(result, prints, scrub) : prints && typeof result === "string" ? scrub.output(result, prints) : undefined;
  if (!out) return scrub.value(part.content);
  const others = scrub.value(rest);
  return { value: { result: out.text, ...others.value }, count: out.count + others.count };
}

/**
 * A result the fold left as its blocks (one is neither text nor a file: fold/parts.ts), as one
 * text: each block redacted first, a text block's text as any result's, another block's strings
 * each with its own lines, then shown as JSON.
 */
function scrubBlocks(blocks: Array<Record<string, unknown>>, prints: PrintedSecret | undefined, scrub: Scrubber): { text: string; count: number } {
  let count = 0;
  const redacted = blocks.map((b) => {
    if (isOther(b)) {
      const r = scrub.value(b);
      count += r.count;
      return r.value;
    }
    if (typeof b.text !== "string") return b;
    const r = prints ? scrub.output(b.text, prints) : scrub.text(b.text);
    count += r.count;
    return { ...b, text: r.text };
  });
  return { text: resultText(redacted), count };
}

/** The fold's text from the transcript, sent as (or in) the session's title. */
const META_TEXT = ["customTitle", "aiTitle", "title", "command", "subagentPrompt", "summary"] as const satisfies readonly (keyof SessionMeta)[];

/**
 * The fold's carry-over as the state keeps it: the transcript's text in it
 * (the title's sources, responses still being written) redacted as it is
 * sent, so the state file holds no secret that the server would not.
 * Redaction is idempotent: what is built from it later is what a read in one
 * go builds. The working directories stay as they are: `excludeProjects`
 * matches them, and the transcripts' own paths in the state spell them anyway.
 */
export function snapshotAtRest(snapshot: FoldSnapshot, scrub: Scrubber): FoldSnapshot {
  const meta = { ...snapshot.meta };
  for (const key of META_TEXT) {
    const text = meta[key];
    if (text !== undefined) meta[key] = scrub.text(text).text;
  }
  return {
    ...snapshot,
    meta,
    open: snapshot.open.map((r) => ({ ...r, blocks: scrub.value(r.blocks).value })),
    ...(snapshot.held ? { held: snapshot.held.map((h) => heldAtRest(h, scrub)) } : {}),
  };
}

/** A held line's text redacted (see snapshotAtRest). */
function heldAtRest(h: HeldLine, scrub: Scrubber): HeldLine {
  if ("turn" in h) return { turn: { ...h.turn, kind: scrub.value(h.turn.kind).value, content: scrub.value(h.turn.content).value } };
  const line = h.response.line;
  return { response: { ...h.response, line: { ...line, message: { ...line.message, content: scrub.value(line.message.content).value } } } };
}

type ToolCall = { toolName?: unknown; args?: unknown; toolCallId?: unknown };

/**
 * A call of an MCP tool of a secret store (secret-tools.ts): what it writes (`mcp__vault__write_secret`'s
 * `data`, `mcp__aws__put_secret_value`'s `SecretString`, `mcp__1password__create_item`'s fields' values)
 * is redacted as the record such a tool reads is, whatever its shape.
 */
function storeCall(content: ToolCall, args: Record<string, unknown>, scrub: Scrubber): { value: unknown; count: number } {
  const written = scrub.record(args);
  const { args: _, ...rest } = content;
  const others = scrub.value(rest);
  return { value: { ...others.value, args: written.value }, count: written.count + others.count };
}

/** What a file tool writes (Write's content, Edit's strings, each of MultiEdit's edits'), by its argument's name. */
const WRITTEN = new Set(["content", "old_string", "new_string"]);

/**
 * A tool call's content redacted; a file tool's writing into a file named for a secret
 * (`secrets/db_password.txt`, `~/.config/app/token`), an environment file or OpenVPN's auth file has
 * what it writes redacted as that file's content is when Read shows it (filePrints): one word in a
 * secret's file is the secret, whatever its shape; a variable's opaque token in an environment file.
 */
function scrubCall(content: ToolCall, scrub: Scrubber): { value: unknown; count: number } {
  const args = content.args as Record<string, unknown> | undefined;
  const named = typeof args?.file_path === "string" ? filePrints(args.file_path) : undefined;
  // A dotfile's password is all it holds: a Write's content; an edit of `.bashrc` is judged as any (its two sides together).
  const file = named === "dotfile" && typeof args?.content !== "string" ? undefined : named;
  const prints = file === "any" || file === "user-pass" ? file : undefined;
  if (args && !prints && typeof content.toolName === "string" && toolPrints(content.toolName, args)) return storeCall(content, args, scrub);
  if (!args || !file) return scrub.value(content);
  // An environment file's content is judged as any text is (its assignments name its secrets, an edit's two sides
  // together), then as the file it is: a variable's opaque token whatever its name (`OPENAI=…`).
  if (file === "env") return writtenAs(scrub.value(content), "env", scrub);
  return writtenAs({ value: content, count: 0 }, file, scrub, true);
}

/** A file tool's call with what it writes redacted as the file's content is (`prints`); with `redactRest`, the rest as any value (else it is already). */
function writtenAs(call: { value: ToolCall; count: number }, prints: PrintedSecret, scrub: Scrubber, redactRest = false): { value: unknown; count: number } {
  const content = call.value;
  const args = content.args as Record<string, unknown>;
  let count = call.count;
  const written = (value: unknown) => {
    if (typeof value !== "string") return value;
    const out = scrub.output(value, prints);
    count += out.count;
    return out.text;
  };
  const writtenIn = (edit: unknown) =>
    typeof edit === "object" && edit !== null ? Object.fromEntries(Object.entries(edit).map(([k, v]) => [k, WRITTEN.has(k) ? written(v) : v])) : edit;
  // What it writes, by the file's rule; everything else of the call as any other value.
  const writes = (key: string, value: unknown) => WRITTEN.has(key) || (key === "edits" && Array.isArray(value));
  const rest = redactRest ? scrub.value({ ...content, args: Object.fromEntries(Object.entries(args).filter(([k, v]) => !writes(k, v))) }) : { value: content, count: 0 };
  const otherArgs = rest.value.args as Record<string, unknown>;
  const shown = Object.fromEntries(
    Object.entries(args).map(([k, v]) => [k, !writes(k, v) ? otherArgs[k] : Array.isArray(v) ? v.map(writtenIn) : written(v)]),
  );
  return { value: { ...rest.value, args: shown }, count: count + rest.count };
}
