import type { Detector, Finding, Hits } from "../detectors.ts";
import { isStandIn } from "../look-alikes.ts";

/**
 * The values of a Kubernetes Secret: every entry under its `data` (base64) or `stringData` is a
 * secret whatever its name (`DATABASE_URL`, `.dockerconfigjson`, `config.json`). Read where the
 * manifest says `kind: Secret`: in its YAML document (between `---` lines), or in JSON the `data`
 * maps within 64 KiB of it (`kubectl get secret -o json` lists only Secrets), as written by hand
 * or printed by `kubectl get secret -o yaml|json`. A block scalar (`key: |`) goes
 * line by line. Template and variable references (`{{ … }}`, `${…}`) stay.
 */

const DOCUMENT_MAX = 64 * 1024;
const YAML_MAP = /^([ \t]*)(?:data|stringData):[ \t]*$/gm;
const YAML_ENTRY = /^([ \t]+)("[^"\r\n]+"|'[^'\r\n]+'|[^\s:#][^:\r\n]*?):[ \t]+(.*?)[ \t]*$/;
const BLOCK_SCALAR = /^[|>][-+]?\d?$/;
const JSON_MAP = /"(?:data|stringData)"[ \t\r\n]*:[ \t\r\n]*\{/g;
const JSON_ENTRY = /[ \t\r\n]*"((?:[^"\\\r\n]|\\.)*)"[ \t\r\n]*:[ \t\r\n]*"((?:[^"\\\r\n]|\\.)*)"[ \t\r\n]*,?/dy;

/** Which of a map's values are secrets, by the value and its key (none in a block scalar's lines): a Secret's, all of them. */
type Accept = (value: string, key: string) => boolean;

function push(out: Finding[], value: string, start: number, accept: Accept, key = ""): void {
  const unquoted = /^(["']).*\1$/.test(value) ? value.slice(1, -1) : value;
  const offset = unquoted === value ? 0 : 1;
  if (unquoted === "" || BLOCK_SCALAR.test(unquoted) || isStandIn(unquoted) || !accept(unquoted, key)) return;
  out.push({ start: start + offset, end: start + offset + unquoted.length, kind: "secret" });
}

/** The YAML document around `at`: between the `---` lines before and after it, at most DOCUMENT_MAX each way. */
function yamlDocument(text: string, at: number): [number, number] {
  const from = Math.max(0, at - DOCUMENT_MAX);
  const to = Math.min(text.length, at + DOCUMENT_MAX);
  const before = text.slice(from, at).lastIndexOf("\n---");
  const after = text.slice(at, to).indexOf("\n---");
  return [before < 0 ? from : from + before + 1, after < 0 ? to : at + after];
}

/** The values of the YAML maps `maps` finds in text[from, to) (its group 1: the map's indent), by `accept`. */
export function yamlValues(text: string, from: number, to: number, out: Finding[], maps = YAML_MAP, accept: Accept = () => true): void {
  const doc = text.slice(from, to);
  for (const map of doc.matchAll(maps)) {
    const indent = (map[1] as string).length;
    let line = (map.index as number) + map[0].length + 1;
    let block = -1; // the indent of the key whose block scalar is being read
    while (line < doc.length) {
      const newline = doc.indexOf("\n", line);
      const end = newline < 0 ? doc.length : newline;
      const row = doc.slice(line, end).replace(/\r$/, "");
      const lead = row.length - row.trimStart().length;
      if (row.trim() !== "") {
        if (lead <= indent) break;
        if (block >= 0 && lead > block) push(out, row.trim(), from + line + lead, accept);
        else {
          block = -1;
          const entry = YAML_ENTRY.exec(row);
          if (entry) {
            const value = entry[3] as string;
            if (BLOCK_SCALAR.test(value)) block = lead;
            else push(out, value, from + line + row.length - value.length - (row.length - row.trimEnd().length), accept, entry[2] as string);
          }
        }
      }
      line = end + 1;
    }
  }
}

/** The string values of the JSON objects `maps` finds in text[from, to) (each match ends at its `{`), by `accept`. */
export function jsonValues(text: string, from: number, to: number, out: Finding[], maps = JSON_MAP, accept: Accept = () => true): void {
  const doc = text.slice(from, to);
  for (const map of doc.matchAll(maps)) {
    JSON_ENTRY.lastIndex = (map.index as number) + map[0].length;
    for (let entry = JSON_ENTRY.exec(doc); entry !== null; entry = JSON_ENTRY.exec(doc)) {
      const span = entry.indices?.[2];
      if (span) push(out, entry[2] as string, from + span[0], accept, entry[1] as string);
    }
  }
}

/**
 * A Secret's `stringData` in JSON with no `kind` beside it, as a patch gives it (`kubectl patch secret app -p '{"stringData":{"upstream":"…"}}'`):
 * no other kind of Kubernetes has that field, so its values are a Secret's. Read from the field, a patch's length at most.
 */
const STRING_DATA_MAP = /"stringData"[ \t\r\n]*:[ \t\r\n]*\{/g;
const PATCH_MAX = 4096;

export const kubernetesSecretDetector: Detector = {
  keywords: ["kind: secret", '"kind":"secret"', '"kind": "secret"', '"stringdata"'],
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = -1;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (at < done) continue;
      if (text.charAt(at + 1).toLowerCase() === "s") {
        // `"stringData"` (the keyword's other cases are another field's name)
        if (text.startsWith('"stringData"', at)) jsonValues(text, at, Math.min(text.length, at + PATCH_MAX), out, STRING_DATA_MAP);
        continue;
      }
      const json = text.charAt(at) === '"';
      if (!json && /[A-Za-z]/.test(text.charAt(at + "kind: secret".length))) continue; // kind: SecretProviderClass
      if (json) {
        // JSON: the object holding "kind", as far as a document may reach.
        const from = Math.max(0, at - DOCUMENT_MAX);
        const to = Math.min(text.length, at + DOCUMENT_MAX);
        jsonValues(text, from, to, out);
        done = to;
      } else {
        const [from, to] = yamlDocument(text, at);
        yamlValues(text, from, to, out);
        done = to;
      }
    }
  },
};
