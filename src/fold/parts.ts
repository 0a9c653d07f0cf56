import type { Part } from "../opensync/payload.ts";
import type { Block } from "../transcript/schema.ts";

export interface PartOptions {
  toolCalls: boolean;
  thinking: boolean;
}

/** Tool result content is a string or a list of blocks; the dashboard wants one value. */
function resultValue(content: unknown): unknown {
  if (!Array.isArray(content)) return content ?? "";
  const texts = content.map((b: Record<string, unknown>) =>
    b?.type === "text" && typeof b.text === "string" ? b.text : b?.type === "image" ? imageLabel(b) : JSON.stringify(b),
  );
  return texts.join("\n");
}

function imageLabel(block: Record<string, unknown>): string {
  const source = block.source as { media_type?: unknown } | undefined;
  return `[image${typeof source?.media_type === "string" ? `: ${source.media_type}` : ""}]`;
}

/**
 * One transcript content block as an OpenSync part (or nothing). Images are
 * named, not uploaded; thinking is sent as text only when asked for, because
 * OpenSync has no thinking part and shows it as ordinary text.
 */
export function blockToPart(block: Block, options: PartOptions): Part | null {
  switch (block.type) {
    case "text":
      return typeof block.text === "string" && block.text !== "" ? { type: "text", content: block.text } : null;
    case "thinking":
      return options.thinking && typeof block.thinking === "string" && block.thinking !== ""
        ? { type: "text", content: `[thinking]\n${block.thinking}` }
        : null;
    case "tool_use":
    case "server_tool_use":
      return options.toolCalls && typeof block.name === "string"
        ? { type: "tool-call", content: { toolName: block.name, args: block.input ?? {}, toolCallId: block.id } }
        : null;
    case "tool_result":
      return options.toolCalls
        ? {
            type: "tool-result",
            content: { result: resultValue(block.content), toolCallId: block.tool_use_id, isError: block.is_error === true },
          }
        : null;
    case "image":
      return { type: "text", content: imageLabel(block) };
    default:
      return null;
  }
}

/** The plain text of a message for OpenSync's search and exports: its text parts. */
export function textOf(parts: Part[]): string {
  return parts
    .filter((p) => p.type === "text" && typeof p.content === "string")
    .map((p) => p.content as string)
    .join("\n\n");
}
