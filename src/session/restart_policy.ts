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
}

/** The policy the original uses: a 10 s cooldown. */
export const DEFAULT_RESTART_POLICY: RestartPolicy = { cooldownMs: AUTO_RESTART_COOLDOWN_MS };

/** Why a session is not restarted. */
export type SkipReason =
  | "alive"
  | "no-server"
  | "not-retryable"
  | "no-profile"
  | "cooldown"
  | "recently-seen";

/** The outcome of {@linkcode decideAutoRestart}. */
export type RestartDecision =
  | { restart: true; nextStatus: TransientStatus; attemptAt: number }
  | { restart: false; reason: SkipReason };

/**
 * Whether to restart the bridge of `session` at time `now` (ms).
 *
 * Candidates are `crashed` sessions and `unauthorized` sessions with an OAuth
 * profile; an `unauthorized` session without a profile is never retried,
 * whatever its timestamps. A missing or unparsable timestamp counts as long ago.
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
  if (isWithin(session.lastSeenAt, now, policy.cooldownMs)) {
    return { restart: false, reason: "recently-seen" };
  }
  return { restart: true, nextStatus: restartStatus(session), attemptAt: now };
}

/** Whether `iso` is at most `windowMs` before `now` (or after it). */
function isWithin(iso: string | undefined, now: number, windowMs: number): boolean {
  const at = parseTimestamp(iso);
  return at !== undefined && now - at <= windowMs;
}
