import { join } from "node:path";

const CLI = join(import.meta.dir, "..", "..", "src", "cli.ts");

/**
 * The CLI at a real pseudo-terminal, driven as a person would: wait for a
 * prompt, type, press Enter. Bun gives a subprocess a pseudo-terminal only on
 * POSIX systems.
 */
export function terminal(args: string[], env: Record<string, string>, { cols = 200 }: { cols?: number } = {}) {
  let screen = "";
  let waiting: { text: string; resolve: () => void } | undefined;
  const proc = Bun.spawn([process.execPath, CLI, ...args], {
    env: { PATH: process.env.PATH ?? "", NO_COLOR: "1", ...env },
    terminal: {
      cols,
      rows: 50,
      data: (_term, data) => {
        screen += new TextDecoder().decode(data);
        if (waiting && screen.includes(waiting.text)) waiting.resolve();
      },
    },
  });
  // Stops by itself if the CLI never gets there.
  const guard = setTimeout(() => proc.kill(), 30_000);
  return {
    screen: () => screen,
    /** Resolves once `text` has been shown; rejects if the CLI exits first. */
    waitFor: (text: string) =>
      Promise.race([
        new Promise<void>((resolve) => {
          waiting = { text, resolve };
          if (screen.includes(text)) resolve();
        }),
        proc.exited.then(() => {
          if (!screen.includes(text)) throw new Error(`exited before showing ${JSON.stringify(text)}:\n${screen}`);
        }),
      ]),
    type: (keys: string) => proc.terminal!.write(keys),
    exited: async () => {
      const code = await proc.exited;
      clearTimeout(guard);
      proc.terminal!.close();
      return code;
    },
  };
}
