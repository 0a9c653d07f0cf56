import { API_KEY_ENV, configPath, loadConfig, saveConfig, URL_ENV } from "../config/index.ts";

/** `logout`: forget the saved URL and API key, keep the options. Running it twice is fine. */
export async function run(): Promise<number> {
  const { convexUrl, apiKey, ...rest } = loadConfig();
  if (convexUrl === undefined && apiKey === undefined) {
    process.stdout.write("No saved credentials; nothing to remove.\n");
  } else {
    saveConfig(rest);
    process.stdout.write(`Removed the saved URL and API key from ${configPath()} (options kept).\n`);
  }
  const stillSet = [...URL_ENV, ...API_KEY_ENV].filter((name) => process.env[name]?.trim());
  if (stillSet.length > 0) {
    process.stdout.write(`Note: ${stillSet.join(", ")} is still set in your environment and will still be used.\n`);
  }
  return 0;
}
