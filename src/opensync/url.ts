import { UserError } from "../errors.ts";

/**
 * The server URL as users paste it. Convex hands out `https://<name>.convex.cloud`,
 * but HTTP actions answer on `<name>.convex.site`; self-hosted and custom
 * domains are used as given.
 */
export function normalizeUrl(input: string): string {
  const text = input.trim();
  if (!text) throw new UserError("The OpenSync URL is empty. Use your deployment's URL, e.g. https://your-name-123.convex.site");
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UserError(`"${text}" is not a URL. Use the full address with https://, e.g. https://${text.replace(/^\/+/, "")}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    const hint = /^[a-z0-9.-]+$/i.test(url.protocol.slice(0, -1)) && !text.includes("://") ? ` Did you mean https://${text}?` : "";
    throw new UserError(`The OpenSync URL must start with https:// (or http://), got "${text}".${hint}`);
  }
  if (url.username || url.password) {
    throw new UserError("Remove the user:password@ part from the OpenSync URL; the API key is given separately.");
  }
  if (url.search || url.hash) {
    throw new UserError(`The OpenSync URL must not contain ? or #, got "${text}". Use only the server address.`);
  }
  if (url.hostname.endsWith(".convex.cloud")) url.hostname = `${url.hostname.slice(0, -".convex.cloud".length)}.convex.site`;
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, "")}`;
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
