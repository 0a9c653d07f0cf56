import { stickyDetector } from "../detectors.ts";

/**
 * A JWT settings object's `Key`, as ASP.NET's appsettings.json holds the token's signing key (`"Jwt": {"Key": "…", "Issuer": …}`,
 * `"JwtSettings": {…}`): a field named `Key` alone says nothing (a cache's, a tag's), inside this object it is the key that signs
 * every login, whatever its shape (a phrase in a tutorial's dev settings is one too), but a stand-in. Its name's own flat fields only, on one
 * object's reach: a nested object ends the look.
 */
const JWT_KEY = /jwt\w{0,30}"[ \t]*:[ \t]*\{[^{}]{0,1000}?"key"[ \t]*:[ \t]*"([^"\\\r\n]{16,512})"/diy;

export const jwtSettingsDetector = stickyDetector(["jwt"], JWT_KEY, "secret");
