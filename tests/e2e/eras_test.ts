/**
 * Both protocol eras over HTTP: a server that speaks only 2026-07-28 gets a
 * session without `initialize` or a protocol session id (discover first),
 * and a 2025-era server gets `initialize` after its refusal of the probe.
 */

import assert from "node:assert/strict";
import { startDemoHttpServer } from "../../scripts/demo_server.ts";
import { startModernServer } from "../fixtures/modern_server.ts";
import { Harness, waitFor } from "./harness.ts";

interface Details {
  protocolVersion?: string;
  _mcpc?: { mcpSessionId?: string };
}

Deno.test("a 2026-07-28 server: discover, no initialize, no session id; calls, ping, restart, close", async () => {
  const server = startModernServer();
  const h = await Harness.create();
  try {
    const connect = await h.run(["connect", server.url, "@m"]);
    assert.equal(connect.code, 0, connect.stderr);
    assert.match(connect.stdout, /^Protocol: 2026-07-28$/m);
    const details = await h.json<Details>(["@m"]);
    assert.equal(details.protocolVersion, "2026-07-28");
    const record = (await h.sessions()).sessions["@m"];
    assert.equal(record.protocolVersion, "2026-07-28");
    assert.equal(record.mcpSessionId, undefined, "2026-07-28 has no protocol session");
    assert.equal(record.era?.kind, "modern");
    assert.equal(server.methods()["initialize"], undefined, "no 2025-era handshake was sent");
    assert.ok((server.methods()["server/discover"] ?? 0) >= 1);

    // The keepalive (a discover) keeps the session live; it never becomes expired.
    const first = (await h.sessions()).sessions["@m"].lastSeenAt!;
    const before = server.methods()["server/discover"];
    await waitFor(
      async () => Date.parse((await h.sessions()).sessions["@m"].lastSeenAt!) > Date.parse(first),
      15_000,
      "a keepalive to update lastSeenAt",
    );
    assert.equal((await h.sessions()).sessions["@m"].status, "active");
    assert.ok(server.methods()["server/discover"] > before, "the keepalive is a discover");

    const echo = await h.run(["@m", "tools-call", "echo", "message:=hello modern"]);
    assert.equal(echo.code, 0, echo.stderr);
    assert.match(echo.stdout, /hello modern/);
    const discovers = server.methods()["server/discover"];
    const ping = await h.run(["@m", "ping"]);
    assert.equal(ping.code, 0, ping.stderr);
    assert.ok(server.methods()["server/discover"] > discovers, "ping is a discover round trip");
    assert.equal(server.methods()["ping"], undefined);

    // --timeout: the call is given up once (exit 3) and not re-sent; the session goes on.
    const calls = server.methods()["tools/call"];
    const slow = await h.run(["@m", "tools-call", "slow", "ms:=10000", "--timeout", "1"]);
    assert.equal(slow.code, 3, slow.stderr);
    assert.match(slow.stderr, /timed out after 1 s/);
    assert.equal(server.methods()["tools/call"], calls + 1, "sent once");

    const probes = server.methods()["server/discover"];
    const restart = await h.run(["@m", "restart"]);
    assert.equal(restart.code, 0, restart.stderr);
    assert.equal(server.methods()["server/discover"], probes, "a restarted bridge does not probe");
    const again = await h.run(["@m", "tools-call", "echo", "message:=after restart"]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(server.methods()["initialize"], undefined);

    // mcpc declares only what it implements: elicitation, skills and, once the era is known,
    // the Tasks extension (the SDK's discover probe carries the rest); no sampling or roots.
    assert.deepEqual(server.declaredCapabilities().sort(), [
      '{"elicitation":{"form":{},"url":{}},"extensions":{"io.modelcontextprotocol/skills":{},' +
      '"io.modelcontextprotocol/tasks":{}}}',
      '{"elicitation":{"form":{},"url":{}},"extensions":{"io.modelcontextprotocol/skills":{}}}',
    ]);
    assert.equal((await h.run(["@m", "close"])).code, 0);
    assert.deepEqual(await h.bridgePids(), []);
  } finally {
    await h.cleanup();
    await server.close();
  }
});

Deno.test("a 2025-era server: the probe is refused, initialize follows, with a session id", async () => {
  const server = await startDemoHttpServer({ era: "legacy" });
  const h = await Harness.create();
  try {
    const connect = await h.run(["connect", server.url, "@legacy"]);
    assert.equal(connect.code, 0, connect.stderr);
    assert.match(connect.stdout, /^Protocol: 2025-11-25 \(MCP session [0-9a-f-]{8}…\)$/m);
    const record = (await h.sessions()).sessions["@legacy"];
    assert.equal(record.protocolVersion, "2025-11-25");
    assert.ok(record.mcpSessionId, "a 2025-era session has its MCP session id");
    assert.equal(record.era?.kind, "legacy");
    const echo = await h.run(["@legacy", "tools-call", "echo", "message:=old"]);
    assert.equal(echo.code, 0, echo.stderr);
  } finally {
    await h.cleanup();
    await server.close();
  }
});

Deno.test("--protocol-version pins a revision: spoken when the server has it, a clear error when not", async () => {
  const modern = startModernServer();
  const legacy = await startDemoHttpServer({ era: "legacy" });
  const h = await Harness.create();
  try {
    const pinned = await h.run(["connect", modern.url, "@pm", "--protocol-version", "2026-07-28"]);
    assert.equal(pinned.code, 0, pinned.stderr);
    assert.equal((await h.sessions()).sessions["@pm"].server.protocolVersion, "2026-07-28");
    const old = await h.run(["connect", legacy.url, "@po", "--protocol-version", "2025-06-18"]);
    assert.equal(old.code, 0, old.stderr);
    assert.match(old.stdout, /^Protocol: 2025-06-18 /m);
    // A restarted bridge keeps the pin.
    assert.equal((await h.run(["@po", "restart"])).code, 0);
    assert.equal((await h.sessions()).sessions["@po"].protocolVersion, "2025-06-18");

    for (
      const [url, version] of [[legacy.url, "2026-07-28"], [modern.url, "2025-11-25"]] as const
    ) {
      const refused = await h.run(["connect", url, "@no", "--protocol-version", version]);
      assert.equal(refused.code, 1, refused.stderr);
      assert.match(
        refused.stderr,
        new RegExp(`does not speak MCP ${version} \\(--protocol-version\\)`),
      );
      assert.equal((await h.sessions()).sessions["@no"], undefined, "nothing is kept");
    }
    const unknown = await h.run(["connect", modern.url, "@no", "--protocol-version", "1999-01-01"]);
    assert.equal(unknown.code, 1);
    assert.match(
      unknown.stderr,
      /Unsupported --protocol-version "1999-01-01"\. Supported revisions: 2026-07-28, /,
    );
  } finally {
    await h.cleanup();
    await modern.close();
    await legacy.close();
  }
});

Deno.test("a 2026-07-28 tool list change arrives on the listen stream and reaches the cache", async () => {
  const server = startModernServer();
  const h = await Harness.create();
  try {
    assert.equal((await h.run(["connect", server.url, "@lc"])).code, 0);
    const before = await h.json<{ toolNames: string[] }>(["@lc"]);
    assert.ok(!before.toolNames.includes("newtool"));
    assert.equal((await h.run(["@lc", "tools-call", "change"])).code, 0);
    await waitFor(
      async () => (await h.json<{ toolNames: string[] }>(["@lc"])).toolNames.includes("newtool"),
      10_000,
      "the new tool to show in the details",
    );
    // The bridge writes notification times into the record within 250 ms.
    const record = await waitFor(
      async () => {
        const stored = (await h.sessions()).sessions["@lc"];
        return stored.notifications?.tools?.listChangedAt ? stored : undefined;
      },
      5_000,
      "the change in the record",
    );
    assert.ok(record.notifications?.tools?.listChangedAt, "the change is recorded");
    assert.ok((server.methods()["subscriptions/listen"] ?? 0) >= 1, "a listen stream was opened");
    assert.equal((await h.run(["@lc", "close"])).code, 0);
    assert.deepEqual(await h.bridgePids(), []);
  } finally {
    await h.cleanup();
    await server.close();
  }
});

Deno.test("a server of both eras (the demo server's default) is spoken to in 2026-07-28", async () => {
  const server = await startDemoHttpServer();
  const h = await Harness.create();
  try {
    assert.equal(server.era, "both");
    const connect = await h.run(["connect", server.url, "@both"]);
    assert.equal(connect.code, 0, connect.stderr);
    assert.match(connect.stdout, /^Protocol: 2026-07-28$/m);
    assert.equal(server.sessionCount(), 0, "no 2025-era MCP session was opened");
    const echo = await h.json<{ content: { text: string }[] }>(
      ["@both", "tools-call", "echo", "message:=both"],
    );
    assert.equal(echo.content[0].text, "both");
  } finally {
    await h.cleanup();
    await server.close();
  }
});
