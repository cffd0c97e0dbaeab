/**
 * The MCP log levels (RFC 5424 severities), least severe first.
 *
 * Layer: pure.
 * @module
 */

/** Every log level, least severe first. */
export const LOG_LEVELS = [
  "debug",
  "info",
  "notice",
  "warning",
  "error",
  "critical",
  "alert",
  "emergency",
] as const;

/** One MCP log level. */
export type LogLevel = typeof LOG_LEVELS[number];
