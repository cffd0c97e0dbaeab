import assert from "node:assert/strict";
import { httpError } from "../../fakes/sdk_errors.ts";
import { join } from "node:path";
import {
  Bridge,
  type BridgeDeps,
  FAILURE_SHUTDOWN_DELAY_MS,
  NOTIFICATION_HISTORY,
} from "../../../src/bridge/bridge.ts";
import { FIRST_KEEPALIVE_MS } from "../../../src/bridge/keepalive.ts";
import type { SkillAccess } from "../../../src/mcp/skills.ts";
import type { CompleteResult } from "../../../src/mcp/sdk.ts";
import type { BridgeLog } from "../../../src/bridge/log.ts";
import {
  type BridgeStartConfig,
  IPC_PROTOCOL_VERSION,
  type MethodName,
  type NotificationEntry,
  type WireError,
} from "../../../src/bridge/protocol.ts";
import { McpcError } from "../../../src/errors.ts";
import type {
  CallOptions,
  ListedItems,
  LogLevelScope,
  McpConnection,
} from "../../../src/mcp/client.ts";
import {
  ProtocolError,
  ProtocolErrorCode,
  SdkError,
  SdkErrorCode,
  UnauthorizedError,
} from "../../../src/mcp/sdk.ts";
import type {
  CallToolResult,
  GetPromptResult,
  LoggingLevel,
  Prompt,
  ReadResourceResult,
  Resource,
  ResourceTemplate,
  Task,
  Tool,
} from "../../../src/mcp/types.ts";
import type { TaskSupport } from "../../../src/mcp/tasks.ts";
import type {
  EraVerdict,
  SessionRecord,
  StoredInitializeResult,
} from "../../../src/session/session.ts";
import { SessionStore } from "../../../src/session/session_store.ts";
import { NOW, sessionRecord } from "../../fakes/session_records.ts";
import { withDeadline } from "../../fakes/deadline.ts";

const PID = 4_242;
const OTHER_PID = 5_353;
const LABEL = "https://mcp.example.com/mcp";
const NAME = "@s";
const NOW_ISO = new Date(NOW).toISOString();
/** Generous bound for anything the bridge does on its own (timers, fire-and-forget writes). */
const WAIT_MS = 5_000;

const INITIALIZE: StoredInitializeResult = {
  protocolVersion: "2025-06-18",
  capabilities: { tools: { listChanged: true } },
  serverInfo: { name: "fake-server", version: "1.2.3" },
  instructions: "Be nice",
};

const TOOLS: Tool[] = [
  { name: "echo", inputSchema: { type: "object" } },
  { name: "add", inputSchema: { type: "object" } },
];

/** One log line the bridge wrote. */
interface LogLine {
  level: "debug" | "info" | "warn" | "error";
  message: string;
}

/** A {@linkcode BridgeLog} that keeps every line in memory. */
class RecordingLog implements BridgeLog {
  lines: LogLine[] = [];
  debug(message: string): void {
    this.lines.push({ level: "debug", message });
  }
  info(message: string): void {
    this.lines.push({ level: "info", message });
  }
  warn(message: string): void {
    this.lines.push({ level: "warn", message });
  }
  error(message: string): void {
    this.lines.push({ level: "error", message });
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
  messages(level: LogLine["level"]): string[] {
    return this.lines.filter((line) => line.level === level).map((line) => line.message);
  }
}

/** An {@linkcode McpConnection} whose answers the test controls and whose calls it records. */
class FakeConnection implements McpConnection {
  initialize: StoredInitializeResult;
  sessionId: string | undefined;
  resumed = false;
  transport = "streamable-http" as const;
  era: EraVerdict = { kind: "legacy" };
  onClose?: () => void;
  onNotification?: McpConnection["onNotification"];
  onListenError?: (error: unknown) => void;
  /** Skills are not faked here (tests/unit/mcp/skills_test.ts covers them): any use fails. */
  skills: SkillAccess = {
    list: () => Promise.reject(new Error("skills are not faked")),
    get: () => Promise.reject(new Error("skills are not faked")),
    readChunk: () => Promise.reject(new Error("skills are not faked")),
  };
  tools: Tool[] = TOOLS;
  resources: Resource[] = [{ uri: "demo://a", name: "a" }];
  /** The cache hint each resource listing carries, when set. */
  resourcesTtlMs?: number;
  resourceListCalls = 0;
  templateListCalls = 0;
  subscriptionCalls: string[][] = [];
  /** Thrown by `setResourceSubscriptions` when set. */
  subscribeFailure?: unknown;
  logLevels: string[] = [];
  listCalls: (CallOptions | undefined)[] = [];
  toolCalls: { name: string; args: Record<string, unknown>; options?: CallOptions }[] = [];
  pingCalls: (CallOptions | undefined)[] = [];
  closeCalls: ({ endSession?: boolean } | undefined)[] = [];
  /** Thrown by `listTools`, `callTool` and `ping` when set. */
  failure?: unknown;
  /** Replaces the default `callTool` answer. */
  callToolImpl?: (options?: CallOptions) => Promise<CallToolResult>;
  /** Called when `close` starts (to observe ordering). */
  onCloseCall?: () => void;

  constructor(fields: { initialize?: StoredInitializeResult; sessionId?: string } = {}) {
    this.initialize = fields.initialize ?? INITIALIZE;
    this.sessionId = fields.sessionId;
  }

  listTools(options?: CallOptions): Promise<ListedItems<Tool>> {
    this.listCalls.push(options);
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return Promise.resolve({ items: structuredClone(this.tools) });
  }

  listResources(): Promise<ListedItems<Resource>> {
    this.resourceListCalls++;
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return Promise.resolve({
      items: structuredClone(this.resources),
      ...(this.resourcesTtlMs !== undefined ? { ttlMs: this.resourcesTtlMs } : {}),
    });
  }

  listResourceTemplates(): Promise<ListedItems<ResourceTemplate>> {
    this.templateListCalls++;
    return Promise.resolve({ items: [{ uriTemplate: "demo://t/{x}", name: "t" }] });
  }

  listPrompts(): Promise<ListedItems<Prompt>> {
    return Promise.resolve({ items: [{ name: "greet" }] });
  }

  readResource(uri: string): Promise<ReadResourceResult> {
    return Promise.resolve({ contents: [{ uri, text: `text of ${uri}` }] });
  }

  setResourceSubscriptions(uris: readonly string[]): Promise<void> {
    if (this.subscribeFailure !== undefined) return Promise.reject(this.subscribeFailure);
    this.subscriptionCalls.push([...uris]);
    return Promise.resolve();
  }

  getPrompt(name: string, args: Record<string, string>): Promise<GetPromptResult> {
    return Promise.resolve({
      messages: [{ role: "user", content: { type: "text", text: `${name} ${args.who ?? ""}` } }],
    });
  }

  setLogLevel(level: LoggingLevel): Promise<LogLevelScope> {
    this.logLevels.push(level);
    return Promise.resolve("session");
  }

  callTool(
    name: string,
    args: Record<string, unknown>,
    options?: CallOptions,
  ): Promise<CallToolResult> {
    this.toolCalls.push({ name, args, options });
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.callToolImpl) return this.callToolImpl(options);
    return Promise.resolve({ content: [{ type: "text", text: `called ${name}` }] });
  }

  tasks: TaskSupport = { toolCall: true, list: false, cancel: true, polled: false };
  /** The statuses the created task goes through, one per `tasks/get`. */
  taskSteps: Task["status"][] = ["working", "completed"];
  taskCalls: string[] = [];
  #task?: Task;
  #step = 0;

  callToolAsTask(name: string, args: Record<string, unknown>): Promise<{ task: Task }> {
    this.taskCalls.push(`create ${name}`);
    this.toolCalls.push({ name, args });
    this.#task = {
      taskId: "task-1",
      status: "working",
      statusMessage: "step 0",
      createdAt: NOW_ISO,
      lastUpdatedAt: NOW_ISO,
      ttl: 60_000,
      pollInterval: 1,
    };
    this.#step = 0;
    return Promise.resolve({ task: structuredClone(this.#task) });
  }

  getTask(taskId: string): Promise<Task> {
    this.taskCalls.push(`get ${taskId}`);
    if (!this.#task || taskId !== this.#task.taskId) {
      return Promise.reject(new ProtocolError(ProtocolErrorCode.InvalidParams, "No such task"));
    }
    this.#step = Math.min(this.#step + 1, this.taskSteps.length - 1);
    this.#task = {
      ...this.#task,
      status: this.taskSteps[this.#step],
      statusMessage: `step ${this.#step}`,
    };
    return Promise.resolve(structuredClone(this.#task));
  }

  /** Answers once the steps reached a final status, or when the call's signal aborts. */
  async taskResult(taskId: string, options?: CallOptions): Promise<CallToolResult> {
    this.taskCalls.push(`result ${taskId}`);
    if (this.tasks.polled) {
      // The 2026 extension: the wait is the poll, and it tells onTask each state it sees,
      // starting with the one it found.
      options?.onTask?.(structuredClone(this.#task!));
      while (!["completed", "failed", "cancelled"].includes(this.#task!.status)) {
        await delay(5);
        if (options?.signal?.aborted) throw options.signal.reason;
        this.taskCalls.push(`poll ${taskId}`);
        this.#step = Math.min(this.#step + 1, this.taskSteps.length - 1);
        this.#task = { ...this.#task!, status: this.taskSteps[this.#step] };
        options?.onTask?.(structuredClone(this.#task));
      }
      return { content: [{ type: "text", text: `outcome of ${taskId}` }] };
    }
    while (!["completed", "failed", "cancelled"].includes(this.#task?.status ?? "")) {
      if (options?.signal?.aborted) throw options.signal.reason;
      await delay(5);
    }
    return { content: [{ type: "text", text: `outcome of ${taskId}` }] };
  }

  listTasks(): Promise<Task[]> {
    this.taskCalls.push("list");
    return Promise.resolve(this.#task ? [structuredClone(this.#task)] : []);
  }

  cancelTask(taskId: string): Promise<Task> {
    this.taskCalls.push(`cancel ${taskId}`);
    this.#task = { ...this.#task!, status: "cancelled" };
    return Promise.resolve(structuredClone(this.#task));
  }

  request(): Promise<Record<string, unknown>> {
    return Promise.reject(new Error("not used by these tests"));
  }

  complete(): Promise<CompleteResult> {
    return Promise.reject(new Error("not used by these tests"));
  }

  ping(options?: CallOptions): Promise<void> {
    this.pingCalls.push(options);
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return Promise.resolve();
  }

  close(options?: { endSession?: boolean }): Promise<void> {
    this.onCloseCall?.();
    this.closeCalls.push(options);
    return Promise.resolve();
  }
}

/** Everything a test needs around one bridge. */
interface Harness {
  bridge: Bridge;
  store: SessionStore;
  log: RecordingLog;
  /** How often `onStopped` was called. */
  stoppedCount: () => number;
  /** Resolves when `onStopped` is called. */
  stopped: Promise<void>;
  /** Sets the clock. */
  setNow: (ms: number) => void;
}

interface HarnessOptions {
  /** Opens the connection (default: resolves with `connection`). */
  connect?: BridgeDeps["connect"];
  /** The connection `connect` resolves with by default. */
  connection?: FakeConnection;
  /** Fields of the seeded record (default: pid {@linkcode PID}, status `connecting`). */
  record?: Partial<SessionRecord>;
  /** Seed no record at all. */
  noRecord?: boolean;
  /** Keepalive timers (default: real ones). */
  keepaliveTimers?: BridgeDeps["keepaliveTimers"];
  /** Started by a listing in the background. */
  background?: boolean;
}

/** Runs `body` with a bridge over a real store in a temp dir; always shuts the bridge down. */
async function withBridge(
  options: HarnessOptions,
  body: (harness: Harness) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "bridge_test_" });
  let bridge: Bridge | undefined;
  try {
    const store = new SessionStore(join(dir, "sessions.json"));
    if (!options.noRecord) {
      await store.update((sessions) => {
        sessions[NAME] = sessionRecord({ pid: PID, status: "connecting", ...options.record });
      });
    }
    const log = new RecordingLog();
    let stoppedCount = 0;
    const stopped = Promise.withResolvers<void>();
    let now = NOW;
    const connection = options.connection ?? new FakeConnection();
    const config: BridgeStartConfig = {
      sessionName: NAME,
      home: dir,
      server: { url: LABEL },
      label: LABEL,
      ...(options.background ? { background: true } : {}),
    };
    bridge = new Bridge({
      config,
      connect: options.connect ?? (() => Promise.resolve(connection)),
      store,
      log,
      pid: PID,
      now: () => now,
      keepaliveTimers: options.keepaliveTimers,
      onStopped: () => {
        stoppedCount++;
        stopped.resolve();
      },
    });
    await body({
      bridge,
      store,
      log,
      stoppedCount: () => stoppedCount,
      stopped: stopped.promise,
      setNow: (ms) => now = ms,
    });
  } finally {
    if (bridge) {
      // A shutdown() while the start is still running leaves its keepalive behind.
      await withDeadline(settled(bridge.ready), WAIT_MS, "the bridge start");
      await bridge.shutdown("test");
    }
    await removeDir(dir);
  }
}

/** Removes `dir`, retrying briefly while a lock or temp file of the store is being removed. */
async function removeDir(dir: string): Promise<void> {
  for (let attempt = 0;; attempt++) {
    try {
      return await Deno.remove(dir, { recursive: true });
    } catch (error) {
      if (attempt >= 20 || !(error instanceof Error && /not empty/i.test(error.message))) {
        throw error;
      }
      await delay(25);
    }
  }
}

function context(signal: AbortSignal = new AbortController().signal, timeoutMs?: number) {
  return timeoutMs === undefined ? { signal } : { signal, timeoutMs };
}

async function request(
  bridge: Bridge,
  method: MethodName,
  params: unknown = {},
  ctx = context(),
): Promise<{ result: unknown } | { error: WireError }> {
  return await bridge.handle(method, params, ctx);
}

function resultOf(response: { result: unknown } | { error: WireError }): unknown {
  assert.ok("result" in response, `expected a result, got ${JSON.stringify(response)}`);
  return response.result;
}

function errorOf(response: { result: unknown } | { error: WireError }): WireError {
  assert.ok("error" in response, `expected an error, got ${JSON.stringify(response)}`);
  return response.error;
}

/** Polls `check` every 10 ms until it returns true, for at most `ms`. */
async function waitUntil(
  check: () => Promise<boolean>,
  ms: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await delay(10);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function settled(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error;
  }
}

// hello

Deno.test("Bridge hello returns the protocol version, session name, pid and heartbeat", async () => {
  await withBridge({}, async ({ bridge }) => {
    const response = await request(bridge, "hello", { version: IPC_PROTOCOL_VERSION });
    assert.deepEqual(resultOf(response), {
      version: IPC_PROTOCOL_VERSION,
      sessionName: NAME,
      pid: PID,
      heartbeatMs: 5_000,
    });
  });
});

Deno.test("Bridge hello rejects another protocol version with a usage error", async () => {
  await withBridge({}, async ({ bridge }) => {
    const error = errorOf(await request(bridge, "hello", { version: IPC_PROTOCOL_VERSION + 1 }));
    assert.equal(error.kind, "usage");
    assert.match(error.message, /IPC protocol mismatch/);
    assert.match(error.message, /mcpc @s restart/);
  });
});

// startup success

Deno.test("Bridge start persists the connection details in its own record", async () => {
  const connection = new FakeConnection({ sessionId: "sess-1" });
  await withBridge({ connection }, async ({ bridge, store }) => {
    await bridge.ready;
    const record = await store.get(NAME);
    assert.ok(record);
    assert.equal(record.status, "active");
    assert.equal(record.pid, PID);
    assert.equal(record.lastSeenAt, NOW_ISO);
    assert.deepEqual(record.serverInfo, INITIALIZE.serverInfo);
    assert.equal(record.protocolVersion, INITIALIZE.protocolVersion);
    assert.deepEqual(record.initializeResult, INITIALIZE);
    assert.equal(record.mcpSessionId, "sess-1");
  });
});

Deno.test("Bridge start removes a stale mcpSessionId when the connection has none", async () => {
  await withBridge({ record: { mcpSessionId: "old" } }, async ({ bridge, store }) => {
    await bridge.ready;
    const record = await store.get(NAME);
    assert.equal(record?.status, "active");
    assert.equal(record?.mcpSessionId, undefined);
  });
});

Deno.test("Bridge start leaves a record owned by another pid untouched and stops at once", async () => {
  const connection = new FakeConnection({ sessionId: "sess-1" });
  await withBridge(
    { connection, record: { pid: OTHER_PID, status: "connecting" } },
    async ({ bridge, store, stopped }) => {
      const before = await store.get(NAME);
      await assert.rejects(bridge.ready, /took over the session/);
      await withDeadline(stopped, WAIT_MS, "the bridge to leave");
      assert.deepEqual(await store.get(NAME), before);
      assert.deepEqual(connection.closeCalls, [{ endSession: true }], "its own MCP session ends");
    },
  );
});

Deno.test("Bridge taken over by a bridge that resumed the same MCP session leaves it open", async () => {
  const connection = new FakeConnection({ sessionId: "sess-1" });
  await withBridge(
    { connection, record: { pid: OTHER_PID, status: "active", mcpSessionId: "sess-1" } },
    async ({ bridge, stopped }) => {
      await assert.rejects(bridge.ready);
      await withDeadline(stopped, WAIT_MS, "the bridge to leave");
      assert.deepEqual(connection.closeCalls, [{ endSession: false }]);
    },
  );
});

Deno.test("Bridge start copes with a session record that no longer exists", async () => {
  await withBridge({ noRecord: true }, async ({ bridge, store, stopped }) => {
    await assert.rejects(bridge.ready);
    await withDeadline(stopped, WAIT_MS, "the bridge to leave");
    assert.equal(await store.get(NAME), undefined);
  });
});

// serverDetails / listTools

Deno.test("Bridge serverDetails returns initialize and the tools when the server has tools", async () => {
  const connection = new FakeConnection();
  await withBridge({ connection }, async ({ bridge }) => {
    const details = resultOf(await request(bridge, "serverDetails")) as Record<string, unknown>;
    const { connection: summary, ...rest } = details;
    assert.deepEqual(rest, { initialize: INITIALIZE, tools: TOOLS });
    assert.equal((summary as { transport: string }).transport, "streamable-http");
    assert.equal((summary as { resumed: boolean }).resumed, false);
    assert.equal(typeof (summary as { connectMs: number }).connectMs, "number");
    // The second call and listTools are answered from the cache.
    await request(bridge, "serverDetails");
    assert.deepEqual(resultOf(await request(bridge, "listTools", { refresh: false })), {
      tools: TOOLS,
    });
    assert.equal(connection.listCalls.length, 1);
  });
});

Deno.test("Bridge serverDetails omits tools when the server lacks the tools capability", async () => {
  const connection = new FakeConnection({
    initialize: { ...INITIALIZE, capabilities: { prompts: {} } },
  });
  await withBridge({ connection }, async ({ bridge }) => {
    const result = resultOf(await request(bridge, "serverDetails")) as Record<string, unknown>;
    assert.deepEqual(result.initialize, connection.initialize);
    assert.equal(result.tools, undefined);
    assert.equal(connection.listCalls.length, 0);
  });
});

Deno.test("Bridge serverDetails still answers and logs a warning when listing tools fails", async () => {
  const connection = new FakeConnection();
  connection.failure = new Error("tools exploded");
  await withBridge({ connection }, async ({ bridge, log }) => {
    const result = resultOf(await request(bridge, "serverDetails")) as Record<string, unknown>;
    assert.deepEqual(result.initialize, INITIALIZE);
    assert.equal(result.tools, undefined);
    assert.ok(
      log.messages("warn").some((line) =>
        line.includes("Cannot fill the tools cache") && line.includes("tools exploded")
      ),
    );
  });
});

Deno.test("Bridge listTools caches the tools and refresh: true fetches them again", async () => {
  const connection = new FakeConnection();
  await withBridge({ connection }, async ({ bridge }) => {
    assert.deepEqual(resultOf(await request(bridge, "listTools", { refresh: false })), {
      tools: TOOLS,
    });
    connection.tools = [{ name: "new-tool", inputSchema: { type: "object" } }];
    assert.deepEqual(resultOf(await request(bridge, "listTools", { refresh: false })), {
      tools: TOOLS,
    });
    assert.equal(connection.listCalls.length, 1);
    assert.deepEqual(resultOf(await request(bridge, "listTools", { refresh: true })), {
      tools: connection.tools,
    });
    assert.equal(connection.listCalls.length, 2);
    // The refreshed list replaces the cache.
    assert.deepEqual(resultOf(await request(bridge, "listTools", { refresh: false })), {
      tools: connection.tools,
    });
    assert.equal(connection.listCalls.length, 2);
  });
});

// callTool / ping

Deno.test("Bridge callTool passes the name, arguments and signal to the connection", async () => {
  const connection = new FakeConnection();
  await withBridge({ connection }, async ({ bridge }) => {
    const controller = new AbortController();
    const response = await request(
      bridge,
      "callTool",
      { name: "echo", arguments: { text: "hi", n: 2 } },
      context(controller.signal),
    );
    assert.deepEqual(resultOf(response), { content: [{ type: "text", text: "called echo" }] });
    assert.equal(connection.toolCalls.length, 1);
    const call = connection.toolCalls[0];
    assert.equal(call.name, "echo");
    assert.deepEqual(call.args, { text: "hi", n: 2 });
    assert.equal(call.options?.signal, controller.signal);
    assert.equal(call.options?.timeoutMs, undefined);
  });
});

Deno.test("Bridge callTool gives the SDK 2000 ms more than the CLI's timeout", async () => {
  const connection = new FakeConnection();
  await withBridge({ connection }, async ({ bridge }) => {
    await request(bridge, "callTool", { name: "echo", arguments: {} }, context(undefined, 5_000));
    assert.equal(connection.toolCalls[0].options?.timeoutMs, 7_000);
  });
});

Deno.test("Bridge callTool aborts the MCP request when the CLI cancels", async () => {
  const connection = new FakeConnection();
  connection.tools = [...TOOLS, { name: "slow", inputSchema: { type: "object" } }];
  const received = Promise.withResolvers<AbortSignal>();
  connection.callToolImpl = (options) => {
    const signal = options?.signal;
    assert.ok(signal);
    received.resolve(signal);
    return new Promise((_, reject) => {
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
  };
  await withBridge({ connection }, async ({ bridge, store, stoppedCount }) => {
    await bridge.ready;
    const controller = new AbortController();
    const pending = request(
      bridge,
      "callTool",
      { name: "slow", arguments: {} },
      context(controller.signal),
    );
    const signal = await withDeadline(received.promise, WAIT_MS, "the tool call");
    assert.equal(signal.aborted, false);
    controller.abort();
    assert.equal(signal.aborted, true);
    const error = errorOf(await withDeadline(pending, WAIT_MS, "the cancelled call"));
    assert.equal(error.kind, "network");
    assert.equal(error.message, "Failed to call tool slow: Request cancelled");
    assert.equal((await store.get(NAME))?.status, "active");
    assert.equal(stoppedCount(), 0);
  });
});

Deno.test("Bridge callTool of an unknown tool fails as user input with a suggestion, without calling", async () => {
  const connection = new FakeConnection();
  await withBridge({ connection }, async ({ bridge }) => {
    const error = errorOf(
      await request(bridge, "callTool", { name: "ecoh", arguments: {} }),
    ) as WireError;
    assert.equal(error.kind, "usage");
    assert.equal(error.userInput, true);
    assert.equal(error.message, `Tool not found: ecoh\nDid you mean: mcpc ${NAME} tools-call echo`);
    assert.equal(connection.toolCalls.length, 0);
    assert.equal(connection.listCalls.length, 2, "the cache was refreshed once before failing");
  });
});

Deno.test("Bridge callTool finds a tool added since the cache was filled", async () => {
  const connection = new FakeConnection();
  await withBridge({ connection }, async ({ bridge }) => {
    await request(bridge, "serverDetails");
    connection.tools = [...TOOLS, { name: "late", inputSchema: { type: "object" } }];
    resultOf(await request(bridge, "callTool", { name: "late", arguments: {} }));
    assert.equal(connection.toolCalls[0].name, "late");
  });
});

Deno.test("Bridge callTool sends typed text where the schema wants a string", async () => {
  const connection = new FakeConnection();
  connection.tools = [{
    name: "say",
    inputSchema: {
      type: "object",
      properties: { message: { type: "string" }, count: { type: "number" } },
    },
  }];
  await withBridge({ connection }, async ({ bridge }) => {
    resultOf(
      await request(bridge, "callTool", {
        name: "say",
        arguments: { message: 42, count: 3 },
        typedText: { message: "42", count: "3" },
      }),
    );
    assert.deepEqual(connection.toolCalls[0].args, { message: "42", count: 3 });
  });
});

Deno.test("Bridge ping answers with a duration and records lastSeenAt", async () => {
  const connection = new FakeConnection();
  await withBridge({ connection }, async ({ bridge, store, setNow }) => {
    await bridge.ready;
    const later = NOW + 60_000;
    setNow(later);
    const result = resultOf(await request(bridge, "ping")) as { durationMs: number };
    assert.equal(typeof result.durationMs, "number");
    assert.ok(result.durationMs >= 0);
    assert.equal(connection.pingCalls.length, 1);
    const expected = new Date(later).toISOString();
    // Well before the first keepalive, which would record lastSeenAt too.
    await waitUntil(
      async () => (await store.get(NAME))?.lastSeenAt === expected,
      FIRST_KEEPALIVE_MS / 2,
      "lastSeenAt",
    );
  });
});

// request failures

for (
  const [label, failure, kind, status] of [
    [
      "404 with an MCP session",
      httpError(404, "Session not found"),
      "usage",
      "expired",
    ],
    ["401", httpError(401, "Unauthorized"), "auth", "unauthorized"],
  ] as const
) {
  Deno.test(`Bridge marks the session ${status} and shuts down after an HTTP ${label}`, async () => {
    const connection = new FakeConnection({ sessionId: "sess-1" });
    await withBridge({ connection }, async ({ bridge, store, stopped, stoppedCount }) => {
      await bridge.ready;
      connection.failure = failure;
      const error = errorOf(await request(bridge, "callTool", { name: "echo", arguments: {} }));
      assert.equal(error.kind, kind);
      assert.match(error.message, /^Failed to call tool echo: /);
      assert.equal((await store.get(NAME))?.status, status);
      await withDeadline(stopped, FAILURE_SHUTDOWN_DELAY_MS + WAIT_MS, "the bridge to stop");
      assert.equal(stoppedCount(), 1);
      assert.deepEqual(connection.closeCalls, [{ endSession: true }]);
      const record = await store.get(NAME);
      assert.equal(record?.status, status);
      assert.equal(record?.pid, undefined);
      assert.equal(record?.mcpSessionId, "sess-1", "kept: only an explicit restart starts afresh");
    });
  });
}

Deno.test("Bridge does not expire the session on an HTTP 404 without an MCP session id", async () => {
  const connection = new FakeConnection();
  await withBridge({ connection }, async ({ bridge, store, stoppedCount }) => {
    await bridge.ready;
    connection.failure = httpError(404, "Not Found");
    const error = errorOf(await request(bridge, "listTools", { refresh: true }));
    assert.equal(error.kind, "usage");
    assert.match(error.message, /404 Not Found/);
    await delay(FAILURE_SHUTDOWN_DELAY_MS * 3);
    assert.equal((await store.get(NAME))?.status, "active");
    assert.equal(stoppedCount(), 0);
  });
});

Deno.test("Bridge reports a JSON-RPC error as a server error and keeps running", async () => {
  const connection = new FakeConnection({ sessionId: "sess-1" });
  await withBridge({ connection }, async ({ bridge, store, stoppedCount, log }) => {
    await bridge.ready;
    connection.failure = new ProtocolError(ProtocolErrorCode.InvalidParams, "bad arguments");
    const error = errorOf(await request(bridge, "callTool", { name: "echo", arguments: {} }));
    assert.equal(error.kind, "server");
    assert.match(error.message, /^Failed to call tool echo: .*bad arguments/);
    assert.ok(log.messages("error").some((line) => line.includes("bad arguments")));
    await delay(FAILURE_SHUTDOWN_DELAY_MS * 3);
    const record = await store.get(NAME);
    assert.equal(record?.status, "active");
    assert.equal(record?.mcpSessionId, "sess-1");
    assert.equal(stoppedCount(), 0);
    assert.deepEqual(connection.closeCalls, []);
  });
});

// shutdown

Deno.test("Bridge shutdown() is idempotent", async () => {
  const connection = new FakeConnection();
  await withBridge({ connection }, async ({ bridge, log, stoppedCount }) => {
    await bridge.ready;
    const first = bridge.shutdown("first");
    const second = bridge.shutdown("second");
    assert.equal(first, second);
    await first;
    await bridge.shutdown("third");
    assert.equal(connection.closeCalls.length, 1);
    assert.equal(stoppedCount(), 1);
    const shuttingDown = log.messages("info").filter((line) => line.startsWith("Shutting down"));
    assert.deepEqual(shuttingDown, ["Shutting down: first"]);
  });
});

Deno.test("Bridge shutdown() ends the MCP session, releases the record and keeps the session id", async () => {
  const connection = new FakeConnection({ sessionId: "sess-1" });
  await withBridge({ connection }, async ({ bridge, store, stoppedCount }) => {
    await bridge.ready;
    assert.equal((await store.get(NAME))?.mcpSessionId, "sess-1");
    await bridge.shutdown("test");
    assert.deepEqual(connection.closeCalls, [{ endSession: true }]);
    const record = await store.get(NAME);
    assert.equal(record?.pid, undefined);
    assert.equal(record?.status, "crashed");
    // The next bridge resumes it and meets the server's verdict (expired) instead of a new session.
    assert.equal(record?.mcpSessionId, "sess-1");
    assert.equal(stoppedCount(), 1);
  });
});

Deno.test("Bridge shutdown() with endSession false keeps the MCP session id", async () => {
  const connection = new FakeConnection({ sessionId: "sess-1" });
  await withBridge({ connection }, async ({ bridge, store }) => {
    await bridge.ready;
    await bridge.shutdown("taken over", { endSession: false });
    assert.deepEqual(connection.closeCalls, [{ endSession: false }]);
    const record = await store.get(NAME);
    assert.equal(record?.pid, undefined);
    assert.equal(record?.mcpSessionId, "sess-1");
  });
});

Deno.test("Bridge shutdown() keeps a status other than active", async () => {
  const connection = new FakeConnection();
  await withBridge({ connection }, async ({ bridge, store }) => {
    await bridge.ready;
    await store.patch(NAME, (record) => {
      record.status = "expired";
    });
    await bridge.shutdown("test");
    const record = await store.get(NAME);
    assert.equal(record?.status, "expired");
    assert.equal(record?.pid, undefined);
  });
});

Deno.test("Bridge shutdown() leaves a record taken over by another pid untouched", async () => {
  const connection = new FakeConnection({ sessionId: "sess-1" });
  await withBridge({ connection }, async ({ bridge, store }) => {
    await bridge.ready;
    await store.patch(NAME, (record) => {
      record.pid = OTHER_PID;
    });
    const before = await store.get(NAME);
    await bridge.shutdown("taken over", { endSession: false });
    assert.deepEqual(await store.get(NAME), before);
  });
});

Deno.test("Bridge runs every onShutdown hook before closing, even when one throws", async () => {
  const connection = new FakeConnection();
  const events: string[] = [];
  connection.onCloseCall = () => events.push("close");
  await withBridge({ connection }, async ({ bridge, log, stoppedCount }) => {
    await bridge.ready;
    bridge.onShutdown(() => {
      events.push("first");
      throw new Error("hook broke");
    });
    bridge.onShutdown(() => {
      events.push("second");
    });
    await bridge.shutdown("test");
    assert.deepEqual(events, ["first", "second", "close"]);
    assert.ok(
      log.messages("warn").some((line) =>
        line.includes("Shutdown step failed") && line.includes("hook broke")
      ),
    );
    assert.equal(stoppedCount(), 1);
  });
});

Deno.test("Bridge shuts down when the server closes the connection", async () => {
  const connection = new FakeConnection();
  await withBridge({ connection }, async ({ bridge, stopped, log }) => {
    await bridge.ready;
    assert.ok(connection.onClose, "the bridge listens for the connection closing");
    connection.onClose();
    await withDeadline(stopped, WAIT_MS, "the bridge to stop");
    assert.ok(log.messages("warn").includes("MCP connection closed by the server"));
    assert.equal(connection.onClose, undefined);
    assert.equal(connection.closeCalls.length, 1);
  });
});

Deno.test("Bridge shutdown request answers stopping and then stops", async () => {
  const connection = new FakeConnection();
  await withBridge({ connection }, async ({ bridge, stopped, stoppedCount }) => {
    await bridge.ready;
    assert.deepEqual(resultOf(await request(bridge, "shutdown")), { stopping: true });
    await withDeadline(stopped, WAIT_MS, "the bridge to stop");
    assert.equal(stoppedCount(), 1);
    assert.deepEqual(connection.closeCalls, [{ endSession: true }]);
  });
});

// Startup failures. A failed start schedules a bare 10 s `setTimeout` (the
// linger) that shutdown() does not cancel and tests cannot inject, so these
// tests turn the sanitizers off (with `--sanitize-resources`, Deno 2.9 reports
// timers under both) instead of waiting 10 s each. The timer only calls
// shutdown() again, which returns the promise that already settled.

const STARTUP_FAILURES = [
  ["an HTTP 401", httpError(401, "Unauthorized")],
  ["an UnauthorizedError", new UnauthorizedError("invalid_token")],
] as const;

for (const [label, failure] of STARTUP_FAILURES) {
  Deno.test({
    name: `Bridge answers every request with an auth error after ${label} at startup`,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: async () => {
      await withBridge({ connect: () => Promise.reject(failure) }, async ({ bridge, store }) => {
        const startError = await settled(bridge.ready);
        assert.ok(startError instanceof McpcError);
        assert.equal(startError.kind, "auth");
        const requests: [MethodName, unknown][] = [
          ["serverDetails", {}],
          ["listTools", { refresh: false }],
          ["callTool", { name: "echo", arguments: {} }],
          ["ping", {}],
        ];
        for (const [method, params] of requests) {
          const error = errorOf(await request(bridge, method, params));
          assert.equal(error.kind, "auth", `${method} answers with an auth error`);
        }
        const record = await store.get(NAME);
        assert.equal(record?.status, "unauthorized");
        // hello does not need the connection.
        resultOf(await request(bridge, "hello", { version: IPC_PROTOCOL_VERSION }));
      });
    },
  });
}

Deno.test({
  name: "Bridge marks the session crashed and reports a network error when it cannot connect",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const refused = new TypeError(
      "error sending request for url (https://mcp.example.com/mcp): client error (Connect): tcp connect error: Connection refused (os error 111)",
    );
    await withBridge({ connect: () => Promise.reject(refused) }, async ({ bridge, store, log }) => {
      const startError = await settled(bridge.ready);
      assert.ok(startError instanceof McpcError);
      assert.equal(startError.kind, "network");
      const error = errorOf(await request(bridge, "listTools", { refresh: false }));
      assert.equal(error.kind, "network");
      assert.ok(
        error.message.startsWith("Failed to connect to MCP server: "),
        `unexpected message: ${error.message}`,
      );
      assert.match(error.message, /Cannot reach server at https:\/\/mcp\.example\.com\/mcp/);
      assert.equal((await store.get(NAME))?.status, "crashed");
      assert.ok(log.messages("error").some((line) => line.startsWith("Connection failed: ")));
    });
  },
});

Deno.test({
  name: "Bridge logs server stderr and appends it to the startup error",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const connect: BridgeDeps["connect"] = ({ onStderrLine }) => {
      onStderrLine("Traceback (most recent call last):");
      onStderrLine("ValueError: missing API_KEY");
      return Promise.reject(new SdkError(SdkErrorCode.ConnectionClosed, "Connection closed"));
    };
    await withBridge({ connect }, async ({ bridge, log, store }) => {
      const error = errorOf(await request(bridge, "serverDetails"));
      assert.equal(error.kind, "network");
      assert.ok(error.message.startsWith("Failed to connect to MCP server: "));
      assert.ok(
        error.message.endsWith(
          "\n\nRecent server stderr:\n" +
            "  Traceback (most recent call last):\n" +
            "  ValueError: missing API_KEY",
        ),
        `unexpected message: ${error.message}`,
      );
      const info = log.messages("info");
      assert.ok(info.includes("[server stderr] Traceback (most recent call last):"));
      assert.ok(info.includes("[server stderr] ValueError: missing API_KEY"));
      assert.equal((await store.get(NAME))?.status, "crashed");
    });
  },
});

Deno.test({
  name: "Bridge keeps only the last 50 stderr lines for the startup error",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const connect: BridgeDeps["connect"] = ({ onStderrLine }) => {
      for (let index = 0; index < 60; index++) onStderrLine(`line ${index}`);
      return Promise.reject(new SdkError(SdkErrorCode.ConnectionClosed, "Connection closed"));
    };
    await withBridge({ connect }, async ({ bridge, log }) => {
      const error = errorOf(await request(bridge, "serverDetails"));
      const tail = error.message.split("\n\nRecent server stderr:\n")[1];
      assert.ok(tail !== undefined, `no stderr tail in: ${error.message}`);
      const expected = Array.from({ length: 50 }, (_, index) => `  line ${index + 10}`);
      assert.deepEqual(tail.split("\n"), expected);
      // Every line is still logged.
      assert.equal(
        log.messages("info").filter((line) => line.startsWith("[server stderr]")).length,
        60,
      );
    });
  },
});

Deno.test({
  name: "Bridge shutdown() after a failed start releases the record but keeps its status",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const failure = httpError(401, "Unauthorized");
    await withBridge(
      { connect: () => Promise.reject(failure) },
      async ({ bridge, store, stoppedCount }) => {
        await settled(bridge.ready);
        await bridge.shutdown("test");
        const record = await store.get(NAME);
        assert.equal(record?.status, "unauthorized");
        assert.equal(record?.pid, undefined);
        assert.equal(stoppedCount(), 1);
      },
    );
  },
});

Deno.test("Bridge ends a connection that opens after shutdown() and starts no keepalive", async () => {
  const connection = new FakeConnection({ sessionId: "sess-late" });
  const opened = Promise.withResolvers<McpConnection>();
  await withBridge({ connect: () => opened.promise }, async ({ bridge, store, stoppedCount }) => {
    const stopping = bridge.shutdown("SIGTERM during connect");
    opened.resolve(connection);
    await stopping;
    // Shutdown waited for the late connection to be ended before reporting stopped.
    assert.deepEqual(connection.closeCalls, [{ endSession: true }]);
    assert.equal(stoppedCount(), 1);
    await assert.rejects(bridge.ready, /stopped while connecting/);
    assert.equal((await store.get(NAME))?.status, "crashed");
  });
});

/** Keepalive timers the test fires by hand. */
class ManualTimers {
  #pending = new Map<number, () => void>();
  #next = 1;
  setTimeout(fn: () => void, _ms: number): unknown {
    const handle = this.#next++;
    this.#pending.set(handle, fn);
    return handle;
  }
  clearTimeout(handle: unknown): void {
    this.#pending.delete(handle as number);
  }
  /** Runs every pending timer once and lets the promises it starts settle. */
  async fire(): Promise<void> {
    const due = [...this.#pending.entries()];
    this.#pending.clear();
    for (const [, fn] of due) fn();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

Deno.test("Bridge keepalive records lastSeenAt after a successful ping", async () => {
  const timers = new ManualTimers();
  await withBridge({ keepaliveTimers: timers }, async ({ bridge, store, setNow }) => {
    await bridge.ready;
    setNow(NOW + 30_000);
    await timers.fire();
    assert.equal((await store.get(NAME))?.lastSeenAt, new Date(NOW + 30_000).toISOString());
  });
});

Deno.test("Bridge taken over by a bridge with another MCP session ends its own session", async () => {
  const timers = new ManualTimers();
  const connection = new FakeConnection({ sessionId: "mine" });
  await withBridge({ keepaliveTimers: timers, connection }, async ({ bridge, store, stopped }) => {
    await bridge.ready;
    await store.patch(NAME, (record) => {
      record.pid = OTHER_PID;
      record.mcpSessionId = "theirs";
    });
    await timers.fire();
    await withDeadline(stopped, WAIT_MS, "shutdown");
    assert.deepEqual(connection.closeCalls, [{ endSession: true }]);
    assert.equal((await store.get(NAME))?.pid, OTHER_PID, "the new owner's record is untouched");
  });
});

Deno.test("Bridge taken over by a bridge that resumed its MCP session leaves it open", async () => {
  const timers = new ManualTimers();
  const connection = new FakeConnection({ sessionId: "shared" });
  await withBridge({ keepaliveTimers: timers, connection }, async ({ bridge, store, stopped }) => {
    await bridge.ready;
    await store.patch(NAME, (record) => {
      record.pid = OTHER_PID;
      record.mcpSessionId = "shared";
    });
    await timers.fire();
    await withDeadline(stopped, WAIT_MS, "shutdown");
    assert.deepEqual(connection.closeCalls, [{ endSession: false }]);
    assert.equal((await store.get(NAME))?.mcpSessionId, "shared");
  });
});

Deno.test("Bridge keepalive failing with 404 on a known session marks it expired and stops", async () => {
  const timers = new ManualTimers();
  const connection = new FakeConnection({ sessionId: "gone" });
  await withBridge({ keepaliveTimers: timers, connection }, async ({ bridge, store, stopped }) => {
    await bridge.ready;
    connection.failure = httpError(404, "Session not found");
    await timers.fire();
    await withDeadline(stopped, WAIT_MS, "shutdown");
    assert.equal((await store.get(NAME))?.status, "expired");
  });
});

Deno.test({
  name: "Bridge counts a failed start and a successful start resets the count",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const refused = () => Promise.reject(new Error("tcp connect error: Connection refused"));
    await withBridge(
      { connect: refused, record: { consecutiveFailures: 2 } },
      async ({ bridge, store }) => {
        await bridge.ready.catch(() => {});
        const record = await store.get(NAME);
        assert.equal(record?.status, "crashed");
        assert.equal(record?.consecutiveFailures, 3);
      },
    );
    await withBridge({ record: { consecutiveFailures: 3 } }, async ({ bridge, store }) => {
      await bridge.ready;
      const record = await store.get(NAME);
      assert.equal(record?.status, "active");
      assert.equal(record?.consecutiveFailures, undefined);
    });
  },
});

Deno.test({
  name: "Bridge reports a JSON-RPC error to initialize as a usage error (it will not heal)",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const connect = () =>
      Promise.reject(new ProtocolError(ProtocolErrorCode.InvalidRequest, "go away"));
    await withBridge({ connect }, async ({ bridge }) => {
      const error = errorOf(await request(bridge, "serverDetails"));
      assert.equal(error.kind, "usage");
      assert.match(error.message, /go away/);
    });
  },
});

Deno.test("Bridge records a stdio server's process group and forgets it once stopped", async () => {
  const group = { pgid: 777_777, startTime: "123", marker: "m" };
  const connection = new FakeConnection();
  let stoppedHook: (() => void) | undefined;
  const connect: BridgeDeps["connect"] = (hooks) => {
    hooks.onServerProcess(group);
    stoppedHook = hooks.onServerStopped;
    return Promise.resolve(connection);
  };
  await withBridge({ connect }, async ({ bridge, store }) => {
    await bridge.ready;
    await waitUntil(
      async () => (await store.get(NAME))?.serverProcess?.pgid === group.pgid,
      WAIT_MS,
      "the group to be recorded",
    );
    stoppedHook!();
    await waitUntil(
      async () => (await store.get(NAME))?.serverProcess === undefined,
      WAIT_MS,
      "the group to be forgotten",
    );
  });
});

Deno.test({
  name: "Bridge shutdown() during the handshake closes the transport before it stops",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const events: string[] = [];
    const never = Promise.withResolvers<McpConnection>();
    const connect: BridgeDeps["connect"] = (hooks) => {
      hooks.onTransport(async () => {
        await delay(50);
        events.push("transport closed");
        never.reject(new Error("Connection closed"));
      });
      return never.promise;
    };
    await withBridge({ connect }, async ({ bridge, stopped }) => {
      await bridge.shutdown("test");
      events.push("stopped");
      await stopped;
      assert.deepEqual(events, ["transport closed", "stopped"]);
    });
  },
});

Deno.test("Bridge drops its tools cache when the server says the list changed", async () => {
  const connection = new FakeConnection();
  await withBridge({ connection }, async ({ bridge, store }) => {
    await request(bridge, "serverDetails");
    assert.equal(connection.listCalls.length, 1);
    connection.tools = [...TOOLS, { name: "late", inputSchema: { type: "object" } }];
    connection.onNotification?.("notifications/tools/list_changed", {});
    const details = resultOf(await request(bridge, "serverDetails")) as { tools: Tool[] };
    assert.deepEqual(details.tools.map((tool) => tool.name), ["echo", "add", "late"]);
    assert.equal(connection.listCalls.length, 2);
    await waitUntil(
      async () => (await store.get(NAME))?.notifications?.tools?.listChangedAt !== undefined,
      WAIT_MS,
      "the change to be recorded",
    );
  });
});

Deno.test({
  name: "Bridge started in the background lingers only briefly after a failed start",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const refused = () => Promise.reject(new Error("tcp connect error: Connection refused"));
    await withBridge({ connect: refused, background: true }, async ({ bridge, stopped }) => {
      const started = Date.now();
      await bridge.ready.catch(() => {});
      await withDeadline(stopped, 3_000, "the background bridge to leave");
      assert.ok(Date.now() - started < 3_000);
    });
  },
});

Deno.test("sdkOptions() adds the margin to the CLI's timeout but never past the longest timer", async () => {
  const { sdkOptions } = await import("../../../src/bridge/bridge.ts");
  const signal = new AbortController().signal;
  assert.equal(sdkOptions({ signal, timeoutMs: 5_000 }).timeoutMs, 7_000);
  assert.equal(sdkOptions({ signal, timeoutMs: 2_147_483_000 }).timeoutMs, 2 ** 31 - 1);
  assert.equal(sdkOptions({ signal }).timeoutMs, undefined);
});

Deno.test("Bridge caches resources until they change, and honours the server's cache hint", async () => {
  const connection = new FakeConnection();
  connection.resourcesTtlMs = 30_000;
  await withBridge({ connection }, async ({ bridge, setNow }) => {
    const listed = () =>
      request(bridge, "listResources", { refresh: false }).then(resultOf) as Promise<
        { resources: Resource[] }
      >;
    assert.deepEqual((await listed()).resources.map((item) => item.uri), ["demo://a"]);
    await listed();
    assert.equal(connection.resourceListCalls, 1, "served from the cache");
    setNow(NOW + 30_001);
    await listed();
    assert.equal(connection.resourceListCalls, 2, "the cache hint expired");
    await request(bridge, "listResourceTemplates", { refresh: false });
    connection.resources = [{ uri: "demo://b", name: "b" }];
    connection.onNotification?.("notifications/resources/list_changed", {});
    assert.deepEqual((await listed()).resources.map((item) => item.uri), ["demo://b"]);
    assert.equal(connection.resourceListCalls, 3, "a list change drops the cache at once");
    await request(bridge, "listResourceTemplates", { refresh: false });
    assert.equal(connection.templateListCalls, 2, "templates are dropped with the resources");
    await request(bridge, "listResources", { refresh: true });
    assert.equal(connection.resourceListCalls, 4, "refresh always asks the server");
  });
});

Deno.test("Bridge does not cache a list whose cache hint is 0", async () => {
  const connection = new FakeConnection();
  connection.resourcesTtlMs = 0;
  await withBridge({ connection }, async ({ bridge }) => {
    await request(bridge, "listResources", { refresh: false });
    await request(bridge, "listResources", { refresh: false });
    assert.equal(connection.resourceListCalls, 2);
  });
});

Deno.test("Bridge remembers the last notifications, records their times and logs server messages", async () => {
  const connection = new FakeConnection();
  await withBridge({ connection }, async ({ bridge, store, log }) => {
    await bridge.ready;
    connection.onNotification?.("notifications/message", {
      level: "warning",
      logger: "db",
      data: "slow query",
    });
    connection.onNotification?.("notifications/resources/updated", { uri: "demo://a" });
    for (let index = 0; index < NOTIFICATION_HISTORY + 5; index++) {
      connection.onNotification?.("notifications/message", { level: "debug", data: `n${index}` });
    }
    const { notifications } = resultOf(
      await request(bridge, "notifications", { follow: false }),
    ) as { notifications: NotificationEntry[] };
    assert.equal(notifications.length, NOTIFICATION_HISTORY);
    assert.deepEqual(notifications.at(-1)?.params, {
      level: "debug",
      data: `n${NOTIFICATION_HISTORY + 4}`,
    });
    assert.ok(log.messages("warn").includes("[server log db] warning: slow query"));
    assert.ok(log.messages("debug").includes("[server log] debug: n0"));
    await waitUntil(
      async () => (await store.get(NAME))?.notifications?.resources?.updatedUri === "demo://a",
      WAIT_MS,
      "the update to be recorded",
    );
  });
});

Deno.test("Bridge sends each new notification to a follower until it cancels", async () => {
  const connection = new FakeConnection();
  await withBridge({ connection }, async ({ bridge }) => {
    await bridge.ready;
    const received: NotificationEntry[] = [];
    const controller = new AbortController();
    const following = bridge.handle("notifications", { follow: true }, {
      signal: controller.signal,
      notify: (entry) => received.push(entry),
    });
    connection.onNotification?.("notifications/tools/list_changed", {});
    connection.onNotification?.("notifications/resources/updated", { uri: "demo://x" });
    assert.deepEqual(received.map((entry) => entry.method), [
      "notifications/tools/list_changed",
      "notifications/resources/updated",
    ]);
    controller.abort();
    await withDeadline(following, WAIT_MS, "the follow request to end");
    connection.onNotification?.("notifications/prompts/list_changed", {});
    assert.equal(received.length, 2, "nothing after the cancel");
  });
});

Deno.test("Bridge keeps subscriptions and the log level in the record and restores them", async () => {
  const first = new FakeConnection();
  await withBridge({ connection: first }, async ({ bridge, store }) => {
    await bridge.ready;
    resultOf(await request(bridge, "subscribeResource", { uri: "demo://a", subscribe: true }));
    resultOf(await request(bridge, "subscribeResource", { uri: "demo://b", subscribe: true }));
    const answer = resultOf(
      await request(bridge, "subscribeResource", { uri: "demo://a", subscribe: false }),
    );
    assert.deepEqual(answer, { subscriptions: ["demo://b"] });
    assert.deepEqual(first.subscriptionCalls, [["demo://a"], ["demo://a", "demo://b"], [
      "demo://b",
    ]]);
    resultOf(await request(bridge, "setLogLevel", { level: "error" }));
    const record = await store.get(NAME);
    assert.deepEqual(record?.subscriptions, ["demo://b"]);
    assert.equal(record?.logLevel, "error");
  });
  const second = new FakeConnection();
  await withBridge({
    connection: second,
    record: { subscriptions: ["demo://b"], logLevel: "error" },
  }, async ({ bridge }) => {
    await bridge.ready;
    await waitUntil(
      () => Promise.resolve(second.subscriptionCalls.length === 1 && second.logLevels.length === 1),
      WAIT_MS,
      "the next bridge to restore them",
    );
    assert.deepEqual(second.subscriptionCalls, [["demo://b"]]);
    assert.deepEqual(second.logLevels, ["error"]);
  });
});

Deno.test("Bridge keeps the previous subscriptions when the server refuses a new one", async () => {
  const connection = new FakeConnection();
  await withBridge({ connection }, async ({ bridge, store }) => {
    await bridge.ready;
    resultOf(await request(bridge, "subscribeResource", { uri: "demo://a", subscribe: true }));
    connection.subscribeFailure = new McpcError("server", "no such resource");
    const error = errorOf(
      await request(bridge, "subscribeResource", { uri: "demo://zzz", subscribe: true }),
    );
    assert.match(error.message, /no such resource/);
    assert.deepEqual((await store.get(NAME))?.subscriptions, ["demo://a"]);
  });
});

Deno.test("Bridge catalog returns only what the server has, from the caches", async () => {
  const connection = new FakeConnection({
    initialize: { ...INITIALIZE, capabilities: { tools: {}, resources: {} } },
  });
  await withBridge({ connection }, async ({ bridge }) => {
    const catalog = resultOf(
      await request(bridge, "catalog", { tools: true, resources: true, prompts: true }),
    ) as { tools?: Tool[]; resources?: Resource[]; prompts?: Prompt[] };
    assert.deepEqual(catalog.tools?.map((tool) => tool.name), ["echo", "add"]);
    assert.deepEqual(catalog.resources?.map((item) => item.uri), ["demo://a"]);
    assert.equal(catalog.prompts, undefined, "the server has no prompts");
    await request(bridge, "catalog", { tools: true, resources: true, prompts: false });
    assert.equal(connection.listCalls.length, 1);
    assert.equal(connection.resourceListCalls, 1);
  });
});

Deno.test("Bridge writes a burst of notification times into the record once, with the last ones", async () => {
  const connection = new FakeConnection();
  await withBridge({ connection }, async ({ bridge, store }) => {
    await bridge.ready;
    for (let index = 0; index < 50; index++) {
      connection.onNotification?.("notifications/resources/updated", { uri: `demo://${index}` });
    }
    connection.onNotification?.("notifications/prompts/list_changed", {});
    assert.equal((await store.get(NAME))?.notifications, undefined, "not written at once");
    await waitUntil(
      async () => (await store.get(NAME))?.notifications?.resources?.updatedUri === "demo://49",
      WAIT_MS,
      "the burst to be written",
    );
    const record = await store.get(NAME);
    assert.ok(record?.notifications?.prompts?.listChangedAt);
  });
});

Deno.test("Bridge callToolTask with detach answers with the task and records it", async () => {
  const connection = new FakeConnection();
  await withBridge({ connection }, async ({ bridge, store }) => {
    const answer = resultOf(
      await request(bridge, "callToolTask", { name: "echo", arguments: {}, detach: true }),
    ) as { task: Task; result?: CallToolResult };
    assert.equal(answer.task.taskId, "task-1");
    assert.equal(answer.task.status, "working");
    assert.equal(answer.result, undefined);
    assert.deepEqual(connection.taskCalls, ["create echo"], "a detached task is not waited for");
    const record = await store.get(NAME);
    assert.equal(record?.activeTasks?.["task-1"]?.toolName, "echo");
    assert.equal(record?.activeTasks?.["task-1"]?.status, "working");
  });
});

Deno.test("Bridge callToolTask waits for the outcome and reports each status change", async () => {
  const connection = new FakeConnection();
  connection.taskSteps = ["working", "input_required", "working", "completed"];
  await withBridge({ connection }, async ({ bridge, store }) => {
    const seen: string[] = [];
    const answer = resultOf(
      await bridge.handle("callToolTask", { name: "echo", arguments: {}, detach: false }, {
        ...context(),
        onTask: (task) => seen.push(`${task.status}: ${task.statusMessage}`),
      }),
    ) as { task: Task; result?: CallToolResult };
    assert.deepEqual(answer.result?.content, [{ type: "text", text: "outcome of task-1" }]);
    assert.equal(seen[0], "working: step 0", "the task as created comes first");
    assert.ok(seen.includes("input_required: step 1"), seen.join(", "));
    assert.equal((await store.get(NAME))?.activeTasks?.["task-1"]?.status, "completed");
  });
});

Deno.test("Bridge callToolTask tells the waiting CLI of the new task once", async () => {
  const connection = new FakeConnection();
  connection.taskSteps = ["working", "completed"];
  await withBridge({ connection }, async ({ bridge }) => {
    const seen: string[] = [];
    await bridge.handle("callToolTask", { name: "echo", arguments: {}, detach: false }, {
      ...context(),
      onTask: (task) => seen.push(task.status),
    });
    assert.deepEqual(seen, ["working", "completed"]);
  });
});

Deno.test("Bridge callToolTask on a 2026 server reports what the polling wait sees, each change once", async () => {
  const connection = new FakeConnection();
  connection.tasks = { ...connection.tasks, polled: true };
  connection.taskSteps = ["working", "working", "input_required", "completed"];
  await withBridge({ connection }, async ({ bridge }) => {
    const seen: string[] = [];
    await bridge.handle("callToolTask", { name: "echo", arguments: {}, detach: false }, {
      ...context(),
      onTask: (task) => seen.push(task.status),
    });
    assert.deepEqual(seen, ["working", "input_required", "completed"]);
    assert.ok(!connection.taskCalls.includes("get task-1"), "no tasks/get beside the wait's own");
  });
});

Deno.test("Bridge task wait stopped by the CLI leaves the task running on the server", async () => {
  const connection = new FakeConnection();
  connection.taskSteps = ["working"];
  await withBridge({ connection }, async ({ bridge }) => {
    const controller = new AbortController();
    const pending = request(bridge, "taskResult", { taskId: "task-1" }, context(controller.signal));
    // No task yet: the id is unknown to the server.
    assert.match(errorOf(await pending).message, /No such task/);
    await request(bridge, "callToolTask", { name: "echo", arguments: {}, detach: true });
    const waiting = request(bridge, "taskResult", { taskId: "task-1" }, context(controller.signal));
    await delay(50);
    controller.abort(new DOMException("Cancelled by the CLI", "AbortError"));
    await withDeadline(waiting, WAIT_MS, "the stopped wait");
    assert.ok(!connection.taskCalls.some((call) => call.startsWith("cancel")), "not cancelled");
  });
});

Deno.test("Bridge listTasks uses the server's list, or the session's tasks without one", async () => {
  const connection = new FakeConnection();
  await withBridge({ connection }, async ({ bridge }) => {
    await request(bridge, "callToolTask", { name: "add", arguments: {}, detach: true });
    const local = resultOf(await request(bridge, "listTasks")) as {
      tasks: Task[];
      source: string;
    };
    assert.equal(local.source, "session");
    assert.deepEqual(local.tasks.map((task) => task.taskId), ["task-1"]);
    assert.ok(!connection.taskCalls.includes("list"));
    connection.tasks = { ...connection.tasks, list: true };
    const listed = resultOf(await request(bridge, "listTasks")) as { source: string };
    assert.equal(listed.source, "server");
    assert.ok(connection.taskCalls.includes("list"));
  });
});

Deno.test("Bridge task calls on a server without tasks fail as usage errors, sending nothing", async () => {
  const connection = new FakeConnection();
  connection.tasks = { toolCall: false, list: false, cancel: false, polled: false };
  await withBridge({ connection }, async ({ bridge }) => {
    const call = errorOf(
      await request(bridge, "callToolTask", { name: "echo", arguments: {}, detach: true }),
    );
    assert.equal(call.kind, "usage");
    assert.match(call.message, /does not support tasks/);
    assert.equal(errorOf(await request(bridge, "getTask", { taskId: "x" })).kind, "usage");
    assert.deepEqual(connection.taskCalls, []);
  });
});
