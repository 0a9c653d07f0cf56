/**
 * `bytes` random bytes as hex. Web Crypto rather than node:crypto: importing
 * node:crypto costs tens of milliseconds at every start (hashes use
 * Bun.CryptoHasher for the same reason).
 */
export function randomHex(bytes: number): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(bytes))).toString("hex");
}
