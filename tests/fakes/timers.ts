/**
 * Timers that only record what is scheduled; tests run the callbacks by hand.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Timers } from "../../src/bridge/keepalive.ts";

/** One scheduled callback. */
export interface Scheduled {
  handle: number;
  fn: () => void;
  ms: number;
  cleared: boolean;
  ran: boolean;
}

/** Timers that only record; tests run callbacks by hand. */
export class FakeTimers implements Timers {
  scheduled: Scheduled[] = [];
  clearedHandles: unknown[] = [];
  #next = 1;

  setTimeout(fn: () => void, ms: number): unknown {
    const entry = { handle: this.#next++, fn, ms, cleared: false, ran: false };
    this.scheduled.push(entry);
    return entry.handle;
  }

  clearTimeout(handle: unknown): void {
    this.clearedHandles.push(handle);
    const entry = this.scheduled.find((each) => each.handle === handle);
    if (entry) entry.cleared = true;
  }

  /** Timers neither run nor cleared. */
  pending(): Scheduled[] {
    return this.scheduled.filter((entry) => !entry.cleared && !entry.ran);
  }

  /** Runs the only pending timer and lets the resulting promise chain settle. */
  async runPending(): Promise<void> {
    const pending = this.pending();
    assert.equal(pending.length, 1, `expected one pending timer, found ${pending.length}`);
    pending[0].ran = true;
    pending[0].fn();
    await settle();
  }

  delays(): number[] {
    return this.scheduled.map((entry) => entry.ms);
  }
}

/** Lets queued promise callbacks run. */
export async function settle(): Promise<void> {
  for (let index = 0; index < 10; index++) await Promise.resolve();
  await new Promise((resolve) => setTimeout(resolve, 0));
}
