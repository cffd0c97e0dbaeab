/**
 * The bridge's keepalive: a first ping 5 s after start, then one every 30 s.
 *
 * Layer: edge (owns timers; the timer functions are injectable for tests).
 * @module
 */

/** Delay before the first ping (ms). */
export const FIRST_KEEPALIVE_MS = 5_000;
/** Interval between pings (ms). */
export const KEEPALIVE_INTERVAL_MS = 30_000;

/** Timer functions, so tests can drive time. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options for {@linkcode startKeepalive}. */
export interface KeepaliveOptions {
  /** Sends one ping; rejects on failure. */
  ping: () => Promise<void>;
  /** After a successful ping. */
  onSuccess: () => void | Promise<void>;
  /** After a failed ping; return `false` to stop pinging. */
  onFailure: (error: unknown) => boolean | Promise<boolean>;
  /** Delay before the first ping (default {@linkcode FIRST_KEEPALIVE_MS}). */
  firstDelayMs?: number;
  /** Interval between pings (default {@linkcode KEEPALIVE_INTERVAL_MS}). */
  intervalMs?: number;
  /** Timer functions (default the global ones, unref'd). */
  timers?: Timers;
}

/** Real timers that never keep the process alive on their own. */
export const UNREF_TIMERS: Timers = {
  setTimeout: (fn, ms) => {
    const id = setTimeout(fn, ms);
    Deno.unrefTimer(id);
    return id;
  },
  clearTimeout: (handle) => clearTimeout(handle as number),
};

/** Starts pinging; returns a function that stops it. Pings never overlap. */
export function startKeepalive(options: KeepaliveOptions): () => void {
  const timers = options.timers ?? UNREF_TIMERS;
  const interval = options.intervalMs ?? KEEPALIVE_INTERVAL_MS;
  let stopped = false;
  let handle: unknown;
  const tick = async () => {
    if (stopped) return;
    let keepGoing = true;
    try {
      await options.ping();
      if (!stopped) await options.onSuccess();
    } catch (error) {
      if (!stopped) keepGoing = await Promise.resolve(options.onFailure(error)).catch(() => true);
    }
    if (!stopped && keepGoing) handle = timers.setTimeout(tick, interval);
  };
  handle = timers.setTimeout(tick, options.firstDelayMs ?? FIRST_KEEPALIVE_MS);
  return () => {
    stopped = true;
    timers.clearTimeout(handle);
  };
}
