import { UserError } from "../errors.ts";
import { maskCredentials } from "./errors.ts";
import { HOSTED_ALIASES, HOSTED_SYNC_API } from "./hosted-addresses.ts";

/** The server URL to use, and a note for the user when it is not the one given. */
export interface ResolvedUrl {
  url: string;
  note?: string;
}

const EXAMPLES = `https://<name>.convex.site, or ${HOSTED_SYNC_API} for hosted OpenSync`;

/**
 * The server URL as users paste it. Hosted OpenSync's web app and legacy
 * addresses take no syncs and map to its sync API (./hosted-addresses.ts);
 * Convex hands out `https://<name>.convex.cloud`, but HTTP actions answer on
 * `<name>.convex.site`; self-hosted and custom domains are used as given.
 * Messages never repeat a key or a `user:password@` from the input.
 */
export function resolveUrl(input: string): ResolvedUrl {
  const text = input.trim();
  if (!text) throw new UserError(`The OpenSync URL is empty. Use ${EXAMPLES}.`);
  if (/osk_[A-Za-z0-9_-]{8,}/.test(text)) {
    throw new UserError(`The URL looks like an API key: are the URL and the key swapped? The URL is ${EXAMPLES}.`, 2);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // Without a dot this is no address at all, maybe a pasted secret: do not repeat it.
    if (!text.includes(".")) throw new UserError(`The OpenSync URL is not an address. Use ${EXAMPLES}.`);
    const shown = shownInput(text).replace(/^\/+/, "");
    throw new UserError(`"${shown}" is not a URL. Use the full address with https://, e.g. https://${shown}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    // "localhost:3210" reads as scheme "localhost:"; "htp:/x" or "ftp://x" has a wrong scheme before the host.
    const rest = text.slice(url.protocol.length);
    const meant = /^\d/.test(rest) ? text : rest.startsWith("/") ? rest.replace(/^\/+/, "") : undefined;
    // Only an address is worth suggesting (`ftp://x` names none).
    const hint = meant && /[.:]/.test(meant) ? ` Did you mean https://${shownInput(meant)}?` : "";
    throw new UserError(`The OpenSync URL must start with https:// (or http://), got "${shownInput(text)}".${hint}`);
  }
  if (url.username || url.password) {
    throw new UserError("Remove the user:password@ part from the OpenSync URL; the API key is given separately.");
  }
  const alias = HOSTED_ALIASES[url.hostname];
  if (alias !== undefined) {
    return {
      url: HOSTED_SYNC_API,
      note: `Using ${HOSTED_SYNC_API}: ${url.hostname} is ${alias}, which takes no syncs; hosted OpenSync's sync API is ${HOSTED_SYNC_API}.`,
    };
  }
  if (url.search || url.hash) {
    throw new UserError(`The OpenSync URL must not contain ? or #, got "${shownInput(text)}". Use only the server address.`);
  }
  const cloud = url.hostname.endsWith(".convex.cloud");
  if (cloud) url.hostname = `${url.hostname.slice(0, -".convex.cloud".length)}.convex.site`;
  const result = `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
  return cloud ? { url: result, note: `Using ${result}: OpenSync's sync API is on the .convex.site host, not .convex.cloud.` } : { url: result };
}

/** The URL to talk to (see resolveUrl). */
export function normalizeUrl(input: string): string {
  return resolveUrl(input).url;
}

/**
 * Text the user gave as a URL, safe to repeat in a message: API keys masked,
 * `user:password@` and everything from `?` or `#` on left out, and shortened;
 * nothing of it when it does not look like an address at all.
 */
export function shownInput(text: string): string {
  // Neither a dot nor a port: no address, maybe a pasted secret.
  if (!/[.:]/.test(text)) return "(something that is not an address)";
  const shown = maskCredentials(text.trim())
    .replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/?#\s@]*@/i, "$1")
    .replace(/[?#][\s\S]*$/, "?…");
  return shown.length > 120 ? `${shown.slice(0, 120)}…` : shown;
}

/** Whether the URL points at this machine, where plain http:// is acceptable without --insecure. */
export function isLoopback(input: string): boolean {
  let host: string;
  try {
    host = new URL(input).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (host === "[::1]") return true;
  return /^127(\.\d{1,3}){3}$/.test(host);
}
