import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url).pathname;
/** Every shell script of the repository (.ci/run installs shellcheck). */
const SCRIPTS = [".ci/run", "scripts/mcpc", "scripts/install.sh", "action/run.sh"];

Deno.test("the shell scripts pass shellcheck", async () => {
  const { code, stdout } = await new Deno.Command("shellcheck", {
    args: SCRIPTS,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stdout));
});
