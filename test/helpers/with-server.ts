import { type TestServer, startTestServer } from "../../testserver/server.ts";

/**
 * `work` against a server of its own, stopped after: end-to-end tests that mostly wait (timeouts, the
 * server's windows, the runner's looks) can then run at once, none resetting or faulting another's server.
 */
export async function withServer(work: (server: TestServer) => Promise<void>): Promise<void> {
  const server = await startTestServer();
  try {
    await work(server);
  } finally {
    await server.stop();
  }
}
