import pkg from "../package.json" with { type: "json" };

/** The single source of the version: package.json, inlined at build time. */
export const VERSION: string = pkg.version;
export const USER_AGENT = `claude-code-sync/${VERSION}`;
