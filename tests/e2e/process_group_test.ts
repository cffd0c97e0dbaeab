/**
 * No process outlives its session (decisions.md §3.17): a stdio server runs in
 * its own process group, and close, restart, bridge shutdown and the cleanup
 * after a SIGKILLed bridge end the whole group, grandchildren included.
 */

import assert from "node:assert/strict";
import {
  DEMO_SERVER,
  denoEntry,
  everythingStdioEntry,
  groupMembers,
  Harness,
  isAlive,
  STDIO_FIXTURE,
  waitFor,
  writeConfig,
} from "./harness.ts";

const CONFIG = new URL("../../deno.json", import.meta.url).pathname;

function denoCommand(script: string, ...args: string[]): string {
  return [
    Deno.execPath(),
    "run",
    "--quiet",
    "--frozen",
    "--config",
    CONFIG,
    "--allow-all",
    script,
    ...args,
  ]
    .join(" ");
}

const DEMO_COMMAND = denoCommand(DEMO_SERVER, "--stdio");
const STUBBORN_COMMAND = denoCommand(STDIO_FIXTURE, "ignore-eof");

function shEntry(script: string): Record<string, unknown> {
  return { command: "sh", args: ["-c", script], env: { DENO_TLS_CA_STORE: "system" } };
}

async function withHarness(fn: (harness: Harness, config: string) => Promise<void>) {
  const harness = await Harness.create();
  try {
    await fn(harness, `${harness.home}/mcp.json`);
  } finally {
    await harness.cleanup();
  }
}

async function serverGroup(harness: Harness, name: string): Promise<number> {
  return await waitFor(
    async () =>
      (await harness.sessions().catch(() => undefined))?.sessions[name]?.serverProcess?.pgid,
    10_000,
    `the server group of ${name} to be recorded`,
  );
}

async function bridgeOf(harness: Harness, name: string): Promise<number> {
  return await waitFor(
    async () => (await harness.sessions().catch(() => undefined))?.sessions[name]?.pid,
    10_000,
    `the bridge of ${name}`,
  );
}

Deno.test("the stdio server runs in its own process group, apart from its bridge", async () => {
  await withHarness(async (harness, config) => {
    await writeConfig(config, { demo: denoEntry(DEMO_SERVER, ["--stdio"]) });
    const connect = await harness.run(["connect", `${config}:demo`, "@g"]);
    assert.equal(connect.code, 0, connect.stderr);
    const pgid = await serverGroup(harness, "@g");
    const bridge = await bridgeOf(harness, "@g");
    assert.ok(groupMembers(pgid).includes(pgid), "the server leads its group");
    assert.ok(!groupMembers(pgid).includes(bridge), "the bridge is not in the server's group");
  });
});

Deno.test("close and a SIGKILLed bridge leave nothing of server-everything running", async () => {
  await withHarness(async (harness, config) => {
    await writeConfig(config, { everything: everythingStdioEntry() });
    assert.equal((await harness.run(["connect", `${config}:everything`, "@ev1"])).code, 0);
    const first = await serverGroup(harness, "@ev1");
    assert.equal((await harness.run(["close", "@ev1"])).code, 0);
    assert.deepEqual(groupMembers(first), []);
    assert.equal((await harness.run(["connect", `${config}:everything`, "@ev2"])).code, 0);
    const second = await serverGroup(harness, "@ev2");
    const bridge = await bridgeOf(harness, "@ev2");
    Deno.kill(bridge, "SIGKILL");
    await waitFor(() => !isAlive(bridge), 5_000, "the bridge to die");
    assert.equal((await harness.run(["@ev2", "tools-call", "echo", "message:=again"])).code, 0);
    await waitFor(() => groupMembers(second).length === 0, 10_000, "the old server group to end");
  });
});

Deno.test("close ends a stdio server that ignores the end of its input", async () => {
  await withHarness(async (harness, config) => {
    await writeConfig(config, { stubborn: denoEntry(STDIO_FIXTURE, ["ignore-eof"]) });
    assert.equal((await harness.run(["connect", `${config}:stubborn`, "@st"])).code, 0);
    const pgid = await serverGroup(harness, "@st");
    assert.ok(isAlive(pgid));
    const closed = await harness.run(["close", "@st"]);
    assert.equal(closed.code, 0, closed.stderr);
    assert.deepEqual(groupMembers(pgid), [], "nothing of the server group is left");
  });
});

Deno.test("close ends a server that also ignores SIGTERM (SIGKILL to the group)", async () => {
  await withHarness(async (harness, config) => {
    await writeConfig(config, {
      deaf: denoEntry(STDIO_FIXTURE, ["ignore-eof", "--ignore-term"]),
    });
    assert.equal((await harness.run(["connect", `${config}:deaf`, "@deaf"])).code, 0);
    const pgid = await serverGroup(harness, "@deaf");
    const started = Date.now();
    const closed = await harness.run(["close", "@deaf"]);
    assert.equal(closed.code, 0, closed.stderr);
    assert.deepEqual(groupMembers(pgid), []);
    assert.ok(Date.now() - started >= 4_000, "stdin closed, 2 s, SIGTERM, 2 s, SIGKILL");
  });
});

Deno.test("close ends the grandchildren of a server started through sh -c", async () => {
  await withHarness(async (harness, config) => {
    await writeConfig(config, { shell: shEntry(`${DEMO_COMMAND}; sleep 1000`) });
    assert.equal((await harness.run(["connect", `${config}:shell`, "@sh"])).code, 0);
    const pgid = await serverGroup(harness, "@sh");
    assert.ok(groupMembers(pgid).length >= 2, "sh and the demo server");
    const closed = await harness.run(["@sh", "close"]);
    assert.equal(closed.code, 0, closed.stderr);
    assert.deepEqual(groupMembers(pgid), [], "the sleep that sh ran next is gone too");
  });
});

Deno.test("restart ends the old server group and starts a new one", async () => {
  await withHarness(async (harness, config) => {
    await writeConfig(config, { shell: shEntry(`${DEMO_COMMAND}; sleep 1000`) });
    assert.equal((await harness.run(["connect", `${config}:shell`, "@rs"])).code, 0);
    const before = await serverGroup(harness, "@rs");
    const restarted = await harness.run(["@rs", "restart"]);
    assert.equal(restarted.code, 0, restarted.stderr);
    const after = await serverGroup(harness, "@rs");
    assert.notEqual(after, before);
    assert.deepEqual(groupMembers(before), []);
    assert.ok(groupMembers(after).length > 0);
  });
});

Deno.test("a bridge stopped by SIGTERM ends its server group on the way out", async () => {
  await withHarness(async (harness, config) => {
    await writeConfig(config, { stubborn: denoEntry(STDIO_FIXTURE, ["ignore-eof"]) });
    assert.equal((await harness.run(["connect", `${config}:stubborn`, "@term"])).code, 0);
    const pgid = await serverGroup(harness, "@term");
    const bridge = await bridgeOf(harness, "@term");
    Deno.kill(bridge, "SIGTERM");
    await waitFor(() => !isAlive(bridge), 10_000, "the bridge to stop");
    assert.deepEqual(groupMembers(pgid), []);
    assert.equal((await harness.sessions()).sessions["@term"].serverProcess, undefined);
  });
});

for (
  const [label, script] of [
    ["the server ignores its closed input", `(sleep 1000 &); exec ${STUBBORN_COMMAND}`],
    ["the server exits and leaves an orphan in its group", `(sleep 1000 &); exec ${DEMO_COMMAND}`],
  ] as const
) {
  Deno.test(`SIGKILL of the bridge then close ends the whole group: ${label}`, async () => {
    await withHarness(async (harness, config) => {
      await writeConfig(config, { orphan: shEntry(script) });
      assert.equal((await harness.run(["connect", `${config}:orphan`, "@k"])).code, 0);
      const pgid = await serverGroup(harness, "@k");
      await waitFor(() => groupMembers(pgid).length >= 2, 10_000, "the orphan to start");
      const bridge = await bridgeOf(harness, "@k");
      Deno.kill(bridge, "SIGKILL");
      await waitFor(() => !isAlive(bridge), 5_000, "the bridge to die");
      assert.ok(groupMembers(pgid).length > 0, "the group outlived its bridge");
      const closed = await harness.run(["close", "@k"]);
      assert.equal(closed.code, 0, closed.stderr);
      assert.deepEqual(groupMembers(pgid), []);
    });
  });
}

Deno.test("a listing ends the server group a SIGKILLed bridge left behind", async () => {
  await withHarness(async (harness, config) => {
    await writeConfig(config, { orphan: shEntry(`(sleep 1000 &); exec ${DEMO_COMMAND}`) });
    assert.equal((await harness.run(["connect", `${config}:orphan`, "@l"])).code, 0);
    const pgid = await serverGroup(harness, "@l");
    await waitFor(() => groupMembers(pgid).length >= 2, 10_000, "the orphan to start");
    const bridge = await bridgeOf(harness, "@l");
    Deno.kill(bridge, "SIGKILL");
    await waitFor(() => !isAlive(bridge), 5_000, "the bridge to die");
    const listing = await harness.run(["--json"]);
    assert.equal(listing.code, 0, listing.stderr);
    await waitFor(() => groupMembers(pgid).length === 0, 10_000, "the old group to be ended");
  });
});

Deno.test("an unrelated process that reuses the group id is never signalled", async () => {
  await withHarness(async (harness) => {
    // A detached stranger leads its own group; the record claims that group with another start time.
    const stranger = new Deno.Command("sleep", { args: ["30"], detached: true }).spawn();
    try {
      await Deno.mkdir(harness.home, { recursive: true });
      await Deno.writeTextFile(
        `${harness.home}/sessions.json`,
        JSON.stringify({
          sessions: {
            "@reused": {
              name: "@reused",
              server: { command: "true" },
              status: "crashed",
              createdAt: "2000-01-01T00:00:00.000Z",
              lastConnectionAttemptAt: new Date().toISOString(),
              serverProcess: { pgid: stranger.pid, startTime: "1", marker: "not-its-marker" },
            },
          },
        }),
      );
      assert.equal((await harness.run(["--json"])).code, 0);
      assert.equal((await harness.run(["close", "@reused"])).code, 0);
      assert.ok(isAlive(stranger.pid), "the stranger still runs");
    } finally {
      stranger.kill("SIGKILL");
      await stranger.status;
    }
  });
});

Deno.test("close while connect is still starting the server leaves no process and no 'kept' note", async () => {
  await withHarness(async (harness, config) => {
    // The server answers only after 4 s, so close lands while connect waits.
    await writeConfig(config, { slow: shEntry(`sleep 4; exec ${DEMO_COMMAND}`) });
    const connecting = harness.run(["connect", `${config}:slow`, "@slow"]);
    const pgid = await serverGroup(harness, "@slow");
    const bridge = await bridgeOf(harness, "@slow");
    const closed = await harness.run(["close", "@slow"]);
    assert.equal(closed.code, 0, closed.stderr);
    const connect = await connecting;
    assert.equal(connect.code, 1, connect.stderr);
    assert.match(connect.stderr, /Session @slow was closed while it was connecting/);
    assert.doesNotMatch(connect.stderr + connect.stdout, /kept|reconnects automatically/);
    assert.deepEqual(groupMembers(pgid), []);
    await waitFor(() => !isAlive(bridge), 10_000, "the bridge to stop");
    assert.deepEqual((await harness.sessions()).sessions, {});
  });
});

Deno.test("Ctrl+C during connect abandons it: no session, no bridge, no server left", async () => {
  await withHarness(async (harness, config) => {
    await writeConfig(config, { slow: shEntry(`sleep 30; exec ${DEMO_COMMAND}`) });
    const child = harness.spawn(["connect", `${config}:slow`, "@int"]);
    const pgid = await serverGroup(harness, "@int");
    const bridge = await bridgeOf(harness, "@int");
    Deno.kill(child.pid, "SIGINT");
    const output = await child.output();
    assert.equal(output.code, 130);
    assert.equal(new TextDecoder().decode(output.stderr), "Interrupted\n");
    await waitFor(() => !isAlive(bridge), 10_000, "the bridge to stop");
    await waitFor(() => groupMembers(pgid).length === 0, 10_000, "the server group to end");
    assert.deepEqual((await harness.sessions()).sessions, {});
  });
});
