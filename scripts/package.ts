/**
 * Packs a built binary into its release archive (scripts/release.ts names
 * it): `mcpc` (`mcpc.exe` on Windows) and the README at the top of a
 * `.tar.gz`, or of a `.zip` for Windows, with `tar` (bsdtar writes the zip on
 * Windows runners). Prints the archive's path and SHA-256.
 *
 * Usage: deno run -A scripts/package.ts --target <triple> --from <dir with the binary> --to <dir>
 *
 * Layer: edge (script: files, tar).
 * @module
 */

import { archiveName, RELEASE_TARGETS } from "./release.ts";
import { VERSION } from "../src/version.ts";

/** Packs `from/mcpc[.exe]` for `triple` into `to`; returns the archive's path. */
export async function packageBinary(triple: string, from: string, to: string): Promise<string> {
  const target = RELEASE_TARGETS.find((candidate) => candidate.triple === triple);
  if (!target) {
    throw new RangeError(
      `Unknown target ${triple}; one of: ${RELEASE_TARGETS.map((t) => t.triple).join(", ")}`,
    );
  }
  const binary = target.os === "Windows" ? "mcpc.exe" : "mcpc";
  const stage = await Deno.makeTempDir({ prefix: "mcpc-package-" });
  try {
    await Deno.copyFile(`${from}/${binary}`, `${stage}/${binary}`);
    if (target.os !== "Windows") await Deno.chmod(`${stage}/${binary}`, 0o755);
    await Deno.copyFile(new URL("../README.md", import.meta.url), `${stage}/README.md`);
    await Deno.mkdir(to, { recursive: true });
    const archive = `${await Deno.realPath(to)}/${archiveName(VERSION, target)}`;
    const args = target.archive === "zip"
      ? ["-a", "-c", "-f", archive, binary, "README.md"]
      : ["-c", "-z", "-f", archive, binary, "README.md"];
    // Windows' own bsdtar writes zips; Git's GNU tar, first on a runner's PATH, does not.
    const tar = Deno.build.os === "windows"
      ? `${Deno.env.get("SystemRoot") ?? "C:\\Windows"}\\System32\\tar.exe`
      : "tar";
    const { code, stderr } = await new Deno.Command(tar, { args, cwd: stage, stderr: "piped" })
      .output();
    if (code !== 0) throw new Error(`tar failed: ${new TextDecoder().decode(stderr)}`);
    return archive;
  } finally {
    await Deno.remove(stage, { recursive: true });
  }
}

/** The hex SHA-256 of a file. */
export async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

function flag(name: string): string {
  const index = Deno.args.indexOf(name);
  const value = index === -1 ? undefined : Deno.args[index + 1];
  if (value === undefined) {
    console.error(
      "Usage: deno run -A scripts/package.ts --target <triple> --from <dir> --to <dir>",
    );
    Deno.exit(2);
  }
  return value;
}

if (import.meta.main) {
  const archive = await packageBinary(flag("--target"), flag("--from"), flag("--to"));
  console.log(`${await sha256(archive)}  ${archive}`);
}
