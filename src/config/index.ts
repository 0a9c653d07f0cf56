/** Local configuration: ~/.claude-code-sync/config.json, credentials, options. */
export { type Config, ConfigSchema, compileRedactPattern, defaultConfig, type Options, OptionsSchema, unusedKeys, unusedKeysText, unusedKeysWarning } from "./schema.ts";
export { FILE_MODE as CONFIG_FILE_MODE, configPath, loadConfig, loadConfigForLogin, loadConfigToSet, saveConfig, invalidOptionsFix, setBrokenConfigAside } from "./store.ts";
export { API_KEY_ENV, type Credentials, maskKey, requireCredentials, resolveCredentials, shownUrl, URL_ENV } from "./credentials.ts";
export { projectExclusion } from "./exclude.ts";
