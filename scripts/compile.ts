/**
 * `deno task compile`: builds the single `mcpc` executable from the bundle
 * (scripts/bundle.ts, written to `dist/bundle` first) with exactly the
 * permission flags `scripts/mcpc` and the bridge launcher use, and the
 * bridge's V8 flags (a compiled program takes its V8 flags only from the
 * build, so the CLI, the same binary, runs with them too).
 *
 * `deno compile` downloads its runtime (denort) for the target; on machines
 * without access to Deno's download host, point `DENORT_BIN` at a local
 * denort binary of the same Deno version and it is used instead.
 *
 * The version (`src/version.ts`) is compiled in; the build refuses sources
 * whose versions disagree (`deno.json`, and the release tag: `--tag v1.2.3`,
 * or `GITHUB_REF_NAME` on a tag build) or that have uncommitted changes
 * (`--allow-dirty` builds them anyway, for development).
 *
 * Usage: deno task compile [--target <triple>] [--output <path>] [--tag <vX.Y.Z>] [--allow-dirty]
 *
 * @module
 */

import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildBundle } from "./bundle.ts";
import { BRIDGE_V8_FLAGS, PERMISSION_FLAGS } from "../src/platform/self_command.ts";
import { VERSION } from "../src/version.ts";
import { readVersionFacts, versionProblem } from "./release.ts";

/**
 * The `deno compile` argument list for the given options; `main` is the
 * bundle's entry, which needs no config (its npm code is inlined).
 */
export function compileArgs(
  options: { target?: string; output: string; main: string },
): string[] {
  return [
    "compile",
    "--no-config",
    ...PERMISSION_FLAGS,
    `--v8-flags=${BRIDGE_V8_FLAGS.join(",")}`,
    ...(options.target ? ["--target", options.target] : []),
    "--output",
    options.output,
    options.main,
  ];
}

/**
 * Runs the built binary with `--version`; returns what is wrong, if anything.
 * A `DENORT_BIN` that is the full `deno` CLI yields a binary that ignores the
 * embedded program and behaves like `deno`.
 */
export async function verifyBinary(path: string): Promise<string | undefined> {
  const { code, stdout } = await new Deno.Command(path, {
    args: ["--version"],
    stdout: "piped",
    stderr: "null",
    signal: AbortSignal.timeout(30_000),
  }).output();
  const printed = new TextDecoder().decode(stdout).trim();
  if (code === 0 && printed === VERSION) return undefined;
  if (printed.startsWith("deno ")) {
    return "the binary runs as the deno CLI: DENORT_BIN must point at a denort runtime, not at deno";
  }
  return `the binary printed "${printed.split("\n")[0]}" for --version, expected "${VERSION}"`;
}

/** `path`, with `.exe` added for a Windows target (deno compile adds it; the checks need it). */
export function executablePath(path: string, target: string): string {
  return target.includes("windows") && !path.toLowerCase().endsWith(".exe") ? `${path}.exe` : path;
}

function flag(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index === -1 ? undefined : args[index + 1];
}

if (import.meta.main) {
  // A file path on every OS (a URL's pathname is /D:/... on Windows).
  const root = fileURLToPath(new URL("../", import.meta.url));
  const target = flag(Deno.args, "--target");
  const output = executablePath(
    resolve(flag(Deno.args, "--output") ?? `${root}dist/mcpc`),
    target ?? Deno.build.target,
  );
  const tag = flag(Deno.args, "--tag") ??
    (Deno.env.get("GITHUB_REF_TYPE") === "tag" ? Deno.env.get("GITHUB_REF_NAME") : undefined);
  const refused = versionProblem(
    await readVersionFacts(root, {
      version: VERSION,
      ...(tag !== undefined ? { tag } : {}),
      allowDirty: Deno.args.includes("--allow-dirty"),
    }),
  );
  if (refused) {
    console.error(`error: not building mcpc ${VERSION}: ${refused}`);
    Deno.exit(1);
  }
  let main: string;
  try {
    main = await buildBundle(`${root}dist/bundle`);
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    Deno.exit(1);
  }
  const args = compileArgs({ target, output, main });
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
  if (code !== 0) Deno.exit(code);
  if (target && target !== Deno.build.target) {
    console.error(`Built ${output} for ${target} (not checked: this host is ${Deno.build.target})`);
    Deno.exit(0);
  }
  const problem = await verifyBinary(output);
  if (problem) {
    await Deno.remove(output).catch(() => {});
    console.error(`error: ${problem}`);
    Deno.exit(1);
  }
  console.error(`Built ${output} (mcpc ${VERSION})`);
}
