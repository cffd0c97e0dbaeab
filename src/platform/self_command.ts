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
 * these keep `WebAssembly`. `--expose-gc` lets the bridge collect once it is
 * idle (src/bridge/idle_gc.ts). `deno task compile` bakes the same flags into the
 * binary (a compiled program ignores `DENO_V8_FLAGS`, and the CLI is the same
 * binary, where they measured neutral).
 */
export const BRIDGE_V8_FLAGS: readonly string[] = [
  "--max-semi-space-size=1",
  "--expose-gc",
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

/** The hidden subcommand shell completion scripts call (src/cli/complete.ts). */
export const COMPLETE_SUBCOMMAND = "__complete";

const PROJECT_ROOT = new URL("../../", import.meta.url);

/** How this program is being run, which decides how it starts itself. */
export type SelfMode =
  | { kind: "compiled" }
  | { kind: "source"; root: URL }
  | { kind: "bundle"; main: URL };

/**
 * How this process runs: a compiled binary, from source (this module is the
 * project's TypeScript), or the bundle `deno task bundle` writes (this module
 * is a JavaScript chunk of it, and the main module is the bundle's entry).
 */
export function currentSelfMode(): SelfMode {
  if (Deno.build.standalone) return { kind: "compiled" };
  if (import.meta.url.endsWith(".ts")) return { kind: "source", root: PROJECT_ROOT };
  return { kind: "bundle", main: new URL(Deno.mainModule) };
}

/**
 * The executable and arguments that run this program with `args`; a bridge
 * (`args[0]` is {@linkcode BRIDGE_SUBCOMMAND}) run by `deno` also gets
 * {@linkcode BRIDGE_DENO_FLAGS}. From source the project's `deno.json` is
 * explicit (bridges run in other working directories); a bundle needs no
 * config, and none found in the working directory may change it.
 */
export function selfCommand(
  args: readonly string[],
  mode: SelfMode = currentSelfMode(),
): { command: string; args: string[] } {
  if (mode.kind === "compiled") return { command: Deno.execPath(), args: [...args] };
  const runtime = args[0] === BRIDGE_SUBCOMMAND ? BRIDGE_DENO_FLAGS : [];
  const [config, main] = mode.kind === "source"
    ? [["--config", filePath(new URL("deno.json", mode.root))], new URL("main.ts", mode.root)]
    : [["--no-config"], mode.main];
  return {
    command: Deno.execPath(),
    args: ["run", "--quiet", ...runtime, ...config, ...PERMISSION_FLAGS, filePath(main), ...args],
  };
}

function filePath(url: URL): string {
  return decodeURIComponent(url.pathname);
}
