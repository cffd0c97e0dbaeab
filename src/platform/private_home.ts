/**
 * mcpc trusts only a private home (decisions.md §3.19), as OpenSSH's
 * StrictModes trusts only private key files: the home, its folders and every
 * state file must belong to the user (or root) and must not be writable by
 * group or others. Otherwise another local user could plant a session whose
 * stdio command mcpc would run as this user.
 *
 * Layer: edge (stats files; the verdict itself is pure).
 * @module
 */

import { McpcError } from "../errors.ts";
import type { HomePaths } from "./paths.ts";

const IS_WINDOWS = Deno.build.os === "windows";
/** Write permission for group or others. */
const SHARED_WRITE = 0o022;

/** What is wrong with a path mcpc was about to trust. */
export interface UnsafeReason {
  /** `writable`: group or others may write it; `owner`: another user owns it. */
  problem: "writable" | "owner";
  /** The permission bits found (with sticky/setgid bits). */
  mode: number;
  /** The owner found. */
  uid: number;
}

/** A home, folder or state file that others could change; nothing was read from it. */
export class UnsafePathError extends McpcError {
  /** The path refused. */
  readonly path: string;
  /** Why. */
  readonly reason: UnsafeReason;

  constructor(path: string, reason: UnsafeReason, isDirectory: boolean) {
    super("usage", unsafeMessage(path, reason, isDirectory, currentUid() ?? 0), {
      userInput: true,
    });
    this.name = "UnsafePathError";
    this.path = path;
    this.reason = reason;
  }
}

/** The user id mcpc runs as (`undefined` on Windows, where no check applies). */
export function currentUid(): number | undefined {
  return IS_WINDOWS ? undefined : Deno.uid() ?? undefined;
}

/**
 * Why `info` may not be trusted by user `uid`, if it may not: another owner
 * (root excepted, as OpenSSH does), or write access for group or others.
 */
export function unsafeReason(
  info: { uid: number | null; mode: number | null },
  uid: number,
): UnsafeReason | undefined {
  const owner = info.uid ?? uid;
  const mode = (info.mode ?? 0) & 0o7777;
  if (owner !== uid && owner !== 0) return { problem: "owner", mode, uid: owner };
  if ((mode & SHARED_WRITE) !== 0) return { problem: "writable", mode, uid: owner };
  return undefined;
}

/**
 * Why other users could change a file the user named (a config file), if
 * they could: another owner (root excepted), or write access for others.
 * Group write is allowed here, unlike for state files: a config file in a
 * project is often shared with a group on purpose.
 */
export function othersCanChange(
  info: { uid: number | null; mode: number | null },
  uid: number,
): UnsafeReason | undefined {
  const reason = unsafeReason(info, uid);
  if (reason?.problem === "writable" && (reason.mode & 0o002) === 0) return undefined;
  return reason;
}

/** The one-line refusal, with the command that fixes it. */
export function unsafeMessage(
  path: string,
  reason: UnsafeReason,
  isDirectory: boolean,
  uid: number,
): string {
  const octal = reason.mode.toString(8).padStart(4, "0");
  const quoted = shellQuotePath(path);
  if (reason.problem === "owner") {
    return `Refusing to use ${path}: it belongs to user id ${reason.uid}, not to you ` +
      `(user id ${uid}), so another user could change what mcpc runs. ` +
      `Fix it with: chown ${uid} ${quoted}`;
  }
  const mode = isDirectory ? "700" : "600";
  return `Refusing to use ${path}: group or others can write to it (mode ${octal}), ` +
    `so another user could change what mcpc runs. Fix it with: chmod ${mode} ${quoted}`;
}

/**
 * Checks `path` when it exists (a missing path is fine: mcpc creates it
 * private). Follows symbolic links, as the file is read through them.
 * Throws {@linkcode UnsafePathError}.
 */
export async function assertPrivatePath(path: string): Promise<void> {
  const uid = currentUid();
  if (uid === undefined) return;
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  assertPrivateInfo(path, info, uid);
}

/** Checks the metadata of an opened file or folder (no race with a swap of the path). */
export function assertPrivateInfo(path: string, info: Deno.FileInfo, uid = currentUid()): void {
  if (uid === undefined) return;
  const reason = unsafeReason(info, uid);
  if (reason) throw new UnsafePathError(path, reason, info.isDirectory);
}

/**
 * Checks the home, its folders and its state files before anything is read
 * from them or started from what they say.
 */
export async function assertPrivateHome(paths: HomePaths): Promise<void> {
  for (
    const path of [
      paths.home,
      paths.bridgesDir,
      paths.logsDir,
      paths.sessionsFile,
      paths.profilesFile,
      `${paths.home}/credentials.json`,
    ]
  ) {
    await assertPrivatePath(path);
  }
}

/** `path` quoted for a POSIX shell when it needs quoting. */
export function shellQuotePath(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replaceAll("'", `'\\''`)}'`;
}
