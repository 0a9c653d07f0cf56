import type { Detector, Finding, Hits } from "../detectors.ts";
import { isStandIn } from "../look-alikes.ts";

/**
 * MySQL's glued password (`-pX`) as an element of a list, where no command line holds it: an MCP server's
 * `{"command": "mysql", "args": ["-u", "root", "-pX"]}`, pretty-printed or not, a container's `["mysql", "-pX"]` or
 * Kubernetes' `command: ["mysql"]` then `args:` (a YAML block list too), a program's `spawn("mysql", ["-pX"])` or
 * `subprocess.run(['mysql', '-pX'])`. Only when the list's command is mysql-like: `-p` is another tool's flag (`node -p`, `ssh -p 22`).
 */

/** The command as a quoted string (a path to it too), or a YAML value or block item alone on its line. */
const COMMAND = /(?<=["'/\\]|(?:command|entrypoint):[ \t]*|^[ \t]*-[ \t]+)(?:mysql|mariadb)[A-Za-z0-9_-]{0,20}(?:\.exe)?(?:["']|(?=[ \t]*\r?\n))/imy;
/** From the command to its arguments: its list's end, a comma, an `args` field, a list's start, each if there. */
const TO_ARGS = /(?:[ \t\r\n]*\])?(?:[ \t\r\n]*,)?(?:[ \t\r\n]*["']?args["']?[ \t]*:)?(?:[ \t\r\n]*\[)?/iy;
/** A string element of a list, after its comma, or a YAML block list's item (`  - -pX`, quoted or bare and alone: not a bullet's prose). */
const ELEMENT = /(?:[ \t\r\n]*,?[ \t\r\n]*|[ \t]*\r?\n[ \t]*-[ \t]+)(?:"((?:[^"\\\r\n]|\\.){0,1000})"|'((?:[^'\\\r\n]|\\.){0,1000})'|(?<=-[ \t]+)([^\s"'#,[\]{}]{1,1000})(?=[ \t]*(?:\r?\n|$)))/dy;
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
      TO_ARGS.lastIndex = COMMAND.lastIndex;
      TO_ARGS.test(text);
      done = TO_ARGS.lastIndex;
      for (let n = 0; n < MAX_ELEMENTS; n++) {
        ELEMENT.lastIndex = done;
        const m = ELEMENT.exec(text);
        const group = m ? [1, 2, 3].find((g) => m[g] !== undefined) : undefined;
        const span = group === undefined ? undefined : m?.indices?.[group];
        if (!m || !span) break;
        done = ELEMENT.lastIndex;
        const element = m[group as number] as string;
        const value = element.slice(2);
        if (element.startsWith("-p") && value !== "" && !isStandIn(value)) out.push({ start: span[0] + 2, end: span[1], kind: "password" });
      }
    }
  },
};
