/**
 * A full garbage collection once the bridge has gone quiet after some work.
 *
 * Why: with the bridge's small young generation (src/platform/self_command.ts)
 * each request's short-lived objects that wait on I/O are promoted, and what
 * they hold outside the JS heap (fetch and socket buffers) is freed only by a
 * full GC, which V8 starts late for a heap this small. Measured on the demo
 * server: RSS climbed 62 → 95 MiB over 500 `ping`s before V8 collected; with
 * a collection every second it stayed at 61 MiB over 800. A bridge mostly
 * waits, so the pause (a few ms) is taken when nobody is waiting; under
 * steady load it is taken at most every {@linkcode IDLE_GC_MAX_DEFER_MS}.
 *
 * Layer: core (the clock and the collector are injected).
 * @module
 */

import type { Timers } from "./keepalive.ts";

/** Quiet time after the last activity before collecting (ms). */
export const IDLE_GC_DELAY_MS = 1_000;
/** Longest a collection is put off by continuing activity (ms). */
export const IDLE_GC_MAX_DEFER_MS = 5_000;

/** Timing of an {@linkcode IdleCollector}. */
export interface IdleCollectorOptions {
  timers: Timers;
  now: () => number;
  /** Default {@linkcode IDLE_GC_DELAY_MS}. */
  delayMs?: number;
  /** Default {@linkcode IDLE_GC_MAX_DEFER_MS}. */
  maxDeferMs?: number;
}

/**
 * Collects once per quiet spell: {@linkcode IdleCollector.activity} puts the
 * collection off, but never more than `maxDeferMs` after the first activity.
 */
export class IdleCollector {
  #collect: () => void;
  #timers: Timers;
  #now: () => number;
  #delayMs: number;
  #maxDeferMs: number;
  #pending: unknown;
  #since = 0;

  constructor(collect: () => void, options: IdleCollectorOptions) {
    this.#collect = collect;
    this.#timers = options.timers;
    this.#now = options.now;
    this.#delayMs = options.delayMs ?? IDLE_GC_DELAY_MS;
    this.#maxDeferMs = options.maxDeferMs ?? IDLE_GC_MAX_DEFER_MS;
  }

  /** Something happened: collect once `delayMs` pass without further activity. */
  activity(): void {
    const now = this.#now();
    if (this.#pending === undefined) {
      this.#since = now;
    } else {
      // Waiting longer would pass the bound: the timer already set stands.
      if (now + this.#delayMs - this.#since > this.#maxDeferMs) return;
      this.#timers.clearTimeout(this.#pending);
    }
    this.#pending = this.#timers.setTimeout(() => {
      this.#pending = undefined;
      this.#collect();
    }, this.#delayMs);
  }

  /** Cancels a pending collection (at shutdown). */
  stop(): void {
    if (this.#pending !== undefined) this.#timers.clearTimeout(this.#pending);
    this.#pending = undefined;
  }
}

/**
 * How the bridge collects: V8's "last resort" full collection, which repeats
 * until nothing more is freed, compacts, and returns the emptied pages to the
 * OS. Measured on the demo server (connect + 20 calls, then 3 s idle): RSS
 * 59.3 → 55.1 MiB, anonymous memory 24.6 → 20.2 MiB, against a plain full
 * collection; it takes 10–15 ms instead of 5–7 ms, paid while the bridge is
 * quiet (or at most every {@linkcode IDLE_GC_MAX_DEFER_MS} under load).
 */
export const BRIDGE_GC_OPTIONS = {
  type: "major",
  execution: "sync",
  flavor: "last-resort",
} as const;

/**
 * V8's collector, present when the process runs with `--expose-gc` (a bridge
 * does: `BRIDGE_V8_FLAGS`), called with {@linkcode BRIDGE_GC_OPTIONS};
 * `undefined` otherwise.
 */
export function exposedGc(): (() => void) | undefined {
  const gc = (globalThis as { gc?: unknown }).gc;
  if (typeof gc !== "function") return undefined;
  return () => (gc as (options: typeof BRIDGE_GC_OPTIONS) => void)(BRIDGE_GC_OPTIONS);
}
