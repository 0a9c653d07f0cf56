import { UserError } from "../errors.ts";
import { suggestion } from "../report/suggest.ts";
import { type Options, OptionsSchema } from "./schema.ts";
import { OPTION_INFO, OPTION_KEYS, type OptionKey } from "./option-info.ts";

const TRUE_WORDS = new Set(["true", "on", "yes", "1"]);
const FALSE_WORDS = new Set(["false", "off", "no", "0"]);

interface SetResult {
  options: Options;
  /** One line for the user: what changed, or why nothing did. */
  message: string;
}

/**
 * Apply `set <key> <value>` to `options` (a copy is returned). Booleans accept
 * true/false/on/off/yes/no/1/0; lists take a comma-separated list, or `+item` /
 * `-item` to add or remove one item. Invalid input is a UserError (exit 2).
 */
export function applySetting(options: Options, key: string, value: string): SetResult {
  if (!isOptionKey(key)) {
    // Prices are a table, set in the file (`config` shows how).
    const prices = key === "prices" ? " Prices are set in the config file: `claude-code-sync config` shows how." : "";
    throw new UserError(`Unknown option "${key}".${suggestion(key, OPTION_KEYS)}${prices} Valid options: ${OPTION_KEYS.join(", ")}.`);
  }
  if (OPTION_INFO[key].kind === "boolean") {
    const word = value.trim().toLowerCase();
    if (!TRUE_WORDS.has(word) && !FALSE_WORDS.has(word)) {
      throw new UserError(`${key} must be true or false (also on/off, yes/no, 1/0), not "${value}".`);
    }
    const next = TRUE_WORDS.has(word);
    return { options: validated({ ...options, [key]: next }), message: `${key} = ${next}` };
  }
  return setList(options, key as "excludeProjects" | "redactPatterns", value);
}

function setList(options: Options, key: "excludeProjects" | "redactPatterns", value: string): SetResult {
  const current = options[key];
  const op = value[0];
  // `+a,b` adds both, as `a,b` sets both: a comma never ends up inside one item.
  const items = op === "+" || op === "-" ? splitList(value.slice(1)) : [];
  if ((op === "+" || op === "-") && items.length === 0) {
    throw new UserError(`Give an item after "${op}", e.g. claude-code-sync set ${key} ${op}my-project`);
  }
  let next: string[];
  let message: string;
  if (op === "+") {
    const added = items.filter((item, i) => !current.includes(item) && items.indexOf(item) === i);
    next = [...current, ...added];
    message = added.length === 0 ? `${key} already has ${quoted(items)}; nothing changed.` : `${key}: added ${quoted(added)}.`;
  } else if (op === "-") {
    const removed = items.filter((item) => current.includes(item));
    next = current.filter((entry) => !items.includes(entry));
    const missing = items.filter((item) => !current.includes(item));
    message =
      removed.length === 0
        ? `${key} has no ${quoted(items)}; nothing changed.`
        : `${key}: removed ${quoted(removed)}.${missing.length ? ` (It had no ${quoted(missing)}.)` : ""}`;
  } else {
    next = splitList(value);
    message = `${key} set.`;
  }
  const listed = next.length === 0 ? "(empty)" : quoted(next);
  return { options: validated({ ...options, [key]: next }), message: `${message} Now: ${listed}` };
}

const quoted = (items: string[]) => items.map((item) => `"${item}"`).join(", ");

/**
 * Split on commas, except inside (), [] or {} or after a backslash, so regular
 * expressions like `a{2,4}` or `[,;]` stay whole.
 */
export function splitList(value: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const char = value[i];
    if (char === "\\") i++;
    else if (char === "(" || char === "[" || char === "{") depth++;
    else if ((char === ")" || char === "]" || char === "}") && depth > 0) depth--;
    else if (char === "," && depth === 0) {
      items.push(value.slice(start, i));
      start = i + 1;
    }
  }
  items.push(value.slice(start));
  return items.map((item) => item.trim()).filter((item) => item !== "");
}

/** The messages an option turned off leaves out whole: a thinking-only message has nothing else to show. */
const NO_LONGER_SENT = { toolCalls: "tool calls and their results", subagentMessages: "a subagent's", thinking: "those only of Claude's thinking" } as const;

/**
 * What a change means for the sessions already on the server, which keep what they were sent with until
 * `sync --full` sends again the messages it changes (an update replaces a message's text and parts). What
 * it cannot take back: OpenSync's search text, and messages no longer sent at all. `anySent`: whether
 * any session was ever synced from here, asked only when the note depends on it.
 */
export function sentBeforeNote(key: string, before: Options, after: Options, anySent: () => boolean): string | undefined {
  if (key === "priceUpdates" || JSON.stringify(before[key as OptionKey]) === JSON.stringify(after[key as OptionKey])) return undefined;
  if (key === "excludeProjects" && before.excludeProjects.some((p) => !after.excludeProjects.includes(p))) return "The next sync sends the sessions of a project no longer excluded.";
  if (key === "redact" && !after.redact) {
    return "From now on secrets are sent as they are, and OpenSync's search text can never be cleared of them. Turn it back on with: claude-code-sync set redact on";
  }
  // The rest is about sessions on the server: nothing to say before the first sync.
  if (!anySent()) return undefined;
  if (key === "excludeProjects") return "The sessions of a project excluded now stay on the server: delete them in the OpenSync dashboard if they must go.";
  const FULL = "claude-code-sync sync --full";
  const redaction = key === "redact" || key === "redactPatterns";
  const masksMore = key === "redact" ? after.redact : key === "redactPatterns" && after.redactPatterns.some((p) => !before.redactPatterns.includes(p));
  if (redaction ? !masksMore : after[key as "thinking"] === true) return `Sessions already synced: ${FULL} sends them again with this (only the messages it changes).`;
  const gone = redaction ? "" : `, and so do the messages no longer sent at all (${NO_LONGER_SENT[key as keyof typeof NO_LONGER_SENT]})`;
  return `Sessions already synced: ${FULL} sends again the messages this changes, replacing what they held; OpenSync's search text keeps what was sent before${gone}. Delete those sessions in the OpenSync dashboard if it must go.`;
}

function validated(options: Options): Options {
  const parsed = OptionsSchema.safeParse(options);
  if (parsed.success) return parsed.data;
  throw new UserError(parsed.error.issues.map((issue) => issue.message).join("; "));
}

function isOptionKey(key: string): key is OptionKey {
  return Object.hasOwn(OPTION_INFO, key);
}
