/**
 * Addresses of hosted OpenSync that do not take syncs themselves, and where
 * its sync API is instead. Source: OpenSync's Settings page and its own URL
 * mapping, release of 2026-10-03 (../shared/opensync-contract.md, "Addresses").
 * Any other `.convex.cloud` host maps to the same name on `.convex.site`.
 */
export const HOSTED_SYNC_API = "https://api.opensync.dev";

/**
 * The addresses that take syncs, as every message names them. A `.convex.cloud`
 * address is taken too (it is rewritten to its `.convex.site` twin, as OpenSync's own mapping does).
 */
export const SYNC_API_URLS =
  `${HOSTED_SYNC_API} for hosted OpenSync, or your own deployment's https://<name>.convex.site ` +
  "(its https://<name>.convex.cloud address is taken too, and turned into that)";

/** Host name -> what it is, as the login note says it. */
export const HOSTED_ALIASES: Readonly<Record<string, string>> = {
  "app.opensync.dev": "the OpenSync web app",
  "opensync.dev": "the OpenSync website",
  "www.opensync.dev": "the OpenSync website",
  "reminiscent-gull-645.convex.cloud": "hosted OpenSync's legacy address",
};
