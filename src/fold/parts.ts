import type { Part } from "../opensync/payload.ts";
import type { Block } from "../transcript/schema.ts";

export interface PartOptions {
  toolCalls: boolean;
  thinking: boolean;
}

/** What a tool result that returned nothing shows: the dashboard renders an empty result as raw JSON. */
const NO_OUTPUT = "(no output)";

/**
 * Tool result content is a string or a list of blocks; the dashboard wants one readable value.
 * Blocks other than text and files (an MCP resource) stay blocks, made one text only once
 * redacted (plan/message-payload.ts): as JSON their lines are `\n` escapes, which a rule that
 * reads lines (an env file, a PEM key) never sees.
 */
function resultValue(content: unknown): unknown {
  if (!Array.isArray(content)) return content === undefined || content === null || content === "" ? NO_OUTPUT : content;
  if (content.some(isOther)) return content;
  return resultText(content) || NO_OUTPUT;
}

const isText = (b: Record<string, unknown> | undefined) => b?.type === "text" && typeof b.text === "string";

/** A result's block that is neither text nor a file: shown as JSON. */
export const isOther = (b: Record<string, unknown> | undefined) => !isText(b) && !isFile(b);

/** A tool result's content as one text: a string as it is; blocks joined, images and documents named, other blocks as JSON. */
export function resultText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((b: Record<string, unknown>) => (isText(b) ? b.text : isFile(b) ? fileLabel(b) : JSON.stringify(b))).join("\n");
}

/** An image or a document (a PDF read or attached): its data is base64, tens of kilobytes no reader wants as text. */
export function isFile(block: Record<string, unknown> | undefined): boolean {
  return block?.type === "image" || block?.type === "document";
}

function fileLabel(block: Record<string, unknown>): string {
  const source = block.source as { media_type?: unknown } | undefined;
  return `[${block.type as string}${typeof source?.media_type === "string" ? `: ${source.media_type}` : ""}]`;
}

/**
 * Whether a content block becomes a part, decided without building it: a scan
 * that only counts messages needs no more. Images and documents are named, not uploaded;
 * thinking only when asked for, because OpenSync has no thinking part and
 * shows it as ordinary text.
 */
export function hasPart(block: Block, options: PartOptions): boolean {
  switch (block.type) {
    case "text":
      return typeof block.text === "string" && block.text !== "";
    case "thinking":
      return options.thinking && typeof block.thinking === "string" && block.thinking !== "";
    case "tool_use":
    case "server_tool_use":
      return options.toolCalls && typeof block.name === "string";
    case "tool_result":
      return options.toolCalls;
    case "image":
    case "document":
      return true;
    default:
      return false;
  }
}

/** One transcript content block as an OpenSync part, or nothing (see hasPart). */
export function blockToPart(block: Block, options: PartOptions): Part | null {
  if (!hasPart(block, options)) return null;
  switch (block.type) {
    case "text":
      return { type: "text", content: block.text as string };
    case "thinking":
      return { type: "text", content: `[thinking]\n${block.thinking as string}` };
    case "tool_use":
    case "server_tool_use":
      return { type: "tool-call", content: { toolName: block.name as string, args: block.input ?? {}, toolCallId: block.id } };
    case "tool_result":
      return {
        type: "tool-result",
        content: { result: resultValue(block.content), toolCallId: block.tool_use_id, isError: block.is_error === true },
      };
    default:
      return { type: "text", content: fileLabel(block) };
  }
}

/** The plain text of a message for OpenSync's search and exports: its text parts. */
export function textOf(parts: Part[]): string {
  return parts
    .filter((p) => p.type === "text" && typeof p.content === "string")
    .map((p) => p.content as string)
    .join("\n\n");
}
