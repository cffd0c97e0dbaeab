/**
 * The proxy MCP server of `connect --proxy`: the bridge serves its session
 * over Streamable HTTP, so a sandboxed agent gets the server's tools without
 * its credentials. 2026-07-28 clients are served statelessly (one `Server`
 * per request), 2025-era clients each get their own MCP session; any number
 * of either at once. Requests go to the upstream connection, whose
 * notifications (list changes, resource updates, log messages) and each
 * request's progress come back to the clients that asked.
 *
 * Security: every request's `Host` (and `Origin`, when sent) must name the
 * address the proxy listens on (DNS rebinding), and with a bearer token every
 * request but `GET /health` must carry it (compared in constant time).
 *
 * Layer: edge (HTTP server, SDK server classes).
 * @module
 */

import {
  CLIENT_CAPABILITIES_META_KEY,
  createMcpHandler,
  type EventStore,
  hostHeaderValidationResponse,
  isInitializeRequest,
  isLegacyRequest,
  type JSONRPCMessage,
  type McpHttpHandler,
  originValidationResponse,
  ProtocolError,
  ProtocolErrorCode,
  Server,
  SERVER_INFO_META_KEY,
  type ServerCapabilities,
  type ServerContext,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
// Named imports only: zod's `z` namespace keeps all of zod, and in a chunk
// every bridge loads (4 MiB RSS more; tests/e2e/bundle_test.ts).
import { looseObject } from "zod";
import { VERSION } from "../version.ts";
import { SKILLS_EXTENSION_ID } from "../mcp/skill_types.ts";
import { LOG_LEVELS } from "../mcp/log_levels.ts";
import { TASKS_EXTENSION_ID } from "../mcp/task_status.ts";
import type { CallOptions, FollowedNotification, McpConnection } from "../mcp/client.ts";
import type { ElicitRequestParams, ElicitResult } from "../mcp/types.ts";
import type { CallToolResult, LoggingLevel, Tool } from "../mcp/sdk.ts";
import {
  formatProxyAddress,
  portInUseMessage,
  type ProxyAddress,
} from "../session/proxy_address.ts";
import { tokensEqual } from "./token_compare.ts";

/** What the proxy needs of the bridge it runs in. */
export interface ProxyUpstream {
  /**
   * Runs one request on the upstream connection. A failure that ends the
   * session is handled as for the CLI's requests; the error itself comes back.
   */
  serve<T>(
    operation: string,
    run: (connection: McpConnection) => Promise<T>,
    signal: AbortSignal,
  ): Promise<T>;
  /** Calls a tool on `connection` as the session's own calls go (paid, with `--x402`). */
  callTool(
    connection: McpConnection,
    name: string,
    args: Record<string, unknown>,
    options: CallOptions & { tool?: Tool },
  ): Promise<CallToolResult>;
  /** A tool's definition from the bridge's cache, when known. */
  tool(name: string, signal: AbortSignal): Promise<Tool | undefined>;
  /** Calls `listener` with each server notification until the returned function is called. */
  watch(
    listener: (method: FollowedNotification, params: Record<string, unknown>) => void,
  ): () => void;
  /** The resources the proxy's clients follow: the bridge follows them too. */
  followResources(uris: readonly string[]): Promise<void>;
}

/** How to start a proxy. */
export interface ProxyOptions {
  /** The session name, for the server's identity (`mcpc-proxy@<session>`). */
  sessionName: string;
  address: ProxyAddress;
  /** The token clients must send as `Authorization: Bearer <token>`, if any. */
  bearerToken?: string;
  /** The upstream connection (its capabilities and instructions are offered on). */
  connection: McpConnection;
  upstream: ProxyUpstream;
  log: { info(message: string): void; warn(message: string): void; debug(message: string): void };
  /** How long an unused 2025-era client session is kept, and how many at most (tests set them). */
  limits?: { idleSessionMs?: number; maxSessions?: number };
}

/** A running proxy. */
export interface RunningProxy {
  /** The port it listens on. */
  port: number;
  /** Ends every client's session and closes the port. */
  close(): Promise<void>;
}

/** The proxy's port is taken (or cannot be bound at all). */
export class ProxyPortError extends Error {
  constructor(address: ProxyAddress, options?: ErrorOptions) {
    super(portInUseMessage(address), options);
    this.name = "ProxyPortError";
  }
}

/**
 * The extensions passed on, with their methods: a client of the proxy sees
 * the server's declaration of each and reaches its methods through it.
 */
const EXTENSION_METHODS: Record<string, readonly string[]> = {
  [SKILLS_EXTENSION_ID]: ["skills/list", "skills/get", "resources/directory/read"],
  [TASKS_EXTENSION_ID]: ["tasks/get", "tasks/update", "tasks/cancel"],
};

/**
 * Whether the proxy offers `extension` to a client of `era`: the server
 * declares it, and (Tasks) both sides speak 2026-07-28, where the proxy
 * passes tasks on as they are.
 */
function offersExtension(
  connection: McpConnection,
  era: "modern" | "legacy",
  extension: string,
): boolean {
  const declared = (connection.initialize.capabilities as { extensions?: Record<string, unknown> })
    .extensions?.[extension];
  if (declared === undefined) return false;
  if (extension !== TASKS_EXTENSION_ID) return true;
  return era === "modern" && connection.era.kind === "modern";
}

/** The `extensions` capability offered: the server's, for the extensions passed on. */
function passedExtensions(
  connection: McpConnection,
  era: "modern" | "legacy",
): Pick<ServerCapabilities, "extensions"> {
  const declared = (connection.initialize.capabilities as { extensions?: Record<string, unknown> })
    .extensions;
  const passed = Object.fromEntries(
    Object.keys(EXTENSION_METHODS).filter((id) => offersExtension(connection, era, id)).map((
      id,
    ) => [id, declared![id] as object]),
  );
  return Object.keys(passed).length > 0
    ? { extensions: passed as NonNullable<ServerCapabilities["extensions"]> }
    : {};
}

/** Whether a 2026-era request declared `extension` in its per-request client capabilities. */
function declares(ctx: ServerContext, extension: string): boolean {
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
  const capabilities = envelope?.[CLIENT_CAPABILITIES_META_KEY] as
    | { extensions?: Record<string, unknown> }
    | undefined;
  return capabilities?.extensions?.[extension] !== undefined;
}

/** Refuses a request of an extension its client did not declare (`-32021`, as the extension asks). */
function requireDeclared(ctx: ServerContext, extension: string): void {
  if (declares(ctx, extension)) return;
  throw new ProtocolError(MISSING_CAPABILITY, "Missing required client capability", {
    requiredCapabilities: { extensions: { [extension]: {} } },
  });
}

/** The JSON-RPC error code of a request its client lacks the capability for (SEP-2575). */
const MISSING_CAPABILITY = -32021;

/** A 2025-era client's MCP session with the proxy. */
interface LegacySession {
  server: Server;
  transport: WebStandardStreamableHTTPServerTransport;
  /** The resources it subscribed to. */
  subscribed: Set<string>;
  /** The least severe log level it wants (`logging/setLevel`); none: every message. */
  level?: LoggingLevel;
  /** When it last sent a request (ms). */
  usedAt: number;
  /** Its open GET streams: a client listening on one is not idle. */
  streams: number;
}

/** How long a proxied request may wait for the server (ms): the client's own bound comes first. */
const UPSTREAM_TIMEOUT_MS = 24 * 60 * 60 * 1000;
/** How long closing gives the answers to waiting requests to go out (ms). */
const CLOSE_FLUSH_MS = 200;
/** Most bytes of messages a 2025-era client session keeps for replay. */
const REPLAY_BYTES = 4 * 1024 * 1024;

/** How soon a 2025-era client should reconnect a dropped SSE stream (its `retry`, ms). */
const SSE_RETRY_MS = 1_000;
/** The messages a 2025-era client session keeps for replay on reconnection. */
const REPLAY_EVENTS = 500;

/**
 * The latest messages sent on one client session's SSE streams, so that a
 * client reconnecting with `Last-Event-ID` gets those after it on the same
 * stream (older ones are forgotten).
 */
export class RecentEvents implements EventStore {
  #events: { id: string; streamId: string; message: JSONRPCMessage; bytes: number }[] = [];
  #bytes = 0;
  #next = 0;

  storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    const id = `${streamId}_${++this.#next}`;
    const bytes = JSON.stringify(message).length;
    this.#events.push({ id, streamId, message, bytes });
    this.#bytes += bytes;
    while (
      this.#events.length > REPLAY_EVENTS || (this.#bytes > REPLAY_BYTES && this.#events.length > 1)
    ) {
      this.#bytes -= this.#events.shift()!.bytes;
    }
    return Promise.resolve(id);
  }

  getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    return Promise.resolve(this.#events.find((event) => event.id === eventId)?.streamId);
  }

  async replayEventsAfter(
    lastEventId: string,
    { send }: { send: (eventId: string, message: JSONRPCMessage) => Promise<void> },
  ): Promise<string> {
    const at = this.#events.findIndex((event) => event.id === lastEventId);
    if (at === -1) throw new Error(`Unknown or forgotten event ${lastEventId}`);
    const { streamId } = this.#events[at];
    for (const event of this.#events.slice(at + 1)) {
      if (event.streamId === streamId) await send(event.id, event.message);
    }
    return streamId;
  }
}

/** A 2025-era client session unused this long is ended when another one starts (ms). */
const IDLE_SESSION_MS = 60 * 60 * 1000;
/** The most 2025-era client sessions kept at once (the least recently used one goes first). */
const MAX_SESSIONS = 1000;

/** Each log level's severity: its place in {@linkcode LOG_LEVELS} (least severe first). */
const LOG_SEVERITY = Object.fromEntries(LOG_LEVELS.map((level, index) => [level, index])) as Record<
  LoggingLevel,
  number
>;

/** Starts the proxy; rejects with {@linkcode ProxyPortError} when its port cannot be bound. */
export async function startMcpProxy(options: ProxyOptions): Promise<RunningProxy> {
  const { address, upstream, log } = options;
  const sessions = new Map<string, LegacySession>();
  /** Resources followed by 2026-era clients' open `subscriptions/listen` streams, counted. */
  const listened = new Map<string, number>();
  let following = Promise.resolve();
  /** Follows upstream what the clients follow; rejects when the server refuses (the caller says so). */
  const refollow = (): Promise<void> => {
    const change = following.then(() => {
      const uris = new Set(listened.keys());
      for (const session of sessions.values()) for (const uri of session.subscribed) uris.add(uri);
      return upstream.followResources([...uris]);
    });
    following = change.catch((error) =>
      log.warn(`Proxy: cannot follow the resources its clients subscribed to: ${text(error)}`)
    );
    return change;
  };
  /** Aborted when the proxy closes: requests still waiting for the server are answered then. */
  const stopping = new AbortController();
  /** The upstream log level: the least severe any 2025-era client asked for. */
  const setLogLevels = async (set: (level: LoggingLevel) => Promise<void>) => {
    const levels = [...sessions.values()].flatMap((session) => session.level ?? []);
    if (levels.length === 0) return;
    await set(levels.reduce((a, b) => LOG_SEVERITY[a] <= LOG_SEVERITY[b] ? a : b));
  };
  const forward = new Forwarder(options, refollow, stopping.signal, setLogLevels);
  const modern: McpHttpHandler = createMcpHandler(
    () => forward.server("modern"),
    { legacy: "reject", onerror: (error) => log.debug(`Proxy: ${error.message}`) },
  );

  const stopWatching = upstream.watch((method, params) => {
    switch (method) {
      case "notifications/tools/list_changed":
        modern.notify.toolsChanged();
        for (const session of sessions.values()) {
          session.server.sendToolListChanged().catch(() => {});
        }
        return;
      case "notifications/prompts/list_changed":
        modern.notify.promptsChanged();
        for (const session of sessions.values()) {
          session.server.sendPromptListChanged().catch(() => {});
        }
        return;
      case "notifications/resources/list_changed":
        modern.notify.resourcesChanged();
        for (const session of sessions.values()) {
          session.server.sendResourceListChanged().catch(() => {});
        }
        return;
      case "notifications/resources/updated": {
        if (typeof params.uri !== "string") return;
        const uri = params.uri;
        modern.notify.resourceUpdated(uri);
        for (const session of sessions.values()) {
          if (session.subscribed.has(uri)) {
            session.server.sendResourceUpdated({ uri }).catch(() => {});
          }
        }
        return;
      }
      case "notifications/message": {
        const level = params.level as LoggingLevel;
        if (!(level in LOG_SEVERITY)) return;
        for (const session of sessions.values()) {
          if (session.level !== undefined && LOG_SEVERITY[level] < LOG_SEVERITY[session.level]) {
            continue;
          }
          session.server.notification({
            method: "notifications/message",
            params: params as { level: LoggingLevel; data: unknown },
          }).catch(() => {});
        }
        return;
      }
    }
  });

  /** Clients that never end their sessions do not make the bridge keep them forever. */
  const endIdleSessions = async () => {
    const now = Date.now();
    const byAge = [...sessions.values()].sort((a, b) => a.usedAt - b.usedAt);
    const idleMs = options.limits?.idleSessionMs ?? IDLE_SESSION_MS;
    const most = options.limits?.maxSessions ?? MAX_SESSIONS;
    const ending = byAge.filter((session, index) =>
      (now - session.usedAt > idleMs && session.streams === 0) || byAge.length - index >= most
    );
    await Promise.allSettled(ending.map((session) => session.transport.close()));
  };

  const legacy = async (req: Request): Promise<Response> => {
    const sessionId = req.headers.get("mcp-session-id");
    if (sessionId !== null) {
      const session = sessions.get(sessionId);
      if (!session) {
        await req.body?.cancel();
        return jsonRpcError(404, -32001, "Session not found");
      }
      session.usedAt = Date.now();
      if (req.method === "GET") {
        session.streams++;
        let open = true;
        req.signal.addEventListener("abort", () => {
          if (open) (open = false, session.streams--);
        }, { once: true });
      }
      return await session.transport.handleRequest(req);
    }
    if (req.method !== "POST") {
      await req.body?.cancel();
      return jsonRpcError(400, -32000, "Bad Request: Mcp-Session-Id header is required");
    }
    let body: unknown;
    try {
      body = await req.json();
    } catch {
      return jsonRpcError(400, -32700, "Parse error: invalid JSON");
    }
    const messages = Array.isArray(body) ? body : [body];
    if (!messages.some((message) => isInitializeRequest(message))) {
      return jsonRpcError(400, -32000, "Bad Request: Mcp-Session-Id header is required");
    }
    await endIdleSessions();
    const session: LegacySession = {
      usedAt: Date.now(),
      streams: 0,
      subscribed: new Set(),
      transport: new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: () => crypto.randomUUID(),
        // Resumable SSE streams: a client that lost one gets what it missed (Last-Event-ID).
        eventStore: new RecentEvents(),
        retryInterval: SSE_RETRY_MS,
        onsessioninitialized: (id) => {
          sessions.set(id, session);
          log.info(`Proxy: client session ${id.slice(0, 8)} started (${sessions.size} open)`);
        },
      }),
      server: undefined as unknown as Server,
    };
    session.server = forward.server("legacy", session);
    session.transport.onclose = () => {
      const id = session.transport.sessionId;
      if (id === undefined || !sessions.delete(id)) return;
      log.info(`Proxy: client session ${id.slice(0, 8)} ended (${sessions.size} open)`);
      if (session.subscribed.size > 0) refollow();
    };
    await session.server.connect(session.transport);
    const response = await session.transport.handleRequest(req, { parsedBody: body });
    const id = session.transport.sessionId;
    if (id === undefined || !sessions.has(id)) await session.server.close();
    return response;
  };

  /** A 2026-era request; an open `subscriptions/listen` stream's resources are followed upstream. */
  const serveModern = async (req: Request): Promise<Response> => {
    const uris = req.method === "POST" ? await listenedResources(req.clone()) : [];
    if (uris.length === 0) return await modern.fetch(req);
    for (const uri of uris) listened.set(uri, (listened.get(uri) ?? 0) + 1);
    await refollow();
    const release = () => {
      for (const uri of uris) {
        const left = (listened.get(uri) ?? 1) - 1;
        if (left > 0) listened.set(uri, left);
        else listened.delete(uri);
      }
      refollow();
    };
    try {
      const response = await modern.fetch(req);
      if (!response.body) {
        release();
        return response;
      }
      // Followed while the stream is open: until it ends, or its client goes away.
      let released = false;
      const once = () => {
        if (!released) (released = true, release());
      };
      req.signal.addEventListener("abort", once, { once: true });
      const body = response.body.pipeThrough(
        new TransformStream({ flush: once, cancel: once } as Transformer & { cancel(): void }),
      );
      return new Response(body, response);
    } catch (error) {
      release();
      throw error;
    }
  };

  const allowed = allowedHostnames(address);
  const handle = async (req: Request): Promise<Response> => {
    try {
      // DNS rebinding: a page elsewhere must not reach this server through a name of its own.
      const rejected = hostHeaderValidationResponse(req, allowed) ??
        originValidationResponse(req, allowed);
      if (rejected) {
        await req.body?.cancel();
        log.warn(
          `Proxy: refused a request with Host ${req.headers.get("host") ?? "(none)"}` +
            `${req.headers.has("origin") ? ` and Origin ${req.headers.get("origin")}` : ""}`,
        );
        return rejected;
      }
      const url = new URL(req.url);
      if (url.pathname === "/health" && req.method === "GET") {
        return Response.json({ status: "ok" });
      }
      if (options.bearerToken !== undefined) {
        const header = req.headers.get("authorization") ?? "";
        const match = /^Bearer (.+)$/.exec(header);
        if (!match) {
          await req.body?.cancel();
          return Response.json({ error: "Unauthorized: Bearer token required" }, {
            status: 401,
            headers: { "WWW-Authenticate": 'Bearer realm="mcpc-proxy"' },
          });
        }
        if (!await tokensEqual(match[1], options.bearerToken)) {
          await req.body?.cancel();
          log.warn("Proxy: refused a request with a wrong bearer token");
          return Response.json({ error: "Forbidden: Invalid bearer token" }, { status: 403 });
        }
      }
      if (req.method !== "POST" && req.method !== "GET" && req.method !== "DELETE") {
        await req.body?.cancel();
        return Response.json({ error: "Method not allowed" }, {
          status: 405,
          headers: { Allow: "GET, POST, DELETE" },
        });
      }
      if (req.headers.has("mcp-session-id") || await isLegacyRequest(req.clone())) {
        return await legacy(req);
      }
      return await serveModern(req);
    } catch (error) {
      log.warn(`Proxy: request failed: ${text(error)}`);
      return Response.json({ error: "Internal server error" }, { status: 500 });
    }
  };

  const { promise: listening, resolve: onListen } = Promise.withResolvers<number>();
  let server: Deno.HttpServer;
  try {
    server = Deno.serve({
      hostname: address.host,
      port: address.port,
      onListen: ({ port }) => onListen(port),
      onError: (error) => {
        log.warn(`Proxy: ${text(error)}`);
        return Response.json({ error: "Internal server error" }, { status: 500 });
      },
    }, handle);
  } catch (error) {
    stopWatching();
    if (error instanceof Deno.errors.AddrInUse) throw new ProxyPortError(address, { cause: error });
    throw new Error(
      `Cannot serve the proxy on ${formatProxyAddress(address)}: ${text(error)}`,
      { cause: error },
    );
  }
  const port = await listening;
  log.info(
    `Proxy MCP server listening on http://${formatProxyAddress({ ...address, port })}` +
      (options.bearerToken !== undefined ? " (bearer token required)" : ""),
  );
  let closing: Promise<void> | undefined;
  return {
    port,
    close: () =>
      closing ??= (async () => {
        stopWatching();
        // Requests still waiting for the server get an error now, not a stream that just ends.
        stopping.abort();
        await new Promise((resolve) => setTimeout(resolve, CLOSE_FLUSH_MS));
        const open = [...sessions.values()];
        sessions.clear();
        await Promise.allSettled([
          modern.close(),
          ...open.map((session) => session.server.close()),
        ]);
        await server.shutdown();
        log.info("Proxy MCP server stopped");
      })(),
  };
}

/**
 * The host names a request may name in `Host` and `Origin`: the bound
 * address, plus the loopback names for a loopback address, plus every
 * interface's address and the machine's name for a wildcard one.
 */
export function allowedHostnames(address: ProxyAddress): string[] {
  const bracket = (host: string) => host.includes(":") ? `[${host}]` : host;
  const names = new Set([bracket(address.host.toLowerCase())]);
  const loopback = ["localhost", "127.0.0.1", "[::1]"];
  const host = address.host.toLowerCase();
  if (host === "localhost" || host === "::1" || host.startsWith("127.")) {
    for (const name of loopback) names.add(name);
  }
  if (host === "0.0.0.0" || host === "::") {
    for (const name of loopback) names.add(name);
    try {
      for (const nic of Deno.networkInterfaces()) names.add(bracket(nic.address.toLowerCase()));
    } catch {
      // Without the interfaces, the loopback names still work.
    }
    try {
      names.add(Deno.hostname().toLowerCase());
    } catch {
      // As above.
    }
  }
  return [...names];
}

/** The resources a 2026-era `subscriptions/listen` request asks to follow. */
async function listenedResources(req: Request): Promise<string[]> {
  try {
    const body = await req.json();
    if (body?.method !== "subscriptions/listen") return [];
    const uris = body.params?.filter?.resourceSubscriptions;
    return Array.isArray(uris) ? uris.filter((uri) => typeof uri === "string") : [];
  } catch {
    return [];
  }
}

/** Makes the proxy's `Server`s and answers their requests from upstream. */
class Forwarder {
  #options: ProxyOptions;
  #refollow: () => Promise<void>;
  #stopping: AbortSignal;
  #setLogLevels: (set: (level: LoggingLevel) => Promise<void>) => Promise<void>;

  constructor(
    options: ProxyOptions,
    refollow: () => Promise<void>,
    stopping: AbortSignal,
    setLogLevels: (set: (level: LoggingLevel) => Promise<void>) => Promise<void>,
  ) {
    this.#options = options;
    this.#refollow = refollow;
    this.#stopping = stopping;
    this.#setLogLevels = setLogLevels;
  }

  /** A server for one 2026-era request, or for one 2025-era client's session. */
  server(era: "modern" | "legacy", session?: LegacySession): Server {
    const { connection, sessionName } = this.#options;
    const initialize = connection.initialize;
    const upstream = initialize.capabilities;
    const offered = (extension: string) => offersExtension(connection, era, extension);
    const capabilities: ServerCapabilities = {
      ...(upstream.tools ? { tools: pick(upstream.tools, ["listChanged"]) } : {}),
      ...(upstream.resources
        ? { resources: pick(upstream.resources, ["listChanged", "subscribe"]) }
        : {}),
      ...(upstream.prompts ? { prompts: pick(upstream.prompts, ["listChanged"]) } : {}),
      ...(upstream.completions ? { completions: {} } : {}),
      ...(era === "legacy" && upstream.logging ? { logging: {} } : {}),
      ...passedExtensions(connection, era),
    };
    const server = new Server(
      { name: `mcpc-proxy@${sessionName}`, version: VERSION },
      {
        capabilities,
        ...(initialize.instructions !== undefined ? { instructions: initialize.instructions } : {}),
      },
    );
    const run = <T>(
      operation: string,
      ctx: ServerContext,
      call: (connection: McpConnection, options: CallOptions) => Promise<T>,
    ): Promise<T> =>
      forwardRequest(this.#options, operation, ctx, session !== undefined, this.#stopping, call);
    if (upstream.tools) {
      server.setRequestHandler("tools/list", async (_request, ctx) => ({
        tools: (await run("Failed to list tools", ctx, (c, o) => c.listTools(o))).items,
      }));
      server.setRequestHandler("tools/call", async (request, ctx) => {
        const { name, arguments: args = {} } = request.params;
        const operation = `Failed to call tool ${name}`;
        // A client with the Tasks extension gets the server's answer as it is, a task or not.
        if (offered(TASKS_EXTENSION_ID) && declares(ctx, TASKS_EXTENSION_ID)) {
          return await run(
            operation,
            ctx,
            (c, o) => c.request("tools/call", { name, arguments: args }, o),
          ) as never;
        }
        return await run(operation, ctx, async (c, o) => {
          const tool = await this.#options.upstream.tool(name, o.signal ?? ctx.mcpReq.signal);
          return await this.#options.upstream.callTool(c, name, args, {
            ...o,
            ...(tool ? { tool } : {}),
          });
        });
      });
    }
    if (upstream.resources) {
      server.setRequestHandler("resources/list", async (_request, ctx) => ({
        resources: (await run("Failed to list resources", ctx, (c, o) => c.listResources(o)))
          .items,
      }));
      server.setRequestHandler("resources/templates/list", async (_request, ctx) => ({
        resourceTemplates: (await run(
          "Failed to list resource templates",
          ctx,
          (c, o) => c.listResourceTemplates(o),
        )).items,
      }));
      server.setRequestHandler("resources/read", async (request, ctx) => {
        const uri = request.params.uri;
        return await run(`Failed to read resource ${uri}`, ctx, (c, o) => c.readResource(uri, o));
      });
      if (session && (upstream.resources as { subscribe?: boolean }).subscribe) {
        // What the server refuses is refused to the client, and not kept.
        server.setRequestHandler("resources/subscribe", async (request) => {
          const uri = request.params.uri;
          const had = session.subscribed.has(uri);
          session.subscribed.add(uri);
          try {
            await this.#refollow();
          } catch (error) {
            if (!had) session.subscribed.delete(uri);
            throw asProtocolError(error, `Failed to subscribe to resource ${uri}`);
          }
          return {};
        });
        server.setRequestHandler("resources/unsubscribe", async (request) => {
          session.subscribed.delete(request.params.uri);
          await this.#refollow().catch(() => {});
          return {};
        });
      }
    }
    if (upstream.prompts) {
      server.setRequestHandler("prompts/list", async (_request, ctx) => ({
        prompts: (await run("Failed to list prompts", ctx, (c, o) => c.listPrompts(o))).items,
      }));
      server.setRequestHandler("prompts/get", async (request, ctx) => {
        const { name, arguments: args = {} } = request.params;
        return await run(`Failed to get prompt ${name}`, ctx, (c, o) => c.getPrompt(name, args, o));
      });
    }
    if (upstream.completions) {
      server.setRequestHandler("completion/complete", async (request, ctx) => {
        const { _meta: _, ...params } = request.params;
        return await run("Failed to complete an argument", ctx, (c, o) => c.complete(params, o));
      });
    }
    for (const [extension, methods] of Object.entries(EXTENSION_METHODS)) {
      if (!offered(extension)) continue;
      for (const method of methods) {
        server.setRequestHandler(
          method as never,
          { params: looseObject({}) } as never,
          (async (params: Record<string, unknown>, ctx: ServerContext) => {
            const { _meta: _, ...rest } = params;
            if (extension === TASKS_EXTENSION_ID) {
              requireDeclared(ctx, extension);
              // The SDK takes a request's answers out of its params: they go on as they came.
              const answers = ctx.mcpReq.inputResponses;
              if (answers !== undefined) rest.inputResponses = answers;
            }
            return await run(`Request ${method} failed`, ctx, (c, o) => c.request(method, rest, o));
          }) as never,
        );
      }
    }
    if (session && upstream.logging) {
      // Each client gets messages at its own level; the server is asked for the least severe.
      server.setRequestHandler("logging/setLevel", async (request, ctx) => {
        const previous = session.level;
        session.level = request.params.level;
        try {
          await this.#setLogLevels((level) =>
            run("Failed to set the log level", ctx, (c, o) => c.setLogLevel(level, o)).then(
              () => {},
            )
          );
        } catch (error) {
          session.level = previous;
          throw error;
        }
        return {};
      });
    }
    return server;
  }
}

/**
 * Runs one client request upstream: cancelled with the client's request,
 * with its progress reports passed back when it asked for them, and the
 * server's questions put to a 2025-era client that can answer them.
 * Upstream protocol errors reach the client unchanged.
 */
async function forwardRequest<T>(
  options: ProxyOptions,
  operation: string,
  ctx: ServerContext,
  legacyClient: boolean,
  stopping: AbortSignal,
  call: (connection: McpConnection, options: CallOptions) => Promise<T>,
): Promise<T> {
  const signal = AbortSignal.any([ctx.mcpReq.signal, stopping]);
  const progressToken = ctx.mcpReq._meta?.progressToken;
  const callOptions: CallOptions = {
    signal,
    // The client's own timeout and cancellation bound the call, not the SDK's 60 s default.
    timeoutMs: UPSTREAM_TIMEOUT_MS,
    ...(progressToken !== undefined
      ? {
        onProgress: (report) => {
          ctx.mcpReq.notify({
            method: "notifications/progress",
            params: { progressToken, ...report },
          }).catch(() => {});
        },
      }
      : {}),
    ...(legacyClient
      ? {
        onInput: (request: ElicitRequestParams): Promise<ElicitResult> =>
          ctx.mcpReq.elicitInput(request, { signal }) as Promise<ElicitResult>,
      }
      : {}),
  };
  // A proxy that closes answers at once, even for a call the server is still working on.
  let onStop = () => {};
  const stopped = new Promise<never>((_, reject) => {
    onStop = () => reject(new DOMException("The proxy is closing", "AbortError"));
    if (stopping.aborted) onStop();
    else stopping.addEventListener("abort", onStop, { once: true });
  });
  stopped.catch(() => {});
  try {
    return withoutUpstreamIdentity(
      await Promise.race([
        options.upstream.serve(operation, (c) => call(c, callOptions), signal),
        stopped,
      ]),
    );
  } catch (error) {
    if (stopping.aborted) {
      throw new ProtocolError(
        ProtocolErrorCode.InternalError,
        `${operation}: the session's bridge (mcpc-proxy@${options.sessionName}) is stopping`,
      );
    }
    throw asProtocolError(error, operation);
  } finally {
    stopping.removeEventListener("abort", onStop);
  }
}

/**
 * A result without the upstream server's identity in its `_meta` (a
 * 2026-07-28 server names itself in each result): the proxy's clients talk
 * to the proxy, which names itself.
 */
function withoutUpstreamIdentity<T>(result: T): T {
  const meta = (result as { _meta?: Record<string, unknown> } | undefined)?._meta;
  if (!meta || !(SERVER_INFO_META_KEY in meta)) return result;
  const { [SERVER_INFO_META_KEY]: _, ...rest } = meta;
  const { _meta: __, ...fields } = result as Record<string, unknown>;
  return (Object.keys(rest).length > 0 ? { ...fields, _meta: rest } : fields) as T;
}

/** The error a client gets: the server's own protocol error, or an internal error saying what failed. */
function asProtocolError(error: unknown, operation: string): ProtocolError {
  if (error instanceof ProtocolError) return error;
  if (
    error instanceof Error && error.name === "ProtocolError" &&
    typeof (error as { code?: unknown }).code === "number"
  ) {
    const { code, data } = error as Error & { code: number; data?: unknown };
    return new ProtocolError(code, error.message, data);
  }
  return new ProtocolError(ProtocolErrorCode.InternalError, `${operation}: ${text(error)}`);
}

function pick<T extends object>(value: T, keys: readonly string[]): Record<string, unknown> {
  const source = value as Record<string, unknown>;
  return Object.fromEntries(
    keys.filter((key) => source[key] !== undefined).map((key) => [
      key,
      source[key],
    ]),
  );
}

function jsonRpcError(status: number, code: number, message: string): Response {
  return Response.json({ jsonrpc: "2.0", error: { code, message }, id: null }, { status });
}

function text(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
