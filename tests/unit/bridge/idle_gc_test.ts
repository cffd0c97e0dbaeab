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

/** Runs `body` (after an import of `exposedGc`) under the bridge's V8 flags; returns its stdout. */
async function runWithBridgeFlags(body: string): Promise<string> {
  const module = JSON.stringify(new URL("../../../src/bridge/idle_gc.ts", import.meta.url).href);
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `--v8-flags=${BRIDGE_V8_FLAGS.join(",")}`,
      `import { exposedGc } from ${module};\n${body}`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return new TextDecoder().decode(stdout).trim();
}

Deno.test("a bridge's V8 flags expose the collector; without them there is none", async () => {
  assert.equal(exposedGc(), undefined, "tests run without --expose-gc");
  const seen = await runWithBridgeFlags("const gc = exposedGc(); gc?.(); console.log(typeof gc);");
  assert.equal(seen, "function");
});

Deno.test("the bridge's one collection gives the freed heap back, unlike one plain full GC", async () => {
  // A heap grown by objects of which a few survive, spread over its pages:
  // one plain full collection frees the rest but keeps the pages (measured:
  // 34 → 32 MiB); the bridge's collection must compact and return them.
  const { grown, bridge } = JSON.parse(
    await runWithBridgeFlags(`
      let garbage = [];
      for (let i = 0; i < 200000; i++) garbage.push({ i, text: "x" + i, pair: [i, i + 1] });
      const survivors = garbage.filter((_, i) => i % 50 === 0);
      garbage = null;
      const grown = Deno.memoryUsage().heapTotal;
      exposedGc()();
      const bridge = Deno.memoryUsage().heapTotal;
      console.log(JSON.stringify({ grown, bridge, survivors: survivors.length }));`),
  );
  assert.ok(grown > 16 * 2 ** 20, `the garbage grew the heap: ${grown} bytes`);
  assert.ok(bridge < grown / 2, `heap after the bridge's collection ${bridge} of ${grown} bytes`);
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
