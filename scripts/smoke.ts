/**
 * The smoke run of a built mcpc (the release workflow runs it on each
 * target's own runner): `--version` prints the version, then a session over
 * Streamable HTTP and one over stdio, each to the demo server, with one
 * `tools-call` and a `close`, in a private temporary home. Exits 1, saying
 * which step failed and what mcpc printed, when one does.
 *
 * Usage: deno run -A scripts/smoke.ts <mcpc binary> [args to put first...]
 * (`scripts/smoke.ts scripts/mcpc` smoke-runs the sources.)
 *
 * Layer: edge (script: processes, a server, files).
 * @module
 */

import { fileURLToPath } from "node:url";
import { startDemoHttpServer } from "./demo_server.ts";
import { VERSION } from "../src/version.ts";

/** Bound on each mcpc command (ms): a first stdio connect compiles the demo server. */
const STEP_TIMEOUT_MS = 120_000;

interface Step {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the smoke steps with `command` (the binary and its leading args); returns what failed. */
export async function smoke(command: readonly string[]): Promise<string | undefined> {
  const home = await Deno.makeTempDir({ prefix: "mcpc-smoke-" });
  if (Deno.build.os !== "windows") await Deno.chmod(home, 0o700);
  const server = await startDemoHttpServer({ era: "both" });
  const run = async (args: string[]): Promise<Step> => {
    const output = await new Deno.Command(command[0], {
      args: [...command.slice(1), ...args],
      env: { MCPC_HOME_DIR: home, MCPC_SECRET_STORE: "file", NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(STEP_TIMEOUT_MS),
    }).output();
    const decoder = new TextDecoder();
    return {
      code: output.code,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
    };
  };
  const expect = async (args: string[], check: (step: Step) => boolean): Promise<void> => {
    const step = await run(args);
    if (step.code !== 0 || !check(step)) {
      throw new Error(
        `mcpc ${args.join(" ")} (exit ${step.code}):\n${step.stdout}${step.stderr}`.trimEnd(),
      );
    }
    console.log(`ok: mcpc ${args.join(" ")}`);
  };
  try {
    await expect(["--version"], (step) => step.stdout.trim() === VERSION);
    // Over Streamable HTTP.
    await expect(["connect", server.url, "@http"], () => true);
    await expect(
      ["--json", "@http", "tools-call", "echo", "message:=smoke over http"],
      (step) => JSON.parse(step.stdout).content?.[0]?.text === "smoke over http",
    );
    await expect(["@http", "close"], () => true);
    // Over stdio: the demo server as a command of a config file.
    const config = `${home}/mcp.json`;
    const path = (name: string) => fileURLToPath(new URL(name, import.meta.url));
    await Deno.writeTextFile(
      config,
      JSON.stringify({
        mcpServers: {
          demo: {
            command: Deno.execPath(),
            args: [
              "run",
              "--quiet",
              "--frozen",
              "--config",
              path("../deno.json"),
              "--allow-all",
              path("./demo_server.ts"),
              "--stdio",
            ],
            env: { DENO_TLS_CA_STORE: "system" },
          },
        },
      }),
    );
    await expect(["connect", `${config}:demo`, "@stdio"], () => true);
    await expect(
      ["--json", "@stdio", "tools-call", "echo", "message:=smoke over stdio"],
      (step) => JSON.parse(step.stdout).content?.[0]?.text === "smoke over stdio",
    );
    await expect(["@stdio", "close"], () => true);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await run(["close", "--all"]).catch(() => {});
    await server.close();
    await Deno.remove(home, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) {
  if (Deno.args.length === 0) {
    console.error("Usage: deno run -A scripts/smoke.ts <mcpc binary> [leading args...]");
    Deno.exit(2);
  }
  const failed = await smoke(Deno.args);
  if (failed) {
    console.error(`smoke run failed: ${failed}`);
    Deno.exit(1);
  }
  console.log(`smoke run passed: ${Deno.args[0]} (mcpc ${VERSION})`);
}
