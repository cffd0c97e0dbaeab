/**
 * Reads one entry of an MCP config file from disk (`mcpc connect file:entry`).
 *
 * Layer: edge (reads the file; parsing and validation live in `mcp_config.ts`).
 * @module
 */

import { resolve } from "node:path";
import { usageError } from "../errors.ts";
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
  let text: string;
  try {
    text = await Deno.readTextFile(filePath);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw usageError(`Config file not found: ${filePath}`, { cause: error });
    }
    const detail = error instanceof Error ? error.message : String(error);
    throw usageError(`Cannot read config file: ${filePath}\n${detail}`, { cause: error });
  }
  const config = parseMcpConfig(text, filePath);
  const server = resolveConfigEntry(config, entry, {
    filePath,
    lookupEnv: options.env,
    warn: options.warn,
  });
  const realPath = await Deno.realPath(filePath).catch(() => filePath);
  return { server, templates: templatedFields(config, entry), realPath };
}

/** The absolute path of `file`: a leading `~/` means `HOME`, anything relative is under `cwd`. */
function resolveConfigPath(file: string, options: LoadConfigEntryOptions): string {
  const home = options.env("HOME");
  const expanded = file.startsWith("~/") && home ? resolve(home, file.slice(2)) : file;
  return resolve(options.cwd, expanded);
}
