/**
 * What a release is made of: the platforms a binary is built for, the names
 * of their archives, and the checks that keep a binary's version honest (the
 * version in `deno.json`, `src/version.ts` and the release tag agree, and the
 * sources are committed). `scripts/compile.ts` runs the checks;
 * `.github/workflows/release.yml` builds each target on its own runner;
 * `scripts/install.sh` picks the archive for the machine it runs on.
 *
 * Layer: pure (the git and file reads are at the edge below).
 * @module
 */

/** One platform a release has a binary for. */
export interface ReleaseTarget {
  /** The Rust-style target triple `deno compile --target` takes. */
  triple: string;
  /** What `uname -s` / `uname -m` say on it (the install script's keys). */
  os: "Linux" | "Darwin" | "Windows";
  arch: "x86_64" | "aarch64";
  /** The archive format. */
  archive: "tar.gz" | "zip";
  /** The GitHub runner that builds and smoke-runs it. */
  runner: string;
}

/** Every release target. */
export const RELEASE_TARGETS: readonly ReleaseTarget[] = [
  {
    triple: "x86_64-unknown-linux-gnu",
    os: "Linux",
    arch: "x86_64",
    archive: "tar.gz",
    runner: "ubuntu-24.04",
  },
  {
    triple: "aarch64-unknown-linux-gnu",
    os: "Linux",
    arch: "aarch64",
    archive: "tar.gz",
    runner: "ubuntu-24.04-arm",
  },
  {
    triple: "x86_64-apple-darwin",
    os: "Darwin",
    arch: "x86_64",
    archive: "tar.gz",
    runner: "macos-15-intel",
  },
  {
    triple: "aarch64-apple-darwin",
    os: "Darwin",
    arch: "aarch64",
    archive: "tar.gz",
    runner: "macos-14",
  },
  {
    triple: "x86_64-pc-windows-msvc",
    os: "Windows",
    arch: "x86_64",
    archive: "zip",
    runner: "windows-2022",
  },
];

/** The archive of `target` for `version`: `mcpc-0.1.0-x86_64-unknown-linux-gnu.tar.gz`. */
export function archiveName(version: string, target: ReleaseTarget): string {
  return `mcpc-${version}-${target.triple}.${target.archive}`;
}

/** The checksum file of a release (`sha256sum` format: `<hex>  <file>`). */
export const CHECKSUMS_FILE = "SHA256SUMS";

/** What the version checks look at. */
export interface VersionFacts {
  /** `src/version.ts`. */
  version: string;
  /** `deno.json`'s `version`. */
  denoJsonVersion?: string;
  /** The tag being released (`v0.1.0`), if any. */
  tag?: string;
  /** `git status --porcelain` output; `undefined` outside a git checkout. */
  gitStatus?: string;
  /** Build anyway from uncommitted sources (`--allow-dirty`, for development). */
  allowDirty?: boolean;
}

/** Why a binary must not be built from these sources, or `undefined` when it may. */
export function versionProblem(facts: VersionFacts): string | undefined {
  if (facts.denoJsonVersion !== undefined && facts.denoJsonVersion !== facts.version) {
    return `deno.json says version ${facts.denoJsonVersion} but src/version.ts says ${facts.version}`;
  }
  if (facts.tag !== undefined && facts.tag !== `v${facts.version}`) {
    return `the tag ${facts.tag} does not match the version ${facts.version} (expected v${facts.version})`;
  }
  const changed = (facts.gitStatus ?? "").split("\n").filter((line) => line.trim() !== "");
  if (changed.length > 0 && !facts.allowDirty) {
    const shown = changed.slice(0, 5).map((line) => line.trim()).join(", ");
    return `the sources have uncommitted changes (${shown}${
      changed.length > 5 ? ", ..." : ""
    }): commit them, or pass --allow-dirty for a development build`;
  }
  return undefined;
}

/** Reads the facts from the checkout at `root` (git status without the build's own output). */
export async function readVersionFacts(
  root: string,
  options: { version: string; tag?: string; allowDirty?: boolean },
): Promise<VersionFacts> {
  const denoJson = JSON.parse(await Deno.readTextFile(`${root}deno.json`)) as { version?: string };
  let gitStatus: string | undefined;
  try {
    const { code, stdout } = await new Deno.Command("git", {
      args: ["status", "--porcelain", "--", ".", ":(exclude)dist", ":(exclude).bench"],
      cwd: root,
      stdout: "piped",
      stderr: "null",
    }).output();
    if (code === 0) gitStatus = new TextDecoder().decode(stdout);
  } catch {
    // No git: a source archive, not a checkout.
  }
  return {
    version: options.version,
    ...(denoJson.version !== undefined ? { denoJsonVersion: denoJson.version } : {}),
    ...(options.tag !== undefined ? { tag: options.tag } : {}),
    ...(gitStatus !== undefined ? { gitStatus } : {}),
    ...(options.allowDirty ? { allowDirty: true } : {}),
  };
}
