import { UserError } from "../errors.ts";
import { normalizeUrl } from "../opensync/url.ts";
import { assertTransportAllowed } from "../opensync/transport.ts";

/**
 * The server URL as given, normalized and allowed by the transport policy.
 * A key pasted as the URL is refused here, before any message could repeat it.
 */
export function loginUrl(input: string, insecure: boolean): string {
  if (/osk_[A-Za-z0-9_-]{8,}/.test(input)) {
    throw new UserError("The URL looks like an API key: are the URL and the key swapped? The URL is https://<name>.convex.site (or .convex.cloud).", 2);
  }
  const url = normalizeUrl(input);
  assertTransportAllowed(url, insecure);
  return url;
}
