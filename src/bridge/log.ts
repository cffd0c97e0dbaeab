/**
 * The bridge's log file `<home>/logs/bridge-@name.log`: every level, rotated at
 * 10 MiB with 5 old files kept, mode 0600. Secrets are never passed to it.
 *
 * Layer: edge.
 * @module
 */

import { getRotatingFileSink } from "@logtape/file";
import { assertPrivateInfo } from "../platform/private_home.ts";
import { configure, dispose, getLogger, type Logger } from "@logtape/logtape";

/** Size at which the log rotates. */
export const LOG_MAX_BYTES = 10 * 1024 * 1024;
/** Rotated files kept (`.1` … `.5`). */
export const LOG_KEPT_FILES = 5;

/** The bridge's logger. */
export interface BridgeLog {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Flushes and closes the file. */
  close(): Promise<void>;
}

/** Options for {@linkcode openBridgeLog}. */
export interface BridgeLogOptions {
  /** Rotation size in bytes (default {@linkcode LOG_MAX_BYTES}). */
  maxBytes?: number;
  /** Rotated files kept (default {@linkcode LOG_KEPT_FILES}). */
  keptFiles?: number;
}

/**
 * Opens the log file (creating its folder with 0700) and returns a logger
 * writing to it. Files the sink creates on rotation get the process umask,
 * which the bridge sets to 077.
 */
export async function openBridgeLog(
  path: string,
  sessionName: string,
  options: BridgeLogOptions = {},
): Promise<BridgeLog> {
  const dir = path.slice(0, path.lastIndexOf("/"));
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  assertPrivateInfo(dir, await Deno.stat(dir));
  const file = await Deno.open(path, { append: true, create: true, mode: 0o600 });
  try {
    assertPrivateInfo(path, await file.stat());
  } finally {
    file.close();
  }
  await Deno.chmod(path, 0o600);
  await configure({
    reset: true,
    sinks: {
      file: getRotatingFileSink(path, {
        maxSize: options.maxBytes ?? LOG_MAX_BYTES,
        maxFiles: options.keptFiles ?? LOG_KEPT_FILES,
        bufferSize: 0,
        formatter: (record) =>
          `[${new Date(record.timestamp).toISOString()}] [${record.level.toUpperCase()}] ${
            record.message.map(String).join("")
          }\n`,
      }),
    },
    loggers: [
      { category: ["mcpc"], sinks: ["file"], lowestLevel: "debug" },
      { category: ["logtape", "meta"], sinks: [], lowestLevel: "error" },
    ],
  });
  const logger: Logger = getLogger(["mcpc", "bridge", sessionName]);
  return {
    // Tagged-template calls: the text is a value, never parsed for `{placeholders}`.
    debug: (message) => logger.debug`${message}`,
    info: (message) => logger.info`${message}`,
    warn: (message) => logger.warn`${message}`,
    error: (message) => logger.error`${message}`,
    close: () => dispose(),
  };
}
