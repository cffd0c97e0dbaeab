/**
 * How mcpc starts itself (the bridge is the same program with a hidden
 * subcommand), and the flags shared by `deno run` and `deno compile`: the
 * permissions, and the V8 flags that keep a long-lived bridge small.
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

/**
 * V8 flags of a bridge: trade peak speed for memory in a process that mostly
 * waits on sockets. A 1 MiB semi-space keeps the young generation at about
 * 2 MiB (13 MiB were measured without it); without the compiling tiers
 * (Sparkplug, Maglev, Turbofan) no machine code is kept. Measured on the demo server
 * (connect + 20 `tools-call`s, with {@linkcode BRIDGE_DENO_FLAGS}): RSS
 * 89.1 → 73.2 MiB, V8 heap total 33.7 → 21.0 MiB; listing 2000 tools takes
 * about 25% longer, small calls show no difference. Unlike `--lite-mode`,
 * these keep `WebAssembly`. `deno task compile` bakes the same flags into the
 * binary (a compiled program ignores `DENO_V8_FLAGS`, and the CLI is the same
 * binary, where they measured neutral).
 */
export const BRIDGE_V8_FLAGS: readonly string[] = [
  "--max-semi-space-size=1",
  "--no-turbofan",
  "--no-maglev",
  "--no-sparkplug",
];

/**
 * `deno run` flags of a bridge started from source. `--no-code-cache`: the
 * bridge neither maps nor writes Deno's V8 code cache (RSS 91.8 → 89.1 MiB
 * measured). Without it the bridge and the CLI, which run with different V8
 * flags, would keep rejecting and rewriting each other's cache entries.
 */
export const BRIDGE_DENO_FLAGS: readonly string[] = [
  "--no-code-cache",
  `--v8-flags=${BRIDGE_V8_FLAGS.join(",")}`,
];

/** The hidden subcommand that turns the program into a session's bridge. */
export const BRIDGE_SUBCOMMAND = "__bridge";

const PROJECT_ROOT = new URL("../../", import.meta.url);

/**
 * The executable and arguments that run this program with `args`; a bridge
 * (`args[0]` is {@linkcode BRIDGE_SUBCOMMAND}) started from source also gets
 * {@linkcode BRIDGE_DENO_FLAGS}.
 */
export function selfCommand(args: readonly string[]): { command: string; args: string[] } {
  if (Deno.build.standalone) return { command: Deno.execPath(), args: [...args] };
  const config = new URL("deno.json", PROJECT_ROOT).pathname;
  const main = new URL("main.ts", PROJECT_ROOT).pathname;
  const runtime = args[0] === BRIDGE_SUBCOMMAND ? BRIDGE_DENO_FLAGS : [];
  return {
    command: Deno.execPath(),
    args: ["run", "--quiet", ...runtime, "--config", config, ...PERMISSION_FLAGS, main, ...args],
  };
}
