import assert from "node:assert/strict";
import { join } from "node:path";
import { Channel } from "../../../src/bridge/channel.ts";
import {
  BridgeClient,
  BridgeConnectionLostError,
  BridgeUnreachableError,
} from "../../../src/bridge/client.ts";
import {
  type ClientMessage,
  IPC_PROTOCOL_VERSION,
  type NotificationMessage,
  parseClientMessage,
  type RequestMessage,
} from "../../../src/bridge/protocol.ts";
import { McpcError } from "../../../src/errors.ts";
import { withDeadline } from "../../fakes/deadline.ts";

const SESSION = "@fake";
const PID = 424242;
const WAIT_MS = 10_000;

/** What the fake bridge does with a request; return a value to answer it, or answer yourself. */
type Handler = (request: RequestMessage, channel: Channel) => void;

/** Answers hello with the given identity and every other request with `{ ok: method }`. */
function answering(identity = { sessionName: SESSION, pid: PID }): Handler {
  return (request, channel) => {
    if (request.method === "hello") {
      channel.send({
        type: "response",
        id: request.id,
        result: { version: IPC_PROTOCOL_VERSION, ...identity },
      });
    } else channel.send({ type: "response", id: request.id, result: { ok: request.method } });
  };
}

/** A bridge stand-in: a Unix socket listener speaking the IPC protocol through `Channel`. */
class FakeBridge {
  readonly path: string;
  readonly received: ClientMessage[] = [];
  readonly channels: Channel[] = [];
  #listener: Deno.UnixListener;
  #acceptLoop: Promise<void>;
  #closes: Promise<unknown>[] = [];
  #waiters: { test: (m: ClientMessage) => boolean; resolve: (m: ClientMessage) => void }[] = [];
  #dir: string;

  private constructor(dir: string, handler: Handler) {
    this.#dir = dir;
    this.path = join(dir, "bridge.sock");
    this.#listener = Deno.listen({ transport: "unix", path: this.path });
    this.#acceptLoop = this.#accept(handler);
  }

  static async start(handler: Handler = answering()): Promise<FakeBridge> {
    return new FakeBridge(await Deno.makeTempDir({ prefix: "mcpc_client_" }), handler);
  }

  /** Resolves with the first received message matching `test` (bounded). */
  waitFor(test: (message: ClientMessage) => boolean): Promise<ClientMessage> {
    const found = this.received.find(test);
    if (found) return Promise.resolve(found);
    const { promise, resolve } = Promise.withResolvers<ClientMessage>();
    this.#waiters.push({ test, resolve });
    return bounded(promise, "a message at the fake bridge");
  }

  /** Closes every accepted connection (the client sees EOF). */
  async dropConnections(): Promise<void> {
    for (const channel of this.channels) channel.close();
    await bounded(Promise.all(this.#closes), "the fake bridge's connections to close");
  }

  async stop(): Promise<void> {
    this.#listener.close();
    await bounded(this.#acceptLoop, "the accept loop");
    await this.dropConnections();
    await Deno.remove(this.#dir, { recursive: true });
  }

  async #accept(handler: Handler): Promise<void> {
    try {
      for await (const conn of this.#listener) {
        const closed = Promise.withResolvers<unknown>();
        this.#closes.push(closed.promise);
        const channel: Channel = new Channel(conn, {
          onMessage: (raw) => {
            const message = parseClientMessage(raw);
            this.received.push(message);
            for (const waiter of this.#waiters) if (waiter.test(message)) waiter.resolve(message);
            if (message.type === "request") handler(message, channel);
          },
          onClose: (error) => closed.resolve(error),
        });
        this.channels.push(channel);
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.BadResource)) throw error;
    }
  }
}

/** Rejects if `promise` does not settle within WAIT_MS. */
function bounded<T>(promise: Promise<T>, what: string): Promise<T> {
  return withDeadline(promise, WAIT_MS, what);
}

function connect(bridge: FakeBridge, options: { timeoutMs?: number } = {}) {
  return BridgeClient.connect(bridge.path, { sessionName: SESSION, pid: PID, ...options });
}

function isRequest(method: string) {
  return (message: ClientMessage) => message.type === "request" && message.method === method;
}

Deno.test("BridgeClient.connect() succeeds when hello returns the expected identity", async () => {
  const bridge = await FakeBridge.start();
  try {
    const client = await connect(bridge);
    const hello = bridge.received[0];
    assert.equal(hello.type, "request");
    assert.equal(hello.type === "request" && hello.method, "hello");
    assert.deepEqual(hello.type === "request" && hello.params, { version: IPC_PROTOCOL_VERSION });
    assert.deepEqual(await client.request("ping", {}), { ok: "ping" });
    client.close();
  } finally {
    await bridge.stop();
  }
});

Deno.test("BridgeClient.connect() rejects a bridge serving another session", async () => {
  const bridge = await FakeBridge.start(answering({ sessionName: "@other", pid: PID }));
  try {
    await assert.rejects(bounded(connect(bridge), "connect"), (error: unknown) => {
      assert.ok(error instanceof BridgeUnreachableError);
      assert.equal(error.name, "BridgeUnreachableError");
      assert.equal(
        error.message,
        `Socket ${bridge.path} belongs to another process (@other, pid ${PID})`,
      );
      return true;
    });
  } finally {
    await bridge.stop();
  }
});

Deno.test("BridgeClient.connect() rejects a bridge with another pid", async () => {
  const bridge = await FakeBridge.start(answering({ sessionName: SESSION, pid: PID + 1 }));
  try {
    await assert.rejects(bounded(connect(bridge), "connect"), (error: unknown) => {
      assert.ok(error instanceof BridgeUnreachableError);
      assert.match(
        error.message,
        new RegExp(`belongs to another process \\(@fake, pid ${PID + 1}\\)`),
      );
      return true;
    });
  } finally {
    await bridge.stop();
  }
});

Deno.test("BridgeClient.connect() closes its connection after a failed identity check", async () => {
  const bridge = await FakeBridge.start(answering({ sessionName: "@other", pid: PID }));
  try {
    await assert.rejects(bounded(connect(bridge), "connect"), BridgeUnreachableError);
    await bounded(
      new Promise<void>((resolve) => {
        const poll = () => bridge.channels[0]?.closed ? resolve() : setTimeout(poll, 5);
        poll();
      }),
      "the bridge side to see the close",
    );
  } finally {
    await bridge.stop();
  }
});

Deno.test("BridgeClient.connect() throws BridgeUnreachableError when nothing listens", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mcpc_client_" });
  const path = join(dir, "missing.sock");
  try {
    await assert.rejects(
      BridgeClient.connect(path, { sessionName: SESSION, pid: PID }),
      (error: unknown) => {
        assert.ok(error instanceof BridgeUnreachableError);
        assert.equal(error.message, `Cannot connect to bridge socket ${path}`);
        assert.ok(error.cause instanceof Deno.errors.NotFound, `cause: ${error.cause}`);
        return true;
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("BridgeClient.connect() gives up on a silent socket after timeoutMs", async () => {
  const bridge = await FakeBridge.start(() => {});
  try {
    const started = performance.now();
    await assert.rejects(
      bounded(connect(bridge, { timeoutMs: 150 }), "connect"),
      (error: unknown) => {
        assert.ok(error instanceof BridgeUnreachableError);
        assert.equal(error.message, `Bridge at ${bridge.path} did not answer`);
        assert.ok(error.cause instanceof McpcError);
        assert.equal(error.cause.kind, "network");
        return true;
      },
    );
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 140, `gave up too early: ${elapsed} ms`);
    assert.ok(elapsed < 3_000, `took too long: ${elapsed} ms`);
  } finally {
    await bridge.stop();
  }
});

Deno.test("BridgeClient.connect() takes a socket that closes without a word for a bridge on its way out", async () => {
  // A killed bridge drops its connections before its listening socket: a connect in between
  // is accepted, then closed. That bridge is going, not busy: "absent", so it gets restarted.
  const bridge = await FakeBridge.start((_request, channel) => channel.close());
  try {
    await assert.rejects(bounded(connect(bridge), "connect"), (error: unknown) => {
      assert.ok(error instanceof BridgeUnreachableError);
      assert.equal(error.reason, "absent");
      return true;
    });
  } finally {
    await bridge.stop();
  }
});

Deno.test("BridgeClient.request() resolves with the result of the matching id", async () => {
  const held: RequestMessage[] = [];
  const hello = answering();
  const bridge = await FakeBridge.start((request, channel) => {
    if (request.method === "hello") return hello(request, channel);
    held.push(request);
    if (held.length < 2) return;
    for (const each of [...held].reverse()) {
      channel.send({ type: "response", id: each.id, result: { method: each.method } });
    }
  });
  try {
    const client = await connect(bridge);
    const [tools, details] = await bounded(
      Promise.all([
        client.request("listTools", { refresh: true }),
        client.request("serverDetails", {}),
      ]),
      "both responses",
    );
    assert.deepEqual(tools, { method: "listTools" });
    assert.deepEqual(details, { method: "serverDetails" });
    assert.deepEqual(held.map((request) => request.params), [{ refresh: true }, {}]);
    client.close();
  } finally {
    await bridge.stop();
  }
});

for (const kind of ["usage", "server", "network", "auth"] as const) {
  Deno.test(`BridgeClient.request() rejects with McpcError kind ${kind} for an error response of kind ${kind}`, async () => {
    const hello = answering();
    const bridge = await FakeBridge.start((request, channel) => {
      if (request.method === "hello") return hello(request, channel);
      channel.send({ type: "response", id: request.id, error: { kind, message: `Bad ${kind}` } });
    });
    try {
      const client = await connect(bridge);
      await assert.rejects(
        bounded(client.request("callTool", { name: "x", arguments: {} }), "the response"),
        (error: unknown) => {
          assert.ok(error instanceof McpcError);
          assert.equal(error.kind, kind);
          assert.equal(error.message, `Bad ${kind}`);
          return true;
        },
      );
      client.close();
    } finally {
      await bridge.stop();
    }
  });
}

Deno.test("BridgeClient.request() with timeoutMs rejects and sends a cancel for that id", async () => {
  const hello = answering();
  const bridge = await FakeBridge.start((request, channel) => {
    if (request.method === "hello") hello(request, channel);
  });
  try {
    const client = await connect(bridge);
    await assert.rejects(
      bounded(
        client.request("callTool", { name: "slow", arguments: {} }, {
          timeoutMs: 100,
          timeoutLabel: "--timeout 0.1",
        }),
        "the timeout",
      ),
      (error: unknown) => {
        assert.ok(error instanceof McpcError);
        assert.equal(error.kind, "network");
        assert.match(error.message, /--timeout 0\.1/);
        assert.equal(
          error.message,
          "Request timed out after --timeout 0.1; it was cancelled and not retried",
        );
        return true;
      },
    );
    const request = await bridge.waitFor(isRequest("callTool"));
    assert.equal(request.type === "request" && request.timeoutMs, 100);
    const cancel = await bridge.waitFor((message) => message.type === "cancel");
    assert.deepEqual(cancel, { type: "cancel", id: request.id });
    client.close();
  } finally {
    await bridge.stop();
  }
});

Deno.test("BridgeClient.request() names the timeout in seconds without a label", async () => {
  const hello = answering();
  const bridge = await FakeBridge.start((request, channel) => {
    if (request.method === "hello") hello(request, channel);
  });
  try {
    const client = await connect(bridge);
    await assert.rejects(bounded(client.request("ping", {}, { timeoutMs: 50 }), "the timeout"), {
      message: "Request timed out after 0.05 s; it was cancelled and not retried",
    });
    client.close();
  } finally {
    await bridge.stop();
  }
});

Deno.test("BridgeClient.request() does not send timeoutMs or cancel when none is given", async () => {
  const bridge = await FakeBridge.start();
  try {
    const client = await connect(bridge);
    await client.request("ping", {});
    const ping = await bridge.waitFor(isRequest("ping"));
    assert.equal("timeoutMs" in ping, false);
    assert.equal(bridge.received.some((message) => message.type === "cancel"), false);
    client.close();
  } finally {
    await bridge.stop();
  }
});

Deno.test("BridgeClient.request() ignores a response that arrives after its timeout", async () => {
  const hello = answering();
  let late: RequestMessage | undefined;
  const bridge = await FakeBridge.start((request, channel) => {
    if (request.method === "hello") return hello(request, channel);
    if (request.method === "callTool") late = request;
    else channel.send({ type: "response", id: request.id, result: { durationMs: 1 } });
  });
  try {
    const client = await connect(bridge);
    await assert.rejects(
      bounded(
        client.request("callTool", { name: "x", arguments: {} }, { timeoutMs: 50 }),
        "the timeout",
      ),
      McpcError,
    );
    assert.ok(late);
    await bridge.channels[0].send({ type: "response", id: late.id, result: { late: true } });
    assert.deepEqual(await client.request("ping", {}), { durationMs: 1 });
    client.close();
  } finally {
    await bridge.stop();
  }
});

Deno.test("BridgeClient rejects pending requests with BridgeConnectionLostError when the bridge closes", async () => {
  const hello = answering();
  const bridge = await FakeBridge.start((request, channel) => {
    if (request.method === "hello") hello(request, channel);
  });
  try {
    const client = await connect(bridge);
    const first = client.request("callTool", { name: "x", arguments: {} });
    const second = client.request("listTools", { refresh: false });
    await bridge.waitFor(isRequest("listTools"));
    await bridge.dropConnections();
    for (const pending of [first, second] as Promise<unknown>[]) {
      await assert.rejects(bounded(pending, "the pending request"), (error: unknown) => {
        assert.ok(error instanceof BridgeConnectionLostError);
        assert.equal(error.kind, "network");
        assert.equal(error.message, "Connection to the bridge closed");
        return true;
      });
    }
    client.close();
  } finally {
    await bridge.stop();
  }
});

Deno.test("BridgeClient.request() rejects with a network error after close()", async () => {
  const bridge = await FakeBridge.start();
  try {
    const client = await connect(bridge);
    client.close();
    await assert.rejects(bounded(client.request("ping", {}), "the request"), (error: unknown) => {
      assert.ok(error instanceof McpcError);
      assert.equal(error.kind, "network");
      return true;
    });
  } finally {
    await bridge.stop();
  }
});

Deno.test("BridgeClient forwards notifications to onNotification", async () => {
  const bridge = await FakeBridge.start();
  try {
    const seen: NotificationMessage[] = [];
    const arrived = Promise.withResolvers<void>();
    const client = await BridgeClient.connect(bridge.path, {
      sessionName: SESSION,
      pid: PID,
      onNotification: (notification) => {
        seen.push(notification);
        arrived.resolve();
      },
    });
    await bridge.channels[0].send({ type: "response", id: 999, result: "stray" });
    await bridge.channels[0].send({ type: "bogus" });
    await bridge.channels[0].send({
      type: "notification",
      method: "notifications/tools/list_changed",
      params: { x: 1 },
    });
    await bounded(arrived.promise, "the notification");
    assert.deepEqual(seen, [{
      type: "notification",
      method: "notifications/tools/list_changed",
      params: { x: 1 },
    }]);
    assert.deepEqual(await client.request("ping", {}), { ok: "ping" });
    client.close();
  } finally {
    await bridge.stop();
  }
});
