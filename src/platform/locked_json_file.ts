/**
 * The one way mcpc reads and writes its JSON state files (`sessions.json`,
 * `profiles.json`, ...): an exclusive OS lock on a sidecar `<path>.flock` file (the original mcpc owns `<path>.lock`),
 * read-modify-write inside the lock, atomic replace through a temp file in the
 * same directory, mode 0600 for files and 0700 for created directories.
 *
 * A file that does not parse is never overwritten: it is moved aside to
 * `<path>.corrupt-<UTC timestamp>`, one warning names the backup, and the
 * operation continues with the default value.
 *
 * A write that fails (a full disk, say) leaves the file as it was and throws an
 * error naming it: `Cannot write <path>: <reason>`.
 *
 * A missing data file reads as `defaultValue()`, and both {@linkcode LockedJsonFile.read}
 * and {@linkcode LockedJsonFile.update} then create it with that content (like the
 * original mcpc, which creates its state files on first use).
 *
 * Layer: edge.
 * @module
 */

import { basename, dirname, join } from "node:path";
import { usageError } from "../errors.ts";
import { assertPrivateInfo } from "./private_home.ts";

/** Default time to wait for the lock before giving up. */
const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
/** First pause between two lock attempts. */
const LOCK_BACKOFF_START_MS = 5;
/** Longest pause between two lock attempts. */
const LOCK_BACKOFF_CAP_MS = 200;
/** Mode of data, temp and lock files. */
const FILE_MODE = 0o600;
/** Mode of directories this module creates. */
const DIR_MODE = 0o700;
/** Attempts of the final rename on Windows, where a reader may briefly block it. */
const WINDOWS_RENAME_ATTEMPTS = 10;

const IS_WINDOWS = Deno.build.os === "windows";

/** Options for {@linkcode LockedJsonFile}. */
export interface LockedJsonFileOptions<T> {
  /** Content when the file is missing (or was moved aside as corrupt). */
  defaultValue: () => T;
  /**
   * Validates parsed JSON; return the typed value or throw (TypeError/SyntaxError) when the
   * shape is wrong. Those two error types mark the file as corrupt; any other error propagates
   * and leaves the file untouched.
   */
  parse: (raw: unknown) => T;
  /** How long to wait for the lock before failing (default 10_000 ms). */
  lockTimeoutMs?: number;
  /** Where one-line warnings go (default: console.error). */
  warn?: (message: string) => void;
  /**
   * What to do with a file that does not parse: move it aside and start
   * empty (default, for the CLI, which can tell the user), or throw a
   * {@linkcode CorruptFileError} and leave it alone (for background processes
   * that nobody would hear warn).
   */
  onCorrupt?: "move-aside" | "throw";
}

/** A state file did not parse and was left untouched (`onCorrupt: "throw"`). */
export class CorruptFileError extends Error {
  constructor(path: string, options?: ErrorOptions) {
    super(`Cannot read ${path}: the file is corrupt`, options);
    this.name = "CorruptFileError";
  }
}

/** The value found on disk, and whether it must be written back even if unchanged. */
interface Loaded<T> {
  value: T;
  /** False when the file was missing or was moved aside as corrupt. */
  exists: boolean;
}

/** A JSON file guarded by an exclusive lock, replaced atomically on every write. */
export class LockedJsonFile<T> {
  /** Path of the data file. */
  readonly path: string;
  readonly #options: LockedJsonFileOptions<T>;

  constructor(path: string, options: LockedJsonFileOptions<T>) {
    this.path = path;
    this.#options = options;
  }

  /** Reads the current value under the lock. */
  async read(): Promise<T> {
    return await this.#withLock(async () => {
      const loaded = await this.#load();
      if (!loaded.exists) await this.#write(serialize(loaded.value, this.path));
      return loaded.value;
    });
  }

  /**
   * Read-modify-write under one exclusive lock. `fn` may mutate `data` in place and/or return
   * a result; the file is rewritten only if the JSON of `data` changed (or the file did not exist).
   */
  async update<R>(fn: (data: T) => R | Promise<R>): Promise<R> {
    return await this.#withLock(async () => {
      const loaded = await this.#load();
      const before = serialize(loaded.value, this.path);
      const result = await fn(loaded.value);
      const after = serialize(loaded.value, this.path);
      if (!loaded.exists || after !== before) await this.#write(after);
      return result;
    });
  }

  async #withLock<R>(body: () => Promise<R>): Promise<R> {
    const dir = dirname(this.path);
    await ensureDir(dir);
    // Others must not be able to plant or swap what is read (decisions.md §3.19).
    assertPrivateInfo(dir, await Deno.stat(dir));
    const timeoutMs = this.#options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    const deadline = Date.now() + timeoutMs;
    const lockFile = await acquireLock(lockPathOf(this.path), this.path, timeoutMs);
    try {
      await respectForeignLock(this.path, deadline);
      return await body();
    } finally {
      await releaseLock(lockFile);
    }
  }

  async #load(): Promise<Loaded<T>> {
    let bytes: Uint8Array;
    let file: Deno.FsFile;
    try {
      file = await Deno.open(this.path, { read: true });
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        return { value: this.#options.defaultValue(), exists: false };
      }
      throw error;
    }
    try {
      // The metadata of the very file read: no window for swapping it after the check.
      assertPrivateInfo(this.path, await file.stat());
      bytes = new Uint8Array(await new Response(file.readable).arrayBuffer());
    } finally {
      try {
        file.close();
      } catch {
        // The readable stream closed it already.
      }
    }
    try {
      // Invalid UTF-8 counts as corrupt (TypeError) instead of being rewritten with U+FFFD.
      const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      return { value: this.#options.parse(JSON.parse(text)), exists: true };
    } catch (error) {
      if (!(error instanceof SyntaxError || error instanceof TypeError)) throw error;
      if (this.#options.onCorrupt === "throw") {
        throw new CorruptFileError(this.path, { cause: error });
      }
    }
    const backup = await moveAside(this.path);
    const warn = this.#options.warn ?? console.error;
    warn(
      `Warning: ${this.path} could not be parsed and was moved to ${backup}; ` +
        "starting with an empty store",
    );
    return { value: this.#options.defaultValue(), exists: false };
  }

  async #write(text: string): Promise<void> {
    const dir = dirname(this.path);
    const random = Math.random().toString(36).slice(2, 10);
    const temp = join(dir, `.${basename(this.path)}-${Date.now()}-${Deno.pid}-${random}.tmp`);
    try {
      const file = await Deno.open(temp, { write: true, createNew: true, mode: FILE_MODE });
      try {
        const bytes = new TextEncoder().encode(text);
        let offset = 0;
        while (offset < bytes.length) offset += await file.write(bytes.subarray(offset));
        await file.syncData();
      } finally {
        file.close();
      }
      if (!IS_WINDOWS) await Deno.chmod(temp, FILE_MODE);
      await renameReplacing(temp, this.path);
    } catch (error) {
      await Deno.remove(temp).catch(() => {});
      // The OS message names no file (e.g. "No space left on device (os error 28)").
      const reason = error instanceof Error ? error.message : String(error);
      throw usageError(`Cannot write ${this.path}: ${reason}`, { cause: error });
    }
  }
}

/**
 * The sidecar lock file of `path`. Not `<path>.lock`: the original mcpc
 * (proper-lockfile) makes that a directory, and a home may be shared with it.
 */
export function lockPathOf(path: string): string {
  return `${path}.flock`;
}

/** How long the original mcpc's lock directory counts as held after its last refresh (ms). */
export const FOREIGN_LOCK_STALE_MS = 10_000;

/**
 * Waits (bounded by `deadline`) while the original mcpc holds its lock on
 * `path`: a `<path>.lock` directory whose mtime is under 10 s old. A regular
 * file at that path is a leftover of an earlier mcpc of ours and is removed,
 * so the original can take its lock again.
 */
async function respectForeignLock(path: string, deadline: number): Promise<void> {
  const foreign = `${path}.lock`;
  while (true) {
    let info: Deno.FileInfo;
    try {
      info = await Deno.lstat(foreign);
    } catch {
      return;
    }
    if (info.isFile) {
      await Deno.remove(foreign).catch(() => {});
      return;
    }
    if (!info.isDirectory) return;
    const age = Date.now() - (info.mtime?.getTime() ?? 0);
    if (age >= FOREIGN_LOCK_STALE_MS) return;
    if (Date.now() >= deadline) {
      throw usageError(`File is locked by another process: ${path}. Please try again.`);
    }
    await sleep(50);
  }
}

/** Serializes a value as the file content: 2-space JSON and a trailing newline. */
function serialize(value: unknown, path: string): string {
  const json = JSON.stringify(value, null, 2);
  if (typeof json !== "string") {
    throw new TypeError(`Cannot write "${path}": the value is not representable as JSON`);
  }
  return `${json}\n`;
}

/** Creates `dir` and its missing parents with mode 0700; existing directories are left alone. */
async function ensureDir(dir: string): Promise<void> {
  try {
    const info = await Deno.stat(dir);
    if (info.isDirectory) return;
    throw new Deno.errors.AlreadyExists(`Cannot create directory "${dir}": a file is in the way`);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const parent = dirname(dir);
  if (parent !== dir) await ensureDir(parent);
  try {
    await Deno.mkdir(dir, { mode: DIR_MODE });
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return;
    throw error;
  }
  // The umask may have removed bits from the mode given to mkdir.
  if (!IS_WINDOWS) await Deno.chmod(dir, DIR_MODE);
}

/** Opens the sidecar lock file and polls `tryLock` with backoff until `timeoutMs` passes. */
async function acquireLock(
  lockPath: string,
  dataPath: string,
  timeoutMs: number,
): Promise<Deno.FsFile> {
  const file = await Deno.open(lockPath, {
    read: true,
    write: true,
    create: true,
    mode: FILE_MODE,
  });
  try {
    assertPrivateInfo(lockPath, await file.stat());
    const deadline = Date.now() + timeoutMs;
    let delay = LOCK_BACKOFF_START_MS;
    while (!(await file.tryLock(true))) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        throw usageError(`File is locked by another process: ${dataPath}. Please try again.`);
      }
      const jittered = delay / 2 + Math.random() * (delay / 2);
      await sleep(Math.min(jittered, remaining));
      delay = Math.min(delay * 2, LOCK_BACKOFF_CAP_MS);
    }
    return file;
  } catch (error) {
    file.close();
    throw error;
  }
}

/** Releases and closes the lock file; the file itself stays for the next holder. */
async function releaseLock(file: Deno.FsFile): Promise<void> {
  try {
    await file.unlock();
  } finally {
    file.close();
  }
}

/** Renames a corrupt file to a free `<path>.corrupt-<UTC timestamp>` name and returns that name. */
async function moveAside(path: string): Promise<string> {
  const now = new Date();
  const iso = now.toISOString(); // 2026-11-27T15:12:00.123Z
  const seconds = iso.slice(0, 19).replace(/[-:]/g, "");
  const millis = iso.slice(20, 23);
  const candidates = [`${seconds}Z`, `${seconds}${millis}Z`];
  for (let attempt = 0;; attempt++) {
    const stamp = candidates[attempt] ?? `${seconds}${millis}Z-${attempt - 1}`;
    const backup = `${path}.corrupt-${stamp}`;
    if (await pathExists(backup)) continue;
    await Deno.rename(path, backup);
    return backup;
  }
}

/** Whether something (a file, a directory, a link) is at `path`. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** Atomically replaces `to` with `from`, retrying briefly where Windows reports the target busy. */
async function renameReplacing(from: string, to: string): Promise<void> {
  for (let attempt = 1;; attempt++) {
    try {
      await Deno.rename(from, to);
      return;
    } catch (error) {
      const busy = error instanceof Deno.errors.PermissionDenied ||
        error instanceof Deno.errors.Busy;
      if (!IS_WINDOWS || !busy || attempt >= WINDOWS_RENAME_ATTEMPTS) throw error;
      await sleep(20 * attempt);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
