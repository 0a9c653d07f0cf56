import type { Era } from "./lines.ts";
import { Rng } from "./prng.ts";
import { ERA_MODELS, type SessionSpec, type Shape } from "./session.ts";

/**
 * Decides every file of a corpus before any is written: sizes (heavy-tailed),
 * projects, eras, subagent layouts and resumed sessions. Writing then only
 * follows the plan, so memory stays small whatever the corpus size.
 */

export interface PlannedFile {
  /** Path relative to the output folder, e.g. `projects/-home-dev-app/<id>.jsonl`. */
  relPath: string;
  spec: SessionSpec;
  /** True for files that are planned sizes of the long tail (scaled to hit the total). */
  regular: boolean;
  /** Index of an earlier file whose first lines this (resumed) session copies. */
  resumes: number | null;
  /** Whether a later file resumes this one (its first lines must be kept). */
  keepHead: boolean;
  /** 2.1.x subagents sometimes have an `agent-<id>.meta.json` beside them. */
  meta: { relPath: string; content: string } | null;
}

const DAY = 86_400_000;
const ERA_RANGES: Record<Era, readonly [number, number]> = {
  "1.0": [Date.UTC(2025, 5, 1), Date.UTC(2025, 8, 28)],
  "2.0": [Date.UTC(2025, 8, 29), Date.UTC(2025, 11, 31)],
  "2.1": [Date.UTC(2026, 0, 1), Date.UTC(2026, 1, 28)],
};
const VERSIONS: Record<Era, readonly string[]> = {
  "1.0": ["1.0.24", "1.0.44", "1.0.53", "1.0.72", "1.0.98", "1.0.110", "1.0.128"],
  "2.0": ["2.0.5", "2.0.14", "2.0.28", "2.0.37", "2.0.55", "2.0.76"],
  "2.1": ["2.1.3", "2.1.9", "2.1.17", "2.1.31", "2.1.42"],
};
const AGENT_MODELS = ["claude-haiku-4-5-20251001", "claude-sonnet-4-5-20250929"];

/** Typical file count per byte of real histories: about 3,400 files per GiB. */
const MEAN_REGULAR_FILE = 240_000;

interface Project {
  cwd: string;
  dir: string;
  weight: number;
  /** Index of the latest main session planned in this project. */
  lastMain: number | null;
}

function eraOf(ms: number): Era {
  if (ms >= (ERA_RANGES["2.1"][0] as number)) return "2.1";
  if (ms >= (ERA_RANGES["2.0"][0] as number)) return "2.0";
  return "1.0";
}

/** Claude Code's folder name for a working directory: every non-alphanumeric becomes `-`. */
function encodeCwd(cwd: string): string {
  return cwd.replace(/[^A-Za-z0-9]/g, "-");
}

function makeProjects(rng: Rng, count: number): Project[] {
  const users = ["dev", "sam", "alex.k", "jo_lee"];
  const roots = ["code", "work", "src", "Projects/clients"];
  const names = ["api", "web-app", "my_tool", "site.v2", "infra", "mobile", "data-pipeline", "notes", "cli", "docs site"];
  return Array.from({ length: count }, (_, i) => {
    const home = rng.chance(0.5) ? `/Users/${rng.pick(users)}` : `/home/${rng.pick(users)}`;
    const cwd = `${home}/${rng.pick(roots)}/${rng.pick(names)}-${i}`;
    return { cwd, dir: `projects/${encodeCwd(cwd)}`, weight: 1 / (i + 1) ** 0.9, lastMain: null };
  });
}

/** Roles forced at the start so that even a tiny corpus has every layout. */
type Role = "main" | "agent" | "resume" | "empty" | "random";
const FORCED: readonly { role: Role; era?: Era; model?: string; showcase?: boolean }[] = [
  { role: "main", era: "1.0", model: "claude-sonnet-4-20250514", showcase: true },
  { role: "main", era: "2.0", model: "claude-sonnet-4-5-20250929" },
  { role: "agent" },
  { role: "main", era: "2.1", model: "claude-opus-4-5-20251101" },
  { role: "agent" },
  { role: "resume" },
  { role: "empty" },
];

export interface PlanOptions {
  totalBytes: number;
  seed: number;
}

export function planCorpus({ totalBytes, seed }: PlanOptions): PlannedFile[] {
  const rng = new Rng(seed, 0x91a7);
  const projects = makeProjects(rng, Math.max(3, Math.min(60, Math.round(1.2 * Math.sqrt(totalBytes / 1e6)))));

  // The heavy tail: one session of 150-250 MB in corpora of 512 MiB and more, a few of up to 60 MB.
  const big: number[] = [];
  if (totalBytes >= 512 * 2 ** 20) big.push(rng.int(150e6, 250e6));
  const large = Math.floor(totalBytes / 300e6) || (totalBytes >= 50e6 ? 1 : 0);
  for (let i = large; i > 0; i--) big.push(rng.int(Math.min(15e6, totalBytes * 0.08), Math.min(60e6, totalBytes * 0.15)));
  const remaining = totalBytes - big.reduce((a, b) => a + b, 0);
  const count = Math.max(FORCED.length + 3, Math.round(remaining / MEAN_REGULAR_FILE));
  const raw = Array.from({ length: count }, () => Math.min(60, rng.lognormal(1, 1.7)));
  const scale = remaining / raw.reduce((a, b) => a + b, 0);

  const sizes: { bytes: number; regular: boolean }[] = raw.map((r) => ({ bytes: Math.round(r * scale), regular: true }));
  for (const bytes of big) sizes.splice(rng.int(FORCED.length, sizes.length), 0, { bytes, regular: false });

  const plan: PlannedFile[] = [];
  sizes.forEach(({ bytes, regular }, i) => {
    const forced = regular ? FORCED[i] : undefined;
    const role: Role = forced?.role ?? (regular ? "random" : "main");
    // The forced roles share one project, so their agents and resume find their parent.
    const project = i < FORCED.length ? (projects[0] as Project) : rng.weighted(projects.map((p) => [p, p.weight] as const));
    const parent = project.lastMain === null ? null : (plan[project.lastMain] as PlannedFile);
    const canAttach = parent !== null && parent.spec.era !== "1.0" && parent.spec.shape === "conversation";
    const wantsAgent = role === "agent" || (role === "random" && rng.chance(0.22));
    if (wantsAgent && canAttach) {
      plan.push(planAgent(rng, parent, bytes, i));
      return;
    }
    const era = forced?.era ?? (!regular ? "2.1" : undefined);
    const resumed = parent !== null && (role === "resume" || (role === "random" && rng.chance(0.05)));
    const file = planMain(rng, project, {
      bytes: forced?.role === "main" ? Math.max(bytes, 30_000) : bytes, // room for what it must show
      regular,
      index: i,
      seed,
      era,
      model: forced?.model,
      showcase: forced?.showcase ?? false,
      empty: role === "empty" || (role === "random" && rng.chance(0.015)),
      resumeOf: resumed ? (project.lastMain as number) : null,
      after: resumed ? parent.spec.startMs : null,
    });
    if (file.resumes !== null) (plan[file.resumes] as PlannedFile).keepHead = true;
    project.lastMain = plan.length;
    plan.push(file);
  });
  return plan;
}

interface MainOptions {
  bytes: number;
  regular: boolean;
  index: number;
  seed: number;
  era: Era | undefined;
  model?: string;
  showcase?: boolean;
  empty: boolean;
  resumeOf: number | null;
  after: number | null;
}

function planMain(rng: Rng, project: Project, o: MainOptions): PlannedFile {
  let startMs: number;
  if (o.after !== null) startMs = o.after + rng.int(1, 48) * 3_600_000;
  else if (o.era) startMs = rng.int(...(ERA_RANGES[o.era] as [number, number]));
  else startMs = rng.int(ERA_RANGES["1.0"][0], ERA_RANGES["2.1"][1]);
  const era = eraOf(startMs);
  let shape: Shape = "conversation";
  if (o.empty) shape = "empty";
  else if (o.bytes < 1_500 && o.resumeOf === null) shape = era === "1.0" || rng.chance(0.5) ? "summary-only" : "snapshot-only";
  const sessionId = rng.uuid();
  return {
    relPath: `${project.dir}/${sessionId}.jsonl`,
    regular: o.regular,
    resumes: o.resumeOf,
    keepHead: false,
    meta: null,
    spec: {
      seed: o.seed,
      stream: o.index + 1,
      era,
      version: rng.pick(VERSIONS[era]),
      cwd: project.cwd,
      sessionId,
      gitBranch: era === "1.0" && rng.chance(0.3) ? null : rng.pick(["main", "main", "dev", "feature/sync", "HEAD"]),
      model: o.model ?? rng.pick(ERA_MODELS[era]),
      agentId: null,
      showcase: o.showcase ?? false,
      startMs: startMs + rng.int(0, DAY - 1),
      targetBytes: shape === "empty" ? 0 : o.bytes,
      shape,
      agentIds: [],
      resumed: null,
    },
  };
}

/** A subagent transcript: 2.0.x flat `agent-<id>.jsonl`, 2.1.x `<session>/subagents/agent-<id>.jsonl`. */
function planAgent(rng: Rng, parent: PlannedFile, bytes: number, index: number): PlannedFile {
  const p = parent.spec;
  const flat = p.era === "2.0";
  const agentId = flat ? rng.hex(8) : `a${rng.hex(6)}`;
  p.agentIds.push(agentId);
  const dir = parent.relPath.slice(0, parent.relPath.lastIndexOf("/"));
  const relPath = flat ? `${dir}/agent-${agentId}.jsonl` : `${dir}/${p.sessionId}/subagents/agent-${agentId}.jsonl`;
  const meta =
    !flat && rng.chance(0.5)
      ? { relPath: relPath.replace(/\.jsonl$/, ".meta.json"), content: JSON.stringify({ agentType: rng.pick(["Explore", "general-purpose", "Plan"]) }) }
      : null;
  return {
    relPath,
    regular: true,
    resumes: null,
    keepHead: false,
    meta,
    spec: {
      ...p,
      stream: index + 1,
      model: rng.pick(AGENT_MODELS),
      agentId,
      showcase: false,
      startMs: p.startMs + rng.int(60_000, 3_600_000),
      targetBytes: Math.max(bytes, 2_000),
      shape: "conversation",
      agentIds: [],
      resumed: null,
    },
  };
}

/** One session file of the given size (memory and big-file tests). */
export function planSingle({ totalBytes, seed }: PlanOptions): PlannedFile[] {
  const rng = new Rng(seed, 0x5151);
  const [project] = makeProjects(rng, 1) as [Project];
  const file = planMain(rng, project, { bytes: totalBytes, regular: false, index: 0, seed, era: "2.1", empty: false, resumeOf: null, after: null });
  return [file];
}
