/**
 * The auto-restart decision for one session: restart its bridge now, or skip it
 * and say why (reference.md §5.5 step 5, decisions.md §2 and the seed rule in §3).
 *
 * Layer: pure. The caller passes the facts it observed and `now` (ms since the epoch).
 * @module
 */

import type { SessionRecord } from "./session.ts";
import {
  AUTO_RESTART_COOLDOWN_MS,
  parseTimestamp,
  restartStatus,
  type SessionFacts,
  type TransientStatus,
} from "./status.ts";

export type { SessionFacts } from "./status.ts";

/** Tuning for {@linkcode decideAutoRestart}. */
export interface RestartPolicy {
  /** Minimum time (ms) since the last attempt, and since the server was last seen, before a restart. */
  cooldownMs: number;
  /** Longest wait between two automatic retries of a session that keeps failing (ms). */
  maxBackoffMs: number;
  /** Most bridges one listing starts. */
  maxLaunches: number;
}

/** Longest wait between two retries of a failing session: 10 min (decisions.md §3.16). */
export const MAX_RETRY_BACKOFF_MS = 10 * 60_000;

/** The 10 s cooldown of the original, doubling per consecutive failure up to 10 min, 4 bridges a listing. */
export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  cooldownMs: AUTO_RESTART_COOLDOWN_MS,
  maxBackoffMs: MAX_RETRY_BACKOFF_MS,
  maxLaunches: 4,
};

/**
 * The wait before the next automatic retry after `failures` consecutive
 * failed attempts: the cooldown for the first, then doubling up to the cap.
 */
export function retryDelayMs(
  failures: number,
  policy: RestartPolicy = DEFAULT_RESTART_POLICY,
): number {
  const doublings = Math.max(0, Math.min(failures - 1, 30));
  return Math.min(policy.cooldownMs * 2 ** doublings, policy.maxBackoffMs);
}

/** When the next automatic retry of `session` may start (ms since the epoch), if it has attempted before. */
export function nextRetryAt(
  session: SessionRecord,
  policy: RestartPolicy = DEFAULT_RESTART_POLICY,
): number | undefined {
  const attempt = parseTimestamp(session.lastConnectionAttemptAt);
  if (attempt === undefined) return undefined;
  return attempt + retryDelayMs(session.consecutiveFailures ?? 0, policy);
}

/** Why a session is not restarted. */
export type SkipReason =
  | "alive"
  | "no-server"
  | "not-retryable"
  | "no-profile"
  | "cooldown"
  | "backoff"
  | "recently-seen";

/**
 * The outcome of {@linkcode decideAutoRestart}. A retried `crashed` session
 * keeps its status while the new bridge connects (the listing shows the
 * retry instead of flipping to `connecting`); the bridge sets the outcome.
 */
export type RestartDecision =
  | { restart: true; nextStatus: TransientStatus | "crashed"; attemptAt: number }
  | { restart: false; reason: SkipReason };

/**
 * Whether to restart the bridge of `session` at time `now` (ms).
 *
 * Candidates are `crashed` sessions and `unauthorized` sessions with an OAuth
 * profile; an `unauthorized` session without a profile is never retried,
 * whatever its timestamps. A missing or unparsable timestamp counts as long ago.
 * A `crashed` session that failed `n` times in a row waits {@linkcode retryDelayMs}.
 */
export function decideAutoRestart(
  session: SessionRecord,
  facts: SessionFacts,
  now: number,
  policy: RestartPolicy = DEFAULT_RESTART_POLICY,
): RestartDecision {
  if (facts.bridgeAlive) return { restart: false, reason: "alive" };
  if (!session.server?.url && !session.server?.command) {
    return { restart: false, reason: "no-server" };
  }
  if (session.status === "unauthorized") {
    if (!session.profileName) return { restart: false, reason: "no-profile" };
  } else if (session.status !== "crashed") {
    return { restart: false, reason: "not-retryable" };
  }
  if (isWithin(session.lastConnectionAttemptAt, now, policy.cooldownMs)) {
    return { restart: false, reason: "cooldown" };
  }
  if (session.status === "crashed") {
    const wait = retryDelayMs(session.consecutiveFailures ?? 0, policy);
    if (isWithin(session.lastConnectionAttemptAt, now, wait)) {
      return { restart: false, reason: "backoff" };
    }
  }
  if (isWithin(session.lastSeenAt, now, policy.cooldownMs)) {
    return { restart: false, reason: "recently-seen" };
  }
  const nextStatus = session.status === "crashed" ? "crashed" : restartStatus(session);
  return { restart: true, nextStatus, attemptAt: now };
}

/** Whether `iso` is at most `windowMs` before `now` (or after it). */
function isWithin(iso: string | undefined, now: number, windowMs: number): boolean {
  const at = parseTimestamp(iso);
  return at !== undefined && now - at <= windowMs;
}
