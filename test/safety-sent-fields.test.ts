/**
 * Red team of what a sync sends, field by field: a secret the rules find where a message shows it
 * must not reach the server through another field built from the same text (a session's title).
 * Each case is synced to the test server and the server's copy is searched for the secret.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type TestServer, startTestServer } from "../testserver/server.ts";
import { runCli } from "./helpers/cli.ts";
import { syncEnv } from "./helpers/hardening.ts";
import { assistant, jsonl, tempClaudeDir, text, toolResult, toolUse, user } from "./helpers/transcript.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const sessionId = (i: number) => `5ec7e700-0000-4000-8000-${String(i).padStart(12, "0")}`;

/** Sessions of the lines each, synced: the server's copy as JSON. */
async function syncedLines(sessions: Array<(s: { sessionId: string }, i: number) => unknown[]>): Promise<string> {
  server.reset();
  const dir = tempClaudeDir();
  sessions.forEach((lines, i) => {
    const s = { sessionId: sessionId(i) };
    dir.write(`-home-dev-app/${s.sessionId}.jsonl`, jsonl(lines(s, i)));
  });
  const r = await runCli(["sync"], { env: syncEnv(server, dir.root), timeoutMs: 60_000 });
  expect(r.code).toBe(0);
  expect(server.dump().length).toBe(sessions.length);
  return JSON.stringify(server.dump());
}

/** Sessions of one first prompt each, synced: the server's copy as JSON. */
const synced = (prompts: string[]) => syncedLines(prompts.map((prompt) => (s, i) => [user(prompt, s), assistant(`msg_${i}`, text("Looking."), s)]));

test("a secret the rules find by its lines (a table, a CSV, a config's block) in the first prompt stays out of the title", async () => {
  // Short or with spaces: what the session's seen secrets do not hold (seen-secrets.ts), so only the rules can find it in the title.
  const pasted: Array<[prompt: string, secret: string]> = [
    ["username,password,role\nalice,hunt3r!,admin", "hunt3r!"],
    ["rootpw Xy7pQ2v\nbindpw Zz8kq1w", "Zz8kq1w"],
    ["db:\n  password: |\n    correct horse battery staple\n  host: db", "battery staple"],
    [" id | password\n----+---------\n  1 | pa55wd!", "pa55wd!"],
    ["interface=wlan0\nwpa_passphrase=correct horse battery staple\nwpa=2", "battery staple"],
    ["SSID: HomeNet\nPassword: purple monkey dishwasher", "monkey dishwasher"],
  ];
  const stored = await synced(pasted.map(([prompt]) => prompt));
  expect(stored).toContain("[REDACTED:");
  expect(pasted.filter(([, secret]) => stored.includes(secret)).map(([, secret]) => secret)).toEqual([]);
  // The title is still made of the prompt's words, on one line.
  expect(server.dump().map((s) => s.title)).toContain("username,password,role alice,[REDACTED:secret],admin");
}, 90_000);

test("a tool's input holding a record its type marks secret (an MCP tool setting a Vercel variable) sends no value of it", async () => {
  const inputs: Array<[input: Record<string, unknown>, secret: string]> = [
    [{ type: "sensitive", key: "DB", value: "hunter2pw", target: ["production"] }, "hunter2pw"],
    [{ projectId: "prj_1", env: { type: "encrypted", key: "STRIPE", value: "Zk9mQ2pL7vR3" } }, "Zk9mQ2pL7vR3"],
  ];
  const stored = await syncedLines(
    inputs.map(([input]) => (s, i) => [
      user("Add the variable", s),
      assistant(`msg_${i}`, toolUse(`toolu_${i}`, "mcp__vercel__create_env", input), s),
      toolResult(`toolu_${i}`, "created", s),
      assistant(`msg_${i}b`, text("Done."), s),
    ]),
  );
  expect(stored).toContain("mcp__vercel__create_env");
  expect(inputs.filter(([, secret]) => stored.includes(secret)).map(([, secret]) => secret)).toEqual([]);
  // The rest of the record stays readable.
  expect(stored).toContain("STRIPE");
}, 90_000);

test("the answers AskUserQuestion's input carries (a map of questions to answers) send no secret a question asked for", async () => {
  const questions = [{ question: "What is the admin password?", header: "Password", options: [{ label: "Generate one", description: "" }], multiSelect: false }];
  const input = { questions, answers: { "What is the admin password?": "Tr0ub4dor&3", "Which region?": "eu-west-1" } };
  const stored = await syncedLines([
    (s) => [
      user("Set up the admin account", s),
      assistant("msg_q", toolUse("toolu_q", "AskUserQuestion", input), s),
      toolResult("toolu_q", "User has answered your questions.", s),
      assistant("msg_q2", text("Done."), s),
    ],
  ]);
  expect(stored).toContain("What is the admin password?");
  expect(stored).not.toContain("Tr0ub4dor&3");
  expect(stored).toContain("eu-west-1");
}, 90_000);

test("a tool result's block that is not text (an MCP resource holding a file) sends no secret a rule finds by its lines", async () => {
  // Each found in a text block; as the JSON the result shows the block in, their lines were `\n` escapes.
  const files: Array<[body: string, secret: string]> = [
    ["DB_HOST=db\nadmin:Sup3rS3cret!\n", "Sup3rS3cret!"],
    ["username,password,role\nalice,hunt3r!,admin\n", "hunt3r!"],
    ["rootpw Xy7pQ2v\nbindpw Zz8kq1w\n", "Zz8kq1w"],
    ["db:\n  password: |\n    correct horse battery staple\n  host: db\n", "battery staple"],
  ];
  const content = [
    { type: "text", text: "Read 4 resources" },
    ...files.map(([body], i) => ({ type: "resource", resource: { uri: `file:///app/conf${i}`, mimeType: "text/plain", text: body } })),
  ];
  const stored = await syncedLines([
    (s) => [
      user("Read the configs", s),
      assistant("msg_r", toolUse("toolu_r", "mcp__files__read_resources", { uris: ["file:///app/conf0"] }), s),
      user([{ tool_use_id: "toolu_r", type: "tool_result", content }], s),
      assistant("msg_r2", text("Done."), s),
    ],
  ]);
  expect(files.filter(([, secret]) => stored.includes(secret)).map(([, secret]) => secret)).toEqual([]);
  // The result is still one text, the blocks as JSON, the rest of each file readable.
  const result = server.dump()[0]?.messages.flatMap((m) => m.parts).find((p) => p.type === "tool-result")?.content as { result: unknown };
  expect(typeof result.result).toBe("string");
  expect(result.result).toStartWith('Read 4 resources\n{"type":"resource","resource":{"uri":"file:///app/conf0"');
  expect(result.result).toContain("DB_HOST=db\\n");
}, 90_000);

test("a password store's entry shown by a Bash call (pass show) sends no password on its first line, whatever its shape", async () => {
  const stored = await syncedLines([
    (s) => [
      user("What is the db password?", s),
      assistant("msg_p", toolUse("toolu_p", "Bash", { command: "pass show work/db", description: "Show the entry" }), s),
      toolResult("toolu_p", "P@ss w0rd!\nlogin: bob", s),
      assistant("msg_p2", text("Found it."), s),
    ],
  ]);
  expect(stored).toContain("pass show work/db");
  expect(stored).not.toContain("P@ss w0rd!");
  expect(stored).toContain("login: bob");
}, 90_000);

test("pass or gopass given an entry's name alone, pass generating one or printing a one-time code (oathtool too), and a store's entry pasted after a prompt, send no password", async () => {
  const stored = await syncedLines([
    (s) => [
      user("What is the db password?", s),
      assistant("msg_b", toolUse("toolu_b", "Bash", { command: "pass work/db", description: "Show the entry" }), s),
      toolResult("toolu_b", "hunter2\nlogin: bob", s),
      assistant("msg_g", toolUse("toolu_g", "Bash", { command: "pass generate web/site 20", description: "Make a password" }), s),
      toolResult("toolu_g", "\x1b[1mThe generated password for \x1b[4mweb/site\x1b[24m is:\x1b[22m\n\x1b[1m\x1b[93mZx8'Cv7-Bn6Mq5Lp4K{s\x1b[22m\x1b[39m", s),
      assistant("msg_gb", toolUse("toolu_gb", "Bash", { command: "gopass work/smtp", description: "Show the entry" }), s),
      toolResult("toolu_gb", "sunny7day\nlogin: mailer", s),
      assistant("msg_o", toolUse("toolu_o", "Bash", { command: "pass otp work/github", description: "Current code" }), s),
      toolResult("toolu_o", "493021", s),
      assistant("msg_t", toolUse("toolu_t", "Bash", { command: "oathtool --totp -b JBSWY3DPEHPK3PXP", description: "Current code" }), s),
      toolResult("toolu_t", "118274", s),
      assistant("msg_p2", text("Done."), s),
    ],
    (s) => [user("This is what I get:\n$ pass show bank\ns3cr3t\n$ gopass show -o wifi/home\ncorrect horse battery\nWhy?", s), assistant("msg_q", text("Looking."), s)],
  ]);
  expect(["hunter2", "Zx8'Cv7-Bn6Mq5Lp4K{s", "s3cr3t", "correct horse battery", "sunny7day", "493021", "JBSWY3DPEHPK3PXP", "118274"].filter((secret) => stored.includes(secret))).toEqual([]);
  expect(stored).toContain("login: bob");
  expect(stored).toContain("login: mailer");
  expect(stored).toContain("The generated password for");
  expect(stored).toContain("$ pass show bank");
}, 90_000);
