import type { Detector, Finding, Hits } from "../detectors.ts";
import { isStandIn } from "../look-alikes.ts";

/**
 * MySQL's glued password (`-pX`) as an element of a JSON list, where no command line holds it: an MCP server's
 * `{"command": "mysql", "args": ["-u", "root", "-pX"]}`, pretty-printed or not, or a container's `["mysql", "-pX"]`.
 * Only when the list's command is mysql-like: `-p` is another tool's flag (`node -p`, `ssh -p 22`).
 */

/** The command as a JSON string (a path to it too), then the list: the `args` field after the `command` one, or the list's next elements. */
const COMMAND = /(?<=["/\\])(?:mysql|mariadb)[A-Za-z0-9_-]{0,20}(?:\.exe)?"(?:[ \t\r\n]*,[ \t\r\n]*"args"[ \t\r\n]*:[ \t\r\n]*\[)?/iy;
/** A string element of the list and the comma before it. */
const ELEMENT = /[ \t\r\n]*,?[ \t\r\n]*"((?:[^"\\\r\n]|\\.){0,1000})"/dy;
/** The list's elements walked at most. */
const MAX_ELEMENTS = 50;

export const mysqlArgsDetector: Detector = {
  keywords: ["mysql", "mariadb"],
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = 0;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (at < done) continue;
      COMMAND.lastIndex = at;
      if (!COMMAND.test(text)) continue;
      done = COMMAND.lastIndex;
      for (let n = 0; n < MAX_ELEMENTS; n++) {
        ELEMENT.lastIndex = done;
        const m = ELEMENT.exec(text);
        const span = m?.indices?.[1];
        if (!m || !span) break;
        done = ELEMENT.lastIndex;
        const value = (m[1] as string).slice(2);
        if ((m[1] as string).startsWith("-p") && value !== "" && !isStandIn(value)) out.push({ start: span[0] + 2, end: span[1], kind: "password" });
      }
    }
  },
};
