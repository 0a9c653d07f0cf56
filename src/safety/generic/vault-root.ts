import { stickyDetector } from "../detectors.ts";

/**
 * The one-time password `vault operator generate-root -init` prints (`OTP           dTEOTcAy…` above `OTP Length    28`, `"otp": "…"` with
 * `-format=json`): with the encoded token the last unseal key holder gets, it makes a new root token (`-decode=… -otp=…`:
 * command-line.ts). 20 letters and digits or more: a two-factor code under `"otp"` (`"123456"`) stays.
 */
const VAULT_OTP = /(?:(?<=^[ \t]{0,8})OTP[ \t]{2,40}|(?<=")otp"[ \t]*:[ \t]*")([A-Za-z0-9]{20,64})(?![A-Za-z0-9])/dmy;

export const vaultOtpDetector = stickyDetector(["otp"], VAULT_OTP, "secret");
