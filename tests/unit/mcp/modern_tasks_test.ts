import assert from "node:assert/strict";
import {
  createdTaskOf,
  invalidCreatedTask,
  ModernTasks,
  parseModernTask,
  RawRequests,
  takeTaskCreation,
  withTasksExtension,
} from "../../../src/mcp/modern_tasks.ts";
import { UnansweredError } from "../../../src/mcp/input_router.ts";
import { ProtocolError, SdkError, SdkErrorCode } from "../../../src/mcp/sdk.ts";
import { McpcError } from "../../../src/errors.ts";

const CAPS = "io.modelcontextprotocol/clientCapabilities";
const NOW = "2026-12-01T10:00:00Z";

function wireTask(status: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    taskId: "t1",
    status,
    createdAt: NOW,
    lastUpdatedAt: NOW,
    ttlMs: 60_000,
    pollIntervalMs: 1,
    ...extra,
  };
}

interface Sent {
  id: string;
  method: string;
  params: Record<string, unknown>;
}

/**
 * A transport whose server answers each request with `answer(method,
 * params)` (a result, or `{ error }`), asynchronously, through `take()`.
 */
class ScriptedServer {
  readonly sent: Sent[] = [];
  raw: RawRequests;
  constructor(
    answer: (method: string, params: Record<string, unknown>) => unknown,
    envelope: Record<string, unknown> = { envelope: true },
  ) {
    this.raw = new RawRequests(() => ({
      send: (message: never) => {
        const request = message as unknown as Sent;
        this.sent.push(request);
        const reply = answer(request.method, request.params);
        if (reply === undefined) return Promise.resolve();
        queueMicrotask(() => {
          const error = (reply as { error?: unknown }).error;
          this.raw.take(
            error
              ? { jsonrpc: "2.0", id: request.id, error }
              : { jsonrpc: "2.0", id: request.id, result: reply },
          );
        });
        return Promise.resolve();
      },
    }), () => envelope);
  }

  methods(): string[] {
    return this.sent.map((request) => request.method);
  }
}

Deno.test("withTasksExtension() adds the extension to the request's client capabilities", () => {
  const envelope = {
    other: 1,
    [CAPS]: { elicitation: {}, extensions: { "io.modelcontextprotocol/skills": {} } },
  };
  assert.deepEqual(withTasksExtension(envelope), {
    other: 1,
    [CAPS]: {
      elicitation: {},
      extensions: { "io.modelcontextprotocol/skills": {}, "io.modelcontextprotocol/tasks": {} },
    },
  });
  assert.deepEqual(withTasksExtension({}), {
    [CAPS]: { extensions: { "io.modelcontextprotocol/tasks": {} } },
  });
});

Deno.test("parseModernTask() reads the 2026 shape into mcpc's task, with its payload", () => {
  const working = parseModernTask(wireTask("working", { statusMessage: "half" }), "tasks/get");
  assert.deepEqual(working, {
    task: {
      taskId: "t1",
      status: "working",
      statusMessage: "half",
      createdAt: NOW,
      lastUpdatedAt: NOW,
      ttl: 60_000,
      pollInterval: 1,
    },
  });
  const done = parseModernTask(
    wireTask("completed", { result: { content: [{ type: "text", text: "ok" }] } }),
    "tasks/get",
  );
  assert.deepEqual(done.result, { content: [{ type: "text", text: "ok" }] });
  const failed = parseModernTask(
    wireTask("failed", { error: { code: -32603, message: "boom" } }),
    "tasks/get",
  );
  assert.deepEqual(failed.error, { code: -32603, message: "boom", data: undefined });
  const asking = parseModernTask(
    wireTask("input_required", {
      inputRequests: { q1: { method: "elicitation/create", params: { message: "?" } } },
    }),
    "tasks/get",
  );
  assert.deepEqual(asking.inputRequests, {
    q1: { method: "elicitation/create", params: { message: "?" } },
  });
  const unlimited = parseModernTask({ ...wireTask("working"), ttlMs: null }, "tasks/get");
  assert.equal(unlimited.task.ttl, null);
});

Deno.test("parseModernTask() names the field of a task that is not one", () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ...wireTask("working"), taskId: 5 }, /taskId: expected a string/],
    [wireTask("sleeping"), /status: expected one of working, input_required/],
    [{ ...wireTask("working"), createdAt: undefined }, /createdAt/],
    [{ ...wireTask("working"), ttlMs: "long" }, /ttlMs/],
    [wireTask("completed"), /result: a completed task must carry its result/],
    [wireTask("failed", { error: { message: "x" } }), /error: a failed task/],
    [wireTask("input_required"), /inputRequests/],
    [wireTask("input_required", { inputRequests: { a: { params: {} } } }), /inputRequests\.a/],
  ];
  for (const [value, expected] of cases) {
    assert.throws(() => parseModernTask(value, "tasks/get"), (error: unknown) => {
      assert.ok(error instanceof SdkError);
      assert.equal(error.code, SdkErrorCode.InvalidResult);
      assert.match(error.message, /^Invalid result for tasks\/get: /);
      assert.match(error.message, expected);
      return true;
    });
  }
  assert.throws(() => parseModernTask("nope", "tasks/get"), /expected a task object/);
});

Deno.test("takeTaskCreation() turns only a task-making answer into an error that carries the task", () => {
  const plain = { jsonrpc: "2.0", id: 3, result: { resultType: "complete", content: [] } };
  assert.equal(takeTaskCreation(plain), plain, "other answers pass as they are");
  const notification = { jsonrpc: "2.0", method: "x", params: { resultType: "task" } };
  assert.equal(takeTaskCreation(notification), notification);

  const made = takeTaskCreation<unknown>({
    jsonrpc: "2.0",
    id: 4,
    result: { resultType: "task", ...wireTask("working") },
  }) as { id: number; error: { code: number; message: string; data: unknown } };
  assert.equal(made.id, 4);
  const error = ProtocolError.fromError(made.error.code, made.error.message, made.error.data);
  assert.equal(createdTaskOf(error)?.task.taskId, "t1");
  assert.equal(invalidCreatedTask(error), undefined);
  assert.equal(createdTaskOf(new ProtocolError(-32603, "other")), undefined);

  const garbled = takeTaskCreation<unknown>({
    jsonrpc: "2.0",
    id: 5,
    result: { resultType: "task", status: "working" },
  }) as { error: { code: number; message: string; data: unknown } };
  const bad = ProtocolError.fromError(
    garbled.error.code,
    garbled.error.message,
    garbled.error.data,
  );
  assert.equal(createdTaskOf(bad), undefined);
  const invalid = invalidCreatedTask(bad);
  assert.ok(invalid instanceof SdkError);
  assert.match(invalid.message, /Invalid result for tools\/call: taskId: expected a string/);
});

Deno.test("RawRequests sends with ids and _meta of its own and settles from the answers", async () => {
  const server = new ScriptedServer(
    (method) =>
      method === "fail" ? { error: { code: -32602, message: "no such task" } } : { ok: 1 },
    { "io.modelcontextprotocol/protocolVersion": "2026-07-28" },
  );
  assert.deepEqual(await server.raw.request("tasks/get", { taskId: "a" }), { ok: 1 });
  const [first] = server.sent;
  assert.equal(typeof first.id, "string", "ids of mcpc's own, never the SDK's numbers");
  assert.deepEqual(first.params, {
    taskId: "a",
    _meta: { "io.modelcontextprotocol/protocolVersion": "2026-07-28" },
  });
  await assert.rejects(server.raw.request("fail", {}), (error: unknown) => {
    assert.ok(error instanceof ProtocolError);
    assert.equal(error.code, -32602);
    assert.equal(error.message, "no such task");
    return true;
  });
  assert.equal(server.raw.take({ jsonrpc: "2.0", id: 7, result: {} }), false, "the SDK's own");
  assert.equal(server.raw.take({ jsonrpc: "2.0", id: first.id, result: {} }), true, "a late one");
});

Deno.test("RawRequests times out, stops on abort and fails all when the connection closes", async () => {
  const server = new ScriptedServer(() => undefined);
  await assert.rejects(server.raw.request("tasks/get", {}, { timeoutMs: 10 }), (error: unknown) => {
    assert.ok(error instanceof SdkError);
    assert.equal(error.code, SdkErrorCode.RequestTimeout);
    return true;
  });
  const stop = new AbortController();
  const aborted = server.raw.request("tasks/get", {}, { signal: stop.signal });
  stop.abort(new Error("left"));
  await assert.rejects(aborted, /left/);
  const pending = server.raw.request("tasks/get", {});
  server.raw.failAll(new Error("closed"));
  await assert.rejects(pending, /closed/);
});

Deno.test("ModernTasks.follow() polls to the end, asks each question once, answers with tasks/update", async () => {
  let polls = 0;
  let answeredWith: unknown;
  const server = new ScriptedServer((method, params) => {
    if (method === "tasks/update") {
      answeredWith = params.inputResponses;
      return {};
    }
    polls++;
    // The server still lists the answered question on the poll after the update.
    if (polls <= 2 || (polls === 3 && answeredWith)) {
      return wireTask("input_required", {
        inputRequests: {
          q1: { method: "elicitation/create", params: { message: "Depth?", requestedSchema: {} } },
        },
      });
    }
    return wireTask("completed", { result: { content: [{ type: "text", text: "done" }] } });
  });
  const tasks = new ModernTasks(server.raw);
  const asked: string[] = [];
  const seen: string[] = [];
  const result = await tasks.follow(parseModernTask(wireTask("working"), "tools/call"), {
    ask: (request) => {
      asked.push(request.message);
      return Promise.resolve({ action: "accept", content: { depth: "deep" } });
    },
    onTask: (task) => seen.push(task.status),
    cancelOnStop: false,
  });
  assert.deepEqual(result, { content: [{ type: "text", text: "done" }] });
  assert.deepEqual(asked, ["Depth?"], "asked once, though listed on several polls");
  assert.deepEqual(answeredWith, { q1: { action: "accept", content: { depth: "deep" } } });
  assert.deepEqual(seen, ["working", "input_required", "completed"]);
  assert.deepEqual(server.methods().filter((method) => method === "tasks/update"), [
    "tasks/update",
  ]);
});

Deno.test("ModernTasks.follow() ends a failed task with its error, a cancelled one with a message", async () => {
  const tasks = new ModernTasks(new ScriptedServer(() => undefined).raw);
  const options = { ask: () => Promise.reject(new Error("no")), cancelOnStop: false };
  await assert.rejects(
    tasks.follow(
      parseModernTask(wireTask("failed", { error: { code: -32603, message: "quota" } }), "x"),
      options,
    ),
    (error: unknown) => {
      assert.ok(error instanceof ProtocolError);
      assert.equal(error.code, -32603);
      assert.equal(error.message, "Task t1 failed: quota");
      return true;
    },
  );
  await assert.rejects(
    tasks.follow(
      parseModernTask(wireTask("cancelled", { statusMessage: "by admin" }), "x"),
      options,
    ),
    (error: unknown) =>
      error instanceof McpcError && error.message === "Task t1 was cancelled (by admin)",
  );
});

Deno.test("ModernTasks.follow() cancels the task when a plain call stops, never a --task wait", async () => {
  for (const cancelOnStop of [true, false]) {
    const server = new ScriptedServer((method) =>
      method === "tasks/cancel" ? {} : wireTask("working")
    );
    const stop = new AbortController();
    const following = new ModernTasks(server.raw).follow(
      parseModernTask(wireTask("working"), "tools/call"),
      { signal: stop.signal, ask: () => Promise.reject(new Error("no")), cancelOnStop },
    );
    setTimeout(() => stop.abort(new Error("interrupted")), 600);
    await assert.rejects(following, /interrupted/);
    assert.equal(
      server.methods().includes("tasks/cancel"),
      cancelOnStop,
      `cancelOnStop ${cancelOnStop}`,
    );
  }
});

Deno.test("ModernTasks.follow() gives up at its bound with the SDK's timeout", async () => {
  const server = new ScriptedServer((method) =>
    method === "tasks/cancel" ? {} : wireTask("working")
  );
  await assert.rejects(
    new ModernTasks(server.raw).follow(parseModernTask(wireTask("working"), "tools/call"), {
      timeoutMs: 700,
      ask: () => Promise.reject(new Error("no")),
      cancelOnStop: true,
    }),
    (error: unknown) => error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout,
  );
  assert.equal(server.methods().at(-1), "tasks/cancel");
});

Deno.test("ModernTasks.follow() refuses sampling and roots questions, and stops when the asker leaves", async () => {
  const sampling = parseModernTask(
    wireTask("input_required", {
      inputRequests: { s: { method: "sampling/createMessage", params: {} } },
    }),
    "tasks/get",
  );
  const server = new ScriptedServer(() => ({}));
  const tasks = new ModernTasks(server.raw);
  await assert.rejects(
    tasks.follow(sampling, { ask: () => Promise.reject(new Error("no")), cancelOnStop: false }),
    /asks the client for sampling\/createMessage, which mcpc does not offer/,
  );
  const elicit = parseModernTask(
    wireTask("input_required", {
      inputRequests: { q: { method: "elicitation/create", params: { message: "?" } } },
    }),
    "tasks/get",
  );
  await assert.rejects(
    tasks.follow(elicit, {
      ask: () => Promise.reject(new UnansweredError()),
      cancelOnStop: false,
    }),
    UnansweredError,
  );
  assert.deepEqual(server.methods(), [], "nothing answered, so no tasks/update");
});

Deno.test("a CreateTaskResult may be a bare task at any status; follow() asks tasks/get for the rest", async () => {
  const bare = parseModernTask(wireTask("completed"), "tools/call");
  assert.equal(bare.result, undefined);
  assert.equal(parseModernTask(wireTask("input_required"), "tools/call").inputRequests, undefined);
  assert.throws(() => parseModernTask(wireTask("completed"), "tasks/get"), /must carry its result/);
  const server = new ScriptedServer(() =>
    wireTask("completed", { result: { content: [{ type: "text", text: "fetched" }] } })
  );
  const result = await new ModernTasks(server.raw).follow(bare, {
    ask: () => Promise.reject(new Error("no")),
    cancelOnStop: false,
  });
  assert.deepEqual(result.content, [{ type: "text", text: "fetched" }]);
  assert.deepEqual(server.methods(), ["tasks/get"]);
});

Deno.test("a tasks/update lost to the network is sent again, without asking twice", async () => {
  let accepted: unknown;
  const asking = wireTask("input_required", {
    inputRequests: { q: { method: "elicitation/create", params: { message: "Go?" } } },
  });
  const server = new ScriptedServer((method, params) => {
    if (method === "tasks/update") {
      accepted = params.inputResponses;
      return {};
    }
    return accepted ? wireTask("completed", { result: { content: [] } }) : asking;
  });
  // The first update fails with something the network could cause, not the server's answer.
  const raw = server.raw;
  const request = raw.request.bind(raw);
  let failedOnce = false;
  raw.request = (method, params, options) => {
    if (method === "tasks/update" && !failedOnce) {
      failedOnce = true;
      return Promise.reject(new TypeError("connection reset"));
    }
    return request(method, params, options);
  };
  let asked = 0;
  await new ModernTasks(raw).follow(parseModernTask(asking, "tasks/get"), {
    ask: () => {
      asked++;
      return Promise.resolve({ action: "accept", content: { go: true } });
    },
    cancelOnStop: false,
  });
  assert.equal(asked, 1, "asked once");
  assert.deepEqual(accepted, { q: { action: "accept", content: { go: true } } });
});

Deno.test("follow() stops at once when the connection is gone (no retries)", async () => {
  const server = new ScriptedServer(() => undefined);
  const raw = server.raw;
  let polls = 0;
  raw.request = () => {
    polls++;
    return Promise.reject(new SdkError(SdkErrorCode.ConnectionClosed, "Connection closed"));
  };
  await assert.rejects(
    new ModernTasks(raw).follow(parseModernTask(wireTask("working"), "tools/call"), {
      ask: () => Promise.reject(new Error("no")),
      cancelOnStop: false,
    }),
    /Connection closed/,
  );
  assert.equal(polls, 1);
});
