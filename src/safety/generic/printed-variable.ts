/**
 * A variable's value printed by a command that names it outside the shell's own `echo $NAME` (printed-secret.ts): PowerShell's
 * `$env:NAME` alone on its line and `[Environment]::GetEnvironmentVariable('NAME')`, a one-liner printing what it reads from the
 * environment (`python -c "import os; print(os.environ['NAME'])"`, `node -p process.env.NAME`, `ruby -e 'puts ENV["NAME"]'`), a field of
 * what it loads (`node -e "console.log(require('./config').db.password)"`) or the keychain's password (`keyring.get_password(…)`),
 * and a field read out of a file (`jq -r .token auth.json`, `yq '.auth.password' values.yaml`). What is printed is the name's value:
 * printed-secret.ts reads the line below when the name is a secret's.
 */

/** Where a printed expression starts: a line's start, a shell's prompt (`PS C:\app> `, `$ `), or a command that prints what follows. */
const PRINTED_START = String.raw`(?:^|[>$%❯]|\becho|\bwrite-(?:output|host))[ \t]*`;
/** `$env:NAME` alone on its line (PowerShell prints it): not `$env:NAME = …`, nor an argument of another command. */
const POWERSHELL_VARIABLE = new RegExp(String.raw`(?<=${PRINTED_START})\$env:([A-Za-z_]\w{0,100})[ \t]*(?=\r?\n|$)`, "imy");
/** `[System.Environment]::GetEnvironmentVariable('NAME')` alone, or echoed: not assigned (`$k = …`). Read from the call's name, its keyword. */
const ENVIRONMENT_CALL = new RegExp(String.raw`(?<=${PRINTED_START}\[(?:System\.)?Environment\]::)GetEnvironmentVariable\([ \t]*["']([A-Za-z_]\w{0,100})["']`, "imy");

/**
 * A one-liner's interpreter and its code's flag: `python3 -c`, `node -e` (`-p` prints its expression; `--eval`, `--print`), `ruby -e`, `perl -e`, `php -r`,
 * `bun -e`, `deno eval`; node's and Bun's after options that load the environment first (`node --env-file=.env -p …`, `node -r dotenv/config -e …`);
 * and a framework's, which loads the app's settings first: `rails runner` (`rails r`), Django's `manage.py shell -c`, Laravel's `artisan tinker --execute`.
 */
const JS_OPTIONS = String.raw`(?:[ \t]+(?:(?:-r|--require|--import|--env-file)[ \t]+[^\s|;&-][^\s|;&]{0,300}|--(?!eval|print)[\w-]{1,40}(?:=[^\s|;&]{1,300})?)){0,6}`;
const ONE_LINER = new RegExp(
  String.raw`(?:python[\d.]{0,4}[ \t]+-c|node${JS_OPTIONS}[ \t]+-(?:-(?=eval|print))?([ep])(?:val|rint)?|ruby[ \t]+-e|perl[ \t]+-[eE]|php[ \t]+-r|bun${JS_OPTIONS}[ \t]+-e|deno[ \t]+eval|rails[ \t]+(?:runner|r)|manage\.py[ \t]+shell[ \t]+(?:-c|--command)|tinker[ \t]+--execute)[ \t=]`,
  "iy",
);
/** How far a one-liner's code is read: one bounded slice per hit keeps the rule linear. */
const ONE_LINER_MAX = 400;
const PRINTS = /\b(?:print|printf|println|pprint|print_r|var_dump|var_export|console\.(?:log|dir|info|error)|process\.stdout\.write|puts|echo|say|pp?)\b/;
/** A read of the environment, each language's: `os.environ['X']`, `os.environ.get('X')`, `os.getenv('X')`, `process.env.X`, `ENV["X"]`, `$ENV{X}`, Laravel's `env('X')`. */
const ENV_READ = /(?:environ(?:\.get)?[[(]|getenv\(|process\.env(?:\.|\[)|\bENV(?:\[|\.fetch\()|\$ENV\{|Deno\.env\.get\(|(?<![\w.$>:])env\((?=[ \t]*["']))[ \t]*["']?([A-Za-z_]\w{0,100})/g;

/**
 * A field read out of what the code loaded, the last of its chain: `require('./config').db.password`, `cfg["token"]`, `creds.get('secret')`,
 * Ruby's symbols (`credentials[:stripe][:secret_key]`, `credentials.dig(:aws, :secret_access_key)`, `.fetch(:token)`), PHP's `$user->api_token`
 * (`password.length` prints no password). Its name is the field's, as an environment variable's is.
 */
const FIELD_IN_CODE =
  /(?:(?:\.|->)([A-Za-z_]\w{0,100})|\[[ \t]*(?:["']([A-Za-z_][\w-]{0,100})["']|:([A-Za-z_]\w{0,100}))[ \t]*\]|\.get\([ \t]*["']([A-Za-z_][\w-]{0,100})["'][ \t]*\)|\.(?:dig|fetch)\([^()\r\n]{0,200}?:([A-Za-z_]\w{0,100})[ \t]*\))(?![\w(]|[ \t]*[.[])/g;
/** A password read from the system's keychain: Python's `keyring.get_password(…)`, node's `keytar.getPassword(…)`. */
const KEYCHAIN_READ = /\bget_?password\(/i;

/** `jq`'s or `yq`'s path, its flags before it (`-r`, `--raw-output`, `e`): the field it prints is its last name (`.auth.password`). */
const FIELD_READ = /(?:jq|yq)(?:[ \t]+(?:-{1,2}[A-Za-z][\w-]{0,30}|e|eval))*[ \t]+["']?((?:\.[A-Za-z_][\w-]{0,100}|\[[^\]\r\n]{0,100}\]){1,20})["']?(?=[\s|;&]|$)/iy;
const LAST_NAME = /\.([A-Za-z_][\w-]*)(?:\[[^\]]*\])*$/;

export const PRINTED_VARIABLE_KEYWORDS = ["$env:", "getenvironmentvariable(", "python", "node -", "ruby -e", "perl -", "php -r", "bun -", "deno eval", "rails ", "manage.py", "tinker", "jq ", "yq "];

/** The names of the variables or the field the command at `at` prints, or undefined when it is none of these. */
export function printedVariables(text: string, at: number): string[] | undefined {
  for (const re of [POWERSHELL_VARIABLE, ENVIRONMENT_CALL, FIELD_READ]) {
    re.lastIndex = at;
    const m = re.exec(text);
    if (!m) continue;
    const name = re === FIELD_READ ? LAST_NAME.exec(m[1] as string)?.[1] : m[1];
    return name === undefined ? [] : [name];
  }
  const code = oneLinerCode(text, at);
  if (code === undefined) return undefined;
  return code.prints ? namesRead(code.code) : [];
}

/** The code of the one-liner at `at`, and whether it prints: `node -p` prints its expression, other one-liners what a print call is given. */
function oneLinerCode(text: string, at: number): { code: string; prints: boolean } | undefined {
  ONE_LINER.lastIndex = at;
  const head = ONE_LINER.exec(text);
  if (!head) return undefined;
  const code = text.slice(ONE_LINER.lastIndex, ONE_LINER.lastIndex + ONE_LINER_MAX).split("\n", 1)[0] as string;
  return { code, prints: head[1]?.toLowerCase() === "p" || PRINTS.test(code) };
}

/**
 * The whole environment as one value, each language's: node's and Bun's `process.env`, Python's `os.environ` (`dict(os.environ)`, `os.environ.copy()`, `.items()` looped over), Ruby's
 * `ENV` (`ENV.to_h`), Deno's `Deno.env.toObject()`, PHP's `getenv()` (printed by `print_r`, `var_export`), `printenv`'s lines read by Python (`os.popen("printenv")`, `subprocess.check_output(["printenv"])`);
 * and an environment file loaded whole: python-dotenv's `dotenv_values('.env')`, dotenv's `require('dotenv').config().parsed`; not one variable of it (`process.env.X`, `os.environ['X']`,
 * `os.environ.get(…)`, Perl's `$ENV{X}`), nor its names alone (`Object.keys(process.env)`).
 */
const WHOLE_ENVIRONMENT = /(?<!keys\()(?:process\.env|os\.environ(?:\.(?:copy|items)\(\))?|(?<![\w$])ENV(?:\.to_h)?|Deno\.env\.toObject\(\)|getenv\(\)|(?:os\.popen|subprocess\.(?:check_output|getoutput|run))\(\[?["'](?:printenv|env)(?=["'])|dotenv_values\([^()\r\n]{0,200}\)|config\([^()\r\n]{0,200}\)\.parsed)(?=[ \t]*(?:[),;}'"]|$))/;

/**
 * Whether the one-liner at `at` prints the whole environment (`node -p process.env`, `python -c "import os; print(os.environ)"`): a map of
 * every variable or its `NAME=value` lines, read as an environment's dump is (printed-secret.ts).
 */
export function printsEnvironment(text: string, at: number): boolean {
  const code = oneLinerCode(text, at);
  return code?.prints === true && WHOLE_ENVIRONMENT.test(code.code);
}

/** The names of what code reads (a one-liner's, a REPL's expression: repl-prompt.ts): environment variables, fields of what it loads, the keychain's password. */
export function namesRead(code: string): string[] {
  const names = [...code.matchAll(ENV_READ)].map((m) => m[1] as string);
  for (const m of code.matchAll(FIELD_IN_CODE)) names.push(m.slice(1).find((name) => name !== undefined) as string);
  if (KEYCHAIN_READ.test(code)) names.push("password");
  return names;
}
