import { type Config, loadConfig, resolveCredentials } from "../config/index.ts";
import { type Connection, connect } from "../sync/context.ts";

/** What the saved credentials are now, against those the watch sends with ("refused": the same as when the server refused the key). */
export type CredentialsNow = "same" | "changed" | "logged-out" | "refused";

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
  /** The server refused the key of these credentials: nothing is sent with them. */
  #refused = false;

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

  /** Follows the saved credentials (of `config`, as loaded now): a new connection when they changed (the old one closed). */
  refresh(config: Config): CredentialsNow {
    const now = given(config);
    if (now === this.#given) return now === undefined ? "logged-out" : this.#refused ? "refused" : "same";
    // Connected first: credentials that cannot be used (a plain http:// URL elsewhere) throw, and are looked at again next time.
    if (now !== undefined) {
      const next = connect({ insecure: this.insecure });
      this.#conn.store.close();
      this.#conn = next;
    }
    this.#given = now;
    this.#refused = false;
    return now === undefined ? "logged-out" : "changed";
  }

  /**
   * The server refused the key: true when a login can mend it while the watch
   * runs (a saved key; one from the environment stays until a restart).
   */
  refuse(): boolean {
    if (resolveCredentials(loadConfig()).source.apiKey !== "config") return false;
    this.#refused = true;
    return true;
  }

  close(): void {
    this.#conn.store.close();
  }
}

/** The URL and key in force, as one value; undefined when either is missing. */
function given(config = loadConfig()): string | undefined {
  const { convexUrl, apiKey } = resolveCredentials(config);
  return convexUrl && apiKey ? JSON.stringify([convexUrl, apiKey]) : undefined;
}
