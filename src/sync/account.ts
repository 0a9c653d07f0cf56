import type { StateStore } from "../state/store.ts";

/**
 * The state belongs to one account: a new key that sees none of the sessions
 * we sent is another account, so everything is read and sent again. A key
 * regenerated for the same account keeps the state. Only a key not seen
 * before costs a request (the server's session list).
 */
export async function checkAccount(store: StateStore, serverSessions: () => Promise<string[]>, apiKey: string): Promise<void> {
  const fingerprint = new Bun.CryptoHasher("sha256").update(apiKey).digest("hex").slice(0, 16);
  const known = store.getMeta("account");
  if (known === fingerprint) return;
  if (known !== undefined) {
    const ours = store.sentSessionIds(200);
    const server = new Set(await serverSessions());
    if (ours.some((id) => !server.has(id))) store.reset();
  }
  store.setMeta("account", fingerprint);
}
