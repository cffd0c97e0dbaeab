/**
 * `deno task bundle [--outdir <dir>]`: writes mcpc as minified JavaScript,
 * the form `deno task compile` embeds in the binary: `main.js` and one chunk
 * per dynamically imported part (`deno bundle --code-splitting`), so the CLI,
 * a bridge and a stdio session each load only their own code, as from source.
 * Every npm package is inlined; `node:` built-ins stay imports.
 *
 * Why: a bridge run from the bundle holds one parsed chunk instead of about
 * 240 modules (and zod's and the SDK's unused code is left out): RSS after
 * connect + 20 calls 73 → 61 MiB, a warm `tools-call` 166 → 131 ms measured.
 * Run it with `deno run --no-config --allow-all <outdir>/main.js`; a bridge it
 * starts runs from the same bundle (src/platform/self_command.ts).
 *
 * Layer: edge (script: runs `deno bundle`, writes files).
 * @module
 */

import { resolve } from "node:path";

const ROOT = new URL("../", import.meta.url).pathname;
/** Where `deno task bundle` writes unless told otherwise. */
export const DEFAULT_BUNDLE_DIR = `${ROOT}dist/bundle`;
const BUNDLE_TIMEOUT_MS = 120_000;

/** The `deno bundle` argument list that writes the bundle into `outdir`. */
export function bundleArgs(outdir: string): string[] {
  return [
    "bundle",
    "--quiet",
    "--frozen",
    "--config",
    `${ROOT}deno.json`,
    "--platform",
    "deno",
    "--minify",
    "--code-splitting",
    "--outdir",
    outdir,
    `${ROOT}main.ts`,
  ];
}

/**
 * Writes the bundle into `outdir` (emptied first) and returns the path of its
 * entry, `main.js`; throws with `deno bundle`'s own message when it fails.
 */
export async function buildBundle(outdir: string = DEFAULT_BUNDLE_DIR): Promise<string> {
  await Deno.remove(outdir, { recursive: true }).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: bundleArgs(outdir),
    stdout: "null",
    stderr: "piped",
    signal: AbortSignal.timeout(BUNDLE_TIMEOUT_MS),
  }).output();
  if (code !== 0) {
    throw new Error(`deno bundle failed: ${new TextDecoder().decode(stderr).trim()}`);
  }
  const main = `${outdir}/main.js`;
  await Deno.stat(main);
  return main;
}

if (import.meta.main) {
  const at = Deno.args.indexOf("--outdir");
  const given = at === -1 ? undefined : Deno.args[at + 1];
  if ((at !== -1 && !given) || Deno.args.length !== (at === -1 ? 0 : 2)) {
    console.error("usage: deno task bundle [--outdir <dir>]");
    Deno.exit(2);
  }
  const outdir = given ? resolve(given) : DEFAULT_BUNDLE_DIR;
  try {
    console.error(`Bundled ${await buildBundle(outdir)}`);
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    Deno.exit(1);
  }
}
