/**
 * `mcpc @s restart`: stop the bridge and start a fresh one with a new MCP
 * session (never resumed), then show the server details.
 *
 * Layer: use case.
 * @module
 */

import type { AppContext } from "../context.ts";
import { renderRestarted, renderRestarting } from "../render/human/misc.ts";
import type { CommandOutput } from "./output.ts";
import { requireSession, restartBridge } from "./session_bridge.ts";
import {
  currentRecord,
  explainLostConnection,
  explainSessionError,
  liveStatus,
  requestTimeoutMs,
  serverDetailsOutput,
} from "./session_commands.ts";
import { bridgeLogPath } from "../platform/paths.ts";
import { BridgeConnectionLostError } from "../bridge/client.ts";
import { handshakeWaitMs, withWaitingNote } from "./waiting_note.ts";

/** Restarts a session. */
export async function restartSession(ctx: AppContext, name: string): Promise<CommandOutput> {
  const record = await requireSession(ctx, name);
  const logPath = bridgeLogPath(ctx.paths.home, name);
  if (!ctx.output.json) ctx.stdout(`${renderRestarting(name)}\n`);
  const { record: updated, client } = await restartBridge(ctx, record, { resume: false });
  try {
    const details = await withWaitingNote(
      ctx,
      updated.server,
      client.request("serverDetails", {}, {
        timeoutMs: handshakeWaitMs(ctx, updated.server, requestTimeoutMs(ctx, updated)),
      }),
    );
    const stored = await currentRecord(ctx, updated);
    const output = serverDetailsOutput(stored, details, {
      logPath,
      status: liveStatus(ctx, stored),
    });
    return {
      json: output.json,
      human: (theme) => `${renderRestarted(name, theme)}\n\n${output.human(theme)}`,
    };
  } catch (error) {
    // Closed (or restarted again) by another process before the details came back.
    if (error instanceof BridgeConnectionLostError) {
      throw await explainLostConnection(ctx, updated, error);
    }
    throw explainSessionError(error, updated, logPath);
  } finally {
    client.close();
  }
}
