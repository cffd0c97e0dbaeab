/**
 * The one place that words recovery hints: what to run after an auth failure,
 * an expired session or a missing session, and where the bridge log is.
 *
 * Layer: pure.
 * @module
 */

import { loginCommand } from "../auth/profile_store.ts";
import { suggestCommand } from "./suggest.ts";

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
  /** The session whose server rejected the credentials. */
  session: ReconnectTarget;
  /** The bridge log file of the session. */
  logPath: string;
  /** The session sent an `Authorization` header (a static token) that was rejected. */
  staticToken?: boolean;
}

/** The fields of a session that {@linkcode reconnectWithTokenCommand} needs. */
export interface ReconnectTarget {
  name: string;
  server?: { url?: string; command?: string; args?: string[]; headers?: Record<string, string> };
  configFile?: string;
  configEntry?: string;
  /** The OAuth profile the session authenticates with. */
  profileName?: string;
}

/** How to name a session's server to `connect` again: its config entry, else its URL or command. */
export function connectTarget(record: Omit<ReconnectTarget, "name">): string {
  if (record.configFile !== undefined) return `${record.configFile}:${record.configEntry ?? ""}`;
  if (record.server?.url) return record.server.url;
  return "<server>";
}

/**
 * `mcpc connect <server> @s -H "Authorization: Bearer <token>"`: the way out
 * of a rejected token. A connect replaces every header, so the session's
 * other header keys are named too (`-H "X-Key: <value>"`).
 */
export function reconnectWithTokenCommand(record: ReconnectTarget): string {
  // A config entry brings its own other headers again; only the token is given anew.
  const others = record.configFile !== undefined
    ? []
    : Object.keys(record.server?.headers ?? {}).filter((key) =>
      key.toLowerCase() !== "authorization"
    );
  return [
    "mcpc connect",
    connectTarget(record),
    record.name,
    ...["Authorization: Bearer <token>", ...others.map(valueOf)].map((header) => `-H "${header}"`),
  ].join(" ");
}

/**
 * `mcpc connect <server> @s -H "K: <value>" ...` naming every header key the
 * session has (a config entry brings its headers again by itself).
 */
export function reconnectWithHeadersCommand(record: ReconnectTarget): string {
  const flags = record.configFile !== undefined
    ? []
    : Object.keys(record.server?.headers ?? {}).map((key) => `-H "${valueOf(key)}"`);
  return ["mcpc connect", connectTarget(record), record.name, ...flags].join(" ");
}

function valueOf(key: string): string {
  return `${key}: <value>`;
}

/**
 * The message for a server that rejected the credentials (or wants some):
 * connect again with a valid `Authorization` header. Restarting would fail
 * the same way, so it is never suggested.
 */
export function authRequiredMessage(options: AuthRequiredOptions): string {
  const session = options.session;
  const url = session.server?.url;
  if (session.profileName && url) {
    const login = loginCommand(url, session.profileName);
    return [
      "Authentication required by server.",
      "",
      `The server rejected the OAuth profile ${session.profileName}, or its token could not be refreshed.`,
      "Log in again; the session reconnects by itself afterwards:",
      `  ${login}`,
      "",
      logPathHint(options.logPath),
    ].join("\n");
  }
  const command = reconnectWithTokenCommand(session);
  return [
    "Authentication required by server.",
    "",
    options.staticToken
      ? "The server rejected the Authorization header. Connect again with a valid token:"
      : "The server requires credentials. Connect again with a token:",
    `  ${command}`,
    ...(url && !options.staticToken
      ? [
        "or log in with OAuth and connect again:",
        `  mcpc login ${url} && ${connectAgain(session)}`,
      ]
      : []),
    "",
    logPathHint(options.logPath),
  ].join("\n");
}

function connectAgain(record: ReconnectTarget): string {
  return ["mcpc connect", connectTarget(record), record.name].join(" ");
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

/** `Tool not found: x`, with `Did you mean: mcpc @s <command> <closest>` when a tool name is close. */
export function toolNotFoundMessage(
  sessionName: string,
  toolName: string,
  options: { known: readonly string[]; command: "tools-call" | "tools-get" },
): string {
  const suggestion = suggestCommand(toolName, options.known);
  const lines = [`Tool not found: ${toolName}`];
  if (suggestion) lines.push(`Did you mean: mcpc ${sessionName} ${options.command} ${suggestion}`);
  else lines.push(`List the tools with: mcpc ${sessionName} tools-list`);
  return lines.join("\n");
}
