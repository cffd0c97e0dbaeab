/**
 * The bridge's MCP connection: builds the transport for a server config,
 * negotiates the protocol era (for a stdio server on a short-lived sibling
 * process first, decisions.md §5), performs (or resumes) the handshake, and
 * exposes the few calls mcpc needs.
 *
 * Layer: edge (loads the MCP SDK; used only by the bridge).
 * @module
 */

import {
  connectTimeoutMs,
  type EraVerdict,
  isModernRevision,
  PROTOCOL_VERSIONS,
  type ServerConfig,
  type StoredInitializeResult,
} from "../session/session.ts";
import { McpcError } from "../errors.ts";
import { settleWithin } from "../platform/settle.ts";
import { VERSION } from "../version.ts";
import type { ProcessGroupIdentity } from "../platform/process.ts";
import {
  HttpEndpointError,
  type HttpResponseFacts,
  isLegacySseEndpoint,
  isTransientStatus,
  recordingFetch,
} from "./http_diagnostics.ts";
import {
  Client,
  type ClientOptions,
  type PriorDiscovery,
  ProtocolError,
  ProtocolErrorCode,
  SdkError,
  SdkErrorCode,
  specTypeSchemas,
  StreamableHTTPClientTransport,
  UnauthorizedError,
  UnsupportedProtocolVersionError,
} from "./sdk.ts";
import { abortableFetch } from "./abortable_fetch.ts";
import { defaultServerEnvironment } from "./server_environment.ts";
import { GuardedTransport, HandshakeError } from "./handshake_guard.ts";
import {
  StdioProcessTransport,
  type StdioServerCommand,
  StdioServerError,
} from "./stdio_transport.ts";
import { MAX_LIST_PAGES, watchCursors } from "./pagination_watch.ts";
import {
  type InputHandler,
  InputRouter,
  MAX_HELD,
  MAX_HELD_PER_TASK,
  relatedTaskId,
  type UnroutedReason,
} from "./input_router.ts";
import {
  cancelTask,
  createToolTask,
  getTask,
  listTasks,
  taskResult,
  type TaskSupport,
  taskSupportOf,
} from "./tasks.ts";
import type { Task } from "./types.ts";
import {
  createdTaskOf,
  type FollowOptions,
  invalidCreatedTask,
  type ModernTask,
  ModernTasks,
  type RawRequestOptions,
  RawRequests,
  takeTaskCreation,
  taskOfAnswer,
  withTasksExtension,
} from "./modern_tasks.ts";
import { type SkillAccess, skillAccess } from "./skills.ts";
import { TaskProgress } from "./task_progress.ts";
import { SKILLS_EXTENSION_ID } from "./skill_types.ts";
import {
  type CallToolResult,
  type CompleteRequestParams,
  type CompleteResult,
  type GetPromptResult,
  LOG_LEVEL_META_KEY,
  type LoggingLevel,
  type McpSubscription,
  type Prompt,
  type ReadResourceResult,
  type Resource,
  type ResourceTemplate,
  type SubscriptionFilter,
  type Tool,
} from "./sdk.ts";

/** Per-call options. */
export interface CallOptions {
  /** Aborting cancels the request on the server (`notifications/cancelled`). */
  signal?: AbortSignal;
  /** SDK-side bound for the request (ms). */
  timeoutMs?: number;
  /** Asks the server for progress reports (`progressToken`) and receives them. */
  onProgress?: (report: ProgressReport) => void;
  /** Answers the server's questions while the request runs; without it they are declined. */
  onInput?: InputHandler;
  /**
   * Told of the task a call became and of its status changes (a 2026-era
   * server may run any `tools/call` as a task; the call follows it to its end).
   */
  onTask?: (task: Task) => void;
}

/** What a call made as a task gave: the task, or (a 2026-era server's choice) the result itself. */
export type TaskCallOutcome = { task: Task } | { result: CallToolResult };

/** One `notifications/progress` of a request. */
export interface ProgressReport {
  progress: number;
  total?: number;
  message?: string;
}

/** Every item of a list (all pages) and the server's cache hint for it (2026-07-28). */
export interface ListedItems<T> {
  /** The items of every page. */
  items: T[];
  /** How long the list may be served from a cache (ms), when the server said so. */
  ttlMs?: number;
}

/** The server notifications mcpc follows. */
export const FOLLOWED_NOTIFICATIONS = [
  "notifications/tools/list_changed",
  "notifications/resources/list_changed",
  "notifications/prompts/list_changed",
  "notifications/resources/updated",
  "notifications/message",
] as const;

/** A server notification mcpc follows. */
export type FollowedNotification = typeof FOLLOWED_NOTIFICATIONS[number];

/** Where a log level set with {@linkcode McpConnection.setLogLevel} applies. */
export type LogLevelScope = "session" | "request";

/** A connected MCP server. */
export interface McpConnection {
  /** The server's handshake result (restored from the record when resumed). */
  readonly initialize: StoredInitializeResult;
  /** The HTTP `MCP-Session-Id`, if the server issued one. */
  readonly sessionId: string | undefined;
  /** Whether the MCP session was resumed rather than initialised. */
  readonly resumed: boolean;
  /** How the server is reached. */
  readonly transport: TransportKind;
  /** Lists every tool (all pages) with the server's cache hint. */
  listTools(options?: CallOptions): Promise<ListedItems<Tool>>;
  /** Lists every resource (all pages). */
  listResources(options?: CallOptions): Promise<ListedItems<Resource>>;
  /** Lists every resource template (all pages). */
  listResourceTemplates(options?: CallOptions): Promise<ListedItems<ResourceTemplate>>;
  /** Lists every prompt (all pages). */
  listPrompts(options?: CallOptions): Promise<ListedItems<Prompt>>;
  /** Reads a resource (always from the server, never from a cache). */
  readResource(uri: string, options?: CallOptions): Promise<ReadResourceResult>;
  /**
   * Follows changes of the resources `uris` from now on: 2025-era
   * `resources/subscribe` for each new one (and `unsubscribe` for each
   * dropped one), 2026-era a `subscriptions/listen` stream naming them all.
   * Rejects when the server refuses; the previous set then stays.
   */
  setResourceSubscriptions(uris: readonly string[], options?: CallOptions): Promise<void>;
  /** Gets a prompt with its arguments (strings, as the protocol requires). */
  getPrompt(
    name: string,
    args: Record<string, string>,
    options?: CallOptions,
  ): Promise<GetPromptResult>;
  /**
   * Sets the least severe log level the server should send: 2025-era
   * `logging/setLevel` (for the MCP session), 2026-era the per-request level
   * every following request carries in `_meta`.
   */
  setLogLevel(level: LoggingLevel, options?: CallOptions): Promise<LogLevelScope>;
  /** Calls a tool; `tool` is its listed definition, when known (header mirroring, output checks). */
  callTool(
    name: string,
    args: Record<string, unknown>,
    options?: CallOptions & { tool?: Tool },
  ): Promise<CallToolResult>;
  /** What the server offers for tasks (2025-11-25 `tasks`, or the 2026-07-28 Tasks extension). */
  readonly tasks: TaskSupport;
  /**
   * Calls a tool as a task: resolves with the task once the server made it
   * (a 2026-era server may answer with the result instead).
   */
  callToolAsTask(
    name: string,
    args: Record<string, unknown>,
    options?: CallOptions & { ttlMs?: number; tool?: Tool },
  ): Promise<TaskCallOutcome>;
  /** A task's current state. */
  getTask(taskId: string, options?: CallOptions): Promise<Task>;
  /**
   * Waits for a task's outcome; the server's questions for it go to
   * `onInput`. On a 2026-era server the wait polls, telling `onTask` each
   * status it sees.
   */
  taskResult(taskId: string, options?: CallOptions): Promise<CallToolResult>;
  /** Every task the server lists. */
  listTasks(options?: CallOptions): Promise<Task[]>;
  /**
   * Cancels a task; resolves with its state afterwards (`known`, its state
   * before, when a 2026-era server no longer tells it).
   */
  cancelTask(taskId: string, options?: CallOptions & { known?: Task }): Promise<Task>;
  /** The server's skills (Skills extension, SEP-2640), fetched only when a skills command asks. */
  readonly skills: SkillAccess;
  /**
   * Sends any request as it is and resolves with the server's result as it
   * is (the proxy's way to pass on extension methods such as `skills/list`).
   */
  request(
    method: string,
    params: Record<string, unknown>,
    options?: CallOptions,
  ): Promise<Record<string, unknown>>;
  /** Asks the server to complete a prompt's or resource template's argument (`completion/complete`). */
  complete(params: CompleteRequestParams, options?: CallOptions): Promise<CompleteResult>;
  /** Pings the server. */
  ping(options?: CallOptions): Promise<void>;
  /** Closes the transport, first ending the MCP session (HTTP `DELETE`, bounded) unless told not to. */
  close(options?: { endSession?: boolean }): Promise<void>;
  /** Called once when the transport closes on its own. */
  onClose?: () => void;
  /** The era the server speaks (what a later connect may pass as `prior`). */
  readonly era: EraVerdict;
  /** Called for each server notification mcpc follows (list changes, resource updates, log messages). */
  onNotification?: (method: FollowedNotification, params: Record<string, unknown>) => void;
  /** Called when a 2026-era change stream could not be opened or re-opened. */
  onListenError?: (error: unknown) => void;
}

/** The server never answered the handshake within the connect timeout. */
export class ServerSilentError extends Error {
  constructor(server: string, method: string, timeoutMs: number) {
    super(
      `${server} did not answer ${method} within ${timeoutMs / 1000} s. ` +
        `Is it running, and is it an MCP server? To wait longer, use --timeout <seconds>`,
    );
    this.name = "ServerSilentError";
  }
}

/** Options for {@linkcode connectMcp}. */
export interface ConnectMcpOptions {
  /** The era found by an earlier connect: no probe is sent. */
  prior?: EraVerdict;
  /** Resume this MCP session instead of initialising a new one. */
  resume?: { mcpSessionId: string; initialize: StoredInitializeResult };
  /** HTTP: the fetch requests go out with (proxy, CA certificates, TLS checks); default: the global one. */
  fetch?: typeof fetch;
  /** HTTP: wraps the transport's fetch to authenticate its requests (an OAuth profile). */
  authFetch?: (inner: typeof fetch) => typeof fetch;
  /** Each line the stdio server writes to stderr. */
  onStderrLine?: (line: string) => void;
  /** Working directory for a stdio server. */
  cwd?: string;
  /** Bound on the handshake (ms); default {@linkcode connectTimeoutMs}. */
  timeoutMs?: number;
  /** Transport-level errors the SDK reports outside any request (e.g. a dropped SSE stream). */
  onError?: (error: Error) => void;
  /** A stdio server's process group, once it runs (to find it again after a crash). */
  onServerProcess?: (group: ProcessGroupIdentity) => void;
  /** A stdio server's process group is gone after a close. */
  onServerStopped?: () => void;
  /**
   * Receives a function that closes a stdio transport while the handshake is
   * still running, and waits (bounded) until the server's group is gone. (An HTTP
   * handshake is left to finish, so the session it opens can be ended.)
   */
  onTransport?: (close: () => Promise<void>) => void;
}

/** The server answered a resumed session under another session id. */
export class SessionNotResumedError extends Error {
  constructor(expected: string, actual: string | undefined) {
    super(
      `Session expired: server did not resume MCP session (expected ${expected}, got ${
        actual ?? "none"
      })`,
    );
    this.name = "SessionNotResumedError";
  }
}

/** How the SSE streams of a Streamable HTTP connection are opened again after they drop. */
const SSE_RECONNECTION = {
  initialReconnectionDelay: 1_000,
  maxReconnectionDelay: 30_000,
  reconnectionDelayGrowFactor: 1.5,
  maxRetries: Number.MAX_SAFE_INTEGER,
};

const TERMINATE_CAP_MS = 2_000;
const CLOSE_CAP_MS = 1_000;
/** Bound on closing a stdio server: stdin, 2 s, SIGTERM, 2 s, SIGKILL, and a margin. */
const STDIO_CLOSE_CAP_MS = 6_000;

/**
 * How long the sibling probe of a stdio server waits for the answer to
 * `server/discover` (ms); never more than half the connect timeout, so the
 * `initialize` that follows a silent probe keeps the other half. A 2025-era
 * server that ignores the probe connects this much later (decisions.md §5).
 */
export const STDIO_PROBE_TIMEOUT_MS = 3_000;
/** Each step of stopping the probe sibling (ms): stdin, this, SIGTERM, this, SIGKILL. */
const SIBLING_STOP_STEP_MS = 500;
/** Bound on stopping the probe sibling: both steps, the second after SIGKILL, and a margin. */
const SIBLING_STOP_CAP_MS = 2 * SIBLING_STOP_STEP_MS + 1_500;
/** The revision the sibling probe asks for: the newest one mcpc speaks. */
const PROBE_REVISION = PROTOCOL_VERSIONS.find(isModernRevision) ?? "2026-07-28";
/** How mcpc names itself to servers. */
const CLIENT_INFO = { name: "mcpc", version: VERSION };

/** How the bridge reached the server. */
export type TransportKind = "streamable-http" | "stdio";

/** Connects to the server described by `server`. Throws the SDK's errors, or a typed reason. */
export async function connectMcp(
  server: ServerConfig,
  options: ConnectMcpOptions = {},
): Promise<McpConnection> {
  const pinned = server.protocolVersion;
  const timeout = options.timeoutMs ?? connectTimeoutMs(server);
  try {
    if (server.url) {
      const client = createClient(negotiation(server, options), options);
      return await connectHttp(client, server, server.url, timeout, options);
    }
    return await connectStdio(server, timeout, options);
  } catch (error) {
    const who = server.url
      ? `The server at ${server.url}`
      : `The server command "${server.command}"`;
    if (pinned !== undefined && refusedRevision(error)) {
      throw new UnsupportedRevisionError(who, pinned, { cause: error });
    }
    if (!timedOut(error)) throw error;
    throw new ServerSilentError(who, options.resume ? "ping" : "initialize", timeout);
  }
}

/** Why mcpc refuses the server's requests it never offered to take. */
const UNOFFERED: Record<string, string> = {
  "sampling/createMessage": "no sampling here: this command-line client (mcpc) has no model",
  "roots/list": "no roots here: this command-line client (mcpc) shares none",
};

/** Why a question nobody was asked got declined, as the bridge log says it. */
const UNROUTED: Record<UnroutedReason, string> = {
  "no-listener": "no command in flight takes questions",
  "too-many-held": `too many questions already wait for an answer (at most ${MAX_HELD_PER_TASK} ` +
    `per task, ${MAX_HELD} in all)`,
  ambiguous: "several commands in flight take questions and it names none of them",
};

/** How a client picks the protocol revision (the SDK's options for it). */
type VersionOptions = Pick<ClientOptions, "versionNegotiation" | "supportedProtocolVersions">;

/** The client mcpc connects with; `versions` says how it picks the revision. */
function createClient(
  versions: VersionOptions,
  options: ConnectMcpOptions,
): McpcClient {
  // On 2026-07-28 change notifications arrive only on a `subscriptions/listen` stream, which
  // `wrap()` opens (and re-opens) itself for list changes and subscribed resources.
  const client = new McpcClient(CLIENT_INFO, {
    capabilities: clientCapabilities(),
    // mcpc's watch stops a walk at MAX_LIST_PAGES with its own message; this is a backstop.
    listMaxPages: MAX_LIST_PAGES + 1,
    ...versions,
  });
  client.onerror = (error) => options.onError?.(error);
  return client;
}

/**
 * The SDK's client, plus the 2026-07-28 per-request log level: once set,
 * every request's `_meta` carries it (the revision has no `logging/setLevel`).
 */
class McpcClient extends Client {
  /** The level sent with each request on a 2026-07-28 connection, once set. */
  logLevel?: LoggingLevel;

  /**
   * Each 2026-era request declares the Tasks extension (mcpc follows a task
   * any `tools/call` may become) and carries the log level, once set.
   */
  protected override _outboundMetaEnvelope(): Readonly<Record<string, unknown>> | undefined {
    const envelope = super._outboundMetaEnvelope();
    if (!envelope) return envelope;
    const declared = withTasksExtension(envelope);
    return this.logLevel === undefined
      ? declared
      : { ...declared, [LOG_LEVEL_META_KEY]: this.logLevel };
  }

  /** The `_meta` envelope of the requests mcpc sends on the transport itself. */
  requestEnvelope(): Readonly<Record<string, unknown>> {
    return this._outboundMetaEnvelope() ?? {};
  }
}

/**
 * Only what mcpc implements (decisions.md §3.13): elicitation (forms and URLs, asked of the
 * user at the CLI waiting for the request); no sampling or roots (a CLI has no model). The
 * Skills extension is declared as SEP-2133 extensions are (an entry under `extensions`, which
 * a server without it ignores); mcpc asks for skills only when a skills command runs.
 */
function clientCapabilities(): {
  elicitation: { form: Record<string, never>; url: Record<string, never> };
  extensions: Record<string, Record<string, never>>;
} {
  return { elicitation: { form: {}, url: {} }, extensions: { [SKILLS_EXTENSION_ID]: {} } };
}

/**
 * How the client picks the revision. Over HTTP a first connect asks
 * `server/discover` (2026-07-28) and falls back to `initialize` on a 2025-era
 * server; a resumed 2025-era session needs no handshake. A stdio server is
 * probed on a sibling process first (see {@linkcode stdioVersions}), so
 * here it gets `initialize`. `--protocol-version` pins one revision: a
 * 2026-era one is pinned in the SDK, an older one is the only version
 * `initialize` offers and accepts.
 */
function negotiation(
  server: ServerConfig,
  options: ConnectMcpOptions,
): VersionOptions {
  const pinned = server.protocolVersion;
  if (pinned !== undefined && isModernRevision(pinned)) {
    return { versionNegotiation: { mode: { pin: pinned } } };
  }
  if (pinned !== undefined) {
    return { versionNegotiation: { mode: "legacy" }, supportedProtocolVersions: [pinned] };
  }
  return { versionNegotiation: { mode: server.url && !options.resume ? "auto" : "legacy" } };
}

/** Whether the server turned down the pinned revision (in any of the SDK's ways of saying so). */
function refusedRevision(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 10; depth++) {
    if (current instanceof SdkError && current.code === SdkErrorCode.EraNegotiationFailed) {
      return true;
    }
    if (current instanceof UnsupportedProtocolVersionError) return true;
    if (/protocol version is not supported|unsupported protocol version/i.test(current.message)) {
      return true;
    }
    current = current.cause;
  }
  return false;
}

/** The server does not speak the revision `--protocol-version` pinned. */
export class UnsupportedRevisionError extends Error {
  constructor(server: string, version: string, options?: ErrorOptions) {
    super(
      `${server} does not speak MCP ${version} (--protocol-version); ` +
        "connect without --protocol-version to let mcpc negotiate",
      options,
    );
    this.name = "UnsupportedRevisionError";
  }
}

/** Whether the SDK gave up waiting for an answer (anywhere in the cause chain). */
function timedOut(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 10; depth++) {
    if (current instanceof SdkError && current.code === SdkErrorCode.RequestTimeout) return true;
    current = current.cause;
  }
  return false;
}

/**
 * What a close during a stdio connect must stop: the probe sibling while it
 * runs, then the server itself; once closed, no server is started.
 */
interface StdioConnectState {
  closed: boolean;
  running?: StdioProcessTransport;
}

async function connectStdio(
  server: ServerConfig,
  timeout: number,
  options: ConnectMcpOptions,
): Promise<McpConnection> {
  if (!server.command) throw new TypeError("Server config needs a url or a command");
  const started = performance.now();
  const spec: StdioServerCommand = {
    command: server.command,
    args: server.args ?? [],
    env: { ...defaultServerEnvironment(), ...(server.env ?? {}) },
    cwd: options.cwd,
  };
  const state: StdioConnectState = { closed: false };
  options.onTransport?.(async () => {
    state.closed = true;
    if (state.running) await settleWithin(state.running.close(), STDIO_CLOSE_CAP_MS);
  });
  const plan = await stdioVersions(server, spec, timeout, options, state);
  if (state.closed) {
    throw new Error(
      `Cannot start the server command "${server.command}": the connection was closed while probing it`,
    );
  }
  let opened: OpenedStdio;
  try {
    opened = await openStdio(spec, plan, { timeout, started }, options, state);
  } catch (error) {
    // A server that was still starting (a first `npx -y` downloading) misses the probe and is
    // taken for 2025-era; if it then refuses `initialize` for its revision, it speaks only
    // 2026-07-28: start it again and ask it so.
    if (!plan.probed || state.closed || !refusedRevision(error)) throw error;
    await settleWithin(state.running?.close() ?? Promise.resolve(), STDIO_CLOSE_CAP_MS);
    const modern: StdioPlan = {
      versions: { versionNegotiation: { mode: { pin: PROBE_REVISION } } },
    };
    opened = await openStdio(spec, modern, { timeout, started }, options, state);
  }
  const { client, transport } = opened;
  return wrap(client, initializeResultOf(client, transport.protocolVersion), {
    transport: "stdio",
    resumed: false,
    sessionId: () => undefined,
    close: () => settleWithin(transport.close(), STDIO_CLOSE_CAP_MS),
  });
}

/** A stdio server whose handshake is done. */
interface OpenedStdio {
  client: McpcClient;
  transport: StdioProcessTransport;
}

/**
 * Starts the stdio server and opens the connection as `plan` says, within
 * what is left of the connect timeout (`timeout` ms since `started`: the
 * probe counts).
 */
async function openStdio(
  spec: StdioServerCommand,
  plan: StdioPlan,
  bound: { timeout: number; started: number },
  options: ConnectMcpOptions,
  state: StdioConnectState,
): Promise<OpenedStdio> {
  const remaining = Math.max(1, Math.round(bound.timeout - (performance.now() - bound.started)));
  const client = createClient(plan.versions, options);
  const transport = watchCursors(
    new StdioProcessTransport(spec, {
      onStderrLine: options.onStderrLine,
      onSpawn: options.onServerProcess,
      onStopped: options.onServerStopped,
      // A stored 2026-07-28 verdict opens the connection without any round trip.
      handshakeDone: plan.prior?.kind === "modern",
    }),
  );
  state.running = transport;
  try {
    await client.connect(transport, {
      timeout: remaining,
      ...(plan.prior ? { prior: plan.prior as PriorDiscovery } : {}),
    });
  } catch (error) {
    if (transport.failure) throw transport.failure;
    if (timedOut(error)) {
      throw new ServerSilentError(
        `The server command "${spec.command}"`,
        transport.handshakeMethod ?? "initialize",
        bound.timeout,
      );
    }
    throw error;
  }
  return { client, transport };
}

/** How the real stdio connect picks its revision, and the stored verdict it passes, if any. */
interface StdioPlan {
  versions: VersionOptions;
  prior?: EraVerdict;
  /** The era comes from a sibling probe that found no 2026-07-28 server. */
  probed?: boolean;
}

/**
 * Decides how to open a stdio connection. A stored verdict (a restarted
 * bridge) or a `--protocol-version` pin is used as it is; otherwise a
 * sibling process is probed first, and a 2026-07-28 server gets
 * `server/discover` pinned to the revision it offered, a 2025-era one
 * `initialize`.
 */
async function stdioVersions(
  server: ServerConfig,
  spec: StdioServerCommand,
  timeout: number,
  options: ConnectMcpOptions,
  state: StdioConnectState,
): Promise<StdioPlan> {
  if (options.prior) return { versions: negotiation(server, options), prior: options.prior };
  if (server.protocolVersion !== undefined) return { versions: negotiation(server, options) };
  const probeMs = Math.min(STDIO_PROBE_TIMEOUT_MS, Math.floor(timeout / 2));
  const revision = await probeSibling(spec, probeMs, state);
  return {
    versions: { versionNegotiation: { mode: revision ? { pin: revision } : "legacy" } },
    probed: revision === undefined,
  };
}

/**
 * Asks a short-lived sibling of the server (same command, arguments,
 * environment and directory; its stderr discarded, none of the caller's
 * hooks) for `server/discover`, so a 2025-era server that exits on any
 * request before `initialize` does not spend the real server's life. The
 * probe is pinned, so a sibling never gets `initialize`. Returns the
 * revision a 2026-07-28 server offered, or `undefined` for anything else (an
 * error answer, no answer within `timeoutMs`, an exit). A command that
 * cannot run at all fails as the real connect would. The sibling's whole
 * process group is stopped (bounded) before this returns.
 */
async function probeSibling(
  spec: StdioServerCommand,
  timeoutMs: number,
  state: StdioConnectState,
): Promise<string | undefined> {
  const sibling = new StdioProcessTransport(spec, {
    discardStderr: true,
    stopStepMs: SIBLING_STOP_STEP_MS,
  });
  state.running = sibling;
  const client = new Client(CLIENT_INFO, {
    capabilities: clientCapabilities(),
    versionNegotiation: { mode: { pin: PROBE_REVISION }, probe: { timeoutMs } },
  });
  try {
    await client.connect(sibling, { timeout: timeoutMs });
    return client.getProtocolEra() === "modern" ? client.getNegotiatedProtocolVersion() : undefined;
  } catch (error) {
    if (cannotRun(error)) throw error;
    return undefined;
  } finally {
    await settleWithin(sibling.close(), SIBLING_STOP_CAP_MS);
  }
}

/** Whether the server command cannot be started at all (a missing or non-executable file). */
function cannotRun(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 10; depth++) {
    if (current instanceof StdioServerError) {
      return current.reason === "not-found" || current.reason === "not-executable";
    }
    current = current.cause;
  }
  return false;
}

async function connectHttp(
  client: McpcClient,
  server: ServerConfig,
  url: string,
  requestTimeout: number,
  options: ConnectMcpOptions,
): Promise<McpConnection> {
  // The recorder needs the guard, which wraps the transport that uses the recorder.
  const late: { guarded?: GuardedTransport } = {};
  const outbound = options.fetch ?? fetch;
  const base = options.authFetch ? options.authFetch(outbound) : outbound;
  const recorder = recordingFetch(abortableFetch(base), {
    // Only for the initialize request of a first connect: after the handshake a server
    // may accept a request with 202 and answer it on its GET stream.
    onNoAnswer: (facts) => {
      const guarded = late.guarded;
      if (options.resume || !guarded || guarded.answered) return;
      guarded.fail(new HttpEndpointError(url, facts, false));
    },
    checkAnswers: () => !options.resume && late.guarded?.answered === false,
  });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: { headers: server.headers ?? {} },
    // The GET stream carries a 2025-era server's notifications: it is opened again after any
    // outage for as long as the bridge lives (the SDK's default gives up after two tries).
    reconnectionOptions: SSE_RECONNECTION,
    sessionId: options.resume?.mcpSessionId,
    fetch: recorder.fetch,
  });
  const guarded = late.guarded = watchCursors(
    new GuardedTransport(transport, `Server at ${url}`),
  );
  try {
    await client.connect(guarded, {
      timeout: requestTimeout,
      ...(options.prior && !options.resume ? { prior: options.prior as PriorDiscovery } : {}),
    });
  } catch (error) {
    if (timedOut(error) && !guarded.failure) {
      const method = guarded.handshakeMethod ?? (options.resume ? "ping" : "initialize");
      throw new ServerSilentError(`The server at ${url}`, method, requestTimeout);
    }
    const failure = guarded.failure ?? error;
    if (failure instanceof HandshakeError || failure instanceof HttpEndpointError) throw failure;
    if (options.resume) throw failure;
    throw await explainHttpFailure(failure, url, recorder.last(), server.headers);
  }
  let initialize: StoredInitializeResult;
  if (options.resume) {
    initialize = options.resume.initialize;
    transport.setProtocolVersion(initialize.protocolVersion);
    // The verification ping fails with 404 when the server forgot the session.
    await client.ping({ timeout: requestTimeout });
    if (transport.sessionId !== options.resume.mcpSessionId) {
      await closeQuietly(client);
      throw new SessionNotResumedError(options.resume.mcpSessionId, transport.sessionId);
    }
    // A resumed session skipped `notifications/initialized`, which opens the GET stream that
    // carries the server's notifications (list changes, resource updates, log messages).
    transport.resumeStream("").catch((error) => options.onError?.(error));
  } else {
    initialize = initializeResultOf(
      client,
      client.getNegotiatedProtocolVersion() ?? transport.protocolVersion,
    );
  }
  return wrap(client, initialize, {
    transport: "streamable-http",
    resumed: options.resume !== undefined,
    sessionId: () => transport.sessionId,
    terminate: () => transport.terminateSession(),
    close: () => settleWithin(client.close(), CLOSE_CAP_MS),
  });
}

/**
 * Replaces the SDK's error for a first connect whose endpoint answered
 * something other than MCP (an HTML page, another content type, a legacy
 * HTTP+SSE endpoint, an error status) by one that says so in those words.
 * Credentials rejected (401/403) and network failures pass unchanged.
 */
async function explainHttpFailure(
  error: unknown,
  url: string,
  facts: HttpResponseFacts | undefined,
  headers: Record<string, string> | undefined,
): Promise<unknown> {
  if (error instanceof UnauthorizedError) return error;
  if (!facts || facts.status === 401 || facts.status === 403) return error;
  const wrongType = facts.status >= 200 && facts.status < 300;
  const refused = facts.status >= 400 && !isTransientStatus(facts.status);
  const legacySse = (wrongType || refused) && await isLegacySseEndpoint(url, { headers });
  return new HttpEndpointError(url, facts, legacySse, { cause: error });
}

function initializeResultOf(
  client: McpcClient,
  protocolVersion: string | undefined,
): StoredInitializeResult {
  const serverInfo = client.getServerVersion();
  return {
    protocolVersion: protocolVersion ?? "",
    capabilities: (client.getServerCapabilities() ?? {}) as Record<string, unknown>,
    serverInfo: serverInfo ? { ...serverInfo } : { name: "unknown" },
    ...(client.getInstructions() !== undefined ? { instructions: client.getInstructions() } : {}),
  };
}

interface WrapHooks {
  transport: TransportKind;
  resumed: boolean;
  sessionId: () => string | undefined;
  terminate?: () => Promise<void>;
  /** Closes the client and its transport, bounded. */
  close: () => Promise<void>;
}

function wrap(
  client: McpcClient,
  initialize: StoredInitializeResult,
  hooks: WrapHooks,
): McpConnection {
  const discover = client.getDiscoverResult();
  const modern = client.getProtocolEra() === "modern";
  const era: EraVerdict = modern && discover
    ? { kind: "modern", discover: { ...discover } }
    : { kind: "legacy" };
  const capabilities = initialize.capabilities as ServerCapabilityFlags;
  const changes = modern ? new ChangeStream(client, capabilities, () => connection) : undefined;
  let subscribed: readonly string[] = [];
  // Both eras reach this one handler: a 2025-era `elicitation/create` request, and each
  // elicitation of a 2026-07-28 input-required result (the SDK answers those rounds itself).
  const progress = new TaskProgress();
  followTaskProgress(client, progress);
  // 2026-07-28 tasks: `tasks/*` go on the transport directly, and the call that made a task
  // comes back to its caller as an error carrying the task.
  const raw = modern
    ? new RawRequests(() => client.transport, () => client.requestEnvelope())
    : undefined;
  const modernTasks = raw ? new ModernTasks(raw) : undefined;
  if (raw) takeModernAnswers(client, raw, modernTasks!);
  const questions = new InputRouter((reason, request) =>
    client.onerror?.(
      new Error(`declined a question from the server (${UNROUTED[reason]}): ${request.message}`),
    )
  );
  client.setRequestHandler(
    "elicitation/create",
    (request, ctx) => questions.answer(request.params, ctx.mcpReq.signal),
  );
  // A command-line client has no model and shares no roots (decisions.md §3.13): a server that
  // asks anyway gets the standard "method not found", in words it can pass on to its user.
  client.fallbackRequestHandler = (request) => {
    const reason = UNOFFERED[request.method] ?? "this client (mcpc) does not take it";
    client.onerror?.(new Error(`refused the server's ${request.method}: ${reason}`));
    throw new ProtocolError(
      ProtocolErrorCode.MethodNotFound,
      `Method not found: ${request.method} (${reason})`,
    );
  };
  // A 2026-era task's questions come with its `tasks/get` answers: the waiting command is asked.
  const ask = (options: CallOptions): InputHandler =>
    options.onInput ?? ((request) => questions.answer(request));
  const connection: McpConnection = {
    initialize,
    era,
    transport: hooks.transport,
    resumed: hooks.resumed,
    get sessionId() {
      return hooks.sessionId();
    },
    // The SDK's list calls walk every page; listTools() also teaches the client each tool's
    // `x-mcp-header` parameters (sent as Mcp-Param-* headers on 2026-07-28), leaving out tools
    // whose declaration is invalid.
    listTools: (options = {}) =>
      listEvery<Tool>(
        client,
        "tools/list",
        "tools",
        options,
        (sdk) => client.listTools(undefined, sdk),
      ),
    listResources: (options = {}) =>
      listEvery<Resource>(
        client,
        "resources/list",
        "resources",
        options,
        (sdk) => client.listResources(undefined, sdk),
      ),
    listResourceTemplates: (options = {}) =>
      listEvery<ResourceTemplate>(
        client,
        "resources/templates/list",
        "resourceTemplates",
        options,
        (sdk) => client.listResourceTemplates(undefined, sdk),
      ),
    listPrompts: (options = {}) =>
      listEvery<Prompt>(
        client,
        "prompts/list",
        "prompts",
        options,
        (sdk) => client.listPrompts(undefined, sdk),
      ),
    readResource: (uri, options = {}) =>
      questions.run(
        options.onInput,
        () => client.readResource({ uri }, { ...sdkOptions(options), cacheMode: "bypass" }),
      ),
    async setResourceSubscriptions(uris, options = {}) {
      const next = [...new Set(uris)];
      if (changes) {
        await changes.follow(next, sdkOptions(options));
      } else {
        for (const uri of next.filter((uri) => !subscribed.includes(uri))) {
          await client.subscribeResource({ uri }, sdkOptions(options));
        }
        for (const uri of subscribed.filter((uri) => !next.includes(uri))) {
          await client.unsubscribeResource({ uri }, sdkOptions(options));
        }
      }
      subscribed = next;
    },
    getPrompt: (name, args, options = {}) =>
      questions.run(
        options.onInput,
        () => client.getPrompt({ name, arguments: args }, sdkOptions(options)),
      ),
    async setLogLevel(level, options = {}) {
      if (modern) {
        client.logLevel = level;
        return "request";
      }
      await client.setLoggingLevel(level, sdkOptions(options));
      return "session";
    },
    callTool: (name, args, options = {}) =>
      questions.run(options.onInput, async () => {
        const started = Date.now();
        const made = await callOrTask(client, name, args, options, modern);
        if ("result" in made) return made.result;
        // The server chose to run the call as a task: the call follows it to its end, and
        // giving the call up (Ctrl+C, --timeout) cancels the task.
        return await modernTasks!.follow(made.created, {
          ...followOptions(options, started, ask(options)),
          cancelOnStop: true,
        });
      }),
    tasks: taskSupportOf(initialize.capabilities, modern),
    callToolAsTask: (name, args, options = {}) =>
      questions.run(options.onInput, async () => {
        if (modern) {
          const made = await callOrTask(client, name, args, options, true);
          return "result" in made ? made : { task: made.created.task };
        }
        // The task's progress outlives this call: it comes with a token of mcpc's own.
        const { onProgress, ...rest } = options;
        const progressToken = progress.open(onProgress);
        let taskId: string | undefined;
        try {
          const task = await createToolTask(client, name, args, {
            ...sdkOptions(rest),
            ttlMs: options.ttlMs,
            progressToken,
          });
          taskId = task.taskId;
          return { task };
        } finally {
          progress.created(progressToken, taskId);
        }
      }),
    getTask: async (taskId, options = {}) =>
      modernTasks
        ? (await modernTasks.get(taskId, rawOptions(options))).task
        : await getTask(client, taskId, sdkOptions(options)),
    taskResult: (taskId, options = {}) =>
      questions.run(
        options.onInput,
        async () => {
          if (modernTasks) {
            const started = Date.now();
            const first = await modernTasks.get(taskId, rawOptions(options));
            return await modernTasks.follow(first, {
              ...followOptions(options, started, ask(options)),
              cancelOnStop: false,
            });
          }
          const { onProgress, ...rest } = options;
          const stop = onProgress ? progress.wait(taskId, onProgress) : undefined;
          try {
            return await taskResult(client, taskId, sdkOptions(rest));
          } finally {
            stop?.();
          }
        },
        taskId,
      ),
    listTasks: (options = {}) => listTasks(client, sdkOptions(options)),
    async cancelTask(taskId, options = {}) {
      if (!modernTasks) return await cancelTask(client, taskId, sdkOptions(options));
      // The extension's cancel is an acknowledgement: the task's state afterwards says the rest
      // (a server that forgets a cancelled task at once leaves the state known before).
      await modernTasks.cancel(taskId, rawOptions(options));
      try {
        return (await modernTasks.get(taskId, rawOptions(options))).task;
      } catch (error) {
        if (options.known) return options.known;
        throw error;
      }
    },
    skills: skillAccess(client, initialize.capabilities),
    complete: (params, options = {}) => client.complete(params, sdkOptions(options)),
    // On 2026-07-28 past the SDK's decoder, which refuses results it has no type for (a task).
    request: (method, params, options = {}) =>
      raw ? raw.request(method, params, rawOptions(options)) : client.request(
        { method, params },
        specTypeSchemas.Result,
        sdkOptions(options),
      ) as Promise<
        Record<string, unknown>
      >,
    async ping(options = {}) {
      // 2026-07-28 has no ping: a `server/discover` round trip shows the server answers.
      if (modern) await client.discover(sdkOptions(options));
      else await client.ping(sdkOptions(options));
    },
    async close(options = {}) {
      client.onclose = undefined;
      raw?.failAll(new SdkError(SdkErrorCode.ConnectionClosed, "Connection closed"));
      await changes?.stop();
      if (hooks.terminate && options.endSession !== false) {
        await settleWithin(hooks.terminate(), TERMINATE_CAP_MS);
      }
      await hooks.close();
    },
  };
  client.onclose = () => {
    raw?.failAll(new SdkError(SdkErrorCode.ConnectionClosed, "Connection closed"));
    connection.onClose?.();
  };
  for (const method of FOLLOWED_NOTIFICATIONS) {
    client.setNotificationHandler(method, (notification) => {
      const { _meta: _, ...params } = (notification.params ?? {}) as Record<string, unknown>;
      connection.onNotification?.(method, params);
    });
  }
  changes?.start();
  return connection;
}

/** The capability flags that decide which changes a server can announce. */
interface ServerCapabilityFlags {
  tools?: { listChanged?: boolean };
  resources?: { listChanged?: boolean; subscribe?: boolean };
  prompts?: { listChanged?: boolean };
}

/** Longest wait before opening a dropped change stream again (ms). */
const RELISTEN_MAX_DELAY_MS = 30_000;
/** First wait before opening a dropped change stream again (ms). */
const RELISTEN_FIRST_DELAY_MS = 1_000;

/**
 * The 2026-07-28 `subscriptions/listen` stream of one connection: list
 * changes the server announces, plus the resources mcpc follows. A changed
 * set of resources opens a new stream before the old one closes (no gap);
 * a stream the server or the network ended is opened again, with backoff,
 * until the connection closes.
 */
class ChangeStream {
  readonly #client: McpcClient;
  readonly #capabilities: ServerCapabilityFlags;
  readonly #connection: () => McpConnection;
  #current?: McpSubscription;
  /** Streams this class closed itself (any other close is re-opened). */
  readonly #closedByUs = new WeakSet<McpSubscription>();
  #resources: readonly string[] = [];
  #stopped = false;
  #retry?: ReturnType<typeof setTimeout>;
  #delay = RELISTEN_FIRST_DELAY_MS;

  constructor(
    client: McpcClient,
    capabilities: ServerCapabilityFlags,
    connection: () => McpConnection,
  ) {
    this.#client = client;
    this.#capabilities = capabilities;
    this.#connection = connection;
  }

  /** Opens the stream for the server's list changes, if it announces any. */
  start(): void {
    this.#open({}).catch((error) => this.#failed(error));
  }

  /** Follows exactly `resources` from now on; rejects if the server does not honour them. */
  async follow(resources: readonly string[], options: { signal?: AbortSignal; timeout?: number }) {
    if (resources.length > 0 && !this.#capabilities.resources?.subscribe) {
      throw new McpcError("usage", "The server does not support resource subscriptions", {
        userInput: true,
      });
    }
    const previous = this.#resources;
    this.#resources = resources;
    try {
      // Only the wait for the acknowledgement is bounded: the stream itself must outlive the
      // request that opened it (its signal would close the stream once the CLI hangs up).
      const honoured = await this.#open(
        options.timeout === undefined ? {} : {
          timeout: options.timeout,
        },
      );
      const refused = resources.filter((uri) => !honoured.includes(uri));
      if (refused.length > 0) {
        throw new McpcError(
          "server",
          `The server did not accept the subscription to ${refused.join(", ")}`,
        );
      }
    } catch (error) {
      this.#resources = previous;
      if (this.#current === undefined) this.#schedule();
      throw error;
    }
  }

  /** Closes the stream for good. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    const current = this.#current;
    this.#current = undefined;
    if (current) await this.#close(current);
  }

  #close(subscription: McpSubscription): Promise<void> {
    this.#closedByUs.add(subscription);
    return settleWithin(subscription.close(), CLOSE_CAP_MS);
  }

  #filter(): SubscriptionFilter {
    const caps = this.#capabilities;
    return {
      ...(caps.tools?.listChanged ? { toolsListChanged: true } : {}),
      ...(caps.resources?.listChanged ? { resourcesListChanged: true } : {}),
      ...(caps.prompts?.listChanged ? { promptsListChanged: true } : {}),
      ...(this.#resources.length > 0 ? { resourceSubscriptions: [...this.#resources] } : {}),
    };
  }

  /** Opens a stream for the current filter, then closes the previous one; returns the honoured URIs. */
  async #open(options: { timeout?: number }): Promise<string[]> {
    if (this.#stopped) return [];
    clearTimeout(this.#retry);
    const filter = this.#filter();
    const previous = this.#current;
    if (Object.keys(filter).length === 0) {
      this.#current = undefined;
      if (previous) await this.#close(previous);
      return [];
    }
    const next = await this.#client.listen(filter, options);
    if (this.#stopped) {
      await this.#close(next);
      return [];
    }
    this.#current = next;
    this.#delay = RELISTEN_FIRST_DELAY_MS;
    if (previous) await this.#close(previous);
    next.closed.then((reason) => {
      if (this.#current !== next || this.#stopped || this.#closedByUs.has(next)) return;
      this.#current = undefined;
      this.#connection().onListenError?.(
        new Error(`the server's change stream ended (${reason}); opening it again`),
      );
      this.#schedule();
    });
    return [...(next.honoredFilter.resourceSubscriptions ?? [])];
  }

  #failed(error: unknown): void {
    this.#connection().onListenError?.(error);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped) return;
    clearTimeout(this.#retry);
    const delay = this.#delay;
    this.#delay = Math.min(this.#delay * 2, RELISTEN_MAX_DELAY_MS);
    this.#retry = setTimeout(() => {
      this.#open({}).then((honoured) => {
        const refused = this.#resources.filter((uri) => !honoured.includes(uri));
        if (refused.length > 0) {
          this.#connection().onListenError?.(
            new Error(`the server no longer accepts the subscription to ${refused.join(", ")}`),
          );
        }
      }, (error) => this.#failed(error));
    }, delay);
    Deno.unrefTimer(this.#retry);
  }
}

/** The items of an aggregated list with the first page's cache hint. */
function listed<T>(items: T[], result: Record<string, unknown>): ListedItems<T> {
  return typeof result.ttlMs === "number" ? { items, ttlMs: result.ttlMs } : { items };
}

/** A list method and the key of its items. */
type ListMethod = "tools/list" | "resources/list" | "resources/templates/list" | "prompts/list";

/**
 * Every item of a list: through the SDK's list call (`viaSdk`, which walks
 * the pages), or, on a resumed 2025-era session whose client skipped the
 * handshake and so does not know the server's capabilities, by method name
 * page after page. The transport's cursor watch bounds either walk.
 */
async function listEvery<T>(
  client: McpcClient,
  method: ListMethod,
  key: string,
  options: CallOptions,
  viaSdk: (sdk: ReturnType<typeof cacheable>) => Promise<object>,
): Promise<ListedItems<T>> {
  if (client.getServerCapabilities() !== undefined) {
    const result = await viaSdk(cacheable(options)) as Record<string, unknown>;
    return listed(result[key] as T[], result);
  }
  const all: T[] = [];
  let cursor: string | undefined;
  let first: Record<string, unknown> | undefined;
  do {
    const page = await client.request(
      { method, params: cursor ? { cursor } : {} },
      sdkOptions(options),
    ) as Record<string, unknown>;
    first ??= page;
    all.push(...(page[key] as T[]));
    cursor = typeof page.nextCursor === "string" ? page.nextCursor : undefined;
  } while (cursor);
  return listed(all, first);
}

/** Request options that always fetch from the server (mcpc keeps its own cache). */
function cacheable(options: CallOptions): {
  signal?: AbortSignal;
  timeout?: number;
  cacheMode: "refresh";
} {
  return { ...sdkOptions(options), cacheMode: "refresh" };
}

function sdkOptions(
  options: CallOptions,
): { signal?: AbortSignal; timeout?: number; onprogress?: (report: ProgressReport) => void } {
  const { onProgress } = options;
  return {
    signal: options.signal,
    timeout: options.timeoutMs,
    ...(onProgress
      ? {
        onprogress: ({ progress, total, message }: ProgressReport) =>
          onProgress({
            progress,
            ...(total !== undefined ? { total } : {}),
            ...(message !== undefined ? { message } : {}),
          }),
      }
      : {}),
  };
}

/**
 * A `tools/call`: its result, or (on a 2026-era connection, `modern`) the
 * task the server made of it. A malformed task fails as any invalid result
 * does.
 */
async function callOrTask(
  client: McpcClient,
  name: string,
  args: Record<string, unknown>,
  options: CallOptions & { tool?: Tool },
  modern: boolean,
): Promise<{ result: CallToolResult } | { created: ModernTask }> {
  try {
    const result = await client.callTool({ name, arguments: args }, {
      ...sdkOptions(options),
      ...(options.tool ? { toolDefinition: options.tool } : {}),
    });
    return { result: result as CallToolResult };
  } catch (error) {
    if (!modern) throw error;
    const created = createdTaskOf(error);
    if (created) return { created };
    throw invalidCreatedTask(error) ?? error;
  }
}

/** How a 2026-era task is followed for a call begun at `started`: what is left of its bound. */
function followOptions(
  options: CallOptions,
  started: number,
  ask: InputHandler,
): Omit<FollowOptions, "cancelOnStop"> {
  return {
    signal: options.signal,
    ...(options.timeoutMs === undefined
      ? {}
      : { timeoutMs: Math.max(0, options.timeoutMs - (Date.now() - started)) }),
    ...(options.onTask ? { onTask: options.onTask } : {}),
    ask,
  };
}

function rawOptions(options: CallOptions): RawRequestOptions {
  return { signal: options.signal, timeoutMs: options.timeoutMs };
}

/** Requests given up (`notifications/cancelled` sent) whose late answers are watched for a task. */
const MAX_ABANDONED = 1_000;

/**
 * Takes the answers to mcpc's own requests off the transport before the SDK
 * sees them, and turns a `tools/call` answer that made a task into the error
 * that carries it back to the caller (2026-07-28). A task made by a call
 * given up meanwhile (its answer comes after the SDK's
 * `notifications/cancelled`) is nobody's: it is cancelled.
 */
export function takeModernAnswers(
  client: Pick<McpcClient, "transport">,
  raw: RawRequests,
  tasks: Pick<ModernTasks, "cancel">,
): void {
  const transport = client.transport;
  const deliver = transport?.onmessage;
  const send = transport?.send;
  if (!transport || !deliver || !send) return;
  const abandoned = new Set<unknown>();
  transport.send = (message, options) => {
    const notification = message as { method?: string; params?: { requestId?: unknown } };
    if (notification.method === "notifications/cancelled") {
      abandoned.add(notification.params?.requestId);
      if (abandoned.size > MAX_ABANDONED) abandoned.delete(abandoned.values().next().value);
    }
    return send.call(transport, message, options);
  };
  transport.onmessage = (message, extra) => {
    if (raw.take(message)) return;
    const id = (message as { id?: unknown }).id;
    const rewritten = takeTaskCreation(message);
    if (id !== undefined && abandoned.delete(id)) {
      const created = taskOfAnswer(rewritten);
      if (created) {
        tasks.cancel(created.task.taskId, { timeoutMs: ABANDONED_CANCEL_TIMEOUT_MS }).catch(
          () => {},
        );
      }
    }
    deliver.call(transport, rewritten, extra);
  };
}

/** Bound on cancelling the task of a call given up (ms). */
const ABANDONED_CANCEL_TIMEOUT_MS = 5_000;

/**
 * Hands the progress notifications of mcpc's task tokens to `progress`
 * before the SDK sees them (it knows only the tokens of requests in flight).
 */
function followTaskProgress(client: McpcClient, progress: TaskProgress): void {
  const transport = client.transport;
  const deliver = transport?.onmessage;
  if (!transport || !deliver) return;
  transport.onmessage = (message, extra) => {
    const notification = message as { method?: unknown; params?: unknown };
    if (
      notification.method === "notifications/progress" &&
      typeof notification.params === "object" && notification.params !== null &&
      progress.take(
        notification.params as Parameters<TaskProgress["take"]>[0],
        relatedTaskId(notification.params as { _meta?: Record<string, unknown> }),
      )
    ) return;
    deliver.call(transport, message, extra);
  };
}

async function closeQuietly(client: McpcClient): Promise<void> {
  await settleWithin(client.close(), CLOSE_CAP_MS);
}
