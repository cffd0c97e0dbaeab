/**
 * Names and targets (decisions.md §3.14), closing several sessions, hints that
 * can work, and the drift fixes of issue 5 item 12 that a user meets first.
 */

import assert from "node:assert/strict";
import { startDemoHttpServer } from "../../scripts/demo_server.ts";
import { DEMO_SERVER, denoEntry, Harness, MCPC, waitFor, writeConfig } from "./harness.ts";

Deno.test("connect file:entry without a name reuses the session of that file and entry", async () => {
  const harness = await Harness.create();
  try {
    const config = `${harness.home}/mcp.json`;
    await writeConfig(config, { demo: denoEntry(DEMO_SERVER, ["--stdio"]) });
    const first = await harness.run(["connect", `${config}:demo`]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Using session name: @demo/);
    // The same file through a symlink and a relative path is still the same file.
    await Deno.symlink(config, `${harness.home}/link.json`);
    const second = await harness.run(["connect", "./link.json:demo"], { cwd: harness.home });
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /Using session name: @demo/);
    assert.match(second.stdout, /already active/);
    assert.deepEqual(Object.keys((await harness.sessions()).sessions), ["@demo"]);
  } finally {
    await harness.cleanup();
  }
});

Deno.test("connect @name without a server is a usage error with an example", async () => {
  const harness = await Harness.create();
  try {
    const result = await harness.run(["connect", "@name"]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Missing required argument: server/);
    assert.match(result.stderr, /Example: mcpc connect mcp\.example\.com @name/);
    const json = await harness.run(["connect", "@name", "--json"]);
    assert.equal(JSON.parse(json.stderr).code, 1);
    assert.deepEqual(await harness.bridgePids(), []);
  } finally {
    await harness.cleanup();
  }
});

Deno.test("connect to another server with an existing name changes nothing and says how to proceed", async () => {
  const a = await startDemoHttpServer();
  const b = await startDemoHttpServer();
  const harness = await Harness.create();
  try {
    assert.equal((await harness.run(["connect", a.url, "@s"])).code, 0);
    const before = (await harness.sessions()).sessions["@s"];
    const result = await harness.run(["connect", b.url, "@s"]);
    assert.equal(result.code, 1, result.stderr);
    assert.ok(result.stderr.includes(a.url) && result.stderr.includes(b.url), result.stderr);
    assert.match(result.stderr, /nothing was changed/);
    assert.match(result.stderr, /mcpc connect .* @<new-name>/);
    assert.match(result.stderr, /mcpc close @s/);
    const after = (await harness.sessions()).sessions["@s"];
    assert.equal(after.server.url, a.url);
    assert.equal(after.pid, before.pid, "the bridge was left alone");
    const call = await harness.run(["@s", "tools-call", "echo", "message:=still A"]);
    assert.equal(call.code, 0, call.stderr);
    assert.equal(b.stats().calls.echo ?? 0, 0);
  } finally {
    await harness.cleanup();
    await a.close();
    await b.close();
  }
});

Deno.test("close @a @b and close --all close several sessions", async () => {
  const server = await startDemoHttpServer();
  const harness = await Harness.create();
  try {
    for (const name of ["@a", "@b", "@c", "@d"]) {
      assert.equal((await harness.run(["connect", server.url, name])).code, 0);
    }
    const two = await harness.run(["close", "@a", "@b"]);
    assert.equal(two.code, 0, two.stderr);
    assert.match(two.stdout, /✓ Session @a closed successfully\n✓ Session @b closed successfully/);
    assert.deepEqual(Object.keys((await harness.sessions()).sessions).sort(), ["@c", "@d"]);
    const missing = await harness.run(["close", "@c", "@nope", "--json"]);
    assert.equal(missing.code, 1);
    assert.deepEqual(JSON.parse(missing.stdout), [
      { sessionName: "@c", closed: true },
      { sessionName: "@nope", closed: false, error: "Session not found: @nope" },
    ]);
    const all = await harness.run(["close", "--all", "--json"]);
    assert.equal(all.code, 0, all.stderr);
    assert.deepEqual(JSON.parse(all.stdout), [{ sessionName: "@d", closed: true }]);
    assert.deepEqual((await harness.sessions()).sessions, {});
    await waitFor(async () => (await harness.bridgePids()).length === 0, 10_000, "no bridges");
    const none = await harness.run(["close", "--all"]);
    assert.equal(none.code, 0);
    assert.match(none.stdout, /No sessions to close/);
    const bare = await harness.run(["close"]);
    assert.equal(bare.code, 1);
    assert.match(bare.stderr, /Missing required argument: @session/);
  } finally {
    await harness.cleanup();
    await server.close();
  }
});

Deno.test("a rejected static token says how to connect again with a new one, never restart or login", async () => {
  const server = await startDemoHttpServer({ requireBearer: "good" });
  const harness = await Harness.create();
  try {
    const connect = await harness.run([
      "connect",
      server.url,
      "@tok",
      "-H",
      "Authorization: Bearer bad",
    ]);
    assert.equal(connect.code, 4);
    for (const output of [connect.stderr, (await harness.run(["@tok", "ping"])).stderr]) {
      assert.ok(
        output.includes(`mcpc connect ${server.url} @tok -H "Authorization: Bearer <token>"`),
        output,
      );
      assert.doesNotMatch(output, /restart|login/);
    }
    const listing = await harness.run([]);
    assert.match(listing.stdout, /↳ run: mcpc connect .* @tok -H "Authorization: Bearer <token>"/);
    const fixed = await harness.run([
      "connect",
      server.url,
      "@tok",
      "-H",
      "Authorization: Bearer good",
    ]);
    assert.equal(fixed.code, 0, fixed.stderr);
  } finally {
    await harness.cleanup();
    await server.close();
  }
});

Deno.test("did you mean prefers an existing session over a command", async () => {
  const server = await startDemoHttpServer();
  const harness = await Harness.create();
  try {
    assert.equal((await harness.run(["connect", server.url, "@ev"])).code, 0);
    const typo = await harness.run(["ev", "ping"]);
    assert.equal(typo.code, 1);
    assert.match(typo.stderr, /Unknown command: ev/);
    assert.match(typo.stderr, /Did you mean: mcpc @ev ping/);
    const unrelated = await harness.run(["clean"]);
    assert.doesNotMatch(unrelated.stderr, /Did you mean/);
    const shell = await harness.run(["shell"]);
    assert.doesNotMatch(shell.stderr, /Did you mean/);
  } finally {
    await harness.cleanup();
    await server.close();
  }
});

Deno.test('mcpc "" lists sessions like mcpc', async () => {
  const harness = await Harness.create();
  try {
    const result = await harness.run([""]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /No active MCP sessions\./);
  } finally {
    await harness.cleanup();
  }
});

Deno.test("a session whose headers are missing from the secret store is crashed at once and says what to do", async () => {
  const server = await startDemoHttpServer();
  const harness = await Harness.create();
  try {
    const connect = await harness.run([
      "connect",
      server.url,
      "@hdr",
      "-H",
      "X-Api-Key: k1",
      "-H",
      "X-Team: t",
    ]);
    assert.equal(connect.code, 0, connect.stderr);
    await harness.stopBridges();
    // Only one of the two values is lost.
    const credentials = JSON.parse(await Deno.readTextFile(`${harness.home}/credentials.json`));
    credentials["session:@hdr:headers"] = JSON.stringify({ "X-Team": "t" });
    await Deno.writeTextFile(`${harness.home}/credentials.json`, JSON.stringify(credentials));
    await harness.editSessions((file) => {
      const record = file.sessions["@hdr"];
      record.status = "active";
      record.lastConnectionAttemptAt = "2000-01-01T00:00:00.000Z";
      record.lastSeenAt = "2000-01-01T00:00:00.000Z";
    });
    const listing = JSON.parse((await harness.run(["--json"])).stdout);
    assert.equal(listing.sessions[0].status, "crashed");
    const call = await harness.run(["@hdr", "ping"]);
    assert.equal(call.code, 1);
    assert.match(
      call.stderr,
      /Missing HTTP header\(s\) in the secret store for session @hdr: X-Api-Key/,
    );
    assert.ok(
      call.stderr.includes(
        `mcpc connect ${server.url} @hdr -H "X-Api-Key: <value>" -H "X-Team: <value>"`,
      ),
      `every header key, since a connect replaces them all: ${call.stderr}`,
    );
  } finally {
    await harness.cleanup();
    await server.close();
  }
});

Deno.test("scripts/mcpc works when symlinked onto PATH and run from another directory", async () => {
  const bin = await Deno.makeTempDir({ prefix: "mcpc-bin-" });
  const elsewhere = await Deno.makeTempDir({ prefix: "mcpc-cwd-" });
  try {
    await Deno.symlink(MCPC, `${bin}/mcpc`);
    // A second hop: a relative symlink to the first.
    await Deno.symlink("mcpc", `${bin}/mcpc-again`);
    for (const name of ["mcpc", "mcpc-again"]) {
      const output = await new Deno.Command(name, {
        args: ["--version"],
        cwd: elsewhere,
        env: {
          PATH: `${bin}:${Deno.env.get("PATH")}`,
          HOME: elsewhere,
          DENO_DIR: Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`,
        },
      }).output();
      assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
      assert.match(new TextDecoder().decode(output.stdout), /^\d+\.\d+\.\d+\n$/);
    }
  } finally {
    await Deno.remove(bin, { recursive: true });
    await Deno.remove(elsewhere, { recursive: true });
  }
});
