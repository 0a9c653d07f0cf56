import type { Detector, Finding, Hits } from "../detectors.ts";
import { drawnAtRandom } from "./handed-key.ts";
import { lineEnd } from "./lines.ts";
import { PROVIDER_VARIABLE, isProviderCredential } from "./provider-names.ts";

/**
 * Listings of a program's environment: `docker inspect`'s (`"Env": ["STRIPE=…", "PATH=/usr/bin"]`, and its array alone,
 * as `--format '{{json .Config.Env}}'` prints it: `["STRIPE=…","PATH=/usr/bin"]`, and through jq),
 * Kubernetes' list of name and value pairs (below), `doppler secrets`' table (`│ NAME │ VALUE │ NOTE │`), `railway variables`' box (`╔══ Variables for app ══╗`, then `║ NAME │ value ║`) and `pm2 env <id>`'s `NAME: value` lines. A secret may sit under a name that says
 * nothing of it, so a value goes by its shape alone, drawn at random (handed-key.ts) and 20 letters
 * and digits or more; in a box, a provider's credential under its name alone too (provider-names.ts). Paths, versions, URLs, hashes and UUIDs are no such word.
 */
const RANDOM_VALUE = /^[A-Za-z0-9]{20,256}$/;
/**
 * `"Env": [`, Kubernetes' JSON `"env": [` and ECS's `"environment": [` of `{"name": …, "value": …}` objects (or such an array alone opening
 * its line, its first key `name`: Azure's app settings as `az webapp config appsettings list` prints them, pasted bare), or an array of `NAME=` strings opening its line, compact or as jq prints it (`[⏎  "STRIPE=…",`), or in the middle
 * of a line when its first two entries are (`docker run … ["A=1","STRIPE=…"]`, `config.Env = [`); not another field's
 * (`"Cmd": ["A=…","B=…"]` is a command's words).
 */
const ENV_OPEN =
  /"Env"[ \t]*:[ \t]*\[|"(?:env|environment)"[ \t]*:[ \t]*\[(?=\s*\{)|(?<=(?:^|\n)[ \t]{0,8})\[(?=\s{0,100}\{\s{0,100}"name"[ \t]*:[ \t]*"[A-Za-z_][A-Za-z0-9_.:-]{0,100}"[ \t]*,)|(?<=(?:^|\n)[ \t]{0,8})\[(?=(?:\r?\n[ \t]{0,40})?"[A-Za-z_][A-Za-z0-9_.-]{0,100}=)|(?<!"[ \t]*:[ \t]*)\[(?="[A-Za-z_][A-Za-z0-9_.-]{0,100}=[^"\r\n]{0,1000}"[ \t]*,[ \t]*"[A-Za-z_][A-Za-z0-9_.-]{0,100}=)/y;
/** The array's end, within a bounded reach: an image's environment is a few dozen lines. */
const ENV_REACH = 20000;
/** An entry: docker's `"NAME=value"`, or the value of Kubernetes' JSON and ECS's task definition's `{"name": …, "value": …}`. */
const ENTRY = /"[A-Za-z_][A-Za-z0-9_.-]{0,100}=([A-Za-z0-9]{20,256})"|"value"[ \t]*:[ \t]*"([A-Za-z0-9]{20,256})"/dg;

/** Doppler's header (a NAME column, then VALUE), or Railway's title. */
const BOX_HEADER = /^[ \t]*(?:│[ \t]*NAME[ \t]*│[ \t]*VALUE[ \t]*│|╔═*[ \t]*Variables for[ \t])/;
const RAILWAY_TITLE = /^variables for[ \t]/i;
/**
 * A row of its box (`│ STRIPE │ … │`, Railway's `║ STRIPE │ … ║`) or a rule between rows (`├───┼`, `║────║`). The name's column
 * takes its spaces too: a run of them before it, read apart, was split every way on a row of spaces with no bar after (linear).
 */
const BOX_ROW = /^[ \t]*[│║]([^│║\r\n]*)│[ \t]*([^│║\s]*)[ \t]*[│║]/d;
const BOX_RULE = /^[ \t]*(?:├[─┼]|║─)/;
const BAR_BEFORE = /│[ \t]{1,8}$/;

/** A box's value that is a secret: drawn at random, or a provider's credential under its name alone (`║ STRIPE │ correcthorse42 ║`). */
const isBoxSecret = (name: string, value: string) =>
  (RANDOM_VALUE.test(value) && drawnAtRandom(value)) || (PROVIDER_VARIABLE.test(name) && isProviderCredential(value));

/** The VALUE column of the rows under Doppler's header or Railway's title at `at`. */
function boxValues(text: string, at: number, out: Finding[]): void {
  const start = text.lastIndexOf("\n", at) + 1;
  let next = lineEnd(text, at) + 1;
  if (!BOX_HEADER.test(text.slice(start, next))) return;
  for (let rows = 0; next < text.length && rows < 10_000; rows++) {
    const stop = lineEnd(text, next);
    const line = text.slice(next, stop);
    const m = BOX_ROW.exec(line);
    const span = m?.indices?.[2];
    if (!m && !BOX_RULE.test(line)) break;
    if (m && span && isBoxSecret((m[1] as string).trim(), m[2] as string)) out.push({ start: next + span[0], end: next + span[1], kind: "secret" });
    next = stop + 1;
  }
}

/**
 * pm2's listing, known by the paths pm2 adds to every process's environment (`pm_exec_path: …`);
 * its lines within a reach of that line, as far as a screen of them goes.
 */
const PM2_REACH = 20000;
const PM2_LINE = /^[ \t]*[A-Za-z_][A-Za-z0-9_]{0,100}:[ \t]+([A-Za-z0-9]{20,256})[ \t]*\r?$/dgm;

function pm2Values(text: string, at: number, out: Finding[]): void {
  const from = Math.max(0, at - PM2_REACH);
  for (const m of text.slice(from, at + PM2_REACH).matchAll(PM2_LINE)) {
    const span = m.indices?.[1];
    if (span && drawnAtRandom(m[1] as string)) out.push({ start: from + span[0], end: from + span[1], kind: "secret" });
  }
}

/**
 * A container's environment as Kubernetes lists it (`env:`, then `- name: STRIPE` and `value: …` below it), or a platform's as
 * Render's and DigitalOcean's specs do (`envVars:`, `envs:`, then `- key: STRIPE` and `value: …`). Read from a `value`
 * hit, its `name` or `key` on the line before; a value drawn at random goes, as in the array above. JSON's `{"name": …, "value": …}` is
 * as often a HAR's header (a trace's id), so only this form.
 */
const PAIR_VALUE = /value:[ \t]*(["']?)([A-Za-z0-9]{20,256})\1[ \t]*(?=\r?\n|$)/dy;
const NAME_BEFORE = /-[ \t]+(?:name|key):[ \t]*["']?[A-Za-z_][\w.-]{0,100}["']?[ \t]*\r?\n[ \t]{0,40}$/;
const NAME_REACH = 160;

function pairValue(text: string, at: number, out: Finding[]): void {
  if (!NAME_BEFORE.test(text.slice(Math.max(0, at - NAME_REACH), at))) return;
  PAIR_VALUE.lastIndex = at;
  const m = PAIR_VALUE.exec(text);
  const span = m?.indices?.[2];
  if (m && span && drawnAtRandom(m[2] as string)) out.push({ start: span[0], end: span[1], kind: "secret" });
}

/**
 * YAML's environment block, Compose's `environment:` and a workflow's or a manifest's `env:`, as a list (`- STRIPE=…`, quoted or not)
 * or a map (`STRIPE: …`): its items, indented below the key, read as the array above is. So are the blocks that hold the same:
 * GitLab CI's `variables:`, App Engine's `env_variables:`, Goose's extensions' `envs:`, a ConfigMap's `data:` (a Secret's `stringData:`), which a workload takes
 * whole as its environment (`envFrom`), and Kustomize's generators' `literals:` (`secretGenerator:`, `configMapGenerator:`). A list may
 * stand at its key's indentation (`literals:` then `- upstream=…`), as YAML allows.
 */
const BLOCK_KEYS = ["environment:", "env:", "envs:", "variables:", "env_variables:", "data:", "stringdata:", "literals:"];
const ENV_BLOCK = /(?<=^[ \t]{0,40})(?:environment|envs?|variables|env_variables|data|stringData|literals):[ \t]*\r?\n/my;
const BLOCK_ITEM = /([ \t]*)(?:-[ \t]+(["']?)[A-Za-z_][A-Za-z0-9_.-]{0,100}=([^\s"']{1,1000})\2|["']?[A-Za-z_][A-Za-z0-9_.-]{0,100}["']?:[ \t]+(["']?)([^\s"'#]{1,1000})\4)[ \t]*(?:#[^\r\n]{0,300})?\r?(?:\n|$)/dy;
/** The most items read below one key. */
const BLOCK_ITEMS_MAX = 500;

/** The block's items' values drawn at random, as far as its items go deeper than its key; the end of what was read. */
function blockValues(text: string, at: number, out: Finding[]): number {
  ENV_BLOCK.lastIndex = at;
  if (!ENV_BLOCK.test(text)) return at;
  const indent = at - text.lastIndexOf("\n", at - 1) - 1;
  let next = ENV_BLOCK.lastIndex;
  for (let n = 0; n < BLOCK_ITEMS_MAX && next < text.length; n++) {
    BLOCK_ITEM.lastIndex = next;
    const m = BLOCK_ITEM.exec(text);
    const g = m?.[3] !== undefined ? 3 : 5;
    const span = m?.indices?.[g];
    const depth = (m?.[1] as string | undefined)?.length ?? 0;
    if (!m || !span || depth < indent || (depth === indent && m[3] === undefined)) break;
    next = BLOCK_ITEM.lastIndex;
    if (RANDOM_VALUE.test(m[g] as string) && drawnAtRandom(m[g] as string)) out.push({ start: span[0], end: span[1], kind: "secret" });
  }
  return next;
}

/**
 * A service's environment as `NAME=value` items on one line: systemd's `Environment=` (`Environment="STRIPE=…" "A=b"`), Cloud Run's
 * and Cloud Functions' `--set-env-vars` and `--update-env-vars` (`A=b,STRIPE=…`), Lambda's `Variables={A=b,STRIPE=…}`. Each value
 * drawn at random goes, as in the array above; the rest of the line is read, once.
 */
const INLINE_ENV = /(?:environment=|-env-vars(?:=|[ \t]+)|variables=\{)/iy;
const INLINE_ITEM = /(?<=^|[ \t,"'{])[A-Za-z_][A-Za-z0-9_]{0,127}=([A-Za-z0-9]{20,256})(?=["']?(?:[ \t,}]|$))/dg;
const INLINE_MAX = 4000;
const INLINE_KEYWORDS = ["environment=", "-env-vars", "variables={"];

/** The items' values on the rest of the line at `at`; where the line ends. */
function inlineValues(text: string, at: number, out: Finding[]): number {
  INLINE_ENV.lastIndex = at;
  if (!INLINE_ENV.test(text)) return at;
  const from = INLINE_ENV.lastIndex;
  const end = lineEnd(text, from, INLINE_MAX);
  for (const m of text.slice(from, end).matchAll(INLINE_ITEM)) {
    const span = m.indices?.[1];
    if (span && drawnAtRandom(m[1] as string)) out.push({ start: from + span[0], end: from + span[1], kind: "secret" });
  }
  return end;
}

export const envArrayDetector: Detector = {
  keywords: ['"env"', '"environment"', '["', "[{", "[\n", "[\r\n", "value", "variables for", "pm_exec_path:", ...BLOCK_KEYS, ...INLINE_KEYWORDS],
  find(text: string, hits: Hits, out: Finding[]): void {
    let covered = -1;
    let read = -1; // the end of the last array read: an array holding `["` is read once (linear)
    let inline = -1; // the end of the last line of items read
    for (let i = 0; i < hits.length; i += 2) {
      if (BLOCK_KEYS.includes(text.slice(hits[i] as number, hits[i + 1] as number).toLowerCase())) {
        blockValues(text, hits[i] as number, out);
        continue;
      }
      if (INLINE_KEYWORDS.includes(text.slice(hits[i] as number, hits[i + 1] as number).toLowerCase())) {
        if ((hits[i] as number) >= inline) inline = inlineValues(text, hits[i] as number, out);
        continue;
      }
      if (text.charAt(hits[i] as number) === "p") {
        // A listing has a few such lines: the reach around the first takes the rest of them.
        if ((hits[i] as number) >= covered) pm2Values(text, hits[i] as number, out);
        covered = Math.max(covered, (hits[i] as number) + PM2_REACH);
        continue;
      }
      if (RAILWAY_TITLE.test(text.slice(hits[i] as number, (hits[i] as number) + 14))) {
        boxValues(text, hits[i] as number, out);
        continue;
      }
      if (!'"['.includes(text.charAt(hits[i] as number))) {
        // A cell's header only: a bar a few spaces before (a word found everywhere, so its line is read only then).
        if (BAR_BEFORE.test(text.slice(Math.max(0, (hits[i] as number) - 9), hits[i] as number))) boxValues(text, hits[i] as number, out);
        else pairValue(text, hits[i] as number, out);
        continue;
      }
      if ((hits[i] as number) < read) continue;
      ENV_OPEN.lastIndex = hits[i] as number;
      if (!ENV_OPEN.test(text)) continue;
      const from = ENV_OPEN.lastIndex;
      const close = text.indexOf("]", from);
      const body = text.slice(from, close === -1 ? Math.min(text.length, from + ENV_REACH) : Math.min(close, from + ENV_REACH));
      read = from + body.length;
      for (const m of body.matchAll(ENTRY)) {
        const g = m[1] !== undefined ? 1 : 2;
        const span = m.indices?.[g];
        if (span && drawnAtRandom(m[g] as string)) out.push({ start: from + span[0], end: from + span[1], kind: "secret" });
      }
    }
  },
};
