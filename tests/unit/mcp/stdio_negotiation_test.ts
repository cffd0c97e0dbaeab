/**
 * Era negotiation over stdio: `connectMcp()` probes a short-lived sibling of
 * the server with `server/discover`, then opens the real process in the era
 * found; a stored verdict or a `--protocol-version` pin opens it without a
 * sibling. Real server processes (tests/fixtures/modern_stdio_server.ts),
 * each one counted through its spawn log and checked stopped afterwards.
 */

import assert from "node:assert/strict";
import {
  connectMcp,
  type ConnectMcpOptions,
  type McpConnection,
  ServerSilentError,
  STDIO_PROBE_TIMEOUT_MS,
  UnsupportedRevisionError,
} from "../../../src/mcp/client.ts";
import { StdioServerError } from "../../../src/mcp/stdio_transport.ts";
import { isProcessGroupRunning } from "../../../src/platform/process.ts";
import type { EraVerdict, ServerConfig } from "../../../src/session/session.ts";
import { type ModernStdioMode, SPAWN_LOG_VARIABLE } from "../../fixtures/modern_stdio_server.ts";
import { withDeadline } from "../../fakes/deadline.ts";
import { denoEntry } from "../../e2e/harness.ts";

const ROOT = new URL("../../../", import.meta.url).pathname;
const FIXTURE = `${ROOT}tests/fixtures/modern_stdio_server.ts`;
/** Bound on every connect and close of these tests. */
const DEADLINE_MS = 30_000;
/** Time a server process gets to start and answer, beyond the probe timeout. */
const MARGIN_MS = 4_000;

/** A fixture server in `mode`, logging its starts to a fresh file. */
interface Fixture {
  server: ServerConfig;
  /** How many processes of the fixture have started. */
  spawns(): Promise<number>;
  /** Asserts that no process of the fixture runs any more, then removes the log. */
  assertAllStopped(): Promise<void>;
}

async function fixture(mode: ModernStdioMode, extra: Partial<ServerConfig> = {}): Promise<Fixture> {
  const log = await Deno.makeTempFile({ prefix: "mcpc-spawns-" });
  const lines = async () => (await Deno.readTextFile(log)).split("\n").filter((line) => line);
  const entry = denoEntry(FIXTURE, [mode]) as ServerConfig;
  return {
    server: { ...entry, env: { ...entry.env, [SPAWN_LOG_VARIABLE]: log }, ...extra },
    spawns: async () => (await lines()).length,
    assertAllStopped: async () => {
      for (const line of await lines()) {
        const pid = Number(line.split(" ")[0]);
        assert.equal(isProcessGroupRunning(pid), false, `server process ${pid} is stopped`);
      }
      await Deno.remove(log);
    },
  };
}

/** Connects (bounded), runs `body`, and always closes the connection (bounded). */
async function withConnection(
  server: ServerConfig,
  options: ConnectMcpOptions,
  body: (connection: McpConnection) => Promise<void>,
): Promise<void> {
  const connection = await withDeadline(connectMcp(server, options), DEADLINE_MS, "the connect");
  try {
    await body(connection);
  } finally {
    await withDeadline(connection.close(), DEADLINE_MS, "the close");
  }
}

async function assertEchoes(connection: McpConnection, message: string): Promise<void> {
  const result = await connection.callTool("echo", { message }, { timeoutMs: 10_000 });
  assert.deepEqual(result.content, [{ type: "text", text: message }]);
}

/** The verdict a fresh connect to `mode` stores, for the restart tests. */
async function verdictOf(mode: ModernStdioMode): Promise<EraVerdict> {
  const probe = await fixture(mode);
  let era: EraVerdict | undefined;
  try {
    await withConnection(probe.server, {}, (connection) => {
      era = connection.era;
      return Promise.resolve();
    });
  } finally {
    await probe.assertAllStopped();
  }
  assert.ok(era);
  return era;
}

for (const mode of ["modern", "both"] as const) {
  Deno.test(`connectMcp() speaks 2026-07-28 to a stdio server of mode ${mode}, after one sibling probe`, async () => {
    const f = await fixture(mode);
    try {
      await withConnection(f.server, {}, async (connection) => {
        assert.equal(connection.era.kind, "modern");
        assert.equal(connection.initialize.protocolVersion, "2026-07-28");
        assert.equal(connection.initialize.serverInfo.name, `stdio-${mode}-fixture`);
        assert.equal(connection.transport, "stdio");
        assert.equal(await f.spawns(), 2, "the sibling, then the server");
        await assertEchoes(connection, `hello ${mode}`);
        assert.ok((await connection.listTools()).items.some((tool) => tool.name === "echo"));
        await connection.ping({ timeoutMs: 10_000 });
      });
    } finally {
      await f.assertAllStopped();
    }
  });
}

for (const mode of ["legacy", "exit-on-probe"] as const) {
  Deno.test(`connectMcp() speaks 2025-11-25 to a stdio server of mode ${mode}`, async () => {
    const f = await fixture(mode);
    try {
      const started = performance.now();
      await withConnection(f.server, {}, async (connection) => {
        assert.ok(performance.now() - started < STDIO_PROBE_TIMEOUT_MS, "no probe timeout waited");
        assert.deepEqual(connection.era, { kind: "legacy" });
        assert.equal(connection.initialize.protocolVersion, "2025-11-25");
        assert.equal(await f.spawns(), 2, "the sibling, then the server");
        await assertEchoes(connection, `hello ${mode}`);
      });
    } finally {
      await f.assertAllStopped();
    }
  });
}

Deno.test("connectMcp() gives a stdio server that ignores the probe initialize after the probe timeout", async () => {
  const f = await fixture("silent-probe");
  try {
    const started = performance.now();
    await withConnection(f.server, { timeoutMs: 20_000 }, async (connection) => {
      const elapsed = performance.now() - started;
      assert.ok(elapsed >= STDIO_PROBE_TIMEOUT_MS, `connected after ${elapsed} ms`);
      assert.ok(elapsed < STDIO_PROBE_TIMEOUT_MS + MARGIN_MS, `connected after ${elapsed} ms`);
      assert.deepEqual(connection.era, { kind: "legacy" });
      await assertEchoes(connection, "hello silent");
    });
  } finally {
    await f.assertAllStopped();
  }
});

Deno.test("connectMcp() starts a 2026-07-28-only server again in its era when it missed the probe while starting", async () => {
  const f = await fixture("slow-first-start");
  try {
    await withConnection(f.server, { timeoutMs: 30_000 }, async (connection) => {
      assert.equal(connection.era.kind, "modern");
      assert.equal(connection.initialize.protocolVersion, "2026-07-28");
      assert.equal(await f.spawns(), 3, "the sibling, the refused initialize, the server");
      await assertEchoes(connection, "hello after a slow start");
    });
  } finally {
    await f.assertAllStopped();
  }
});

Deno.test("connectMcp() keeps the stdio probe within half a short connect timeout", async () => {
  const f = await fixture("silent-probe");
  try {
    const started = performance.now();
    await withConnection(f.server, { timeoutMs: 3_000 }, (connection) => {
      assert.ok(performance.now() - started < 3_000, "connected within the connect timeout");
      assert.deepEqual(connection.era, { kind: "legacy" });
      return Promise.resolve();
    });
  } finally {
    await f.assertAllStopped();
  }
});

Deno.test("connectMcp() with a stored modern verdict starts no sibling and needs no handshake", async () => {
  const prior = await verdictOf("modern");
  assert.equal(prior.kind, "modern");
  const f = await fixture("modern");
  try {
    const errors: Error[] = [];
    let group: number | undefined;
    await withConnection(f.server, {
      prior,
      onError: (error) => errors.push(error),
      onServerProcess: (started) => group = started.pgid,
    }, async (connection) => {
      assert.equal(connection.era.kind, "modern");
      assert.equal(connection.initialize.protocolVersion, "2026-07-28");
      await assertEchoes(connection, "hello again");
      // Counted once the server answered: the connect itself needed no round trip.
      assert.equal(await f.spawns(), 1, "no sibling was started");
      // The server's exit is an ordinary close: the connection was open without a handshake.
      const closed = Promise.withResolvers<void>();
      connection.onClose = () => closed.resolve();
      assert.ok(group);
      Deno.kill(-group, "SIGKILL");
      await withDeadline(closed.promise, 10_000, "the connection to close");
      assert.deepEqual(errors.filter((error) => error instanceof StdioServerError), []);
    });
  } finally {
    await f.assertAllStopped();
  }
});

Deno.test("connectMcp() with a stored legacy verdict starts no sibling", async () => {
  const f = await fixture("legacy");
  try {
    await withConnection(f.server, { prior: { kind: "legacy" } }, async (connection) => {
      assert.equal(await f.spawns(), 1, "no sibling was started");
      assert.deepEqual(connection.era, { kind: "legacy" });
      assert.equal(connection.initialize.protocolVersion, "2025-11-25");
      await assertEchoes(connection, "hello old");
    });
  } finally {
    await f.assertAllStopped();
  }
});

Deno.test("connectMcp() with a stored legacy verdict gives an exit-on-probe server initialize only", async () => {
  const f = await fixture("exit-on-probe");
  try {
    await withConnection(f.server, { prior: { kind: "legacy" } }, async (connection) => {
      assert.equal(await f.spawns(), 1);
      await assertEchoes(connection, "no probe");
    });
  } finally {
    await f.assertAllStopped();
  }
});

Deno.test("connectMcp() with --protocol-version 2026-07-28 starts no sibling", async () => {
  const f = await fixture("modern", { protocolVersion: "2026-07-28" });
  try {
    await withConnection(f.server, {}, async (connection) => {
      assert.equal(await f.spawns(), 1, "no sibling was started");
      assert.equal(connection.era.kind, "modern");
      await assertEchoes(connection, "pinned");
    });
  } finally {
    await f.assertAllStopped();
  }
});

Deno.test("connectMcp() with --protocol-version 2026-07-28 refuses a 2025-era stdio server", async () => {
  const f = await fixture("legacy", { protocolVersion: "2026-07-28" });
  try {
    await assert.rejects(
      withDeadline(connectMcp(f.server), DEADLINE_MS, "the connect"),
      UnsupportedRevisionError,
    );
    assert.equal(await f.spawns(), 1);
  } finally {
    await f.assertAllStopped();
  }
});

Deno.test("connectMcp() says a pinned stdio server did not answer server/discover", async () => {
  const f = await fixture("silent-probe", { protocolVersion: "2026-07-28" });
  try {
    await assert.rejects(
      withDeadline(connectMcp(f.server, { timeoutMs: 1_500 }), DEADLINE_MS, "the connect"),
      (error: Error) => {
        assert.ok(error instanceof ServerSilentError, String(error));
        assert.match(error.message, /did not answer server\/discover within 1\.5 s/);
        return true;
      },
    );
  } finally {
    await f.assertAllStopped();
  }
});

Deno.test("connectMcp() says a silent stdio server did not answer initialize within the connect timeout", async () => {
  const started = performance.now();
  await assert.rejects(
    withDeadline(
      connectMcp({ command: "sleep", args: ["120"] }, { timeoutMs: 2_000 }),
      DEADLINE_MS,
      "the connect",
    ),
    (error: Error) => {
      assert.ok(error instanceof ServerSilentError, String(error));
      assert.match(
        error.message,
        /^The server command "sleep" did not answer initialize within 2 s/,
      );
      return true;
    },
  );
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 2_000 + MARGIN_MS, `gave up after ${elapsed} ms`);
});

Deno.test("connectMcp() fails once with the StdioServerError of a command that does not exist", async () => {
  const spawned: number[] = [];
  await assert.rejects(
    withDeadline(
      connectMcp({ command: "/nonexistent/mcp-server" }, {
        onServerProcess: (group) => spawned.push(group.pgid),
      }),
      DEADLINE_MS,
      "the connect",
    ),
    (error: Error) => {
      assert.ok(error instanceof StdioServerError, String(error));
      assert.equal(error.reason, "not-found");
      assert.equal(
        error.message,
        'Cannot start the server command "/nonexistent/mcp-server": command not found',
      );
      return true;
    },
  );
  assert.deepEqual(spawned, []);
});

Deno.test("connectMcp() closed during the sibling probe stops the sibling and starts no server", async () => {
  const f = await fixture("silent-probe");
  try {
    let close: (() => Promise<void>) | undefined;
    const connecting = connectMcp(f.server, { onTransport: (fn) => close = fn });
    connecting.catch(() => {});
    const started = performance.now();
    while ((await f.spawns()) === 0) {
      assert.ok(performance.now() - started < DEADLINE_MS, "the sibling starts");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(close);
    await withDeadline(close(), DEADLINE_MS, "the close");
    await assert.rejects(
      withDeadline(connecting, DEADLINE_MS, "the connect"),
      /the connection was closed while probing it/,
    );
    assert.ok(performance.now() - started < STDIO_PROBE_TIMEOUT_MS, "no probe timeout waited");
    assert.equal(await f.spawns(), 1, "only the sibling ran");
  } finally {
    await f.assertAllStopped();
  }
});
