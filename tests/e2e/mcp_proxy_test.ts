/**
 * `connect --proxy`: the bridge serves its session as an MCP server. Real
 * bridges, the demo server (both eras upstream) and server-everything, and
 * real clients downstream: mcpc sessions of both eras and the SDK's client.
 * Checked: the security of the endpoint (Host/Origin, the bearer token and
 * where it never goes), several clients at once, what is forwarded (calls,
 * progress, cancellation, notifications, subscriptions, logging, completions,
 * tasks), the listing, and the port closed again on close.
 */

import assert from "node:assert/strict";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { startDemoHttpServer } from "../../scripts/demo_server.ts";
import {
  eraTest,
  everythingStdioEntry,
  freePort,
  Harness,
  waitFor,
  writeConfig,
} from "./harness.ts";

const TOKEN = "proxy-t0ken-Zq9";

/** An SDK client of the proxy, in the era asked for. */
async function sdkClient(
  url: string,
  era: "modern" | "legacy",
  headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` },
): Promise<Client> {
  const client = new Client({ name: "proxy-test", version: "1.0.0" }, {
    versionNegotiation: { mode: era === "modern" ? "auto" : "legacy" },
  });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }),
  );
  return client;
}

async function refused(port: number): Promise<boolean> {
  try {
    (await Deno.connect({ hostname: "127.0.0.1", port })).close();
    return false;
  } catch {
    return true;
  }
}

eraTest(
  "connect --proxy: token and Host/Origin checks, several clients of both eras, the listing, the port closed on close",
  async (era) => {
    const server = await startDemoHttpServer({ era });
    const h = await Harness.create();
    const port = freePort();
    const base = `http://127.0.0.1:${port}`;
    try {
      const connected = await h.run([
        "connect",
        server.url,
        "@up",
        "--proxy",
        String(port),
        "--proxy-bearer-token",
        TOKEN,
      ]);
      assert.equal(connected.code, 0, connected.stderr);

      // The endpoint's answers, with and without the token.
      const health = await fetch(`${base}/health`);
      assert.deepEqual([health.status, await health.json()], [200, { status: "ok" }]);
      const none = await fetch(`${base}/mcp`, { method: "POST", body: "{}" });
      assert.deepEqual([none.status, await none.json()], [401, {
        error: "Unauthorized: Bearer token required",
      }]);
      const basic = await fetch(`${base}/mcp`, {
        method: "POST",
        body: "{}",
        headers: { Authorization: `Basic ${btoa(`x:${TOKEN}`)}` },
      });
      assert.equal(basic.status, 401);
      await basic.body?.cancel();
      const wrong = await fetch(`${base}/mcp`, {
        method: "POST",
        body: "{}",
        headers: { Authorization: `Bearer ${TOKEN}x` },
      });
      assert.deepEqual([wrong.status, await wrong.json()], [403, {
        error: "Forbidden: Invalid bearer token",
      }]);
      const put = await fetch(`${base}/mcp`, {
        method: "PUT",
        headers: { Authorization: `Bearer ${TOKEN}` },
      });
      assert.deepEqual([put.status, await put.json()], [405, { error: "Method not allowed" }]);

      // DNS rebinding: a name or an origin other than the proxy's address is refused, token or not.
      const foreign: Record<string, string>[] = [{ Host: "evil.example" }, {
        Origin: "http://evil.example",
      }];
      for (const headers of foreign) {
        const response = await rawRequest(port, {
          ...headers,
          Authorization: `Bearer ${TOKEN}`,
        });
        assert.equal(response.status, 403, JSON.stringify(headers));
        assert.match(response.body, /Invalid (Host|Origin)/);
      }
      const local = await rawRequest(port, {
        Host: `localhost:${port}`,
        Origin: `http://localhost:${port}`,
        Authorization: `Bearer ${TOKEN}`,
      });
      // Past the Host, Origin and token checks: MCP itself answers (a ping without a session).
      assert.equal(local.status, 400, local.body);
      assert.match(local.body, /Mcp-Session-Id header is required/);

      // The token is in the secret store only: not in argv, the environment, the record or the log.
      const record = (await h.sessions()).sessions["@up"];
      assert.deepEqual(record.proxy, { host: "127.0.0.1", port, bearerToken: "<redacted>" });
      const pid = record.pid!;
      assert.doesNotMatch(await Deno.readTextFile(`/proc/${pid}/cmdline`), new RegExp(TOKEN));
      assert.doesNotMatch(await Deno.readTextFile(`/proc/${pid}/environ`), new RegExp(TOKEN));
      assert.doesNotMatch(await Deno.readTextFile(`${h.home}/sessions.json`), new RegExp(TOKEN));
      assert.doesNotMatch(
        await Deno.readTextFile(`${h.home}/logs/bridge-@up.log`),
        new RegExp(TOKEN),
      );
      const listed = await h.run(["--json"]);
      const entry = (JSON.parse(listed.stdout) as { sessions: { name: string; proxy?: unknown }[] })
        .sessions.find((session) => session.name === "@up");
      assert.deepEqual(entry?.proxy, { host: "127.0.0.1", port, bearerToken: "<redacted>" });
      assert.match(
        (await h.run([])).stdout,
        new RegExp(`@up → .*\\[proxy: 127\\.0\\.0\\.1:${port}\\]`),
      );

      // mcpc itself downstream, in both eras at once, through the proxy.
      const auth = ["-H", `Authorization: Bearer ${TOKEN}`];
      for (
        const [name, extra] of [["@m", []], ["@l", ["--protocol-version", "2025-11-25"]]] as const
      ) {
        const downstream = await h.run(["connect", `${base}/mcp`, name, ...auth, ...extra]);
        assert.equal(downstream.code, 0, downstream.stderr);
        assert.match(downstream.stdout, /Server: mcpc-proxy@@up/);
      }
      const calls = await Promise.all(
        ["@m", "@l", "@m", "@l"].map((name, i) =>
          h.run([name, "--json", "tools-call", "echo", `message:=hello ${i}`])
        ),
      );
      for (const [i, call] of calls.entries()) {
        assert.equal(call.code, 0, call.stderr);
        assert.equal(JSON.parse(call.stdout).content[0].text, `hello ${i}`);
        assert.doesNotMatch(
          call.stdout,
          /mcpc-demo-server/,
          "the server's own identity stays behind",
        );
      }
      const details = await h.json<{ protocolVersion: string }>(["@l", "--json"]);
      assert.equal(details.protocolVersion, "2025-11-25");

      // A closed session's proxy is gone: the port no longer accepts.
      assert.equal((await h.run(["close", "@up"])).code, 0);
      assert.ok(await refused(port), "the proxy's port is closed after close");
    } finally {
      await h.cleanup();
      await server.close();
    }
  },
);

/** One HTTP/1.1 request with exactly these headers (fetch sets Host itself). */
async function rawRequest(
  port: number,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" });
    const all: Record<string, string> = {
      Host: `127.0.0.1:${port}`,
      "Content-Type": "application/json",
      Accept: "application/json, text/event-stream",
      "Content-Length": String(new TextEncoder().encode(body).length),
      Connection: "close",
      ...headers,
    };
    const head = Object.entries(all).map(([key, value]) => `${key}: ${value}`).join("\r\n");
    await conn.write(new TextEncoder().encode(`POST /mcp HTTP/1.1\r\n${head}\r\n\r\n${body}`));
    const chunks: Uint8Array[] = [];
    const buffer = new Uint8Array(65536);
    const deadline = AbortSignal.timeout(10_000);
    while (!deadline.aborted) {
      const read = await conn.read(buffer);
      if (read === null) break;
      chunks.push(buffer.slice(0, read));
      const text = new TextDecoder().decode(concat(chunks));
      if (/\r\n\r\n/.test(text) && /content-length: (\d+)/i.test(text)) {
        const length = Number(/content-length: (\d+)/i.exec(text)![1]);
        const at = text.indexOf("\r\n\r\n") + 4;
        if (new TextEncoder().encode(text.slice(at)).length >= length) break;
      }
    }
    const text = new TextDecoder().decode(concat(chunks));
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
    return { status, body: text.slice(text.indexOf("\r\n\r\n") + 4) };
  } finally {
    conn.close();
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

eraTest(
  "connect --proxy forwards progress, cancellation, notifications, subscriptions and logs to SDK clients of both eras",
  async (upstreamEra) => {
    const server = await startDemoHttpServer({ era: upstreamEra });
    const h = await Harness.create();
    const port = freePort();
    const url = `http://127.0.0.1:${port}/mcp`;
    const clients: Client[] = [];
    try {
      const connected = await h.run([
        "connect",
        server.url,
        "@up",
        "--proxy",
        `127.0.0.1:${port}`,
        "--proxy-bearer-token",
        TOKEN,
      ]);
      assert.equal(connected.code, 0, connected.stderr);
      const modern = await sdkClient(url, "modern");
      const legacy = await sdkClient(url, "legacy");
      clients.push(modern, legacy);
      assert.equal(modern.getNegotiatedProtocolVersion(), "2026-07-28");
      assert.equal(legacy.getNegotiatedProtocolVersion(), "2025-11-25");
      assert.equal(legacy.getServerVersion()?.name, "mcpc-proxy@@up");
      assert.match(legacy.getInstructions() ?? "", /Demo server for mcpc/);

      for (const client of [modern, legacy]) {
        // Progress comes back to the client that asked for it.
        const reports: number[] = [];
        const result = await client.callTool(
          { name: "progress", arguments: { steps: 3, ms: 50 } },
          {
            onprogress: (progress) => reports.push(progress.progress),
          },
        );
        assert.match(JSON.stringify(result.content), /done after 3 steps/);
        assert.deepEqual(reports, [1, 2, 3]);

        // Giving a call up cancels it on the server.
        const before = server.stats().slowCancelled;
        const controller = new AbortController();
        const call = client.callTool({ name: "slow", arguments: { ms: 30_000 } }, {
          signal: controller.signal,
        });
        await waitFor(
          () => server.stats().slowStarted > server.stats().slowCancelled,
          10_000,
          "slow started",
        );
        controller.abort();
        await assert.rejects(call);
        await waitFor(
          () => server.stats().slowCancelled > before,
          10_000,
          "the server's call cancelled",
        );

        // The server's errors come back as they are.
        await assert.rejects(
          client.readResource({ uri: "demo://no-such-resource" }),
          (error: Error & { code?: number }) =>
            typeof error.code === "number" && error.code !== -32603,
        );
      }

      // Notifications: list changes to both, a resource update to the subscribers, logs to 2025-era.
      const heard = { modern: [] as string[], legacy: [] as string[] };
      legacy.setNotificationHandler("notifications/tools/list_changed", () => {
        heard.legacy.push("tools");
      });
      legacy.setNotificationHandler("notifications/resources/updated", (notification) => {
        heard.legacy.push(`updated ${notification.params.uri}`);
      });
      legacy.setNotificationHandler("notifications/message", (notification) => {
        heard.legacy.push(`log ${notification.params.level} ${notification.params.data}`);
      });
      await legacy.subscribeResource({ uri: "demo://counter" });
      await legacy.setLoggingLevel("warning");
      const stream = await modern.listen({
        toolsListChanged: true,
        resourceSubscriptions: ["demo://counter"],
      } as never);
      modern.setNotificationHandler("notifications/resources/updated", (notification) => {
        heard.modern.push(`updated ${notification.params.uri}`);
      });
      modern.setNotificationHandler("notifications/tools/list_changed", () => {
        heard.modern.push("tools");
      });
      // The session's own CLI changes things upstream.
      for (
        const args of [
          ["tools-call", "touch"],
          ["tools-call", "change-lists"],
          ["tools-call", "log", "level:=info", "message:=quiet"],
          ["tools-call", "log", "level:=error", "message:=loud"],
        ]
      ) {
        assert.equal((await h.run(["@up", ...args])).code, 0);
      }
      await waitFor(
        () =>
          heard.legacy.includes("updated demo://counter") && heard.legacy.includes("tools") &&
          heard.modern.includes("updated demo://counter") && heard.modern.includes("tools") &&
          heard.legacy.some((line) => line.startsWith("log error")),
        15_000,
        `notifications through the proxy (heard ${JSON.stringify(heard)})`,
      );
      assert.ok(
        !heard.legacy.some((line) => line.startsWith("log info")),
        "a client's log level is kept",
      );
      await stream.close();
    } finally {
      await Promise.allSettled(clients.map((client) => client.close()));
      await h.cleanup();
      await server.close();
    }
  },
);

Deno.test("connect --proxy passes the Tasks extension on to 2026-era clients and refuses tasks/* to others", async () => {
  const server = await startDemoHttpServer({ era: "both" });
  const h = await Harness.create();
  const port = freePort();
  try {
    assert.equal((await h.run(["connect", server.url, "@up", "--proxy", String(port)])).code, 0);
    // mcpc downstream declares the extension: the research tool becomes a task it follows.
    const url = `http://127.0.0.1:${port}/mcp`;
    assert.equal((await h.run(["connect", url, "@down"])).code, 0);
    const details = await h.run(["@down"]);
    assert.match(details.stdout, /io\.modelcontextprotocol\/tasks/);
    const made = await h.json<{ taskId: string; status: string }>([
      "@down",
      "--json",
      "tools-call",
      "research",
      "topic:=proxies",
      "steps:=2",
      "--task",
      "--detach",
    ]);
    assert.equal(made.status, "working");
    const result = await h.json<{ content: { text: string }[] }>([
      "@down",
      "--json",
      "tasks-result",
      made.taskId,
    ]);
    assert.match(result.content[0].text, /Research on proxies/);
    // A question of the task comes to the client and its answer goes back (tasks/update).
    const asked = await h.run([
      "@down",
      "tools-call",
      "research",
      "topic:=depth",
      "steps:=2",
      "ask:=true",
      "--input",
      '{"depth":"deep"}',
    ]);
    assert.equal(asked.code, 0, asked.stderr);
    assert.match(asked.stdout, /Research on depth \(deep\)/);

    // A client without the extension gets the -32021 error for tasks/* (SEP-2663).
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json, text/event-stream",
        "MCP-Protocol-Version": "2026-07-28",
        "Mcp-Method": "tasks/get",
        "Mcp-Name": made.taskId,
      },
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "tasks/get",
        params: {
          taskId: made.taskId,
          _meta: {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientInfo": { name: "plain", version: "1.0.0" },
            "io.modelcontextprotocol/clientCapabilities": {},
          },
        },
      }),
    });
    const answer = await response.json();
    assert.equal(answer.error?.code, -32021, JSON.stringify(answer));
  } finally {
    await h.cleanup();
    await server.close();
  }
});

Deno.test("connect --proxy in front of server-everything (stdio, 2025-era): completions and prompts", async () => {
  const h = await Harness.create();
  const port = freePort();
  const config = `${h.home}/mcp.json`;
  await writeConfig(config, { everything: everythingStdioEntry() });
  let client: Client | undefined;
  try {
    const connected = await h.run([
      "connect",
      `${config}:everything`,
      "@ev",
      "--proxy",
      String(port),
    ]);
    assert.equal(connected.code, 0, connected.stderr);
    client = await sdkClient(`http://127.0.0.1:${port}/mcp`, "modern", {});
    assert.ok(client.getServerCapabilities()?.completions, "completions are offered");
    const completed = await client.complete({
      ref: { type: "ref/prompt", name: "completable-prompt" },
      argument: { name: "department", value: "S" },
    });
    assert.deepEqual(completed.completion.values.sort(), ["Sales", "Support"]);
    const prompt = await client.getPrompt({ name: "simple-prompt" });
    assert.ok(prompt.messages.length > 0);
  } finally {
    await client?.close();
    await h.cleanup();
  }
});

Deno.test("connect --proxy: bad addresses and a taken port fail before a bridge starts, nothing kept", async () => {
  const server = await startDemoHttpServer({ era: "both" });
  const h = await Harness.create();
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (taken.addr as Deno.NetAddr).port;
  try {
    const cases: [string[], RegExp][] = [
      [["--proxy", "0"], /Invalid --proxy port: "0"\. Must be a number between 1 and 65535\./],
      [["--proxy", "70000"], /Invalid --proxy port: "70000"/],
      [["--proxy", ":8080"], /Invalid --proxy format: ":8080"\. Host cannot be empty\./],
      [["--proxy-bearer-token", "x"], /--proxy-bearer-token requires --proxy to be specified/],
      [
        ["--proxy", String(port)],
        new RegExp(
          `Port ${port} is already in use on 127\\.0\\.0\\.1\\. Choose a different port with --proxy \\[host:\\]port`,
        ),
      ],
    ];
    for (const [flags, message] of cases) {
      const result = await h.run(["connect", server.url, "@bad", ...flags]);
      assert.equal(result.code, 1, `${flags.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, message);
      const json = await h.run(["--json", "connect", server.url, "@bad", ...flags]);
      assert.equal(json.stdout, "");
      assert.match(JSON.parse(json.stderr).error, message);
    }
    assert.equal((await h.sessions()).sessions["@bad"], undefined, "no session was kept");
    assert.deepEqual(await h.bridgePids(), []);
  } finally {
    taken.close();
    await h.cleanup();
    await server.close();
  }
});

Deno.test("connect --proxy: a restarted bridge serves again on the same port with the same token", async () => {
  const server = await startDemoHttpServer({ era: "both" });
  const h = await Harness.create();
  const port = freePort();
  try {
    const args = [
      "connect",
      server.url,
      "@up",
      "--proxy",
      String(port),
      "--proxy-bearer-token",
      TOKEN,
    ];
    assert.equal((await h.run(args)).code, 0);
    const first = (await h.sessions()).sessions["@up"].pid;
    assert.equal((await h.run(["@up", "restart"])).code, 0);
    const second = (await h.sessions()).sessions["@up"].pid;
    assert.notEqual(first, second);
    const client = await sdkClient(`http://127.0.0.1:${port}/mcp`, "modern");
    try {
      const tools = await client.listTools();
      assert.ok(tools.tools.some((tool) => tool.name === "echo"));
    } finally {
      await client.close();
    }
    // The same settings again: the live bridge is kept (its port is its own, not "in use").
    const again = await h.run(args);
    assert.equal(again.code, 0, again.stderr);
    assert.equal((await h.sessions()).sessions["@up"].pid, second);
    // Without the token now: the bridge is replaced and the proxy is open.
    const open = await h.run(["connect", server.url, "@up", "--proxy", String(port)]);
    assert.equal(open.code, 0, open.stderr);
    const tokenless = await sdkClient(`http://127.0.0.1:${port}/mcp`, "modern", {});
    try {
      assert.ok((await tokenless.listTools()).tools.length > 0, "no token needed any more");
    } finally {
      await tokenless.close();
    }
    assert.equal((await h.sessions()).sessions["@up"].proxy?.bearerToken, undefined);
  } finally {
    await h.cleanup();
    await server.close();
  }
});
