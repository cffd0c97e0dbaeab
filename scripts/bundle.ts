/**
 * `deno task bundle [--outdir <dir>]`: writes mcpc as minified JavaScript,
 * the form `deno task compile` embeds in the binary. Four builds, so that a
 * process loads only its own part:
 *
 * - `cli/`: the CLI (`src/cli/cli_main.ts`), one chunk per dynamically
 *   imported command module;
 * - `bridge/`: the bridge (`src/bridge/bridge_main.ts`), with a chunk for
 *   stdio sessions. A separate build, because a shared one puts the
 *   CommonJS loader the CLI's `commander` needs (`node:module`) into a chunk
 *   every part imports: it cost a bridge about 1.2 MiB;
 * - `main.js`: `main.ts` itself, with its two dynamic imports pointed at
 *   `./cli/cli_main.js` and `./bridge/bridge_main.js`;
 * - `insecure/`: the undici fetch of `--insecure`
 *   (`src/platform/insecure_fetch.ts`), which both parts import only when
 *   needed. Built apart for the same reason: undici is CommonJS, and inside
 *   a part its loader would land in a chunk that part always imports.
 *
 * Every npm package is inlined; `node:` built-ins stay imports. A bridge run
 * from the bundle holds a few parsed chunks instead of about 240 modules
 * (and none of zod's and the SDK's unused code): RSS after connect + 20
 * calls 73 → 59 MiB, a warm `tools-call` 166 → 131 ms measured. Run it with
 * `deno run --no-config --allow-all <outdir>/main.js`; a bridge it starts
 * runs from the same bundle (src/platform/self_command.ts).
 *
 * Layer: edge (script: runs `deno bundle`, writes files).
 * @module
 */

import { fileURLToPath } from "node:url";
import { resolve } from "node:path";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
/** Where `deno task bundle` writes unless told otherwise. */
export const DEFAULT_BUNDLE_DIR = `${ROOT}dist/bundle`;
const BUNDLE_TIMEOUT_MS = 120_000;

/** The separately built parts: `main.ts`'s import of `source` becomes `./<dir>/<entry>`. */
export const BUNDLE_PARTS = [
  { source: "./src/cli/cli_main.ts", dir: "cli", entry: "cli_main.js" },
  { source: "./src/bridge/bridge_main.ts", dir: "bridge", entry: "bridge_main.js" },
] as const;

/**
 * Modules the parts import lazily that are built on their own: each part's
 * `import("<specifier>")` is pointed at `../<dir>/<entry>`.
 */
export const LAZY_PARTS = [
  {
    source: "./src/platform/insecure_fetch.ts",
    specifier: "./insecure_fetch.ts",
    dir: "insecure",
    entry: "insecure_fetch.js",
  },
] as const;

/** The `deno bundle` arguments that build `entry` into `outdir`, leaving `external` out. */
export function bundleArgs(
  entry: string,
  outdir: string,
  external: readonly string[] = [],
): string[] {
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
    ...external.flatMap((specifier) => ["--external", specifier]),
    "--outdir",
    outdir,
    entry,
  ];
}

async function denoBundle(args: string[]): Promise<void> {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args,
    stdout: "null",
    stderr: "piped",
    signal: AbortSignal.timeout(BUNDLE_TIMEOUT_MS),
  }).output();
  if (code !== 0) {
    throw new Error(`deno bundle failed: ${new TextDecoder().decode(stderr).trim()}`);
  }
}

/**
 * Points the dispatcher's dynamic imports of the parts at their builds;
 * throws unless each is found exactly once (a changed `main.ts` must not
 * yield a bundle that loads the wrong code or none).
 */
export function linkParts(dispatcher: string): string {
  let linked = dispatcher;
  for (const part of BUNDLE_PARTS) {
    const quoted = new RegExp(`(["'\`])${part.source.replaceAll(".", "\\.")}\\1`, "g");
    const found = linked.match(quoted)?.length ?? 0;
    if (found !== 1) {
      throw new Error(`main.ts's import of ${part.source} was found ${found} times in main.js`);
    }
    linked = linked.replace(quoted, JSON.stringify(`./${part.dir}/${part.entry}`));
  }
  return linked;
}

/**
 * Points a part's lazy imports (in the chunks `files` of that part: name →
 * text) at their builds; returns the changed files. Throws unless each lazy
 * part is imported somewhere, so a renamed module cannot go unbuilt.
 */
export function linkLazyParts(files: Record<string, string>): Record<string, string> {
  const changed: Record<string, string> = {};
  for (const part of LAZY_PARTS) {
    const quoted = new RegExp(`(["'\`])${part.specifier.replaceAll(".", "\\.")}\\1`, "g");
    let found = 0;
    for (const [name, text] of Object.entries({ ...files, ...changed })) {
      const count = text.match(quoted)?.length ?? 0;
      if (count === 0) continue;
      found += count;
      changed[name] = text.replace(quoted, JSON.stringify(`../${part.dir}/${part.entry}`));
    }
    if (found === 0) throw new Error(`no import of ${part.specifier} was found in the part`);
  }
  return changed;
}

/**
 * Writes the bundle into `outdir` (emptied first) and returns the path of its
 * entry, `main.js`; throws with `deno bundle`'s own message when it fails.
 */
export async function buildBundle(outdir: string = DEFAULT_BUNDLE_DIR): Promise<string> {
  await Deno.remove(outdir, { recursive: true }).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
  await Promise.all([
    denoBundle(bundleArgs(`${ROOT}main.ts`, outdir, BUNDLE_PARTS.map((part) => part.source))),
    ...BUNDLE_PARTS.map((part) =>
      denoBundle(
        bundleArgs(
          `${ROOT}${part.source.slice(2)}`,
          `${outdir}/${part.dir}`,
          LAZY_PARTS.map((lazy) => lazy.specifier),
        ),
      )
    ),
    ...LAZY_PARTS.map((part) =>
      denoBundle(bundleArgs(`${ROOT}${part.source.slice(2)}`, `${outdir}/${part.dir}`))
    ),
  ]);
  const main = `${outdir}/main.js`;
  await Deno.writeTextFile(main, linkParts(await Deno.readTextFile(main)));
  for (const part of BUNDLE_PARTS) {
    const dir = `${outdir}/${part.dir}`;
    const files: Record<string, string> = {};
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && entry.name.endsWith(".js")) {
        files[entry.name] = await Deno.readTextFile(`${dir}/${entry.name}`);
      }
    }
    for (const [name, text] of Object.entries(linkLazyParts(files))) {
      await Deno.writeTextFile(`${dir}/${name}`, text);
    }
  }
  for (const part of LAZY_PARTS) await Deno.stat(`${outdir}/${part.dir}/${part.entry}`);
  for (const part of BUNDLE_PARTS) await Deno.stat(`${outdir}/${part.dir}/${part.entry}`);
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
