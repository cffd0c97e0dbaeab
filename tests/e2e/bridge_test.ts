/**
 * Bridge behaviour seen from outside: identity-checked liveness, socket path
 * limits, headers, keepalive and log files.
 */

import assert from "node:assert/strict";
import { startDemoHttpServer } from "../../scripts/demo_server.ts";
import { eraTest, Harness, isAlive, waitFor } from "./harness.ts";

Deno.test("a reused PID is not mistaken for the bridge and is never signalled", async () => {
  const harness = await Harness.create();
  const stranger = new Deno.Command("sleep", { args: ["60"], stdout: "null", stderr: "null" })
    .spawn();
  try {
    await Deno.writeTextFile(
      `${harness.home}/sessions.json`,
      JSON.stringify({
        sessions: {
          "@reused": {
            name: "@reused",
            server: { url: "http://127.0.0.1:9/mcp" },
            status: "active",
            pid: stranger.pid,
            createdAt: new Date().toISOString(),
            lastSeenAt: new Date().toISOString(),
            lastConnectionAttemptAt: new Date().toISOString(),
          },
        },
      }),
    );
    const listing = await harness.json<{ sessions: { name: string; status: string }[] }>([]);
    assert.equal(listing.sessions[0].status, "crashed", "a live PID alone does not mean live");
    const close = await harness.run(["@reused", "close"]);
    assert.equal(close.code, 0, close.stderr);
    assert.ok(isAlive(stranger.pid), "the unrelated process was not signalled");
  } finally {
    stranger.kill("SIGKILL");
    await stranger.status;
    await harness.cleanup();
  }
});

Deno.test("a home whose socket path would be too long fails with a clear error", async () => {
  const harness = await Harness.create();
  const longHome = `${harness.home}/${"h".repeat(90)}`;
  try {
    const result = await harness.run(["connect", "http://127.0.0.1:9/mcp", "@long"], {
      env: { MCPC_HOME_DIR: longHome },
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /socket path .* over the 107-byte limit/);
    assert.match(result.stderr, /MCPC_HOME_DIR/);
  } finally {
    await harness.cleanup();
  }
});

Deno.test("every repeated -H header reaches the server", async () => {
  const server = await startDemoHttpServer({ requireBearer: "tok" });
  const seen: Headers[] = [];
  // A recording hop in front of the real server.
  const proxy = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      seen.push(new Headers(request.headers));
      const target = new URL(new URL(request.url).pathname, server.url);
      const response = await fetch(target, {
        method: request.method,
        headers: request.headers,
        body: request.body,
      });
      return new Response(response.body, { status: response.status, headers: response.headers });
    },
  );
  const harness = await Harness.create();
  try {
    const url = `http://127.0.0.1:${proxy.addr.port}/mcp`;
    const connect = await harness.run([
      "connect",
      url,
      "@hdr",
      "-H",
      "Authorization: Bearer tok",
      "--header",
      "X-First: one",
      "-H",
      "X-Second: two: with colon",
    ]);
    assert.equal(connect.code, 0, connect.stderr);
    const call = await harness.run(["@hdr", "tools-call", "echo", "message:=x"]);
    assert.equal(call.code, 0, call.stderr);
    assert.ok(seen.length > 0);
    for (const headers of seen) {
      assert.equal(headers.get("authorization"), "Bearer tok");
      assert.equal(headers.get("x-first"), "one");
      assert.equal(headers.get("x-second"), "two: with colon");
    }
    const record = (await harness.sessions()).sessions["@hdr"];
    assert.deepEqual(record.server.headers, {
      Authorization: "<redacted>",
      "X-First": "<redacted>",
      "X-Second": "<redacted>",
    });
  } finally {
    await harness.cleanup();
    await proxy.shutdown();
    await server.close();
  }
});

Deno.test("keepalive updates lastSeenAt about 5 s after start; the log is 0600", async () => {
  const server = await startDemoHttpServer();
  const harness = await Harness.create();
  try {
    assert.equal((await harness.run(["connect", server.url, "@ka"])).code, 0);
    const first = (await harness.sessions()).sessions["@ka"].lastSeenAt!;
    const later = await waitFor(
      async () => {
        const seen = (await harness.sessions()).sessions["@ka"].lastSeenAt!;
        return Date.parse(seen) > Date.parse(first) ? seen : undefined;
      },
      15_000,
      "a keepalive ping to update lastSeenAt",
    );
    assert.ok(Date.parse(later) - Date.parse(first) >= 4_000, "first ping comes about 5 s later");
    const log = await Deno.stat(`${harness.home}/logs/bridge-@ka.log`);
    assert.equal(log.mode! & 0o777, 0o600);
    assert.equal((await Deno.stat(`${harness.home}/logs`)).mode! & 0o777, 0o700);
    assert.equal((await Deno.stat(`${harness.home}/sessions.json`)).mode! & 0o777, 0o600);
  } finally {
    await harness.cleanup();
    await server.close();
  }
});

Deno.test("MCPC_JSON and MCPC_VERBOSE switch modes; --verbose never changes stdout", async () => {
  const server = await startDemoHttpServer();
  const harness = await Harness.create();
  try {
    assert.equal((await harness.run(["connect", server.url, "@env"])).code, 0);
    const plain = await harness.run(["@env", "tools-call", "echo", "message:=x"]);
    const verbose = await harness.run(["--verbose", "@env", "tools-call", "echo", "message:=x"]);
    assert.equal(verbose.stdout, plain.stdout);
    assert.match(verbose.stderr, /\[DEBUG\]/);
    const json = await harness.run(["@env", "tools-call", "echo", "message:=x"], {
      env: { MCPC_JSON: "yes", MCPC_VERBOSE: "1" },
    });
    assert.equal(json.code, 0);
    assert.equal(json.stderr, "", "JSON mode prints nothing on stderr on success");
    assert.equal(JSON.parse(json.stdout).content[0].text, "x");
    const off = await harness.run(["--version"], { env: { MCPC_JSON: "0" } });
    assert.match(off.stdout, /^\d+\.\d+\.\d+\n$/);
    const on = await harness.run(["--version"], { env: { MCPC_JSON: "true" } });
    assert.ok(JSON.parse(on.stdout).version);
  } finally {
    await harness.cleanup();
    await server.close();
  }
});

Deno.test("keepalive marks the session expired when the server forgets it (404)", async () => {
  const first = await startDemoHttpServer({ era: "legacy" });
  const port = Number(new URL(first.url).port);
  const harness = await Harness.create();
  let second: Awaited<ReturnType<typeof startDemoHttpServer>> | undefined;
  try {
    assert.equal((await harness.run(["connect", first.url, "@ka404"])).code, 0);
    const pid = (await harness.sessions()).sessions["@ka404"].pid!;
    await first.close();
    second = await startDemoHttpServer({ era: "legacy", port });
    // No command runs: only the bridge's own keepalive can notice.
    await waitFor(
      async () => (await harness.sessions()).sessions["@ka404"].status === "expired",
      20_000,
      "keepalive to mark the session expired",
    );
    await waitFor(() => !isAlive(pid), 5_000, "the bridge to shut down");
  } finally {
    await harness.cleanup();
    await second?.close();
  }
});

Deno.test("keepalive marks the session unauthorized on 401 and it is not retried", async () => {
  const first = await startDemoHttpServer({ requireBearer: "old" });
  const port = Number(new URL(first.url).port);
  const harness = await Harness.create();
  let second: Awaited<ReturnType<typeof startDemoHttpServer>> | undefined;
  try {
    const connect = await harness.run([
      "connect",
      first.url,
      "@ka401",
      "-H",
      "Authorization: Bearer old",
    ]);
    assert.equal(connect.code, 0, connect.stderr);
    await first.close();
    second = await startDemoHttpServer({ port, requireBearer: "new" });
    await waitFor(
      async () => (await harness.sessions()).sessions["@ka401"].status === "unauthorized",
      20_000,
      "keepalive to mark the session unauthorized",
    );
    await harness.stopBridges();
    const listing = await harness.json<{ sessions: { status: string }[] }>([]);
    assert.equal(listing.sessions[0].status, "unauthorized");
    const call = await harness.run(["@ka401", "ping"]);
    assert.equal(call.code, 4);
    assert.ok(call.stderr.includes(`${harness.home}/logs/bridge-@ka401.log`));
  } finally {
    await harness.cleanup();
    await second?.close();
  }
});

eraTest("a bridge whose socket file was removed still shuts down on SIGTERM", async (era) => {
  const server = await startDemoHttpServer({ era });
  const harness = await Harness.create();
  try {
    assert.equal((await harness.run(["connect", server.url, "@nosock"])).code, 0);
    const pid = (await harness.sessions()).sessions["@nosock"].pid!;
    await Deno.remove(`${harness.home}/bridges/@nosock.${pid}.sock`);
    Deno.kill(pid, "SIGTERM");
    await waitFor(() => !isAlive(pid), 5_000, "bridge exit");
    const record = (await harness.sessions()).sessions["@nosock"];
    assert.equal(record.pid, undefined);
    assert.equal(record.status, "crashed");
    if (era === "modern") {
      // No protocol session to lose: the next command starts a bridge and goes on.
      assert.equal(record.mcpSessionId, undefined);
      const call = await harness.run(["@nosock", "tools-call", "echo", "message:=fresh"]);
      assert.equal(call.code, 0, call.stderr);
      assert.equal(server.stats().calls.echo, 1);
      return;
    }
    assert.ok(record.mcpSessionId, "the MCP session id is kept, so no new session starts silently");
    const call = await harness.run(["@nosock", "tools-call", "echo", "message:=fresh"]);
    assert.equal(call.code, 1, call.stderr);
    assert.match(call.stderr, /Session @nosock expired .*mcpc @nosock restart/);
    assert.equal(server.stats().calls.echo ?? 0, 0, "the call was never made on a new session");
    const restart = await harness.run(["@nosock", "restart"]);
    assert.equal(restart.code, 0, restart.stderr);
    const again = await harness.run(["@nosock", "tools-call", "echo", "message:=fresh"]);
    assert.equal(again.code, 0, again.stderr);
  } finally {
    await harness.cleanup();
    await server.close();
  }
});

Deno.test("a bridge that lost its session record shuts down at its next keepalive", async () => {
  const server = await startDemoHttpServer();
  const harness = await Harness.create();
  try {
    assert.equal((await harness.run(["connect", server.url, "@orphan"])).code, 0);
    const pid = (await harness.sessions()).sessions["@orphan"].pid!;
    await harness.editSessions((file) => {
      file.sessions["@orphan"].pid = 1;
    });
    await waitFor(() => !isAlive(pid), 15_000, "the orphaned bridge to leave");
    assert.equal(
      (await harness.sessions()).sessions["@orphan"].pid,
      1,
      "it did not touch the record",
    );
  } finally {
    await harness.cleanup();
    await server.close();
  }
});

Deno.test("a command right after a background restart uses that bridge instead of a second one", async () => {
  const server = await startDemoHttpServer();
  const harness = await Harness.create();
  try {
    assert.equal((await harness.run(["connect", server.url, "@bg"])).code, 0);
    await harness.stopBridges();
    await harness.editSessions((file) => {
      const record = file.sessions["@bg"];
      record.status = "crashed";
      record.lastConnectionAttemptAt = "2000-01-01T00:00:00.000Z";
      record.lastSeenAt = "2000-01-01T00:00:00.000Z";
      delete record.pid;
      // The SIGTERM ended the MCP session; a session that was never resumable starts fresh.
      delete record.mcpSessionId;
    });
    const listing = await harness.json<{ sessions: { status: string }[] }>([]);
    assert.equal(listing.sessions[0].status, "crashed", "retrying without flipping the status");
    const call = await harness.run(["@bg", "tools-call", "echo", "message:=once"]);
    assert.equal(call.code, 0, call.stderr);
    const pids = await harness.bridgePids();
    assert.equal(pids.length, 1, `one bridge runs, not ${pids.length}`);
    assert.equal((await harness.sessions()).sessions["@bg"].pid, pids[0]);
  } finally {
    await harness.cleanup();
    await server.close();
  }
});

Deno.test("bridges leave a corrupt sessions.json alone; the CLI moves it aside and says so", async () => {
  const server = await startDemoHttpServer();
  const harness = await Harness.create();
  try {
    assert.equal((await harness.run(["connect", server.url, "@cor"])).code, 0);
    const pid = (await harness.sessions()).sessions["@cor"].pid!;
    await Deno.writeTextFile(`${harness.home}/sessions.json`, "{corrupt");
    // Past the bridge's first keepalive, which reads the store.
    await new Promise((resolve) => setTimeout(resolve, 6_500));
    assert.equal(await Deno.readTextFile(`${harness.home}/sessions.json`), "{corrupt");
    assert.ok(isAlive(pid), "the bridge keeps running");
    const listing = await harness.run(["--json"]);
    assert.equal(listing.code, 0);
    assert.deepEqual(JSON.parse(listing.stdout).sessions, []);
    const backup = listing.stderr.match(/moved to (\S+sessions\.json\.corrupt-\S+);/)?.[1];
    assert.ok(backup, listing.stderr);
    assert.equal(await Deno.readTextFile(backup), "{corrupt");
  } finally {
    await harness.cleanup();
    await server.close();
  }
});

Deno.test("a bridge stopped during a slow handshake still ends the MCP session it opened", async () => {
  const server = await startDemoHttpServer({ era: "legacy" });
  // A hop that holds every initialize answer for 1.5 s.
  const proxy = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (request) => {
      const body = request.method === "POST" ? await request.text() : undefined;
      const response = await fetch(new URL(new URL(request.url).pathname, server.url), {
        method: request.method,
        headers: request.headers,
        body,
      });
      if (body?.includes('"initialize"')) {
        await new Promise((resolve) => setTimeout(resolve, 1_500));
      }
      return new Response(response.body, { status: response.status, headers: response.headers });
    },
  );
  const harness = await Harness.create();
  try {
    const url = `http://127.0.0.1:${proxy.addr.port}/mcp`;
    const connecting = harness.run(["connect", url, "@slow"]);
    const pid = await waitFor(
      async () => {
        try {
          return (await harness.sessions()).sessions["@slow"]?.pid;
        } catch {
          return undefined;
        }
      },
      10_000,
      "the bridge to record its pid",
    );
    await waitFor(() => server.sessionCount() === 1, 10_000, "the server-side session to open");
    Deno.kill(pid, "SIGTERM");
    await waitFor(() => !isAlive(pid), 10_000, "the bridge to stop");
    await waitFor(() => server.sessionCount() === 0, 10_000, "the DELETE of the half-open session");
    assert.notEqual((await connecting).code, 0);
  } finally {
    await harness.cleanup();
    await proxy.shutdown();
    await server.close();
  }
});

Deno.test("two commands on a session whose bridge died start one bridge, and both succeed", async () => {
  const server = await startDemoHttpServer();
  const harness = await Harness.create();
  try {
    assert.equal((await harness.run(["connect", server.url, "@two"])).code, 0);
    const pid = (await harness.sessions()).sessions["@two"].pid!;
    Deno.kill(pid, "SIGKILL");
    await waitFor(() => !isAlive(pid), 5_000, "the bridge to die");
    const calls = await Promise.all([
      harness.run(["@two", "tools-call", "echo", "message:=one"]),
      harness.run(["@two", "tools-call", "echo", "message:=two"]),
    ]);
    for (const call of calls) assert.equal(call.code, 0, call.stderr);
    await waitFor(async () => (await harness.bridgePids()).length === 1, 5_000, "one bridge");
  } finally {
    await harness.cleanup();
    await server.close();
  }
});

eraTest("concurrent explicit restarts leave one bridge that works", async (era) => {
  const server = await startDemoHttpServer({ era });
  const harness = await Harness.create();
  try {
    assert.equal((await harness.run(["connect", server.url, "@rr"])).code, 0);
    const restarts = await Promise.all([
      harness.run(["@rr", "restart"]),
      harness.run(["@rr", "restart"]),
    ]);
    assert.ok(restarts.some((restart) => restart.code === 0), restarts.map((r) => r.stderr).join());
    await waitFor(async () => (await harness.bridgePids()).length === 1, 5_000, "one bridge");
    const sessions = era === "legacy" ? 1 : 0;
    await waitFor(() => server.sessionCount() === sessions, 5_000, "one MCP session on the server");
    const call = await harness.run(["@rr", "tools-call", "echo", "message:=after"]);
    assert.equal(call.code, 0, call.stderr);
  } finally {
    await harness.cleanup();
    await server.close();
  }
});
