import { loadConfig, resolveCredentials } from "../config/index.ts";
import { type Connection, connect } from "../sync/context.ts";

/** What the saved credentials are now, against those the watch sends with. */
export type CredentialsNow = "same" | "changed" | "logged-out";

/**
 * The connection of the credentials saved now, for a long-running `watch`:
 * a `login` (another key or server) or a `logout` while it runs holds from
 * its next pass, without a restart. Environment variables still win over the
 * saved credentials, as for every command.
 */
export class LiveConnection {
  #conn: Connection;
  /** The credentials as given (before the URL is normalised), to tell a change; undefined once logged out. */
  #given: string | undefined;

  constructor(
    first: Connection,
    private readonly insecure: boolean,
  ) {
    this.#conn = first;
    this.#given = given();
  }

  /** The connection to send with; after a logout, the last one (its state still tells what changed on disk). */
  get current(): Connection {
    return this.#conn;
  }

  /** Whether the saved credentials differ from those in use: cheap, for a periodic look. */
  stale(): boolean {
    return given() !== this.#given;
  }

  /** Follows the saved credentials: a new connection when they changed (the old one closed). */
  refresh(): CredentialsNow {
    const now = given();
    if (now === this.#given) return now === undefined ? "logged-out" : "same";
    this.#given = now;
    if (now === undefined) return "logged-out";
    const next = connect({ insecure: this.insecure });
    this.#conn.store.close();
    this.#conn = next;
    return "changed";
  }

  close(): void {
    this.#conn.store.close();
  }
}

/** The URL and key in force, as one value; undefined when either is missing. */
function given(): string | undefined {
  const { convexUrl, apiKey } = resolveCredentials(loadConfig());
  return convexUrl && apiKey ? JSON.stringify([convexUrl, apiKey]) : undefined;
}
