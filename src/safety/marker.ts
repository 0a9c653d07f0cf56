/**
 * What a redacted secret is replaced with: `[REDACTED:<kind>]`. Kinds are the generic rules' names
 * below, a provider token's kind from rules/tokens.json, or a gitleaks rule id.
 */
export type RedactionKind =
  | "private-key"
  | "password"
  | "secret"
  | "authorization"
  | "bearer-token"
  | "cookie"
  | "aws-secret-key"
  | "custom"
  | (string & {});

export function redactionMarker(kind: RedactionKind): string {
  return `[REDACTED:${kind}]`;
}

/** A value that is one of our markers (a text redacted before, or by another rule). */
export const MARKER_ONLY = /^\[REDACTED:[a-z0-9-]+\]$/;
