/**
 * The bridge's core: owns one MCP connection, answers IPC requests through a
 * typed dispatch table, keeps the session record honest, and shuts down cleanly.
 *
 * Layer: edge (talks to the store, the MCP connection and timers).
 * @module
 */

import { McpcError } from "../errors.ts";
import { applyStringSchema } from "../mcp/argument_coercion.ts";
import { classifyMcpError } from "../mcp/classify_error.ts";
import { toolNotFoundMessage } from "../render/hints.ts";
import { settleWithin } from "../platform/settle.ts";
import type { McpConnection } from "../mcp/client.ts";
import type { Tool } from "../mcp/types.ts";
import type { ProcessGroupIdentity } from "../platform/process.ts";
import type { SessionRecord } from "../session/session.ts";
import type { SessionStore } from "../session/session_store.ts";
import { startKeepalive, type Timers } from "./keepalive.ts";
import type { BridgeLog } from "./log.ts";
import {
  type BridgeStartConfig,
  HEARTBEAT_INTERVAL_MS,
  IPC_PROTOCOL_VERSION,
  type MethodName,
  type ParamsOf,
  type ResultOf,
  type WireError,
} from "./protocol.ts";

/** How long a bridge whose connection failed keeps answering with the error (ms). */
export const STARTUP_FAILURE_LINGER_MS = 10_000;
/** The same for a bridge a listing started in the background, which no CLI waits for (ms). */
export const BACKGROUND_FAILURE_LINGER_MS = 1_000;
/** Delay between marking a session expired/unauthorized and shutting down (ms). */
export const FAILURE_SHUTDOWN_DELAY_MS = 100;
/** Extra time the SDK gets beyond the CLI's timeout, so the CLI's cancel comes first (ms). */
const SDK_TIMEOUT_MARGIN_MS = 2_000;
/** Stdio stderr kept for startup errors. */
const STDERR_TAIL_LINES = 50;
const STDERR_TAIL_CHARS = 8_000;

/** Everything the bridge core needs from its composition root. */
export interface BridgeDeps {
  /** The start config received on stdin. */
  config: BridgeStartConfig;
  /** Opens the MCP connection. */
  connect: (hooks: ConnectHooks) => Promise<McpConnection>;
  /** The session store. */
  store: SessionStore;
  /** The bridge log. */
  log: BridgeLog;
  /** This process's PID. */
  pid: number;
  /** Clock. */
  now: () => number;
  /** Called once after shutdown finished. */
  onStopped: () => void;
  /** Timers of the keepalive (default: real, unref'd timers). */
  keepaliveTimers?: Timers;
  /** Called after each successful keepalive ping (the bridge did some work). */
  onKeepalive?: () => void;
}

/** What the bridge wants to hear about while a connection opens. */
export interface ConnectHooks {
  /** Each line a stdio server writes to stderr. */
  onStderrLine: (line: string) => void;
  /** A stdio server's process group runs. */
  onServerProcess: (group: ProcessGroupIdentity) => void;
  /** A stdio server's process group is gone. */
  onServerStopped: () => void;
  /** How to close the transport while the handshake still runs (the closer is bounded). */
  onTransport: (close: () => Promise<void>) => void;
}

/** Per-request context from the IPC layer. */
export interface RequestContext {
  /** Aborted when the CLI cancels or disconnects. */
  signal: AbortSignal;
  /** The CLI's timeout for this request (ms). */
  timeoutMs?: number;
}

type Handler<M extends MethodName> = (
  params: ParamsOf<M>,
  context: RequestContext,
) => Promise<ResultOf<M>>;
type HandlerTable = { [M in MethodName]: Handler<M> };

/** One session's bridge. */
export class Bridge {
  #deps: BridgeDeps;
  #ready: Promise<McpConnection>;
  #connection?: McpConnection;
  #tools?: Tool[];
  #stderrTail: string[] = [];
  #stopKeepalive?: () => void;
  #stopping?: Promise<void>;
  #handlers: HandlerTable;
  #onShutdownHooks: (() => void)[] = [];
  #timers = new Set<ReturnType<typeof setTimeout>>();
  #closeTransport?: () => Promise<void>;
  /** The record update that forgets a stopped server group, awaited before the bridge stops. */
  #serverForgotten?: Promise<void>;
  /** Counts tool list changes, so a listing that started before one is not cached. */
  #toolsGeneration = 0;
  #connectMs?: number;

  constructor(deps: BridgeDeps) {
    this.#deps = deps;
    this.#handlers = this.#createHandlers();
    this.#ready = this.#start();
    // The failure is delivered to requests; never an unhandled rejection.
    this.#ready.catch(() => {});
  }

  /** Resolves once the MCP connection is up; rejects with the classified startup error. */
  get ready(): Promise<McpConnection> {
    return this.#ready;
  }

  /** Registers a hook run at the start of shutdown (e.g. closing the socket listener). */
  onShutdown(hook: () => void): void {
    this.#onShutdownHooks.push(hook);
  }

  /** Runs one IPC request; errors come back as {@linkcode WireError}s. */
  async handle(
    method: MethodName,
    params: unknown,
    context: RequestContext,
  ): Promise<{ result: unknown } | { error: WireError }> {
    const handler = this.#handlers[method] as Handler<MethodName>;
    try {
      return { result: await handler(params as ParamsOf<MethodName>, context) };
    } catch (error) {
      return {
        error: await this.#toWireError(error, operationLabel(method, params), context.signal),
      };
    }
  }

  /**
   * Stops the bridge: keepalive, listeners, MCP session, record update.
   * `endSession: false` leaves the MCP session open on the server (another
   * bridge has taken it over); otherwise it is ended with HTTP `DELETE`.
   */
  shutdown(reason: string, options: { endSession?: boolean } = {}): Promise<void> {
    this.#stopping ??= this.#shutdown(reason, options.endSession ?? true);
    return this.#stopping;
  }

  #createHandlers(): HandlerTable {
    const { config, pid } = this.#deps;
    return {
      hello: (params) => {
        if (params.version !== IPC_PROTOCOL_VERSION) {
          throw new McpcError(
            "usage",
            `IPC protocol mismatch: bridge speaks ${IPC_PROTOCOL_VERSION}, client ${params.version}; run "mcpc ${config.sessionName} restart"`,
          );
        }
        return Promise.resolve({
          version: IPC_PROTOCOL_VERSION,
          sessionName: config.sessionName,
          pid,
          heartbeatMs: HEARTBEAT_INTERVAL_MS,
        });
      },
      serverDetails: async (_params, context) => {
        const connection = await this.#ready;
        const tools = connection.initialize.capabilities.tools
          ? await this.#cachedTools(context)
          : undefined;
        return {
          initialize: connection.initialize,
          ...(tools ? { tools } : {}),
          connection: {
            transport: connection.transport,
            resumed: connection.resumed,
            ...(this.#connectMs !== undefined ? { connectMs: this.#connectMs } : {}),
          },
        };
      },
      listTools: async (params, context) => {
        const connection = await this.#ready;
        const tools = params.refresh || !this.#tools
          ? await this.#fetchTools(connection, sdkOptions(context))
          : this.#tools;
        return { tools };
      },
      callTool: async (params, context) => {
        const connection = await this.#ready;
        const tool = await this.#findTool(params.name, context);
        const args = applyStringSchema(params.arguments, params.typedText, tool?.inputSchema);
        return await connection.callTool(params.name, args, sdkOptions(context));
      },
      ping: async (_params, context) => {
        const connection = await this.#ready;
        const started = performance.now();
        await connection.ping(sdkOptions(context));
        this.#markSeen();
        return { durationMs: Math.round(performance.now() - started) };
      },
      shutdown: () => {
        setTimeout(() => this.shutdown("shutdown requested over IPC"), 0);
        return Promise.resolve({ stopping: true as const });
      },
    };
  }

  /**
   * The tool named `name`, from the cache or (on a miss) one fresh listing.
   * Fails with `Tool not found` when the server lists tools and not this one;
   * `undefined` when the tools cannot be listed (the call then goes ahead).
   */
  async #findTool(name: string, context: RequestContext): Promise<Tool | undefined> {
    const connection = await this.#ready;
    if (!connection.initialize.capabilities.tools) return undefined;
    let tools = await this.#cachedTools(context);
    let tool = tools?.find((candidate) => candidate.name === name);
    if (tools && !tool) {
      try {
        tools = await this.#fetchTools(connection, sdkOptions(context));
      } catch (error) {
        this.#deps.log.warn(`Cannot refresh the tools cache: ${String(error)}`);
        return undefined;
      }
      tool = tools.find((candidate) => candidate.name === name);
      if (!tool) {
        throw new McpcError(
          "usage",
          toolNotFoundMessage(this.#deps.config.sessionName, name, {
            known: tools.map((candidate) => candidate.name),
            command: "tools-call",
          }),
          { userInput: true },
        );
      }
    }
    return tool;
  }

  /** Lists every tool and caches the list, unless the server changed its tools meanwhile. */
  async #fetchTools(
    connection: McpConnection,
    options?: { signal?: AbortSignal; timeoutMs?: number },
  ): Promise<Tool[]> {
    const generation = this.#toolsGeneration;
    const tools = await connection.listAllTools(options);
    if (generation === this.#toolsGeneration) this.#tools = tools;
    return tools;
  }

  /** The cached tools, listed now (within the request's signal and timeout) when there are none. */
  async #cachedTools(context: RequestContext): Promise<Tool[] | undefined> {
    if (this.#tools) return this.#tools;
    try {
      return await this.#fetchTools(await this.#ready, sdkOptions(context));
    } catch (error) {
      this.#deps.log.warn(`Cannot fill the tools cache: ${String(error)}`);
    }
    return this.#tools;
  }

  async #start(): Promise<McpConnection> {
    const { config, log } = this.#deps;
    log.info(`Connecting to ${config.label}${config.resume ? " (resuming MCP session)" : ""}`);
    let connection: McpConnection;
    let group: ProcessGroupIdentity | undefined;
    const started = performance.now();
    try {
      connection = await this.#deps.connect({
        onStderrLine: (line) => this.#onStderr(line),
        onServerProcess: (started) => {
          group = started;
          log.info(`Server process group ${started.pgid} started`);
          this.#patchOwn((record) => {
            record.serverProcess = started;
          });
        },
        onServerStopped: () => {
          log.info("Server process group stopped");
          // By group, not by owner: a bridge that failed its start gave up the PID already.
          const pgid = group?.pgid;
          this.#serverForgotten = this.#deps.store.patch(config.sessionName, (record) => {
            if (record.serverProcess?.pgid === pgid) delete record.serverProcess;
          }).then(
            () => {},
            (error) => log.warn(`Cannot update the session record: ${String(error)}`),
          );
        },
        onTransport: (close) => this.#closeTransport = close,
      });
    } catch (error) {
      if (this.#stopping) throw new McpcError("network", "The bridge was stopped while connecting");
      const classified = classifyMcpError(error, {
        url: config.label,
        hadSession: config.resume !== undefined,
        phase: "connect",
      });
      log.error(`Connection failed: ${classified.message}`);
      // Giving up the PID says "no attempt runs": the next command or listing starts a new
      // bridge, while this one lingers to answer the CLIs that already wait on it.
      await this.#patchOwn((record) => {
        record.status = classified.sessionStatus ?? "crashed";
        record.consecutiveFailures = (record.consecutiveFailures ?? 0) + 1;
        delete record.pid;
      });
      this.#scheduleShutdown(
        config.background ? BACKGROUND_FAILURE_LINGER_MS : STARTUP_FAILURE_LINGER_MS,
        "startup failed",
      );
      const tail = this.#stderrTail.length
        ? `\n\nRecent server stderr:\n${this.#stderrTail.map((line) => `  ${line}`).join("\n")}`
        : "";
      const prefix = classified.kind === "network" ? "Failed to connect to MCP server: " : "";
      throw new McpcError(classified.kind, `${prefix}${classified.message}${tail}`);
    }
    if (this.#stopping) {
      // Stopped (e.g. SIGTERM) while the handshake ran: end what just opened.
      await connection.close({ endSession: true });
      throw new McpcError("network", "The bridge was stopped while connecting");
    }
    this.#connection = connection;
    this.#connectMs = Math.round(performance.now() - started);
    // Another bridge may have taken the session over while this one connected (a restart
    // racing a listing's retry): leave at once instead of at the next keepalive.
    const owner = await this.#deps.store.get(config.sessionName).catch(() => null);
    if (owner !== null && owner?.pid !== this.#deps.pid) {
      const shared = owner?.mcpSessionId !== undefined &&
        owner.mcpSessionId === connection.sessionId;
      this.shutdown(
        owner ? `session taken over by pid ${owner.pid} while connecting` : "session closed",
        { endSession: !shared },
      );
      throw new McpcError(
        "network",
        "Another bridge took over the session while this one connected",
      );
    }
    connection.onClose = () => {
      log.warn("MCP connection closed by the server");
      this.shutdown("MCP connection closed");
    };
    connection.onToolsChanged = () => {
      // The next request that needs the tools (details, tools-get, a call's schema) lists them anew.
      this.#tools = undefined;
      this.#toolsGeneration++;
      log.info("The server's tool list changed");
      this.#patchOwn((record) => {
        record.notifications = {
          ...record.notifications,
          tools: {
            ...record.notifications?.tools,
            listChangedAt: new Date(this.#deps.now()).toISOString(),
          },
        };
      });
    };
    const info = connection.initialize.serverInfo;
    log.info(
      `Connected to ${info.name} ${
        info.version ?? ""
      } over ${connection.transport} (protocol ${connection.initialize.protocolVersion}${
        connection.resumed ? ", resumed" : ""
      }) in ${this.#connectMs} ms`,
    );
    await this.#patchOwn((record) => {
      record.status = "active";
      record.lastSeenAt = new Date(this.#deps.now()).toISOString();
      record.serverInfo = connection.initialize.serverInfo;
      if (connection.initialize.protocolVersion) {
        record.protocolVersion = connection.initialize.protocolVersion;
      }
      record.initializeResult = connection.initialize;
      record.era = { ...connection.era, decidedAt: new Date(this.#deps.now()).toISOString() };
      delete record.consecutiveFailures;
      if (connection.sessionId) record.mcpSessionId = connection.sessionId;
      else delete record.mcpSessionId;
    });
    // A shutdown that began during the awaits above closed the connection already.
    if (this.#stopping) throw new McpcError("network", "The bridge was stopped while connecting");
    this.#stopKeepalive = startKeepalive({
      timers: this.#deps.keepaliveTimers,
      ping: () => connection.ping(),
      onSuccess: () => {
        this.#deps.onKeepalive?.();
        return this.#markSeenOrLeave();
      },
      onFailure: async (error) => {
        const classified = classifyMcpError(error, {
          url: config.label,
          hadSession: connection.sessionId !== undefined,
        });
        log.warn(`Keepalive ping failed: ${classified.message}`);
        if (!classified.sessionStatus) return true;
        await this.#persistFailure(classified);
        this.#scheduleShutdown(FAILURE_SHUTDOWN_DELAY_MS, `session ${classified.sessionStatus}`);
        return false;
      },
    });
    return connection;
  }

  #onStderr(line: string): void {
    this.#deps.log.info(`[server stderr] ${line}`);
    const clipped = line.length > STDERR_TAIL_CHARS ? `${line.slice(0, STDERR_TAIL_CHARS)}…` : line;
    this.#stderrTail.push(clipped);
    while (
      this.#stderrTail.length > STDERR_TAIL_LINES ||
      this.#stderrTail.reduce((sum, item) => sum + item.length, 0) > STDERR_TAIL_CHARS
    ) {
      if (this.#stderrTail.length === 1) break;
      this.#stderrTail.shift();
    }
  }

  async #toWireError(
    error: unknown,
    operation: string,
    signal?: AbortSignal,
  ): Promise<WireError> {
    if (error instanceof McpcError) {
      return {
        kind: error.kind,
        message: error.message,
        ...(error.userInput ? { userInput: true } : {}),
      };
    }
    const classified = classifyMcpError(error, {
      url: this.#deps.config.label,
      hadSession: this.#connection?.sessionId !== undefined,
      operation,
    });
    if (signal?.aborted) {
      // The CLI cancelled (timeout, Ctrl+C) or hung up: routine, not an error of the server.
      this.#deps.log.debug(`${operation}: cancelled (${String(signal.reason?.message ?? "")})`);
      return { kind: "network", message: classified.message };
    }
    this.#deps.log.error(classified.message);
    if (classified.sessionStatus) {
      await this.#persistFailure(classified);
      this.#scheduleShutdown(FAILURE_SHUTDOWN_DELAY_MS, `session ${classified.sessionStatus}`);
    }
    const requestOnly = classified.kind === "auth" && !classified.sessionStatus;
    return {
      kind: classified.kind,
      message: classified.message,
      ...(requestOnly ? { requestOnly: true } : {}),
    };
  }

  async #persistFailure(
    classified: { sessionStatus?: "expired" | "unauthorized" },
  ): Promise<void> {
    const status = classified.sessionStatus;
    if (!status) return;
    await this.#patchOwn((record) => {
      record.status = status;
    });
  }

  /**
   * After a keepalive: record `lastSeenAt`, or shut down when the record no
   * longer names this bridge (closed, or another bridge took over).
   */
  async #markSeenOrLeave(): Promise<void> {
    const owner = await this.#deps.store.get(this.#deps.config.sessionName).catch(() => null);
    if (owner === null) return;
    if (owner === undefined) {
      this.shutdown("session no longer exists");
      return;
    }
    if (owner.pid !== this.#deps.pid) {
      // End our MCP session only if the new owner did not resume this very one.
      const shared = owner.mcpSessionId !== undefined &&
        owner.mcpSessionId === this.#connection?.sessionId;
      this.shutdown(`session taken over by pid ${owner.pid}`, { endSession: !shared });
      return;
    }
    this.#markSeen();
  }

  #markSeen(): void {
    this.#patchOwn((record) => {
      record.lastSeenAt = new Date(this.#deps.now()).toISOString();
    }).catch((error) => this.#deps.log.warn(`Cannot record lastSeenAt: ${String(error)}`));
  }

  /** Changes the session record only while it still names this bridge. */
  async #patchOwn(fn: (record: SessionRecord) => void): Promise<void> {
    try {
      await this.#deps.store.patch(this.#deps.config.sessionName, (record) => {
        if (record.pid === this.#deps.pid) fn(record);
      });
    } catch (error) {
      this.#deps.log.error(`Cannot update the session record: ${String(error)}`);
    }
  }

  #scheduleShutdown(delayMs: number, reason: string): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.shutdown(reason);
    }, delayMs);
    this.#timers.add(timer);
  }

  async #shutdown(reason: string, endSession: boolean): Promise<void> {
    const { log } = this.#deps;
    log.info(`Shutting down: ${reason}`);
    this.#stopKeepalive?.();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const hook of this.#onShutdownHooks) {
      try {
        hook();
      } catch (error) {
        log.warn(`Shutdown step failed: ${String(error)}`);
      }
    }
    const connection = this.#connection;
    if (connection) {
      connection.onClose = undefined;
      await connection.close({ endSession });
    } else if (this.#closeTransport) {
      // The handshake still runs: end it (a stdio server's group is stopped).
      await this.#closeTransport();
    }
    // The MCP session id stays even after a DELETE: the next bridge tries to
    // resume it and the server's rejection marks the session expired, so a
    // new MCP session only ever starts with an explicit restart (reference §6.8).
    await this.#patchOwn((record) => {
      delete record.pid;
      if (
        record.status === "active" || record.status === "connecting" ||
        record.status === "reconnecting"
      ) {
        record.status = "crashed";
      }
    });
    // A connection still opening is ended by #start once it arrives; give it a moment.
    await settleWithin(this.#ready, READY_SETTLE_MS);
    if (this.#serverForgotten) await settleWithin(this.#serverForgotten, READY_SETTLE_MS);
    log.info("Bridge stopped");
    this.#deps.onStopped();
  }
}

/** How long shutdown waits for a handshake in flight to finish (ms). */
const READY_SETTLE_MS = 2_000;

/** Longest timer the runtime keeps (ms); a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The SDK options for a request: the CLI's signal, and its timeout plus a margin (capped). */
export function sdkOptions(context: RequestContext): { signal: AbortSignal; timeoutMs?: number } {
  return {
    signal: context.signal,
    timeoutMs: context.timeoutMs === undefined
      ? undefined
      : Math.min(context.timeoutMs + SDK_TIMEOUT_MARGIN_MS, MAX_TIMER_MS),
  };
}

function operationLabel(method: MethodName, params: unknown): string {
  switch (method) {
    case "listTools":
      return "Failed to list tools";
    case "callTool":
      return `Failed to call tool ${(params as ParamsOf<"callTool">).name}`;
    case "ping":
      return "Ping failed";
    default:
      return `Request ${method} failed`;
  }
}
