/**
 * The session status model: which status a user sees for a stored record, and
 * which status a session takes when its bridge is (re)started (reference.md §5.4).
 *
 * Layer: pure. Callers pass the current time as `now` (milliseconds since the epoch)
 * and the facts they observed (is the bridge alive); nothing here reads a clock,
 * a PID or a file.
 * @module
 */

import type { DisplayStatus, SessionRecord, StoredStatus } from "./session.ts";

/** A live session whose `lastSeenAt` is older than this (ms) is shown as `disconnected` (2 × 30 s keepalive + 5 s). */
export const DISCONNECTED_THRESHOLD_MS = 65_000;

/** Minimum time (ms) between automatic restarts of a session; also the stale-transient and recently-seen guard. */
export const AUTO_RESTART_COOLDOWN_MS = 10_000;

/** A live session not seen for longer than this (ms) gets its "last seen" time shown in listings. */
export const STALE_LIVE_MS = 5 * 60_000;

/** Stored statuses that only change through an explicit action or a bridge (re)start. */
export type TerminalStatus = "crashed" | "expired" | "unauthorized";

/** Stored statuses of a session whose bridge is being started. */
export type TransientStatus = "connecting" | "reconnecting";

/** Whether `status` is `crashed`, `expired` or `unauthorized`. */
export function isTerminal(status: StoredStatus): status is TerminalStatus {
  return status === "crashed" || status === "expired" || status === "unauthorized";
}

/** Whether `status` is `connecting` or `reconnecting`. */
export function isTransient(status: StoredStatus): status is TransientStatus {
  return status === "connecting" || status === "reconnecting";
}

/** Milliseconds since the epoch for an ISO timestamp; `undefined` when it is missing or unparsable. */
export function parseTimestamp(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Whether the session's last (re)connect attempt began less than the cooldown before `now` (ms). */
export function attemptIsFresh(record: SessionRecord, now: number): boolean {
  const attempt = parseTimestamp(record.lastConnectionAttemptAt);
  return attempt !== undefined && now - attempt < AUTO_RESTART_COOLDOWN_MS;
}

/** The status a session takes when its bridge is restarted: `reconnecting` if it was ever seen, else `connecting`. */
export function restartStatus(record: SessionRecord): TransientStatus {
  return record.lastSeenAt ? "reconnecting" : "connecting";
}

/** Facts the caller observed about a session's bridge. */
export interface SessionFacts {
  /** Whether the session's bridge process is alive (confirmed, not just a PID that exists). */
  bridgeAlive: boolean;
}

/**
 * The status shown to users for `record` at time `now` (ms), per reference.md
 * §5.4. A stored `crashed` stays `crashed` even while its bridge still runs
 * (a bridge whose connection failed lingers a few seconds to report why).
 */
export function deriveDisplayStatus(
  record: SessionRecord,
  facts: SessionFacts,
  now: number,
): DisplayStatus {
  if (isTerminal(record.status)) return record.status;
  if (isTransient(record.status)) return record.status;
  if (record.pid === undefined || !facts.bridgeAlive) return "crashed";
  const lastSeen = parseTimestamp(record.lastSeenAt);
  if (lastSeen !== undefined && now - lastSeen > DISCONNECTED_THRESHOLD_MS) {
    return "disconnected";
  }
  return "live";
}
