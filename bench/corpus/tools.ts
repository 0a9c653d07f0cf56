import type { Ctx } from "./lines.ts";
import { code, prose } from "./text.ts";

/**
 * Tool calls and their results, shaped like Claude Code's: the result text goes
 * into the tool_result block and a structured copy into `toolUseResult`, so a
 * Read of a big file appears twice on one line (as it does in real files).
 */

export interface ToolCall {
  name: string;
  input: Record<string, unknown>;
  result: unknown;
  isError: boolean;
  toolUseResult: unknown;
}

/** Tool names with their relative frequency; Task is handled by the session writer. */
export const TOOL_WEIGHTS: readonly (readonly [string, number])[] = [
  ["Read", 30],
  ["Bash", 22],
  ["Edit", 14],
  ["Grep", 8],
  ["TodoWrite", 7],
  ["Glob", 5],
  ["Write", 4],
  ["Task", 3],
  ["WebFetch", 2],
];

/** Heavy-tailed size: mostly around `median`, occasionally huge, never above `cap`. */
function size(ctx: Ctx, median: number, sigma: number, cap: number): number {
  return Math.max(1, Math.min(cap, Math.round(ctx.rng.lognormal(median, sigma))));
}

function filePath(ctx: Ctx): string {
  const dirs = ["src", "src/lib", "src/commands", "test", "scripts", "docs"];
  const names = ["index", "client", "parser", "upload", "state", "config", "retry", "hook", "utils"];
  const ext = ctx.rng.pick([".ts", ".ts", ".tsx", ".md", ".json", ".py"]);
  return `${ctx.cwd}/${ctx.rng.pick(dirs)}/${ctx.rng.pick(names)}${ext}`;
}

function errorCall(name: string, input: Record<string, unknown>): ToolCall {
  const text = "File has not been read yet. Read it first before writing to it.";
  return { name, input, result: `<tool_use_error>${text}</tool_use_error>`, isError: true, toolUseResult: `Error: ${text}` };
}

export function makeToolCall(ctx: Ctx, name: string): ToolCall {
  const { rng, pools } = ctx;
  switch (name) {
    case "Read": {
      const path = filePath(ctx);
      const file = code(pools, rng, size(ctx, 2_500, 1.4, 2_000_000));
      return {
        name,
        input: { file_path: path },
        result: file.numbered,
        isError: false,
        toolUseResult: {
          type: "text",
          file: { filePath: path, content: file.plain, numLines: file.lines, startLine: 1, totalLines: file.lines },
        },
      };
    }
    case "Bash": {
      const input = { command: `npm run ${rng.pick(["test", "build", "lint", "typecheck"])} -- ${rng.pick(["--watch=false", "src", "."])}`, description: prose(pools, rng, 40) };
      const stdout = rng.chance(0.5) ? code(pools, rng, size(ctx, 400, 1.8, 3_000_000)).plain : prose(pools, rng, size(ctx, 400, 1.6, 400_000));
      return { name, input, result: stdout, isError: false, toolUseResult: { stdout, stderr: "", interrupted: false, isImage: false } };
    }
    case "Edit": {
      const path = filePath(ctx);
      const oldString = code(pools, rng, size(ctx, 200, 1, 4_000)).plain;
      const newString = code(pools, rng, size(ctx, 240, 1, 4_000)).plain;
      const input = { file_path: path, old_string: oldString, new_string: newString };
      if (rng.chance(0.05)) return errorCall(name, input);
      const snippet = code(pools, rng, size(ctx, 900, 0.6, 6_000));
      const original = code(pools, rng, size(ctx, 3_000, 1.2, 1_000_000)).plain;
      return {
        name,
        input,
        result: `The file ${path} has been updated. Here's the result of running \`cat -n\` on a snippet of the edited file:\n${snippet.numbered}`,
        isError: false,
        toolUseResult: {
          filePath: path,
          oldString,
          newString,
          originalFile: original,
          structuredPatch: [
            { oldStart: rng.int(1, 400), oldLines: 7, newStart: rng.int(1, 400), newLines: 8, lines: snippet.plain.split("\n", 12) },
          ],
          userModified: false,
          replaceAll: false,
        },
      };
    }
    case "Grep": {
      const filenames = Array.from({ length: rng.int(0, 40) }, () => filePath(ctx));
      const content = filenames.join("\n");
      return {
        name,
        input: { pattern: rng.pick(["sessionId", "TODO", "usage\\.", "fetch\\("]), path: ctx.cwd, output_mode: "files_with_matches" },
        result: filenames.length ? `Found ${filenames.length} files\n${content}` : "No files found",
        isError: false,
        toolUseResult: { mode: "files_with_matches", filenames, numFiles: filenames.length, content, numLines: filenames.length },
      };
    }
    case "Glob": {
      const filenames = Array.from({ length: rng.int(0, 120) }, () => filePath(ctx));
      return {
        name,
        input: { pattern: rng.pick(["**/*.ts", "src/**/*.tsx", "*.json"]) },
        result: filenames.join("\n") || "No files found",
        isError: false,
        toolUseResult: { filenames, durationMs: rng.int(2, 400), numFiles: filenames.length, truncated: false },
      };
    }
    case "TodoWrite": {
      const todos = Array.from({ length: rng.int(2, 8) }, () => ({
        content: prose(pools, rng, rng.int(20, 90)),
        status: rng.pick(["pending", "in_progress", "completed"]),
        activeForm: prose(pools, rng, rng.int(20, 60)),
      }));
      return {
        name,
        input: { todos },
        result: "Todos have been modified successfully. Ensure that you continue to use the todo list to track your progress. Please proceed with the current tasks if applicable",
        isError: false,
        toolUseResult: { oldTodos: todos.slice(1), newTodos: todos },
      };
    }
    case "Write": {
      const path = filePath(ctx);
      const content = code(pools, rng, size(ctx, 3_000, 1.2, 500_000)).plain;
      const input = { file_path: path, content };
      if (rng.chance(0.05)) return errorCall(name, input);
      return {
        name,
        input,
        result: `File created successfully at: ${path}`,
        isError: false,
        toolUseResult: { type: "create", filePath: path, content, structuredPatch: [] },
      };
    }
    case "WebFetch": {
      const url = `https://docs.example.com/${rng.pick(["api", "guide", "reference"])}/${rng.base62(8)}`;
      const text = prose(pools, rng, size(ctx, 3_000, 1, 60_000));
      return {
        name,
        input: { url, prompt: prose(pools, rng, 120) },
        result: text,
        isError: false,
        toolUseResult: { bytes: text.length * 3, code: 200, codeText: "OK", result: text, durationMs: rng.int(300, 9_000), url },
      };
    }
    default:
      throw new Error(`no generator for tool ${name}`);
  }
}

/** The Task (subagent) call as the parent transcript records it. */
export function taskCall(ctx: Ctx, agentId: string | null): ToolCall {
  const { rng, pools } = ctx;
  const text = prose(pools, rng, size(ctx, 1_500, 0.8, 20_000));
  const toolUseResult: Record<string, unknown> = {
    status: "completed",
    prompt: prose(pools, rng, 400),
  };
  if (agentId !== null) toolUseResult.agentId = agentId;
  toolUseResult.content = [{ type: "text", text }];
  toolUseResult.totalDurationMs = rng.int(5_000, 600_000);
  toolUseResult.totalTokens = rng.int(5_000, 120_000);
  toolUseResult.totalToolUseCount = rng.int(1, 60);
  toolUseResult.usage = { input_tokens: rng.int(1, 20), cache_creation_input_tokens: rng.int(0, 9_000), cache_read_input_tokens: rng.int(0, 90_000), output_tokens: rng.int(10, 3_000) };
  return {
    name: "Task",
    input: { description: prose(pools, rng, 30), prompt: prose(pools, rng, size(ctx, 700, 0.7, 8_000)), subagent_type: rng.pick(["general-purpose", "Explore", "Plan"]) },
    result: [{ type: "text", text }],
    isError: false,
    toolUseResult,
  };
}
