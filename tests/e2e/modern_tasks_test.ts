/**
 * Tasks on 2026-07-28 servers (the Tasks extension, SEP-2663) against the
 * demo server's `research` tool, over Streamable HTTP and stdio: `--task`,
 * `--detach`, a plain call the server runs as a task, the task's question
 * answered through `--input` (now or by a later `tasks-result`),
 * `tasks-get`, `tasks-list`, `tasks-cancel`, and a `--timeout` that cancels
 * the task of a plain call. Against a 2025-era demo server (no tasks) the
 * same tool is a plain call and `--task` falls back with a warning.
 */

import assert from "node:assert/strict";
import { startDemoHttpServer } from "../../scripts/demo_server.ts";
import { DEMO_SERVER, denoEntry, Harness, isAlive, waitFor, writeConfig } from "./harness.ts";

interface TaskJson {
  taskId: string;
  status: string;
  statusMessage?: string;
}

interface ToolResultJson {
  content: { type: string; text: string }[];
}

const TRANSPORTS = ["http", "stdio"] as const;

/** The `Mcp-Method` and `Mcp-Name` headers of one HTTP request. */
interface SeenHeaders {
  method: string | null;
  name: string | null;
}

/** `@t` connected to a modern-only demo server over `transport`, for `fn`. */
async function withModernDemo(
  transport: typeof TRANSPORTS[number],
  fn: (h: Harness, seen: SeenHeaders[]) => Promise<void>,
): Promise<void> {
  const seen: SeenHeaders[] = [];
  const server = transport === "http"
    ? await startDemoHttpServer({
      era: "modern",
      onRequest: (request) =>
        seen.push({
          method: request.headers.get("mcp-method"),
          name: request.headers.get("mcp-name"),
        }),
    })
    : undefined;
  const h = await Harness.create();
  try {
    let target = server?.url;
    if (!target) {
      await writeConfig(`${h.home}/mcp.json`, {
        demo: denoEntry(DEMO_SERVER, ["--stdio", "--era", "modern"]),
      });
      target = `${h.home}/mcp.json:demo`;
    }
    const connect = await h.run(["connect", target, "@t"]);
    assert.equal(connect.code, 0, connect.stderr);
    await fn(h, seen);
    assert.equal((await h.run(["@t", "close"])).code, 0);
    assert.deepEqual(await h.bridgePids(), []);
  } finally {
    await h.cleanup();
    await server?.close();
  }
}

for (const transport of TRANSPORTS) {
  Deno.test(`2026 tasks: --task waits for the result, --detach and tasks-result follow it [${transport}]`, async () => {
    await withModernDemo(transport, async (h, seen) => {
      const waited = await h.json<ToolResultJson>([
        "@t",
        "tools-call",
        "research",
        "topic:=cats",
        "--task",
      ]);
      assert.equal(waited.content[0].text, "Research on cats (quick): 4 steps done");
      const record = (await h.sessions()).sessions["@t"];
      const recorded = Object.values(record.activeTasks ?? {});
      assert.equal(recorded.length, 1, "the task is kept in the session record");
      assert.equal(recorded[0].status, "completed");
      assert.equal(recorded[0].toolName, "research");

      const detached = await h.json<{ taskId: string; status: string }>([
        "@t",
        "tools-call",
        "research",
        "topic:=owls",
        "steps:=6",
        "--detach",
      ]);
      assert.equal(detached.status, "working");
      const got = await h.json<TaskJson>(["@t", "tasks-get", detached.taskId]);
      assert.equal(got.taskId, detached.taskId);
      assert.match(got.statusMessage ?? "", /^Step \d\/6/);
      const listed = await h.json<{ tasks: TaskJson[] }>(["@t", "tasks-list"]);
      assert.deepEqual(
        listed.tasks.map((task) => task.taskId).sort(),
        [
          recorded[0].taskId,
          detached.taskId,
        ].sort(),
      );
      const result = await h.run(["@t", "tasks-result", detached.taskId]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /Task \S+ completed with these results/);
      assert.match(result.stdout, /Research on owls \(quick\): 6 steps done/);
      if (transport === "http") {
        // Each poll names its task for the load balancers in front of the server (SEP-2663).
        const polls = seen.filter((headers) => headers.method === "tasks/get");
        assert.ok(polls.length >= 2, `polls seen: ${polls.length}`);
        const names = new Set(polls.map((headers) => headers.name));
        assert.deepEqual([...names].sort(), [recorded[0].taskId, detached.taskId].sort());
      }
    });
  });

  Deno.test(`2026 tasks: a plain call the server runs as a task returns its result; the question is asked [${transport}]`, async () => {
    await withModernDemo(transport, async (h) => {
      const plain = await h.run(["@t", "tools-call", "research", "topic:=dogs", "--json"]);
      assert.equal(plain.code, 0, plain.stderr);
      const parsed = JSON.parse(plain.stdout) as ToolResultJson;
      assert.equal(parsed.content[0].text, "Research on dogs (quick): 4 steps done");
      assert.equal(plain.stderr, "", "--json keeps stderr quiet");

      const answered = await h.json<ToolResultJson>([
        "@t",
        "tools-call",
        "research",
        "topic:=bees",
        "ask:=true",
        "--input",
        '{"depth":"deep"}',
      ]);
      assert.equal(answered.content[0].text, "Research on bees (deep): 4 steps done");

      // Without an answer the question is declined (with a note naming the server's message),
      // and the research goes on the default way.
      const declined = await h.run(["@t", "tools-call", "research", "topic:=ants", "ask:=true"]);
      assert.equal(declined.code, 0, declined.stderr);
      assert.match(declined.stderr, /How deep should the research on ants go\?.*declined/);
      assert.match(declined.stdout, /Research on ants \(quick\)/);
    });
  });
}

Deno.test("2026 tasks: an --input the form refuses leaves the question open for tasks-result", async () => {
  await withModernDemo("http", async (h) => {
    const refused = await h.run([
      "@t",
      "tools-call",
      "research",
      "topic:=moths",
      "ask:=true",
      "--task",
      "--input",
      '{"depth":"wide"}',
    ]);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /depth must be one of: quick, deep/);
    const hint = /give it with mcpc @t tasks-result (\S+) --input/.exec(refused.stderr);
    assert.ok(hint, refused.stderr);
    const taskId = hint[1];
    const waiting = await h.json<TaskJson>(["@t", "tasks-get", taskId]);
    assert.equal(waiting.status, "input_required");
    const done = await h.json<ToolResultJson>([
      "@t",
      "tasks-result",
      taskId,
      "--input",
      '{"depth":"deep"}',
    ]);
    assert.equal(done.content[0].text, "Research on moths (deep): 4 steps done");
  });
});

Deno.test("2026 tasks: tasks-cancel stops a task; a plain call's --timeout cancels its task", async () => {
  await withModernDemo("http", async (h) => {
    const { taskId } = await h.json<{ taskId: string }>([
      "@t",
      "tools-call",
      "research",
      "topic:=stars",
      "steps:=50",
      "--detach",
    ]);
    const cancel = await h.run(["@t", "tasks-cancel", taskId]);
    assert.equal(cancel.code, 0, cancel.stderr);
    assert.match(cancel.stdout, /Task \S+ cancelled/);
    const after = await h.run(["@t", "tasks-result", taskId]);
    assert.equal(after.code, 2, after.stderr);
    assert.match(after.stderr, /was cancelled \(Cancelled at the client's request\)/);

    const slow = await h.run([
      "@t",
      "tools-call",
      "research",
      "topic:=galaxies",
      "steps:=50",
      "--timeout",
      "2",
    ]);
    assert.equal(slow.code, 3, slow.stderr);
    const tasks = (await h.json<{ tasks: TaskJson[] }>(["@t", "tasks-list"])).tasks;
    const last = tasks.find((task) => task.taskId !== taskId)!;
    const state = await h.json<TaskJson>(["@t", "tasks-get", last.taskId]);
    assert.equal(state.status, "cancelled", "a plain call given up cancels its task");
  });
});

Deno.test("2026 tasks: a bridge that dies during --task is restarted and the task followed to its end", async () => {
  await withModernDemo("http", async (h) => {
    const child = h.spawn(["@t", "tools-call", "research", "topic:=whales", "steps:=12", "--task"]);
    const stdout = new Response(child.stdout).text();
    const stderr = new Response(child.stderr).text();
    try {
      await waitFor(
        async () => Object.keys((await h.sessions()).sessions["@t"].activeTasks ?? {}).length,
        20_000,
        "the task to exist",
      );
      const pid = (await h.sessions()).sessions["@t"].pid!;
      Deno.kill(pid, "SIGKILL");
      await waitFor(() => !isAlive(pid), 10_000, "the bridge to die");
      const status = await child.status;
      assert.equal(status.code, 0, await stderr);
      assert.match(await stdout, /Research on whales \(quick\): 12 steps done/);
      assert.notEqual((await h.sessions()).sessions["@t"].pid, pid, "a new bridge");
    } finally {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await child.status;
    }
  });
});

Deno.test("2026 tasks: the server checks Mcp-Name on tasks/get, so mcpc's polls carry it", async () => {
  const server = await startDemoHttpServer({ era: "modern" });
  try {
    const meta = {
      "io.modelcontextprotocol/protocolVersion": "2026-07-28",
      "io.modelcontextprotocol/clientInfo": { name: "test", version: "1" },
      "io.modelcontextprotocol/clientCapabilities": {
        extensions: { "io.modelcontextprotocol/tasks": {} },
      },
    };
    const post = async (headers: Record<string, string>) => {
      const response = await fetch(server.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "mcp-protocol-version": "2026-07-28",
          "mcp-method": "tasks/get",
          ...headers,
        },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "tasks/get",
          params: { taskId: "some-task", _meta: meta },
        }),
      });
      const text = await response.text();
      return { status: response.status, text };
    };
    assert.equal((await post({})).status, 400, "a tasks/get without Mcp-Name is refused");
    const named = await post({ "mcp-name": "some-task" });
    assert.equal(named.status, 200, named.text);
    assert.match(named.text, /Task not found: some-task/);
  } finally {
    await server.close();
  }
});

Deno.test("2025 demo server: research is a plain call and --task falls back with a warning", async () => {
  const server = await startDemoHttpServer({ era: "legacy" });
  const h = await Harness.create();
  try {
    assert.equal((await h.run(["connect", server.url, "@l"])).code, 0);
    const run = await h.run(["@l", "tools-call", "research", "topic:=moss", "steps:=2", "--task"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /Server does not support tasks, falling back/);
    assert.match(run.stdout, /Research on moss \(quick\): 2 steps done/);
  } finally {
    await h.cleanup();
    await server.close();
  }
});
