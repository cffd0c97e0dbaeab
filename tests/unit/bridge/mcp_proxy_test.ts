import assert from "node:assert/strict";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import {
  allowedHostnames,
  type ProxyOptions,
  ProxyPortError,
  type ProxyUpstream,
  RecentEvents,
  type RunningProxy,
  startMcpProxy,
} from "../../../src/bridge/mcp_proxy.ts";
import type { McpConnection } from "../../../src/mcp/client.ts";
import { tokensEqual } from "../../../src/bridge/token_compare.ts";

Deno.test("allowedHostnames() allows the loopback names for a loopback address, only the name otherwise", () => {
  assert.deepEqual(allowedHostnames({ host: "127.0.0.1", port: 1 }).sort(), [
    "127.0.0.1",
    "[::1]",
    "localhost",
  ]);
  assert.deepEqual(allowedHostnames({ host: "::1", port: 1 }).sort(), [
    "127.0.0.1",
    "[::1]",
    "localhost",
  ]);
  assert.deepEqual(allowedHostnames({ host: "10.1.2.3", port: 1 }), ["10.1.2.3"]);
  assert.deepEqual(allowedHostnames({ host: "Box.Local", port: 1 }), ["box.local"]);
});

Deno.test("allowedHostnames() allows every interface's address and the machine name for a wildcard", () => {
  const names = allowedHostnames({ host: "0.0.0.0", port: 1 });
  assert.ok(names.includes("localhost") && names.includes("127.0.0.1"));
  assert.ok(names.includes(Deno.hostname().toLowerCase()));
  for (const nic of Deno.networkInterfaces()) {
    const name = nic.address.includes(":") ? `[${nic.address}]` : nic.address;
    assert.ok(names.includes(name.toLowerCase()), name);
  }
  assert.ok(!names.includes("evil.example"));
});

Deno.test("tokensEqual() is true only for the same token", async () => {
  assert.equal(await tokensEqual("s3cret", "s3cret"), true);
  assert.equal(await tokensEqual("s3cret", "s3creT"), false);
  assert.equal(await tokensEqual("s3cre", "s3cret"), false);
  assert.equal(await tokensEqual("", "s3cret"), false);
  assert.equal(await tokensEqual("s3cret-and-more", "s3cret"), false);
});

/** A connection that answers tools/list with one tool, enough to serve clients. */
function fakeConnection(): McpConnection {
  return {
    initialize: {
      protocolVersion: "2025-11-25",
      capabilities: { tools: {} },
      serverInfo: { name: "fake", version: "1" },
    },
    era: { kind: "legacy" },
    tasks: { toolCall: false, list: false, cancel: false },
    listTools: () => Promise.resolve({ items: [{ name: "t", inputSchema: { type: "object" } }] }),
  } as unknown as McpConnection;
}

function fakeUpstream(): ProxyUpstream {
  return {
    serve: (_operation, run, _signal) => run(fakeConnection()),
    callTool: () => Promise.reject(new Error("not used")),
    tool: () => Promise.resolve(undefined),
    watch: () => () => {},
    followResources: () => Promise.resolve(),
  };
}

const quiet = { info() {}, warn() {}, debug() {} };

/** A proxy on a free loopback port in front of the fake upstream, with `overrides`. */
function proxyWith(overrides: Partial<ProxyOptions> = {}): Promise<RunningProxy> {
  return startMcpProxy({
    sessionName: "@s",
    address: { host: "127.0.0.1", port: 0 },
    connection: fakeConnection(),
    upstream: fakeUpstream(),
    log: quiet,
    ...overrides,
  });
}

async function legacyClient(url: string): Promise<Client> {
  const client = new Client({ name: "t", version: "1" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

Deno.test("startMcpProxy() ends the least recently used 2025-era session beyond its limit", async () => {
  const proxy = await proxyWith({
    limits: { maxSessions: 2 },
  });
  const url = `http://127.0.0.1:${proxy.port}/mcp`;
  const clients: Client[] = [];
  try {
    for (let i = 0; i < 3; i++) clients.push(await legacyClient(url));
    await assert.rejects(clients[0].listTools(), /Session not found|404/);
    for (const client of clients.slice(1)) {
      assert.deepEqual((await client.listTools()).tools.map((tool) => tool.name), ["t"]);
    }
  } finally {
    await Promise.allSettled(clients.map((client) => client.close()));
    await proxy.close();
  }
});

/** A 2025-era session opened over plain HTTP, with no GET stream; returns its id. */
async function bareLegacySession(url: string): Promise<string> {
  const headers = {
    "Content-Type": "application/json",
    Accept: "application/json, text/event-stream",
  };
  const response = await fetch(url, {
    method: "POST",
    headers,
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-11-25",
        capabilities: {},
        clientInfo: { name: "bare", version: "1" },
      },
    }),
  });
  await response.body?.cancel();
  const id = response.headers.get("mcp-session-id");
  assert.ok(id, "a session id");
  return id;
}

/** The HTTP status of a `tools/list` in session `id`. */
async function listStatus(url: string, id: string): Promise<number> {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json, text/event-stream",
      "Mcp-Session-Id": id,
      "MCP-Protocol-Version": "2025-11-25",
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
  });
  await response.body?.cancel();
  return response.status;
}

Deno.test("startMcpProxy() ends a 2025-era session left unused longer than the idle limit, not one that listens", async () => {
  const proxy = await proxyWith({
    limits: { idleSessionMs: 50 },
  });
  const url = `http://127.0.0.1:${proxy.port}/mcp`;
  const clients: Client[] = [];
  try {
    const bare = await bareLegacySession(url);
    assert.equal(await listStatus(url, bare), 200);
    // The SDK's client keeps a GET stream open: it listens, so it is not idle.
    clients.push(await legacyClient(url));
    await new Promise((resolve) => setTimeout(resolve, 120));
    clients.push(await legacyClient(url));
    assert.equal(await listStatus(url, bare), 404, "the idle session was ended");
    assert.equal((await clients[0].listTools()).tools.length, 1, "the listening one was kept");
    assert.equal((await clients[1].listTools()).tools.length, 1);
  } finally {
    await Promise.allSettled(clients.map((client) => client.close()));
    await proxy.close();
  }
});

Deno.test("startMcpProxy() refuses a port that is taken with the connect message", async () => {
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (taken.addr as Deno.NetAddr).port;
  try {
    await assert.rejects(
      proxyWith({ address: { host: "127.0.0.1", port } }),
      (error: Error) =>
        error instanceof ProxyPortError &&
        error.message.startsWith(`Port ${port} is already in use`),
    );
  } finally {
    taken.close();
  }
});

Deno.test("RecentEvents replays what a stream sent after the client's last event, and forgets old ones", async () => {
  const events = new RecentEvents();
  const message = (id: number) => ({ jsonrpc: "2.0" as const, method: "m", params: { id } });
  const a1 = await events.storeEvent("a", message(1));
  await events.storeEvent("b", message(2));
  await events.storeEvent("a", message(3));
  await events.storeEvent("a", message(4));
  assert.equal(await events.getStreamIdForEventId(a1), "a");
  const replayed: unknown[] = [];
  const stream = await events.replayEventsAfter(a1, {
    send: (_id, sent) => Promise.resolve(void replayed.push(sent)),
  });
  assert.equal(stream, "a");
  assert.deepEqual(replayed, [message(3), message(4)], "only stream a's later messages");
  await assert.rejects(events.replayEventsAfter("a_999", { send: () => Promise.resolve() }));
  for (let i = 0; i < 600; i++) await events.storeEvent("c", message(i));
  assert.equal(await events.getStreamIdForEventId(a1), undefined, "the oldest are forgotten");
});

/** A connection with logging and subscriptions that records what the proxy asks of it. */
function recordingConnection(calls: string[]): McpConnection {
  return {
    initialize: {
      protocolVersion: "2025-11-25",
      capabilities: { tools: {}, logging: {}, resources: { subscribe: true } },
      serverInfo: { name: "fake", version: "1" },
    },
    era: { kind: "legacy" },
    tasks: { toolCall: false, list: false, cancel: false },
    listTools: () => Promise.resolve({ items: [{ name: "t", inputSchema: { type: "object" } }] }),
    setLogLevel: (level: string) => {
      calls.push(`level ${level}`);
      return Promise.resolve("session");
    },
  } as unknown as McpConnection;
}

Deno.test("startMcpProxy(): the server gets the least severe level any client asked for; a refused subscription is refused", async () => {
  const calls: string[] = [];
  const connection = recordingConnection(calls);
  const proxy = await proxyWith({
    connection,
    upstream: {
      ...fakeUpstream(),
      serve: (_operation, run) => run(connection),
      followResources: () => Promise.reject(new Error("the server refuses subscriptions")),
    },
  });
  const url = `http://127.0.0.1:${proxy.port}/mcp`;
  const clients: Client[] = [];
  try {
    clients.push(await legacyClient(url), await legacyClient(url));
    await clients[0].setLoggingLevel("debug");
    await clients[1].setLoggingLevel("error");
    assert.deepEqual(calls, ["level debug", "level debug"], "debug stays while a client wants it");
    await assert.rejects(clients[0].subscribeResource({ uri: "demo://x" }), /refuses/);
  } finally {
    await Promise.allSettled(clients.map((client) => client.close()));
    await proxy.close();
  }
});

Deno.test("startMcpProxy(): a call waits as long as its client does, and closing answers it at once", async () => {
  const seen: { timeoutMs?: number }[] = [];
  const proxy = await proxyWith({
    connection: fakeConnection(),
    upstream: {
      ...fakeUpstream(),
      // The server never answers (and ignores cancellation).
      callTool: (_connection, _name, _args, options) => {
        seen.push(options);
        return new Promise(() => {});
      },
    },
  });
  const client = await legacyClient(`http://127.0.0.1:${proxy.port}/mcp`);
  try {
    const call = client.callTool({ name: "t", arguments: {} }, { timeout: 60_000 });
    const outcome = call.then(() => "answered", (error: Error) => error.message);
    for (let i = 0; i < 100 && seen.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok((seen[0]?.timeoutMs ?? 0) >= 60 * 60 * 1000, "not the SDK's 60 s default");
    await proxy.close();
    assert.match(await outcome, /is stopping/);
  } finally {
    await client.close().catch(() => {});
    await proxy.close();
  }
});
