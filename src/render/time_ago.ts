/**
 * Relative time wording for the session and profile lists ("2h ago").
 *
 * Layer: pure.
 * @module
 */

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** Describes how long before `nowMs` the moment `thenMs` was: `just now`, `5m ago`, `yesterday`, ... */
export function formatTimeAgo(thenMs: number, nowMs: number): string {
  const elapsed = nowMs - thenMs;
  if (!Number.isFinite(elapsed) || elapsed < MINUTE_MS) return "just now";
  if (elapsed < HOUR_MS) return `${Math.floor(elapsed / MINUTE_MS)}m ago`;
  if (elapsed < DAY_MS) return `${Math.floor(elapsed / HOUR_MS)}h ago`;
  const days = Math.floor(elapsed / DAY_MS);
  if (days === 1) return "yesterday";
  if (days < 7) return `${days} days ago`;
  if (days < 30) return `${Math.floor(days / 7)} weeks ago`;
  return `${Math.floor(days / 30)} months ago`;
}
