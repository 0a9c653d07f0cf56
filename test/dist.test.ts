/**
 * Distribution: the compiled executable, install.sh against a local release
 * server, the npm launcher and platform package installed from their
 * tarballs, and the Homebrew formula. One executable is compiled for this
 * machine and shared by all of them.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { chmod, copyFile, cp, mkdir, mkdtemp, realpath, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { CHECKSUMS, ROOT, compile, entrypoints, pack, parseChecksums, sha256File, writeChecksums } from "../scripts/build.ts";
import { FORMULA, writeFormula } from "../scripts/homebrew.ts";
import { generateNpmPackages, npmTargets, platformManifest } from "../scripts/npm-packages.ts";
import { compiledCli } from "./helpers/compiled.ts";
import { COMMAND, type Target, archiveName, executableName, findTarget, hostTarget, npmPackageName, readVersion } from "../scripts/targets.ts";

const VERSION = readVersion(ROOT);
const POSIX = process.platform !== "win32";
const INSTALL_SH = join(ROOT, "install.sh");
const LAUNCHER = join(ROOT, "npm", COMMAND, "bin", `${COMMAND}.js`);
/**
 * Compiling, packing and npm installs of a 100 MB executable take seconds each, and over a minute
 * on a 2-core machine that runs other test files at once (npm test runs two; gzip alone took 60 s once).
 */
const HOOK_TIMEOUT = 180_000;

let work: string;
let home: string;
let native: { target: Target; executable: string };

/** The environment of every spawned process: a throwaway HOME, no settings of ours from outside. */
function env(extra: Record<string, string> = {}): Record<string, string> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[1] !== undefined && !e[0].startsWith("CLAUDE_CODE_SYNC_") && !/^npm_/i.test(e[0]),
    ),
  );
  return {
    ...base,
    HOME: home,
    USERPROFILE: home,
    CLAUDE_CONFIG_DIR: join(home, ".claude"),
    npm_config_cache: join(work, "npm-cache"),
    npm_config_update_notifier: "false",
    ...extra,
  };
}

type Result = { code: number | null; signal: string | number | null; stdout: string; stderr: string };

async function exec(cmd: string[], options: { env?: Record<string, string>; cwd?: string; stdin?: string } = {}): Promise<Result> {
  const proc = Bun.spawn(cmd, {
    cwd: options.cwd ?? work,
    env: options.env ?? env(),
    stdin: options.stdin === undefined ? "ignore" : new Blob([options.stdin]),
    stdout: "pipe",
    stderr: "pipe",
    // Packing the 110 MB executable takes seconds, a minute on a loaded machine: a bound, not a measure.
    timeout: 100_000,
    killSignal: "SIGKILL",
  });
  const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  await proc.exited;
  return { code: proc.exitCode, signal: proc.signalCode, stdout, stderr };
}

/** Runs a command found on PATH; npm and its shims are .cmd files on Windows. */
const viaShell = (cmd: string[]) => (POSIX ? cmd : [process.env.ComSpec ?? "cmd.exe", "/d", "/s", "/c", ...cmd]);

beforeAll(async () => {
  work = await realpath(await mkdtemp(join(tmpdir(), "ccs-dist-")));
  home = join(work, "home");
  await mkdir(home);
  const target = hostTarget();
  const executable = join(work, "out", "bin", target.id, executableName(target.os));
  await mkdir(dirname(executable), { recursive: true });
  await copyFile(await compiledCli(), executable);
  native = { target, executable };
}, HOOK_TIMEOUT);

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe("build", () => {
  test("the executable reports package.json's version and needs neither bun nor node", async () => {
    const result = await exec([native.executable, "--version"], { env: env({ PATH: join(work, "empty") }) });
    expect(result.stderr).toBe("");
    expect(result.stdout.trim()).toBe(VERSION);
  });

  test("the Worker entrypoint is compiled in when it exists", async () => {
    const root = join(work, "worker-project");
    await mkdir(join(root, "src"), { recursive: true });
    expect(entrypoints(root)).toEqual([join(root, "src/cli.ts")]);

    await Bun.write(
      join(root, "src/cli.ts"),
      `const worker = new Worker(new URL("./scan/scan-worker.ts", import.meta.url));
       const reply = await new Promise((resolve) => { worker.onmessage = (e) => resolve(e.data); worker.postMessage("ping"); });
       worker.terminate();
       console.log(reply, process.env.CCS_DOTENV_PROBE ?? "no-dotenv");`,
    );
    await Bun.write(
      join(root, "src/scan/scan-worker.ts"),
      `declare var self: Worker;
       self.onmessage = (event: MessageEvent) => self.postMessage(event.data + "-pong");`,
    );
    expect(entrypoints(root)).toEqual([join(root, "src/cli.ts"), join(root, "src/scan/scan-worker.ts")]);

    const app = join(root, "out", executableName(process.platform));
    await compile(root, app);
    expect(readdirSync(dirname(app))).toEqual([basename(app)]); // no source map files left beside it
    // Run from a folder with a .env: the executable must not load it.
    const cwd = join(root, "elsewhere");
    await Bun.write(join(cwd, ".env"), "CCS_DOTENV_PROBE=loaded\n");
    const result = await exec([app], { cwd, env: env({ PATH: join(work, "empty") }) });
    expect(result.stdout.trim()).toBe("ping-pong no-dotenv");
    await rm(root, { recursive: true, force: true }); // 100 MB
  });

  test("SHA256SUMS is in sha256sum format and parses back", async () => {
    const dir = join(work, "sums");
    await Bun.write(join(dir, "b.tar.gz"), "bee");
    await Bun.write(join(dir, "a.zip"), "ay");
    const path = await writeChecksums(dir, [join(dir, "b.tar.gz"), join(dir, "a.zip")]);
    const text = readFileSync(path, "utf8");
    const a = new Bun.CryptoHasher("sha256").update("ay").digest("hex");
    const b = new Bun.CryptoHasher("sha256").update("bee").digest("hex");
    expect(text).toBe(`${a}  a.zip\n${b}  b.tar.gz\n`);
    expect(parseChecksums(`${text}${b} *c.tar.gz\nnot a checksum line\n`)).toEqual(
      new Map([["a.zip", a], ["b.tar.gz", b], ["c.tar.gz", b]]),
    );
  });
});

/** The release target install.sh picks on this machine (it also looks at AVX2). */
function installerTarget(): Target {
  const target = hostTarget();
  const cpuinfo = existsSync("/proc/cpuinfo") ? readFileSync("/proc/cpuinfo", "utf8") : "avx2";
  return target.id === "linux-x64" && !/\bavx2\b/.test(cpuinfo) ? findTarget("linux-x64-baseline") : target;
}

describe.skipIf(!POSIX)("install.sh (macOS and Linux; Windows installs with npm or the .zip)", () => {
  const OLD = "0.0.1-test";
  let server: ReturnType<typeof Bun.serve>;
  let url: string;
  let www: string;
  let target: Target;

  /** A release folder as GitHub serves one: the archive and SHA256SUMS. */
  async function release(dir: string, executable: string): Promise<string> {
    await mkdir(dir, { recursive: true });
    const archive = await pack(executable, target, dir);
    await writeChecksums(dir, [archive]);
    return archive;
  }

  beforeAll(async () => {
    target = installerTarget();
    www = join(work, "www");
    const current = join(www, "releases/download", `v${VERSION}`);
    const archive = await release(current, native.executable);
    await mkdir(join(www, "releases/latest"), { recursive: true });
    await symlink(current, join(www, "releases/latest/download"));

    // An older release, with a stand-in executable that only reports its version.
    const standIn = join(work, "old-build", COMMAND);
    await Bun.write(standIn, `#!/bin/sh\necho ${OLD}\n`);
    await chmod(standIn, 0o755);
    const oldArchive = await release(join(www, "releases/download", `v${OLD}`), standIn);

    // A release whose executable cannot start here.
    const broken = join(work, "broken-build", COMMAND);
    await Bun.write(broken, "#!/bin/sh\necho 'cannot load library' >&2\nexit 127\n");
    await chmod(broken, 0o755);
    await release(join(www, "broken"), broken);

    // The current release's SHA256SUMS with another archive in place of its own.
    await mkdir(join(www, "tampered"));
    await cp(join(current, CHECKSUMS), join(www, "tampered", CHECKSUMS));
    await cp(oldArchive, join(www, "tampered", basename(archive)));

    server = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(request) {
        const file = Bun.file(join(www, decodeURIComponent(new URL(request.url).pathname)));
        return file.exists().then((found) => (found ? new Response(file) : new Response("not found", { status: 404 })));
      },
    });
    url = `http://127.0.0.1:${server.port}`;
  }, HOOK_TIMEOUT);

  afterAll(() => server?.stop(true));

  // Each installation is a 100 MB executable: remove it once its test is done.
  const installDirs: string[] = [];
  const installDir = (name: string) => {
    installDirs.push(join(work, name));
    return join(work, name);
  };
  afterEach(() => Promise.all(installDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true }))));

  const install = (dir: string, args: string[] = [], extra: Record<string, string> = {}) =>
    exec(["sh", INSTALL_SH, ...args], {
      env: env({ CLAUDE_CODE_SYNC_INSTALL_DIR: dir, CLAUDE_CODE_SYNC_RELEASES_URL: `${url}/releases`, ...extra }),
    });

  const installedVersion = async (dir: string) =>
    (await exec([join(dir, COMMAND), "--version"], { env: env({ PATH: join(work, "empty") }) })).stdout.trim();

  test("the archive holds the executable alone", async () => {
    const result = await exec(["tar", "-tzf", join(www, "releases/download", `v${VERSION}`, archiveName(target))]);
    expect(result.stdout.trim()).toBe(COMMAND);
  });

  test("installs the latest release, checks it, and says how to put the folder on PATH", async () => {
    const dir = installDir("install-latest");
    const result = await install(dir);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`for ${target.id}`);
    expect(result.stdout).toContain(`Installed ${COMMAND} ${VERSION} to ${dir}/${COMMAND}`);
    expect(result.stdout).toContain(`${dir} is not in your PATH`);
    expect(await installedVersion(dir)).toBe(VERSION);
    expect(readdirSync(dir)).toEqual([COMMAND]);
  });

  test("CLAUDE_CODE_SYNC_DOWNLOAD_URL names one release's folder", async () => {
    const dir = installDir("install-download-url");
    const result = await install(dir, [], {
      CLAUDE_CODE_SYNC_DOWNLOAD_URL: `${url}/releases/download/v${VERSION}/`,
      CLAUDE_CODE_SYNC_RELEASES_URL: "http://127.0.0.1:9/unused",
      PATH: `${dir}:${process.env.PATH}`,
    });
    expect(result.stderr).toBe("");
    expect(result.stdout).not.toContain("not in your PATH");
    expect(await installedVersion(dir)).toBe(VERSION);
  });

  // A PATH entry written with a trailing slash (PATH="$HOME/.local/bin/:$PATH") was taken for another folder: it said
  // "not in your PATH", with a line to add it again (and the command found through it was "another claude-code-sync").
  test("a folder on PATH with a trailing slash is on PATH", async () => {
    const dir = installDir("install-on-path-slash");
    const result = await install(dir, [], { PATH: `${dir}/:${process.env.PATH}` });
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).not.toContain("not in your PATH");
    expect(result.stdout).not.toContain("another claude-code-sync");
  });

  test("a pinned version is installed, by --version or CLAUDE_CODE_SYNC_VERSION, and can be upgraded in place", async () => {
    const dir = installDir("install-pinned");
    const pinned = await install(dir, ["--version", OLD]);
    expect(pinned.stderr).toBe("");
    expect(await installedVersion(dir)).toBe(OLD);

    expect((await install(dir)).code).toBe(0);
    expect(await installedVersion(dir)).toBe(VERSION);

    const byEnv = await install(dir, [], { CLAUDE_CODE_SYNC_VERSION: `v${OLD}` });
    expect(byEnv.stderr).toBe("");
    expect(await installedVersion(dir)).toBe(OLD);
    expect(readdirSync(dir)).toEqual([COMMAND]);
  });

  test("a download folder of another version than the pinned one is refused", async () => {
    const dir = installDir("install-wrong-version");
    const result = await install(dir, [`--version=${OLD}`], {
      CLAUDE_CODE_SYNC_DOWNLOAD_URL: `${url}/releases/download/v${VERSION}`,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`asked for version ${OLD} but`);
    expect(readdirSync(dir)).toEqual([]);
  });

  test("an archive that does not match SHA256SUMS is refused and nothing is installed", async () => {
    const dir = installDir("install-tampered");
    const result = await install(dir, [], { CLAUDE_CODE_SYNC_DOWNLOAD_URL: `${url}/tampered` });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`checksum mismatch for ${archiveName(target)}`);
    expect(result.stderr).toContain("Nothing was installed");
    expect(existsSync(dir)).toBe(false);
  });

  test("an executable that does not run here is not installed, and the error is shown", async () => {
    const dir = installDir("install-broken");
    const result = await install(dir, [], { CLAUDE_CODE_SYNC_DOWNLOAD_URL: `${url}/broken` });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`does not run on this machine (${target.id}): cannot load library`);
    expect(readdirSync(dir)).toEqual([]);
  });

  // A folder that could not be written was said only after the 50 MB download, as "could not write to <folder>", with no way out.
  test("a file in the way of the folder: said before any download, nothing created", async () => {
    const file = join(installDir("install-file-in-the-way"), "bin");
    await Bun.write(file, "");
    const result = await install(join(file, "tools"));
    expect(result).toMatchObject({ code: 1, stdout: "" });
    expect(result.stderr).toBe(`claude-code-sync install: cannot install into ${file}/tools: ${file} is a file, not a folder. Choose another folder with CLAUDE_CODE_SYNC_INSTALL_DIR. Nothing was downloaded.\n`);
  });

  test("a folder this user cannot write to: said before any download, with what to do", async () => {
    const asNobody = process.getuid?.() === 0 ? Bun.which("setpriv") : undefined;
    // Root writes anywhere: the script runs as nobody, from a folder nobody can reach.
    const shared = await realpath(await mkdtemp(join(tmpdir(), "ccs-dist-nobody-")));
    installDirs.push(shared);
    await chmod(shared, 0o755);
    await cp(INSTALL_SH, join(shared, "install.sh"));
    const locked = join(shared, "locked");
    await mkdir(locked, { mode: 0o555 });
    await chmod(locked, 0o555);
    const prefix = asNobody ? [asNobody, "--reuid=65534", "--regid=65534", "--clear-groups"] : [];
    const result = await exec([...prefix, "sh", join(shared, "install.sh")], {
      cwd: shared,
      env: env({ HOME: shared, CLAUDE_CODE_SYNC_INSTALL_DIR: join(locked, "bin"), CLAUDE_CODE_SYNC_RELEASES_URL: `${url}/releases` }),
    });
    expect(result).toMatchObject({ code: 1, stdout: "" });
    expect(result.stderr).toBe(
      `claude-code-sync install: cannot install into ${locked}/bin: no permission to write to ${locked}. Choose a folder you can write to with CLAUDE_CODE_SYNC_INSTALL_DIR, or run the installer with sudo to install there. Nothing was downloaded.\n`,
    );
  });

  test("an unknown version gets a clear message", async () => {
    const result = await install(installDir("install-unknown"), ["--version", "9.9.9"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("is 9.9.9 a released version?");
  });

  test.skipIf(!Bun.which("wget"))("works with wget when there is no curl", async () => {
    // A PATH with the tools install.sh uses, but no curl.
    const tools = join(work, "tools-without-curl");
    await mkdir(tools);
    const used = "sh uname mktemp rm awk sha256sum shasum cut tar gzip mkdir cp chmod mv grep ldd bash sysctl sed dirname wget";
    for (const name of used.split(" ")) {
      const path = Bun.which(name);
      if (path) await symlink(path, join(tools, name));
    }
    const dir = installDir("install-wget");
    const result = await install(dir, [], { PATH: tools });
    expect(result.stderr).toBe("");
    expect(await installedVersion(dir)).toBe(VERSION);
  });

  test.skipIf(!Bun.which("shellcheck"))("is clean POSIX sh for shellcheck", async () => {
    const result = await exec(["shellcheck", "-s", "sh", INSTALL_SH]);
    expect(result.stdout).toBe("");
    expect(result.code).toBe(0);
  });
});

/** Runs a package manager's shim for the command with node but no bun on PATH: the command must not need bun. */
async function runShim(shim: string, args: string[]): Promise<Result> {
  const node = await realpath(Bun.which("node")!);
  let path = dirname(node);
  if (POSIX) {
    path = join(work, "node-only");
    await mkdir(path, { recursive: true });
    if (!existsSync(join(path, "node"))) await symlink(node, join(path, "node"));
  }
  expect(Bun.which("bun", { PATH: path })).toBeNull();
  return exec(viaShell([shim, ...args]), { env: env({ PATH: path }) });
}

/** The shim npm or yarn puts in a global bin folder. */
const shimIn = (bin: string) => (POSIX ? join(bin, COMMAND) : join(bin, `${COMMAND}.cmd`));

/** What the installed command must do, whichever package manager installed it. */
function installedCommandTests(runInstalled: (args: string[]) => Promise<Result>) {
  test("the installed command runs with node but no bun on PATH", async () => {
    const result = await runInstalled(["--version"]);
    expect(result.stderr).toBe("");
    expect(result.stdout.trim()).toBe(VERSION);
  });

  test("the installed command passes the exit status and the errors through", async () => {
    const direct = await exec([native.executable, "no-such-command"]);
    const launched = await runInstalled(["no-such-command"]);
    expect(direct.code).toBe(2);
    expect(launched.code).toBe(direct.code);
    expect(launched.stderr).toBe(direct.stderr);
  });
}

describe("npm packages", () => {
  let prefix: string;
  let platformDir: string;

  /** The globally installed command, through npm's shim. */
  const runInstalled = (args: string[]) => runShim(POSIX ? join(prefix, "bin", COMMAND) : shimIn(prefix), args);

  beforeAll(async () => {
    const { launcherDir, platformDirs } = await generateNpmPackages(ROOT, join(work, "out"), [native.target]);
    platformDir = platformDirs.get(native.target.id)!;
    const packs = join(work, "packs");
    await mkdir(packs);
    const packed = await exec(viaShell(["npm", "pack", "--pack-destination", packs, launcherDir, platformDir]));
    expect(packed.code).toBe(0);
    const tarballs = readdirSync(packs).map((name) => join(packs, name));
    expect(tarballs).toHaveLength(2);
    // Offline, from the files: the other platforms' packages cannot be fetched and, being optional, are skipped.
    prefix = join(work, "prefix");
    const installed = await exec(
      viaShell(["npm", "install", "-g", "--prefix", prefix, "--offline", "--no-audit", "--no-fund", "--registry", "http://127.0.0.1:9/", ...tarballs]),
    );
    expect(installed.code).toBe(0);
  }, HOOK_TIMEOUT);

  test("the launcher lists every platform package at this version, each limited to its platform", async () => {
    const launcher = JSON.parse(readFileSync(join(work, "out/npm", COMMAND, "package.json"), "utf8"));
    expect(launcher.version).toBe(VERSION);
    expect(launcher.bin).toEqual({ [COMMAND]: `bin/${COMMAND}.js` });
    expect(Object.entries(launcher.optionalDependencies)).toEqual(npmTargets().map(([, name]) => [name, VERSION]));
    const platform = JSON.parse(readFileSync(join(platformDir, "package.json"), "utf8"));
    expect(platform.name).toBe(npmPackageName(native.target)!);
    expect([platform.os, platform.cpu]).toEqual([[process.platform], [process.arch]]);
  });

  installedCommandTests(runInstalled);

  test("the platform package's executable runs without node", async () => {
    const modules = POSIX ? join(prefix, "lib", "node_modules") : join(prefix, "node_modules");
    const executable = join(modules, npmPackageName(native.target)!, "bin", executableName(process.platform));
    const result = await exec([executable, "--version"], { env: env({ PATH: join(work, "empty") }) });
    expect(result.stdout.trim()).toBe(VERSION);
  });
});

// `npm publish` in the checkout would have put the sources, with no command, under the launcher's name and version
// (npm refuses a private package, EPRIVATE; running it here takes npm a minute). Only dist/npm's packages are published.
test("the checkout itself is no package to publish", () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  expect(manifest).toMatchObject({ name: COMMAND, private: true });
  expect(manifest.bin).toBeUndefined();
});

/** Yarn classic, pinned in devDependencies: `yarn global add` is how the README's yarn users install. */
const YARN = join(ROOT, "node_modules", "yarn", "bin", "yarn.js");

describe.skipIf(!existsSync(YARN))(`yarn global add${existsSync(YARN) ? "" : " (skipped: no yarn in node_modules: run npm ci)"}`, () => {
  let registry: ReturnType<typeof Bun.serve>;
  let prefix: string;
  let yarnHome: string;

  const yarn = (args: string[]) => exec(["node", YARN, ...args, "--prefix", prefix, "--global-folder", join(work, "yarn-global"), "--cache-folder", join(work, "yarn-cache"), "--non-interactive", "--no-progress"], { env: env({ HOME: yarnHome, USERPROFILE: yarnHome }) });

  /**
   * The packages as the npm registry would serve them, from 127.0.0.1: the
   * launcher, this machine's package with the real executable, and the other
   * platforms' as manifests only (yarn classic reads every optional
   * dependency's manifest, and ignores `libc`, before it skips those of other
   * machines). Nothing leaves this machine.
   */
  beforeAll(async () => {
    const { launcherDir, platformDirs } = await generateNpmPackages(ROOT, join(work, "out"), [native.target]);
    const dirs = [launcherDir, platformDirs.get(native.target.id)!];
    for (const [target, name] of npmTargets()) {
      if (target.id === native.target.id) continue;
      const dir = join(work, "yarn-out", "stand-ins", target.id);
      await Bun.write(join(dir, "package.json"), JSON.stringify(platformManifest(target, name, VERSION)));
      dirs.push(dir);
    }
    const packs = join(work, "yarn-packs");
    await mkdir(packs, { recursive: true });
    const packed = await exec(viaShell(["npm", "pack", "--json", "--pack-destination", packs, ...dirs]));
    expect(packed.code).toBe(0);
    const tarballs = JSON.parse(packed.stdout) as Array<{ name: string; version: string; filename: string; shasum: string; integrity: string }>;
    const manifests = new Map(
      await Promise.all(dirs.map(async (dir) => { const m = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")); return [m.name as string, m] as const; })),
    );
    registry = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(request) {
        const path = decodeURIComponent(new URL(request.url).pathname).slice(1);
        const file = tarballs.find((t) => `-/${t.filename}` === path);
        if (file) return new Response(Bun.file(join(packs, file.filename)));
        const pack = tarballs.find((t) => t.name === path);
        if (!pack) return Response.json({ error: "Not found" }, { status: 404 });
        const dist = { tarball: `${registry.url.origin}/-/${pack.filename}`, shasum: pack.shasum, integrity: pack.integrity };
        return Response.json({ name: pack.name, "dist-tags": { latest: pack.version }, versions: { [pack.version]: { ...manifests.get(pack.name), dist } } });
      },
    });
    prefix = join(work, "yarn-prefix");
    yarnHome = join(work, "yarn-home");
    await Bun.write(join(yarnHome, ".yarnrc"), `registry "${registry.url.origin}/"\ndisable-self-update-check true\n`);
    const installed = await yarn(["global", "add", COMMAND]);
    if (installed.code !== 0) console.log(installed.stdout, installed.stderr);
    expect(installed.code).toBe(0);
  }, HOOK_TIMEOUT);

  afterAll(() => registry?.stop(true));

  /** The command, through the shim yarn put in its global bin folder. */
  installedCommandTests(async (args) => runShim(shimIn((await yarn(["global", "bin"])).stdout.trim()), args));
});

describe.skipIf(!POSIX)("npm launcher (with a stand-in shell script as the executable)", () => {
  let launcher: string;

  beforeAll(async () => {
    const modules = join(work, "launcher-test", "node_modules");
    launcher = join(modules, COMMAND, "bin", `${COMMAND}.js`);
    await cp(LAUNCHER, launcher);
    await Bun.write(join(modules, COMMAND, "package.json"), JSON.stringify({ homepage: "https://example.invalid/readme" }));
    const fake = join(modules, npmPackageName(hostTarget())!, "bin", COMMAND);
    await Bun.write(
      fake,
      `#!/bin/sh
case "$1" in
  exit) exit "$2" ;;
  args) shift; printf '[%s]' "$@" ;;
  cat) cat ;;
  die) kill -TERM $$ ;;
  wait)
    trap 'echo got-TERM; exit 7' TERM
    echo ready
    i=0; while [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
    exit 3 ;;
esac
`,
    );
    await chmod(fake, 0o755);
  });

  const node = (args: string[], stdin?: string) => exec(["node", launcher, ...args], { stdin });

  test("passes arguments, stdin and the exit status through", async () => {
    expect((await node(["args", "a b", "", "c"])).stdout).toBe("[a b][][c]");
    expect((await node(["cat"], "from stdin\n")).stdout).toBe("from stdin\n");
    expect((await node(["exit", "5"])).code).toBe(5);
    expect((await node(["exit", "0"])).code).toBe(0);
  });

  test("ends with the signal that ended the executable", async () => {
    const result = await node(["die"]);
    expect(result.signal).toBe("SIGTERM");
  });

  test("passes SIGTERM on to the executable", async () => {
    const proc = Bun.spawn(["node", launcher, "wait"], { env: env(), stdout: "pipe", timeout: 30_000 });
    const reader = proc.stdout.getReader();
    const { value } = await reader.read();
    expect(new TextDecoder().decode(value)).toBe("ready\n");
    proc.kill("SIGTERM");
    const { value: rest } = await reader.read();
    expect(new TextDecoder().decode(rest)).toBe("got-TERM\n");
    expect(await proc.exited).toBe(7);
  });

  test("says which package is missing when no executable matches", async () => {
    const lonely = join(work, "lonely", "node_modules", COMMAND, "bin", `${COMMAND}.js`);
    await cp(LAUNCHER, lonely);
    await Bun.write(join(dirname(lonely), "..", "package.json"), JSON.stringify({ homepage: "https://example.invalid/readme" }));
    const result = await exec(["node", lonely, "--version"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`It comes in the package ${npmPackageName(hostTarget())}`);
    expect(result.stderr).toContain("https://example.invalid/readme");
  });
});

describe("Homebrew formula", () => {
  const dir = () => join(work, "brew");
  const archives = () =>
    ["darwin-arm64", "darwin-x64", "linux-arm64", "linux-x64"].map((id) => join(dir(), archiveName(findTarget(id))));

  beforeAll(async () => {
    for (const archive of archives()) await Bun.write(archive, `stand-in for ${basename(archive)}`);
    await writeChecksums(dir(), archives());
    await writeFormula(ROOT, dir());
  });

  test("names each archive with its checksum, for macOS and Linux on ARM and Intel", async () => {
    const text = readFileSync(join(dir(), FORMULA), "utf8");
    const pairs = [...text.matchAll(/url "([^"]+)"\s+sha256 "([0-9a-f]{64})"/g)];
    expect(pairs.map((m) => basename(m[1]!)).sort()).toEqual(archives().map((a) => basename(a)).sort());
    for (const [, url, sha] of pairs) {
      expect(url).toContain(`/releases/download/v${VERSION}/`);
      expect(sha).toBe(await sha256File(join(dir(), basename(url!))));
    }
    expect(text).toContain(`version "${VERSION}"`);
    expect(text).toMatch(/on_macos do\s+on_arm do\s+url "[^"]+darwin-arm64/);
    expect(text).toMatch(/on_linux do\s+on_arm do\s+url "[^"]+linux-arm64/);
    expect(text).toContain(`test do\n    assert_equal version.to_s, shell_output("#{bin}/${COMMAND} --version").strip`);
  });

  test.skipIf(!Bun.which("ruby"))("is valid Ruby", async () => {
    const result = await exec(["ruby", "-c", join(dir(), FORMULA)]);
    expect(result.stdout.trim()).toBe("Syntax OK");
  });

  test("refuses a release that lacks one of its archives", async () => {
    const incomplete = join(work, "brew-incomplete");
    const archive = join(incomplete, archiveName(findTarget("linux-x64")));
    await Bun.write(archive, "x");
    await writeChecksums(incomplete, [archive]);
    await expect(writeFormula(ROOT, incomplete)).rejects.toThrow(`${CHECKSUMS} has no ${COMMAND}-darwin-arm64.tar.gz`);
  });
});
