/**
 * The one place that words recovery hints: what to run after an auth failure,
 * an expired session or a missing session, and where the bridge log is.
 *
 * Layer: pure.
 * @module
 */

/** The sentence that points at a bridge log file. */
export function logPathHint(logPath: string): string {
  return `For details, check logs at ${logPath}`;
}

/** Appends the log hint to a one-line error message: `<message>. For details, check logs at <log>`. */
export function appendLogHint(message: string, logPath: string): string {
  const base = message.replace(/[.\s]+$/, "");
  return `${base}. ${logPathHint(logPath)}`;
}

/** Inputs for {@linkcode authRequiredMessage}. */
export interface AuthRequiredOptions {
  /** The session that failed, if the failure happened inside a session. */
  sessionName?: string;
  /** The server to log in to (URL or host as the user typed it). */
  target?: string;
  /** The bridge log file of the session. */
  logPath: string;
  /**
   * The credentials are a static `Authorization` header (no OAuth profile):
   * restarting or logging in cannot help, only a new token can.
   */
  staticToken?: boolean;
}

/** The message for a server that rejected the credentials (reference §4.4 "Auth hint"). */
export function authRequiredMessage(options: AuthRequiredOptions): string {
  const target = options.target ?? "<server>";
  const lines = ["Authentication required by server.", ""];
  if (options.staticToken) {
    const session = options.sessionName ? ` ${options.sessionName}` : " @session";
    lines.push(
      "The server rejected the Authorization header. Connect again with a valid token:",
      `  mcpc connect ${target}${session} --header "Authorization: Bearer <token>"`,
    );
  } else if (options.sessionName) {
    const session = options.sessionName;
    lines.push(
      "Try restarting the session first (refreshes the token):",
      `  mcpc ${session} restart`,
      "",
      "If the error persists, re-authenticate:",
      `  mcpc login ${target}`,
      `  mcpc ${session} restart`,
    );
  } else {
    lines.push(
      "To authenticate, run:",
      `  mcpc login ${target}`,
      "",
      "Then run your command again.",
    );
  }
  lines.push("", logPathHint(options.logPath));
  return lines.join("\n");
}

/** The message for a session already flagged `expired` (reference §4.4), with the log hint. */
export function expiredMessage(sessionName: string, logPath: string): string {
  return [
    `Session ${sessionName} has expired. The MCP server indicated the session is no longer valid.`,
    `To restart the session, run: mcpc ${sessionName} restart`,
    `To remove the expired session, run: mcpc ${sessionName} close`,
    "",
    logPathHint(logPath),
  ].join("\n");
}

/** The message for a session whose server just rejected its session ID (reference §4.4). */
export function expiredDetectedMessage(sessionName: string, logPath: string): string {
  return `Session ${sessionName} expired (server rejected session ID). ` +
    `Use "mcpc ${sessionName} restart" to start a new session. ${logPathHint(logPath)}`;
}

/** The message for a session name that is not in `sessions.json`; the first line is `Session not found: @x`. */
export function sessionNotFoundMessage(name: string): string {
  return [
    `Session not found: ${name}`,
    "",
    "To create the session, run:",
    `  mcpc connect <server> ${name}`,
  ].join("\n");
}
