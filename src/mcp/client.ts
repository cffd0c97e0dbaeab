/**
 * The bridge's MCP connection: builds the transport for a server config,
 * performs (or resumes) the handshake, and exposes the few calls mcpc needs.
 *
 * Layer: edge (loads the MCP SDK; used only by the bridge).
 * @module
 */

import type { ServerConfig, StoredInitializeResult } from "../session/session.ts";
import { settleWithin } from "../platform/settle.ts";
import { VERSION } from "../version.ts";
import {
  Client,
  getDefaultEnvironment,
  StdioClientTransport,
  StreamableHTTPClientTransport,
} from "./sdk.ts";
import type { CallToolResult, Tool } from "./types.ts";

/** Per-call options. */
export interface CallOptions {
  /** Aborting cancels the request on the server (`notifications/cancelled`). */
  signal?: AbortSignal;
  /** SDK-side bound for the request (ms). */
  timeoutMs?: number;
}

/** A connected MCP server. */
export interface McpConnection {
  /** The server's handshake result (restored from the record when resumed). */
  readonly initialize: StoredInitializeResult;
  /** The HTTP `MCP-Session-Id`, if the server issued one. */
  readonly sessionId: string | undefined;
  /** Whether the MCP session was resumed rather than initialised. */
  readonly resumed: boolean;
  /** Lists every tool (all pages). */
  listAllTools(options?: CallOptions): Promise<Tool[]>;
  /** Calls a tool. */
  callTool(
    name: string,
    args: Record<string, unknown>,
    options?: CallOptions,
  ): Promise<CallToolResult>;
  /** Pings the server. */
  ping(options?: CallOptions): Promise<void>;
  /** Closes the transport, first ending the MCP session (HTTP `DELETE`, bounded) unless told not to. */
  close(options?: { endSession?: boolean }): Promise<void>;
  /** Called once when the transport closes on its own. */
  onClose?: () => void;
}

/** Options for {@linkcode connectMcp}. */
export interface ConnectMcpOptions {
  /** Resume this MCP session instead of initialising a new one. */
  resume?: { mcpSessionId: string; initialize: StoredInitializeResult };
  /** Each line the stdio server writes to stderr. */
  onStderrLine?: (line: string) => void;
  /** Working directory for a stdio server. */
  cwd?: string;
  /** Bound on the handshake (ms). */
  timeoutMs?: number;
  /** Transport-level errors the SDK reports outside any request (e.g. a dropped SSE stream). */
  onError?: (error: Error) => void;
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

const TERMINATE_CAP_MS = 2_000;
const CLOSE_CAP_MS = 1_000;

/** Connects to the server described by `server`. Throws the SDK's errors unchanged. */
export async function connectMcp(
  server: ServerConfig,
  options: ConnectMcpOptions = {},
): Promise<McpConnection> {
  const client = new Client(
    { name: "mcpc", version: VERSION },
    { capabilities: {} },
  );
  client.onerror = (error) => options.onError?.(error);
  const requestTimeout = options.timeoutMs ?? (server.timeout ?? 60) * 1000;
  if (server.url) {
    const transport = new StreamableHTTPClientTransport(new URL(server.url), {
      requestInit: { headers: server.headers ?? {} },
      sessionId: options.resume?.mcpSessionId,
    });
    await client.connect(transport, { timeout: requestTimeout });
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
    } else {
      initialize = initializeResultOf(client, transport.protocolVersion);
    }
    return wrap(client, initialize, {
      resumed: options.resume !== undefined,
      sessionId: () => transport.sessionId,
      terminate: () => transport.terminateSession(),
    });
  }
  if (!server.command) throw new TypeError("Server config needs a url or a command");
  const transport = new StdioClientTransport({
    command: server.command,
    args: server.args ?? [],
    env: { ...getDefaultEnvironment(), ...(server.env ?? {}) },
    stderr: "pipe",
    cwd: options.cwd,
  });
  if (options.onStderrLine) pipeLines(transport.stderr, options.onStderrLine);
  // The SDK tells HTTP transports the negotiated version; catch it for stdio too.
  let negotiated: string | undefined;
  Object.assign(transport, { setProtocolVersion: (version: string) => negotiated = version });
  await client.connect(transport, { timeout: requestTimeout });
  return wrap(client, initializeResultOf(client, negotiated), {
    resumed: false,
    sessionId: () => undefined,
  });
}

function initializeResultOf(
  client: Client,
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
  resumed: boolean;
  sessionId: () => string | undefined;
  terminate?: () => Promise<void>;
}

function wrap(client: Client, initialize: StoredInitializeResult, hooks: WrapHooks): McpConnection {
  const connection: McpConnection = {
    initialize,
    resumed: hooks.resumed,
    get sessionId() {
      return hooks.sessionId();
    },
    async listAllTools(options = {}) {
      const tools: Tool[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.listTools(cursor ? { cursor } : {}, sdkOptions(options));
        tools.push(...page.tools);
        cursor = page.nextCursor;
      } while (cursor);
      return tools;
    },
    async callTool(name, args, options = {}) {
      const result = await client.callTool(
        { name, arguments: args },
        undefined,
        sdkOptions(options),
      );
      return result as CallToolResult;
    },
    async ping(options = {}) {
      await client.ping(sdkOptions(options));
    },
    async close(options = {}) {
      client.onclose = undefined;
      if (hooks.terminate && options.endSession !== false) {
        await settleWithin(hooks.terminate(), TERMINATE_CAP_MS);
      }
      await settleWithin(client.close(), CLOSE_CAP_MS);
    },
  };
  client.onclose = () => connection.onClose?.();
  return connection;
}

function sdkOptions(options: CallOptions): { signal?: AbortSignal; timeout?: number } {
  return { signal: options.signal, timeout: options.timeoutMs };
}

async function closeQuietly(client: Client): Promise<void> {
  await settleWithin(client.close(), CLOSE_CAP_MS);
}

interface LineSource {
  on(event: "data", listener: (chunk: Uint8Array | string) => void): unknown;
}

function pipeLines(stream: LineSource | null, onLine: (line: string) => void): void {
  if (!stream) return;
  const decoder = new TextDecoder();
  let pending = "";
  stream.on("data", (chunk) => {
    pending += typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true });
    const lines = pending.split(/\r?\n/);
    pending = lines.pop() ?? "";
    for (const line of lines) if (line.trim() !== "") onLine(line);
  });
}
