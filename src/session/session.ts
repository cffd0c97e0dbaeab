/**
 * The session record kept in `sessions.json`, its statuses and name rules.
 *
 * Layer: pure.
 * @module
 */

import type { ProxyAddress } from "./proxy_address.ts";
import { REDACTED, redactUrl } from "../config/redact_url.ts";
import { TERMINAL_STATUSES } from "../mcp/task_status.ts";

export { REDACTED };

/** Statuses stored in `sessions.json` (reference.md §5.4). */
export type StoredStatus =
  | "active"
  | "connecting"
  | "reconnecting"
  | "unauthorized"
  | "expired"
  | "crashed";

/** Statuses shown to users: the stored ones with `active` split into `live`/`disconnected`. */
export type DisplayStatus =
  | "live"
  | "connecting"
  | "reconnecting"
  | "disconnected"
  | "crashed"
  | "unauthorized"
  | "expired";

/** How to reach an MCP server: a Streamable HTTP `url` or a stdio `command`. */
export interface ServerConfig {
  /** Streamable HTTP endpoint; in `sessions.json` every query value is `"<redacted>"`. */
  url?: string;
  /** HTTP headers; in `sessions.json` every value is `"<redacted>"`. */
  headers?: Record<string, string>;
  /** Stdio server executable. */
  command?: string;
  /** Stdio server arguments. */
  args?: string[];
  /** Stdio server environment; in `sessions.json` every value is `"<redacted>"`. */
  env?: Record<string, string>;
  /** Per-request timeout in seconds, from the config entry. */
  timeout?: number;
  /** The only MCP revision to speak (`connect --protocol-version`): no negotiation. */
  protocolVersion?: string;
  /**
   * A PEM file of CA certificates the server's certificate may also chain to
   * (`connect --ca-file`), besides the system's; kept as a path, read by
   * each bridge that starts.
   */
  caFile?: string;
  /** No TLS certificate checks for this server (`connect --insecure`). */
  insecure?: boolean;
}

/**
 * The MCP revisions mcpc speaks, newest first (the SDK's list; a unit test
 * keeps the two in step). 2026-07-28 is the stateless era; the others use
 * `initialize`.
 */
export const PROTOCOL_VERSIONS: readonly string[] = [
  "2026-07-28",
  "2025-11-25",
  "2025-06-18",
  "2025-03-26",
  "2024-11-05",
  "2024-10-07",
];

/** Whether `version` is of the stateless era (2026-07-28 and later). */
export function isModernRevision(version: string): boolean {
  return version >= "2026-07-28";
}

/** Shortest per-request timeout (`--timeout`, a config entry's `timeout`): one millisecond. */
export const MIN_TIMEOUT_SECONDS = 0.001;

/** Longest per-request timeout: 24 hours. */
export const MAX_TIMEOUT_SECONDS = 86_400;

/** Default bound on the MCP handshake (ms); the entry's `timeout` (or `--timeout`) wins. */
export const CONNECT_TIMEOUT_MS = 30_000;

/** How long a connect waits for the server's handshake answer (ms). */
export function connectTimeoutMs(server: ServerConfig): number {
  return server.timeout !== undefined ? server.timeout * 1000 : CONNECT_TIMEOUT_MS;
}

/**
 * The era a server was found to speak: 2026-07-28 with its `server/discover`
 * result, or the 2025 era (`initialize`).
 */
export type EraVerdict =
  | { kind: "modern"; discover: Record<string, unknown> }
  | { kind: "legacy" };

/** Server identity from the MCP handshake. */
export interface ServerInfo {
  name: string;
  version?: string;
  [key: string]: unknown;
}

/** The MCP `InitializeResult` kept so a resumed session keeps its capabilities. */
export interface StoredInitializeResult {
  protocolVersion: string;
  capabilities: Record<string, unknown>;
  serverInfo: ServerInfo;
  instructions?: string;
}

/** One session as stored in `sessions.json` (reference.md §5.2). */
export interface SessionRecord {
  /** `@name`, always equal to its key. */
  name: string;
  /** Server connection (secrets redacted). */
  server: ServerConfig;
  /** OAuth profile used by this session. */
  profileName?: string;
  /** PID of the bridge process. */
  pid?: number;
  /** Negotiated MCP protocol version. */
  protocolVersion?: string;
  /** Server `MCP-Session-Id`, for resumption. */
  mcpSessionId?: string;
  /** Server identity. */
  serverInfo?: ServerInfo;
  /** Stored status. */
  status: StoredStatus;
  /**
   * When the last notification of each kind arrived (`tools`, `resources`,
   * `prompts`): `listChangedAt` for list changes, `updatedAt` (resources) for
   * the last update of a subscribed resource, with its URI in `updatedUri`.
   */
  notifications?: Record<string, NotificationTimes>;
  /** Resources the bridge follows (`resources-subscribe`), re-subscribed after its restarts. */
  subscriptions?: string[];
  /** The log level set with `logging-set-level`, set again after bridge restarts. */
  logLevel?: string;
  /** Tasks started through this bridge, by task id (finished ones are forgotten after a day). */
  activeTasks?: Record<string, ActiveTask>;
  /** Creation time (ISO). */
  createdAt: string;
  /** Last successful contact with the server (ISO). */
  lastSeenAt?: string;
  /** Last (re)connect attempt (ISO), for the retry cooldown. */
  lastConnectionAttemptAt?: string;
  /** Directory the session was created in: the bridge's working directory. */
  cwd?: string;
  /** The server's `InitializeResult`, restored when the MCP session is resumed. */
  initializeResult?: StoredInitializeResult;
  /** Which era the server speaks, as found at connect: a restarted bridge does not probe again. */
  era?: EraVerdict & { decidedAt: string };
  /** Failed (re)connect attempts in a row; reset by a successful connect (retry backoff). */
  consecutiveFailures?: number;
  /** A stdio server's process group, to end it if its bridge died without doing so. */
  serverProcess?: ServerProcessGroup;
  /**
   * Where the bridge serves the session as an MCP server (`connect --proxy`);
   * `bearerToken` is `"<redacted>"` when its clients must send one (the token
   * is in the secret store).
   */
  proxy?: ProxyAddress & { bearerToken?: string };
  /** Tool calls are paid with the x402 wallet (`connect --x402`). */
  x402?: boolean;
  /** The most one payment may be, in USD (`connect --x402-max-amount`). */
  x402MaxAmount?: string;
  /** The config file (real path) this session was connected from. */
  configFile?: string;
  /** The entry of {@linkcode SessionRecord.configFile}. */
  configEntry?: string;
}

/** A task started through a session's bridge, as its record keeps it. */
export interface ActiveTask {
  taskId: string;
  /** The tool the task runs. */
  toolName: string;
  /** When the server made it (ISO). */
  createdAt: string;
  /** Its last status the bridge saw (e.g. `working`, `completed`). */
  status?: string;
  /** When the bridge last saw it change (ISO). */
  updatedAt?: string;
}

/** How long a finished task stays in the record (ms). */
export const FINISHED_TASK_RETENTION_MS = 24 * 60 * 60 * 1000;
/** How long an unfinished task stays in the record (ms): servers keep tasks for hours, not weeks. */
export const UNFINISHED_TASK_RETENTION_MS = 7 * FINISHED_TASK_RETENTION_MS;

/** Whether a task status is final. */
export function isFinishedStatus(status: string | undefined): boolean {
  return status !== undefined && TERMINAL_STATUSES.has(status);
}

/**
 * The record's tasks without those to forget at `now`: finished more than a
 * day ago, or started more than a week ago and never seen finished.
 */
export function retainedTasks(
  tasks: Record<string, ActiveTask> | undefined,
  now: number,
): Record<string, ActiveTask> {
  const kept: Record<string, ActiveTask> = {};
  for (const [id, task] of Object.entries(tasks ?? {})) {
    const age = (iso: string | undefined) => now - Date.parse(iso ?? "");
    const forget = isFinishedStatus(task.status)
      ? !(age(task.updatedAt ?? task.createdAt) <= FINISHED_TASK_RETENTION_MS)
      : !(age(task.createdAt) <= UNFINISHED_TASK_RETENTION_MS);
    if (!forget) kept[id] = task;
  }
  return kept;
}

/** When notifications of one kind last arrived (ISO times). */
export interface NotificationTimes {
  /** The last `notifications/<kind>/list_changed`. */
  listChangedAt?: string;
  /** The last `notifications/resources/updated` (resources only). */
  updatedAt?: string;
  /** The URI of that update. */
  updatedUri?: string;
}

/** What identifies a stdio server's process group later (PID-reuse safe). */
export interface ServerProcessGroup {
  /** Group id: the PID of the server process that leads it. */
  pgid: number;
  /** The leader's start time as the OS reports it. */
  startTime?: string;
  /** The `MCPC_SERVER_GROUP` value every member inherited. */
  marker?: string;
}

/** The whole `sessions.json` document. */
export interface SessionsFile {
  sessions: Record<string, SessionRecord>;
}

const SESSION_NAME = /^@[a-zA-Z0-9_-]{1,64}$/;

/** Whether `name` is a valid session name (`@` + 1–64 of `[a-zA-Z0-9_-]`). */
export function isValidSessionName(name: string): boolean {
  return SESSION_NAME.test(name);
}

/** Returns a copy of `values` with every value replaced by {@linkcode REDACTED}. */
export function redactValues(
  values: Record<string, string> | undefined,
): Record<string, string> | undefined {
  if (!values) return undefined;
  return Object.fromEntries(Object.keys(values).map((key) => [key, REDACTED]));
}

/**
 * A server config safe to store or print: header and env values redacted, and
 * the URL without userinfo and with its query values redacted. Idempotent.
 */
export function redactServerConfig(server: ServerConfig): ServerConfig {
  const redacted: ServerConfig = { ...server };
  if (server.url !== undefined) redacted.url = redactUrl(server.url);
  if (server.headers) redacted.headers = redactValues(server.headers);
  if (server.env) redacted.env = redactValues(server.env);
  return redacted;
}

/** Whether the session authenticates with a static `Authorization` header rather than OAuth. */
export function usesStaticToken(record: Pick<SessionRecord, "profileName" | "server">): boolean {
  if (record.profileName) return false;
  return Object.keys(record.server?.headers ?? {}).some((key) =>
    key.toLowerCase() === "authorization"
  );
}
