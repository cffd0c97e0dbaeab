/**
 * Races and half-done state changes, and what mcpc says about them: a call
 * running when another process closes or restarts its session, a connect
 * closed while it waits for the server, and a `restart`/`close` that cannot
 * write its state (a full disk, a busy lock). Each message says what really
 * happened, and the record never names a bridge that is gone.
 */

import assert from "node:assert/strict";
import { startDemoHttpServer } from "../../scripts/demo_server.ts";
import { freePort, Harness, isAlive, waitFor } from "./harness.ts";
import { type SmallDisk, withSmallDisk } from "../fixtures/small_disk.ts";

/** Runs `body` with a fresh home on a private 8 MiB tmpfs. */
async function withSmallHome(
  body: (harness: Harness, disk: SmallDisk) => Promise<void>,
): Promise<void> {
  const harness = await Harness.create();
  try {
    await withSmallDisk(harness.home, "8m", async (disk) => {
      try {
        await body(harness, disk);
      } finally {
        await harness.cleanup();
      }
    });
  } finally {
    await Deno.remove(harness.home, { recursive: true }).catch(() => {});
  }
}

/** The `slow` call of a demo server has started. */
function slowStarted(server: { stats(): { slowStarted: number } }, count = 1): Promise<boolean> {
  return waitFor(() => server.stats().slowStarted >= count, 30_000, "the slow call to start");
}

/** Asserts the listing and `mcpc @s` agree that `@s` does not exist. */
async function assertGone(harness: Harness, name: string): Promise<void> {
  const listing = await harness.json<{ sessions: unknown[] }>([]);
  assert.deepEqual(listing.sessions, []);
  const details = await harness.run([name]);
  assert.equal(details.code, 1);
  assert.match(details.stderr, new RegExp(`Session not found: ${name}`));
}

/** Asserts the record names a live bridge that answers, and the listing calls it live. */
async function assertLive(harness: Harness, name: string, pid?: number): Promise<void> {
  const record = (await harness.sessions()).sessions[name];
  assert.equal(record.status, "active");
  assert.ok(record.pid !== undefined && isAlive(record.pid), "the recorded bridge runs");
  if (pid !== undefined) assert.equal(record.pid, pid);
  const listing = await harness.json<{ sessions: { name: string; status: string }[] }>([]);
  assert.equal(listing.sessions.find((session) => session.name === name)?.status, "live");
  const details = await harness.run([name]);
  assert.equal(details.code, 0, details.stderr);
}

Deno.test("a call running when another process closes the session says it was closed", async () => {
  const server = await startDemoHttpServer({ port: freePort() });
  const harness = await Harness.create();
  try {
    assert.equal((await harness.run(["connect", server.url, "@s"])).code, 0);
    const bridge = (await harness.sessions()).sessions["@s"].pid!;
    const call = harness.run(["@s", "tools-call", "slow", "ms:=10000"]);
    await slowStarted(server);
    const closed = await harness.run(["@s", "close"]);
    assert.equal(closed.code, 0, closed.stderr);
    const result = await call;
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /Session @s was closed while the request was running; its result is unknown/,
    );
    assert.doesNotMatch(result.stderr, /Connection to the bridge closed|crash/i);
    assert.ok(!isAlive(bridge), "the bridge stopped");
    // A command started after the close finds no session.
    const later = await harness.run(["@s", "tools-call", "echo", "message:=hi"]);
    assert.equal(later.code, 1);
    assert.match(later.stderr, /Session not found: @s/);
    await assertGone(harness, "@s");
  } finally {
    await harness.cleanup();
    await server.close();
  }
});

Deno.test("a call running when another process restarts the session says it was restarted", async () => {
  const server = await startDemoHttpServer({ port: freePort() });
  const harness = await Harness.create();
  try {
    assert.equal((await harness.run(["connect", server.url, "@s"])).code, 0);
    const old = (await harness.sessions()).sessions["@s"].pid!;
    const call = harness.run(["--json", "@s", "tools-call", "slow", "ms:=10000"]);
    await slowStarted(server);
    const restarted = await harness.run(["@s", "restart"]);
    assert.equal(restarted.code, 0, restarted.stderr);
    const result = await call;
    assert.equal(result.code, 3, result.stderr);
    const error = JSON.parse(result.stderr);
    assert.equal(
      error.error,
      "Session @s was restarted while the request was running; " +
        "its result is unknown and it was not re-sent",
    );
    assert.equal(error.code, 3);
    assert.equal(server.stats().slowStarted, 1, "the call was not re-sent");
    assert.ok(!isAlive(old), "the old bridge stopped");
    await assertLive(harness, "@s");
  } finally {
    await harness.cleanup();
    await server.close();
  }
});

Deno.test("a connect closed while the HTTP server has not answered says it was closed", async () => {
  // Accepts connections and never answers: connect waits on the handshake.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  const accepting = (async () => {
    try {
      for await (const conn of listener) held.push(conn);
    } catch {
      // Listener closed.
    }
  })();
  const url = `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/mcp`;
  const harness = await Harness.create();
  try {
    const connecting = harness.run(["connect", url, "@s"]);
    await waitFor(() => held.length > 0, 30_000, "the bridge to reach the server");
    const bridge = await waitFor(
      async () => (await harness.sessions()).sessions["@s"]?.pid,
      10_000,
      "the bridge to record its PID",
    );
    const closed = await harness.run(["@s", "close"]);
    assert.equal(closed.code, 0, closed.stderr);
    const connect = await connecting;
    assert.equal(connect.code, 1, connect.stderr);
    assert.match(connect.stderr, /Session @s was closed while it was connecting/);
    assert.doesNotMatch(connect.stderr, /kept|reconnects automatically/);
    await waitFor(() => !isAlive(bridge), 10_000, "the bridge to stop");
    await assertGone(harness, "@s");
  } finally {
    await harness.cleanup();
    listener.close();
    for (const conn of held) {
      try {
        conn.close();
      } catch {
        // Closed by the peer.
      }
    }
    await accepting;
  }
});

Deno.test({
  name: "restart and close on a full disk name sessions.json and leave the session running",
  async fn() {
    const server = await startDemoHttpServer({ port: freePort() });
    try {
      await withSmallHome(async (harness, disk) => {
        assert.equal((await harness.run(["connect", server.url, "@s"])).code, 0);
        // Profiles and credentials exist before the disk fills, as after any real use.
        assert.equal((await harness.run([])).code, 0);
        const pid = (await harness.sessions()).sessions["@s"].pid!;
        const before = await Deno.readTextFile(`${harness.home}/sessions.json`);
        await disk.fill();
        const sessionsFile = `${harness.home}/sessions.json`;

        const restart = await harness.run(["@s", "restart"]);
        assert.equal(restart.code, 1, restart.stderr);
        assert.match(
          restart.stderr,
          new RegExp(
            `Session @s was not restarted \\(nothing was changed\\): Cannot write ${sessionsFile}: ` +
              "No space left on device",
          ),
        );
        assert.equal(await Deno.readTextFile(sessionsFile), before, "the record is unchanged");
        assert.ok(isAlive(pid), "the bridge still runs");

        const close = await harness.run(["--json", "@s", "close"]);
        assert.equal(close.code, 1, close.stderr);
        const error = JSON.parse(close.stderr);
        assert.match(
          error.error,
          new RegExp(
            `^Session @s was not closed \\(nothing was changed\\): Cannot write ${sessionsFile}: `,
          ),
        );
        assert.equal(error.code, 1);
        assert.equal(await Deno.readTextFile(sessionsFile), before, "the record is unchanged");
        assert.ok(isAlive(pid), "the bridge still runs");

        // Still full: the listing and `mcpc @s` agree with the record (nothing to repair).
        await assertLive(harness, "@s", pid);
        await disk.free();
        await assertLive(harness, "@s", pid);
        const restarted = await harness.run(["@s", "restart"]);
        assert.equal(restarted.code, 0, restarted.stderr);
        assert.ok(!isAlive(pid), "the old bridge stopped");
        await assertLive(harness, "@s");
        assert.equal((await harness.run(["@s", "close"])).code, 0);
        await assertGone(harness, "@s");
      });
    } finally {
      await server.close();
    }
  },
});

Deno.test("restart and close while the secret store stays locked say what they did", async () => {
  const server = await startDemoHttpServer({ port: freePort() });
  const harness = await Harness.create();
  let lock: Deno.FsFile | undefined;
  try {
    const connect = await harness.run(["connect", server.url, "@s", "-H", "X-Test: secret"]);
    assert.equal(connect.code, 0, connect.stderr);
    const pid = (await harness.sessions()).sessions["@s"].pid!;
    const credentials = `${harness.home}/credentials.json`;
    // Another process holds the secret store's lock for longer than mcpc waits (10 s).
    lock = await Deno.open(`${credentials}.flock`, { read: true, write: true });
    await lock.lock(true);

    const restart = await harness.run(["@s", "restart"]);
    assert.equal(restart.code, 1, restart.stderr);
    assert.match(restart.stderr, new RegExp(`File is locked by another process: ${credentials}`));
    const record = (await harness.sessions()).sessions["@s"];
    assert.equal(record.pid, pid, "the record still names the running bridge");
    assert.equal(record.status, "active");
    assert.ok(isAlive(pid), "the bridge still runs");

    const close = await harness.run(["@s", "close"]);
    assert.equal(close.code, 1, close.stderr);
    assert.match(
      close.stderr,
      new RegExp(
        "Session @s was closed, but its stored secrets were not deleted: " +
          `File is locked by another process: ${credentials}`,
      ),
    );
    // Closed means closed: no record, and no bridge left without one.
    await waitFor(() => !isAlive(pid), 10_000, "the bridge to stop");
    lock.close();
    lock = undefined;
    await assertGone(harness, "@s");
  } finally {
    lock?.close();
    await harness.cleanup();
    await server.close();
  }
});
