// The action's post step (after the job's other steps): action/run.sh closes the session.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const script = join(dirname(fileURLToPath(import.meta.url)), "run.sh");
const result = spawnSync("bash", [script, "post"], { stdio: "inherit", env: process.env });
process.exit(result.status ?? 1);
