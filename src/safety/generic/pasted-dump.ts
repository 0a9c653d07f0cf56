import type { Detector, Finding, Hits } from "../detectors.ts";
import { lineStart } from "./lines.ts";
import { commandEnd, dumpPrints, environmentPrints, printedOutput, shownFilePrints } from "./printed-secret.ts";
import { OUTPUT_END, PASTED_PROMPT } from "./pasted-prompt.ts";
import { searchPrints } from "./search-output.ts";

/**
 * A file of secrets printed decrypted, a stack's config with its secrets shown, or a platform's config vars, pasted together with the command
 * that printed it (`$ sops -d secrets.yaml` then its YAML, `$ pulumi config --show-secrets` then its KEY/VALUE table, `$ heroku config`):
 * the lines below the command are its output, read as the tool's result of that command is (printed-secret.ts
 * printedOutput). Before, only a one-word output below a command was read so, and the table's or the YAML's
 * secrets under names of no secret's words (`myapp:stripeConfig`, `stripe:`) went whole. An environment file shown whole
 * (`$ cat .env`, `PS> Get-Content .env`, `type .env`) is read so too, and a process's environment printed (`$ env`, `$ printenv | sort`,
 * `$ docker exec api env`, `$ kubectl exec pod -- env`, a remote one's (`$ ssh box env`, `$ fly ssh console -C printenv`, `$ gcloud compute ssh vm --command env`), `$ sudo env`, `$ cat /proc/1/environ | tr '\0' '\n'`, cmd's `C:\app>set`, PowerShell's
 * `PS C:\app> gci env:`, `$ launchctl print gui/501/<label>`), and each process's after its command line (`$ ps auxeww`): their opaque tokens under any name (`STRIPE=…`). So is a search's result (`$ grep STRIPE .env`, `$ grep -rn KEY .`:
 * search-output.ts), only an environment file's lines read.
 */

/** A command pasted after a prompt, the text before it on its line (pasted-prompt.ts). */
const PROMPT_BEFORE = new RegExp(`^${PASTED_PROMPT}$`);
/** The longest output read: a dump of secrets is a few KB; the bound keeps a text of many such commands linear. */
const OUTPUT_MAX = 65_536;

/**
 * Each command pasted after a prompt (PASTED_PROMPT) where one of `hits` is, and the text below its line (at most `max`
 * characters): `read` pushes what it finds there (offsets in that text) and says how far the command's output goes, or
 * undefined when the command prints nothing it reads. An output is read once: a command named in it starts no other.
 */
export function pastedCommands(
  text: string,
  hits: Hits,
  max: number,
  out: Finding[],
  read: (command: string, output: string, found: Finding[]) => number | undefined,
): void {
  let done = -1;
  for (let i = 0; i < hits.length; i += 2) {
    const at = hits[i] as number;
    if (at <= done) continue;
    const start = lineStart(text, at, 200);
    if (start === undefined || !PROMPT_BEFORE.test(text.slice(start, at))) continue;
    const eol = commandEnd(text, at);
    if (eol < 0) return; // no line below: no output
    done = eol;
    const found: Finding[] = [];
    const end = read(text.slice(at, eol), text.slice(eol + 1, eol + 1 + max), found);
    if (end === undefined) continue;
    done = eol + end;
    for (const f of found) out.push({ ...f, start: f.start + eol + 1, end: f.end + eol + 1 });
  }
}

export const pastedDumpDetector: Detector = {
  keywords: ["sops", "pulumi", "ansible-vault", "firebase", "credentials:show", "infisical", "dotenv", "helm", "heroku", "dokku", "netlify", "convex", "eas", "terraform", "cat", "bat ", "less ", "more ", "head ", "tail ", "nl ", "gc ", "get-content", "type ", "env", "printenv", "set", "export -p", "docker", "podman", "kubectl", "pm2", "ssh", "fly", "gcloud", "sudo", "chamber", "railway", "vercel", "vc env", "declare", "typeset", "az ", "doppler", "upstash", "get-childitem", "gci ", "dir ", "ls ", "grep", "rg ", "ag ", "ack ", "git ", "diff ", "ps ", "systemctl", "xargs", "strings ", "eb ", "cf ", "launchctl", "gh variable", "sqlite3"],
  find(text: string, hits: Hits, out: Finding[]): void {
    pastedCommands(text, hits, OUTPUT_MAX, out, (command, output, found) => {
      const prints = dumpPrints(command) ?? (shownFilePrints(command) === "env" ? "env" : environmentPrints(command)) ?? searchPrints(command);
      if (!prints) return undefined;
      const end = OUTPUT_END.exec(output)?.index ?? output.length;
      for (const f of printedOutput(output.slice(0, end), prints)) found.push(f);
      return end;
    });
  },
};
