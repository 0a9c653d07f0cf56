import { home } from "../paths.ts";

/**
 * Whether a project (its working directory) is excluded by the `excludeProjects`
 * option. A pattern without a slash matches the folder's name (`secret-*`); one
 * with a slash matches the full path and every folder below it (`~/clients/*`).
 * `*` matches any characters within one path segment.
 */
export function isProjectExcluded(projectPath: string, patterns: readonly string[]): boolean {
  const path = normalize(projectPath);
  const name = path.slice(path.lastIndexOf("/") + 1);
  return patterns.some((raw) => {
    const pattern = normalize(raw.startsWith("~/") ? home() + raw.slice(1) : raw);
    return pattern.includes("/")
      ? new RegExp(`^${globSource(pattern)}(?:/.*)?$`).test(path)
      : new RegExp(`^${globSource(pattern)}$`).test(name);
  });
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
