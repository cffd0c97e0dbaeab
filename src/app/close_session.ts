/**
 * `mcpc @s close`: delete the record, stop the bridge gracefully (it ends the
 * MCP session and its stdio server), remove any socket left behind, and
 * delete the session's secrets.
 *
 * Layer: use case.
 * @module
 */

import type { AppContext } from "../context.ts";
import { McpcError, withFailurePrefix } from "../errors.ts";
import { renderClosed } from "../render/human/misc.ts";
import type { CommandOutput } from "./output.ts";
import {
  forgetSecrets,
  requireSession,
  requireSessionName,
  stopBridgeProcess,
} from "./session_bridge.ts";

/** The outcome of closing one of several sessions. */
export interface CloseResult {
  sessionName: string;
  closed: boolean;
  error?: string;
}

/**
 * Closes several sessions (or `"all"`), in parallel; one that cannot be
 * closed does not stop the others, and makes the command exit 1.
 */
export async function closeSessions(
  ctx: AppContext,
  names: readonly string[] | "all",
): Promise<CommandOutput> {
  if (names !== "all") { for (const name of names) requireSessionName(name); }
  const targets = names === "all"
    ? Object.keys(await ctx.sessions.readAll()).sort()
    : [...new Set(names)];
  const results: CloseResult[] = await Promise.all(targets.map(async (name) => {
    try {
      await closeSession(ctx, name);
      return { sessionName: name, closed: true };
    } catch (error) {
      if (!(error instanceof McpcError)) throw error;
      return { sessionName: name, closed: false, error: error.message.split("\n")[0] };
    }
  }));
  return {
    json: results,
    human: (theme) => {
      if (results.length === 0) return "No sessions to close.";
      return results.map((result) =>
        result.closed
          ? renderClosed(result.sessionName, theme)
          : theme.red(`✗ ${result.sessionName}: ${result.error}`)
      ).join("\n");
    },
    exitCode: results.every((result) => result.closed) ? 0 : 1,
  };
}

/**
 * Closes a session. The record goes first: when that fails (a full disk, a
 * busy lock) nothing changed and the session still runs. After that the
 * bridge is always stopped, so no bridge outlives its record, and a failure
 * to delete the secrets is reported as what it is.
 */
export async function closeSession(ctx: AppContext, name: string): Promise<CommandOutput> {
  const record = await requireSession(ctx, name);
  // Forgotten first: a connect still waiting on this bridge then knows it was closed,
  // and a listing meanwhile does not restart it. The bridge leaves even if we are killed now.
  // Gone already (a concurrent close): stopping the bridge is then harmless.
  await withFailurePrefix(
    `Session ${name} was not closed (nothing was changed): `,
    () => ctx.sessions.delete(name),
  );
  await stopBridgeProcess(ctx, record);
  await removeSockets(ctx, name);
  await withFailurePrefix(
    `Session ${name} was closed, but its stored secrets were not deleted: `,
    () => forgetSecrets(ctx, name),
  );
  return {
    json: { sessionName: name, closed: true },
    human: (theme) => renderClosed(name, theme),
  };
}

/** Removes every socket file of session `name` (any PID). */
async function removeSockets(ctx: AppContext, name: string): Promise<void> {
  try {
    for await (const entry of Deno.readDir(ctx.paths.bridgesDir)) {
      if (entry.name.startsWith(`${name}.`) && entry.name.endsWith(".sock")) {
        await Deno.remove(`${ctx.paths.bridgesDir}/${entry.name}`).catch(() => {});
      }
    }
  } catch {
    // No bridges folder: nothing to remove.
  }
}
