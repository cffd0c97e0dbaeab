/**
 * The messages exchanged between the CLI and a bridge over its Unix socket.
 * One variant per method; both sides import this module and `framing.ts`.
 *
 * Layer: pure (types are type-only imports).
 * @module
 */

import type { ProxyAddress } from "../session/proxy_address.ts";
import type { ErrorKind } from "../errors.ts";
import type {
  CallToolResult,
  ElicitRequestParams,
  ElicitResult,
  GetPromptResult,
  LoggingLevel,
  Prompt,
  ReadResourceResult,
  Resource,
  ResourceTemplateType as ResourceTemplate,
  Task,
  Tool,
} from "@modelcontextprotocol/client";
import type { EraVerdict, ServerConfig, StoredInitializeResult } from "../session/session.ts";
import type { Skill, SkillFileChunk } from "../mcp/skill_types.ts";

/** Version of this protocol; a bridge refuses clients that speak another one. */
export const IPC_PROTOCOL_VERSION = 3;

/** What the bridge reports about the server it is connected to. */
export interface ServerDetails {
  /** The server's `InitializeResult` (restored from the record when the session was resumed). */
  initialize: StoredInitializeResult;
  /** The server's tools, when it has the tools capability. */
  tools?: Tool[];
  /** How the bridge reached the server (shown with `--verbose`). */
  connection?: ConnectionSummary;
}

/** How the bridge's connection was made. */
export interface ConnectionSummary {
  /** `streamable-http` or `stdio`. */
  transport: string;
  /** Whether the MCP session was resumed. */
  resumed: boolean;
  /** How long the handshake (or resumption) took (ms). */
  connectMs?: number;
}

/** Every IPC method with its parameters and result. */
export interface MethodTable {
  /** Identity check: proves the socket belongs to the expected bridge. */
  hello: {
    params: { version: number };
    /**
     * `heartbeatMs`: while a request is in flight the bridge sends a
     * heartbeat this often (absent from bridges that send none).
     */
    result: { version: number; sessionName: string; pid: number; heartbeatMs?: number };
  };
  /** Waits for the MCP connection and returns the server's details. */
  serverDetails: { params: Record<string, never>; result: ServerDetails };
  /** All tools (every page); `refresh` bypasses the bridge's cache. */
  listTools: { params: { refresh: boolean }; result: { tools: Tool[] } };
  /**
   * Calls a tool. `typedText` holds, for `key:=value` arguments whose value
   * was read as a JSON number, boolean or null, the text as typed: the bridge
   * sends that text instead where the tool's schema wants a string.
   */
  callTool: {
    params: {
      name: string;
      arguments: Record<string, unknown>;
      typedText?: Record<string, string>;
    };
    result: CallToolResult;
  };
  /**
   * Calls a tool as a task (the server must offer tasks for `tools/call`).
   * With `detach`, answers as soon as the server made the task; otherwise
   * sends each status change as a {@linkcode TaskMessage} and answers with
   * the task's outcome.
   */
  callToolTask: {
    params: {
      name: string;
      arguments: Record<string, unknown>;
      typedText?: Record<string, string>;
      detach: boolean;
    };
    /** No `task`: the server (2026-07-28, its own choice) ran the call to the end at once. */
    result: { task?: Task; result?: CallToolResult };
  };
  /** A task's current state. */
  getTask: { params: { taskId: string }; result: Task };
  /** Waits for a task's outcome, sending each status change as a {@linkcode TaskMessage}. */
  taskResult: { params: { taskId: string }; result: CallToolResult };
  /**
   * The tasks of this session: the server's list when it serves one,
   * otherwise those started through this session (from its record).
   */
  listTasks: {
    params: Record<string, never>;
    result: { tasks: Task[]; source: "server" | "session" };
  };
  /** Cancels a task. */
  cancelTask: { params: { taskId: string }; result: Task };
  /** All resources (every page); `refresh` bypasses the bridge's cache. */
  listResources: { params: { refresh: boolean }; result: { resources: Resource[] } };
  /** All resource templates (every page); `refresh` bypasses the bridge's cache. */
  listResourceTemplates: {
    params: { refresh: boolean };
    result: { resourceTemplates: ResourceTemplate[] };
  };
  /** All prompts (every page); `refresh` bypasses the bridge's cache. */
  listPrompts: { params: { refresh: boolean }; result: { prompts: Prompt[] } };
  /** Reads one resource from the server. */
  readResource: { params: { uri: string }; result: ReadResourceResult };
  /** Follows (or stops following) changes of a resource, across bridge restarts. */
  subscribeResource: {
    params: { uri: string; subscribe: boolean };
    result: { subscriptions: string[] };
  };
  /** Gets a prompt; argument values are strings, as the protocol requires. */
  getPrompt: {
    params: { name: string; arguments: Record<string, string> };
    result: GetPromptResult;
  };
  /** Sets the server's log level (2025-era `logging/setLevel`, 2026-era per request). */
  setLogLevel: {
    params: { level: LoggingLevel };
    result: { level: LoggingLevel; scope: "session" | "request" };
  };
  /**
   * What the bridge holds for a search: the server's instructions and its
   * cached lists of the kinds asked for (fetched now when not cached).
   */
  catalog: {
    params: { tools: boolean; resources: boolean; prompts: boolean };
    result: {
      capabilities: Record<string, unknown>;
      instructions?: string;
      tools?: Tool[];
      resources?: Resource[];
      prompts?: Prompt[];
    };
  };
  /**
   * The server notifications the bridge received (oldest first); with
   * `follow`, the request stays open and each new one is sent as a
   * {@linkcode NotificationMessage} until the CLI cancels it.
   */
  notifications: {
    params: { follow: boolean };
    result: { notifications: NotificationEntry[]; since: string };
  };
  /**
   * The server's skills (Skills extension, SEP-2640), every page; `invalid`
   * names the entries left out as invalid.
   */
  listSkills: {
    params: Record<string, never>;
    result: { skills: Skill[]; invalid: { index: number; uri?: string; reason: string }[] };
  };
  /** One skill's entry, by its `SKILL.md` URI (`skills/get`) or by a name in the listing. */
  getSkill: { params: { name: string }; result: { skill: Skill } };
  /**
   * A piece (at most `SKILL_CHUNK_BYTES`, base64) of one file of `skill`,
   * from `offset`. The bridge reads the whole file at offset 0, has it
   * verified against `skill` (size, digest; for `SKILL.md` the frontmatter)
   * and serves the later pieces from that copy.
   */
  readSkillFile: {
    params: { skill: Skill; uri: string; offset: number };
    result: SkillFileChunk;
  };
  /** Pings the server. */
  ping: { params: Record<string, never>; result: { durationMs: number } };
  /** Stops the bridge gracefully (terminates the MCP session first). */
  shutdown: { params: Record<string, never>; result: { stopping: true } };
}

/** Name of an IPC method. */
export type MethodName = keyof MethodTable;
/** Parameters of method `M`. */
export type ParamsOf<M extends MethodName> = MethodTable[M]["params"];
/** Result of method `M`. */
export type ResultOf<M extends MethodName> = MethodTable[M]["result"];

/**
 * What a CLI can take while its request runs: progress reports
 * ({@linkcode ProgressMessage}) and questions from the server
 * ({@linkcode InputRequestMessage}), which it answers. A question to a CLI
 * that takes none is declined by the bridge.
 */
export interface RequestAccepts {
  progress?: boolean;
  input?: boolean;
}

/** A request from the CLI. `timeoutMs` bounds the MCP request inside the bridge. */
export type RequestMessage = {
  [M in MethodName]: {
    type: "request";
    id: number;
    method: M;
    params: ParamsOf<M>;
    timeoutMs?: number;
    accepts?: RequestAccepts;
  };
}[MethodName];

/** The server's progress on request `id` (`notifications/progress`). */
export interface ProgressMessage {
  type: "progress";
  id: number;
  progress: number;
  total?: number;
  message?: string;
}

/**
 * The server asks the user something while request `id` runs (an
 * elicitation: a form or a URL to visit). The CLI answers with an
 * {@linkcode InputResponseMessage} carrying the same `inputId`.
 */
export interface InputRequestMessage {
  type: "input";
  id: number;
  inputId: number;
  request: ElicitRequestParams;
}

/** The user's answer to question `inputId` of request `id`. */
export interface InputResponseMessage {
  type: "input-response";
  id: number;
  inputId: number;
  /** The answer; absent when the CLI gives the question up unanswered (the bridge holds a task's). */
  result?: ElicitResult;
}

/** The task the server made for request `id`, sent when it is created and on each status change. */
export interface TaskMessage {
  type: "task";
  id: number;
  task: Task;
}

/** The CLI gives up on request `id`; the bridge cancels it on the server. */
export interface CancelMessage {
  type: "cancel";
  id: number;
}

/** An error as it crosses the socket. */
export interface WireError {
  kind: ErrorKind;
  message: string;
  /** The failure is in what the user typed (no log hint is added). */
  userInput?: boolean;
  /**
   * An auth failure of this request alone (a scope the token lacks): the
   * session was not marked unauthorized and the message says what to do.
   */
  requestOnly?: boolean;
}

/** The bridge's answer to request `id`. */
export type ResponseMessage =
  | { type: "response"; id: number; result: unknown }
  | { type: "response"; id: number; error: WireError };

/** A server notification forwarded to a CLI that follows them. */
export interface NotificationMessage {
  type: "notification";
  method: string;
  params?: unknown;
  /** When the bridge received it (ISO). */
  at?: string;
}

/** One server notification as the bridge remembers it (`mcpc @s notifications`). */
export interface NotificationEntry {
  /** When the bridge received it (ISO). */
  at: string;
  /** The notification's method, e.g. `notifications/tools/list_changed`, `notifications/message`. */
  method: string;
  /** Its params, as the server sent them (`_meta` left out). */
  params?: Record<string, unknown>;
}

/** Sent while requests are in flight: the bridge is alive and working on them. */
export interface HeartbeatMessage {
  type: "heartbeat";
}

/** How often a bridge sends {@linkcode HeartbeatMessage}s while a request is in flight (ms). */
export const HEARTBEAT_INTERVAL_MS = 5_000;

/** Anything the CLI sends. */
export type ClientMessage = RequestMessage | CancelMessage | InputResponseMessage;
/** Anything the bridge sends. */
export type BridgeMessage =
  | ResponseMessage
  | NotificationMessage
  | HeartbeatMessage
  | ProgressMessage
  | InputRequestMessage
  | TaskMessage;

/** Everything a bridge needs to start; sent on its stdin, never in argv or env. */
export interface BridgeStartConfig {
  /** Session name (`@name`). */
  sessionName: string;
  /** mcpc home directory. */
  home: string;
  /** Server config with secret header and env values in clear. */
  server: ServerConfig;
  /** How to name the server in logs and messages (no secrets: `${VAR}` left as written). */
  label: string;
  /** OAuth profile name, if any. */
  profileName?: string;
  /** `MCP-Session-Id` to resume, with the `InitializeResult` to restore. */
  resume?: { mcpSessionId: string; initialize: StoredInitializeResult };
  /** The era found at connect, so this bridge does not probe the server again. */
  prior?: EraVerdict;
  /** Started by a listing, with no CLI waiting: a failed start lingers only briefly. */
  background?: boolean;
  /** Started by an explicit connect or restart: takes the session even from a live bridge. */
  takeover?: boolean;
  /**
   * The proxy variables of the CLI that started the bridge (`HTTPS_PROXY`, ...),
   * credentials included: they come here rather than in the bridge's environment.
   */
  proxyEnv?: Record<string, string>;
  /**
   * Serve the session as an MCP server here (`connect --proxy`), with the
   * bearer token its clients must send, if one was set.
   */
  proxyServer?: ProxyAddress & { bearerToken?: string };
  /** The x402 wallet that pays for the session's calls (`connect --x402`). */
  x402Wallet?: {
    address: string;
    privateKey: string;
    /** The most one payment may be, in USD (`connect --x402-max-amount`; default 1). */
    maxAmount?: string;
  };
}

const METHODS: ReadonlySet<string> = new Set<MethodName>([
  "hello",
  "serverDetails",
  "listTools",
  "callTool",
  "callToolTask",
  "getTask",
  "taskResult",
  "listTasks",
  "cancelTask",
  "listResources",
  "listResourceTemplates",
  "listPrompts",
  "readResource",
  "subscribeResource",
  "getPrompt",
  "setLogLevel",
  "catalog",
  "notifications",
  "listSkills",
  "getSkill",
  "readSkillFile",
  "ping",
  "shutdown",
]);
const KINDS: ReadonlySet<string> = new Set<ErrorKind>(["usage", "server", "network", "auth"]);

/** Checks that a decoded value is a {@linkcode ClientMessage}; throws `TypeError` otherwise. */
export function parseClientMessage(value: unknown): ClientMessage {
  if (!isRecord(value) || typeof value.id !== "number") {
    throw new TypeError("Invalid IPC message: expected an object with a numeric id");
  }
  if (value.type === "cancel") return { type: "cancel", id: value.id };
  if (value.type === "input-response") {
    const result = value.result;
    if (typeof value.inputId !== "number" || (result !== undefined && !isElicitResult(result))) {
      throw new TypeError(
        "Invalid IPC input response: inputId and an elicitation result (or none)",
      );
    }
    return result === undefined
      ? { type: "input-response", id: value.id, inputId: value.inputId }
      : { type: "input-response", id: value.id, inputId: value.inputId, result };
  }
  if (value.type !== "request") {
    throw new TypeError(`Invalid IPC message type: ${JSON.stringify(value.type)}`);
  }
  if (typeof value.method !== "string" || !METHODS.has(value.method)) {
    throw new TypeError(`Unknown IPC method: ${JSON.stringify(value.method)}`);
  }
  if (!isRecord(value.params)) throw new TypeError("Invalid IPC request: params must be an object");
  if (value.timeoutMs !== undefined && typeof value.timeoutMs !== "number") {
    throw new TypeError("Invalid IPC request: timeoutMs must be a number");
  }
  if (value.accepts !== undefined && !isRecord(value.accepts)) {
    throw new TypeError("Invalid IPC request: accepts must be an object");
  }
  return value as unknown as RequestMessage;
}

/** Checks that a decoded value is a {@linkcode BridgeMessage}; throws `TypeError` otherwise. */
export function parseBridgeMessage(value: unknown): BridgeMessage {
  if (!isRecord(value)) throw new TypeError("Invalid IPC message: expected an object");
  if (value.type === "heartbeat") return { type: "heartbeat" };
  if (value.type === "notification" && typeof value.method === "string") {
    return {
      type: "notification",
      method: value.method,
      params: value.params,
      ...(typeof value.at === "string" ? { at: value.at } : {}),
    };
  }
  if (value.type === "progress" && typeof value.id === "number") {
    if (typeof value.progress !== "number") throw new TypeError("Invalid IPC progress message");
    return {
      type: "progress",
      id: value.id,
      progress: value.progress,
      ...(typeof value.total === "number" ? { total: value.total } : {}),
      ...(typeof value.message === "string" ? { message: value.message } : {}),
    };
  }
  if (value.type === "input" && typeof value.id === "number") {
    if (typeof value.inputId !== "number" || !isRecord(value.request)) {
      throw new TypeError("Invalid IPC input request");
    }
    return {
      type: "input",
      id: value.id,
      inputId: value.inputId,
      request: value.request as unknown as ElicitRequestParams,
    };
  }
  if (value.type === "task" && typeof value.id === "number") {
    if (!isRecord(value.task) || typeof value.task.taskId !== "string") {
      throw new TypeError("Invalid IPC task message");
    }
    return { type: "task", id: value.id, task: value.task as unknown as Task };
  }
  if (value.type !== "response" || typeof value.id !== "number") {
    throw new TypeError(`Invalid IPC message type: ${JSON.stringify(value.type)}`);
  }
  if ("error" in value) {
    const error = value.error;
    if (!isRecord(error) || typeof error.message !== "string" || !KINDS.has(String(error.kind))) {
      throw new TypeError("Invalid IPC error response");
    }
    return {
      type: "response",
      id: value.id,
      error: {
        kind: error.kind as ErrorKind,
        message: error.message,
        ...(error.userInput === true ? { userInput: true } : {}),
        ...(error.requestOnly === true ? { requestOnly: true } : {}),
      },
    };
  }
  return { type: "response", id: value.id, result: value.result };
}

/** Checks that stdin content is a {@linkcode BridgeStartConfig}; throws `TypeError` otherwise. */
export function parseStartConfig(value: unknown): BridgeStartConfig {
  if (!isRecord(value) || typeof value.sessionName !== "string" || typeof value.home !== "string") {
    throw new TypeError("Invalid bridge start config: sessionName and home are required");
  }
  if (!isRecord(value.server)) throw new TypeError("Invalid bridge start config: server missing");
  if (typeof value.label !== "string") {
    throw new TypeError("Invalid bridge start config: label missing");
  }
  return value as unknown as BridgeStartConfig;
}

function isElicitResult(value: unknown): value is ElicitResult {
  return isRecord(value) &&
    (value.action === "accept" || value.action === "decline" || value.action === "cancel") &&
    (value.content === undefined || isRecord(value.content));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
