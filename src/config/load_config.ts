/**
 * Reads one entry of an MCP config file from disk (`mcpc connect file:entry`).
 *
 * Layer: edge (reads the file; parsing and validation live in `mcp_config.ts`).
 * @module
 */

import { readAtMost } from "../platform/read_bounded.ts";
import { resolve } from "node:path";
import { McpcError, usageError } from "../errors.ts";
import {
  currentUid,
  othersCanChange,
  shellQuotePath,
  type UnsafeReason,
} from "../platform/private_home.ts";
import type { ServerConfig } from "../session/session.ts";
import {
  parseMcpConfig,
  resolveConfigEntry,
  type TemplatedFields,
  templatedFields,
} from "./mcp_config.ts";

/** Options for {@linkcode loadConfigEntry}. */
export interface LoadConfigEntryOptions {
  /** Directory that relative config paths are resolved against. */
  cwd: string;
  /** Reads an environment variable (`HOME` for `~/`, and `${VAR}` substitution). */
  env: (name: string) => string | undefined;
  /** Prints a warning. */
  warn: (message: string) => void;
}

/** Reads the config file `file` and returns the server config of its entry `entry`. */
export async function loadConfigEntry(
  file: string,
  entry: string,
  options: LoadConfigEntryOptions,
): Promise<ServerConfig> {
  return (await loadConfigTarget(file, entry, options)).server;
}

/** A loaded config entry: the server config, and its `${VAR}` fields as written. */
export interface LoadedConfigTarget {
  /** With `${VAR}` substituted. */
  server: ServerConfig;
  /** `url`/`command`/`args` as written, for the ones that reference variables. */
  templates: TemplatedFields;
  /** The config file's real path (symlinks resolved): what identifies it. */
  realPath: string;
}

/** Like {@linkcode loadConfigEntry}, also returning the templated fields as written. */
export async function loadConfigTarget(
  file: string,
  entry: string,
  options: LoadConfigEntryOptions,
): Promise<LoadedConfigTarget> {
  const filePath = resolveConfigPath(file, options);
  const { text, info } = await readConfigText(filePath);
  const config = parseMcpConfig(text, filePath);
  const uid = currentUid();
  const unsafe = uid === undefined ? undefined : othersCanChange(info, uid);
  const server = resolveConfigEntry(config, entry, {
    filePath,
    lookupEnv: options.env,
    warn: options.warn,
  });
  if (unsafe && uid !== undefined) {
    const fact = unsafeConfigFact(filePath, unsafe, uid);
    if (server.command !== undefined) {
      throw usageError(
        `Refusing to run the stdio server "${entry}" from ${filePath}: ${fact}, ` +
          `so they could change the command mcpc runs. Fix it with: ${
            fixFor(filePath, unsafe, uid)
          }`,
        { userInput: true },
      );
    }
    options.warn(
      `Warning: ${fact}; they could change where mcpc connects and what it sends. ` +
        `Fix it with: ${fixFor(filePath, unsafe, uid)}`,
    );
  }
  const realPath = await Deno.realPath(filePath).catch(() => filePath);
  return { server, templates: templatedFields(config, entry), realPath };
}

/** One entry of a config file, as a bulk connect sees it before resolving it. */
export interface ConfigFileEntry {
  /** The entry's name in the file. */
  name: string;
  /** A stdio entry (`command`), else HTTP (`url`). */
  stdio: boolean;
  /** What it connects to, as written: the URL, or the command line. */
  target: string;
}

/** A config file read whole (`mcpc connect <file>`): its absolute path and entries in order. */
export async function loadConfigFile(
  file: string,
  options: Pick<LoadConfigEntryOptions, "cwd" | "env">,
): Promise<{ filePath: string; entries: ConfigFileEntry[] }> {
  const filePath = resolveConfigPath(file, { ...options, warn: () => {} });
  const { text } = await readConfigText(filePath);
  const config = parseMcpConfig(text, filePath);
  const entries = Object.entries(config.servers).map(([name, raw]): ConfigFileEntry => {
    const entry = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
    // As resolveConfigEntry reads it: a `null` url is no url.
    const stdio = (entry.url === undefined || entry.url === null) &&
      entry.command !== undefined && entry.command !== null;
    const args = Array.isArray(entry.args) ? entry.args.map(String) : [];
    const target = stdio ? [String(entry.command), ...args].join(" ") : String(entry.url ?? "");
    return { name, stdio, target };
  });
  return { filePath, entries };
}

/** What makes the config file changeable by others, as a clause. */
function unsafeConfigFact(filePath: string, reason: UnsafeReason, uid: number): string {
  if (reason.problem === "owner") {
    return `${filePath} belongs to user id ${reason.uid}, not to you (user id ${uid})`;
  }
  const octal = reason.mode.toString(8).padStart(4, "0");
  return `other users can write to ${filePath} (mode ${octal})`;
}

function fixFor(filePath: string, reason: UnsafeReason, uid: number): string {
  const quoted = shellQuotePath(filePath);
  return reason.problem === "owner" ? `chown ${uid} ${quoted}` : `chmod o-w ${quoted}`;
}

/** Largest config file mcpc reads: 16 MiB. */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/**
 * Reads a config file as UTF-8, refusing what is not a regular file (a FIFO
 * or device could block or never end) and anything over {@linkcode MAX_CONFIG_BYTES},
 * checked before reading and again while reading (the file may grow).
 */
async function readConfigText(filePath: string): Promise<{ text: string; info: Deno.FileInfo }> {
  const cannotRead = (detail: string, cause?: unknown) =>
    usageError(`Cannot read config file: ${filePath}\n${detail}`, { cause });
  let file: Deno.FsFile | undefined;
  try {
    // stat before open: opening a FIFO for reading blocks until a writer appears.
    checkConfigFileInfo(await Deno.stat(filePath), cannotRead);
    file = await Deno.open(filePath, { read: true });
    // What was read is judged by the opened file's metadata, not by a path that can be swapped.
    const info = await file.stat();
    checkConfigFileInfo(info, cannotRead);
    const bytes = await readAtMost(file.readable, MAX_CONFIG_BYTES);
    if (bytes === undefined) throw cannotRead(tooLarge());
    return { text: new TextDecoder().decode(bytes), info };
  } catch (error) {
    if (error instanceof McpcError) throw error;
    if (error instanceof Deno.errors.NotFound) {
      throw usageError(`Config file not found: ${filePath}`, { cause: error });
    }
    throw cannotRead(error instanceof Error ? error.message : String(error), error);
  } finally {
    try {
      file?.close();
    } catch {
      // Reading to the end (or cancelling) through `file.readable` closed it already.
    }
  }
}

function checkConfigFileInfo(
  info: Deno.FileInfo,
  cannotRead: (detail: string) => McpcError,
): void {
  if (info.isDirectory) throw cannotRead("It is a directory, not a file");
  if (!info.isFile) throw cannotRead("It is not a regular file (a FIFO, socket or device)");
  if (info.size > MAX_CONFIG_BYTES) throw cannotRead(tooLarge(info.size));
}

function tooLarge(size?: number): string {
  const actual = size === undefined ? "It is" : `It is ${size} bytes,`;
  return `${actual} over the ${MAX_CONFIG_BYTES / (1024 * 1024)} MiB limit for config files`;
}

/** The absolute path of `file`: a leading `~/` means `HOME`, anything relative is under `cwd`. */
function resolveConfigPath(file: string, options: LoadConfigEntryOptions): string {
  const home = options.env("HOME");
  const expanded = file.startsWith("~/") && home ? resolve(home, file.slice(2)) : file;
  return resolve(options.cwd, expanded);
}
