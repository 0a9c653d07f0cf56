import type { Detector, Finding, Hits } from "../detectors.ts";
import { isStandIn } from "../look-alikes.ts";
import { SECRET_KEY } from "./assignment.ts";
import { namesRead } from "./printed-variable.ts";
import { looksLikePassword } from "./prose-secret.ts";

/**
 * A Jupyter notebook's cell as its file holds it (nbformat's JSON, keys in order: `"cell_type"`, …, `"outputs"`, `"source"`): a
 * cell whose last line reads a secret's name (`os.environ['DB_PASSWORD']`, `settings.SECRET_KEY`) shows its value as the result's
 * `"text/plain"`, the repr in quotes (`"'Hx9!kQ2pLz7w'"`), above the source. The word inside the repr goes, as below Python's prompt.
 */
const SOURCE = /"source": \[((?:\s*"(?:[^"\\\r\n]|\\.){0,400}",?){1,200})\s*\]/y;
const SOURCE_LINE = /"((?:[^"\\\r\n]|\\.){0,400})"/g;
/** The result's text: its first element, the repr in quotes (escaped double quotes as `\"`). */
const RESULT = /"text\/plain": \[\s*"(?:'([^'"\\\r\n]{1,1000})'|\\"([^"\\\r\n]{1,1000})\\")"/dg;
const ASSIGNMENT = /^[A-Za-z_][\w.]{0,100}[ \t]*=(?!=)/;
/** How far above its source a cell's outputs are looked for: the cell's start, within this reach. */
const CELL_REACH = 16_384;
/** A printed secret: 8 characters or more, or a shorter one shaped like a password (printed-secret.ts's judgement). */
const SHORT = 8;

export const notebookEchoDetector: Detector = {
  keywords: ['"source": ['],
  find(text: string, hits: Hits, out: Finding[]): void {
    // A cell's outputs lie between the previous cell's source and its own: each stretch is read once (linear).
    let floor = 0;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      SOURCE.lastIndex = at;
      const m = SOURCE.exec(text);
      if (!m) continue;
      const previous = floor;
      floor = SOURCE.lastIndex;
      // Its last line as typed (JSON's escapes undone): an expression, whose value the cell shows (an assignment shows none).
      const lines = [...(m[1] as string).matchAll(SOURCE_LINE)].map((l) => (l[1] as string).replace(/\\n$/, "").replace(/\\(.)/g, "$1").trim()).filter((l) => l !== "");
      const last = lines[lines.length - 1];
      if (last === undefined || ASSIGNMENT.test(last) || !namesRead(last).some((name) => SECRET_KEY.test(name))) continue;
      // The cell's outputs: from its start (its "cell_type") to its source.
      const from = Math.max(previous, at - CELL_REACH);
      const cell = text.slice(from, at);
      const start = cell.lastIndexOf('"cell_type"');
      if (start < 0) continue;
      RESULT.lastIndex = start;
      for (let r = RESULT.exec(cell); r; r = RESULT.exec(cell)) {
        const g = r[1] !== undefined ? 1 : 2;
        const span = r.indices?.[g];
        const value = r[g] as string;
        if (span && !isStandIn(value) && (value.length >= SHORT || looksLikePassword(value))) out.push({ start: from + span[0], end: from + span[1], kind: "secret" });
      }
    }
  },
};
