import type { Detector, Finding, Hits } from "../detectors.ts";
import { isStandIn } from "../look-alikes.ts";

/**
 * A private gem source's credentials as Bundler keeps them, `username:password` under the source's host: its variable
 * (`BUNDLE_GEMS__CONTRIBSYS__COM: "user:pass"` in `~/.bundle/config`, `BUNDLE_GEMS__CONTRIBSYS__COM=user:pass` in an environment,
 * Heroku's documented way), `bundle config [set] [--global|--local] gems.contribsys.com user:pass`, and what `bundle config` prints
 * of it (`Set for the current user (…): "user:pass"`). The host's name says nothing of a secret: the password after the colon goes,
 * the user stays. Not a URL (`https://…`: the URL rule's).
 */
const CREDENTIALS = String.raw`["']?([^\s"':]{1,200}):(?!\/\/)([^\s"']{1,400})`;
const VARIABLE = new RegExp(String.raw`BUNDLE_[A-Z0-9_]{0,200}__[A-Z0-9]{2,20}["']?[ \t]*[:=][ \t]*${CREDENTIALS}`, "dy");
const COMMAND = new RegExp(String.raw`bundle[ \t]+config(?:[ \t]+set)?(?:[ \t]+--(?:global|local))?[ \t]+[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}[ \t]+${CREDENTIALS}`, "dy");
const SHOWN = new RegExp(String.raw`Set (?:for (?:the current user|your local app)|via BUNDLE_[A-Z0-9_]{1,200})[^\r\n:]{0,300}:[ \t]*${CREDENTIALS}`, "dy");

/** The setting's heading on the line above (`gems.contribsys.com`, or ``Settings for `gems.contribsys.com` in order of priority…``). */
const HOST_HEADING = /(?:^|\n)(?:Settings for `)?[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}`?[^\r\n`]{0,80}\r?\n$/;
const HEADING_REACH = 400;

export const bundlerCredentialsDetector: Detector = {
  keywords: ["bundle_", "bundle config", "set for the current user", "set for your local app", "set via bundle_"],
  find(text: string, hits: Hits, out: Finding[]): void {
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      for (const re of [VARIABLE, COMMAND, SHOWN]) {
        // What bundle config prints, under a host's heading: `without`'s `development:test` is no user and password.
        if (re === SHOWN && !HOST_HEADING.test(text.slice(Math.max(0, at - HEADING_REACH), at))) continue;
        re.lastIndex = at;
        const m = re.exec(text);
        const span = m?.indices?.[2];
        if (m && span && !isStandIn(m[2] as string)) out.push({ start: span[0], end: span[1], kind: "password" });
        if (m) break;
      }
    }
  },
};
