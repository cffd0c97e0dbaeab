import assert from "node:assert/strict";
import { Client, SdkHttpError, StreamableHTTPClientTransport } from "../../../src/mcp/sdk.ts";
import { StdioProcessTransport } from "../../../src/mcp/stdio_transport.ts";
import {
  DEFAULT_INSTRUCTIONS,
  parseDemoArgs,
  README_TEXT,
  startDemoHttpServer,
} from "../../../scripts/demo_server.ts";
import { withDeadline } from "../../fakes/deadline.ts";
import { textOf, withServer } from "../../fakes/demo_servers.ts";

const SCRIPT = new URL("../../../scripts/demo_server.ts", import.meta.url).pathname;
const ROOT = new URL("../../../", import.meta.url).pathname;
const IS_WINDOWS = Deno.build.os === "windows";
/** The demo server's tools, in the order it lists them. */
const DEMO_TOOLS = [
  "echo",
  "add",
  "fail",
  "slow",
  "stats",
  "touch",
  "change-lists",
  "log",
  "progress",
  "ask",
  "find",
  "research",
];

async function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) {
      throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function withClient(
  url: string,
  fn: (client: Client, transport: StreamableHTTPClientTransport) => Promise<void>,
  requestInit?: RequestInit,
): Promise<void> {
  const client = new Client({ name: "demo-server-test", version: "0.0.0" });
  const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit });
  await withDeadline(client.connect(transport), 10_000, "client connect");
  try {
    await fn(client, transport);
  } finally {
    await client.close();
  }
}

function initializeBody(): string {
  return JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "raw", version: "0" },
    },
  });
}

const MCP_HEADERS = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
};

Deno.test("startDemoHttpServer() serves the demo tools with annotations and server info", async () => {
  await withServer({}, async (server) => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/mcp$/);
    await withClient(server.url, async (client) => {
      assert.deepEqual(client.getServerVersion(), { name: "mcpc-demo-server", version: "1.0.0" });
      assert.equal(client.getInstructions(), DEFAULT_INSTRUCTIONS);
      for (const name of DEMO_TOOLS) {
        assert.match(README_TEXT, new RegExp(`\\b${name}\\b`));
      }
      assert.deepEqual(client.getServerCapabilities()?.tools, { listChanged: true });
      assert.ok(client.getServerCapabilities()?.logging);
      const { tools } = await client.listTools();
      assert.deepEqual(tools.map((tool) => tool.name), DEMO_TOOLS);
      const echo = tools.find((tool) => tool.name === "echo");
      assert.equal(echo?.annotations?.readOnlyHint, true);
      assert.deepEqual(echo?.inputSchema.required, ["message"]);
      const fail = tools.find((tool) => tool.name === "fail");
      assert.equal(fail?.annotations?.destructiveHint, false);
    });
  });
});

Deno.test("startDemoHttpServer() answers echo, add and fail calls", async () => {
  await withServer({}, async (server) => {
    await withClient(server.url, async (client) => {
      const echo = await client.callTool({ name: "echo", arguments: { message: "hi", repeat: 3 } });
      assert.equal(textOf(echo), "hi hi hi");
      assert.deepEqual(echo.structuredContent, { message: "hi" });
      assert.equal(
        textOf(await client.callTool({ name: "echo", arguments: { message: "x" } })),
        "x",
      );

      const add = await client.callTool({ name: "add", arguments: { a: 2, b: 3.5 } });
      assert.equal(textOf(add), "5.5");
      assert.notEqual(add.isError, true);

      const fail = await client.callTool({ name: "fail", arguments: { reason: "boom" } });
      assert.equal(fail.isError, true);
      assert.equal(textOf(fail), "Failure requested: boom");

      const stats = JSON.parse(textOf(await client.callTool({ name: "stats", arguments: {} })));
      assert.deepEqual(stats, {
        slowStarted: 0,
        slowCancelled: 0,
        calls: { echo: 2, add: 1, fail: 1 },
      });
    });
  });
});

Deno.test("startDemoHttpServer() slow tool sleeps and counts a cancelled call once", async () => {
  await withServer({}, async (server) => {
    await withClient(server.url, async (client) => {
      const done = await client.callTool({ name: "slow", arguments: { ms: 10 } });
      assert.equal(textOf(done), "slept 10 ms");

      const controller = new AbortController();
      const call = client.callTool({ name: "slow", arguments: { ms: 30_000 } }, {
        signal: controller.signal,
      });
      const rejected = assert.rejects(call);
      await waitFor(() => server.stats().slowStarted === 2, 5_000, "slow call to start");
      controller.abort();
      await withDeadline(rejected, 5_000, "cancelled call to reject");
      await waitFor(() => server.stats().slowCancelled === 1, 5_000, "server-side cancellation");
      assert.deepEqual(server.stats(), { slowStarted: 2, slowCancelled: 1, calls: { slow: 2 } });
    });
  });
});

Deno.test("startDemoHttpServer() keeps separate sessions and removes one on DELETE", async () => {
  await withServer({}, async (server) => {
    await withClient(server.url, async (_first, firstTransport) => {
      await withClient(server.url, async (_second, secondTransport) => {
        assert.equal(server.sessionCount(), 2);
        assert.notEqual(firstTransport.sessionId, secondTransport.sessionId);
        await secondTransport.terminateSession();
        assert.equal(server.sessionCount(), 1);
      });
    });
  });
});

Deno.test("startDemoHttpServer() applies instructions and extra tools", async () => {
  await withServer({ instructions: "Custom text", extraTools: 3 }, async (server) => {
    await withClient(server.url, async (client) => {
      assert.equal(client.getInstructions(), "Custom text");
      const names = (await client.listTools()).tools.map((tool) => tool.name);
      assert.deepEqual(names.slice(-3), ["tool-1", "tool-2", "tool-3"]);
      assert.equal(textOf(await client.callTool({ name: "tool-2", arguments: {} })), "tool-2");
    });
  });
});

Deno.test("startDemoHttpServer() rejects a missing bearer token with 401", async () => {
  await withServer({ requireBearer: "s3cret" }, async (server) => {
    const client = new Client({ name: "demo-server-test", version: "0.0.0" });
    const error = await withDeadline(
      client.connect(new StreamableHTTPClientTransport(new URL(server.url))).then(
        () => undefined,
        (e: unknown) => e,
      ),
      10_000,
      "rejected connect",
    );
    await client.close();
    assert.ok(error instanceof SdkHttpError, `unexpected error: ${error}`);
    assert.equal(error.status, 401);

    const response = await fetch(server.url, {
      method: "POST",
      headers: { ...MCP_HEADERS, authorization: "Bearer wrong" },
      body: initializeBody(),
    });
    assert.equal(response.status, 401);
    assert.match(response.headers.get("www-authenticate") ?? "", /^Bearer\b/);
    assert.equal(typeof (await response.json()).error, "string");

    await withClient(server.url, async (authorized) => {
      assert.equal(
        textOf(await authorized.callTool({ name: "add", arguments: { a: 1, b: 1 } })),
        "2",
      );
    }, { headers: { Authorization: "Bearer s3cret" } });
  });
});

Deno.test("startDemoHttpServer() answers 404 for an unknown session and 400 without one", async () => {
  await withServer({}, async (server) => {
    const unknown = await fetch(server.url, {
      method: "POST",
      headers: { ...MCP_HEADERS, "mcp-session-id": "no-such-session" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
    });
    assert.equal(unknown.status, 404);
    const body = await unknown.json();
    assert.equal(body.jsonrpc, "2.0");
    assert.equal(body.error.code, -32001);

    const missing = await fetch(server.url, {
      method: "POST",
      headers: MCP_HEADERS,
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" }),
    });
    assert.equal(missing.status, 400);
    assert.equal((await missing.json()).error.code, -32000);
    assert.equal(server.sessionCount(), 0);
  });
});

Deno.test("startDemoHttpServer() close() ends sessions and stops listening", async () => {
  const server = await startDemoHttpServer({});
  try {
    const client = new Client({ name: "demo-server-test", version: "0.0.0" });
    await withDeadline(
      client.connect(new StreamableHTTPClientTransport(new URL(server.url))),
      10_000,
      "client connect",
    );
    assert.equal(server.sessionCount(), 1);
    await withDeadline(server.close(), 10_000, "demo server close");
    assert.equal(server.sessionCount(), 0);
    await client.close();
    await assert.rejects(fetch(server.url, { method: "POST", body: initializeBody() }));
  } finally {
    await server.close();
  }
});

Deno.test("parseDemoArgs() reads every flag in both spellings", () => {
  assert.deepEqual(
    parseDemoArgs([
      "--stdio",
      "--host",
      "0.0.0.0",
      "--port=8080",
      "--require-bearer",
      "tok",
      "--instructions=a=b",
      "--extra-tools",
      "12",
      "--fail-start",
    ]),
    {
      stdio: true,
      failStart: true,
      host: "0.0.0.0",
      port: 8080,
      requireBearer: "tok",
      instructions: "a=b",
      extraTools: 12,
    },
  );
  assert.deepEqual(parseDemoArgs([]), { stdio: false, failStart: false });
});

Deno.test("parseDemoArgs() rejects unknown flags, missing values and bad numbers", () => {
  assert.throws(() => parseDemoArgs(["--nope"]), TypeError);
  assert.throws(() => parseDemoArgs(["--host"]), TypeError);
  assert.throws(() => parseDemoArgs(["--port", "80x"]), RangeError);
  assert.throws(() => parseDemoArgs(["--port", "70000"]), RangeError);
  assert.throws(() => parseDemoArgs(["--extra-tools", "-1"]), RangeError);
});

Deno.test("demo_server.ts --stdio serves tools and logs readiness on stderr", async () => {
  let stderr = "";
  const transport = new StdioProcessTransport({
    command: Deno.execPath(),
    args: ["run", "--frozen", "--quiet", "--allow-all", SCRIPT, "--stdio", "--extra-tools", "1"],
    cwd: ROOT,
    env: {
      DENO_TLS_CA_STORE: "system",
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? "",
    },
  }, { onStderrLine: (line) => stderr += `${line}\n` });
  const client = new Client({ name: "demo-server-test", version: "0.0.0" });
  try {
    await withDeadline(client.connect(transport), 30_000, "stdio connect");
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    assert.deepEqual(names, [...DEMO_TOOLS, "tool-1"]);
    assert.equal(textOf(await client.callTool({ name: "add", arguments: { a: 4, b: 5 } })), "9");
    await waitFor(() => stderr.includes("demo server ready (stdio)"), 5_000, "ready line");
  } finally {
    const pid = transport.pid;
    await withDeadline(client.close(), 10_000, "stdio client close");
    if (pid !== undefined) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch {
        // Already exited.
      }
    }
  }
});

Deno.test("demo_server.ts --fail-start prints the extra stderr lines and a fatal line, exit 1", async () => {
  const output = await withDeadline(
    new Deno.Command(Deno.execPath(), {
      args: ["run", "--frozen", "--quiet", "--allow-all", SCRIPT, "--stdio", "--fail-start"],
      cwd: ROOT,
      env: { DEMO_STDERR_LINES: "2" },
      stdin: "null",
    }).output(),
    30_000,
    "failing demo server",
  );
  assert.equal(output.code, 1);
  assert.deepEqual(new TextDecoder().decode(output.stderr).trim().split("\n"), [
    "demo stderr line 1 of 2",
    "demo stderr line 2 of 2",
    "fatal: demo failure requested",
  ]);
  assert.equal(output.stdout.length, 0);
});

Deno.test({
  name: "demo_server.ts prints one READY line and exits 0 on SIGTERM",
  ignore: IS_WINDOWS,
  fn: async () => {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--frozen", "--quiet", "--allow-all", SCRIPT, "--port", "0"],
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    let exited = false;
    const status = child.status.then((s) => {
      exited = true;
      return s;
    });
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    try {
      let stdout = "";
      await withDeadline(
        (async () => {
          while (!stdout.includes("\n")) {
            const { value, done } = await reader.read();
            if (done) throw new Error("Demo server exited before printing READY");
            stdout += value;
          }
        })(),
        30_000,
        "READY line",
      );
      const match = /^READY (http:\/\/127\.0\.0\.1:\d+\/mcp)\n$/.exec(stdout);
      assert.ok(match, `unexpected stdout: ${JSON.stringify(stdout)}`);
      await withClient(match[1], async (client) => {
        assert.equal(
          textOf(await client.callTool({ name: "echo", arguments: { message: "up" } })),
          "up",
        );
      });
      Deno.kill(child.pid, "SIGTERM");
      const { code } = await withDeadline(status, 10_000, "exit after SIGTERM");
      assert.equal(code, 0);
      const rest = await withDeadline(reader.read(), 5_000, "stdout end");
      assert.equal(rest.done, true);
    } finally {
      if (!exited) {
        try {
          Deno.kill(child.pid, "SIGKILL");
        } catch {
          // Already exited.
        }
      }
      await withDeadline(status, 10_000, "demo server exit");
      await reader.cancel().catch(() => {});
    }
  },
});
