import type { Detector, Finding, Hits } from "../detectors.ts";
import { jsonValues, yamlValues } from "./kubernetes-secret.ts";
import { loneSecret } from "./lone-secret.ts";

/**
 * The values of a map named `secrets` (or `credentials`, `creds`, `passwords`, `tokens`, `api_keys`),
 * whatever their keys' names: a GitHub Actions job's
 * `secrets:` passed to a reusable workflow, a Helm chart's values, an app's config
 * (`secrets:\n  prod_blob: "9fK2…"`, `{"secrets": {"prod_blob": "…"}}`). A key there may be named
 * anything, so a value goes when it looks random: as a word alone would (lone-secret.ts), or hex
 * long enough for a key. docker compose's `secrets:` entries (`file: ./db_pw.txt`, `external:
 * true`), `${{ secrets.X }}` and `inherit` stay.
 */
const MAP_NAME = String.raw`(?:secrets|credentials|creds|passwords|tokens|api[_-]?keys|apiKeys)`;
const YAML_SECRETS = new RegExp(String.raw`^([ \t]*)(?:-[ \t]+)?${MAP_NAME}:[ \t]*$`, "gm");
const JSON_SECRETS = new RegExp(String.raw`"${MAP_NAME}"[ \t\r\n]*:[ \t\r\n]*\{`, "g");
const HEX_KEY = /^[0-9a-fA-F]{32,128}$/;
/** How far after its name a map is read, at most: a config file's size. */
const REACH = 64 * 1024;

/** Keys whose hex value names content or an object (`build_sha`, `checksum`, `commit`, `key_id`), not a key. */
const DIGEST_NAME = /sha|hash|digest|checksum|commit|etag|fingerprint|(?:^|[_.-])id$/i;
const looksSecret = (value: string, key: string): boolean => (HEX_KEY.test(value) && !DIGEST_NAME.test(key)) || loneSecret(value) !== undefined;

export const secretsMapDetector: Detector = {
  keywords: ["secrets:", '"secrets"', "credentials:", '"credentials"', "creds:", '"creds"', "passwords:", '"passwords"', "tokens:", '"tokens"', "keys:", 'keys"'],
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = -1;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      if (at < done) continue;
      // From the line's start, so that the map's indent is read.
      const from = text.lastIndexOf("\n", at) + 1;
      done = Math.min(text.length, at + REACH);
      jsonValues(text, from, done, out, JSON_SECRETS, looksSecret);
      yamlValues(text, from, done, out, YAML_SECRETS, looksSecret);
    }
  },
};
