import { afterAll } from "bun:test";
import { removeScratchDirs } from "./scratch.ts";

// Preloaded (bunfig.toml): an afterAll here runs once, after the last test file.
afterAll(removeScratchDirs);
