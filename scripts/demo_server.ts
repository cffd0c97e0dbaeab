/**
 * The bundled demo MCP server used by the demo, the e2e tests and the benchmark.
 *
 * Serves the tools `echo`, `add`, `fail`, `slow` and `stats` (plus optional
 * `tool-1..N`) over Streamable HTTP or over stdio, to clients of MCP
 * 2026-07-28 (stateless), of 2025-11-25 and older (MCP sessions), or both
 * (`--era`, default `both`).
 *
 * ```sh
 * deno run --allow-all scripts/demo_server.ts [--stdio] [--era modern|legacy|both]
 *   [--host H] [--port P] [--require-bearer TOKEN] [--instructions TEXT]
 *   [--extra-tools N] [--fail-start]
 * ```
 *
 * HTTP mode prints one line `READY http://<host>:<port>/mcp` on stdout once
 * listening. Stdio mode logs `demo server ready (stdio)` on stderr. The env var
 * `DEMO_STDERR_LINES=N` prints N numbered stderr lines at start, and
 * `--fail-start` prints `fatal: demo failure requested` on stderr and exits 1.
 *
 * Layer: edge (script: network, stdio, signals, process exit).
 * @module
 */

import process from "node:process";
import { z } from "zod";
import {
  createMcpHandler,
  isInitializeRequest,
  isLegacyRequest,
  type McpHttpHandler,
  McpServer,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
import { serveStdio, StdioServerTransport } from "@modelcontextprotocol/server/stdio";

/** Instructions sent in the handshake unless `--instructions` overrides them. */
export const DEFAULT_INSTRUCTIONS = "Demo server for mcpc. Tools: echo, add, fail, slow.";

/** The `serverInfo` the demo server reports. */
export const DEMO_SERVER_INFO = { name: "mcpc-demo-server", version: "1.0.0" } as const;

/**
 * Which MCP revisions the server speaks: `modern` only 2026-07-28 (stateless,
 * `server/discover`), `legacy` only 2025-11-25 and older (`initialize`, MCP
 * sessions), `both` each client in its own era.
 */
export type DemoEra = "modern" | "legacy" | "both";

/** The eras `--era` accepts. */
export const DEMO_ERAS: readonly DemoEra[] = ["modern", "legacy", "both"];

/** Counters shared by every session of one demo server (the `stats` tool reports them). */
export interface DemoStats {
  /** Calls of `slow` that started. */
  slowStarted: number;
  /** Calls of `slow` whose wait was aborted (cancelled or session closed). */
  slowCancelled: number;
  /** Calls per tool name; `stats` itself is not counted. */
  calls: Record<string, number>;
}

/** Options for {@linkcode createDemoMcpServer}. */
export interface DemoServerOptions {
  /** Handshake instructions (default {@linkcode DEFAULT_INSTRUCTIONS}). */
  instructions?: string;
  /** Number of extra tools `tool-1..N` to register (default 0). */
  extraTools?: number;
  /** The revisions served (default `both`). */
  era?: DemoEra;
}

/** Options for {@linkcode startDemoHttpServer}. */
export interface DemoHttpServerOptions extends DemoServerOptions {
  /** Interface to listen on (default `127.0.0.1`). */
  host?: string;
  /** Port to listen on (default 0: a free port). */
  port?: number;
  /** When set, every request to `/mcp` must carry `Authorization: Bearer <token>`. */
  requireBearer?: string;
}

/** A running HTTP demo server. */
export interface DemoHttpServer {
  /** The MCP endpoint, e.g. `http://127.0.0.1:41234/mcp`. */
  readonly url: string;
  /** The revisions it serves. */
  readonly era: DemoEra;
  /** Number of live MCP sessions (2025-era clients only: 2026-07-28 has none). */
  sessionCount(): number;
  /** A snapshot of the counters. */
  stats(): DemoStats;
  /** Closes every session and stops listening. */
  close(): Promise<void>;
}

/** Parsed command-line flags of the demo server. */
export interface DemoCliOptions extends DemoHttpServerOptions {
  /** Serve over stdio instead of HTTP. */
  stdio: boolean;
  /** Print a fatal line on stderr and exit 1 before serving. */
  failStart: boolean;
}

/** Creates an empty counter set. */
export function createDemoStats(): DemoStats {
  return { slowStarted: 0, slowCancelled: 0, calls: {} };
}

/** Copies `stats` so callers cannot change the live counters. */
export function snapshotDemoStats(stats: DemoStats): DemoStats {
  return {
    slowStarted: stats.slowStarted,
    slowCancelled: stats.slowCancelled,
    calls: { ...stats.calls },
  };
}

/** Builds one `McpServer` with the demo tools; `stats` is updated in place. */
export function createDemoMcpServer(stats: DemoStats, options: DemoServerOptions = {}): McpServer {
  const server = new McpServer(DEMO_SERVER_INFO, {
    capabilities: { tools: { listChanged: true }, logging: {} },
    instructions: options.instructions ?? DEFAULT_INSTRUCTIONS,
  });
  const count = (name: string) => {
    stats.calls[name] = (stats.calls[name] ?? 0) + 1;
  };

  server.registerTool("echo", {
    title: "Echo",
    description: "Returns the message, optionally repeated (space-joined).",
    inputSchema: {
      message: z.string().describe("Text to echo back"),
      repeat: z.number().int().min(1).max(1000).default(1).describe("How many times to repeat"),
    },
    outputSchema: { message: z.string() },
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  }, ({ message, repeat }) => {
    count("echo");
    const text = Array.from({ length: repeat }, () => message).join(" ");
    return { content: [{ type: "text", text }], structuredContent: { message } };
  });

  server.registerTool("add", {
    title: "Add",
    description: "Adds two numbers.",
    inputSchema: {
      a: z.number().describe("First addend"),
      b: z.number().describe("Second addend"),
    },
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  }, ({ a, b }) => {
    count("add");
    return { content: [{ type: "text", text: String(a + b) }] };
  });

  server.registerTool("fail", {
    title: "Fail",
    description: "Always returns a tool error (isError: true).",
    inputSchema: { reason: z.string().optional().describe("Text to include in the error") },
    annotations: { readOnlyHint: true, destructiveHint: false, openWorldHint: false },
  }, ({ reason }) => {
    count("fail");
    const text = `Failure requested: ${reason ?? "no reason given"}`;
    return { isError: true, content: [{ type: "text", text }] };
  });

  server.registerTool("slow", {
    title: "Slow",
    description: "Waits the given number of milliseconds; honours cancellation.",
    inputSchema: {
      ms: z.number().int().min(0).max(600_000).default(1000).describe("Milliseconds to wait"),
    },
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  }, async ({ ms }, ctx) => {
    count("slow");
    stats.slowStarted++;
    try {
      await abortableDelay(ms, ctx.mcpReq.signal);
    } catch (error) {
      stats.slowCancelled++;
      throw error;
    }
    return { content: [{ type: "text", text: `slept ${ms} ms` }] };
  });

  server.registerTool("stats", {
    title: "Stats",
    description: "Reports call counters as JSON (slowStarted, slowCancelled, calls).",
    annotations: { readOnlyHint: true, openWorldHint: false },
  }, () => ({ content: [{ type: "text", text: JSON.stringify(snapshotDemoStats(stats)) }] }));

  const extraTools = options.extraTools ?? 0;
  for (let i = 1; i <= extraTools; i++) {
    const name = `tool-${i}`;
    server.registerTool(name, {
      description: `Extra demo tool ${i} of ${extraTools}.`,
      annotations: { readOnlyHint: true, openWorldHint: false },
    }, () => {
      count(name);
      return { content: [{ type: "text", text: name }] };
    });
  }
  return server;
}

/**
 * Starts the Streamable HTTP demo server; resolves once it listens. 2025-era
 * clients get stateful MCP sessions (one transport and one `McpServer` each);
 * 2026-07-28 clients are served statelessly, one `McpServer` per request.
 */
export async function startDemoHttpServer(
  options: DemoHttpServerOptions = {},
): Promise<DemoHttpServer> {
  const stats = createDemoStats();
  const era = options.era ?? "both";
  const host = options.host ?? "127.0.0.1";
  const legacy = era === "modern" ? undefined : legacySessions(stats, options);
  const modern: McpHttpHandler | undefined = era === "legacy"
    ? undefined
    : createMcpHandler(() => createDemoMcpServer(stats, options), { legacy: "reject" });
  const { promise: listening, resolve: onListening } = Promise.withResolvers<number>();

  const handle = async (req: Request): Promise<Response> => {
    if (new URL(req.url).pathname !== "/mcp") {
      await req.body?.cancel();
      return new Response("Not Found\n", { status: 404 });
    }
    if (
      options.requireBearer !== undefined &&
      req.headers.get("authorization") !== `Bearer ${options.requireBearer}`
    ) {
      await req.body?.cancel();
      return Response.json({ error: "unauthorized", message: "Bearer token required" }, {
        status: 401,
        headers: { "WWW-Authenticate": 'Bearer realm="mcpc-demo-server"' },
      });
    }
    if (!legacy) return await modern!.fetch(req);
    if (!modern || await isLegacyRequest(req.clone())) return await legacy.handle(req);
    return await modern.fetch(req);
  };

  const httpServer = Deno.serve({
    hostname: host,
    port: options.port ?? 0,
    onListen: ({ port }) => onListening(port),
  }, handle);
  const port = await listening;

  let closing: Promise<void> | undefined;
  const close = async () => {
    await Promise.allSettled([legacy?.close(), modern?.close()]);
    await httpServer.shutdown();
  };
  return {
    url: `http://${urlHost(host)}:${port}/mcp`,
    era,
    sessionCount: () => legacy?.count() ?? 0,
    stats: () => snapshotDemoStats(stats),
    close: () => closing ??= close(),
  };
}

/** The 2025-era side of the HTTP server: MCP sessions keyed by `Mcp-Session-Id`. */
function legacySessions(stats: DemoStats, options: DemoServerOptions) {
  const sessions = new Map<string, DemoSession>();
  const handle = async (req: Request): Promise<Response> => {
    const sessionId = req.headers.get("mcp-session-id");
    if (sessionId !== null) {
      const session = sessions.get(sessionId);
      if (session === undefined) {
        await req.body?.cancel();
        return jsonRpcErrorResponse(404, -32001, "Session not found");
      }
      return await session.transport.handleRequest(req);
    }
    if (req.method !== "POST") {
      await req.body?.cancel();
      return jsonRpcErrorResponse(400, -32000, "Bad Request: Mcp-Session-Id header is required");
    }
    let body: unknown;
    try {
      body = await req.json();
    } catch {
      return jsonRpcErrorResponse(400, -32700, "Parse error: invalid JSON");
    }
    const messages = Array.isArray(body) ? body : [body];
    if (!messages.some((message) => isInitializeRequest(message))) {
      return jsonRpcErrorResponse(400, -32000, "Bad Request: Mcp-Session-Id header is required");
    }
    const server = createDemoMcpServer(stats, options);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { server, transport });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    const response = await transport.handleRequest(req, { parsedBody: body });
    if (transport.sessionId === undefined || !sessions.has(transport.sessionId)) {
      await server.close();
    }
    return response;
  };
  return {
    handle,
    count: () => sessions.size,
    close: async () => {
      const open = [...sessions.values()];
      sessions.clear();
      await Promise.allSettled(open.map((session) => session.server.close()));
    },
  };
}

/** Parses the demo server's flags (`--flag value` or `--flag=value`). */
export function parseDemoArgs(args: readonly string[]): DemoCliOptions {
  const options: DemoCliOptions = { stdio: false, failStart: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.indexOf("=");
    const flag = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = flag === arg ? undefined : arg.slice(eq + 1);
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = args[++i];
      if (next === undefined) throw new TypeError(`Cannot parse "${flag}": missing value`);
      return next;
    };
    switch (flag) {
      case "--stdio":
        options.stdio = true;
        break;
      case "--fail-start":
        options.failStart = true;
        break;
      case "--host":
        options.host = value();
        break;
      case "--port":
        options.port = parseNonNegativeInt(flag, value(), 65535);
        break;
      case "--require-bearer":
        options.requireBearer = value();
        break;
      case "--instructions":
        options.instructions = value();
        break;
      case "--extra-tools":
        options.extraTools = parseNonNegativeInt(flag, value(), 100_000);
        break;
      case "--era": {
        const era = value();
        if (!(DEMO_ERAS as readonly string[]).includes(era)) {
          throw new TypeError(
            `Cannot parse "--era": expected one of ${DEMO_ERAS.join(", ")}, got "${era}"`,
          );
        }
        options.era = era as DemoEra;
        break;
      }
      default:
        throw new TypeError(`Cannot parse arguments: unknown option "${arg}"`);
    }
  }
  return options;
}

/** Runs the demo server as a command; resolves with the exit code once it has stopped. */
export async function runDemoServerCli(
  args: readonly string[],
  options: { env?: Record<string, string | undefined> } = {},
): Promise<number> {
  let cli: DemoCliOptions;
  try {
    cli = parseDemoArgs(args);
  } catch (error) {
    console.error(`demo server: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  const env = options.env ?? Deno.env.toObject();
  const extraLines = Number.parseInt(env.DEMO_STDERR_LINES ?? "0", 10);
  for (let i = 1; i <= (Number.isFinite(extraLines) ? extraLines : 0); i++) {
    console.error(`demo stderr line ${i} of ${extraLines}`);
  }
  if (cli.failStart) {
    console.error("fatal: demo failure requested");
    return 1;
  }
  const { promise: stopped, resolve: stop } = Promise.withResolvers<void>();
  const removeSignals = onTerminationSignals(() => stop());
  try {
    if (cli.stdio) {
      const server = serveDemoStdio(cli, stop);
      process.stdin.once("end", () => stop());
      console.error("demo server ready (stdio)");
      await stopped;
      await server.close();
    } else {
      const server = await startDemoHttpServer(cli);
      console.log(`READY ${server.url}`);
      await stopped;
      await server.close();
    }
  } finally {
    removeSignals();
  }
  return 0;
}

/**
 * Serves one client over this process's stdin/stdout in the eras `options.era`
 * names; `onClosed` runs when the client goes away.
 */
function serveDemoStdio(
  options: DemoServerOptions,
  onClosed: () => void,
): { close(): Promise<void> } {
  const stats = createDemoStats();
  const era = options.era ?? "both";
  if (era === "legacy") {
    // A plain 2025-era server: it answers `server/discover` like any unknown method.
    const server = createDemoMcpServer(stats, options);
    const transport = new StdioServerTransport();
    transport.onclose = onClosed;
    server.connect(transport).catch(onClosed);
    return server;
  }
  return serveStdio(() => createDemoMcpServer(stats, options), {
    legacy: era === "modern" ? "reject" : "serve",
  });
}

/** One MCP session of the HTTP server. */
interface DemoSession {
  server: McpServer;
  transport: WebStandardStreamableHTTPServerTransport;
}

/** Resolves after `ms`, or rejects with the abort reason once `signal` aborts. */
function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason ?? new Error("Request aborted"));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason ?? new Error("Request aborted"));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** A JSON-RPC error body with no request id, as the SDK transport sends it. */
function jsonRpcErrorResponse(status: number, code: number, message: string): Response {
  return Response.json({ jsonrpc: "2.0", error: { code, message }, id: null }, { status });
}

/** The host part of a URL for a listen address (wildcards map to loopback). */
function urlHost(host: string): string {
  if (host === "0.0.0.0" || host === "") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

/** Parses an integer flag value in `0..max`. */
function parseNonNegativeInt(flag: string, text: string, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value > max) {
    throw new RangeError(`Cannot parse "${flag}": expected an integer 0..${max}, got "${text}"`);
  }
  return value;
}

/** Calls `onSignal` on SIGINT/SIGTERM (SIGINT only on Windows); returns the remover. */
function onTerminationSignals(onSignal: () => void): () => void {
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const signal of signals) Deno.addSignalListener(signal, onSignal);
  return () => {
    for (const signal of signals) Deno.removeSignalListener(signal, onSignal);
  };
}

if (import.meta.main) {
  Deno.exit(await runDemoServerCli(Deno.args));
}
