/**
 * A stdio server that writes a flood of output that is not JSON-RPC, and one
 * whose result is over the bridge's IPC limit: the log gets a summary, not a
 * line per stray line, and the too-large result gets a clear error while the
 * bridge and the server go on.
 */

import assert from "node:assert/strict";
import { denoEntry, Harness, isAlive, STDIO_FIXTURE, writeConfig } from "./harness.ts";

async function bridgeLog(h: Harness, name: string): Promise<string> {
  return await Deno.readTextFile(`${h.home}/logs/bridge-${name}.log`);
}

Deno.test("50 MiB of stray output: logged once and summarised, not line by line", async () => {
  const h = await Harness.create();
  try {
    await writeConfig(`${h.home}/mcp.json`, { noisy: denoEntry(STDIO_FIXTURE, ["noisy"]) });
    const connect = await h.run(["connect", "mcp.json:noisy", "@noisy"]);
    assert.equal(connect.code, 0, connect.stderr);
    const chatter = await h.run(["@noisy", "tools-call", "chatter"]);
    assert.equal(chatter.code, 0, chatter.stderr);
    assert.match(chatter.stdout, /chattered/);
    // Stray lines after the last answer are summarised when the bridge closes the server.
    assert.equal((await h.run(["@noisy", "close"])).code, 0);
    const log = await bridgeLog(h, "@noisy");
    const mentions = log.split("\n").filter((line) => /not JSON-RPC/.test(line));
    assert.ok(
      mentions.length <= 4,
      `${mentions.length} log lines:\n${mentions.slice(0, 10).join("\n")}`,
    );
    assert.match(log, /Ignored output that is not JSON-RPC: "garbage garbage/);
    // 51,199 more preamble lines before the first message, 1,000 more from `chatter`.
    assert.match(log, /Ignored 51199 more lines \(50\.0 MiB\) of output that is not JSON-RPC/);
    assert.match(log, /Ignored 1000 more lines \(1000\.0 KiB\) of output that is not JSON-RPC/);
  } finally {
    await h.cleanup();
  }
});

Deno.test("a stdio result over the IPC limit: a clear error, the bridge and the server go on", async () => {
  const h = await Harness.create();
  try {
    await writeConfig(`${h.home}/mcp.json`, { noisy: denoEntry(STDIO_FIXTURE, ["noisy"]) });
    assert.equal((await h.run(["connect", "mcp.json:noisy", "@big"])).code, 0);
    const before = (await h.sessions()).sessions["@big"];
    const huge = await h.run(["@big", "tools-call", "huge"]);
    // The same answer as over HTTP: the server's answer cannot be used (exit 2).
    assert.equal(huge.code, 2, huge.stderr);
    assert.match(
      huge.stderr,
      /The result of callTool is too large to pass to the CLI \(12(\.\d+)? MiB; the limit is 10 MiB\)/,
    );
    const echo = await h.run(["@big", "tools-call", "echo", "message:=still here"]);
    assert.equal(echo.code, 0, echo.stderr);
    assert.match(echo.stdout, /still here/);
    const after = (await h.sessions()).sessions["@big"];
    assert.equal(after.pid, before.pid, "the bridge was replaced");
    assert.equal(after.serverProcess?.pgid, before.serverProcess?.pgid, "the server was restarted");
    assert.ok(after.pid !== undefined && isAlive(after.pid));
  } finally {
    await h.cleanup();
  }
});
