/**
 * Every secret canary (test/helpers/canaries.ts) planted everywhere a
 * transcript can carry it: the prompt that becomes the title, a slash
 * command's arguments, a summary line, assistant text, thinking, a tool call's
 * input nested deep, tool results, the working directory. None may reach the server, in any request
 * body, and none may be printed by `sync` (the dry run shows titles), nor kept in the state.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { type TestServer, startTestServer } from "../testserver/server.ts";
import { CANARIES, type Canary } from "./helpers/canaries.ts";
import { runCli, tempHome } from "./helpers/cli.ts";
import { looksLikeCrash, syncEnv } from "./helpers/hardening.ts";
import { type RecordingProxy, startRecordingProxy } from "./helpers/recording-proxy.ts";
import { assistant, jsonl, tempClaudeDir, text, toolResult, toolUse, user } from "./helpers/transcript.ts";

const sessionId = (kind: number, i: number) => `c0ffee0${kind}-0000-4000-8000-${String(i).padStart(12, "0")}`;

/**
 * Four sessions per canary: its text as the first prompt (the title) and everywhere else, as a
 * slash command's arguments, as a summary line, and after words that push the title's 80-character
 * cut into the middle of it.
 */
function plant(): ReturnType<typeof tempClaudeDir> {
  const dir = tempClaudeDir();
  CANARIES.forEach((c, i) => {
    const s = { sessionId: sessionId(1, i) };
    dir.write(
      `-home-dev-secrets/${s.sessionId}.jsonl`,
      jsonl([
        user(`${c.text}\nWhat is wrong with this?`, s),
        assistant(`msg_${i}`, { type: "thinking", thinking: `The user pasted ${c.text} and I should not repeat it`, signature: "sig" }, s),
        assistant(`msg_${i}`, text(`It contains ${c.text}`), s),
        assistant(
          `msg_${i}`,
          toolUse(`toolu_${i}`, "Bash", { command: "env", options: { nested: { deeper: [{ value: c.text }, { env: { API_TOKEN: c.secret } }] } } }),
          s,
        ),
        toolResult(`toolu_${i}`, c.text, s),
        user([{ type: "tool_result", tool_use_id: `toolu_${i}b`, content: [{ type: "text", text: `output:\n${c.text}` }] }], s),
        user([{ type: "text", text: `once more: ${c.text}` }], s),
        assistant(`msg_${i}_end`, text("Done."), s),
      ]),
    );
    const command = { sessionId: sessionId(2, i) };
    dir.write(
      `-home-dev-secrets/${command.sessionId}.jsonl`,
      jsonl([
        user(`<command-name>/deploy</command-name>\n<command-args>${c.text}</command-args>`, command),
        assistant(`msg_c${i}`, text("Deployed."), command),
      ]),
    );
    const cut = { sessionId: sessionId(4, i) };
    dir.write(
      `-home-dev-secrets/${cut.sessionId}.jsonl`,
      jsonl([user(`${"please check this ".repeat(1 + (i % 4))}${c.text}`, cut), assistant(`msg_t${i}`, text("Checked."), cut)]),
    );
    const summary = { sessionId: sessionId(3, i) };
    dir.write(
      `-home-dev-secrets/${summary.sessionId}.jsonl`,
      jsonl([{ type: "summary", summary: c.text, leafUuid: "u-x" }, assistant(`msg_s${i}`, text("Summarised."), summary)]),
    );
    // In the working directory: the session's project path and name (a folder named after what was pasted).
    if (inFolderName(c)) {
      const folder = { sessionId: sessionId(5, i), cwd: `/home/dev/work/${c.text}` };
      dir.write(`-home-dev-work/${folder.sessionId}.jsonl`, jsonl([user("Hello", folder), assistant(`msg_w${i}`, text("Hi."), folder)]));
    }
  });
  return dir;
}

/** A canary that fits in a folder's name: one line. */
const inFolderName = (c: Canary) => !c.text.includes("\n");

/** Pieces of a canary's secret that must not show up: any 12 characters of it, every line of a PEM private key's body (without the Read tool's line numbers). */
function pieces(c: Canary): string[] {
  const lines = c.text.split(/\n|\\n/).map((l) => l.replace(/^ *\d+\u2192/, ""));
  const body = c.kind === "private-key" ? lines.filter((l) => /^[A-Za-z0-9+/]{64}$/.test(l)) : [];
  const secrets = body.length > 0 ? body : [c.secret]; // a key in base64 has no such lines: its secret
  return secrets.flatMap((s) => (s.length <= 12 ? [s] : Array.from({ length: s.length - 11 }, (_, k) => s.slice(k, k + 12))));
}

/** Canaries any piece of which occurs in `haystack`. */
function leaks(haystack: string): string[] {
  return CANARIES.filter((c) => pieces(c).some((p) => haystack.includes(p))).map((c) => c.name);
}

let server: TestServer;
let proxy: RecordingProxy;
let claude: ReturnType<typeof tempClaudeDir>;

beforeAll(async () => {
  claude = plant();
  server = await startTestServer();
  proxy = startRecordingProxy(server.url);
});
afterAll(async () => {
  await proxy.stop();
  await server.stop();
});

async function configured(root: string, redact: boolean) {
  const home = tempHome();
  const env = { ...syncEnv(server, root, home), CLAUDE_CODE_SYNC_URL: proxy.url };
  for (const [key, value] of [["thinking", "true"], ["redact", String(redact)]]) {
    expect((await runCli(["set", key as string, value as string], { env })).code).toBe(0);
  }
  return { home, env };
}

/** One session's transcript as it stood at each sync (`steps`), synced after each with redaction on: what the server and the state then hold. */
async function syncedInSteps(sessionId: string, steps: string[]) {
  const dir = tempClaudeDir();
  server.reset();
  const { home, env } = await configured(dir.root, true);
  for (const step of steps) {
    dir.write(`-home-dev-secrets/${sessionId}.jsonl`, step);
    expect((await runCli(["sync"], { env, timeoutMs: 60_000 })).code).toBe(0);
  }
  return { dump: server.dump(), state: stateBytes(home), env };
}

async function syncThrough(redact: boolean) {
  server.reset();
  const { env } = await configured(claude.root, redact);
  const seen = proxy.requests().length;
  const outputs = [];
  for (const args of [["sync", "--dry-run"], ["sync", "--dry-run", "--json"], ["sync", "--dry-run", "--redactions"], ["sync"], ["status"]]) {
    const r = await runCli(args, { env, timeoutMs: 60_000 });
    expect(looksLikeCrash(r.stderr)).toBe(false);
    outputs.push({ args, code: r.code, text: `${r.stdout}${r.stderr}` });
  }
  return { outputs, bodies: proxy.requests().slice(seen), dump: server.dump() };
}

test("no piece of any secret reaches the server, in any request or stored field, nor any output of `sync`", async () => {
  const { outputs, bodies, dump } = await syncThrough(true);
  expect(outputs.map((o) => o.code)).toEqual([0, 0, 0, 0, 0]);
  expect(dump.length).toBe(CANARIES.length * 4 + CANARIES.filter(inFolderName).length);
  // Thinking was sent (so it was checked), and redaction did its work.
  const stored = JSON.stringify(dump);
  expect(stored).toContain("[thinking]");
  expect(stored.split("[REDACTED:").length - 1).toBeGreaterThanOrEqual(CANARIES.length * 8);

  expect(leaks(bodies.map((b) => b.body).join("\n"))).toEqual([]);
  expect(leaks(stored)).toEqual([]);
  for (const o of outputs) expect({ args: o.args, leaked: leaks(o.text) }).toEqual({ args: o.args, leaked: [] });
  expect(server.violations()).toEqual([]);
  console.log(
    `[hardening] secrets: ${CANARIES.length} canaries x 11 places in ${dump.length} sessions; ` +
      `${bodies.length} request bodies and ${outputs.length} outputs checked: no piece leaked`,
  );
}, 300_000);

test("control: with redaction turned off, every canary does reach the server (so the check above can fail)", async () => {
  const { bodies } = await syncThrough(false);
  expect(leaks(bodies.map((b) => b.body).join("\n")).length).toBe(CANARIES.length);
}, 300_000);

/** Every byte of the app's folder (the state database and its journal, the config), as one string. */
function stateBytes(home: string): string {
  const dir = join(home, ".claude-code-sync");
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => readFileSync(join(e.parentPath, e.name), "latin1"))
    .join("\n");
}

test("nor does the state keep any piece of one: titles, a summary, a command, a response still being written", async () => {
  // Not the working directory: the transcripts' own folder names spell it, and the state keeps their paths.
  const dir = tempClaudeDir();
  CANARIES.forEach((c, i) => {
    const s = { sessionId: sessionId(6, i) };
    dir.write(
      `-home-dev-secrets/${s.sessionId}.jsonl`,
      jsonl([
        { type: "summary", summary: c.text, leafUuid: "u-x" },
        user(`<command-name>/deploy</command-name>\n<command-args>${c.text}</command-args>`, s),
        assistant(`msg_a${i}`, text("Deployed."), s),
        user(`${c.text}\nWhat is wrong with this?`, s),
        // Still streaming, in a file written just now: the sync holds it back and the state carries it to the next read.
        assistant(`msg_o${i}`, text(`It contains ${c.text}`), { ...s, stopReason: null, timestamp: new Date().toISOString() }),
      ]),
    );
  });
  const kept = async (redact: boolean) => {
    server.reset();
    const { home, env } = await configured(dir.root, redact);
    const r = await runCli(["sync", "--json"], { env, timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    // The open responses were held back, so they are in the state only.
    expect(JSON.stringify(server.dump())).not.toContain("It contains");
    return leaks(stateBytes(home));
  };
  expect(await kept(true)).toEqual([]);
  // Control: without redaction the state does hold them, so the check above can fail.
  expect((await kept(false)).length).toBe(CANARIES.length);
}, 300_000);

test("a session with secrets read piece by piece (lines cut in two, a response carried over in the state) ends as one read in one go", async () => {
  const [a, b, c] = [0, 20, 40].map((i) => CANARIES[i] as Canary) as [Canary, Canary, Canary];
  const s = { sessionId: sessionId(7, 0) };
  const streaming = { ...s, stopReason: null };
  const content = jsonl([
    user(`${a.text}\nWhy does this fail?`, s),
    assistant("msg_p1", { type: "thinking", thinking: `It holds ${b.text}`, signature: "sig" }, streaming),
    assistant("msg_p1", text(`Found ${c.text} in it`), streaming),
    assistant("msg_p1", toolUse("toolu_p1", "Bash", { command: "env", env: { API_TOKEN: a.secret } }), s),
    toolResult("toolu_p1", `output: ${b.text}`, s),
    assistant("msg_p2", text(`Remove ${c.text}, then rotate it.`), s),
  ]);
  const messagesOf = (dump: ReturnType<TestServer["dump"]>) =>
    dump.flatMap((d) => d.messages.map((m) => ({ externalId: m.externalId, role: m.role, textContent: m.textContent, parts: m.parts })));

  const whole = tempClaudeDir();
  whole.write(`-home-dev-secrets/${s.sessionId}.jsonl`, content);
  server.reset();
  expect((await runCli(["sync"], { env: (await configured(whole.root, true)).env, timeoutMs: 60_000 })).code).toBe(0);
  const once = messagesOf(server.dump());

  const pieces = tempClaudeDir();
  server.reset();
  const { env } = await configured(pieces.root, true);
  const ends = [...content.matchAll(/\n/g)].map((m) => (m.index as number) + 1);
  // Into the thinking line, after the response's text (open, carried over), into its tool call, the whole.
  // (Few: a sync that sends the session's totals again within 11 s waits for the server's window.)
  const mid = (i: number) => Math.floor(((ends[i - 1] ?? 0) + (ends[i] as number)) / 2);
  const cuts = [mid(1), ends[2] as number, mid(3), content.length];
  for (const cut of cuts) {
    pieces.write(`-home-dev-secrets/${s.sessionId}.jsonl`, content.slice(0, cut));
    expect((await runCli(["sync"], { env, timeoutMs: 60_000 })).code).toBe(0);
  }
  const dump = server.dump();
  expect(messagesOf(dump)).toEqual(once);
  expect(once.length).toBe(4);
  expect(leaks(JSON.stringify(dump))).toEqual([]);
}, 300_000);

test("a secret a command printed (or a file named for one read) alone in its tool's result, where only the call (another line, maybe another read) says what it is, and the reply that shows it again", async () => {
  const hex = (bytes: number) => Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString("hex");
  const printed: Array<[command: string, output: string, secrets: string[]]> = [
    ["openssl rand -hex 32", ...one(hex(32))],
    ['python3 -c "import secrets; print(secrets.token_hex(32))"', ...one(hex(32))],
    ["echo $DATABASE_PASSWORD", ...one("tr0ub4dor3x")],
    ["for i in 1 2 3; do openssl rand -hex 16; done", ...many([hex(16), hex(16), hex(16)])],
  ];
  // A file named for a secret, read by the Read tool: its content shown with line numbers.
  const token = hex(24);
  const commit = hex(20);
  const s = { sessionId: sessionId(8, 0) };
  const lines = [
    user("Make me the keys for the new deployment", s),
    ...printed.flatMap(([command, output], i) => [
      assistant(`msg_k${i}`, toolUse(`toolu_k${i}`, "Bash", { command }), s),
      toolResult(`toolu_k${i}`, output, s),
    ]),
    assistant("msg_r", toolUse("toolu_r", "Read", { file_path: "/home/dev/.config/deploy/api_token" }), s),
    toolResult("toolu_r", `     1\u2192${token}\n`, s),
    // A hash is no secret: a command that prints no secret keeps its output.
    assistant("msg_c", toolUse("toolu_c", "Bash", { command: "git rev-parse HEAD" }), s),
    toolResult("toolu_c", commit, s),
    // Shown again bare in the reply: only what came before says what it is.
    assistant("msg_end", text(`Done. The first one is ${printed[0]?.[1]}, built at ${commit}; the database uses ${printed[2]?.[1]} now.`), s),
  ];
  const content = jsonl(lines);
  const secrets = [...printed.flatMap(([, , list]) => list), token];
  const sent = async (steps: string[]) => (await syncedInSteps(s.sessionId, steps)).dump;
  // In one read, and with the first call read in one sync and its result in the next (the call carried in the state).
  const firstCall = jsonl(lines.slice(0, 2));
  for (const dump of [await sent([content]), await sent([firstCall, content])]) {
    const stored = JSON.stringify(dump);
    expect(secrets.filter((secret) => stored.includes(secret))).toEqual([]);
    expect(stored).toContain(commit);
    const results = dump.flatMap((d) => d.messages.flatMap((m) => m.parts.filter((p) => p.type === "tool-result").map((p) => (p.content as { result: string }).result)));
    expect(results).toEqual([...printed.map(([, output]) => output.replace(/\w+/g, "[REDACTED:secret]")), "     1\u2192[REDACTED:secret]\n", commit]);
    const reply = dump.flatMap((d) => d.messages.filter((m) => m.externalId.endsWith(lines.at(-1)?.uuid as string)).map((m) => m.textContent));
    expect(reply).toEqual([`Done. The first one is [REDACTED:secret], built at ${commit}; the database uses [REDACTED:secret] now.`]);
  }
}, 300_000);

test("a secret an MCP tool read from a secret store, in its record, and shown again in the reply (found by a blind sweep)", async () => {
  // Weak ones, in fields of any name: only the tool's name says what they are.
  const [a, b] = crypto.getRandomValues(new Uint32Array(2)).map((n) => n % 900_000 + 100_000);
  const [stored, pin] = [`hunter${a}`, String(b)];
  const s = { sessionId: sessionId(8, 4) };
  const record = { data: { data: { stripe: stored, door: pin }, metadata: { created_time: "2025-09-01T10:00:00Z", version: 7 } } };
  const lines = [
    user("What is in the stripe secret?", s),
    assistant("msg_v1", toolUse("toolu_v1", "mcp__hashicorp-vault__read_secret", { path: "secret/data/stripe" }), s),
    // As MCP tools answer: a list of text blocks.
    user([{ tool_use_id: "toolu_v1", type: "tool_result", content: [{ type: "text", text: JSON.stringify(record, null, 2) }] }], s),
    assistant("msg_v2", text(`It holds ${stored}, at version 7.`), s),
  ];
  const { dump } = await syncedInSteps(s.sessionId, [jsonl(lines)]);
  const sent = JSON.stringify(dump);
  expect([stored, pin].filter((secret) => sent.includes(secret))).toEqual([]);
  expect(sent).toContain("created_time");
  const result = dump.flatMap((d) => d.messages.flatMap((m) => m.parts.filter((p) => p.type === "tool-result").map((p) => (p.content as { result: string }).result)));
  expect(result.map((r) => JSON.parse(r))).toEqual([{ data: { data: { stripe: "[REDACTED:secret]", door: "[REDACTED:secret]" }, metadata: record.data.metadata } }]);
  const reply = dump.flatMap((d) => d.messages.filter((m) => m.externalId.endsWith(lines.at(-1)?.uuid as string)).map((m) => m.textContent));
  expect(reply).toEqual(["It holds [REDACTED:secret], at version 7."]);
}, 300_000);

test("a secret written into a file named for one, by the Write tool or a command, and shown again in the reply", async () => {
  // Weak ones: only the file's name says what they are.
  const [written, echoed] = crypto.getRandomValues(new Uint32Array(2)).map((n) => n % 900_000 + 100_000);
  const [file, piped] = [`hunter${written}`, `tr0ub4dor${echoed}`];
  const s = { sessionId: sessionId(8, 3) };
  const lines = [
    user("Set up the database secrets for compose", s),
    assistant("msg_w1", toolUse("toolu_w1", "Write", { file_path: "/home/dev/app/secrets/db_password.txt", content: `${file}\n` }), s),
    toolResult("toolu_w1", "File created successfully at: /home/dev/app/secrets/db_password.txt", s),
    assistant("msg_w2", toolUse("toolu_w2", "Bash", { command: `echo "${piped}" | sudo tee /run/secrets/api_token > /dev/null` }), s),
    toolResult("toolu_w2", "", s),
    assistant("msg_w3", text(`Done: saved ${file}, and ${piped} for the API.`), s),
  ];
  const { dump } = await syncedInSteps(s.sessionId, [jsonl(lines)]);
  const stored = JSON.stringify(dump);
  expect([file, piped].filter((secret) => stored.includes(secret))).toEqual([]);
  expect(stored).toContain("/home/dev/app/secrets/db_password.txt");
  const reply = dump.flatMap((d) => d.messages.filter((m) => m.externalId.endsWith(lines.at(-1)?.uuid as string)).map((m) => m.textContent));
  expect(reply).toEqual(["Done: saved [REDACTED:secret], and [REDACTED:secret] for the API."]);
}, 300_000);

test("a secret printed by a command Claude Code ran in the background, read back from its output file or with TaskOutput, in the same read or a later one", async () => {
  const hex = () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("hex");
  const [key, again] = [hex(), hex()];
  // A weak one, which only the command that printed it marks.
  const weak = `hunter${crypto.getRandomValues(new Uint32Array(1))[0]}`;
  const commit = Buffer.from(crypto.getRandomValues(new Uint8Array(20))).toString("hex");
  const started = (id: string) => `Command running in background with ID: ${id}. Output is being written to: /tmp/claude-1000/-home-dev/x/tasks/${id}.output`;
  const s = { sessionId: sessionId(8, 1) };
  const lines = [
    user("Make me a key for the new deployment", s),
    assistant("msg_b1", toolUse("toolu_b1", "Bash", { command: "openssl rand -hex 32" }), s),
    toolResult("toolu_b1", started("bt2kelt7i"), s),
    assistant("msg_b2", toolUse("toolu_b2", "Read", { file_path: "/tmp/claude-1000/-home-dev/x/tasks/bt2kelt7i.output" }), s),
    toolResult("toolu_b2", `     1\u2192${key}\n`, s),
    assistant("msg_b3", toolUse("toolu_b3", "Bash", { command: "openssl rand -hex 32", run_in_background: true }), s),
    toolResult("toolu_b3", started("b9x2mq"), s),
    assistant("msg_b4", toolUse("toolu_b4", "TaskOutput", { task_id: "b9x2mq", block: true }), s),
    toolResult("toolu_b4", `<retrieval_status>success</retrieval_status>\n<task_id>b9x2mq</task_id>\n<status>completed</status>\n<exit_code>0</exit_code>\n<output>\n${again}\n</output>`, s),
    // Read back with BashOutput (Claude Code before 2.0.64), its output between the status fields.
    assistant("msg_b7", toolUse("toolu_b7", "Bash", { command: "echo $DB_PASSWORD", run_in_background: true }), s),
    toolResult("toolu_b7", started("bw3p8d"), s),
    assistant("msg_b8", toolUse("toolu_b8", "BashOutput", { bash_id: "bw3p8d" }), s),
    toolResult("toolu_b8", `<status>completed</status>\n\n<exit_code>0</exit_code>\n\n<stdout>\n${weak}\n</stdout>\n\n<timestamp>2025-10-01T10:00:00.000Z</timestamp>`, s),
    // A command that prints no secret, run in the background: its output stays.
    assistant("msg_b5", toolUse("toolu_b5", "Bash", { command: "git rev-parse HEAD" }), s),
    toolResult("toolu_b5", started("bq7k1z"), s),
    assistant("msg_b6", toolUse("toolu_b6", "Read", { file_path: "/tmp/claude-1000/-home-dev/x/tasks/bq7k1z.output" }), s),
    toolResult("toolu_b6", `     1\u2192${commit}\n`, s),
  ];
  const sent = async (steps: string[]) => (await syncedInSteps(s.sessionId, steps)).dump;
  // In one read, and with the background call read in one sync and its output in the next (the task carried in the state).
  for (const dump of [await sent([jsonl(lines)]), await sent([jsonl(lines.slice(0, 3)), jsonl(lines)])]) {
    const stored = JSON.stringify(dump);
    expect([key, again, weak].filter((secret) => stored.includes(secret))).toEqual([]);
    const results = dump.flatMap((d) => d.messages.flatMap((m) => m.parts.filter((p) => p.type === "tool-result").map((p) => (p.content as { result: string }).result)));
    expect(results.filter((r) => !r.startsWith("Command running"))).toEqual([
      "     1\u2192[REDACTED:secret]\n",
      "<retrieval_status>success</retrieval_status>\n<task_id>b9x2mq</task_id>\n<status>completed</status>\n<exit_code>0</exit_code>\n<output>\n[REDACTED:secret]\n</output>",
      "<status>completed</status>\n\n<exit_code>0</exit_code>\n\n<stdout>\n[REDACTED:secret]\n</stdout>\n\n<timestamp>2025-10-01T10:00:00.000Z</timestamp>",
      `     1\u2192${commit}\n`,
    ]);
  }
}, 300_000);

test("a secret a `!` command the user ran printed (shell mode), in the same read or the next, and the output of one that prints none", async () => {
  const hex = (n: number) => Buffer.from(crypto.getRandomValues(new Uint8Array(n))).toString("hex");
  const [weak, key, token, commit] = [`hunter${crypto.getRandomValues(new Uint32Array(1))[0]}`, hex(16), `tok${hex(4)}`, hex(20)];
  const s = { sessionId: sessionId(8, 2) };
  const shell = (command: string, output: string) => [
    user(`<bash-input>${command}</bash-input>`, s),
    user(`<bash-stdout>${output}</bash-stdout><bash-stderr></bash-stderr>`, s),
  ];
  const lines = [
    user("Check the deploy settings", s),
    assistant("msg_k1", text("Go ahead."), s),
    ...shell("echo $DB_PASSWORD", weak),
    ...shell("openssl rand -hex 16", key),
    ...shell("cat ~/.config/app/token", token),
    ...shell("git rev-parse HEAD", commit),
  ];
  const sent = async (steps: string[]) => (await syncedInSteps(s.sessionId, steps)).dump;
  // In one read, and with the first command in one sync and its output in the next (what it prints carried in the state).
  for (const dump of [await sent([jsonl(lines)]), await sent([jsonl(lines.slice(0, 3)), jsonl(lines)])]) {
    const stored = JSON.stringify(dump);
    expect([weak, key, token].filter((secret) => stored.includes(secret))).toEqual([]);
    const outputs = dump.flatMap((d) => d.messages.filter((m) => m.role === "system").map((m) => m.textContent));
    expect(outputs).toEqual([
      "Shell output:\n[REDACTED:secret]",
      "Shell output:\n[REDACTED:secret]",
      "Shell output:\n[REDACTED:secret]",
      `Shell output:\n${commit}`,
    ]);
  }
}, 300_000);

test("a secret a rule found, shown again bare later in the session, goes there too, in the same read or a later one", async () => {
  const password = "Zq7-vW2#pL9x!";
  const s = { sessionId: sessionId(9, 0) };
  const lines = [
    user(`Use DB_PASSWORD=${password} for the staging database`, s),
    assistant("msg_e1", toolUse("toolu_e1", "Write", { file_path: "/srv/app/db.txt", content: password }), s),
    toolResult("toolu_e1", "File created", s),
    assistant("msg_e2", text(`Saved ${password} to /srv/app/db.txt.`), s),
    user("Thanks. Which one did you use?", s),
    assistant("msg_e3", text(`I used "${password}", as you said.`), s),
  ];
  const sent = (steps: string[]) => syncedInSteps(s.sessionId, steps);
  // In one read; then the password in the first sync and its repeats in the next two (as a hook's syncs read a turn each).
  for (const { dump, state } of [await sent([jsonl(lines)]), await sent([jsonl(lines.slice(0, 1)), jsonl(lines.slice(0, 4)), jsonl(lines)])]) {
    expect(JSON.stringify(dump).includes(password)).toBe(false);
    expect(state.includes(password)).toBe(false);
    const messages = dump.flatMap((d) => d.messages);
    const written = messages.flatMap((m) => m.parts.filter((p) => p.type === "tool-call").map((p) => (p.content as { args: { content: string } }).args.content));
    expect(written).toEqual(["[REDACTED:secret]"]);
    const replies = messages.filter((m) => m.role === "assistant" && m.textContent).map((m) => m.textContent);
    expect(replies).toEqual(["Saved [REDACTED:secret] to /srv/app/db.txt.", 'I used "[REDACTED:secret]", as you said.']);
  }
}, 300_000);

test("a secret shown bare before a rule finds it later goes there too: later in the same read, in a later read (the next turn's), or past the read's first chunk", async () => {
  const password = "Kp4-tR8#wQ2z!";
  const s = { sessionId: sessionId(9, 1) };
  // The first three show it where no rule can tell (the prompt, so the title; a file's line; a reply); the fourth names it.
  const shown = [
    user(`Set up the staging database and write ${password} into /srv/app/db.txt`, s),
    assistant("msg_f1", toolUse("toolu_f1", "Write", { file_path: "/srv/app/db.txt", content: `staging ${password}\n` }), s),
    toolResult("toolu_f1", "File created", s),
    assistant("msg_f2", text(`Saved ${password} to /srv/app/db.txt.`), s),
  ];
  const named = [assistant("msg_f3", toolUse("toolu_f2", "Bash", { command: `echo "DB_PASSWORD=${password}" >> .env` }), s), toolResult("toolu_f2", "", s)];
  // Lines a read skips unparsed, but counts toward its chunk of 8 MiB: the name comes in the read's second chunk.
  const filler = Array.from({ length: 9 }, () => ({ type: "file-history-snapshot", messageId: "m", snapshot: { pad: "x".repeat(1 << 20) }, isSnapshotUpdate: false }));
  const runs = [[jsonl([...shown, ...named])], [jsonl(shown), jsonl([...shown, ...named])], [jsonl([...shown, ...filler, ...named])]];
  for (const steps of runs) {
    const { dump, state, env } = await syncedInSteps(s.sessionId, steps);
    // Sent bare by an earlier sync, a message is sent again redacted; OpenSync's search text keeps what each send added.
    const shownSinceSent = steps.length > 1 ? dump.map(({ searchableText: _, ...rest }) => rest) : dump;
    expect(JSON.stringify(shownSinceSent).includes(password)).toBe(false);
    expect(state.includes(password)).toBe(false);
    const messages = dump.flatMap((d) => d.messages);
    const calls = messages.flatMap((m) => m.parts.filter((p) => p.type === "tool-call").map((p) => (p.content as { args: Record<string, string> }).args));
    expect(calls).toEqual([
      { file_path: "/srv/app/db.txt", content: "staging [REDACTED:secret]\n" },
      { command: 'echo "DB_PASSWORD=[REDACTED:secret]" >> .env' },
    ]);
    const replies = messages.filter((m) => m.role === "assistant" && m.textContent).map((m) => m.textContent);
    expect(replies).toEqual(["Saved [REDACTED:secret] to /srv/app/db.txt."]);
    expect(dump.map((d) => d.title)).toEqual(["Set up the staging database and write [REDACTED:secret] into /srv/app/db.txt"]);
    // The dry run counts what the sync redacted: the same reads, messages built and redacted again alike.
    const dry = await runCli(["sync", "--dry-run", "--redactions", "--json"], { env, timeoutMs: 60_000 });
    const counted = (JSON.parse(dry.stdout) as { sessions: Array<{ externalId: string; redactions: number }> }).sessions.find((x) => x.externalId === s.sessionId);
    // Each counted once, in the message's parts (its text repeats its text parts).
    expect(counted?.redactions).toBe(JSON.stringify(messages.map((m) => m.parts)).split("[REDACTED:").length - 1);
  }
}, 120_000);

const one = (secret: string): [string, string[]] => [secret, [secret]];
const many = (list: string[]): [string, string[]] => [list.join("\n"), list];
