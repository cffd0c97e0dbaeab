/**
 * A server that lost the MCP session (it restarted on the same port) marks the
 * session `expired`, and every later command and the listing say how to
 * restart it, once. Against the demo server (404) and server-everything (400).
 */

import assert from "node:assert/strict";
import { startDemoHttpServer } from "../../scripts/demo_server.ts";
import { freePort, Harness, startEverythingHttp, waitFor } from "./harness.ts";

interface Restartable {
  url: string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function demoServer(): Promise<Restartable> {
  const port = freePort();
  let server = await startDemoHttpServer({ era: "legacy", port });
  return {
    url: server.url,
    restart: async () => {
      await server.close();
      server = await startDemoHttpServer({ era: "legacy", port });
    },
    stop: () => server.close(),
  };
}

async function everythingServer(): Promise<Restartable> {
  const port = freePort();
  let server = await startEverythingHttp("streamableHttp", port);
  return {
    url: server.url,
    restart: async () => {
      await server.stop();
      server = await startEverythingHttp("streamableHttp", port);
    },
    stop: () => server.stop(),
  };
}

const SERVERS: [string, () => Promise<Restartable>, string][] = [
  ["the demo server (HTTP 404)", demoServer, "echo"],
  ["server-everything (HTTP 400)", everythingServer, "echo"],
];

for (const [label, start, tool] of SERVERS) {
  Deno.test(`a session whose server restarted is expired: ${label}`, async () => {
    const server = await start();
    const harness = await Harness.create();
    try {
      const connect = await harness.run(["connect", server.url, "@lost"]);
      assert.equal(connect.code, 0, connect.stderr);
      await server.restart();
      const call = await harness.run(["@lost", "tools-call", tool, "message:=hi"]);
      assert.equal(call.code, 1, call.stderr);
      assert.match(call.stderr, /Session @lost expired \(server rejected session ID\)/);
      assert.equal(call.stderr.match(/mcpc @lost restart/g)?.length, 1, "the hint once");
      await waitFor(
        async () => (await harness.sessions()).sessions["@lost"].status === "expired",
        10_000,
        "the record to say expired",
      );
      const listing = await harness.run([]);
      assert.match(listing.stdout, /@lost → .* ○ expired/);
      assert.equal(listing.stdout.match(/mcpc @lost restart/g)?.length, 1);
      const again = await harness.run(["@lost", "tools-list"]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /has expired/);
      assert.equal(again.stderr.match(/mcpc @lost restart/g)?.length, 1);
      const restart = await harness.run(["@lost", "restart"]);
      assert.equal(restart.code, 0, restart.stderr);
      const ok = await harness.run(["@lost", "tools-call", tool, "message:=back"]);
      assert.equal(ok.code, 0, ok.stderr);
    } finally {
      await harness.cleanup();
      await server.stop();
    }
  });
}

Deno.test("the keepalive alone marks a session expired when server-everything restarted", async () => {
  const server = await everythingServer();
  const harness = await Harness.create();
  try {
    assert.equal((await harness.run(["connect", server.url, "@ka"])).code, 0);
    await server.restart();
    await waitFor(
      async () => (await harness.sessions()).sessions["@ka"].status === "expired",
      20_000,
      "the first keepalive to see the session is gone",
    );
  } finally {
    await harness.cleanup();
    await server.stop();
  }
});
