import type { Detector, Finding, Hits } from "../detectors.ts";
import { environmentMapValues } from "./printed-secret.ts";

/**
 * A program's environment written as an object: pm2's ecosystem file (`env: { STRIPE: '…' }`, `env_production: {…}`), a JSON
 * config's `"env": {…}` (an MCP server's, vercel.json's), a dev container's `"containerEnv"` and `"remoteEnv"`, a Lambda function's
 * configuration (`"Environment": {"Variables": {…}}`, as `aws lambda get-function-configuration` prints it) and a Cloud Function's
 * (`"environmentVariables": {…}`, `gcloud functions describe`'s); and an MCP server's or a client's `"headers": {…}` (`~/.claude.json`,
 * `.mcp.json`: `{"X-Custom": "…"}`), as other agents' configs write them too: opencode's `"environment": {…}` (a JSON key: Angular's
 * `const environment = {…}` is an app's settings), Codex's TOML inline tables (`env = { "UPSTREAM" = "…" }`, `http_headers = { … }`).
 * A secret may sit under a name that says nothing of it: each opaque token goes whatever its name, as in an environment file.
 */
const OBJECT_OPEN =
  /(?:env(?:_[A-Za-z]\w{0,40})?|containerEnv|remoteEnv|environmentVariables|environment["']?[ \t]*:[ \t]*\{\s{0,100}["']?variables|(?<=["'])environment(?=["'])|(?:http_)?headers)["']?[ \t]*([:=])[ \t]*\{/iy;
/** The object's end: its first `}` (an environment holds no object), within a bounded reach. */
const OBJECT_REACH = 8000;

export const envObjectDetector: Detector = {
  keywords: ["env", "containerenv", "remoteenv", "headers", "http_headers"],
  find(text: string, hits: Hits, out: Finding[]): void {
    let done = -1;
    for (let i = 0; i < hits.length; i += 2) {
      const at = hits[i] as number;
      // The key's own word (not `dotenv: {`, `process.env = {`), and an object read once.
      if (at < done || /[\w$.]/.test(text.charAt(at - 1))) continue;
      OBJECT_OPEN.lastIndex = at;
      const open = OBJECT_OPEN.exec(text);
      if (!open) continue;
      const from = OBJECT_OPEN.lastIndex;
      const close = text.slice(from, from + OBJECT_REACH).indexOf("}");
      const end = close < 0 ? Math.min(text.length, from + OBJECT_REACH) : from + close;
      done = end;
      for (const f of environmentMapValues(text.slice(from, end), open[1] === "=")) out.push({ ...f, start: f.start + from, end: f.end + from });
    }
  },
};
