/**
 * Addresses of hosted OpenSync that do not take syncs themselves, and where
 * its sync API is instead. Source: OpenSync's Settings page and its own URL
 * mapping, release of 2026-10-03 (../shared/opensync-contract.md, "Addresses").
 * Any other `.convex.cloud` host maps to the same name on `.convex.site`.
 */
export const HOSTED_SYNC_API = "https://api.opensync.dev";

/** Host name -> what it is, as the login note says it. */
export const HOSTED_ALIASES: Readonly<Record<string, string>> = {
  "app.opensync.dev": "the OpenSync web app",
  "opensync.dev": "the OpenSync website",
  "www.opensync.dev": "the OpenSync website",
  "reminiscent-gull-645.convex.cloud": "hosted OpenSync's legacy address",
};
