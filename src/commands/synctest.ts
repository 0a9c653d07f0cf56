import { loadConfig, requireCredentials } from "../config/index.ts";
import { UserError } from "../errors.ts";
import { plural } from "../report/format.ts";
import { type RoundTrip, TEST_TITLE, roundTrip, testExternalId } from "../verify/round-trip.ts";
import { checkClient, explainServerError } from "../verify/server.ts";
import { writeOut } from "../runtime/stdio.ts";
import { stopOnCtrlC } from "../report/interrupt.ts";

/** `synctest`: create a clearly named test session on the server and read it back. */
export async function run(_args: string[], options: Record<string, unknown>): Promise<number> {
  let sending: string | undefined;
  // The API has no delete: a test session left half-written is for the person to delete, by its name.
  stopOnCtrlC(false, () => (sending ? `Stopped. The test session ${sending} ("${TEST_TITLE}") may be on the server: delete it in your OpenSync dashboard (Sessions).` : "Stopped."));
  const config = loadConfig();
  const creds = requireCredentials(config, ", then synctest again");
  const { url, client } = checkClient(config, creds, options.insecure === true);
  writeOut(`Creating a test session on ${url} ...\n`);
  let result: RoundTrip;
  try {
    const now = Date.now();
    sending = testExternalId(now);
    result = await roundTrip(client, now);
  } catch (error) {
    const e = explainServerError(error, url, creds.source.apiKey, creds.source.convexUrl);
    throw new UserError(`synctest failed: ${e.problem}. Fix: ${e.fix}.`, e.exitCode);
  }
  if (!result.found) {
    throw new UserError(
      `synctest failed: the server accepted the test session ${result.externalId} but does not list it in /sync/sessions/list. ` +
        "The URL may not be the deployment that stores your sessions: check it with claude-code-sync verify.",
      1,
    );
  }
  writeOut(
    [
      `Created "${TEST_TITLE}" with ${result.messages} messages (a user prompt and an answer):`,
      `  externalId  ${result.externalId}`,
      `  server id   ${result.sessionId}`,
      `Read back: the server lists it among ${plural(result.listed, "session")} for this key. The round trip works.`,
      "See it in your OpenSync dashboard (Sessions, newest first, source claude-code); delete it there whenever you like.",
    ].join("\n") + "\n",
  );
  return 0;
}
