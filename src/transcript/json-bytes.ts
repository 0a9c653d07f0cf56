/** JSON's structural characters as bytes, for the code that reads lines without decoding them. */
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COLON = 0x3a;
export const COMMA = 0x2c;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACKET = 0x5d;

/** Whether the quote at `q` is escaped: an odd run of backslashes before it (`\"`, not `\\"`). */
export function isEscaped(bytes: Uint8Array, q: number): boolean {
  let slashes = 0;
  while (bytes[q - 1 - slashes] === BACKSLASH) slashes++;
  return slashes % 2 === 1;
}
