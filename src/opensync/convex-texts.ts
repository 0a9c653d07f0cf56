/**
 * Texts of Convex errors that OpenSync passes on as `500 {"error": String(e)}`
 * (its http.ts catches every exception), matched as substrings of the error's
 * text. Source: get-convex/convex-backend (snapshot of 2026-08-22), file named
 * per entry. A 500 whose text matches none of them is transient.
 */

/** This payload can never be stored as it is: the item is refused for good. */
const REFUSED_TEXTS: readonly string[] = [
  // crates/udf/src/validation.rs: every argument-validation failure is prefixed with it.
  "ArgumentValidationError",
  // crates/common/src/schemas/validator.rs (ValidationError), also from schema validation of a write.
  "Value does not match validator",
  "Object contains extra field",
  "Object is missing the required field",
  "does not match literal validator",
  "which does not match the table name in validator",
  "does not match the schema",
  // npm-packages/convex/src/values/value.ts (validateObjectField, convexToJson).
  "which is reserved",
  "exceeds maximum field name length",
  "Field names can only contain non-control ASCII characters",
  "is not a valid Convex value",
  "is not a supported Convex type",
  "does not fit into a 64-bit signed integer",
  // crates/value/src/size.rs, array.rs, object.rs; crates/common/src/document.rs.
  "Value is too large",
  "Array length is too long",
  "Object has too many fields",
  "Document is too nested",
  // crates/database/src/writes.rs and reads.rs: limits of one function execution.
  "Too many writes in a single function execution",
  "Too many bytes written in a single function execution",
  "Too many documents read in a single function execution",
  "Too many bytes read in a single function execution",
  // crates/isolate/src/helpers.rs, environment/helpers/mod.rs.
  "return value is too large",
  "Invalid argument `",
  "Invalid arguments for `",
  // crates/value/src/serialized_args_ext.rs.
  "Invalid arguments provided",
];

/**
 * Transient 500s after which the write surely was not applied: Convex rolled
 * the mutation back (write conflict) or refused it before running it.
 */
const NOT_APPLIED_TEXTS: readonly string[] = [
  // crates/errors/src/lib.rs: OCC_ERROR and its message.
  "OptimisticConcurrencyControlFailure",
  "changed while this mutation was being run",
  // crates/database/src/snapshot_manager.rs: the deployment's write throughput limit.
  "Too many writes per second",
];

/**
 * OpenSync's handlers answer `String(e)` of what they caught, and what Convex throws is an Error: its text
 * starts with the error's name (`Error: `, `ConvexError: `, `TypeError: `). A JSON error without it
 * (`{"error":"Internal error"}`) is some proxy's or gateway's, which says nothing of whether the write ran.
 */
const CAUGHT_EXCEPTION = /^\w*Error: /;

/** Whether a 500's text is OpenSync's answer of an exception its handler caught. */
export function isCaughtExceptionText(text: string): boolean {
  return CAUGHT_EXCEPTION.test(text);
}

/** Whether a 500's text is one of the refusals above. */
export function isRefusalText(text: string): boolean {
  return REFUSED_TEXTS.some((t) => text.includes(t));
}

/** Whether a transient 500's text says the write was not applied. */
export function isNotAppliedText(text: string): boolean {
  return NOT_APPLIED_TEXTS.some((t) => text.includes(t));
}
