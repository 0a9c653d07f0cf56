import type { Detector, Finding, Hits } from "../detectors.ts";
import { drawnAtRandom } from "./handed-key.ts";

/**
 * A workload's environment written in Terraform (and as `terraform plan` shows it): a Lambda's `environment { variables = { … } }`,
 * a Cloud Function's `environment_variables = { … }`, an App Service's `app_settings = { … }` (`"NAME" = "…"` lines, a plan's `+`, `~`
 * and `"old" -> "new"` too), and a container's `env { name = "…" value = "…" }` (Cloud Run, Kubernetes): a value drawn at random
 * under any name, as an environment file's. Settings, versions, URLs and words stay.
 */
const MAP_OPEN = /(?:variables|env_vars|app_settings|environment)[ \t]*=[ \t]*\{[ \t]*\r?\n/iy;
const BLOCK_OPEN = /env[ \t]*\{[ \t]*\r?\n/iy;
/** An entry of the map, or of the block (`value = "…"`): its name, then its value and a plan's new value. */
const ITEM = /[ \t]*(?:[+~-][ \t]+)?"?([A-Za-z_][\w.-]{0,127})"?[ \t]*=[ \t]*"([^"\r\n]{1,1000})"(?:[ \t]*->[ \t]*"([^"\r\n]{1,1000})")?[^\r\n]{0,200}\r?(?:\n|$)/dy;
/** The most entries read in one map; a block of name and value has a few. */
const MAP_MAX = 500;
const BLOCK_MAX = 8;

/** The entries from `at` (the line after the opening): each value drawn at random, or only `value`'s (a block); where it stopped. */
function entries(text: string, at: number, max: number, onlyValue: boolean, out: Finding[]): number {
  let next = at;
  for (let n = 0; n < max; n++) {
    ITEM.lastIndex = next;
    const m = ITEM.exec(text);
    if (!m) break;
    next = ITEM.lastIndex;
    if (onlyValue && m[1] !== "value") continue;
    for (const g of [2, 3]) {
      const span = m.indices?.[g];
      if (span && drawnAtRandom(m[g] as string)) out.push({ start: span[0], end: span[1], kind: "secret" });
    }
  }
  return next;
}

export const hclEnvDetector: Detector = {
  keywords: ["variables = {", "env_vars = {", "app_settings = {", "environment = {", "env {"],
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = -1;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (at < done || /[A-Za-z0-9]/.test(text.charAt(at - 1))) continue;
      MAP_OPEN.lastIndex = at;
      BLOCK_OPEN.lastIndex = at;
      if (MAP_OPEN.test(text)) done = entries(text, MAP_OPEN.lastIndex, MAP_MAX, false, out);
      else if (BLOCK_OPEN.test(text)) done = entries(text, BLOCK_OPEN.lastIndex, BLOCK_MAX, true, out);
    }
  },
};
