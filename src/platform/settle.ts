/**
 * Waiting on a promise for a bounded time, ignoring how it ends.
 *
 * Layer: edge (owns a timer).
 * @module
 */

/** Resolves once `promise` settles (either way) or `ms` have passed, whichever comes first. */
export async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      promise.then(() => {}, () => {}),
      new Promise<void>((resolve) => timer = setTimeout(resolve, ms)),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
