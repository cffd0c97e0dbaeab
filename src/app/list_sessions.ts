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
import { renderSessionList, type SessionListEntry } from "../render/human/sessions.ts";
import { consolidateSessions, type ConsolidationEffect } from "../session/consolidate.ts";
import { reapProcessGroup } from "../platform/process.ts";
import type { SessionRecord } from "../session/session.ts";
import { deriveDisplayStatus } from "../session/status.ts";
import { nextRetryAt } from "../session/restart_policy.ts";
import type { CommandOutput } from "./output.ts";
import { buildStartConfig, probeBridge } from "./session_bridge.ts";

/** A listed session: the stored record, its display status and, when crashed, its retry. */
export type ListedSession = SessionListEntry;

/** The listing as data. */
export interface SessionListing {
  sessions: ListedSession[];
  profiles: AuthProfile[];
}

/** Consolidates the store, starts retried bridges without waiting, and returns the listing. */
export async function listSessions(ctx: AppContext): Promise<SessionListing> {
  const now = ctx.now();
  const { records, liveness, effects, launched } = await ctx.sessions.update(async (sessions) => {
    const liveness: Record<string, boolean> = {};
    await Promise.all(
      Object.values(sessions).map(async (record) => {
        liveness[record.name] = await probeBridge(ctx, record);
      }),
    );
    const result = consolidateSessions(sessions, liveness, now);
    // Spawning is quick (nothing waits for the bridge): done under the lock, no command
    // ever sees a retried session without the PID of the bridge that retries it.
    const launched = new Set<string>();
    for (const effect of result.effects) {
      if (effect.type !== "launchBridge") continue;
      if (await launchInBackground(ctx, result.sessions[effect.sessionName])) {
        launched.add(effect.sessionName);
      }
    }
    for (const name of Object.keys(sessions)) delete sessions[name];
    Object.assign(sessions, result.sessions);
    return {
      records: structuredClone(result.sessions),
      liveness,
      effects: result.effects,
      launched,
    };
  });
  // The slow effects run after the lock is released: they may not hold up other mcpc processes.
  await Promise.all(effects.map((effect) => applyEffect(ctx, effect)));
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

/** Carries out a cleanup effect (bridge launches happen under the lock). */
export async function applyEffect(ctx: AppContext, effect: ConsolidationEffect): Promise<void> {
  switch (effect.type) {
    case "removeSocket":
      await Deno.remove(bridgeSocketPath(ctx.paths.home, effect.sessionName, effect.pid))
        .catch(() => {});
      return;
    case "endServerGroup":
      if (await reapProcessGroup(effect.group)) {
        ctx.debug(`Stopped the server left running by the bridge of ${effect.sessionName}`);
      }
      return;
    case "launchBridge":
      return;
  }
}

/**
 * Starts a retried session's bridge without waiting for it and records its
 * PID in `record`; when it cannot even start (e.g. secrets missing), records
 * the failure there instead. Returns whether it started.
 */
async function launchInBackground(ctx: AppContext, record: SessionRecord): Promise<boolean> {
  try {
    const config = await buildStartConfig(ctx, record, { resume: true });
    record.pid = await launchBridge({ ...config, background: true }, {
      cwd: record.cwd ?? ctx.cwd,
      env: ctx.env,
      wait: false,
    });
    ctx.debug(`Restarting ${record.name} in the background (pid ${record.pid})`);
    return true;
  } catch (error) {
    // No bridge will report on this attempt: count the failure now, so the backoff grows.
    ctx.debug(`Cannot restart ${record.name}: ${error instanceof Error ? error.message : error}`);
    record.status = "crashed";
    record.consecutiveFailures = (record.consecutiveFailures ?? 0) + 1;
    return false;
  }
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
