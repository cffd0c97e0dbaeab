/**
 * A frozen bridge is noticed during a call: the bridge sends heartbeats while
 * a request is in flight, and a CLI that hears nothing for three of them
 * gives up with exit 3 instead of waiting for `--timeout`, re-sending nothing.
 */

import assert from "node:assert/strict";
import { startDemoHttpServer } from "../../scripts/demo_server.ts";
import { Harness, waitFor } from "./harness.ts";

Deno.test("a long call to a live bridge outlasts the heartbeat bound", async () => {
  const server = await startDemoHttpServer();
  const harness = await Harness.create();
  try {
    assert.equal((await harness.run(["connect", server.url, "@hb"])).code, 0);
    // 17 s: longer than the 15 s of silence the CLI accepts, so only heartbeats keep it going.
    const call = await harness.run(["@hb", "tools-call", "slow", "ms:=17000"]);
    assert.equal(call.code, 0, call.stderr);
    assert.match(call.stdout, /slept 17000 ms/);
  } finally {
    await harness.cleanup();
    await server.close();
  }
});

Deno.test("a bridge frozen during a call is reported after 15 s, exit 3, not re-sent", async () => {
  const server = await startDemoHttpServer();
  const harness = await Harness.create();
  let frozen: number | undefined;
  try {
    assert.equal((await harness.run(["connect", server.url, "@hb"])).code, 0);
    const pid = (await harness.sessions()).sessions["@hb"].pid!;
    const started = Date.now();
    const call = harness.run(["@hb", "tools-call", "slow", "ms:=60000", "--timeout", "120"]);
    await waitFor(() => server.stats().slowStarted === 1, 20_000, "the call to start");
    Deno.kill(pid, "SIGSTOP");
    frozen = pid;
    const result = await call;
    const took = Date.now() - started;
    assert.equal(result.code, 3, result.stderr);
    assert.match(
      result.stderr,
      /^Error: The bridge of @hb stopped responding \(nothing heard for 15 s\); the request was not re-sent/,
    );
    assert.ok(took < 40_000, `gave up after ${took} ms, not at --timeout`);
    Deno.kill(pid, "SIGCONT");
    frozen = undefined;
    // The call reached the server once and was never sent again.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    assert.equal(server.stats().calls.slow, 1);
  } finally {
    if (frozen !== undefined) Deno.kill(frozen, "SIGCONT");
    await harness.cleanup();
    await server.close();
  }
});
