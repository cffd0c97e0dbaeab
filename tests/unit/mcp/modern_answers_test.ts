import assert from "node:assert/strict";
import { takeModernAnswers } from "../../../src/mcp/client.ts";
import { RawRequests } from "../../../src/mcp/modern_tasks.ts";
import { ProtocolError } from "../../../src/mcp/sdk.ts";

type Message = Record<string, unknown>;

/** A transport as the SDK leaves it after connect: `send`, and the SDK's `onmessage`. */
function fakeTransport() {
  const delivered: Message[] = [];
  const sent: Message[] = [];
  const transport = {
    send: (message: Message) => {
      sent.push(message);
      return Promise.resolve();
    },
    onmessage: (message: Message) => {
      delivered.push(message);
    },
  };
  return { transport, delivered, sent };
}

const CREATED = {
  resultType: "task",
  taskId: "t9",
  status: "working",
  createdAt: "2026-12-01T10:00:00Z",
  lastUpdatedAt: "2026-12-01T10:00:00Z",
  ttlMs: null,
};

Deno.test("takeModernAnswers() hands the SDK a task-making answer as the error that carries it", () => {
  const { transport, delivered } = fakeTransport();
  const raw = new RawRequests(() => undefined, () => ({}));
  takeModernAnswers({ transport } as never, raw, { cancel: () => Promise.resolve() });
  transport.onmessage({ jsonrpc: "2.0", id: 3, result: CREATED });
  transport.onmessage({ jsonrpc: "2.0", id: 4, result: { resultType: "complete", content: [] } });
  transport.onmessage({ jsonrpc: "2.0", id: 5, error: { code: -32099, message: "busy" } });
  assert.equal(delivered.length, 3);
  const error = delivered[0].error as { code: number; message: string; data: unknown };
  assert.ok(error, "the task-making answer became an error response");
  assert.equal(delivered[0].id, 3);
  assert.deepEqual(delivered[1].result, { resultType: "complete", content: [] }, "others pass");
  assert.deepEqual(
    delivered[2].error,
    { code: -32099, message: "busy" },
    "a server's own error too",
  );
  assert.ok(new ProtocolError(error.code, error.message, error.data));
});

Deno.test("takeModernAnswers() cancels the task a given-up call made", async () => {
  const { transport, delivered } = fakeTransport();
  const cancelled: string[] = [];
  const raw = new RawRequests(() => undefined, () => ({}));
  takeModernAnswers({ transport } as never, raw, {
    cancel: (taskId: string) => {
      cancelled.push(taskId);
      return Promise.resolve();
    },
  });
  // The SDK gives request 7 up, then its answer comes: a task nobody follows.
  await transport.send({
    jsonrpc: "2.0",
    method: "notifications/cancelled",
    params: { requestId: 7, reason: "timeout" },
  });
  transport.onmessage({ jsonrpc: "2.0", id: 7, result: CREATED });
  transport.onmessage({ jsonrpc: "2.0", id: 8, result: CREATED });
  assert.deepEqual(cancelled, ["t9"], "only the given-up call's task");
  assert.equal(delivered.length, 2);
});
