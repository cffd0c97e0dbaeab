import assert from "node:assert/strict";
import {
  FIRST_KEEPALIVE_MS,
  KEEPALIVE_INTERVAL_MS,
  type KeepaliveOptions,
  startKeepalive,
} from "../../../src/bridge/keepalive.ts";
import { FakeTimers, settle } from "../../fakes/timers.ts";

function options(
  timers: FakeTimers,
  overrides: Partial<KeepaliveOptions> = {},
): KeepaliveOptions {
  return {
    ping: () => Promise.resolve(),
    onSuccess: () => {},
    onFailure: () => true,
    timers,
    ...overrides,
  };
}

Deno.test("startKeepalive() schedules the first ping after 5000 ms", () => {
  const timers = new FakeTimers();
  let pings = 0;
  const stop = startKeepalive(options(timers, {
    ping: () => {
      pings++;
      return Promise.resolve();
    },
  }));
  assert.equal(FIRST_KEEPALIVE_MS, 5_000);
  assert.deepEqual(timers.delays(), [5_000]);
  assert.equal(pings, 0);
  stop();
});

Deno.test("startKeepalive() pings every 30000 ms after each completed ping", async () => {
  const timers = new FakeTimers();
  let pings = 0;
  const stop = startKeepalive(options(timers, {
    ping: () => {
      pings++;
      return Promise.resolve();
    },
  }));
  await timers.runPending();
  assert.equal(pings, 1);
  await timers.runPending();
  await timers.runPending();
  assert.equal(pings, 3);
  assert.equal(KEEPALIVE_INTERVAL_MS, 30_000);
  assert.deepEqual(timers.delays(), [5_000, 30_000, 30_000, 30_000]);
  stop();
});

Deno.test("startKeepalive() honours firstDelayMs and intervalMs", async () => {
  const timers = new FakeTimers();
  const stop = startKeepalive(options(timers, { firstDelayMs: 10, intervalMs: 20 }));
  await timers.runPending();
  assert.deepEqual(timers.delays(), [10, 20]);
  stop();
});

Deno.test("startKeepalive() calls onSuccess after a successful ping", async () => {
  const timers = new FakeTimers();
  const events: string[] = [];
  const stop = startKeepalive(options(timers, {
    ping: () => {
      events.push("ping");
      return Promise.resolve();
    },
    onSuccess: () => {
      events.push("success");
    },
    onFailure: () => {
      events.push("failure");
      return true;
    },
  }));
  await timers.runPending();
  assert.deepEqual(events, ["ping", "success"]);
  stop();
});

Deno.test("startKeepalive() calls onFailure with the error and stops when it returns false", async () => {
  const timers = new FakeTimers();
  const failure = new Error("ping failed");
  const seen: unknown[] = [];
  let successes = 0;
  startKeepalive(options(timers, {
    ping: () => Promise.reject(failure),
    onSuccess: () => {
      successes++;
    },
    onFailure: (error) => {
      seen.push(error);
      return false;
    },
  }));
  await timers.runPending();
  assert.deepEqual(seen, [failure]);
  assert.equal(successes, 0);
  assert.deepEqual(timers.pending(), []);
  assert.deepEqual(timers.delays(), [5_000]);
});

Deno.test("startKeepalive() keeps pinging after a failure when onFailure returns true", async () => {
  const timers = new FakeTimers();
  let pings = 0;
  let failures = 0;
  const stop = startKeepalive(options(timers, {
    ping: () => {
      pings++;
      return pings === 1 ? Promise.reject(new Error("first fails")) : Promise.resolve();
    },
    onFailure: () => {
      failures++;
      return Promise.resolve(true);
    },
  }));
  await timers.runPending();
  assert.equal(failures, 1);
  assert.deepEqual(timers.delays(), [5_000, 30_000]);
  await timers.runPending();
  assert.equal(pings, 2);
  assert.equal(failures, 1);
  stop();
});

Deno.test("startKeepalive() treats a throwing onSuccess as a failure", async () => {
  const timers = new FakeTimers();
  const seen: unknown[] = [];
  const boom = new Error("store write failed");
  startKeepalive(options(timers, {
    onSuccess: () => Promise.reject(boom),
    onFailure: (error) => {
      seen.push(error);
      return false;
    },
  }));
  await timers.runPending();
  assert.deepEqual(seen, [boom]);
  assert.deepEqual(timers.pending(), []);
});

Deno.test("stop() clears the pending timer and prevents further pings", async () => {
  const timers = new FakeTimers();
  let pings = 0;
  const stop = startKeepalive(options(timers, {
    ping: () => {
      pings++;
      return Promise.resolve();
    },
  }));
  await timers.runPending();
  const pending = timers.pending();
  assert.equal(pending.length, 1);
  stop();
  assert.deepEqual(timers.clearedHandles, [pending[0].handle]);
  assert.deepEqual(timers.pending(), []);
  pending[0].fn();
  await settle();
  assert.equal(pings, 1);
  assert.equal(timers.scheduled.length, 2);
});

Deno.test("stop() during a ping prevents onSuccess and the next schedule", async () => {
  const timers = new FakeTimers();
  const ping = Promise.withResolvers<void>();
  let successes = 0;
  const stop = startKeepalive(options(timers, {
    ping: () => ping.promise,
    onSuccess: () => {
      successes++;
    },
  }));
  await timers.runPending();
  stop();
  ping.resolve();
  await settle();
  assert.equal(successes, 0);
  assert.deepEqual(timers.pending(), []);
  assert.equal(timers.scheduled.length, 1);
});

Deno.test("stop() during a failing ping prevents onFailure", async () => {
  const timers = new FakeTimers();
  const ping = Promise.withResolvers<void>();
  let failures = 0;
  const stop = startKeepalive(options(timers, {
    ping: () => ping.promise,
    onFailure: () => {
      failures++;
      return true;
    },
  }));
  await timers.runPending();
  stop();
  ping.reject(new Error("late failure"));
  await settle();
  assert.equal(failures, 0);
  assert.deepEqual(timers.pending(), []);
});

Deno.test("startKeepalive() schedules the next ping only after a slow ping completes", async () => {
  const timers = new FakeTimers();
  const inFlight: PromiseWithResolvers<void>[] = [];
  let concurrent = 0;
  let maxConcurrent = 0;
  const stop = startKeepalive(options(timers, {
    ping: async () => {
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      const slow = Promise.withResolvers<void>();
      inFlight.push(slow);
      try {
        await slow.promise;
      } finally {
        concurrent--;
      }
    },
  }));
  await timers.runPending();
  assert.equal(inFlight.length, 1);
  assert.deepEqual(timers.pending(), [], "next ping scheduled while one is in flight");
  inFlight[0].resolve();
  await settle();
  assert.deepEqual(timers.delays(), [5_000, 30_000]);
  await timers.runPending();
  assert.equal(inFlight.length, 2);
  assert.deepEqual(timers.pending(), []);
  inFlight[1].resolve();
  await settle();
  assert.equal(maxConcurrent, 1);
  assert.deepEqual(timers.delays(), [5_000, 30_000, 30_000]);
  stop();
});
