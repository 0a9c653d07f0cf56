import { type Node, type ParseError, parseTree } from "jsonc-parser";
import { describeParseError } from "../runtime/json-syntax.ts";
import { type Layout, detectLayout, renderBlock, renderLine } from "./json-render.ts";

/** settings.json cannot be parsed or does not have the shape Claude Code expects. */
export class SettingsError extends Error {
  override name = "SettingsError";
}

/**
 * A settings file's text with its syntax tree, for edits that change only the
 * bytes they must. Claude Code reads settings.json with a strict JSON parser
 * and ignores the whole file when it has a comment or a trailing comma
 * (anthropics/claude-code#83190), so those are refused here too, with where they are.
 */
export interface SettingsText {
  /** The text after a byte order mark, which is kept aside. */
  body: string;
  bom: string;
  /** The root value; undefined for an empty (or blank) file. */
  root: Node | undefined;
  layout: Layout;
}

export function parseSettingsText(text: string): SettingsText {
  const bom = text.startsWith("\uFEFF") ? "\uFEFF" : "";
  const body = text.slice(bom.length);
  const errors: ParseError[] = [];
  const root = parseTree(body, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: true });
  if (errors.length > 0) throw new SettingsError(`it is not valid JSON: ${describe(body, errors[0]!)}`);
  if (root !== undefined) {
    // The reference: whatever JSON.parse refuses, Claude Code refuses.
    try {
      JSON.parse(body);
    } catch (error) {
      throw new SettingsError(`it is not valid JSON (${(error as Error).message})`);
    }
  }
  return { body, bom, root, layout: detectLayout(body) };
}

/** A syntax error, with what Claude Code does with the lenient JSON it refuses. */
function describe(body: string, error: ParseError): string {
  const problem = describeParseError(body, error);
  return `${problem.text}${problem.lenientOnly ? " (Claude Code accepts none: it ignores the whole file)" : ""}`;
}

/** The value of a node, read exactly as JSON.parse reads it. */
export function valueOf(doc: SettingsText, node: Node): unknown {
  return JSON.parse(doc.body.slice(node.offset, node.offset + node.length));
}

/** The value node of an object's property; the last one when a key repeats, as for JSON.parse. */
export function property(object: Node | undefined, key: string): Node | undefined {
  return properties(object).find((p) => p.key === key)?.value;
}

/** An object's properties as JSON.parse sees them: a repeated key counts once, where it last appears. */
export function properties(object: Node | undefined): { key: string; node: Node; value: Node }[] {
  if (object?.type !== "object") return [];
  const all = (object.children ?? []).flatMap((node) => {
    const [key, value] = node.children ?? [];
    return key && value ? [{ key: key.value as string, node, value }] : [];
  });
  return all.filter((p, i) => !all.slice(i + 1).some((later) => later.key === p.key));
}

export interface Edit {
  offset: number;
  length: number;
  content: string;
}

export function applyEdit(doc: SettingsText, edit: Edit): string {
  const { body } = doc;
  return doc.bom + body.slice(0, edit.offset) + edit.content + body.slice(edit.offset + edit.length);
}

const end = (node: Node) => node.offset + node.length;

/** The whole document: for a blank file. */
export function replaceDocument(doc: SettingsText, value: unknown): Edit {
  return { offset: 0, length: doc.body.length, content: renderBlock(value, "", doc.layout) + doc.layout.eol };
}

/** Rewrites one value where it stands: on one line if it was on one line, else as a block at its indentation. */
export function replaceValue(doc: SettingsText, node: Node, value: unknown): Edit {
  const old = doc.body.slice(node.offset, end(node));
  const content = old.includes("\n") ? renderBlock(value, lineIndent(doc, node.offset), doc.layout) : renderLine(value, spacedLike(doc, old));
  return { offset: node.offset, length: node.length, content };
}

/** Removes an array element or an object property with the comma and white space that separated it. */
export function removeItem(doc: SettingsText, item: Node): Edit {
  const container = item.parent!;
  const siblings = container.children!;
  const i = siblings.indexOf(item);
  if (siblings.length === 1) return { offset: container.offset + 1, length: container.length - 2, content: "" };
  if (i > 0) return { offset: end(siblings[i - 1]!), length: end(item) - end(siblings[i - 1]!), content: "" };
  return { offset: item.offset, length: siblings[1]!.offset - item.offset, content: "" };
}

/**
 * Appends to an array (`key` undefined) or an object, laid out like the last
 * item there: on its own line at the same indentation, or on the same line.
 */
export function appendItem(doc: SettingsText, container: Node, value: unknown, key?: string): Edit {
  const { body, layout } = doc;
  const label = (spaced: boolean) => (key === undefined ? "" : `${JSON.stringify(key)}:${spaced ? " " : ""}`);
  const last = container.children?.at(-1);
  if (!last) {
    const inner = { offset: container.offset + 1, length: container.length - 2 };
    // A file all on one line stays so; a bare {} gets the usual layout.
    const oneLine = !body.includes("\n") && (doc.root?.children?.length ?? 0) > 0;
    if (oneLine) return { ...inner, content: label(layout.spaced) + renderLine(value, layout.spaced) };
    const indent = lineIndent(doc, container.offset);
    const item = indent + layout.unit;
    return { ...inner, content: `${layout.eol}${item}${label(true)}${renderBlock(value, item, layout)}${layout.eol}${indent}` };
  }
  const gap = /\s*$/.exec(body.slice(0, last.offset))![0];
  if (gap.includes("\n")) {
    const indent = gap.slice(gap.lastIndexOf("\n") + 1);
    return { offset: end(last), length: 0, content: `,${gap}${label(true)}${renderBlock(value, indent, layout)}` };
  }
  const spaced = spacedLike(doc, body.slice(container.offset, end(container)));
  return { offset: end(last), length: 0, content: `,${gap || (spaced ? " " : "")}${label(spaced)}${renderLine(value, spaced)}` };
}

/** The white space that starts the line holding `offset`. */
function lineIndent(doc: SettingsText, offset: number): string {
  const start = doc.body.lastIndexOf("\n", offset - 1) + 1;
  return /^[ \t]*/.exec(doc.body.slice(start))![0];
}

/** Whether one-line JSON here has a space after colons and commas; the file's habit when this text shows none. */
function spacedLike(doc: SettingsText, text: string): boolean {
  if (/":\s/.test(text)) return true;
  return /":\S/.test(text) ? false : doc.layout.spaced;
}
