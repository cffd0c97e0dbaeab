/**
 * Automatic retries of a `crashed` session back off (decisions.md §3.16) and
 * the listing shows the retry instead of flipping between crashed and
 * connecting.
 */

import assert from "node:assert/strict";
import { bridgeStarts, freePort, Harness } from "./harness.ts";

Deno.test("a dead target listed 6 times over 30 s starts at most 2 bridges, always shown crashed", async () => {
  const harness = await Harness.create();
  try {
    const url = `http://127.0.0.1:${freePort()}/mcp`;
    const connect = await harness.run(["connect", url, "@dead"]);
    assert.equal(connect.code, 3, connect.stderr);
    const afterConnect = await bridgeStarts(harness.home, "@dead");
    assert.equal(afterConnect, 1);
    const statuses: string[] = [];
    const lines: string[] = [];
    const started = Date.now();
    for (let listing = 0; listing < 6; listing++) {
      const wait = started + listing * 6_000 - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const human = await harness.run([]);
      lines.push(human.stdout.split("\n").find((line) => line.includes("@dead")) ?? "");
      const json = JSON.parse((await harness.run(["--json"])).stdout);
      statuses.push(json.sessions[0].status);
    }
    const byListings = (await bridgeStarts(harness.home, "@dead")) - afterConnect;
    assert.ok(byListings <= 2, `listings started ${byListings} bridges`);
    assert.ok(byListings >= 1, "the session is still retried");
    assert.deepEqual(new Set(statuses), new Set(["crashed"]), statuses.join(", "));
    assert.ok(lines.some((line) => /crashed, retry in \d+ s/.test(line)), lines.join("\n"));
    const record = (await harness.sessions()).sessions["@dead"];
    assert.ok((record.consecutiveFailures ?? 0) >= 2, "each failed attempt is counted");
  } finally {
    await harness.cleanup();
  }
});

Deno.test("one listing starts at most 4 bridges", async () => {
  const harness = await Harness.create();
  try {
    const port = freePort();
    const sessions: Record<string, unknown> = {};
    for (let index = 1; index <= 6; index++) {
      sessions[`@d${index}`] = {
        name: `@d${index}`,
        server: { url: `http://127.0.0.1:${port}/mcp` },
        status: "crashed",
        createdAt: "2000-01-01T00:00:00.000Z",
        lastConnectionAttemptAt: "2000-01-01T00:00:00.000Z",
      };
    }
    await Deno.mkdir(harness.home, { recursive: true });
    await Deno.writeTextFile(`${harness.home}/sessions.json`, JSON.stringify({ sessions }));
    assert.equal((await harness.run(["--json"])).code, 0);
    const attempted = Object.values((await harness.sessions()).sessions)
      .filter((record) => record.lastConnectionAttemptAt !== "2000-01-01T00:00:00.000Z");
    assert.equal(attempted.length, 4);
  } finally {
    await harness.cleanup();
  }
});
