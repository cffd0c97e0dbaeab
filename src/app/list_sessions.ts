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
import { consolidateSessions } from "../session/consolidate.ts";
import type { DisplayStatus, SessionRecord } from "../session/session.ts";
import { deriveDisplayStatus } from "../session/status.ts";
import type { CommandOutput } from "./output.ts";
import { buildStartConfig, probeBridge } from "./session_bridge.ts";

/** A listed session: the stored record and its display status. */
export interface ListedSession {
  record: SessionRecord;
  status: DisplayStatus;
}

/** The listing as data. */
export interface SessionListing {
  sessions: ListedSession[];
  profiles: AuthProfile[];
}

/** Consolidates the store, starts retried bridges without waiting, and returns the listing. */
export async function listSessions(ctx: AppContext): Promise<SessionListing> {
  const now = ctx.now();
  const { records, liveness, toLaunch } = await ctx.sessions.update(async (sessions) => {
    const liveness: Record<string, boolean> = {};
    await Promise.all(
      Object.values(sessions).map(async (record) => {
        liveness[record.name] = await probeBridge(ctx, record);
      }),
    );
    const result = consolidateSessions(sessions, liveness, now);
    const toLaunch: string[] = [];
    for (const effect of result.effects) {
      if (effect.type === "removeSocket") {
        await Deno.remove(bridgeSocketPath(ctx.paths.home, effect.sessionName, effect.pid))
          .catch(() => {});
      } else {
        toLaunch.push(effect.sessionName);
      }
    }
    for (const name of Object.keys(sessions)) delete sessions[name];
    Object.assign(sessions, result.sessions);
    return { records: structuredClone(result.sessions), liveness, toLaunch };
  });
  await Promise.all(toLaunch.map((name) => launchInBackground(ctx, records[name])));
  const sessions = Object.values(records).map((record) => ({
    record,
    status: deriveDisplayStatus(record, { bridgeAlive: liveness[record.name] ?? false }, now),
  }));
  return { sessions, profiles: await ctx.profiles.list() };
}

async function launchInBackground(ctx: AppContext, record: SessionRecord): Promise<void> {
  try {
    const config = await buildStartConfig(ctx, record, { resume: true });
    const pid = await launchBridge(config, {
      cwd: record.cwd ?? ctx.cwd,
      env: ctx.env,
      wait: false,
    });
    ctx.debug(`Restarting ${record.name} in the background (pid ${pid})`);
  } catch (error) {
    // The record says it is reconnecting; without a bridge it turns `crashed` after the cooldown.
    ctx.debug(`Cannot restart ${record.name}: ${error instanceof Error ? error.message : error}`);
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
