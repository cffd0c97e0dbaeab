/**
 * `mcpc clean [sessions|profiles|logs|all]` (reference.md §8.7). Without a
 * target, a safe cleanup: bridges found dead are marked `crashed` (their
 * sockets and left-over stdio servers removed), `expired` and
 * `unauthorized` sessions are deleted with their secrets, and logs and
 * sockets no session owns are removed once old (7 days, 5 minutes).
 * `sessions` closes every session, `profiles` deletes every OAuth profile
 * with its secrets, `logs` deletes every bridge log, `all` does the three
 * and the safe cleanup and removes the emptied folders. Unlike a listing,
 * `clean` restarts nothing (decisions.md §3.9).
 *
 * Layer: use case.
 * @module
 */

import type { AppContext } from "../context.ts";
import { McpcError, usageError } from "../errors.ts";
import { consolidateSessions, type ConsolidationEffect } from "../session/consolidate.ts";
import type { SessionRecord } from "../session/session.ts";
import { closeSession } from "./close_session.ts";
import { applyEffect } from "./list_sessions.ts";
import { removeProfile, sessionsUsing } from "./logout.ts";
import type { CommandOutput } from "./output.ts";
import { forgetSecrets, probeBridge, stopBridgeProcess } from "./session_bridge.ts";

/** What `clean` takes besides nothing. */
export const CLEAN_TARGETS = ["sessions", "profiles", "logs", "all"] as const;

/** One of {@linkcode CLEAN_TARGETS}. */
export type CleanTarget = typeof CLEAN_TARGETS[number];

/** Age after which a log no session owns is removed (ms). */
export const ORPHAN_LOG_AGE_MS = 7 * 24 * 3600_000;
/** Age after which a socket no live bridge owns is removed (ms). */
export const ORPHAN_SOCKET_AGE_MS = 5 * 60_000;

/** What one `clean` removed, as `--json` prints it. */
export interface CleanCounts {
  crashedBridges: number;
  expiredSessions: number;
  orphanedBridgeLogs: number;
  orphanedSockets: number;
  sessions: number;
  profiles: number;
  logs: number;
  /** Sessions that used a removed profile (with `profiles`). */
  affectedSessions?: string[];
}

/** A bridge log: `bridge-@name.log`, or a rotated `bridge-@name.log.N`. */
const LOG_FILE = /^bridge-(@.+)\.log(\.\d+)?$/;
/** A bridge socket: `@name.<pid>.sock`. */
const SOCKET_FILE = /^(@.+)\.(\d+)\.sock$/;

/** Runs `mcpc clean` with the targets given (none: the safe cleanup). */
export async function clean(ctx: AppContext, given: readonly string[]): Promise<CommandOutput> {
  const targets = parseTargets(given);
  const counts: CleanCounts = {
    crashedBridges: 0,
    expiredSessions: 0,
    orphanedBridgeLogs: 0,
    orphanedSockets: 0,
    sessions: 0,
    profiles: 0,
    logs: 0,
  };
  const all = targets.has("all");
  const failures: string[] = [];
  if (all || targets.has("sessions")) counts.sessions = await removeSessions(ctx, failures);
  if (all || targets.has("profiles")) {
    const removed = await removeProfiles(ctx);
    counts.profiles = removed.count;
    if (removed.affected.length > 0) counts.affectedSessions = removed.affected;
  }
  if (all || targets.has("logs")) counts.logs = await removeLogs(ctx);
  if (all || targets.size === 0) Object.assign(counts, await safeCleanup(ctx));
  if (all) await removeEmptyFolders(ctx);
  return {
    json: counts,
    human: (theme) => {
      const lines = summaryLines(counts, targets).map((line) => theme.green(line));
      if (counts.affectedSessions) {
        lines.push(
          theme.yellow(
            `Warning: ${counts.affectedSessions.length} session(s) used the removed profiles: ` +
              counts.affectedSessions.join(", "),
          ),
          "They may fail to authenticate: log in again (mcpc login <server>) or reconnect them.",
        );
      }
      for (const failure of failures) lines.push(theme.red(`✗ ${failure}`));
      return lines.join("\n");
    },
    exitCode: failures.length > 0 ? 1 : 0,
  };
}

function parseTargets(given: readonly string[]): Set<CleanTarget> {
  const targets = new Set<CleanTarget>();
  for (const target of given) {
    if (!(CLEAN_TARGETS as readonly string[]).includes(target)) {
      throw usageError(
        `Unknown clean target: "${target}". Give sessions, profiles, logs or all ` +
          "(or nothing, for a safe cleanup)",
      );
    }
    targets.add(target as CleanTarget);
  }
  return targets;
}

/** The `✓ …` lines for what was asked. */
function summaryLines(counts: CleanCounts, targets: ReadonlySet<CleanTarget>): string[] {
  if (targets.has("all")) {
    const any = counts.sessions + counts.profiles + counts.logs + counts.crashedBridges +
      counts.expiredSessions + counts.orphanedBridgeLogs + counts.orphanedSockets;
    return [
      any === 0
        ? "✓ Nothing to clean"
        : `✓ Cleaned ${counts.sessions} session(s), ${counts.profiles} profile(s), ` +
          `${counts.logs} log file(s)`,
    ];
  }
  if (targets.size === 0) {
    const stale = counts.crashedBridges + counts.expiredSessions + counts.orphanedBridgeLogs +
      counts.orphanedSockets;
    return [
      stale === 0
        ? "✓ No stale resources found"
        : `✓ Cleaned ${counts.crashedBridges} crashed bridge(s), ${counts.expiredSessions} ` +
          `expired session(s), ${counts.orphanedBridgeLogs} orphaned log(s), ` +
          `${counts.orphanedSockets} orphaned socket(s)`,
    ];
  }
  const lines: string[] = [];
  if (targets.has("sessions")) lines.push(`✓ Removed ${counts.sessions} session(s)`);
  if (targets.has("profiles")) {
    lines.push(
      counts.profiles === 0
        ? "✓ No profiles to remove"
        : `✓ Removed ${counts.profiles} authentication profile(s)`,
    );
  }
  if (targets.has("logs")) lines.push(`✓ Removed ${counts.logs} log file(s)`);
  return lines;
}

/** Closes every session (in parallel); returns how many went; failures are noted. */
async function removeSessions(ctx: AppContext, failures: string[]): Promise<number> {
  const names = Object.keys(await ctx.sessions.readAll()).sort();
  const closed = await Promise.all(names.map(async (name) => {
    try {
      await closeSession(ctx, name);
      return true;
    } catch (error) {
      if (!(error instanceof McpcError)) throw error;
      failures.push(`${name}: ${error.message.split("\n")[0]}`);
      return false;
    }
  }));
  return closed.filter(Boolean).length;
}

/** Deletes every profile with its secrets; returns the count and the sessions that used them. */
async function removeProfiles(ctx: AppContext): Promise<{ count: number; affected: string[] }> {
  const profiles = await ctx.profiles.list();
  const affected = await sessionsUsing(ctx, profiles);
  let count = 0;
  for (const profile of profiles) {
    if (await removeProfile(ctx, profile.serverUrl, profile.name)) count++;
  }
  return { count, affected };
}

/** Deletes every bridge log (live sessions' too); returns how many. */
async function removeLogs(ctx: AppContext): Promise<number> {
  let count = 0;
  for (const entry of await listFolder(ctx.paths.logsDir)) {
    if (!entry.isFile || !LOG_FILE.test(entry.name)) continue;
    if (await removed(`${ctx.paths.logsDir}/${entry.name}`)) count++;
  }
  return count;
}

/**
 * The safe cleanup: consolidation without restarts under the sessions lock,
 * then the slow parts outside it.
 */
async function safeCleanup(ctx: AppContext): Promise<Partial<CleanCounts>> {
  const now = ctx.now();
  const { effects, dropped, records } = await ctx.sessions.update(async (sessions) => {
    const liveness: Record<string, boolean> = {};
    await Promise.all(
      Object.values(sessions).map(async (record) => {
        liveness[record.name] = await probeBridge(ctx, record);
      }),
    );
    const result = consolidateSessions(sessions, liveness, now, { autoRestart: false });
    const dropped: SessionRecord[] = [];
    for (const [name, record] of Object.entries(result.sessions)) {
      if (record.status !== "expired" && record.status !== "unauthorized") continue;
      dropped.push(record);
      delete result.sessions[name];
    }
    for (const name of Object.keys(sessions)) delete sessions[name];
    Object.assign(sessions, result.sessions);
    return {
      effects: result.effects,
      dropped,
      records: structuredClone(result.sessions),
    };
  });
  const crashedBridges = effects.filter((effect) => effect.type === "removeSocket").length;
  await Promise.all(effects.map((effect: ConsolidationEffect) => applyEffect(ctx, effect)));
  for (const record of dropped) {
    // A bridge may still linger for an expired session: nothing is left running (it removes
    // its own socket; a dead one's went with the consolidation above).
    await stopBridgeProcess(ctx, record);
    // A connect may have made the session anew meanwhile: its secrets are its own then.
    if (await ctx.sessions.get(record.name) === undefined) await forgetSecrets(ctx, record.name);
  }
  const owners = { ...records };
  return {
    crashedBridges,
    expiredSessions: dropped.length,
    orphanedBridgeLogs: await removeOrphanedLogs(ctx, owners, now),
    orphanedSockets: await removeOrphanedSockets(ctx, owners, now),
  };
}

/** Logs of sessions that no longer exist, untouched for {@linkcode ORPHAN_LOG_AGE_MS}. */
function removeOrphanedLogs(
  ctx: AppContext,
  sessions: Record<string, SessionRecord>,
  now: number,
): Promise<number> {
  return removeOrphans(ctx.paths.logsDir, now, ORPHAN_LOG_AGE_MS, (name) => {
    const match = LOG_FILE.exec(name);
    return match !== null && !(match[1] in sessions);
  });
}

/**
 * Sockets no recorded bridge owns, older than {@linkcode ORPHAN_SOCKET_AGE_MS}
 * (a bridge starting right now has its socket before its PID is on record).
 */
function removeOrphanedSockets(
  ctx: AppContext,
  sessions: Record<string, SessionRecord>,
  now: number,
): Promise<number> {
  return removeOrphans(ctx.paths.bridgesDir, now, ORPHAN_SOCKET_AGE_MS, (name) => {
    const match = SOCKET_FILE.exec(name);
    return match !== null && sessions[match[1]]?.pid !== Number(match[2]);
  });
}

/** Removes the entries of `folder` that `orphaned` names, untouched for `ageMs`; returns how many. */
async function removeOrphans(
  folder: string,
  now: number,
  ageMs: number,
  orphaned: (name: string) => boolean,
): Promise<number> {
  let count = 0;
  for (const entry of await listFolder(folder)) {
    if (entry.isDirectory || !orphaned(entry.name)) continue;
    const path = `${folder}/${entry.name}`;
    if (await olderThan(path, now, ageMs) && await removed(path)) count++;
  }
  return count;
}

/** After `all`: the emptied folders go, and the home when nothing else is left in it. */
async function removeEmptyFolders(ctx: AppContext): Promise<void> {
  for (const path of [ctx.paths.bridgesDir, ctx.paths.logsDir, ctx.paths.home]) {
    await Deno.remove(path).catch(() => {
      // Not empty (or already gone): it stays.
    });
  }
}

async function listFolder(path: string): Promise<Deno.DirEntry[]> {
  try {
    return await Array.fromAsync(Deno.readDir(path));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

async function olderThan(path: string, now: number, ageMs: number): Promise<boolean> {
  try {
    const { mtime } = await Deno.lstat(path);
    return mtime !== null && now - mtime.getTime() > ageMs;
  } catch {
    return false;
  }
}

async function removed(path: string): Promise<boolean> {
  try {
    await Deno.remove(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}
