import type { Detector, Finding, Hits } from "../detectors.ts";
import { isCredentialShaped } from "./inline-variables.ts";
import { lineStart } from "./lines.ts";

/**
 * A TOML table that sets an app's environment: fly.toml's `[env]`, wrangler.toml's `[vars]` (`[env.staging.vars]`), netlify.toml's
 * `[build.environment]` (`[context.production.environment]`), Cargo's `[env]`. A secret may sit under a name that says nothing of it
 * (`UPSTREAM = "…"`): each value shaped as a credential goes (inline-variables.ts isCredentialShaped), as in Compose's `environment:`.
 * Its items run to the next table's header.
 */
const TABLE = /[ \t]*\[(?:[\w-]{1,60}\.){0,4}(?:env|vars|environment)\][ \t]*\r?\n/y;
const ITEM = /[ \t]*["']?[A-Za-z_][\w.-]{0,100}["']?[ \t]*=[ \t]*(?:"([^"\\\r\n]{1,1000})"|'([^'\r\n]{1,1000})'|([^\s"'#]{1,1000}))[ \t]*(?:#[^\r\n]{0,300})?\r?(?:\n|$)/dy;
/** A line that is no item: blank, or a comment. */
const OTHER_LINE = /[ \t]*(?:#[^\r\n]{0,300})?\r?\n/y;
/** The most lines read below one header. */
const LINES_MAX = 500;

function tableValues(text: string, from: number, out: Finding[]): number {
  let next = from;
  for (let n = 0; n < LINES_MAX && next < text.length; n++) {
    ITEM.lastIndex = next;
    const m = ITEM.exec(text);
    if (!m) {
      OTHER_LINE.lastIndex = next;
      if (!OTHER_LINE.test(text)) break;
      next = OTHER_LINE.lastIndex;
      continue;
    }
    next = ITEM.lastIndex;
    const g = m[1] !== undefined ? 1 : m[2] !== undefined ? 2 : 3;
    const span = m.indices?.[g];
    if (span && isCredentialShaped(m[g] as string)) out.push({ start: span[0], end: span[1], kind: "secret" });
  }
  return next;
}

export const tomlEnvDetector: Detector = {
  keywords: ["env]", "vars]", "environment]"],
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = -1;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (at < done) continue;
      // The header is its line: from the line's start (a short look back: a header is short).
      const line = lineStart(text, at, 300);
      if (line === undefined) continue;
      TABLE.lastIndex = line;
      if (!TABLE.test(text) || TABLE.lastIndex <= at) continue;
      done = tableValues(text, TABLE.lastIndex, out);
    }
  },
};
