import assert from "node:assert/strict";
import {
  IPC_PROTOCOL_VERSION,
  parseBridgeMessage,
  parseClientMessage,
  parseStartConfig,
} from "../../../src/bridge/protocol.ts";

const REQUESTS: Record<string, unknown>[] = [
  { type: "request", id: 1, method: "hello", params: { version: IPC_PROTOCOL_VERSION } },
  { type: "request", id: 2, method: "serverDetails", params: {} },
  { type: "request", id: 3, method: "listTools", params: { refresh: true } },
  {
    type: "request",
    id: 4,
    method: "callTool",
    params: { name: "echo", arguments: { text: "hi" } },
    timeoutMs: 5000,
  },
  { type: "request", id: 5, method: "ping", params: {} },
  { type: "request", id: 6, method: "shutdown", params: {} },
];

function assertTypeError(fn: () => unknown, message: string | RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof TypeError, `expected TypeError, got ${error}`);
    if (typeof message === "string") assert.equal(error.message, message);
    else assert.match(error.message, message);
    return true;
  });
}

for (const request of REQUESTS) {
  Deno.test(`parseClientMessage() accepts a ${request.method} request`, () => {
    assert.deepEqual(parseClientMessage(structuredClone(request)), request);
  });
}

Deno.test("parseClientMessage() accepts an input response with an answer, or without one", () => {
  const answer = { action: "accept", content: { name: "Ada" } };
  assert.deepEqual(
    parseClientMessage({ type: "input-response", id: 3, inputId: 1, result: answer }),
    { type: "input-response", id: 3, inputId: 1, result: answer },
  );
  assert.deepEqual(
    parseClientMessage({ type: "input-response", id: 3, inputId: 2 }),
    { type: "input-response", id: 3, inputId: 2 },
    "a question given up unanswered",
  );
  assert.throws(
    () =>
      parseClientMessage({
        type: "input-response",
        id: 3,
        inputId: 2,
        result: { action: "maybe" },
      }),
    /Invalid IPC input response/,
  );
});

Deno.test("parseClientMessage() accepts a cancel and keeps only type and id", () => {
  assert.deepEqual(parseClientMessage({ type: "cancel", id: 7, extra: "x" }), {
    type: "cancel",
    id: 7,
  });
});

Deno.test("parseClientMessage() rejects an unknown method", () => {
  assertTypeError(
    () => parseClientMessage({ type: "request", id: 1, method: "frobnicate", params: {} }),
    'Unknown IPC method: "frobnicate"',
  );
});

Deno.test("parseClientMessage() rejects a non-string method", () => {
  assertTypeError(
    () => parseClientMessage({ type: "request", id: 1, method: 3, params: {} }),
    "Unknown IPC method: 3",
  );
  assertTypeError(
    () => parseClientMessage({ type: "request", id: 1, params: {} }),
    "Unknown IPC method: undefined",
  );
});

Deno.test("parseClientMessage() rejects inherited property names as methods", () => {
  assertTypeError(
    () => parseClientMessage({ type: "request", id: 1, method: "toString", params: {} }),
    'Unknown IPC method: "toString"',
  );
});

Deno.test("parseClientMessage() rejects an unknown type", () => {
  assertTypeError(
    () => parseClientMessage({ type: "response", id: 1, method: "ping", params: {} }),
    'Invalid IPC message type: "response"',
  );
  assertTypeError(
    () => parseClientMessage({ id: 1, method: "ping", params: {} }),
    "Invalid IPC message type: undefined",
  );
});

Deno.test("parseClientMessage() rejects a missing or non-numeric id", () => {
  const expected = "Invalid IPC message: expected an object with a numeric id";
  assertTypeError(
    () => parseClientMessage({ type: "request", method: "ping", params: {} }),
    expected,
  );
  assertTypeError(
    () => parseClientMessage({ type: "request", id: "1", method: "ping", params: {} }),
    expected,
  );
  assertTypeError(() => parseClientMessage({ type: "cancel" }), expected);
});

Deno.test("parseClientMessage() rejects values that are not objects", () => {
  for (const value of [null, undefined, 1, "request", [], [{ type: "cancel", id: 1 }]]) {
    assertTypeError(() => parseClientMessage(value), /numeric id/);
  }
});

Deno.test("parseClientMessage() rejects params that are not an object", () => {
  for (const params of [undefined, null, [], "x", 1]) {
    assertTypeError(
      () => parseClientMessage({ type: "request", id: 1, method: "ping", params }),
      "Invalid IPC request: params must be an object",
    );
  }
});

Deno.test("parseClientMessage() rejects a non-numeric timeoutMs", () => {
  assertTypeError(
    () =>
      parseClientMessage({ type: "request", id: 1, method: "ping", params: {}, timeoutMs: "5" }),
    "Invalid IPC request: timeoutMs must be a number",
  );
});

Deno.test("parseBridgeMessage() accepts a result response", () => {
  assert.deepEqual(parseBridgeMessage({ type: "response", id: 3, result: { tools: [] } }), {
    type: "response",
    id: 3,
    result: { tools: [] },
  });
});

Deno.test("parseBridgeMessage() keeps a missing result as undefined", () => {
  const message = parseBridgeMessage({ type: "response", id: 3 });
  assert.deepEqual(message, { type: "response", id: 3, result: undefined });
});

for (const kind of ["usage", "server", "network", "auth"]) {
  Deno.test(`parseBridgeMessage() accepts an error response of kind ${kind}`, () => {
    assert.deepEqual(
      parseBridgeMessage({
        type: "response",
        id: 9,
        error: { kind, message: "Boom", stack: "dropped" },
      }),
      { type: "response", id: 9, error: { kind, message: "Boom" } },
    );
  });
}

Deno.test("parseBridgeMessage() rejects an error response with an unknown kind", () => {
  for (const kind of ["fatal", undefined, "", "USAGE"]) {
    assertTypeError(
      () => parseBridgeMessage({ type: "response", id: 1, error: { kind, message: "x" } }),
      "Invalid IPC error response",
    );
  }
});

Deno.test("parseBridgeMessage() rejects an error response without a string message", () => {
  assertTypeError(
    () => parseBridgeMessage({ type: "response", id: 1, error: { kind: "server" } }),
    "Invalid IPC error response",
  );
  assertTypeError(
    () => parseBridgeMessage({ type: "response", id: 1, error: "Boom" }),
    "Invalid IPC error response",
  );
  assertTypeError(
    () => parseBridgeMessage({ type: "response", id: 1, error: null }),
    "Invalid IPC error response",
  );
});

Deno.test("parseBridgeMessage() accepts a notification with and without params", () => {
  assert.deepEqual(
    parseBridgeMessage({
      type: "notification",
      method: "notifications/tools/list_changed",
      params: { a: 1 },
    }),
    { type: "notification", method: "notifications/tools/list_changed", params: { a: 1 } },
  );
  assert.deepEqual(
    parseBridgeMessage({ type: "notification", method: "notifications/message" }),
    { type: "notification", method: "notifications/message", params: undefined },
  );
});

Deno.test("parseBridgeMessage() rejects a notification without a string method", () => {
  assertTypeError(
    () => parseBridgeMessage({ type: "notification", params: {} }),
    'Invalid IPC message type: "notification"',
  );
});

Deno.test("parseBridgeMessage() rejects a response without a numeric id", () => {
  assertTypeError(
    () => parseBridgeMessage({ type: "response", id: "1", result: {} }),
    'Invalid IPC message type: "response"',
  );
  assertTypeError(
    () => parseBridgeMessage({ type: "response", result: {} }),
    'Invalid IPC message type: "response"',
  );
});

Deno.test("parseBridgeMessage() rejects unknown types and non-objects", () => {
  assertTypeError(
    () => parseBridgeMessage({ type: "request", id: 1, method: "ping", params: {} }),
    'Invalid IPC message type: "request"',
  );
  for (const value of [null, 3, "response", [], undefined]) {
    assertTypeError(() => parseBridgeMessage(value), "Invalid IPC message: expected an object");
  }
});

Deno.test("parseStartConfig() accepts a full config unchanged", () => {
  const config = {
    sessionName: "@s",
    home: "/home/u/.mcpc",
    server: { url: "https://example.com/mcp", headers: { Authorization: "Bearer x" } },
    label: "https://example.com/mcp",
    profileName: "default",
    resume: {
      mcpSessionId: "abc",
      initialize: {
        protocolVersion: "2025-11-25",
        capabilities: {},
        serverInfo: { name: "srv" },
      },
    },
  };
  assert.deepEqual(parseStartConfig(structuredClone(config)), config);
});

Deno.test("parseStartConfig() accepts a minimal stdio config", () => {
  const config = {
    sessionName: "@s",
    home: "/h",
    server: { command: "node", args: ["x.js"] },
    label: "node x.js",
  };
  assert.deepEqual(parseStartConfig(config), config);
});

Deno.test("parseStartConfig() rejects a config without a label", () => {
  assertTypeError(
    () => parseStartConfig({ sessionName: "@s", home: "/h", server: { command: "node" } }),
    "Invalid bridge start config: label missing",
  );
});

Deno.test("parseStartConfig() rejects a missing sessionName or home", () => {
  const expected = "Invalid bridge start config: sessionName and home are required";
  assertTypeError(() => parseStartConfig({ home: "/h", server: {} }), expected);
  assertTypeError(() => parseStartConfig({ sessionName: "@s", server: {} }), expected);
  assertTypeError(() => parseStartConfig({ sessionName: 1, home: "/h", server: {} }), expected);
  assertTypeError(() => parseStartConfig(null), expected);
  assertTypeError(() => parseStartConfig([]), expected);
});

Deno.test("parseStartConfig() rejects a missing or non-object server", () => {
  for (const server of [undefined, null, "https://x", []]) {
    assertTypeError(
      () => parseStartConfig({ sessionName: "@s", home: "/h", server }),
      "Invalid bridge start config: server missing",
    );
  }
});

Deno.test("parseBridgeMessage() accepts a heartbeat", () => {
  assert.deepEqual(parseBridgeMessage({ type: "heartbeat" }), { type: "heartbeat" });
});
