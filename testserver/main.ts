import { parseArgs } from "node:util";
import { startTestServer } from "./server.ts";

/**
 * Start the OpenSync test server by hand:
 *   bun testserver/main.ts [--port 8787] [--key osk_...] [--db file.sqlite] [--quiet]
 * Control it over HTTP: GET /__test/violations, /__test/dump, /__test/requests,
 * POST /__test/faults, /__test/clock {advanceMs}, /__test/rotate-key, /__test/reset.
 */
const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8787" },
    key: { type: "string" },
    db: { type: "string" },
    quiet: { type: "boolean", default: false },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a number from 0 to 65535, got ${values.port}`);
  process.exit(2);
}

try {
  const server = await startTestServer({
    port,
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
