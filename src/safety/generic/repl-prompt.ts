import { namesRead } from "./printed-variable.ts";

/**
 * An expression typed at a language's interactive prompt, whose value the REPL echoes on the next line (printed-secret.ts reads it
 * there when a name the expression reads is a secret's). Each prompt, and how its echo starts:
 * - Python's `>>> ` and IPython's `In [3]: `: the value's repr, after `Out[3]: ` in IPython; an assignment echoes nothing;
 * - irb's `irb(main):001> ` (`irb(main):001:0> ` before irb 1.9), pry's `[1] pry(main)> ` and the Rails console's `store(dev)> `
 *   (Rails 7.2 and later): after `=> `, an assignment's value too;
 * - PsySH's (Laravel's `php artisan tinker`): `>>> ` then `=> ` before 0.11, `> ` then `= ` since (a `> ` line is read so only above `= `);
 * - node's `> `, Deno's and Bun's: Markdown quotes a line so, so only a chain of fields and calls that ends in a secret's name
 *   (`> require('./config').db.password`, `> process.env.API_TOKEN`), and only a quoted string below is its echo; or such a chain,
 *   or any environment variable, printed (`> console.log(process.env.STRIPE)`, `console.info`, `process.stdout.write`): the value
 *   comes bare on the next line (`undefined`, the call's own echo, after it), an opaque token under any variable's name.
 * What a print call writes (`print(…)`, `puts …`) comes bare, as a one-liner's does. The whole environment echoed (`> process.env`,
 * `>>> os.environ`, `irb> ENV.to_h`) is a map of every variable, read as an environment's dump is (printed-secret.ts).
 */
export interface ReplLine {
  /** What the expression reads: environment variables, fields, the keychain's password. */
  names: string[];
  /** The marks its echo's line may start with (printed-secret.ts reads them), or none when it comes bare. */
  echo: readonly EchoMark[];
  /** Whether only a string's repr below is the echo (node's prompt). */
  quoted: boolean;
  /** Whether the expression is the whole environment (`process.env`, `os.environ`, `ENV.to_h`): its echo is a map of every variable. */
  environment: boolean;
  /** Whether it prints an environment variable's value (node's `console.log(process.env.X)`): an opaque token goes whatever the name. */
  variable: boolean;
}
export type EchoMark = "Out[" | "=>" | "=";

/** The expression's longest line read: one bounded slice per hit keeps the rule linear. */
const EXPRESSION = String.raw`([^\r\n]{1,400})`;
/** Python's assignment, which echoes nothing (`pw = keyring.get_password(…)`; `==` is a comparison's). */
const NO_ASSIGNMENT = String.raw`(?![A-Za-z_][\w.]{0,100}[ \t]*=(?!=))`;
const LINE_START = String.raw`(?<=^[ \t]{0,40})`;

/** PsySH's prompt since 0.11, known by its echo's `= ` below. */
const PSYSH = new RegExp(String.raw`(?<=^)>[ \t]+${EXPRESSION}(?=\r?\n=[ \t])`, "my");
const PYTHON = new RegExp(String.raw`${LINE_START}>>>[ \t]+${NO_ASSIGNMENT}${EXPRESSION}`, "my");
const IPYTHON = new RegExp(String.raw`${LINE_START}In[ \t]\[\d{1,6}\]:[ \t]+${NO_ASSIGNMENT}${EXPRESSION}`, "my");
/** irb's prompt (its `*` continues a string), pry's after its counter, the Rails console's app and environment (`store(prod)> `). */
const IRB = new RegExp(String.raw`${LINE_START}irb\([^()\r\n]{1,100}\):\d{1,6}(?::\d{1,3})?[>*][ \t]+${EXPRESSION}`, "my");
const PRY = new RegExp(String.raw`(?<=^[ \t]{0,40}\[\d{1,6}\][ \t]?)pry\([^()\r\n]{1,100}\)[>*][ \t]+${EXPRESSION}`, "my");
const RAILS = new RegExp(String.raw`(?<=^[ \t]{0,40}[\w-]{1,60}\([a-z]{1,30})\)>[ \t]+${EXPRESSION}`, "my");
/**
 * node's prompt at a line's start, then a chain and nothing else: a name (`await` before it), then fields, `['…']` and calls of
 * one level of brackets inside (`require('./config').db.password`, `keytar.getPassword('svc', 'bob')`).
 */
const NODE = /(?<=^)>[ \t](?=[^\r\n]{1,400}$)((?:await[ \t]+)?[A-Za-z_$][\w$]{0,100}(?:\.[A-Za-z_$][\w$]{0,100}|\[[^\]\r\n]{1,100}\]|\((?:[^()\r\n]|\([^()\r\n]{0,100}\)){0,200}\)){0,20})[ \t]*;?[ \t]*$/my;
/** A print call of node's around the whole chain (its argument: group 1), and an environment variable's read. */
const PRINT_CALL = /^(?:console\.(?:log|info)|process\.stdout\.write)\([ \t]*([^]*?)[ \t]*\)$/;
const ENV_VARIABLE = /^process\.env(?:\.|\[)/;
/** The chain's last field, read or called: `.password`, `['api_key']`, `.get('db.password')`'s last name, `.getPassword(…)`. */
const CHAIN_END = /(?:\.([A-Za-z_$][\w$]{0,100})(?:\([^()]*\))?|\[[ \t]*["']([\w.-]{0,100}?)["'][ \t]*\])$/;
/** A getter's dotted key, its last name (`.get('db.password')`: `password`). */
const GET_KEY_LAST = /["'](?:[^"'.]*\.)*([^"'.]+)["']/;

/** Ruby's echo's mark, and PsySH's before 0.11 (whose prompt is Python's). */
const ARROW: readonly EchoMark[] = ["=>"];
const PROMPTS: [RegExp, readonly EchoMark[]][] = [[PYTHON, ARROW], [IPYTHON, ["Out["]], [IRB, ARROW], [PRY, ARROW], [RAILS, ARROW], [PSYSH, ["="]]];

/** The whole environment, each language's, maybe printed or made a dict (`pprint(dict(os.environ))`, `pp ENV.to_h`, `Deno.env.toObject()`). */
const ENVIRONMENT = /^(?:(?:p?print|pp|p|puts|console\.log|console\.dir)[( \t][ \t]*)?(?:dict\()?(?:process\.env|os\.environ|ENV(?:\.to_h)?|Deno\.env\.toObject\(\)|getenv\(\))\)?\)?[ \t]*;?[ \t]*$/;

export const REPL_KEYWORDS = [">>> ", "in [", "irb(", "pry(", ")> ", "> "];

/** The expression typed at the prompt at `at` (a REPL_KEYWORDS hit), or undefined when no prompt starts there. */
export function replLine(text: string, at: number): ReplLine | undefined {
  for (const [re, echo] of PROMPTS) {
    re.lastIndex = at;
    const expression = re.exec(text)?.[1];
    if (expression !== undefined) return { names: namesRead(expression), echo, quoted: false, environment: ENVIRONMENT.test(expression), variable: false };
  }
  NODE.lastIndex = at;
  const typed = NODE.exec(text)?.[1];
  if (typed === undefined) return undefined;
  if (ENVIRONMENT.test(typed)) return { names: [], echo: [], quoted: true, environment: true, variable: false };
  const printed = PRINT_CALL.exec(typed)?.[1];
  const chain = printed ?? typed;
  const end = CHAIN_END.exec(chain);
  const name = end?.[1] === "get" ? GET_KEY_LAST.exec(chain.slice(end.index))?.[1] : (end?.[1] ?? end?.[2]?.split(".").pop());
  const variable = printed !== undefined && ENV_VARIABLE.test(printed);
  return { names: name === undefined ? [] : [name], echo: [], quoted: printed === undefined, environment: false, variable };
}
