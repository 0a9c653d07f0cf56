import type { ViolationReason } from "./violations.ts";

/**
 * Convex's argument validation and storage rules, as far as OpenSync's routes
 * hit them. Texts imitate Convex's so the client sees realistic 500 bodies.
 */

type FieldType = "string" | "number" | "role" | "parts";
export type Fields = Record<string, { type: FieldType; required?: true }>;

const ROLES = ["user", "assistant", "system", "tool", "unknown"] as const;

const optional = (type: FieldType) => ({ type });
const required = (type: FieldType) => ({ type, required: true as const });

const sessionFields: Fields = {
  externalId: required("string"),
  title: optional("string"),
  projectPath: optional("string"),
  projectName: optional("string"),
  model: optional("string"),
  provider: optional("string"),
  source: optional("string"),
  promptTokens: optional("number"),
  completionTokens: optional("number"),
  cost: optional("number"),
  durationMs: optional("number"),
};

const messageFields: Fields = {
  sessionExternalId: required("string"),
  externalId: required("string"),
  role: required("role"),
  textContent: optional("string"),
  model: optional("string"),
  promptTokens: optional("number"),
  completionTokens: optional("number"),
  durationMs: optional("number"),
  source: optional("string"),
  parts: optional("parts"),
};

/** POST /sync/session and /sync/message pick these keys from the body; others are ignored. */
export const SESSION_ARGS: Fields = { ...sessionFields, createdAt: optional("number") };
export const MESSAGE_ARGS: Fields = { ...messageFields, createdAt: optional("number") };
/** /sync/batch items are validated strictly against exactly these. */
export const BATCH_SESSION: Fields = sessionFields;
export const BATCH_MESSAGE: Fields = messageFields;

export interface Issue {
  reason: ViolationReason;
  path: string;
  text: string;
}

const VALIDATOR_TEXT: Record<FieldType, string> = {
  string: "v.string()",
  number: "v.float64()",
  role: `v.union(${ROLES.map((r) => `v.literal("${r}")`).join(", ")})`,
  parts: "v.array(v.object({type: v.string(), content: v.any()}))",
};

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}...` : text;
}

const mismatch = (path: string, value: unknown, validator: string) =>
  `ArgumentValidationError: Value does not match validator.\nPath: ${path}\nValue: ${show(value)}\nValidator: ${validator}`;
const missingField = (path: string, key: string, object: unknown) =>
  `ArgumentValidationError: Object is missing the required field \`${key}\`. Consider wrapping the field validator in \`v.optional(...)\` if this is expected.\n\nPath: ${path}\nObject: ${show(object)}`;
const extraField = (path: string, key: string, object: unknown) =>
  `ArgumentValidationError: Object contains extra field \`${key}\` that is not in the validator.\n\nPath: ${path}\nObject: ${show(object)}`;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Checks `value` against a strict object validator; returns every problem (Convex stops at the first). */
export function checkObject(value: unknown, fields: Fields, path: string): Issue[] {
  if (!isRecord(value)) return [{ reason: "invalid-type", path, text: mismatch(path || ".", value, "v.object({...})") }];
  const issues: Issue[] = [];
  for (const key of Object.keys(value)) {
    if (!(key in fields)) issues.push({ reason: "unknown-field", path: `${path}.${key}`, text: extraField(path || ".", key, value) });
  }
  for (const [key, spec] of Object.entries(fields)) {
    const at = `${path}.${key}`;
    const v = value[key];
    if (v === undefined) {
      if (spec.required) issues.push({ reason: "missing-required", path: at, text: missingField(path || ".", key, value) });
    } else if (v === null) {
      issues.push({ reason: "null-field", path: at, text: mismatch(at, v, VALIDATOR_TEXT[spec.type]) });
    } else if (spec.type === "parts") {
      issues.push(...checkParts(v, at));
    } else if (!matches(spec.type, v)) {
      const reason = spec.type === "role" ? "invalid-role" : key === "createdAt" && typeof v === "string" ? "iso-created-at" : "invalid-type";
      issues.push({ reason, path: at, text: mismatch(at, v, VALIDATOR_TEXT[spec.type]) });
    }
  }
  return issues;
}

/** An array validator around `fields` (a batch's sessions or messages). */
export function checkArray(value: unknown, fields: Fields, path: string): Issue[] {
  if (!Array.isArray(value)) return [{ reason: "invalid-type", path, text: mismatch(path, value, "v.array(v.object({...}))") }];
  return value.flatMap((item, i) => checkObject(item, fields, `${path}[${i}]`));
}

function matches(type: Exclude<FieldType, "parts">, v: unknown): boolean {
  if (type === "role") return (ROLES as readonly unknown[]).includes(v);
  return typeof v === type;
}

function checkParts(parts: unknown, path: string): Issue[] {
  if (!Array.isArray(parts)) return [{ reason: "invalid-type", path, text: mismatch(path, parts, VALIDATOR_TEXT.parts) }];
  return parts.flatMap((part, i): Issue[] => {
    const at = `${path}[${i}]`;
    if (!isRecord(part)) return [{ reason: "invalid-type", path: at, text: mismatch(at, part, "v.object({type: v.string(), content: v.any()})") }];
    const issues: Issue[] = [];
    for (const key of Object.keys(part)) {
      if (key !== "type" && key !== "content") issues.push({ reason: "part-extra-key", path: `${at}.${key}`, text: extraField(at, key, part) });
    }
    if (part.type === undefined) issues.push({ reason: "missing-required", path: `${at}.type`, text: missingField(at, "type", part) });
    else if (typeof part.type !== "string") {
      issues.push({ reason: part.type === null ? "null-field" : "invalid-type", path: `${at}.type`, text: mismatch(`${at}.type`, part.type, "v.string()") });
    }
    if (part.content === undefined) issues.push({ reason: "missing-required", path: `${at}.content`, text: missingField(at, "content", part) });
    return issues;
  });
}

/** Convex's limit on one stored document (a message row or one part). */
const MAX_DOCUMENT_BYTES = 1024 * 1024;

/** Why Convex would refuse to store `doc`, or null: `$`-prefixed field names anywhere, or a document over 1 MiB. */
export function storageIssue(doc: unknown): Issue | null {
  const dollar = findDollarKey(doc, "");
  if (dollar) {
    const name = dollar.slice(dollar.lastIndexOf(".") + 1);
    return { reason: "dollar-key", path: dollar, text: `Error: Field name ${name} starts with a '$', which is reserved. Path: ${dollar}` };
  }
  const bytes = documentBytes(doc);
  if (bytes > MAX_DOCUMENT_BYTES) {
    const mib = (bytes / MAX_DOCUMENT_BYTES).toFixed(2);
    return { reason: "oversized", path: "", text: `Error: Value is too large (${mib} MiB > maximum size 1 MiB)` };
  }
  return null;
}

/** Size of a document as stored; JSON's UTF-8 length is close enough to Convex's own measure. */
export function documentBytes(doc: unknown): number {
  return Buffer.byteLength(JSON.stringify(doc) ?? "");
}

function findDollarKey(value: unknown, path: string): string | null {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const found = findDollarKey(v, `${path}[${i}]`);
      if (found) return found;
    }
  } else if (isRecord(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (k.startsWith("$")) return `${path}.${k}`;
      const found = findDollarKey(v, `${path}.${k}`);
      if (found) return found;
    }
  }
  return null;
}
