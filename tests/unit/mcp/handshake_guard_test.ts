import assert from "node:assert/strict";
import {
  completeByDefault,
  type GuardableTransport,
  GuardedTransport,
  HandshakeError,
  HandshakeGuard,
} from "../../../src/mcp/handshake_guard.ts";
import { SdkErrorCode, SdkHttpError } from "../../../src/mcp/sdk.ts";
import type { JSONRPCMessage } from "../../../src/mcp/types.ts";

const INITIALIZE: JSONRPCMessage = { jsonrpc: "2.0", id: 0, method: "initialize", params: {} };

Deno.test("HandshakeGuard passes the answer to initialize, then everything", () => {
  const guard = new HandshakeGuard("Server x");
  guard.sent(INITIALIZE);
  assert.equal(guard.received({ jsonrpc: "2.0", method: "notifications/message" }), undefined);
  assert.equal(guard.answered, false);
  assert.equal(guard.received({ jsonrpc: "2.0", id: 0, result: {} }), undefined);
  assert.equal(guard.answered, true);
  assert.equal(guard.received({ jsonrpc: "2.0", id: 42, result: {} }), undefined);
});

Deno.test("HandshakeGuard refuses an echo of initialize and an answer to another id", () => {
  const echo = new HandshakeGuard("Server x");
  echo.sent(INITIALIZE);
  assert.equal(echo.received(INITIALIZE)?.reason, "echo");
  const other = new HandshakeGuard("Server x");
  other.sent(INITIALIZE);
  const failure = other.received({ jsonrpc: "2.0", id: 7, result: {} });
  assert.ok(failure instanceof HandshakeError);
  assert.equal(failure.reason, "not-a-response");
  assert.match(failure.message, /^Server x answered with a message that is not a response/);
});

Deno.test("HandshakeGuard watches nothing before initialize was sent (a resumed session)", () => {
  const guard = new HandshakeGuard("Server x");
  assert.equal(guard.received({ jsonrpc: "2.0", id: 3, result: {} }), undefined);
});

Deno.test("HandshakeGuard with handshakeDone starts answered and treats discover as a request", () => {
  const guard = new HandshakeGuard("Server x", { handshakeDone: true });
  assert.equal(guard.answered, true);
  assert.equal(guard.waiting, false);
  // A liveness `server/discover` on a restored 2026-07-28 connection is no handshake.
  guard.sent({ jsonrpc: "2.0", id: 1, method: "server/discover", params: {} });
  assert.equal(guard.answered, true);
  assert.equal(guard.method, undefined);
  assert.equal(guard.received({ jsonrpc: "2.0", id: 5, result: {} }), undefined);
});

Deno.test("HandshakeGuard follows a server/discover answered with a result, then lets it pass", () => {
  const guard = new HandshakeGuard("Server x");
  guard.sent({ jsonrpc: "2.0", id: "probe", method: "server/discover", params: {} });
  assert.equal(guard.answered, false);
  assert.equal(guard.method, "server/discover");
  assert.equal(guard.received({ jsonrpc: "2.0", id: "probe", result: {} }), undefined);
  assert.equal(guard.answered, true);
  guard.sent({ jsonrpc: "2.0", id: 2, method: "server/discover", params: {} });
  assert.equal(guard.answered, true, "a later discover is an ordinary request");
});

class FakeInner implements GuardableTransport {
  onmessage?: (message: JSONRPCMessage, extra?: unknown) => void;
  onerror?: (error: Error) => void;
  onclose?: () => void;
  sent: JSONRPCMessage[] = [];
  closed = 0;
  sessionId = "sid";
  start(): Promise<void> {
    return Promise.resolve();
  }
  send(message: JSONRPCMessage): Promise<void> {
    this.sent.push(message);
    return Promise.resolve();
  }
  close(): Promise<void> {
    this.closed++;
    this.onclose?.();
    return Promise.resolve();
  }
}

Deno.test("GuardedTransport passes messages on and closes on a refused handshake", async () => {
  const inner = new FakeInner();
  const guarded = new GuardedTransport(inner, "Server x");
  const received: JSONRPCMessage[] = [];
  let closed = false;
  guarded.onmessage = (message) => received.push(message);
  guarded.onclose = () => closed = true;
  await guarded.send(INITIALIZE);
  assert.deepEqual(inner.sent, [INITIALIZE]);
  assert.equal(guarded.sessionId, "sid");
  inner.onmessage?.({ jsonrpc: "2.0", id: 9, result: {} });
  assert.deepEqual(received, [], "the wrong answer is not passed on");
  assert.equal(guarded.failure?.name, "HandshakeError");
  assert.equal(inner.closed, 1);
  assert.equal(closed, true, "the pending initialize fails through onclose");
});

Deno.test("GuardedTransport says when the handshake is done; a later fail() still closes", async () => {
  const inner = new FakeInner();
  const guarded = new GuardedTransport(inner, "Server x");
  await guarded.send(INITIALIZE);
  assert.equal(guarded.answered, false);
  inner.onmessage?.({ jsonrpc: "2.0", id: 0, result: {} });
  assert.equal(guarded.answered, true);
  guarded.fail(new Error("first"));
  guarded.fail(new Error("second"));
  assert.equal(guarded.failure?.message, "first");
  assert.equal(inner.closed, 1);
});

const DISCOVER: JSONRPCMessage = {
  jsonrpc: "2.0",
  id: "probe-1",
  method: "server/discover",
  params: {},
};

Deno.test("HandshakeGuard follows a refused probe, then initialize (a 2025-era server)", () => {
  const guard = new HandshakeGuard("Server x");
  guard.sent(DISCOVER);
  assert.equal(guard.method, "server/discover");
  assert.equal(guard.waiting, false, "a probe may go unanswered without failing the server");
  assert.equal(
    guard.received({ jsonrpc: "2.0", id: "probe-1", error: { code: -32601, message: "no" } }),
    undefined,
  );
  guard.sent(INITIALIZE);
  assert.equal(guard.method, "initialize");
  assert.equal(guard.answered, false);
  assert.equal(guard.waiting, true);
  const wrong = guard.received({ jsonrpc: "2.0", id: 5, result: {} });
  assert.match(wrong?.message ?? "", /not a response to initialize/);
});

Deno.test("HandshakeGuard is done once discover has a result; later discovers are requests", () => {
  const guard = new HandshakeGuard("Server x");
  guard.sent(DISCOVER);
  assert.equal(guard.received({ jsonrpc: "2.0", id: 7, result: {} })?.reason, "not-a-response");
  const fresh = new HandshakeGuard("Server x");
  fresh.sent(DISCOVER);
  assert.equal(fresh.received({ jsonrpc: "2.0", id: "probe-1", result: {} }), undefined);
  fresh.sent({ ...DISCOVER, id: "keepalive" });
  assert.equal(fresh.answered, true, "a liveness check reopens no handshake");
  assert.equal(fresh.received({ jsonrpc: "2.0", id: 42, result: {} }), undefined);
});

Deno.test("GuardedTransport lets an HTTP refusal of the probe pass, not an unreadable answer", async () => {
  const inner = new FakeInner();
  const guarded = new GuardedTransport(inner, "Server x");
  await guarded.send(DISCOVER);
  const refusal = new SdkHttpError(SdkErrorCode.ClientHttpNotImplemented, "Error POSTing", {
    status: 400,
  });
  inner.onerror?.(refusal);
  assert.equal(guarded.failure, undefined, "the SDK falls back to initialize");
  const unreadable = new SyntaxError("Unexpected token");
  inner.onerror?.(unreadable);
  assert.equal(guarded.failure as Error | undefined, unreadable);
  assert.equal(inner.closed, 1);
});

Deno.test("completeByDefault() states resultType complete only where a result has none", () => {
  assert.deepEqual(completeByDefault({ jsonrpc: "2.0", id: 1, result: { content: [] } }), {
    jsonrpc: "2.0",
    id: 1,
    result: { content: [], resultType: "complete" },
  });
  const asking = {
    jsonrpc: "2.0" as const,
    id: 2,
    result: { resultType: "input_required", requestState: "s" },
  };
  assert.equal(completeByDefault(asking), asking, "another result type is left alone");
  const note = { jsonrpc: "2.0" as const, method: "notifications/progress", params: {} };
  assert.equal(completeByDefault(note), note);
});
