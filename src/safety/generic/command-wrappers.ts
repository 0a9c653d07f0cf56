/**
 * Commands that run the command after them, whose output is then that command's (`time env`, `sudo -E env`): each one's name
 * and the options it may take before the command (a regex's source, one option). Not the options that run nothing or print
 * something else (`command -v env` prints env's path). Edit this table to read a new wrapper the same way.
 */
const WRAPPER_OPTIONS: Record<string, string> = {
  time: "-p",
  nice: String.raw`-n[ \t]*-?\d{1,3}|-\d{1,3}|--adjustment=-?\d{1,3}`,
  nohup: "",
  command: "-p",
  exec: String.raw`-[cl]{1,2}|-a[ \t]+[^\s;&|]{1,100}`,
  timeout: String.raw`-[ksv][ \t]*[^\s;&|-]{0,20}|--[\w-]{1,30}(?:=[^\s;&|]{1,30})?|\d[\d.]{0,10}[smhd]?`,
  // `-u bob`, `-E`, `--preserve-env=PATH`: an option's value is a word that is no option.
  sudo: String.raw`-[A-Za-z]{0,5}[ugpCDhrtTU][ \t]*[^\s;&|-][^\s;&|]{0,100}|-[A-Za-z]{1,5}|--[\w-]{1,30}(?:=[^\s;&|]{1,200})?`,
  doas: String.raw`-[A-Za-z]{0,5}[uC][ \t]*[^\s;&|-][^\s;&|]{0,100}|-[A-Za-z]{1,5}`,
  // `env -i FOO=1 env`: its variables set for the command.
  env: String.raw`-[iv0]{1,3}|-u[ \t]*\w{1,100}|--(?:unset=\w{1,100}|ignore-environment|null|debug)|-C[ \t]*[^\s;&|-][^\s;&|]{0,300}|--chdir=[^\s;&|]{1,300}|[A-Za-z_]\w{0,60}=[^\s;&|]{0,300}`,
};

/** At most so many options to one wrapper, and wrappers in a row (`time sudo -E env`): bounded, so each reading stays linear. */
const OPTIONS_MAX = 5;
const WRAPPERS_MAX = 4;

const wrapper = (name: string, options: string) =>
  options === "" ? name : String.raw`${name}(?:[ \t]+(?:${options})){0,${OPTIONS_MAX}}`;

/** env's own options and variables: with no command after them, env prints the environment so changed (`env -u HOME`, `env FOO=1`). */
export const ENV_OPTIONS = wrapper("", WRAPPER_OPTIONS.env as string);

/** A wrapper's name where a word starts, then a space: a regex's source, to look ahead for one. */
export const WRAPPER_NAME = String.raw`(?:${Object.keys(WRAPPER_OPTIONS).join("|")})[ \t]`;

/**
 * The wrappers before a command, each with its options and the spaces after it, and the variables a shell sets for the
 * command before its name (`DEBUG=1 env`): a regex's source, to put before the command's own.
 */
export const WRAPPED = String.raw`(?:(?:${Object.entries(WRAPPER_OPTIONS)
  .map(([name, options]) => wrapper(name, options))
  .join("|")}|[A-Za-z_]\w{0,60}=[^\s;&|]{0,300})[ \t]+){0,${WRAPPERS_MAX}}`;

/** A package runner, which runs the package's command after it (`npx convex env list`, `pnpm exec env`): a regex's source. */
export const PACKAGE_RUNNER = String.raw`(?:npx|bunx|pnpx|(?:pnpm|yarn)[ \t]+(?:dlx|exec))`;
