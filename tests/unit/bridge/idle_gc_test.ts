import assert from "node:assert/strict";
import {
  exposedGc,
  IDLE_GC_DELAY_MS,
  IDLE_GC_MAX_DEFER_MS,
  IdleCollector,
} from "../../../src/bridge/idle_gc.ts";
import { BRIDGE_V8_FLAGS } from "../../../src/platform/self_command.ts";
import { FakeTimers } from "../../fakes/timers.ts";

Deno.test("IdleCollector collects once, a quiet spell after the last activity", async () => {
  const timers = new FakeTimers();
  let collections = 0;
  const idle = new IdleCollector(() => collections++, { timers, now: () => 0 });
  assert.equal(timers.pending().length, 0, "nothing is scheduled before any activity");
  idle.activity();
  idle.activity();
  idle.activity();
  assert.equal(timers.pending().length, 1, "activity re-arms one timer");
  assert.deepEqual(timers.pending().map((entry) => entry.ms), [IDLE_GC_DELAY_MS]);
  assert.equal(collections, 0);
  await timers.runPending();
  assert.equal(collections, 1);
  assert.equal(timers.pending().length, 0, "an idle bridge is not woken again");
  idle.activity();
  await timers.runPending();
  assert.equal(collections, 2);
});

Deno.test("IdleCollector.stop() cancels a pending collection", () => {
  const timers = new FakeTimers();
  let collections = 0;
  const idle = new IdleCollector(() => collections++, { timers, now: () => 0, delayMs: 50 });
  idle.activity();
  idle.stop();
  assert.equal(timers.pending().length, 0);
  assert.equal(collections, 0);
});

Deno.test("a bridge's V8 flags expose the collector; without them there is none", async () => {
  assert.equal(exposedGc(), undefined, "tests run without --expose-gc");
  const source = `import { exposedGc } from ${
    JSON.stringify(
      new URL("../../../src/bridge/idle_gc.ts", import.meta.url).href,
    )
  }; const gc = exposedGc(); gc?.(); console.log(typeof gc);`;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", `--v8-flags=${BRIDGE_V8_FLAGS.join(",")}`, source],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  assert.equal(new TextDecoder().decode(stdout).trim(), "function");
});

Deno.test("IdleCollector collects under steady activity too, within the bound", async () => {
  const timers = new FakeTimers();
  let now = 0;
  let collections = 0;
  const idle = new IdleCollector(() => collections++, { timers, now: () => now });
  // A command every 100 ms: never a quiet second.
  for (; now < IDLE_GC_MAX_DEFER_MS; now += 100) idle.activity();
  const [pending] = timers.pending();
  assert.equal(timers.pending().length, 1);
  const firesAt = timers.scheduled.indexOf(pending) * 100 + pending.ms;
  assert.ok(firesAt <= IDLE_GC_MAX_DEFER_MS, `fires at ${firesAt} ms`);
  assert.ok(firesAt > IDLE_GC_MAX_DEFER_MS - 200, `put off as long as allowed: ${firesAt} ms`);
  await timers.runPending();
  assert.equal(collections, 1);
  idle.activity();
  assert.equal(timers.pending().length, 1, "the next spell starts afresh");
});
