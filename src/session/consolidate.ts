/**
 * Consolidation of all stored sessions against the facts observed about their
 * bridges (reference.md §5.5): mark dead bridges `crashed`, expire stale
 * transient states, and pick the sessions to restart. It returns the new
 * records and the side effects as data; one edge applies both under a single
 * lock of `sessions.json`.
 *
 * Layer: pure.
 * @module
 */

import type { ServerProcessGroup, SessionRecord } from "./session.ts";
import { isTerminal, isTransient, parseTimestamp } from "./status.ts";
import { decideAutoRestart, DEFAULT_RESTART_POLICY, type RestartPolicy } from "./restart_policy.ts";

/** A side effect for the edge to carry out after saving the consolidated sessions. */
export type ConsolidationEffect =
  | { type: "removeSocket"; sessionName: string; pid: number }
  | { type: "endServerGroup"; sessionName: string; group: ServerProcessGroup }
  | { type: "launchBridge"; sessionName: string };

/** The outcome of {@linkcode consolidateSessions}. */
export interface ConsolidationResult {
  /** Every kept session, as new objects. */
  sessions: Record<string, SessionRecord>;
  /** Whether any record was dropped or differs from the input (save only if so). */
  changed: boolean;
  /** What to do after saving, in order. */
  effects: ConsolidationEffect[];
}

/** Options for {@linkcode consolidateSessions}. */
export interface ConsolidateOptions {
  /** Restart policy (default {@linkcode DEFAULT_RESTART_POLICY}). */
  policy?: RestartPolicy;
  /** Select sessions for an automatic restart (default `true`; `clean` passes `false`). */
  autoRestart?: boolean;
}

/**
 * Consolidates `sessions` at time `now` (ms), given which bridges are alive.
 *
 * `liveness` maps a session name to whether its bridge is alive; a session
 * missing from it has no live bridge. The input is not mutated.
 */
export function consolidateSessions(
  sessions: Record<string, SessionRecord>,
  liveness: Record<string, boolean>,
  now: number,
  options: ConsolidateOptions = {},
): ConsolidationResult {
  const policy = options.policy ?? DEFAULT_RESTART_POLICY;
  const autoRestart = options.autoRestart ?? true;
  const result: Record<string, SessionRecord> = {};
  const effects: ConsolidationEffect[] = [];
  let changed = false;

  for (const [name, stored] of Object.entries(sessions)) {
    if (!isRecord(stored)) {
      changed = true;
      continue;
    }
    // Step 2 of §5.5 (`clean` dropping expired and unauthorized sessions) belongs here.
    const record: SessionRecord = { ...stored };
    const bridgeAlive = liveness[name] === true;
    if (markDeadBridge(name, record, bridgeAlive, effects)) changed = true;
    if (markStaleTransient(record, now, policy)) changed = true;
    result[name] = record;
  }
  if (autoRestart && selectForRestart(result, now, policy, effects)) changed = true;
  return { sessions: result, changed, effects };
}

/** Whether a stored value is a record object at all (`null` and non-objects are dropped). */
function isRecord(value: unknown): value is SessionRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Step 3: a dead bridge loses its PID (and socket); an `active` session without a bridge is `crashed`. */
function markDeadBridge(
  name: string,
  record: SessionRecord,
  bridgeAlive: boolean,
  effects: ConsolidationEffect[],
): boolean {
  let changed = false;
  if (record.pid !== undefined && !bridgeAlive) {
    effects.push({ type: "removeSocket", sessionName: name, pid: record.pid });
    delete record.pid;
    changed = true;
  }
  if (record.pid === undefined && record.serverProcess) {
    // The bridge died without stopping its stdio server: end that group.
    effects.push({ type: "endServerGroup", sessionName: name, group: record.serverProcess });
    delete record.serverProcess;
    changed = true;
  }
  if (record.pid === undefined && !isTerminal(record.status) && !isTransient(record.status)) {
    record.status = "crashed";
    changed = true;
  }
  return changed;
}

/** Step 4: `connecting`/`reconnecting` without a bridge whose attempt is older than the cooldown is `crashed`. */
function markStaleTransient(record: SessionRecord, now: number, policy: RestartPolicy): boolean {
  if (record.pid !== undefined || !isTransient(record.status)) return false;
  const attemptAt = parseTimestamp(record.lastConnectionAttemptAt);
  if (attemptAt === undefined || now - attemptAt <= policy.cooldownMs) return false;
  record.status = "crashed";
  return true;
}

/**
 * Step 5: apply {@linkcode decideAutoRestart} and queue the bridge launches,
 * at most `policy.maxLaunches`, the longest-waiting sessions first.
 */
function selectForRestart(
  sessions: Record<string, SessionRecord>,
  now: number,
  policy: RestartPolicy,
  effects: ConsolidationEffect[],
): boolean {
  const chosen = Object.entries(sessions)
    .map(([name, record]) => ({
      name,
      record,
      // After step 3 a record keeps its PID only while its bridge is alive.
      decision: decideAutoRestart(record, { bridgeAlive: record.pid !== undefined }, now, policy),
    }))
    .filter((candidate) => candidate.decision.restart)
    .sort((a, b) => attemptTime(a.record) - attemptTime(b.record))
    .slice(0, policy.maxLaunches);
  for (const { name, record, decision } of chosen) {
    if (!decision.restart) continue;
    record.status = decision.nextStatus;
    record.lastConnectionAttemptAt = new Date(decision.attemptAt).toISOString();
    effects.push({ type: "launchBridge", sessionName: name });
  }
  return chosen.length > 0;
}

function attemptTime(record: SessionRecord): number {
  return parseTimestamp(record.lastConnectionAttemptAt) ?? 0;
}
