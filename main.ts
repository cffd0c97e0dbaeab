/**
 * mcpc's entry point: runs a session's bridge (the hidden `__bridge`
 * subcommand) or the CLI, each loaded only when needed, and exits once.
 *
 * Layer: edge.
 * @module
 */

import { BRIDGE_SUBCOMMAND, COMPLETE_SUBCOMMAND } from "./src/platform/self_command.ts";
import { writeText } from "./src/platform/write_text.ts";

/** Runs mcpc with `argv` (without the program name) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  if (argv[0] === BRIDGE_SUBCOMMAND) {
    try {
      const { runBridge } = await import("./src/bridge/bridge_main.ts");
      return await runBridge(argv[1] ?? "");
    } catch (error) {
      // Run by hand, or started wrongly: one line, no stack trace.
      const message = error instanceof Error ? error.message : String(error);
      writeText(Deno.stderr, `Error: ${message}\n`);
      return 1;
    }
  }
  if (argv[0] === COMPLETE_SUBCOMMAND) {
    // Shell completion runs on every Tab: no CLI context, no lock, nothing else loaded.
    const { runComplete } = await import("./src/cli/complete.ts");
    writeText(Deno.stdout, await runComplete(argv.slice(1), Deno.env.toObject()));
    return 0;
  }
  const { runCli } = await import("./src/cli/cli_main.ts");
  return await runCli(argv);
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
