/**
 * `mcpc` (and `mcpc --json`): consolidate the session records under one lock,
 * restart retry-eligible bridges in the background, and list sessions and
 * profiles.
 *
 * Layer: use case.
 * @module
 */

import type { AuthProfile } from "../auth/profile_store.ts";
import { launchBridge } from "../bridge/launcher.ts";
import type { AppContext } from "../context.ts";
import { bridgeSocketPath } from "../platform/paths.ts";
import { renderSessionList } from "../render/human/sessions.ts";
import { consolidateSessions, type ConsolidationEffect } from "../session/consolidate.ts";
import { reapProcessGroup } from "../platform/process.ts";
import type { DisplayStatus, SessionRecord } from "../session/session.ts";
import { deriveDisplayStatus } from "../session/status.ts";
import { nextRetryAt } from "../session/restart_policy.ts";
import type { CommandOutput } from "./output.ts";
import { buildStartConfig, probeBridge } from "./session_bridge.ts";

/** A listed session: the stored record and its display status. */
export interface ListedSession {
  record: SessionRecord;
  status: DisplayStatus;
  /** For a `crashed` session: retrying `now`, or when the next automatic retry may start (ms). */
  retry?: "now" | number;
}

/** The listing as data. */
export interface SessionListing {
  sessions: ListedSession[];
  profiles: AuthProfile[];
}

/** Consolidates the store, starts retried bridges without waiting, and returns the listing. */
export async function listSessions(ctx: AppContext): Promise<SessionListing> {
  const now = ctx.now();
  const { records, liveness, effects } = await ctx.sessions.update(async (sessions) => {
    const liveness: Record<string, boolean> = {};
    await Promise.all(
      Object.values(sessions).map(async (record) => {
        liveness[record.name] = await probeBridge(ctx, record);
      }),
    );
    const result = consolidateSessions(sessions, liveness, now);
    for (const name of Object.keys(sessions)) delete sessions[name];
    Object.assign(sessions, result.sessions);
    return { records: structuredClone(result.sessions), liveness, effects: result.effects };
  });
  // Effects run after the lock is released: none of them may hold up other mcpc processes.
  const launched = new Set<string>();
  await Promise.all(effects.map(async (effect) => {
    if (await applyEffect(ctx, effect, records)) launched.add(effect.sessionName);
  }));
  const sessions = Object.values(records).map((record): ListedSession => {
    const status = deriveDisplayStatus(
      record,
      { bridgeAlive: liveness[record.name] ?? false },
      now,
    );
    if (status !== "crashed") return { record, status };
    const retrying = launched.has(record.name) || liveness[record.name] === true;
    return { record, status, retry: retrying ? "now" : nextRetryAt(record) };
  });
  return { sessions, profiles: await ctx.profiles.list() };
}

/** Carries out one effect; returns whether it started a bridge. */
async function applyEffect(
  ctx: AppContext,
  effect: ConsolidationEffect,
  records: Record<string, SessionRecord>,
): Promise<boolean> {
  switch (effect.type) {
    case "removeSocket":
      await Deno.remove(bridgeSocketPath(ctx.paths.home, effect.sessionName, effect.pid))
        .catch(() => {});
      return false;
    case "endServerGroup":
      if (await reapProcessGroup(effect.group)) {
        ctx.debug(`Stopped the server left running by the bridge of ${effect.sessionName}`);
      }
      return false;
    case "launchBridge": {
      const { started, record } = await launchInBackground(ctx, records[effect.sessionName]);
      if (record) records[effect.sessionName] = record;
      return started;
    }
  }
}

/**
 * Starts a retried session's bridge without waiting for it, and records its
 * PID; when it cannot even start (e.g. secrets missing), records the failure.
 * Returns whether it started and the record as stored afterwards.
 */
async function launchInBackground(
  ctx: AppContext,
  record: SessionRecord,
): Promise<{ started: boolean; record?: SessionRecord }> {
  let pid: number;
  try {
    const config = await buildStartConfig(ctx, record, { resume: true });
    pid = await launchBridge({ ...config, background: true }, {
      cwd: record.cwd ?? ctx.cwd,
      env: ctx.env,
      wait: false,
    });
  } catch (error) {
    // No bridge will report on this attempt: record the failure now, so the backoff grows.
    ctx.debug(`Cannot restart ${record.name}: ${error instanceof Error ? error.message : error}`);
    const failed = await ctx.sessions.patch(record.name, (stored) => {
      if (stored.pid !== undefined) return;
      stored.status = "crashed";
      stored.consecutiveFailures = (stored.consecutiveFailures ?? 0) + 1;
    }).catch(() => undefined);
    return { started: false, record: failed };
  }
  ctx.debug(`Restarting ${record.name} in the background (pid ${pid})`);
  // Recorded now, so a command right after this listing uses this bridge instead of
  // starting a second one (the bridge records the same PID once it runs).
  const owned = await ctx.sessions.patch(record.name, (stored) => {
    stored.pid ??= pid;
  }).catch(() => undefined);
  return { started: true, record: owned };
}

/** The listing as command output. */
export async function listSessionsOutput(ctx: AppContext): Promise<CommandOutput> {
  const listing = await listSessions(ctx);
  return {
    json: {
      sessions: listing.sessions.map(({ record, status }) => ({ ...record, status })),
      profiles: listing.profiles,
    },
    human: (theme) => {
      const text = renderSessionList(
        listing.sessions,
        listing.profiles,
        { theme, now: ctx.now() },
      );
      return `${text}\n\nRun "mcpc --help" for usage information.`;
    },
  };
}
