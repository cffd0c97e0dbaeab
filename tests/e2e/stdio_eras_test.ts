/**
 * Both protocol eras over stdio, end to end: a stdio server that speaks only
 * 2026-07-28 is probed on one sibling process at connect and then spoken to
 * without `initialize`; a restarted bridge reuses the stored verdict and
 * starts no sibling. A 2025-era stdio server (server-everything) is still
 * connected with `initialize`.
 */

import assert from "node:assert/strict";
import { isProcessGroupRunning } from "../../src/platform/process.ts";
import { SPAWN_LOG_VARIABLE } from "../fixtures/modern_stdio_server.ts";
import { denoEntry, everythingStdioEntry, Harness, writeConfig } from "./harness.ts";

const FIXTURE = new URL("../fixtures/modern_stdio_server.ts", import.meta.url).pathname;

interface Details {
  protocolVersion?: string;
  _mcpc: { protocolVersion?: string };
}

/** The PIDs the fixture wrote to its spawn log, one per started process. */
async function spawnedPids(log: string): Promise<number[]> {
  const text = await Deno.readTextFile(log).catch(() => "");
  return text.split("\n").filter((line) => line).map((line) => Number(line.split(" ")[0]));
}

async function echo(h: Harness, name: string, message: string): Promise<string> {
  const result = await h.json<{ content: { text: string }[] }>(
    [name, "tools-call", "echo", `message:=${message}`],
  );
  return result.content[0].text;
}

Deno.test("a 2026-07-28 stdio server: one sibling probe at connect, none on restart", async () => {
  const h = await Harness.create();
  const log = `${h.home}/spawns.log`;
  try {
    const entry = denoEntry(FIXTURE, ["modern"]);
    entry.env = { ...(entry.env as Record<string, string>), [SPAWN_LOG_VARIABLE]: log };
    const config = `${h.home}/mcp.json`;
    await writeConfig(config, { modern: entry });

    const connect = await h.run(["connect", `${config}:modern`, "@s"]);
    assert.equal(connect.code, 0, connect.stderr);
    assert.match(connect.stdout, /^Protocol: 2026-07-28$/m);
    assert.equal((await spawnedPids(log)).length, 2, "the probe sibling, then the server");
    const record = (await h.sessions()).sessions["@s"];
    assert.equal(record.era?.kind, "modern");
    assert.equal(record.protocolVersion, "2026-07-28");

    const details = await h.json<Details>(["@s"]);
    assert.equal(details._mcpc.protocolVersion, "2026-07-28");
    assert.equal(details.protocolVersion, "2026-07-28");
    const human = await h.run(["@s"]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^Protocol: 2026-07-28$/m);
    assert.equal(await echo(h, "@s", "over modern stdio"), "over modern stdio");

    const restart = await h.run(["@s", "restart"]);
    assert.equal(restart.code, 0, restart.stderr);
    assert.equal(await echo(h, "@s", "after restart"), "after restart");
    assert.equal((await spawnedPids(log)).length, 3, "the restart started the server only");
    assert.equal((await h.json<Details>(["@s"]))._mcpc.protocolVersion, "2026-07-28");

    const close = await h.run(["@s", "close"]);
    assert.equal(close.code, 0, close.stderr);
    assert.deepEqual(await h.bridgePids(), []);
    for (const pid of await spawnedPids(log)) {
      assert.equal(isProcessGroupRunning(pid), false, `server process ${pid} is stopped`);
    }
  } finally {
    await h.cleanup();
    for (const pid of await spawnedPids(log)) {
      if (isProcessGroupRunning(pid)) Deno.kill(-pid, "SIGKILL");
    }
  }
});

Deno.test("a 2025-era stdio server (server-everything) answers the probe with an error and gets initialize", async () => {
  const h = await Harness.create();
  try {
    const config = `${h.home}/mcp.json`;
    await writeConfig(config, { everything: everythingStdioEntry() });
    const connect = await h.run(["connect", `${config}:everything`, "@e"]);
    assert.equal(connect.code, 0, connect.stderr);
    assert.match(connect.stdout, /^Protocol: 2025-11-25$/m);
    assert.equal((await h.sessions()).sessions["@e"].era?.kind, "legacy");
    assert.equal(await echo(h, "@e", "old stdio"), "Echo: old stdio");
    assert.equal((await h.run(["@e", "close"])).code, 0);
    assert.deepEqual(await h.bridgePids(), []);
  } finally {
    await h.cleanup();
  }
});
