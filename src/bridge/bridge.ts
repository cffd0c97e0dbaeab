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
import type {
  CallOptions,
  FollowedNotification,
  ListedItems,
  McpConnection,
  ProgressReport,
} from "../mcp/client.ts";
import type { InputHandler } from "../mcp/input_router.ts";
import type { CallToolResult, Task } from "../mcp/types.ts";
import { awaitTask, noteTask, recordedTasks } from "./task_runner.ts";
import { proxyFor, type ProxyInUse } from "../config/proxy_env.ts";
import { TERMINAL_STATUSES } from "../mcp/task_status.ts";
import type { LoggingLevel, Prompt, Resource, ResourceTemplate, Tool } from "../mcp/sdk.ts";
import type { ProcessGroupIdentity } from "../platform/process.ts";
import type { NotificationTimes, SessionRecord } from "../session/session.ts";
import type { SessionStore } from "../session/session_store.ts";
import { startKeepalive, type Timers } from "./keepalive.ts";
import type { BridgeLog } from "./log.ts";
import {
  type BridgeStartConfig,
  HEARTBEAT_INTERVAL_MS,
  IPC_PROTOCOL_VERSION,
  type MethodName,
  type NotificationEntry,
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
  /**
   * Starts serving the session to other clients (`connect --proxy`) once the
   * connection is up, before the session counts as active; resolves with how
   * to stop. A failure fails the bridge's start with its message.
   */
  serve?: (bridge: Bridge, connection: McpConnection) => Promise<() => Promise<void>>;
  /** Pays for tool calls (`connect --x402`). */
  payer?: ToolPayer;
}

/** What pays for tool calls: ahead of a call, and once more after a result that asks for it. */
export interface ToolPayer {
  beforeCall(name: string, tool: Tool | undefined): Promise<void>;
  /** Whether the result asked for a payment that is now made (the call is made once more). */
  afterCall(name: string, result: CallToolResult): Promise<boolean>;
  /** Forgets payments made for a call that failed. */
  drop(name: string): void;
  /** Runs `run` after the other paid calls of `name` (a payment goes with its own call). */
  exclusive<T>(name: string, run: () => Promise<T>): Promise<T>;
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
  /** Sends a notification to the CLI that made this request (for `notifications --follow`). */
  notify?: (entry: NotificationEntry) => void;
  /** Passes the server's progress reports to the CLI, when it shows them. */
  onProgress?: (report: ProgressReport) => void;
  /** Asks the CLI the server's questions, when it can answer them. */
  onInput?: InputHandler;
  /** Tells the CLI about the task made for its request (created, status changes). */
  onTask?: (task: Task) => void;
}

/** How long notification times wait, to be written into the record together (ms). */
export const NOTIFICATION_WRITE_DELAY_MS = 250;

/** How many server notifications a bridge remembers for `mcpc @s notifications`. */
export const NOTIFICATION_HISTORY = 200;

/** The lists a bridge caches. */
type ListKind = "tools" | "resources" | "resourceTemplates" | "prompts";

/** One cached list. */
interface CachedList<T> {
  items: T[];
  /** When the server's cache hint (2026-07-28 `ttlMs`) makes it stale (ms since epoch). */
  expiresAt?: number;
}

/** Longest a server's cache hint keeps a list (ms): a day, as the SDK caps it. */
const MAX_CACHE_TTL_MS = 24 * 60 * 60 * 1000;

/** A list walk in flight and the requests waiting for it. */
interface SharedWalk<T> {
  items: Promise<T[]>;
  controller: AbortController;
  waiters: number;
}

/** `promise`, or a rejection with the signal's reason once `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener("abort", abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}

/** What each cached list holds. */
interface ListTypes {
  tools: Tool;
  resources: Resource;
  resourceTemplates: ResourceTemplate;
  prompts: Prompt;
}

/** The record key and cached lists each list-changed notification concerns. */
const LIST_CHANGES: Partial<Record<FollowedNotification, { kind: string; lists: ListKind[] }>> = {
  "notifications/tools/list_changed": { kind: "tools", lists: ["tools"] },
  "notifications/resources/list_changed": {
    kind: "resources",
    lists: ["resources", "resourceTemplates"],
  },
  "notifications/prompts/list_changed": { kind: "prompts", lists: ["prompts"] },
};

/** What each list is called in messages. */
const LIST_LABELS: Record<ListKind, string> = {
  tools: "tools",
  resources: "resources",
  resourceTemplates: "resource templates",
  prompts: "prompts",
};

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
  #lists: { [K in ListKind]?: CachedList<ListTypes[K]> } = {};
  /** Counts changes of each list, so a listing that started before one is not cached. */
  #listGenerations: Record<ListKind, number> = {
    tools: 0,
    resources: 0,
    resourceTemplates: 0,
    prompts: 0,
  };
  /** The list walks in flight, by list. */
  #walks: { [K in ListKind]?: SharedWalk<unknown> } = {};
  #notifications: NotificationEntry[] = [];
  /** CLIs following the notifications: how to tell each one, and how to end its request. */
  #followers = new Map<(entry: NotificationEntry) => void, () => void>();
  #startedAt: string;
  /** The resources followed (also in the record, for the next bridge). */
  #subscriptions: string[] = [];
  /** Serializes changes of the subscriptions. */
  #subscribing: Promise<unknown> = Promise.resolve();
  /** Notification times not yet written into the record. */
  #pendingTimes: Record<string, NotificationTimes> = {};
  #timesTimer?: ReturnType<typeof setTimeout>;
  #stderrTail: string[] = [];
  #stopKeepalive?: () => void;
  #stopping?: Promise<void>;
  #handlers: HandlerTable;
  #onShutdownHooks: (() => void)[] = [];
  #timers = new Set<ReturnType<typeof setTimeout>>();
  #closeTransport?: () => Promise<void>;
  /** The record update that forgets a stopped server group, awaited before the bridge stops. */
  #serverForgotten?: Promise<void>;
  #connectMs?: number;
  /** Listeners of the server's notifications other than the CLIs (the proxy). */
  #watchers = new Set<(method: FollowedNotification, params: Record<string, unknown>) => void>();
  /** The resources the proxy's clients follow, besides {@linkcode Bridge.#subscriptions}. */
  #proxySubscriptions: string[] = [];
  /** Stops serving the session to other clients. */
  #stopServing?: () => Promise<void>;

  constructor(deps: BridgeDeps) {
    this.#deps = deps;
    this.#startedAt = new Date(deps.now()).toISOString();
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

  /**
   * Runs one request of a client other than the CLI (the proxy) on the
   * connection. A failure that ends the session (expired, unauthorized) is
   * recorded and handled as for the CLI's requests; the error comes back as
   * thrown, so protocol errors keep their codes.
   */
  async serve<T>(
    operation: string,
    run: (connection: McpConnection) => Promise<T>,
    signal: AbortSignal,
  ): Promise<T> {
    const connection = await this.#ready;
    try {
      return await run(connection);
    } catch (error) {
      if (!(error instanceof McpcError)) await this.#toWireError(error, operation, signal);
      throw error;
    }
  }

  /**
   * Calls a tool, paying for it when the session pays (`connect --x402`):
   * ahead when its definition names a price, and once more when its result
   * asks for payment.
   */
  async callTool(
    connection: McpConnection,
    name: string,
    args: Record<string, unknown>,
    options: CallOptions & { tool?: Tool },
  ): Promise<CallToolResult> {
    const payer = this.#deps.payer;
    if (!payer) return await connection.callTool(name, args, options);
    return await payer.exclusive(name, async () => {
      try {
        await payer.beforeCall(name, options.tool);
        const result = await connection.callTool(name, args, options);
        if (!await payer.afterCall(name, result)) return result;
        return await connection.callTool(name, args, options);
      } catch (error) {
        // A payment mcpc refuses to make (over the limit, another token) fails the call so.
        if (error instanceof Error && error.name === "PaymentError") {
          throw new McpcError("server", error.message);
        }
        throw error;
      } finally {
        payer.drop(name);
      }
    });
  }

  /** A tool's listed definition (cached), or `undefined` when unknown. */
  async tool(name: string, signal: AbortSignal): Promise<Tool | undefined> {
    const tools = await this.#cachedTools({ signal });
    return tools?.find((candidate) => candidate.name === name);
  }

  /** Calls `listener` with each server notification until the returned function is called. */
  watch(
    listener: (method: FollowedNotification, params: Record<string, unknown>) => void,
  ): () => void {
    this.#watchers.add(listener);
    return () => this.#watchers.delete(listener);
  }

  /** Follows `uris` for the proxy's clients too (besides the session's own subscriptions). */
  async followResources(uris: readonly string[]): Promise<void> {
    const connection = await this.#ready;
    const change = this.#subscribing.then(async () => {
      const next = [...new Set(uris)];
      await connection.setResourceSubscriptions([...new Set([...this.#subscriptions, ...next])]);
      this.#proxySubscriptions = next;
    });
    this.#subscribing = change.catch(() => {});
    await change;
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
      listTools: async (params, context) => ({
        tools: await this.#list("tools", context, params.refresh),
      }),
      callToolTask: async (params, context) => {
        const connection = await this.#ready;
        if (!connection.tasks.toolCall) {
          throw new McpcError("usage", "The server does not support tasks", { userInput: true });
        }
        const tool = await this.#findTool(params.name, context);
        const args = applyStringSchema(params.arguments, params.typedText, tool?.inputSchema);
        const made = await connection.callToolAsTask(params.name, args, {
          ...sdkOptions(context),
          ...(tool ? { tool } : {}),
        });
        // A 2026-era server decides itself whether a call becomes a task: it may just answer.
        if (!("task" in made)) return { result: made.result };
        const task = made.task;
        // The waiting CLI hears of the task first: should the bridge die from here on, the CLI
        // knows which task to wait for through a new one.
        if (!params.detach) context.onTask?.(task);
        await this.#noteTask(task, params.name);
        if (params.detach) return { task };
        const result = await this.#awaitTask(connection, task, context, true);
        return { task, result };
      },
      getTask: async (params, context) => {
        const connection = await this.#ready;
        this.#requireTasks(connection);
        const task = await connection.getTask(params.taskId, sdkOptions(context));
        await this.#noteTask(task);
        return task;
      },
      taskResult: async (params, context) => {
        const connection = await this.#ready;
        this.#requireTasks(connection);
        const task = await connection.getTask(params.taskId, sdkOptions(context));
        return await this.#awaitTask(connection, task, context);
      },
      listTasks: async (_params, context) => {
        const connection = await this.#ready;
        if (connection.tasks.list) {
          return { tasks: await connection.listTasks(sdkOptions(context)), source: "server" };
        }
        const record = await this.#deps.store.get(config.sessionName).catch(() => undefined);
        return { tasks: recordedTasks(record, this.#deps.now()), source: "session" };
      },
      cancelTask: async (params, context) => {
        const connection = await this.#ready;
        this.#requireTasks(connection);
        if (!connection.tasks.cancel) {
          throw new McpcError("usage", "The server does not support cancelling tasks", {
            userInput: true,
          });
        }
        // A task that is over cannot be cancelled: its status is the answer.
        const current = await connection.getTask(params.taskId, sdkOptions(context));
        if (TERMINAL_STATUSES.has(current.status)) {
          await this.#noteTask(current);
          return current;
        }
        const task = await connection.cancelTask(params.taskId, {
          ...sdkOptions(context),
          known: current,
        });
        await this.#noteTask(task);
        return task;
      },
      listResources: async (params, context) => ({
        resources: await this.#list("resources", context, params.refresh),
      }),
      listResourceTemplates: async (params, context) => ({
        resourceTemplates: await this.#list("resourceTemplates", context, params.refresh),
      }),
      listPrompts: async (params, context) => ({
        prompts: await this.#list("prompts", context, params.refresh),
      }),
      callTool: async (params, context) => {
        const connection = await this.#ready;
        const tool = await this.#findTool(params.name, context);
        const args = applyStringSchema(params.arguments, params.typedText, tool?.inputSchema);
        return await this.callTool(connection, params.name, args, {
          ...sdkOptions(context),
          ...(tool ? { tool } : {}),
          // A 2026-era server may run the call as a task: the CLI shows its status meanwhile.
          onTask: (task) => {
            context.onTask?.(task);
            this.#noteTask(task, params.name);
          },
        });
      },
      readResource: async (params, context) => {
        const connection = await this.#ready;
        return await connection.readResource(params.uri, sdkOptions(context));
      },
      subscribeResource: async (params, context) => {
        const connection = await this.#ready;
        const change = this.#subscribing.then(async () => {
          const next = params.subscribe
            ? [...new Set([...this.#subscriptions, params.uri])]
            : this.#subscriptions.filter((uri) => uri !== params.uri);
          await connection.setResourceSubscriptions(
            [...new Set([...next, ...this.#proxySubscriptions])],
            sdkOptions(context),
          );
          this.#subscriptions = next;
          await this.#patchOwn((record) => {
            if (next.length > 0) record.subscriptions = next;
            else delete record.subscriptions;
          });
          return next;
        });
        this.#subscribing = change.catch(() => {});
        return { subscriptions: [...await change] };
      },
      getPrompt: async (params, context) => {
        const connection = await this.#ready;
        return await connection.getPrompt(params.name, params.arguments, sdkOptions(context));
      },
      setLogLevel: async (params, context) => {
        const connection = await this.#ready;
        // After the restore of the predecessor's level, which would undo this one.
        const change = this.#subscribing.then(async () => {
          const scope = await connection.setLogLevel(params.level, sdkOptions(context));
          await this.#patchOwn((record) => {
            record.logLevel = params.level;
          });
          return scope;
        });
        this.#subscribing = change.catch(() => {});
        return { level: params.level, scope: await change };
      },
      catalog: async (params, context) => {
        const connection = await this.#ready;
        const capabilities = connection.initialize.capabilities;
        const wanted = (kind: "tools" | "resources" | "prompts") =>
          params[kind] && Boolean(capabilities[kind]);
        const [tools, resources, prompts] = await Promise.all([
          wanted("tools") ? this.#list("tools", context, false) : undefined,
          wanted("resources") ? this.#list("resources", context, false) : undefined,
          wanted("prompts") ? this.#list("prompts", context, false) : undefined,
        ]);
        const instructions = connection.initialize.instructions;
        return {
          capabilities,
          ...(instructions !== undefined ? { instructions } : {}),
          ...(tools ? { tools } : {}),
          ...(resources ? { resources } : {}),
          ...(prompts ? { prompts } : {}),
        };
      },
      notifications: async (params, context) => {
        const result = { notifications: [...this.#notifications], since: this.#startedAt };
        if (!params.follow) return result;
        const notify = context.notify;
        if (!notify) throw new McpcError("usage", "This connection cannot follow notifications");
        // The history first, then each new one: registered in the same tick, nothing is missed.
        for (const entry of this.#notifications) notify(entry);
        // The request stays open until the CLI cancels it or hangs up (Ctrl+C).
        await new Promise<void>((resolve) => {
          const follower = (entry: NotificationEntry) => notify(entry);
          const stop = () => {
            this.#followers.delete(follower);
            resolve();
          };
          this.#followers.set(follower, stop);
          if (context.signal.aborted || this.#stopping) stop();
          else context.signal.addEventListener("abort", stop, { once: true });
        });
        return result;
      },
      listSkills: async (_params, context) => {
        const connection = await this.#ready;
        return await connection.skills.list(sdkOptions(context));
      },
      getSkill: async (params, context) => {
        const connection = await this.#ready;
        return { skill: await connection.skills.get(params.name, sdkOptions(context)) };
      },
      readSkillFile: async (params, context) => {
        const connection = await this.#ready;
        const { skill, uri, offset } = params;
        try {
          return await connection.skills.readChunk(skill, uri, offset, sdkOptions(context));
        } catch (error) {
          // A file that failed verification is the server's doing: the log keeps it.
          if (error instanceof McpcError) this.#deps.log.warn(error.message);
          throw error;
        }
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

  #requireTasks(connection: McpConnection): void {
    if (!connection.tasks.toolCall && !connection.tasks.list && !connection.tasks.cancel) {
      throw new McpcError("usage", "The server does not support tasks", { userInput: true });
    }
  }

  /** Waits for `task`'s outcome, telling the CLI and the record each status change. */
  async #awaitTask(
    connection: McpConnection,
    task: Task,
    context: RequestContext,
    announced = false,
  ): Promise<CallToolResult> {
    let last = task;
    const result = await awaitTask(connection, task, {
      call: sdkOptions(context),
      onTask: (now) => {
        last = now;
        if (!(announced && now === task)) context.onTask?.(now);
        if (now !== task) this.#noteTask(now);
      },
    });
    // The outcome was fetched, so the task is over: keep its final status (a 2026-era wait
    // saw it with the outcome).
    const final = TERMINAL_STATUSES.has(last.status) ? last : await connection.getTask(
      task.taskId,
      { timeoutMs: FINAL_STATUS_TIMEOUT_MS },
    ).catch((): Task => ({ ...task, status: "completed" }));
    await this.#noteTask(final);
    return result;
  }

  /** The outbound proxy the server's requests go through, for messages (`{}`: none). */
  #proxy(): { proxy?: ProxyInUse } {
    const url = this.#deps.config.server.url;
    const proxy = url === undefined ? undefined : proxyFor(url, this.#deps.config.proxyEnv ?? {});
    return proxy ? { proxy } : {};
  }

  /** Keeps `task` in the session record (tasks started through this session). */
  #noteTask(task: Task, toolName?: string): Promise<void> {
    return this.#patchOwn((record) => noteTask(record, task, toolName, this.#deps.now()));
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
        tools = await this.#list("tools", context, true);
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

  /**
   * Every item of list `kind`: from the cache while it is fresh (until the
   * server says the list changed, or its cache hint expires), else from the
   * server (all pages), caching the answer unless the list changed meanwhile.
   */
  async #list<K extends ListKind>(
    kind: K,
    context: RequestContext,
    refresh: boolean,
  ): Promise<ListTypes[K][]> {
    await this.#ready;
    const cached = this.#lists[kind] as CachedList<ListTypes[K]> | undefined;
    const now = this.#deps.now();
    if (!refresh && cached && (cached.expiresAt === undefined || cached.expiresAt > now)) {
      return cached.items;
    }
    // One walk per list at a time: requests that need it meanwhile share its answer (two walks
    // of one list on one connection would also look like a cursor repeated to the watch).
    let shared = this.#walks[kind] as SharedWalk<ListTypes[K]> | undefined;
    if (!shared) {
      shared = this.#startWalk(kind, sdkOptions(context).timeoutMs);
      this.#walks[kind] = shared as SharedWalk<unknown>;
    }
    shared.waiters++;
    try {
      return await untilAborted(shared.items, context.signal);
    } finally {
      // The walk is cancelled on the server once nobody waits for it any more.
      if (--shared.waiters === 0) shared.controller.abort(context.signal.reason);
    }
  }

  /** Walks every page of list `kind` and caches the answer, unless the list changed meanwhile. */
  #startWalk<K extends ListKind>(kind: K, timeoutMs?: number): SharedWalk<ListTypes[K]> {
    const connection = this.#connection!;
    const controller = new AbortController();
    const generation = this.#listGenerations[kind];
    const options = {
      signal: controller.signal,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    };
    const walk =
      (kind === "tools"
        ? connection.listTools(options)
        : kind === "resources"
        ? connection.listResources(options)
        : kind === "resourceTemplates"
        ? connection.listResourceTemplates(options)
        : connection.listPrompts(options)) as Promise<ListedItems<ListTypes[K]>>;
    const shared: SharedWalk<ListTypes[K]> = {
      controller,
      waiters: 0,
      items: walk.then((fetched) => {
        if (generation === this.#listGenerations[kind] && fetched.ttlMs !== 0) {
          const ttlMs = fetched.ttlMs === undefined
            ? undefined
            : Math.min(fetched.ttlMs, MAX_CACHE_TTL_MS);
          const entry: CachedList<ListTypes[K]> = {
            items: fetched.items,
            ...(ttlMs !== undefined ? { expiresAt: this.#deps.now() + ttlMs } : {}),
          };
          (this.#lists as Record<ListKind, CachedList<unknown> | undefined>)[kind] = entry;
        }
        return fetched.items;
      }).finally(() => {
        if (this.#walks[kind] === (shared as SharedWalk<unknown>)) delete this.#walks[kind];
      }),
    };
    // Every waiter may have given up: the failure is theirs to see, never an unhandled one.
    shared.items.catch(() => {});
    return shared;
  }

  /** The cached tools, listed now (within the request's signal and timeout) when there are none. */
  async #cachedTools(context: RequestContext): Promise<Tool[] | undefined> {
    try {
      return await this.#list("tools", context, false);
    } catch (error) {
      this.#deps.log.warn(`Cannot fill the tools cache: ${String(error)}`);
    }
    return this.#lists.tools?.items;
  }

  /** Records a server notification: the log, the record, the caches, the followers. */
  #onNotification(method: FollowedNotification, params: Record<string, unknown>): void {
    const { log } = this.#deps;
    const at = new Date(this.#deps.now()).toISOString();
    const entry: NotificationEntry = {
      at,
      method,
      ...(Object.keys(params).length > 0 ? { params } : {}),
    };
    this.#notifications.push(entry);
    if (this.#notifications.length > NOTIFICATION_HISTORY) this.#notifications.shift();
    for (const follower of this.#followers.keys()) follower(entry);
    for (const watcher of this.#watchers) {
      try {
        watcher(method, params);
      } catch (error) {
        log.warn(`Cannot pass on ${method}: ${String(error)}`);
      }
    }
    const change = LIST_CHANGES[method];
    if (change) {
      // The next request that needs the list (details, tools-get, a call's schema) lists anew.
      for (const list of change.lists) {
        delete this.#lists[list];
        this.#listGenerations[list]++;
      }
      log.info(`The server's ${LIST_LABELS[change.lists[0]]} list changed`);
      this.#noteTimes(change.kind, { listChangedAt: at });
      return;
    }
    if (method === "notifications/resources/updated") {
      const uri = typeof params.uri === "string" ? params.uri : undefined;
      log.info(`Resource updated: ${uri ?? "(no uri)"}`);
      this.#noteTimes("resources", {
        updatedAt: at,
        ...(uri !== undefined ? { updatedUri: uri } : {}),
      });
      return;
    }
    if (method === "notifications/message") this.#logServerMessage(params);
  }

  /**
   * Records when notifications of `kind` arrived. A burst (a server updating a
   * resource many times a second) costs one write of the record: changes
   * within {@linkcode NOTIFICATION_WRITE_DELAY_MS} are written together.
   */
  #noteTimes(kind: string, times: NotificationTimes): void {
    this.#pendingTimes[kind] = { ...this.#pendingTimes[kind], ...times };
    if (this.#timesTimer !== undefined) return;
    this.#timesTimer = setTimeout(() => this.#flushTimes(), NOTIFICATION_WRITE_DELAY_MS);
    this.#timers.add(this.#timesTimer);
  }

  /** Writes the pending notification times into the record. */
  #flushTimes(): Promise<void> {
    if (this.#timesTimer !== undefined) {
      clearTimeout(this.#timesTimer);
      this.#timers.delete(this.#timesTimer);
      this.#timesTimer = undefined;
    }
    const pending = this.#pendingTimes;
    this.#pendingTimes = {};
    if (Object.keys(pending).length === 0) return Promise.resolve();
    return this.#patchOwn((record) => {
      const merged = { ...record.notifications };
      for (const [kind, times] of Object.entries(pending)) {
        merged[kind] = { ...merged[kind], ...times };
      }
      record.notifications = merged;
    });
  }

  /** A server log message goes to the bridge log at its own level, with its logger. */
  #logServerMessage(params: Record<string, unknown>): void {
    const { log } = this.#deps;
    const level = typeof params.level === "string" ? params.level : "info";
    const logger = typeof params.logger === "string" ? params.logger : undefined;
    const data = typeof params.data === "string" ? params.data : JSON.stringify(params.data);
    const text = `[server log${logger ? ` ${logger}` : ""}] ${level}: ${data}`;
    switch (level) {
      case "debug":
        log.debug(text);
        break;
      case "info":
      case "notice":
        log.info(text);
        break;
      case "warning":
        log.warn(text);
        break;
      default:
        log.error(text);
    }
  }

  /**
   * What a new bridge carries over from the record: the resources its
   * predecessor followed and the log level set. Failures are logged; the
   * session works without them.
   */
  #restoreFollowed(connection: McpConnection): Promise<void> {
    const { config, log } = this.#deps;
    // Chained at once: a subscribe or log level request that arrives meanwhile runs after this
    // and builds on what it restored.
    const restored = this.#subscribing.then(async () => {
      const record = await this.#deps.store.get(config.sessionName).catch(() => undefined);
      if (record?.logLevel) {
        try {
          await connection.setLogLevel(record.logLevel as LoggingLevel);
          log.info(`Log level ${record.logLevel} set again`);
        } catch (error) {
          log.warn(`Cannot set the log level ${record.logLevel} again: ${String(error)}`);
        }
      }
      const uris = record?.subscriptions ?? [];
      if (uris.length === 0) return;
      try {
        await connection.setResourceSubscriptions(uris);
        this.#subscriptions = [...uris];
        log.info(`Subscribed again to ${uris.length} resource(s)`);
      } catch (error) {
        log.warn(`Cannot subscribe again to ${uris.join(", ")}: ${String(error)}`);
      }
    });
    this.#subscribing = restored.catch(() => {});
    return restored;
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
        ...this.#proxy(),
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
    // Wired at once: a notification (or a failed change stream) may come any moment now.
    connection.onNotification = (method, params) => this.#onNotification(method, params);
    connection.onListenError = (error) =>
      log.warn(`The server's change stream: ${error instanceof Error ? error.message : error}`);
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
    if (this.#deps.serve) {
      try {
        this.#stopServing = await this.#deps.serve(this, connection);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log.error(message);
        await this.#patchOwn((record) => {
          record.status = "crashed";
          record.consecutiveFailures = (record.consecutiveFailures ?? 0) + 1;
          delete record.pid;
        });
        this.#scheduleShutdown(
          config.background ? BACKGROUND_FAILURE_LINGER_MS : STARTUP_FAILURE_LINGER_MS,
          "startup failed",
        );
        throw new McpcError("usage", message);
      }
    }
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
    // In the background: requests need not wait for the re-subscriptions.
    this.#restoreFollowed(connection).catch((error) =>
      log.warn(`Cannot restore subscriptions: ${String(error)}`)
    );
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
          ...this.#proxy(),
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
      ...this.#proxy(),
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
    for (const stop of [...this.#followers.values()]) stop();
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    for (const hook of this.#onShutdownHooks) {
      try {
        hook();
      } catch (error) {
        log.warn(`Shutdown step failed: ${String(error)}`);
      }
    }
    this.#watchers.clear();
    if (this.#stopServing) {
      await this.#stopServing().catch((error) =>
        log.warn(`Cannot stop the proxy: ${String(error)}`)
      );
    }
    const connection = this.#connection;
    if (connection) {
      connection.onClose = undefined;
      await connection.close({ endSession });
    } else if (this.#closeTransport) {
      // The handshake still runs: end it (a stdio server's group is stopped).
      await this.#closeTransport();
    }
    await this.#flushTimes();
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

/** Bound on the `tasks/get` that reads a finished task's final status (ms). */
const FINAL_STATUS_TIMEOUT_MS = 5_000;

/** Longest timer the runtime keeps (ms); a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The SDK options for a request: the CLI's signal, and its timeout plus a margin (capped). */
export function sdkOptions(context: RequestContext): CallOptions & { signal: AbortSignal } {
  return {
    signal: context.signal,
    ...(context.onProgress ? { onProgress: context.onProgress } : {}),
    ...(context.onInput ? { onInput: context.onInput } : {}),
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
    case "listResources":
      return "Failed to list resources";
    case "listResourceTemplates":
      return "Failed to list resource templates";
    case "listPrompts":
      return "Failed to list prompts";
    case "readResource":
      return `Failed to read resource ${(params as ParamsOf<"readResource">).uri}`;
    case "subscribeResource": {
      const { uri, subscribe } = params as ParamsOf<"subscribeResource">;
      return `Failed to ${subscribe ? "subscribe to" : "unsubscribe from"} resource ${uri}`;
    }
    case "getPrompt":
      return `Failed to get prompt ${(params as ParamsOf<"getPrompt">).name}`;
    case "setLogLevel":
      return "Failed to set the log level";
    case "listSkills":
      return "Failed to list skills";
    case "getSkill":
      return `Failed to get skill ${(params as ParamsOf<"getSkill">).name}`;
    case "readSkillFile":
      return `Failed to read skill file ${(params as ParamsOf<"readSkillFile">).uri}`;
    default:
      return `Request ${method} failed`;
  }
}
