import assert from "node:assert/strict";
import {
  parseJsonRpc,
  StdioProcessTransport,
  StdioServerError,
} from "../../../src/mcp/stdio_transport.ts";
import { quoteBytes } from "../../../src/mcp/handshake_guard.ts";
import { isProcessGroupRunning } from "../../../src/platform/process.ts";
import { withDeadline } from "../../fakes/deadline.ts";

const ENV = { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin" };
const INITIALIZE = { jsonrpc: "2.0" as const, id: 0, method: "initialize", params: {} };

Deno.test("parseJsonRpc() accepts requests, notifications, results and errors only", () => {
  assert.ok(parseJsonRpc('{"jsonrpc":"2.0","id":1,"method":"x"}'));
  assert.ok(parseJsonRpc('{"jsonrpc":"2.0","method":"notifications/x"}'));
  assert.ok(parseJsonRpc('{"jsonrpc":"2.0","id":"a","result":{}}'));
  assert.ok(parseJsonRpc('{"jsonrpc":"2.0","id":null,"error":{"code":-1,"message":"m"}}'));
  for (
    const line of [
      "hello",
      "42",
      "[]",
      '{"id":1,"result":{}}',
      '{"jsonrpc":"1.0","id":1,"result":{}}',
      '{"jsonrpc":"2.0","id":1}',
      '{"jsonrpc":"2.0","id":1,"result":{},"error":{"code":1,"message":"m"}}',
      '{"jsonrpc":"2.0","id":1,"error":null}',
      '{"jsonrpc":"2.0","id":{},"result":{}}',
    ]
  ) {
    assert.equal(parseJsonRpc(line), undefined, line);
  }
});

Deno.test("quoteBytes() quotes and cuts stray output", () => {
  assert.equal(quoteBytes('say "hi"'), '"say \\"hi\\""');
  assert.equal(quoteBytes("x".repeat(200)), JSON.stringify(`${"x".repeat(120)}…`));
});

async function failureOf(transport: StdioProcessTransport, send = true): Promise<StdioServerError> {
  const closed = Promise.withResolvers<void>();
  transport.onclose = () => closed.resolve();
  await transport.start();
  // A server that is already gone fails the send with the reason as well.
  if (send) await transport.send(INITIALIZE).catch(() => {});
  await withDeadline(closed.promise, 10_000, "the transport to report the failure");
  await transport.close();
  assert.ok(transport.failure, "a failure was recorded");
  return transport.failure;
}

Deno.test("StdioProcessTransport refuses a command that echoes the request (cat)", async () => {
  const failure = await failureOf(
    new StdioProcessTransport({ command: "cat", args: [], env: ENV }),
  );
  assert.equal(failure.reason, "echo");
});

Deno.test("StdioProcessTransport reports a command that exits before answering, with its code", async () => {
  const failure = await failureOf(
    new StdioProcessTransport({ command: "sh", args: ["-c", "exit 3"], env: ENV }),
  );
  assert.equal(failure.reason, "exited");
  assert.match(failure.message, /exited with code 3 before answering initialize/);
});

Deno.test("StdioProcessTransport refuses non JSON-RPC output after the grace period", async () => {
  const started = Date.now();
  const failure = await failureOf(
    new StdioProcessTransport(
      { command: "sh", args: ["-c", "while :; do echo noise; sleep 0.05; done"], env: ENV },
      { nonJsonRpcGraceMs: 300, stopStepMs: 200 },
    ),
  );
  assert.equal(failure.reason, "not-json-rpc");
  assert.match(failure.message, /"noise"/);
  assert.ok(Date.now() - started >= 300);
});

Deno.test("StdioProcessTransport tolerates a banner line before valid messages", async () => {
  const script = 'echo "banner"; read line; echo \'{"jsonrpc":"2.0","id":0,"result":{}}\'; sleep 5';
  const transport = new StdioProcessTransport(
    { command: "sh", args: ["-c", script], env: ENV },
    { nonJsonRpcGraceMs: 300, stopStepMs: 200 },
  );
  const answered = Promise.withResolvers<unknown>();
  transport.onmessage = (message) => answered.resolve(message);
  await transport.start();
  await transport.send(INITIALIZE);
  assert.deepEqual(await withDeadline(answered.promise, 5_000, "the answer"), {
    jsonrpc: "2.0",
    id: 0,
    result: {},
  });
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(transport.failure, undefined, "the banner was not held against it");
  await transport.close();
});

Deno.test("StdioProcessTransport refuses a response to a request it never sent", async () => {
  const script = 'read line; echo \'{"jsonrpc":"2.0","id":99,"result":{}}\'; sleep 5';
  const failure = await failureOf(
    new StdioProcessTransport({ command: "sh", args: ["-c", script], env: ENV }, {
      stopStepMs: 200,
    }),
  );
  assert.equal(failure.reason, "not-a-response");
});

Deno.test("StdioProcessTransport start() fails with not-found for a missing command", async () => {
  const transport = new StdioProcessTransport({ command: "/no/such/server", args: [], env: ENV });
  await assert.rejects(
    transport.start(),
    (error: unknown) => error instanceof StdioServerError && error.reason === "not-found",
  );
});

Deno.test("StdioProcessTransport close() ends the whole group, even a child that ignores SIGTERM", async () => {
  let pgid = 0;
  const transport = new StdioProcessTransport(
    { command: "sh", args: ["-c", "trap '' TERM; (trap '' TERM; sleep 60) & sleep 60"], env: ENV },
    { onSpawn: (group) => pgid = group.pgid, stopStepMs: 300 },
  );
  await transport.start();
  assert.ok(pgid > 0);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.ok(isProcessGroupRunning(pgid));
  await withDeadline(transport.close(), 5_000, "close");
  assert.equal(isProcessGroupRunning(pgid), false);
});

Deno.test("StdioProcessTransport waits out one short banner line, even past the grace period", async () => {
  const transport = new StdioProcessTransport(
    { command: "sh", args: ["-c", "echo 'Loading model...'; sleep 30"], env: ENV },
    { nonJsonRpcGraceMs: 200, stopStepMs: 200 },
  );
  await transport.start();
  await transport.send(INITIALIZE);
  await new Promise((resolve) => setTimeout(resolve, 700));
  assert.equal(transport.failure, undefined, "a slow server with a banner is still given time");
  await transport.close();
});

for (
  const [label, script] of [
    ["a line longer than a banner", "head -c 5000 /dev/zero | tr '\\\\0' x; echo; sleep 30"],
    ["output that never ends its line", "while :; do printf xxxx; sleep 0.05; done"],
    ["a second stray line after the grace period", "echo banner; sleep 0.4; echo more; sleep 30"],
    ["a JSON answer that is not JSON-RPC", "read line; echo '{\"hello\":1}'; sleep 30"],
    ["a JSON array instead of a response", "read line; echo '[]'; sleep 30"],
  ] as const
) {
  Deno.test(`StdioProcessTransport refuses ${label}`, async () => {
    const failure = await failureOf(
      new StdioProcessTransport(
        { command: "sh", args: ["-c", script], env: ENV },
        { nonJsonRpcGraceMs: 200, stopStepMs: 200 },
      ),
    );
    assert.equal(failure.reason, "not-json-rpc");
  });
}
