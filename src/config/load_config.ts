/**
 * Reads one entry of an MCP config file from disk (`mcpc connect file:entry`).
 *
 * Layer: edge (reads the file; parsing and validation live in `mcp_config.ts`).
 * @module
 */

import { resolve } from "node:path";
import { usageError } from "../errors.ts";
import type { ServerConfig } from "../session/session.ts";
import { parseMcpConfig, resolveConfigEntry } from "./mcp_config.ts";

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
  return resolveConfigEntry(config, entry, {
    filePath,
    lookupEnv: options.env,
    warn: options.warn,
  });
}

/** The absolute path of `file`: a leading `~/` means `HOME`, anything relative is under `cwd`. */
function resolveConfigPath(file: string, options: LoadConfigEntryOptions): string {
  const home = options.env("HOME");
  const expanded = file.startsWith("~/") && home ? resolve(home, file.slice(2)) : file;
  return resolve(options.cwd, expanded);
}
