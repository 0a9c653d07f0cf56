/* Apart from their schema (schema.ts): `--help` names the options, and loading zod and the config's schemas for that cost `--version` and `--help` about 10 ms. */

/** The options `set` can change, and what each one means (shown by `config`). */
export const OPTION_INFO = {
  toolCalls: { kind: "boolean", help: "send tool calls and their results" },
  thinking: { kind: "boolean", help: "send Claude's thinking blocks" },
  subagentMessages: { kind: "boolean", help: "send subagent (Task tool) messages" },
  excludeProjects: { kind: "list", help: "projects never synced (a path or a folder name, * allowed)" },
  redact: { kind: "boolean", help: "mask secrets (API keys, tokens, passwords) before sending" },
  redactPatterns: { kind: "list", help: "extra regular expressions to mask" },
  priceUpdates: { kind: "boolean", help: "refresh model prices once a day (off: the built-in prices)" },
} as const satisfies Record<string, { kind: "boolean" | "list"; help: string }>;

export type OptionKey = keyof typeof OPTION_INFO;
export const OPTION_KEYS = Object.keys(OPTION_INFO) as OptionKey[];
