/**
 * Generates the npm packages from executables built by build.ts:
 *
 *   dist/npm/claude-code-sync/         the launcher (bin/claude-code-sync.js from npm/),
 *                                      with every platform package as an optional dependency
 *   dist/npm/platforms/<os>-<cpu>[-musl]/  one per platform, holding bin/claude-code-sync[.exe],
 *                                      with os/cpu/libc fields so npm installs only the matching one
 *
 *   bun scripts/npm-packages.ts [--out <dir>] [--target <id>...]
 *
 * reads <out>/bin/<id>/ (default dist/) and writes <out>/npm/. Publish the
 * platform packages before the launcher.
 */
import { chmod, cp, mkdir, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ROOT } from "./build.ts";
import {
  COMMAND,
  GITHUB_REPO,
  TARGETS,
  type Target,
  executableName,
  findTarget,
  npmPackageName,
  readVersion,
} from "./targets.ts";

const DESCRIPTION = "Sync Claude Code sessions to OpenSync, exactly and in near real time";
const HOMEPAGE = `https://github.com/${GITHUB_REPO}#readme`;

const common = {
  license: "MIT",
  homepage: HOMEPAGE,
  repository: { type: "git", url: `git+https://github.com/${GITHUB_REPO}.git` },
  bugs: `https://github.com/${GITHUB_REPO}/issues`,
};

/** The targets that have an npm package, with its name. */
export const npmTargets = (targets: readonly Target[] = TARGETS): [Target, string][] =>
  targets.flatMap((t) => {
    const name = npmPackageName(t);
    return name ? [[t, name] as [Target, string]] : [];
  });

export function launcherManifest(version: string) {
  return {
    name: COMMAND,
    version,
    description: DESCRIPTION,
    ...common,
    bin: { [COMMAND]: `bin/${COMMAND}.js` },
    files: ["bin"],
    engines: { node: ">=18" },
    optionalDependencies: Object.fromEntries(npmTargets().map(([, name]) => [name, version])),
  };
}

export function platformManifest(target: Target, name: string, version: string) {
  return {
    name,
    version,
    description: `The ${COMMAND} executable for ${target.id} (installed by the ${COMMAND} package)`,
    ...common,
    files: ["bin"],
    os: [target.os],
    cpu: [target.cpu],
    ...(target.libc ? { libc: [target.libc] } : {}),
    // Package managers that can run from a zip cache (Yarn PnP) must unpack an executable.
    preferUnplugged: true,
  };
}

const readme = (title: string, body: string) =>
  `# ${title}\n\n${body}\n\nInstalling and other ways to get it: ${HOMEPAGE}\n`;

async function writePackage(dir: string, manifest: object, readmeText: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(join(dir, "bin"), { recursive: true });
  await Bun.write(join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  await Bun.write(join(dir, "README.md"), readmeText);
}

export type NpmPackages = { launcherDir: string; platformDirs: Map<string, string> };

/**
 * Writes the launcher and the platform packages of `targets` (whose
 * executables must be in <outDir>/bin/<id>/) into <outDir>/npm/.
 */
export async function generateNpmPackages(root: string, outDir: string, targets: readonly Target[]): Promise<NpmPackages> {
  const version = readVersion(root);
  const npmDir = join(outDir, "npm");
  const launcherDir = join(npmDir, COMMAND);
  await writePackage(
    launcherDir,
    launcherManifest(version),
    readme(COMMAND, `${DESCRIPTION}.\n\n    npm install -g ${COMMAND}\n    ${COMMAND} --help`),
  );
  await cp(join(root, "npm", COMMAND, "bin", `${COMMAND}.js`), join(launcherDir, "bin", `${COMMAND}.js`));
  await chmod(join(launcherDir, "bin", `${COMMAND}.js`), 0o755);

  const platformDirs = new Map<string, string>();
  for (const [target, name] of npmTargets(targets)) {
    const source = join(outDir, "bin", target.id, executableName(target.os));
    if (!(await Bun.file(source).exists())) {
      throw new Error(`${source} is missing: build it first (bun scripts/build.ts --target ${target.id}).`);
    }
    const dir = join(npmDir, "platforms", name.split("/")[1]!);
    await writePackage(
      dir,
      platformManifest(target, name, version),
      readme(name, `The ${COMMAND} executable for ${target.id}. Install \`${COMMAND}\` rather than this package.`),
    );
    const executable = join(dir, "bin", executableName(target.os));
    await cp(source, executable);
    await chmod(executable, 0o755);
    platformDirs.set(target.id, dir);
  }
  return { launcherDir, platformDirs };
}

if (import.meta.main) {
  try {
    const { values } = parseArgs({
      args: Bun.argv.slice(2),
      options: { out: { type: "string" }, target: { type: "string", multiple: true } },
    });
    const outDir = resolve(values.out ?? join(ROOT, "dist"));
    const targets = values.target ? values.target.map(findTarget) : TARGETS;
    const { launcherDir, platformDirs } = await generateNpmPackages(ROOT, outDir, targets);
    for (const dir of [...platformDirs.values(), launcherDir]) console.log(dir);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  }
}
