/**
 * `deno task compile`: builds the single `mcpc` executable with exactly the
 * permission flags `scripts/mcpc` and the bridge launcher use.
 *
 * `deno compile` downloads its runtime (denort) for the target; on machines
 * without access to Deno's download host, point `DENORT_BIN` at a local
 * denort binary of the same Deno version and it is used instead.
 *
 * Usage: deno task compile [--target <triple>] [--output <path>]
 *
 * @module
 */

import { PERMISSION_FLAGS } from "../src/platform/self_command.ts";

/** The `deno compile` argument list for the given options. */
export function compileArgs(
  options: { target?: string; output: string; config: string; main: string },
): string[] {
  return [
    "compile",
    "--frozen",
    "--config",
    options.config,
    ...PERMISSION_FLAGS,
    ...(options.target ? ["--target", options.target] : []),
    "--output",
    options.output,
    options.main,
  ];
}

function flag(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index === -1 ? undefined : args[index + 1];
}

if (import.meta.main) {
  const root = new URL("../", import.meta.url).pathname;
  const output = flag(Deno.args, "--output") ??
    `${root}dist/mcpc${Deno.build.os === "windows" ? ".exe" : ""}`;
  const args = compileArgs({
    target: flag(Deno.args, "--target"),
    output,
    config: `${root}deno.json`,
    main: `${root}main.ts`,
  });
  console.error(`deno ${args.join(" ")}`);
  if (Deno.env.get("DENORT_BIN")) {
    console.error(`Using local runtime DENORT_BIN=${Deno.env.get("DENORT_BIN")}`);
  }
  const { code } = await new Deno.Command(Deno.execPath(), {
    args,
    stdout: "inherit",
    stderr: "inherit",
  })
    .output();
  if (code === 0) console.error(`Built ${output}`);
  Deno.exit(code);
}
