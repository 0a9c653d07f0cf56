/**
 * A Claude Code history in the shapes of 2.1.115 to 2.1.29x, one session per
 * case, made in code (from ../shared/claude-code-data.md and public readers'
 * notes; no real transcript copied). test/recent-ccusage.test.ts holds our totals
 * to ccusage's on it; to record ccusage's again:
 *
 *   npx bun test/helpers/recent-corpus.ts /tmp/recent
 *   CLAUDE_CONFIG_DIR=/tmp/recent <ccusage 20.0.24 native binary> session --json --offline
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

type Line = Record<string, unknown>;

/** Case n's session id. */
export const recentSession = (n: number) => `${String(n).padStart(8, "0")}-aaaa-4bbb-8ccc-${String(n).padStart(12, "0")}`;

interface UsageIn {
  input?: number;
  output?: number;
  cacheCreation?: number;
  cacheRead?: number;
  /** The 5m/1h split of the cache writes. */
  split?: [number, number];
  speed?: string;
  /** `usage.inference_geo`. */
  geo?: string;
  webSearches?: number;
  iterations?: Line[];
}

interface AssistantIn {
  model?: string;
  usage?: UsageIn;
  stop?: string | null;
  /** Gateways write none. */
  noRequestId?: boolean;
  apiError?: boolean;
  extra?: Line;
}

/** Lines of one history; each line a second after the one before. */
class History {
  private at = Date.parse("2026-11-20T10:00:00.000Z");
  private seq = 0;
  readonly files = new Map<string, Line[]>();

  private base(sessionId: string, extra: Line = {}): Line {
    this.at += 1000;
    return { parentUuid: null, isSidechain: false, userType: "external", entrypoint: "cli", cwd: "/home/dev/shop", sessionId, version: "2.1.251", gitBranch: "main", uuid: `l-${++this.seq}`, timestamp: new Date(this.at).toISOString(), ...extra };
  }

  user(sessionId: string, content: unknown, extra: Line = {}): Line {
    return { ...this.base(sessionId, extra), type: "user", message: { role: "user", content }, origin: { kind: "human" }, promptSource: "typed" };
  }

  system(sessionId: string, extra: Line): Line {
    return { ...this.base(sessionId), type: "system", ...extra };
  }

  assistant(sessionId: string, id: string, block: Line, a: AssistantIn = {}): Line {
    const u = a.usage ?? {};
    const usage: Line = {
      input_tokens: u.input ?? 10,
      cache_creation_input_tokens: u.cacheCreation ?? 100,
      cache_read_input_tokens: u.cacheRead ?? 1000,
      output_tokens: u.output ?? 50,
      service_tier: "standard",
      ...(u.split ? { cache_creation: { ephemeral_5m_input_tokens: u.split[0], ephemeral_1h_input_tokens: u.split[1] } } : {}),
      ...(u.speed ? { speed: u.speed } : {}),
      ...(u.geo ? { inference_geo: u.geo } : {}),
      ...(u.webSearches ? { server_tool_use: { web_search_requests: u.webSearches, web_fetch_requests: 0 } } : {}),
      ...(u.iterations ? { iterations: u.iterations } : {}),
    };
    return {
      ...this.base(sessionId, a.extra),
      type: "assistant",
      ...(a.noRequestId ? {} : { requestId: `req_${id}` }),
      ...(a.apiError ? { isApiErrorMessage: true } : {}),
      message: { model: a.model ?? "claude-sonnet-4-5-20250929", id, type: "message", role: "assistant", content: [block], stop_reason: a.stop === undefined ? "end_turn" : a.stop, stop_sequence: null, usage },
    };
  }

  put(relative: string, lines: Line[]): void {
    this.files.set(relative, lines);
  }

  /** A file's bytes as written, for the shapes a list of lines cannot hold (a BOM, CRLF, a line glued to a half one). */
  putText(relative: string, text: string): void {
    this.texts.set(relative, text);
  }

  readonly texts = new Map<string, string>();
}

const text = (t: string) => ({ type: "text", text: t });
const zero = { input: 0, output: 0, cacheCreation: 0, cacheRead: 0 };
/** Lines of a subagent's (or a side question's) file. */
const inAgent = (agentId: string, extra: Line = {}) => ({ isSidechain: true, agentId, ...extra });

function cases(h: History): void {
  let n = 0;
  // 1. One response written as three lines (an empty Opus 5-style thinking block, text, a tool call), the first a streaming partial; a tool result with an image.
  {
    const s = recentSession(++n);
    h.put(`${s}.jsonl`, [
      h.user(s, "List the files"),
      h.assistant(s, "msg_s1", { type: "thinking", thinking: "", signature: "sig" }, { usage: { output: 1 }, stop: null }),
      h.assistant(s, "msg_s1", text("Listing."), { usage: { output: 300 } }),
      h.assistant(s, "msg_s1", { type: "tool_use", id: "toolu_1", name: "Bash", input: { command: "ls" } }, { usage: { output: 300 }, stop: "tool_use" }),
      h.user(s, [{ type: "tool_result", tool_use_id: "toolu_1", content: [text("a.png"), { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } }] }], {
        toolUseResult: { stdout: "a.png", stderr: "", interrupted: false, isImage: true },
      }),
      h.assistant(s, "msg_s2", text("One image."), { model: "claude-opus-4-5-20251101" }),
    ]);
  }
  // 2. An API error and a local notice (<synthetic>, no usage), then a real response.
  {
    const s = recentSession(++n);
    h.put(`${s}.jsonl`, [
      h.user(s, "Retry it"),
      h.assistant(s, "msg_e0", text("API Error: 529 overloaded"), { model: "<synthetic>", apiError: true, usage: zero }),
      h.assistant(s, "msg_e1", text("Done."), { model: "claude-opus-4-6" }),
      h.assistant(s, "msg_e2", text("No response requested."), { model: "<synthetic>", usage: zero }),
    ]);
  }
  // 3. 1-hour cache writes, web searches (not priced, as ccusage), fast mode on Opus 4.6 and Opus 5.
  {
    const s = recentSession(++n);
    h.put(`${s}.jsonl`, [
      h.user(s, "Fast, please"),
      h.assistant(s, "msg_f1", text("a"), { model: "claude-opus-4-6", usage: { cacheCreation: 5000, split: [1000, 4000], speed: "fast", webSearches: 3 } }),
      h.assistant(s, "msg_f2", text("b"), { model: "claude-opus-5", usage: { cacheCreation: 5000, split: [0, 5000], speed: "fast" } }),
      h.assistant(s, "msg_f3", text("c"), { model: "claude-sonnet-5", usage: { cacheCreation: 200, split: [200, 0] } }),
    ]);
  }
  // 4. Past 200k tokens: Sonnet 4.5 and 4 bill the excess higher; Opus 4.6 ([1m]) and Sonnet 4.6 do not.
  {
    const s = recentSession(++n);
    h.put(`${s}.jsonl`, [
      h.user(s, "Read the whole repository"),
      h.assistant(s, "msg_l1", text("a"), { model: "claude-sonnet-4-5-20250929", usage: { input: 5, cacheCreation: 210_000, cacheRead: 250_000, output: 1000 } }),
      h.assistant(s, "msg_l2", text("b"), { model: "claude-sonnet-4-20250514", usage: { input: 201_000, cacheCreation: 0, cacheRead: 0, output: 10 } }),
      h.assistant(s, "msg_l3", text("c"), { model: "claude-opus-4-6[1m]", usage: { input: 5, cacheCreation: 300_000, cacheRead: 400_000 } }),
      h.assistant(s, "msg_l4", text("d"), { model: "claude-sonnet-4-6", usage: { input: 5, cacheCreation: 300_000, cacheRead: 400_000 } }),
    ]);
  }
  // 5. Model ids as Bedrock, Vertex and gateways write them.
  {
    const s = recentSession(++n);
    const models = [
      "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
      "anthropic.claude-opus-4-5-20251101-v1:0",
      "claude-opus-4-5@20251101",
      "anthropic/claude-sonnet-4-5",
      "eu.anthropic.claude-haiku-4-5-20251001-v1:0",
      "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
      "claude-sonnet-4-5-20250929[1m]",
      "claude-opus-4-1-20250805",
      "vertex_ai/claude-opus-4-5@20251101",
      "claude-3-5-haiku-20241022",
    ];
    h.put(`${s}.jsonl`, [h.user(s, "Which model?"), ...models.map((model, i) => h.assistant(s, `msg_v${i}`, text(model), { model }))]);
  }
  // 6, 7. A fork: the child copies the parent's lines with forkedFrom, then goes on.
  {
    const [p, c] = [recentSession(++n), recentSession(++n)];
    const lines = [h.user(p, "Plan it"), h.assistant(p, "msg_p1", text("Step one."), { model: "claude-opus-4-7" }), h.assistant(p, "msg_p2", text("Step two."), { model: "claude-opus-4-7" })];
    h.put(`${p}.jsonl`, lines);
    h.put(`${c}.jsonl`, [
      ...lines.map((l) => ({ ...l, sessionId: c, forkedFrom: { sessionId: p, messageUuid: l.uuid } })),
      h.user(c, "Try another way"),
      h.assistant(c, "msg_c1", text("Step three."), { model: "claude-opus-4-7" }),
    ]);
  }
  // 8, 9. A resumed session in a new file: the history copied as it was (same ids), without forkedFrom.
  {
    const [p, c] = [recentSession(++n), recentSession(++n)];
    const lines = [h.user(p, "Fix the test"), h.assistant(p, "msg_r1", text("Fixed."), { model: "claude-haiku-4-5-20251001" })];
    h.put(`${p}.jsonl`, lines);
    h.put(`${c}.jsonl`, [...lines.map((l) => ({ ...l, sessionId: c })), h.user(c, "And the other"), h.assistant(c, "msg_r2", text("Also fixed."), { model: "claude-haiku-4-5-20251001" })]);
  }
  // 10. A /btw side question: its file replays the session, then the question and its answer.
  {
    const s = recentSession(++n);
    const aside = "aside_question-5ce17f65a0b1c2d3";
    const lines = [h.user(s, "Why is the cache cold?"), h.assistant(s, "msg_b1", text("The key changed."), { model: "claude-opus-5" })];
    h.put(`${s}.jsonl`, lines);
    h.put(`${s}/subagents/agent-${aside}.jsonl`, [
      ...lines.map((l) => ({ ...l, ...inAgent(aside) })),
      h.user(s, "what does -p do?", inAgent(aside)),
      h.assistant(s, "msg_b2", text("It prints and exits."), { model: "claude-opus-5", extra: inAgent(aside) }),
    ]);
  }
  // 11. A subagent, a teammate, a compaction; an advisor's iteration (counted at its model) and a compaction iteration (counted: Anthropic bills it; ccusage does not).
  {
    const s = recentSession(++n);
    h.put(`${s}.jsonl`, [
      h.user(s, "Ship it"),
      h.assistant(s, "msg_m1", { type: "tool_use", id: "toolu_t", name: "Task", input: { prompt: "Check" } }, { model: "claude-opus-4-8", stop: "tool_use" }),
      h.system(s, { subtype: "compact_boundary", content: "Conversation compacted", compactMetadata: { trigger: "auto", preTokens: 170_000 } }),
      h.user(s, "This session is being continued from a previous conversation.", { isCompactSummary: true, isVisibleInTranscriptOnly: true }),
      h.assistant(s, "msg_m2", text("Advised."), {
        model: "claude-sonnet-5",
        usage: { input: 4, output: 600, cacheCreation: 0, cacheRead: 0, iterations: [
          { type: "message", input_tokens: 2, output_tokens: 85 },
          { type: "advisor_message", model: "claude-opus-5", input_tokens: 3000, output_tokens: 500, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
          { type: "message", input_tokens: 2, output_tokens: 15 },
        ] },
      }),
      h.assistant(s, "msg_m3", text("Compacted."), {
        model: "claude-opus-4-8",
        usage: { input: 4, output: 600, cacheCreation: 0, cacheRead: 0, iterations: [{ type: "compaction", input_tokens: 150_000, output_tokens: 3000 }, { type: "message", input_tokens: 4, output_tokens: 600 }] },
      }),
    ]);
    h.put(`${s}/subagents/agent-a111.jsonl`, [h.user(s, "Check", inAgent("a111")), h.assistant(s, "msg_sa1", text("Checked."), { model: "claude-haiku-4-5-20251001", extra: inAgent("a111") })]);
    h.put(`${s}/subagents/agent-a222.jsonl`, [
      h.user(s, "Review", inAgent("a222", { teamName: "release" })),
      h.assistant(s, "msg_sa2", text("Reviewed."), { model: "claude-sonnet-5", extra: inAgent("a222", { teamName: "release" }) }),
    ]);
  }
  // 12. Through a gateway: no request ids, one message id on two lines.
  {
    const s = recentSession(++n);
    h.put(`${s}.jsonl`, [
      h.user(s, "Hello"),
      h.assistant(s, "msg_g1", text("a"), { noRequestId: true }),
      h.assistant(s, "msg_g1", text("b"), { noRequestId: true }),
      h.assistant(s, "msg_g2", text("c"), { noRequestId: true, model: "claude-fable-5" }),
    ]);
  }
  // 13. Today's models, with 5m and 1h cache writes.
  {
    const s = recentSession(++n);
    const models = ["claude-fable-5", "claude-fable-5-1", "claude-mythos-5", "claude-opus-5", "claude-sonnet-5", "claude-opus-4-8", "claude-opus-4-7", "claude-sonnet-4-6", "claude-haiku-4-5"];
    h.put(`${s}.jsonl`, [h.user(s, "Models"), ...models.map((model, i) => h.assistant(s, `msg_n${i}`, text(model), { model, usage: { cacheCreation: 1000, split: [400, 600] } }))]);
  }
  // 14. A compaction agent's file (the history replayed, then the summary's request), a workflow's agent, a resumed subagent re-writing its response larger.
  {
    const s = recentSession(++n);
    const compact = "acompact-767ece576f2b74e8";
    const lines = [h.user(s, "Long work"), h.assistant(s, "msg_w1", text("Worked."), { model: "claude-opus-5", usage: { input: 5, output: 900, cacheCreation: 50_000, cacheRead: 100_000, split: [0, 50_000] } })];
    h.put(`${s}.jsonl`, [
      ...lines,
      h.system(s, { subtype: "compact_boundary", content: "Conversation compacted", compactMetadata: { trigger: "auto", preTokens: 150_000 } }),
      h.user(s, "Summary of the work so far.", { isCompactSummary: true }),
      h.assistant(s, "msg_w2", text("Continuing."), { model: "claude-opus-5" }),
    ]);
    h.put(`${s}/subagents/agent-${compact}.jsonl`, [
      ...lines.map((l) => ({ ...l, ...inAgent(compact) })),
      h.user(s, "Your task is to create a detailed summary", inAgent(compact)),
      h.assistant(s, "msg_w3", text("<summary>Work.</summary>"), { model: "claude-opus-5", extra: inAgent(compact), usage: { input: 3, output: 4000, cacheCreation: 0, cacheRead: 150_000 } }),
    ]);
    h.put(`${s}/subagents/workflows/run-1/agent-b333.jsonl`, [h.user(s, "Step", inAgent("b333")), h.assistant(s, "msg_wf1", text("Stepped."), { model: "claude-sonnet-5", extra: inAgent("b333") })]);
    h.put(`${s}/subagents/agent-c444.jsonl`, [
      h.user(s, "Look", inAgent("c444")),
      h.assistant(s, "msg_nn1", text("Looked."), { model: "claude-haiku-4-5-20251001", extra: inAgent("c444") }),
      h.assistant(s, "msg_nn1", text("Looked."), { model: "claude-haiku-4-5-20251001", extra: inAgent("c444"), usage: { output: 500 } }),
    ]);
  }
  // 15. Lines that are not conversation: metadata types, system subtypes, a hook's attachment, and a subagent's progress line in the
  // parent carrying the subagent's response (counted from the subagent's own file only, as ccusage counts it).
  {
    const s = recentSession(++n);
    const meta = (type: string, extra: Line) => ({ type, sessionId: s, ...extra });
    const progressOf = h.assistant(s, "msg_x2", text("Inner."), { model: "claude-haiku-4-5-20251001", extra: inAgent("d555") });
    h.put(`${s}.jsonl`, [
      meta("permission-mode", { permissionMode: "acceptEdits" }),
      meta("queue-operation", { operation: "enqueue", content: "Tidy up", timestamp: "2026-11-20T11:00:00.000Z" }),
      h.user(s, "Tidy up"),
      h.system(s, { subtype: "api_error", level: "error", error: { status: 529 }, retryInMs: 500, retryAttempt: 1, maxRetries: 10 }),
      h.assistant(s, "msg_x1", text("Tidied."), { model: "claude-sonnet-4-6" }),
      h.system(s, { subtype: "model_refusal_fallback", content: "Switched to Claude Opus 4.8 for this answer." }),
      { ...h.system(s, {}), type: "progress", data: { type: "agent_progress", message: { type: "assistant", message: progressOf.message }, prompt: "Inner" } },
      { ...h.system(s, {}), type: "attachment", attachment: { type: "hook_success", hookName: "Stop", content: "ok" } },
      h.system(s, { subtype: "stop_hook_summary", hookCount: 1, hookInfos: [{ command: "sync", durationMs: 40 }], hookErrors: [], preventedContinuation: false }),
      h.system(s, { subtype: "turn_duration", durationMs: 6000, messageCount: 3 }),
      h.system(s, { subtype: "bridge_status", content: "/remote-control is active", url: "https://claude.ai/code/session_x" }),
      meta("agent-name", { agentName: "tidy" }),
      meta("mode", { mode: "normal" }),
      meta("last-prompt", { lastPrompt: "Tidy up" }),
      meta("pr-link", { prNumber: 7, prUrl: "https://example.com/pr/7", prRepository: "dev/shop", timestamp: "2026-11-20T11:01:00.000Z" }),
      meta("worktree-state", { worktree: null }),
      meta("cost-state", { totalCostUSD: 0.01, totalInputTokens: 10 }),
      // Types seen in September 2026 files (their fields are not public: the type and the session are what every one carries).
      meta("frame-link", {}),
      meta("artifact-comment-monitor", {}),
      meta("artifact-autoreact-ledger", {}),
    ]);
    h.put(`${s}/subagents/agent-d555.jsonl`, [h.user(s, "Inner", inAgent("d555")), progressOf]);
  }
  // 16. Late-2026 model ids as written with their date or Vertex's @ (ccusage prices these).
  {
    const s = recentSession(++n);
    const models = ["claude-opus-5-20260724", "claude-fable-5-1-20260901", "claude-sonnet-5@20260630", "claude-opus-4-8-20260521"];
    h.put(`${s}.jsonl`, [h.user(s, "Dated ids"), ...models.map((model, i) => h.assistant(s, `msg_d${i}`, text(model), { model, usage: { cacheCreation: 1000, split: [400, 600] } }))]);
  }
  // 17. Lines ccusage skips: a time it does not read (null, microseconds, missing) or a model that is no name (null, ""); one with no model it counts at no price.
  {
    const s = recentSession(++n);
    const answer = (id: string, edit: (l: Line) => void) => {
      const l = h.assistant(s, id, text(id), { model: "claude-opus-5" });
      edit(l);
      return l;
    };
    h.put(`${s}.jsonl`, [
      h.user(s, "Odd writers"),
      answer("msg_o1", () => {}),
      answer("msg_o2", (l) => (l.timestamp = null)),
      answer("msg_o3", (l) => (l.timestamp = String(l.timestamp).replace("Z", "123Z"))),
      answer("msg_o4", (l) => delete l.timestamp),
      answer("msg_o5", (l) => ((l.message as Line).model = null)),
      answer("msg_o6", (l) => ((l.message as Line).model = "")),
      answer("msg_o7", (l) => delete (l.message as Line).model),
    ]);
  }
  // 18. The models of autumn 2026 (ccusage 20.0.24 prices none of them): fast mode on Opus 5.5, US-only inference on Sonnet 5.5.
  {
    const s = recentSession(++n);
    h.put(`${s}.jsonl`, [
      h.user(s, "Newest models"),
      h.assistant(s, "msg_a1", text("a"), { model: "claude-opus-5-5", usage: { cacheCreation: 1000, split: [400, 600], speed: "fast" } }),
      h.assistant(s, "msg_a2", text("b"), { model: "claude-sonnet-5-5", usage: { cacheCreation: 1000, split: [400, 600] } }),
      h.assistant(s, "msg_a3", text("c"), { model: "claude-haiku-5-5", usage: { cacheCreation: 1000, split: [400, 600] } }),
      h.assistant(s, "msg_a4", text("d"), { model: "claude-fable-5-2", usage: { cacheCreation: 1000, split: [400, 600] } }),
      h.assistant(s, "msg_a5", text("e"), { model: "claude-opus-5-5[1m]", usage: { cacheCreation: 1000, split: [400, 600], geo: "us" } }),
    ]);
  }
  // 19. Late-2026 lines: a gateway's names for a model with thinking on; a response's lines numbered (apiBlockIndex); a row of a
  // response written with every count zeroed but its cache split kept (anthropics/claude-code#95555); a model fallback whose
  // declined attempt is an iteration (counted at its model: Anthropic bills it; ccusage does not).
  {
    const s = recentSession(++n);
    const usage = { cacheCreation: 1000, split: [400, 600] as [number, number] };
    const full = h.assistant(s, "msg_z1", text("Full."), { model: "claude-opus-5", usage: { ...usage, cacheRead: 300_000, output: 5000 } });
    const zeroed = h.assistant(s, "msg_z1", text("Full."), { model: "claude-opus-5" });
    (zeroed.message as Line).usage = { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0, cache_creation: { ephemeral_5m_input_tokens: 400, ephemeral_1h_input_tokens: 600 } };
    h.put(`${s}.jsonl`, [
      h.user(s, "Think hard", { promptId: "p-19", permissionMode: "default" }),
      h.assistant(s, "msg_t1", text("a"), { model: "claude-fable-5-1-thinking", usage }),
      h.assistant(s, "msg_t2", text("b"), { model: "claude-opus-4-5-20251101-thinking", usage }),
      h.assistant(s, "msg_i1", { type: "thinking", thinking: "", signature: "sig" }, { model: "claude-opus-5", usage: { ...usage, output: 1 }, stop: null, extra: { apiBlockIndex: 0, effort: "high" } }),
      h.assistant(s, "msg_i1", text("Numbered."), { model: "claude-opus-5", usage: { ...usage, output: 800 }, extra: { apiBlockIndex: 1, effort: "high" } }),
      full,
      zeroed,
      h.assistant(s, "msg_fb", text("Served by Opus 5."), {
        model: "claude-opus-5",
        usage: { ...usage, iterations: [
          { type: "message", model: "claude-fable-5-1", input_tokens: 9000, output_tokens: 30, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
          { type: "fallback_message", model: "claude-opus-5", input_tokens: 10, output_tokens: 50, cache_read_input_tokens: 1000, cache_creation_input_tokens: 1000 },
        ] },
      }),
    ]);
  }
  // 20. The autumn-2026 models as Bedrock, Vertex and the API write them with their vendor's prefix or date (ccusage prices none).
  {
    const s = recentSession(++n);
    const models = ["anthropic.claude-haiku-5-5", "us.anthropic.claude-opus-5-5", "global.anthropic.claude-sonnet-5-5", "eu.anthropic.claude-fable-5-2", "claude-sonnet-5-5-20260928", "claude-opus-5-5@20260922"];
    h.put(`${s}.jsonl`, [h.user(s, "Vendors"), ...models.map((model, i) => h.assistant(s, `msg_vv${i}`, text(model), { model, usage: { cacheCreation: 1000, split: [400, 600] } }))]);
  }
  // 21. Gateways' words for how a model is run, which ccusage prices right: an effort level, -latest, thinking with an effort,
  // and claude-opus-5-fast (fast mode's 2x, once even with speed fast on the line).
  {
    const s = recentSession(++n);
    const models = ["claude-opus-5-high", "claude-opus-5-xhigh", "claude-opus-4-8-max", "claude-sonnet-5-latest", "claude-fable-5-1-latest", "claude-opus-5-thinking-high", "claude-opus-5-fast"];
    h.put(`${s}.jsonl`, [
      h.user(s, "Gateway names"),
      ...models.map((model, i) => h.assistant(s, `msg_gw${i}`, text(model), { model, usage: { cacheCreation: 1000, split: [400, 600] } })),
      h.assistant(s, "msg_gwf", text("fast twice"), { model: "claude-opus-5-fast", usage: { cacheCreation: 1000, split: [400, 600], speed: "fast" } }),
    ]);
  }
  // 22. -fast names ccusage prices wrong (we report them unpriced): Opus 4.8 at models.dev's 2.4x, Opus 4.6 at its base price (fast
  // is 6x), a model with no fast mode at its base price; and a word that names no way of running a model.
  {
    const s = recentSession(++n);
    const models = ["claude-opus-4-8-fast", "claude-opus-4-6-fast", "claude-sonnet-5-fast", "claude-opus-5-preview"];
    h.put(`${s}.jsonl`, [h.user(s, "Wrong names"), ...models.map((model, i) => h.assistant(s, `msg_wn${i}`, text(model), { model, usage: { cacheCreation: 1000, split: [400, 600] } }))]);
  }
  // 23. A file whose first bytes are a UTF-8 BOM before its first line, a response (ccusage loses that line: it parses it with the BOM).
  {
    const s = recentSession(++n);
    const lines = [h.assistant(s, "msg_bom1", text("Resumed."), { model: "claude-opus-5" }), h.user(s, "Go on"), h.assistant(s, "msg_bom2", text("Done."), { model: "claude-opus-5" })];
    h.putText(`${s}.jsonl`, "\uFEFF" + lines.map((l) => JSON.stringify(l) + "\n").join(""));
  }
  // 24. CRLF line ends, as a Windows editor saves a file.
  {
    const s = recentSession(++n);
    const lines = [h.user(s, "Windows"), h.assistant(s, "msg_crlf1", text("CRLF."), { model: "claude-sonnet-5" })];
    h.putText(`${s}.jsonl`, lines.map((l) => JSON.stringify(l) + "\r\n").join(""));
  }
  // 25. Claude Code killed mid-line, then appending whole lines to the half one: a response glued after a half prompt, a prompt glued
  // after a half response (ccusage loses both glued lines: it parses whole lines only), then a line as usual.
  {
    const s = recentSession(++n);
    const half = (l: Line) => JSON.stringify(l).slice(0, 150);
    const [lost1, kept1, lost2, kept2, last] = [
      h.user(s, "Half written"),
      h.assistant(s, "msg_glue1", text("Glued."), { model: "claude-opus-5" }),
      h.assistant(s, "msg_glue0", text("Cut."), { model: "claude-opus-5" }),
      h.user(s, "Typed after the crash"),
      h.assistant(s, "msg_glue2", text("After."), { model: "claude-opus-5" }),
    ];
    h.putText(`${s}.jsonl`, [half(lost1) + JSON.stringify(kept1), half(lost2) + JSON.stringify(kept2), JSON.stringify(last)].join("\n") + "\n");
  }
  // 26. Half lines cut just after `,`, `:` and `[`, each with a response glued to it (ccusage loses the glued ones, as in case 25).
  {
    const s = recentSession(++n);
    const J = JSON.stringify;
    const cut = (l: Line, mark: string) => J(l).slice(0, J(l).indexOf(mark) + mark.length);
    const lines = [J(h.user(s, "Cut short"))];
    for (const [i, mark] of [",", '"role":', '"content":['].entries()) {
      const half = h.assistant(s, `msg_gc${i}`, text("Lost."), { model: "claude-opus-5" });
      lines.push(cut(half, mark) + J(h.assistant(s, `msg_gk${i}`, text(`Kept ${i}.`), { model: "claude-opus-5" })));
    }
    h.putText(`${s}.jsonl`, lines.join("\n") + "\n");
  }
  // 27. Lines glued to a half snapshot line and to a half queue-operation line, types once read by their first bytes alone (ccusage loses
  // both glued lines, as in case 25).
  {
    const s = recentSession(++n);
    const at = "2026-11-20T12:00:00.000Z";
    const snapshot = { type: "file-history-snapshot", messageId: "l-0", snapshot: { messageId: "l-0", trackedFileBackups: { "/home/dev/shop/a.ts": { backupFileName: "a1b2@v1", version: 1, backupTime: at } }, timestamp: at }, isSnapshotUpdate: false };
    const queued = { type: "queue-operation", operation: "enqueue", timestamp: at, sessionId: s, content: "Also lint" };
    const [prompt, glued1, glued2, last] = [
      h.user(s, "Snapshot first"),
      h.assistant(s, "msg_gs1", text("After the snapshot."), { model: "claude-opus-5" }),
      h.user(s, "Typed after the crash"),
      h.assistant(s, "msg_gs2", text("Linted."), { model: "claude-opus-5" }),
    ];
    const J = JSON.stringify;
    h.putText(`${s}.jsonl`, [J(prompt), J(snapshot).slice(0, 120) + J(glued1), J(queued).slice(0, 70) + J(glued2), J(last)].join("\n") + "\n");
  }
  // 28. A nested agent (its meta file names the subagent that started it, parentAgentId) and a workflow's agent with a meta file
  // beside its run's journal.jsonl (a record of steps, no transcript).
  {
    const s = recentSession(++n);
    const [outer, inner, step] = ["a2800000000000001", "a2800000000000002", "w2800000000000003"];
    h.put(`${s}.jsonl`, [h.user(s, "Audit the repo"), h.assistant(s, "msg_na1", text("Audited."), { model: "claude-opus-4-8" })]);
    h.put(`${s}/subagents/agent-${outer}.jsonl`, [h.user(s, "Audit it", inAgent(outer)), h.assistant(s, "msg_na2", text("Delegated."), { model: "claude-sonnet-4-6", extra: inAgent(outer) })]);
    h.putText(`${s}/subagents/agent-${outer}.meta.json`, JSON.stringify({ agentType: "Explore", description: "Audit", spawnDepth: 1 }));
    h.put(`${s}/subagents/agent-${inner}.jsonl`, [h.user(s, "Look deeper", inAgent(inner)), h.assistant(s, "msg_na3", text("Deeper."), { model: "claude-haiku-4-5-20251001", extra: inAgent(inner) })]);
    h.putText(`${s}/subagents/agent-${inner}.meta.json`, JSON.stringify({ agentType: "general-purpose", description: "Deep", spawnDepth: 2, parentAgentId: outer }));
    h.put(`${s}/subagents/workflows/run-28/agent-${step}.jsonl`, [h.user(s, "Build", inAgent(step)), h.assistant(s, "msg_na4", text("Built."), { model: "claude-sonnet-5", extra: inAgent(step) })]);
    h.putText(`${s}/subagents/workflows/run-28/agent-${step}.meta.json`, JSON.stringify({ agentType: "workflow-step" }));
    h.putText(`${s}/subagents/workflows/run-28/journal.jsonl`, JSON.stringify({ step: 1, status: "done" }) + "\n");
  }
  // 29. A fork agent (meta file agentType fork, isFork) whose file replays the session (its lines, uuids and usage), then its
  // directive after the placeholder result, then its answer.
  {
    const s = recentSession(++n);
    const fork = "af2900000000000001";
    const lines = [
      h.user(s, "Investigate the flaky test"),
      h.assistant(s, "msg_fk1", text("Looking."), { model: "claude-opus-5" }),
      h.assistant(s, "msg_fk2", { type: "tool_use", id: "toolu_fk", name: "Agent", input: { description: "CI logs", prompt: "Check the CI logs" } }, { model: "claude-opus-5", stop: "tool_use" }),
    ];
    h.put(`${s}.jsonl`, lines);
    h.put(`${s}/subagents/agent-${fork}.jsonl`, [
      ...lines.map((l) => ({ ...l, ...inAgent(fork) })),
      h.user(s, [{ type: "tool_result", tool_use_id: "toolu_fk", content: [text("Fork started — processing in background")] }, text("<fork-boilerplate>\nRULES (non-negotiable):\n1. You are a forked worker process.\n</fork-boilerplate>\n\nYour directive: Check the CI logs")], inAgent(fork)),
      h.assistant(s, "msg_fk3", text("A timeout."), { model: "claude-opus-5", extra: inAgent(fork) }),
    ]);
    h.putText(`${s}/subagents/agent-${fork}.meta.json`, JSON.stringify({ agentType: "fork", isFork: true, description: "CI logs", toolUseId: "toolu_fk", spawnDepth: 1, model: "inherit" }));
  }
  // 30, 31. A session resumed into a new file through a gateway (no request ids): the copied reply keeps the original's session id.
  {
    const [p, c] = [recentSession(++n), recentSession(++n)];
    const lines = [h.user(p, "Gateway work"), h.assistant(p, "msg_rg1", text("Done."), { noRequestId: true })];
    h.put(`${p}.jsonl`, lines);
    h.put(`${c}.jsonl`, [...lines, h.user(c, "More"), h.assistant(c, "msg_rg2", text("More done."), { noRequestId: true })]);
  }
}

/** Writes the history under `root`/projects/ (a Claude config folder). */
export function writeRecentCorpus(root: string): void {
  const h = new History();
  cases(h);
  const texts = [...[...h.files].map(([relative, lines]) => [relative, lines.map((l) => JSON.stringify(l)).join("\n") + "\n"] as const), ...h.texts];
  for (const [relative, text] of texts) {
    const path = join(root, "projects", "-home-dev-shop", relative);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
}

if (import.meta.main) writeRecentCorpus(process.argv[2] ?? ".");
