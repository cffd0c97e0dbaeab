/**
 * How mcpc starts itself (the bridge is the same program with a hidden
 * subcommand), and the permission flags shared by `deno run` and `deno compile`.
 *
 * Layer: edge (reads `Deno.execPath()` and `Deno.build`).
 * @module
 */

/**
 * Permissions mcpc runs with. `scripts/mcpc`, `deno task compile` and the
 * bridge launcher all use exactly this list (a test keeps them in step).
 * mcpc needs env, files, network, subprocesses (stdio servers) and system
 * info; with subprocesses allowed a narrower list protects nothing, and Deno
 * only lets `--allow-all` read `/proc` (needed to tell a zombie from a
 * running bridge).
 */
export const PERMISSION_FLAGS: readonly string[] = ["--allow-all"];

/** The hidden subcommand that turns the program into a session's bridge. */
export const BRIDGE_SUBCOMMAND = "__bridge";

const PROJECT_ROOT = new URL("../../", import.meta.url);

/** The executable and arguments that run this program with `args`. */
export function selfCommand(args: readonly string[]): { command: string; args: string[] } {
  if (Deno.build.standalone) return { command: Deno.execPath(), args: [...args] };
  const config = new URL("deno.json", PROJECT_ROOT).pathname;
  const main = new URL("main.ts", PROJECT_ROOT).pathname;
  return {
    command: Deno.execPath(),
    args: ["run", "--quiet", "--config", config, ...PERMISSION_FLAGS, main, ...args],
  };
}
