import { setDefaultTimeout } from "bun:test";

// End-to-end tests spawn the CLI and a local server; give them room on a shared 2-core machine (bunfig's [test] timeout is not read by bun test).
setDefaultTimeout(60_000);
