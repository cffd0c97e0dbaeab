// The action's main step: action/run.sh install, then connect when a server is given.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const script = join(dirname(fileURLToPath(import.meta.url)), "run.sh");
const result = spawnSync("bash", [script, "main"], { stdio: "inherit", env: process.env });
process.exit(result.status ?? 1);
