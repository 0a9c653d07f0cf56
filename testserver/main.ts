import { parseArgs } from "node:util";
import { ProfileSchema } from "./profile.ts";
import { startTestServer } from "./server.ts";

/**
 * Start the OpenSync test server by hand (USAGE below). The profile flags are described in profile.ts. Control it over HTTP under
 * /__test/ (list in server.ts): violations, requests, dump, orphans, faults,
 * profile, writes, clock, rotate-key, reset, delete-session, delete-all-data,
 * new-deployment, suspend.
 */
const USAGE = `Usage: bun testserver/main.ts [--port 8787] [--key osk_...] [--db file.sqlite] [--quiet]
  [--rtt-ms 20] [--write-service-ms 5] [--web-app] [--health timestamp|version|both] [--per-session-message-ids]`;

let parsed: ReturnType<typeof parseOptions>;
try {
  parsed = parseOptions();
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
const { values } = parsed;
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

function parseOptions() {
  return parseArgs({
    options: {
      help: { type: "boolean", short: "h", default: false },
      port: { type: "string", default: "8787" },
      key: { type: "string" },
      db: { type: "string" },
      quiet: { type: "boolean", default: false },
      "rtt-ms": { type: "string", default: "0" },
      "write-service-ms": { type: "string", default: "0" },
      "web-app": { type: "boolean", default: false },
      health: { type: "string", default: "timestamp" },
      "per-session-message-ids": { type: "boolean", default: false },
    },
  });
}

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a number from 0 to 65535, got ${values.port}`);
  process.exit(2);
}

const profile = ProfileSchema.safeParse({
  rttMs: Number(values["rtt-ms"]),
  writeServiceMs: Number(values["write-service-ms"]),
  webApp: values["web-app"],
  health: values.health,
  perSessionMessageIds: values["per-session-message-ids"],
});
if (!profile.success) {
  const issue = profile.error.issues[0]!;
  console.error(`Bad option ${String(issue.path[0])}: ${issue.message} (--rtt-ms and --write-service-ms take milliseconds >= 0; --health takes timestamp, version or both)`);
  process.exit(2);
}

try {
  const server = await startTestServer({
    port,
    ...profile.data,
    ...(values.key ? { apiKey: values.key } : {}),
    ...(values.db ? { dbPath: values.db } : {}),
    onRequest: values.quiet
      ? undefined
      : (r) => console.error(`${r.seq} ${r.method} ${r.path} -> ${r.status}${r.fault ? ` (fault ${r.fault})` : ""}`),
  });
  console.log(`OpenSync test server at ${server.url}`);
  console.log(`API key: ${server.apiKey}`);
  const stop = async () => {
    await server.stop();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
} catch (e) {
  console.error(`Could not start the test server: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
