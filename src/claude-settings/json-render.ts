/** How new JSON text is laid out so that it reads like the file it goes into. */
export interface Layout {
  /** One level of indentation: two or four spaces, a tab... */
  unit: string;
  eol: "\n" | "\r\n";
  /** `{"a": 1, "b": [2]}` rather than `{"a":1,"b":[2]}`, for values written on one line. */
  spaced: boolean;
}

/** Indentation, line endings and spacing of a settings file; the usual ones for a new file. */
export function detectLayout(text: string): Layout {
  const indented = /^([ \t]+)\S/m.exec(text)?.[1];
  return {
    unit: indented === undefined ? "  " : indented.startsWith("\t") ? "\t" : indented,
    eol: text.includes("\r\n") ? "\r\n" : "\n",
    spaced: /":\s/.test(text) || !/":\S/.test(text),
  };
}

/** A value on several lines, its closing bracket at `indent`. Lists of plain values stay on one line. */
export function renderBlock(value: unknown, indent: string, layout: Layout): string {
  if (typeof value !== "object" || value === null || isFlat(value)) return renderLine(value, true);
  const inner = indent + layout.unit;
  const items = Array.isArray(value)
    ? value.map((item) => inner + renderBlock(item, inner, layout))
    : Object.entries(value).map(([key, item]) => `${inner}${JSON.stringify(key)}: ${renderBlock(item, inner, layout)}`);
  const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  return `${open}${layout.eol}${items.join(`,${layout.eol}`)}${layout.eol}${indent}${close}`;
}

/** A value on one line. */
export function renderLine(value: unknown, spaced: boolean): string {
  if (!spaced) return JSON.stringify(value);
  if (typeof value !== "object" || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => renderLine(item, spaced)).join(", ")}]`;
  return `{${Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}: ${renderLine(item, spaced)}`).join(", ")}}`;
}

/** Empty, or a list of plain values. */
function isFlat(value: object): boolean {
  const items = Array.isArray(value) ? value : Object.values(value);
  return items.length === 0 || (Array.isArray(value) && items.every((item) => typeof item !== "object" || item === null));
}
