import { home } from "../paths.ts";

/**
 * Whether a project (its working directory) is excluded by the `excludeProjects`
 * option. A pattern without a slash matches the folder's name (`secret-*`); one
 * with a slash matches the full path and every folder below it (`~/clients/*`).
 * `*` matches any characters within one path segment. The patterns are compiled
 * once: the predicate is asked for every session read.
 */
export function projectExclusion(patterns: readonly string[]): (projectPath: string | undefined) => boolean {
  if (patterns.length === 0) return () => false;
  const byPath: RegExp[] = [];
  const byName: RegExp[] = [];
  for (const raw of patterns) {
    const pattern = normalize(raw.startsWith("~/") ? home() + raw.slice(1) : raw);
    if (pattern.includes("/")) byPath.push(new RegExp(`^${globSource(pattern)}(?:/.*)?$`));
    else byName.push(new RegExp(`^${globSource(pattern)}$`));
  }
  return (projectPath) => {
    if (projectPath === undefined) return false;
    const path = normalize(projectPath);
    const name = path.slice(path.lastIndexOf("/") + 1);
    return byPath.some((re) => re.test(path)) || byName.some((re) => re.test(name));
  };
}

function normalize(path: string): string {
  const slashes = path.replaceAll("\\", "/");
  return slashes.length > 1 ? slashes.replace(/\/+$/, "") : slashes;
}

function globSource(glob: string): string {
  return glob
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join("[^/]*");
}
