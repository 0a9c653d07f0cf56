/** How a JSON file is laid out, so a rewrite keeps the user's style. */
export interface JsonFormat {
  indent: string;
  eol: "\n" | "\r\n";
  finalNewline: boolean;
  bom: boolean;
}

/** Detect indentation (2 or 4 spaces, tab...), line endings, final newline and BOM; defaults for a new file. */
export function detectFormat(text: string | undefined): JsonFormat {
  if (text === undefined || text.trim() === "") return { indent: "  ", eol: "\n", finalNewline: true, bom: false };
  const indented = /^([ \t]+)\S/m.exec(text)?.[1];
  return {
    indent: indented === undefined ? "  " : indented.startsWith("\t") ? "\t" : indented,
    eol: text.includes("\r\n") ? "\r\n" : "\n",
    finalNewline: /\n\s*$/.test(text),
    bom: text.startsWith("\uFEFF"),
  };
}

export function stringifyLike(value: unknown, format: JsonFormat): string {
  // JSON.stringify escapes newlines inside strings, so every "\n" here is layout.
  const body = JSON.stringify(value, null, format.indent).replaceAll("\n", format.eol);
  return `${format.bom ? "\uFEFF" : ""}${body}${format.finalNewline ? format.eol : ""}`;
}
